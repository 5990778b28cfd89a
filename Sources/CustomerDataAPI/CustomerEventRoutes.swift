import API
import CustomerData
import CustomerDataStores
import Domain
import ExactJSON
import Foundation
import HTTPServer
import Postgres

/// Seed 003's family under `/customer_events`: trade an `api_key` for an auth token, post a
/// purchase customer event with it, read one back, and list a contact's. Errors as
/// `{"error": "..."}` in English, like the seed.
public struct CustomerEventRoutes: APIRoutes {
    public static let prefix = "/customer_events"

    public struct Settings: Sendable {
        /// How long an auth token lasts.
        public var tokenLifetime: Duration = .seconds(3600)
        public var rules = PurchaseEventRules()

        public init(tokenLifetime: Duration = .seconds(3600), rules: PurchaseEventRules = PurchaseEventRules()) {
            self.tokenLifetime = tokenLifetime
            self.rules = rules
        }
    }

    let pool: PostgresPool
    let settings: Settings
    let authentication: any Middleware
    /// Records the posts that arrive together in one transaction (group commit).
    let recorder: PurchaseEventRecorder

    public init(pool: PostgresPool, settings: Settings = Settings(), authentication: (any Middleware)? = nil) {
        self.pool = pool
        self.settings = settings
        recorder = PurchaseEventRecorder(pool: pool)
        self.authentication = authentication ?? CustomerEventAuthentication(pool: pool)
    }

    public func register(on router: inout Router) {
        let envelope = CustomerDataEnvelope(language: .english)
        router.group(Self.prefix + "/token", renderer: envelope) { group in
            group.post("") { request in try token(request) }
        }
        router.group(Self.prefix + "/purchases", renderer: envelope, middleware: [authentication]) { group in
            group.post("") { request in try create(request) }
            group.get("") { request in try list(request) }
            group.get("/{id}") { request in try event(request) }
        }
    }

    /// `POST /customer_events/token` with header `api_key` → 201 `{"token", "expires_on", "expires_in"}`.
    func token(_ request: Request) throws -> Response {
        guard let key = request.headers["api_key"], !key.isEmpty else {
            throw DomainError(.unauthenticated, code: "UNAUTHORIZED", message: "The api_key header is required.")
        }
        guard let issued = try pool.withConnection({
            try CustomerEventAuthStore().issueToken(apiKey: key, lifetime: settings.tokenLifetime, on: $0)
        }) else {
            throw DomainError(.unauthenticated, code: "UNAUTHORIZED", message: "The api_key is not valid or has been revoked.")
        }
        return .exactJSON(.object(JSONObject([
            "token": .string(issued.token), "expires_on": PurchaseEventJSON.epoch(issued.expiresAt),
            "expires_in": .number(JSONNumber(Int(settings.tokenLifetime.components.seconds))),
        ])), status: 201)
    }

    /// `POST /customer_events/purchases` → 201 `{"id"}` for a new event, 200 for the same body again.
    func create(_ request: Request) throws -> Response {
        let client = try request.principal()
        let event: PurchaseEventRequest
        switch PurchaseEventDecoder.decode(request.body, now: Date(), rules: settings.rules) {
        case .success(let decoded): event = decoded
        case .failure(let refusal): throw DomainError.invalid(refusal.message)
        }
        let outcome = try recorder.record(event, organizationID: client.organizationID, apiKeyID: client.tokenID)
        switch outcome {
        case .created(let id): return Self.idResponse(id, status: 201)
        case .existing(let id): return Self.idResponse(id, status: 200)
        case .conflict(let message): throw DomainError(.conflict, code: "CONFLICT", message: message)
        case .refused(let refusal): throw DomainError.invalid(refusal.message)
        }
    }

    func event(_ request: Request) throws -> Response {
        let client = try request.principal()
        let text = try request.pathParameter("id")
        guard let id = UUID(uuidString: text) else { throw DomainError.invalid("id: \(RequestRefusal.quoted(text)) is not a GUID.") }
        guard let event = try pool.withConnection({
            try PurchaseEventReader().event(id: id, organizationID: client.organizationID, on: $0)
        }) else {
            throw DomainError(.notFound, code: "NOT_FOUND", message: "No purchase customer event has id \(id.uuidString.lowercased()).")
        }
        return .exactJSON(PurchaseEventJSON.event(event))
    }

    /// `GET /customer_events/purchases?contact_id=...` (or `?cim=...`) `&page=&limit=`: the
    /// contact's events, newest `performed_on` first.
    func list(_ request: Request) throws -> Response {
        let client = try request.principal()
        for name in request.query.names where !["contact_id", "cim", "page", "limit"].contains(name) {
            throw DomainError.invalid("\(name): unknown query parameter (allowed: contact_id, cim, page, limit).")
        }
        let page = try PageRequest.parse(request.query)
        let contactID = try request.singleQueryValue("contact_id"), cim = try request.singleQueryValue("cim")
        let reader = PurchaseEventReader()
        let result = try pool.withConnection { connection -> Page<PurchaseEventRecord> in
            let contact: UUID
            switch (contactID, cim) {
            case (let text?, nil):
                guard let id = UUID(uuidString: text) else { throw DomainError.invalid("contact_id: \(RequestRefusal.quoted(text)) is not a GUID.") }
                guard try reader.contactExists(id, organizationID: client.organizationID, on: connection) else {
                    throw DomainError(.notFound, code: "NOT_FOUND", message: "No contact has id \(id.uuidString.lowercased()).")
                }
                contact = id
            case (nil, let value?):
                guard let id = try reader.contactID(cim: value, organizationID: client.organizationID, on: connection) else {
                    throw DomainError(.notFound, code: "NOT_FOUND", message: "No contact has the identification medium \(RequestRefusal.quoted(value)).")
                }
                contact = id
            default:
                throw DomainError.invalid("contact_id, cim: specify exactly one of them to name the contact.")
            }
            return try reader.events(contactID: contact, organizationID: client.organizationID, window: page.window, on: connection)
        }
        return .exactJSON(PurchaseEventJSON.page(result, number: page.page, limit: page.limit))
    }

    static func idResponse(_ id: UUID, status: Int) -> Response {
        .exactJSON(.object(JSONObject(["id": .string(id.uuidString.lowercased())])), status: status)
    }
}
