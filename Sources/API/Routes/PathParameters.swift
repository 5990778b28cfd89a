import Domain
import Foundation
import HTTPServer

extension Request {
    /// A path parameter that must be a UUID; otherwise 400 with `message`, `code` and
    /// `details.field` set to the parameter's name.
    public func uuidParameter(_ name: String, message: String, code: String = "BAD_REQUEST") throws -> UUID {
        let text = try pathParameter(name)
        guard let id = UUID(uuidString: text) else { throw DomainError.invalid(message, field: name, code: code) }
        return id
    }

    /// The one value of a query parameter given at most once; 400 naming it when repeated.
    public func singleQueryValue(_ name: String, code: String = "BAD_REQUEST") throws(DomainError) -> String? {
        let values = query.values(for: name)
        guard values.count <= 1 else { throw DomainError.invalid("\(name) is given more than once", field: name, code: code) }
        return values.first
    }
}
