import AMQP
import Foundation
import HTTPServer
import Observability

/// The daemon's effective configuration: defaults, then the JSON file (`TRADINGD_CONFIG`), then
/// `TRADINGD_*` environment variables. Validated once, listing every problem.
public struct Configuration: Sendable {
    /// Every value as text, by setting key (after the file and the environment were applied).
    let values: [String: String]
    /// Where each value came from: `default`, the file path, or the variable name.
    let sources: [String: String]

    // Every setting as a typed value, parsed once when the configuration is loaded (`load`
    // refuses a value it cannot parse, so these never fall back silently).
    public let databaseURL: String
    /// `TRADINGD_AMQP_URL`, parsed; nil only when it is unset and the command does not need it.
    public let amqpURL: AMQPURL?
    public let amqpManagementURL: String?
    public let httpAddress: String
    /// `httpAddress` as the listener takes it.
    public let listenAddress: (host: String, port: Int)
    public let secretKey: String
    /// The partners' private allow list: `TRADINGD_OUTBOUND_PRIVATE_ALLOW` and its older name
    /// `TRADINGD_ESM_PRIVATE_ALLOW`, merged (comma-separated `host:port`).
    public let outboundPrivateAllow: String
    /// `TRADINGD_OUTBOUND_CA_FILE`; `nil` for the system trust store.
    public let outboundCAFile: String?
    public let logLevel: Logger.Level
    public let exchange: String
    public let databasePoolSize: Int
    public let databaseLoopConnections: Int
    public let shutdownGrace: Duration
    public let migrationsDirectory: String
    public let staticOrganizations: [String]
    public let httpWorkers: Int
    public let httpMaxConnections: Int
    public let httpMaxBodyBytes: Int
    public let httpHeaderTimeout: Duration
    public let httpIdleTimeout: Duration
    public let httpHandlerTimeout: Duration
    public let ingestPrefetch: UInt16
    public let ingestConsumersPerQueue: Int
    public let maxFutureSeconds: Int
    public let rawRetentionDays: Int
    public let aggregateRetentionDays: Int
    public let maxBucketsPerResponse: Int
    /// 0 turns the periodic plant sync off.
    public let esmSyncInterval: Duration
    public let commandAckTimeout: Duration
    /// How long an auth token from `POST /customer_events/token` lasts.
    public let customerEventsTokenLifetime: Duration
    /// How far ahead of now a purchase event's `performed_on` may be (seconds).
    public let customerEventsFutureHorizon: Double
    public let purchase: PurchaseConfiguration
    public let relayClaimLease: Duration
    public let vend: VendConfiguration

    /// Builds the typed values from text that `load` has validated.
    init(values: [String: String], sources: [String: String]) throws(ConfigurationError) {
        self.values = values
        self.sources = sources
        func text(_ key: String) -> String { values[key] ?? "" }
        func number(_ key: String) -> Int { Int(text(key)) ?? 0 }
        func seconds(_ key: String) -> Duration { .seconds(number(key)) }
        databaseURL = text("databaseURL")
        do {
            amqpURL = text("amqpURL").isEmpty ? nil : try AMQPURL(text("amqpURL"))
        } catch {
            throw ConfigurationError(problems: [.init(source: sources["amqpURL"] ?? "default", key: "amqpURL",
                                                      reason: "is not a usable AMQP URL: \(error)")])
        }
        amqpManagementURL = text("amqpManagementURL").isEmpty ? nil : text("amqpManagementURL")
        httpAddress = text("httpAddress")
        listenAddress = Self.parseAddress(httpAddress) ?? ("127.0.0.1", 8080)
        secretKey = text("secretKey")
        outboundPrivateAllow = (text("outboundPrivateAllow").split(separator: ",") + text("esmPrivateAllow").split(separator: ","))
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: ",")
        outboundCAFile = text("outboundCAFile").isEmpty ? nil : text("outboundCAFile")
        logLevel = Logger.Level(rawValue: text("logLevel")) ?? .info
        exchange = text("exchange")
        databasePoolSize = number("databasePoolSize")
        databaseLoopConnections = number("databaseLoopConnections")
        shutdownGrace = seconds("shutdownGraceSeconds")
        migrationsDirectory = text("migrationsDirectory")
        staticOrganizations = text("staticOrganizations").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        httpWorkers = number("httpWorkers")
        httpMaxConnections = number("httpMaxConnections")
        httpMaxBodyBytes = number("httpMaxBodyBytes")
        httpHeaderTimeout = seconds("httpHeaderTimeoutSeconds")
        httpIdleTimeout = seconds("httpIdleTimeoutSeconds")
        httpHandlerTimeout = seconds("httpHandlerTimeoutSeconds")
        ingestPrefetch = UInt16(clamping: number("ingestPrefetch"))
        ingestConsumersPerQueue = number("ingestConsumersPerQueue")
        maxFutureSeconds = number("maxFutureSeconds")
        rawRetentionDays = number("rawRetentionDays")
        aggregateRetentionDays = number("aggregateRetentionDays")
        maxBucketsPerResponse = number("maxBucketsPerResponse")
        esmSyncInterval = seconds("esmSyncIntervalSeconds")
        commandAckTimeout = seconds("commandAckTimeoutSeconds")
        customerEventsTokenLifetime = seconds("customerEventsTokenLifetimeSeconds")
        customerEventsFutureHorizon = Double(number("customerEventsFutureHorizonSeconds"))
        purchase = PurchaseConfiguration(engine: text("purchaseEngine"), maximumRows: number("purchaseMaxRows"),
                                         queuePrefix: text("purchaseQueuePrefix"), argoURL: text("argoURL"),
                                         argoNamespace: text("argoNamespace"), argoWorkflowTemplate: text("argoWorkflowTemplate"),
                                         argoTokenSealed: text("argoTokenSealed"), argoStatusPoll: seconds("argoStatusPollSeconds"),
                                         dispatchLease: seconds("purchaseDispatchLeaseSeconds"))
        relayClaimLease = seconds("relayClaimLeaseSeconds")
        vend = VendConfiguration(values: values)
    }

    /// `host:port` or `[v6]:port`, parsed as the listener parses it.
    static func parseAddress(_ address: String) -> (host: String, port: Int)? {
        HTTPServerConfiguration.parseAddress(address)
    }

    /// `key = value  (source)` lines with secrets masked: URL passwords and keys never printed.
    public func describe() -> [String] {
        allSettings.map { setting in
            let value = values[setting.key] ?? ""
            let shown = setting.isSecret ? Self.mask(value, kind: setting.kind) : value
            return "\(setting.environment) = \(shown.isEmpty ? "(unset)" : shown)  (from \(sources[setting.key] ?? "default"))"
        }
    }

    /// A URL keeps its scheme, host, port and path; its password is masked wherever it is (the
    /// user-info part, or a query parameter such as libpq's `?password=` or `sslpassword=`).
    static func mask(_ value: String, kind: Setting.Kind) -> String {
        guard !value.isEmpty else { return "" }
        if kind == .url, var components = URLComponents(string: value) {
            if components.password != nil { components.password = "****" }
            components.queryItems = components.queryItems?.map { item in
                let name = item.name.lowercased()
                let secret = name.contains("password") || name.contains("secret") || name.contains("token") || name == "sslkey"
                return secret ? URLQueryItem(name: item.name, value: "****") : item
            }
            return components.string ?? "****"
        }
        return "****"
    }
}
