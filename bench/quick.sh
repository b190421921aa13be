#!/usr/bin/env bash
# A quick load run of the release binary: login and /me throughput (wrk), hashing cost, RSS.
# Not the benchmark suite: one run, figures for a note. Usage: bash bench/quick.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"; conns="${2:-32}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gatehouse-target}"
cargo build --release --quiet --bin gatehouse --example hash_cost
bin="$CARGO_TARGET_DIR/release/gatehouse"
work=$(mktemp -d); port=18$((RANDOM % 900 + 100))
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
GATEHOUSE_DATA_DIR="$work" GATEHOUSE_ADDR="127.0.0.1:$port" GATEHOUSE_LOG=warn \
  GATEHOUSE_EMAIL_VERIFICATION=off GATEHOUSE_RATE_LIMITS=off "$bin" serve & pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
sleep 1
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status"; }
hwm() { awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status"; }
echo "machine: $(nproc) cores; wrk -t2 -c$conns -d${secs}s"
echo "idle RSS after start: $(rss)"
body='{"username":"bench","email":"bench@example.com","password":"correct horse battery"}'
curl -sf "$base/api/v1/auth/register/" -H 'content-type: application/json' -d "$body" >/dev/null
access=$(curl -sf "$base/api/v1/auth/token/" -H 'content-type: application/json' \
  -d '{"username":"bench","password":"correct horse battery"}' | sed -E 's/.*"access":"([^"]+)".*/\1/')
cat > "$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"bench","password":"correct horse battery"}'
LUA
echo; echo "## login (POST /api/v1/auth/token/)"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$work/login.lua" "$base/api/v1/auth/token/" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket"
echo "RSS after login load: $(rss) (peak $(hwm))"
echo; echo "## me (GET /api/v1/users/me/)"
wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Authorization: Bearer $access" "$base/api/v1/users/me/" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket"
echo "RSS after me load: $(rss) (peak $(hwm))"
echo; echo "## hashing"
GATEHOUSE_DATA_DIR="$work" "$CARGO_TARGET_DIR/release/examples/hash_cost" 20
