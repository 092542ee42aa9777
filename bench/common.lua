-- Shared by the bench scripts: the bearer token comes from $T, the zone
-- from $ZONE (default bench.test).
token = os.getenv("T")
zone = os.getenv("ZONE") or "bench.test"
wrk.headers["Authorization"] = "Bearer " .. token

-- Every thread gets its own id so that generated names never collide.
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

-- Prints requests/s, p99 and the count of non-2xx answers as one line.
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
            + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f requests=%d non2xx_or_errors=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, bad))
end
