-- `login`: password login, each thread cycling through its share of the seeded users
-- (BENCH_USERS, one username a line; every user has the password BENCH_PASSWORD).
-- With BENCH_COUNT_STATUS set it also counts 503s and whether they carry Retry-After: the
-- saturation burst.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local requests, i = {}, 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
   local password = os.getenv("BENCH_PASSWORD")
   for _, name in ipairs(my_lines(os.getenv("BENCH_USERS"))) do
      local body = string.format('{"username":"%s","password":"%s"}', name, password)
      table.insert(requests, wrk.format("POST", nil, headers, body))
   end
   i = id * 7 -- threads start at different users
end

function request()
   i = i % #requests + 1
   return requests[i]
end

if os.getenv("BENCH_COUNT_STATUS") then
   counters = { "ok", "busy", "busy_retry_after", "other" }
   ok, busy, busy_retry_after, other = 0, 0, 0, 0
   function response(status, headers, body)
      if status == 200 then
         ok = ok + 1
      elseif status == 503 then
         busy = busy + 1
         if headers["retry-after"] or headers["Retry-After"] then
            busy_retry_after = busy_retry_after + 1
         end
      else
         other = other + 1
      end
   end
end
