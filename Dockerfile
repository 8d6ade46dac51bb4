# The wrapped-etl worker (and CLI). Build: docker build -t wrapped-etl .
# Run:   docker run --rm -e TEMPORAL_ADDRESS=temporal:7233 -v wrapped-data:/data wrapped-etl worker
FROM node:24.19.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY bin ./bin
COPY schemas ./schemas
COPY src ./src
COPY activities ./activities
COPY workflows ./workflows
COPY cli ./cli
COPY bench ./bench
RUN npm run build

FROM node:24.19.0-bookworm-slim
ENV NODE_ENV=production \
    WRAPPED_ETL_DATA_ROOT=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
ENTRYPOINT ["node", "bin/wrapped-etl.js"]
CMD ["worker"]
