import Testing
import Users

/// RFC 4180 records.
struct CSVReaderTests {
    @Test func splitsRecordsAndFields() throws {
        let records = try CSVReader.records("a,b,c\r\n1,,3\n\n4,5,6")
        #expect(records == [
            .init(line: 1, fields: ["a", "b", "c"]), .init(line: 2, fields: ["1", "", "3"]), .init(line: 4, fields: ["4", "5", "6"]),
        ])
    }

    @Test func quotedFieldsHoldCommasQuotesAndNewlines() throws {
        let records = try CSVReader.records("name,address\n\"Díaz, Ana\",\"Calle 5 \"\"B\"\"\nPiso 2\"\nnext,x\n")
        #expect(records == [
            .init(line: 1, fields: ["name", "address"]), .init(line: 2, fields: ["Díaz, Ana", "Calle 5 \"B\"\nPiso 2"]),
            .init(line: 4, fields: ["next", "x"]),
        ])
    }

    @Test func skipsAByteOrderMarkAndKeepsAnEmptyQuotedField() throws {
        #expect(try CSVReader.records("\u{FEFF}a\n\"\"") == [.init(line: 1, fields: ["a"]), .init(line: 2, fields: [""])])
    }

    @Test(arguments: [
        ("a,\"b\n", 1, "a quoted field is never closed"),
        ("a\nb\"c\n", 2, "a quote inside an unquoted field (quote the whole field and double the quote)"),
        ("\"a\"b\n", 1, "text after a closing quote (a field is either quoted whole or not at all)"),
    ])
    func refusesMalformedQuoting(text: String, line: Int, reason: String) {
        #expect(throws: CSVReader.Failure(line: line, reason: reason)) { try CSVReader.records(text) }
    }
}
