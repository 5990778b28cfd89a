import Foundation

/// What an `elec_token` was issued for by verify-customer: one caller, one purchase, until it
/// expires, once.
public struct ElecTokenGrant: Sendable, Equatable {
    public let userID: UUID
    public let purchase: VendPurchase
    public let expiresAt: Date
    public let usedAt: Date?

    public init(userID: UUID, purchase: VendPurchase, expiresAt: Date, usedAt: Date?) {
        self.userID = userID
        self.purchase = purchase
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }

    /// Why this grant cannot pay for `purchase` by `userID` at `now`, or nil when it can.
    /// Checked in the order a client can act on: used or expired first (verify again), then what
    /// it is bound to.
    public func refusal(for purchase: VendPurchase, by userID: UUID, at now: Date) -> ElecTokenRefusal? {
        if usedAt != nil { return .used }
        if now >= expiresAt { return .expired }
        if userID != self.userID { return .otherCaller }
        if purchase.transID != self.purchase.transID { return .otherTransID }
        if purchase.meterNumber != self.purchase.meterNumber { return .otherMeter }
        if purchase.amount != self.purchase.amount { return .otherAmount }
        return nil
    }
}
