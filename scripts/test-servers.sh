#!/usr/bin/env bash
# start|stop a throwaway PostgreSQL cluster and Redis server on loopback for the test suite.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
# Prints the environment to export (DATABASE_URL, REDIS_URL) on start.
set -euo pipefail

action=${1:?usage: test-servers.sh start|stop}
state=${TEST_SERVERS_DIR:-/tmp/alliance-test-servers}
pg_port=${TEST_PG_PORT:-54329}
redis_port=${TEST_REDIS_PORT:-63799}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pg_data="$state/pgdata"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
start)
  "$0" stop >/dev/null 2>&1 || true
  rm -rf "$state"
  mkdir -p "$state"
  chmod 755 "$state"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$state"
  as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$state/initdb.log" 2>&1 \
    || { cat "$state/initdb.log" >&2; exit 1; }
  # No autovacuum: tests roll their rows back, so an automatic ANALYZE mid-run records
  # tables as empty, and a later test that fills one in its transaction (a thousand
  # workshops) then met nested-loop plans that ran for minutes.
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$state/postgres.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $pg_port -k $state -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c autovacuum=off" \
    start >/dev/null || { cat "$state/postgres.log" >&2; exit 1; }
  "$pg_bin/pg_isready" -h 127.0.0.1 -p "$pg_port" -t 30 >/dev/null
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$state/redis.pid" --logfile "$state/redis.log" --dir "$state"
  for _ in $(seq 1 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$redis_port" ping >/dev/null || { echo "redis-server did not start" >&2; cat "$state/redis.log" >&2; exit 1; }
  echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/alliance"
  echo "export REDIS_URL=redis://127.0.0.1:$redis_port/0"
  echo "export PG_BIN=$pg_bin"
  ;;
stop)
  if [ -f "$pg_data/postmaster.pid" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -f "$state/redis.pid" ]; then
    kill "$(cat "$state/redis.pid")" 2>/dev/null || true
  fi
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
