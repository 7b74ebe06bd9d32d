#!/usr/bin/env bash
# Entry point of the flink stand-in, written from the official image's documentation
# (https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/deployment/resource-providers/standalone/docker/):
#   jobmanager | taskmanager   run that process in the foreground
#   standalone-job ...         run an application cluster in the foreground
#   help                       print the modes
#   anything else              run it as a command
# Before starting a process it writes jobmanager.rpc.address from JOB_MANAGER_RPC_ADDRESS
# (default: this container's hostname) and appends the YAML of FLINK_PROPERTIES to the config.
set -euo pipefail
CONF="$FLINK_HOME/conf/config.yaml"

# Sets a flat `key: value` in config.yaml: replaces the key's line, or appends one.
set_key() {
  local key="$1" value="$2"
  if grep -q "^${key//./\\.}:" "$CONF"; then
    sed -i "s|^${key//./\\.}:.*|${key}: ${value}|" "$CONF"
  else
    printf '%s: %s\n' "$key" "$value" >>"$CONF"
  fi
}

prepare_config() {
  set_key jobmanager.rpc.address "${JOB_MANAGER_RPC_ADDRESS:-$(hostname -f)}"
  if [[ -n "${FLINK_PROPERTIES:-}" ]]; then
    printf '\n%s\n' "$FLINK_PROPERTIES" >>"$CONF"
  fi
}

case "${1:-help}" in
jobmanager)
  shift
  prepare_config
  exec "$FLINK_HOME/bin/jobmanager.sh" start-foreground "$@"
  ;;
taskmanager)
  shift
  prepare_config
  exec "$FLINK_HOME/bin/taskmanager.sh" start-foreground "$@"
  ;;
standalone-job)
  shift
  prepare_config
  exec "$FLINK_HOME/bin/standalone-job.sh" start-foreground "$@"
  ;;
help)
  echo "usage: (jobmanager|taskmanager|standalone-job [args]|help|<command>)"
  exit 0
  ;;
*)
  exec "$@"
  ;;
esac
