#!/bin/sh
# Entry point of the docker-cli stand-in, written from the official image's documentation
# (https://hub.docker.com/_/docker): arguments that start with "-" or name a docker
# subcommand rather than an executable are handed to `docker`.
set -e
if [ "${1#-}" != "$1" ] || { [ -n "$1" ] && ! command -v "$1" >/dev/null 2>&1 && docker help "$1" >/dev/null 2>&1; }; then
  set -- docker "$@"
fi
exec "$@"
