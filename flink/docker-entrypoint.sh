#!/usr/bin/env bash
# Entry point of the ticker Flink image. Before handing over to Flink's own entry point it
# publishes the baked-in bridge jar to /opt/bridge-export when that directory is mounted
# (compose mounts a volume there that the deployer reads; the deployer uploads the jar
# over Flink's REST API like any client would).
set -euo pipefail
if [ -d /opt/bridge-export ] && [ -w /opt/bridge-export ]; then
  cp /opt/flink/usrlib/ticker-bridge.jar /opt/bridge-export/ticker-bridge.jar.tmp
  mv /opt/bridge-export/ticker-bridge.jar.tmp /opt/bridge-export/ticker-bridge.jar
fi
exec /docker-entrypoint.sh "$@"
