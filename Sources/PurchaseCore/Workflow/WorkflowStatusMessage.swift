import ExactJSON
import Foundation

/// A status update from the AMQP workflow engine, consumed from `purchases.status`:
/// `{"purchaseId": "<uuid>", "status": "submitted" | "running" | "completed" | "failed",
///   "error"?: "...", "startedAt"?: RFC 3339, "finishedAt"?: RFC 3339}`.
public struct WorkflowStatusMessage: Sendable, Equatable {
    public let purchaseID: UUID
    public let status: PurchaseStatus
    /// Why a `failed` workflow failed; empty otherwise.
    public let error: String
    public let startedAt: Date?
    public let finishedAt: Date?

    public init(purchaseID: UUID, status: PurchaseStatus, error: String = "", startedAt: Date? = nil, finishedAt: Date? = nil) {
        self.purchaseID = purchaseID
        self.status = status
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Why a message can never apply, for its dead letter.
    public struct Malformed: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Reads a message body; every problem is named.
    public static func decode(_ body: [UInt8]) throws(Malformed) -> WorkflowStatusMessage {
        let document: ExactJSON
        do {
            document = try ExactJSON.parse(body)
        } catch {
            throw Malformed(reason: "not JSON: \(error)")
        }
        guard let object = document.objectValue else { throw Malformed(reason: "the body must be a JSON object") }
        guard let idText = object["purchaseId"]?.stringValue, let id = UUID(uuidString: idText) else {
            throw Malformed(reason: "purchaseId must be a purchase id (UUID)")
        }
        let statuses = PurchaseStatus.allCases.filter { $0 != .pending }
        guard let statusText = object["status"]?.stringValue, let status = PurchaseStatus(rawValue: statusText), status != .pending else {
            throw Malformed(reason: "status must be one of " + statuses.map(\.rawValue).joined(separator: ", "))
        }
        var error = ""
        if let value = object["error"], !value.isNull {
            guard let text = value.stringValue else { throw Malformed(reason: "error must be a string") }
            error = text
        }
        return WorkflowStatusMessage(purchaseID: id, status: status, error: status == .failed ? error : "",
                                     startedAt: try time(object, "startedAt"), finishedAt: try time(object, "finishedAt"))
    }

    private static func time(_ object: JSONObject, _ key: String) throws(Malformed) -> Date? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue, let date = parseRFC3339(text) else {
            throw Malformed(reason: "\(key) must be an RFC 3339 time such as 2025-11-11T00:15:00Z")
        }
        return date
    }

    private static func parseRFC3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
