/// A decoded query string: `+` is a space, `%XX` decoded, and every value of a repeated key kept
/// in order.
public struct QueryParameters: Sendable, Equatable {
    public private(set) var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    /// Decodes `query` (without the `?`); 400 on malformed escapes, non-UTF-8, NUL, CR or LF.
    public init(decoding query: String?) throws(HTTPError) {
        pairs = []
        guard let query, !query.isEmpty else { return }
        for component in query.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = component.firstIndex(of: "=")
            let rawName = component[..<(equals ?? component.endIndex)]
            let rawValue = equals.map { component[component.index(after: $0)...] } ?? ""
            guard let name = PercentDecoding.decode(rawName, plusAsSpace: true),
                  let value = PercentDecoding.decode(rawValue, plusAsSpace: true) else {
                throw .badRequest("Invalid encoding in query string", code: "INVALID_QUERY")
            }
            pairs.append((name, value))
        }
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public var names: [String] { pairs.map(\.name) }

    public static func == (lhs: QueryParameters, rhs: QueryParameters) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }
}
