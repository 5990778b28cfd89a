import Foundation
import Postgres
import PurchaseCore

/// A retailer of an organisation and the market rules its schedules follow.
public struct RetailerRecord: Sendable, Equatable {
    public let id: UUID
    public let organizationID: UUID
    /// The identifier clients send (`retailer_id`).
    public let externalID: String
    public let name: String
    public let rules: RetailerRules
    public let createdAt: Date
}

/// What `tradingd retailer create` asks for.
public struct NewRetailer: Sendable {
    public var externalID: String
    public var name: String
    public var timeZone: String
    public var intervalMinutes: Int
    public var labelMarks: RetailerRules.LabelMarks
    public var allowsSales: Bool
    public var maximumQuantity: PurchaseQuantity

    public init(externalID: String, name: String, timeZone: String, intervalMinutes: Int = 15,
                labelMarks: RetailerRules.LabelMarks = .periodStart, allowsSales: Bool = false,
                maximumQuantity: PurchaseQuantity = PurchaseQuantity(kilowatts: 100_000_000)) {
        self.externalID = externalID
        self.name = name
        self.timeZone = timeZone
        self.intervalMinutes = intervalMinutes
        self.labelMarks = labelMarks
        self.allowsSales = allowsSales
        self.maximumQuantity = maximumQuantity
    }
}

/// The `retailers` table (Migrations/0010_retailers.sql).
public struct RetailerStore: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalid(String)
        case duplicate(String)

        public var description: String {
            switch self {
            case .invalid(let reason): reason
            case .duplicate(let id): "the organisation already has a retailer with id '\(id)'"
            }
        }
    }

    public init() {}

    public func create(_ retailer: NewRetailer, organizationID: UUID, on connection: PostgresConnection) throws -> RetailerRecord {
        guard retailer.externalID.range(of: "^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$", options: .regularExpression) != nil else {
            throw Failure.invalid("retailer id must be 1-64 letters, digits, '.', '_', '~' or '-', starting with a letter or digit")
        }
        guard !retailer.name.isEmpty, retailer.name.count <= 200 else { throw Failure.invalid("name must be 1-200 characters") }
        guard MarketTimeZone(identifier: retailer.timeZone) != nil else {
            throw Failure.invalid("time zone '\(retailer.timeZone)' is not an IANA time zone name of this system (e.g. Europe/Madrid)")
        }
        guard RetailerRules.allowedIntervals.contains(retailer.intervalMinutes) else {
            throw Failure.invalid("interval must divide 60 minutes: one of "
                                  + RetailerRules.allowedIntervals.map(String.init).joined(separator: ", "))
        }
        guard retailer.maximumQuantity.kilowatts > 0, retailer.maximumQuantity.kilowatts < 1_000_000_000_000_000 else {
            throw Failure.invalid("maximum MW must be above 0 and below 10^15")
        }
        do {
            let rows = try connection.query("""
                INSERT INTO retailers (organization_id, external_id, name, time_zone, interval_minutes, label_marks, allows_sales, maximum_mw)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric)
                RETURNING \(Self.columns)
                """, [.uuid(organizationID), .text(retailer.externalID), .text(retailer.name), .text(retailer.timeZone),
                      .int(Int64(retailer.intervalMinutes)), .text(retailer.labelMarks.rawValue), .bool(retailer.allowsSales),
                      .text(retailer.maximumQuantity.text)])
            return try Self.decode(rows[0])
        } catch let error as PostgresError where error.isUniqueViolation {
            throw Failure.duplicate(retailer.externalID)
        }
    }

    /// The organisation's retailer with this client-facing id, nil when there is none.
    public func retailer(externalID: String, organizationID: UUID, on connection: PostgresConnection) throws -> RetailerRecord? {
        try connection.queryPrepared("SELECT \(Self.columns) FROM retailers WHERE organization_id = $1 AND external_id = $2",
                                     [.uuid(organizationID), .text(externalID)]).first.map(Self.decode)
    }

    public func list(organizationID: UUID, on connection: PostgresConnection) throws -> [RetailerRecord] {
        try connection.query("SELECT \(Self.columns) FROM retailers WHERE organization_id = $1 ORDER BY external_id",
                             [.uuid(organizationID)]).map(Self.decode)
    }

    static let columns = """
        id, organization_id, external_id, name, time_zone, interval_minutes, label_marks, allows_sales,
        (maximum_mw * 1000)::bigint AS maximum_kw, created_at
        """

    static func decode(_ row: PostgresRow) throws -> RetailerRecord {
        let externalID = try row.string("external_id"), zoneName = try row.string("time_zone")
        guard let zone = MarketTimeZone(identifier: zoneName) else {
            throw PostgresError(code: .decoding, message: "retailer \(externalID) has time zone '\(zoneName)', unknown to this system")
        }
        let interval = try row.int("interval_minutes")
        guard RetailerRules.allowedIntervals.contains(interval),
              let marks = RetailerRules.LabelMarks(rawValue: try row.string("label_marks")) else {
            throw PostgresError(code: .decoding, message: "retailer \(externalID) has an interval or label setting this version does not know")
        }
        let rules = RetailerRules(retailerID: externalID, timeZone: zone, intervalMinutes: interval, labelMarks: marks,
                                  allowsSales: try row.bool("allows_sales"),
                                  maximumQuantity: PurchaseQuantity(kilowatts: Int64(try row.int("maximum_kw"))))
        return RetailerRecord(id: try row.uuid("id"), organizationID: try row.uuid("organization_id"), externalID: externalID,
                              name: try row.string("name"), rules: rules, createdAt: try row.date("created_at"))
    }
}
