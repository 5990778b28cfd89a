import Domain
import Foundation
import JSON

/// A `POST /api/v1/trading/config` document, read field by field so that every problem is
/// reported at once (the API layer parses the body into the document). An absent field stays as
/// it is; `null` clears an optional one (`cleared`); the configuration's read-only fields (a GET
/// body posted back) are accepted and ignored; any other field is refused.
public struct TradingConfigUpdate: Sendable {
    public var esmAPIURL: String?
    public var esmClientID: String?
    public var esmClientSecret: String?
    public var queuePrefix: String?
    /// The optional fields given as `null` (by their wire names: `esmApiUrl`, `esmClientId`,
    /// `esmClientSecret`).
    public var cleared: Set<String> = []
    /// Problems found while reading (types, lengths, the prefix pattern, unknown fields). The URL
    /// guard runs later, in `TradingService.update`.
    public var violations: [Violation] = []
    /// The names of the fields given (for the log; never their values).
    public var givenFields: Set<String> = []

    static let knownFields: Set<String> = ["esmApiUrl", "esmClientId", "esmClientSecret", "queuePrefix"]
    /// What `GET /api/v1/trading/config` shows besides the writable fields.
    public static let readOnlyFields: Set<String> = [
        "createdAt", "hasEsmCredentials", "id", "lastSyncAt", "lastSyncError", "organizationId", "status", "updatedAt",
    ]

    public init(esmAPIURL: String? = nil, esmClientID: String? = nil, esmClientSecret: String? = nil, queuePrefix: String? = nil) {
        self.esmAPIURL = esmAPIURL
        self.esmClientID = esmClientID
        self.esmClientSecret = esmClientSecret
        self.queuePrefix = queuePrefix
    }

    /// Reads the document's fields; every problem lands in `violations`.
    public init(document object: [String: JSONValue]) {
        self.init()
        for key in object.keys.sorted() where !Self.knownFields.contains(key) && !Self.readOnlyFields.contains(key) {
            violations.append(.init(field: key, message: "unknown field '\(key.prefix(64))'"))
        }
        esmAPIURL = text(object, "esmApiUrl", maxLength: 2048)
        esmAPIURL = esmAPIURL.map { url in
            var url = url
            while url.hasSuffix("/") { url.removeLast() }  // paths are appended to it
            return url
        }
        esmClientID = text(object, "esmClientId", maxLength: 200)
        esmClientSecret = text(object, "esmClientSecret", maxLength: 1000)
        queuePrefix = text(object, "queuePrefix", maxLength: 50)
        if cleared.remove("queuePrefix") != nil {
            violations.append(.init(field: "queuePrefix",
                                    message: "queuePrefix cannot be cleared: it names the queues (give another prefix instead)"))
        }
        if let prefix = queuePrefix, !Self.isValidPrefix(prefix) {
            violations.append(.init(field: "queuePrefix",
                                    message: "queuePrefix must be 2-50 lowercase letters, digits or hyphens, starting and ending with a letter or digit"))
        }
    }

    private mutating func text(_ object: [String: JSONValue], _ field: String, maxLength: Int) -> String? {
        guard let value = object[field] else { return nil }
        switch value {
        case .null:
            givenFields.insert(field)
            cleared.insert(field)
            return nil
        case .string(let text):
            givenFields.insert(field)
            if text.isEmpty {
                violations.append(.init(field: field, message: "\(field) must not be empty (null clears it)"))
            } else if text.unicodeScalars.count > maxLength {
                violations.append(.init(field: field, message: "\(field) must be at most \(maxLength) characters"))
            } else if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                violations.append(.init(field: field, message: "\(field) must not contain control characters"))
            } else {
                return text
            }
            return nil
        default:
            violations.append(.init(field: field, message: "\(field) must be a string"))
            return nil
        }
    }

    /// `^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$` (DESIGN §6).
    public static func isValidPrefix(_ prefix: String) -> Bool {
        let bytes = Array(prefix.utf8)
        guard (2...50).contains(bytes.count) else { return false }
        func alphanumeric(_ c: UInt8) -> Bool { (0x61...0x7a).contains(c) || (0x30...0x39).contains(c) }
        return alphanumeric(bytes.first!) && alphanumeric(bytes.last!) && bytes.allSatisfy { alphanumeric($0) || $0 == 0x2d }
    }
}
