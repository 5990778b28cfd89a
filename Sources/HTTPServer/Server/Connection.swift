/// One client connection's state. Owned by a single event loop and touched only on its thread.
final class Connection {
    /// The request being handled: what the response, the access record and a timeout need.
    struct InFlight {
        var sequence: UInt64
        var requestID: String
        var method: String
        var path: String
        var minorVersion: Int
        var keepAlive: Bool
        var startedAt: UInt64
        var deadline: UInt64
        var renderer: any HTTPErrorRenderer
        var requestBodyBytes: Int
        /// The matched route, for the access record of a timeout.
        var routePattern: String?
    }

    enum Phase {
        /// Reading (and parsing) requests.
        case reading
        /// A handler is running; bytes that arrive are buffered, not parsed, so responses stay in
        /// request order.
        case handling(InFlight)
        /// The last response is being written; the connection closes after it.
        case closing
        /// Write side shut; discarding what the client still sends until it closes or `deadline`.
        case lingering(deadline: UInt64)
    }

    let fd: Int32
    let id: UInt64
    let remoteAddress: String
    /// False for a connection refused over the limit (it holds no slot in the count).
    let holdsSlot: Bool
    var parser: RequestParser
    var phase = Phase.reading
    var sequence: UInt64 = 0

    var output: [UInt8] = []
    var outputOffset = 0
    var lastWriteProgress: UInt64

    /// When the connection last became idle (accepted, or a response finished).
    var idleSince: UInt64
    /// First byte of the current request head; nil between requests.
    var headStartedAt: UInt64?
    /// End of the current head while its body is awaited.
    var bodyStartedAt: UInt64?

    var wantsWrite = false
    var readPaused = false
    /// Reading stopped because responses pile up unread (a pipelining client not reading).
    var pausedForOutput = false
    /// The client shut its side; the response still goes out, then the connection closes.
    var peerClosed = false
    var discardedBytes = 0
    /// Waiting for another turn with requests still buffered (`EventLoop.requestsPerTurn`).
    var inputDeferred = false
    /// This connection's share of `ServerCore.heldRequestBytes`.
    var heldRequestBytes = 0
    /// The body size of the request being handled (held until its response is queued).
    var handledBodyBytes = 0

    /// What the connection holds now: its unparsed input and the body being handled.
    var requestBytesToHold: Int { parser.bufferedByteCount + handledBodyBytes }

    init(fd: Int32, id: UInt64, remoteAddress: String, holdsSlot: Bool, limits: ParserLimits, now: UInt64) {
        self.fd = fd
        self.id = id
        self.remoteAddress = remoteAddress
        self.holdsSlot = holdsSlot
        parser = RequestParser(limits: limits)
        idleSince = now
        lastWriteProgress = now
    }

    var hasPendingOutput: Bool { outputOffset < output.count }

    var pendingOutputBytes: Int { output.count - outputOffset }

    var interest: UInt32 {
        (readPaused ? 0 : Epoll.readable) | (wantsWrite ? Epoll.writable : 0)
    }
}
