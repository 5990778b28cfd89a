import Testing
@testable import OutboundHTTP

/// Address parsing and the public/non-public classification behind the guard.
struct URLGuardAddressTests {
    @Test(arguments: [
        ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"), ("017700000001", "127.0.0.1"), ("127.0.1", "127.0.0.1"), ("0", "0.0.0.0"),
        ("169.254.43518", "169.254.169.254"), ("0xA9.0376.43518", "169.254.169.254"), ("1572395042", "93.184.216.34"),
    ])
    func legacyIPv4NotationsDecodeLikeInetAton(text: String, expected: String) throws {
        #expect(try #require(IPAddress(legacyIPv4: text)).description == expected)
    }

    @Test(arguments: ["256.0.0.1", "1.2.3.4.5", "4294967296", "0x100000000", "1.16777216", "08.0.0.1", "1..2", "", "0xg"])
    func invalidLegacyIPv4IsRejected(text: String) {
        #expect(IPAddress(legacyIPv4: text) == nil)
    }

    @Test(arguments: ["127.0.0.1", "8.8.8.8", "::1", "2001:db8::1", "::ffff:127.0.0.1"])
    func strictLiteralsRoundTrip(text: String) throws {
        #expect(try #require(IPAddress(text)).description == text)
    }

    @Test(arguments: ["127.1", "0177.0.0.1", "01.2.3.4", "1.2.3.4.", "1.2.3", "fe80::1%eth0", "[::1]", "::g", "1:2:3:4:5:6:7:8:9"])
    func nonCanonicalOrInvalidLiteralsAreNotStrictLiterals(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func ipv6TextIsCanonicalised() {
        #expect(IPAddress("0:0:0:0:0:ffff:7f00:1")?.description == "::ffff:127.0.0.1")
        #expect(IPAddress("2001:DB8:0:0:0:0:0:1")?.description == "2001:db8::1")
    }

    @Test(arguments: [
        "0.0.0.0", "0.255.255.255", "10.0.0.0", "10.255.255.255", "100.64.0.0", "100.127.255.255", "127.0.0.1",
        "169.254.0.1", "169.254.169.254", "172.16.0.0", "172.31.255.255", "192.0.0.8", "192.0.2.255", "192.88.99.1",
        "192.168.0.1", "198.18.0.0", "198.19.255.255", "198.51.100.1", "203.0.113.255", "224.0.0.1",
        "239.255.255.255", "240.0.0.1", "255.255.255.255",
        "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "::8.8.8.8",
        "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::808:808", "100::1", "2001::1", "2001:db8::1",
        "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::", "3fff::1", "5f00::1", "fc00::1", "fd00:ec2::254",
        "fdff:ffff::1", "fe80::1", "febf::1", "fec0::1", "ff02::1", "::ffff:0:808:808", "1::1", "4000::1", "e000::1",
    ])
    func nonPublicAddressesAreRefused(text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(!OutboundURLGuard().isPublic(address: address))
        #expect(address.nonPublicReason?.isEmpty == false)
    }

    @Test(arguments: [
        "1.1.1.1", "8.8.8.8", "93.184.216.34", "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.1",
        "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.1", "192.167.255.255",
        "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255",
        "2606:2800:220:1:248:1893:25c8:1946", "2a00:1450:4001:82b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808",
        "2002:808:808::1", "2c0f:fb50::1", "2620:fe::fe",
    ])
    func publicAddressesAreAccepted(text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(OutboundURLGuard().isPublic(address: address), "\(address.nonPublicReason ?? "")")
    }

    @Test func embeddedIPv4IsFoundInEveryWrapping() {
        for text in ["::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::127.0.0.1", "2002:7f00:1::5"] {
            #expect(IPAddress(text)?.embeddedIPv4 == IPAddress(v4: 127, 0, 0, 1), "\(text)")
        }
        #expect(IPAddress("2606:4700::1111")?.embeddedIPv4 == nil)
        #expect(IPAddress("8.8.8.8")?.embeddedIPv4 == nil)
    }
}
