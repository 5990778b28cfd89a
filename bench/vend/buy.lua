-- wrk script: each request buys with the next prepared (transID, elec_token) of this thread's
-- share of tokens.txt, so no transID is bought twice. wrk runs for its whole -d, so the share must
-- outlast it: a thread that runs out repeats its last purchase (a replay, not a buy) and says so
-- in the RESULT line (exhausted=), which makes the round's figures unusable.
local threads = {}
local counter = 0

function setup(thread)
    thread:set("index", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

function init(args)
    local total = tonumber(args[1])
    local apiToken = args[2]
    purchases = {}
    local line = 0
    for text in io.lines(args[3]) do
        if line % total == index then
            local transID, elec = text:match("^(%S+) (%S+)$")
            table.insert(purchases, {transID, elec})
        end
        line = line + 1
    end
    nextPurchase = 1
    exhausted = 0
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. apiToken
end

function request()
    local p = purchases[nextPurchase]
    if p == nil then
        exhausted = 1
        p = purchases[#purchases]
    else
        nextPurchase = nextPurchase + 1
    end
    local body = string.format('{"transID": "%s", "meterNumber": "04040404040", "amount": 50, "elec_token": "%s"}', p[1], p[2])
    return wrk.format("POST", "/api/buyelectricityprod", nil, body)
end

function done(summary, latency, requests)
    local ranOut = 0
    for _, thread in ipairs(threads) do ranOut = ranOut + thread:get("exhausted") end
    io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f mean_ms=%.2f errors=%d exhausted=%d\n",
        summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        latency.mean / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        ranOut))
end
