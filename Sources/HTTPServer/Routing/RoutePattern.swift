/// A path pattern such as `/api/v1/trading/plants/{plantId}/telemetry`: literal segments and
/// `{name}` parameters, each matching one non-empty path segment.
public struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public let description: String
    let segments: [Segment]

    /// - Precondition: `pattern` starts with `/`; parameter names are unique.
    public init(_ pattern: String) {
        precondition(pattern.hasPrefix("/"), "route pattern must start with '/': \(pattern)")
        description = pattern
        segments = RoutePattern.split(pattern).map { raw in
            if raw.hasPrefix("{") && raw.hasSuffix("}") && raw.count > 2 {
                return .parameter(String(raw.dropFirst().dropLast()))
            }
            return .literal(String(raw))
        }
        let names = segments.compactMap { if case .parameter(let name) = $0 { name } else { nil } }
        precondition(Set(names).count == names.count, "repeated parameter name in \(pattern)")
    }

    /// `/a/b` → `["a", "b"]`; `/` → `[]`; a trailing slash keeps an empty last segment.
    static func split(_ path: String) -> [Substring] {
        guard path != "/" else { return [] }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
    }

    /// The parameters when `decodedSegments` fit this pattern.
    func match(_ decodedSegments: [String]) -> [String: String]? {
        guard decodedSegments.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(segments, decodedSegments) {
            switch segment {
            case .literal(let literal):
                guard literal == value else { return nil }
            case .parameter(let name):
                guard !value.isEmpty else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }

    /// Whether this pattern is more specific than `other`: at the first position where one has a
    /// literal and the other a parameter, the literal wins.
    func isMoreSpecific(than other: RoutePattern) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) {
            switch (mine, theirs) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return false
    }

    /// Whether this pattern's literal segments are a prefix of `decodedSegments`.
    func isPrefix(of decodedSegments: [String]) -> Bool {
        guard segments.count <= decodedSegments.count else { return false }
        return zip(segments, decodedSegments).allSatisfy { segment, value in
            if case .literal(let literal) = segment { return literal == value }
            return true
        }
    }
}
