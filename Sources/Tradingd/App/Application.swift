import AMQP
import API
import CustomerData
import CustomerDataAPI
import Accounts
import Crypto
import Foundation
import HTTPServer
import Ingest
import Messaging
import Observability
import OutboundHTTP
import Postgres
import Relay
import StatusPage
import Timekeeping
import Trading
import TradingAPI
import VendAPI

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
    let vend: VendWiring
    let http: HTTPService
    let tokenRevocations: TokenRevocationListener
    let services: ServiceGroup
    /// Every route the daemon serves, and the document that describes them (`/openapi.json`).
    let router: Router
    let apiDocument: OpenAPIDocument

    public init(configuration: Configuration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        guard let amqpURL = configuration.amqpURL else {
            throw ConfigurationError(problems: [.init(source: "default", key: "amqpURL", reason: "is required")])
        }
        pool = PostgresPool(url: configuration.databaseURL, size: configuration.databasePoolSize)
        let keyring = try Keyring(environmentValue: configuration.secretKey)

        var ingestOptions = IngestOptions()
        ingestOptions.prefetch = configuration.ingestPrefetch
        ingestOptions.consumersPerQueue = configuration.ingestConsumersPerQueue
        ingestOptions.exchange = configuration.exchange
        // Statically configured organisations have no `enable` step to declare their queues.
        ingestOptions.declareQueues = !configuration.staticOrganizations.isEmpty
        ingestOptions.validation.maximumFutureSkewSeconds = Int64(configuration.maxFutureSeconds)
        let retention = TelemetryRetention(rawDays: configuration.rawRetentionDays, aggregateDays: configuration.aggregateRetentionDays)
        ingest = IngestService(amqpURL: amqpURL, databaseURL: configuration.databaseURL, organizations: [],
                               options: ingestOptions, retention: retention, log: logger)

        // The ESM clients first: the relay sends through them, and the trading service drives
        // the runtime that starts the relay's consumers.
        var tradingSettings = TradingSettings(amqpURL: amqpURL, managementURL: configuration.amqpManagementURL ?? "",
                                              exchange: configuration.exchange)
        tradingSettings.plantSyncInterval = configuration.esmSyncInterval
        let outbound = try Self.makeOutboundClient(configuration, logger: logger)
        let esmClients = TradingModule.makeESMClients(keyring: keyring, settings: tradingSettings, http: outbound, logger: logger)
        var relayOptions = RelayOptions()
        relayOptions.exchange = configuration.exchange
        relayOptions.ackTimeout = configuration.commandAckTimeout
        relayOptions.claimLease = configuration.relayClaimLease
        relay = RelayService(amqpURL: amqpURL, databaseURL: configuration.databaseURL,
                             esmClients: TradingESMClientProvider(pool: pool, clients: esmClients), options: relayOptions, log: logger)
        let runtime = ConsumerRuntime(ingest: ingest, relay: relay, grace: configuration.shutdownGrace)
        trading = try TradingModule(pool: pool, keyring: keyring, settings: tradingSettings, esmClients: esmClients,
                                    runtime: runtime, logger: logger)

        vend = try VendWiring(configuration: configuration, pool: pool, keyring: keyring, http: outbound, metrics: metrics, logger: logger)

        // The queues of the organisations this replica consumes, as the broker counts them.
        let ingest = ingest, deadLetterExchange = tradingSettings.deadLetterExchange, exchange = configuration.exchange
        let queues = QueueStatistics(url: amqpURL) {
            ingest.organizations.map { TradingTopology(queuePrefix: $0.queuePrefix, exchange: exchange, deadLetterExchange: deadLetterExchange) }
        }
        DaemonMetrics.install(on: metrics, pool: pool)
        ingest.metrics.install(on: metrics)
        relay.metrics.install(on: metrics)
        esmClients.metrics.install(on: metrics)
        queues.install(on: metrics)
        let authenticator = Authenticator(pool: pool)
        let customerEventTokens = CustomerEventTokenCache()
        tokenRevocations = TokenRevocationListener(caches: [authenticator, customerEventTokens], pool: pool, logger: logger)
        var router = Router()
        let pool = pool, broker = BrokerReadiness(url: amqpURL)
        let purchases = try PurchaseWiring(configuration: configuration, amqpURL: amqpURL, keyring: keyring, outbound: outbound,
                                           pool: pool, authenticator: authenticator, metrics: metrics, logger: logger)
        let families: [any APIRoutes] = [
            OperationalRoutes(databaseReachable: { pool.isReachable() },
                              brokerReachable: { broker.isReachable() }, metrics: metrics),
            TradingRoutes(module: trading, pool: pool, maximumBuckets: configuration.maxBucketsPerResponse,
                          loopConnections: configuration.databaseLoopConnections,
                          authentication: BearerAuthentication(scope: .trading, authenticator: authenticator)),
            StatusRoutes(pool: pool, authenticator: authenticator, queues: queues, maximumBuckets: configuration.maxBucketsPerResponse,
                         logger: logger),
            purchases.routes,
            VendRoutes(service: vend.service, trustedProxies: configuration.vend.trustedProxies),
            SalesHistoryRoutes(pool: pool, authentication: SalesHistoryRoutes.authentication(authenticator)),
            CustomerEventRoutes(pool: pool, settings: .init(tokenLifetime: configuration.customerEventsTokenLifetime,
                                                            rules: PurchaseEventRules(futureHorizon: configuration.customerEventsFutureHorizon)),
                                authentication: CustomerEventAuthentication(pool: pool, tokens: customerEventTokens)),
        ]
        let documentation = try OpenAPIRoutes(documenting: families)
        for family in families + [documentation] { family.register(on: &router) }
        self.router = router
        apiDocument = documentation.document

        var limits = ServerLimits()
        limits.maxConnections = configuration.httpMaxConnections
        limits.maxBodyBytes = configuration.httpMaxBodyBytes
        limits.headerReadTimeout = configuration.httpHeaderTimeout
        limits.idleTimeout = configuration.httpIdleTimeout
        limits.handlerTimeBudget = configuration.httpHandlerTimeout
        let address = configuration.listenAddress
        let serverConfiguration = HTTPServerConfiguration(host: address.host, port: address.port,
                                                          workerCount: configuration.httpWorkers, limits: limits)
        http = HTTPService(server: HTTPServer(configuration: serverConfiguration, router: router,
                                              hooks: AccessHooks.make(logger: logger, metrics: metrics)),
                           logger: logger)
        // Dependency order: consumers and relay before the scheduler that reconciles them, the
        // listener last (its handlers use all of them). Stopped in reverse.
        services = ServiceGroup([ingest, relay, trading.scheduler] + (purchases.background.map { [$0] } ?? []) + [vend.job, tokenRevocations, http],
                                logger: logger)
    }

    /// Starts everything, notifies systemd, waits for SIGTERM/SIGINT, stops within the grace.
    /// The caller must have called `SignalWaiter.blockTerminationSignals()` first.
    public func run(notifier: SystemdNotifier = SystemdNotifier()) throws {
        let organizations = try consumedOrganizations()
        for organization in organizations { ingest.addOrganization(organization.ingest) }
        for organization in organizations where organization.tradingEnabled {
            relay.addOrganization(organizationID: organization.ingest.id, queuePrefix: organization.ingest.queuePrefix)
        }
        try services.start(grace: configuration.shutdownGrace)
        logger.info("tradingd ready", [
            "http.address": "\(configuration.listenAddress.host):\(http.port ?? configuration.listenAddress.port)",
            "ingest.organizations": organizations.map(\.ingest.queuePrefix).joined(separator: ","),
        ])
        notifier.ready()
        let watchdog = notifier.watchdogInterval.map { startWatchdog(notifier, every: $0) }

        let received = SignalWaiter.waitForTermination()
        let grace = configuration.shutdownGrace
        logger.info("stopping", ["signal": received == SIGTERM ? "SIGTERM" : "SIGINT", "grace.seconds": "\(grace.components.seconds)"])
        notifier.stopping()
        watchdog?.cancel()
        // Reverse order under one deadline: no new requests, then the scheduler, then the relay
        // and the consumers finish, commit and ack their batch in flight.
        let late = services.stop(within: grace)
        pool.close()
        logger.info("stopped", ["ingest.drained": "\(!late.contains(ingest.name))", "relay.drained": "\(!late.contains(relay.name))",
                                "late": late.joined(separator: ",")])
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
        let watchdog = Watchdog(notifier: notifier, server: http.server, interval: interval, logger: logger)
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tradingd.watchdog"))
        timer.schedule(deadline: .now(), repeating: interval.dispatchInterval)
        timer.setEventHandler { watchdog.tick() }
        timer.resume()
        return timer
    }
}

extension Application {
    /// The one client every partner call goes through (docs/OUTBOUND-HTTP.md): the URL guard with
    /// the development allow list, and the trust store for HTTPS (system, or
    /// `TRADINGD_OUTBOUND_CA_FILE`). Shared so that the families share its connection pool.
    static func makeOutboundClient(_ configuration: Configuration, logger: Logger) throws -> OutboundHTTPClient {
        let urlGuard = try OutboundURLGuard(privateAllowList: configuration.outboundPrivateAllow)
        if !urlGuard.allowList.isEmpty {
            logger.warning("a private allow list is set (TRADINGD_OUTBOUND_PRIVATE_ALLOW / TRADINGD_ESM_PRIVATE_ALLOW): these private partner endpoints are allowed (development only)",
                           ["allowed": urlGuard.allowList.map(\.description).sorted().joined(separator: ",")])
        }
        let trust = try OutboundTrust.load(caFile: configuration.outboundCAFile)
        logger.info("outbound HTTPS trusts \(trust.source)")
        return OutboundHTTPClient(urlGuard: urlGuard, trust: trust)
    }
}
