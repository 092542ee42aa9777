-- POST one new A record per request, each at a fresh name.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local n = 0
local run = os.getenv("RUN") or "0"
function request()
  n = n + 1
  -- run tag + thread id + counter: unique across threads and runs
  local body = string.format('{"name":"c%s-%d-%d","type":"A","content":"192.0.2.%d","ttl":300}',
    run, tid, n, n % 250 + 1)
  return wrk.format("POST", "/v1/zones/" .. zone .. "/records",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
