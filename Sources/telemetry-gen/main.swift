import AMQP
import Foundation
import TradingCore

// telemetry-gen: the synthetic partner publisher (see GeneratorOptions.usage).

let options: GeneratorOptions
do {
    options = try GeneratorOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch let error as GeneratorOptions.UsageError {
    if error.description.isEmpty {
        print(GeneratorOptions.usage)
        exit(0)
    }
    FileHandle.standardError.write(Data("telemetry-gen: \(error.description)\n\(GeneratorOptions.usage)\n".utf8))
    exit(2)
}

signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }

do {
    let connection = try AMQPConnection(url: try AMQPURL(options.amqpURL), options: .init(connectionName: "telemetry-gen"))
    defer { connection.close() }
    let channel = try connection.openChannel()
    try channel.enableConfirms()
    switch options.mode {
    case .publish:
        var publisher = try TelemetryPublisher(options: options, channel: channel)
        let summary = try publisher.run()
        print(summary.json)
    case .command:
        let body = try CommandMessage.body(options)
        try channel.publish(exchange: options.direct ? "" : options.exchange, routingKey: "\(options.prefix).commands",
                            body: Array(body.utf8), properties: AMQPProperties(contentType: "application/json", deliveryMode: .persistent),
                            mandatory: true)
        try channel.waitForConfirms()
        print(body)
    }
} catch {
    FileHandle.standardError.write(Data("telemetry-gen: \(error)\n".utf8))
    exit(1)
}
