import HTTPServer

/// The page a list request asks for (DESIGN §6): `page >= 1` (default 1), `limit` 1–100
/// (default 20). Shared by every paged trading list (plants, config-log, command-log).
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 20
    public static let maximumLimit = 100

    public let page: Int
    public let limit: Int

    public init(page: Int = 1, limit: Int = PageRequest.defaultLimit) {
        self.page = page
        self.limit = limit
    }

    /// Rows to skip in SQL (`OFFSET`).
    public var offset: Int { (page - 1) * limit }

    /// Reads `page` and `limit` from the query string.
    /// - Throws: 400 `code` (default `BAD_REQUEST`) naming the parameter and the rule it broke.
    public static func parse(_ query: QueryParameters, code: String = "BAD_REQUEST") throws(HTTPError) -> PageRequest {
        let page = try integer(query, "page", default: 1, range: 1...1_000_000, code: code)
        let limit = try integer(query, "limit", default: defaultLimit, range: 1...maximumLimit, code: code)
        return PageRequest(page: page, limit: limit)
    }

    private static func integer(_ query: QueryParameters, _ name: String, default value: Int, range: ClosedRange<Int>,
                                code: String) throws(HTTPError) -> Int {
        let values = query.values(for: name)
        guard values.count <= 1 else {
            throw .badRequest("\(name) is given more than once", code: code, details: ["field": .string(name)])
        }
        guard let text = values.first else { return value }
        let rule = range.upperBound == 1_000_000 ? "an integer >= \(range.lowerBound)"
            : "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let number = Int(text), range.contains(number) else {
            throw .badRequest("\(name) must be \(rule), got '\(text.prefix(40))'", code: code,
                              details: ["field": .string(name)])
        }
        return number
    }

    /// The `meta` object of a paged response for `total` matching rows.
    public func meta(total: Int) -> JSONValue {
        let totalPages = total == 0 ? 0 : (total + limit - 1) / limit
        return ["page": .number(Double(page)), "limit": .number(Double(limit)),
                "total": .number(Double(total)), "totalPages": .number(Double(totalPages))]
    }

    /// `{"data": [...], "meta": {...}}` as the seed's paged lists answer.
    public func response(data: [JSONValue], total: Int) throws -> Response {
        try Response.json(JSONValue.object(["data": .array(data), "meta": meta(total: total)]))
    }
}
