import Foundation
import Vend
import VendCore

/// The vend family's settings (seed 001; docs/VEND.md), typed once from the loaded values.
public struct VendConfiguration: Sendable {
    /// Where the vend simulator runs out of process (`vend-sim`), reached with its default
    /// credentials through the PrepaidPlus client; empty runs the simulator inside the daemon.
    public let simulatorURL: String
    public let luhnExemptMeters: Set<String>
    public let trustedProxies: Set<String>
    /// Nil when the name is not a time zone (refused by `loadForServe`).
    public let timeZone: TimeZone?
    public let providerTimeout: Duration
    public let apiTokenLifetime: Duration
    public let elecTokenLifetime: Duration
    public let reconcileInterval: Duration
    public let maximumAmount: Decimal
    /// Testing only: the point of a purchase at which the process exits as if killed.
    public let failAt: VendFailPoint?
    /// The text of `failAt` as given (for its validation).
    let failAtText: String

    init(values: [String: String]) {
        func text(_ key: String) -> String { values[key] ?? "" }
        func list(_ key: String) -> Set<String> {
            Set(text(key).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        func seconds(_ key: String) -> Duration { .seconds(Int(text(key)) ?? 0) }
        simulatorURL = text("vendSimulatorURL")
        luhnExemptMeters = list("vendLuhnExemptMeters")
        trustedProxies = list("vendTrustedProxies")
        timeZone = TimeZone(identifier: text("vendTimeZone"))
        providerTimeout = seconds("vendProviderTimeoutSeconds")
        apiTokenLifetime = seconds("vendApiTokenLifetimeSeconds")
        elecTokenLifetime = seconds("vendElecTokenLifetimeSeconds")
        reconcileInterval = seconds("vendReconcileIntervalSeconds")
        maximumAmount = Decimal(Int(text("vendMaximumAmount")) ?? 0)
        failAtText = text("vendFailAt")
        failAt = VendFailPoint(rawValue: failAtText)
    }

    /// The service settings these values make. The provider call's lease is its timeout plus a
    /// minute, so the reconciliation job never asks while a call may still be running.
    public var settings: VendSettings {
        var settings = VendSettings()
        settings.requestRules = VendRequestRules(amounts: VendAmountRules(minimum: 10, maximum: maximumAmount),
                                                 luhnExemptMeters: luhnExemptMeters)
        settings.apiTokenLifetime = apiTokenLifetime
        settings.elecTokenLifetime = elecTokenLifetime
        settings.providerCallLease = providerTimeout + .seconds(60)
        if let timeZone { settings.dates = VendDateFormat(timeZone: timeZone) }
        return settings
    }

    /// Problems `loadForServe` reports, by key.
    var problems: [(key: String, reason: String)] {
        var found: [(String, String)] = []
        if timeZone == nil { found.append(("vendTimeZone", "is not a time zone name (e.g. Africa/Gaborone)")) }
        if !failAtText.isEmpty && failAt == nil {
            found.append(("vendFailAt", "must be one of \(VendFailPoint.allCases.map(\.rawValue).joined(separator: ", ")) (testing only)"))
        }
        if maximumAmount < 10 { found.append(("vendMaximumAmount", "must be at least the minimum amount, 10")) }
        for meter in luhnExemptMeters where meter.count != 11 && meter.count != 13 || !meter.allSatisfy(\.isASCII) || Int(meter) == nil {
            found.append(("vendLuhnExemptMeters", "'\(meter)' is not an 11 or 13 digit meter number"))
        }
        return found
    }
}
