-- `me`, `verify` and the bare-axum baseline: one fixed request (wrk's fast path); the method,
-- body and headers come from the command line or BENCH_BODY.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
   wrk.method = "POST"
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
end
