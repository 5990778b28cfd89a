import Crypto
import Foundation
import Postgres
import Vend
import VendCore

/// `tradingd vend ...`: the vend family's users, customers, meters, provider account and
/// reconciliation. Passwords and provider credentials never come from arguments (the process
/// list shows those): from stdin with `--password-stdin`, or from environment variables.
extension CommandLineInterface {
    static let vendUsage = """
        usage: tradingd vend user create --org SLUG --email EMAIL --name NAME [--password-stdin]
               tradingd vend user password --email EMAIL [--password-stdin]
               tradingd vend user disable|enable --email EMAIL
               tradingd vend user list --org SLUG
               tradingd vend customer create --org SLUG --account ACCOUNT --name NAME [--address A] [--contact C] [--location L]
               tradingd vend meter add --org SLUG --account ACCOUNT --meter NUMBER [--tariff T] [--sgc S] [--ti T] [--krn K] [--tt T] [--alg A]
               tradingd vend import --org SLUG --file CSV   (\"-\" reads stdin; columns: account_no,name[,meter_number,address,
                                                            contact_number,location_ref,tariff_name,sgc,ti,krn,tt,alg])
               tradingd vend provider set --org SLUG --url URL --outlet ID --operator ID --terminal ID
               tradingd vend provider show|remove --org SLUG
               tradingd vend reconcile [--trans-id ID]
               tradingd vend unsettled

        A password is read from TRADINGD_VEND_PASSWORD, or from the first line of stdin with --password-stdin.
        provider set reads the PrepaidPlus API key and password from TRADINGD_VEND_API_KEY and
        TRADINGD_VEND_API_PASSWORD and stores them sealed under TRADINGD_SECRET_KEY.
        reconcile asks the provider about every purchase whose outcome is unknown (never buying again)
        and prints what became of each.
        """

    func vend(_ arguments: [String]) throws -> Int32 {
        let rest = Array(arguments.dropFirst(2))
        switch (arguments.first, arguments.dropFirst().first) {
        case ("user", "create"?):
            let options = try Options(rest, allowed: ["--org", "--email", "--name"], flags: ["--password-stdin"])
            let user = try withVend { connection, settings in
                try VendUserStore().create(organizationSlug: try options.required("--org"), email: try options.required("--email"),
                                           name: try options.required("--name"), password: try password(options),
                                           iterations: settings.passwordIterations, on: connection)
            }
            output(user.id.uuidString.lowercased())
        case ("user", "password"?):
            let options = try Options(rest, allowed: ["--email"], flags: ["--password-stdin"])
            try withVend { connection, settings in
                try VendUserStore().setPassword(email: try options.required("--email"), password: try password(options),
                                                iterations: settings.passwordIterations, on: connection)
                try VendAPITokenStore().revokeAll(email: try options.required("--email"), on: connection)
            }
            output("password changed; the user's api_tokens are revoked")
        case ("user", let action?) where action == "disable" || action == "enable":
            let options = try Options(rest, allowed: ["--email"])
            try withVend { connection, _ in
                try VendUserStore().setDisabled(action == "disable", email: try options.required("--email"), on: connection)
            }
            output("\(action)d \(try options.required("--email"))")
        case ("user", "list"?):
            let options = try Options(rest, allowed: ["--org"])
            let users = try withVend { connection, _ in try VendUserStore().list(organizationSlug: try options.required("--org"), on: connection) }
            output("EMAIL\tNAME\tSTATE")
            for (user, disabled) in users { output("\(user.email)\t\(user.name)\t\(disabled ? "disabled" : "enabled")") }
        case ("customer", "create"?):
            let options = try Options(rest, allowed: ["--org", "--account", "--name", "--address", "--contact", "--location"])
            try withVend { connection, _ in
                let store = VendCustomerStore()
                let organization = try store.organizationID(slug: try options.required("--org"), on: connection)
                try store.upsert(VendCustomerRecord(accountNo: try options.required("--account"), name: try options.required("--name"),
                                                    address: options.values["--address"], contactNumber: options.values["--contact"],
                                                    locationRef: options.values["--location"]), organizationID: organization, on: connection)
            }
            output("customer \(try options.required("--account")) stored")
        case ("meter", "add"?):
            let options = try Options(rest, allowed: ["--org", "--account", "--meter", "--tariff", "--sgc", "--ti", "--krn", "--tt", "--alg"])
            try withVend { connection, settings in
                let number = try options.required("--meter")
                guard case .success(let meter) = STSMeterNumber.parse(number, luhnExempt: settings.requestRules.luhnExemptMeters) else {
                    throw UsageError(message: "--meter '\(number)' is not an STS meter number (11 or 13 digits, Luhn check digit)")
                }
                let store = VendCustomerStore()
                let organization = try store.organizationID(slug: try options.required("--org"), on: connection)
                let value = { (name: String) in options.values[name] ?? "" }
                try store.upsert(VendMeterRecord(meterNumber: meter, tariffName: value("--tariff"), sgc: value("--sgc"), ti: value("--ti"),
                                                 krn: value("--krn"), tt: value("--tt"), alg: value("--alg")),
                                 accountNo: try options.required("--account"), organizationID: organization, on: connection)
            }
            output("meter \(try options.required("--meter")) stored")
        case ("import", _):
            return try vendImport(try Options(Array(arguments.dropFirst()), allowed: ["--org", "--file"]))
        case ("provider", let action?) where ["set", "show", "remove"].contains(action):
            return try vendProvider(action, try Options(rest, allowed: action == "set"
                ? ["--org", "--url", "--outlet", "--operator", "--terminal"] : ["--org"]))
        case ("reconcile", _):
            return try vendReconcile(try Options(Array(arguments.dropFirst()), allowed: ["--trans-id"]))
        case ("unsettled", _):
            try expectNoArguments(Array(arguments.dropFirst()))
            let (reconciler, pool) = try makeReconciler()
            defer { pool.close() }
            output("TRANS_ID\tSTATUS\tCREATED\tATTEMPTS\tNOTE")
            for transaction in try reconciler.unsettled(limit: 1_000) {
                output([transaction.transID, transaction.status.rawValue, Self.format(transaction.createdAt),
                        String(transaction.reconcileAttempts), transaction.lastReconcileNote ?? "-"].joined(separator: "\t"))
            }
        default:
            throw UsageError(message: "unknown 'vend' subcommand '\(arguments.prefix(2).joined(separator: " "))'")
        }
        return 0
    }

    private func vendImport(_ options: Options) throws -> Int32 {
        let file = try options.required("--file")
        let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
        guard let data, let text = String(data: data, encoding: .utf8) else { throw UsageError(message: "cannot read '\(file)' as UTF-8 text") }
        let counts = try withVend { connection, settings in
            switch VendCatalogCSV.parse(text, luhnExempt: settings.requestRules.luhnExemptMeters) {
            case .failure(let problems):
                for problem in problems.problems { errorOutput("tradingd: \(file): \(problem)") }
                throw VendStoreError.invalid("\(problems.problems.count) problem(s) in \(file); nothing was imported")
            case .success(let rows):
                return try VendCustomerStore().importCatalog(rows, organizationSlug: try options.required("--org"), on: connection)
            }
        }
        output("imported \(counts.customers) customer(s) and \(counts.meters) meter(s)")
        return 0
    }

    private func vendProvider(_ action: String, _ options: Options) throws -> Int32 {
        let configuration = try Configuration.loadForServe(environment: environment)
        let connection = try PostgresConnection(url: configuration.databaseURL)
        let keyring = try Keyring(environmentValue: configuration.secretKey)
        let store = VendProviderAccountStore(keyring: keyring, urlGuard: try .init(privateAllowList: configuration.outboundPrivateAllow))
        let organization = try VendCustomerStore().organizationID(slug: try options.required("--org"), on: connection)
        switch action {
        case "set":
            guard let key = environment["TRADINGD_VEND_API_KEY"], !key.isEmpty,
                  let password = environment["TRADINGD_VEND_API_PASSWORD"], !password.isEmpty else {
                throw UsageError(message: "set TRADINGD_VEND_API_KEY and TRADINGD_VEND_API_PASSWORD to the PrepaidPlus credentials")
            }
            try store.set(.init(baseURL: try options.required("--url"), apiKey: key, password: password,
                                outletID: try options.required("--outlet"), operatorID: try options.required("--operator"),
                                terminalID: try options.required("--terminal")), organizationID: organization, on: connection)
            output("provider account stored; its API key and password are sealed")
        case "show":
            guard let summary = try store.summary(organizationID: organization, on: connection) else {
                output("no provider account: the built-in simulator sells")
                return 0
            }
            output("url \(summary.baseURL)\noutlet \(summary.outletID)\noperator \(summary.operatorID)\nterminal \(summary.terminalID)\n"
                   + "updated \(Self.format(summary.updatedAt))\ncredentials sealed")
        default:
            output(try store.remove(organizationID: organization, on: connection)
                   ? "provider account removed: the built-in simulator sells" : "no provider account to remove")
        }
        return 0
    }

    private func vendReconcile(_ options: Options) throws -> Int32 {
        let (reconciler, pool) = try makeReconciler()
        defer { pool.close() }
        let settled: [VendReconciler.Settlement]
        if let transID = options.values["--trans-id"] {
            guard let one = try reconciler.reconcile(transID: transID) else {
                output("\(transID): nothing to settle (unknown transID, settled already, or still within its caller's provider call)")
                return 0
            }
            settled = [one]
        } else {
            settled = try reconciler.reconcileDue(limit: 10_000)
        }
        for settlement in settled { output("\(settlement.transID)\t\(settlement.status.rawValue)\t\(settlement.note)") }
        output("settled \(settled.filter { $0.status.isSettled }.count) of \(settled.count); \(try reconciler.unsettledCount()) unsettled")
        return 0
    }

    private func makeReconciler() throws -> (VendReconciler, PostgresPool) {
        let configuration = try Configuration.loadForServe(environment: environment)
        let pool = PostgresPool(url: configuration.databaseURL, size: 2)
        let wiring = try VendWiring(configuration: configuration, pool: pool, keyring: try Keyring(environmentValue: configuration.secretKey),
                                    http: try Application.makeOutboundClient(configuration, logger: .silent), metrics: nil, logger: .silent,
                                    inDaemon: false)
        return (wiring.reconciler, pool)
    }

    /// The vend settings of this configuration and a database connection.
    private func withVend<T>(_ body: (PostgresConnection, VendSettings) throws -> T) throws -> T {
        let configuration = try Configuration.load(environment: environment, required: ["databaseURL"])
        return try body(try PostgresConnection(url: configuration.databaseURL), configuration.vend.settings)
    }

    private func password(_ options: Options) throws -> String {
        if options.flags.contains("--password-stdin") {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw UsageError(message: "no password on stdin") }
            return line
        }
        guard let password = environment["TRADINGD_VEND_PASSWORD"], !password.isEmpty else {
            throw UsageError(message: "give the password in TRADINGD_VEND_PASSWORD or on stdin with --password-stdin")
        }
        return password
    }
}
