import Foundation
import HTTPServer
import VendCore

extension VendSimulator {
    func makeRouter() -> Router {
        var router = Router()
        let gate = ClosureMiddleware { [self] request, next in
            handlers.enter()
            defer { handlers.leave() }
            return try next(request)
        }
        router.group(options.basePath, middleware: [gate]) { group in
            group.post("/creditvend") { [self] request in
                if let refusal = authorize(request) { return refusal }
                let fields = (try? JSONDecoder().decode(CreditVendFields.self, from: Data(request.body)))
                    ?? CreditVendFields(meterNumber: nil, transactionAmount: nil, clientSaleId: nil)
                let answer = state.withLock { $0.creditVend(fields, now: Date()) }
                handlers.sleep(milliseconds: answer.delayMs)
                return try Response.json(answer.body, status: answer.status)
            }
            group.post("/trialvend") { [self] request in
                if let refusal = authorize(request) { return refusal }
                return try trialVend(request)
            }
            group.post("/advice") { [self] request in
                if let refusal = authorize(request) { return refusal }
                let body = try? JSONDecoder().decode(PrepaidPlusWire.AdviceBody.self, from: Data(request.body))
                let answer = state.withLock { $0.advice(clientSaleId: body?.clientSaleId) }
                handlers.sleep(milliseconds: answer.delayMs)
                return try Response.json(answer.body, status: answer.status)
            }
        }
        router.get("/_sim/stats") { [self] _ in try Response.json(stats) }
        router.get("/_sim/sales") { [self] _ in
            let summary = records.mapValues { record -> String in
                switch record {
                case .sold(let sale): "sold \(sale.receiptNumber)"
                case .refused(let fault): "refused \(fault.code)"
                }
            }
            return try Response.json(["sales": summary, "creditVends": creditVendsBySaleID.mapValues { String($0) }])
        }
        router.post("/_sim/knobs") { [self] request in
            let update = try request.decodeJSON(KnobsUpdate.self)
            state.withLock { update.apply(to: &$0.options.knobs) }
            return Response.empty()
        }
        router.get("/_sim/knobs") { [self] _ in try Response.json(knobs) }
        return router
    }

    /// `Authorization: Basic base64(apiKey:password)`, else PrepaidPlus' authentication faults (401).
    func authorize(_ request: Request) -> Response? {
        let fault: ProviderFault
        if let header = request.headers["Authorization"], header.hasPrefix("Basic ") {
            let decoded = Data(base64Encoded: String(header.dropFirst(6))).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let parts = decoded.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2, parts[0] == options.apiKey, parts[1] == options.password { return nil }
            fault = parts.first == options.apiKey
                ? ProviderFault(code: "03", message: "Invalid API Password", description: "Unable to authenticate supplied password.")
                : ProviderFault(code: "02", message: "Invalid API key", description: "Unable to authenticate supplied API key.")
        } else {
            fault = ProviderFault(code: "11", message: "Authorisation failed", description: "Authorisation Header is not provided")
        }
        return try? Response.json(PrepaidPlusWire.Answer.fault(fault), status: 401)
    }

    /// Checks a meter and amount without selling (PrepaidPlus' trial credit vend).
    private func trialVend(_ request: Request) throws -> Response {
        let fields = (try? JSONDecoder().decode(CreditVendFields.self, from: Data(request.body)))
        guard let meterNumber = fields?.meterNumber, let amount = fields?.transactionAmount else {
            return try Response.json(PrepaidPlusWire.Answer.fault(VendSimulatorState.missingField(
                fields ?? CreditVendFields(meterNumber: nil, transactionAmount: nil, clientSaleId: nil)) ?? VendSimulatorState.unexpected),
                status: 400)
        }
        let known = state.withLock { $0.options.meters[meterNumber] }
        let name: String
        if let known, known.behaviour == .sells {
            name = known.customerName
        } else if known == nil, options.sellsToAnyValidMeter, Luhn.isValid(meterNumber) {
            name = "Customer \(meterNumber.suffix(4))"
        } else {
            return try Response.json(PrepaidPlusWire.Answer.fault(ProviderFault(code: "203", message: "Vendor Error",
                                                                                description: "Meter not found")), status: 400)
        }
        return try Response.json(TrialAnswer(code: PrepaidPlusWire.successCode, response: "Successful",
                                             clientSaleId: fields?.clientSaleId, transactionAmount: amount,
                                             custVendDetail: .init(name: name, meterNumber: meterNumber, amtTendered: amount)))
    }

    /// `POST /_sim/knobs`: the knobs given change, the others stay.
    private struct KnobsUpdate: Decodable {
        var latencyMs: Int?
        var failureRate: Double?
        var failAfterSaleRate: Double?
        var timeoutAfterSaleRate: Double?
        var timeoutWithoutSaleRate: Double?
        var hangMs: Int?
        var keyChangeRate: Double?
        var adviceFailureRate: Double?

        func apply(to knobs: inout VendSimulatorKnobs) {
            if let latencyMs { knobs.latencyMs = max(0, latencyMs) }
            if let failureRate { knobs.failureRate = failureRate }
            if let failAfterSaleRate { knobs.failAfterSaleRate = failAfterSaleRate }
            if let timeoutAfterSaleRate { knobs.timeoutAfterSaleRate = timeoutAfterSaleRate }
            if let timeoutWithoutSaleRate { knobs.timeoutWithoutSaleRate = timeoutWithoutSaleRate }
            if let hangMs { knobs.hangMs = max(0, hangMs) }
            if let keyChangeRate { knobs.keyChangeRate = keyChangeRate }
            if let adviceFailureRate { knobs.adviceFailureRate = adviceFailureRate }
        }
    }

    private struct TrialAnswer: Encodable {
        struct Detail: Encodable {
            let name: String
            let meterNumber: String
            let amtTendered: Int
        }

        let code: String
        let response: String
        let clientSaleId: String?
        let transactionAmount: Int
        let custVendDetail: Detail
    }
}
