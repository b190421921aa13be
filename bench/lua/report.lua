-- Shared by every scenario: numbers each wrk thread, and at the end prints one line that
-- bench/run.sh parses (wrk's own summary is for humans). A scenario lists in `counters` the
-- per-thread globals to add up into that line.
counters = {}
local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

-- This thread's share of a file: lines k with k % nthreads == id (ids from 0).
function my_lines(path)
   local n, k, mine = tonumber(os.getenv("BENCH_THREADS") or "1"), 0, {}
   for line in io.lines(path) do
      if k % n == id then table.insert(mine, line) end
      k = k + 1
   end
   return mine
end

function done(summary, latency, requests)
   local e = summary.errors
   local line = string.format(
      "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      e.status, e.connect, e.read, e.write, e.timeout)
   for _, name in ipairs(counters) do
      local total = 0
      for _, t in ipairs(threads) do total = total + (tonumber(t:get(name)) or 0) end
      line = line .. string.format(" %s=%d", name, total)
   end
   io.write(line .. "\n")
end
