import AMQP
import API
import Accounts
import Crypto
import Foundation
import HTTPServer
import Ingest
import Observability
import Postgres
import Relay
import Trading
import TradingAPI

/// The daemon: the HTTP listener, the ingest consumers, the command relay and the periodic
/// trading work, built in dependency order (nothing is attached afterwards), started in order and
/// stopped in reverse on SIGTERM/SIGINT.
public final class Application: Sendable {
    public let configuration: Configuration
    public let logger: Logger
    public let metrics = MetricsRegistry()
    let pool: PostgresPool
    let ingest: IngestService
    let relay: RelayService
    let trading: TradingModule
    let server: HTTPServer

    public init(configuration: Configuration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let amqpURL = try AMQPURL(configuration.amqpURL)
        pool = PostgresPool(url: configuration.databaseURL, size: max(configuration.integer("databasePoolSize"), 1))
        let keyring = try Keyring(environmentValue: configuration.secretKey)
        let grace = Duration.seconds(max(configuration.integer("shutdownGraceSeconds"), 1))

        var ingestOptions = IngestOptions()
        ingestOptions.prefetch = UInt16(clamping: max(configuration.integer("ingestPrefetch"), 1))
        ingestOptions.consumersPerQueue = max(configuration.integer("ingestConsumersPerQueue"), 1)
        ingestOptions.exchange = configuration.exchange
        // Statically configured organisations have no `enable` step to declare their queues.
        ingestOptions.declareQueues = !configuration.staticOrganizations.isEmpty
        ingestOptions.validation.maximumFutureSkewSeconds = Int64(configuration.integer("maxFutureSeconds"))
        let retention = TelemetryRetention(rawDays: configuration.integer("rawRetentionDays"),
                                           aggregateDays: configuration.integer("aggregateRetentionDays"))
        ingest = try IngestService(amqpURL: configuration.amqpURL, databaseURL: configuration.databaseURL,
                                   organizations: [], options: ingestOptions, retention: retention, log: logger)

        // The ESM clients first: the relay sends through them, and the trading service drives
        // the runtime that starts the relay's consumers.
        var tradingSettings = TradingSettings(amqpURL: amqpURL, managementURL: configuration.amqpManagementURL ?? "",
                                              exchange: configuration.exchange)
        tradingSettings.plantSyncInterval = .seconds(configuration.integer("esmSyncIntervalSeconds"))
        let esmClients = try TradingModule.makeESMClients(keyring: keyring, settings: tradingSettings,
                                                          privateAllowList: configuration.esmPrivateAllow, logger: logger)
        var relayOptions = RelayOptions()
        relayOptions.exchange = configuration.exchange
        relayOptions.ackTimeout = .seconds(configuration.integer("commandAckTimeoutSeconds"))
        relay = try RelayService(amqpURL: configuration.amqpURL, databaseURL: configuration.databaseURL,
                                 esmClients: TradingESMClientProvider(pool: pool, clients: esmClients),
                                 options: relayOptions, log: logger)
        let runtime = ConsumerRuntime(ingest: ingest, relay: relay, grace: grace)
        trading = try TradingModule(pool: pool, keyring: keyring, settings: tradingSettings, esmClients: esmClients,
                                    runtime: runtime, logger: logger)

        ingest.metrics.install(on: metrics)
        relay.metrics.install(on: metrics)
        var router = Router()
        let pool = pool, broker = BrokerReadiness(url: amqpURL)
        let families: [any APIRoutes] = [
            OperationalRoutes(databaseReachable: { (try? pool.withConnection { try $0.query("SELECT 1") }) != nil },
                              brokerReachable: { broker.isReachable() }, metrics: metrics),
            TradingRoutes(module: trading, pool: pool, maximumBuckets: configuration.integer("maxBucketsPerResponse"),
                          authentication: BearerAuthentication(scope: .trading, authenticator: Authenticator(pool: pool))),
        ]
        for family in families { family.register(on: &router) }

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
                            hooks: AccessHooks.make(logger: logger, metrics: metrics))
    }

    /// Starts everything, notifies systemd, waits for SIGTERM/SIGINT, stops within the grace.
    /// The caller must have called `SignalWaiter.blockTerminationSignals()` first.
    public func run(notifier: SystemdNotifier = SystemdNotifier()) throws {
        let organizations = try consumedOrganizations()
        for organization in organizations { ingest.addOrganization(organization.ingest) }
        for organization in organizations where organization.tradingEnabled {
            relay.addOrganization(organizationID: organization.ingest.id, queuePrefix: organization.ingest.queuePrefix)
        }
        ingest.start()
        relay.start()
        // Reconciles enabled organisations across replicas and runs the periodic plant sync.
        trading.scheduler.start()
        let port = try server.start()
        logger.info("tradingd ready", [
            "http.address": "\(Configuration.parseAddress(configuration.httpAddress)?.host ?? ""):\(port)",
            "ingest.organizations": organizations.map(\.ingest.queuePrefix).joined(separator: ","),
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

    /// An organisation consumed from the start, and whether its relay runs too.
    struct ConsumedOrganization {
        let ingest: IngestService.Organization
        let tradingEnabled: Bool
    }

    /// Organisations consumed from the start: the configured static list (telemetry and meters
    /// only; their queues are declared here, named by slug) unless enabled already, then every
    /// organisation whose trading is enabled (all its consumers).
    func consumedOrganizations() throws -> [ConsumedOrganization] {
        try pool.withConnection { connection in
            let enabled = try TradingConfigStore.enabled(on: connection).map {
                ConsumedOrganization(ingest: .init(id: $0.organizationID, queuePrefix: $0.queuePrefix), tradingEnabled: true)
            }
            let staticList = try configuration.staticOrganizations.map { slug in
                IngestService.Organization(id: try TokenStore().organizationID(slug: slug, on: connection), queuePrefix: slug)
            }
            let ingestOnly = staticList.filter { organization in !enabled.contains { $0.ingest.id == organization.id } }
            return ingestOnly.map { ConsumedOrganization(ingest: $0, tradingEnabled: false) } + enabled
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
}
