import AMQP
import Foundation
import TestSupport
import Testing

@Suite struct ConnectionTests {
    @Test func badCredentialsAreAClearNonRetriableError() throws {
        var url = try TestQueues.amqpURL()
        url.password = "wrong-\(UUID().uuidString)"
        #expect {
            _ = try AMQPConnection(url: url)
        } throws: { error in
            guard let error = error as? AMQPError else { return false }
            return error.code == .authenticationFailed && !error.isRetriable
                && !error.description.contains(url.password)
        }
    }

    @Test func unknownVirtualHostIsRefused() throws {
        var url = try TestQueues.amqpURL()
        url.virtualHost = "no-such-vhost-\(UUID().uuidString.prefix(6))"
        #expect {
            _ = try AMQPConnection(url: url)
        } throws: { error in
            (error as? AMQPError)?.code == .accessRefused
        }
    }

    @Test func refusedPortIsARetriableConnectionFailure() throws {
        var url = try TestQueues.amqpURL()
        url.port = try unusedLoopbackPort()
        let started = ContinuousClock.now
        #expect {
            _ = try AMQPConnection(url: url, options: .init(connectTimeout: .seconds(5)))
        } throws: { error in
            guard let error = error as? AMQPError else { return false }
            return error.code == .connectionFailed && error.isRetriable
        }
        #expect(ContinuousClock.now - started < .seconds(5))   // refused at once, not timed out
    }

    /// The test broker has no TLS listener: a TLS handshake against its plain port must fail as
    /// a TLS error, not hang or pass as plain AMQP.
    @Test func tlsAgainstAPlainListenerFailsAsTLSError() throws {
        var url = try TestQueues.amqpURL()
        url.tls = AMQPURL.TLS()
        #expect {
            _ = try AMQPConnection(url: url, options: .init(connectTimeout: .seconds(5)))
        } throws: { error in
            (error as? AMQPError)?.code == .tlsFailed
        }
    }

    @Test func missingCACertificateFileIsATLSError() throws {
        var url = try TestQueues.amqpURL()
        url.tls = AMQPURL.TLS(caCertificatePath: "/nonexistent/ca-\(UUID().uuidString).pem")
        #expect {
            _ = try AMQPConnection(url: url)
        } throws: { error in
            (error as? AMQPError)?.code == .tlsFailed && (error as? AMQPError)?.isRetriable == false
        }
    }

    /// With a 1 s heartbeat, waiting on an idle queue for well over two intervals keeps the
    /// connection: the broker would close one that missed two heartbeats.
    @Test func idleConsumerTimesOutWithNilAndHeartbeatsKeepTheConnection() throws {
        let connection = try TestQueues.connect(name: "test-heartbeat", heartbeat: .seconds(1))
        #expect(connection.heartbeatSeconds == 1)
        let channel = try connection.openChannel()
        let queue = TestQueues.uniqueName("idle")
        try channel.declareQueue(queue, arguments: .quorumQueue())
        defer { _ = try? channel.deleteQueue(queue) }
        try channel.consume(queue: queue)

        let started = ContinuousClock.now
        var timeouts = 0
        while ContinuousClock.now - started < .milliseconds(3500) {
            #expect(try channel.nextDelivery(timeout: .milliseconds(400)) == nil)
            timeouts += 1
        }
        #expect(timeouts >= 7)
        #expect(connection.isOpen)

        let publisherConnection = try TestQueues.connect(name: "test-heartbeat-publisher")
        let publisher = try publisherConnection.openChannel()
        try publisher.enableConfirms()
        try publisher.publish(exchange: "", routingKey: queue, body: "after idle", properties: .json(messageId: "late"))
        try publisher.waitForConfirms()
        let delivery = try #require(try channel.nextDelivery(timeout: .seconds(5)))
        #expect(delivery.messageId == "late")
        try channel.ack(delivery)
    }

    /// The other side of the previous test, so that it can fail: a connection whose owner stays
    /// outside librabbitmq for over two heartbeat intervals is dropped by the broker.
    @Test func connectionIdleOutsideTheLibraryIsDroppedByTheBroker() throws {
        let connection = try TestQueues.connect(name: "test-heartbeat-missed", heartbeat: .seconds(1))
        let channel = try connection.openChannel()
        Thread.sleep(forTimeInterval: 4)
        #expect {
            _ = try channel.nextDelivery(timeout: .seconds(3))
        } throws: { error in
            guard let error = error as? AMQPError else { return false }
            return error.closesConnection && error.isRetriable
        }
        #expect(!connection.isOpen)
    }

    @Test func closedConnectionRefusesFurtherCalls() throws {
        let connection = try TestQueues.connect(name: "test-closed")
        let channel = try connection.openChannel()
        connection.close()
        connection.close()   // idempotent
        #expect(!connection.isOpen)
        #expect {
            _ = try channel.declareQueue(TestQueues.uniqueName("never"))
        } throws: { error in
            (error as? AMQPError)?.code == .connectionClosed
        }
    }

    private func unusedLoopbackPort() throws -> Int {
        // Bind an ephemeral port, note it, close it: nothing listens there afterwards.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
