// swift-tools-version:6.0
import PackageDescription

// No Swift package dependencies by design: Foundation, Dispatch, the toolchain's test libraries,
// and C libraries from Debian (librabbitmq, libpq, OpenSSL's libcrypto and libssl) through
// system-library targets.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "tradingd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tradingd", targets: ["tradingd"]),
        .executable(name: "esm-sim", targets: ["esm-sim"]),
        .executable(name: "telemetry-gen", targets: ["telemetry-gen"]),
        .executable(name: "argo-sim", targets: ["argo-sim"]),
        .executable(name: "vend-sim", targets: ["vend-sim"]),
        .executable(name: "outbound-fetch", targets: ["outbound-fetch"]),
    ],
    targets: [
        // C libraries, each wrapped once.
        .systemLibrary(name: "CRabbitMQ", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CTLS", pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),
        // epoll and eventfd, which Swift's Glibc module does not import.
        .systemLibrary(name: "CLinuxEvents"),

        // Libraries, from the bottom up: a target imports only targets listed above it
        // (Tests/ArchitectureTests checks the imports; docs/ARCHITECTURE.md draws the graph).
        .target(name: "JSON", swiftSettings: settings),
        .target(name: "Timekeeping", swiftSettings: settings),
        .target(name: "Observability", swiftSettings: settings),
        .target(name: "TradingCore", dependencies: ["JSON", "Timekeeping"], swiftSettings: settings),
        .target(name: "Postgres", dependencies: ["CPostgres", "Timekeeping"], swiftSettings: settings),
        .target(name: "AMQP", dependencies: ["CRabbitMQ", "Timekeeping"], swiftSettings: settings),
        .target(name: "Crypto", dependencies: ["CCrypto"], swiftSettings: settings),
        // libssl wrapper: TLS sessions as state machines over bytes.
        .target(name: "TLS", dependencies: ["CTLS"], swiftSettings: settings),
        .target(name: "HTTPServer", dependencies: ["CLinuxEvents", "JSON", "Timekeeping"], swiftSettings: settings),
        // The client every partner call goes through, and the URL guard (SSRF); docs/OUTBOUND-HTTP.md.
        .target(name: "OutboundHTTP", dependencies: ["TLS", "Timekeeping"], swiftSettings: settings),
        .target(name: "ESM", dependencies: ["TradingCore", "HTTPServer", "Observability", "OutboundHTTP", "Timekeeping"], swiftSettings: settings),
        // Prepaid electricity vending (seed 001): its domain types without I/O (meter numbers, amounts,
        // receipts, the provider interface, PrepaidPlus' messages).
        .target(name: "VendCore", dependencies: ["JSON"], swiftSettings: settings),
        // The ESM simulator as a library, so that tests can run it in-process.
        .target(name: "ESMSimulator", dependencies: ["TradingCore", "HTTPServer", "AMQP", "Observability", "Timekeeping"], swiftSettings: settings),
        // The Argo Workflows simulator (the purchase family's workflow engine) as a library.
        .target(name: "ArgoSimulator", dependencies: ["HTTPServer", "JSON", "Observability"], swiftSettings: settings),
        // The vend provider simulator (PrepaidPlus' protocol, a real HTTP server) as a library.
        .target(name: "VendSimulator", dependencies: ["VendCore", "HTTPServer", "Observability"], swiftSettings: settings),
        // The PrepaidPlus client: creditvend and advice over the outbound client, Basic auth.
        .target(name: "PrepaidPlus", dependencies: ["VendCore", "OutboundHTTP", "Observability"], swiftSettings: settings),

        // Domain and services (no HTTP): what every family shares, then one target per component.
        .target(name: "Domain", dependencies: ["JSON"], swiftSettings: settings),
        .target(name: "Messaging", dependencies: ["AMQP", "Observability", "Timekeeping"], swiftSettings: settings),
        .target(name: "Accounts", dependencies: ["Domain", "Postgres", "Crypto"], swiftSettings: settings),
        // JSON with exact numbers (amounts as Decimal, never Double).
        .target(name: "ExactJSON", dependencies: ["Observability"], swiftSettings: settings),
        // Users of an organisation and their profiles (seed 002's profile, seed 000's `{user}`).
        .target(name: "Users", dependencies: ["Postgres", "ExactJSON"], swiftSettings: settings),
        // Energy purchase schedules (seed 000): parsing, validation, market time zones. No I/O.
        .target(name: "PurchaseCore", dependencies: ["ExactJSON", "Timekeeping"], swiftSettings: settings),
        // The customer-data family's rules (seeds 002 and 003): decoding and checking bodies, NIT,
        // ISO 8601 dates in a zone. No I/O.
        .target(name: "CustomerData", dependencies: ["ExactJSON"], swiftSettings: settings),
        // The customer-data family's tables: sales histories, customer events, their reference data and auth.
        .target(name: "CustomerDataStores", dependencies: ["CustomerData", "Users", "Domain", "Postgres", "Crypto", "ExactJSON"],
                swiftSettings: settings),
        .target(name: "Ingest", dependencies: ["Messaging", "AMQP", "Postgres", "TradingCore", "Observability", "Timekeeping"],
                swiftSettings: settings),
        .target(name: "Relay", dependencies: ["Messaging", "AMQP", "Postgres", "TradingCore", "ESM", "Observability", "Timekeeping"],
                swiftSettings: settings),
        .target(name: "Trading", dependencies: ["Domain", "JSON", "TradingCore", "Postgres", "AMQP", "Crypto", "ESM", "Observability",
                                               "Messaging", "Timekeeping"],
                swiftSettings: settings),
        // Purchases: retailers, purchases and rows in PostgreSQL, the dispatch outbox and the
        // workflow engines it hands purchases to.
        .target(name: "Purchases", dependencies: ["PurchaseCore", "Domain", "Users", "Postgres", "AMQP", "Messaging", "OutboundHTTP", "Observability", "Timekeeping"], swiftSettings: settings),
        // The vend family: request rules, its stores, the exactly-once purchase, reconciliation by advice.
        .target(name: "Vend", dependencies: ["VendCore", "PrepaidPlus", "OutboundHTTP", "Domain", "ExactJSON", "Users", "Postgres", "Crypto",
                                     "Messaging", "Timekeeping", "Observability"],
                swiftSettings: settings),

        // HTTP: the shared API layer (auth, error mapping, paging), then one target per API family.
        .target(name: "API", dependencies: ["HTTPServer", "Domain", "JSON", "ExactJSON", "Accounts", "Postgres", "Crypto", "Observability", "Messaging"],
                swiftSettings: settings),
        .target(name: "PurchasesAPI", dependencies: ["API", "Purchases", "PurchaseCore", "Accounts", "HTTPServer", "Domain", "JSON",
                                                     "Observability"], swiftSettings: settings),
        // The customer-data families (seeds 002, 003): sales history and users, purchase customer events.
        .target(name: "CustomerDataAPI", dependencies: ["API", "CustomerDataStores", "CustomerData", "Users", "Accounts", "HTTPServer",
                                                        "Domain", "ExactJSON", "Postgres", "Observability", "Crypto"], swiftSettings: settings),
        .target(name: "TradingAPI", dependencies: ["API", "Trading", "HTTPServer", "Domain", "JSON", "ExactJSON", "TradingCore", "Postgres",
                                                   "Observability"], swiftSettings: settings),

        // The status page at `/`: server-rendered HTML and SVG over the trading stores, behind a login form.
        .target(name: "StatusPage", dependencies: ["API", "Accounts", "HTTPServer", "Postgres", "Trading", "TradingCore", "JSON",
                                                   "Domain", "Crypto", "Observability", "Vend", "VendCore", "Purchases", "PurchaseCore",
                                                   "CustomerDataStores"],
                swiftSettings: settings),
        // The vend family's API (seed 001): handlers, its envelope, its login-token authentication.
        .target(name: "VendAPI", dependencies: ["API", "Vend", "VendCore", "HTTPServer", "Domain"], swiftSettings: settings),

        // The daemon: configuration, CLI and the wiring of everything above.
        .target(
            name: "Tradingd",
            dependencies: ["JSON", "Domain", "Timekeeping", "TradingCore", "Observability", "Postgres", "AMQP", "Crypto", "HTTPServer", "ESM",
                           "OutboundHTTP", "Messaging", "Accounts", "Ingest", "Relay", "Trading", "API", "TradingAPI", "Users",
                           "PurchaseCore", "Purchases", "PurchasesAPI", "VendCore", "Vend", "VendSimulator", "PrepaidPlus", "VendAPI", "StatusPage",
                           "CustomerData", "CustomerDataStores", "CustomerDataAPI"],
            swiftSettings: settings
        ),

        // Executables.
        .executableTarget(name: "tradingd", dependencies: ["Tradingd"], swiftSettings: settings),
        .executableTarget(name: "esm-sim", dependencies: ["ESMSimulator", "HTTPServer", "Observability"], swiftSettings: settings),
        .executableTarget(name: "argo-sim", dependencies: ["ArgoSimulator", "HTTPServer", "Observability"], swiftSettings: settings),
        .executableTarget(name: "telemetry-gen", dependencies: ["AMQP", "TradingCore"], swiftSettings: settings),
        .executableTarget(name: "vend-sim", dependencies: ["VendSimulator", "HTTPServer", "Observability"], swiftSettings: settings),
        // One request made exactly as tradingd's partner calls are (docs/OUTBOUND-HTTP.md).
        .executableTarget(name: "outbound-fetch", dependencies: ["OutboundHTTP"], swiftSettings: settings),
        // Benchmarks (not tests): swift run -c release amqp-bench
        .executableTarget(name: "amqp-bench", dependencies: ["AMQP"], path: "bench/amqp", swiftSettings: settings),
        .executableTarget(name: "ingest-bench", dependencies: ["Ingest", "AMQP", "TradingCore", "Postgres", "HTTPServer", "API", "Accounts", "Crypto", "Trading", "TradingAPI", "Observability"], path: "bench/ingest/IngestBench",
                          swiftSettings: settings),
        .executableTarget(name: "httpserver-bench", dependencies: ["HTTPServer"], swiftSettings: settings),
        .executableTarget(name: "outbound-bench", dependencies: ["ESM"], path: "bench/outbound/OutboundBench", swiftSettings: settings),
        .executableTarget(name: "purchases-bench", dependencies: ["OutboundHTTP", "Postgres"], path: "bench/purchases/PurchasesBench",
                          swiftSettings: settings),
        .executableTarget(name: "relay-bench", dependencies: ["Relay", "AMQP", "TradingCore", "ESM", "ESMSimulator", "Postgres", "Observability"],
                          path: "bench/relay/RelayBench", swiftSettings: settings),

        // Tests. `XTests` are unit tests and need no server; `XIntegrationTests` talk to the
        // private PostgreSQL and RabbitMQ that TestSupport finds (Deploy/servers.sh started them);
        // TestSupport's RawClient sends HTTP bytes exactly as written (malformed, slow, pipelined).
        .target(name: "TestSupport", dependencies: ["Postgres", "AMQP", "TradingCore", "HTTPServer"], path: "Tests/TestSupport", swiftSettings: settings),
        // Hostile HTTP and TLS servers on loopback and test certificates made with the openssl CLI.
        .target(name: "OutboundTestSupport", dependencies: ["TLS"], path: "Tests/OutboundTestSupport", swiftSettings: settings),
        .testTarget(name: "ArchitectureTests", swiftSettings: settings),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability"], swiftSettings: settings),
        .testTarget(name: "TradingCoreTests", dependencies: ["TradingCore", "JSON"], swiftSettings: settings),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres"], swiftSettings: settings),
        .testTarget(name: "PostgresIntegrationTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "AMQPTests", dependencies: ["AMQP"], swiftSettings: settings),
        .testTarget(name: "AMQPIntegrationTests", dependencies: ["AMQP", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "PurchaseCoreTests", dependencies: ["PurchaseCore"], swiftSettings: settings),
        .testTarget(name: "ArgoSimulatorTests", dependencies: ["ArgoSimulator", "JSON", "OutboundHTTP"], swiftSettings: settings),
        .target(name: "PurchaseTestSupport", dependencies: ["ArgoSimulator", "OutboundHTTP", "Purchases"], path: "Tests/PurchaseTestSupport",
                swiftSettings: settings),
        .testTarget(name: "PurchasesAPIIntegrationTests", dependencies: ["PurchasesAPI", "Purchases", "PurchaseCore", "API", "Accounts",
                                                                     "ArgoSimulator", "HTTPServer", "JSON", "OutboundHTTP", "Postgres",
                                                                     "TestSupport", "PurchaseTestSupport"], swiftSettings: settings),
        .testTarget(name: "PurchasesIntegrationTests", dependencies: ["Purchases", "PurchaseCore", "ArgoSimulator", "OutboundHTTP", "Domain", "Postgres", "AMQP", "Observability", "TestSupport",
                                                                  "PurchaseTestSupport"],
                    swiftSettings: settings),
        .testTarget(name: "VendCoreTests", dependencies: ["VendCore"], resources: [.copy("Fixtures")], swiftSettings: settings),
        .testTarget(name: "VendTests", dependencies: ["Vend", "VendCore"], swiftSettings: settings),
        .testTarget(name: "VendSimulatorTests", dependencies: ["VendSimulator", "VendCore"], swiftSettings: settings),
        .testTarget(name: "PrepaidPlusTests", dependencies: ["PrepaidPlus", "VendSimulator", "VendCore", "OutboundHTTP", "OutboundTestSupport"],
                    swiftSettings: settings),
        .testTarget(name: "VendIntegrationTests", dependencies: ["Vend", "VendAPI", "VendCore", "VendSimulator", "PrepaidPlus", "OutboundHTTP", "Crypto",
                                                             "HTTPServer",
                                                             "Domain", "Postgres", "Observability",
                                                             "TestSupport"], swiftSettings: settings),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"], swiftSettings: settings),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "JSON", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "OutboundTestSupport"], swiftSettings: settings),
        .testTarget(name: "OutboundHTTPTests", dependencies: ["OutboundHTTP", "OutboundTestSupport"], resources: [.copy("Fixtures")],
                    swiftSettings: settings),
        .testTarget(name: "ESMTests", dependencies: ["ESM", "ESMSimulator", "HTTPServer", "TradingCore", "AMQP", "Observability", "TestSupport",
                                                     "OutboundTestSupport"], swiftSettings: settings),
        .testTarget(name: "TimekeepingTests", dependencies: ["Timekeeping"], swiftSettings: settings),
        .testTarget(name: "MessagingTests", dependencies: ["Messaging", "AMQP", "Observability"], swiftSettings: settings),
        .testTarget(name: "IngestTests", dependencies: ["Ingest"], swiftSettings: settings),
        .testTarget(name: "RelayTests", dependencies: ["Relay", "Observability", "AMQP", "ESM", "Postgres"], swiftSettings: settings),
        .testTarget(name: "IngestIntegrationTests", dependencies: ["Ingest", "Messaging", "TradingCore", "Postgres", "AMQP", "Observability",
                                                               "TestSupport"], swiftSettings: settings),
        .testTarget(name: "RelayIntegrationTests", dependencies: ["Relay", "Messaging", "TradingCore", "Postgres", "AMQP", "ESM",
                                                              "ESMSimulator", "Observability", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "TradingIntegrationTests", dependencies: ["Trading", "TradingAPI", "API", "Accounts", "Domain", "JSON",
                                                                "TradingCore", "Postgres", "AMQP", "Crypto", "ESM", "ESMSimulator",
                                                                "HTTPServer", "Observability", "Ingest", "Relay", "Tradingd", "TestSupport"],
                    swiftSettings: settings),
        .testTarget(name: "TradingdTests", dependencies: ["Tradingd", "HTTPServer", "Observability", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "StatusPageTests", dependencies: ["StatusPage", "HTTPServer", "Crypto"], swiftSettings: settings),
        .testTarget(name: "TradingdIntegrationTests", dependencies: ["Postgres", "ArgoSimulator", "TestSupport", "VendSimulator",
                                                                   "OutboundHTTP"], swiftSettings: settings),
        .testTarget(name: "SecurityIntegrationTests", dependencies: ["Tradingd", "Accounts", "HTTPServer", "Observability", "Postgres",
                                                                   "TestSupport"], swiftSettings: settings),
        .testTarget(name: "ExactJSONTests", dependencies: ["ExactJSON"], swiftSettings: settings),
        .testTarget(name: "UsersTests", dependencies: ["Users"], swiftSettings: settings),
        .testTarget(name: "UsersIntegrationTests", dependencies: ["Users", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "CustomerDataTests", dependencies: ["CustomerData", "ExactJSON"], swiftSettings: settings),
        .testTarget(name: "CustomerDataAPIIntegrationTests", dependencies: ["CustomerDataAPI", "CustomerDataStores", "CustomerData", "Users",
                                                                        "Accounts", "API", "HTTPServer", "ExactJSON", "Postgres",
                                                                        "TestSupport"], swiftSettings: settings),
        .testTarget(name: "CustomerDataIntegrationTests", dependencies: ["CustomerDataStores", "CustomerData", "Users", "ExactJSON", "Domain",
                                                                     "Postgres", "TestSupport"], swiftSettings: settings),
    ],
    swiftLanguageModes: [.v6]
)
