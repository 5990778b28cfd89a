import Testing
@testable import OutboundHTTP

/// Issue 16 item 15: a refusal a tenant admin sees names the rule, never the internal address
/// a host name resolved to (which would let a tenant map the private network through tradingd's
/// resolver); the address stays in `detail`, for operators' logs.
struct URLGuardDisclosureTests {
    static let internalAddresses = ["10.1.2.3", "127.0.0.1", "169.254.169.254", "172.20.0.9", "192.168.7.7", "100.64.3.3",
                                    "fd00::5", "fe80::1", "::1", "::ffff:10.0.0.1", "fd00:ec2::254"]

    @Test(arguments: internalAddresses)
    func aNameResolvingToAnInternalAddressIsRefusedWithoutNamingIt(address text: String) throws {
        let address = try #require(IPAddress(text))
        let guardian = OutboundURLGuard(resolver: { _ in [IPAddress(v4: 93, 184, 216, 34), address] })
        let attempts: [() throws -> Void] = [{ _ = try guardian.check(url: "https://esm.tenant.example/api") },
                                             { _ = try guardian.resolveAndCheck(host: "esm.tenant.example", port: 443) }]
        for attempt in attempts {
            let error = try #require(throws: OutboundURLError.self) { try attempt() }
            #expect(error.kind == .forbiddenAddress)
            #expect(!error.reason.contains(address.description), "\(error.reason)")
            #expect(!error.description.contains(address.description))
            // Nor the block it is in, which would narrow it down as well.
            let block = try #require(address.nonPublicReason)
            #expect(!error.reason.contains(block), "\(error.reason)")
            #expect(error.reason.contains("esm.tenant.example"))
            #expect(error.reason.contains("must be public"))
            #expect(error.detail?.contains(address.description) == true)
            #expect(error.detail?.contains(block) == true)
        }
    }

    /// A literal is the tenant's own text: saying which rule it breaks reveals nothing.
    @Test func aLiteralIsRefusedWithItsRule() throws {
        let error = try #require(throws: OutboundURLError.self) { try OutboundURLGuard().check(url: "http://10.1.2.3/") }
        #expect(error.reason == "host 10.1.2.3 is a private address (10.0.0.0/8); only public addresses are allowed")
    }
}
