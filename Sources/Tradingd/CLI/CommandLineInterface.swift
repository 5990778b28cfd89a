import Accounts
import Foundation
import Observability
import Postgres

/// `tradingd <command>`: parses arguments, runs the command, and returns the exit status —
/// 0 on success, 1 on failure (one clear line on stderr), 2 on bad usage (DESIGN §9).
public struct CommandLineInterface {
    let environment: [String: String]
    let output: (String) -> Void
    let errorOutput: (String) -> Void

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                output: @escaping (String) -> Void = { print($0) },
                errorOutput: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.environment = environment
        self.output = output
        self.errorOutput = errorOutput
    }

    static let usage = """
        usage: tradingd <command> [options]

        commands:
          serve                     run the daemon (HTTP API, consumers, relay)
          migrate                   apply Migrations/NNNN_name.sql in order
          check-config              validate and print the effective configuration (secrets masked)
          org create --slug SLUG --name NAME
          token create --org SLUG --role admin|operator|viewer [--scopes trading,purchase,vend,loyalty] [--expires DAYS]
          token list --org SLUG
          token revoke ID
          vend user|customer|meter|import|provider|reconcile|unsettled ...   (tradingd vend --help)
        \(customerDataUsage)

        Configuration: TRADINGD_CONFIG names a JSON file; TRADINGD_* variables override it.
        Each command takes --help.
        """

    /// Bad usage: the message and the usage line go to stderr, exit 2.
    struct UsageError: Error {
        let message: String
    }

    public func run(_ arguments: [String]) -> Int32 {
        do {
            return try dispatch(arguments)
        } catch let error as UsageError {
            errorOutput("tradingd: \(error.message)")
            errorOutput("run 'tradingd --help' for usage")
            return 2
        } catch let error as ConfigurationError {
            for line in error.description.split(separator: "\n") { errorOutput("tradingd: \(line)") }
            return 1
        } catch let error as PostgresError {
            errorOutput("tradingd: database: \(error.debugDescription)")
            return 1
        } catch {
            errorOutput("tradingd: \(error)")
            return 1
        }
    }

    private func dispatch(_ arguments: [String]) throws -> Int32 {
        guard let command = arguments.first else { throw UsageError(message: "a command is required") }
        let rest = Array(arguments.dropFirst())
        if command == "--help" || command == "-h" || command == "help" {
            output(Self.usage)
            return 0
        }
        if command == "vend" && (rest.contains("--help") || rest.contains("-h")) {
            output(Self.vendUsage)
            return 0
        }
        if rest.contains("--help") || rest.contains("-h") {
            output(Self.help(for: command + (rest.first.map { $0.hasPrefix("-") ? "" : " " + $0 } ?? "")))
            return 0
        }
        if let status = try runCustomerData(command, rest) { return status }
        switch (command, rest.first) {
        case ("serve", _):
            try expectNoArguments(rest)
            return try serve()
        case ("migrate", _):
            try expectNoArguments(rest)
            return try migrate()
        case ("check-config", _):
            try expectNoArguments(rest)
            return checkConfig()
        case ("org", "create"):
            let options = try Options(Array(rest.dropFirst()), allowed: ["--slug", "--name"])
            let id = try withDatabase { try TokenStore().createOrganization(
                slug: try options.required("--slug"), name: try options.required("--name"), on: $0) }
            output(id.uuidString.lowercased())
            return 0
        case ("token", "create"):
            return try createToken(try Options(Array(rest.dropFirst()), allowed: ["--org", "--role", "--scopes", "--expires"]))
        case ("token", "list"):
            let options = try Options(Array(rest.dropFirst()), allowed: ["--org"])
            let tokens = try withDatabase { try TokenStore().listTokens(organizationSlug: try options.required("--org"), on: $0) }
            output("ID\tROLE\tSCOPES\tCREATED\tEXPIRES\tREVOKED")
            for token in tokens {
                output([token.id.uuidString.lowercased(), token.role.rawValue, token.scopes.map(\.rawValue).joined(separator: ","),
                        Self.format(token.createdAt), token.expiresAt.map(Self.format) ?? "-",
                        token.revokedAt.map(Self.format) ?? "-"].joined(separator: "\t"))
            }
            return 0
        case ("token", "revoke"):
            guard rest.count == 2, let id = UUID(uuidString: rest[1]) else {
                throw UsageError(message: "token revoke takes one token id (a UUID)")
            }
            try withDatabase { try TokenStore().revoke(tokenID: id, on: $0) }
            output("revoked \(id.uuidString.lowercased())")
            return 0
        case ("vend", _):
            return try vend(rest)
        case ("org", _), ("token", _):
            throw UsageError(message: "unknown '\(command)' subcommand '\(rest.first ?? "")'")
        default:
            throw UsageError(message: "unknown command '\(command)'")
        }
    }

    private func serve() throws -> Int32 {
        // Before any thread starts, so that every thread inherits the mask and SIGTERM/SIGINT wait
        // for `Application.run` instead of killing the process mid-write.
        SignalWaiter.blockTerminationSignals()
        let configuration = try Configuration.loadForServe(environment: environment)
        var logger = Logger(level: configuration.logLevel)
        logger.metadata["service"] = "tradingd"
        let application = try Application(configuration: configuration, logger: logger)
        try application.run()
        return 0
    }

    private func migrate() throws -> Int32 {
        let configuration = try Configuration.load(environment: environment, required: ["databaseURL"])
        let connection = try PostgresConnection(url: configuration.databaseURL)
        let applied = try Migrator(directory: configuration.migrationsDirectory).run(on: connection)
        output(applied.isEmpty ? "migrations: up to date"
                               : "migrations: applied " + applied.map(\.fileName).joined(separator: ", "))
        return 0
    }

    private func checkConfig() -> Int32 {
        do {
            let configuration = try Configuration.loadForServe(environment: environment)
            for line in configuration.describe() { output(line) }
            output("configuration ok")
            return 0
        } catch {
            for line in error.description.split(separator: "\n") { errorOutput("tradingd: \(line)") }
            return 1
        }
    }

    private func createToken(_ options: Options) throws -> Int32 {
        let roleText = try options.required("--role")
        guard let role = Principal.Role(rawValue: roleText) else {
            throw UsageError(message: "--role must be admin, operator or viewer, got '\(roleText)'")
        }
        var scopes: [Principal.Scope] = [.trading]
        if let text = options.values["--scopes"] {
            scopes = try text.split(separator: ",").map { name in
                guard let scope = Principal.Scope(rawValue: String(name)) else {
                    throw UsageError(message: "unknown scope '\(name)' (trading, purchase, vend, loyalty)")
                }
                return scope
            }
        }
        var days: Int?
        if let text = options.values["--expires"] {
            guard let value = Int(text), value > 0 else { throw UsageError(message: "--expires takes a whole number of days > 0") }
            days = value
        }
        let issued = try withDatabase {
            try TokenStore().createToken(organizationSlug: try options.required("--org"), role: role, scopes: scopes,
                                         expiresInDays: days, on: $0)
        }
        output("token id \(issued.id.uuidString.lowercased()) (the token is shown once; store it now)")
        output(issued.token)
        return 0
    }

    func withDatabase<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let configuration = try Configuration.load(environment: environment, required: ["databaseURL"])
        return try body(try PostgresConnection(url: configuration.databaseURL))
    }

    func expectNoArguments(_ rest: [String]) throws {
        if let first = rest.first { throw UsageError(message: "unexpected argument '\(first)'") }
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    static func help(for command: String) -> String {
        switch command {
        case "serve": "usage: tradingd serve\n\nRuns the daemon until SIGTERM or SIGINT; logs JSON lines to stdout."
        case "migrate": "usage: tradingd migrate\n\nApplies new files of the migrations folder (TRADINGD_MIGRATIONS_DIRECTORY) in order."
        case "check-config": "usage: tradingd check-config\n\nValidates the configuration and prints it with secrets masked.\n\n"
            + allSettings.map { "  \($0.environment)\n      \($0.help)" }.joined(separator: "\n")
        case "org create", "org": "usage: tradingd org create --slug SLUG --name NAME\n\nPrints the new organisation's id."
        case "token create", "token":
            "usage: tradingd token create --org SLUG --role admin|operator|viewer [--scopes trading,purchase,vend,loyalty] [--expires DAYS]\n"
            + "       tradingd token list --org SLUG\n       tradingd token revoke ID\n\n"
            + "create prints the token alone on its last line; it is stored only as a SHA-256 hash."
        case "token list": "usage: tradingd token list --org SLUG"
        case "token revoke": "usage: tradingd token revoke ID"
        default: customerDataHelp[command] ?? customerDataHelp[String(command.split(separator: " ").first ?? "")] ?? usage
        }
    }
}

/// `--name value` pairs, each allowed at most once, and value-less `flags`.
struct Options {
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ arguments: [String], allowed: Set<String>, flags allowedFlags: Set<String> = []) throws {
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            if allowedFlags.contains(name) {
                flags.insert(name)
                index += 1
                continue
            }
            guard allowed.contains(name) else {
                throw CommandLineInterface.UsageError(message: "unknown option '\(name)'")
            }
            guard index + 1 < arguments.count else {
                throw CommandLineInterface.UsageError(message: "\(name) needs a value")
            }
            guard values[name] == nil else { throw CommandLineInterface.UsageError(message: "\(name) given twice") }
            values[name] = arguments[index + 1]
            index += 2
        }
    }

    func required(_ name: String) throws -> String {
        guard let value = values[name], !value.isEmpty else {
            throw CommandLineInterface.UsageError(message: "\(name) is required")
        }
        return value
    }
}
