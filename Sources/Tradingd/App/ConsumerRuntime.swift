import Foundation
import Synchronization

/// The daemon's `TradingRuntime`: enabling an organisation starts its ingest and relay consumers,
/// disabling stops them (each finishing its batch in flight). Idempotent, as reconciliation
/// repeats it on every replica.
final class ConsumerRuntime: TradingRuntime {
    private let ingest: IngestService
    /// Set once the relay exists (it needs the trading module's ESM clients, which need this).
    private let relay = Mutex<RelayService?>(nil)
    private let grace: Duration

    init(ingest: IngestService, grace: Duration) {
        self.ingest = ingest
        self.grace = grace
    }

    func attach(relay service: RelayService) {
        relay.withLock { $0 = service }
    }

    func organizationEnabled(organizationID: UUID, queuePrefix: String) throws {
        ingest.addOrganization(.init(id: organizationID, queuePrefix: queuePrefix))
        relay.withLock { $0 }?.addOrganization(organizationID: organizationID, queuePrefix: queuePrefix)
    }

    func organizationDisabled(organizationID: UUID, queuePrefix: String) throws {
        ingest.removeOrganization(id: organizationID, grace: grace)
        _ = relay.withLock { $0 }?.removeOrganization(organizationID: organizationID, grace: grace)
    }
}
