# The markdown report, from the figures bench/run.sh gathered in R[…]. Sourced, not run;
# writes to stdout.

ms() { calc "$1 / 1000" 2; }
yes_no() { if [ "$(awk "BEGIN { print ($1) ? 1 : 0 }")" = 1 ]; then echo "**holds**"; else echo "**missed**"; fi; }

# ceiling_row NAME: one measurement of a ceiling, in the order they were taken.
ceiling_row() {
  local n=$1
  if [ "${R[$n.kind]}" = floor ]; then
    printf '| %s | Argon2id floor, %s threads | %s hashes/s | %s ms per hash per thread |\n' "$n" \
      "${R[$n.threads]}" "${R[$n.rate]}" "$(calc "1000 * ${R[$n.threads]} / ${R[$n.rate]}" 1)"
  else
    printf '| %s | bare axum "hello" | %s req/s | p50 %s ms, p99 %s ms, %s errors; cores: server %s, wrk / other %s |\n' \
      "$n" "${R[$n.rps]}" "$(ms "${R[$n.p50_us]}")" "$(ms "${R[$n.p99_us]}")" "${R[$n.errors]}" \
      "${R[$n.cores]}" "${R[$n.wrk_cores]} / ${R[$n.other_cores]}"
  fi
}
row() { # row NAME: the median round, then every round's ratio and the errors of all rounds
  local n=$1
  printf '| %s | %s | %s | %s ms | %s ms | %s %% of %s (%s) | %s %% | %s | %s s (%s cores) | %s / %s | %s MB |\n' \
    "$n" "${R[$n.round]}" "${R[$n.rps]}" "$(ms "${R[$n.p50_us]}")" "$(ms "${R[$n.p99_us]}")" \
    "$(pct "${R[$n.rps]}" "${R[$n.base]}")" "${R[$n.base]}" "${R[$n.base_run]}" "${R[$n.ratios]}" \
    "${R[$n.sum_errors]}" "${R[$n.cpu_s]}" "${R[$n.cores]}" "${R[$n.wrk_cores]}" \
    "${R[$n.other_cores]}" "$(mb "${R[$n.rss_max_kb]}")"
}
sent_ok=$(( R[refresh.sum_requests] - R[refresh.sum_non2xx] ))
reused=$(( R[check.revoked] + R[check.beyond] + R[check.missing] ))
# More 2xx than sessions advanced would mean a token answered twice (the grace window).
no_twice=$(( reused == 0 && sent_ok <= R[check.advanced] ? 1 : 0 ))

cat <<MD
# gatehouse benchmark, $stamp

- command: \`$command_line\`
- machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/^MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r); load average $load_start at the start, $load_end at the end
- build: gatehouse $build_rev, release profile
- database: $database; $users users seeded through the store, $pool refresh sessions
- load: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2) over loopback, $threads threads, $connections connections, $duration per scenario and round, $rounds rounds, timeout $timeout; the server and wrk share the machine's cores
- Argon2id: m=${R[floor1.m_kib]} KiB, t=${R[floor1.t]}, p=${R[floor1.p]}

## Ceilings (same run, same cores)

In the order taken, $rounds rounds of \`floor login floor register floor · hello me hello verify hello refresh hello\`.
Each scenario ran between two of them; its baseline is the higher of that pair.

| run | ceiling | rate | detail |
|---|---|---|---|
$(for n in "${ceiling_runs[@]}"; do ceiling_row "$n"; done)

## Scenarios

| scenario | median round | req/s | p50 | p99 | ratio to baseline (run) | every round | errors (all rounds) | server CPU | wrk / other cores | server RSS (max) |
|---|---|---|---|---|---|---|---|---|---|---|
$(for n in login register me verify refresh; do row "$n"; done)

Each row is the scenario's round with the median ratio; "every round" lists the ratios in the
order run. Errors are non-2xx answers plus socket errors (connect, read, write, timeout). Server CPU is
the utime + stime of the gatehouse process during the scenario; "other" is every other process
on the machine ($(nproc) cores): the database server, and any work that is not this benchmark.

## Memory

| idle RSS | RSS under \`me\` (max sampled, every round) | peak RSS (VmHWM, whole run) |
|---|---|---|
| $(mb "${R[idle_rss_kb]}") MB | $(mb "${R[me.worst_rss_kb]}") MB | $(mb "${R[peak_rss_kb]}") MB |

Idle is right after start. While logins run, RSS includes each hashing thread's Argon2 memory:
${GATEHOUSE_HASH_CONCURRENCY:-$(nproc)} threads × ${R[floor1.m_kib]} KiB = $(calc "${GATEHOUSE_HASH_CONCURRENCY:-$(nproc)} * ${R[floor1.m_kib]} / 1024" 1) MB, given back after 1 s without a hash; \`me\` starts after one login (for its token) and one scenario-length of a hello run.

## Checks

- refresh: ${R[refresh.sum_issued]} tokens handed out of a pool of $pool ($rounds rounds, each with its own share)$([ "${R[refresh.sum_exhausted]}" -gt 0 ] && echo " (**pool exhausted** in ${R[refresh.sum_exhausted]} wrk threads, so its req/s is only a lower bound: wrk divides by the whole duration; rerun with a larger --refresh-pool)"); $sent_ok answered 2xx; afterwards ${R[check.advanced]} sessions had moved one step, ${R[check.beyond]} more than one, ${R[check.revoked]} were revoked for reuse, ${R[check.missing]} were gone. No token accepted twice: $([ "$no_twice" = 1 ] && echo yes || echo '**no**').
- saturation: GATEHOUSE_HASH_QUEUE=$sat_queue, $sat_conns connections, $sat_duration of login: ${R[saturation.requests]} answers, ${R[saturation.ok]} × 200, ${R[saturation.busy]} × 503 (${R[saturation.busy_retry_after]} with Retry-After), ${R[saturation.other]} other, ${R[saturation.timeout]} timeouts, $(( R[saturation.connect] + R[saturation.read] + R[saturation.write] )) other socket errors; p99 $(ms "${R[saturation.p99_us]}") ms.

## Where the time goes

Each piece alone, one call after another, no HTTP (\`costs\`, after the load, same database):

| piece | µs per call |
|---|---|
$(grep '^COST ' <<<"$costs_out" | sed -E 's/^COST us=([^ ]+) n=[0-9]+ op=(.*)$/| \2 | \1 |/')

## Targets

| target | measured | |
|---|---|---|
| login ≥ 90 % of the Argon2id floor, 0 errors | $(pct "${R[login.rps]}" "${R[login.base]}") % (median round), ${R[login.sum_errors]} errors | $(yes_no "${R[login.rps]} >= 0.9 * ${R[login.base]} && ${R[login.sum_errors]} == 0") |
| register ≥ 90 % of the Argon2id floor, 0 errors | $(pct "${R[register.rps]}" "${R[register.base]}") % (median round), ${R[register.sum_errors]} errors | $(yes_no "${R[register.rps]} >= 0.9 * ${R[register.base]} && ${R[register.sum_errors]} == 0") |
| past saturation: 503 + Retry-After, no timeouts | ${R[saturation.busy]} × 503, ${R[saturation.busy_retry_after]} with Retry-After, ${R[saturation.timeout]} timeouts | $(yes_no "${R[saturation.busy]} > 0 && ${R[saturation.busy_retry_after]} == ${R[saturation.busy]} && ${R[saturation.timeout]} == 0") |
| me ≥ 40 % of bare axum, p99 < 5 ms ($connections connections) | $(pct "${R[me.rps]}" "${R[me.base]}") % (median round), p99 $(ms "${R[me.median_p99_us]}") ms (median of the rounds; worst $(ms "${R[me.worst_p99_us]}")) | $(yes_no "${R[me.rps]} >= 0.4 * ${R[me.base]} && ${R[me.median_p99_us]} < 5000") |
| verify ≥ 40 % of bare axum, p99 < 5 ms ($connections connections) | $(pct "${R[verify.rps]}" "${R[verify.base]}") % (median round), p99 $(ms "${R[verify.median_p99_us]}") ms (median of the rounds; worst $(ms "${R[verify.worst_p99_us]}")) | $(yes_no "${R[verify.rps]} >= 0.4 * ${R[verify.base]} && ${R[verify.median_p99_us]} < 5000") |
| refresh ≥ 20 % of bare axum, 0 errors, no token used twice | $(pct "${R[refresh.rps]}" "${R[refresh.base]}") % (median round), ${R[refresh.sum_errors]} errors, used twice: $([ "$no_twice" = 1 ] && echo none || echo yes) | $(yes_no "${R[refresh.rps]} >= 0.2 * ${R[refresh.base]} && ${R[refresh.sum_errors]} == 0 && $no_twice == 1 && ${R[refresh.sum_exhausted]} == 0") |
| idle RSS ≤ 25 MB | $(mb "${R[idle_rss_kb]}") MB | $(yes_no "${R[idle_rss_kb]} <= 25 * 1024") |
| RSS under me ≤ 64 MB | $(mb "${R[me.worst_rss_kb]}") MB | $(yes_no "${R[me.worst_rss_kb]} <= 64 * 1024") |
MD
