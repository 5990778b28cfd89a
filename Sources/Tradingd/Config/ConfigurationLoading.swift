import AMQP
import Foundation
import Observability
import OutboundHTTP

extension Configuration {
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
        return try Configuration(values: values, sources: sources)
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
        case .positiveInteger:
            guard let number = Int(value), number >= 1 else { return "must be a whole number >= 1, got \"\(value)\"" }
            return nil
        case .prefetch:
            guard let number = Int(value), (1...65_535).contains(number) else {
                return "must be a whole number from 1 to 65535, got \"\(value)\""
            }
            return nil
        case .url:
            // An AMQP URL may name a cluster's nodes (`host1:port1,host2:port2`), which URL refuses.
            if value.lowercased().hasPrefix("amqp://") || value.lowercased().hasPrefix("amqps://") {
                do { _ = try AMQPURL(value) } catch { return "is not an AMQP URL (\((error as? AMQPError)?.detail ?? "\(error)"))" }
                return nil
            }
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
