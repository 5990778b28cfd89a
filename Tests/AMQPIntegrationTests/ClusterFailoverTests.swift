import AMQP
import Foundation
import TestSupport
import Testing

/// A URL naming several nodes connects to one that answers, whichever is tried first.
@Suite struct ClusterFailoverTests {
    @Test func aStoppedNodeIsPassedOver() throws {
        let live = try TestQueues.amqpURL()
        var url = live
        // Ports nothing listens on, around the live node: every start order must reach it.
        url.alternateNodes = [AMQPURL.Node(host: "127.0.0.1", port: 1), AMQPURL.Node(host: "127.0.0.1", port: 9)]
        for _ in 0..<12 {
            let connection = try AMQPConnection(url: url)
            #expect(connection.isOpen)
            connection.close()
        }
    }

    @Test func whenNoNodeAnswersTheErrorIsRetriable() throws {
        var url = try TestQueues.amqpURL()
        url.host = "127.0.0.1"
        url.port = 1
        url.alternateNodes = [AMQPURL.Node(host: "127.0.0.1", port: 9)]
        #expect {
            _ = try AMQPConnection(url: url)
        } throws: { error in
            (error as? AMQPError)?.isRetriable == true
        }
    }
}
