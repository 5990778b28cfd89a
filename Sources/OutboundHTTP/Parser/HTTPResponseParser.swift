/// An incremental HTTP/1.x response parser (RFC 9112) for answers from servers that may be
/// hostile. It has no socket, clock or Foundation (the fuzz target compiles this folder alone):
/// the client reads bytes, feeds them, and acts on the result.
///
/// Every limit is checked where it can be exceeded, before memory is spent: the head and each
/// chunk line against their caps, a `Content-Length` and each chunk size against the body cap as
/// soon as they are read (sizes are parsed with overflow checks, so `7fffffffffffffff` is an error,
/// not a trap), and a close-delimited body as it grows. A `Content-Encoding` other than
/// `identity` is refused at the head: the client asks for identity and decodes nothing, so a
/// compressed answer (a gzip bomb included) costs no more than its compressed bytes.
struct HTTPResponseParser {
    struct Limits: Sendable, Equatable {
        var maxHeadBytes = 64 * 1024
        var maxHeaderCount = 128
        var maxBodyBytes = 4 << 20
        var maxChunkLineBytes = 4096
        /// Interim (1xx) answers accepted before the final one.
        var maxInterimResponses = 8
    }

    struct Field: Sendable, Equatable {
        var name: String
        var value: String
    }

    /// A complete answer.
    struct Response: Sendable, Equatable {
        var version: String
        var status: Int
        var headers: [Field]
        var body: [UInt8]
        /// Whether the connection may carry another request: keep-alive semantics, a body framed
        /// by length, and no bytes beyond the answer.
        var reusable: Bool
    }

    enum Failure: Error, Sendable, Equatable {
        /// Not valid HTTP/1.x, or framing the client does not accept.
        case malformed(String)
        /// A limit was exceeded.
        case tooLarge(String)
        /// A `Content-Encoding` other than identity.
        case encoded(String)
        /// The stream ended before the first byte of an answer.
        case noAnswer
    }

    enum Progress: Sendable, Equatable {
        case needMore
        case complete(Response)
    }

    private enum State {
        case head
        case fixedBody(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(bytes: Int)
        case untilClose
        case done
        case failed
    }

    let limits: Limits
    private let isHEAD: Bool
    private var state = State.head
    /// Unconsumed bytes of a head or a line that did not end within what was fed so far.
    private var pending: [UInt8] = []
    /// Where to resume searching `pending` for the end of the head.
    private var headScanFrom = 0
    private var interimCount = 0
    private var response = Response(version: "", status: 0, headers: [], body: [], reusable: false)
    private(set) var receivedAnyByte = false

    init(limits: Limits, forHEAD isHEAD: Bool = false) {
        self.limits = limits
        self.isHEAD = isHEAD
    }

    /// Whether the answer's body runs to the end of the stream (its completeness then depends on
    /// the stream's end being genuine: TLS close_notify).
    var isDelimitedByClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// Consumes `input`; returns the answer once it is complete. Bytes after it make the answer
    /// non-reusable and are dropped.
    mutating func feed(_ input: ArraySlice<UInt8>) throws(Failure) -> Progress {
        if !input.isEmpty { receivedAnyByte = true }
        do throws(Failure) {
            return try advance(input)
        } catch {
            state = .failed
            throw error
        }
    }

    /// The stream ended: completes a close-delimited body, fails anything else unfinished.
    mutating func finish() throws(Failure) -> Progress {
        switch state {
        case .untilClose:
            state = .done
            response.reusable = false
            return .complete(response)
        case .head where !receivedAnyByte:
            throw .noAnswer
        case .head:
            throw .malformed("the connection ended inside the answer's head")
        case .fixedBody:
            throw .malformed("the connection ended inside the answer's body")
        case .chunkSizeLine, .chunkData, .chunkDataEnd, .trailers:
            throw .malformed("the connection ended inside a chunked body")
        case .done, .failed:
            throw .malformed("the answer was already complete or failed")
        }
    }

    private mutating func advance(_ input: ArraySlice<UInt8>) throws(Failure) -> Progress {
        var rest = input
        while true {
            switch state {
            case .head:
                guard let afterHead = try takeHead(&rest) else { return .needMore }
                rest = afterHead
            case .fixedBody(let remaining):
                let left = takeBody(&rest, remaining: remaining)
                guard left == 0 else {
                    state = .fixedBody(remaining: left)
                    return .needMore
                }
                return complete(leftover: rest)
            case .chunkSizeLine:
                guard let line = try takeLine(&rest, what: "a chunk-size line") else { return .needMore }
                let size = try chunkSize(line)
                state = size == 0 ? .trailers(bytes: 0) : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let left = takeBody(&rest, remaining: remaining)
                state = left == 0 ? .chunkDataEnd : .chunkData(remaining: left)
                if left > 0 { return .needMore }
            case .chunkDataEnd:
                guard let line = try takeLine(&rest, what: "a chunk's end") else { return .needMore }
                guard line.isEmpty else { throw .malformed("a chunk's data is longer than its size") }
                state = .chunkSizeLine
            case .trailers(let bytes):
                guard let line = try takeLine(&rest, what: "a trailer line") else { return .needMore }
                if line.isEmpty { return complete(leftover: rest) }
                let total = bytes + line.count
                guard total <= limits.maxHeadBytes else { throw .tooLarge("the answer's trailers exceed \(limits.maxHeadBytes) bytes") }
                guard line.first != 0x20 && line.first != 0x09, line.contains(UInt8(ascii: ":")) else {
                    throw .malformed("a trailer line is not a header field")
                }
                state = .trailers(bytes: total)
            case .untilClose:
                guard rest.count <= limits.maxBodyBytes - response.body.count else {
                    throw .tooLarge("the answer exceeds \(limits.maxBodyBytes) bytes")
                }
                response.body.append(contentsOf: rest)
                return .needMore
            case .done, .failed:
                throw .malformed("bytes fed after the answer was complete or failed")
            }
        }
    }

    /// Moves up to `remaining` body bytes (already checked against the cap) from `rest` into the
    /// body; returns how many are still to come.
    private mutating func takeBody(_ rest: inout ArraySlice<UInt8>, remaining: Int) -> Int {
        let count = min(remaining, rest.count)
        response.body.append(contentsOf: rest.prefix(count))
        rest = rest.dropFirst(count)
        return remaining - count
    }

    private mutating func complete(leftover: ArraySlice<UInt8>) -> Progress {
        if !leftover.isEmpty { response.reusable = false }   // stray bytes: do not trust the stream
        state = .done
        return .complete(response)
    }

    // MARK: Head

    /// Takes a complete head out of `pending + rest`, sets up the body state, and returns what
    /// follows it; `nil` when the head is not complete yet.
    private mutating func takeHead(_ rest: inout ArraySlice<UInt8>) throws(Failure) -> ArraySlice<UInt8>? {
        pending.append(contentsOf: rest)
        rest = []
        guard let end = Self.headEnd(in: pending, from: max(0, headScanFrom - 3)) else {
            // A head ending within the cap needs at most the cap plus its CRLFCRLF: beyond that,
            // whatever comes, it is too large (the same verdict however the bytes are split).
            guard pending.count <= limits.maxHeadBytes + 3 else { throw .tooLarge("the answer's head exceeds \(limits.maxHeadBytes) bytes") }
            headScanFrom = pending.count
            return nil
        }
        guard end <= limits.maxHeadBytes else { throw .tooLarge("the answer's head exceeds \(limits.maxHeadBytes) bytes") }
        let after = pending[(end + 4)...]
        let head = pending[..<end]
        pending = []
        headScanFrom = 0
        try readHead(head)
        return after
    }

    private static func headEnd(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 3 < bytes.count {
            if bytes[index + 3] != 10 { index += bytes[index + 3] == 13 ? 1 : 4; continue }
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 { return index }
            index += 1
        }
        return nil
    }

    private mutating func readHead(_ head: ArraySlice<UInt8>) throws(Failure) {
        let lines = HTTPResponseSyntax.splitLines(head)
        guard let statusLine = lines.first, !statusLine.isEmpty else { throw .malformed("empty status line") }
        let (version, status) = try HTTPResponseSyntax.statusLine(statusLine)
        guard lines.count - 1 <= limits.maxHeaderCount else {
            throw .tooLarge("the answer has more than \(limits.maxHeaderCount) header fields")
        }
        var fields: [Field] = []
        fields.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() { fields.append(try HTTPResponseSyntax.field(line)) }
        if (100..<200).contains(status) {
            guard status != 101 else { throw .malformed("the server switched protocols, which was not asked for") }
            interimCount += 1
            guard interimCount <= limits.maxInterimResponses else { throw .malformed("too many interim (1xx) answers") }
            return   // state stays .head: the final answer follows
        }
        response = Response(version: version, status: status, headers: fields, body: [], reusable: false)
        response.reusable = HTTPResponseSyntax.keepsAlive(version: version, fields: fields)
        try chooseFraming(fields)
    }

    /// RFC 9112 §6.3, strictly: a `Transfer-Encoding` other than exactly `chunked`, one together
    /// with `Content-Length`, or disagreeing lengths are refused (each is a smuggling or confusion
    /// vector), as is any content coding.
    private mutating func chooseFraming(_ fields: [Field]) throws(Failure) {
        var encodings: [String] = [], lengths: [String] = [], codings: [String] = []
        for field in fields {
            switch HTTPResponseSyntax.lowercased(field.name) {
            case "transfer-encoding": encodings.append(field.value)
            case "content-length": lengths.append(field.value)
            case "content-encoding": codings.append(field.value)
            default: break
            }
        }
        for coding in codings where !HTTPResponseSyntax.isIdentityCoding(coding) {
            throw .encoded("the answer is encoded (Content-Encoding: \(String(coding.prefix(40)))); only identity was asked for and nothing is decoded")
        }
        if isHEAD || response.status == 204 || response.status == 304 {
            state = .fixedBody(remaining: 0)   // no body, whatever the framing fields say
            return
        }
        if !encodings.isEmpty {
            guard lengths.isEmpty else { throw .malformed("the answer has both Transfer-Encoding and Content-Length") }
            let joined = HTTPResponseSyntax.lowercased(encodings.joined(separator: ","))
            guard joined == "chunked" else {
                throw .malformed("unsupported Transfer-Encoding '\(String(joined.prefix(40)))'")
            }
            state = .chunkSizeLine
            return
        }
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }) else { throw .malformed("the answer has conflicting Content-Length fields") }
            let length = try HTTPResponseSyntax.contentLength(first, limit: limits.maxBodyBytes)
            response.body.reserveCapacity(length)
            state = .fixedBody(remaining: length)
            return
        }
        response.reusable = false
        state = .untilClose
    }

    // MARK: Chunked body

    /// One line ending in LF (a CR before it is dropped), across feeds; `nil` until complete.
    private mutating func takeLine(_ rest: inout ArraySlice<UInt8>, what: String) throws(Failure) -> [UInt8]? {
        guard let newline = rest.firstIndex(of: 10) else {
            guard pending.count + rest.count <= limits.maxChunkLineBytes else { throw .malformed("\(what) is too long") }
            pending.append(contentsOf: rest)
            rest = []
            return nil
        }
        var line = pending
        line.append(contentsOf: rest[rest.startIndex..<newline])
        pending = []
        rest = rest[(newline + 1)...]
        guard line.count <= limits.maxChunkLineBytes else { throw .malformed("\(what) is too long") }
        if line.last == 13 { line.removeLast() }
        guard !line.contains(13), !line.contains(0) else { throw .malformed("\(what) contains CR or NUL") }
        return line
    }

    /// `chunk-size [ ; ext ]`: hexadecimal digits, checked against what the body cap still allows
    /// digit by digit, so no size of any length can overflow.
    private func chunkSize(_ line: [UInt8]) throws(Failure) -> Int {
        let allowance = limits.maxBodyBytes - response.body.count
        var size = 0, digits = 0, index = 0
        while index < line.count, let digit = HTTPResponseSyntax.hexValue(line[index]) {
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            guard !overflow, shifted <= allowance - digit else {
                throw .tooLarge("a chunk of the answer would exceed \(limits.maxBodyBytes) bytes")
            }
            size = shifted + digit
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw .malformed("invalid chunk size '\(HTTPResponseSyntax.printable(line.prefix(20)))'") }
        while index < line.count, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
        guard index == line.count || line[index] == UInt8(ascii: ";") else {
            throw .malformed("invalid chunk size '\(HTTPResponseSyntax.printable(line.prefix(20)))'")
        }
        return size
    }
}
