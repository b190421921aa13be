#!/usr/bin/env bash
# The gatehouse benchmark: one command builds the release binary, measures this machine's
# ceilings (the Argon2id floor and a bare axum handler), then gatehouse's auth paths with wrk
# over loopback on a fresh database, and writes a markdown report to bench/out/<time>.md.
# Every figure is a ratio to a ceiling measured in the same run, because machines are shared
# and noisy. A benchmark, not a test: nothing runs it from cargo test or CI.
#
#   bash bench/run.sh [--postgres] [--duration 10s] [--connections 32] [--users 2000]
#                     [--threads N] [--refresh-pool N] [--timeout 10s]
#
# --postgres uses a scratch database on $BENCH_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
source "$bench/sh/lib.sh"

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
command_line="bash bench/run.sh${*:+ $*}"
postgres=0 duration=10s connections=32 users=2000 threads=$(nproc) pool="" timeout=10s
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) postgres=1 ;;
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    --users) users=$2; shift ;;
    --threads) threads=$2; shift ;;
    --refresh-pool) pool=$2; shift ;;
    --timeout) timeout=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
  shift
done
secs=$(seconds_of "$duration")
pool=${pool:-$(refresh_pool "$secs")}
clk_tck=$(getconf CLK_TCK)
password="correct horse battery staple"

ensure_wrk

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gatehouse-target}"
log "building the release binaries (gatehouse, gatehouse-bench)"
(cd "$root" && cargo build --release --quiet -p gatehouse -p gatehouse-bench --bins)
bin="$CARGO_TARGET_DIR/release"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
work=$(mktemp -d /tmp/gatehouse-bench.XXXXXX)
server_pid="" hello_pid="" pg_db="" pg_admin=""
cleanup() {
  [ -n "$hello_pid" ] && stop "$hello_pid"
  [ -n "$server_pid" ] && stop "$server_pid"
  [ -n "$pg_db" ] && psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

server_environment "$work/data"
database="SQLite (a fresh file)"
if [ "$postgres" = 1 ]; then
  pg_admin=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  command -v psql >/dev/null || die "--postgres needs psql"
  pg_db="gatehouse_bench_$(date -u +%Y%m%d%H%M%S)_$$"
  psql "$pg_admin" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $pg_db" >/dev/null \
    || { pg_db=""; die "cannot create a scratch database on $pg_admin"; }
  pg_base=${pg_admin%%\?*} pg_query=""
  [ "$pg_base" != "$pg_admin" ] && pg_query="?${pg_admin#*\?}"
  export DATABASE_URL="${pg_base%/*}/$pg_db$pg_query"
  database="PostgreSQL $(psql "$pg_admin" -Atc 'SHOW server_version') (scratch database $pg_db)"
fi
cd "$work"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- ceilings, measured on the same cores with the same wrk settings ---
# Each scenario runs between two measurements of its ceiling (the Argon2id floor for login and
# register, bare axum for the rest), and the higher of the two is its baseline: a ceiling taken
# minutes away drifts with the machine (other tenants, steal), and noise can only make a ratio
# look worse this way, not better. Consecutive scenarios share the measurement between them.
measure_floor() { # measure_floor NAME
  log "argon2id floor ($1): $threads threads for $duration"
  local line kv
  line=$("$bin/argon2-floor" --seconds "$secs" --threads "$threads")
  for kv in ${line#ARGON2_FLOOR }; do R[$1.${kv%%=*}]=${kv#*=}; done
  R[$1.kind]=floor
  ceiling_runs+=("$1")
}
measure_hello() { # measure_hello NAME
  local port
  port=$(free_port)
  "$bin/hello" --port "$port" & hello_pid=$!
  wait_http "http://127.0.0.1:$port/" "$hello_pid" || die "the hello server did not start"
  run_wrk "$1" "http://127.0.0.1:$port/" static.lua "$hello_pid"
  stop "$hello_pid"; hello_pid=""
  R[$1.kind]=hello
  ceiling_runs+=("$1")
}
# baseline SCENARIO BEFORE AFTER KEY: the higher of the two ceilings around SCENARIO.
baseline() {
  local pick=$2
  awk "BEGIN { exit !(${R[$3.$4]} > ${R[$2.$4]}) }" && pick=$3
  R[$1.base]=${R[$pick.$4]} R[$1.base_run]=$pick R[$1.base_pair]="$2 $3"
}
ceiling_runs=()

# --- gatehouse on a fresh, seeded database ---
log "seeding $users users and $pool refresh sessions"
"$bin/seed" --users "$users" --refresh-pool "$pool" --password "$password" --out "$work" >&2

start_server
sleep 2
sample_rss "$server_pid"
R[idle_rss_kb]=$SAMPLE_RSS

export BENCH_USERS="$work/users.txt" BENCH_PASSWORD="$password"
measure_floor floor1
run_wrk login "$base/api/v1/auth/token/" login.lua "$server_pid"
measure_floor floor2
BENCH_RUN="$(date +%s)" run_wrk register "$base/api/v1/auth/register/" register.lua "$server_pid"
measure_floor floor3
baseline login floor1 floor2 rate
baseline register floor2 floor3 rate
# Hashing threads keep their Argon2 memory until 1 s without a hash; `me` measures what the
# server holds under its own load, and hello1 (one scenario long) comes between it and this login.
token=$(access_token bench_u0)
measure_hello hello1
run_wrk me "$base/api/v1/users/me/" static.lua "$server_pid" -H "Authorization: Bearer $token"
measure_hello hello2
BENCH_BODY="{\"token\":\"$token\"}" run_wrk verify "$base/api/v1/auth/token/verify/" static.lua "$server_pid"
measure_hello hello3
BENCH_REFRESH="$work/refresh.txt" run_wrk refresh "$base/api/v1/auth/token/refresh/" refresh.lua "$server_pid"
measure_hello hello4
baseline me hello1 hello2 rps
baseline verify hello2 hello3 rps
baseline refresh hello3 hello4 rps
R[peak_rss_kb]=$(hwm_kb "$server_pid")
if [ -n "$pg_db" ]; then
  tls=$(psql "$pg_admin" -Atc "SELECT coalesce(bool_and(s.ssl)::text, '?') FROM pg_stat_ssl s
    JOIN pg_stat_activity a USING (pid) WHERE a.datname = '$pg_db'" 2>/dev/null || echo '?')
  database="$database; the server's connections use TLS: $tls"
fi
check_line=$("$bin/refresh-check" --pool "$work/refresh.txt")
for kv in ${check_line#REFRESH_CHECK }; do R[check.${kv%%=*}]=${kv#*=}; done
stop "$server_pid"; server_pid=""

# --- past saturation: a hashing queue of 8 and 64 connections must give 503 + Retry-After ---
sat_conns=64 sat_queue=8 sat_duration="$(( secs < 5 ? secs : 5 ))s"
log "saturation burst: GATEHOUSE_HASH_QUEUE=$sat_queue, $sat_conns connections, $sat_duration"
GATEHOUSE_HASH_QUEUE=$sat_queue start_server
BENCH_COUNT_STATUS=1 WRK_CONNECTIONS=$sat_conns WRK_DURATION=$sat_duration \
  run_wrk saturation "$base/api/v1/auth/token/" login.lua "$server_pid"
stop "$server_pid"; server_pid=""
log "the pieces one at a time (costs)"
costs_out=$("$bin/costs" --n 2000)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$root/bench/out"
report="$root/bench/out/$stamp.md"
source "$bench/sh/report.sh" >"$report"
cat "$report"
log "report written to ${report#"$root"/}"
