import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport

/// The RabbitMQ management API of the test broker, for what AMQP itself cannot do in tests:
/// force-closing a client's connection.
struct ManagementAPI {
    let base: URL
    let authorization: String

    init() throws {
        let text = try TestServers.amqpManagementURL
        guard var components = URLComponents(string: text), let user = components.user,
              let password = components.password else {
            throw ManagementError(message: "bad management URL")
        }
        authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        components.user = nil
        components.password = nil
        guard let base = components.url else { throw ManagementError(message: "bad management URL") }
        self.base = base
    }

    struct ManagementError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Names of the broker's connections whose client set `connection_name` to `clientName`.
    func connectionNames(clientName: String) async throws -> [String] {
        let (data, status) = try await request("GET", "/api/connections?columns=name,client_properties")
        guard status == 200 else { throw ManagementError(message: "GET /api/connections: \(status)") }
        let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return list.compactMap { entry in
            let properties = entry["client_properties"] as? [String: Any]
            guard properties?["connection_name"] as? String == clientName else { return nil }
            return entry["name"] as? String
        }
    }

    /// Force-closes every connection named `clientName`, waiting (the management API lists new
    /// connections a few seconds late) until at least one was found. Returns how many.
    func closeConnections(clientName: String, within timeout: Duration = .seconds(60)) async throws -> Int {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            let names = try await connectionNames(clientName: clientName)
            if !names.isEmpty {
                for name in names {
                    let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
                    let (_, status) = try await request("DELETE", "/api/connections/\(encoded)")
                    guard status == 204 || status == 404 else {
                        throw ManagementError(message: "DELETE connection: \(status)")
                    }
                }
                return names.count
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ManagementError(message: "connection \(clientName) never appeared in the management API")
    }

    private func request(_ method: String, _ path: String) async throws -> (Data, Int) {
        guard let url = URL(string: base.absoluteString + path) else { throw ManagementError(message: "bad path") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        request.setValue("closed by tradingd tests", forHTTPHeaderField: "X-Reason")
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}
