import Foundation
import Testing
@testable import Tradingd

/// The CLI's usage rules without a database: unknown commands, --help, version, completion.
@Suite struct CommandLineTests {
    final class Capture: @unchecked Sendable {
        var out: [String] = []
        var err: [String] = []
    }

    func run(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
        let capture = Capture()
        let cli = CommandLineInterface(environment: [:], output: { capture.out.append($0) }, errorOutput: { capture.err.append($0) })
        let status = cli.run(arguments)
        return (status, capture.out.joined(separator: "\n"), capture.err.joined(separator: "\n"))
    }

    @Test(arguments: [["no-such-command"], ["no-such-command", "--help"], ["no-such-command", "-h", "--url", "x"],
                      ["token", "frobnicate", "--help"], ["org", "delete", "--help"], ["completion", "zsh"],
                      ["vend", "frobnicate", "--help"], ["retailer", "frobnicate", "--help"], ["secret", "open"],
                      ["users", "frobnicate"], ["customer-events", "key", "frobnicate", "--help"], ["org", "time-zones"]])
    func unknownCommandsAreBadUsageWhateverFollows(arguments: [String]) {
        let result = run(arguments)
        #expect(result.status == 2)
        #expect(result.err.contains("unknown"))
        #expect(result.out.isEmpty)
    }

    @Test func helpOfAKnownCommandIsItsOwn() {
        let status = run(["status", "--help"])
        #expect(status.status == 0)
        #expect(status.out.hasPrefix("usage: tradingd status"))
        let create = run(["token", "create", "--help"])
        #expect(create.status == 0 && create.out.hasPrefix("usage: tradingd token create"))
        let group = run(["token", "--help"])
        #expect(group.status == 0 && group.out.contains("tradingd token list") && group.out.contains("tradingd token revoke"))
        #expect(run(["token"]).status == 2)
        let retailer = run(["retailer", "create", "--help"])
        #expect(retailer.status == 0 && retailer.out.hasPrefix("usage: tradingd retailer create") && retailer.out.contains("--time-zone"))
        let vend = run(["vend", "user", "--help"])
        #expect(vend.status == 0 && vend.out.contains("tradingd vend user create"))
        let keys = run(["customer-events", "key", "--help"])
        #expect(keys.status == 0 && keys.out.contains("tradingd customer-events key create") && keys.out.contains("tradingd customer-events key revoke"))
        #expect(!keys.out.contains("customer-events import"))
        let needsKeyWord = run(["customer-events", "key"])
        #expect(needsKeyWord.status == 2 && needsKeyWord.err.contains("'customer-events key' needs a subcommand: create, list, revoke"))
        let needsWord = run(["customer-events"])
        #expect(needsWord.status == 2 && needsWord.err.contains("'customer-events' needs a subcommand: key, import"))
        let usersCreate = run(["users", "create", "--help"])
        #expect(usersCreate.status == 0 && usersCreate.out.hasPrefix("usage: tradingd users create") && usersCreate.out.contains("business_name"))
        let general = run(["--help"])
        #expect(general.status == 0)
        for command in CommandCatalog.commands { #expect(general.out.contains(command.synopsis)) }
    }

    @Test func versionNamesTheBuild() {
        let result = run(["version"])
        #expect(result.status == 0)
        #expect(result.out == "tradingd \(BuildInfo.version) (commit \(BuildInfo.commit))")
        #expect(run(["version", "extra"]).status == 2)
    }

    @Test func statusRefusesABadURL() {
        let result = run(["status", "--url", "ftp://example"])
        #expect(result.status == 2)
        #expect(result.err.contains("--url must be http://HOST:PORT"))
    }

    @Test func statusAsksWildcardListenersOnLoopback() {
        #expect(StatusCommand.url(listening: ("0.0.0.0", 8080)) == "http://127.0.0.1:8080")
        #expect(StatusCommand.url(listening: ("::", 9000)) == "http://[::1]:9000")
        #expect(StatusCommand.url(listening: ("10.1.2.3", 80)) == "http://10.1.2.3:80")
    }

    /// The completion script is valid bash and completes what the catalogue lists.
    @Test func bashCompletionCompletesTheCatalogue() throws {
        let result = run(["completion", "bash"])
        #expect(result.status == 0)
        func complete(_ words: [String]) throws -> [String] {
            let script = result.out + "\nCOMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " "))); COMP_CWORD=\(words.count - 1)\n"
                + "_tradingd; printf '%s\\n' \"${COMPREPLY[@]}\"\n"
            let bash = Process()
            bash.executableURL = URL(fileURLWithPath: "/bin/bash")
            bash.arguments = ["-c", script]
            let pipe = Pipe()
            bash.standardOutput = pipe
            try bash.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            bash.waitUntilExit()
            #expect(bash.terminationStatus == 0)
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        #expect(try complete(["tradingd", "st"]) == ["status"])
        #expect(Set(try complete(["tradingd", "token", ""])) == ["create", "list", "revoke"])
        #expect(Set(try complete(["tradingd", "token", "create", "--"])) == ["--org", "--role", "--scopes", "--expires", "--user", "--help"])
        #expect(Set(try complete(["tradingd", "retailer", ""])) == ["create", "list"])
        #expect(Set(try complete(["tradingd", "token", "create", "--role", ""])) == ["admin", "operator", "viewer"])
        #expect(try complete(["tradingd", "status", "--u"]) == ["--url"])
        #expect(Set(try complete(["tradingd", "customer-events", ""])) == ["key", "import"])
        #expect(Set(try complete(["tradingd", "customer-events", "key", ""])) == ["create", "list", "revoke"])
        #expect(Set(try complete(["tradingd", "customer-events", "key", "create", "--"])) == ["--org", "--label", "--key", "--help"])
        #expect(Set(try complete(["tradingd", "org", "time-zone", "--"])) == ["--slug", "--zone", "--clear", "--help"])
        #expect(try complete(["tradingd", "users", "create", "--business"]) == ["--business-entity", "--business-name"])
    }
}
