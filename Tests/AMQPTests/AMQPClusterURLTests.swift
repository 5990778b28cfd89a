import AMQP
import Testing

/// A cluster's nodes in one URL: `amqp://user:pass@node1:port1,node2:port2/vhost`.
@Suite struct AMQPClusterURLTests {
    @Test func parsesEveryNodeInOrder() throws {
        let url = try AMQPURL("amqp://u:p,w@a.example:5673,[::1]:5674,c.example/vh")
        #expect(url.password == "p,w")  // a comma before the @ belongs to the password
        #expect(url.nodes == [AMQPURL.Node(host: "a.example", port: 5673), AMQPURL.Node(host: "::1", port: 5674),
                              AMQPURL.Node(host: "c.example", port: 5672)])
        #expect(url.host == "a.example" && url.port == 5673)
        #expect(url.virtualHost == "vh")
        #expect(url.description == "amqp://u:***@a.example:5673,[::1]:5674,c.example:5672/vh")
    }

    @Test func aSingleNodeURLHasNoAlternates() throws {
        let url = try AMQPURL("amqps://u:p@rabbit.example/vh")
        #expect(url.alternateNodes.isEmpty)
        #expect(url.nodes == [AMQPURL.Node(host: "rabbit.example", port: 5671)])
    }

    @Test func atOneNodeKeepsTheRest() throws {
        let url = try AMQPURL("amqp://u:p@a:1,b:2/vh?heartbeat=5")
        let second = url.at(url.nodes[1])
        #expect(second.host == "b" && second.port == 2 && second.alternateNodes.isEmpty)
        #expect(second.user == "u" && second.password == "p" && second.virtualHost == "vh" && second.heartbeatSeconds == 5)
    }

    @Test(arguments: ["amqp://u:p@a:1,/vh", "amqp://u:p@,b:2/vh", "amqp://u:p@a:1,b:99999/vh", "amqp://u:p@a,[::1/vh"])
    func anEmptyOrBadNodeIsRefused(text: String) {
        #expect(throws: AMQPError.self) { try AMQPURL(text) }
    }
}
