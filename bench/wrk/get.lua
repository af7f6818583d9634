-- Prints one line wrk's caller parses: requests, seconds, errors, non-2xx/3xx answers and
-- the latency percentiles in microseconds.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKRESULT %d %.6f %d %d %d %d\n",
    summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
