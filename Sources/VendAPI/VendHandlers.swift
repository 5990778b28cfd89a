import API
import Domain
import Foundation
import HTTPServer
import Vend
import VendCore

/// The handlers of seed 001's workflow. Statuses (the seed names none; docs/VEND.md): 200 for a
/// success, 202 while a purchase's outcome is not known yet, 400 for a refused body or
/// elec_token, 401 for credentials or api_token, 404 for an unregistered meter or an unknown
/// transaction, 409 for a transID of another purchase, 429 while logins are throttled, 502 when
/// the provider did not sell.
struct VendHandlers: Sendable {
    let service: VendService
    let addresses: ClientAddress

    static let badCredentials = DomainError(.unauthenticated, code: "BAD_CREDENTIALS",
                                            message: "These credentials do not match our records.")

    func login(_ request: Request) throws -> Response {
        let login = try LoginRequest.parse(request.body).get(orThrow: \.domainError)
        return try answer(try service.logIn(login, address: addresses.of(request)))
    }

    func verifyCustomer(_ request: Request) throws -> Response {
        let verify = try VerifyCustomerRequest.parse(request.body, rules: service.settings.requestRules).get(orThrow: \.domainError)
        return try answer(try service.verifyCustomer(verify, address: addresses.of(request)))
    }

    func buy(_ request: Request) throws -> Response {
        let user = try request.vendUser()
        let buy = try BuyRequest.parse(request.body, rules: service.settings.requestRules).get(orThrow: \.domainError)
        switch try service.buy(buy, by: user) {
        case .sold(let receipt, _):
            return try Response.json(VendSuccessBody(receiptItems: receipt))
        case .failed(let failure, _):
            return try Response.json(VendBody.ProviderFailed(details: failure.details), status: 502)
        case .inProgress(let transID, let status):
            return try Response.json(VendBody.Pending(transID: transID, status: status.rawValue), status: 202)
        case .refused(let refusals):
            throw refusals.domainError
        }
    }

    func transactions(_ request: Request) throws -> Response {
        let user = try request.vendUser()
        let page = try PageRequest.parse(request.query, code: "VALIDATION_FAILED")
        let found = try service.transactions(for: user, window: page.window)
        let dates = service.settings.dates
        return try Response.json(VendBody.TransactionPage(data: found.records.map { VendBody.Transaction($0, dates: dates) },
                                                          meta: page.meta(total: found.total)))
    }

    func transaction(_ request: Request) throws -> Response {
        let user = try request.vendUser()
        guard let found = try service.transaction(transID: try request.pathParameter("transID"), for: user) else {
            throw DomainError(.notFound, code: "TRANSACTION_NOT_FOUND", message: "Transaction not found.")
        }
        return try Response.json(VendBody.TransactionFound(transaction: VendBody.Transaction(found, dates: service.settings.dates)))
    }

    /// A login's or verification's body, or its refusal.
    private func answer<Body: Encodable>(_ result: Result<Body, VendService.LoginRefusal>) throws -> Response {
        switch result {
        case .success(let body):
            return try Response.json(body)
        case .failure(.badCredentials):
            throw Self.badCredentials
        case .failure(.refused(let refusals)):
            throw refusals.domainError
        case .failure(.throttled(let seconds)):
            var response = try Response.json(VendBody.Refused(message: "Too many login attempts. Please try again in \(seconds) seconds."),
                                              status: 429)
            response.headers.set("Retry-After", String(seconds))
            return response
        }
    }
}

extension Result {
    /// The value, or the error turned into what the API throws.
    func get(orThrow convert: (Failure) -> any Error) throws -> Success {
        switch self {
        case .success(let value): value
        case .failure(let error): throw convert(error)
        }
    }
}
