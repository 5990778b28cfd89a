import AMQP
import Foundation
import TestSupport
import Testing

/// Publishing with confirms and consuming against the private RabbitMQ. Every test uses its own
/// queues, deleted at the end.
@Suite struct PublishConsumeTests {
    /// A quorum queue bound to nothing: published through the default exchange by name.
    private func makeQueue(_ channel: AMQPChannel, _ label: String, quorum: Bool = true) throws -> String {
        let name = TestQueues.uniqueName(label)
        try channel.declareQueue(name, arguments: quorum ? .quorumQueue() : [:])
        return name
    }

    @Test func tenThousandConfirmedMessagesArriveOnceEach() throws {
        let publisherConnection = try TestQueues.connect(name: "test-10k-publisher")
        let consumerConnection = try TestQueues.connect(name: "test-10k-consumer")
        let publisher = try publisherConnection.openChannel()
        let queue = try makeQueue(publisher, "tenk")
        defer { _ = try? publisher.deleteQueue(queue) }

        let count = 10_000
        try publisher.enableConfirms()
        var sent: Set<String> = []
        for index in 0..<count {
            let id = "m-\(index)"
            sent.insert(id)
            try publisher.publish(exchange: "", routingKey: queue, body: Array("{\"n\":\(index)}".utf8),
                                  properties: .json(messageId: id))
        }
        try publisher.waitForConfirms()
        #expect(publisher.unconfirmedCount == 0)
        #expect(try publisher.declareQueuePassive(queue).messageCount == UInt32(count))

        let consumer = try consumerConnection.openChannel()
        try consumer.setPrefetch(500)
        try consumer.consume(queue: queue)
        var receivedIds: [String] = []
        var bodiesMatch = true
        var lastTag: UInt64 = 0, ackedTag: UInt64 = 0
        while receivedIds.count < count {
            guard let delivery = try consumer.nextDelivery(timeout: .seconds(10)) else { break }
            let id = delivery.messageId ?? "missing"
            receivedIds.append(id)
            if delivery.bodyString != "{\"n\":\(id.dropFirst(2))}" { bodiesMatch = false }
            lastTag = delivery.deliveryTag
            if receivedIds.count % 250 == 0 {
                try consumer.ack(lastTag, multiple: true)
                ackedTag = lastTag
            }
        }
        if lastTag != ackedTag { try consumer.ack(lastTag, multiple: true) }
        #expect(receivedIds.count == count)
        #expect(Set(receivedIds) == sent)            // none lost
        #expect(Set(receivedIds).count == receivedIds.count) // none duplicated
        #expect(bodiesMatch)
        // Nothing more arrives, and after the acks nothing is left in the queue.
        #expect(try consumer.nextDelivery(timeout: .milliseconds(300)) == nil)
        let probe = try publisherConnection.openChannel()
        #expect(try probe.declareQueuePassive(queue).messageCount == 0)
    }

    @Test func ackMultipleSettlesEveryEarlierDelivery() throws {
        let connection = try TestQueues.connect(name: "test-ack-multiple")
        let channel = try connection.openChannel()
        let queue = try makeQueue(channel, "ackmulti")
        defer { _ = try? channel.deleteQueue(queue) }
        try publish(channel, queue, count: 10)

        let consumer = try connection.openChannel()
        try consumer.setPrefetch(20)
        try consumer.consume(queue: queue)
        var deliveries: [AMQPDelivery] = []
        while deliveries.count < 10, let delivery = try consumer.nextDelivery(timeout: .seconds(5)) {
            deliveries.append(delivery)
        }
        #expect(deliveries.count == 10)
        try consumer.ack(deliveries[5], multiple: true)   // settles the first six
        consumer.close()                                  // the other four return to the queue
        let info = try waitForCount(connection, queue, expected: 4)
        #expect(info == 4)
        let rest = try drain(connection, queue)
        #expect(rest == (6..<10).map { "m-\($0)" })
    }

    @Test func nackWithRequeueRedeliversAndRejectWithoutRequeueDrops() throws {
        let connection = try TestQueues.connect(name: "test-nack-reject")
        let channel = try connection.openChannel()
        let queue = try makeQueue(channel, "nack", quorum: false)
        defer { _ = try? channel.deleteQueue(queue) }
        try publish(channel, queue, count: 3)

        let consumer = try connection.openChannel()
        try consumer.setPrefetch(1)
        try consumer.consume(queue: queue)
        let first = try #require(try consumer.nextDelivery(timeout: .seconds(5)))
        #expect(first.messageId == "m-0" && !first.redelivered)
        try consumer.nack(first, requeue: true)
        let again = try #require(try consumer.nextDelivery(timeout: .seconds(5)))
        #expect(again.messageId == "m-0")
        #expect(again.redelivered)
        try consumer.reject(again, requeue: false)        // gone: no dead-letter exchange
        let second = try #require(try consumer.nextDelivery(timeout: .seconds(5)))
        #expect(second.messageId == "m-1")
        try consumer.nack(second, requeue: false)
        let third = try #require(try consumer.nextDelivery(timeout: .seconds(5)))
        #expect(third.messageId == "m-2")
        try consumer.ack(third)
        consumer.close()
        #expect(try waitForCount(connection, queue, expected: 0) == 0)
    }

    @Test func rejectedMessageIsDeadLetteredFromAQuorumQueue() throws {
        let connection = try TestQueues.connect(name: "test-dead-letter")
        let channel = try connection.openChannel()
        let dlx = TestQueues.uniqueName("dlx")
        let dlq = TestQueues.uniqueName("dlq")
        let queue = TestQueues.uniqueName("work")
        try channel.declareExchange(dlx, type: .fanout, durable: true)
        try channel.declareQueue(dlq, arguments: .quorumQueue())
        try channel.bindQueue(dlq, exchange: dlx, routingKey: "")
        let info = try channel.declareQueue(queue, arguments: .quorumQueue(deadLetterExchange: dlx))
        #expect(info.name == queue && info.messageCount == 0)
        defer {
            _ = try? channel.deleteQueue(queue)
            _ = try? channel.deleteQueue(dlq)
            try? channel.deleteExchange(dlx)
        }
        // Redeclaring with different arguments is refused with a clear error and closes the channel.
        let other = try connection.openChannel()
        #expect {
            try other.declareQueue(queue, arguments: ["x-queue-type": "classic"])
        } throws: { error in
            (error as? AMQPError)?.code == .preconditionFailed && (error as? AMQPError)?.replyCode == 406
        }
        #expect(!other.isOpen)

        try publish(channel, queue, count: 1)
        let delivery = try #require(try channel.get(queue: queue))
        try channel.reject(delivery, requeue: false)
        #expect(try waitForCount(connection, dlq, expected: 1) == 1)
        let dead = try #require(try channel.get(queue: dlq, autoAck: true))
        #expect(dead.messageId == "m-0")
        #expect(try channel.get(queue: queue) == nil)
    }

    @Test func headersAndPropertiesRoundTrip() throws {
        let connection = try TestQueues.connect(name: "test-headers")
        let channel = try connection.openChannel()
        let queue = try makeQueue(channel, "headers")
        defer { _ = try? channel.deleteQueue(queue) }
        let headers: AMQPTable = [
            "reason": "bad plant", "attempt": .int(3), "big": .long(9_000_000_000), "final": true,
            "nested": .table(["k": "v"]), "list": .array(["a", .long(2)]),
            "ratio": 0.25, "raw": .bytes([0, 1, 255]), "when": .timestamp(Date(timeIntervalSince1970: 1_600_000_000)),
            "nothing": .void, "empty": "",
        ]
        let stamp = Date(timeIntervalSince1970: 1_700_000_000)
        let sentProperties = AMQPProperties(
            contentType: "application/json", headers: headers, deliveryMode: .persistent,
            correlationId: "corr-1", messageId: "msg-1", timestamp: stamp, appId: "tests")
        try channel.enableConfirms()
        try channel.publish(exchange: "", routingKey: queue, body: Array("{}".utf8), properties: sentProperties)
        try channel.waitForConfirms()

        let delivery = try #require(try channel.get(queue: queue, autoAck: true))
        // Quorum queues add x-delivery-count; everything sent comes back unchanged.
        var received = delivery.properties
        #expect(received.headers?["x-delivery-count"] == .long(0))
        received.headers?["x-delivery-count"] = nil
        #expect(received == sentProperties)
        #expect(delivery.headers["reason"]?.stringValue == "bad plant")
        #expect(delivery.headers["attempt"]?.intValue == 3)
        #expect(delivery.headers["final"]?.boolValue == true)
        #expect(delivery.routingKey == queue && delivery.exchange == "")
        #expect(delivery.body == Array("{}".utf8))
    }

    @Test func mandatoryUnroutablePublishIsReported() throws {
        let connection = try TestQueues.connect(name: "test-unroutable")
        let channel = try connection.openChannel()
        try channel.enableConfirms()
        try channel.publish(exchange: "", routingKey: TestQueues.uniqueName("nowhere"), body: "x", mandatory: true)
        #expect {
            try channel.waitForConfirms()
        } throws: { error in
            (error as? AMQPError)?.code == .unroutable && (error as? AMQPError)?.replyCode == 312
        }
        // The channel stays usable.
        let queue = try makeQueue(channel, "after-return")
        defer { _ = try? channel.deleteQueue(queue) }
        try channel.publish(exchange: "", routingKey: queue, body: "ok", mandatory: true)
        try channel.waitForConfirms()
    }

    @Test func passiveDeclareOfAMissingQueueIsNotFound() throws {
        let connection = try TestQueues.connect(name: "test-missing")
        let channel = try connection.openChannel()
        #expect {
            _ = try channel.declareQueuePassive(TestQueues.uniqueName("missing"))
        } throws: { error in
            (error as? AMQPError)?.code == .notFound
        }
        // Only the channel closed: the connection goes on.
        #expect(!channel.isOpen)
        #expect(connection.isOpen)
        let next = try connection.openChannel()
        let queue = try makeQueue(next, "after-404")
        #expect(try next.deleteQueue(queue) == 0)
    }

    // MARK: - Helpers

    private func publish(_ channel: AMQPChannel, _ queue: String, count: Int) throws {
        if !channel.confirmsEnabled { try channel.enableConfirms() }
        for index in 0..<count {
            try channel.publish(exchange: "", routingKey: queue, body: Array("m-\(index)".utf8),
                                properties: .json(messageId: "m-\(index)"))
        }
        try channel.waitForConfirms()
    }

    /// Ready-message count once it reaches `expected` (requeues and dead-lettering are async).
    private func waitForCount(_ connection: AMQPConnection, _ queue: String, expected: UInt32) throws -> UInt32 {
        let channel = try connection.openChannel()
        defer { channel.close() }
        var count = try channel.declareQueuePassive(queue).messageCount
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while count != expected, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            count = try channel.declareQueuePassive(queue).messageCount
        }
        return count
    }

    private func drain(_ connection: AMQPConnection, _ queue: String) throws -> [String] {
        let channel = try connection.openChannel()
        defer { channel.close() }
        var ids: [String] = []
        while let delivery = try channel.get(queue: queue, autoAck: true) { ids.append(delivery.messageId ?? "") }
        return ids
    }
}

/// Consuming and confirmed publishing on two channels of one connection (the dead-letter
/// pattern): frames for one channel that arrive while the other waits must not be lost.
@Suite struct SharedConnectionTests {
    @Test func deliveriesArrivingDuringAConfirmWaitAreKept() throws {
        let connection = try TestQueues.connect(name: "test-shared-connection")
        let consumer = try connection.openChannel()
        let publisher = try connection.openChannel()
        let queue = TestQueues.uniqueName("shared")
        try consumer.declareQueue(queue, arguments: .quorumQueue())
        defer { _ = try? publisher.deleteQueue(queue) }
        try consumer.setPrefetch(200)
        try consumer.consume(queue: queue)
        try publisher.enableConfirms()
        for batch in 0..<5 {
            for index in 0..<20 {
                try publisher.publish(exchange: "", routingKey: queue, body: "x",
                                      properties: .json(messageId: "\(batch * 20 + index)"))
            }
            try publisher.waitForConfirms()
        }
        var ids: [String] = []
        while ids.count < 100, let delivery = try consumer.nextDelivery(timeout: .seconds(5)) {
            ids.append(delivery.messageId ?? "")
            try consumer.ack(delivery)
        }
        #expect(ids == (0..<100).map(String.init))
    }

    @Test func deletingTheQueueCancelsTheConsumer() throws {
        let connection = try TestQueues.connect(name: "test-consumer-cancel")
        let consumer = try connection.openChannel()
        let queue = TestQueues.uniqueName("cancel")
        try consumer.declareQueue(queue, arguments: .quorumQueue())
        try consumer.consume(queue: queue)
        let admin = try TestQueues.connect(name: "test-consumer-cancel-admin").openChannel()
        try admin.deleteQueue(queue)
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        #expect {
            while ContinuousClock.now < deadline {
                _ = try consumer.nextDelivery(timeout: .milliseconds(500))
            }
        } throws: { error in
            (error as? AMQPError)?.code == .consumerCancelled
        }
    }
}
