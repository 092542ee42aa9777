-- POST one new A record per request, each at a fresh name.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local n = 0
function request()
  n = n + 1
  local body = string.format('{"name":"c%d-%d-%d","type":"A","content":"192.0.2.%d","ttl":300}',
    tid, math.random(1, 1e9), n, n % 250 + 1)
  return wrk.format("POST", "/v1/zones/" .. zone .. "/records",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
