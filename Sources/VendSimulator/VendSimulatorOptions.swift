import Foundation
import VendCore

/// How a `VendSimulator` starts. The fault knobs can also be changed while it runs.
public struct VendSimulatorOptions: Sendable {
    /// A numeric address to listen on.
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 0
    /// The path prefix of the electricity methods, as PrepaidPlus' (`.../creditvend`, `.../advice`).
    public var basePath = "/apimanager/rest/basic/v1/electricity"
    /// The Basic credentials it accepts.
    public var apiKey = "vend-sim"
    public var password = "vend-sim-password"
    /// The merchant id printed on receipts (`clientId`).
    public var clientID = "PP001"
    /// Meters with a behaviour of their own; PrepaidPlus' sandbox meters by default.
    public var meters = SimulatedMeter.sandbox
    /// Whether a Luhn-valid meter that is not in `meters` sells (to a made-up customer), as a
    /// utility's real meters would; false answers "meter not found" like the sandbox.
    public var sellsToAnyValidMeter = true
    public var knobs = VendSimulatorKnobs()
    /// The zone of receipt dates.
    public var dates = VendDateFormat.botswana

    public init() {}
}

/// Faults and timing, changeable at run time (`POST /_sim/knobs`). Rates are shares 0...1 of
/// credit vends.
public struct VendSimulatorKnobs: Sendable, Equatable, Codable {
    /// Added before every answer.
    public var latencyMs = 0
    /// Answered 503 before anything happens (no sale).
    public var failureRate = 0.0
    /// The sale is made, then answered 500 "Unexpected Error" (the answer is wrong about it).
    public var failAfterSaleRate = 0.0
    /// The sale is made, then the answer waits `hangMs` (longer than any client waits).
    public var timeoutAfterSaleRate = 0.0
    /// Waits `hangMs`, then answers 504 without selling.
    public var timeoutWithoutSaleRate = 0.0
    public var hangMs = 60_000
    /// Share of sales that come with two key-change tokens.
    public var keyChangeRate = 0.0
    /// Share of advice calls answered 503.
    public var adviceFailureRate = 0.0

    public init() {}
}

/// What a meter does when sold to.
public struct SimulatedMeter: Sendable, Equatable {
    public enum Behaviour: Sendable, Equatable {
        case sells
        /// PrepaidPlus' "Blocked customer".
        case blocked
        /// PrepaidPlus' "Meter not found".
        case notFound
    }

    public var behaviour: Behaviour
    public var customerName: String
    public var accountNumber: String
    public var tariff: SimulatedTariff
    public var sgc = "200000"
    public var ti = "01"
    public var krn = "1"
    /// The next sale changes the meter's keys (two key-change tokens before the credit token).
    public var keyChangeDue = false

    public init(behaviour: Behaviour = .sells, customerName: String, accountNumber: String, tariff: SimulatedTariff = .domestic) {
        self.behaviour = behaviour
        self.customerName = customerName
        self.accountNumber = accountNumber
        self.tariff = tariff
    }

    /// PrepaidPlus' sandbox meters (documentation/electricity.md, "Test Meter Numbers").
    public static let sandbox: [String: SimulatedMeter] = [
        "04040404040": SimulatedMeter(customerName: "Business Customer", accountNumber: "ACC0404040", tariff: .business),
        "94949494949": SimulatedMeter(customerName: "Domestic Customer", accountNumber: "ACC9494949", tariff: .domestic),
        "04040404453": SimulatedMeter(behaviour: .blocked, customerName: "Blocked Customer", accountNumber: "ACC0404445"),
        "04040406698": SimulatedMeter(behaviour: .notFound, customerName: "", accountNumber: ""),
    ]
}
