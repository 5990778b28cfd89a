import Foundation

/// Where the private test servers are: environment variables first, then the file
/// `Deploy/servers.sh start` writes (`<repo>/.local/servers.env`, or the main checkout's for a git
/// worktree). Tests that need a server and
/// cannot find it fail with a message saying how to start it; they never skip.
public enum TestServers {
    public struct NotConfigured: Error, CustomStringConvertible {
        public let variable: String
        public var description: String {
            "\(variable) is not set and \(TestServers.serversFile.path) does not define it: "
                + "run Deploy/servers.sh start (from the repository root)"
        }
    }

    /// `postgresql://` URL of the test database; a role that may create databases.
    public static var databaseURL: String {
        get throws { try value(of: "TRADINGD_TEST_DATABASE_URL") }
    }

    /// `amqp://` URL of the test virtual host.
    public static var amqpURL: String {
        get throws { try value(of: "TRADINGD_TEST_AMQP_URL") }
    }

    /// `http://user:password@host:port` of the RabbitMQ management API.
    public static var amqpManagementURL: String {
        get throws { try value(of: "TRADINGD_TEST_AMQP_MANAGEMENT_URL") }
    }

    static var serversFile: URL { Repository.root.appendingPathComponent(".local/servers.env") }

    static func value(of variable: String) throws -> String {
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
        for file in [serversFile, Repository.mainCheckout?.appendingPathComponent(".local/servers.env")] {
            if let file, let value = parseEnvironmentFile(file)[variable], !value.isEmpty { return value }
        }
        throw NotConfigured(variable: variable)
    }

    /// Reads `KEY=value` lines (optionally `export`ed, optionally quoted); comments and blank
    /// lines are skipped. Read on each call: the file may appear while tests run.
    static func parseEnvironmentFile(_ file: URL) -> [String: String] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingCharacters(in: .whitespaces)
            var value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }
}

/// Paths inside this checkout, found from this file's own location.
public enum Repository {
    /// The repository root (the folder holding Package.swift).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// For a `git worktree` checkout, the main checkout it belongs to (its `.git` file reads
    /// `gitdir: MAIN/.git/worktrees/NAME`), so worktrees share the servers the main one started.
    static var mainCheckout: URL? {
        guard let text = try? String(contentsOf: root.appendingPathComponent(".git"), encoding: .utf8),
            text.hasPrefix("gitdir: ")
        else { return nil }
        let gitDirectory = text.dropFirst("gitdir: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let range = gitDirectory.range(of: "/.git/worktrees/") else { return nil }
        return URL(fileURLWithPath: String(gitDirectory[..<range.lowerBound]))
    }

    /// The `Migrations/` folder that `tradingd migrate` applies.
    public static var migrationsDirectory: String { root.appendingPathComponent("Migrations").path }
}
