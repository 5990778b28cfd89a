import Foundation
import OutboundHTTP
import OutboundTestSupport
import PrepaidPlus
import Testing
import VendCore
import VendSimulator

/// `creditvend` over HTTPS with Basic authentication, through a TLS front (certificates made at
/// test time) that passes requests on to the simulator, or drops the connection after the
/// simulator sold, as a network can.
@Suite(.timeLimit(.minutes(2)))
struct PrepaidPlusHTTPSTests {
    static let name = TestCertificates.serverName

    /// A TLS server on loopback that forwards each request to `simulator` and answers with its
    /// answer, or closes without answering when `drop` says so.
    final class Front: Sendable {
        let server: RawHTTPServer
        let heads = Recorder()

        init(simulator: VendSimulator, drop: @escaping @Sendable (String) -> Bool) throws {
            let plain = OutboundHTTPClient(urlGuard: try OutboundURLGuard(privateAllowList: "127.0.0.1:\(simulator.port!)"))
            let port = simulator.port!
            let heads = heads
            server = try RawHTTPServer(tls: try TestCertificates.shared().server.serverContext()) { head, body in
                heads.add(head)
                let lines = head.split(separator: "\r\n").map(String.init)
                let path = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
                let authorization = lines.first { $0.lowercased().hasPrefix("authorization:") }
                    .map { String($0.dropFirst("authorization:".count)).trimmingCharacters(in: .whitespaces) }
                var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
                if let authorization { headers.append(("Authorization", authorization)) }
                let answer = try? plain.send(HTTPClientRequest(method: "POST", scheme: "http", host: "127.0.0.1", port: port,
                                                               path: path, headers: headers, body: body))
                if drop(path) { return RawHTTPServer.Answer(bytes: [], close: true) }
                guard let answer else { return RawHTTPServer.answer(status: 502, body: "no simulator") }
                return RawHTTPServer.answer(status: answer.status, headers: ["Content-Type: application/json"], body: answer.body)
            }
        }
    }

    final class Recorder: Sendable {
        private let items = Mutex<[String]>([])
        func add(_ item: String) { items.withLock { $0.append(item) } }
        var all: [String] { items.withLock { $0 } }
    }

    private func client(port: Int) throws -> PrepaidPlusClient {
        let certificates = try TestCertificates.shared()
        let urlGuard = try OutboundURLGuard(privateAllowList: "\(Self.name):\(port)") { _ in [IPAddress(v4: 127, 0, 0, 1)] }
        let base = try urlGuard.check(url: "https://\(Self.name):\(port)/apimanager/rest/basic/v1/electricity")
        let account = PrepaidPlusAccount(baseURL: base, apiKey: "vend-sim", password: "vend-sim-password", outletID: "outlet-9",
                                         operatorID: "op-9", terminalID: "term-9")
        return PrepaidPlusClient(account: account, http: OutboundHTTPClient(urlGuard: urlGuard, trust: try OutboundTrust.certificateFile(certificates.caFile)),
                                 timeouts: .init(connect: .seconds(2), request: .seconds(5)))
    }

    @Test func sellsOverHTTPSWithBasicAuthAndTheDocumentedFields() throws {
        let simulator = VendSimulator()
        try simulator.start()
        defer { simulator.stop() }
        let front = try Front(simulator: simulator) { _ in false }
        let client = try client(port: front.server.port)
        guard case .sold(let sale) = client.creditVend(CreditVendRequest(clientSaleID: "TLS-1", meterNumber: "94949494949", amount: 20)) else {
            Issue.record("no sale over HTTPS"); return
        }
        #expect(sale.amountTendered == 20 && sale.meter.number == "94949494949")
        let head = try #require(front.heads.all.first)
        #expect(head.hasPrefix("POST /apimanager/rest/basic/v1/electricity/creditvend HTTP/1.1"))
        let expected = Data("vend-sim:vend-sim-password".utf8).base64EncodedString()
        #expect(head.contains("\r\nAuthorization: Basic \(expected)"))
        guard case .sold = client.advice(clientSaleID: "TLS-1") else { Issue.record("advice over HTTPS failed"); return }
    }

    @Test func aConnectionLostAfterTheSaleIsUnknownAndTheAdviceFindsTheSale() throws {
        let simulator = VendSimulator()
        try simulator.start()
        defer { simulator.stop() }
        let front = try Front(simulator: simulator) { path in path.hasSuffix("/creditvend") }
        let client = try client(port: front.server.port)
        guard case .unknown(let reason) = client.creditVend(CreditVendRequest(clientSaleID: "TLS-2", meterNumber: "04040404040", amount: 50)) else {
            Issue.record("a lost answer was not unknown"); return
        }
        #expect(!reason.isEmpty)
        #expect(simulator.stats.salesMade == 1)
        guard case .sold(let sale) = client.advice(clientSaleID: "TLS-2") else { Issue.record("the advice did not find the sale"); return }
        #expect(sale.clientSaleID == "TLS-2")
    }
}

import Synchronization
