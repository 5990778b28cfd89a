import Foundation
import HTTPServer
import Observability
import OutboundHTTP

/// The daemon's effective configuration: defaults, then the JSON file (`TRADINGD_CONFIG`), then
/// `TRADINGD_*` environment variables. Validated once, listing every problem.
public struct Configuration: Sendable {
    /// Every value as text, by setting key (after the file and the environment were applied).
    let values: [String: String]
    /// Where each value came from: `default`, the file path, or the variable name.
    let sources: [String: String]

    public var databaseURL: String { values["databaseURL"] ?? "" }
    public var amqpURL: String { values["amqpURL"] ?? "" }
    public var amqpManagementURL: String? { values["amqpManagementURL"].flatMap { $0.isEmpty ? nil : $0 } }
    public var httpAddress: String { values["httpAddress"] ?? "127.0.0.1:8080" }
    public var secretKey: String { values["secretKey"] ?? "" }
    /// The partners' private allow list: `TRADINGD_OUTBOUND_PRIVATE_ALLOW` and its older name
    /// `TRADINGD_ESM_PRIVATE_ALLOW`, merged (comma-separated `host:port`).
    public var outboundPrivateAllow: String { (list("outboundPrivateAllow") + list("esmPrivateAllow")).joined(separator: ",") }
    /// `TRADINGD_OUTBOUND_CA_FILE`; `nil` for the system trust store.
    public var outboundCAFile: String? { values["outboundCAFile"].flatMap { $0.isEmpty ? nil : $0 } }
    public var logLevel: Logger.Level { Logger.Level(rawValue: values["logLevel"] ?? "info") ?? .info }
    public var exchange: String { values["exchange"] ?? "trading" }
    public var migrationsDirectory: String { values["migrationsDirectory"] ?? "Migrations" }
    public var staticOrganizations: [String] { list("staticOrganizations") }

    public func integer(_ key: String) -> Int {
        values[key].flatMap { Int($0) } ?? allSettings.first { $0.key == key }?.defaultValue.flatMap { Int($0) } ?? 0
    }

    func list(_ key: String) -> [String] {
        (values[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Reads the configuration. `environment` is injected so tests need not touch the process's.
    /// - Parameter required: keys that must be set for the command at hand (e.g. `serve` needs
    ///   the database and broker; `migrate` only the database).
    public static func load(environment: [String: String],
                            required: Set<String> = []) throws(ConfigurationError) -> Configuration {
        var values: [String: String] = [:]
        var sources: [String: String] = [:]
        var problems: [ConfigurationError.Problem] = []
        for setting in allSettings {
            if let value = setting.defaultValue {
                values[setting.key] = value
                sources[setting.key] = "default"
            }
        }
        let file = environment["TRADINGD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let file {
            do {
                for (key, value) in try readFile(file) {
                    values[key] = value
                    sources[key] = file
                }
            } catch let problem as ConfigurationError.Problem {
                problems.append(problem)
            } catch {
                problems.append(.init(source: file, key: nil, reason: "\(error)"))
            }
        }
        for setting in allSettings {
            if let value = environment[setting.environment] {
                values[setting.key] = value
                sources[setting.key] = setting.environment
            }
        }
        for setting in allSettings {
            let source = sources[setting.key] ?? "default"
            guard let value = values[setting.key], !value.isEmpty else {
                if required.contains(setting.key) {
                    problems.append(.init(source: source, key: setting.key,
                                          reason: "is required; set \(setting.environment) or \"\(setting.key)\" in the config file"))
                }
                continue
            }
            if let reason = validate(value, as: setting.kind) {
                problems.append(.init(source: source, key: setting.key, reason: reason))
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return Configuration(values: values, sources: sources)
    }

    /// The JSON file's settings as text; unknown keys and wrong types are problems, not ignored.
    static func readFile(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError.Problem(source: path, key: nil, reason: "cannot be read")
        }
        let object: [String: FileValue]
        do {
            object = try JSONDecoder().decode([String: FileValue].self, from: data)
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.count == 1 {
            throw ConfigurationError.Problem(source: path, key: context.codingPath[0].stringValue,
                                             reason: "must be a string, a whole number or a list of strings")
        } catch {
            throw ConfigurationError.Problem(source: path, key: nil, reason: "is not a JSON object of settings")
        }
        let known = Set(allSettings.map(\.key))
        var result: [String: String] = [:]
        // Keys starting with `_` are comments.
        for (key, value) in object where !key.hasPrefix("_") {
            guard known.contains(key) else {
                throw ConfigurationError.Problem(source: path, key: key, reason: "is not a known setting")
            }
            guard let text = value.text else {
                throw ConfigurationError.Problem(source: path, key: key,
                                                 reason: "must be a string, a whole number or a list of strings")
            }
            result[key] = text
        }
        return result
    }

    static func validate(_ value: String, as kind: Setting.Kind) -> String? {
        switch kind {
        case .string, .list:
            return nil
        case .caFile:
            do {
                _ = try OutboundTrust.certificateFile(value)
                return nil
            } catch {
                return "cannot be used as a CA file: \(error.message)"
            }
        case .integer:
            guard let number = Int(value), number >= 0 else { return "must be a whole number >= 0, got \"\(value)\"" }
            return nil
        case .url:
            guard let url = URL(string: value), let scheme = url.scheme, url.host != nil else {
                return "is not a URL"
            }
            return ["postgresql", "postgres", "amqp", "amqps", "http", "https"].contains(scheme)
                ? nil : "has an unsupported scheme \"\(scheme)\""
        case .address:
            return parseAddress(value) == nil ? "must be host:port or [v6]:port with a port 0-65535" : nil
        case .logLevel:
            return Logger.Level(rawValue: value) == nil ? "must be debug, info, warning or error" : nil
        case .secretKey:
            for key in value.split(separator: ",") {
                let text = key.split(separator: ":").last.map(String.init) ?? ""
                guard let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                    return "must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)"
                }
            }
            return nil
        }
    }

    /// `host:port` or `[v6]:port`, parsed as the listener parses it.
    static func parseAddress(_ address: String) -> (host: String, port: Int)? {
        HTTPServerConfiguration.parseAddress(address)
    }

    /// `key = value  (source)` lines with secrets masked: URL passwords and keys never printed.
    public func describe() -> [String] {
        allSettings.map { setting in
            let value = values[setting.key] ?? ""
            let shown = setting.isSecret ? Self.mask(value, kind: setting.kind) : value
            return "\(setting.environment) = \(shown.isEmpty ? "(unset)" : shown)  (from \(sources[setting.key] ?? "default"))"
        }
    }

    static func mask(_ value: String, kind: Setting.Kind) -> String {
        guard !value.isEmpty else { return "" }
        if kind == .url, var components = URLComponents(string: value) {
            if components.password != nil { components.password = "****" }
            return components.string ?? "****"
        }
        return "****"
    }
}

/// Every problem found in the configuration, each naming where it came from.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public struct Problem: Error, Sendable, Equatable {
        public let source: String
        public let key: String?
        public let reason: String
    }

    public let problems: [Problem]

    public var description: String {
        problems.map { problem in
            let key = problem.key.map { " \($0)" } ?? ""
            return "config \(problem.source)\(key): \(problem.reason)"
        }.joined(separator: "\n")
    }
}

/// A value in the config file: text, a whole number or a list of strings (anything else is refused).
private enum FileValue: Decodable {
    case text(String)
    case other

    var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .text(value)
        } else if (try? container.decode(Bool.self)) != nil {
            self = .other
        } else if let value = try? container.decode(Int64.self) {
            self = .text(String(value))
        } else if let value = try? container.decode([String].self) {
            self = .text(value.joined(separator: ","))
        } else {
            self = .other
        }
    }
}
