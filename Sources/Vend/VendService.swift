import Domain
import Foundation
import Observability
import Postgres
import VendCore

/// The vend workflow of seed 001 on top of the stores: log in, verify a customer (which issues
/// the elec_token), buy exactly once, read the history.
///
/// Exactly once: a purchase is committed as `pending` (spending its elec_token in the same
/// transaction) before the provider is called, and only the request whose insert won calls it.
/// Any other request with the same transID (a retry, a concurrent duplicate, another replica)
/// finds the row and gets its stored outcome or its in-progress state.
public final class VendService: Sendable {
    public let settings: VendSettings
    let pool: PostgresPool
    let providers: any VendProviderDirectory
    let logger: Logger
    let failPoints: VendFailPoints
    let metrics: MetricsRegistry?
    let login: VendLogin
    let apiTokens = VendAPITokenStore()
    let elecTokens = ElecTokenStore()
    let customers = VendCustomerStore()
    let transactions = VendTransactionStore()

    public init(pool: PostgresPool, providers: any VendProviderDirectory, settings: VendSettings = VendSettings(),
                logger: Logger = .silent, failPoints: VendFailPoints = .none, metrics: MetricsRegistry? = nil) throws {
        self.metrics = metrics
        metrics?.register("tradingd_vend_purchases_total", kind: .counter,
                          help: "purchase requests by outcome (sold, failed, unknown, in_progress, replay, refused)")
        metrics?.register("tradingd_vend_provider_call_seconds", kind: .histogram, help: "credit vend calls to the provider")
        self.pool = pool
        self.providers = providers
        self.settings = settings
        self.logger = logger
        self.failPoints = failPoints
        login = try VendLogin(settings: settings, logger: logger)
    }

    /// How a login or verify-customer ended, when it did not succeed.
    public enum LoginRefusal: Error, Equatable {
        case badCredentials
        case throttled(retryAfterSeconds: Int)
        case refused(VendRefusals)
    }

    /// `POST /api/auth/login`. `address` is the client's IP address.
    public func logIn(_ request: LoginRequest, address: String) throws -> Result<VendBody.LoggedIn, LoginRefusal> {
        switch try login.authenticate(request, address: address, pool: pool) {
        case .failure(.badCredentials): return .failure(.badCredentials)
        case .failure(.throttled(let seconds)): return .failure(.throttled(retryAfterSeconds: seconds))
        case .success(let user):
            let issued = try pool.withConnection { try apiTokens.issue(userID: user.id, lifetime: settings.apiTokenLifetime, on: $0) }
            return .success(VendBody.LoggedIn(apiToken: issued.token, expiresAt: settings.dates.string(from: issued.expiresAt),
                                              user: .init(name: user.name, email: user.email)))
        }
    }

    /// `POST /api/electricity/verify-customer`: checks the credentials and that the meter belongs
    /// to a customer of the user's organisation, then issues an api_token and an elec_token bound
    /// to this transID, meter and amount.
    public func verifyCustomer(_ request: VerifyCustomerRequest, address: String) throws -> Result<VendBody.Verified, LoginRefusal> {
        let user: VendUser
        switch try login.authenticate(request.login, address: address, pool: pool) {
        case .failure(.badCredentials): return .failure(.badCredentials)
        case .failure(.throttled(let seconds)): return .failure(.throttled(retryAfterSeconds: seconds))
        case .success(let found): user = found
        }
        let purchase = request.purchase
        return try pool.transaction { connection in
            guard let registered = try customers.registeredMeter(purchase.meterNumber, organizationID: user.organizationID,
                                                                 on: connection) else {
                return .failure(.refused(VendRefusals([.meterNotRegistered(purchase.meterNumber.digits)])))
            }
            if let existing = try transactions.find(transID: purchase.transID, on: connection),
               !existing.isSamePurchase(purchase, by: user.id) {
                return .failure(.refused(VendRefusals([.transIDUsedForAnotherPurchase(purchase.transID)])))
            }
            let api = try apiTokens.issue(userID: user.id, lifetime: settings.apiTokenLifetime, on: connection)
            let elec = try elecTokens.issue(for: purchase, userID: user.id, lifetime: settings.elecTokenLifetime, on: connection)
            return .success(VendBody.Verified(
                apiToken: api.token, elecToken: elec.token, elecTokenExpiresAt: settings.dates.string(from: elec.expiresAt),
                transID: purchase.transID, amount: MoneyText.format(purchase.amount), customerName: registered.customer.name,
                customerAccountNo: registered.customer.accountNo, tariffName: registered.meter.tariffName,
                meterDetails: VendReceipt.MeterDetails(registered.meter.details)))
        }
    }

    /// The user an api_token stands for, or nil (the API answers the seed's `Unauthenticated.`).
    public func authenticate(apiToken: String) throws -> VendUser? {
        try pool.withConnection { try apiTokens.authenticate(token: apiToken, on: $0) }
    }

    /// The user's own transaction `transID`, or nil (another user's is not found either).
    public func transaction(transID: String, for user: VendUser) throws -> VendTransaction? {
        guard let found = try pool.withConnection({ try transactions.find(transID: transID, on: $0) }),
              found.userID == user.id else { return nil }
        return found
    }

    /// A page of the user's transactions, newest first, and their total count.
    public func transactions(for user: VendUser, window: PageWindow) throws -> Page<VendTransaction> {
        try pool.withConnection { try transactions.page(userID: user.id, window: window, on: $0) }
    }
}
