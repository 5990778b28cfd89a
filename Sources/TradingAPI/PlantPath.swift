import API
import Foundation
import HTTPServer

extension Request {
    /// The `plantId` path parameter of every `…/plants/{plantId}/…` route, else 400 with
    /// `details.field = "plantId"`: `BAD_REQUEST` and "Invalid plant UUID" unless the seed shows
    /// another code or wording for the endpoint (`INVALID_UUID` on `telemetry/latest`).
    func plantID(message: String = "Invalid plant UUID", code: String = "BAD_REQUEST") throws -> UUID {
        try uuidParameter("plantId", message: message, code: code)
    }
}
