import Foundation
import Observability
import Postgres
import Timekeeping
import VendCore

/// How a purchase request ended.
public enum BuyOutcome: Sendable, Equatable {
    /// Sold; `replay` when this request found the sale made by an earlier one.
    case sold(VendReceipt, replay: Bool)
    /// The provider did not sell (or certainly never got the request).
    case failed(VendTransaction.Failure, replay: Bool)
    /// Recorded, outcome not known yet: `pending` (a provider call is running) or `unknown`.
    case inProgress(transID: String, status: VendTransaction.Status)
    /// Refused before anything was bought (elec_token, transID taken by another purchase).
    case refused(VendRefusals)
}

extension BuyOutcome {
    var metricLabel: String {
        switch self {
        case .sold(_, let replay): replay ? "replay" : "sold"
        case .failed(_, let replay): replay ? "replay" : "failed"
        case .inProgress(_, let status): status == .unknown ? "unknown" : "in_progress"
        case .refused: "refused"
        }
    }
}

extension VendService {
    /// `POST /api/buyelectricityprod`: buys `request.purchase` for `user` exactly once.
    public func buy(_ request: BuyRequest, by user: VendUser) throws -> BuyOutcome {
        let outcome = try buyOnce(request, by: user)
        metrics?.increment("tradingd_vend_purchases_total", labels: ["outcome": outcome.metricLabel])
        return outcome
    }

    private func buyOnce(_ request: BuyRequest, by user: VendUser) throws -> BuyOutcome {
        let purchase = request.purchase
        if let existing = try pool.withConnection({ try transactions.find(transID: purchase.transID, on: $0) }) {
            return replay(existing, purchase, user)
        }
        let provider = try providers.provider(for: user.organizationID)
        let pending: VendTransaction
        switch try recordPending(request, user: user, provider: provider.name) {
        case .recorded(let transaction): pending = transaction
        case .exists(let existing): return replay(existing, purchase, user)
        case .refused(let refusal): return .refused(VendRefusals([.elecToken(refusal)]))
        }
        let log = logger.with(["vend.trans_id": purchase.transID, "vend.provider": provider.name])
        try failPoints.hit(.afterPendingCommit)
        let started = ContinuousClock.now
        let outcome = provider.creditVend(CreditVendRequest(purchase))
        metrics?.observe("tradingd_vend_provider_call_seconds", (ContinuousClock.now - started).inSeconds)
        try failPoints.hit(.afterProviderAnswer)
        do {
            return try record(outcome, for: pending, cashier: user.name, logger: log)
        } catch {
            // The row stays pending; once its lease ends the reconciliation job asks the provider.
            log.error("vend outcome not recorded; the reconciliation job will settle it", ["error": String(describing: error)])
            return .inProgress(transID: purchase.transID, status: .unknown)
        }
    }

    private enum PendingRecord {
        case recorded(VendTransaction)
        case exists(VendTransaction)
        case refused(ElecTokenRefusal)
    }

    private struct TransIDTaken: Error {}

    /// Spends the elec_token and inserts the pending row in one transaction. A token already spent
    /// or a transID already present means another request got there first: its row is returned.
    private func recordPending(_ request: BuyRequest, user: VendUser, provider: String) throws -> PendingRecord {
        let purchase = request.purchase
        var refusal: ElecTokenRefusal?
        do {
            let inserted: VendTransaction? = try pool.transaction { connection in
                guard let (grant, now) = try elecTokens.lockGrant(token: request.elecToken, on: connection) else {
                    refusal = .unknown
                    return nil
                }
                if let reason = grant.refusal(for: purchase, by: user.id, at: now) {
                    refusal = reason
                    return nil
                }
                try elecTokens.markUsed(token: request.elecToken, on: connection)
                guard let row = try transactions.insertPending(purchase, user: user, provider: provider,
                                                               lease: settings.providerCallLease, on: connection) else {
                    throw TransIDTaken()  // rolls the token back: it was not spent on this purchase
                }
                return row
            }
            if let inserted { return .recorded(inserted) }
        } catch is TransIDTaken {
            refusal = .used
        }
        if refusal == .used, let existing = try pool.withConnection({ try transactions.find(transID: purchase.transID, on: $0) }) {
            return .exists(existing)
        }
        return .refused(refusal ?? .unknown)
    }

    /// What a request finds when the transID is recorded already.
    func replay(_ existing: VendTransaction, _ purchase: VendPurchase, _ user: VendUser) -> BuyOutcome {
        guard existing.isSamePurchase(purchase, by: user.id) else {
            return .refused(VendRefusals([.transIDUsedForAnotherPurchase(purchase.transID)]))
        }
        return Self.outcome(of: existing, replay: true)
    }

    static func outcome(of transaction: VendTransaction, replay: Bool) -> BuyOutcome {
        switch transaction.status {
        case .success:
            guard var receipt = transaction.receipt else { return .inProgress(transID: transaction.transID, status: .unknown) }
            receipt.reprint = replay
            return .sold(receipt, replay: replay)
        case .failed:
            return .failed(transaction.failure ?? .init(code: "", message: "", details: ""), replay: replay)
        case .pending, .unknown:
            return .inProgress(transID: transaction.transID, status: transaction.status)
        }
    }

    /// Writes the provider's answer over the pending row.
    private func record(_ outcome: CreditVendOutcome, for pending: VendTransaction, cashier: String,
                        logger: Logger) throws -> BuyOutcome {
        let stored: VendTransaction = try pool.withConnection { connection in
            switch outcome {
            case .sold(let sale):
                logger.info("vend sold", ["vend.receipt_no": sale.receiptNumber])
                return try transactions.recordSale(id: pending.id, receipt: VendReceipt(sale: sale, cashier: cashier), on: connection)
            case .refused(let fault):
                logger.info("vend refused by the provider", ["vend.fault_code": fault.code, "vend.fault": fault.message])
                return try transactions.recordFailure(id: pending.id, failure: Self.failure(fault), on: connection)
            case .unknown(let reason):
                logger.warning("vend outcome unknown; the reconciliation job will ask the provider", ["vend.reason": reason])
                return try transactions.recordUnknown(id: pending.id, note: reason, delay: settings.firstAdviceDelay, on: connection)
            }
        }
        return Self.outcome(of: stored, replay: false)
    }

    /// The failure recorded for a provider's fault: its description is what the seed's
    /// provider-failure body carries in `details`.
    static func failure(_ fault: ProviderFault) -> VendTransaction.Failure {
        let details = fault.description.isEmpty ? fault.message : fault.description
        return VendTransaction.Failure(code: fault.code, message: fault.message, details: details.isEmpty ? "Generic Exception" : details)
    }
}
