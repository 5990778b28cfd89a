import Accounts
import CustomerDataStores
import ExactJSON
import Foundation
import Postgres
import Testing

/// `POST /update-user-sales-history` and `GET /users/{id}` through the router, on a real database.
@Suite struct SalesHistoryAPITests {
    let fixture: CustomerDataAPIFixture

    init() throws { fixture = try CustomerDataAPIFixture() }

    private func post(_ body: String, token: String? = nil) -> CustomerDataAPIFixture.Answer {
        fixture.call("POST", "/update-user-sales-history", headers: fixture.bearer(token ?? fixture.loyaltyToken), body: body)
    }

    private func history(_ items: String) -> String { #"{"user_id": "\#(fixture.user.id)", "history": [\#(items)]}"# }

    @Test func answersTheSeedsWholeProfileWithTheHistoryByFecha() throws {
        let answer = post(history(#"{"nit": "900.373.923-8", "monto": 15000.50, "fecha": "2024-03-15", "emc": "Postobón"}, {"nit": "800197268-4", "monto": 2300, "fecha": "2024-01-10T09:30:00Z", "emc": "Bavaria"}"#))
        #expect(answer.status == 200)
        let profile = try #require(answer.object)
        #expect(profile.keys == ["id", "image", "name", "lastname", "business_name", "quota", "status", "phone", "email", "nit",
                                 "address", "history", "score", "payment_data", "apn_token", "ecosystem", "business_entity",
                                 "additional_data"])
        #expect(profile["id"] == .string(fixture.user.id.uuidString.lowercased()))
        #expect(profile["name"] == .string("Ana"))
        #expect(profile["image"] == .null)
        #expect(profile["quota"]?.numberValue?.decimal == 1_500_000)
        #expect(profile["score"]?.numberValue?.literal == "4.5")
        #expect(profile["payment_data"] == .object(JSONObject([])))
        #expect(profile["history"]?.text == #"[{"nit":"8001972684","monto":2300,"fecha":"2024-01-10T04:30:00-05:00","emc":"Bavaria"},"#
                    + #"{"nit":"9003739238","monto":15000.5,"fecha":"2024-03-15T00:00:00-05:00","emc":"Postobón"}]"#)
    }

    @Test func aRetriedRequestChangesNothingAndAKnownKeyUpdatesItsMonto() throws {
        let body = history(#"{"nit": "900373923-8", "monto": 10, "fecha": "2024-03-15", "emc": "A"}"#)
        let first = post(body), second = post(body)
        #expect(first.status == 200 && second.status == 200)
        #expect(first.text == second.text)
        let updated = post(history(#"{"nit": "900373923-8", "monto": 12.25, "fecha": "2024-03-15T00:00:00-05:00", "emc": "A"}"#))
        #expect(updated.object?["history"]?.arrayValue?.count == 1)
        #expect(updated.object?["history"]?.arrayValue?.first?.objectValue?["monto"]?.numberValue?.literal == "12.25")
        #expect(try fixture.scalar("SELECT count(*) FROM user_sales_history") == 1)
    }

    @Test func aFechaWithoutOffsetIsReadInTheOrganisationsZone() throws {
        try fixture.pool.withConnection {
            try OrganizationTimeZones().setZone("America/New_York", organizationID: fixture.organization, on: $0)
        }
        let answer = post(history(#"{"nit": "900373923", "monto": 1, "fecha": "2024-07-01T10:00:00", "emc": "A"}"#))
        #expect(answer.object?["history"]?.arrayValue?.first?.objectValue?["fecha"] == .string("2024-07-01T10:00:00-04:00"))
        let stored = try fixture.pool.withConnection { try $0.query("SELECT extract(epoch FROM fecha)::int8 FROM user_sales_history")[0].int(0) }
        #expect(stored == 1_719_842_400)  // 14:00Z
    }

    @Test(arguments: [
        ("{", 400, "El cuerpo de la solicitud no es JSON válido: el documento termina antes de tiempo (byte 1)."),
        (#"{"user_id": "abc"}"#, 400, #"user_id: "abc" no es un UUID válido."#),
        (#"{"user_id": 5}"#, 400, "user_id: debe ser un texto con el UUID del usuario."),
        (#"{"user_id": "00000000-0000-4000-8000-000000000000"}"#, 404, #"No existe un usuario con id "00000000-0000-4000-8000-000000000000"."#),
    ])
    func refusesWithTheSeedsShape(body: String, status: Int, message: String) {
        let answer = post(body)
        #expect(answer.status == status)
        #expect(answer.object?.keys == ["error"])
        #expect(answer.error == message)
    }

    @Test func anItemErrorNamesItsIndexAndFieldAndWritesNothing() throws {
        let answer = post(history(#"{"nit": "900373923", "monto": 1, "fecha": "2024-03-15", "emc": "A"}, {"nit": "900373923", "monto": "1", "fecha": "2024-03-16", "emc": "A"}"#))
        #expect(answer.status == 400)
        #expect(answer.error == "history[1].monto: debe ser un número (por ejemplo 15000.50), no un texto ni otro tipo.")
        #expect(try fixture.scalar("SELECT count(*) FROM user_sales_history") == 0)
    }

    @Test func aUserOfAnotherOrganisationIsNotFound() throws {
        let connection = try PostgresConnection(url: fixture.url)
        let token = try TokenStore().createToken(organizationSlug: "otra", role: .operator, scopes: [.loyalty],
                                                          expiresInDays: nil, on: connection).token
        #expect(post(history(""), token: token).status == 404)
        #expect(fixture.call("GET", "/users/\(fixture.user.id)", headers: fixture.bearer(token)).status == 404)
    }

    @Test func refusesMissingBadAndOutOfScopeTokensInSpanish() {
        let none = fixture.call("POST", "/update-user-sales-history", body: history(""))
        #expect(none.status == 401)
        #expect(none.error == "Falta el token de acceso: envíe el encabezado Authorization: Bearer {token}.")
        #expect(post(history(""), token: "tdt_" + String(repeating: "0", count: 64)).error
                    == "El token de acceso no es válido, venció o fue revocado.")
        let trading = post(history(""), token: fixture.tradingToken)
        #expect(trading.status == 403)
        #expect(trading.error == "El token de acceso no tiene el alcance loyalty.")
    }

    @Test func getUsersAnswersTheSameProfile() throws {
        let posted = post(history(#"{"nit": "900373923", "monto": 1, "fecha": "2024-03-15", "emc": "A"}"#))
        let read = fixture.call("GET", "/users/\(fixture.user.id)", headers: fixture.bearer(fixture.loyaltyToken))
        #expect(read.status == 200)
        #expect(read.text == posted.text)
        let bad = fixture.call("GET", "/users/nope", headers: fixture.bearer(fixture.loyaltyToken))
        #expect(bad.status == 400 && bad.error == #"id: "nope" no es un UUID válido."#)
        let missing = fixture.call("GET", "/users/\(UUID())", headers: fixture.bearer(fixture.loyaltyToken))
        #expect(missing.status == 404)
    }

    @Test func routingErrorsUseTheFamilysShape() {
        let wrongMethod = fixture.call("GET", "/update-user-sales-history", headers: fixture.bearer(fixture.loyaltyToken))
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.error == "Método no permitido.")
    }
}
