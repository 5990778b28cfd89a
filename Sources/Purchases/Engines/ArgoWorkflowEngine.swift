import Foundation
import OutboundHTTP
import PurchaseCore

/// Where and how tradingd reaches Argo Workflows.
public struct ArgoConfiguration: Sendable {
    /// The Argo server, e.g. `https://argo.example.com:2746` (a path prefix is kept).
    public var baseURL: ValidatedURL
    public var namespace: String
    /// The WorkflowTemplate each purchase runs; it takes the parameter `purchaseId`.
    public var templateName: String
    /// The service-account token, in clear only in memory (stored sealed in configuration).
    public var token: String
    public var statusPollInterval: Duration
    public var timeouts: OutboundHTTPClient.Timeouts

    public init(baseURL: ValidatedURL, namespace: String, templateName: String, token: String,
                statusPollInterval: Duration = .seconds(5), timeouts: OutboundHTTPClient.Timeouts = .init()) {
        self.baseURL = baseURL
        self.namespace = namespace
        self.templateName = templateName
        self.token = token
        self.statusPollInterval = statusPollInterval
        self.timeouts = timeouts
    }

    /// Why a namespace or template name is not a Kubernetes name (RFC 1123 label / subdomain), or nil.
    public static func nameProblem(_ name: String, what: String, maximumLength: Int) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-" + (maximumLength > 63 ? "." : ""))
        guard !name.isEmpty, name.count <= maximumLength, name.allSatisfy(allowed.contains),
              name.first?.isLetter == true || name.first?.isNumber == true, name.last?.isLetter == true || name.last?.isNumber == true else {
            return "\(what) must be 1-\(maximumLength) lowercase letters, digits or '-', starting and ending with a letter or digit"
        }
        return nil
    }
}

/// Argo Workflows as the workflow engine, over the project's own HTTP client (pinned to the
/// address the URL guard checked, TLS from libssl):
/// - submit: `POST /api/v1/workflows/{ns}/submit` from the WorkflowTemplate with
///   `submitOptions.name` derived from the purchase id, `parameters: ["purchaseId=<id>"]` and
///   labels naming the purchase and organisation. 200 is a new workflow; 409 / gRPC code 6
///   AlreadyExists means an earlier attempt created it (also when an older Argo reports it as
///   code 2 Unknown with "already exists" in the message, argo-workflows #7580); 429 honours
///   `Retry-After`; 400 / code 3 InvalidArgument refuses the purchase; everything else
///   (unreachable, 5xx, 401 code 16, 403, 404 for a missing template) is retried.
/// - status: `GET /api/v1/workflows/{ns}/{name}`, `status.phase` mapped by `WorkflowPhase`.
public final class ArgoWorkflowEngine: WorkflowEngine, Sendable {
    public let name = "argo"
    public let configuration: ArgoConfiguration
    private let client: OutboundHTTPClient

    public init(configuration: ArgoConfiguration, client: OutboundHTTPClient) {
        self.configuration = configuration
        self.client = client
    }

    public var statusPollInterval: Duration? { configuration.statusPollInterval }

    public func submit(_ submission: WorkflowSubmission) -> WorkflowSubmitOutcome {
        let body = ArgoSubmitBody(
            namespace: configuration.namespace, resourceKind: "WorkflowTemplate", resourceName: configuration.templateName,
            submitOptions: .init(name: submission.workflowName, parameters: ["purchaseId=\(submission.purchaseID.uuidString.lowercased())"],
                                 labels: Self.labels(submission)))
        let answer: HTTPClientResponse
        do {
            answer = try send("POST", path: "submit", body: try Self.encoder.encode(body))
        } catch {
            return .unavailable(reason: "Argo could not be reached: \(error)")
        }
        let failure = ArgoAnswer.error(answer.body)
        switch answer.status {
        case 200...299:
            let created = try? JSONDecoder().decode(ArgoWorkflow.self, from: Data(answer.body))
            return .accepted(workflowName: created?.metadata?.name ?? submission.workflowName)
        case 409:
            return .alreadyExists(workflowName: submission.workflowName)
        case _ where failure?.code == 6 || (failure?.code == 2 && failure?.message.contains("already exists") == true):
            return .alreadyExists(workflowName: submission.workflowName)
        case 429:
            return .throttled(retryAfter: Self.retryAfter(answer.header("Retry-After")),
                              reason: "Argo is rate limiting (HTTP 429); retrying after its Retry-After")
        case 400 where failure == nil || failure?.code == 3:
            return .refused(reason: Self.describe(answer.status, failure))
        default:
            return .unavailable(reason: Self.describe(answer.status, failure))
        }
    }

    public func status(ofWorkflow name: String) -> WorkflowStatusOutcome {
        let answer: HTTPClientResponse
        do {
            answer = try send("GET", path: Self.encoded(name), body: Data())
        } catch {
            return .unavailable(reason: "Argo could not be reached: \(error)")
        }
        switch answer.status {
        case 200...299:
            guard let workflow = try? JSONDecoder().decode(ArgoWorkflow.self, from: Data(answer.body)) else {
                return .unavailable(reason: "Argo's answer is not a Workflow object")
            }
            let status = workflow.status
            guard let phase = WorkflowPhase(argoPhase: status?.phase ?? "", message: status?.message ?? "") else {
                return .unavailable(reason: "Argo reports phase '\(status?.phase ?? "")', unknown to this version")
            }
            return .phase(phase, startedAt: Self.date(status?.startedAt), finishedAt: Self.date(status?.finishedAt))
        case 404:
            return .notFound
        case 429:
            return .throttled(retryAfter: Self.retryAfter(answer.header("Retry-After")))
        default:
            return .unavailable(reason: Self.describe(answer.status, ArgoAnswer.error(answer.body)))
        }
    }

    private func send(_ method: String, path: String, body: Data) throws(HTTPClientError) -> HTTPClientResponse {
        var prefix = configuration.baseURL.pathAndQuery
        if let query = prefix.firstIndex(of: "?") { prefix = String(prefix[..<query]) }
        while prefix.hasSuffix("/") { prefix.removeLast() }
        let fullPath = "\(prefix)/api/v1/workflows/\(Self.encoded(configuration.namespace))/\(path)"
        var headers = [(name: "Authorization", value: "Bearer \(configuration.token)"), (name: "Accept", value: "application/json")]
        if method == "POST" { headers.append((name: "Content-Type", value: "application/json")) }
        let request = HTTPClientRequest(method: method, url: configuration.baseURL, path: fullPath, headers: headers,
                                        body: Array(body), maxResponseBytes: 1 << 20)
        return try client.send(request, timeouts: configuration.timeouts)
    }

    /// `tradingd.io/purchase-id=<uuid>,tradingd.io/organization=<slug>`: Kubernetes label values
    /// (the slug and the id are valid ones), for finding a purchase's workflow with a selector.
    static func labels(_ submission: WorkflowSubmission) -> String {
        "tradingd.io/purchase-id=\(submission.purchaseID.uuidString.lowercased()),tradingd.io/organization=\(submission.organizationSlug)"
    }

    /// `Retry-After` in seconds or as an HTTP date; 5 s when absent or unreadable, at least 1 s.
    static func retryAfter(_ value: String?) -> Duration {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return .seconds(5) }
        if let seconds = Int(value) { return .seconds(max(1, seconds)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return .seconds(5) }
        return .seconds(max(1, Int(date.timeIntervalSinceNow.rounded(.up))))
    }

    static func describe(_ status: Int, _ failure: ArgoAnswer.Failure?) -> String {
        guard let failure else { return "Argo answered HTTP \(status)" }
        return "Argo answered HTTP \(status) (code \(failure.code) \(ArgoAnswer.codeName(failure.code))): \(failure.message.prefix(300))"
    }

    private static func encoded(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? segment
    }

    private static func date(_ text: String?) -> Date? {
        text.flatMap { try? Date($0, strategy: .iso8601) }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
