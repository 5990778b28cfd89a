import Foundation
import Postgres
import VendCore

/// Customers and their meters, per organisation.
public struct VendCustomerStore: Sendable {
    /// What verify-customer needs about a meter.
    public struct RegisteredMeter: Sendable, Equatable {
        public let customer: VendCustomerRecord
        public let meter: VendMeterRecord
    }

    /// How an import changed the catalogue.
    public struct ImportCounts: Sendable, Equatable {
        public var customers = 0
        public var meters = 0
    }

    public init() {}

    /// Creates or updates (by account number) a customer. - Returns: its id.
    @discardableResult
    public func upsert(_ customer: VendCustomerRecord, organizationID: UUID, on connection: PostgresConnection) throws -> UUID {
        let row = try connection.queryPrepared(
            """
            INSERT INTO vend_customers (organization_id, account_no, name, address, contact_number, location_ref)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (organization_id, account_no) DO UPDATE SET name = EXCLUDED.name, address = EXCLUDED.address,
                contact_number = EXCLUDED.contact_number, location_ref = EXCLUDED.location_ref, updated_at = now()
            RETURNING id
            """, [.uuid(organizationID), .text(customer.accountNo), .text(customer.name), PostgresValue(customer.address),
                  PostgresValue(customer.contactNumber), PostgresValue(customer.locationRef)])
        guard let id = try row.first?.uuid(0) else { throw VendStoreError.invalid("the customer was not stored") }
        return id
    }

    /// Creates or updates (by number) a meter of the customer with `accountNo`, moving it to that
    /// customer if another had it.
    public func upsert(_ meter: VendMeterRecord, accountNo: String, organizationID: UUID, on connection: PostgresConnection) throws {
        let updated = try connection.queryPrepared(
            """
            INSERT INTO vend_meters (organization_id, customer_id, meter_number, tariff_name, sgc, ti, krn, tt, alg)
            SELECT $1, c.id, $3, $4, $5, $6, $7, $8, $9 FROM vend_customers c WHERE c.organization_id = $1 AND c.account_no = $2
            ON CONFLICT (organization_id, meter_number) DO UPDATE SET customer_id = EXCLUDED.customer_id,
                tariff_name = EXCLUDED.tariff_name, sgc = EXCLUDED.sgc, ti = EXCLUDED.ti, krn = EXCLUDED.krn, tt = EXCLUDED.tt,
                alg = EXCLUDED.alg, updated_at = now()
            """, [.uuid(organizationID), .text(accountNo), .text(meter.meterNumber.digits), .text(meter.tariffName),
                  .text(meter.details.sgc), .text(meter.details.ti), .text(meter.details.krn), .text(meter.details.tt),
                  .text(meter.details.alg)]).affectedRows
        guard updated == 1 else { throw VendStoreError.invalid("no customer with account number '\(accountNo)'") }
    }

    /// Stores every row of a parsed catalogue file in one transaction: all or nothing.
    public func importCatalog(_ rows: [VendCatalogCSV.Row], organizationSlug: String,
                              on connection: PostgresConnection) throws -> ImportCounts {
        try connection.transaction { connection in
            let organization = try organizationID(slug: organizationSlug, on: connection)
            var counts = ImportCounts()
            var seen: Set<String> = []
            for row in rows {
                if seen.insert(row.customer.accountNo).inserted {
                    try upsert(row.customer, organizationID: organization, on: connection)
                    counts.customers += 1
                }
                if let meter = row.meter {
                    try upsert(meter, accountNo: row.customer.accountNo, organizationID: organization, on: connection)
                    counts.meters += 1
                }
            }
            return counts
        }
    }

    /// The meter with `meterNumber` of the organisation, with its customer; nil when not registered.
    public func registeredMeter(_ meterNumber: STSMeterNumber, organizationID: UUID,
                                on connection: PostgresConnection) throws -> RegisteredMeter? {
        guard let row = try connection.queryPrepared(
            """
            SELECT c.account_no, c.name, c.address, c.contact_number, c.location_ref,
                   m.tariff_name, m.sgc, m.ti, m.krn, m.tt, m.alg
            FROM vend_meters m JOIN vend_customers c ON c.id = m.customer_id
            WHERE m.organization_id = $1 AND m.meter_number = $2
            """, [.uuid(organizationID), .text(meterNumber.digits)]).first else { return nil }
        return RegisteredMeter(
            customer: VendCustomerRecord(accountNo: try row.string(0), name: try row.string(1), address: try row.optionalString(2),
                                         contactNumber: try row.optionalString(3), locationRef: try row.optionalString(4)),
            meter: VendMeterRecord(meterNumber: meterNumber, tariffName: try row.string(5), sgc: try row.string(6),
                                   ti: try row.string(7), krn: try row.string(8), tt: try row.string(9), alg: try row.string(10)))
    }

    public func organizationID(slug: String, on connection: PostgresConnection) throws -> UUID {
        guard let id = try connection.query("SELECT id FROM organizations WHERE slug = $1", [.text(slug)]).first?.uuid(0) else {
            throw VendStoreError.unknownOrganization(slug)
        }
        return id
    }
}
