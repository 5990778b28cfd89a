import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The few calls of RabbitMQ's management HTTP API that partner users need (users, vhost
/// permissions, topic permissions). Blocking: call from a thread that may block (HTTP handlers run
/// on the worker pool). The management URL's credentials never appear in errors or logs.
public struct RabbitManagementClient: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    private let base: String
    private let authorization: String
    /// The management user's name (partner users must never be named like it).
    public let userName: String
    public let timeout: TimeInterval

    /// - Parameter url: `http://user:password@host:port` (a path prefix is kept).
    public init(url: String, timeout: TimeInterval = 10) throws {
        guard var components = URLComponents(string: url), let scheme = components.scheme, ["http", "https"].contains(scheme),
              components.host != nil, let user = components.user, let password = components.password else {
            throw Failure(description: "the management URL must be http(s)://user:password@host:port")
        }
        authorization = "Basic " + Data("\(user.removingPercentEncoding ?? user):\(password.removingPercentEncoding ?? password)".utf8)
            .base64EncodedString()
        userName = user.removingPercentEncoding ?? user
        components.user = nil
        components.password = nil
        var text = components.string ?? ""
        while text.hasSuffix("/") { text.removeLast() }
        base = text
        self.timeout = timeout
    }

    /// The user's tags, or nil when there is no such user.
    public func userTags(_ name: String) throws -> [String]? {
        let (status, body) = try send("GET", "/api/users/\(Self.segment(name))")
        if status == 404 { return nil }
        guard status == 200 else { throw failure("GET user", status, body) }
        let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
        if let tags = object?["tags"] as? [String] { return tags }
        if let tags = object?["tags"] as? String { return tags.split(separator: ",").map(String.init) }
        return []
    }

    /// Creates the user or sets its password and tags.
    public func putUser(_ name: String, password: String, tags: [String]) throws {
        let body = try JSONSerialization.data(withJSONObject: ["password": password, "tags": tags.joined(separator: ",")])
        let (status, response) = try send("PUT", "/api/users/\(Self.segment(name))", body: body)
        guard status == 201 || status == 204 else { throw failure("PUT user", status, response) }
    }

    /// Deletes the user; a missing user is fine.
    public func deleteUser(_ name: String) throws {
        let (status, response) = try send("DELETE", "/api/users/\(Self.segment(name))")
        guard status == 204 || status == 404 else { throw failure("DELETE user", status, response) }
    }

    /// Sets the user's configure/write/read resource permissions on `vhost`.
    public func putPermissions(user: String, vhost: String, configure: String, write: String, read: String) throws {
        let body = try JSONSerialization.data(withJSONObject: ["configure": configure, "write": write, "read": read])
        let (status, response) = try send("PUT", "/api/permissions/\(Self.segment(vhost))/\(Self.segment(user))", body: body)
        guard status == 201 || status == 204 else { throw failure("PUT permissions", status, response) }
    }

    /// Restricts the routing keys the user may publish to (`write`) and bind with (`read`) on one
    /// topic exchange.
    public func putTopicPermissions(user: String, vhost: String, exchange: String, write: String, read: String) throws {
        let body = try JSONSerialization.data(withJSONObject: ["exchange": exchange, "write": write, "read": read])
        let (status, response) = try send("PUT", "/api/topic-permissions/\(Self.segment(vhost))/\(Self.segment(user))", body: body)
        guard status == 201 || status == 204 else { throw failure("PUT topic-permissions", status, response) }
    }

    // MARK: Transport

    /// One path segment, percent-encoded (`/` → `%2F`, so the default vhost works).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private func failure(_ what: String, _ status: Int, _ body: Data) -> Failure {
        let reason = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["reason"] as? String
        return Failure(description: "management API \(what) answered \(status)" + (reason.map { ": \($0.prefix(200))" } ?? ""))
    }

    private func send(_ method: String, _ path: String, body: Data? = nil) throws -> (Int, Data) {
        guard let url = URL(string: base + path) else { throw Failure(description: "management API: bad path \(path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            outcome.value.withLock { $0 = (status, data ?? Data(), error.map { $0.localizedDescription }) }
            done.signal()
        }
        task.resume()
        done.wait()
        guard let result = outcome.value.withLock({ $0 }) else { throw Failure(description: "management API \(method): no answer") }
        if let error = result.error { throw Failure(description: "management API \(method) failed: \(error)") }
        return (result.status, result.data)
    }
}

/// The answer of one request, handed from URLSession's queue to the waiting thread.
private final class Outcome: Sendable {
    let value = Mutex<(status: Int, data: Data, error: String?)?>(nil)
}
