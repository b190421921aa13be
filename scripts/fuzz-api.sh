#!/usr/bin/env bash
# Contract fuzzing: schemathesis 4 against the OpenAPI document the server publishes.
#
# Builds and starts gatehouse on a throw-away SQLite database and a free port (email
# verification and rate limits off, cheap Argon2), creates a superuser so every operation is
# reachable, logs in, and runs schemathesis with its bearer token (scripts/fuzz_auth.py). It fails on any server error
# or any answer that disagrees with the document (status, content type, headers, body schema).
# The venv is cached in ${XDG_CACHE_HOME:-~/.cache}/gatehouse-fuzz-venv; only its first run
# needs PyPI. Tunables: FUZZ_MAX_EXAMPLES (default 30), FUZZ_WORKERS (default 1: with more, schemathesis
# 4.32.5 on Python 3.11 once failed with an internal "AST constructor recursion depth mismatch"), FUZZ_KEEP=1
# (keep the database, server log and report).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/gatehouse-fuzz-venv"
# Outside the clone: examples that failed once (replayed first on the next run) and schemathesis's
# own `.schemathesis/` cache, which it writes in its working directory.
STATE="${XDG_CACHE_HOME:-$HOME/.cache}/gatehouse-fuzz-state"
mkdir -p "$STATE"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gatehouse-target}"
unset DATABASE_URL REDIS_URL

if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet --bin gatehouse
BIN="$CARGO_TARGET_DIR/debug/gatehouse"

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "${FUZZ_KEEP:-}" ]; then
    echo "kept the database, server log and report in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

export GATEHOUSE_DATA_DIR="$WORK" GATEHOUSE_ADDR=127.0.0.1:0 GATEHOUSE_RATE_LIMITS=off \
  GATEHOUSE_EMAIL_VERIFICATION=off GATEHOUSE_MAIL=file GATEHOUSE_LOG=warn \
  GATEHOUSE_ARGON2_MEMORY_KIB=1024 GATEHOUSE_ARGON2_ITERATIONS=1 GATEHOUSE_PUBLIC_URL=http://127.0.0.1
PASSWORD="fuzz-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
# The run may rename this account (PATCH /api/v1/users/me/ takes a username), so it logs in by
# email, which changes only with a code the run cannot read. The random part keeps any username
# the run registers from ever matching it.
EMAIL="fuzzer-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')@example.com"
"$BIN" createsuperuser --username fuzzer --email "$EMAIL" --password-stdin \
  <<<"$PASSWORD" >/dev/null

"$BIN" serve >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 100); do
  BASE="$(sed -n 's/^gatehouse listening on \(http:[^ ]*\).*/\1/p' "$WORK/server.out")"
  [ -n "$BASE" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$BASE" ] || { echo "the server did not start" >&2; exit 1; }

TOKEN="$(curl -fsS -H 'content-type: application/json' \
  -d "{\"username\": \"$EMAIL\", \"password\": \"$PASSWORD\"}" "$BASE/api/v1/auth/token/" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access"])')"

# The token goes to schemathesis through scripts/fuzz_auth.py, which logs in again whenever a
# sequence (logout, deleting one's own session) has ended the session it belongs to.
export SCHEMATHESIS_HOOKS=fuzz_auth PYTHONPATH="$PWD/scripts" FUZZ_BASE="$BASE" FUZZ_TOKEN="$TOKEN" \
  FUZZ_LOGIN="$EMAIL" FUZZ_PASSWORD="$PASSWORD"
set +e
(cd "$STATE" && "$VENV/bin/st" run "$BASE/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "${FUZZ_MAX_EXAMPLES:-30}" \
  --workers "${FUZZ_WORKERS:-1}" \
  --request-timeout 20 \
  --generation-database "$STATE/examples" \
  --suppress-health-check all \
  --no-color) 2>&1 | tee "$WORK/report.txt"
STATUS=${PIPESTATUS[0]}
set -e
if grep -q "internal error" "$WORK/server.err"; then
  echo "the server logged internal errors:" >&2
  grep "internal error" "$WORK/server.err" | head -20 >&2
  STATUS=1
fi
exit "$STATUS"
