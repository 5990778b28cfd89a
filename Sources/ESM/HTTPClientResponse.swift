/// An HTTP answer as the client read it.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// Header fields in order, names as sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Reads one HTTP/1.1 response from a socket: status line and headers, then a body delimited by
/// `Content-Length`, `Transfer-Encoding: chunked` or the end of the connection. Limits keep a
/// hostile server from making the client buffer without bound.
struct HTTPClientResponseReader {
    enum Failure: Error {
        case malformed(String)
        case tooLarge(String)
        case socket(HTTPClientSocket.Failure)
        /// The connection ended before any byte of an answer (a reused connection the server had
        /// closed, typically).
        case closedBeforeAnswer
    }

    static let maxHeadBytes = 64 * 1024
    let maxBodyBytes: Int
    private let socket: HTTPClientSocket
    private let deadline: Deadline
    private var buffer: [UInt8] = []
    private var position = 0
    private(set) var receivedAnyByte = false

    init(socket: HTTPClientSocket, deadline: Deadline, maxBodyBytes: Int) {
        self.socket = socket
        self.deadline = deadline
        self.maxBodyBytes = maxBodyBytes
    }

    /// The response, and whether the connection may carry another request.
    mutating func readResponse(forHEAD: Bool) throws(Failure) -> (HTTPClientResponse, reusable: Bool) {
        while true {
            let head = try readHead()
            let (version, status) = try Self.parseStatusLine(head[0])
            if (100..<200).contains(status) { continue }   // interim answers carry no body
            var headers: [(name: String, value: String)] = []
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                    throw .malformed("a header line has no name")
                }
                let name = String(line[..<colon])
                let value = String(line[line.index(after: colon)...]).trimmedBlanks()
                headers.append((name, value))
            }
            var response = HTTPClientResponse(status: status, headers: headers)
            let connectionTokens = (response.header("Connection") ?? "").lowercased()
            var reusable = version == "HTTP/1.1" ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")
            if forHEAD || status == 204 || status == 304 {
                return (response, reusable)
            }
            if let encoding = response.header("Transfer-Encoding") {
                guard encoding.lowercased() == "chunked" else { throw .malformed("unsupported Transfer-Encoding '\(encoding)'") }
                response.body = try readChunkedBody()
            } else if let lengthText = response.header("Content-Length") {
                guard let length = Int(lengthText), length >= 0 else { throw .malformed("invalid Content-Length '\(lengthText)'") }
                guard length <= maxBodyBytes else { throw .tooLarge("the answer's body of \(length) bytes exceeds \(maxBodyBytes)") }
                response.body = try readExactly(length)
            } else {
                response.body = try readToEnd()
                reusable = false
            }
            if position < buffer.count { reusable = false }   // stray bytes: do not trust the stream
            return (response, reusable)
        }
    }

    private mutating func fill() throws(Failure) -> Bool {
        do {
            let more = try socket.read(into: &buffer, until: deadline)
            if more { receivedAnyByte = true }
            return more
        } catch {
            if !receivedAnyByte, case .closed = error { throw .closedBeforeAnswer }
            throw .socket(error)
        }
    }

    /// Lines of the head up to the blank line, without line ends.
    private mutating func readHead() throws(Failure) -> [Substring] {
        var searchFrom = position
        while true {
            if let end = Self.findHeadEnd(buffer, from: max(position, searchFrom - 3)) {
                let text = String(decoding: buffer[position..<end], as: UTF8.self)
                position = end + 4
                let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map { Substring($0) }
                guard !lines.isEmpty, !lines[0].isEmpty else { throw .malformed("empty status line") }
                return lines
            }
            guard buffer.count - position <= Self.maxHeadBytes else { throw .tooLarge("the answer's head exceeds \(Self.maxHeadBytes) bytes") }
            searchFrom = buffer.count
            guard try fill() else {
                throw receivedAnyByte ? .malformed("the connection ended inside the answer's head") : .closedBeforeAnswer
            }
        }
    }

    private static func findHeadEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = max(0, start)
        while index + 3 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    static func parseStatusLine(_ line: Substring) throws(Failure) -> (version: String, status: Int) {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0",
              parts[1].count == 3, let status = Int(parts[1]), (100...599).contains(status) else {
            throw .malformed("not an HTTP/1.x status line")
        }
        return (String(parts[0]), status)
    }

    private mutating func readExactly(_ count: Int) throws(Failure) -> [UInt8] {
        while buffer.count - position < count {
            guard try fill() else { throw .malformed("the connection ended inside the answer's body") }
        }
        defer { position += count }
        return Array(buffer[position..<(position + count)])
    }

    private mutating func readLine() throws(Failure) -> String {
        while true {
            if let newline = buffer[position...].firstIndex(of: 10) {
                var end = newline
                if end > position && buffer[end - 1] == 13 { end -= 1 }
                defer { position = newline + 1 }
                return String(decoding: buffer[position..<end], as: UTF8.self)
            }
            guard buffer.count - position <= 4096 else { throw .malformed("a chunk line is too long") }
            guard try fill() else { throw .malformed("the connection ended inside a chunked body") }
        }
    }

    private mutating func readChunkedBody() throws(Failure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            let sizeText = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmedBlanks() } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .malformed("invalid chunk size '\(sizeText.prefix(20))'") }
            if size == 0 {
                while try !readLine().isEmpty {}   // trailers, then the blank line
                return body
            }
            guard body.count + size <= maxBodyBytes else { throw .tooLarge("the chunked answer exceeds \(maxBodyBytes) bytes") }
            body += try readExactly(size)
            guard try readLine().isEmpty else { throw .malformed("a chunk does not end with CRLF") }
        }
    }

    private mutating func readToEnd() throws(Failure) -> [UInt8] {
        while try fill() {
            guard buffer.count - position <= maxBodyBytes else { throw .tooLarge("the answer exceeds \(maxBodyBytes) bytes") }
        }
        defer { position = buffer.count }
        return Array(buffer[position...])
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmedBlanks() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
