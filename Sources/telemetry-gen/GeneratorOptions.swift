import Foundation

/// Command line of `telemetry-gen` (see `usage`).
struct GeneratorOptions {
    enum Mode { case publish, command }

    var mode = Mode.publish
    var amqpURL = ProcessInfo.processInfo.environment["TRADINGD_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/%2F"
    var exchange = ProcessInfo.processInfo.environment["TRADINGD_EXCHANGE"] ?? "trading"
    var prefix = ProcessInfo.processInfo.environment["TRADINGD_QUEUE_PREFIX"] ?? ""
    var plants: [UUID] = []
    /// Messages per second over all plants; 0 = as fast as publisher confirms allow.
    var rate = 0.0
    /// Samples per message (1 = a single object, more = a JSON array).
    var batch = 1
    /// Samples per plant to publish (simulated time); nil = live: one sample per plant every
    /// `step` seconds of real time, stamped now, until stopped.
    var count: Int?
    var duration: Double?
    /// Seconds of simulated time between two samples of a plant.
    var step = 1.0
    /// Meters per plant (readings every `meterEvery` seconds of simulated time); 0 = none.
    var meters = 2
    var meterEvery = 60.0
    var start: Date?
    var seed: UInt64 = 1
    var confirmWindow = 1000
    /// Writes every published sample and reading as JSON lines (for independent verification).
    var dumpPath: String?
    /// Queue-direct publishing through the default exchange (routing key = queue name).
    var direct = false
    var quiet = false

    // `command` mode
    var commandPlant: String?
    var commandType = "SITE_SETPOINT"
    var activePowerKw: Double?
    var commandMode: String?

    static let usage = """
        telemetry-gen: publishes realistic synthetic plant telemetry and meter readings to AMQP.

        usage: telemetry-gen [publish] --prefix P --plants ID[,ID...] [options]
               telemetry-gen command --prefix P --plant ID --type SITE_SETPOINT --active-power-kw KW
               telemetry-gen command --prefix P --plant ID --type MODE_CHANGE --mode AUTO|MANUAL|CHARGE|DISCHARGE|IDLE

        Telemetry goes to routing key P.telemetry, readings to P.meters, commands to P.commands,
        on the exchange (default `trading`), with publisher confirms.

        options:
          --amqp-url URL        broker (default $TRADINGD_AMQP_URL, else amqp://guest:guest@127.0.0.1:5672/%2F)
          --exchange NAME       exchange (default $TRADINGD_EXCHANGE, else trading)
          --direct              publish straight to the queues through the default exchange
          --prefix P            queue prefix of the organisation (default $TRADINGD_QUEUE_PREFIX)
          --plants IDS          comma-separated plant UUIDs
          --plants-file FILE    plant UUIDs, one per line (added to --plants)
          --count N             N samples per plant in simulated time, then stop (default: live)
          --start RFC3339       simulated start (default: now minus the span of --count)
          --step SECONDS        simulated seconds between a plant's samples, at least 0.001 (default 1; live: real seconds)
          --batch K             samples per message; K > 1 sends JSON arrays (default 1)
          --rate R              messages per second in total; 0 = as fast as confirms allow (default 0)
          --duration SECONDS    stop after this long (live mode runs until SIGINT/SIGTERM otherwise)
          --meters M            meters per plant (default 2; 0 = no readings)
          --meter-every SECONDS simulated seconds between readings of a meter (default 60)
          --seed N              seed of the simulation (default 1): same seed, same data
          --confirm-window N    unconfirmed messages allowed in flight (default 1000)
          --dump FILE           write every published sample and reading as a JSON line
          --quiet               no progress on stderr
          --help                this text

        The last line on stdout is a JSON summary: {"messages":…,"samples":…,"readings":…,"seconds":…}.
        """

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ arguments: [String]) throws -> GeneratorOptions {
        var options = GeneratorOptions()
        var rest = arguments[...]
        if let first = rest.first, !first.hasPrefix("-") {
            switch first {
            case "publish": options.mode = .publish
            case "command": options.mode = .command
            default: throw UsageError(description: "unknown command \(first)")
            }
            rest = rest.dropFirst()
        }
        func value(_ flag: String) throws -> String {
            guard let next = rest.first else { throw UsageError(description: "\(flag) needs a value") }
            rest = rest.dropFirst()
            return next
        }
        func number<T: LosslessStringConvertible>(_ flag: String, _ type: T.Type) throws -> T {
            let text = try value(flag)
            guard let parsed = T(text) else { throw UsageError(description: "\(flag): not a number: \(text)") }
            return parsed
        }
        while let flag = rest.first {
            rest = rest.dropFirst()
            switch flag {
            case "--help", "-h": throw UsageError(description: "")
            case "--amqp-url": options.amqpURL = try value(flag)
            case "--exchange": options.exchange = try value(flag)
            case "--direct": options.direct = true
            case "--prefix": options.prefix = try value(flag)
            case "--plants": options.plants += try parsePlants(try value(flag).split(separator: ",").map(String.init))
            case "--plants-file":
                let path = try value(flag)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw UsageError(description: "cannot read \(path)")
                }
                options.plants += try parsePlants(text.split(whereSeparator: \.isNewline).map(String.init))
            case "--count": options.count = try number(flag, Int.self)
            case "--start":
                let text = try value(flag)
                guard let date = ISO8601DateFormatter().date(from: text) else { throw UsageError(description: "--start: not RFC 3339: \(text)") }
                options.start = date
            case "--step": options.step = try number(flag, Double.self)
            case "--batch": options.batch = try number(flag, Int.self)
            case "--rate": options.rate = try number(flag, Double.self)
            case "--duration": options.duration = try number(flag, Double.self)
            case "--meters": options.meters = try number(flag, Int.self)
            case "--meter-every": options.meterEvery = try number(flag, Double.self)
            case "--seed": options.seed = try number(flag, UInt64.self)
            case "--confirm-window": options.confirmWindow = try number(flag, Int.self)
            case "--dump": options.dumpPath = try value(flag)
            case "--quiet": options.quiet = true
            case "--plant": options.commandPlant = try value(flag)
            case "--type": options.commandType = try value(flag)
            case "--active-power-kw": options.activePowerKw = try number(flag, Double.self)
            case "--mode": options.commandMode = try value(flag)
            default: throw UsageError(description: "unknown option \(flag)")
            }
        }
        guard !options.prefix.isEmpty else { throw UsageError(description: "--prefix is required") }
        switch options.mode {
        case .publish:
            guard !options.plants.isEmpty else { throw UsageError(description: "give plants with --plants or --plants-file") }
            guard options.batch >= 1, options.step > 0, options.meterEvery > 0, options.rate >= 0, options.meters >= 0,
                  options.confirmWindow >= 1, (options.count ?? 1) >= 0
            else { throw UsageError(description: "--batch, --step, --meter-every and --confirm-window must be positive; --rate, --meters and --count not negative") }
            // Samples are stamped to the millisecond: a shorter step would give a plant two samples
            // with one time, stored once.
            guard options.step >= 0.001 else { throw UsageError(description: "--step must be at least 0.001 s (samples are stamped to the millisecond)") }
        case .command:
            guard options.commandPlant != nil else { throw UsageError(description: "command needs --plant") }
        }
        return options
    }

    private static func parsePlants(_ items: [String]) throws -> [UUID] {
        try items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { text in
            guard let id = UUID(uuidString: text) else { throw UsageError(description: "not a plant UUID: \(text)") }
            return id
        }
    }
}
