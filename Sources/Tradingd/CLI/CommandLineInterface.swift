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
        guard let first = arguments.first else { throw UsageError(message: "a command is required") }
        if first == "--help" || first == "-h" || first == "help" {
            output(CommandCatalog.usage)
            return 0
        }
        let asksForHelp = arguments.contains("--help") || arguments.contains("-h")
        // An unknown command or subcommand is bad usage whatever follows it, --help included.
        guard let known = CommandCatalog.command(for: arguments) else {
            guard let group = CommandCatalog.group(for: arguments) else { throw UsageError(message: "unknown command '\(first)'") }
            let name = group.joined(separator: " ")
            if let word = arguments.dropFirst(group.count).first, !word.hasPrefix("-") {
                throw UsageError(message: "unknown '\(name)' subcommand '\(word)'")
            }
            if asksForHelp {
                output(CommandCatalog.help(forGroup: group))
                return 0
            }
            throw UsageError(message: "'\(name)' needs a subcommand: " + CommandCatalog.nextWords(after: group).joined(separator: ", "))
        }
        if let word = arguments.dropFirst(known.words.count).first, !known.subwords.isEmpty, !word.hasPrefix("-"),
           !known.subwords.contains(word) {
            throw UsageError(message: "unknown '\(known.name)' subcommand '\(word)'")
        }
        if asksForHelp {
            output(CommandCatalog.help(for: known))
            return 0
        }
        let command = first
        let rest = Array(arguments.dropFirst())
        if let status = try runPurchases(command, rest) { return status }
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
        case ("status", _):
            let options = try Options(rest, allowed: ["--url"])
            let url = try options.values["--url"]
                ?? StatusCommand.url(listening: Configuration.load(environment: environment).listenAddress)
            return try StatusCommand(baseURL: url, output: output).run()
        case ("version", _):
            try expectNoArguments(rest)
            output("tradingd \(BuildInfo.version) (commit \(BuildInfo.commit))")
            return 0
        case ("completion", "bash"):
            try expectNoArguments(Array(rest.dropFirst()))
            output(CommandCatalog.bashCompletion)
            return 0
        case ("org", "create"):
            let options = try Options(Array(rest.dropFirst()), allowed: ["--slug", "--name"])
            let id = try withDatabase { try TokenStore().createOrganization(
                slug: try options.required("--slug"), name: try options.required("--name"), on: $0) }
            output(id.uuidString.lowercased())
            return 0
        case ("token", "create"):
            return try createToken(try Options(Array(rest.dropFirst()), allowed: ["--org", "--role", "--scopes", "--expires", "--user"]))
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
        default:
            throw UsageError(message: "unknown command '\(command)'")  // a catalogue entry without a case
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
        let issued = try withDatabase { connection in
            let organization = try options.required("--org")
            return try TokenStore().createToken(organizationSlug: organization, role: role, scopes: scopes, expiresInDays: days,
                                                userID: try boundUser(options, organizationSlug: organization, on: connection),
                                                on: connection)
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
