-- GET one page of 100 records; with $CURSOR set, the page after that cursor
-- (a page near the end of the zone).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local cursor = os.getenv("CURSOR")
function request()
  local path = "/v1/zones/" .. zone .. "/records?limit=100"
  if cursor and cursor ~= "" then path = path .. "&cursor=" .. cursor end
  return wrk.format("GET", path)
end
