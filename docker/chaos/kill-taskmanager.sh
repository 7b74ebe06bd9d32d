#!/bin/sh
# Chaos helper of the compose demo (profile `chaos`): every INTERVAL seconds it kills one
# TaskManager container of this compose project with SIGKILL, waits DOWNTIME seconds and
# starts it again. Flink restarts the job from its last checkpoint; the idempotent sinks
# keep every count exact. Usage: kill-taskmanager.sh [interval_s=90] [downtime_s=15]
set -eu
INTERVAL="${1:-90}"
DOWNTIME="${2:-15}"
# Our own container's compose labels tell us the project to act on (never touch other projects).
PROJECT="$(docker inspect --format '{{ index .Config.Labels "com.docker.compose.project" }}' "$(hostname)")"
echo "chaos: project ${PROJECT}: killing a TaskManager every ${INTERVAL}s, each down for ${DOWNTIME}s"
while true; do
  sleep "$INTERVAL"  # the chaos period itself, not a readiness wait
  VICTIM="$(docker ps --quiet \
    --filter "label=com.docker.compose.project=${PROJECT}" \
    --filter "label=com.docker.compose.service=taskmanager" | shuf -n 1)"
  if [ -z "$VICTIM" ]; then
    echo "chaos: no running TaskManager found"
    continue
  fi
  NAME="$(docker inspect --format '{{ .Name }}' "$VICTIM")"
  echo "chaos: $(date -u +%H:%M:%S) kill -9 ${NAME}"
  docker kill --signal KILL "$VICTIM" >/dev/null
  sleep "$DOWNTIME"
  echo "chaos: $(date -u +%H:%M:%S) start ${NAME}"
  docker start "$VICTIM" >/dev/null
done
