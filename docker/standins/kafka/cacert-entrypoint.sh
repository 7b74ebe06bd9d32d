#!/usr/bin/env bash
# Entry point of the kafka stand-in. The official image inherits Temurin's /__cacert_entrypoint.sh,
# which adds the system's CA certificates to Java's trust store when USE_SYSTEM_CA_CERTS is set
# (https://github.com/adoptium/containers/blob/main/docker_templates/entrypoint.sh). Debian's JDK
# reads the system trust store already, so this one only runs the command.
set -e
exec "$@"
