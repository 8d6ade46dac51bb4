import pino from 'pino';
import { wantsColor } from './color';
import { logLevelFromEnv } from './log-level';

/**
 * Errors logged under `err` (ours) or `error` (the Temporal SDK's "Activity failed" and
 * "Workflow failed" lines) keep their type, message (with the messages of their causes) and
 * stack: an Error's own fields are not enumerable, so JSON would show `{}`.
 */
function errorFields(err: unknown): unknown {
  const fields = pino.stdSerializers.err(err as Error) as unknown;
  // an ApplicationFailure's own `type` (e.g. InvalidInput) would be hidden by the class name in `type`
  const failureType = (err as { type?: unknown } | null)?.type;
  if (fields !== err && typeof failureType === 'string') Object.assign(fields as object, { failureType });
  return fields;
}
const serializers = { err: errorFields, error: errorFields };

/**
 * JSON logs on stderr (or `destination`); human-readable when stderr is a terminal (or
 * WRAPPED_ETL_LOG_PRETTY=1), coloured as wantsColor says (NO_COLOR, FORCE_COLOR).
 * Level from LOG_LEVEL (default info).
 */
export function createLogger(destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = { level: logLevelFromEnv() ?? 'info', base: { service: 'wrapped-etl' }, serializers };
  if (destination) return pino(options, destination);
  const pretty = process.env.WRAPPED_ETL_LOG_PRETTY ? process.env.WRAPPED_ETL_LOG_PRETTY === '1' : process.stderr.isTTY === true;
  if (pretty) {
    const prettyStream = require('pino-pretty')({
      destination: 2,
      colorize: wantsColor(process.stderr),
      ignore: 'pid,hostname,service',
      translateTime: 'SYS:HH:MM:ss',
      singleLine: true,
    });
    return pino(options, prettyStream);
  }
  return pino(options, pino.destination(2));
}

export const logger = createLogger();
