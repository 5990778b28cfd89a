// Measures confirmed publishing and consume + ack-multiple rates through the AMQP wrapper.
// Usage: swift run -c release amqp-bench [messages] [amqp-url]
// The URL defaults to TRADINGD_TEST_AMQP_URL, then .local/servers.env (Deploy/servers.sh start).
import AMQP
import Foundation

func brokerURL() throws -> AMQPURL {
    if CommandLine.arguments.count > 2 { return try AMQPURL(CommandLine.arguments[2]) }
    if let value = ProcessInfo.processInfo.environment["TRADINGD_TEST_AMQP_URL"] { return try AMQPURL(value) }
    let file = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".local/servers.env")
    let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    for line in text.split(separator: "\n") where line.hasPrefix("TRADINGD_TEST_AMQP_URL=") {
        return try AMQPURL(String(line.dropFirst("TRADINGD_TEST_AMQP_URL=".count)))
    }
    fatalError("no broker URL: run Deploy/servers.sh start or pass one")
}

func rate(_ count: Int, _ elapsed: Duration) -> String {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return String(format: "%8.0f msg/s (%.2f s)", Double(count) / seconds, seconds)
}

func run(kind: String, arguments: AMQPTable, count: Int, url: AMQPURL) throws {
    let queue = "bench.\(kind).\(UUID().uuidString.prefix(8))"
    let publisherConnection = try AMQPConnection(url: url, options: .init(connectionName: "amqp-bench-publisher"))
    let publisher = try publisherConnection.openChannel()
    try publisher.declareQueue(queue, arguments: arguments)
    try publisher.enableConfirms()
    let body = [UInt8](repeating: UInt8(ascii: "x"), count: 64)
    let properties = AMQPProperties(deliveryMode: .persistent)
    let clock = ContinuousClock()
    let publishTime = try clock.measure {
        for _ in 0..<count {
            try publisher.publish(exchange: "", routingKey: queue, body: body, properties: properties, confirmWindow: 1000)
        }
        try publisher.waitForConfirms()
    }
    print("\(kind) publish with confirms (window 1000): \(rate(count, publishTime))")

    let consumerConnection = try AMQPConnection(url: url, options: .init(connectionName: "amqp-bench-consumer"))
    let consumer = try consumerConnection.openChannel()
    try consumer.setPrefetch(1000)
    try consumer.consume(queue: queue)
    var received = 0
    let consumeTime = try clock.measure {
        var lastTag: UInt64 = 0
        while received < count, let delivery = try consumer.nextDelivery(timeout: .seconds(10)) {
            received += 1
            lastTag = delivery.deliveryTag
            if received % 500 == 0 { try consumer.ack(lastTag, multiple: true) }
        }
        if received % 500 != 0 { try consumer.ack(lastTag, multiple: true) }
    }
    print("\(kind) consume, prefetch 1000, ack multiple/500: \(rate(received, consumeTime))")
    try publisher.deleteQueue(queue)
    consumerConnection.close()
    publisherConnection.close()
}

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100_000 : 100_000
let url = try brokerURL()
try run(kind: "quorum", arguments: .quorumQueue(), count: count, url: url)
try run(kind: "classic", arguments: [:], count: count, url: url)
