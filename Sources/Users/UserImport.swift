import ExactJSON
import Foundation

/// A user to create or update: its username, an id to create it under (optional), and the
/// profile fields given. Fields not given keep their stored value (or their default, for a new
/// user); a field given empty or null is cleared.
public struct UserImportRecord: Sendable, Equatable {
    /// Where the record came from (1-based line of the file), for messages.
    public let line: Int
    public let id: UUID?
    public let username: String
    public let changes: [UserField: UserFieldValue]

    public init(line: Int = 0, id: UUID? = nil, username: String, changes: [UserField: UserFieldValue] = [:]) {
        self.line = line
        self.id = id
        self.username = username
        self.changes = changes
    }
}

/// Reads the files `tradingd users import` takes: CSV with a header row, or JSON lines (one
/// object per line). Every problem is collected with its line, so one run shows them all.
public enum UserImport {
    public enum Format: Sendable { case csv, jsonLines }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let problems: [Problem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    /// The columns or keys a file may use besides the profile fields.
    static let identityKeys = ["id", "username"]

    /// The format a file is in: JSON lines when its first non-blank character is `{`, else CSV.
    public static func detectFormat(_ text: String) -> Format {
        let first = text.unicodeScalars.first { !CharacterSet.whitespacesAndNewlines.contains($0) && $0 != "\u{FEFF}" }
        return first == "{" ? .jsonLines : .csv
    }

    /// Parses and checks a whole file.
    /// - Throws: `Failure` listing every problem with its line; nothing is returned then.
    public static func records(_ text: String, format: Format? = nil) throws(Failure) -> [UserImportRecord] {
        var problems: [Problem] = []
        let records: [UserImportRecord]
        switch format ?? detectFormat(text) {
        case .csv: records = csvRecords(text, problems: &problems)
        case .jsonLines: records = jsonLineRecords(text, problems: &problems)
        }
        checkDuplicates(records, problems: &problems)
        if records.isEmpty && problems.isEmpty { problems.append(Problem(line: 1, message: "the file holds no users")) }
        guard problems.isEmpty else { throw Failure(problems: problems.sorted { $0.line < $1.line }) }
        return records
    }

    /// Checks a username: 1-128 characters, letters, digits and `._~@-`, starting with a letter or digit.
    public static func usernameProblem(_ username: String) -> String? {
        username.range(of: #"^[A-Za-z0-9][A-Za-z0-9._~@-]{0,127}$"#, options: .regularExpression) == nil
            ? "username '\(username)' must be 1-128 letters, digits or . _ ~ @ -, starting with a letter or digit" : nil
    }

    // MARK: CSV

    private static func csvRecords(_ text: String, problems: inout [Problem]) -> [UserImportRecord] {
        let rows: [CSVReader.Record]
        do {
            rows = try CSVReader.records(text)
        } catch {
            problems.append(Problem(line: error.line, message: error.reason))
            return []
        }
        guard let header = rows.first else { return [] }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var headerOK = true
        for (offset, column) in columns.enumerated() where columns.firstIndex(of: column) != offset {
            problems.append(Problem(line: header.line, message: "column '\(column)' appears twice"))
            headerOK = false
        }
        for column in columns where !identityKeys.contains(column) && UserField(rawValue: column) == nil {
            problems.append(Problem(line: header.line, message: "unknown column '\(column)' (known: \(knownKeys))"))
            headerOK = false
        }
        if !columns.contains("username") {
            problems.append(Problem(line: header.line, message: "the header has no 'username' column"))
            headerOK = false
        }
        guard headerOK else { return [] }
        var records: [UserImportRecord] = []
        for row in rows.dropFirst() {
            guard row.fields.count == columns.count else {
                problems.append(Problem(line: row.line, message: "\(row.fields.count) fields where the header has \(columns.count)"))
                continue
            }
            let cells = Dictionary(uniqueKeysWithValues: zip(columns, row.fields))
            var changes: [UserField: UserFieldValue] = [:]
            var rowOK = true
            for (column, cell) in zip(columns, row.fields) {
                guard let field = UserField(rawValue: column) else { continue }
                switch field.value(fromText: cell) {
                case .success(let value): changes[field] = value
                case .failure(let problem):
                    problems.append(Problem(line: row.line, message: problem.description))
                    rowOK = false
                }
            }
            let idText = cells["id"]?.trimmingCharacters(in: .whitespaces) ?? ""
            if let record = record(line: row.line, idText: idText.isEmpty ? nil : idText,
                                   username: cells["username"]?.trimmingCharacters(in: .whitespaces) ?? "",
                                   changes: changes, problems: &problems), rowOK {
                records.append(record)
            }
        }
        return records
    }

    // MARK: JSON lines

    private static func jsonLineRecords(_ text: String, problems: inout [Problem]) -> [UserImportRecord] {
        var records: [UserImportRecord] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = offset + 1
            let content = rawLine.trimmingCharacters(in: .whitespacesAndNewlines.union(["\u{FEFF}"]))
            guard !content.isEmpty else { continue }
            let object: JSONObject
            do {
                guard let parsed = try ExactJSON.parse(content).objectValue else {
                    problems.append(Problem(line: line, message: "each line must be a JSON object"))
                    continue
                }
                object = parsed
            } catch {
                problems.append(Problem(line: line, message: "not JSON: \(error)"))
                continue
            }
            var changes: [UserField: UserFieldValue] = [:]
            var lineOK = true
            for member in object.members where !identityKeys.contains(member.key) {
                guard let field = UserField(rawValue: member.key) else {
                    problems.append(Problem(line: line, message: "unknown key '\(member.key)' (known: \(knownKeys))"))
                    lineOK = false
                    continue
                }
                switch field.value(from: member.value) {
                case .success(let value): changes[field] = value
                case .failure(let problem):
                    problems.append(Problem(line: line, message: problem.description))
                    lineOK = false
                }
            }
            var idText: String?
            if let id = object["id"], !id.isNull {
                guard let text = id.stringValue else {
                    problems.append(Problem(line: line, message: "id must be a UUID string"))
                    continue
                }
                idText = text
            }
            guard let username = object["username"]?.stringValue else {
                problems.append(Problem(line: line, message: "username is missing or not a string"))
                continue
            }
            if let record = record(line: line, idText: idText, username: username, changes: changes, problems: &problems), lineOK {
                records.append(record)
            }
        }
        return records
    }

    // MARK: Shared checks

    private static var knownKeys: String { (identityKeys + UserField.allCases.map(\.rawValue)).joined(separator: ", ") }

    private static func record(line: Int, idText: String?, username: String, changes: [UserField: UserFieldValue],
                               problems: inout [Problem]) -> UserImportRecord? {
        var id: UUID?
        if let idText {
            guard let parsed = UUID(uuidString: idText) else {
                problems.append(Problem(line: line, message: "id '\(idText)' is not a UUID"))
                return nil
            }
            id = parsed
        }
        if username.isEmpty {
            problems.append(Problem(line: line, message: "username is empty"))
            return nil
        }
        if let problem = usernameProblem(username) {
            problems.append(Problem(line: line, message: problem))
            return nil
        }
        return UserImportRecord(line: line, id: id, username: username, changes: changes)
    }

    private static func checkDuplicates(_ records: [UserImportRecord], problems: inout [Problem]) {
        var lineByUsername: [String: Int] = [:], lineByID: [UUID: Int] = [:]
        for record in records {
            if let first = lineByUsername[record.username.lowercased()] {
                problems.append(Problem(line: record.line, message: "username '\(record.username)' appears already on line \(first)"))
            } else {
                lineByUsername[record.username.lowercased()] = record.line
            }
            if let id = record.id {
                if let first = lineByID[id] {
                    problems.append(Problem(line: record.line, message: "id \(id.uuidString.lowercased()) appears already on line \(first)"))
                } else {
                    lineByID[id] = record.line
                }
            }
        }
    }
}
