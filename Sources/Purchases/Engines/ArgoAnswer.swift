import Foundation

/// The submit request's body (Argo's `WorkflowSubmitRequest`).
struct ArgoSubmitBody: Encodable {
    struct Options: Encodable {
        let name: String
        let parameters: [String]
        let labels: String
    }

    let namespace: String
    let resourceKind: String
    let resourceName: String
    let submitOptions: Options
}

/// The parts of a Workflow object tradingd reads.
struct ArgoWorkflow: Decodable {
    struct Metadata: Decodable {
        let name: String?
    }

    struct Status: Decodable {
        let phase: String?
        let startedAt: String?
        let finishedAt: String?
        let message: String?
    }

    let metadata: Metadata?
    let status: Status?
}

/// Argo's error bodies: grpc-gateway's `{"code": N, "message": "..."}` (older versions add
/// `"error"` with the same text).
enum ArgoAnswer {
    struct Failure: Decodable, Equatable {
        let code: Int
        let message: String

        private enum Keys: String, CodingKey { case code, message, error }

        init(code: Int, message: String) {
            self.code = code
            self.message = message
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            code = try container.decode(Int.self, forKey: .code)
            message = try container.decodeIfPresent(String.self, forKey: .message)
                ?? container.decodeIfPresent(String.self, forKey: .error) ?? ""
        }
    }

    /// The error in a body, nil when it is not one (a plain-text 429, an HTML proxy page).
    static func error(_ body: [UInt8]) -> Failure? {
        try? JSONDecoder().decode(Failure.self, from: Data(body))
    }

    /// gRPC's name for a status code.
    static func codeName(_ code: Int) -> String {
        let names = [0: "OK", 1: "Canceled", 2: "Unknown", 3: "InvalidArgument", 4: "DeadlineExceeded", 5: "NotFound",
                     6: "AlreadyExists", 7: "PermissionDenied", 8: "ResourceExhausted", 9: "FailedPrecondition", 10: "Aborted",
                     11: "OutOfRange", 12: "Unimplemented", 13: "Internal", 14: "Unavailable", 15: "DataLoss", 16: "Unauthenticated"]
        return names[code] ?? "code \(code)"
    }
}
