#!/usr/bin/env bash
# A Docker engine of our own for `npm run test:compose`: Debian's dockerd started in the
# background with its own data root, exec root, socket, pidfile and address ranges, so it
# never touches (or is touched by) a system daemon. Installs nothing.
#
#   engine.sh start    start it (no-op when ours already answers); prints DOCKER_HOST
#   engine.sh stop     stop it by pid; remove the bridge interfaces and iptables chains it left
#   engine.sh status   exit 0 when ours answers
#   engine.sh host     print the DOCKER_HOST value
#   engine.sh leftovers  print what a stop should have removed and is still there (exit 1 if any)
#
# Settings (environment):
#   TICKER_E2E_CACHE   cache root; the engine's data root lives here so images survive reruns
#                      (default ~/.cache/ticker-compose-e2e)
#   TICKER_E2E_RUN     runtime folder: socket, pidfile, exec root (default /run/ticker-compose-e2e)
#   TICKER_E2E_BIP     docker0's address (default 10.213.0.1/24)
#   TICKER_E2E_POOL    compose networks' pool (default 10.214.0.0/16, /24 each)
#   TICKER_E2E_BRIDGE  bridge interface name for the default network (default tkr-e2e0)
set -euo pipefail

CACHE="${TICKER_E2E_CACHE:-$HOME/.cache/ticker-compose-e2e}"
RUN_DIR="${TICKER_E2E_RUN:-/run/ticker-compose-e2e}"
BIP="${TICKER_E2E_BIP:-10.213.0.1/24}"
POOL="${TICKER_E2E_POOL:-10.214.0.0/16}"
BRIDGE="${TICKER_E2E_BRIDGE:-tkr-e2e0}"
DATA_ROOT="$CACHE/engine-data"
EXEC_ROOT="$RUN_DIR/exec"
SOCKET="$RUN_DIR/docker.sock"
PIDFILE="$RUN_DIR/dockerd.pid"
LOG="$RUN_DIR/dockerd.log"
HOST_STATE="$RUN_DIR/host-state"
HOST="unix://$SOCKET"
# The 10.214.x.y prefix of the pool, to recognise the compose networks' bridges we created.
POOL_PREFIX="$(echo "$POOL" | cut -d. -f1-2)."

log() { printf '[engine] %s\n' "$*" >&2; }

answers() { docker -H "$HOST" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

our_pid() {
  [[ -s "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [[ -d "/proc/$pid" ]] && grep -q dockerd "/proc/$pid/comm" 2>/dev/null && echo "$pid"
}

# Another dockerd on this machine (a system one) shares the DOCKER* iptables chains: then we
# must not remove them on stop.
other_dockerd() {
  local mine="${1:-}" p
  for p in $(pgrep -x dockerd || true); do
    [[ "$p" == "$mine" ]] || return 0
  done
  return 1
}

start() {
  if [[ "$(id -u)" -ne 0 ]]; then
    log "error: starting dockerd needs root (run as root, or point DOCKER_HOST at your own engine)"
    exit 2
  fi
  command -v dockerd >/dev/null || { log "error: dockerd not found: apt-get install -y --no-install-recommends docker.io iptables"; exit 2; }
  command -v iptables >/dev/null || { log "error: iptables not found: apt-get install -y iptables"; exit 2; }
  if our_pid >/dev/null && answers; then
    log "already running (pid $(our_pid)) on $HOST"
    echo "$HOST"
    return 0
  fi
  mkdir -p "$DATA_ROOT" "$EXEC_ROOT"
  # dockerd turns on IP forwarding and sets the FORWARD policy to DROP: remember both to restore.
  if [[ ! -s "$HOST_STATE" ]]; then
    printf '%s %s\n' "$(sysctl -n net.ipv4.ip_forward)" \
      "$(iptables -S FORWARD | awk '$1 == "-P" {print $3}')" >"$HOST_STATE"
  fi
  # Our own bridge for the default network, so we never reuse (or delete) a system docker0.
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add name "$BRIDGE" type bridge
    ip addr add "$BIP" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
  log "starting dockerd: data root $DATA_ROOT, socket $SOCKET, bridge $BRIDGE ($BIP), pool $POOL"
  # setsid: the engine outlives this script (and its process group) until `stop`.
  setsid dockerd \
    --data-root "$DATA_ROOT" \
    --exec-root "$EXEC_ROOT" \
    --pidfile "$PIDFILE" \
    -H "$HOST" \
    --bridge "$BRIDGE" \
    --default-address-pool "base=$POOL,size=24" \
    --storage-driver overlay2 \
    --exec-opt native.cgroupdriver=cgroupfs \
    --containerd-namespace ticker-e2e \
    --containerd-plugins-namespace ticker-e2e-plugins \
    --log-level warn \
    >"$LOG" 2>&1 </dev/null &
  local launched=$! deadline=$((SECONDS + ${TICKER_E2E_ENGINE_TIMEOUT:-90}))
  until answers; do
    if ! kill -0 "$launched" 2>/dev/null; then
      log "error: dockerd exited; last lines of $LOG:"
      tail -20 "$LOG" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      log "error: dockerd did not answer on $HOST within ${TICKER_E2E_ENGINE_TIMEOUT:-90}s; see $LOG"
      exit 1
    fi
    sleep 0.5 # poll interval
  done
  log "up (pid $(our_pid)) after ${SECONDS}s: $(docker -H "$HOST" version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}')"
  echo "$HOST"
}

# Bridges we (or our engine's networks) created: ours by name, compose's br-* by our pool.
our_bridges() {
  ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | while read -r dev; do
    if [[ "$dev" == "$BRIDGE" ]]; then
      echo "$dev"
    elif [[ "$dev" == br-* ]] && ip -4 -o addr show dev "$dev" | grep -q " ${POOL_PREFIX//./\\.}"; then
      echo "$dev"
    fi
  done
}

# iptables rules that mention our bridges or address ranges, and DOCKER* chains.
our_rules() {
  local table
  for table in filter nat; do
    iptables -t "$table" -S 2>/dev/null | grep -E -- "-[io] (${BRIDGE}|br-)|${POOL_PREFIX//./\\.}|${BIP%.*}\.|DOCKER" |
      sed "s/^/$table /" || true
  done
}

stop() {
  local pid
  if pid="$(our_pid)"; then
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid"
    local deadline=$((SECONDS + 60))
    while [[ -d "/proc/$pid" ]]; do
      if ((SECONDS > deadline)); then
        log "dockerd did not exit in 60s; SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        deadline=$((SECONDS + 10))
      fi
      sleep 0.2 # poll interval
    done
  else
    log "not running"
  fi
  # The containerd it started (its child) goes with it; wait for any shim of ours to exit.
  local shim deadline=$((SECONDS + 20))
  while shim="$(pgrep -f "containerd-shim.*${EXEC_ROOT}" || true)" && [[ -n "$shim" ]] && ((SECONDS < deadline)); do
    sleep 0.2 # poll interval
  done
  # Mounts under our exec root (netns files) would keep the folder busy.
  { grep -o " ${EXEC_ROOT}[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  local dev
  for dev in $(our_bridges); do
    if ip link delete "$dev" 2>/dev/null; then log "removed bridge $dev"; fi
  done
  cleanup_iptables
  if [[ -s "$HOST_STATE" ]] && ! other_dockerd; then
    local forward policy
    read -r forward policy <"$HOST_STATE"
    sysctl -q -w "net.ipv4.ip_forward=$forward"
    iptables -P FORWARD "$policy"
    rm -f "$HOST_STATE"
  fi
  rm -f "$PIDFILE" "$SOCKET"
}

cleanup_iptables() {
  local table rule chain
  for table in filter nat; do
    # Rules in the built-in chains that mention our bridges, ranges or jump to DOCKER* chains.
    iptables -t "$table" -S 2>/dev/null | grep -E '^-A (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) ' |
      grep -E -- "-[io] (${BRIDGE}|br-)|${POOL_PREFIX//./\\.}|${BIP%.*}\.|-j DOCKER" | while read -r rule; do
      # shellcheck disable=SC2086 # the rule is a list of iptables words
      iptables -t "$table" ${rule/-A/-D} 2>/dev/null || true
    done
    if other_dockerd; then
      log "another dockerd runs here: leaving the shared DOCKER* chains in table $table"
      continue
    fi
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}'); do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

leftovers() {
  local found=0 pid
  if pid="$(our_pid)"; then echo "engine process $pid"; found=1; fi
  if pgrep -f "containerd.*${EXEC_ROOT}" >/dev/null; then echo "containerd of ours: $(pgrep -f "containerd.*${EXEC_ROOT}" | tr '\n' ' ')"; found=1; fi
  local dev
  for dev in $(our_bridges); do echo "bridge $dev"; found=1; done
  local rules
  rules="$(our_rules)"
  if [[ -n "$rules" ]] && ! other_dockerd; then
    echo "$rules" | sed 's/^/iptables /'
    found=1
  fi
  if [[ -s "$HOST_STATE" ]]; then
    echo "host settings not restored yet: $(cat "$HOST_STATE") (ip_forward, FORWARD policy before the start)"
    found=1
  fi
  return "$found"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) answers ;;
host) echo "$HOST" ;;
leftovers) leftovers ;;
*)
  echo "usage: $0 start|stop|status|host|leftovers" >&2
  exit 64
  ;;
esac
