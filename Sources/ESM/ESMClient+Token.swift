import Foundation

extension ESMClient {
    /// `POST {base}/oauth/token` with `grant_type=client_credentials` and the credentials in an
    /// HTTP Basic header (RFC 6749 §2.3.1: each form-encoded first). Retried on transport
    /// failures and 5xx; a 400/401 means the credentials are wrong.
    func fetchToken() throws(ESMError) -> (value: String, lifetime: Duration) {
        tokenFetchHappened()
        let pair = Self.formEncode(configuration.clientID) + ":" + Self.formEncode(configuration.clientSecret)
        let headers: [(name: String, value: String)] = [
            ("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ]
        let body = Array("grant_type=client_credentials".utf8)
        var attempt = 1
        while true {
            let error: ESMError
            switch exchange(method: "POST", path: "/oauth/token", headers: headers, body: body, secrets: []) {
            case .success(let response) where response.status == 200:
                guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(response.body)),
                      !answer.access_token.isEmpty else {
                    throw ESMError(.invalidResponse, status: 200, message: "the ESM's token answer has no access_token")
                }
                let seconds = max(1, min(answer.expires_in ?? 300, 86_400))
                return (answer.access_token, .seconds(seconds))
            case .success(let response) where response.status == 400 || response.status == 401:
                throw ESMError(.unauthorized, status: response.status,
                               message: "the ESM refused the client credentials of client '\(configuration.clientID)'",
                               esmReason: reason(in: response, secrets: []))
            case .success(let response):
                error = statusError(response, method: "POST", path: "/oauth/token", secrets: [])
            case .failure(let failure):
                error = failure.error
            }
            guard error.isRetriable, attempt < configuration.maxAttempts else { throw error }
            Thread.sleep(forTimeInterval: Self.retryDelay(attempt: attempt, base: configuration.retryDelay,
                                                          maximum: configuration.maxRetryDelay))
            attempt += 1
        }
    }

    /// The error for a non-2xx answer: 5xx and 429 retriable, other 4xx terminal.
    func statusError(_ response: HTTPClientResponse, method: String, path: String, secrets: [String]) -> ESMError {
        let reason = reason(in: response, secrets: secrets)
        let suffix = reason.map { ": \($0)" } ?? ""
        switch response.status {
        case 500...599, 429:
            return ESMError(.serverError, status: response.status,
                            message: "the ESM answered \(method) \(path) with HTTP \(response.status)\(suffix)", esmReason: reason)
        case 400...499:
            return ESMError(.clientError, status: response.status,
                            message: "the ESM refused \(method) \(path) with HTTP \(response.status)\(suffix)", esmReason: reason)
        default:
            return ESMError(.invalidResponse, status: response.status,
                            message: "the ESM answered \(method) \(path) with unexpected HTTP \(response.status)")
        }
    }

    /// The ESM's own words: a JSON `message`, `error_description` or `error` field, else the body
    /// text; at most 300 characters, secrets removed.
    func reason(in response: HTTPClientResponse, secrets: [String]) -> String? {
        var text: String?
        if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] {
            text = ["message", "error_description", "error", "reason"].lazy.compactMap { object[$0] as? String }.first
        }
        if text == nil, !response.body.isEmpty, let body = String(validating: response.body, as: UTF8.self) {
            text = body
        }
        guard let raw = text?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
        let printable = String(raw.unicodeScalars.map { $0.value < 0x20 ? " " : Character($0) })
        return scrub(String(printable.prefix(300)), secrets: secrets)
    }

    /// `text` with the client secret and the given tokens replaced by `***`.
    func scrub(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in [configuration.clientSecret] + secrets where secret.count >= 4 {
            result = result.replacingOccurrences(of: secret, with: "***")
        }
        return result
    }

    static func formEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "").replacingOccurrences(of: "%20", with: "+")
    }
}

private struct TokenAnswer: Decodable {
    let access_token: String
    let expires_in: Int?
}
