#!/bin/sh
# One-shot job of docker-compose.yml (image temporalio/admin-tools): registers the namespace
# the workers use, once the server answers its health check. Does nothing if it exists.
set -eu
NAMESPACE="${NAMESPACE:-default}"
RETENTION="${RETENTION:-7d}"
tries=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "Temporal at $TEMPORAL_ADDRESS is not healthy after 60 tries" >&2; exit 1; }
  sleep 2
done
if temporal operator namespace describe --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" --address "$TEMPORAL_ADDRESS"
  echo "namespace $NAMESPACE created (retention $RETENTION)"
fi
