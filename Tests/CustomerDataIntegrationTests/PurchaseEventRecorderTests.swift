import CustomerData
import CustomerDataStores
import Dispatch
import Foundation
import Postgres
import Synchronization
import Testing

/// Group commit: posts queued behind a running batch are recorded together, and each gets the
/// answer it gets alone.
@Suite struct PurchaseEventRecorderTests {
    let fixture: CustomerDataFixture
    /// Example 1 and its variants (`request(_:)`).
    let base: PurchaseEventStoreTests

    init() throws {
        base = try PurchaseEventStoreTests()
        fixture = base.fixture
    }

    /// Records `requests` as one batch: a first post ("RF-HOLD") leads the recorder's only batch
    /// and waits for a transaction that inserted the same reference number, so the others queue
    /// behind it; when that transaction rolls back, the first post is created alone and the
    /// queue goes as one batch. - Returns: the queued posts' outcomes, in order.
    func recordQueued(_ requests: [PurchaseEventRequest]) throws -> [Result<PurchaseEventStore.Outcome, any Error>] {
        let pool = PostgresPool(url: fixture.url, size: 8, sessionLimits: .init(statementTimeout: .seconds(60), lockTimeout: .seconds(60)))
        defer { pool.close() }
        let recorder = PurchaseEventRecorder(pool: pool, concurrentBatches: 1)
        let hold = try base.request(["reference_number": #""RF-HOLD""#])
        let blocker = try PostgresConnection(url: fixture.url)
        try blocker.execute("BEGIN")
        guard case .created = try PurchaseEventStore().record(hold, organizationID: fixture.organization, apiKeyID: nil, on: blocker) else {
            throw PostgresError(code: .server, message: "the holding event was not created")
        }
        let results = Mutex<[Int: Result<PurchaseEventStore.Outcome, any Error>]>([:])
        let group = DispatchGroup()
        let organization = fixture.organization
        func post(_ request: PurchaseEventRequest, _ index: Int) {
            group.enter()
            Thread {
                let result = Result { try recorder.record(request, organizationID: organization, apiKeyID: nil) }
                results.withLock { $0[index] = result }
                group.leave()
            }.start()
        }
        post(hold, -1)
        try waitUntil { try fixture.scalar("SELECT count(*) FROM pg_locks WHERE NOT granted") > 0 }
        for (index, request) in requests.enumerated() {  // one at a time, so that they queue in order
            post(request, index)
            try waitUntil { recorder.waitingCount == index + 1 }
        }
        try blocker.execute("ROLLBACK")
        #expect(group.wait(timeout: .now() + 60) == .success)
        let all = results.withLock { $0 }
        guard case .success(.created)? = all[-1] else { throw PostgresError(code: .server, message: "the holding post: \(String(describing: all[-1]))") }
        return requests.indices.map { all[$0] ?? .failure(PostgresError(code: .server, message: "post \($0) unanswered")) }
    }

    func waitUntil(_ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw PostgresError(code: .server, message: "timed out waiting") }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    @Test func aBatchRecordsEachEventWithItsOwnLinesInOneTransaction() throws {
        let lines = [
            #"[{"product_sku": "FREDESPR001", "net_amount": 14.15, "tax_amount": 1.04, "total_amount": 15.19, "quantity": 2}]"#,
            #"[{"product_sku": "CAPPUCC001", "net_amount": 3, "tax_amount": 0.5, "total_amount": 3.5}]"#,
            #"[{"product_sku": "CAPPUCC001", "net_amount": 1, "tax_amount": 0, "total_amount": 1}, {"product_sku": "FREDESPR001", "net_amount": 2, "tax_amount": 0.25, "total_amount": 2.25, "quantity": 3}]"#,
        ]
        let requests = try (0..<6).map { index in
            try base.request(["reference_number": "\"RF-B\(index)\"", "products": lines[index % lines.count],
                              "performed_on": "\(1_572_423_477 + index)"])
        }
        let outcomes = try recordQueued(requests)
        for (request, outcome) in zip(requests, outcomes) {
            guard case .success(.created(let id)) = outcome else { Issue.record("\(request.referenceNumber): \(outcome)"); continue }
            let event = try #require(try PurchaseEventReader().event(id: id, organizationID: fixture.organization, on: fixture.connection))
            #expect(event.referenceNumber == request.referenceNumber)
            #expect(event.performedOn == Date(timeIntervalSince1970: Double(request.performedOn ?? 0)))
            #expect(event.products.map(\.product.code) == request.products.map(\.sku))
            #expect(event.products.map(\.quantity) == request.products.map(\.quantity))
            #expect(event.products.map(\.totalAmount) == request.products.map(\.totalAmount))
            #expect(event.totalAmount == request.totalAmount)
        }
        // One transaction: every event of the batch has its start time as created_at.
        #expect(try fixture.scalar("SELECT count(DISTINCT created_at) FROM purchase_customer_events WHERE reference_number LIKE 'RF-B%'") == 1)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_event_products") == 1 + 2 * (1 + 1 + 2))
    }

    @Test func aPostTheDatabaseRefusesFailsAloneAndTheRestOfItsBatchIsRecorded() throws {
        let good = try base.request()
        // Past the decoder, so that the database refuses its second line.
        let broken = PurchaseEventRequest(
            id: nil, contact: good.contact, referenceNumber: "RF-BROKEN", merchant: good.merchant,
            products: good.products + [.init(sku: "CAPPUCC001", quantity: 1, netAmount: 1, taxAmount: 1, totalAmount: 3)])
        let requests = try [base.request(["reference_number": #""RF-G0""#]), broken, base.request(["reference_number": #""RF-G1""#])]
        let outcomes = try recordQueued(requests)
        guard case .success(.created) = outcomes[0], case .success(.created) = outcomes[2] else { Issue.record("\(outcomes)"); return }
        #expect(throws: PostgresError.self) { try outcomes[1].get() }
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events WHERE reference_number = 'RF-BROKEN'") == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 3)
    }

    @Test func repeatsAndRefusalsInABatchGetTheAnswersTheyGetAlone() throws {
        let same = try base.request(["reference_number": #""RF-SAME""#])
        let differing = try base.request(["reference_number": #""RF-SAME""#, "currency_code": #""COP""#])
        let unknown = try base.request(["reference_number": #""RF-UNKNOWN""#, "classification": #"{"code": "DDD"}"#])
        let outcomes = try recordQueued([same, same, differing, unknown, same])
        guard case .success(.created(let id)) = outcomes[0] else { Issue.record("\(outcomes)"); return }
        #expect(try outcomes[1].get() == .existing(id))
        #expect(try outcomes[4].get() == .existing(id))
        #expect(try outcomes[2].get() == .conflict(
            "reference_number \"RF-SAME\" is already recorded as event \(id.uuidString.lowercased()) with a different body "
                + "(currency_code differs); a new event needs a new reference_number."))
        #expect(try outcomes[3].get() == .refused(RequestRefusal([#"classification: no classification has code "DDD"."#], language: .english)))
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 2)
        // Alone, afterwards, the same answers.
        for (request, outcome) in [(differing, outcomes[2]), (unknown, outcomes[3]), (same, outcomes[4])] {
            #expect(try base.record(request) == outcome.get())
        }
    }
}
