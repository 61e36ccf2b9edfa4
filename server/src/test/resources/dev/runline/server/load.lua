-- LoadTest's wrk script: args are the API key and the endpoint. Each connection mixes
-- /run, /runsync, /status (of jobs /runsync accepted) and /health on that endpoint, and
-- counts the answers by kind. done() prints one line: RESULT name=value ...
--
-- Which route an answer belongs to is read from its body, since wrk's response() is not
-- told: /run answers {"id":"<uuid>","status":"IN_QUEUE"}; /runsync ids start with "sync-"
-- (a new one is an accepted job, one seen before is a /status answer); /health has "jobs".

threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  endpoint = args[2]
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  wrk.headers["Content-Type"] = "application/json"
  counter = 0
  run200, runsync200, status200, health200, other200 = 0, 0, 0, 0, 0
  s4xx, s429, noRetryAfter, s5xx = 0, 0, 0, 0
  recent, recentN = {}, 0
  seenA, seenB, seenN = {}, {}, 0
end

function request()
  counter = counter + 1
  local k = counter % 10
  local body = '{"input":{"n":' .. counter .. '}}'
  if k < 4 then
    return wrk.format("POST", "/v2/" .. endpoint .. "/run", nil, body)
  elseif k < 6 then
    return wrk.format("POST", "/v2/" .. endpoint .. "/runsync?wait=5000", nil, body)
  elseif k < 9 then
    local id = "00000000-0000-0000-0000-000000000000"
    if recentN > 0 then
      id = recent[(counter % math.min(recentN, 64)) + 1]
    end
    return wrk.format("GET", "/v2/" .. endpoint .. "/status/" .. id)
  else
    return wrk.format("GET", "/v2/" .. endpoint .. "/health")
  end
end

function response(status, headers, body)
  if status >= 500 then
    s5xx = s5xx + 1
  elseif status == 429 then
    s429 = s429 + 1
    if headers["Retry-After"] == nil and headers["retry-after"] == nil then
      noRetryAfter = noRetryAfter + 1
    end
  elseif status >= 400 then
    s4xx = s4xx + 1
  elseif status == 200 then
    local sid = string.match(body, '^{"id":"(sync%-[%x%-]+)"')
    if sid then
      if seenA[sid] or seenB[sid] then
        status200 = status200 + 1
      else
        runsync200 = runsync200 + 1
        seenA[sid] = true
        seenN = seenN + 1
        if seenN >= 10000 then
          seenB, seenA, seenN = seenA, {}, 0
        end
        recentN = recentN + 1
        recent[((recentN - 1) % 64) + 1] = sid
      end
    elseif string.match(body, '^{"id":"[%x%-]+","status":"IN_QUEUE"}$') then
      run200 = run200 + 1
    elseif string.find(body, '"jobs"', 1, true) then
      health200 = health200 + 1
    else
      other200 = other200 + 1
    end
  end
end

function done(summary, latency, requests)
  local names = {"run200", "runsync200", "status200", "health200", "other200", "s4xx", "s429", "noRetryAfter", "s5xx"}
  local totals = {}
  for _, name in ipairs(names) do
    totals[name] = 0
    for _, thread in ipairs(threads) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d connect_errors=%d"
      .. " read_errors=%d write_errors=%d timeouts=%d", summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(99), latency.max, summary.errors.connect,
      summary.errors.read, summary.errors.write, summary.errors.timeout))
  for _, name in ipairs(names) do
    io.write(" " .. name .. "=" .. totals[name])
  end
  io.write("\n")
end
