import AMQP
import Foundation
import Synchronization
import TradingCore

/// Set by SIGINT/SIGTERM: finish the batch, wait for confirms, print the summary.
let stopRequested = Atomic<Bool>(false)

/// Publishes the simulated plants' samples and readings with publisher confirms.
struct TelemetryPublisher {
    struct Summary {
        var messages = 0
        var samples = 0
        var readings = 0
        var seconds = 0.0

        var json: String {
            "{\"messages\":\(messages),\"samples\":\(samples),\"readings\":\(readings),\"seconds\":\((seconds * 1000).rounded() / 1000)}"
        }
    }

    let options: GeneratorOptions
    private let channel: AMQPChannel
    private let exchange: String
    private var telemetryBuffer: [String] = []
    private var meterBuffer: [String] = []
    private var dump: DumpWriter?
    private var summary = Summary()
    private let started = ContinuousClock.now
    private var lastProgress = ContinuousClock.now

    init(options: GeneratorOptions, channel: AMQPChannel) throws {
        self.options = options
        self.channel = channel
        self.exchange = options.direct ? "" : options.exchange
        if let path = options.dumpPath { dump = try DumpWriter(path: path) }
    }

    mutating func run() throws -> Summary {
        var plants = options.plants.enumerated().map {
            PlantSimulator(plantID: $0.element, index: $0.offset, seed: options.seed, meters: options.meters)
        }
        let deadline = options.duration.map { started.advanced(by: .milliseconds(Int64($0 * 1000))) }
        var sinceReading = 0.0
        if let count = options.count {
            let span = Double(count) * options.step
            let start = options.start ?? Date().addingTimeInterval(-span)
            for tick in 0..<count {
                if shouldStop(deadline) { break }
                try emit(&plants, at: start.addingTimeInterval(Double(tick + 1) * options.step), sinceReading: &sinceReading)
            }
        } else {
            // Each tick is stamped with its scheduled time, not the clock's reading while it is
            // built: a publisher catching up after a stall would otherwise stamp several ticks of
            // a plant with the same millisecond, which tradingd rightly stores once. A late tick
            // goes out late, with its own time.
            let liveStart = Date(), clockStart = ContinuousClock.now
            var tick = 0
            while !shouldStop(deadline) {
                try emit(&plants, at: liveStart.addingTimeInterval(Double(tick) * options.step), sinceReading: &sinceReading)
                tick += 1
                let next = clockStart.advanced(by: .microseconds(Int64((Double(tick) * options.step * 1_000_000).rounded())))
                while ContinuousClock.now < next, !shouldStop(deadline) {
                    Thread.sleep(forTimeInterval: min(0.1, max(0, (next - ContinuousClock.now) / .seconds(1))))
                }
            }
        }
        try flush(telemetry: true)
        try flush(telemetry: false)
        try channel.waitForConfirms(timeout: .seconds(120))
        try dump?.close()
        summary.seconds = (ContinuousClock.now - started) / .seconds(1)
        return summary
    }

    private func shouldStop(_ deadline: ContinuousClock.Instant?) -> Bool {
        stopRequested.load(ordering: .relaxed) || deadline.map { ContinuousClock.now >= $0 } ?? false
    }

    private mutating func emit(_ plants: inout [PlantSimulator], at date: Date, sinceReading: inout Double) throws {
        let time = TelemetryTimestamp(microsecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded()) * 1000).rfc3339
        sinceReading += options.step
        let takeReadings = options.meters > 0 && sinceReading >= options.meterEvery
        if takeReadings { sinceReading = 0 }
        for index in plants.indices {
            let sample = plants[index].advance(to: date, step: options.step)
            let plant = plants[index].plantID.uuidString.lowercased()
            let json = "{\"plant_id\":\"\(plant)\",\"time\":\"\(time)\",\"consumption\":\(sample.consumption),"
                + "\"fve_power\":\(sample.fvePower),\"fve_reg\":\(sample.fveReg),\"grid_power\":\(sample.gridPower),"
                + "\"invertor_power\":\(sample.invertorPower),\"soc\":\(sample.soc)}"
            try add(json, telemetry: true)
            if takeReadings {
                for (meter, energy) in plants[index].takeMeterReadings().enumerated() {
                    try add("{\"plant_id\":\"\(plant)\",\"meter_id\":\"\(PlantSimulator.meterID(meter))\",\"time\":\"\(time)\",\"energy\":\(energy)}",
                            telemetry: false)
                }
            }
        }
    }

    private mutating func add(_ element: String, telemetry: Bool) throws {
        dump?.write(telemetry ? "T" : "M", element)
        if telemetry {
            telemetryBuffer.append(element)
            summary.samples += 1
            if telemetryBuffer.count >= options.batch { try flush(telemetry: true) }
        } else {
            meterBuffer.append(element)
            summary.readings += 1
            if meterBuffer.count >= options.batch { try flush(telemetry: false) }
        }
    }

    private mutating func flush(telemetry: Bool) throws {
        let elements = telemetry ? telemetryBuffer : meterBuffer
        guard !elements.isEmpty else { return }
        if telemetry { telemetryBuffer.removeAll(keepingCapacity: true) } else { meterBuffer.removeAll(keepingCapacity: true) }
        let body = options.batch == 1 ? elements[0] : "[" + elements.joined(separator: ",") + "]"
        if options.rate > 0 {
            let due = started.advanced(by: .microseconds(Int64(Double(summary.messages) / options.rate * 1_000_000)))
            let wait = due - ContinuousClock.now
            if wait > .zero { Thread.sleep(forTimeInterval: wait / .seconds(1)) }
        }
        let queue = "\(options.prefix).\(telemetry ? "telemetry" : "meters")"
        try channel.publish(exchange: exchange, routingKey: queue, body: Array(body.utf8),
                            properties: AMQPProperties(contentType: "application/json", deliveryMode: .persistent),
                            confirmWindow: options.confirmWindow)
        summary.messages += 1
        if !options.quiet, ContinuousClock.now - lastProgress > .seconds(5) {
            lastProgress = ContinuousClock.now
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            FileHandle.standardError.write(Data("telemetry-gen: \(summary.messages) messages, \(summary.samples) samples, \(summary.readings) readings in \(Int(seconds)) s\n".utf8))
        }
    }
}

/// Buffered JSON-lines output of everything published: `T {sample}` / `M {reading}`.
final class DumpWriter {
    private let handle: FileHandle
    private var buffer = ""

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw GeneratorOptions.UsageError(description: "cannot write \(path)")
        }
        self.handle = handle
    }

    func write(_ kind: String, _ json: String) {
        buffer += kind + " " + json + "\n"
        if buffer.utf8.count > 1 << 20 { flush() }
    }

    private func flush() {
        handle.write(Data(buffer.utf8))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        try handle.close()
    }
}
