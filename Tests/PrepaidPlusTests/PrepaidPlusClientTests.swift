import Foundation
import OutboundHTTP
import OutboundTestSupport
import PrepaidPlus
import Testing
import VendCore
import VendSimulator

/// The PrepaidPlus client against the simulator over real HTTP: every way a credit vend can end,
/// and the advice that settles the unknown ones.
@Suite(.timeLimit(.minutes(2)))
struct PrepaidPlusClientTests {
    let simulator: VendSimulator
    let client: PrepaidPlusClient

    init() throws {
        simulator = VendSimulator()
        try simulator.start()
        client = try Self.client(for: simulator)
    }

    static func client(for simulator: VendSimulator, password: String = "vend-sim-password", timeout: Duration = .seconds(2)) throws -> PrepaidPlusClient {
        let urlGuard = try OutboundURLGuard(privateAllowList: "127.0.0.1:\(simulator.port!)")
        let account = PrepaidPlusAccount(baseURL: try urlGuard.check(url: simulator.baseURL), apiKey: "vend-sim", password: password,
                                         outletID: "outlet-1", operatorID: "op-1", terminalID: "web")
        return PrepaidPlusClient(account: account, http: OutboundHTTPClient(urlGuard: urlGuard),
                                 timeouts: .init(connect: .seconds(1), request: timeout))
    }

    private func request(_ id: String, meter: String = "04040404040", amount: Int = 50) -> CreditVendRequest {
        CreditVendRequest(clientSaleID: id, meterNumber: meter, amount: amount)
    }

    @Test func sellsAndTheAdviceReturnsTheSameSale() throws {
        defer { simulator.stop() }
        guard case .sold(let sale) = client.creditVend(request("PP-1")) else { Issue.record("no sale"); return }
        guard case .sold(let recorded)? = simulator.records["PP-1"] else { Issue.record("the simulator has no sale"); return }
        #expect(sale == recorded)
        #expect(sale.amountTendered == 50 && sale.costOfUnits + sale.fees == 50)
        #expect(client.advice(clientSaleID: "PP-1") == .sold(sale))
        guard case .noSale(let fault) = client.advice(clientSaleID: "PP-none") else { Issue.record("advice invented a sale"); return }
        #expect(fault.code == "209")
    }

    @Test func faultsAreRefusals() throws {
        defer { simulator.stop() }
        #expect(client.creditVend(request("PP-2", meter: "04040404453"))
                == .refused(ProviderFault(code: "203", message: "Vendor Error", description: "Blocked customer")))
        guard case .refused(let auth) = try Self.client(for: simulator, password: "wrong").creditVend(request("PP-3")) else {
            Issue.record("a wrong password sold"); return
        }
        #expect(auth.code == "03")
        #expect(simulator.stats.salesMade == 0)
    }

    @Test func aTimeoutAfterTheSaleIsUnknownAndTheAdviceFindsIt() throws {
        defer { simulator.stop() }
        var knobs = VendSimulatorKnobs()
        knobs.timeoutAfterSaleRate = 1
        knobs.hangMs = 5_000
        simulator.knobs = knobs
        let client = try Self.client(for: simulator, timeout: .milliseconds(500))
        guard case .unknown = client.creditVend(request("PP-4")) else { Issue.record("not unknown"); return }
        simulator.knobs = VendSimulatorKnobs()
        guard case .sold(let sale) = client.advice(clientSaleID: "PP-4") else { Issue.record("the advice did not find the sale"); return }
        #expect(sale.clientSaleID == "PP-4")
    }

    @Test func aTimeoutWithoutASaleIsUnknownAndTheAdviceSaysNoSale() throws {
        defer { simulator.stop() }
        var knobs = VendSimulatorKnobs()
        knobs.timeoutWithoutSaleRate = 1
        knobs.hangMs = 5_000
        simulator.knobs = knobs
        let client = try Self.client(for: simulator, timeout: .milliseconds(500))
        guard case .unknown = client.creditVend(request("PP-5")) else { Issue.record("not unknown"); return }
        simulator.knobs = VendSimulatorKnobs()
        guard case .noSale = client.advice(clientSaleID: "PP-5") else { Issue.record("a sale was found"); return }
    }

    @Test func fiveHundredsAreUnknownWhetherOrNotTheSaleWasMade() throws {
        defer { simulator.stop() }
        simulator.knobs.failAfterSaleRate = 1
        guard case .unknown(let reason) = client.creditVend(request("PP-6")) else { Issue.record("not unknown"); return }
        #expect(reason.contains("500"))
        simulator.knobs = VendSimulatorKnobs()
        simulator.knobs.failureRate = 1
        guard case .unknown = client.creditVend(request("PP-7")) else { Issue.record("not unknown"); return }
        simulator.knobs = VendSimulatorKnobs()
        guard case .sold = client.advice(clientSaleID: "PP-6") else { Issue.record("PP-6 was sold"); return }
        guard case .noSale = client.advice(clientSaleID: "PP-7") else { Issue.record("PP-7 was not sold"); return }
        simulator.knobs.adviceFailureRate = 1
        guard case .unavailable = client.advice(clientSaleID: "PP-6") else { Issue.record("a failed advice settled"); return }
    }

    @Test func aProviderThatCannotBeReachedIsARefusalNothingWasSent() throws {
        let port = simulator.port!
        simulator.stop()
        guard case .refused(let fault) = client.creditVend(request("PP-8")) else { Issue.record("not refused"); return }
        #expect(fault.code == "NOT_SENT")
        guard case .unavailable = client.advice(clientSaleID: "PP-8") else { Issue.record("advice answered"); return }
        #expect(port > 0)
    }

    @Test func theGuardRefusesAnAddressThatIsNotAllowListed() throws {
        defer { simulator.stop() }
        let strict = OutboundURLGuard()
        #expect(throws: OutboundURLError.self) { try strict.check(url: simulator.baseURL) }
    }
}

/// The simulator's test hooks over HTTP.
@Suite(.timeLimit(.minutes(1)))
struct VendSimulatorHooksTests {
    @Test func knobsChangeOnlyWhatIsGivenAndStatsCountCalls() throws {
        let simulator = VendSimulator()
        try simulator.start()
        defer { simulator.stop() }
        simulator.knobs.failureRate = 0.25
        let port = simulator.port!
        let http = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(port)"))
        let set = try http.send(HTTPClientRequest(method: "POST", scheme: "http", host: "127.0.0.1", port: port, path: "/_sim/knobs",
                                                  headers: [("Content-Type", "application/json")], body: Array(#"{"latencyMs": 7}"#.utf8)))
        #expect(set.status == 204)
        #expect(simulator.knobs.latencyMs == 7 && simulator.knobs.failureRate == 0.25)
        let stats = try http.send(HTTPClientRequest(method: "GET", scheme: "http", host: "127.0.0.1", port: port, path: "/_sim/stats"))
        let decoded = try JSONDecoder().decode(VendSimulatorStats.self, from: Data(stats.body))
        #expect(decoded == simulator.stats)
    }
}
