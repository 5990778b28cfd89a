// swift-tools-version:6.0
import PackageDescription

// No Swift package dependencies by design: Foundation, Dispatch, the toolchain's test libraries,
// and three C libraries from Debian through system-library targets.
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
    ],
    targets: [
        // C libraries, each wrapped once.
        .systemLibrary(name: "CRabbitMQ", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // epoll and eventfd, which Swift's Glibc module does not import.
        .systemLibrary(name: "CLinuxEvents"),

        // Libraries, from the bottom up.
        .target(name: "TradingCore", swiftSettings: settings),
        .target(name: "Observability", swiftSettings: settings),
        .target(name: "Postgres", dependencies: ["CPostgres"], swiftSettings: settings),
        .target(name: "AMQP", dependencies: ["CRabbitMQ"], swiftSettings: settings),
        .target(name: "Crypto", dependencies: ["CCrypto"], swiftSettings: settings),
        .target(name: "HTTPServer", dependencies: ["CLinuxEvents"], swiftSettings: settings),
        // Energy purchase schedules (seed 000): parsing, validation, time zones. No I/O.
        .target(name: "Purchases", dependencies: ["ExactJSON"], swiftSettings: settings),
        .target(name: "ESM", dependencies: ["TradingCore", "HTTPServer", "Observability"], swiftSettings: settings),
        // The ESM simulator as a library, so that tests can run it in-process.
        .target(name: "ESMSimulator", dependencies: ["TradingCore", "HTTPServer", "AMQP", "Observability"], swiftSettings: settings),
        // JSON with exact numbers (amounts as Decimal, never Double).
        .target(name: "ExactJSON", dependencies: ["Observability"], swiftSettings: settings),
        // Users of an organisation and their profiles (seed 002's profile, seed 000's `{user}`).
        .target(name: "Users", dependencies: ["Postgres", "ExactJSON"], swiftSettings: settings),
        // The customer-data family's rules (seeds 002 and 003): decoding and checking bodies, NIT,
        // ISO 8601 dates in a zone. No I/O.
        .target(name: "CustomerData", dependencies: ["ExactJSON"], swiftSettings: settings),
        // The customer-data family's tables: sales histories, customer events, their reference data and auth.
        .target(name: "CustomerDataStores", dependencies: ["CustomerData", "Users", "Postgres", "Crypto", "ExactJSON"],
                swiftSettings: settings),
        .target(
            name: "Tradingd",
            dependencies: ["TradingCore", "Observability", "Postgres", "AMQP", "Crypto", "HTTPServer", "ESM"],
            swiftSettings: settings
        ),

        // Executables.
        .executableTarget(name: "tradingd", dependencies: ["Tradingd"], swiftSettings: settings),
        .executableTarget(name: "esm-sim", dependencies: ["ESMSimulator", "Observability"], swiftSettings: settings),
        .executableTarget(name: "telemetry-gen", dependencies: ["AMQP", "TradingCore"], swiftSettings: settings),
        // Benchmarks (not tests): swift run -c release amqp-bench
        .executableTarget(name: "amqp-bench", dependencies: ["AMQP"], path: "bench/amqp", swiftSettings: settings),
        .executableTarget(name: "ingest-bench", dependencies: ["Tradingd", "AMQP", "TradingCore", "HTTPServer", "Postgres"], path: "bench/ingest/IngestBench",
                          swiftSettings: settings),
        .executableTarget(name: "httpserver-bench", dependencies: ["HTTPServer"], swiftSettings: settings),
        .executableTarget(name: "relay-bench", dependencies: ["Tradingd", "AMQP", "TradingCore", "ESM", "ESMSimulator", "Postgres"],
                          path: "bench/relay/RelayBench", swiftSettings: settings),

        // Tests. TestSupport finds the private servers that Deploy/servers.sh started.
        .target(name: "TestSupport", dependencies: ["Postgres", "AMQP"], path: "Tests/TestSupport", swiftSettings: settings),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability"], swiftSettings: settings),
        .testTarget(name: "TradingCoreTests", dependencies: ["TradingCore"], swiftSettings: settings),
        .testTarget(name: "PurchasesTests", dependencies: ["Purchases"], swiftSettings: settings),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "AMQPTests", dependencies: ["AMQP", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"], swiftSettings: settings),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"], swiftSettings: settings),
        .testTarget(name: "ESMTests", dependencies: ["ESM", "ESMSimulator", "HTTPServer", "TradingCore", "AMQP", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: settings),
        .testTarget(name: "ExactJSONTests", dependencies: ["ExactJSON"], swiftSettings: settings),
        .testTarget(name: "UsersTests", dependencies: ["Users"], swiftSettings: settings),
        .testTarget(name: "UsersIntegrationTests", dependencies: ["Users", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "CustomerDataTests", dependencies: ["CustomerData", "ExactJSON"], swiftSettings: settings),
        .testTarget(name: "CustomerDataStoresTests", dependencies: ["CustomerDataStores", "CustomerData", "Users", "TestSupport"],
                    swiftSettings: settings),
        .testTarget(name: "TradingdTests", dependencies: ["Tradingd", "TestSupport", "ESM", "ESMSimulator"], swiftSettings: settings),
    ],
    swiftLanguageModes: [.v6]
)
