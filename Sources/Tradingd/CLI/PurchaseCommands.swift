import Accounts
import Crypto
import Foundation
import Postgres
import PurchaseCore
import Purchases
import Users

/// The purchase family's commands: retailers and their market rules, and sealing the Argo
/// service-account token for the configuration (their help is in `CommandCatalog`).
extension CommandLineInterface {
    /// Runs a purchase command; nil when `command` is not one.
    func runPurchases(_ command: String, _ rest: [String]) throws -> Int32? {
        switch (command, rest.first) {
        case ("retailer", "create"):
            return try createRetailer(try Options(Array(rest.dropFirst()), allowed: [
                "--org", "--id", "--name", "--time-zone", "--interval", "--label", "--sales", "--max-mw",
            ]))
        case ("retailer", "list"):
            let options = try Options(Array(rest.dropFirst()), allowed: ["--org"])
            let retailers = try withDatabase { connection in
                try RetailerStore().list(organizationID: try TokenStore().organizationID(slug: try options.required("--org"),
                                                                                         on: connection), on: connection)
            }
            output("ID\tNAME\tTIME ZONE\tINTERVAL\tLABEL\tSALES\tMAX MW")
            for retailer in retailers {
                let rules = retailer.rules
                output([retailer.externalID, retailer.name, rules.timeZone.identifier, String(rules.intervalMinutes),
                        rules.labelMarks.rawValue, rules.allowsSales ? "yes" : "no", rules.maximumQuantity.text].joined(separator: "\t"))
            }
            return 0
        case ("secret", "seal"):
            try expectNoArguments(Array(rest.dropFirst()))
            let configuration = try Configuration.load(environment: environment, required: ["secretKey"])
            let keyring = try Keyring(environmentValue: configuration.secretKey)
            var secret = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            while secret.hasSuffix("\n") || secret.hasSuffix("\r") { secret.removeLast() }
            guard !secret.isEmpty else { throw UsageError(message: "secret seal reads the secret on stdin; it was empty") }
            output(try keyring.seal(secret, context: PurchaseConfiguration.tokenContext))
            return 0
        case ("retailer", _), ("secret", _):
            throw UsageError(message: "unknown '\(command)' subcommand '\(rest.first ?? "")'")
        default:
            return nil
        }
    }

    private func createRetailer(_ options: Options) throws -> Int32 {
        var retailer = NewRetailer(externalID: try options.required("--id"), name: try options.required("--name"),
                                   timeZone: try options.required("--time-zone"))
        if let text = options.values["--interval"] {
            guard let minutes = Int(text) else { throw UsageError(message: "--interval takes whole minutes, got '\(text)'") }
            retailer.intervalMinutes = minutes
        }
        if let text = options.values["--label"] {
            guard let marks = RetailerRules.LabelMarks(rawValue: text) else { throw UsageError(message: "--label is start or end") }
            retailer.labelMarks = marks
        }
        if let text = options.values["--sales"] {
            guard text == "yes" || text == "no" else { throw UsageError(message: "--sales is yes or no") }
            retailer.allowsSales = text == "yes"
        }
        if let text = options.values["--max-mw"] {
            guard let quantity = try? PurchaseQuantity(jsonNumber: text), quantity.kilowatts > 0 else {
                throw UsageError(message: "--max-mw takes a positive number of MW with at most 3 decimals, got '\(text)'")
            }
            retailer.maximumQuantity = quantity
        }
        let created = try withDatabase { connection in
            let organization = try TokenStore().organizationID(slug: try options.required("--org"), on: connection)
            return try RetailerStore().create(retailer, organizationID: organization, on: connection)
        }
        output(created.externalID)
        return 0
    }

    /// `token create --user NAME`: the user (by username or id) of the organisation the token is bound to.
    func boundUser(_ options: Options, organizationSlug: String, on connection: PostgresConnection) throws -> UUID? {
        guard let reference = options.values["--user"] else { return nil }
        let organization = try TokenStore().organizationID(slug: organizationSlug, on: connection)
        guard let user = try UserStore().user(reference: reference, organizationID: organization, on: connection) else {
            throw TokenStore.Failure.invalid("organisation '\(organizationSlug)' has no user '\(reference)'")
        }
        return user.id
    }
}
