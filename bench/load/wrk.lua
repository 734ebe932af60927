-- One scenario of the load benchmark (scripts/bench-load.sh), for wrk 4: which requests, with which
-- sessions, and the figures written as JSON when the run ends.
--
-- Environment:
--   BENCH_SCENARIO  sign_in | list_first | list_deep | search_first | search_deep | open | create | comment
--   BENCH_SESSIONS  the file bench/load/prepare.py wrote: one signed-in admin per line, tab-separated:
--                   email, cookie, organization id, deep cursor, search deep cursor, ticket ids (comma-separated)
--   BENCH_SEARCH    the search text of the search scenarios (already percent-encoded)
--   BENCH_NONCE     makes this run's Idempotency-Keys unique across runs
--   BENCH_OUT       where done() writes the figures (JSON)
--
-- Requests rotate over the sessions (one organization each), so writes are spread over organizations as real
-- traffic is, and every POST carries the CSRF header the API requires.

local scenario = os.getenv("BENCH_SCENARIO") or "list_first"
local search = os.getenv("BENCH_SEARCH") or "replication"
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
local out = os.getenv("BENCH_OUT")
local password = os.getenv("BENCH_PASSWORD") or "support-demo"

local sessions = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
  local email, cookie, org, deep, search_deep, ids = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
  if email then
    local list = {}
    for id in ids:gmatch("[0-9]+") do list[#list + 1] = id end
    sessions[#sessions + 1] = {
      email = email, cookie = cookie, org = org, deep = deep, search_deep = search_deep, ids = list,
    }
  end
end
assert(#sessions > 0, "no sessions in BENCH_SESSIONS")

-- wrk runs this file once per thread; setup() numbers the threads so their keys differ.
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

local counter = 0
local base = "/api/v1/organizations/"

local function headers(s, extra)
  local h = { ["Cookie"] = s.cookie, ["Accept"] = "application/json" }
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

local function post_headers(s, key)
  return headers(s, {
    ["Content-Type"] = "application/json",
    ["x-support-csrf"] = "1",
    ["Idempotency-Key"] = key,
  })
end

function request()
  counter = counter + 1
  local s = sessions[(counter % #sessions) + 1]
  -- Unique per scenario too: the create and comment runs count from 1 again, and a key the same user
  -- already used for another request is refused (422 idempotency_key_reused).
  local key = string.format("bench-%s-%s-%d-%d", scenario, nonce, tid or 0, counter)
  local list = base .. s.org .. "/tickets?scope=organization"
  if scenario == "sign_in" then
    local body = string.format('{"email":"%s","password":"%s"}', s.email, password)
    return wrk.format("POST", "/api/v1/session",
      { ["Content-Type"] = "application/json", ["x-support-csrf"] = "1" }, body)
  elseif scenario == "list_first" then
    return wrk.format("GET", list, headers(s))
  elseif scenario == "list_deep" then
    return wrk.format("GET", list .. "&after=" .. s.deep, headers(s))
  elseif scenario == "search_first" then
    return wrk.format("GET", list .. "&q=" .. search, headers(s))
  elseif scenario == "search_deep" then
    return wrk.format("GET", list .. "&q=" .. search .. "&after=" .. s.search_deep, headers(s))
  elseif scenario == "open" then
    local id = s.ids[(counter % #s.ids) + 1]
    return wrk.format("GET", base .. s.org .. "/tickets/" .. id, headers(s))
  elseif scenario == "create" then
    local body = string.format(
      '{"cc":[],"subject":"Load test ticket %s","severity":"low","product":"billing","reason":"invoice",'
        .. '"description":"Created by the load benchmark, request %s.","attachment_ids":[]}', key, key)
    return wrk.format("POST", base .. s.org .. "/tickets", post_headers(s, key), body)
  elseif scenario == "comment" then
    local id = s.ids[(counter % #s.ids) + 1]
    local body = string.format('{"cc":[],"body":"Comment %s of the load benchmark.","attachment_ids":[]}', key)
    return wrk.format("POST", base .. s.org .. "/tickets/" .. id .. "/comments", post_headers(s, key), body)
  end
  error("unknown BENCH_SCENARIO " .. scenario)
end

-- The figures, latencies in milliseconds. wrk counts a status of 400 or more as an error (errors.status).
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local json = string.format(
    '{"scenario":"%s","requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,'
      .. '"max_ms":%.3f,"mean_ms":%.3f,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}',
    scenario, summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout)
  if out then
    local f = assert(io.open(out, "w"))
    f:write(json, "\n")
    f:close()
  else
    io.write(json, "\n")
  end
end
