import Domain
import Foundation
import Postgres
import PurchaseCore
import Users

/// The purchase family's operations as the API calls them: submit a schedule for a user and a
/// retailer, read one purchase, list a user's purchases. Failures are `DomainError`s carrying the
/// seed's messages (`PurchaseMessages`); the API's envelope gives them the seed's shape.
public final class PurchaseService: Sendable {
    /// Who is calling: the token's organisation, the user it is bound to (nil: any user of the
    /// organisation), and the token itself (recorded on the purchase).
    public struct Caller: Sendable {
        public let organizationID: UUID
        public let boundUserID: UUID?
        public let tokenID: UUID?

        public init(organizationID: UUID, boundUserID: UUID?, tokenID: UUID?) {
            self.organizationID = organizationID
            self.boundUserID = boundUserID
            self.tokenID = tokenID
        }
    }

    /// The codes of this family's errors (clients match on the message; codes are for logs).
    public enum Code {
        public static let invalid = "INVALID_PURCHASE"
        public static let notActingFor = "NOT_ACTING_FOR_USER"
        public static let notFound = "NOT_FOUND"
    }

    public static let forbiddenMessage = "You do not have permission to perform this action."
    public static let notFoundMessage = "Not found."

    private let pool: PostgresPool
    private let maximumRows: Int
    private let onStored: @Sendable (UUID) -> Void
    private let users = UserStore()
    private let retailers = RetailerStore()
    private let purchases = PurchaseStore()

    /// - Parameters:
    ///   - maximumRows: the cap on rows per submission (configuration).
    ///   - onStored: called after each purchase committed (wakes the dispatcher).
    public init(pool: PostgresPool, maximumRows: Int, onStored: @escaping @Sendable (UUID) -> Void = { _ in }) {
        self.pool = pool
        self.maximumRows = maximumRows
        self.onStored = onStored
    }

    /// Validates and stores a submission (seed 000). Checks run in this order: the user exists in
    /// the caller's organisation and the caller may act for it, the retailer exists, the body.
    public func submit(userReference: String, retailerID: String, body: [UInt8], caller: Caller) throws -> PurchaseRecord {
        let record = try pool.withConnection { connection -> PurchaseRecord in
            guard let user = try users.user(reference: userReference, organizationID: caller.organizationID, on: connection) else {
                throw DomainError.invalid(PurchaseMessages.unknownUser(userReference), code: Code.invalid)
            }
            try checkActing(for: user.id, caller)
            guard let retailer = try retailers.retailer(externalID: retailerID, organizationID: caller.organizationID, on: connection) else {
                throw DomainError.invalid(PurchaseMessages.unknownRetailer(retailerID), code: Code.invalid)
            }
            let submission: PurchaseSubmission
            do {
                submission = try PurchaseSubmissionParser.parse(body: body, rules: retailer.rules, maximumRows: maximumRows)
            } catch let error as PurchaseValidationError {
                throw DomainError.invalid(error.message, code: Code.invalid)
            }
            return try purchases.insert(submission, retailer: retailer,
                                        submitter: .init(userID: user.id, username: user.username, tokenID: caller.tokenID),
                                        on: connection)
        }
        onStored(record.id)
        return record
    }

    /// One purchase of a user; 404 when the user or the purchase is not the caller's to see.
    public func purchase(id: UUID, userReference: String, caller: Caller) throws -> PurchaseRecord {
        try pool.withConnection { connection in
            let user = try visibleUser(userReference, caller, on: connection)
            guard let record = try purchases.purchase(id: id, organizationID: caller.organizationID, on: connection),
                  record.userID == user.id else { throw Self.notFound }
            return record
        }
    }

    /// A user's purchases, newest first.
    public func list(userReference: String, window: PageWindow, caller: Caller) throws -> Page<PurchaseRecord> {
        try pool.withConnection { connection in
            let user = try visibleUser(userReference, caller, on: connection)
            return try purchases.list(userID: user.id, organizationID: caller.organizationID, window: window, on: connection)
        }
    }

    private func visibleUser(_ reference: String, _ caller: Caller, on connection: PostgresConnection) throws -> User {
        guard let user = try users.user(reference: reference, organizationID: caller.organizationID, on: connection) else {
            throw Self.notFound
        }
        try checkActing(for: user.id, caller)
        return user
    }

    private func checkActing(for user: UUID, _ caller: Caller) throws(DomainError) {
        guard caller.boundUserID == nil || caller.boundUserID == user else {
            throw DomainError(.forbidden, code: Code.notActingFor, message: Self.forbiddenMessage)
        }
    }

    static let notFound = DomainError(.notFound, code: Code.notFound, message: notFoundMessage)
}
