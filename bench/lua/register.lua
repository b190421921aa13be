-- `register`: every request signs up a new user (the name carries the run, the thread and a
-- counter, so it is unique).
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local n = 0
local headers = { ["Content-Type"] = "application/json" }
local run, password

function init(args)
   run = os.getenv("BENCH_RUN")
   password = os.getenv("BENCH_PASSWORD")
end

function request()
   n = n + 1
   local name = string.format("r%s_%d_%d", run, id, n)
   local body = string.format('{"username":"%s","email":"%s@bench.example.com","password":"%s"}',
      name, name, password)
   return wrk.format("POST", nil, headers, body)
end
