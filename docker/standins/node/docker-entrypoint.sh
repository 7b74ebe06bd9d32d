#!/bin/sh
# Entry point of the node stand-in, written from the official image's documented behaviour:
# arguments that are not a command (they start with "-", name no executable, or name a script
# file that is not executable) are handed to node.
set -e
if [ "${1#-}" != "$1" ] || ! command -v "$1" >/dev/null 2>&1 || { [ -f "$1" ] && [ ! -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
