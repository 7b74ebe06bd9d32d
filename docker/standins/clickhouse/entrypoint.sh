#!/usr/bin/env bash
# Entry point of the clickhouse stand-in, written from the official image's documentation
# (https://hub.docker.com/r/clickhouse/clickhouse-server, "How to extend this image"):
#   - CLICKHOUSE_USER / CLICKHOUSE_PASSWORD / CLICKHOUSE_DB: create that user and database;
#     with none of them and CLICKHOUSE_SKIP_USER_SETUP unset, the default user may only
#     connect from inside the container; CLICKHOUSE_SKIP_USER_SETUP=1 leaves users.d alone.
#   - /docker-entrypoint-initdb.d: *.sh run, *.sql and *.sql.gz piped to clickhouse-client,
#     once, against a server started only for them, when the data folder is empty.
#   - runs the server as user clickhouse; arguments starting with "--" go to the server,
#     any other command runs as given.
set -euo pipefail
CONFIG="${CLICKHOUSE_CONFIG:-/etc/clickhouse-server/config.xml}"
DATA=/var/lib/clickhouse
USERS_D=/etc/clickhouse-server/users.d
CONFIG_D=/etc/clickhouse-server/config.d

if [[ $# -gt 0 && "${1#--}" == "$1" ]]; then
  exec "$@"
fi

if [[ "$(id -u)" == 0 ]]; then
  mkdir -p "$DATA" /var/log/clickhouse-server
  chown clickhouse:clickhouse "$DATA" /var/log/clickhouse-server
fi

first_start=false
if [[ -z "$(ls -A "$DATA" 2>/dev/null)" ]]; then first_start=true; fi

CLICKHOUSE_USER="${CLICKHOUSE_USER:-default}"
CLICKHOUSE_PASSWORD="${CLICKHOUSE_PASSWORD:-}"
if [[ "${CLICKHOUSE_SKIP_USER_SETUP:-0}" != 1 && -w "$USERS_D" ]]; then
  if [[ "$CLICKHOUSE_USER" == default && -z "$CLICKHOUSE_PASSWORD" ]]; then
    # No credentials given: the default user keeps its empty password, reachable locally only.
    cat >"$USERS_D/default-user.xml" <<XML
<yandex><users><default><networks replace="replace"><ip>::1</ip><ip>127.0.0.1</ip></networks></default></users></yandex>
XML
  else
    cat >"$USERS_D/default-user.xml" <<XML
<yandex><users><${CLICKHOUSE_USER}><profile>default</profile><quota>default</quota>
<networks><ip>::/0</ip><ip>0.0.0.0/0</ip></networks><password>${CLICKHOUSE_PASSWORD}</password>
</${CLICKHOUSE_USER}></users></yandex>
XML
  fi
fi

shopt -s nullglob
initdb=(/docker-entrypoint-initdb.d/*)
if [[ "$first_start" == true && (${#initdb[@]} -gt 0 || -n "${CLICKHOUSE_DB:-}") ]]; then
  # Started directly (not through a function, which would fork a subshell) so $! is the server.
  if [[ "$(id -u)" == 0 ]]; then
    setpriv --reuid=clickhouse --regid=clickhouse --init-groups clickhouse-server --config-file="$CONFIG" &
  else
    clickhouse-server --config-file="$CONFIG" &
  fi
  pid=$!
  deadline=$((SECONDS + ${CLICKHOUSE_INIT_TIMEOUT:-60}))
  until clickhouse-client --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" --query 'SELECT 1' >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then echo "clickhouse did not start for the init scripts" >&2; exit 1; fi
    sleep 1 # poll interval
  done
  client=(clickhouse-client --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" --multiquery)
  if [[ -n "${CLICKHOUSE_DB:-}" ]]; then "${client[@]}" --query "CREATE DATABASE IF NOT EXISTS ${CLICKHOUSE_DB}"; fi
  for f in "${initdb[@]}"; do
    case "$f" in
    *.sh) echo "running $f"; . "$f" ;;
    *.sql) echo "running $f"; "${client[@]}" <"$f" ;;
    *.sql.gz) echo "running $f"; gunzip -c "$f" | "${client[@]}" ;;
    *) echo "ignoring $f" ;;
    esac
  done
  kill -TERM "$pid"
  wait "$pid" || true
fi

exec_server() {
  if [[ "$(id -u)" == 0 ]]; then
    exec setpriv --reuid=clickhouse --regid=clickhouse --init-groups clickhouse-server --config-file="$CONFIG" "$@"
  fi
  exec clickhouse-server --config-file="$CONFIG" "$@"
}
exec_server "$@"
