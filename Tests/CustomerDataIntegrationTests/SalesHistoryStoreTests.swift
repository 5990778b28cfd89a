import CustomerData
import CustomerDataStores
import Foundation
import Postgres
import Synchronization
import Testing
import Users

/// Merging sales histories on a real PostgreSQL: merge, never replace; retries are no-ops.
@Suite struct SalesHistoryStoreTests {
    let fixture: CustomerDataFixture
    let user: User
    let store = SalesHistoryStore()
    let bogota = TimeZone(identifier: "America/Bogota")!
    let now = Date(timeIntervalSince1970: 1_735_689_600)

    init() throws {
        fixture = try CustomerDataFixture(seedExample1: false)
        user = try UserStore().create(UserImportRecord(username: "tienda", changes: [.name: .text("Ana")]),
                                      organizationID: fixture.organization, on: fixture.connection)
    }

    private func update(_ history: String) throws -> SalesHistoryUpdate {
        let body = #"{"user_id": "\#(user.id.uuidString)", "history": [\#(history)]}"#
        return try SalesHistoryRequest.decode(Array(body.utf8), zone: bogota, now: now).get()
    }

    private func merge(_ history: String) throws -> SalesHistoryStore.Profile {
        try #require(try store.merge(try update(history), organizationID: fixture.organization, on: fixture.connection))
    }

    @Test func addsItemsAndReturnsTheWholeHistoryByDate() throws {
        _ = try merge(#"{"nit": "900373923-8", "monto": 100.50, "fecha": "2024-03-15", "emc": "Postobón"}"#)
        let profile = try merge(#"{"nit": "800197268", "monto": 7, "fecha": "2024-01-02T10:00:00-05:00", "emc": "Bavaria"}"#)
        #expect(profile.user == user)
        #expect(profile.history.map(\.company) == ["Bavaria", "Postobón"])
        #expect(profile.history.map(\.amount) == [7, Decimal(string: "100.50")!])
        #expect(profile.history.map(\.nit) == ["800197268", "9003739238"])
    }

    @Test func aKnownKeyUpdatesItsMontoAndNothingIsRemoved() throws {
        _ = try merge(#"{"nit": "900373923-8", "monto": 1, "fecha": "2024-03-15", "emc": "Postobón"}, {"nit": "800197268", "monto": 2, "fecha": "2024-03-16", "emc": "Bavaria"}"#)
        // The same key written differently (no check digit separator is the same digits; the
        // offset form of the same instant; extra spaces in emc).
        let profile = try merge(#"{"nit": "900.373.923-8", "monto": 5.25, "fecha": "2024-03-15T00:00:00-05:00", "emc": " Postobón "}"#)
        #expect(profile.history.count == 2)
        #expect(profile.history.first { $0.company == "Postobón" }?.amount == Decimal(string: "5.25"))
        #expect(profile.history.first { $0.company == "Bavaria" }?.amount == 2)
    }

    @Test func aRetriedRequestIsANoOp() throws {
        let items = #"{"nit": "900373923-8", "monto": 10, "fecha": "2024-03-15", "emc": "A"}, {"nit": "900373923-8", "monto": 20, "fecha": "2024-03-15", "emc": "B"}"#
        let first = try merge(items)
        let updatedAt = try fixture.connection.query("SELECT max(updated_at) FROM user_sales_history")[0].date(0)
        let second = try merge(items)
        #expect(first == second)
        #expect(try fixture.scalar("SELECT count(*) FROM user_sales_history") == 2)
        // Not even rewritten: an unchanged monto is left alone.
        #expect(try fixture.connection.query("SELECT max(updated_at) FROM user_sales_history")[0].date(0) == updatedAt)
    }

    @Test func anEmptyOrAbsentHistoryChangesNothing() throws {
        _ = try merge(#"{"nit": "900373923-8", "monto": 10, "fecha": "2024-03-15", "emc": "A"}"#)
        for body in [#"{"user_id": "\#(user.id)"}"#, #"{"user_id": "\#(user.id)", "history": []}"#] {
            let update = try SalesHistoryRequest.decode(Array(body.utf8), zone: bogota, now: now).get()
            let profile = try #require(try store.merge(update, organizationID: fixture.organization, on: fixture.connection))
            #expect(profile.history.count == 1)
        }
    }

    @Test func anUnknownUserOrOneOfAnotherOrganisationIsNotFound() throws {
        let stranger = try SalesHistoryRequest.decode(Array(#"{"user_id": "\#(UUID())", "history": []}"#.utf8), zone: bogota, now: now).get()
        #expect(try store.merge(stranger, organizationID: fixture.organization, on: fixture.connection) == nil)
        #expect(try store.merge(try update(#"{"nit": "900373923", "monto": 1, "fecha": "2024-03-15", "emc": "A"}"#),
                                organizationID: fixture.otherOrganization, on: fixture.connection) == nil)
        #expect(try fixture.scalar("SELECT count(*) FROM user_sales_history") == 0)
    }

    @Test func amountsAndInstantsAreExact() throws {
        let profile = try merge(#"{"nit": "900373923", "monto": 123456789012345.1234, "fecha": "2024-03-15T14:30:00.123456-05:00", "emc": "A"}"#)
        #expect(profile.history[0].amount == Decimal(string: "123456789012345.1234"))
        #expect(ZonedInstant.format(profile.history[0].date, in: bogota) == "2024-03-15T14:30:00.123456-05:00")
    }

    @Test func concurrentMergesOfTheSameKeysNeitherDeadlockNorDuplicate() throws {
        let pool = PostgresPool(url: fixture.url, size: 8)
        defer { pool.close() }
        let forward = try update((1...20).map { #"{"nit": "900373923", "monto": \#($0), "fecha": "2024-03-\#(String(format: "%02d", $0))", "emc": "A"}"# }.joined(separator: ","))
        let backward = SalesHistoryUpdate(userID: forward.userID, items: forward.items.reversed())
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            do {
                _ = try pool.withConnection { try store.merge(index % 2 == 0 ? forward : backward, organizationID: fixture.organization, on: $0) }
            } catch {
                failures.add(error)
            }
        }
        #expect(failures.count == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM user_sales_history") == 20)
    }
}

/// Errors collected from concurrent workers.
final class Failures: Sendable {
    private let errors = Mutex<[String]>([])
    func add(_ error: any Error) { errors.withLock { $0.append(String(describing: error)) } }
    var count: Int { errors.withLock { $0.count } }
    var all: [String] { errors.withLock { $0 } }
}
