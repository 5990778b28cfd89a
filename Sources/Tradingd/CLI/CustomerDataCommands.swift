import Accounts
import CustomerData
import CustomerDataStores
import Foundation
import Postgres
import Users

/// The customer-data family's commands: users and their profiles, the customer-event API keys,
/// the events' reference data, and an organisation's time zone.
extension CommandLineInterface {
    /// `users create`'s profile options: `--business-name` for `business_name`.
    static let userFieldOptions = Dictionary(uniqueKeysWithValues: UserField.allCases.map {
        ("--" + $0.rawValue.replacingOccurrences(of: "_", with: "-"), $0)
    })

    /// Runs a `users`, `customer-events` or `org time-zone` command; nil when `command` is none of them.
    func runCustomerData(_ command: String, _ rest: [String]) throws -> Int32? {
        switch (command, rest.first, rest.dropFirst().first) {
        case ("users", "import", _):
            let (options, file) = try optionsAndFile(Array(rest.dropFirst()), allowed: ["--org"])
            let records = try UserImport.records(try readText(file))
            let summary = try withOrganization(options) { organization, connection in
                try UserStore().importUsers(records, organizationID: organization, on: connection)
            }
            output("users: \(summary.created) created, \(summary.updated) updated")
            return 0
        case ("users", "create", _):
            return try createUser(Array(rest.dropFirst()))
        case ("users", "list", _):
            let options = try Options(Array(rest.dropFirst()), allowed: ["--org"])
            let users = try withOrganization(options) { organization, connection in
                try UserStore().list(organizationID: organization, offset: 0, limit: 100_000, on: connection).users
            }
            output("ID\tUSERNAME\tNAME\tLASTNAME\tSTATUS")
            for user in users {
                output([user.id.uuidString.lowercased(), user.username, user.profile.name ?? "-", user.profile.lastname ?? "-",
                        user.profile.status].joined(separator: "\t"))
            }
            return 0
        case ("customer-events", "key", "create"):
            let options = try Options(Array(rest.dropFirst(2)), allowed: ["--org", "--label", "--key"])
            let issued = try withOrganization(options) { organization, connection in
                try CustomerEventAuthStore().createKey(organizationID: organization, label: try options.required("--label"),
                                                       key: options.values["--key"], on: connection)
            }
            output("api key id \(issued.id.uuidString.lowercased()) (the key is shown once; store it now)")
            output(issued.key)
            return 0
        case ("customer-events", "key", "list"):
            let options = try Options(Array(rest.dropFirst(2)), allowed: ["--org"])
            let keys = try withOrganization(options) { organization, connection in
                try CustomerEventAuthStore().listKeys(organizationID: organization, on: connection)
            }
            output("ID\tLABEL\tCREATED\tREVOKED")
            for key in keys {
                output([key.id.uuidString.lowercased(), key.label, Self.format(key.createdAt), key.revokedAt.map(Self.format) ?? "-"]
                    .joined(separator: "\t"))
            }
            return 0
        case ("customer-events", "key", "revoke"):
            guard rest.count == 3, let id = UUID(uuidString: rest[2]) else {
                throw UsageError(message: "customer-events key revoke takes one API key id (a UUID)")
            }
            try withDatabase { try CustomerEventAuthStore().revokeKey(id: id, on: $0) }
            output("revoked \(id.uuidString.lowercased()) and its auth tokens")
            return 0
        case ("customer-events", "import", _):
            let (options, file) = try optionsAndFile(Array(rest.dropFirst()), allowed: ["--org"])
            let data = try ReferenceData.parse(Array(try readText(file).utf8))
            let summary = try withOrganization(options) { organization, connection in
                try ReferenceDataStore().importData(data, organizationID: organization, on: connection)
            }
            output("reference data: \(data.currencies.count) currencies, \(data.businessUnits.count) business units, "
                   + "\(data.classifications.count) classifications, \(data.products.count) products, \(data.contacts.count) contacts "
                   + "(\(summary.accounts) new accounts, \(summary.cims) identification media)")
            return 0
        case ("org", "time-zone", _):
            let options = try Options(Array(rest.dropFirst()).filter { $0 != "--clear" }, allowed: ["--slug", "--zone"])
            let clear = rest.contains("--clear")
            guard clear != (options.values["--zone"] != nil) else { throw UsageError(message: "give either --zone ZONE or --clear") }
            try withDatabase { connection in
                let organization = try TokenStore().organizationID(slug: try options.required("--slug"), on: connection)
                try OrganizationTimeZones().setZone(clear ? nil : options.values["--zone"], organizationID: organization, on: connection)
            }
            output(clear ? "time zone cleared (America/Bogota applies)" : "time zone set to \(options.values["--zone"]!)")
            return 0
        default:
            return nil
        }
    }

    private func createUser(_ arguments: [String]) throws -> Int32 {
        let fieldOptions = Self.userFieldOptions
        let options = try Options(arguments, allowed: Set(["--org", "--username", "--id"]).union(fieldOptions.keys))
        let username = try options.required("--username")
        if let problem = UserImport.usernameProblem(username) { throw UsageError(message: problem) }
        var id: UUID?
        if let text = options.values["--id"] {
            guard let parsed = UUID(uuidString: text) else { throw UsageError(message: "--id must be a UUID") }
            id = parsed
        }
        var changes: [UserField: UserFieldValue] = [:]
        for (option, field) in fieldOptions {
            guard let text = options.values[option] else { continue }
            switch field.value(fromText: text) {
            case .success(let value): changes[field] = value
            case .failure(let problem): throw UsageError(message: "\(option): \(problem.reason)")
            }
        }
        let user = try withOrganization(options) { organization, connection in
            try UserStore().create(UserImportRecord(id: id, username: username, changes: changes), organizationID: organization, on: connection)
        }
        output(user.id.uuidString.lowercased())
        return 0
    }

    /// `--name value` options and one file argument, last.
    private func optionsAndFile(_ arguments: [String], allowed: Set<String>) throws -> (Options, String) {
        guard arguments.count % 2 == 1, let file = arguments.last, !file.hasPrefix("--") else {
            throw UsageError(message: "a FILE argument is required, after the options")
        }
        return (try Options(Array(arguments.dropLast()), allowed: allowed), file)
    }

    private func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError(message: "cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw UsageError(message: "\(path) is not UTF-8 text") }
        return text
    }

    private func withOrganization<T>(_ options: Options, _ body: (UUID, PostgresConnection) throws -> T) throws -> T {
        let slug = try options.required("--org")
        return try withDatabase { connection in
            try body(try TokenStore().organizationID(slug: slug, on: connection), connection)
        }
    }
}
