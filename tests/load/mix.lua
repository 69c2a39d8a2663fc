-- A realistic mix against the JSON API: participants reading their pairings and the
-- programmes, a participant saving their enrolment (a write), managers reading a programme and
-- its enrolments, and health checks; or, with MIX=writes, mostly writes. Tokens and the
-- programme's body come from the environment (see scripts/load).
local participant = os.getenv("PARTICIPANT_TOKEN")
local manager = os.getenv("MANAGER_TOKEN")
local participant_session = os.getenv("PARTICIPANT_SESSION")
local manager_session = os.getenv("MANAGER_SESSION")
local enrolment = [[{"role":"mentor","offers":"generative ai:4;cloud:3","interests":"",]] ..
  [["availability":"Mon 08:00-10:00;Wed 17:30-19:00","channel":"either","preferred_time":"any",]] ..
  [["statement":"load test","consent":true}]]

local mixes = {
  -- What a running programme sees most days.
  normal = {
    { weight = 40, method = "GET", path = "/api/v1/me/pairings", token = participant },
    { weight = 20, method = "GET", path = "/api/v1/programmes", token = participant },
    { weight = 10, method = "PUT", path = "/api/v1/programmes/1/enrolment", token = participant, body = enrolment },
    { weight = 15, method = "GET", path = "/api/v1/programmes/1", token = manager },
    { weight = 10, method = "GET", path = "/api/v1/programmes/1/enrolments", token = manager },
    { weight = 5, method = "GET", path = "/healthz" },
  },
  -- Sustained writes under steady reads (scripts/load --writes): the write-ahead log and the
  -- longest wait of a write.
  writes = {
    { weight = 30, method = "PUT", path = "/api/v1/programmes/1", token = manager, body = os.getenv("PROGRAMME_BODY") },
    { weight = 30, method = "PUT", path = "/api/v1/programmes/1/enrolment", token = participant, body = enrolment },
    { weight = 40, method = "GET", path = "/api/v1/me/pairings", token = participant },
  },
  -- The organisation at scale (scripts/load --people N): every kind of route a participant or a
  -- manager uses, by name, so that --per-route can run each alone (ROUTE=name).
  scale = {
    { name = "participant home page", weight = 20, method = "GET", path = "/", cookie = participant_session },
    { name = "own pairings", weight = 25, method = "GET", path = "/api/v1/me/pairings", token = participant },
    { name = "programmes", weight = 15, method = "GET", path = "/api/v1/programmes", token = participant },
    { name = "enrolment edit", weight = 5, method = "PUT", path = "/api/v1/programmes/2/enrolment", token = participant, body = enrolment },
    { name = "manager programme page", weight = 10, method = "GET", path = "/programmes/1", cookie = manager_session },
    { name = "paged pairings", weight = 10, method = "GET", path = "/api/v1/programmes/1/pairings", token = manager },
    { name = "paged people", weight = 10, method = "GET", path = "/api/v1/people?page=2", token = manager },
    { name = "health", weight = 5, method = "GET", path = "/healthz" },
  },
}
local mix = mixes[os.getenv("MIX") or "normal"]
local only = os.getenv("ROUTE")
if only and only ~= "" then
  local chosen = {}
  for _, r in ipairs(mix) do if r.name == only then table.insert(chosen, r) end end
  assert(#chosen == 1, "no route named " .. only)
  mix = chosen
end
local total = 0
for _, r in ipairs(mix) do total = total + r.weight end

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init() server_errors = 0; unavailable = 0; client_errors = 0 end

function request()
  local pick = math.random(total)
  for _, r in ipairs(mix) do
    pick = pick - r.weight
    if pick <= 0 then
      local headers = { ["Content-Type"] = "application/json" }
      if r.token then headers["Authorization"] = "Bearer " .. r.token end
      if r.cookie then headers["Cookie"] = r.cookie end
      return wrk.format(r.method, r.path, headers, r.body)
    end
  end
end

-- 503 ("the database cannot be reached just now") is counted apart: it is the right answer
-- while PostgreSQL is down (scripts/load --outage), and a failure in any other run.
function response(status)
  if status == 503 then unavailable = unavailable + 1
  elseif status >= 500 then server_errors = server_errors + 1
  elseif status >= 400 then client_errors = client_errors + 1 end
end

function done(summary, latency)
  local server, unavailable_total, client = 0, 0, 0
  for _, t in ipairs(threads) do
    server = server + t:get("server_errors")
    unavailable_total = unavailable_total + t:get("unavailable")
    client = client + t:get("client_errors")
  end
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.0f server_errors=%d unavailable=%d client_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, server,
    unavailable_total, client,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
