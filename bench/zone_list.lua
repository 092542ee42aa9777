-- GET one page of 100 zones of the account (GET /v1/zones?limit=100): each
-- zone with its servers, status and published serial.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function request()
  return wrk.format("GET", "/v1/zones?limit=100")
end
