#!/usr/bin/env bash
# A/B: two gatehouse binaries on one scenario, in alternating rounds, each run on its own copy
# of one freshly seeded SQLite database. For deciding whether a change is faster: this machine
# drifts by tens of per cent within minutes, so only runs interleaved in time can be compared.
#
#   bash bench/ab.sh [--scenario refresh|me|verify|login] [--rounds 3] [--duration 5s]
#                    [--connections 32] [--users 200] [--sessions N] [--helpers DIR]
#                    [--helpers-b DIR] BINARY_A BINARY_B
#
# --sessions sets how many sessions are seeded (refresh: enough for its pool, others: none),
# e.g. to run login against a large sessions table. Build each side first (e.g. copy
# target/release/gatehouse aside before the change). The database is seeded by this tree's
# `seed`, or by the one in --helpers DIR: when B adds a migration, seed with A's helpers (copied
# aside with A), so each side migrates the copy it is given to its own schema at start.
# --helpers-b seeds a second database with B's helpers for B's runs, for a change to what is
# seeded (how ids are made, say).
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
source "$bench/sh/lib.sh"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
scenario=refresh rounds=3 duration=5s connections=32 users=200 sessions="" helpers="" helpers_b=""
threads=$(nproc) timeout=10s
binaries=()
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) scenario=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    --users) users=$2; shift ;;
    --sessions) sessions=$2; shift ;;
    --helpers) helpers=$(realpath "$2"); shift ;;
    --helpers-b) helpers_b=$(realpath "$2"); shift ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option: $1" ;;
    *) binaries+=("$(realpath "$1")") ;;
  esac
  shift
done
[ "${#binaries[@]}" = 2 ] || { usage >&2; die "needs two binaries"; }
for b in "${binaries[@]}"; do [ -x "$b" ] || die "not an executable: $b"; done
case "$scenario" in
  refresh) pool=${sessions:-$(refresh_pool "$(seconds_of "$duration")")} ;;
  me|verify|login) pool=${sessions:-0} ;;
  *) die "unknown scenario: $scenario" ;;
esac
ensure_wrk
clk_tck=$(getconf CLK_TCK)
password="correct horse battery staple"

if [ -n "$helpers" ]; then
  bin=$helpers
else
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gatehouse-target}"
  log "building the helpers (seed)"
  (cd "$root" && cargo build --release --quiet -p gatehouse-bench --bins)
  bin="$CARGO_TARGET_DIR/release"
fi
for dir in "$bin" ${helpers_b:+"$helpers_b"}; do [ -x "$dir/seed" ] || die "no seed in $dir"; done

scratch=$(mktemp -d /tmp/gatehouse-ab.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && stop "$server_pid"
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$scratch"

# seed DIR HELPERS: a seeded database, its users and its refresh tokens in DIR; every run starts
# from a copy, so seeding (minutes for a large pool) happens once a side at most.
seed() {
  mkdir -p "$1"
  log "seeding $users users and $pool sessions with $2/seed"
  server_environment "$1/data"
  "$2/seed" --users "$users" --refresh-pool "$pool" --password "$password" --out "$1" >/dev/null
}
seed "$scratch/seeded-a" "$bin"
seeded_b="$scratch/seeded-a"
if [ -n "$helpers_b" ]; then seeded_b="$scratch/seeded-b"; seed "$seeded_b" "$helpers_b"; fi

# run NAME BINARY SEEDED: one run of the scenario against BINARY on a fresh copy of SEEDED.
run() {
  work="$scratch/$1"
  mkdir -p "$work"
  cp -r "$3/." "$work/"
  server_environment "$work/data"
  start_server "$2"
  case "$scenario" in
    refresh)
      BENCH_REFRESH="$work/refresh.txt" \
        run_wrk "$1" "$base/api/v1/auth/token/refresh/" refresh.lua "$server_pid" ;;
    me)
      run_wrk "$1" "$base/api/v1/users/me/" static.lua "$server_pid" \
        -H "Authorization: Bearer $(access_token bench_u0)" ;;
    verify)
      BENCH_BODY="{\"token\":\"$(access_token bench_u0)\"}" \
        run_wrk "$1" "$base/api/v1/auth/token/verify/" static.lua "$server_pid" ;;
    login)
      BENCH_USERS="$work/users.txt" BENCH_PASSWORD="$password" \
        run_wrk "$1" "$base/api/v1/auth/token/" login.lua "$server_pid" ;;
  esac
  stop "$server_pid"
  server_pid=""
  rm -rf "$work/data"
}

log "$scenario: A = ${binaries[0]}, B = ${binaries[1]}; $rounds rounds of $duration, $connections connections"
for round in $(seq 1 "$rounds"); do
  run "a$round" "${binaries[0]}" "$scratch/seeded-a"
  run "b$round" "${binaries[1]}" "$seeded_b"
done

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
rates() { # rates a|b: that side's req/s over the rounds, one a line
  for round in $(seq 1 "$rounds"); do echo "${R[$1$round.rps]}"; done
}
echo
echo "$scenario, $rounds alternating rounds of $duration, $connections connections, $(nproc) cores"
echo "A: ${binaries[0]}"
echo "B: ${binaries[1]}"
echo
echo "| round | A req/s | A p99 | A errors | A server cores | B req/s | B p99 | B errors | B server cores |"
echo "|---|---|---|---|---|---|---|---|---|"
for round in $(seq 1 "$rounds"); do
  row="| $round"
  for s in a b; do
    row+=" | ${R[$s$round.rps]} | $(calc "${R[$s$round.p99_us]} / 1000" 2) ms"
    row+=" | ${R[$s$round.errors]} | ${R[$s$round.cores]}"
  done
  echo "$row |"
done
a=$(rates a | median) b=$(rates b | median)
echo
echo "median req/s: A $a, B $b; B/A $(calc "$b / $a" 3)"
