import AMQP
import Testing

@Suite struct AMQPURLTests {
    @Test func parsesFullURL() throws {
        let url = try AMQPURL("amqp://alice:s%40cret@broker.example:5673/prod%2Fa")
        #expect(url.user == "alice")
        #expect(url.password == "s@cret")
        #expect(url.host == "broker.example")
        #expect(url.port == 5673)
        #expect(url.virtualHost == "prod/a")
        #expect(url.tls == nil)
    }

    @Test func appliesDefaults() throws {
        let url = try AMQPURL("amqp://localhost")
        #expect(url.port == 5672)
        #expect(url.virtualHost == "/")
        #expect(url.user == "guest")
        #expect(url.password == "guest")
        let slash = try AMQPURL("amqp://u:p@localhost/")
        #expect(slash.virtualHost == "/")
        let encodedRoot = try AMQPURL("amqp://u:p@localhost/%2f")
        #expect(encodedRoot.virtualHost == "/")
    }

    @Test func amqpsDefaultsToPort5671AndVerifiesPeer() throws {
        let url = try AMQPURL("amqps://u:p@rabbit.example/vh")
        #expect(url.port == 5671)
        #expect(url.tls?.verifyPeer == true)
        #expect(url.tls?.caCertificatePath == nil)
        #expect(url.virtualHost == "vh")
    }

    @Test func readsQueryOptions() throws {
        let url = try AMQPURL("amqps://u:p@h:1234/v?heartbeat=5&connection_timeout=2500&cacertfile=%2Fetc%2Fca.pem&verify=verify_none")
        #expect(url.heartbeatSeconds == 5)
        #expect(url.connectionTimeoutMilliseconds == 2500)
        #expect(url.tls?.caCertificatePath == "/etc/ca.pem")
        #expect(url.tls?.verifyPeer == false)
    }

    @Test func parsesIPv6Literal() throws {
        let url = try AMQPURL("amqp://u:p@[::1]:5000/v")
        #expect(url.host == "::1")
        #expect(url.port == 5000)
        #expect(url.description == "amqp://u:***@[::1]:5000/v")
    }

    @Test func descriptionMasksPassword() throws {
        let url = try AMQPURL("amqp://tradingd:topsecret@127.0.0.1:55672/tradingd-test")
        #expect(!url.description.contains("topsecret"))
        #expect(url.description == "amqp://tradingd:***@127.0.0.1:55672/tradingd-test")
    }

    @Test(arguments: [
        "http://h/v", "amqp://", "amqp://h:notaport/v", "amqp://h:70000/v", "amqp://h/a/b",
        "amqp://h/%zz", "amqp://[::1/v", "amqp://h/v?heartbeat=x", "localhost:5672",
    ])
    func rejectsMalformed(text: String) {
        #expect {
            _ = try AMQPURL(text)
        } throws: { error in
            (error as? AMQPError)?.code == .invalidURL
        }
    }
}
