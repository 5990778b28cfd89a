import Foundation
import Postgres
import Testing
@testable import Vend
import VendCore

/// Users, customers and meters as the CLI creates and imports them.
struct VendStoreTests {
    @Test func usersAreUniqueByEmailWhateverTheCaseAndNeedAPlausibleOneAndAPassword() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let users = VendUserStore()
        try f.pool.withConnection { connection in
            #expect(throws: VendStoreError.duplicateUser("agent@example.com")) {
                try users.create(organizationSlug: "demo", email: "AGENT@example.com", name: "Twin", password: "12345678", iterations: 1_000,
                                 on: connection)
            }
            #expect(throws: VendStoreError.unknownOrganization("nope")) {
                try users.create(organizationSlug: "nope", email: "x@example.com", name: "X", password: "12345678", iterations: 1_000, on: connection)
            }
            #expect(throws: VendStoreError.self) {
                try users.create(organizationSlug: "demo", email: "not-an-email", name: "X", password: "12345678", iterations: 1_000, on: connection)
            }
            #expect(throws: VendStoreError.self) {
                try users.create(organizationSlug: "demo", email: "y@example.com", name: "Y", password: "short", iterations: 1_000, on: connection)
            }
            let hash = try connection.query("SELECT password_hash FROM vend_users WHERE email = 'agent@example.com'").first!.string(0)
            #expect(hash.hasPrefix("$pbkdf2-sha256$i=1000$") && !hash.contains(VendFixture.password))
            #expect(try users.list(organizationSlug: "demo", on: connection).map(\.user.email) == ["agent@example.com"])
        }
    }

    @Test func aLoginRehashesAPasswordMadeWithFewerIterations() throws {
        let f = try VendFixture { $0.passwordIterations = 2_000 }
        defer { f.tearDown() }
        _ = try f.service.logIn(LoginRequest(email: VendFixture.email, password: VendFixture.password), address: "a").get()
        let hash = try f.pool.withConnection { try $0.query("SELECT password_hash FROM vend_users").first!.string(0) }
        #expect(hash.hasPrefix("$pbkdf2-sha256$i=2000$"))
        _ = try f.service.logIn(LoginRequest(email: VendFixture.email, password: VendFixture.password), address: "a").get()
    }

    @Test func anImportIsAllOrNothingAndMovesMetersBetweenCustomers() throws {
        let f = try VendFixture()
        defer { f.tearDown() }
        let store = VendCustomerStore()
        let move = "account_no,name,meter_number\nACC900,New Owner,\(VendFixture.meter)\n"
        let counts = try f.pool.withConnection { try store.importCatalog(try VendCatalogCSV.parse(move).get(), organizationSlug: "demo", on: $0) }
        #expect(counts == VendCustomerStore.ImportCounts(customers: 1, meters: 1))
        let moved = try f.pool.withConnection {
            try store.registeredMeter(STSMeterNumber(unchecked: VendFixture.meter), organizationID: f.organizationID, on: $0)
        }
        #expect(moved?.customer.name == "New Owner" && moved?.customer.accountNo == "ACC900")
        // The meter of another organisation is not registered for this one.
        let otherOrganization = try f.pool.withConnection {
            try $0.query("INSERT INTO organizations (slug, name) VALUES ('other', 'Other') RETURNING id").first!.uuid(0)
        }
        #expect(try f.pool.withConnection {
            try store.registeredMeter(STSMeterNumber(unchecked: VendFixture.meter), organizationID: otherOrganization, on: $0)
        } == nil)
        #expect(throws: VendStoreError.unknownOrganization("missing")) {
            try f.pool.withConnection { try store.importCatalog(try VendCatalogCSV.parse(move).get(), organizationSlug: "missing", on: $0) }
        }
    }
}
