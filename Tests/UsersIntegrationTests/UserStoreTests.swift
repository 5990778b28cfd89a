import ExactJSON
import Foundation
import Postgres
import TestSupport
import Testing
import Users

/// The users table through `UserStore`, on a real PostgreSQL.
@Suite struct UserStoreTests {
    let connection: PostgresConnection
    let organization: UUID
    let otherOrganization: UUID
    let store = UserStore()

    init() throws {
        connection = try PostgresConnection(url: try TestDatabase.fresh())
        organization = try Self.makeOrganization("tiendas", on: connection)
        otherOrganization = try Self.makeOrganization("otra", on: connection)
    }

    static func makeOrganization(_ slug: String, on connection: PostgresConnection) throws -> UUID {
        try connection.query("INSERT INTO organizations (slug, name) VALUES ($1, $1) RETURNING id", [.text(slug)])[0].uuid(0)
    }

    private func records(_ text: String) throws -> [UserImportRecord] { try UserImport.records(text) }

    @Test func createsAndReadsBackByIdUsernameAndReference() throws {
        let created = try store.create(
            UserImportRecord(username: "TrebolEnergia", changes: [
                .name: .text("Ana"), .quota: .decimal(Decimal(string: "1500000.55")), .paymentData: .object(JSONObject(["bank": .string("x")])),
            ]), organizationID: organization, on: connection)
        #expect(created.profile.name == "Ana")
        #expect(created.profile.status == "active")
        #expect(created.profile.quota == Decimal(string: "1500000.55"))
        #expect(created.profile.paymentData == JSONObject(["bank": .string("x")]))
        #expect(created.profile.additionalData.isEmpty)
        #expect(try store.user(id: created.id, organizationID: organization, on: connection) == created)
        #expect(try store.user(username: "trebolenergia", organizationID: organization, on: connection) == created)
        #expect(try store.user(reference: created.id.uuidString, organizationID: organization, on: connection) == created)
        #expect(try store.user(reference: "TREBOLENERGIA", organizationID: organization, on: connection) == created)
        #expect(try store.user(reference: "no such", organizationID: organization, on: connection) == nil)
    }

    @Test func refusesASecondUserWithTheSameNameInAnyCase() throws {
        _ = try store.create(UserImportRecord(username: "ana"), organizationID: organization, on: connection)
        #expect(throws: UserStore.Failure.duplicateUsername("ANA")) {
            try store.create(UserImportRecord(username: "ANA"), organizationID: organization, on: connection)
        }
        // Another organisation may use the name.
        _ = try store.create(UserImportRecord(username: "ana"), organizationID: otherOrganization, on: connection)
    }

    @Test func usersOfAnotherOrganisationAreInvisible() throws {
        let user = try store.create(UserImportRecord(username: "ana"), organizationID: organization, on: connection)
        #expect(try store.user(id: user.id, organizationID: otherOrganization, on: connection) == nil)
        #expect(try store.user(username: "ana", organizationID: otherOrganization, on: connection) == nil)
    }

    @Test func importCreatesThenUpdatesOnlyTheGivenFields() throws {
        let first = try store.importUsers(try records("""
            username,name,lastname,score,email
            ana,Ana,Díaz,4.25,ana@example.co
            luis,Luis,Pérez,,
            """), organizationID: organization, on: connection)
        #expect(first == UserStore.ImportSummary(created: 2, updated: 0))
        let second = try store.importUsers(try records("""
            {"username": "ANA", "score": 5, "additional_data": {"zona": "norte"}}
            {"username": "marta", "status": "inactive"}
            """), organizationID: organization, on: connection)
        #expect(second == UserStore.ImportSummary(created: 1, updated: 1))
        let ana = try #require(try store.user(username: "ana", organizationID: organization, on: connection))
        #expect(ana.username == "ANA")  // the latest spelling
        #expect(ana.profile.name == "Ana")
        #expect(ana.profile.lastname == "Díaz")
        #expect(ana.profile.email == "ana@example.co")
        #expect(ana.profile.score == 5)
        #expect(ana.profile.additionalData == JSONObject(["zona": .string("norte")]))
        #expect(try store.user(username: "marta", organizationID: organization, on: connection)?.profile.status == "inactive")
    }

    @Test func reimportingTheSameFileChangesNothing() throws {
        let file = try records("""
            username,name,quota
            ana,Ana,10.10
            luis,Luis,
            """)
        _ = try store.importUsers(file, organizationID: organization, on: connection)
        let before = try store.list(organizationID: organization, offset: 0, limit: 10, on: connection).users.map(\.profile)
        #expect(try store.importUsers(file, organizationID: organization, on: connection) == .init(created: 0, updated: 2))
        #expect(try store.list(organizationID: organization, offset: 0, limit: 10, on: connection).users.map(\.profile) == before)
        #expect(try store.list(organizationID: organization, offset: 0, limit: 10, on: connection).total == 2)
    }

    @Test func anImportWithAConflictingIdWritesNothing() throws {
        let ana = try store.create(UserImportRecord(username: "ana"), organizationID: organization, on: connection)
        let other = UUID()
        let file = [
            UserImportRecord(line: 2, username: "nuevo"),
            UserImportRecord(line: 3, id: ana.id, username: "luis"),
            UserImportRecord(line: 4, id: other, username: "ana"),
        ]
        #expect(throws: UserStore.Failure.conflicts([
            .init(line: 3, message: "id \(ana.id.uuidString.lowercased()) belongs to user 'ana'"),
            .init(line: 4, message: "user 'ana' exists with id \(ana.id.uuidString.lowercased()), not \(other.uuidString.lowercased())"),
        ])) {
            try store.importUsers(file, organizationID: organization, on: connection)
        }
        #expect(try store.list(organizationID: organization, offset: 0, limit: 10, on: connection).total == 1)
    }

    @Test func anIdTakenInAnotherOrganisationIsRefusedWithoutSayingByWhom() throws {
        let foreign = try store.create(UserImportRecord(username: "secreto"), organizationID: otherOrganization, on: connection)
        #expect(throws: UserStore.Failure.conflicts([.init(line: 2, message: "id \(foreign.id.uuidString.lowercased()) is taken")])) {
            try store.importUsers([UserImportRecord(line: 2, id: foreign.id, username: "mio")], organizationID: organization, on: connection)
        }
    }

    @Test func importKeepsTheGivenIdForNewUsers() throws {
        let id = UUID()
        _ = try store.importUsers([UserImportRecord(id: id, username: "ana")], organizationID: organization, on: connection)
        #expect(try store.user(id: id, organizationID: organization, on: connection)?.username == "ana")
        // The same id and name again is an update, not a conflict.
        #expect(try store.importUsers([UserImportRecord(id: id, username: "Ana", changes: [.name: .text("A")])],
                                      organizationID: organization, on: connection) == .init(created: 0, updated: 1))
    }

    @Test func listsPagesByUsername() throws {
        _ = try store.importUsers(["c", "a", "B", "d"].map { UserImportRecord(username: $0) }, organizationID: organization, on: connection)
        let page = try store.list(organizationID: organization, offset: 1, limit: 2, on: connection)
        #expect(page.users.map(\.username) == ["B", "c"])
        #expect(page.total == 4)
        #expect(try store.list(organizationID: organization, offset: 10, limit: 2, on: connection).total == 4)
    }

    @Test func exactDecimalsSurviveTheRoundTrip() throws {
        let quota = try #require(Decimal(string: "12345678901234567890.123456789"))
        let user = try store.create(UserImportRecord(username: "exacto", changes: [.quota: .decimal(quota)]),
                                    organizationID: organization, on: connection)
        #expect(try store.user(id: user.id, organizationID: organization, on: connection)?.profile.quota == quota)
    }
}
