import CustomerData
import Foundation
import Testing

/// Seed 002's body: what is accepted, and each rule refused with its Spanish message naming the
/// item index and field.
struct SalesHistoryRequestTests {
    private let bogota = TimeZone(identifier: "America/Bogota")!
    private let now = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z
    private let user = "3f1c2a9e-8d4b-4f6a-9c1e-2b7d5e8a0f13"

    private func decode(_ body: String, rules: SalesHistoryRules = SalesHistoryRules()) -> Result<SalesHistoryUpdate, RequestRefusal> {
        SalesHistoryRequest.decode(Array(body.utf8), zone: bogota, now: now, rules: rules)
    }

    private func message(_ body: String) -> String? {
        if case .failure(let refusal) = decode(body) { refusal.message } else { nil }
    }

    private func item(_ fields: String) -> String { #"{"user_id": "\#(user)", "history": [\#(fields)]}"# }

    @Test func decodesTheSeedsShape() throws {
        let update = try decode(item(#"{"nit": "900.373.923-8", "monto": 15000.50, "fecha": "2024-03-15", "emc": "  Postobón   S.A. "}"#)).get()
        #expect(update.userID == UUID(uuidString: user))
        #expect(update.items == [SalesHistoryItem(nit: "9003739238", amount: Decimal(string: "15000.50")!,
                                                  date: Date(timeIntervalSince1970: 1_710_478_800), company: "Postobón S.A.")])
    }

    @Test func anAbsentNullOrEmptyHistoryChangesNothing() throws {
        for body in [#"{"user_id": "\#(user)"}"#, #"{"user_id": "\#(user)", "history": null}"#, #"{"user_id": "\#(user)", "history": []}"#] {
            #expect(try decode(body).get().items.isEmpty)
        }
    }

    @Test func amountsAreExact() throws {
        let update = try decode(item(#"{"nit": "800197268-4", "monto": 0.1, "fecha": "2024-03-15", "emc": "A"}, {"nit": "800197268-4", "monto": 0.2, "fecha": "2024-03-16", "emc": "A"}"#)).get()
        #expect(update.items.map(\.amount).reduce(0, +) == Decimal(string: "0.3"))
    }

    @Test func companyNamesInDecomposedFormMatchComposedOnes() throws {
        let decomposed = "Postobo\u{301}n"
        let update = try decode(item(#"{"nit": "1020304", "monto": 1, "fecha": "2024-03-15", "emc": "\#(decomposed)"}"#)).get()
        #expect(update.items[0].company.unicodeScalars.elementsEqual("Postobón".precomposedStringWithCanonicalMapping.unicodeScalars))
    }

    @Test(arguments: [
        ("{", "El cuerpo de la solicitud no es JSON válido: el documento termina antes de tiempo (byte 1)."),
        ("", "El cuerpo de la solicitud no es JSON válido: el cuerpo está vacío (byte 0)."),
        (#"{"user_id": "a", "user_id": "b"}"#, #"El cuerpo de la solicitud no es JSON válido: la clave "user_id" aparece dos veces (byte 17)."#),
        ("[]", "El cuerpo de la solicitud debe ser un objeto JSON con user_id e history."),
        ("{}", "user_id: es obligatorio."),
        (#"{"user_id": null}"#, "user_id: es obligatorio."),
        (#"{"user_id": 12}"#, "user_id: debe ser un texto con el UUID del usuario."),
        (#"{"user_id": "usuario-1"}"#, #"user_id: "usuario-1" no es un UUID válido."#),
        (#"{"user_id": "3f1c2a9e-8d4b-4f6a-9c1e-2b7d5e8a0f13", "History": []}"#, "History: campo desconocido (se esperan user_id e history)."),
        (#"{"user_id": "3f1c2a9e-8d4b-4f6a-9c1e-2b7d5e8a0f13", "history": {}}"#, "history: debe ser una lista de objetos con nit, monto, fecha y emc."),
    ])
    func refusesTheBody(body: String, expected: String) {
        #expect(message(body) == expected)
    }

    @Test(arguments: [
        (#""x""#, "history[0]: debe ser un objeto con nit, monto, fecha y emc."),
        (#"{"monto": 1, "fecha": "2024-03-15", "emc": "A"}"#, "history[0].nit: es obligatorio."),
        (#"{"nit": 900373923, "monto": 1, "fecha": "2024-03-15", "emc": "A"}"#, "history[0].nit: debe ser un texto."),
        (#"{"nit": "", "monto": 1, "fecha": "2024-03-15", "emc": "A"}"#, "history[0].nit: no puede estar vacío."),
        (#"{"nit": "90037392X", "monto": 1, "fecha": "2024-03-15", "emc": "A"}"#,
         #"history[0].nit: "90037392X" solo puede tener dígitos, puntos o espacios como separadores y un guion antes del dígito de verificación."#),
        (#"{"nit": "12", "monto": 1, "fecha": "2024-03-15", "emc": "A"}"#,
         "history[0].nit: debe tener entre 3 y 15 dígitos antes del dígito de verificación; tiene 2."),
        (#"{"nit": "900.373.923-7", "monto": 1, "fecha": "2024-03-15", "emc": "A"}"#,
         "history[0].nit: el dígito de verificación 7 no corresponde al NIT 900373923; según la DIAN es 8."),
        (#"{"nit": "900373923", "fecha": "2024-03-15", "emc": "A"}"#, "history[0].monto: es obligatorio."),
        (#"{"nit": "900373923", "monto": "15.19", "fecha": "2024-03-15", "emc": "A"}"#,
         "history[0].monto: debe ser un número (por ejemplo 15000.50), no un texto ni otro tipo."),
        (#"{"nit": "900373923", "monto": -1, "fecha": "2024-03-15", "emc": "A"}"#, "history[0].monto: no puede ser negativo."),
        (#"{"nit": "900373923", "monto": 0.30000000000000004, "fecha": "2024-03-15", "emc": "A"}"#,
         "history[0].monto: 0.30000000000000004 tiene más de 4 decimales."),
        (#"{"nit": "900373923", "monto": 1e16, "fecha": "2024-03-15", "emc": "A"}"#, "history[0].monto: 1e16 tiene más de 15 dígitos enteros."),
        (#"{"nit": "900373923", "monto": 1, "emc": "A"}"#, "history[0].fecha: es obligatorio."),
        (#"{"nit": "900373923", "monto": 1, "fecha": 20240315, "emc": "A"}"#, "history[0].fecha: debe ser un texto."),
        (#"{"nit": "900373923", "monto": 1, "fecha": "15/03/2024", "emc": "A"}"#,
         #"history[0].fecha: "15/03/2024" no es una fecha ISO 8601 (por ejemplo 2024-03-15, 2024-03-15T14:30:00 o 2024-03-15T14:30:00-05:00)."#),
        (#"{"nit": "900373923", "monto": 1, "fecha": "2024-02-30", "emc": "A"}"#, #"history[0].fecha: "2024-02-30" no es una fecha u hora que exista."#),
        (#"{"nit": "900373923", "monto": 1, "fecha": "2024-03-15T10:00:00.1234567", "emc": "A"}"#,
         #"history[0].fecha: "2024-03-15T10:00:00.1234567" tiene más de 6 decimales en los segundos."#),
        (#"{"nit": "900373923", "monto": 1, "fecha": "1899-12-31", "emc": "A"}"#, #"history[0].fecha: "1899-12-31" es anterior a 1900."#),
        (#"{"nit": "900373923", "monto": 1, "fecha": "2025-01-03", "emc": "A"}"#, #"history[0].fecha: "2025-01-03" está en el futuro."#),
        (#"{"nit": "900373923", "monto": 1, "fecha": "2024-03-15"}"#, "history[0].emc: es obligatorio."),
        (#"{"nit": "900373923", "monto": 1, "fecha": "2024-03-15", "emc": "   "}"#, "history[0].emc: no puede estar vacío."),
        // 101 characters sent as 202 code points (decomposed): the limit counts the code points sent, as JSON Schema does.
        (#"{"nit": "900373923", "monto": 1, "fecha": "2024-03-15", "emc": "\#(String(repeating: "e\u{301}", count: 101))"}"#,
         "history[0].emc: admite como máximo 200 caracteres."),
        (#"{"nit": "900373923", "monto": 1, "fecha": "2024-03-15", "emc": "A", "cantidad": 2}"#,
         "history[0].cantidad: campo desconocido (se esperan nit, monto, fecha y emc)."),
    ])
    func refusesAnItem(fields: String, expected: String) {
        #expect(message(item(fields)) == expected)
    }

    @Test func aFechaOnTheFutureToleranceIsAccepted() throws {
        _ = try decode(item(#"{"nit": "900373923", "monto": 1, "fecha": "2025-01-01T19:00:00-05:00", "emc": "A"}"#)).get()
    }

    @Test func namesTheIndexOfEachBadItemAndListsThemAll() {
        let good = #"{"nit": "900373923", "monto": 1, "fecha": "2024-03-15", "emc": "A"}"#
        let body = item("\(good), \(good.replacingOccurrences(of: "2024-03-15", with: "2024-03-16").replacingOccurrences(of: "1,", with: "\"1\",")), "
                        + #"{"nit": "900373923-1", "monto": 2, "fecha": "2024-03-17", "emc": ""}"#)
        #expect(message(body) == "history[1].monto: debe ser un número (por ejemplo 15000.50), no un texto ni otro tipo. "
                    + "history[2].nit: el dígito de verificación 1 no corresponde al NIT 900373923; según la DIAN es 8. "
                    + "history[2].emc: no puede estar vacío.")
    }

    @Test func refusesTheSameSaleTwiceInOneRequestEvenWrittenDifferently() {
        let body = item(#"{"nit": "900.373.923-8", "monto": 1, "fecha": "2024-03-15", "emc": "Postobón"}, "#
                        + #"{"nit": "9003739238", "monto": 2, "fecha": "2024-03-15T00:00:00-05:00", "emc": " Postobón "}"#)
        #expect(message(body) == "history[1]: repite nit, fecha y emc de history[0].")
    }

    @Test func capsTheItemsPerRequestAndTheProblemsPerMessage() {
        var rules = SalesHistoryRules()
        rules.maximumItems = 2
        let bad = #"{"nit": "x"}"#
        if case .failure(let refusal) = decode(item([bad, bad, bad].joined(separator: ",")), rules: rules) {
            #expect(refusal.message == "history: admite como máximo 2 elementos por solicitud; se recibieron 3.")
        } else {
            Issue.record("accepted")
        }
        let many = item(Array(repeating: #""x""#, count: 12).joined(separator: ","))
        let text = message(many) ?? ""
        #expect(text.hasSuffix("history[9]: debe ser un objeto con nit, monto, fecha y emc. Y 2 errores más."))
    }
}
