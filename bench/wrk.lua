-- One request shape per wrk run, from the arguments after `--`:
--   wrk -s bench/wrk.lua URL -- EXPECTED_STATUS METHOD BODY ["Header: value" ...]
-- Answers with another status than the expected one are counted (a login that expired, a rate limit, a
-- form refused) so that a fast wrong answer is never taken for a fast page. The summary is printed as
-- one JSON line starting with BENCH-RESULT.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1])
  wrk.method = args[2]
  if args[3] ~= "" then
    wrk.body = args[3]
  end
  for i = 4, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
  unexpected = 0
  last_unexpected = 0
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
    last_unexpected = status
  end
end

function done(summary, latency, requests)
  local bad, seen = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    if thread:get("last_unexpected") ~= 0 then
      seen = thread:get("last_unexpected")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "unexpected": %d, "unexpected_status": %d, '
      .. '"socket_errors": %d, "latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, bad, seen,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean
  ))
end
