/// A JSON object's members in document order; keys are unique (the parser refuses duplicates).
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public let key: String
        public let value: ExactJSON

        public init(key: String, value: ExactJSON) {
            self.key = key
            self.value = value
        }
    }

    public let members: [Member]
    private let indexByKey: [String: Int]

    /// - Precondition: the keys are unique.
    public init(_ members: [Member]) {
        self.members = members
        self.indexByKey = Dictionary(members.enumerated().map { ($0.element.key, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }

    public init(_ pairs: KeyValuePairs<String, ExactJSON>) {
        self.init(pairs.map { Member(key: $0.key, value: $0.value) })
    }

    public subscript(key: String) -> ExactJSON? {
        indexByKey[key].map { members[$0].value }
    }

    public var keys: [String] { members.map(\.key) }

    public var isEmpty: Bool { members.isEmpty }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { lhs.members == rhs.members }
}
