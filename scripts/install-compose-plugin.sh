#!/usr/bin/env bash
# Installs the Docker Compose v2 CLI plugin (`docker compose`) when it is missing.
# No GitHub release download is reachable on the CI machines, so the plugin is
# built from its Go module (fetched through the Go module proxy) at a pinned
# version. The result is cached: ~/.docker/cli-plugins/docker-compose, and the
# build is skipped when a plugin of the pinned version is already there.
# Usage: scripts/install-compose-plugin.sh   (uses Go >= 1.24 from PATH, else fetches the Go
# toolchain module from the Go proxy; needs curl and python3 for that)
set -euo pipefail

COMPOSE_VERSION="${COMPOSE_VERSION:-v2.40.3}"
PLUGIN_DIR="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
PLUGIN="$PLUGIN_DIR/docker-compose"

if [ -x "$PLUGIN" ] && "$PLUGIN" version --short 2>/dev/null | grep -qx "${COMPOSE_VERSION#v}"; then
  echo "docker compose ${COMPOSE_VERSION} already installed at $PLUGIN"
  exit 0
fi

GO_TOOLCHAIN_VERSION="go1.24.13"   # compose v2.40.3 needs Go >= 1.24.9
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/ticker-compose-build"

# A Go new enough to build compose: the one on PATH (or /usr/local/go) if >= 1.24,
# else the official toolchain module fetched from the Go module proxy (cached).
go_ok() { "$1" env GOVERSION 2>/dev/null | grep -Eq '^go1\.(2[4-9]|[3-9][0-9])'; }
GO="$(command -v go || true)"
if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; fi
if [ -z "$GO" ] || ! go_ok "$GO"; then
  case "$(uname -m)" in
    x86_64) GOARCH_NAME=amd64 ;;
    aarch64 | arm64) GOARCH_NAME=arm64 ;;
    *) echo "error: no Go >= 1.24 and no toolchain download for $(uname -m); install Go >= 1.24" >&2; exit 1 ;;
  esac
  TOOLCHAIN="v0.0.1-${GO_TOOLCHAIN_VERSION}.linux-${GOARCH_NAME}"
  GO="$CACHE_DIR/golang.org/toolchain@${TOOLCHAIN}/bin/go"
  if [ ! -x "$GO" ]; then
    echo "fetching the Go toolchain ${TOOLCHAIN} from ${GOPROXY_URL:-https://proxy.golang.org}"
    mkdir -p "$CACHE_DIR"
    curl -fsSL -o "$CACHE_DIR/toolchain.zip" \
      "${GOPROXY_URL:-https://proxy.golang.org}/golang.org/toolchain/@v/${TOOLCHAIN}.zip"
    python3 -m zipfile -e "$CACHE_DIR/toolchain.zip" "$CACHE_DIR"
    rm -f "$CACHE_DIR/toolchain.zip"
    chmod +x "$GO" "$(dirname "$GO")"/../pkg/tool/*/* 2>/dev/null || true
  fi
  export GOROOT="$(dirname "$(dirname "$GO")")"
fi
export GOTOOLCHAIN=local

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
