import ExactJSON
import Foundation

/// The reference data purchase customer events name, as `tradingd customer-events import` reads
/// it: one JSON document with any of `currencies`, `business_units`, `classifications`,
/// `products` and `contacts` (see docs/CUSTOMER-DATA.md for the shape).
public struct ReferenceData: Sendable, Equatable {
    /// A classification, product (code = SKU) or business unit; `id` is kept for a new record.
    public struct Coded: Sendable, Equatable {
        public let id: UUID?
        public let code: String
        public let name: String?
        /// Business units only: the parent's code (nil: no parent).
        public let parentCode: String?
    }

    public struct Account: Sendable, Equatable {
        public let number: String
        public let isPrimary: Bool
    }

    public struct Contact: Sendable, Equatable {
        public let id: UUID?
        public let code: String?
        public let name: String?
        public let accounts: [Account]
        public let cims: [String]
    }

    public var currencies: [String] = []
    public var businessUnits: [Coded] = []
    public var classifications: [Coded] = []
    public var products: [Coded] = []
    public var contacts: [Contact] = []

    public init() {}

    static let sections = ["currencies", "business_units", "classifications", "products", "contacts"]

    /// Parses and checks a document. - Throws: `RequestRefusal` listing every problem (English).
    public static func parse(_ bytes: some Collection<UInt8>) throws(RequestRefusal) -> ReferenceData {
        let parsed: ExactJSON
        do {
            parsed = try ExactJSON.parse(bytes)
        } catch {
            throw RequestRefusal(["The file is not valid JSON: \(error)."], language: .english)
        }
        guard let document = parsed.objectValue else {
            throw RequestRefusal(["The file must hold one JSON object with \(sections.joined(separator: ", "))."], language: .english)
        }
        var reader = ReferenceDataReader()
        var data = ReferenceData()
        for key in document.keys where !sections.contains(key) {
            reader.problem(key, "unknown section (allowed: \(sections.joined(separator: ", "))).")
        }
        data.currencies = reader.elements(document["currencies"], "currencies").compactMap { element, path in
            guard let code = element.stringValue, CurrencyCodes.isISO4217(code) else {
                reader.problem(path, "must be an ISO 4217 currency code such as EUR, in capitals.")
                return nil
            }
            return code
        }
        data.businessUnits = reader.codedList(document["business_units"], "business_units", codeKey: "code", hasParent: true)
        data.classifications = reader.codedList(document["classifications"], "classifications", codeKey: "code", hasParent: false)
        data.products = reader.codedList(document["products"], "products", codeKey: "sku", hasParent: false)
        data.contacts = reader.elements(document["contacts"], "contacts").compactMap { reader.contact($0, $1) }
        reader.checkBusinessUnitParents(data.businessUnits)
        guard reader.problems.isEmpty else { throw RequestRefusal(reader.problems, language: .english, maximumReported: 50) }
        return data
    }
}
