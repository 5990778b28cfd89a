import Foundation
import VendCore

/// Which provider sells for an organisation, and which one settles a transaction recorded with a
/// provider's name. The wiring builds it from configuration and `vend_provider_accounts`.
public protocol VendProviderDirectory: Sendable {
    /// The provider new purchases of `organizationID` go to.
    func provider(for organizationID: UUID) throws -> any VendProvider
    /// The provider called `name` for `organizationID`, to ask about a past purchase.
    func provider(named name: String, for organizationID: UUID) throws -> any VendProvider
}

/// One provider for everyone (tests, the built-in simulator).
public struct SingleVendProvider: VendProviderDirectory {
    public let provider: any VendProvider

    public init(_ provider: any VendProvider) { self.provider = provider }

    public func provider(for organizationID: UUID) throws -> any VendProvider { provider }

    public func provider(named name: String, for organizationID: UUID) throws -> any VendProvider {
        guard name == provider.name else { throw VendStoreError.invalid("no vend provider named '\(name)'") }
        return provider
    }
}

/// Points in a purchase where a test can stop the process as if it were killed there
/// (`TRADINGD_VEND_FAIL_AT` in the daemon; nothing happens when none is set).
public enum VendFailPoint: String, Sendable, CaseIterable {
    /// The pending row is committed; the provider has not been called.
    case afterPendingCommit = "after-pending-commit"
    /// The provider answered; its answer is not recorded yet.
    case afterProviderAnswer = "after-provider-answer"
}

/// What to do at a fail point: nothing (production), or stop (tests: exit the process, or throw
/// to abandon the purchase in-process).
public struct VendFailPoints: Sendable {
    private let action: @Sendable (VendFailPoint) throws -> Void

    public init(_ action: @escaping @Sendable (VendFailPoint) throws -> Void) { self.action = action }

    public static let none = VendFailPoints { _ in }

    func hit(_ point: VendFailPoint) throws { try action(point) }
}
