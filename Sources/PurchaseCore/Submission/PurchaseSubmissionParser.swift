import ExactJSON

/// Reads and validates a submit-purchase body (seed 000) against a retailer's rules.
///
/// Checks run in a fixed order and the first failure is reported, as the seed's single `error`
/// string implies: the document (JSON, an object, `purchase` present, an array of objects, not
/// empty, within the row cap; the JSON reader refuses duplicate keys and the non-standard `NaN`
/// and `Infinity`), then each item in index order: `datetime` and `purchase` present,
/// the datetime's format, years, market interval, existence in the zone and uniqueness, then the
/// quantity's type, finiteness, sign, range and precision.
public enum PurchaseSubmissionParser {
    public static func parse(body: [UInt8], rules: RetailerRules,
                             maximumRows: Int) throws(PurchaseValidationError) -> PurchaseSubmission {
        let items = try purchaseItems(body, maximumRows: maximumRows)
        var validator = ItemValidator(rules: rules)
        var rows: [PurchaseRow] = []
        rows.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            rows.append(try validator.row(item, at: index))
        }
        return PurchaseSubmission(rows: rows)
    }

    /// The objects of the body's `purchase` array.
    static func purchaseItems(_ body: [UInt8], maximumRows: Int) throws(PurchaseValidationError) -> [JSONObject] {
        let document: ExactJSON
        do {
            document = try ExactJSON.parse(body)
        } catch {
            throw PurchaseValidationError(PurchaseMessages.bodyNotJSON(error.description))
        }
        guard case .object(let top) = document else { throw PurchaseValidationError(PurchaseMessages.bodyNotObject) }
        guard let purchase = top["purchase"] else { throw PurchaseValidationError(PurchaseMessages.seedMissingPurchase) }
        guard case .array(let elements) = purchase else { throw PurchaseValidationError(PurchaseMessages.seedNotArrayOfObjects) }
        guard !elements.isEmpty else { throw PurchaseValidationError(PurchaseMessages.emptyPurchase) }
        guard elements.count <= maximumRows else {
            throw PurchaseValidationError(PurchaseMessages.tooManyItems(elements.count, maximum: maximumRows))
        }
        var objects: [JSONObject] = []
        objects.reserveCapacity(elements.count)
        for element in elements {
            guard case .object(let object) = element else { throw PurchaseValidationError(PurchaseMessages.seedNotArrayOfObjects) }
            objects.append(object)
        }
        return objects
    }
}

/// Per-item checks, remembering the labels seen so far (duplicates, fall-back repeats).
struct ItemValidator {
    let rules: RetailerRules
    /// Indices of the items seen so far per label (seconds of the reading as if UTC).
    private var seen: [Int64: [Int]] = [:]
    private let minimum: PurchaseQuantity

    init(rules: RetailerRules) {
        self.rules = rules
        minimum = rules.allowsSales ? PurchaseQuantity(kilowatts: -rules.maximumQuantity.kilowatts) : PurchaseQuantity(kilowatts: 0)
    }

    mutating func row(_ item: JSONObject, at index: Int) throws(PurchaseValidationError) -> PurchaseRow {
        guard let datetime = item["datetime"] else {
            throw PurchaseValidationError(PurchaseMessages.seedItemMissingField(index, "datetime"))
        }
        guard let purchase = item["purchase"] else {
            throw PurchaseValidationError(PurchaseMessages.seedItemMissingField(index, "purchase"))
        }
        let (label, occurrence, instant) = try self.instant(datetime, at: index)
        let quantity = try self.quantity(purchase, at: index)
        let start = rules.labelMarks == .periodStart ? instant : instant - rules.intervalSeconds
        return PurchaseRow(label: label, occurrence: occurrence, periodStart: start, quantity: quantity)
    }

    private mutating func instant(_ value: ExactJSON,
                                  at index: Int) throws(PurchaseValidationError) -> (LocalDateTime, Int, Int64) {
        guard case .string(let text) = value, let label = LocalDateTime(parsing: text) else {
            throw PurchaseValidationError(PurchaseMessages.seedInvalidDatetime(index))
        }
        guard LocalDateTime.supportedYears.contains(label.year) else {
            throw PurchaseValidationError(PurchaseMessages.yearOutOfRange(index, text))
        }
        guard label.minute % rules.intervalMinutes == 0 else {
            throw PurchaseValidationError(PurchaseMessages.offInterval(index, text, intervalMinutes: rules.intervalMinutes))
        }
        let key = label.secondsAsIfUTC
        let earlier = seen[key, default: []]
        let resolution = rules.timeZone.resolve(label)
        switch (resolution, earlier.count) {
        case (.skipped, _):
            throw PurchaseValidationError(PurchaseMessages.skippedLocalTime(index, text, zone: rules.timeZone.identifier))
        case (.unique(let instant), 0):
            seen[key] = [index]
            return (label, 1, instant)
        case (.repeated(let first, _), 0):
            seen[key] = [index]
            return (label, 1, first)
        case (.repeated(_, let second), 1):
            seen[key] = earlier + [index]
            return (label, 2, second)
        default:
            throw PurchaseValidationError(PurchaseMessages.duplicateDatetime(index, text, earlier: earlier))
        }
    }

    private func quantity(_ value: ExactJSON, at index: Int) throws(PurchaseValidationError) -> PurchaseQuantity {
        guard case .number(let number) = value else {
            throw PurchaseValidationError(PurchaseMessages.seedPurchaseNotNumber(index))
        }
        // JSON has no NaN or Infinity; a value beyond binary64's range is what a float-based
        // reader (the seed's original server, Python) turns into infinity.
        guard number.integerDigits <= Self.largestFiniteDigits else {
            throw PurchaseValidationError(PurchaseMessages.nonFinite(index))
        }
        let literal = number.literal
        let quantity: PurchaseQuantity
        do {
            quantity = try PurchaseQuantity(jsonNumber: literal)
        } catch let failure {
            // Both failures imply a value other than zero, so a minus sign means a sale.
            if !rules.allowsSales, literal.hasPrefix("-") {
                throw PurchaseValidationError(PurchaseMessages.salesNotAllowed(index, retailer: rules.retailerID))
            }
            switch failure {
            case .tooPrecise: throw PurchaseValidationError(PurchaseMessages.tooPrecise(index))
            case .outOfRange: throw PurchaseValidationError(outOfRange(index))
            case .malformed: throw PurchaseValidationError(PurchaseMessages.seedPurchaseNotNumber(index))
            }
        }
        if quantity.isNegative && !rules.allowsSales {
            throw PurchaseValidationError(PurchaseMessages.salesNotAllowed(index, retailer: rules.retailerID))
        }
        guard quantity >= minimum, quantity <= rules.maximumQuantity else { throw PurchaseValidationError(outOfRange(index)) }
        return quantity
    }

    /// Digits before the point of the largest finite binary64 value (about 1.8e308).
    static let largestFiniteDigits = 309

    private func outOfRange(_ index: Int) -> String {
        PurchaseMessages.outOfRange(index, minimum: minimum, maximum: rules.maximumQuantity)
    }
}
