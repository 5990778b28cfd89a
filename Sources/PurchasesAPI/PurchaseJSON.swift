import Foundation
import HTTPServer
import JSON
import Observability
import PurchaseCore
import Purchases

/// Purchases as the family's JSON shows them.
enum PurchaseJSON {
    /// The seed's 201 body, keys in the seed's order:
    /// `{"id", "status", "error", "rows_uploaded", "created_at", "message"}`.
    static func created(_ record: PurchaseRecord) -> Response {
        let id = record.id.uuidString.lowercased()
        let message = PurchaseMessages.seedCreated(id: id, user: record.username, retailer: record.retailerExternalID)
        var text = "{"
        func member(_ key: String, _ value: String, quoted: Bool = true, last: Bool = false) {
            JSONText.appendString(key, to: &text)
            text += ": "
            if quoted { JSONText.appendString(value, to: &text) } else { text += value }
            text += last ? "}" : ", "
        }
        member("id", id)
        member("status", record.status.rawValue)
        member("error", record.error)
        member("rows_uploaded", String(record.rowCount), quoted: false)
        member("created_at", timestamp(record.createdAt))
        member("message", message, last: true)
        return Response(status: 201, headers: ["Content-Type": "application/json"], body: Array(text.utf8))
    }

    /// One purchase for `GET .../purchases/{id}` and the list.
    static func purchase(_ record: PurchaseRecord) -> JSONValue {
        func time(_ date: Date?) -> JSONValue { date.map { .string(timestamp($0)) } ?? .null }
        return [
            "id": .string(record.id.uuidString.lowercased()), "status": .string(record.status.rawValue), "error": .string(record.error),
            "rows_uploaded": .number(Double(record.rowCount)), "created_at": time(record.createdAt), "updated_at": time(record.updatedAt),
            "user": .string(record.username), "retailer_id": .string(record.retailerExternalID),
            "first_period_start": time(record.firstPeriodStart), "last_period_start": time(record.lastPeriodStart),
            "workflow_engine": record.engine.map { .string($0) } ?? .null,
            "workflow_name": record.workflowName.map { .string($0) } ?? .null,
            "dispatch_attempts": .number(Double(record.dispatchAttempts)),
            "submitted_at": time(record.submittedAt), "started_at": time(record.startedAt), "finished_at": time(record.finishedAt),
        ]
    }

    /// RFC 3339 in UTC to the second, as the seed writes `created_at` (`2024-01-15T14:30:00Z`).
    static func timestamp(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }
}
