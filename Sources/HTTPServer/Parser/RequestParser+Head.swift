// The request line, the header fields, and how the body is framed (RFC 9112 §3, §5, §6).

enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
}

extension RequestParser {
    /// Parses the lines in `lineRanges` (relative to `start`): the request line, then fields.
    mutating func parseHead() -> Result<(ParsedRequest, BodyFraming), ParseFailure> {
        buffer.withUnsafeBufferPointer { all in
            let base = UnsafeBufferPointer(rebasing: all[start...])
            var request: ParsedRequest
            switch parseRequestLine(base[lineRanges[0]]) {
            case .success(let parsed): request = parsed
            case .failure(let failure): return .failure(failure.withTarget(Self.rawTarget(base[lineRanges[0]])))
            }
            request.headers.reserveCapacity(lineRanges.count - 1)
            for range in lineRanges.dropFirst() {
                switch parseField(base[range]) {
                case .success(let field): request.headers.append(field)
                case .failure(let failure): return .failure(failure.withTarget(request.path))
                }
            }
            return resolveFraming(&request).map { (request, $0) }.mapError { $0.withTarget(request.path) }
        }
    }

    /// The request-target of the request being read, as received, when its request line is
    /// complete (for the envelope of a timeout or an oversized head); nil before.
    public var pendingTarget: String? {
        if let pending { return pending.path }
        guard state == .head, let line = lineRanges.first else { return nil }
        return buffer.withUnsafeBufferPointer { all in
            Self.rawTarget(UnsafeBufferPointer(rebasing: all[start...])[line])
        }
    }

    /// The text between the first and the second space of a request line, when it is visible
    /// ASCII (the target of a line that failed for another reason).
    static func rawTarget(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        guard let first = line.firstIndex(of: HTTPSyntax.space) else { return nil }
        let rest = line[(first + 1)...]
        let target = rest[rest.startIndex..<(rest.firstIndex(of: HTTPSyntax.space) ?? rest.endIndex)]
        guard !target.isEmpty, target.count <= 8192, target.allSatisfy(HTTPSyntax.isTargetByte) else { return nil }
        return String(decoding: target, as: UTF8.self)
    }

    /// `method SP request-target SP HTTP-version`, single spaces, nothing else.
    func parseRequestLine(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Result<ParsedRequest, ParseFailure> {
        guard let firstSpace = line.firstIndex(of: HTTPSyntax.space) else {
            return .failure(.bad("malformed request line"))
        }
        let method = line[line.startIndex..<firstSpace]
        guard !method.isEmpty, method.count <= 32, method.allSatisfy(HTTPSyntax.isTokenChar) else {
            return .failure(.bad("invalid method token"))
        }
        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: HTTPSyntax.space) else {
            return .failure(.bad("malformed request line"))
        }
        let target = rest[rest.startIndex..<secondSpace]
        let version = rest[(secondSpace + 1)...]
        let minorVersion: Int
        if version.elementsEqual("HTTP/1.1".utf8) {
            minorVersion = 1
        } else if version.elementsEqual("HTTP/1.0".utf8) {
            minorVersion = 0
        } else if version.count == 8, version.starts(with: "HTTP/".utf8),
                  version.dropFirst(5).enumerated().allSatisfy({ offset, byte in
                      offset == 1 ? byte == UInt8(ascii: ".") : (0x30...0x39).contains(byte)
                  }) {
            // A higher minor version of HTTP/1 is processed as the highest one implemented,
            // HTTP/1.1 (RFC 9112 §2.3); another major version is not spoken here.
            guard version[version.startIndex + 5] == UInt8(ascii: "1") else {
                return .failure(ParseFailure(status: 505, reason: "HTTP version not supported"))
            }
            minorVersion = 1
        } else {
            return .failure(.bad("malformed HTTP version"))
        }
        let methodString = String(decoding: method, as: UTF8.self)
        return parseTarget(target, method: methodString).map { path, query in
            ParsedRequest(method: methodString, path: path, query: query, minorVersion: minorVersion)
        }
    }

    /// Accepts origin-form, `*` for OPTIONS, and absolute-form with an http(s) scheme (reduced to
    /// its path and query). Rejects control bytes, spaces, non-ASCII, fragments, user info and
    /// malformed percent-encoding.
    func parseTarget(_ target: Slice<UnsafeBufferPointer<UInt8>>, method: String)
    -> Result<(String, String?), ParseFailure> {
        guard !target.isEmpty, target.allSatisfy(HTTPSyntax.isTargetByte) else {
            return .failure(.bad("invalid character in request target"))
        }
        guard !target.contains(UInt8(ascii: "#")) else {
            return .failure(.bad("fragment in request target"))
        }
        var pathAndQuery = target
        if target.first == UInt8(ascii: "*") {
            guard target.count == 1, method == "OPTIONS" else {
                return .failure(.bad("asterisk-form only for OPTIONS"))
            }
            return .success(("*", nil))
        } else if target.first != UInt8(ascii: "/") {
            let lowered = target.prefix(8).map(HTTPSyntax.lowercased)
            let schemeLength: Int
            if lowered.starts(with: "http://".utf8) {
                schemeLength = 7
            } else if lowered.starts(with: "https://".utf8) {
                schemeLength = 8
            } else {
                return .failure(.bad("unsupported request-target form"))
            }
            let afterScheme = target.dropFirst(schemeLength)
            let authorityEnd = afterScheme.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }
                ?? afterScheme.endIndex
            let authority = afterScheme[afterScheme.startIndex..<authorityEnd]
            guard !authority.isEmpty, !authority.contains(UInt8(ascii: "@")) else {
                return .failure(.bad("invalid authority in absolute-form target"))
            }
            pathAndQuery = afterScheme[authorityEnd...]
        }
        guard HTTPSyntax.hasValidPercentEncoding(pathAndQuery) else {
            return .failure(.bad("invalid percent-encoding in request target"))
        }
        let questionMark = pathAndQuery.firstIndex(of: UInt8(ascii: "?"))
        let pathBytes = pathAndQuery[pathAndQuery.startIndex..<(questionMark ?? pathAndQuery.endIndex)]
        let path = pathBytes.isEmpty ? "/" : String(decoding: pathBytes, as: UTF8.self)
        let query = questionMark.map { String(decoding: pathAndQuery[($0 + 1)...], as: UTF8.self) }
        return .success((path, query))
    }

    /// `field-name ":" OWS field-value OWS`; no blank before the colon, no folding, no controls.
    func parseField(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Result<HeaderField, ParseFailure> {
        if let first = line.first, first == HTTPSyntax.space || first == HTTPSyntax.tab {
            return .failure(.bad("obsolete line folding"))
        }
        guard let colon = line.firstIndex(of: HTTPSyntax.colon) else {
            return .failure(.bad("header field without colon"))
        }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(HTTPSyntax.isTokenChar) else {
            return .failure(.bad("invalid header field name"))
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == HTTPSyntax.space || first == HTTPSyntax.tab {
            value = value.dropFirst()
        }
        while let last = value.last, last == HTTPSyntax.space || last == HTTPSyntax.tab {
            value = value.dropLast()
        }
        guard value.allSatisfy(HTTPSyntax.isFieldValueByte) else {
            return .failure(.bad("invalid character in header field value"))
        }
        return .success(HeaderField(name: String(decoding: name, as: UTF8.self),
                                    value: String(decoding: value, as: UTF8.self)))
    }

    /// Decides keep-alive and body framing from the fields; refuses every ambiguous framing, the
    /// root of request smuggling.
    mutating func resolveFraming(_ request: inout ParsedRequest) -> Result<BodyFraming, ParseFailure> {
        var contentLength: String?
        var transferCodings: [String] = []
        var sawTransferEncoding = false
        var hostCount = 0
        var connectionOptions: [String] = []
        var expectation: String?
        for field in request.headers {
            let name = field.name.utf8
            if HTTPSyntax.equalsIgnoringCase(name, "content-length") {
                guard contentLength == nil else { return .failure(.bad("repeated Content-Length")) }
                contentLength = field.value
            } else if HTTPSyntax.equalsIgnoringCase(name, "transfer-encoding") {
                sawTransferEncoding = true
                transferCodings += HTTPSyntax.lowercasedList(field.value)
            } else if HTTPSyntax.equalsIgnoringCase(name, "host") {
                hostCount += 1
            } else if HTTPSyntax.equalsIgnoringCase(name, "connection") {
                connectionOptions += HTTPSyntax.lowercasedList(field.value)
            } else if HTTPSyntax.equalsIgnoringCase(name, "expect") {
                guard expectation == nil else { return .failure(.bad("repeated Expect")) }
                expectation = field.value
            }
        }
        if request.minorVersion == 1 && hostCount != 1 {
            return .failure(.bad(hostCount == 0 ? "missing Host" : "repeated Host"))
        }
        if hostCount > 1 { return .failure(.bad("repeated Host")) }
        if connectionOptions.contains("close") {
            request.keepAlive = false
        } else {
            request.keepAlive = request.minorVersion == 1 || connectionOptions.contains("keep-alive")
        }

        var framing = BodyFraming.none
        if sawTransferEncoding {
            guard contentLength == nil else {
                return .failure(.bad("both Content-Length and Transfer-Encoding"))
            }
            guard request.minorVersion == 1 else {
                return .failure(.bad("Transfer-Encoding in an HTTP/1.0 request"))
            }
            guard transferCodings.last == "chunked" else {
                return .failure(.bad("Transfer-Encoding without final chunked"))
            }
            guard transferCodings.count == 1 else {
                return .failure(ParseFailure(status: 501, reason: "unsupported transfer coding"))
            }
            framing = .chunked
        } else if let contentLength {
            let digits = contentLength.utf8
            guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ (0x30...0x39).contains($0) }),
                  let length = Int(contentLength) else {
                return .failure(.bad("invalid Content-Length"))
            }
            guard length <= limits.maxBodyBytes else {
                return .failure(ParseFailure(status: 413, reason: "request body too large: at most \(limits.maxBodyBytes) bytes"))
            }
            framing = length > 0 ? .length(length) : .none
        }

        if let expectation {
            guard HTTPSyntax.equalsIgnoringCase(expectation.utf8, "100-continue") else {
                return .failure(ParseFailure(status: 417, reason: "unsupported expectation"))
            }
            continueRequested = request.minorVersion == 1 && framing != .none
        }
        return .success(framing)
    }
}
