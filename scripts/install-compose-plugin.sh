#!/usr/bin/env bash
# Installs the Docker Compose v2 CLI plugin (`docker compose`) when it is missing.
# No GitHub release download is reachable on the CI machines, so the plugin is
# built from its Go module (fetched through the Go module proxy) at a pinned
# version. The result is cached: ~/.docker/cli-plugins/docker-compose, and the
# build is skipped when a plugin of the pinned version is already there.
# Usage: scripts/install-compose-plugin.sh   (needs `go` >= 1.24 on PATH or /usr/local/go/bin)
set -euo pipefail

COMPOSE_VERSION="${COMPOSE_VERSION:-v2.40.3}"
PLUGIN_DIR="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
PLUGIN="$PLUGIN_DIR/docker-compose"

if [ -x "$PLUGIN" ] && "$PLUGIN" version --short 2>/dev/null | grep -qx "${COMPOSE_VERSION#v}"; then
  echo "docker compose ${COMPOSE_VERSION} already installed at $PLUGIN"
  exit 0
fi

GO="$(command -v go || true)"
if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; fi
if [ -z "$GO" ]; then
  echo "error: Go is needed to build docker compose ${COMPOSE_VERSION} (no prebuilt download is reachable)." >&2
  echo "       install Go (https://go.dev/dl) or Debian's golang-go >= 1.24, then re-run $0" >&2
  exit 1
fi

echo "building docker compose ${COMPOSE_VERSION} from the Go module proxy (takes a few minutes once; cached after)"
# `go install` refuses modules whose go.mod has replace directives, so build inside a copy of the module.
SRC_DIR="$("$GO" mod download -json "github.com/docker/compose/v2@${COMPOSE_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ -z "$SRC_DIR" ] || [ ! -d "$SRC_DIR" ]; then
  echo "error: could not download github.com/docker/compose/v2@${COMPOSE_VERSION} from $("$GO" env GOPROXY)" >&2
  exit 1
fi
WORK="$(mktemp -d)"
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
cp -R "$SRC_DIR/." "$WORK/"
chmod -R u+w "$WORK"
mkdir -p "$PLUGIN_DIR"
(
  cd "$WORK"
  CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$GO" build -trimpath \
    -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=${COMPOSE_VERSION}" \
    -o "$PLUGIN.tmp" ./cmd
)
mv "$PLUGIN.tmp" "$PLUGIN"
echo "installed: $("$PLUGIN" version)"
