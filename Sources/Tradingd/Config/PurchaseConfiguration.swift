import Crypto
import OutboundHTTP
import PurchaseCore
import Purchases

/// The purchase family's settings (`purchase*`, `argo*`), as `serve` uses them.
public struct PurchaseConfiguration: Sendable {
    public enum Engine: String, Sendable { case argo, amqp }

    public let engineName: String
    public let maximumRows: Int
    public let queuePrefix: String
    public let argoURL: String
    public let argoNamespace: String
    public let argoWorkflowTemplate: String
    public let argoTokenSealed: String
    public let argoStatusPoll: Duration
    public let dispatchLease: Duration

    init(engine: String, maximumRows: Int, queuePrefix: String, argoURL: String, argoNamespace: String,
         argoWorkflowTemplate: String, argoTokenSealed: String, argoStatusPoll: Duration, dispatchLease: Duration) {
        engineName = engine
        self.maximumRows = maximumRows
        self.queuePrefix = queuePrefix
        self.argoURL = argoURL
        self.argoNamespace = argoNamespace
        self.argoWorkflowTemplate = argoWorkflowTemplate
        self.argoTokenSealed = argoTokenSealed
        self.argoStatusPoll = argoStatusPoll
        self.dispatchLease = dispatchLease
    }

    /// The dispatcher's pacing from the settings.
    var dispatchOptions: PurchaseDispatchOptions {
        var options = PurchaseDispatchOptions()
        options.lease = dispatchLease
        return options
    }

    public var engine: Engine? { Engine(rawValue: engineName) }

    /// The Argo connection, or nil when no Argo URL is set (purchases then stay pending).
    /// - Throws: a message for the first problem: the URL refused by the guard, the token not
    ///   opening with the keyring, a namespace or template that is not a Kubernetes name.
    func argo(keyring: Keyring, urlGuard: OutboundURLGuard) throws -> ArgoConfiguration? {
        guard !argoURL.isEmpty else { return nil }
        let url: ValidatedURL
        do {
            url = try urlGuard.check(url: argoURL)
        } catch {
            throw Problem(key: "argoURL", reason: "is refused by the outbound URL guard: \(error)")
        }
        if let problem = ArgoConfiguration.nameProblem(argoNamespace, what: "the namespace", maximumLength: 63) {
            throw Problem(key: "argoNamespace", reason: problem)
        }
        if let problem = ArgoConfiguration.nameProblem(argoWorkflowTemplate, what: "the template name", maximumLength: 253) {
            throw Problem(key: "argoWorkflowTemplate", reason: problem)
        }
        guard !argoTokenSealed.isEmpty else {
            throw Problem(key: "argoTokenSealed", reason: "is required with argoURL: seal the service-account token with `tradingd secret seal`")
        }
        let token: String
        do {
            token = try keyring.open(argoTokenSealed, context: Self.tokenContext)
        } catch {
            throw Problem(key: "argoTokenSealed", reason: "does not open with the secret key (sealed with another key, or not sealed)")
        }
        return ArgoConfiguration(baseURL: url, namespace: argoNamespace, templateName: argoWorkflowTemplate, token: token,
                                 statusPollInterval: argoStatusPoll)
    }

    /// What a sealed Argo token is bound to (`Keyring` contexts keep a secret sealed for one use
    /// from being opened as another).
    static let tokenContext = "argo-token"

    struct Problem: Error {
        let key: String
        let reason: String
    }
}
