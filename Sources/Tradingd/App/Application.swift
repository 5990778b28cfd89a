import AMQP
import Crypto
import Foundation
import HTTPServer
import Observability
import Postgres

/// The daemon: the HTTP listener, the ingest consumers and the periodic work, started in order
/// and stopped in reverse on SIGTERM/SIGINT.
public final class Application: Sendable {
    public let configuration: Configuration
    public let logger: Logger
    public let metrics = MetricsRegistry()
    let pool: PostgresPool
    let keyring: Keyring
    let ingest: IngestService
    let relay: RelayService
    let trading: TradingModule
    let runtime: ConsumerRuntime
    let server: HTTPServer

    public init(configuration: Configuration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let amqpURL = try AMQPURL(configuration.amqpURL)
        pool = PostgresPool(url: configuration.databaseURL, size: max(configuration.integer("databasePoolSize"), 1))
        keyring = try Keyring(environmentValue: configuration.secretKey)

        var ingestOptions = IngestOptions()
        ingestOptions.prefetch = UInt16(clamping: max(configuration.integer("ingestPrefetch"), 1))
        ingestOptions.consumersPerQueue = max(configuration.integer("ingestConsumersPerQueue"), 1)
        ingestOptions.exchange = configuration.exchange
        // Statically configured organisations have no `enable` step to declare their queues.
        ingestOptions.declareQueues = !configuration.staticOrganizations.isEmpty
        ingestOptions.validation.maximumFutureSkewSeconds = Int64(configuration.integer("maxFutureSeconds"))
        let retention = TelemetryRetention(rawDays: configuration.integer("rawRetentionDays"),
                                           aggregateDays: configuration.integer("aggregateRetentionDays"))
        let ingestLog = IngestLog { [logger] level, message, metadata in
            logger.log(Logger.Level(rawValue: level.rawValue) ?? .info, message, metadata)
        }
        ingest = try IngestService(amqpURL: configuration.amqpURL, databaseURL: configuration.databaseURL,
                                   organizations: [], options: ingestOptions, retention: retention, log: ingestLog)

        let runtime = ConsumerRuntime(ingest: ingest, grace: .seconds(max(configuration.integer("shutdownGraceSeconds"), 1)))
        self.runtime = runtime
        var tradingSettings = TradingSettings(amqpURL: amqpURL, managementURL: configuration.amqpManagementURL ?? "",
                                              exchange: configuration.exchange)
        tradingSettings.plantSyncInterval = .seconds(configuration.integer("esmSyncIntervalSeconds"))
        trading = try TradingModule(pool: pool, keyring: keyring, settings: tradingSettings,
                                    privateAllowList: configuration.esmPrivateAllow, runtime: runtime, logger: logger)
        var relayOptions = RelayOptions()
        relayOptions.exchange = configuration.exchange
        relayOptions.ackTimeout = .seconds(configuration.integer("commandAckTimeoutSeconds"))
        relay = try RelayService(amqpURL: configuration.amqpURL, databaseURL: configuration.databaseURL,
                                 esmClients: trading.relayESMClients, options: relayOptions, log: logger)
        runtime.attach(relay: relay)

        let authenticator = Authenticator(pool: pool)
        var router = Router()
        Self.registerMetrics(metrics, ingest: ingest)
        relay.metrics.install(on: metrics)
        OperationalAPI(pool: pool, amqpURL: amqpURL, metrics: metrics).register(on: &router)
        let telemetry = TelemetryAPI(pool: pool, maximumBuckets: configuration.integer("maxBucketsPerResponse"))
        let commandLog = CommandLogAPI(pool: pool)
        let trading = trading
        router.group("/api/v1/trading", renderer: TradingErrorRenderer(),
                     middleware: [AuthenticationMiddleware(scope: .trading, authenticator: authenticator)]) { group in
            let organizationID: @Sendable (Request) throws -> UUID = { try $0.principal().organizationID }
            telemetry.register(on: &group, prefix: "", organizationID: organizationID)
            commandLog.register(on: &group, prefix: "", organizationID: organizationID)
            trading.register(on: &group, prefix: "")
        }

        guard let address = Configuration.parseAddress(configuration.httpAddress) else {
            throw ConfigurationError(problems: [.init(source: "httpAddress", key: "httpAddress", reason: "unparsable")])
        }
        var limits = ServerLimits()
        limits.maxConnections = configuration.integer("httpMaxConnections")
        limits.maxBodyBytes = configuration.integer("httpMaxBodyBytes")
        limits.headerReadTimeout = .seconds(configuration.integer("httpHeaderTimeoutSeconds"))
        limits.idleTimeout = .seconds(configuration.integer("httpIdleTimeoutSeconds"))
        limits.handlerTimeBudget = .seconds(configuration.integer("httpHandlerTimeoutSeconds"))
        let serverConfiguration = HTTPServerConfiguration(host: address.host, port: address.port,
                                                          workerCount: configuration.integer("httpWorkers"), limits: limits)
        server = HTTPServer(configuration: serverConfiguration, router: router,
                            hooks: Self.accessHooks(logger: logger, metrics: metrics))
    }

    /// Starts everything, notifies systemd, waits for SIGTERM/SIGINT, stops within the grace.
    /// The caller must have called `SignalWaiter.blockTerminationSignals()` first.
    public func run(notifier: SystemdNotifier = SystemdNotifier()) throws {
        let organizations = try consumedOrganizations()
        for organization in organizations.staticList { ingest.addOrganization(organization) }
        for organization in organizations.enabled {
            try runtime.organizationEnabled(organizationID: organization.id, queuePrefix: organization.queuePrefix)
        }
        ingest.start()
        relay.start()
        // Reconciles enabled organisations across replicas and runs the periodic plant sync.
        trading.scheduler.start()
        let port = try server.start()
        logger.info("tradingd ready", [
            "http.address": "\(Configuration.parseAddress(configuration.httpAddress)?.host ?? ""):\(port)",
            "ingest.organizations": (organizations.staticList + organizations.enabled).map(\.queuePrefix).joined(separator: ","),
        ])
        notifier.ready()
        let watchdog = notifier.watchdogInterval.map { startWatchdog(notifier, every: $0) }

        let received = SignalWaiter.waitForTermination()
        let grace = Duration.seconds(max(configuration.integer("shutdownGraceSeconds"), 1))
        logger.info("stopping", ["signal": received == SIGTERM ? "SIGTERM" : "SIGINT", "grace.seconds": "\(grace.components.seconds)"])
        notifier.stopping()
        watchdog?.cancel()
        // Reverse order: no new requests, then consumers finish, commit and ack their batch.
        server.stop(grace: grace / 2)
        trading.scheduler.stop()
        let relayDrained = relay.stop(grace: grace / 4)
        let drained = ingest.stop(grace: grace / 4)
        pool.close()
        logger.info("stopped", ["ingest.drained": "\(drained)", "relay.drained": "\(relayDrained)"])
    }

    /// Organisations consumed from the start: the configured static list (telemetry and meters
    /// only; their queues are declared here, named by slug) and every organisation whose trading
    /// is enabled (all its consumers).
    func consumedOrganizations() throws -> (staticList: [IngestService.Organization], enabled: [IngestService.Organization]) {
        try pool.withConnection { connection in
            let staticList = try configuration.staticOrganizations.map { slug in
                IngestService.Organization(id: try TokenStore().organizationID(slug: slug, on: connection), queuePrefix: slug)
            }
            let enabled = try connection.query(
                "SELECT organization_id, queue_prefix FROM trading_configs WHERE status = 'ENABLED'"
            ).map { IngestService.Organization(id: try $0.uuid(0), queuePrefix: try $0.string(1)) }
            return (staticList.filter { organization in !enabled.contains { $0.id == organization.id } }, enabled)
        }
    }

    private func startWatchdog(_ notifier: SystemdNotifier, every interval: Duration) -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tradingd.watchdog"))
        let nanoseconds = Int(interval.components.seconds) * 1_000_000_000 + Int(interval.components.attoseconds / 1_000_000_000)
        timer.schedule(deadline: .now(), repeating: .nanoseconds(nanoseconds))
        timer.setEventHandler { notifier.watchdog() }
        timer.resume()
        return timer
    }

    static func accessHooks(logger: Logger, metrics: MetricsRegistry) -> HTTPServerHooks {
        metrics.register("tradingd_http_requests_total", kind: .counter, help: "HTTP requests by route and status.")
        metrics.register("tradingd_http_request_duration_seconds", kind: .histogram, help: "HTTP request latency.")
        metrics.register("tradingd_http_open_connections", kind: .gauge, help: "Open HTTP client connections.")
        return HTTPServerHooks(
            requestCompleted: { record in
                let route = record.routePattern ?? "unmatched"
                let seconds = Double(record.duration.components.seconds) + Double(record.duration.components.attoseconds) / 1e18
                metrics.increment("tradingd_http_requests_total", labels: ["route": route, "status": String(record.status)])
                metrics.observe("tradingd_http_request_duration_seconds", seconds, labels: ["route": route])
                // Building the record (a dictionary, String(format:)) costs about as much as a
                // /healthz answer itself: skip it when the level drops the line anyway.
                let level: Logger.Level = record.status >= 500 ? .warning : .info
                guard level >= logger.level else { return }
                var fields = [
                    "request.id": record.requestID, "http.method": record.method, "http.path": record.path,
                    "http.route": route, "http.status": String(record.status),
                    "duration.ms": String(format: "%.3f", seconds * 1000), "remote": record.remoteAddress,
                ]
                if let failure = record.failure { fields["failure"] = failure }
                logger.log(level, "request", fields)
            },
            connectionsChanged: { count in
                metrics.set("tradingd_http_open_connections", to: Double(count))
            })
    }

    static func registerMetrics(_ metrics: MetricsRegistry, ingest: IngestService) {
        metrics.register("tradingd_ingest_rows_stored_total", kind: .counter, help: "Samples and readings newly stored.")
        metrics.register("tradingd_ingest_rows_duplicate_total", kind: .counter, help: "Samples and readings already stored (redelivered).")
        metrics.register("tradingd_ingest_dead_lettered_total", kind: .counter, help: "Elements dead-lettered, by reason.")
        metrics.register("tradingd_ingest_batches_total", kind: .counter, help: "Batches committed.")
        metrics.register("tradingd_ingest_retries_total", kind: .counter, help: "Backoffs after database or broker failures.")
        metrics.addCollector { registry in
            let snapshot = ingest.metrics.snapshot()
            for (kind, count) in snapshot.stored {
                registry.set("tradingd_ingest_rows_stored_total", to: Double(count), labels: ["queue": kind.rawValue])
            }
            for (kind, count) in snapshot.duplicates {
                registry.set("tradingd_ingest_rows_duplicate_total", to: Double(count), labels: ["queue": kind.rawValue])
            }
            for (kind, reasons) in snapshot.deadLettered {
                for (reason, count) in reasons {
                    registry.set("tradingd_ingest_dead_lettered_total", to: Double(count),
                                 labels: ["queue": kind.rawValue, "reason": "\(reason)"])
                }
            }
            registry.set("tradingd_ingest_batches_total", to: Double(snapshot.batches))
            registry.set("tradingd_ingest_retries_total", to: Double(snapshot.retries))
        }
    }
}
