import Foundation
import TLS

/// Certificates made at test time with the `openssl` CLI in a temporary folder (never committed):
/// a test CA, server certificates it signed, and a self-signed one nobody trusts. EC P-256 keys,
/// valid for one day. Made once per test process.
public struct TestCertificates: Sendable {
    /// The name every trusted test certificate is issued for (tests map it to 127.0.0.1 through
    /// the URL guard's resolver; it is in no DNS).
    public static let serverName = "esm.tls-test.example"

    public let folder: String
    /// PEM of the test CA: the trust file for clients.
    public let caFile: String
    /// Signed by the CA for `serverName` and IP 127.0.0.1.
    public let server: Pair
    /// Signed by the CA for `other.tls-test.example` only.
    public let otherName: Pair
    /// Self-signed for `serverName` and 127.0.0.1: right name, untrusted issuer.
    public let selfSigned: Pair

    public struct Pair: Sendable {
        public let certificate: String
        public let key: String

        public func serverContext() throws -> TLSContext {
            try TLSContext.server(certificateChainFile: certificate, privateKeyFile: key)
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The process-wide set.
    public static func shared() throws -> TestCertificates { try made.get() }

    private static let made = Result { try TestCertificates() }

    private init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tradingd-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        caFile = "\(folder)/ca.pem"
        let caKey = "\(folder)/ca.key"
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", caKey, "-out", caFile, "-days", "1", "-subj", "/CN=tradingd test CA",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"])
        server = try Self.signed(in: folder, name: "server", subject: Self.serverName,
                                 altNames: "DNS:\(Self.serverName),IP:127.0.0.1", caFile: caFile, caKey: caKey)
        otherName = try Self.signed(in: folder, name: "other", subject: "other.tls-test.example",
                                    altNames: "DNS:other.tls-test.example", caFile: caFile, caKey: caKey)
        let selfCert = "\(folder)/self.pem", selfKey = "\(folder)/self.key"
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", selfKey, "-out", selfCert, "-days", "1", "-subj", "/CN=\(Self.serverName)",
                          "-addext", "subjectAltName=DNS:\(Self.serverName),IP:127.0.0.1"])
        selfSigned = Pair(certificate: selfCert, key: selfKey)
    }

    private static func signed(in folder: String, name: String, subject: String, altNames: String,
                               caFile: String, caKey: String) throws -> Pair {
        let key = "\(folder)/\(name).key", request = "\(folder)/\(name).csr", certificate = "\(folder)/\(name).pem"
        let extensions = "\(folder)/\(name).ext"
        try "subjectAltName=\(altNames)\nextendedKeyUsage=serverAuth\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                     "-out", request, "-subj", "/CN=\(subject)"])
        try openssl(["x509", "-req", "-in", request, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial",
                     "-out", certificate, "-days", "1", "-extfile", extensions])
        return Pair(certificate: certificate, key: key)
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.first ?? "") failed: \(String(decoding: text, as: UTF8.self))")
        }
    }
}
