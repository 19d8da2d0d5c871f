#!/usr/bin/env bash
# Finds (or starts privately) the PostgreSQL, Redis and Chromium the tests use, then runs vitest; `make test` and `.ci/run` both call it.
#
#   scripts/test-services.sh [VITEST_ARGS…]   find or start the services, run vitest (JSON report in test-results/vitest.json)
#   scripts/test-services.sh --exec CMD…      the same, but run CMD instead of vitest
#   scripts/test-services.sh --check          only say what would be used (never starts or installs); exit 1 when something is missing
#   scripts/test-services.sh --install        apt-get install what is missing (`make test-deps`)
#
# Each service, in order: the variable when set (TEST_DATABASE_URL, TEST_REDIS_URL, CHROMIUM_PATH; used as is, and
# it must answer); else the default (postgres://postgres@127.0.0.1:5432/test, redis://127.0.0.1:6379, /usr/bin/chromium
# or chromium / chromium-browser on PATH) when it answers; else, when the binaries are here, a private instance in a
# temporary folder on a free port, stopped and removed when the run ends. Debian packages are installed only with
# CI=true or --install. No system file or system service is touched. REDIS_SERVER_PATH names the redis-server binary
# the tests start on their own (default: redis-server on PATH).
#
# For the script's own test (test/scripts/test-services.test.ts) the defaults can be moved:
# TEST_SERVICES_DEFAULT_DATABASE_URL, TEST_SERVICES_DEFAULT_REDIS_URL, TEST_SERVICES_CHROMIUM_CANDIDATES (space-separated)
# and TEST_SERVICES_PG_BINDIRS (colon-separated folders searched for initdb, instead of /usr/lib/postgresql/*/bin and PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

default_db_url=${TEST_SERVICES_DEFAULT_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
default_redis_url=${TEST_SERVICES_DEFAULT_REDIS_URL:-redis://127.0.0.1:6379}
chromium_candidates=${TEST_SERVICES_CHROMIUM_CANDIDATES:-/usr/bin/chromium chromium chromium-browser}

mode=run
case "${1:-}" in
  --check | --install) mode=${1#--}; shift ;;
  --exec) mode=exec; shift; [ "$#" -gt 0 ] || { echo "test-services: --exec needs a command" >&2; exit 2; } ;;
esac

log() { echo "[test-services] $*" >&2; }
# user:password@ → user:***@, so a URL can be printed.
redact() { sed -E 's#//([^:/@]*):[^@]*@#//\1:***@#' <<<"$1"; }
# host:port of a URL, for messages.
host_port() { sed -E 's#^[a-z]+://([^@/]*@)?([^/?]*).*#\2#' <<<"$1"; }

# Probes with the project's own drivers (pg, ioredis), so any URL form the tests accept is checked the same way.
# Prints nothing and succeeds when it answers; prints the error, on one line, on failure.
# (A refused "localhost" is an AggregateError with an empty message: its first error says why.)
why_js='const why = (e) => (e.errors && e.errors[0] ? e.errors[0].message : e.message) || e.code || String(e);'
probe_postgres() {
  node -e "$why_js"'
    const pg = require("pg");
    const c = new pg.Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
    c.connect().then(() => c.query("select 1")).then(() => c.end(), (e) => { console.log(why(e)); process.exit(1); });
  ' "$1" 2>&1 | tr '\n' ' ' | sed 's/ *$//'
  return "${PIPESTATUS[0]}"
}
probe_redis() {
  node -e "$why_js"'
    const { Redis } = require("ioredis");
    const r = new Redis(process.argv[1], { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    let seen; // the socket error ("connect ECONNREFUSED …"); connect() only says "Connection is closed."
    r.on("error", (e) => { seen = e; });
    r.connect().then(() => r.ping()).then(() => { r.disconnect(); }, (e) => { console.log(why(seen || e)); r.disconnect(); process.exit(1); });
  ' "$1" 2>&1 | tr '\n' ' ' | sed 's/ *$//'
  return "${PIPESTATUS[0]}"
}
free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Folder holding initdb, pg_ctl and createdb: the newest /usr/lib/postgresql/*/bin, else PATH's initdb's folder.
find_pg_bindir() {
  local dirs=()
  if [ -n "${TEST_SERVICES_PG_BINDIRS+x}" ]; then
    IFS=: read -r -a dirs <<<"$TEST_SERVICES_PG_BINDIRS"
  else
    mapfile -t dirs < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r)
    local on_path; on_path=$(command -v initdb 2>/dev/null || true)
    [ -z "$on_path" ] || dirs+=("$(dirname "$(readlink -f "$on_path")")")
  fi
  local d
  for d in "${dirs[@]}"; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}
find_redis_server() {
  if [ -n "${REDIS_SERVER_PATH:-}" ]; then [ -x "$REDIS_SERVER_PATH" ] && echo "$REDIS_SERVER_PATH"; return; fi
  command -v redis-server 2>/dev/null
}
find_chromium() {
  local c
  for c in $chromium_candidates; do
    if [[ $c == */* ]]; then [ -x "$c" ] && { echo "$c"; return 0; }
    else command -v "$c" 2>/dev/null && return 0; fi
  done
  return 1
}

# What each service resolves to: "use" (a URL or path that answers), "private" (start one), or "missing" (+ why).
# Sets pg_plan / pg_url / pg_bindir, redis_plan / redis_url, chromium_path, redis_bin, and appends to `missing`.
missing=()
resolve() {
  missing=()
  local err
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    if err=$(probe_postgres "$TEST_DATABASE_URL"); then pg_plan=use; pg_url=$TEST_DATABASE_URL
    else pg_plan=missing; missing+=("PostgreSQL (TEST_DATABASE_URL=$(redact "$TEST_DATABASE_URL") does not answer: $err) — start it or fix TEST_DATABASE_URL"); fi
  elif probe_postgres "$default_db_url" >/dev/null; then pg_plan=use; pg_url=$default_db_url
  elif pg_bindir=$(find_pg_bindir); then pg_plan=private
  else pg_plan=missing; missing+=("PostgreSQL (no server at $(host_port "$default_db_url") and no initdb found) — install it (make test-deps) or set TEST_DATABASE_URL"); fi

  redis_bin=$(find_redis_server || true)
  if [ -n "${TEST_REDIS_URL:-}" ]; then
    if err=$(probe_redis "$TEST_REDIS_URL"); then redis_plan=use; redis_url=$TEST_REDIS_URL
    else redis_plan=missing; missing+=("Redis (TEST_REDIS_URL=$(redact "$TEST_REDIS_URL") does not answer: $err) — start it or fix TEST_REDIS_URL"); fi
  elif probe_redis "$default_redis_url" >/dev/null; then redis_plan=use; redis_url=$default_redis_url
  elif [ -n "$redis_bin" ]; then redis_plan=private
  else redis_plan=missing; missing+=("Redis (no server at $(host_port "$default_redis_url") and no redis-server found) — install it (make test-deps) or set TEST_REDIS_URL"); fi
  # The Redis tests also start a redis-server of their own (to stop it mid-way), wherever TEST_REDIS_URL points.
  if [ -z "$redis_bin" ] && [ "$redis_plan" != missing ]; then
    if [ -n "${REDIS_SERVER_PATH:-}" ]; then missing+=("redis-server (REDIS_SERVER_PATH=$REDIS_SERVER_PATH is not executable) — fix REDIS_SERVER_PATH")
    else missing+=("redis-server (not on PATH; the Redis tests start one of their own) — install it (make test-deps) or set REDIS_SERVER_PATH"); fi
  fi

  if [ -n "${CHROMIUM_PATH:-}" ]; then
    if [ -x "$CHROMIUM_PATH" ] && [ -f "$CHROMIUM_PATH" ]; then chromium_path=$CHROMIUM_PATH
    else chromium_path=; missing+=("Chromium (CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file) — fix CHROMIUM_PATH"); fi
  elif chromium_path=$(find_chromium); then :
  else chromium_path=; missing+=("Chromium (none of: $chromium_candidates) — install it (make test-deps) or set CHROMIUM_PATH"); fi
}

# Debian packages. In CI: for what has neither a usable service nor the binaries to start one (never for a variable
# that was set: that is the user's own choice, fixed by them). With --install: for every binary not here (no
# probing, so it works before npm ci).
packages_needed() {
  local p=()
  if [ "$mode" = install ]; then
    find_pg_bindir >/dev/null || p+=(postgresql)
    find_redis_server >/dev/null || p+=(redis-server)
    find_chromium >/dev/null || p+=(chromium)
  else
    [ "$pg_plan" != missing ] || [ -n "${TEST_DATABASE_URL:-}" ] || p+=(postgresql)
    [ -n "$redis_bin" ] || [ -n "${REDIS_SERVER_PATH:-}" ] || p+=(redis-server)
    [ -n "$chromium_path" ] || [ -n "${CHROMIUM_PATH:-}" ] || p+=(chromium)
  fi
  echo "${p[@]}"
}
apt_install() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "test-services: installing $* needs root (no sudo here)" >&2; return 1; }
    sudo=(sudo)
  fi
  log "installing $* (apt-get)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

fail_missing() {
  local line="" m
  for m in "${missing[@]}"; do line+="${line:+; }$m"; done
  echo "missing: $line" >&2
  exit 1
}

if [ "$mode" = install ]; then
  read -r -a pkgs <<<"$(packages_needed)"
  if [ "${#pkgs[@]}" -eq 0 ]; then log "nothing to install: PostgreSQL, Redis and Chromium are here"; exit 0; fi
  apt_install "${pkgs[@]}"
  read -r -a pkgs <<<"$(packages_needed)"
  [ "${#pkgs[@]}" -eq 0 ] || { echo "test-services: still missing after apt-get install: ${pkgs[*]}" >&2; exit 1; }
  log "installed; make test finds them (or starts private instances from them)"
  exit 0
fi

resolve
if [ "${CI:-}" = true ] && [ "$mode" != check ]; then
  read -r -a pkgs <<<"$(packages_needed)"
  if [ "${#pkgs[@]}" -gt 0 ]; then apt_install "${pkgs[@]}"; resolve; fi
fi
[ "${#missing[@]}" -eq 0 ] || fail_missing

if [ "$mode" = check ]; then
  if [ "$pg_plan" = use ]; then echo "TEST_DATABASE_URL=$(redact "$pg_url")"; else echo "TEST_DATABASE_URL: a private PostgreSQL ($pg_bindir/initdb)"; fi
  if [ "$redis_plan" = use ]; then echo "TEST_REDIS_URL=$(redact "$redis_url")"; else echo "TEST_REDIS_URL: a private Redis ($redis_bin)"; fi
  echo "CHROMIUM_PATH=$chromium_path"
  echo "REDIS_SERVER_PATH=$redis_bin"
  exit 0
fi

# Private instances: everything under one temporary folder, removed (after stopping them) however the run ends.
tmp=
pg_started=
redis_pid=
pg_user=()
cleanup() {
  if [ -n "$pg_started" ]; then
    "${pg_user[@]}" "$pg_bindir/pg_ctl" -D "$tmp/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  [ -z "$tmp" ] || rm -rf "$tmp"
}
# The command runs in the background and is waited for, so a signal to this script alone (a CI timeout) is handled at
# once: passed on to the command, then the private instances are stopped.
child=
on_signal() {
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

if [ "$pg_plan" = private ] || [ "$redis_plan" = private ]; then
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/dpg-test-services.XXXXXX")
  chmod 755 "$tmp" # the postgres user (below) must reach its folder inside
fi

if [ "$pg_plan" = private ]; then
  # initdb refuses to run as root: then the cluster belongs to the postgres user (or nobody), still in our folder.
  if [ "$(id -u)" = 0 ]; then
    owner=postgres
    id -u postgres >/dev/null 2>&1 || owner=nobody
    pg_user=(runuser -u "$owner" --)
  fi
  mkdir -p "$tmp/pg"
  [ "${#pg_user[@]}" -eq 0 ] || chown "$owner" "$tmp/pg"
  port=$(free_port)
  log "nothing answers as $(redact "$default_db_url"): starting a private PostgreSQL on 127.0.0.1:$port ($pg_bindir)"
  "${pg_user[@]}" "$pg_bindir/initdb" -D "$tmp/pg/data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
    >"$tmp/pg/initdb.log" 2>&1 || { cat "$tmp/pg/initdb.log" >&2; echo "test-services: initdb failed" >&2; exit 1; }
  pg_started=1
  "${pg_user[@]}" "$pg_bindir/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/server.log" -w -t 30 \
    -o "-p $port -k '$tmp/pg' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$tmp/pg/server.log" >&2; echo "test-services: PostgreSQL did not start" >&2; exit 1; }
  node -e '
    const pg = require("pg");
    const c = new pg.Client({ connectionString: process.argv[1] });
    c.connect().then(() => c.query("create database test")).then(() => c.end(), (e) => { console.error(e.message); process.exit(1); });
  ' "postgres://postgres@127.0.0.1:$port/postgres"
  pg_url="postgres://postgres@127.0.0.1:$port/test"
fi

if [ "$redis_plan" = private ]; then
  mkdir -p "$tmp/redis"
  port=$(free_port)
  log "nothing answers at $(redact "$default_redis_url"): starting a private Redis on 127.0.0.1:$port ($redis_bin)"
  # A child of this script, not a daemon: it is waited for (and reaped) when stopped.
  "$redis_bin" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp/redis" \
    --logfile "$tmp/redis/redis.log" >/dev/null &
  redis_pid=$!
  redis_url="redis://127.0.0.1:$port"
  for _ in $(seq 1 50); do probe_redis "$redis_url" >/dev/null && break; sleep 0.1; done
  probe_redis "$redis_url" >/dev/null || { cat "$tmp/redis/redis.log" >&2; echo "test-services: Redis did not start" >&2; exit 1; }
fi

export TEST_DATABASE_URL=$pg_url TEST_REDIS_URL=$redis_url CHROMIUM_PATH=$chromium_path REDIS_SERVER_PATH=$redis_bin
log "PostgreSQL $(redact "$pg_url"), Redis $(redact "$redis_url"), Chromium $chromium_path"

if [ "$mode" = exec ]; then
  "$@" <&0 &
else
  mkdir -p test-results
  node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" &
fi
child=$!
rc=0
wait "$child" || rc=$?
child=
exit "$rc"
