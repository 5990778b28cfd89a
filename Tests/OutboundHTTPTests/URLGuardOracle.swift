// The oracle of the outbound URL guard, shared by the libFuzzer target (fuzz/run.sh compiles this
// file with Sources/OutboundHTTP/Guard alone) and URLGuardCorpusTests (which replays every
// committed corpus file on every swift test). Standard library only.
#if canImport(OutboundHTTP)
@testable import OutboundHTTP
#endif

enum URLGuardOracle {
    /// Names resolve without DNS: a name containing "internal" to a private address, "mixed" to a
    /// public and a loopback one, "nowhere" to nothing, any other to a public address.
    static let guardUnderTest = OutboundURLGuard(resolver: { host in
        if host.contains("nowhere") { return [] }
        if host.contains("internal") { return [IPAddress(v4: 10, 1, 2, 3)] }
        if host.contains("mixed") { return [IPAddress(v4: 93, 184, 216, 34), IPAddress(v4: 127, 0, 0, 1)] }
        return [IPAddress(v4: 93, 184, 216, 34)]
    })

    /// Checks one input (the URL's UTF-8 bytes, invalid sequences repaired). - Returns: what went wrong, or `nil`.
    static func check(_ input: [UInt8]) -> String? {
        let url = String(decoding: input, as: UTF8.self)
        let accepted: ValidatedURL
        do {
            accepted = try guardUnderTest.check(url: url)
        } catch {
            return nil
        }
        if accepted.scheme != "http" && accepted.scheme != "https" { return "accepted scheme \(accepted.scheme)" }
        if !(1...65535).contains(accepted.port) { return "accepted port \(accepted.port)" }
        if accepted.host.isEmpty { return "accepted an empty host" }
        if accepted.host.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7f || "@/\\?#%".unicodeScalars.contains($0) }) {
            return "accepted host \(accepted.host.debugDescription)"
        }
        if !accepted.pathAndQuery.hasPrefix("/") { return "path \(accepted.pathAndQuery.debugDescription) does not start with /" }
        if accepted.pathAndQuery.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7f || $0 == "#" }) {
            return "path \(accepted.pathAndQuery.debugDescription) has a byte a request line cannot carry"
        }
        if accepted.addresses.isEmpty { return "accepted with no address" }
        if !accepted.isAllowListed, let address = accepted.addresses.first(where: { !$0.isPublic }) {
            return "accepted non-public \(address)"
        }
        // What the guard hands on must itself pass the guard unchanged.
        guard let again = try? guardUnderTest.check(url: accepted.normalized) else {
            return "its own normalized form \(accepted.normalized.debugDescription) is refused"
        }
        if again != accepted { return "normalizing \(accepted.normalized.debugDescription) again changed it to \(again.normalized.debugDescription)" }
        return nil
    }
}
