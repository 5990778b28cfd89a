/// Why a request body is refused (400 `{"error": message}`): every problem found, one sentence
/// each, naming the field and item index it concerns, in the language of the family's seed.
public struct RequestRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Language: Sendable { case spanish, english }

    /// One sentence per problem, in body order.
    public let problems: [String]
    public let language: Language
    /// How many problems `message` lists before saying how many more there are.
    public let maximumReported: Int

    public init(_ problems: [String], language: Language, maximumReported: Int = 10) {
        self.problems = problems
        self.language = language
        self.maximumReported = maximumReported
    }

    /// The problems as one message.
    public var message: String {
        let shown = problems.prefix(maximumReported).joined(separator: " ")
        let more = problems.count - maximumReported
        guard more > 0 else { return shown }
        return switch language {
        case .spanish: shown + " Y \(more) \(more == 1 ? "error" : "errores") más."
        case .english: shown + " And \(more) more \(more == 1 ? "problem" : "problems")."
        }
    }

    public var description: String { message }

    /// A client's text inside a message: in double quotes, cut at 60 characters.
    public static func quoted(_ text: String) -> String {
        "\"" + (text.count > 60 ? String(text.prefix(57)) + "..." : text) + "\""
    }
}
