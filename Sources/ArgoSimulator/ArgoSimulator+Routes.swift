import Foundation
import HTTPServer
import JSON

extension ArgoSimulator {
    func makeRouter() -> Router {
        var router = Router(renderer: ArgoErrorRenderer())
        let gate = ClosureMiddleware { [self] request, next in try admit(request, next: next) }
        router.group("/api/v1/workflows", middleware: [gate]) { group in
            group.post("/{namespace}/submit") { [self] request in try submit(request) }
            group.get("/{namespace}/{name}") { [self] request in try workflow(request) }
        }
        router.get("/_sim/workflows") { [self] _ in try Response.json(["workflows": workflows]) }
        router.get("/_sim/stats") { [self] _ in try Response.json(stats) }
        router.post("/_sim/knobs") { [self] request in
            let update = try request.decodeJSON(KnobUpdate.self)
            state.withLock { s in s.setKnobs(update.applied(to: s.knobs)) }
            return Response.empty()
        }
        return router
    }

    /// The rate limit (before anything else, as Argo's limiter wraps the whole API), then the bearer token.
    private func admit(_ request: Request, next: Handler) throws -> Response {
        let (limit, token) = state.withLock { s -> ((allowed: Bool, remaining: Int, retryAfter: Int), Int) in
            s.stats.requests += 1
            let taken = s.bucket.take()
            if !taken.allowed { s.stats.throttled += 1 }
            return (taken, s.knobs.rateLimitBurst)
        }
        guard limit.allowed else {
            // Argo (v3.4 and later) gives the reset and Retry-After as a time in UTC, not as
            // seconds (argo-workflows docs/argo-server.md, "Rate Limiting").
            let reset = Self.httpDate(Date().addingTimeInterval(TimeInterval(limit.retryAfter)))
            var response = Response.text("Too Many Requests\n", status: 429)
            response.headers.set("Retry-After", reset)
            response.headers.set("X-Rate-Limit-Limit", String(token))
            response.headers.set("X-Rate-Limit-Remaining", "0")
            response.headers.set("X-Rate-Limit-Reset", reset)
            return response
        }
        let header = request.headers["Authorization"] ?? ""
        guard header == "Bearer " + options.token else {
            state.withLock { $0.stats.unauthenticated += 1 }
            throw ArgoError(.unauthenticated, "token not valid. see https://argo-workflows.readthedocs.io/en/latest/faq/")
        }
        return try next(request)
    }

    private func submit(_ request: Request) throws -> Response {
        let namespace = try request.pathParameter("namespace")
        let body = try request.decodeJSON(SubmitBody.self)
        let options = body.submitOptions ?? SubmitOptions()
        let kinds: Set<String> = ["WorkflowTemplate", "workflowtemplate", "workflowtemplates", "wftmpl"]
        guard let kind = body.resourceKind, kinds.contains(kind) else {
            throw ArgoError(.invalidArgument, "resourceKind '\(body.resourceKind ?? "")' is not supported for submitting")
        }
        guard let templateName = body.resourceName, !templateName.isEmpty else {
            throw ArgoError(.invalidArgument, "resourceName is required")
        }
        guard self.options.namespaces.contains(namespace), let declared = self.options.templates[templateName] else {
            throw ArgoError(.notFound, "workflowtemplates.argoproj.io \"\(templateName)\" not found")
        }
        let parameters = try Self.parameters(options.parameters ?? [])
        if let missing = declared.first(where: { parameters[$0] == nil }) {
            throw ArgoError(.invalidArgument, "spec.arguments.\(missing).value is required")
        }
        let labels = try Self.labels(options.labels ?? "")
        let name = try options.name.map(Self.checkedName) ?? ((options.generateName ?? templateName + "-") + Self.randomSuffix())
        let now = Date().timeIntervalSince1970
        let (created, responseDelay) = try state.withLock { s -> (ArgoSimulatedWorkflow, Int) in
            s.stats.submits += 1
            let key = ArgoSimulatorState.key(namespace, name)
            guard s.workflows[key] == nil else {
                s.stats.alreadyExists += 1
                throw ArgoError(.alreadyExists, "workflows.argoproj.io \"\(name)\" already exists")
            }
            let workflow = ArgoSimulatedWorkflow(
                namespace: namespace, name: name, uid: UUID().uuidString.lowercased(), template: templateName, parameters: parameters,
                labels: labels, createdAt: now, willFail: s.knobs.failureRate > 0 && Double.random(in: 0..<1) < s.knobs.failureRate,
                pendingSeconds: Double(s.knobs.pendingMilliseconds) / 1000, runningSeconds: Double(s.knobs.runningMilliseconds) / 1000)
            if options.serverDryRun != true {
                s.workflows[key] = workflow
                s.stats.workflowsCreated += 1
            }
            return (workflow, s.knobs.submitResponseDelayMilliseconds)
        }
        delay(milliseconds: responseDelay)
        return try Response.json(created.json(at: now))
    }

    private func workflow(_ request: Request) throws -> Response {
        let namespace = try request.pathParameter("namespace"), name = try request.pathParameter("name")
        let found = state.withLock { s -> ArgoSimulatedWorkflow? in
            s.stats.gets += 1
            return s.workflows[ArgoSimulatorState.key(namespace, name)]
        }
        guard let found else { throw ArgoError(.notFound, "workflows.argoproj.io \"\(name)\" not found") }
        return try Response.json(found.json(at: Date().timeIntervalSince1970))
    }

    // MARK: Argo's argument rules

    /// `NAME=VALUE` strings; a repeated name keeps the last value.
    static func parameters(_ list: [String]) throws(ArgoError) -> [String: String] {
        var result: [String: String] = [:]
        for item in list {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ArgoError(.invalidArgument, "expected parameter of the form: NAME=VALUE. Received: \(item)")
            }
            result[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        return result
    }

    /// `k=v,k2=v2` with Kubernetes label syntax (names and values up to 63 characters).
    static func labels(_ text: String) throws(ArgoError) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./")
            guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 253, parts[1].count <= 63,
                  parts[0].allSatisfy(allowed.contains), parts[1].allSatisfy({ allowed.contains($0) && $0 != "/" }) else {
                throw ArgoError(.invalidArgument, "invalid label: \(pair)")
            }
            result[String(parts[0])] = String(parts[1])
        }
        return result
    }

    /// A Kubernetes object name: an RFC 1123 subdomain of at most 253 characters.
    static func checkedName(_ name: String) throws(ArgoError) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        guard !name.isEmpty, name.count <= 253, name.allSatisfy(allowed.contains), let first = name.first, let last = name.last,
              first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            throw ArgoError(.invalidArgument, "Workflow.argoproj.io \"\(name)\" is invalid: metadata.name: Invalid value: \"\(name)\": "
                            + "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'")
        }
        return name
    }

    /// RFC 1123 in UTC, as Go's `time.RFC1123` writes a UTC time (`Thu, 03 Dec 2026 14:30:05 UTC`),
    /// the fraction of a second dropped as Go drops it.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    /// Five random lowercase letters and digits, as Kubernetes appends to a `generateName`.
    static func randomSuffix() -> String {
        String((0..<5).map { _ in "bcdfghjklmnpqrstvwxz2456789".randomElement()! })
    }
}

private struct SubmitBody: Decodable {
    var namespace: String?
    var resourceKind: String?
    var resourceName: String?
    var submitOptions: SubmitOptions?
}

private struct SubmitOptions: Decodable {
    var name: String?
    var generateName: String?
    var parameters: [String]?
    var labels: String?
    var serverDryRun: Bool?
}

/// `POST /_sim/knobs`: any subset of the knobs.
private struct KnobUpdate: Decodable {
    var pendingMilliseconds: Int?
    var runningMilliseconds: Int?
    var failureRate: Double?
    var rateLimitPerSecond: Double?
    var rateLimitBurst: Int?
    var submitResponseDelayMilliseconds: Int?

    func applied(to knobs: ArgoSimulatorKnobs) -> ArgoSimulatorKnobs {
        var knobs = knobs
        if let pendingMilliseconds { knobs.pendingMilliseconds = max(0, pendingMilliseconds) }
        if let runningMilliseconds { knobs.runningMilliseconds = max(0, runningMilliseconds) }
        if let failureRate { knobs.failureRate = min(1, max(0, failureRate)) }
        if let rateLimitPerSecond { knobs.rateLimitPerSecond = max(0, rateLimitPerSecond) }
        if let rateLimitBurst { knobs.rateLimitBurst = max(1, rateLimitBurst) }
        if let submitResponseDelayMilliseconds { knobs.submitResponseDelayMilliseconds = max(0, submitResponseDelayMilliseconds) }
        return knobs
    }
}
