import Domain
import Foundation
import Postgres
import Purchases
import PurchaseCore
import TestSupport
import Testing

/// Retailers, purchases and rows on a real PostgreSQL.
@Suite struct PurchaseStoreTests {
    let fixture: PurchasesFixture
    let store = PurchaseStore()

    init() throws {
        fixture = try PurchasesFixture()
    }

    @Test func retailerKeepsItsRules() throws {
        let retailers = RetailerStore()
        let created = try retailers.create(
            NewRetailer(externalID: "ree-7", name: "Sales", timeZone: "America/New_York", intervalMinutes: 60, labelMarks: .periodEnd,
                        allowsSales: true, maximumQuantity: PurchaseQuantity(kilowatts: 2_500_500)),
            organizationID: fixture.organization, on: fixture.connection)
        let read = try #require(try retailers.retailer(externalID: "ree-7", organizationID: fixture.organization, on: fixture.connection))
        #expect(read == created)
        #expect(read.rules == RetailerRules(retailerID: "ree-7", timeZone: MarketTimeZone(identifier: "America/New_York")!,
                                            intervalMinutes: 60, labelMarks: .periodEnd, allowsSales: true,
                                            maximumQuantity: PurchaseQuantity(kilowatts: 2_500_500)))
        #expect(try retailers.list(organizationID: fixture.organization, on: fixture.connection).map(\.externalID) == ["123", "ree-7"])
        let other = try PurchasesFixture.makeOrganization("other", on: fixture.connection)
        #expect(try retailers.retailer(externalID: "ree-7", organizationID: other, on: fixture.connection) == nil)
    }

    @Test func retailerRefusesBadSettings() throws {
        let retailers = RetailerStore()
        #expect(throws: RetailerStore.Failure.duplicate("123")) {
            try retailers.create(NewRetailer(externalID: "123", name: "x", timeZone: "UTC"), organizationID: fixture.organization,
                                 on: fixture.connection)
        }
        for bad in [NewRetailer(externalID: "r1", name: "x", timeZone: "europe/madrid"),
                    NewRetailer(externalID: "r2", name: "x", timeZone: "UTC", intervalMinutes: 7),
                    NewRetailer(externalID: "bad id", name: "x", timeZone: "UTC"),
                    NewRetailer(externalID: "r3", name: "", timeZone: "UTC")] {
            #expect(throws: RetailerStore.Failure.self) {
                try retailers.create(bad, organizationID: fixture.organization, on: fixture.connection)
            }
        }
    }

    @Test func seedExampleIsStoredExactly() throws {
        let submission = try fixture.submission("""
            { "purchase": [ { "datetime": "2025-11-11 00:15", "purchase": 12.0 }, { "datetime": "2025-11-11 00:30", "purchase": 13.001 },
            { "datetime": "2025-11-11 00:45", "purchase": 0.1 } ] }
            """)
        let record = try fixture.insert(submission)
        #expect(record.status == .pending)
        #expect(record.error == "")
        #expect(record.rowCount == 3)
        #expect(record.retailerExternalID == "123")
        #expect(record.username == "trebolenergia")
        #expect(record.engine == nil && record.workflowName == nil && record.submittedAt == nil)
        #expect(record.firstPeriodStart == Date(timeIntervalSince1970: 1_762_816_500))
        #expect(record.lastPeriodStart == Date(timeIntervalSince1970: 1_762_818_300))
        let rows = try store.rows(purchaseID: record.id, on: fixture.connection)
        #expect(rows.map(\.label) == ["2025-11-11 00:15", "2025-11-11 00:30", "2025-11-11 00:45"])
        #expect(rows.map(\.megawatts) == ["12.0", "13.001", "0.1"].map { Decimal(string: $0)! })
        #expect(try store.purchase(id: record.id, organizationID: fixture.organization, on: fixture.connection) == record)
    }

    @Test func fallBackDayKeepsBothAppearancesOfTheRepeatedHour() throws {
        let labels = ["2025-10-26 02:00", "2025-10-26 02:15", "2025-10-26 02:00", "2025-10-26 02:15"]
        let items = labels.map { "{\"datetime\": \"\($0)\", \"purchase\": 1}" }.joined(separator: ",")
        let record = try fixture.insert(try fixture.submission("{\"purchase\": [\(items)]}"))
        let rows = try store.rows(purchaseID: record.id, on: fixture.connection)
        #expect(rows.map(\.label) == ["2025-10-26 02:00", "2025-10-26 02:15", "2025-10-26 02:00", "2025-10-26 02:15"])
        #expect(rows.map(\.occurrence) == [1, 1, 2, 2])
        #expect(rows.map { Int64($0.periodStart.timeIntervalSince1970) } == [1_761_436_800, 1_761_437_700, 1_761_440_400, 1_761_441_300])
    }

    @Test func aYearOfQuarterHoursInOneTransaction() throws {
        let record = try fixture.insert(fixture.quarterHours(35_136))
        #expect(record.rowCount == 35_136)
        let summary = try fixture.connection.query(
            "SELECT count(*), sum(mw), min(period_start), max(period_start) FROM purchase_rows WHERE purchase_id = $1",
            [.uuid(record.id)])[0]
        #expect(try summary.int(0) == 35_136)
        // 0.001 + 0.002 + ... + 35.136 MW, computed independently.
        #expect(try summary.decimal(1) == Decimal(35_136 * 35_137 / 2) / 1000)
        #expect(try summary.date(2) == record.firstPeriodStart && summary.date(3) == record.lastPeriodStart)
    }

    @Test func aFailedInsertLeavesNothing() throws {
        var rows = fixture.quarterHours(1000).rows
        rows.append(rows[500])  // the same period twice: the COPY fails on the primary key
        #expect(throws: PostgresError.self) { try fixture.insert(PurchaseSubmission(rows: rows)) }
        #expect(try fixture.connection.query("SELECT count(*) FROM purchases")[0].int(0) == 0)
        #expect(try fixture.connection.query("SELECT count(*) FROM purchase_rows")[0].int(0) == 0)
    }

    @Test func listsAUsersPurchasesNewestFirstByPage() throws {
        let ids = try (0..<5).map { _ in try fixture.insert(fixture.quarterHours(2)).id }
        let otherUser = try PurchasesFixture.makeUser("other", organization: fixture.organization, on: fixture.connection)
        _ = try store.insert(fixture.quarterHours(2), retailer: fixture.retailer,
                             submitter: .init(userID: otherUser, username: "other", tokenID: nil), on: fixture.connection)
        let first = try store.list(userID: fixture.userID, organizationID: fixture.organization, window: PageWindow(limit: 2, offset: 0), on: fixture.connection)
        #expect(first.total == 5)
        #expect(first.records.map(\.id) == [ids[4], ids[3]])
        let last = try store.list(userID: fixture.userID, organizationID: fixture.organization, window: PageWindow(limit: 2, offset: 4), on: fixture.connection)
        #expect(last.records.map(\.id) == [ids[0]])
        let past = try store.list(userID: fixture.userID, organizationID: fixture.organization, window: PageWindow(limit: 2, offset: 10), on: fixture.connection)
        #expect(past.records.isEmpty && past.total == 5)
        let otherOrganization = try PurchasesFixture.makeOrganization("elsewhere", on: fixture.connection)
        #expect(try store.purchase(id: ids[0], organizationID: otherOrganization, on: fixture.connection) == nil)
    }
}
