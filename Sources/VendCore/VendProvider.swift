import Foundation

/// An electricity vending provider: sells a token for a meter, and says afterwards what became
/// of a sale whose answer was lost. Implementations: the simulator (`VendSimulator`) and the
/// PrepaidPlus client. Both block their thread for the length of the exchange.
public protocol VendProvider: Sendable {
    /// Stored with each transaction, so it is settled by the provider that sold it.
    var name: String { get }

    /// Sells `amount` whole units for `meterNumber` under `clientSaleID` (our transID). Never
    /// throws: every way a call can end is an outcome.
    func creditVend(_ request: CreditVendRequest) -> CreditVendOutcome

    /// What the provider knows of `clientSaleID` (PrepaidPlus "last response"): never a new sale.
    func advice(clientSaleID: String) -> AdviceOutcome
}

/// One purchase as sent to a provider.
public struct CreditVendRequest: Sendable, Equatable {
    public var clientSaleID: String
    public var meterNumber: String
    /// Whole currency units.
    public var amount: Int

    public init(clientSaleID: String, meterNumber: String, amount: Int) {
        self.clientSaleID = clientSaleID
        self.meterNumber = meterNumber
        self.amount = amount
    }

    /// The request for `purchase`, whose amount is whole and within limits by construction.
    public init(_ purchase: VendPurchase) {
        self.init(clientSaleID: purchase.transID, meterNumber: purchase.meterNumber.digits,
                  amount: NSDecimalNumber(decimal: purchase.amount).intValue)
    }
}

/// How a credit vend ended.
public enum CreditVendOutcome: Sendable, Equatable {
    /// Sold: the token is in the sale.
    case sold(VendSale)
    /// Refused by the provider: certainly no sale (blocked meter, no balance, bad request...).
    case refused(ProviderFault)
    /// The call may or may not have sold (timeout, 5xx, connection lost after sending, an answer
    /// that cannot be read): only `advice` can tell.
    case unknown(reason: String)
}

/// What `advice` learnt.
public enum AdviceOutcome: Sendable, Equatable {
    case sold(VendSale)
    /// The provider made no sale under that id (PrepaidPlus code 209).
    case noSale(ProviderFault)
    /// No answer that settles it (provider down, authentication fault...): ask again later.
    case unavailable(reason: String)
}

/// A provider's fault in PrepaidPlus' terms: `{code, response: "Failure", message, description}`.
public struct ProviderFault: Error, Sendable, Equatable, Codable {
    public var code: String
    public var message: String
    public var description: String

    public init(code: String, message: String, description: String) {
        self.code = code
        self.message = message
        self.description = description
    }
}
