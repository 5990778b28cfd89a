import ExactJSON
import Foundation

/// Decodes and checks a `POST /update-user-sales-history` body, collecting every problem with
/// the item index and field it concerns (`history[2].monto: debe ser un número.`).
public enum SalesHistoryRequest {
    static let itemFields = ["nit", "monto", "fecha", "emc"]

    /// - Parameters:
    ///   - zone: where a `fecha` without offset is read (the organisation's zone).
    ///   - now: the current time, for refusing dates in the future.
    public static func decode(_ body: some Collection<UInt8>, zone: TimeZone, now: Date,
                              rules: SalesHistoryRules = SalesHistoryRules()) -> Result<SalesHistoryUpdate, RequestRefusal> {
        let document: ExactJSON
        do {
            document = try ExactJSON.parse(body)
        } catch {
            return .failure(RequestRefusal(["El cuerpo de la solicitud no es JSON válido: \(SpanishJSONError.describe(error))."], language: .spanish))
        }
        guard let object = document.objectValue else {
            return .failure(RequestRefusal(["El cuerpo de la solicitud debe ser un objeto JSON con user_id e history."], language: .spanish))
        }
        var problems: [String] = []
        for key in object.keys where key != "user_id" && key != "history" {
            problems.append("\(key): campo desconocido (se esperan user_id e history).")
        }
        let userID = decodeUserID(object["user_id"], problems: &problems)
        var items: [SalesHistoryItem] = []
        switch object["history"] {
        case nil, .null?: break
        case .array(let elements)?:
            if elements.count > rules.maximumItems {
                problems.append("history: admite como máximo \(rules.maximumItems) elementos por solicitud; se recibieron \(elements.count).")
                break
            }
            var firstIndexByKey: [SaleKey: Int] = [:]
            for (index, element) in elements.enumerated() {
                guard let item = decodeItem(element, index: index, zone: zone, now: now, rules: rules, problems: &problems) else { continue }
                let key = SaleKey(nit: item.nit, date: item.date, company: item.company)
                if let first = firstIndexByKey[key] {
                    problems.append("history[\(index)]: repite nit, fecha y emc de history[\(first)].")
                    continue
                }
                firstIndexByKey[key] = index
                items.append(item)
            }
        case .some:
            problems.append("history: debe ser una lista de objetos con nit, monto, fecha y emc.")
        }
        guard problems.isEmpty, let userID else {
            return .failure(RequestRefusal(problems, language: .spanish, maximumReported: rules.maximumReportedProblems))
        }
        return .success(SalesHistoryUpdate(userID: userID, items: items))
    }

    private struct SaleKey: Hashable {
        let nit: String, date: Date, company: String
    }

    private static func decodeUserID(_ value: ExactJSON?, problems: inout [String]) -> UUID? {
        switch value {
        case nil, .null?:
            problems.append("user_id: es obligatorio.")
        case .string(let text)?:
            if let id = UUID(uuidString: text) { return id }
            problems.append("user_id: \(RequestRefusal.quoted(text)) no es un UUID válido.")
        case .some:
            problems.append("user_id: debe ser un texto con el UUID del usuario.")
        }
        return nil
    }

    private static func decodeItem(_ element: ExactJSON, index: Int, zone: TimeZone, now: Date, rules: SalesHistoryRules,
                                   problems: inout [String]) -> SalesHistoryItem? {
        let path = "history[\(index)]"
        guard let object = element.objectValue else {
            problems.append("\(path): debe ser un objeto con nit, monto, fecha y emc.")
            return nil
        }
        let before = problems.count
        for key in object.keys where !itemFields.contains(key) {
            problems.append("\(path).\(key): campo desconocido (se esperan nit, monto, fecha y emc).")
        }
        let nit = text(object, "nit", path, &problems).flatMap { decodeNIT($0, path: path, problems: &problems) }
        let amount = decodeAmount(object["monto"], path: path, rules: rules, problems: &problems)
        let date = text(object, "fecha", path, &problems).flatMap {
            decodeDate($0, path: path, zone: zone, now: now, rules: rules, problems: &problems)
        }
        let company = text(object, "emc", path, &problems).flatMap { decodeCompany($0, path: path, rules: rules, problems: &problems) }
        guard problems.count == before, let nit, let amount, let date, let company else { return nil }
        return SalesHistoryItem(nit: nit, amount: amount, date: date, company: company)
    }

    /// A required string member, or nil after recording why not.
    private static func text(_ object: JSONObject, _ key: String, _ path: String, _ problems: inout [String]) -> String? {
        switch object[key] {
        case nil, .null?:
            problems.append("\(path).\(key): es obligatorio.")
        case .string(let text)?:
            return text
        case .some:
            problems.append("\(path).\(key): debe ser un texto.")
        }
        return nil
    }

    private static func decodeNIT(_ raw: String, path: String, problems: inout [String]) -> String? {
        switch NIT.parse(raw) {
        case .success(let nit): return nit.normalized
        case .failure(.empty): problems.append("\(path).nit: no puede estar vacío.")
        case .failure(.invalidCharacters):
            problems.append("\(path).nit: \(RequestRefusal.quoted(raw)) solo puede tener dígitos, puntos o espacios como separadores y un guion antes del dígito de verificación.")
        case .failure(.length(let count)):
            problems.append("\(path).nit: debe tener entre \(NIT.baseDigits.lowerBound) y \(NIT.baseDigits.upperBound) dígitos antes del dígito de verificación; tiene \(count).")
        case .failure(.wrongCheckDigit(let given, let expected, let base)):
            problems.append("\(path).nit: el dígito de verificación \(given) no corresponde al NIT \(base); según la DIAN es \(expected).")
        }
        return nil
    }

    private static func decodeAmount(_ value: ExactJSON?, path: String, rules: SalesHistoryRules, problems: inout [String]) -> Decimal? {
        let field = "\(path).monto"
        switch value {
        case nil, .null?:
            problems.append("\(field): es obligatorio.")
        case .number(let number)?:
            if number.isNegative {
                problems.append("\(field): no puede ser negativo.")
            } else if number.fractionDigits > rules.maximumFractionDigits {
                problems.append("\(field): \(number.literal) tiene más de \(rules.maximumFractionDigits) decimales.")
            } else if number.integerDigits > rules.maximumIntegerDigits {
                problems.append("\(field): \(number.literal) tiene más de \(rules.maximumIntegerDigits) dígitos enteros.")
            } else if let amount = number.decimal {
                return amount
            } else {
                problems.append("\(field): \(number.literal) no es un monto representable.")
            }
        case .some:
            problems.append("\(field): debe ser un número (por ejemplo 15000.50), no un texto ni otro tipo.")
        }
        return nil
    }

    private static func decodeDate(_ raw: String, path: String, zone: TimeZone, now: Date, rules: SalesHistoryRules,
                                   problems: inout [String]) -> Date? {
        let field = "\(path).fecha"
        let value: ISO8601Value
        switch ISO8601Value.parse(raw) {
        case .success(let parsed): value = parsed
        case .failure(.format):
            problems.append("\(field): \(RequestRefusal.quoted(raw)) no es una fecha ISO 8601 (por ejemplo 2024-03-15, 2024-03-15T14:30:00 o 2024-03-15T14:30:00-05:00).")
            return nil
        case .failure(.nonexistentDate):
            problems.append("\(field): \(RequestRefusal.quoted(raw)) no es una fecha u hora que exista.")
            return nil
        case .failure(.tooManyFractionDigits):
            problems.append("\(field): \(RequestRefusal.quoted(raw)) tiene más de 6 decimales en los segundos.")
            return nil
        }
        guard value.year >= rules.earliestYear else {
            problems.append("\(field): \(RequestRefusal.quoted(raw)) es anterior a \(rules.earliestYear).")
            return nil
        }
        switch ZonedInstant.instant(value, zone: zone) {
        case .failure(.skippedLocalTime):
            problems.append("\(field): la hora \(RequestRefusal.quoted(raw)) no existe en la zona horaria \(zone.identifier) (cambio de horario); indique la diferencia con UTC.")
            return nil
        case .success(let date):
            guard date.timeIntervalSince(now) <= rules.futureTolerance else {
                problems.append("\(field): \(RequestRefusal.quoted(raw)) está en el futuro.")
                return nil
            }
            return date
        }
    }

    private static func decodeCompany(_ raw: String, path: String, rules: SalesHistoryRules, problems: inout [String]) -> String? {
        let company = raw.split(whereSeparator: \.isWhitespace).joined(separator: " ").precomposedStringWithCanonicalMapping
        guard !company.isEmpty else {
            problems.append("\(path).emc: no puede estar vacío.")
            return nil
        }
        // Code points, as JSON Schema's maxLength (on what was sent) and PostgreSQL's length() (on
        // what is stored) count them; NFC may lengthen a few characters.
        guard max(raw.unicodeScalars.count, company.unicodeScalars.count) <= rules.maximumCompanyLength else {
            problems.append("\(path).emc: admite como máximo \(rules.maximumCompanyLength) caracteres.")
            return nil
        }
        return company
    }

}
