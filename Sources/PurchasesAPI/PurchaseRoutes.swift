import API
import Accounts
import Domain
import Foundation
import HTTPServer
import JSON
import PurchaseCore
import Purchases

/// The submit-purchase family (seed 000) as the wiring registers it, under `/api/v0/user`:
/// - `POST /{user}/submit-purchase/{retailer}` and `POST /{user}/submit-purchase?retailer_id=`
///   (one handler; a blank user, `%20`, gets the seed's missing-parameter 400; an empty path
///   segment matches no route, 404, as in the seed's Django URL patterns);
/// - `GET /{user}/purchases/{id}` and `GET /{user}/purchases?page=&limit=` (DRF-style pages).
/// All behind bearer tokens with the `purchase` scope; submitting needs the operator role.
public struct PurchaseRoutes: APIRoutes {
    public static let prefix = "/api/v0/user"

    public let service: PurchaseService
    let authentication: [any Middleware]

    /// - Parameter authentication: normally `PurchasesAuthentication.middleware(authenticator:)`.
    public init(service: PurchaseService, authentication: [any Middleware]) {
        self.service = service
        self.authentication = authentication
    }

    public func register(on router: inout Router) {
        router.group(Self.prefix, renderer: PurchasesEnvelope(), middleware: authentication) { group in
            group.post("/{user}/submit-purchase/{retailer}") { request in try submit(request) }
            group.post("/{user}/submit-purchase") { request in try submit(request) }
            group.get("/{user}/purchases/{id}") { request in try purchase(request) }
            group.get("/{user}/purchases") { request in try list(request) }
        }
    }

    private func submit(_ request: Request) throws -> Response {
        let principal = try request.principal()
        // Authorisation first: a viewer learns 403 whatever the URL holds.
        guard principal.role >= .operator else { throw PurchasesAuthentication.permissionDenied }
        guard let user = Self.nonBlank(request.pathParameters["user"]) else {
            throw DomainError.invalid(PurchaseMessages.seedMissingURLParameter("user"), code: PurchaseService.Code.invalid)
        }
        let retailer = try Self.retailer(request)
        let record = try service.submit(userReference: user, retailerID: retailer, body: request.body, caller: Self.caller(principal))
        return PurchaseJSON.created(record)
    }

    /// The retailer from the path or from `retailer_id`; both may be given only when they agree.
    static func retailer(_ request: Request) throws -> String {
        let values = request.query.values(for: "retailer_id")
        guard values.count <= 1 else {
            throw DomainError.invalid(PurchaseMessages.repeatedURLParameter("retailer_id"), code: PurchaseService.Code.invalid)
        }
        let path = nonBlank(request.pathParameters["retailer"]), query = nonBlank(values.first)
        if let path, let query, path != query {
            throw DomainError.invalid(PurchaseMessages.conflictingRetailer(path: path, query: query), code: PurchaseService.Code.invalid)
        }
        guard let retailer = path ?? query else {
            throw DomainError.invalid(PurchaseMessages.seedMissingURLParameter("retailer_id"), code: PurchaseService.Code.invalid)
        }
        return retailer
    }

    private func purchase(_ request: Request) throws -> Response {
        let principal = try request.principal()
        guard let id = UUID(uuidString: try request.pathParameter("id")) else {
            throw DomainError(.notFound, code: PurchaseService.Code.notFound, message: PurchaseService.notFoundMessage)
        }
        let record = try service.purchase(id: id, userReference: try request.pathParameter("user"), caller: Self.caller(principal))
        return try Response.json(PurchaseJSON.purchase(record))
    }

    /// `{"count", "next", "previous", "results"}`, as DRF's page-number pagination answers.
    private func list(_ request: Request) throws -> Response {
        let principal = try request.principal()
        let user = try request.pathParameter("user")
        let page = try PageRequest.parse(request.query)
        let found = try service.list(userReference: user, window: page.window, caller: Self.caller(principal))
        func link(_ number: Int) -> JSONValue {
            let path = Self.prefix + "/" + (user.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? user) + "/purchases"
            return .string("\(path)?page=\(number)&limit=\(page.limit)")
        }
        let hasNext = page.window.offset + found.records.count < found.total
        let body: JSONValue = [
            "count": .number(Double(found.total)), "next": hasNext ? link(page.page + 1) : .null,
            "previous": page.page > 1 ? link(page.page - 1) : .null,
            "results": .array(found.records.map(PurchaseJSON.purchase)),
        ]
        return try Response.json(body)
    }

    static func caller(_ principal: Principal) -> PurchaseService.Caller {
        PurchaseService.Caller(organizationID: principal.organizationID, boundUserID: principal.userID, tokenID: principal.tokenID)
    }

    static func nonBlank(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }
}
