import Foundation
import Observability
import OutboundHTTP
import VendCore

/// The PrepaidPlus PWS electricity API as a `VendProvider`: `creditvend` to sell and `advice`
/// ("last response") to learn what became of a sale whose answer was lost, over the project's
/// outbound client (the URL guard's checked address, TLS from libssl, no redirects) with Basic
/// authentication.
///
/// How a credit vend's ending maps (docs/VEND.md): a success answer with a readable receipt is a
/// sale; a fault answer (`code` other than "0") is a refusal, except 06 "Unexpected Error", which
/// may have come mid-sale; a request that certainly never left (refused connection, the guard,
/// TLS before sending) is a refusal; a timeout, a 5xx, a connection lost after sending or an
/// answer that cannot be read is unknown, for `advice` to settle.
public final class PrepaidPlusClient: VendProvider {
    /// "prepaidplus"; the client of an out-of-process simulator is named "simulator".
    public let name: String
    public let account: PrepaidPlusAccount
    private let http: OutboundHTTPClient
    private let timeouts: OutboundHTTPClient.Timeouts
    private let logger: Logger

    /// - Parameter timeouts: the whole exchange must end well within the vend settings'
    ///   `providerCallLease`.
    public init(account: PrepaidPlusAccount, http: OutboundHTTPClient,
                timeouts: OutboundHTTPClient.Timeouts = .init(connect: .seconds(5), request: .seconds(30)), name: String = "prepaidplus",
                logger: Logger = .silent) {
        self.name = name
        self.account = account
        self.http = http
        self.timeouts = timeouts
        self.logger = logger
    }

    public func creditVend(_ request: CreditVendRequest) -> CreditVendOutcome {
        let body = PrepaidPlusWire.CreditVendBody(
            meterNumber: request.meterNumber, transactionAmount: request.amount, clientSaleId: request.clientSaleID,
            outletId: account.outletID, operatorId: account.operatorID, terminalId: account.terminalID)
        let response: HTTPClientResponse
        do {
            response = try post("creditvend", body)
        } catch {
            guard error.mayHaveBeenSent else {
                return .refused(ProviderFault(code: "NOT_SENT", message: "The provider could not be reached",
                                              description: "The purchase was not sent to the provider: \(error.message)"))
            }
            return .unknown(reason: "creditvend \(error.kind): \(error.message)")
        }
        if response.status >= 500 { return .unknown(reason: "creditvend answered HTTP \(response.status)") }
        guard let answer = try? JSONDecoder().decode(PrepaidPlusWire.Answer.self, from: Data(response.body)) else {
            guard (200...299).contains(response.status) else {
                // A gateway's or proxy's refusal: the provider's application never took the sale.
                return .refused(ProviderFault(code: "HTTP_\(response.status)", message: "The provider refused the request",
                                              description: "The provider answered HTTP \(response.status) without a PrepaidPlus answer"))
            }
            return .unknown(reason: "creditvend answered HTTP \(response.status) with a body that is not a PrepaidPlus answer")
        }
        if let fault = answer.fault {
            return fault.code == "06" ? .unknown(reason: "creditvend fault 06 \(fault.message)") : .refused(fault)
        }
        switch answer.sale(expectedClientSaleID: request.clientSaleID) {
        case .success(let sale): return .sold(sale)
        case .failure(let error): return .unknown(reason: "creditvend success answer unreadable: \(error.reason)")
        }
    }

    public func advice(clientSaleID: String) -> AdviceOutcome {
        let response: HTTPClientResponse
        do {
            response = try post("advice", PrepaidPlusWire.AdviceBody(clientSaleId: clientSaleID, outletId: account.outletID))
        } catch {
            return .unavailable(reason: "advice \(error.kind): \(error.message)")
        }
        if response.status >= 500 { return .unavailable(reason: "advice answered HTTP \(response.status)") }
        guard let answer = try? JSONDecoder().decode(PrepaidPlusWire.Answer.self, from: Data(response.body)) else {
            return .unavailable(reason: "advice answered HTTP \(response.status) with a body that is not a PrepaidPlus answer")
        }
        if let fault = answer.fault {
            // 209: no sale was made; 208: no transaction under that id at all (the request never got there).
            if fault.code == PrepaidPlusWire.noSaleCode || fault.code == PrepaidPlusWire.unknownClientSaleCode { return .noSale(fault) }
            return .unavailable(reason: "advice fault \(fault.code) \(fault.message)")
        }
        switch answer.sale(expectedClientSaleID: clientSaleID) {
        case .success(let sale): return .sold(sale)
        case .failure(let error): return .unavailable(reason: "advice success answer unreadable: \(error.reason)")
        }
    }

    private func post(_ method: String, _ body: some Encodable) throws(HTTPClientError) -> HTTPClientResponse {
        let json: Data
        do {
            json = try JSONEncoder().encode(body)
        } catch {
            throw HTTPClientError(kind: .invalidRequest, message: "the request could not be encoded", mayHaveBeenSent: false)
        }
        let credentials = Data("\(account.apiKey):\(account.password)".utf8).base64EncodedString()
        var path = account.baseURL.pathAndQuery
        while path.hasSuffix("/") { path.removeLast() }
        let request = HTTPClientRequest(
            method: "POST", url: account.baseURL, path: path + "/" + method,
            headers: [("Authorization", "Basic \(credentials)"), ("Content-Type", "application/json"), ("Accept", "application/json")],
            body: Array(json), maxResponseBytes: 1 << 20)
        logger.debug("prepaidplus call", ["vend.method": method])
        return try http.send(request, timeouts: timeouts)
    }
}
