/// Why a connection could not be made or broke.
enum TransportFailure: Error {
    case refused(String)
    case timedOut(String)
    case closed(String)
    /// The TLS handshake or a TLS record failed (an untrusted certificate included).
    case tls(TLSFailure)
}

/// A TLS failure as the transport reports it (the `TLS` module's error, kept out of this
/// target's public API).
struct TLSFailure: Error {
    enum Kind { case certificate, handshake, protocolError }
    let kind: Kind
    let message: String
}

/// One connection the client sends requests over and reads answers from, plain TCP or TLS over
/// TCP. Single owner; every wait is bounded by the deadline it is given.
protocol OutboundStream: AnyObject {
    /// The address connected to (one the URL guard checked).
    var address: IPAddress { get }
    func writeAll(_ bytes: [UInt8], until deadline: Deadline) throws(TransportFailure)
    /// Appends what is available (at least one byte) to `buffer`; false at end of stream.
    func read(into buffer: inout [UInt8], until deadline: Deadline) throws(TransportFailure) -> Bool
    /// Whether the end of stream last seen is known to be the peer's own: always for TCP, and for
    /// TLS only after close_notify (otherwise anyone on the path could have cut the stream short).
    var endWasAuthenticated: Bool { get }
    /// Whether an idle connection still looks usable: nothing readable, nothing buffered.
    var isIdleAndOpen: Bool { get }
    func close()
}
