import Foundation

/// The running daemon's side of enable/disable: starts or stops an organisation's consumers
/// (ingest of `P.telemetry`/`P.meters`, the command relay of `P.commands`/`P.command-acks`)
/// without a restart. Both calls must be idempotent: the periodic reconciliation repeats
/// `organizationEnabled` for every enabled organisation, so replicas that did not serve the
/// enable request start their consumers too.
public protocol TradingRuntime: Sendable {
    func organizationEnabled(organizationID: UUID, queuePrefix: String) throws
    func organizationDisabled(organizationID: UUID, queuePrefix: String) throws
}

/// A runtime that runs nothing (tools and tests that need no consumers).
public struct NoTradingRuntime: TradingRuntime {
    public init() {}
    public func organizationEnabled(organizationID: UUID, queuePrefix: String) throws {}
    public func organizationDisabled(organizationID: UUID, queuePrefix: String) throws {}
}
