import Foundation
import Ingest
import Relay
import Trading

/// The daemon's `TradingRuntime`: enabling an organisation starts its ingest and relay consumers,
/// disabling stops them (each finishing its batch in flight). Idempotent, as reconciliation
/// repeats it on every replica. Built after both services, so it never waits for either.
final class ConsumerRuntime: TradingRuntime {
    private let ingest: IngestService
    private let relay: RelayService
    private let grace: Duration

    init(ingest: IngestService, relay: RelayService, grace: Duration) {
        self.ingest = ingest
        self.relay = relay
        self.grace = grace
    }

    func organizationEnabled(organizationID: UUID, queuePrefix: String) throws {
        ingest.addOrganization(.init(id: organizationID, queuePrefix: queuePrefix))
        relay.addOrganization(organizationID: organizationID, queuePrefix: queuePrefix)
    }

    func organizationDisabled(organizationID: UUID, queuePrefix: String) throws {
        ingest.removeOrganization(id: organizationID, grace: grace)
        relay.removeOrganization(organizationID: organizationID, grace: grace)
    }
}
