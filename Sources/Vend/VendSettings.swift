import Crypto
import Foundation
import VendCore

/// How the vend family behaves; every value has a default a deployment may override
/// (docs/VEND.md explains each choice).
public struct VendSettings: Sendable {
    public var requestRules = VendRequestRules()
    /// Lifetime of an api_token from login or verify-customer.
    public var apiTokenLifetime: Duration = .seconds(8 * 3600)
    /// Lifetime of an elec_token: long enough to confirm a sale at a counter, short enough that a
    /// leaked one is soon worthless.
    public var elecTokenLifetime: Duration = .seconds(600)
    /// How long the request that recorded a purchase owns its provider call; must exceed the
    /// provider client's whole timeout, so the reconciliation job never asks while it still runs.
    public var providerCallLease: Duration = .seconds(90)
    /// Wait after an unknown outcome before the first advice call (the provider finishes its own
    /// last-response round with the utility first).
    public var firstAdviceDelay: Duration = .seconds(10)
    /// The longest wait between advice calls for one transaction (doubling up to it).
    public var maximumAdviceDelay: Duration = .seconds(600)
    public var throttle = LoginThrottlePolicy()
    /// PBKDF2 iterations for passwords set from now on.
    public var passwordIterations = PasswordHash.defaultIterations
    /// The zone of the dates the vend API writes (`YYYY-MM-DD HH:MM:SS`).
    public var dates = VendDateFormat.botswana

    public init() {}
}

/// Failed logins allowed per account and per address within `window` before the key is locked
/// for `lockout` (the address limit is higher: many agents may share one office address).
public struct LoginThrottlePolicy: Sendable, Equatable {
    public var accountLimit = 5
    public var addressLimit = 20
    public var window: Duration = .seconds(900)
    public var lockout: Duration = .seconds(900)

    public init() {}
}
