import Domain
import HTTPServer
import JSON

/// The page a list request asks for (DESIGN §6): `page >= 1` (default 1), `limit` 1–100
/// (default 20), read from the query string here, in the API layer; stores get its `window`.
/// Shared by every paged list (plants, config-log, command-log, and the families to come).
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 20
    public static let maximumLimit = 100

    public let page: Int
    public let limit: Int

    public init(page: Int = 1, limit: Int = PageRequest.defaultLimit) {
        self.page = page
        self.limit = limit
    }

    /// What the store reads: `LIMIT limit OFFSET (page - 1) * limit`.
    public var window: PageWindow { PageWindow(limit: limit, offset: (page - 1) * limit) }

    /// Reads `page` and `limit` from the query string.
    /// - Throws: 400 `code` (default `BAD_REQUEST`) naming the parameter and the rule it broke.
    public static func parse(_ query: QueryParameters, code: String = "BAD_REQUEST") throws(DomainError) -> PageRequest {
        let page = try integer(query, "page", default: 1, range: 1...1_000_000, code: code)
        let limit = try integer(query, "limit", default: defaultLimit, range: 1...maximumLimit, code: code)
        return PageRequest(page: page, limit: limit)
    }

    private static func integer(_ query: QueryParameters, _ name: String, default value: Int, range: ClosedRange<Int>,
                                code: String) throws(DomainError) -> Int {
        let values = query.values(for: name)
        guard values.count <= 1 else { throw DomainError.invalid("\(name) is given more than once", field: name, code: code) }
        guard let text = values.first else { return value }
        let rule = "an integer from \(grouped(range.lowerBound)) to \(grouped(range.upperBound))"
        guard let number = Int(text), range.contains(number) else {
            throw DomainError.invalid("\(name) must be \(rule), got '\(text.prefix(40))'", field: name, code: code)
        }
        return number
    }

    /// `1000000` as `1,000,000`, as the messages say it.
    static func grouped(_ number: Int) -> String {
        var digits = String(number.magnitude), out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return (number < 0 ? "-" : "") + digits + out
    }

    /// The `meta` object of a paged response for `total` matching rows.
    public func meta(total: Int) -> JSONValue {
        let totalPages = total == 0 ? 0 : (total + limit - 1) / limit
        return ["page": .number(Double(page)), "limit": .number(Double(limit)),
                "total": .number(Double(total)), "totalPages": .number(Double(totalPages))]
    }

    /// `{"data": [...], "meta": {...}}` as the seed's paged lists answer, each record rendered by `json`.
    public func response<Record>(_ page: Page<Record>, _ json: (Record) -> JSONValue) throws -> Response {
        try Response.json(JSONValue.object(["data": .array(page.records.map(json)), "meta": meta(total: page.total)]))
    }
}
