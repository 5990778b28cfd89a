import ArgoSimulator
import Foundation
import OutboundHTTP
import Purchases

/// An Argo simulator on a free port and an engine pointed at it.
public final class ArgoFixture {
    public let simulator: ArgoSimulator
    public let port: Int

    public init(knobs: ArgoSimulatorKnobs = ArgoSimulatorKnobs(), templates: [String: [String]]? = nil) throws {
        var options = ArgoSimulatorOptions()
        options.knobs = knobs
        if let templates { options.templates = templates }
        simulator = ArgoSimulator(options: options)
        port = try simulator.start()
    }

    deinit { simulator.stop() }

    public func engine(token: String = "argo-sim-token", template: String = "purchase-schedule", poll: Duration = .milliseconds(200),
                timeout: Duration = .seconds(5)) throws -> ArgoWorkflowEngine {
        let urlGuard = try OutboundURLGuard(privateAllowList: "127.0.0.1:\(port)")
        let configuration = ArgoConfiguration(baseURL: try urlGuard.check(url: "http://127.0.0.1:\(port)"), namespace: "argo",
                                              templateName: template, token: token, statusPollInterval: poll,
                                              timeouts: .init(connect: .seconds(1), request: timeout))
        return ArgoWorkflowEngine(configuration: configuration, client: OutboundHTTPClient(urlGuard: urlGuard))
    }

    /// Fast retries, so outage tests finish in seconds once the engine is back.
    public static var quickOptions: PurchaseDispatchOptions {
        var options = PurchaseDispatchOptions()
        options.idlePoll = .milliseconds(50)
        options.retryInitial = .milliseconds(50)
        options.retryMaximum = .milliseconds(500)
        options.lease = .seconds(5)
        return options
    }
}
