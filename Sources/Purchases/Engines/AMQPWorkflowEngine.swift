import AMQP
import Foundation
import PurchaseCore
import Synchronization

/// The workflow engine for sites without Argo: each purchase becomes one persistent message on
/// `purchases.submitted` (body `{"purchaseId", "workflowName", ...}`, `message_id` the workflow
/// name), published with confirms and `mandatory`, so a purchase counts as submitted only once the
/// broker has stored it in a queue. Status comes back on `purchases.status`
/// (`PurchaseStatusConsumer`); nothing is polled.
///
/// AMQP gives at-least-once: if tradingd stops between the broker's confirm and recording it, the
/// purchase is published again under the same `message_id`, which the consumer must treat as one
/// (docs/PURCHASES.md).
public final class AMQPWorkflowEngine: WorkflowEngine, Sendable {
    public let name = "amqp"
    public let statusPollInterval: Duration? = nil
    private let url: AMQPURL
    private let topology: PurchaseTopology
    private let confirmTimeout: Duration
    /// One connection, used by the dispatcher's thread; the lock only makes that explicit.
    private let link = Mutex<Link>(Link())

    private struct Link: @unchecked Sendable {
        // @unchecked Sendable: held only inside `link`'s lock.
        var connection: AMQPConnection?
        var channel: AMQPChannel?
    }

    public init(url: AMQPURL, topology: PurchaseTopology, confirmTimeout: Duration = .seconds(10)) {
        self.url = url
        self.topology = topology
        self.confirmTimeout = confirmTimeout
    }

    public func submit(_ submission: WorkflowSubmission) -> WorkflowSubmitOutcome {
        link.withLock { link in
            do {
                let channel = try Self.channel(&link, url: url, topology: topology)
                try channel.publish(exchange: topology.exchange, routingKey: topology.submittedQueue, body: Self.body(submission),
                                    properties: Self.properties(submission), mandatory: true, timeout: confirmTimeout)
                try channel.waitForConfirms(timeout: confirmTimeout)
                return .accepted(workflowName: submission.workflowName)
            } catch let error as AMQPError where error.code == .unroutable {
                return .unavailable(reason: "no queue takes routing key \(topology.submittedQueue) on exchange \(topology.exchange)")
            } catch {
                Self.close(&link)
                return .unavailable(reason: "the message broker did not confirm the purchase message: \(error)")
            }
        }
    }

    public func status(ofWorkflow name: String) -> WorkflowStatusOutcome {
        .unavailable(reason: "the AMQP engine reports status on \(topology.statusQueue); it is not polled")
    }

    public func close() { link.withLock { Self.close(&$0) } }

    /// The message body: the purchase's id and what identifies it to people, never its rows.
    static func body(_ submission: WorkflowSubmission) -> [UInt8] {
        let message = SubmittedMessage(purchaseId: submission.purchaseID.uuidString.lowercased(), workflowName: submission.workflowName,
                                       organization: submission.organizationSlug, retailerId: submission.retailerExternalID,
                                       user: submission.username, rowCount: submission.rowCount)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(message)).map { Array($0) } ?? []
    }

    private struct SubmittedMessage: Encodable {
        let purchaseId: String
        let workflowName: String
        let organization: String
        let retailerId: String
        let user: String
        let rowCount: Int
    }

    static func properties(_ submission: WorkflowSubmission) -> AMQPProperties {
        var properties = AMQPProperties.json(messageId: submission.workflowName, correlationId: submission.purchaseID.uuidString.lowercased())
        properties.type = "purchase.submitted"
        properties.timestamp = Date()
        return properties
    }

    private static func channel(_ link: inout Link, url: AMQPURL, topology: PurchaseTopology) throws -> AMQPChannel {
        if let channel = link.channel, channel.isOpen { return channel }
        close(&link)
        let connection = try AMQPConnection(url: url, options: .init(connectionName: "tradingd purchase dispatch"))
        link.connection = connection
        let channel = try connection.openChannel()
        try topology.declare(on: channel)
        try channel.enableConfirms()
        link.channel = channel
        return channel
    }

    private static func close(_ link: inout Link) {
        link.connection?.close()
        link.connection = nil
        link.channel = nil
    }
}
