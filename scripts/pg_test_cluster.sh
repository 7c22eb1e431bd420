#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, on 127.0.0.1 and a free port.
#
#   scripts/pg_test_cluster.sh start DIR   initdb + start in DIR (made if missing); prints
#                                          the connection URI on stdout
#   scripts/pg_test_cluster.sh stop DIR    stop it (fast shutdown) and remove DIR
#
# Uses the newest /usr/lib/postgresql/*/bin (Debian package `postgresql`). Exits 77 (the
# ctest/automake "skipped" code) when PostgreSQL is not installed. initdb refuses to run as
# root, so as root every PostgreSQL command runs as the unprivileged user `nobody`
# (runuser), which then owns DIR; as any other user they run as that user. The cluster
# trusts local connections (no password): loopback only, for tests only.
set -euo pipefail

cmd=${1:-} dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$pg_bin" || ! -x "$pg_bin/initdb" ]]; then
  echo "pg_test_cluster: PostgreSQL is not installed (apt-get install postgresql); skipping" >&2
  exit 77
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u nobody -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
      chown nobody "$dir"
      runuser -u nobody -- test -w "$dir" ||
        { echo "pg_test_cluster: user nobody cannot reach $dir (make its parents world-executable)" >&2; exit 1; }
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_owner "$pg_bin/initdb" -D "$dir/data" -U kolibri --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # No fsync: the data is thrown away; speed matters more than durability here.
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U kolibri kolibri
    echo "$port" >"$dir/port"
    echo "postgresql://kolibri@127.0.0.1:$port/kolibri"
    ;;
  stop)
    if [[ -d "$dir/data" ]]; then
      as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
