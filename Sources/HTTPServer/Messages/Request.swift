/// A request as handlers see it.
public struct Request: Sendable {
    /// The method token exactly as sent (`GET`, `POST`...); for a HEAD request served by a GET
    /// route it stays `HEAD`.
    public var method: String
    /// The path, still percent-encoded as received.
    public var path: String
    /// Values of the `{name}` segments of the matched route pattern, percent-decoded.
    public var pathParameters: [String: String]
    public var query: QueryParameters
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// `address:port` of the peer (`[address]:port` for IPv6).
    public var remoteAddress: String
    /// The client's `X-Request-Id` when sane, else one generated here; echoed in the response.
    public var requestID: String
    /// The matched route pattern (`/api/v1/trading/plants/{plantId}`), nil before routing or
    /// when nothing matched.
    public var routePattern: String?
    /// Values middleware attaches for later stages (the authenticated principal...).
    public var attributes: RequestAttributes

    public init(method: String, path: String, pathParameters: [String: String] = [:],
                query: QueryParameters = QueryParameters(), headers: HTTPHeaders = [:], body: [UInt8] = [],
                remoteAddress: String = "", requestID: String = "", routePattern: String? = nil,
                attributes: RequestAttributes = RequestAttributes()) {
        self.method = method
        self.path = path
        self.pathParameters = pathParameters
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.requestID = requestID
        self.routePattern = routePattern
        self.attributes = attributes
    }

    /// The value of path parameter `name`, or a 400 naming it when absent.
    public func pathParameter(_ name: String) throws(HTTPError) -> String {
        guard let value = pathParameters[name] else {
            throw .badRequest("Missing path parameter '\(name)'")
        }
        return value
    }
}

/// A key of `RequestAttributes`; the type itself is the key.
public protocol RequestAttributeKey {
    associatedtype Value: Sendable
}

/// Typed values attached to a request by middleware.
public struct RequestAttributes: Sendable {
    private var storage: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<Key: RequestAttributeKey>(key: Key.Type) -> Key.Value? {
        get { storage[ObjectIdentifier(key)] as? Key.Value }
        set { storage[ObjectIdentifier(key)] = newValue }
    }
}
