import Foundation

extension ESMClient {
    /// `POST {base}/oauth/token` with `grant_type=client_credentials` and the credentials in an
    /// HTTP Basic header (RFC 6749 §2.3.1: each form-encoded first). Retried on transport
    /// failures and 5xx; a 400/401 means the credentials are wrong.
    func fetchToken(until deadline: ContinuousClock.Instant) throws(ESMError) -> (value: String, lifetime: Duration) {
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
            switch exchange(method: "POST", path: "/oauth/token", headers: headers, body: body, secrets: [], until: deadline) {
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
            guard error.isRetriable, attempt < configuration.maxAttempts,
                  backOff(after: attempt, error: error, path: "/oauth/token", until: deadline) else { throw error }
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
    /// text; secrets removed first (in every form the client sends them), then cut to 300
    /// characters, so a secret across the cut cannot survive in part.
    func reason(in response: HTTPClientResponse, secrets: [String]) -> String? {
        var text: String?
        if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] {
            text = ["message", "error_description", "error", "reason"].lazy.compactMap { object[$0] as? String }.first
        }
        if text == nil, !response.body.isEmpty, let body = String(validating: response.body.prefix(64 * 1024), as: UTF8.self) {
            text = body
        }
        guard let raw = text?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
        let printable = String(raw.unicodeScalars.map { $0.value < 0x20 ? " " : Character($0) })
        return String(scrub(printable, secrets: secrets).prefix(300))
    }

    /// `text` with the client secret and the given tokens replaced by `***`: as they are, and in
    /// the forms the client sends them in (form-encoded, percent-encoded, base64, and the Basic
    /// credentials `base64(id:secret)`), since an ESM may echo a header or a form back.
    func scrub(_ text: String, secrets: [String]) -> String {
        var forms: [String] = []
        for secret in [configuration.clientSecret] + secrets where secret.count >= 4 {
            forms += [secret, Self.formEncode(secret), Self.percentEncode(secret), Data(secret.utf8).base64EncodedString()]
        }
        let basic = Self.formEncode(configuration.clientID) + ":" + Self.formEncode(configuration.clientSecret)
        forms.append(Data(basic.utf8).base64EncodedString())
        var result = text
        // Longest first, so a shorter form inside a longer one does not leave the rest behind.
        for form in Set(forms).sorted(by: { $0.count > $1.count }) where form.count >= 4 {
            result = result.replacingOccurrences(of: form, with: "***", options: [.caseInsensitive])
        }
        return result
    }

    /// Every byte outside the unreserved set percent-encoded (as in a query string).
    static func percentEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
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
