import ExactJSON

/// The daemon's OpenAPI 3.1 document: a fixed head (`openapi`, `info`, the conventions every
/// family shares) and the families' fragments merged into it. Paths are merged method by method
/// and components name by name; a method, component or tag defined twice is an error naming both
/// fragments, as is a fragment that is not JSON (duplicate keys included).
public struct OpenAPIDocument: Sendable {
    /// An operation as the router knows it: `GET` and `/api/v1/trading/plants/{plantId}/config`.
    public struct Operation: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let method: String
        public let path: String

        public init(method: String, path: String) {
            self.method = method.uppercased()
            self.path = path
        }

        public var description: String { "\(method) \(path)" }

        public static func < (lhs: Operation, rhs: Operation) -> Bool {
            (lhs.path, lhs.method) < (rhs.path, rhs.method)
        }
    }

    public struct MergeError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
    static let topLevel: Set<String> = ["paths", "components", "tags"]

    public let document: ExactJSON
    /// The document as served: compact JSON, members in the order the fragments give them.
    public let bytes: [UInt8]
    public let operations: Set<Operation>

    /// - Throws: `MergeError` naming the fragment and what is wrong with it.
    public init(head: OpenAPIFragment = OpenAPIDocument.head, fragments: [OpenAPIFragment]) throws(MergeError) {
        var merger = try Merger(head: head)
        for fragment in fragments { try merger.add(fragment) }
        document = merger.document
        bytes = Array(document.text.utf8)
        operations = merger.operations
    }
}

/// Collects the fragments' members in order, refusing a second definition of anything.
struct Merger {
    private var head: [JSONObject.Member]
    private var paths: [(path: String, members: [JSONObject.Member], owners: [String: String])] = []
    private var components: [(section: String, members: [JSONObject.Member], owners: [String: String])] = []
    private var tags: [ExactJSON] = []
    private var tagOwners: [String: String] = [:]
    private(set) var operations: Set<OpenAPIDocument.Operation> = []

    init(head fragment: OpenAPIFragment) throws(OpenAPIDocument.MergeError) {
        head = try Self.object(fragment).members.filter { !OpenAPIDocument.topLevel.contains($0.key) }
        try add(fragment)
    }

    mutating func add(_ fragment: OpenAPIFragment) throws(OpenAPIDocument.MergeError) {
        let object = try Self.object(fragment)
        for member in object.members {
            switch member.key {
            case "paths": try addPaths(member.value, from: fragment.name)
            case "components": try addComponents(member.value, from: fragment.name)
            case "tags": try addTags(member.value, from: fragment.name)
            default:
                guard fragment.name == "head" else {
                    throw Self.failure(fragment.name, "has '\(member.key)'; a fragment holds only paths, components and tags")
                }
            }
        }
    }

    private mutating func addPaths(_ value: ExactJSON, from name: String) throws(OpenAPIDocument.MergeError) {
        guard let items = value.objectValue else { throw Self.failure(name, "paths must be an object") }
        for item in items.members {
            guard item.key.hasPrefix("/"), let operations = item.value.objectValue else {
                throw Self.failure(name, "path '\(item.key)' must start with '/' and be an object")
            }
            let index = paths.firstIndex { $0.path == item.key } ?? {
                paths.append((item.key, [], [:]))
                return paths.count - 1
            }()
            for member in operations.members {
                if let owner = paths[index].owners[member.key] {
                    throw Self.failure(name, "defines \(member.key) \(item.key), already defined by \(owner)")
                }
                paths[index].owners[member.key] = name
                paths[index].members.append(member)
                if OpenAPIDocument.methods.contains(member.key) {
                    self.operations.insert(.init(method: member.key, path: item.key))
                }
            }
        }
    }

    private mutating func addComponents(_ value: ExactJSON, from name: String) throws(OpenAPIDocument.MergeError) {
        guard let sections = value.objectValue else { throw Self.failure(name, "components must be an object") }
        for section in sections.members {
            guard let entries = section.value.objectValue else {
                throw Self.failure(name, "components.\(section.key) must be an object")
            }
            let index = components.firstIndex { $0.section == section.key } ?? {
                components.append((section.key, [], [:]))
                return components.count - 1
            }()
            for entry in entries.members {
                if let owner = components[index].owners[entry.key] {
                    throw Self.failure(name, "defines components.\(section.key).\(entry.key), already defined by \(owner)")
                }
                components[index].owners[entry.key] = name
                components[index].members.append(entry)
            }
        }
    }

    private mutating func addTags(_ value: ExactJSON, from name: String) throws(OpenAPIDocument.MergeError) {
        guard let list = value.arrayValue else { throw Self.failure(name, "tags must be an array") }
        for tag in list {
            guard let tagName = tag.objectValue?["name"]?.stringValue else { throw Self.failure(name, "a tag without a name") }
            if let owner = tagOwners[tagName] { throw Self.failure(name, "defines tag '\(tagName)', already defined by \(owner)") }
            tagOwners[tagName] = name
            tags.append(tag)
        }
    }

    var document: ExactJSON {
        var members = head
        if !tags.isEmpty { members.append(.init(key: "tags", value: .array(tags))) }
        members.append(.init(key: "paths", value: .object(JSONObject(paths.map {
            JSONObject.Member(key: $0.path, value: .object(JSONObject($0.members)))
        }))))
        if !components.isEmpty {
            members.append(.init(key: "components", value: .object(JSONObject(components.map {
                JSONObject.Member(key: $0.section, value: .object(JSONObject($0.members)))
            }))))
        }
        return .object(JSONObject(members))
    }

    static func object(_ fragment: OpenAPIFragment) throws(OpenAPIDocument.MergeError) -> JSONObject {
        let parsed: ExactJSON
        do {
            parsed = try ExactJSON.parse(fragment.json)
        } catch {
            throw failure(fragment.name, "is not JSON: \(error)")
        }
        guard let object = parsed.objectValue else { throw failure(fragment.name, "must be a JSON object") }
        return object
    }

    static func failure(_ name: String, _ problem: String) -> OpenAPIDocument.MergeError {
        OpenAPIDocument.MergeError(description: "OpenAPI fragment \(name) \(problem)")
    }
}
