/// Every client-facing message of the submit-purchase family, in one place.
///
/// The `seed…` ones are seed 000's, to the letter (existing clients match on them); the others
/// cover what the seed does not, in the same style. Field names are in double quotes, items are
/// named by their 0-based index.
public enum PurchaseMessages {
    // MARK: The seed's

    public static func seedMissingURLParameter(_ name: String) -> String { "Missing required URL parameter \"\(name)\"." }
    public static let seedMissingPurchase = "Missing required field \"purchase\"."
    public static let seedNotArrayOfObjects = "Field \"purchase\" must be an array of objects."
    public static func seedItemMissingField(_ index: Int, _ field: String) -> String {
        "Purchase item at index \(index) is missing required field \"\(field)\"."
    }
    public static func seedInvalidDatetime(_ index: Int) -> String {
        "Purchase item at index \(index): invalid datetime format. Expected \"YYYY-MM-DD HH:MM\" (e.g., \"2024-01-15 14:30\")."
    }
    public static func seedPurchaseNotNumber(_ index: Int) -> String {
        "Purchase item at index \(index): field \"purchase\" must be a number (in MW unit)."
    }
    public static let seedInternalError = "Internal server error while creating purchase."
    public static func seedCreated(id: String, user: String, retailer: String) -> String {
        "CustomerPurchase created successfully with ID: \(id) for user: \(user) and retailer: \(retailer)"
    }

    // MARK: Beyond the seed, same style

    /// `reason` is the reader's, e.g. `duplicate key "purchase" at byte 40`.
    public static func bodyNotJSON(_ reason: String) -> String { "Request body must be valid JSON: \(reason)." }
    public static let bodyNotObject = "Request body must be a JSON object."
    public static let emptyPurchase = "Field \"purchase\" must contain at least one item."
    public static func tooManyItems(_ count: Int, maximum: Int) -> String {
        "Field \"purchase\" has \(count) items; at most \(maximum) are accepted."
    }
    public static func unknownRetailer(_ id: String) -> String { "Unknown retailer \"\(id)\"." }
    public static func unknownUser(_ id: String) -> String { "Unknown user \"\(id)\"." }
    public static func repeatedURLParameter(_ name: String) -> String { "URL parameter \"\(name)\" is given more than once." }
    public static func conflictingRetailer(path: String, query: String) -> String {
        "URL parameters disagree: retailer \"\(path)\" in the path, retailer_id \"\(query)\" in the query."
    }
    public static func yearOutOfRange(_ index: Int, _ label: String) -> String {
        let years = LocalDateTime.supportedYears
        return "Purchase item at index \(index): datetime \"\(label)\" is outside the supported years "
            + "\(years.lowerBound)-\(years.upperBound)."
    }
    public static func offInterval(_ index: Int, _ label: String, intervalMinutes: Int) -> String {
        let marks = stride(from: 0, to: 60, by: intervalMinutes).map { $0 < 10 ? "0\($0)" : "\($0)" }
        let allowed = marks.count == 1 ? "minute 00"
            : marks.count <= 4 ? "minutes " + marks.joined(separator: ", ") : "minutes divisible by \(intervalMinutes)"
        return "Purchase item at index \(index): datetime \"\(label)\" is not on the retailer's \(intervalMinutes)-minute "
            + "market interval (\(allowed))."
    }
    public static func skippedLocalTime(_ index: Int, _ label: String, zone: String) -> String {
        "Purchase item at index \(index): datetime \"\(label)\" does not exist in time zone \(zone) "
            + "(the clocks skip it when they move forward)."
    }
    public static func duplicateDatetime(_ index: Int, _ label: String, earlier: [Int]) -> String {
        let at = earlier.map(String.init).joined(separator: " and ")
        let note = earlier.count > 1 ? "; a repeated hour's datetime may appear twice" : ""
        return "Purchase item at index \(index): duplicate datetime \"\(label)\" (already at index \(at)\(note))."
    }
    public static func nonFinite(_ index: Int) -> String {
        "Purchase item at index \(index): field \"purchase\" must be a finite number (in MW unit)."
    }
    public static func tooPrecise(_ index: Int) -> String {
        "Purchase item at index \(index): field \"purchase\" must have at most 3 decimals (kW precision)."
    }
    public static func outOfRange(_ index: Int, minimum: PurchaseQuantity, maximum: PurchaseQuantity) -> String {
        "Purchase item at index \(index): field \"purchase\" must be between \(minimum.shortText) and \(maximum.shortText) MW."
    }
    public static func salesNotAllowed(_ index: Int, retailer: String) -> String {
        "Purchase item at index \(index): field \"purchase\" must not be negative; retailer \"\(retailer)\" does not accept sales."
    }
}

extension PurchaseQuantity {
    /// MW without trailing zeros: `5000`, `0.5`, `-1.25`.
    var shortText: String {
        var text = self.text
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
