#!/usr/bin/env bash
# Where the server's threads spend each second under one scenario: a scheduler trace
# (`perf sched`) of `refresh`, `me` or `verify` on a freshly seeded SQLite database, summed by
# kind of thread into time running, time runnable but waiting for a core, and time asleep, with
# the cores' idle time beside. It tells a saturated thread or core apart from a wait: a thread
# asleep most of each second while the cores sit idle is waiting on something else (a commit, a
# hand-off), and making it faster will not raise the rate. Rates only; checks stay with run.sh.
#
#   bash bench/trace.sh [--scenario refresh|me|verify] [--duration 8s] [--record 2]
#                       [--connections 32] [--sessions N] [BINARY]
#
# --record is how many seconds of the run are traced (from 2 s in). BINARY defaults to this
# tree's release build. Needs perf (Debian's linux-perf, installed if missing) and root or
# kernel.perf_event_paranoid ≤ -1 for the scheduler tracepoints.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
source "$bench/sh/lib.sh"

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
scenario=refresh duration=8s record=2 connections=32 sessions="" binary=""
threads=$(nproc) timeout=10s users=200
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) scenario=$2; shift ;;
    --duration) duration=$2; shift ;;
    --record) record=$2; shift ;;
    --connections) connections=$2; shift ;;
    --sessions) sessions=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option: $1" ;;
    *) binary=$(realpath "$1") ;;
  esac
  shift
done
secs=$(seconds_of "$duration")
[ "$secs" -ge $(( record + 3 )) ] || die "--duration must leave 2 s before and 1 s after --record"
case "$scenario" in
  refresh) pool=${sessions:-$(refresh_pool "$secs")} ;;
  me|verify) pool=${sessions:-0} ;;
  *) die "unknown scenario: $scenario" ;;
esac
ensure_wrk
if ! command -v perf >/dev/null; then
  log "installing perf"
  { apt-get install -y linux-perf || { apt-get update && apt-get install -y linux-perf; }; } \
    >/dev/null || die "perf is missing and apt-get install -y linux-perf failed"
fi
clk_tck=$(getconf CLK_TCK)
password="correct horse battery staple"

build_release
seeded_scratch "$users" "$pool"
start_server "${binary:-$bin/gatehouse}"

(sleep 2 && perf sched record -o "$work/sched.data" -- sleep "$record" >/dev/null 2>&1) &
tracer=$!
case "$scenario" in
  refresh)
    BENCH_REFRESH="$work/refresh.txt" \
      run_wrk run "$base/api/v1/auth/token/refresh/" refresh.lua "$server_pid" ;;
  me)
    run_wrk run "$base/api/v1/users/me/" static.lua "$server_pid" \
      -H "Authorization: Bearer $(access_token bench_u0)" ;;
  verify)
    BENCH_BODY="{\"token\":\"$(access_token bench_u0)\"}" \
      run_wrk run "$base/api/v1/auth/token/verify/" static.lua "$server_pid" ;;
esac
wait "$tracer" || die "perf sched record failed (root, or kernel.perf_event_paranoid ≤ -1?)"
traced=$server_pid
stop "$server_pid"
server_pid=""

echo
echo "$scenario, $connections connections, $(nproc) cores: ${R[run.rps]} req/s," \
  "p99 $(calc "${R[run.p99_us]} / 1000" 2) ms; server ${R[run.cores]} cores, wrk ${R[run.wrk_cores]}"
echo "traced ${record} s from 2 s in; per second of the trace, by kind of server thread (summed"
echo "over the threads of a kind):"
echo
# timehist columns: time, [cpu], task[tid/pid], wait (asleep), sch delay, run time, all in ms.
perf sched timehist -i "$work/sched.data" >"$work/timehist.txt" 2>/dev/null
echo "| thread | threads | slices/s | running ms/s | waiting for a core ms/s | asleep ms/s | µs per slice |"
echo "|---|---|---|---|---|---|---|"
awk -v pid="$traced" -v span="$record" '
  $3 ~ "/" pid "\\]$" {
    kind = $3; sub(/\[.*/, "", kind); sub(/-*[0-9]*$/, "", kind)
    tid = $3; sub(/.*\[/, "", tid); sub(/\/.*/, "", tid)
    if (!((kind, tid) in seen)) { seen[kind, tid] = 1; count[kind]++ }
    n[kind]++; asleep[kind] += $4; delay[kind] += $5; run[kind] += $6
  }
  END {
    for (k in n)
      printf "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.1f |\n", k, count[k], n[k] / span,
        run[k] / span, delay[k] / span, asleep[k] / span, 1000 * run[k] / n[k]
  }' "$work/timehist.txt" | sort -t '|' -k 5 -g -r
awk -v span="$record" -v cores="$(nproc)" '$3 == "<idle>" { idle += $6 }
  END { printf "\ncores idle: %.0f ms/s of %d000\n", idle / span, cores }' "$work/timehist.txt"
