import Foundation
import Observability
import Postgres
import Timekeeping
import VendCore

/// Settles transactions whose outcome is unknown (and pending ones whose caller died) with the
/// provider's advice call, never by vending again: a sale found becomes `success` with its
/// receipt, "no sale" becomes `failed`, and no answer leaves it `unknown` to be asked again later,
/// waiting twice as long each time up to `maximumAdviceDelay`. Safe to run on every replica at
/// once: each transaction is claimed by one of them at a time.
public final class VendReconciler: Sendable {
    /// What one advice round did to one transaction.
    public struct Settlement: Sendable, Equatable {
        public let transID: String
        public let status: VendTransaction.Status
        public let note: String
    }

    let pool: PostgresPool
    let providers: any VendProviderDirectory
    let settings: VendSettings
    let logger: Logger
    private let transactions = VendTransactionStore()

    public init(pool: PostgresPool, providers: any VendProviderDirectory, settings: VendSettings = VendSettings(),
                logger: Logger = .silent) {
        self.pool = pool
        self.providers = providers
        self.settings = settings
        self.logger = logger
    }

    /// Asks about every transaction that is due, up to `limit` of them. - Returns: what became of each.
    public func reconcileDue(limit: Int = 100) throws -> [Settlement] {
        var settled: [Settlement] = []
        while settled.count < limit, let claimed = try pool.withConnection({
            try transactions.claimForAdvice(claim: settings.providerCallLease, on: $0)
        }) {
            settled.append(try settle(claimed.transaction, cashier: claimed.cashier))
        }
        return settled
    }

    /// Asks about `transID` now, whatever its backoff says. - Returns: nil when it is settled
    /// already, unknown, or still pending within its caller's lease.
    public func reconcile(transID: String) throws -> Settlement? {
        guard let claimed = try pool.withConnection({
            try transactions.claimForAdvice(transID: transID, claim: settings.providerCallLease, on: $0)
        }) else { return nil }
        return try settle(claimed.transaction, cashier: claimed.cashier)
    }

    /// How many transactions are pending or unknown.
    public func unsettledCount() throws -> Int {
        try pool.withConnection { try transactions.unsettledCount(on: $0) }
    }

    /// Unsettled transactions, oldest first, for operators.
    public func unsettled(limit: Int = 100) throws -> [VendTransaction] {
        try pool.withConnection { try transactions.unsettled(limit: limit, on: $0) }
    }

    private func settle(_ transaction: VendTransaction, cashier: String) throws -> Settlement {
        let log = logger.with(["vend.trans_id": transaction.transID, "vend.provider": transaction.provider])
        let outcome: AdviceOutcome
        do {
            outcome = try providers.provider(named: transaction.provider, for: transaction.organizationID)
                .advice(clientSaleID: transaction.transID)
        } catch {
            outcome = .unavailable(reason: "no provider to ask: \(error)")
        }
        let stored: VendTransaction = try pool.withConnection { connection in
            switch outcome {
            case .sold(let sale):
                log.info("vend reconciled: the provider sold", ["vend.receipt_no": sale.receiptNumber])
                return try transactions.recordSale(id: transaction.id, receipt: VendReceipt(sale: sale, cashier: cashier),
                                                   note: "advice: sold", on: connection)
            case .noSale(let fault):
                log.info("vend reconciled: no sale was made", ["vend.fault_code": fault.code])
                return try transactions.recordFailure(id: transaction.id, failure: VendService.failure(fault),
                                                      note: "advice: no sale (\(fault.code))", on: connection)
            case .unavailable(let reason):
                let delay = backoff(afterAttempts: transaction.reconcileAttempts)
                log.warning("vend advice gave no answer; asking again later",
                            ["vend.reason": reason, "vend.attempts": String(transaction.reconcileAttempts),
                             "vend.retry_in_s": String(Int(delay.inSeconds))])
                return try transactions.recordUnknown(id: transaction.id, note: "advice: \(reason)", delay: delay, on: connection)
            }
        }
        return Settlement(transID: stored.transID, status: stored.status, note: stored.lastReconcileNote ?? "")
    }

    /// `firstAdviceDelay` doubled per attempt already made, up to `maximumAdviceDelay`.
    func backoff(afterAttempts attempts: Int) -> Duration {
        var delay = settings.firstAdviceDelay
        for _ in 1..<max(1, min(attempts, 30)) where delay < settings.maximumAdviceDelay { delay *= 2 }
        return min(delay, settings.maximumAdviceDelay)
    }
}
