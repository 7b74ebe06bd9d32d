#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (Node 20.19+, npm, Java 17, Maven and Python 3 preinstalled)
# to run the demo without Docker and the whole test suite. `.ci/run` calls it; so can you.
# Idempotent: what is already there is kept.
#
#   bash scripts/setup.sh [--empty-npm-cache]
#
# It installs:
#   1. system packages (apt): ClickHouse (the local stack's), Chromium (the browser test), jq, and
#      Debian's Docker engine with debootstrap and iptables (`npm run test:compose` starts an
#      engine of its own and builds stand-ins for the registry images);
#   2. the npm packages, exactly as package-lock.json lists them (`npm ci`; --empty-npm-cache
#      installs through a new, empty cache, as a machine that never saw the project would);
#   3. the docker compose plugin (built from its Go module; validates compose.yaml);
#   4. the local stack's artifacts: Kafka and Flink from Maven Central and PyPI (`npm run stack:fetch`);
#   5. the official Node LTS binary the images run (.stack/node-lts), so CI can run the unit tests
#      under it too; the version is the one the Dockerfile's NODE_IMAGE pins.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

empty_npm_cache=false
for arg in "$@"; do
  case "$arg" in
    --empty-npm-cache) empty_npm_cache=true ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "error: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

step() { printf '\n--> setup: %s\n' "$1"; }
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "error: $1 is not installed. $2" >&2
    exit 1
  fi
}

step "prerequisites"
need node "Install Node.js 20.19 or later (https://nodejs.org or the NodeSource apt repository)."
need npm "Install npm (it comes with Node.js)."
need java "Install Java 17: apt-get install -y openjdk-17-jdk-headless"
need mvn "Install Maven: apt-get install -y maven"
need python3 "Install Python 3: apt-get install -y python3 python3-pip"
need apt-get "This script installs ClickHouse, Chromium and Docker with apt-get (Debian 12)."
# package.json's engines range, checked here so an old Node fails with a message, not a stack trace.
node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19) || (major === 21) || (major === 22 && minor < 12)) {
    console.error(`error: Node ${process.versions.node} is too old: this project needs ^20.19.0 || >=22.12.0`);
    process.exit(1);
  }'
printf 'node %s, npm %s\n' "$(node --version)" "$(npm --version)"

step "system packages (apt)"
packages=(clickhouse-server clickhouse-client chromium jq docker.io debootstrap iptables)
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then sudo="sudo"; fi
  # Keep the packages' init scripts from starting a system ClickHouse on 8123/9000 or a system
  # Docker engine: the local stack runs its own server (scripts/stack/components/clickhouse.ts)
  # and `npm run test:compose` its own engine (scripts/compose-e2e/engine.sh).
  policy_added=false
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    policy_added=true
  fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [[ "$policy_added" == true ]]; then $sudo rm -f /usr/sbin/policy-rc.d; fi
else
  echo "already installed: ${packages[*]}"
fi

step "npm packages (npm ci, from package-lock.json)"
# No fallback: the lock lists every platform's packages, so npm ci either installs exactly what
# it lists or fails. `npm ls` then proves nothing is missing (npm has exited 0 with packages
# missing after "Exit handler never called!").
npm_cache_args=()
if [[ "$empty_npm_cache" == true ]]; then
  npm_cache_dir=$(mktemp -d)
  trap 'rm -rf "$npm_cache_dir"' EXIT
  npm_cache_args=(--cache "$npm_cache_dir")
  echo "using a new, empty npm cache: $npm_cache_dir"
fi
npm ci --no-audit --no-fund "${npm_cache_args[@]}"
npm ls --all >/dev/null

step "docker compose plugin (validates compose.yaml)"
bash scripts/install-compose-plugin.sh

step "local stack artifacts (Maven Central, PyPI)"
npm run -s stack:fetch

step "the images' Node LTS binary (for the unit tests under it)"
bash scripts/node-lts.sh install

printf '\nsetup done.\n'
