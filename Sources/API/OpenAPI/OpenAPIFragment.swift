/// A part of the daemon's OpenAPI 3.1 document, written by the family that owns the routes it
/// describes: a JSON object with any of `paths`, `components` (by section) and `tags`.
/// `OpenAPIDocument` merges the fragments of every family into the one document served at
/// `/openapi.json`; a name or path given by two fragments is refused there, so families cannot
/// overwrite each other's parts.
public struct OpenAPIFragment: Sendable {
    /// Where the fragment comes from (`trading/config`), for error messages.
    public let name: String
    /// The fragment's JSON text.
    public let json: String

    public init(_ name: String, json: String) {
        self.name = name
        self.json = json
    }
}
