import Foundation
import Messaging
import Observability
import Postgres

/// The reconciliation job as a service of the daemon: every `interval` it settles what is due
/// (`VendReconciler.reconcileDue`), publishes how many transactions are unsettled, and deletes
/// tokens that expired a day ago. Every replica runs it; claims keep them from asking twice.
public final class VendReconcileJob: Service {
    public let name = "vend reconciliation"
    private let reconciler: VendReconciler
    private let interval: Duration
    private let metrics: MetricsRegistry?
    private let logger: Logger
    private let thread = WorkerThread(name: "tradingd.vend-reconcile")

    public init(reconciler: VendReconciler, interval: Duration, metrics: MetricsRegistry? = nil, logger: Logger) {
        self.reconciler = reconciler
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
        metrics?.register("tradingd_vend_unsettled", kind: .gauge, help: "vend transactions pending or unknown")
        metrics?.register("tradingd_vend_reconciled_total", kind: .counter, help: "advice rounds by the status they left")
    }

    public func start() {
        thread.start { [self] in
            var rounds = 0
            repeat {
                runOnce(cleanUp: rounds % 720 == 0)
                rounds += 1
            } while thread.sleep(interval)
        }
    }

    /// Stops after the advice call in flight. - Returns: true when it finished by `deadline`.
    @discardableResult
    public func stop(by deadline: ContinuousClock.Instant) -> Bool { thread.stop(by: deadline) }

    /// One round. Failures are logged, never thrown: the next round tries again.
    @discardableResult
    public func runOnce(cleanUp: Bool = false) -> [VendReconciler.Settlement] {
        var settled: [VendReconciler.Settlement] = []
        do {
            settled = try reconciler.reconcileDue()
            for settlement in settled {
                metrics?.increment("tradingd_vend_reconciled_total", labels: ["status": settlement.status.rawValue])
            }
            metrics?.set("tradingd_vend_unsettled", to: Double(try reconciler.unsettledCount()))
            if cleanUp { try reconciler.deleteExpiredTokens() }
        } catch {
            logger.error("vend reconciliation round failed", ["error": String(describing: error)])
        }
        return settled
    }
}

extension VendReconciler {
    /// Deletes api_tokens and elec_tokens that expired more than a day ago.
    func deleteExpiredTokens() throws {
        try pool.withConnection { connection in
            let api = try VendAPITokenStore().deleteExpired(on: connection)
            let elec = try ElecTokenStore().deleteExpired(on: connection)
            if api + elec > 0 { logger.info("vend expired tokens deleted", ["count": String(api + elec)]) }
        }
    }
}
