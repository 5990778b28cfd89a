import AMQP
import API
import Accounts
import Crypto
import Messaging
import Observability
import OutboundHTTP
import Postgres
import Purchases
import PurchasesAPI

/// The purchase family, built for `Application`: its service and routes, and the dispatcher with
/// the engine the configuration chooses (docs/PURCHASES.md).
struct PurchaseWiring {
    let routes: PurchaseRoutes
    /// Nil when no engine can run (Argo chosen without a URL): purchases are stored and stay pending.
    let background: PurchaseDispatchService?

    init(configuration: Configuration, amqpURL: AMQPURL, keyring: Keyring, outbound: OutboundHTTPClient, pool: PostgresPool,
         authenticator: Authenticator, metrics: MetricsRegistry, logger: Logger) throws {
        let settings = configuration.purchase
        let engine: (any WorkflowEngine)?
        var statusConsumer: PurchaseStatusConsumer?
        switch settings.engine {
        case .amqp:
            let topology = PurchaseTopology(exchange: configuration.exchange, prefix: settings.queuePrefix)
            engine = AMQPWorkflowEngine(url: amqpURL, topology: topology)
            statusConsumer = PurchaseStatusConsumer(amqpURL: amqpURL, topology: topology, databaseURL: configuration.databaseURL,
                                                    log: logger, metrics: metrics)
        case .argo, nil:
            do {
                engine = try settings.argo(keyring: keyring, urlGuard: outbound.urlGuard).map {
                    ArgoWorkflowEngine(configuration: $0, client: outbound)
                }
            } catch let problem as PurchaseConfiguration.Problem {
                throw ConfigurationError(problems: [.init(source: configuration.sources[problem.key] ?? "default", key: problem.key,
                                                          reason: problem.reason)])
            }
            if engine == nil { logger.warning("no Argo URL (TRADINGD_ARGO_URL): purchases are stored and stay pending") }
        }
        let background = engine.map { engine in
            PurchaseDispatchService(dispatcher: PurchaseDispatcher(databaseURL: configuration.databaseURL, engine: engine,
                                                                   options: settings.dispatchOptions, log: logger, metrics: metrics),
                                    statusConsumer: statusConsumer)
        }
        let dispatcher = background?.dispatcher
        let service = PurchaseService(pool: pool, maximumRows: settings.maximumRows, onStored: { _ in dispatcher?.wake() })
        routes = PurchaseRoutes(service: service, authentication: PurchasesAuthentication.middleware(authenticator: authenticator))
        self.background = background
    }
}
