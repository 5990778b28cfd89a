import Foundation
import VendCore

/// Counters for tests and benchmarks.
public struct VendSimulatorStats: Sendable, Equatable, Codable {
    /// Credit vends received (the injected failures included).
    public var creditVends = 0
    public var salesMade = 0
    public var faults = 0
    public var injectedFailures = 0
    public var adviceCalls = 0

    public init() {}
}

/// What the simulator remembers of one clientSaleId.
public enum SimulatedSaleRecord: Sendable, Equatable {
    case sold(VendSale)
    case refused(ProviderFault)
}

/// The simulator's books: every sale and fault by clientSaleId, and the counters. Decisions are
/// made here under the simulator's lock; sleeping happens outside it.
struct VendSimulatorState {
    var options: VendSimulatorOptions
    var stats = VendSimulatorStats()
    var records: [String: SimulatedSaleRecord] = [:]
    /// How many credit vends arrived per clientSaleId (a provider must see each once).
    var creditVendsBySaleID: [String: Int] = [:]
    private var nextReceipt = Int.random(in: 100_000_000..<800_000_000)

    init(options: VendSimulatorOptions) { self.options = options }

    /// What a credit vend answers, and how long it waits before answering.
    struct Answer {
        var status: Int
        var body: PrepaidPlusWire.Answer
        var delayMs: Int
    }

    mutating func creditVend(_ body: CreditVendFields, now: Date) -> Answer {
        stats.creditVends += 1
        let knobs = options.knobs
        let latency = knobs.latencyMs
        if Self.happens(knobs.failureRate) {
            stats.injectedFailures += 1
            return Answer(status: 503, body: .fault(Self.unexpected), delayMs: latency)
        }
        if Self.happens(knobs.timeoutWithoutSaleRate) {
            stats.injectedFailures += 1
            return Answer(status: 504, body: .fault(Self.unexpected), delayMs: latency + knobs.hangMs)
        }
        if let fault = Self.missingField(body) { return refuse(fault, saleID: nil, latency: latency) }
        guard let saleID = body.clientSaleId, let meterNumber = body.meterNumber, let amount = body.transactionAmount else {
            return refuse(Self.unexpected, saleID: nil, latency: latency)
        }
        creditVendsBySaleID[saleID, default: 0] += 1
        if records[saleID] != nil {
            return refuse(ProviderFault(code: "210", message: "Duplicate clientSaleId",
                                        description: "A sale with this clientSaleId was processed already."), saleID: nil, latency: latency)
        }
        guard (1...5_000).contains(amount) else {
            return refuse(ProviderFault(code: "206", message: "Minimum/Maximum amount error",
                                        description: "Amount requested is either less or more than the allowed amount."),
                          saleID: saleID, latency: latency)
        }
        let meter: SimulatedMeter
        switch lookUp(meterNumber) {
        case .failure(let fault): return refuse(fault, saleID: saleID, latency: latency)
        case .success(let found): meter = found
        }
        let sale = makeSale(saleID: saleID, meterNumber: meterNumber, amount: amount, meter: meter, now: now)
        records[saleID] = .sold(sale)
        stats.salesMade += 1
        if Self.happens(knobs.failAfterSaleRate) {
            stats.injectedFailures += 1
            return Answer(status: 500, body: .fault(Self.unexpected), delayMs: latency)
        }
        let answer = Self.answer(for: sale)
        if Self.happens(knobs.timeoutAfterSaleRate) {
            stats.injectedFailures += 1
            return Answer(status: 200, body: answer, delayMs: latency + knobs.hangMs)
        }
        return Answer(status: 200, body: answer, delayMs: latency)
    }

    /// PrepaidPlus' "last response": the sale under `clientSaleId`, or 209 when none was made.
    mutating func advice(clientSaleId: String?) -> Answer {
        stats.adviceCalls += 1
        let latency = options.knobs.latencyMs
        if Self.happens(options.knobs.adviceFailureRate) {
            stats.injectedFailures += 1
            return Answer(status: 503, body: .fault(Self.unexpected), delayMs: latency)
        }
        guard let clientSaleId, !clientSaleId.isEmpty else {
            return Answer(status: 400, body: .fault(ProviderFault(code: "102", message: "ClientSaleId is missing",
                                                                  description: "clientSaleId is not provided.")), delayMs: latency)
        }
        switch records[clientSaleId] {
        case .sold(let sale)?:
            return Answer(status: 200, body: Self.answer(for: sale), delayMs: latency)
        case .refused(let fault)?:
            return Answer(status: 400, body: .fault(ProviderFault(code: PrepaidPlusWire.noSaleCode, message: "No last response found",
                                                                  description: "No sale was made: \(fault.description)")), delayMs: latency)
        case nil:
            return Answer(status: 400, body: .fault(ProviderFault(
                code: PrepaidPlusWire.noSaleCode, message: "No last response found",
                description: "The server did not process the requested transaction. No sale was made")), delayMs: latency)
        }
    }

    private mutating func refuse(_ fault: ProviderFault, saleID: String?, latency: Int) -> Answer {
        stats.faults += 1
        if let saleID { records[saleID] = .refused(fault) }
        return Answer(status: fault.code == "06" ? 500 : 400, body: .fault(fault), delayMs: latency)
    }

    private func lookUp(_ meterNumber: String) -> Result<SimulatedMeter, ProviderFault> {
        if let meter = options.meters[meterNumber] {
            switch meter.behaviour {
            case .sells: return .success(meter)
            case .blocked: return .failure(ProviderFault(code: "203", message: "Vendor Error", description: "Blocked customer"))
            case .notFound: return .failure(ProviderFault(code: "203", message: "Vendor Error", description: "Meter not found"))
            }
        }
        guard Luhn.isValid(meterNumber), [11, 13].contains(meterNumber.utf8.count) else {
            return .failure(ProviderFault(code: "203", message: "Vendor Error", description: "Failed Luhn Check"))
        }
        guard options.sellsToAnyValidMeter else {
            return .failure(ProviderFault(code: "203", message: "Vendor Error", description: "Meter not found"))
        }
        return .success(SimulatedMeter(customerName: "Customer \(meterNumber.suffix(4))", accountNumber: "ACC" + meterNumber.prefix(7)))
    }

    private mutating func makeSale(saleID: String, meterNumber: String, amount: Int, meter: SimulatedMeter, now: Date) -> VendSale {
        nextReceipt += 1
        var meter = meter
        let keyChange = meter.keyChangeDue || Self.happens(options.knobs.keyChangeRate)
        if keyChange {
            meter.krn = String((Int(meter.krn) ?? 1) + 1)
            meter.keyChangeDue = false
            if options.meters[meterNumber] != nil { options.meters[meterNumber] = meter }
        }
        let tendered = Decimal(amount)
        let split = meter.tariff.split(tendered)
        return VendSale(
            providerTransactionID: Self.randomHex(20), clientSaleID: saleID, receiptNumber: String(nextReceipt),
            date: options.dates.string(from: now), customerName: meter.customerName, accountNumber: meter.accountNumber,
            locationReference: "GAB-" + meterNumber.suffix(3), clientID: options.clientID, utilityVATNumber: "P03625401112",
            tariffName: meter.tariff.name,
            meter: VendMeterDetails(number: meterNumber, sgc: meter.sgc, ti: meter.ti, krn: meter.krn, tt: "02", alg: "07"),
            amountTendered: tendered, costOfUnits: split.costOfUnits, standardCharge: split.standardCharge,
            governmentLevy: split.governmentLevy, vat: split.vat, units: "\(split.units)",
            keyChangeTokens: keyChange ? [Self.randomToken(), Self.randomToken()] : [], creditToken: Self.randomToken(),
            tariffBlocks: [VendTariffBlock(units: split.units, rate: meter.tariff.rate)])
    }

    static func answer(for sale: VendSale) -> PrepaidPlusWire.Answer {
        PrepaidPlusWire.Answer(code: PrepaidPlusWire.successCode, response: "Successful", transactionId: sale.providerTransactionID,
                               clientSaleId: sale.clientSaleID, transactionAmount: sale.amountTendered,
                               creditVendReceipt: PrepaidPlusWire.Receipt(sale))
    }

    static let unexpected = ProviderFault(code: "06", message: "Unexpected Error", description: "An unexpected exception has occurred.")

    static func missingField(_ body: CreditVendFields) -> ProviderFault? {
        func missing(_ value: String?) -> Bool { value?.isEmpty ?? true }
        if missing(body.clientSaleId) { return ProviderFault(code: "102", message: "clientSaleId missing", description: "Missing a mandatory field - clientSaleId") }
        if missing(body.outletId) { return ProviderFault(code: "103", message: "outletId missing", description: "Missing a mandatory field - outletId") }
        if missing(body.operatorId) { return ProviderFault(code: "105", message: "operatorId missing", description: "Missing a mandatory field - operatorId") }
        if missing(body.meterNumber) { return ProviderFault(code: "106", message: "meterNumber missing", description: "Meter number is not provided.") }
        if body.transactionAmount == nil {
            return ProviderFault(code: "107", message: "transactionAmount missing", description: "Transaction purchase amount is not provided.")
        }
        return nil
    }

    static func happens(_ rate: Double) -> Bool { rate > 0 && Double.random(in: 0..<1) < rate }

    /// A 66-bit number (what an STS token carries) as 20 decimal digits.
    static func randomToken() -> STSTokenCode {
        let value = Decimal(UInt64.random(in: 0...3)) * Decimal(string: "18446744073709551616")! + Decimal(UInt64.random(in: .min ... .max))
        var digits = NSDecimalNumber(decimal: value).stringValue
        while digits.count < 20 { digits = "0" + digits }
        return STSTokenCode(digits)!
    }

    static func randomHex(_ count: Int) -> String {
        String((0..<count).map { _ in "0123456789abcdef".randomElement()! })
    }
}

/// A credit vend body as received: every field optional, so a missing one gets its own fault code.
struct CreditVendFields: Decodable {
    var meterNumber: String?
    var transactionAmount: Int?
    var clientSaleId: String?
    var outletId: String?
    var operatorId: String?
    var terminalId: String?

    init(meterNumber: String?, transactionAmount: Int?, clientSaleId: String?) {
        self.meterNumber = meterNumber
        self.transactionAmount = transactionAmount
        self.clientSaleId = clientSaleId
    }

    init(_ request: CreditVendRequest, outletId: String = "sim-outlet", operatorId: String = "sim-operator") {
        meterNumber = request.meterNumber
        transactionAmount = request.amount
        clientSaleId = request.clientSaleID
        self.outletId = outletId
        self.operatorId = operatorId
        terminalId = "sim-terminal"
    }
}
