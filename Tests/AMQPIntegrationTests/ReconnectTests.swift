import AMQP
import Foundation
import TestSupport
import Testing

@Suite struct ReconnectTests {
    @Test func backoffGrowsExponentiallyUpToTheCap() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2), multiplier: 2, jitter: 0)
        let nominal = (0..<8).map { backoff.nominalDelay(forAttempt: $0) }
        #expect(nominal == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                            .milliseconds(1600), .seconds(2), .seconds(2), .seconds(2)])
        #expect(backoff.delay(forAttempt: 3) == .milliseconds(800))
        #expect(backoff.nominalDelay(forAttempt: 10_000) == .seconds(2))
    }

    @Test func jitterStaysWithinItsFraction() {
        let backoff = Backoff(initial: .seconds(1), maximum: .seconds(10), multiplier: 2, jitter: 0.5)
        var delays: Set<Duration> = []
        for _ in 0..<200 {
            let delay = backoff.delay(forAttempt: 2)              // nominal 4 s
            #expect(delay >= .seconds(2) && delay <= .seconds(4))
            delays.insert(delay)
        }
        #expect(delays.count > 1)
    }

    /// A connection force-closed by the broker: the consumer reconnects, the unacked message
    /// comes back (redelivered), the old delivery is refused as stale, and consuming goes on.
    @Test func reconnectsAfterForcedCloseAndGetsTheUnackedMessageAgain() async throws {
        let url = try TestQueues.amqpURL()
        let queue = TestQueues.uniqueName("reconnect")
        let clientName = "test-reconnect-\(UUID().uuidString.prefix(8))"
        let consumer = ReconnectingConsumer(
            url: url, queue: queue, prefetch: 10, options: .init(heartbeat: .seconds(5), connectionName: clientName),
            backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(500)),
            setup: { channel in try channel.declareQueue(queue, arguments: .quorumQueue()) })
        try consumer.start()
        let publisherConnection = try TestQueues.connect(name: "test-reconnect-publisher")
        let publisher = try publisherConnection.openChannel()
        defer { _ = try? publisher.deleteQueue(queue) }
        try publisher.enableConfirms()
        try publisher.publish(exchange: "", routingKey: queue, body: "first", properties: .json(messageId: "first"))
        try publisher.waitForConfirms()

        let held = try #require(try consumer.nextDelivery(timeout: .seconds(5)))
        #expect(held.messageId == "first" && !held.redelivered)

        let closed = try await ManagementAPI().closeConnections(clientName: clientName)
        #expect(closed == 1)

        var redelivered: AMQPDelivery?
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while redelivered == nil, ContinuousClock.now < deadline {
            redelivered = try consumer.nextDelivery(timeout: .milliseconds(500))
        }
        let again = try #require(redelivered)
        #expect(again.messageId == "first")
        #expect(again.redelivered)
        #expect(consumer.reconnectCount == 1)
        #expect {
            try consumer.ack(held)
        } throws: { error in
            (error as? AMQPError)?.code == .staleDelivery
        }
        try consumer.ack(again)

        try publisher.publish(exchange: "", routingKey: queue, body: "second", properties: .json(messageId: "second"))
        try publisher.waitForConfirms()
        let next = try #require(try consumer.nextDelivery(timeout: .seconds(5)))
        #expect(next.messageId == "second" && !next.redelivered)
        try consumer.ack(next)
        consumer.close()
        #expect(try publisher.declareQueuePassive(queue).messageCount == 0)
    }

    /// A deleted queue cancels the consumer; the consumer reconnects, its setup declares the
    /// queue again, and messages published afterwards arrive.
    @Test func recoversFromADeletedQueueThroughSetup() throws {
        let queue = TestQueues.uniqueName("recreated")
        let consumer = ReconnectingConsumer(
            url: try TestQueues.amqpURL(), queue: queue, prefetch: 5,
            backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(100)),
            setup: { channel in try channel.declareQueue(queue, arguments: .quorumQueue()) })
        try consumer.start()
        let admin = try TestQueues.connect(name: "test-recreated-admin").openChannel()
        defer { _ = try? admin.deleteQueue(queue) }
        try admin.deleteQueue(queue)
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while consumer.reconnectCount == 0, ContinuousClock.now < deadline {
            #expect(try consumer.nextDelivery(timeout: .milliseconds(200)) == nil)
        }
        #expect(consumer.reconnectCount == 1)
        try admin.enableConfirms()
        try admin.publish(exchange: "", routingKey: queue, body: "again", properties: .json(messageId: "again"))
        try admin.waitForConfirms()
        var received: AMQPDelivery?
        while received == nil, ContinuousClock.now < deadline {
            received = try consumer.nextDelivery(timeout: .milliseconds(200))
        }
        #expect(received?.messageId == "again")
        if let received { try consumer.ack(received) }
    }

    /// A publisher whose connection is force-closed between batches reconnects and the next
    /// batch is confirmed; every message of both batches is in the queue.
    @Test func publisherReconnectsAfterForcedClose() async throws {
        let queue = TestQueues.uniqueName("republish")
        let clientName = "test-republish-\(UUID().uuidString.prefix(8))"
        let publisher = ReconnectingPublisher(
            url: try TestQueues.amqpURL(), options: .init(connectionName: clientName),
            backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200)),
            setup: { channel in try channel.declareQueue(queue, arguments: .quorumQueue()) })
        func batch(_ label: String) -> [AMQPOutgoingMessage] {
            (0..<10).map { AMQPOutgoingMessage(exchange: "", routingKey: queue, body: Array("\(label)\($0)".utf8),
                                               properties: .json(messageId: "\(label)\($0)"), mandatory: true) }
        }
        try publisher.publish(batch("a"))
        var sent = batch("a")
        #expect(try await ManagementAPI().closeConnections(clientName: clientName) == 1)
        // The broker closes the connection asynchronously: keep publishing batches until one
        // runs into the close, is retried on a new connection and confirmed there.
        let deadline = ContinuousClock.now.advanced(by: .seconds(15))
        var round = 0
        while publisher.reconnectCount == 0, ContinuousClock.now < deadline {
            let next = batch("b\(round)-")
            try publisher.publish(next)
            sent += next
            round += 1
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(publisher.reconnectCount == 1)
        publisher.close()

        let channel = try TestQueues.connect(name: "test-republish-reader").openChannel()
        defer { _ = try? channel.deleteQueue(queue) }
        var ids: Set<String> = []
        while let delivery = try channel.get(queue: queue, autoAck: true) { ids.insert(delivery.messageId ?? "") }
        #expect(ids == Set(sent.compactMap(\.properties.messageId)))   // none lost (duplicates allowed)
    }

    @Test func nonRetriableErrorsAreThrownInsteadOfRetried() throws {
        var url = try TestQueues.amqpURL()
        url.password = "not-the-password"
        let consumer = ReconnectingConsumer(url: url, queue: "unused", prefetch: 1,
                                            backoff: Backoff(initial: .milliseconds(10)))
        #expect {
            try consumer.start()
        } throws: { error in
            (error as? AMQPError)?.code == .authenticationFailed
        }
        #expect(consumer.reconnectCount == 0)
    }

    @Test func stopEndsTheRetryLoop() throws {
        var url = try TestQueues.amqpURL()
        url.port = 1     // nothing listens: every attempt is a retriable connection failure
        final class Counter { var retries = 0 }
        let attempts = Counter()   // onEvent runs on the owner's thread
        let consumer = ReconnectingConsumer(
            url: url, queue: "unused", prefetch: 1, backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(40)),
            onEvent: { event in
                if case .retrying = event { attempts.retries += 1 }
            })
        let stopper = Thread { Thread.sleep(forTimeInterval: 0.5); consumer.stop() }
        stopper.start()
        #expect {
            try consumer.start()
        } throws: { error in
            (error as? AMQPError)?.code == .connectionClosed
        }
        #expect(attempts.retries >= 3)
    }
}
