import Users

/// Every command of `tradingd`, with its options and help: the one list that dispatch, `--help`
/// and the bash completion are made from.
enum CommandCatalog {
    struct Command: Sendable {
        /// `["token", "create"]`.
        let words: [String]
        /// Options it takes (each with a value); a completion offers them.
        let options: [String]
        let synopsis: String
        let help: String
        /// The words that may follow, for a command that parses the rest itself (`vend user ...`).
        var subwords: [String] = []

        var name: String { words.joined(separator: " ") }
    }

    static let commands: [Command] = [
        Command(words: ["serve"], options: [], synopsis: "serve",
                help: "Runs the daemon until SIGTERM or SIGINT; logs JSON lines to stdout."),
        Command(words: ["migrate"], options: [], synopsis: "migrate",
                help: "Applies new files of the migrations folder (TRADINGD_MIGRATIONS_DIRECTORY) in order."),
        Command(words: ["check-config"], options: [], synopsis: "check-config",
                help: "Validates the configuration and prints it with secrets masked.\n\n"
                    + allSettings.map { "  \($0.environment)\n      \($0.help)" }.joined(separator: "\n")),
        Command(words: ["status"], options: ["--url"], synopsis: "status [--url http://HOST:PORT]",
                help: "Asks a running daemon (default: the configured httpAddress) for its readiness, version, consumers and\n"
                    + "ingest lag. Exits 0 when it is ready, 1 when it is not ready or does not answer."),
        Command(words: ["version"], options: [], synopsis: "version", help: "Prints the version and the commit it was built from."),
        Command(words: ["completion", "bash"], options: [], synopsis: "completion bash",
                help: "Prints the bash completion script (installed by the Debian package as\n"
                    + "/usr/share/bash-completion/completions/tradingd)."),
        Command(words: ["org", "create"], options: ["--slug", "--name"], synopsis: "org create --slug SLUG --name NAME",
                help: "Prints the new organisation's id."),
        Command(words: ["token", "create"], options: ["--org", "--role", "--scopes", "--expires", "--user"],
                synopsis: "token create --org SLUG --role admin|operator|viewer [--scopes trading,purchase,vend,loyalty] [--expires DAYS]"
                    + " [--user USER]",
                help: "Prints the token alone on its last line; it is stored only as a SHA-256 hash.\n"
                    + "--user binds the token to one user of the organisation (by username or id): it then acts for that user\n"
                    + "alone on the purchase API; without it, a token acts for every user of its organisation."),
        Command(words: ["token", "list"], options: ["--org"], synopsis: "token list --org SLUG", help: "Lists the organisation's tokens."),
        Command(words: ["token", "revoke"], options: [], synopsis: "token revoke ID", help: "Revokes a token; it stops working within 5 s."),
        Command(words: ["retailer", "create"], options: ["--org", "--id", "--name", "--time-zone", "--interval", "--label", "--sales", "--max-mw"],
                synopsis: "retailer create --org SLUG --id ID --name NAME --time-zone IANA_ZONE [--interval MINUTES] [--label start|end]"
                    + " [--sales yes|no] [--max-mw MW]",
                help: "A retailer of the organisation that purchase schedules are submitted for (seed 000's retailer_id = --id).\n"
                    + "Rows are local times of --time-zone (e.g. Europe/Madrid); --interval is the market period in minutes (default 15,\n"
                    + "a divisor of 60); --label says whether a row's datetime is the start (default) or the end of its period; --sales yes\n"
                    + "accepts negative quantities; --max-mw caps each row (default 100000)."),
        Command(words: ["retailer", "list"], options: ["--org"], synopsis: "retailer list --org SLUG",
                help: "Lists the organisation's retailers and their market rules."),
        Command(words: ["secret", "seal"], options: [], synopsis: "secret seal < SECRET_FILE",
                help: "Prints the secret read on stdin (one line, trailing newline dropped) sealed with the current key of\n"
                    + "TRADINGD_SECRET_KEY (AES-256-GCM), for TRADINGD_ARGO_TOKEN_SEALED. The clear secret is never printed."),
        Command(words: ["org", "time-zone"], options: ["--slug", "--zone", "--clear"],
                synopsis: "org time-zone --slug SLUG (--zone IANA_ZONE | --clear)",
                help: "The zone sales-history dates without an offset are read in (default America/Bogota)."),
        Command(words: ["users", "import"], options: ["--org"], synopsis: "users import --org SLUG FILE",
                help: "FILE is CSV (a header row naming id, username and profile fields) or JSON lines (one object per line).\n"
                    + "Users are matched by username (any case): new ones are created, known ones get the fields the file gives.\n"
                    + "Every problem is listed with its line and nothing is written unless the whole file is valid."),
        Command(words: ["users", "create"], options: ["--org", "--username", "--id"] + CommandLineInterface.userFieldOptions.keys.sorted(),
                synopsis: "users create --org SLUG --username NAME [--id UUID] [--name ...] [--business-name ...] (any profile field)",
                help: "Creates one user and prints its id. Profile fields: "
                    + UserField.allCases.map(\.rawValue).joined(separator: ", ") + " (options as --business-name ...)."),
        Command(words: ["users", "list"], options: ["--org"], synopsis: "users list --org SLUG", help: "Lists the organisation's users."),
        Command(words: ["customer-events", "key", "create"], options: ["--org", "--label", "--key"],
                synopsis: "customer-events key create --org SLUG --label LABEL [--key KEY]",
                help: "Prints the new API key alone on its last line (stored only as a SHA-256); --key registers a key a client\n"
                    + "already holds (32-200 printable characters)."),
        Command(words: ["customer-events", "key", "list"], options: ["--org"], synopsis: "customer-events key list --org SLUG",
                help: "Lists the organisation's customer-event API keys."),
        Command(words: ["customer-events", "key", "revoke"], options: [], synopsis: "customer-events key revoke ID",
                help: "Revokes an API key and, at once, every auth token traded for it."),
        Command(words: ["customer-events", "import"], options: ["--org"], synopsis: "customer-events import --org SLUG FILE",
                help: "Imports purchase customer events' reference data: one JSON object with currencies, business_units,\n"
                    + "classifications, products and contacts (docs/CUSTOMER-DATA.md). One transaction; importing again changes nothing."),
        Command(words: ["vend"], options: [], synopsis: "vend user|customer|meter|import|provider|reconcile|unsettled ...",
                help: "The vend family's users, customers, meters, provider account and reconciliation.",
                subwords: ["user", "customer", "meter", "import", "provider", "reconcile", "unsettled"]),
    ]

    /// Commands that take a subcommand (`org`, `token`, `completion`).
    static var groups: [String] { unique(commands.filter { $0.words.count > 1 }.map { $0.words[0] }) }

    /// Two-word groups whose commands take a third word (`customer-events key`).
    static var subgroups: [String] { unique(commands.filter { $0.words.count > 2 }.map { $0.words.prefix(2).joined(separator: " ") }) }

    /// The command `arguments` start with, if any.
    static func command(for arguments: [String]) -> Command? {
        commands.first { Array(arguments.prefix($0.words.count)) == $0.words }
    }

    /// The longest run of leading words of `arguments` that begins some command without being
    /// one (`["token"]`, `["customer-events", "key"]`).
    static func group(for arguments: [String]) -> [String]? {
        var found: [String]?
        for length in 1...max(1, arguments.count) {
            let prefix = Array(arguments.prefix(length))
            guard prefix.count == length, !subcommands(of: prefix).isEmpty else { break }
            found = prefix
        }
        return found
    }

    static func subcommands(of group: [String]) -> [Command] {
        commands.filter { $0.words.count > group.count && Array($0.words.prefix(group.count)) == group }
    }

    /// The words that may follow `group` (`create`, `list`, `revoke` after `token`).
    static func nextWords(after group: [String]) -> [String] {
        unique(subcommands(of: group).map { $0.words[group.count] })
    }

    static let usage = """
        usage: tradingd <command> [options]

        commands:
        \(commands.map { "  " + $0.synopsis }.joined(separator: "\n"))

        Configuration: TRADINGD_CONFIG names a JSON file; TRADINGD_* variables override it.
        Each command takes --help.
        """

    static func help(for command: Command) -> String {
        command.subwords.isEmpty ? "usage: tradingd \(command.synopsis)\n\n\(command.help)" : CommandLineInterface.vendUsage
    }

    static func help(forGroup group: [String]) -> String {
        let members = subcommands(of: group)
        return "usage: " + members.map { "tradingd " + $0.synopsis }.joined(separator: "\n       ") + "\n\n"
            + members.map { "\($0.name): \($0.help)" }.joined(separator: "\n")
    }

    /// The bash completion: commands, then subcommands, then the options of the command typed so
    /// far (values of `--role` and `--scopes` too).
    static var bashCompletion: String {
        let tops = unique(commands.map { $0.words[0] })
        let second = groups.map { ($0, nextWords(after: [$0])) }
            + commands.filter { !$0.subwords.isEmpty }.map { ($0.words[0], $0.subwords) }
        let groupCases = second.map { group, words in
            "        \(group)) COMPREPLY=($(compgen -W \"\(words.joined(separator: " "))\" -- \"$cur\")); return ;;"
        }.joined(separator: "\n")
        let subgroupCases = subgroups.map { group in
            let words = nextWords(after: group.split(separator: " ").map(String.init))
            return "        \"\(group)\") COMPREPLY=($(compgen -W \"\(words.joined(separator: " "))\" -- \"$cur\")); return ;;"
        }.joined(separator: "\n")
        // Only when some command has three words: an empty `case` pattern is a syntax error.
        let thirdWord = subgroups.isEmpty ? "" : """
                if [ "$COMP_CWORD" -eq 3 ]; then
                    case "${COMP_WORDS[1]} ${COMP_WORDS[2]}" in
            \(subgroupCases)
                    esac
                fi
            """
        let thirdCommandWord = subgroups.isEmpty ? "" : """
                case "$command" in \(subgroups.map { "\"\($0)\"" }.joined(separator: "|"))) command="$command ${COMP_WORDS[3]}" ;; esac
            """
        let optionCases = commands.filter { !$0.options.isEmpty }.map { command in
            "        \"\(command.name)\") COMPREPLY=($(compgen -W \"\((command.options + ["--help"]).joined(separator: " "))\" -- \"$cur\")) ;;"
        }.joined(separator: "\n")
        return """
            # bash completion for tradingd (generated by `tradingd completion bash`)
            _tradingd() {
                local cur prev
                cur=${COMP_WORDS[COMP_CWORD]}
                prev=${COMP_WORDS[COMP_CWORD-1]}
                case "$prev" in
                    --role) COMPREPLY=($(compgen -W "admin operator viewer" -- "$cur")); return ;;
                    --scopes) COMPREPLY=($(compgen -W "trading purchase vend loyalty" -- "$cur")); return ;;
                esac
                if [ "$COMP_CWORD" -eq 1 ]; then
                    COMPREPLY=($(compgen -W "\(tops.joined(separator: " ")) --help" -- "$cur"))
                    return
                fi
                if [ "$COMP_CWORD" -eq 2 ]; then
                    case "${COMP_WORDS[1]}" in
            \(groupCases)
                    esac
                fi
            \(thirdWord)
                local command=${COMP_WORDS[1]}
                case "$command" in \(groups.joined(separator: "|"))) command="$command ${COMP_WORDS[2]}" ;; esac
            \(thirdCommandWord)
                case "$command" in
            \(optionCases)
                    *) COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
                esac
            }
            complete -F _tradingd tradingd

            """
    }

    private static func unique(_ words: [String]) -> [String] {
        var seen = Set<String>()
        return words.filter { seen.insert($0).inserted }
    }
}
