import CustomerData
import CustomerDataStores
import Foundation
import Postgres
import Testing

/// The status page's customer-event figures, compared with figures computed here from the events
/// the test records (and never another organisation's).
@Suite struct CustomerEventActivityStoreTests {
    struct Event {
        let reference: String
        let cim: String
        let currency: String?
        let hoursAgo: Int
        /// Product lines as (sku, total); net is the total less a tax of 1.
        let lines: [(String, String)]

        var total: Decimal { lines.map { Decimal(string: $0.1)! }.reduce(0, +) }
    }

    static let secondContact = """
        {"contacts": [{"code": "C-0100", "name": "Second", "accounts": [{"number": "S-1", "primary": true}], "cims": ["SECONDCIM"]}]}
        """

    static let events = [
        Event(reference: "RF-1", cim: "4A30966F684B0269AD91", currency: "EUR", hoursAgo: 1, lines: [("FREDESPR001", "15.19")]),
        Event(reference: "RF-2", cim: "4A30966F684B0269AD91", currency: "COP", hoursAgo: 2,
              lines: [("FREDESPR001", "7000"), ("CAPPUCC001", "8500.50")]),
        Event(reference: "RF-3", cim: "SECONDCIM", currency: "EUR", hoursAgo: 5, lines: [("CAPPUCC001", "3.30")]),
        Event(reference: "RF-4", cim: "SECONDCIM", currency: nil, hoursAgo: 6, lines: [("CAPPUCC001", "2.25")]),
        Event(reference: "RF-OLD", cim: "4A30966F684B0269AD91", currency: "EUR", hoursAgo: 30, lines: [("FREDESPR001", "99")]),
    ]

    func body(_ event: Event, now: Date) -> String {
        let products = event.lines.map { sku, total in
            let net = Decimal(string: total)! - 1
            return #"{"product_sku": "\#(sku)", "net_amount": \#(net), "tax_amount": 1, "total_amount": \#(total), "quantity": 1}"#
        }.joined(separator: ", ")
        let currency = event.currency.map { #", "currency_code": "\#($0)""# } ?? ""
        let performed = Int(now.timeIntervalSince1970) - event.hoursAgo * 3600
        return #"{"cim": "\#(event.cim)", "reference_number": "\#(event.reference)", "performed_on": \#(performed)\#(currency), "#
            + #""products": [\#(products)], "merchant_tap": {"code": "EK123456"}}"#
    }

    func record(_ event: Event, organization: UUID, fixture: CustomerDataFixture) throws {
        let now = Date()
        let request = try PurchaseEventDecoder.decode(Array(body(event, now: now).utf8), now: now).get()
        let outcome = try PurchaseEventStore().record(request, organizationID: organization, apiKeyID: nil, on: fixture.connection)
        guard case .created = outcome else { throw PostgresError(code: .decoding, message: "\(event.reference): \(outcome)") }
    }

    @Test func theLastDaysEventsTheirClientsAndTheNewestAreTheOrganisations() throws {
        let fixture = try CustomerDataFixture()
        _ = try ReferenceDataStore().importData(try ReferenceData.parse(Array(Self.secondContact.utf8)),
                                                organizationID: fixture.organization, on: fixture.connection)
        _ = try ReferenceDataStore().importData(try ReferenceData.parse(Array(CustomerDataFixture.example1Data.utf8)),
                                                organizationID: fixture.otherOrganization, on: fixture.connection)
        for event in Self.events { try record(event, organization: fixture.organization, fixture: fixture) }
        try record(Event(reference: "RF-OTHER", cim: "4A30966F684B0269AD91", currency: "EUR", hoursAgo: 1, lines: [("FREDESPR001", "500")]),
                   organization: fixture.otherOrganization, fixture: fixture)

        let auth = CustomerEventAuthStore()
        let kept = try auth.createKey(organizationID: fixture.organization, label: "till", on: fixture.connection)
        let revoked = try auth.createKey(organizationID: fixture.organization, label: "old till", on: fixture.connection)
        let other = try auth.createKey(organizationID: fixture.otherOrganization, label: "theirs", on: fixture.connection)
        for key in [kept.key, kept.key, revoked.key, other.key] {
            _ = try auth.issueToken(apiKey: key, lifetime: .seconds(3600), on: fixture.connection)
        }
        _ = try auth.issueToken(apiKey: kept.key, lifetime: .milliseconds(1), on: fixture.connection)
        try auth.revokeKey(id: revoked.id, on: fixture.connection)
        Thread.sleep(forTimeInterval: 0.01)

        let activity = try CustomerEventActivityStore.activity(organizationID: fixture.organization, recentLimit: 3, on: fixture.connection)
        let recent = Self.events.filter { $0.hoursAgo < 24 }
        #expect(activity.events == recent.count)
        #expect(activity.contacts == Set(recent.map(\.cim)).count)
        let currencies = Set(recent.map(\.currency)).sorted { ($0 ?? "\u{10FFFF}") < ($1 ?? "\u{10FFFF}") }
        #expect(activity.totals.map(\.currency) == currencies)
        #expect(activity.totals.map(\.events) == currencies.map { currency in recent.filter { $0.currency == currency }.count })
        #expect(activity.totals.map(\.amount) == currencies.map { currency in
            recent.filter { $0.currency == currency }.map(\.total).reduce(0, +)
        })
        #expect(activity.activeAPIKeys == 1, "the revoked key and the other organisation's are not counted")
        #expect(activity.liveTokens == 2, "neither the expired token nor the revoked key's")
        let newest = Self.events.sorted { $0.hoursAgo < $1.hoursAgo }.prefix(3)
        #expect(activity.recent.map(\.referenceNumber) == newest.map(\.reference))
        #expect(activity.recent.map(\.totalAmount) == newest.map(\.total))
        #expect(activity.recent.map(\.currency) == newest.map(\.currency))
        #expect(activity.recent.map(\.productLines) == newest.map(\.lines.count))

        let empty = try CustomerEventActivityStore.activity(organizationID: try CustomerDataFixture.makeOrganization("empty", on: fixture.connection),
                                                            recentLimit: 3, on: fixture.connection)
        #expect(empty.events == 0 && empty.contacts == 0 && empty.totals.isEmpty && empty.activeAPIKeys == 0 && empty.liveTokens == 0
            && empty.recent.isEmpty)
    }
}
