#!/usr/bin/env bash
# The official Node LTS binary that the images run, for running the tests under it on a machine
# whose own Node is older. The version is read from the Dockerfile's NODE_IMAGE (one source);
# the binary is the npm package node-linux-<arch>, which ships Node's official release build.
#
#   bash scripts/node-lts.sh install   # fetch it (once) into .stack/node-lts/<version>
#   bash scripts/node-lts.sh bin       # print its bin folder (for PATH)
#   bash scripts/node-lts.sh version   # print the pinned version
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

version=$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9.]*\)-.*$/\1/p' Dockerfile)
if [[ -z "$version" ]]; then
  echo "error: no ARG NODE_IMAGE=node:<version>-... line in Dockerfile" >&2
  exit 1
fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "error: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
home="${STACK_DIR:-.stack}/node-lts/$version"

case "${1:-}" in
  version) echo "$version" ;;
  bin) echo "$(cd "$home" && pwd)/bin" ;;
  install)
    if [[ -x "$home/bin/node" ]] && [[ "$("$home/bin/node" --version)" == "v$version" ]]; then
      echo "node $version already at $home"
      exit 0
    fi
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    echo "fetching node-linux-$arch@$version from the npm registry"
    tarball=$(npm pack --silent --pack-destination "$tmp" "node-linux-$arch@$version")
    mkdir -p "$home"
    tar -xzf "$tmp/$tarball" -C "$home" --strip-components=1
    "$home/bin/node" --version
    ;;
  *) sed -n '2,9p' "$0"; exit 2 ;;
esac
