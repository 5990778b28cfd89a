/// One configuration setting: its key in the JSON file, its environment variable, its default,
/// whether it is a secret (masked by `check-config`), and what it means.
struct Setting: Sendable {
    enum Kind: Sendable {
        case string, url, address, logLevel, secretKey, list
        /// A whole number >= 0.
        case integer
        /// A whole number >= 1 (counts and timeouts that cannot be zero).
        case positiveInteger
        /// A whole number from 1 to 65535 (AMQP's prefetch is 16 bits).
        case prefetch
        /// A PEM file of CA certificates libssl can load.
        case caFile
    }

    let key: String
    let environment: String
    let kind: Kind
    let defaultValue: String?
    let isSecret: Bool
    let help: String

    init(_ key: String, _ environment: String, _ kind: Kind, default defaultValue: String? = nil,
         secret: Bool = false, _ help: String) {
        self.key = key
        self.environment = environment
        self.kind = kind
        self.defaultValue = defaultValue
        self.isSecret = secret
        self.help = help
    }
}

/// Every setting tradingd reads. DESIGN §9 names the first eight; their variables are stable.
let allSettings: [Setting] = [
    Setting("databaseURL", "TRADINGD_DATABASE_URL", .url, secret: true,
            "PostgreSQL URL, postgresql://user:pass@host:port/db"),
    Setting("amqpURL", "TRADINGD_AMQP_URL", .url, secret: true,
            "RabbitMQ URL, amqp://user:pass@host:port/vhost (or amqps://)"),
    Setting("amqpManagementURL", "TRADINGD_AMQP_MANAGEMENT_URL", .url, secret: true,
            "RabbitMQ management API, http://user:pass@host:port, for partner users"),
    Setting("httpAddress", "TRADINGD_HTTP_ADDRESS", .address, default: "127.0.0.1:8080",
            "listen address, host:port or [v6]:port"),
    Setting("secretKey", "TRADINGD_SECRET_KEY", .secretKey, secret: true,
            "base64 of 32 random bytes: the key for secrets at rest; several comma-separated keys, current first, for rotation"),
    Setting("esmPrivateAllow", "TRADINGD_ESM_PRIVATE_ALLOW", .list, default: "",
            "the older name of TRADINGD_OUTBOUND_PRIVATE_ALLOW (ESM only at first); both lists are merged"),
    Setting("logLevel", "TRADINGD_LOG_LEVEL", .logLevel, default: "info", "debug, info, warning or error"),
    Setting("exchange", "TRADINGD_EXCHANGE", .string, default: "trading", "the topic exchange partners publish to"),
    Setting("databasePoolSize", "TRADINGD_DATABASE_POOL_SIZE", .positiveInteger, default: "16",
            "PostgreSQL connections for HTTP handlers"),
    Setting("databaseLoopConnections", "TRADINGD_DATABASE_LOOP_CONNECTIONS", .positiveInteger, default: "2",
            "PostgreSQL connections of each HTTP event loop (pipelined), on which telemetry reads run"),
    Setting("shutdownGraceSeconds", "TRADINGD_SHUTDOWN_GRACE_SECONDS", .positiveInteger, default: "20",
            "how long SIGTERM waits for in-flight work before exiting"),
    Setting("migrationsDirectory", "TRADINGD_MIGRATIONS_DIRECTORY", .string, default: "Migrations",
            "folder of NNNN_name.sql files applied by `tradingd migrate`"),
    Setting("staticOrganizations", "TRADINGD_STATIC_ORGANIZATIONS", .list, default: "",
            "organisation slugs whose telemetry and meter queues are consumed even when trading is not enabled"),
    Setting("httpWorkers", "TRADINGD_HTTP_WORKERS", .positiveInteger, default: "16", "threads running HTTP handlers"),
    Setting("httpMaxConnections", "TRADINGD_HTTP_MAX_CONNECTIONS", .integer, default: "4096",
            "open HTTP connections; more get 503"),
    Setting("httpMaxBodyBytes", "TRADINGD_HTTP_MAX_BODY_BYTES", .integer, default: "4194304",
            "request body limit (413); 4 MiB holds a year of quarter-hour purchase rows"),
    Setting("httpHeaderTimeoutSeconds", "TRADINGD_HTTP_HEADER_TIMEOUT_SECONDS", .integer, default: "10",
            "time to send a request head"),
    Setting("httpIdleTimeoutSeconds", "TRADINGD_HTTP_IDLE_TIMEOUT_SECONDS", .integer, default: "60",
            "idle keep-alive connections close after this"),
    Setting("httpHandlerTimeoutSeconds", "TRADINGD_HTTP_HANDLER_TIMEOUT_SECONDS", .integer, default: "30",
            "a handler not done by then answers 503"),
    Setting("ingestPrefetch", "TRADINGD_INGEST_PREFETCH", .prefetch, default: "10000",
            "unacknowledged deliveries per ingest consumer"),
    Setting("ingestConsumersPerQueue", "TRADINGD_INGEST_CONSUMERS_PER_QUEUE", .positiveInteger, default: "1",
            "competing consumers per telemetry or meter queue"),
    Setting("maxFutureSeconds", "TRADINGD_MAX_FUTURE_SECONDS", .integer, default: "300",
            "samples timed further ahead than this are dead-lettered"),
    Setting("rawRetentionDays", "TRADINGD_RAW_RETENTION_DAYS", .integer, default: "30", "raw samples kept this long"),
    Setting("aggregateRetentionDays", "TRADINGD_AGGREGATE_RETENTION_DAYS", .integer, default: "400",
            "1-minute aggregates kept this long"),
    Setting("maxBucketsPerResponse", "TRADINGD_MAX_BUCKETS_PER_RESPONSE", .integer, default: "10000",
            "telemetry and meter queries needing more buckets get 400"),
    Setting("esmSyncIntervalSeconds", "TRADINGD_ESM_SYNC_INTERVAL_SECONDS", .integer, default: "900",
            "periodic plant sync from the ESM; 0 turns it off"),
    Setting("outboundPrivateAllow", "TRADINGD_OUTBOUND_PRIVATE_ALLOW", .list, default: "",
            "comma-separated host:port pairs exempt from the private-address rule for every partner (ESM, workflow engine, vend provider; development only)"),
    Setting("outboundCAFile", "TRADINGD_OUTBOUND_CA_FILE", .caFile, default: "",
            "PEM file of the CA certificates outbound HTTPS trusts instead of the system trust store (tests, private deployments); empty: the system store"),
    Setting("purchaseEngine", "TRADINGD_PURCHASE_ENGINE", .string, default: "argo",
            "where stored purchases are handed: argo (Argo Workflows) or amqp (a message on purchases.submitted, status from purchases.status)"),
    Setting("purchaseMaxRows", "TRADINGD_PURCHASE_MAX_ROWS", .positiveInteger, default: "40000",
            "rows accepted per purchase submission (a leap year of quarter-hours is 35136)"),
    Setting("purchaseQueuePrefix", "TRADINGD_PURCHASE_QUEUE_PREFIX", .string, default: "",
            "amqp engine: prefix of the purchases.submitted and purchases.status queues (e.g. site1.)"),
    Setting("purchaseDispatchLeaseSeconds", "TRADINGD_PURCHASE_DISPATCH_LEASE_SECONDS", .positiveInteger, default: "60",
            "how long a claimed dispatch belongs to its replica; a replica that dies mid-call leaves it to the others after this (longer than an engine call)"),
    Setting("argoURL", "TRADINGD_ARGO_URL", .url, default: "",
            "argo engine: the Argo server, https://host:2746; empty leaves purchases pending"),
    Setting("argoNamespace", "TRADINGD_ARGO_NAMESPACE", .string, default: "argo", "argo engine: the namespace workflows are submitted to"),
    Setting("argoWorkflowTemplate", "TRADINGD_ARGO_WORKFLOW_TEMPLATE", .string, default: "purchase-schedule",
            "argo engine: the WorkflowTemplate each purchase runs (parameter purchaseId)"),
    Setting("argoTokenSealed", "TRADINGD_ARGO_TOKEN_SEALED", .string, default: "", secret: true,
            "argo engine: the service-account bearer token sealed with the secret key (`tradingd secret seal`)"),
    Setting("argoStatusPollSeconds", "TRADINGD_ARGO_STATUS_POLL_SECONDS", .positiveInteger, default: "5",
            "argo engine: how often a running workflow's status is read"),
    Setting("relayClaimLeaseSeconds", "TRADINGD_RELAY_CLAIM_LEASE_SECONDS", .positiveInteger, default: "60",
            "how long a command claimed by a relay worker is left to it before another may send it again (after a crash mid-call); a claim is extended to the ESM call's deadline plus 5 s when that is longer"),
    Setting("commandAckTimeoutSeconds", "TRADINGD_COMMAND_ACK_TIMEOUT_SECONDS", .integer, default: "300",
            "relayed commands without an ESM acknowledgement by then get ackStatus TIMEOUT"),
    Setting("customerEventsTokenLifetimeSeconds", "TRADINGD_CUSTOMER_EVENTS_TOKEN_LIFETIME_SECONDS", .positiveInteger,
            default: "3600", "how long an auth token traded for a customer-event api_key lasts"),
    Setting("customerEventsFutureHorizonSeconds", "TRADINGD_CUSTOMER_EVENTS_FUTURE_HORIZON_SECONDS", .integer, default: "900",
            "purchase customer events whose performed_on is further ahead than this are refused"),
    Setting("vendSimulatorURL", "TRADINGD_VEND_SIMULATOR_URL", .string, default: "",
            "electricity base URL of an out-of-process vend-sim for organisations without a PrepaidPlus account; empty runs the simulator in-process"),
    Setting("vendLuhnExemptMeters", "TRADINGD_VEND_LUHN_EXEMPT_METERS", .list, default: "",
            "meter numbers accepted without their Luhn check digit (demo and sandbox meters; development only)"),
    Setting("vendTrustedProxies", "TRADINGD_VEND_TRUSTED_PROXIES", .list, default: "",
            "reverse-proxy addresses whose X-Forwarded-For names the client, for the login throttle"),
    Setting("vendTimeZone", "TRADINGD_VEND_TIME_ZONE", .string, default: "Africa/Gaborone",
            "the zone of the vend API's dates (YYYY-MM-DD HH:MM:SS)"),
    Setting("vendProviderTimeoutSeconds", "TRADINGD_VEND_PROVIDER_TIMEOUT_SECONDS", .positiveInteger, default: "30",
            "a credit vend not answered by then is unknown, settled by the provider's advice"),
    Setting("vendApiTokenLifetimeSeconds", "TRADINGD_VEND_API_TOKEN_LIFETIME_SECONDS", .positiveInteger, default: "28800",
            "lifetime of an api_token from login or verify-customer"),
    Setting("vendElecTokenLifetimeSeconds", "TRADINGD_VEND_ELEC_TOKEN_LIFETIME_SECONDS", .positiveInteger, default: "600",
            "lifetime of an elec_token from verify-customer"),
    Setting("vendReconcileIntervalSeconds", "TRADINGD_VEND_RECONCILE_INTERVAL_SECONDS", .positiveInteger, default: "5",
            "how often the reconciliation job looks for unknown purchases"),
    Setting("vendMaximumAmount", "TRADINGD_VEND_MAXIMUM_AMOUNT", .positiveInteger, default: "5000",
            "the largest purchase in whole currency units (PrepaidPlus' default limit)"),
    Setting("vendFailAt", "TRADINGD_VEND_FAIL_AT", .string, default: "",
            "testing only: exit the process at after-pending-commit or after-provider-answer, as if killed there"),
]
