/// An incremental HTTP/1.x request parser: bytes go in, in any split, and it answers with what
/// the connection should do next. It has no socket and no clock; the connection reads, feeds and
/// acts. Pipelined requests stay buffered: call `feed([])` after handling a request to get the
/// next one. After a `.reject` the parser stays failed (the connection must be closed).
public struct RequestParser {
    public enum Action: Equatable, Sendable {
        /// Nothing complete yet.
        case needMore
        /// The head asked for `Expect: 100-continue` and no body byte has arrived: send
        /// `HTTP/1.1 100 Continue` now, then keep feeding.
        case sendContinue
        case request(ParsedRequest)
        case reject(ParseFailure)
    }

    enum State: Equatable {
        case head
        case fixedBody(length: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed(ParseFailure)
    }

    public let limits: ParserLimits
    var state = State.head
    /// Received bytes; everything before `start` is consumed.
    var buffer: [UInt8] = []
    var start = 0
    /// While reading a head: how far (from `start`) lines have been scanned, and the lines found,
    /// both relative to `start` so that compacting the buffer does not move them.
    var scanOffset = 0
    var lineRanges: [Range<Int>] = []
    var lineStart = 0
    /// The head of the request whose body is being read.
    var pending: ParsedRequest?
    var continueRequested = false
    var trailerBytes = 0

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
        buffer.reserveCapacity(4096)
    }

    /// Bytes received and not yet part of a delivered request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// True between requests with nothing buffered: the connection is idle.
    public var isIdle: Bool { state == .head && start == buffer.count }

    /// True while the head of a request is still incomplete (the header timeout applies).
    public var isReadingHead: Bool { state == .head }

    /// Buffers `bytes` without parsing them (while the previous request is being handled).
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends `bytes` and advances as far as they allow.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> Action where Bytes.Element == UInt8 {
        if case .failed(let failure) = state { return .reject(failure) }
        compact()
        buffer.append(contentsOf: bytes)
        let action = advance()
        if case .reject(let failure) = action {
            let located = failure.withTarget(pendingTarget)  // a body that breaks a rule: its request's target
            state = .failed(located)
            return .reject(located)
        }
        return action
    }

    /// Drops consumed bytes once they are worth the move.
    mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 4096 && start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    mutating func advance() -> Action {
        while true {
            let step: Step
            switch state {
            case .head: step = scanHead()
            case .fixedBody(let length): step = readFixedBody(length: length)
            case .chunkSize: step = readChunkSize()
            case .chunkData(let remaining): step = readChunkData(remaining: remaining)
            case .chunkDataEnd: step = readChunkDataEnd()
            case .trailers: step = readTrailers()
            case .failed(let failure): return .reject(failure)
            }
            switch step {
            case .continue: continue
            case .stop(let action): return action
            }
        }
    }

    enum Step {
        case `continue`
        case stop(Action)
    }

    /// Looks for complete lines; on the blank line that ends the head, parses it.
    mutating func scanHead() -> Step {
        let available = buffer.count - start
        let lineEnd: Int? = buffer.withUnsafeBufferPointer { all in
            var index = start + scanOffset
            while index < all.count {
                if all[index] == HTTPSyntax.lf { return index - start }
                index += 1
            }
            return nil
        }
        guard let lineEnd else {
            scanOffset = available
            if available > limits.maxHeadBytes {
                return .stop(.reject(ParseFailure(status: 431, reason: "request head too large", target: pendingTarget)))
            }
            return .stop(.needMore)
        }
        if lineEnd + 1 > limits.maxHeadBytes {
            return .stop(.reject(ParseFailure(status: 431, reason: "request head too large", target: pendingTarget)))
        }
        guard lineEnd - 1 >= lineStart, buffer[start + lineEnd - 1] == HTTPSyntax.cr else {
            return .stop(.reject(.bad("line not terminated by CRLF")))
        }
        let line = lineStart..<(lineEnd - 1)
        scanOffset = lineEnd + 1
        lineStart = scanOffset
        if !line.isEmpty {
            lineRanges.append(line)
            if lineRanges.count - 1 > limits.maxHeaderCount {
                return .stop(.reject(ParseFailure(status: 431, reason: "too many header fields", target: pendingTarget)))
            }
            return .continue
        }
        if lineRanges.isEmpty {
            // A stray CRLF before the request line is tolerated (RFC 9112 §2.2).
            start += scanOffset
            scanOffset = 0
            lineStart = 0
            return .continue
        }
        let headLength = scanOffset
        let result = parseHead()
        start += headLength
        scanOffset = 0
        lineStart = 0
        lineRanges.removeAll(keepingCapacity: true)
        switch result {
        case .failure(let failure):
            return .stop(.reject(failure))
        case .success(let (head, framing)):
            return begin(head, framing: framing)
        }
    }

    /// Moves to the body state that `framing` calls for.
    mutating func begin(_ head: ParsedRequest, framing: BodyFraming) -> Step {
        switch framing {
        case .none:
            return .stop(.request(head))
        case .length(let length):
            pending = head
            state = .fixedBody(length: length)
        case .chunked:
            pending = head
            state = .chunkSize
        }
        if continueRequested {
            continueRequested = false
            if start == buffer.count { return .stop(.sendContinue) }
        }
        return .continue
    }

    mutating func readFixedBody(length: Int) -> Step {
        guard buffer.count - start >= length else { return .stop(.needMore) }
        var request = pending.take()!
        request.body = Array(buffer[start..<(start + length)])
        start += length
        state = .head
        return .stop(.request(request))
    }

    /// Delivers the pending request once its body is complete.
    mutating func finishBody() -> Step {
        state = .head
        trailerBytes = 0
        return .stop(.request(pending.take()!))
    }
}
