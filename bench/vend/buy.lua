-- wrk script: each request buys with the next prepared (transID, elec_token) of this thread's
-- share of tokens.txt; a thread stops when its share is used up, so no transID is bought twice.
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
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. apiToken
    statuses = {}
end

function request()
    local p = purchases[nextPurchase]
    if p == nil then
        wrk.thread:stop()
        p = purchases[#purchases]
    end
    nextPurchase = nextPurchase + 1
    local body = string.format('{"transID": "%s", "meterNumber": "04040404040", "amount": 50, "elec_token": "%s"}', p[1], p[2])
    return wrk.format("POST", "/api/buyelectricityprod", nil, body)
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f mean_ms=%.2f errors=%d\n",
        summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        latency.mean / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
