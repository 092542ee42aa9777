-- GET the records at one name and type (a filtered list), names spread over
-- the bulk-loaded hosts h0 .. h99999.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function request()
  return wrk.format("GET", string.format("/v1/zones/%s/records?name=h%d&type=A", zone,
    math.random(0, 99999)))
end
