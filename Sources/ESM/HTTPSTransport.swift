import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `https://` requests through Foundation's `URLSession` (libcurl on Linux), used because the
/// project may link libcrypto but not libssl and may not implement TLS itself.
///
/// Residual DNS-rebinding window: `OutboundHTTPClient` runs the URL guard's `resolveAndCheck`
/// right before handing the request here, but `URLSession` resolves the name again and cannot be
/// told which address to connect to. A name whose answer flips from public to private between the
/// two lookups (milliseconds apart) could reach a private address; TLS then requires that address
/// to present a valid certificate for the name, which internal services rarely do. Plain `http`
/// has no such window (the socket client pins the checked address). Redirects are never followed.
///
/// Proxies: libcurl honours `https_proxy`/`HTTPS_PROXY` (and `no_proxy`) from the environment, and
/// URLSession offers no way to switch that off (an empty `connectionProxyDictionary` does not).
/// When an operator sets one, the proxy resolves and connects; the guard's check then covers only
/// tradingd's own lookup. Leave these variables unset for tradingd unless the proxy itself
/// refuses private destinations.
final class HTTPSTransport: Sendable {
    private let session: URLSession
    private let maxResponseBytes: Int

    init(maxResponseBytes: Int) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpMaximumConnectionsPerHost = 8
        session = URLSession(configuration: configuration, delegate: RefuseRedirects(), delegateQueue: nil)
        self.maxResponseBytes = maxResponseBytes
    }

    func send(_ request: HTTPClientRequest, timeouts: OutboundHTTPClient.Timeouts) throws(HTTPClientError) -> HTTPClientResponse {
        guard let url = URL(string: "https://\(request.authority)\(request.path)") else {
            throw HTTPClientError(kind: .invalidRequest, message: "the URL could not be formed", mayHaveBeenSent: false)
        }
        let seconds = Double(timeouts.request.components.seconds) + Double(timeouts.request.components.attoseconds) / 1e18
        var urlRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: seconds)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }

        let outcome = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: urlRequest) { data, response, error in
            outcome.set(data: data, response: response, error: error)
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + seconds) == .timedOut {
            task.cancel()
            throw HTTPClientError(kind: .timeout, message: "the HTTPS request timed out", mayHaveBeenSent: true)
        }
        let (data, response, error) = outcome.get()
        if let error {
            let code = (error as NSError).code
            switch code {
            case NSURLErrorTimedOut:
                throw HTTPClientError(kind: .timeout, message: "the HTTPS request timed out", mayHaveBeenSent: true)
            case NSURLErrorCannotConnectToHost, NSURLErrorCannotFindHost, NSURLErrorNetworkConnectionLost,
                 NSURLErrorNotConnectedToInternet, NSURLErrorDNSLookupFailed:
                throw HTTPClientError(kind: .unreachable, message: "the HTTPS connection failed (\(code))",
                                      mayHaveBeenSent: code == NSURLErrorNetworkConnectionLost)
            case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateUntrusted,
                 NSURLErrorServerCertificateHasUnknownRoot, NSURLErrorServerCertificateNotYetValid,
                 NSURLErrorClientCertificateRejected, NSURLErrorClientCertificateRequired:
                throw HTTPClientError(kind: .invalidResponse, message: "the TLS connection failed or the server's certificate was not trusted (\(code))",
                                      mayHaveBeenSent: false)
            default:
                // libcurl's own words (e.g. "SSL certificate problem: self-signed certificate"),
                // which swift-corelibs-foundation reports under code -1.
                let detail = String((error as NSError).localizedDescription.prefix(200))
                throw HTTPClientError(kind: .invalidResponse, message: "the HTTPS request failed (\(code)): \(detail)", mayHaveBeenSent: true)
            }
        }
        guard let http = response as? HTTPURLResponse else {
            throw HTTPClientError(kind: .invalidResponse, message: "the HTTPS answer was not HTTP", mayHaveBeenSent: true)
        }
        let body = data.map { Array($0) } ?? []
        guard body.count <= maxResponseBytes else {
            throw HTTPClientError(kind: .invalidResponse, message: "the answer exceeds \(maxResponseBytes) bytes", mayHaveBeenSent: true)
        }
        let headers = http.allHeaderFields.compactMap { key, value -> (name: String, value: String)? in
            guard let name = key as? String else { return nil }
            return (name, "\(value)")
        }
        return HTTPClientResponse(status: http.statusCode, headers: headers, body: body)
    }
}

/// Completion results handed from URLSession's queue to the waiting thread.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var response: URLResponse?
    private var error: (any Error)?

    func set(data: Data?, response: URLResponse?, error: (any Error)?) {
        lock.withLock {
            self.data = data
            self.response = response
            self.error = error
        }
    }

    func get() -> (Data?, URLResponse?, (any Error)?) { lock.withLock { (data, response, error) } }
}

/// A redirect could lead anywhere (a private address included): the 3xx is returned instead.
private final class RefuseRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
