#!/usr/bin/env bash
# Entry point of the maven stand-in, written from the official image's documentation
# (https://hub.docker.com/_/maven, "Reusing the Maven local repository"): files placed in
# /usr/share/maven/ref are copied into MAVEN_CONFIG (default /root/.m2) when not already there,
# then the command runs.
set -euo pipefail
ref=/usr/share/maven/ref
target="${MAVEN_CONFIG:-/root/.m2}"
if [[ -d "$ref" ]]; then
  (cd "$ref" && find . -type f) | while read -r f; do
    if [[ ! -e "$target/$f" ]]; then
      mkdir -p "$target/$(dirname "$f")"
      cp "$ref/$f" "$target/$f"
    fi
  done
fi
exec "$@"
