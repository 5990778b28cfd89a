import CustomerData
import CustomerDataStores
import Domain
import ExactJSON
import Foundation
import Postgres
import Synchronization
import Testing

/// Recording purchase customer events: Example 1, every reference rule, idempotency, and
/// concurrency, on a real PostgreSQL.
@Suite struct PurchaseEventStoreTests {
    let fixture: CustomerDataFixture
    let store = PurchaseEventStore()
    let now = Date(timeIntervalSince1970: 1_735_689_600)

    init() throws { fixture = try CustomerDataFixture() }

    static let example1 = """
        {"cim": "4A30966F684B0269AD91", "reference_number": "RF000001", "classification": {"code": "CCC"},
         "payment_medium_identifier": "42424242", "performed_on": 1572423477, "currency_code": "EUR",
         "products": [{"product_sku": "FREDESPR001", "net_amount": 14.15, "tax_amount": 1.04, "total_amount": 15.19, "quantity": 2}],
         "spend_request": {"amount": 2.12}, "merchant_tap": {"code": "EK123456"}, "outlet_tap": {"code": "CD123456"}}
        """

    /// Example 1 with top-level members replaced (nil removes one).
    func request(_ changes: [String: String?] = [:]) throws -> PurchaseEventRequest {
        var members = try ExactJSON.parse(Self.example1).objectValue!.members
        for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
            members.removeAll { $0.key == key }
            if let value { members.append(.init(key: key, value: try ExactJSON.parse(value))) }
        }
        return try PurchaseEventDecoder.decode(Array(ExactJSON.object(JSONObject(members)).text.utf8), now: now).get()
    }

    func record(_ request: PurchaseEventRequest, on connection: PostgresConnection? = nil) throws -> PurchaseEventStore.Outcome {
        try store.record(request, organizationID: fixture.organization, apiKeyID: nil, on: connection ?? fixture.connection)
    }

    func refusal(_ changes: [String: String?]) throws -> String? {
        if case .refused(let refusal) = try record(try request(changes)) { refusal.message } else { nil }
    }

    @Test func example1IsRecordedWithItsReferencesResolved() throws {
        guard case .created(let id) = try record(try request()) else { Issue.record("not created"); return }
        let event = try #require(try PurchaseEventReader().event(id: id, organizationID: fixture.organization, on: fixture.connection))
        let contact = try fixture.connection.query("SELECT id FROM loyalty_contacts WHERE code = 'C-0001'")[0].uuid(0)
        let primary = try fixture.connection.query("SELECT id FROM loyalty_accounts WHERE number = 'ACC-2'")[0].uuid(0)
        #expect(event.referenceNumber == "RF000001")
        #expect(event.contactID == contact)
        #expect(event.accountID == primary)  // the primary of the contact's two accounts
        #expect(event.cim == "4A30966F684B0269AD91")
        #expect(event.classification?.code == "CCC")
        #expect(event.currencyCode == "EUR")
        #expect(event.paymentMediumIdentifier == "42424242")
        #expect(event.performedOn == Date(timeIntervalSince1970: 1_572_423_477))
        #expect(event.merchant?.code == "EK123456")
        #expect(event.outlet?.code == "CD123456")
        #expect(event.products.map(\.product.code) == ["FREDESPR001"])
        #expect(event.products[0].quantity == 2)
        #expect(event.products[0].totalAmount == Decimal(string: "15.19"))
        #expect(event.spendRequest == .amount(Decimal(string: "2.12")!))
        #expect(event.totalAmount == Decimal(string: "15.19"))
        #expect(event.lifeCycleState == "POSTED")
    }

    @Test func theSameBodyAgainReturnsTheStoredId() throws {
        guard case .created(let id) = try record(try request()) else { Issue.record("not created"); return }
        #expect(try record(try request()) == .existing(id))
        // Spelt differently, with the generated id given back: still the same event.
        #expect(try record(try request(["id": "\"\(id.uuidString)\"", "products":
            #"[{"quantity": 2.0, "product_sku": "FREDESPR001", "net_amount": 14.150, "tax_amount": 1.04, "total_amount": 15.19}]"#])) == .existing(id))
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 1)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_event_products") == 1)
    }

    @Test func aDifferentBodyUnderTheSameReferenceIsAConflictNamingTheFields() throws {
        guard case .created(let id) = try record(try request()) else { Issue.record("not created"); return }
        #expect(try record(try request(["performed_on": "1572423478", "spend_request": nil])) == .conflict(
            "reference_number \"RF000001\" is already recorded as event \(id.uuidString.lowercased()) with a different body "
                + "(performed_on, spend_request differ); a new event needs a new reference_number."))
    }

    @Test func anIdOrReferenceTakenByAnotherEventIsAConflict() throws {
        let first = UUID()
        _ = try record(try request(["id": "\"\(first)\""]))
        #expect(try record(try request(["id": "\"\(first)\"", "reference_number": #""RF000002""#])) == .conflict(
            "id \(first.uuidString.lowercased()) is already the id of the event with reference_number \"RF000001\", not \"RF000002\"."))
        let second = UUID()
        #expect(try record(try request(["id": "\"\(second)\""])) == .conflict(
            "reference_number \"RF000001\" is already recorded as event \(first.uuidString.lowercased()), not \(second.uuidString.lowercased()); "
                + "a retry sends the same id, or none."))
    }

    @Test func anotherOrganisationMayUseTheSameReferenceNumber() throws {
        _ = try record(try request())
        _ = try ReferenceDataStore().importData(try ReferenceData.parse(Array(CustomerDataFixture.example1Data.utf8)),
                                                organizationID: fixture.otherOrganization, on: fixture.connection)
        guard case .created = try store.record(try request(), organizationID: fixture.otherOrganization, apiKeyID: nil,
                                               on: fixture.connection) else { Issue.record("not created"); return }
    }

    @Test(arguments: [
        (["cim": #""UNKNOWN""#], #"cim: no contact has the identification medium "UNKNOWN"."#),
        (["cim": #""NOPRIMARY""#], "cim: contact %NOPRIMARY% has 2 accounts and none is primary."),
        (["cim": #""NOACCOUNT""#], "cim: contact %NOACCOUNT% has no account to record the purchase against."),
        (["cim": nil, "contact_id": #""0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f""#], "contact_id: no contact has id 0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f."),
        (["classification": #"{"code": "DDD"}"#], #"classification: no classification has code "DDD"."#),
        (["currency_code": #""USD""#], "currency_code: USD is not one of the organisation's currencies."),
        (["merchant_tap": #"{"code": "NOPE"}"#], #"merchant_tap: no business unit has code "NOPE"."#),
        (["outlet_tap": #"{"id": "0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f"}"#], "outlet_tap: no business unit has id 0b7e1a52-54c2-4c1e-9e39-3f4a1c2d5e6f."),
        (["outlet_tap": #"{"code": "XY000002"}"#],
         #"outlet_tap: outlet "XY000002" belongs to merchant "XY000001" (its parent business unit), not to merchant_tap "EK123456"."#),
        (["outlet_tap": #"{"code": "XY000001"}"#],
         #"outlet_tap: business unit "XY000001" has no parent business unit, so it is not an outlet of merchant_tap "EK123456"."#),
        (["products": #"[{"product_sku": "CAPPUCC001", "net_amount": 3, "tax_amount": 0, "total_amount": 3}, {"product_sku": "NOPE", "net_amount": 1, "tax_amount": 0, "total_amount": 1}]"#],
         #"products[1].product_sku: no product has SKU "NOPE"."#),
    ] as [([String: String?], String)])
    func refusesReferencesThatDoNotResolveAndWritesNothing(changes: [String: String?], expected: String) throws {
        let contacts = try fixture.connection.query("SELECT code, id FROM loyalty_contacts")
        var message = expected
        for row in contacts {
            let code = try row.string(0), id = try row.uuid(1).uuidString.lowercased()
            message = message.replacingOccurrences(of: code == "C-0002" ? "%NOPRIMARY%" : code == "C-0003" ? "%NOACCOUNT%" : "%\(code)%", with: id)
        }
        #expect(try refusal(changes) == message)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_event_products") == 0)
    }

    @Test func anOutletAloneRecordsItsParentAsTheMerchant() throws {
        guard case .created(let id) = try record(try request(["merchant_tap": nil])) else { Issue.record("not created"); return }
        let event = try PurchaseEventReader().event(id: id, organizationID: fixture.organization, on: fixture.connection)
        #expect(event?.merchant?.code == "EK123456")
    }

    @Test func withoutPerformedOnTheEventTakesTheTimeItIsRecorded() throws {
        guard case .created(let id) = try record(try request(["performed_on": nil])) else { Issue.record("not created"); return }
        let event = try #require(try PurchaseEventReader().event(id: id, organizationID: fixture.organization, on: fixture.connection))
        #expect(abs(event.performedOn.timeIntervalSinceNow) < 60)
    }

    @Test func aFailingProductLineLeavesNoEventBehind() throws {
        // Built by hand (past the decoder) so that the database refuses a line: all or nothing.
        let good = try request()
        let broken = PurchaseEventRequest(
            id: nil, contact: good.contact, referenceNumber: "RF-BROKEN", merchant: good.merchant,
            products: good.products + [.init(sku: "CAPPUCC001", quantity: 1, netAmount: 1, taxAmount: 1, totalAmount: 3)])
        #expect(throws: PostgresError.self) { try record(broken) }
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_event_products") == 0)
    }

    @Test func aHundredConcurrentIdenticalPostsMakeOneEvent() throws {
        let pool = PostgresPool(url: fixture.url, size: 16)
        defer { pool.close() }
        let body = try request()
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 100) { _ in
            outcomes.add(Result { try pool.withConnection { try record(body, on: $0) } })
        }
        let all = outcomes.all
        let created = all.compactMap { if case .success(.created(let id)) = $0 { id } else { nil } }
        let existing = all.compactMap { if case .success(.existing(let id)) = $0 { id } else { nil } }
        #expect(created.count == 1)
        #expect(existing.count == 99)
        #expect(Set(existing) == Set(created))
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 1)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_event_products") == 1)
    }

    @Test func aHundredConcurrentDistinctPostsMakeAHundredEvents() throws {
        let pool = PostgresPool(url: fixture.url, size: 16)
        defer { pool.close() }
        let bodies = try (0..<100).map { try request(["reference_number": "\"RF-\($0)\""]) }
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 100) { index in
            outcomes.add(Result { try pool.withConnection { try record(bodies[index], on: $0) } })
        }
        let created = outcomes.all.compactMap { if case .success(.created(let id)) = $0 { id } else { nil } }
        #expect(Set(created).count == 100)
        #expect(try fixture.scalar("SELECT count(*) FROM purchase_customer_events") == 100)
        #expect(try fixture.scalar("SELECT count(DISTINCT reference_number) FROM purchase_customer_events") == 100)
    }

    /// A connection keeps its statements' plans: those made while the organisation had a few
    /// events must not read all of its events once it has thousands (PostgreSQL once looked a
    /// reference number up through `purchase_customer_events_contact` with only
    /// `organization_id` as the index condition, so each post cost more than the one before).
    @Test func postsReadAsFewStoredEventsWithThousandsAsWithAFew() throws {
        let connection = try PostgresConnection(url: fixture.url)
        for index in 0..<8 {  // more than the five custom plans before PostgreSQL keeps a generic one
            guard case .created = try record(try request(["reference_number": "\"RF-W\(index)\""]), on: connection) else {
                Issue.record("event \(index) not created"); return
            }
        }
        try fixture.connection.execute("""
            INSERT INTO purchase_customer_events (organization_id, id, reference_number, contact_id, account_id, performed_on, total_amount,
                                                  merchant_id, request)
            SELECT organization_id, gen_random_uuid(), 'BULK-' || n, contact_id, account_id, performed_on, total_amount, merchant_id, request
            FROM purchase_customer_events, generate_series(1, 5000) AS n WHERE reference_number = 'RF-W0'
            """)
        let before = try eventTuplesRead(flushing: [connection, fixture.connection])
        for index in 0..<10 {
            guard case .created = try record(try request(["reference_number": "\"RF-N\(index)\""]), on: connection) else {
                Issue.record("event \(index) not created"); return
            }
        }
        guard case .existing = try record(try request(["reference_number": "\"RF-W1\""]), on: connection),
              case .conflict = try record(try request(["reference_number": "\"RF-W2\"", "currency_code": "\"COP\""]), on: connection)
        else { Issue.record("a retry or a conflict was not recognised"); return }
        let read = try eventTuplesRead(flushing: [connection]) - before
        // 12 posts: each reads the new event's key once or twice (its product line's foreign key,
        // the conflict checks); a scan of the organisation's events would read over 5,000 each.
        #expect(read < 12 * 20, "the posts read \(read) rows or index entries of purchase_customer_events")
    }

    /// Index entries and rows of `purchase_customer_events` read so far, once each connection's
    /// backend has reported its statistics.
    func eventTuplesRead(flushing connections: [PostgresConnection]) throws -> Int {
        for connection in connections { try connection.query("SELECT pg_stat_force_next_flush()") }
        return try fixture.scalar("""
            SELECT ((SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relname = 'purchase_customer_events')
                  + (SELECT coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relname = 'purchase_customer_events'))::bigint
            """)
    }

    @Test func listsAContactsEventsNewestFirst() throws {
        for (index, performed) in [1_572_423_477, 1_700_000_000, 1_600_000_000].enumerated() {
            _ = try record(try request(["reference_number": "\"RF-\(index)\"", "performed_on": "\(performed)"]))
        }
        let contact = try #require(try PurchaseEventReader().contactID(cim: "4A30966F684B0269AD91", organizationID: fixture.organization,
                                                                       on: fixture.connection))
        let page = try PurchaseEventReader().events(contactID: contact, organizationID: fixture.organization, window: PageWindow(limit: 2, offset: 0),
                                                    on: fixture.connection)
        #expect(page.total == 3)
        #expect(page.records.map(\.referenceNumber) == ["RF-1", "RF-2"])
        #expect(try PurchaseEventReader().events(contactID: contact, organizationID: fixture.otherOrganization, window: PageWindow(limit: 2, offset: 0),
                                                 on: fixture.connection).total == 0)
    }
}

/// Outcomes collected from concurrent posts.
final class Outcomes: Sendable {
    private let results = Mutex<[Result<PurchaseEventStore.Outcome, any Error>]>([])
    func add(_ result: Result<PurchaseEventStore.Outcome, any Error>) { results.withLock { $0.append(result) } }
    var all: [Result<PurchaseEventStore.Outcome, any Error>] { results.withLock { $0 } }
}
