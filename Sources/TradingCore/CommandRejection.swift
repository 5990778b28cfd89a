/// Why a command or an acknowledgement can never be processed: it is dead-lettered with
/// `message` in the `x-rejection-reason` header, and `kind` labels the metrics.
public struct CommandRejection: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, CaseIterable, Sendable {
        /// Not JSON, or not a JSON object.
        case malformed = "malformed"
        case missingField = "missing_field"
        /// A field of the wrong type or form (a UUID, an RFC 3339 time, an enum value).
        case invalidField = "invalid_field"
        case unknownCommandType = "unknown_command_type"
        /// A number outside its allowed range, or not finite.
        case outOfRange = "out_of_range"
        /// The plant (or site) does not exist in the queue's organisation.
        case unknownPlant = "unknown_plant"
        /// Both `plantId` and `siteId` are given and name different plants.
        case plantSiteMismatch = "plant_site_mismatch"
        /// An acknowledgement whose correlationId matches no command of the organisation.
        case unknownCommand = "unknown_command"
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
