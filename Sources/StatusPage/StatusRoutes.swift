import API
import Accounts
import Foundation
import HTTPServer
import Observability
import Postgres
import Trading

/// The status page at `/` and its login: `GET /` (the page, or 303 to the login form),
/// `GET /login`, `POST /login` (an API token of the organisation, any role, with the `trading`
/// scope; kept in an `HttpOnly`, `SameSite=Strict` cookie) and `POST /logout`. Every answer is
/// HTML, errors included.
public struct StatusRoutes: APIRoutes {
    let authenticator: Authenticator
    let reporter: StatusReporter
    let logger: Logger

    public init(pool: PostgresPool, authenticator: Authenticator, queues: QueueStatistics, maximumBuckets: Int,
                logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.authenticator = authenticator
        self.logger = logger
        reporter = StatusReporter(pool: pool, queues: queues, maximumBuckets: maximumBuckets, now: now)
    }

    public func register(on router: inout Router) {
        let routes = self
        router.get("/") { request in routes.page(request) }
        router.get("/login") { request in routes.loginForm(request) }
        router.post("/login") { request in routes.login(request) }
        router.post("/logout") { request in routes.logout(request) }
    }

    func page(_ request: Request) -> Response {
        guard let token = StatusSession.cookie(StatusSession.tokenCookie, in: request), StatusSession.isPlausibleToken(token) else {
            return HTMLPage.redirect(to: "/login")
        }
        do {
            guard let principal = try authenticator.principal(for: token) else {
                return HTMLPage.redirect(to: "/login", cookies: [clearedToken(request)])
            }
            guard principal.scopes.contains(.trading) else {
                return message("This token has no trading scope", "Sign in with a token issued with --scopes trading.", status: 403,
                               cookies: [clearedToken(request)])
            }
            // The page needs the CSRF cookie for its sign-out form; a session from before one was set gets one now.
            var cookies: [String] = []
            let csrf = try StatusSession.cookie(StatusSession.csrfCookie, in: request) ?? {
                let fresh = try StatusSession.newCSRFToken()
                cookies.append(StatusSession.setCookie(StatusSession.csrfCookie, fresh, maxAge: StatusSession.lifetimeSeconds, request: request))
                return fresh
            }()
            var query: [String: String] = [:]
            for pair in request.query.pairs where query[pair.name] == nil { query[pair.name] = pair.value }
            let report = try reporter.report(for: principal, chart: StatusReporter.chartRequest(query))
            return HTMLPage.response(StatusPageHTML.render(report, csrf: csrf), cookies: cookies)
        } catch {
            return failed("The status could not be read", error, request)
        }
    }

    func loginForm(_ request: Request, failure: String? = nil, status: Int = 200) -> Response {
        do {
            let existing = StatusSession.cookie(StatusSession.csrfCookie, in: request).flatMap { $0.count == 64 ? $0 : nil }
            let csrf = try existing ?? StatusSession.newCSRFToken()
            let cookies = existing == nil
                ? [StatusSession.setCookie(StatusSession.csrfCookie, csrf, maxAge: StatusSession.lifetimeSeconds, request: request)] : []
            return HTMLPage.response(LoginPageHTML.render(csrf: csrf, failure: failure), status: status, cookies: cookies)
        } catch {
            return failed("The login form could not be made", error, request)
        }
    }

    func login(_ request: Request) -> Response {
        guard let form = try? QueryParameters(decoding: String(decoding: request.body, as: UTF8.self)),
              StatusSession.isSameOriginPost(request, form: form) else {
            return loginForm(request, failure: "The form expired or came from another site; please sign in again.", status: 403)
        }
        let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard StatusSession.isPlausibleToken(token) else {
            return loginForm(request, failure: "Paste an API token (tdt_…).", status: 401)
        }
        do {
            guard let principal = try authenticator.principal(for: token) else {
                return loginForm(request, failure: "That token is unknown, expired or revoked.", status: 401)
            }
            guard principal.scopes.contains(.trading) else {
                return loginForm(request, failure: "That token has no trading scope.", status: 403)
            }
            return HTMLPage.redirect(to: "/", cookies: [
                StatusSession.setCookie(StatusSession.tokenCookie, token, maxAge: StatusSession.lifetimeSeconds, request: request),
            ])
        } catch {
            return failed("Signing in failed", error, request)
        }
    }

    func logout(_ request: Request) -> Response {
        guard let form = try? QueryParameters(decoding: String(decoding: request.body, as: UTF8.self)),
              StatusSession.isSameOriginPost(request, form: form) else {
            return message("Not signed out", "The form expired or came from another site.", status: 403)
        }
        return HTMLPage.redirect(to: "/login", cookies: [clearedToken(request)])
    }

    /// A 503 page; what went wrong goes to the log under the request id, not to the page.
    private func failed(_ title: String, _ error: any Error, _ request: Request) -> Response {
        logger.error("status page failed", ["request.id": request.requestID, "error": String(reflecting: error)])
        return message(title, "The daemon's log has the details (request id \(request.requestID)).", status: 503)
    }

    private func clearedToken(_ request: Request) -> String {
        StatusSession.setCookie(StatusSession.tokenCookie, "", maxAge: 0, request: request)
    }

    private func message(_ title: String, _ detail: String, status: Int, cookies: [String] = []) -> Response {
        let e = HTMLPage.escape
        let body = "<div class=\"login\"><h2 class=\"error\">\(e(title))</h2><p>\(e(detail))</p><p><a href=\"/login\">Sign in</a></p></div>"
        return HTMLPage.response(HTMLPage.document(title: "tradingd · \(title)", body: body, refreshes: false), status: status,
                                 cookies: cookies)
    }
}

/// The login form: one password field for the API token, and the CSRF field.
enum LoginPageHTML {
    static func render(csrf: String, failure: String?) -> String {
        let e = HTMLPage.escape
        let error = failure.map { "<p class=\"error\" id=\"login-error\">\(e($0))</p>" } ?? ""
        let body = """
            <form class="login" method="post" action="/login"><h2>tradingd status</h2>\(error)
            <label for="token">API token of your organisation (any role, trading scope)</label>
            <input type="password" id="token" name="token" autocomplete="current-password" required autofocus>
            <input type="hidden" name="csrf" value="\(e(csrf))">
            <button type="submit">Sign in</button>
            <p class="muted">The token is kept in a cookie this page's scripts cannot read, sent only to this site.</p></form>
            """
        return HTMLPage.document(title: "tradingd · sign in", body: body, refreshes: false)
    }
}
