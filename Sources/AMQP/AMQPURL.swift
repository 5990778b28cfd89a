/// A parsed `amqp://user:pass@host:port/vhost` or `amqps://…` URL (RabbitMQ's URI spec).
///
/// - Missing user/password default to `guest`, the port to 5672 (5671 for `amqps`), the vhost
///   to `/`. The vhost is one percent-decoded path segment (`%2f` is `/`).
/// - A cluster's further nodes may follow the first, comma-separated:
///   `amqp://user:pass@node1:5672,node2:5673/vhost`. A connection tries them in turn.
/// - Query keys understood: `heartbeat` and `connection_timeout` (seconds), and for TLS
///   `cacertfile`, `certfile`, `keyfile`, `verify` (`verify_peer` or `verify_none`),
///   `server_name_indication` (accepted, host verification uses the URL host).
public struct AMQPURL: Sendable, Equatable, CustomStringConvertible {
    public struct TLS: Sendable, Equatable {
        /// PEM bundle of trusted CAs; the system bundle when nil.
        public var caCertificatePath: String?
        public var clientCertificatePath: String?
        public var clientKeyPath: String?
        /// Verify the broker's certificate chain and host name (on by default).
        public var verifyPeer: Bool = true

        public init(caCertificatePath: String? = nil, clientCertificatePath: String? = nil,
                    clientKeyPath: String? = nil, verifyPeer: Bool = true) {
            self.caCertificatePath = caCertificatePath
            self.clientCertificatePath = clientCertificatePath
            self.clientKeyPath = clientKeyPath
            self.verifyPeer = verifyPeer
        }
    }

    /// One broker node: where a connection may go.
    public struct Node: Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    public var host: String
    public var port: Int
    /// The cluster's other nodes (after the first, `host:port`), in the order the URL gives them.
    public var alternateNodes: [Node] = []
    public var user: String
    public var password: String
    public var virtualHost: String
    /// TLS settings; nil for plain `amqp://`.
    public var tls: TLS?
    /// From the `heartbeat` query key, overriding the connection options when present.
    public var heartbeatSeconds: Int?
    /// From the `connection_timeout` query key (RabbitMQ gives it in milliseconds).
    public var connectionTimeoutMilliseconds: Int?

    public init(host: String, port: Int? = nil, user: String = "guest", password: String = "guest",
                virtualHost: String = "/", tls: TLS? = nil) {
        self.host = host
        self.port = port ?? (tls == nil ? 5672 : 5671)
        self.user = user
        self.password = password
        self.virtualHost = virtualHost
        self.tls = tls
    }

    public init(_ string: String) throws {
        func invalid(_ why: String) -> AMQPError { AMQPError(.invalidURL, detail: "AMQP URL: \(why)") }
        let schemeEnd = string.range(of: "://")
        guard let schemeEnd else { throw invalid("missing scheme") }
        let scheme = string[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "amqp" || scheme == "amqps" else { throw invalid("scheme must be amqp or amqps") }
        var rest = Substring(string[schemeEnd.upperBound...])

        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var path: Substring? = nil
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var authority = rest
        var user = "guest", password = "guest"
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = try Self.percentDecode(userInfo[..<colon], invalid)
                password = try Self.percentDecode(userInfo[userInfo.index(after: colon)...], invalid)
            } else {
                user = try Self.percentDecode(userInfo, invalid)
                password = ""
            }
        }
        let nodes = try authority.split(separator: ",", omittingEmptySubsequences: false).map { try Self.node($0, invalid) }
        let (host, port) = nodes[0]
        var tls: TLS? = scheme == "amqps" ? TLS() : nil
        var vhost = "/"
        if let path, !path.isEmpty {
            guard !path.contains("/") else { throw invalid("vhost must be one path segment; encode / as %2f") }
            vhost = try Self.percentDecode(path, invalid)
        }
        self.init(host: host, port: port, user: user, password: password, virtualHost: vhost, tls: tls)
        let defaultPort = tls == nil ? 5672 : 5671
        alternateNodes = nodes.dropFirst().map { Node(host: $0.host, port: $0.port ?? defaultPort) }

        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = try Self.percentDecode(parts[0], invalid)
            let value = parts.count > 1 ? try Self.percentDecode(parts[1], invalid) : ""
            switch key {
            case "heartbeat":
                guard let seconds = Int(value), seconds >= 0 else { throw invalid("bad heartbeat") }
                heartbeatSeconds = seconds
            case "connection_timeout":
                guard let ms = Int(value), ms > 0 else { throw invalid("bad connection_timeout") }
                connectionTimeoutMilliseconds = ms
            case "cacertfile": tls?.caCertificatePath = value
            case "certfile": tls?.clientCertificatePath = value
            case "keyfile": tls?.clientKeyPath = value
            case "verify":
                guard value == "verify_peer" || value == "verify_none" else { throw invalid("verify must be verify_peer or verify_none") }
                tls?.verifyPeer = value == "verify_peer"
            default: break // other RabbitMQ keys (channel_max, auth_mechanism, …) are not needed here
            }
        }
        self.tls = tls
    }

    /// Every node, the first one first.
    public var nodes: [Node] { [Node(host: host, port: port)] + alternateNodes }

    /// This URL with `node` as its only node.
    public func at(_ node: Node) -> AMQPURL {
        var url = self
        url.host = node.host
        url.port = node.port
        url.alternateNodes = []
        return url
    }

    /// The URL with the password masked, for logs.
    public var description: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        let shownNodes = nodes.map { "\($0.host.contains(":") ? "[\($0.host)]" : $0.host):\($0.port)" }.joined(separator: ",")
        let encodedVhost = Self.percentEncode(virtualHost)
        return "\(scheme)://\(Self.percentEncode(user)):***@\(shownNodes)/\(encodedVhost)"
    }

    /// One `host[:port]` of the authority (an IPv6 literal in brackets).
    private static func node(_ authority: Substring, _ invalid: (String) -> AMQPError) throws -> (host: String, port: Int?) {
        var host: String
        var portText: Substring? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unterminated IPv6 literal") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw invalid("junk after host") }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        host = try percentDecode(Substring(host), invalid)
        guard !host.isEmpty else { throw invalid("missing host") }
        guard let portText else { return (host, nil) }
        guard let value = Int(portText), (1...65535).contains(value) else { throw invalid("bad port") }
        return (host, value)
    }

    private static func percentDecode(_ text: Substring, _ invalid: (String) -> AMQPError) throws -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else {
                    throw invalid("bad percent escape")
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw invalid("escape is not UTF-8") }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if unreserved { out.unicodeScalars.append(Unicode.Scalar(byte)) } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
