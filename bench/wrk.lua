-- wrk script for the benchmark: optional varying paths, optional enrolment POSTs, and a
-- JSON summary line with throughput and latency percentiles (milliseconds).
--   PATHS_FILE=file    GET a random path of this file (one a line) per request
--   PATHS=/a,/b,/c     rotate GETs over these paths
--   ENROL=12,13,14     POST enrolments, rotating over these session ids
local paths, sessions = {}, {}
local counter, thread_id = 0, 0
local token = "benchmarkcsrftoken00000000000000"  -- 32 characters, as Django expects
local random_paths = false

local paths_file = os.getenv("PATHS_FILE")
if paths_file and paths_file ~= "" then
  for line in io.lines(paths_file) do
    if line ~= "" then table.insert(paths, line) end
  end
  random_paths = true
end
for p in string.gmatch(os.getenv("PATHS") or "", "[^,]+") do table.insert(paths, p) end
for s in string.gmatch(os.getenv("ENROL") or "", "[^,]+") do table.insert(sessions, s) end

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id or 0
  math.randomseed(os.time() + thread_id)
end

function request()
  counter = counter + 1
  if #sessions > 0 then
    local session = sessions[(counter % #sessions) + 1]
    local email = string.format("bench-%d-%d-%d@example.org", os.time(), thread_id, counter)
    local body = "csrfmiddlewaretoken=" .. token .. "&first_name=Bench&last_name=Test"
      .. "&email=" .. email .. "&organisation=Bibliotheek+" .. (counter % 40)
      .. "&privacy=on&website="
    local headers = {}
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Cookie"] = "csrftoken=" .. token
    return wrk.format("POST", "/sessies/" .. session .. "/inschrijven/", headers, body)
  end
  -- As a browser asks: the HTML comes compressed (catalogue/middleware.py).
  local headers = {}
  headers["Accept-Encoding"] = "gzip, deflate, br"
  if random_paths then
    return wrk.format("GET", paths[math.random(#paths)], headers)
  end
  if #paths > 0 then
    return wrk.format("GET", paths[(counter % #paths) + 1], headers)
  end
  return wrk.format("GET", wrk.path, headers)
end

function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50": %.3f, "p95": %.3f, "p99": %.3f, '
    .. '"errors": %d, "non2xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.errors.status))
end
