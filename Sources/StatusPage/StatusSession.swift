import Crypto
import HTTPServer

/// The status page's session: the API token the operator typed into the login form, kept in a
/// cookie the page's scripts cannot read (`HttpOnly`) and that no other site's page can make the
/// browser send (`SameSite=Strict`), and a CSRF token every form posts back.
///
/// CSRF defence in depth: besides SameSite, each POST must carry the `csrf` field equal to the
/// `tradingd_csrf` cookie (a double submit: another origin can neither read the cookie nor set
/// it), and its `Origin`, when the browser sends one, must name this host.
enum StatusSession {
    static let tokenCookie = "tradingd_token"
    static let csrfCookie = "tradingd_csrf"
    /// How long a login lasts; the token's own expiry and revocation apply too.
    static let lifetimeSeconds = 12 * 3600

    /// The value of cookie `name` in the request's `Cookie` headers (RFC 6265 §5.4 syntax).
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers.values(for: "Cookie") {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
                let value = trimmed[trimmed.index(after: equals)...]
                return value.isEmpty ? nil : String(value)
            }
        }
        return nil
    }

    /// A `Set-Cookie` value; `Secure` when the request came through a TLS proxy.
    static func setCookie(_ name: String, _ value: String, maxAge: Int, request: Request) -> String {
        var text = "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
        if request.headers["X-Forwarded-Proto"]?.lowercased() == "https" { text += "; Secure" }
        return text
    }

    /// A fresh CSRF token: 32 random bytes as hex (cookie-safe characters only).
    static func newCSRFToken() throws -> String {
        Hex.encode(try SecureRandom.bytes(count: 32))
    }

    /// Whether a POST may act: the form's `csrf` equals the cookie, and the `Origin` (when sent)
    /// is this host.
    static func isSameOriginPost(_ request: Request, form: QueryParameters) -> Bool {
        guard let cookie = cookie(csrfCookie, in: request), let field = form["csrf"], cookie.count == 64,
              ConstantTime.equals(cookie, field) else { return false }
        guard let origin = request.headers["Origin"] else { return true }
        guard let host = request.headers["Host"], let schemeEnd = origin.range(of: "://") else { return false }
        return origin[schemeEnd.upperBound...].lowercased() == host.lowercased()
    }

    /// Characters a token may have; anything else in a cookie or form value is refused before any lookup.
    static func isPlausibleToken(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 200 && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D
        }
    }
}
