import ExactJSON
import Foundation
import Testing
import Users

/// Reading `tradingd users import` files: both formats, every field kind, and every problem
/// reported with its line.
struct UserImportTests {
    private func problems(_ text: String) -> [String] {
        do {
            _ = try UserImport.records(text)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func readsCSVWithAHeader() throws {
        let csv = """
            username,name,lastname,quota,score,status,email,payment_data,nit
            tienda-la-14,Ana,Díaz,1500000.50,4.5,active,ana@example.co,"{""method"":""nequi""}",900.373.923-8
            Drogueria_Sur,,,,,inactive,,,
            """
        let records = try UserImport.records(csv)
        #expect(records.count == 2)
        #expect(records[0].username == "tienda-la-14")
        #expect(records[0].line == 2)
        #expect(records[0].changes[.quota] == .decimal(Decimal(string: "1500000.50")))
        #expect(records[0].changes[.score] == .decimal(Decimal(string: "4.5")))
        #expect(records[0].changes[.paymentData] == .object(JSONObject(["method": .string("nequi")])))
        #expect(records[0].changes[.nit] == .text("900.373.923-8"))
        // Empty cells clear; columns not in the header are not touched.
        #expect(records[1].changes[.name] == .text(nil))
        #expect(records[1].changes[.quota] == .decimal(nil))
        #expect(records[1].changes[.paymentData] == .object(JSONObject([])))
        #expect(records[1].changes[.image] == nil)
    }

    @Test func readsJSONLinesWithExactNumbers() throws {
        let lines = """
            {"username": "tienda-la-14", "id": "8f14e45f-ceea-467f-a8b4-3a5c0ae1e2c1", "quota": 0.30000000000000004, "additional_data": {"zona": "norte"}}

            {"username": "otra", "name": null, "status": "blocked"}
            """
        let records = try UserImport.records(lines)
        #expect(records.count == 2)
        #expect(records[0].id == UUID(uuidString: "8f14e45f-ceea-467f-a8b4-3a5c0ae1e2c1"))
        #expect(records[0].changes[.quota] == .decimal(Decimal(string: "0.30000000000000004")))
        #expect(records[0].changes[.additionalData] == .object(JSONObject(["zona": .string("norte")])))
        #expect(records[1].line == 3)
        #expect(records[1].changes == [.name: .text(nil), .status: .text("blocked")])
    }

    @Test func detectsTheFormatFromTheFirstCharacter() {
        #expect(UserImport.detectFormat("\n  {\"username\":\"a\"}") == .jsonLines)
        #expect(UserImport.detectFormat("\u{FEFF}username\na") == .csv)
    }

    @Test func reportsEveryCSVProblemWithItsLine() {
        let csv = """
            username,quota,email,status,payment_data
            ok,1,a@b.co,active,
            bad name,x,not-an-email,,[1]
            ok,2,,active,
            """
        #expect(problems(csv) == [
            "line 3: quota must be a decimal number such as 1250.50",
            "line 3: email is not an email address",
            "line 3: status cannot be empty",
            "line 3: payment_data must be a JSON object",
            "line 3: username 'bad name' must be 1-128 letters, digits or . _ ~ @ -, starting with a letter or digit",
            "line 4: username 'ok' appears already on line 2",
        ])
    }

    @Test func refusesABadHeader() {
        #expect(problems("name,nombre\nA,B") == [
            "line 1: unknown column 'nombre' (known: id, username, image, name, lastname, business_name, quota, status, phone, email, nit, address, score, payment_data, apn_token, ecosystem, business_entity, additional_data)",
            "line 1: the header has no 'username' column",
        ])
        #expect(problems("username,name,name\na,b,c") == ["line 1: column 'name' appears twice"])
        #expect(problems("username,name\na,b,c") == ["line 2: 3 fields where the header has 2"])
        #expect(problems("username\n") == ["line 1: the file holds no users"])
    }

    @Test func reportsEveryJSONLinesProblemWithItsLine() {
        let lines = """
            {"username": "a", "quota": "12.5"}
            {"username": "q", "quota": "12,5"}
            [1]
            {"username": 5}
            {"username": "b", "colour": "red", "score": true}
            {"username": "c", "id": "nope"}
            {"username": "d", "id": "8f14e45f-ceea-467f-a8b4-3a5c0ae1e2c1"}
            {"username": "e", "id": "8F14E45F-CEEA-467F-A8B4-3A5C0AE1E2C1"}
            {"username": "A"}
            {"username":
            """
        #expect(problems(lines) == [
            "line 2: quota must be a decimal number such as 1250.50",
            "line 3: each line must be a JSON object",
            "line 4: username is missing or not a string",
            "line 5: unknown key 'colour' (known: id, username, image, name, lastname, business_name, quota, status, phone, email, nit, address, score, payment_data, apn_token, ecosystem, business_entity, additional_data)",
            "line 5: score must be a number",
            "line 6: id 'nope' is not a UUID",
            "line 8: id 8f14e45f-ceea-467f-a8b4-3a5c0ae1e2c1 appears already on line 7",
            "line 9: username 'A' appears already on line 1",
            "line 10: not JSON: the document ends too early at byte 12",
        ])
    }

    @Test func textFieldsAreBounded() {
        let long = String(repeating: "x", count: 501)
        #expect(problems("username,name\na,\(long)") == ["line 2: name is longer than 500 characters"])
    }
}
