-- wrk script: credit vends straight to vend-sim, each with a fresh clientSaleId (the provider's
-- own cost, for comparison with a buy through tradingd). args[1] names the round, so that no
-- round repeats another's clientSaleIds (the simulator refuses a repeated one).
local counter = 0

function setup(thread)
    thread:set("threadIndex", counter)
    counter = counter + 1
end

function init(args)
    prefix = "D" .. (args[1] or "") .. "-" .. threadIndex .. "-"
    sequence = 0
    wrk.headers["Content-Type"] = "application/json"
    -- base64("vend-sim:vend-sim-password")
    wrk.headers["Authorization"] = "Basic dmVuZC1zaW06dmVuZC1zaW0tcGFzc3dvcmQ="
end

function request()
    sequence = sequence + 1
    local body = string.format('{"meterNumber": "04040404040", "transactionAmount": 50, "clientSaleId": "%s%d", "outletId": "b", "operatorId": "b", "terminalId": "b"}',
        prefix, sequence)
    return wrk.format("POST", "/apimanager/rest/basic/v1/electricity/creditvend", nil, body)
end

function done(summary, latency, requests)
    io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f mean_ms=%.2f errors=%d\n",
        summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        latency.mean / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
