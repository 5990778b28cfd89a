extension OutboundHTTPClient {
    enum ExchangeFailure: Error {
        /// A reused connection ended before any answer byte: safe to send again on a fresh one.
        case staleConnection
        case failed(HTTPClientError)
    }

    /// One request and its answer on one connection: writes the request, feeds what arrives to
    /// `HTTPResponseParser`, parks the connection for reuse when the answer allows it and closes
    /// it otherwise (always after a failure, so an over-cap body is never read further).
    struct Exchange {
        let request: HTTPClientRequest
        let head: [UInt8]
        let limits: HTTPResponseParser.Limits
        let deadline: Deadline
        let key: String
        let pool: OutboundConnectionPool

        func run(on stream: any OutboundStream, reused: Bool) throws(ExchangeFailure) -> HTTPClientResponse {
            do throws(TransportFailure) {
                try stream.writeAll(head + request.body, until: deadline)
            } catch {
                stream.close()
                switch error {
                case .closed where reused, .refused where reused: throw .staleConnection
                default: throw .failed(Self.failure(error, whileSending: true))
                }
            }
            var parser = HTTPResponseParser(limits: limits, forHEAD: request.method == "HEAD")
            do throws(ReadFailure) {
                let answer = try read(stream, into: &parser)
                if answer.reusable && stream.isIdleAndOpen { pool.put(stream, key: key) } else { stream.close() }
                return HTTPClientResponse(status: answer.status, headers: answer.headers.map { ($0.name, $0.value) },
                                          body: answer.body)
            } catch {
                stream.close()
                if reused && !parser.receivedAnyByte, case .transport(.closed) = error { throw .staleConnection }
                if reused, case .parse(.noAnswer) = error { throw .staleConnection }
                throw .failed(Self.failure(error))
            }
        }

        enum ReadFailure: Error {
            case transport(TransportFailure)
            case parse(HTTPResponseParser.Failure)
            case unauthenticatedEnd
        }

        private func read(_ stream: any OutboundStream, into parser: inout HTTPResponseParser) throws(ReadFailure) -> HTTPResponseParser.Response {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            while true {
                buffer.removeAll(keepingCapacity: true)
                let more: Bool
                do throws(TransportFailure) {
                    more = try stream.read(into: &buffer, until: deadline)
                } catch {
                    throw .transport(error)
                }
                let progress: HTTPResponseParser.Progress
                do {
                    if more {
                        progress = try parser.feed(buffer[...])
                    } else {
                        // A body that runs to the end of the stream is complete only if the end is
                        // genuine: over TLS without close_notify it may have been cut short.
                        if parser.isDelimitedByClose && !stream.endWasAuthenticated { throw ReadFailure.unauthenticatedEnd }
                        progress = try parser.finish()
                    }
                } catch let error as HTTPResponseParser.Failure {
                    throw .parse(error)
                } catch let error as ReadFailure {
                    throw error
                } catch {
                    throw .parse(.malformed("\(error)"))
                }
                if case .complete(let response) = progress { return response }
            }
        }

        static func failure(_ error: TransportFailure, whileSending: Bool) -> HTTPClientError {
            switch error {
            case .timedOut(let message):
                return HTTPClientError(kind: .timeout, message: message, mayHaveBeenSent: true)
            case .closed, .refused:
                return HTTPClientError(kind: .unreachable, message: "the connection broke while sending the request", mayHaveBeenSent: true)
            case .tls(let failure):
                return HTTPClientError(kind: .tls, message: "TLS failed while sending the request: \(failure.message)", mayHaveBeenSent: true)
            }
        }

        static func failure(_ error: ReadFailure) -> HTTPClientError {
            switch error {
            case .transport(.timedOut(let message)):
                return HTTPClientError(kind: .timeout, message: "\(message) (the request's deadline passed)", mayHaveBeenSent: true)
            case .transport(.closed(let message)), .transport(.refused(let message)):
                return HTTPClientError(kind: .invalidResponse, message: message, mayHaveBeenSent: true)
            case .transport(.tls(let failure)):
                return HTTPClientError(kind: .invalidResponse, message: "the answer broke TLS: \(failure.message)", mayHaveBeenSent: true)
            case .unauthenticatedEnd:
                return HTTPClientError(kind: .invalidResponse,
                                       message: "the TLS connection ended without close_notify inside a body delimited by the end of the connection; the answer may be cut short",
                                       mayHaveBeenSent: true)
            case .parse(.noAnswer):
                return HTTPClientError(kind: .invalidResponse, message: "the server closed the connection without answering", mayHaveBeenSent: true)
            case .parse(.malformed(let message)), .parse(.tooLarge(let message)), .parse(.encoded(let message)):
                return HTTPClientError(kind: .invalidResponse, message: "the answer is not usable HTTP: \(message)", mayHaveBeenSent: true)
            }
        }
    }
}
