import Foundation
import Postgres
import TestSupport
import Testing
@testable import Vend
import VendCore
import VendSimulator

/// One transID, one provider call, one token: whatever the retries, races and crashes.
struct VendExactlyOnceTests {
    @Test func aHundredConcurrentIdenticalBuysMakeOneProviderCallAndOneToken() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        var knobs = VendSimulatorKnobs()
        knobs.latencyMs = 200  // keep the first call in flight while the others arrive
        f.simulator.knobs = knobs
        let purchase = f.purchase("RACE-1")
        let token = try f.verify(purchase)
        let outcomes = ConcurrentResults<BuyOutcome>()
        runOnThreads(100) { _ in
            outcomes.append(Result { try f.service.buy(BuyRequest(purchase: purchase, elecToken: token), by: f.user) })
        }
        let all = try outcomes.values.map { try $0.get() }
        #expect(all.count == 100)
        #expect(f.simulator.creditVendsBySaleID["RACE-1"] == 1)
        #expect(f.simulator.stats.salesMade == 1)
        let sold = all.compactMap(\.receipt)
        #expect(sold.filter { !$0.reprint }.count == 1)
        #expect(Set(sold.map { $0.stdTokens.last!.code }).count == 1)
        for outcome in all where outcome.receipt == nil {
            #expect(outcome == .inProgress(transID: "RACE-1", status: .pending))
        }
        let final = try f.service.buy(BuyRequest(purchase: purchase, elecToken: token), by: f.user)
        #expect(final.receipt?.stdTokens.last?.code == sold.first?.stdTokens.last?.code)
        #expect(try f.pool.withConnection { try $0.query("SELECT count(*) FROM vend_transactions").first!.int(0) } == 1)
    }

    @Test func identicalBuysRacingOnTwoReplicasMakeOneProviderCall() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        f.simulator.knobs.latencyMs = 200
        // A second daemon: its own pool and service over the same database and provider.
        let otherPool = PostgresPool(url: f.databaseURL, size: 12)
        defer { otherPool.close() }
        let replicas = [f.service, try VendService(pool: otherPool, providers: SingleVendProvider(f.simulator), settings: f.settings)]
        let purchase = f.purchase("REPLICA-1")
        let token = try f.verify(purchase)
        let outcomes = ConcurrentResults<BuyOutcome>()
        runOnThreads(40) { index in
            outcomes.append(Result { try replicas[index % 2].buy(BuyRequest(purchase: purchase, elecToken: token), by: f.user) })
        }
        let all = try outcomes.values.map { try $0.get() }
        #expect(f.simulator.creditVendsBySaleID["REPLICA-1"] == 1)
        #expect(all.filter { $0.receipt?.reprint == false }.count == 1)
        #expect(all.allSatisfy { $0.receipt != nil || $0 == .inProgress(transID: "REPLICA-1", status: .pending) })
        // Afterwards both replicas answer with the one stored receipt.
        let codes = try replicas.map { try $0.buy(BuyRequest(purchase: purchase, elecToken: token), by: f.user).receipt?.stdTokens.last?.code }
        guard case .sold(let sale)? = f.simulator.records["REPLICA-1"] else { Issue.record("no sale"); return }
        #expect(codes == [sale.creditToken.grouped, sale.creditToken.grouped])
    }

    @Test func concurrentBuysWithDifferentTokensForOneTransIDStillBuyOnce() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let purchase = f.purchase("RACE-2")
        let tokens = try (0..<20).map { _ in try f.verify(purchase) }
        let outcomes = ConcurrentResults<BuyOutcome>()
        runOnThreads(tokens.count) { index in
            outcomes.append(Result { try f.service.buy(BuyRequest(purchase: purchase, elecToken: tokens[index]), by: f.user) })
        }
        #expect(try outcomes.values.allSatisfy { outcome in
            switch try outcome.get() {
            case .sold, .inProgress: true
            default: false
            }
        })
        #expect(f.simulator.creditVendsBySaleID["RACE-2"] == 1)
        // Only the winner's token was spent; the losers' rolled back with their insert.
        let used = try f.pool.withConnection { try $0.query("SELECT count(*) FROM vend_elec_tokens WHERE used_at IS NOT NULL").first!.int(0) }
        #expect(used == 1)
    }

    @Test func theSameTransIDForAnotherMeterOrAmountIsRefused() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        _ = try f.buy(f.purchase("SAME-1"))
        let otherAmount = f.purchase("SAME-1", amount: 60)
        #expect(try f.service.buy(BuyRequest(purchase: otherAmount, elecToken: try f.verifyIgnoringConflict(otherAmount)), by: f.user)
                == .refused(VendRefusals([.transIDUsedForAnotherPurchase("SAME-1")])))
        let otherMeter = f.purchase("SAME-1", meter: VendFixture.seedMeter)
        #expect(try f.service.buy(BuyRequest(purchase: otherMeter, elecToken: "vet_none"), by: f.user)
                == .refused(VendRefusals([.transIDUsedForAnotherPurchase("SAME-1")])))
        #expect(f.simulator.stats.creditVends == 1)
    }
}

extension VendFixture {
    /// An elec_token for `purchase` made straight in the store's table, for tests that need a
    /// token verify-customer would refuse to issue.
    func verifyIgnoringConflict(_ purchase: VendPurchase) throws -> String {
        let token = "vet_" + String(repeating: "ab", count: 32)
        try pool.withConnection { connection in
            _ = try connection.execute(
                """
                INSERT INTO vend_elec_tokens (token_hash, user_id, trans_id, meter_number, amount, expires_at)
                VALUES (sha256(convert_to($1, 'UTF8')), $2, $3, $4, $5, now() + interval '10 minutes')
                """, [.text(token), .uuid(user.id), .text(purchase.transID), .text(purchase.meterNumber.digits), .decimal(purchase.amount)])
        }
        return token
    }
}

/// Results gathered from many threads.
final class ConcurrentResults<Value: Sendable>: @unchecked Sendable {
    // Invariant for @unchecked Sendable: `storage` is touched only under `lock`.
    private let lock = NSLock()
    private var storage: [Result<Value, any Error>] = []

    func append(_ result: Result<Value, any Error>) {
        lock.lock()
        storage.append(result)
        lock.unlock()
    }

    var values: [Result<Value, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
