#!/usr/bin/env bash
# Where a login's CPU goes, by server thread: run.sh's `login` scenario alone on a freshly
# seeded SQLite database, with the CPU time and minor page faults of each kind of thread
# (hashing, SQLite, tokio) read from /proc/PID/task/*/stat around each round, then the
# Argon2id floor. Hashes per hashing-thread second against the floor's tells the hash's own
# speed apart from its share of the cores. Rates and CPU only; the checks stay with run.sh.
#
#   bash bench/login-threads.sh [--refresh-pool N] [--rounds 2] [--duration 10s] [--users 2000]
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
source "$bench/sh/lib.sh"

pool=1000 rounds=2 duration=10s users=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --refresh-pool) pool=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --duration) duration=$2; shift ;;
    --users) users=$2; shift ;;
    *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; die "unknown option: $1" ;;
  esac
  shift
done
secs=$(seconds_of "$duration") threads=$(nproc)
password="correct horse battery staple"

ensure_wrk
build_release
seeded_scratch "$users" "$pool"
start_server
sleep 2
export BENCH_USERS="$work/users.txt" BENCH_PASSWORD="$password"

# One line per thread kind (the name up to its number): CPU ticks and minor faults, summed.
per_kind() {
  for task in "/proc/$server_pid/task"/*; do
    printf '%s %s\n' "$(tr -d ' 0-9' <"$task/comm")" "$(awk '{print $14 + $15, $10}' "$task/stat")"
  done | awk '{cpu[$1] += $2; faults[$1] += $3} END {for (k in cpu) print k, cpu[k], faults[k]}' | sort
}
clk_tck=$(getconf CLK_TCK)
for round in $(seq 1 "$rounds"); do
  per_kind >"$work/before"
  BENCH_LUA="$bench/lua" BENCH_THREADS=$threads wrk -t"$threads" -c32 -d"$duration" \
    -s "$bench/lua/login.lua" "$base/api/v1/auth/token/" >"$work/login.wrk" 2>&1
  per_kind >"$work/after"
  requests=$(grep -o 'requests=[0-9]*' "$work/login.wrk" | cut -d= -f2)
  echo "round $round: $requests logins in $secs s ($(calc "$requests / $secs") /s)"
  join "$work/before" "$work/after" | awk -v tck="$clk_tck" -v n="$requests" \
    '{ cpu = ($4 - $2) / tck; printf "  %-22s %7.2f s CPU  %7.3f ms per login  %6d minor faults\n", $1, cpu, cpu * 1000 / n, $5 - $3 }'
done
"$bin/argon2-floor" --seconds "$secs"
