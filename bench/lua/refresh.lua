-- `refresh`: every request presents a refresh token never sent before. Each thread owns a
-- disjoint share of the pool (BENCH_REFRESH, one token a line, one fresh session each) and
-- hands out each token once. An exhausted share stops its thread (the report says so: rerun
-- with a larger --refresh-pool) rather than ever repeat a token.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
counters = { "issued", "exhausted" }

local requests, next_token = {}, 0
issued, exhausted = 0, 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
   for _, token in ipairs(my_lines(os.getenv("BENCH_REFRESH"))) do
      table.insert(requests, wrk.format("POST", nil, headers, '{"refresh":"' .. token .. '"}'))
   end
end

function request()
   next_token = next_token + 1
   if next_token > #requests then
      exhausted = 1
      wrk.thread:stop()
      return wrk.format("POST", nil, headers, '{"refresh":"pool-exhausted"}')
   end
   issued = issued + 1
   return requests[next_token]
end
