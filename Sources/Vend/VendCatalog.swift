import Users
import VendCore

/// A customer of an organisation, as created or imported.
public struct VendCustomerRecord: Sendable, Equatable {
    public var accountNo: String
    public var name: String
    public var address: String?
    public var contactNumber: String?
    public var locationRef: String?

    public init(accountNo: String, name: String, address: String? = nil, contactNumber: String? = nil, locationRef: String? = nil) {
        self.accountNo = accountNo
        self.name = name
        self.address = address
        self.contactNumber = contactNumber
        self.locationRef = locationRef
    }
}

/// A prepaid meter of a customer, with the STS parameters printed on its receipts.
public struct VendMeterRecord: Sendable, Equatable {
    public var meterNumber: STSMeterNumber
    public var tariffName: String
    public var details: VendMeterDetails

    public init(meterNumber: STSMeterNumber, tariffName: String = "", sgc: String = "", ti: String = "", krn: String = "",
                tt: String = "", alg: String = "") {
        self.meterNumber = meterNumber
        self.tariffName = tariffName
        details = VendMeterDetails(number: meterNumber.digits, sgc: sgc, ti: ti, krn: krn, tt: tt, alg: alg)
    }
}

/// The catalogue file `tradingd vend import` reads: CSV (RFC 4180) with a header naming its
/// columns in any order. `account_no` and `name` are required; a row with `meter_number` also adds
/// (or moves) that meter to the customer, so a customer with two meters has two rows.
/// Optional columns: `address`, `contact_number`, `location_ref`, `tariff_name`, `sgc`, `ti`,
/// `krn`, `tt`, `alg`.
public enum VendCatalogCSV {
    public struct Row: Sendable, Equatable {
        public var customer: VendCustomerRecord
        public var meter: VendMeterRecord?
    }

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    static let known: Set<String> = ["account_no", "name", "meter_number", "address", "contact_number", "location_ref",
                                     "tariff_name", "sgc", "ti", "krn", "tt", "alg"]

    /// Every problem of a file, in line order.
    public struct Problems: Error, Sendable, Equatable, CustomStringConvertible {
        public let problems: [Problem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    /// Every row, or every problem found (all lines are checked before anything is stored).
    public static func parse(_ text: String, luhnExempt: Set<String> = []) -> Result<[Row], Problems> {
        switch rows(text, luhnExempt: luhnExempt) {
        case .success(let rows): .success(rows)
        case .failure(let problems): .failure(Problems(problems: problems.problems))
        }
    }

    private static func rows(_ text: String, luhnExempt: Set<String>) -> Result<[Row], Problems> {
        let records: [CSVReader.Record]
        do {
            records = try CSVReader.records(text)
        } catch {
            return .failure(Problems(problems: [Problem(line: error.line, reason: error.reason)]))
        }
        guard let header = records.first else { return .failure(Problems(problems: [Problem(line: 1, reason: "the file is empty")])) }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var problems: [Problem] = []
        for name in names where !known.contains(name) {
            problems.append(Problem(line: header.line, reason: "unknown column '\(name)'"))
        }
        for required in ["account_no", "name"] where !names.contains(required) {
            problems.append(Problem(line: header.line, reason: "the header lacks the column '\(required)'"))
        }
        guard problems.isEmpty else { return .failure(Problems(problems: problems)) }
        var rows: [Row] = []
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                problems.append(Problem(line: record.line, reason: "\(record.fields.count) fields where the header has \(names.count)"))
                continue
            }
            var value: [String: String] = [:]
            for (name, field) in zip(names, record.fields) {
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { value[name] = trimmed }
            }
            switch row(value, luhnExempt: luhnExempt) {
            case .success(let row): rows.append(row)
            case .failure(let reason): problems.append(Problem(line: record.line, reason: reason.text))
            }
        }
        if rows.isEmpty && problems.isEmpty { problems.append(Problem(line: header.line, reason: "the file has no rows")) }
        return problems.isEmpty ? .success(rows) : .failure(Problems(problems: problems))
    }

    private struct Reason: Error { let text: String }

    private static func row(_ value: [String: String], luhnExempt: Set<String>) -> Result<Row, Reason> {
        guard let account = value["account_no"], account.count <= 64 else { return .failure(Reason(text: "account_no is required (at most 64 characters)")) }
        guard let name = value["name"], name.count <= 200 else { return .failure(Reason(text: "name is required (at most 200 characters)")) }
        let customer = VendCustomerRecord(accountNo: account, name: name, address: value["address"],
                                          contactNumber: value["contact_number"], locationRef: value["location_ref"])
        guard let number = value["meter_number"] else { return .success(Row(customer: customer, meter: nil)) }
        switch STSMeterNumber.parse(number, luhnExempt: luhnExempt) {
        case .failure(let error):
            return .failure(Reason(text: error.problem == .format ? "meter_number '\(number)' is not 11 or 13 digits"
                                   : "meter_number '\(number)' fails its Luhn check digit"))
        case .success(let meter):
            return .success(Row(customer: customer, meter: VendMeterRecord(
                meterNumber: meter, tariffName: value["tariff_name"] ?? "", sgc: value["sgc"] ?? "", ti: value["ti"] ?? "",
                krn: value["krn"] ?? "", tt: value["tt"] ?? "", alg: value["alg"] ?? "")))
        }
    }
}
