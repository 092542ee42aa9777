-- DELETE records by id, each id once: thread k of n takes every n-th line
-- of $IDS (ids of records loaded for this purpose).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local i = 0
local nthreads = tonumber(os.getenv("THREADS") or "2")
function request()
  local k = tid + 1 + i * nthreads
  i = i + 1
  if k > #ids then k = ((k - 1) % #ids) + 1 end  -- past the end: repeats answer 404
  return wrk.format("DELETE", "/v1/zones/" .. zone .. "/records/" .. ids[k])
end
