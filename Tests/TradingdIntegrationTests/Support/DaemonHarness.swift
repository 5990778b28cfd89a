import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Postgres
import TestSupport
import Synchronization

/// Runs the built `tradingd` binary as a child process.
enum Daemon {
    struct Result {
        let status: Int32
        let output: String
        let errors: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The binary next to the test bundle (`swift build` builds every product).
    static func binary() throws -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tradingd").path,
            Repository.root.appendingPathComponent(".build/debug/tradingd").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "tradingd binary not found (run `swift build` first): \(candidates)")
        }
        return found
    }

    static func environment(databaseURL: String) throws -> [String: String] {
        [
            "TRADINGD_DATABASE_URL": databaseURL,
            "TRADINGD_AMQP_URL": try TestServers.amqpURL,
            "TRADINGD_AMQP_MANAGEMENT_URL": try TestServers.amqpManagementURL,
            "TRADINGD_SECRET_KEY": Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString(),
            "TRADINGD_HTTP_ADDRESS": "127.0.0.1:0",
            "TRADINGD_MIGRATIONS_DIRECTORY": Repository.migrationsDirectory,
            "TRADINGD_SHUTDOWN_GRACE_SECONDS": "5",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
    }

    static func run(_ arguments: [String], environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                      errors: String(decoding: errors, as: UTF8.self))
    }

    /// The last non-empty line of a command's output (where `token create` prints the token).
    static func lastLine(_ result: Result) throws -> String {
        guard result.status == 0, let line = result.output.split(separator: "\n").last else {
            throw Failure(description: "command failed (\(result.status)): \(result.errors)")
        }
        return String(line)
    }

    static func start(environment: [String: String]) throws -> Running {
        try Running(environment: environment)
    }

    /// A `tradingd serve` process; its stdout (JSON log lines) is collected.
    final class Running: Sendable {
        private let process: Process
        private let collected: Mutex<String>
        let port: Int

        init(environment: [String: String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try Daemon.binary())
            process.arguments = ["serve"]
            process.environment = environment
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            try process.run()
            let reader = out.fileHandleForReading
            var buffer = ""
            var found: Int?
            let deadline = Date().addingTimeInterval(30)
            while found == nil, Date() < deadline {
                let data = reader.availableData
                if data.isEmpty { break }
                buffer += String(decoding: data, as: UTF8.self)
                found = Self.readyPort(in: buffer)
            }
            guard let found else {
                process.terminate()
                throw Failure(description: "tradingd did not become ready:\n\(buffer)")
            }
            self.process = process
            self.collected = Mutex(buffer)
            self.port = found
            Thread.detachNewThread { [self] in
                while true {
                    let data = reader.availableData
                    if data.isEmpty { break }
                    self.collected.withLock { $0 += String(decoding: data, as: UTF8.self) }
                }
            }
        }

        static func readyPort(in log: String) -> Int? {
            for line in log.split(separator: "\n") where line.contains("\"msg\":\"tradingd ready\"") {
                guard let range = line.range(of: "\"http.address\":\"") else { continue }
                let rest = line[range.upperBound...]
                guard let end = rest.firstIndex(of: "\""), let colon = rest[..<end].lastIndex(of: ":") else { continue }
                return Int(rest[rest.index(after: colon)..<end])
            }
            return nil
        }

        var log: String { collected.withLock { $0 } }

        /// SIGTERM, then wait for the exit. - Returns: the exit status.
        func terminate() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            Thread.sleep(forTimeInterval: 0.1)
            return process.terminationStatus
        }

        func kill() {
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        }
    }
}

/// A small blocking HTTP client for tests.
enum HTTP {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: String

        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
    }

    static func get(_ url: String, token: String? = nil) throws -> Reply {
        try send("GET", url, token: token, body: nil)
    }

    static func send(_ method: String, _ url: String, token: String? = nil, headers: [String: String] = [:], body: Data?) throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let box = Mutex<Result<Reply, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.withLock { $0 = .failure(error) }
            } else if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (key, value) in http.allHeaderFields {
                    if let key = key as? String, let value = value as? String { headers[key] = value }
                }
                box.withLock { $0 = .success(Reply(status: http.statusCode, headers: headers,
                                                   body: String(decoding: data ?? Data(), as: UTF8.self))) }
            }
            done.signal()
        }.resume()
        done.wait()
        return try box.withLock { $0! }.get()
    }
}

enum TestSQL {
    static func execute(_ databaseURL: String, _ sql: String) throws {
        _ = try PostgresConnection(url: databaseURL).execute(sql)
    }

    static func count(_ databaseURL: String, _ sql: String) throws -> Int {
        try PostgresConnection(url: databaseURL).query(sql)[0].int(0)
    }

    static func text(_ databaseURL: String, _ sql: String) throws -> String {
        try PostgresConnection(url: databaseURL).query(sql)[0].string(0)
    }
}
