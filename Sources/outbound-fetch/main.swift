import Foundation
import OutboundHTTP

// outbound-fetch: one request made exactly as tradingd makes its partner calls (the URL guard,
// the checked address, TLS against the system store or a CA file, no proxy, no redirects, identity
// only, the body cap, one deadline). For operators checking a partner URL from the host, and for
// tests that need a separate process (an environment full of proxy variables, say).

let usage = """
    usage: outbound-fetch URL [--method M] [--header 'Name: value']... [--data TEXT]
                              [--ca-file PEM] [--allow host:port[,host:port]] [--resolve host=address]
                              [--max-bytes N] [--timeout-ms N]
    Prints the status line and headers to stderr and the body to stdout. Exit 0 for any HTTP
    answer (3xx included: redirects are not followed), 1 with one line when the request was
    refused or failed, 2 on bad usage. --allow is the development allow list
    (TRADINGD_OUTBOUND_PRIVATE_ALLOW); --resolve answers one name without DNS (the guard still
    checks the address). No environment variable is read.
    """

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("outbound-fetch: \(message)\n".utf8))
    if code == 2 { FileHandle.standardError.write(Data("\(usage)\n".utf8)) }
    exit(code)
}

var url: String?, method = "GET", headers: [(name: String, value: String)] = [], body: [UInt8] = []
var caFile: String?, allow = "", resolve: [String: IPAddress] = [:], maxBytes = 4 << 20, timeout = 15_000
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument == "--help" || argument == "-h" {
        print(usage)
        exit(0)
    }
    guard argument.hasPrefix("--") else {
        guard url == nil else { fail("only one URL, got '\(argument)' too", code: 2) }
        url = argument
        continue
    }
    guard let value = arguments.popFirst() else { fail("\(argument) needs a value", code: 2) }
    switch argument {
    case "--method": method = value
    case "--header":
        guard let colon = value.firstIndex(of: ":") else { fail("--header needs 'Name: value'", code: 2) }
        headers.append((String(value[..<colon]), value[value.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    case "--data": body = Array(value.utf8)
    case "--ca-file": caFile = value
    case "--allow": allow = value
    case "--resolve":
        let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let address = IPAddress(parts[1]) else { fail("--resolve needs host=address", code: 2) }
        resolve[parts[0].lowercased()] = address
    case "--max-bytes":
        guard let number = Int(value), number >= 0 else { fail("--max-bytes needs a number", code: 2) }
        maxBytes = number
    case "--timeout-ms":
        guard let number = Int(value), number > 0 else { fail("--timeout-ms needs a number", code: 2) }
        timeout = number
    default: fail("unknown option \(argument)", code: 2)
    }
}
guard let url else { fail("a URL is needed", code: 2) }

let fixed = resolve
let urlGuard: OutboundURLGuard
do {
    urlGuard = try OutboundURLGuard(privateAllowList: allow) { host in
        if let address = fixed[host] { return [address] }
        return try SystemResolver.resolve(host)
    }
} catch {
    fail("--allow: \(error)", code: 2)
}
let client: OutboundHTTPClient
let validated: ValidatedURL
do {
    client = OutboundHTTPClient(urlGuard: urlGuard, trust: try OutboundTrust.load(caFile: caFile), maxResponseBytes: maxBytes)
    validated = try urlGuard.check(url: url)
} catch let error as OutboundURLError {
    fail("refused: \(error.reason)\(error.detail.map { " (\($0))" } ?? "")", code: 1)
} catch {
    fail("\(error)", code: 1)
}
do throws(HTTPClientError) {
    let response = try client.send(HTTPClientRequest(method: method, url: validated, path: validated.pathAndQuery,
                                                     headers: headers, body: body),
                                   timeouts: .init(connect: .milliseconds(min(timeout, 5_000)), request: .milliseconds(timeout)))
    var head = "HTTP \(response.status)\n"
    for (name, value) in response.headers { head += "\(name): \(value)\n" }
    FileHandle.standardError.write(Data(head.utf8))
    FileHandle.standardOutput.write(Data(response.body))
} catch {
    fail("\(error.kind): \(error.message)\(error.detail.map { " (\($0))" } ?? "")", code: 1)
}
