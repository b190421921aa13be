#!/usr/bin/env bash
# The gatehouse benchmark: one command builds the release binary, measures this machine's
# ceilings (the Argon2id floor and a bare axum handler), then gatehouse's auth paths with wrk
# over loopback on a fresh database, and writes a markdown report to bench/out/<time>.md.
# Every figure is a ratio to a ceiling measured in the same run, because machines are shared
# and noisy. A benchmark, not a test: nothing runs it from cargo test or CI.
#
#   bash bench/run.sh [--postgres] [--rounds 3] [--duration 10s] [--connections 32]
#                     [--users 2000] [--threads N] [--refresh-pool N] [--timeout 10s]
#
# Every scenario runs once per round, each time between two measurements of its ceiling; the
# report gives the round with the median ratio and every round's ratio beside it.
#
# --postgres uses a scratch database on $BENCH_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
source "$bench/sh/lib.sh"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
command_line="bash bench/run.sh${*:+ $*}"
postgres=0 rounds=3 duration=10s connections=32 users=2000 threads=$(nproc) pool="" timeout=10s
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) postgres=1 ;;
    --rounds) rounds=$2; shift ;;
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
[ "$rounds" -ge 1 ] 2>/dev/null || die "--rounds takes a whole number ≥ 1"
pool=${pool:-$(( rounds * $(refresh_pool "$secs") ))}
clk_tck=$(getconf CLK_TCK)
password="correct horse battery staple"

ensure_wrk

# What is built, read now: the tree may change (a commit, an edit) while the run goes on.
build_rev="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
build_release

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
# Ceilings are numbered in the order taken (floor1, floor2, …, hello1, …) across the rounds.
floors=0 hellos=0
measure_floor() { # measure_floor: the next floorN; sets ceiling to its name
  floors=$(( floors + 1 )) ceiling=floor$floors
  log "argon2id floor ($ceiling): $threads threads for $duration"
  local line kv
  line=$("$bin/argon2-floor" --seconds "$secs" --threads "$threads")
  for kv in ${line#ARGON2_FLOOR }; do R[$ceiling.${kv%%=*}]=${kv#*=}; done
  R[$ceiling.kind]=floor R[$ceiling.value]=${R[$ceiling.rate]}
  ceiling_runs+=("$ceiling")
}
measure_hello() { # measure_hello: the next helloN; sets ceiling to its name
  hellos=$(( hellos + 1 )) ceiling=hello$hellos
  local port
  port=$(free_port)
  "$bin/hello" --port "$port" & hello_pid=$!
  wait_http "http://127.0.0.1:$port/" "$hello_pid" || die "the hello server did not start"
  # A plain GET, whatever body the scenario it follows (verify) was given.
  BENCH_BODY="" run_wrk "$ceiling" "http://127.0.0.1:$port/" static.lua "$hello_pid"
  stop "$hello_pid"; hello_pid=""
  R[$ceiling.kind]=hello R[$ceiling.value]=${R[$ceiling.rps]}
  ceiling_runs+=("$ceiling")
}
# between MEASURE RUN [run_wrk args…]: RUN between the ceiling before it (the last one taken)
# and a new one after it; its baseline is the higher of the pair.
between() {
  local measure=$1 run=$2 before=$ceiling pick
  shift 2
  run_wrk "$run" "$@"
  settle "$server_pid"
  "$measure"
  pick=$before
  awk "BEGIN { exit !(${R[$ceiling.value]} > ${R[$before.value]}) }" && pick=$ceiling
  R[$run.base]=${R[$pick.value]} R[$run.base_run]=$pick
}
ceiling_runs=()

# --- gatehouse on a fresh, seeded database ---
log "seeding $users users and $pool refresh sessions"
"$bin/seed" --users "$users" --refresh-pool "$pool" --password "$password" --out "$work" >&2
# Each round presents its own share of the pool, so no token is sent twice across rounds.
split -n "l/$rounds" -d -a 3 "$work/refresh.txt" "$work/refresh.round."
# The seed's writes (hundreds of MB for 1.5M sessions) go to disk before the first round, not
# during it.
log "writing the seeded database to disk"
sync

start_server
sleep 2
sample_rss "$server_pid"
R[idle_rss_kb]=$SAMPLE_RSS

export BENCH_USERS="$work/users.txt" BENCH_PASSWORD="$password"
for round in $(seq 1 "$rounds"); do
  log "round $round of $rounds"
  measure_floor
  between measure_floor "login$round" "$base/api/v1/auth/token/" login.lua "$server_pid"
  BENCH_RUN="$(date +%s)" between measure_floor "register$round" "$base/api/v1/auth/register/" \
    register.lua "$server_pid"
  # Hashing threads keep their Argon2 memory until 1 s without a hash; `me` measures what the
  # server holds under its own load, and a hello run (one scenario long) comes between it and
  # this login.
  token=$(access_token bench_u0)
  measure_hello
  between measure_hello "me$round" "$base/api/v1/users/me/" static.lua "$server_pid" \
    -H "Authorization: Bearer $token"
  BENCH_BODY="{\"token\":\"$token\"}" between measure_hello "verify$round" \
    "$base/api/v1/auth/token/verify/" static.lua "$server_pid"
  BENCH_REFRESH="$work/refresh.round.$(printf %03d $(( round - 1 )))" between measure_hello \
    "refresh$round" "$base/api/v1/auth/token/refresh/" refresh.lua "$server_pid"
done
for scenario in login register me verify refresh; do summarize "$scenario"; done
R[peak_rss_kb]=$(hwm_kb "$server_pid")
if [ -n "$pg_db" ]; then
  tls=$(psql "$pg_admin" -Atc "SELECT coalesce(bool_and(s.ssl)::text, '?') FROM pg_stat_ssl s
    JOIN pg_stat_activity a USING (pid) WHERE a.datname = '$pg_db'" 2>/dev/null || echo '?')
  database="$database; the server's connections use TLS: $tls"
fi
check_line=$("$bin/refresh-check" --pool "$work/refresh.txt")
log "${check_line,,}"
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
