# Helpers for the bench scripts: logging, ports, /proc readings, wrk runs. Sourced, not run.

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Float arithmetic: calc EXPR [DECIMALS].
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }

# A wrk duration (10s, 2m, 1h, or bare seconds) in seconds.
seconds_of() {
  case "$1" in
    *s) echo "${1%s}" ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *h) echo $(( ${1%h} * 3600 )) ;;
    *) echo "$1" ;;
  esac
}

# A TCP port nobody listens on at 127.0.0.1.
free_port() {
  local port low _high
  # Below the kernel's ephemeral range: a port in it can be some connection's local end (wrk's,
  # minutes after it closed) without anything listening on it, and the server's bind then fails.
  read -r low _high < /proc/sys/net/ipv4/ip_local_port_range
  [ "$low" -gt 11024 ] || low=32768
  for _ in $(seq 1 200); do
    port=$(( 10000 + RANDOM % (low - 10000) ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free port found"
}

# wait_http URL PID: until URL answers 2xx, or PID died, or 60 s passed.
wait_http() {
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# stop PID: SIGTERM, then wait for it (graceful shutdown), SIGKILL after 30 s.
stop() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

# Installs wrk with apt-get if it is missing.
ensure_wrk() {
  command -v wrk >/dev/null && return 0
  log "installing wrk"
  { apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; } >/dev/null \
    || die "wrk is missing and apt-get install -y wrk failed"
}

# build_release: the release binaries of gatehouse and of this crate's helpers, into
# $CARGO_TARGET_DIR (default: the cache CI shares); sets bin to where they are. Needs $root.
build_release() {
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gatehouse-target}"
  log "building the release binaries (gatehouse, gatehouse-bench)"
  (cd "$root" && cargo build --release --quiet -p gatehouse -p gatehouse-bench --bins)
  bin="$CARGO_TARGET_DIR/release"
}

# seeded_scratch USERS POOL: a scratch directory (gone on exit, the server stopped first) holding
# a database seeded with USERS users and POOL sessions; sets work and server_pid and cds into it.
seeded_scratch() {
  work=$(mktemp -d /tmp/gatehouse-bench.XXXXXX) server_pid=""
  trap '[ -n "$server_pid" ] && stop "$server_pid"; rm -rf "$work"' EXIT
  server_environment "$work/data"
  cd "$work"
  log "seeding $1 users and $2 sessions"
  "$bin/seed" --users "$1" --refresh-pool "$2" --password "$password" --out "$work" >&2
}

# refresh_pool SECONDS: enough never-used refresh tokens for 50000 refreshes/s (this machine
# has done 30000). A wrk thread that runs out stops early while wrk still divides by the whole
# duration, so an exhausted pool caps the measured rate at pool / duration; run.sh's report
# says so and counts the target as missed.
refresh_pool() { echo $(( $1 * 50000 )); }

# server_environment DATA_DIR: the configuration the server and the helpers read (defaults <
# environment), with the database under DATA_DIR; callers cd into their scratch directory so
# no gatehouse.toml is picked up. Rate limits off: every load-generator connection is one
# client address hammering the credential endpoints, which is exactly what the limits exist
# to stop.
server_environment() {
  export GATEHOUSE_DATA_DIR="$1" GATEHOUSE_LOG=warn GATEHOUSE_LOG_FORMAT=text \
    GATEHOUSE_EMAIL_VERIFICATION=off GATEHOUSE_MAIL=memory GATEHOUSE_RATE_LIMITS=off
  unset GATEHOUSE_CONFIG GATEHOUSE_ADDR GATEHOUSE_HASH_QUEUE REDIS_URL DATABASE_URL
}

# start_server [BINARY]: `BINARY serve` (default $bin/gatehouse) on a free port, logging to
# $work/server.log, until it is ready; sets server_pid and base.
start_server() {
  local port
  port=$(free_port)
  GATEHOUSE_ADDR="127.0.0.1:$port" "${1:-$bin/gatehouse}" serve >>"$work/server.log" 2>&1 &
  server_pid=$!
  base="http://127.0.0.1:$port"
  wait_http "$base/readyz" "$server_pid" || die "gatehouse did not start: $(tail -5 "$work/server.log")"
}

# access_token USERNAME: a fresh access token for USERNAME (whose password is $password).
access_token() {
  curl -sf "$base/api/v1/auth/token/" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$password\"}" | sed -E 's/.*"access":"([^"]+)".*/\1/'
}

hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# Readings of a process, taken ten times a second by run_wrk's sampling loop on the cores it
# measures, so they use builtins only: a process started per reading (awk, sleep) cost ~7 % of
# a core, taken from the scenario and not from its ceiling (argon2-floor runs unsampled). They
# set variables instead of printing, because $(…) forks too.
page_kb=$(( $(getconf PAGESIZE) / 1024 ))
# sample_rss PID: SAMPLE_RSS = resident KiB (statm's second field, in pages), 0 once PID is gone.
sample_rss() {
  local _size resident
  SAMPLE_RSS=0
  { read -r _size resident _ <"/proc/$1/statm"; } 2>/dev/null || return 0
  SAMPLE_RSS=$(( resident * page_kb ))
}
# sample_ticks PID: SAMPLE_TICKS = utime + stime in clock ticks (stat's fields 14 and 15; the
# name in field 2 has no spaces here), empty once PID is gone.
sample_ticks() {
  local -a f
  SAMPLE_TICKS=""
  { read -r -a f <"/proc/$1/stat"; } 2>/dev/null || return 0
  SAMPLE_TICKS=$(( f[13] + f[14] ))
}
# nap SECONDS: sleep without a process: a read with a timeout on a pipe nobody writes to.
nap() {
  [ -n "${nap_fd:-}" ] || exec {nap_fd}<> <(:)
  read -r -t "$1" -u "$nap_fd" _ || true
}
pct() { calc "100 * $1 / $2" 1; }
mb() { calc "$1 / 1024" 1; }

# settle PID: until PID has used no CPU for 0.2 s (at most 3 s). Work wrk leaves in flight runs
# on after it stops (queued hashes finish without a client) and must not eat into the next
# ceiling's measurement.
settle() {
  local last="" quiet=0
  for _ in $(seq 1 30); do
    sample_ticks "$1"
    if [ "$SAMPLE_TICKS" = "$last" ]; then
      quiet=$(( quiet + 1 ))
      [ "$quiet" -ge 2 ] && return 0
    else
      quiet=0
    fi
    last=$SAMPLE_TICKS
    nap 0.1
  done
}

# middle SORT_FLAGS: of lines "VALUE [TAG]" on stdin, the middle one after `sort SORT_FLAGS`
# (the first of the middle two for an even count), printed whole.
middle() {
  local -a sorted
  mapfile -t sorted < <(sort "$@")
  echo "${sorted[$(( (${#sorted[@]} - 1) / 2 ))]}"
}

# summarize NAME: NAME's figures from its rounds NAME1 … NAME$rounds. The round with the median
# ratio to its baseline stands for NAME: its figures are copied to NAME.*, and NAME.ratios lists
# every round's. Errors and request counts add up over the rounds (NAME.sum_*);
# NAME.median_p99_us is the median of the rounds' p99s, and NAME.worst_* the worst round's p99
# and RSS. For an even count of rounds both medians take the less flattering middle value.
summarize() {
  local name=$1 r key median ratios="" k counts="errors requests non2xx issued exhausted"
  median=$(for r in $(seq 1 "$rounds"); do
    echo "$(calc "${R[$name$r.rps]} / ${R[$name$r.base]}" 6) $r"
  done | middle -g)
  median=${median#* }
  for key in "${!R[@]}"; do
    [[ $key == "$name$median".* ]] && R[$name.${key#"$name$median".}]=${R[$key]}
  done
  R[$name.round]=$median
  for k in $counts; do R[$name.sum_$k]=0; done
  R[$name.worst_p99_us]=0 R[$name.worst_rss_kb]=0
  for r in $(seq 1 "$rounds"); do
    ratios+="${ratios:+, }$(pct "${R[$name$r.rps]}" "${R[$name$r.base]}")"
    for k in $counts; do
      R[$name.sum_$k]=$(( R[$name.sum_$k] + ${R[$name$r.$k]:-0} ))
    done
    (( R[$name$r.p99_us] > R[$name.worst_p99_us] )) && R[$name.worst_p99_us]=${R[$name$r.p99_us]}
    (( R[$name$r.rss_max_kb] > R[$name.worst_rss_kb] )) && R[$name.worst_rss_kb]=${R[$name$r.rss_max_kb]}
  done
  R[$name.ratios]=$ratios
  R[$name.median_p99_us]=$(for r in $(seq 1 "$rounds"); do echo "${R[$name$r.p99_us]}"; done \
    | middle -gr)
}
# Busy clock ticks of the whole machine (every process: wrk, the database, other users' work).
machine_busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }

# R[name.key] holds every figure of a run: the BENCH line's key=value pairs, plus rps, cpu_s
# and rss_max_kb.
declare -gA R

# run_wrk NAME URL LUA PID [wrk args…]: one wrk run against URL with the common settings,
# measuring PID's CPU time and RSS while it lasts. Output kept in $work/NAME.wrk.
run_wrk() {
  local name=$1 url=$2 lua=$3 pid=$4; shift 4
  local conns=${WRK_CONNECTIONS:-$connections} dur=${WRK_DURATION:-$duration}
  local ticks0 ticks1 busy0 busy1 wall0 wall1 max=0 wrk_pid wrk_ticks=0 line kv span
  sample_ticks "$pid"
  ticks0=$SAMPLE_TICKS busy0=$(machine_busy_ticks) wall0=$(date +%s%N)
  BENCH_LUA="$bench/lua" BENCH_THREADS=$threads \
    wrk -t"$threads" -c"$conns" -d"$dur" --timeout "$timeout" --latency \
    -s "$bench/lua/$lua" "$@" "$url" >"$work/$name.wrk" 2>&1 &
  wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    sample_rss "$pid"
    [ "$SAMPLE_RSS" -gt "$max" ] && max=$SAMPLE_RSS
    sample_ticks "$wrk_pid"
    [ "${SAMPLE_TICKS:-0}" -gt "$wrk_ticks" ] && wrk_ticks=$SAMPLE_TICKS
    nap 0.1
  done
  wait "$wrk_pid" || die "wrk failed for $name: $(cat "$work/$name.wrk")"
  sample_ticks "$pid"
  ticks1=$SAMPLE_TICKS busy1=$(machine_busy_ticks) wall1=$(date +%s%N)
  line=$(grep '^BENCH ' "$work/$name.wrk") || die "no result line from wrk for $name: $(cat "$work/$name.wrk")"
  for kv in ${line#BENCH }; do R[$name.${kv%%=*}]=${kv#*=}; done
  R[$name.rps]=$(calc "${R[$name.requests]} / (${R[$name.duration_us]} / 1000000)" 1)
  R[$name.errors]=$(( R[$name.non2xx] + R[$name.connect] + R[$name.read] + R[$name.write] + R[$name.timeout] ))
  R[$name.cpu_s]=$(calc "($ticks1 - $ticks0) / $clk_tck" 2)
  # Cores busy over the wall-clock span the readings cover (wrk start to exit): the server, wrk
  # (its last reading), and everything else (the database, other work on the machine).
  span="$clk_tck * (($wall1 - $wall0) / 1e9)"
  R[$name.cores]=$(calc "($ticks1 - $ticks0) / ($span)" 2)
  R[$name.wrk_cores]=$(calc "$wrk_ticks / ($span)" 2)
  R[$name.other_cores]=$(calc "($busy1 - $busy0 - ($ticks1 - $ticks0) - $wrk_ticks) / ($span)" 2)
  R[$name.rss_max_kb]=$max
  log "$name: ${R[$name.rps]} req/s, p99 $(calc "${R[$name.p99_us]} / 1000" 2) ms, errors ${R[$name.errors]}"
}
