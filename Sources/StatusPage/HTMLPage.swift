import Crypto
import Foundation
import HTTPServer

/// The frame every status-page response shares: one HTML document with its CSS inline and, for
/// the status page itself, a small refresh script; no external asset of any kind. The
/// Content-Security-Policy allows exactly these two inline blocks (by their SHA-256), so nothing
/// else — an injected script or style included — can run.
enum HTMLPage {
    static let style = """
        :root{color-scheme:light;--ink:#1d2430;--muted:#5b6575;--line:#d9dee6;--ok:#1f7a3f;--bad:#b3261e;--warn:#8a5a00;--bg:#f6f7f9}
        *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
        header{display:flex;align-items:center;gap:16px;padding:10px 20px;background:#15202b;color:#fff}
        header h1{font-size:16px;margin:0;font-weight:600}header .who{margin-left:auto;color:#c9d1dc}
        header form{margin:0}header button{background:#2c3a4a;color:#fff;border:1px solid #44566b;border-radius:4px;padding:3px 10px}
        main{padding:16px 20px;display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:14px}
        section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 14px}
        section.wide{grid-column:1/-1}h2{font-size:14px;margin:0 0 8px}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 6px;border-bottom:1px solid var(--line);vertical-align:top}
        th{color:var(--muted);font-weight:500}td.n{text-align:right;font-variant-numeric:tabular-nums}
        .ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}.muted{color:var(--muted)}
        .badge{display:inline-block;padding:0 8px;border-radius:10px;font-weight:600;font-size:12px;border:1px solid currentColor}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}dt{color:var(--muted)}dd{margin:0}
        form.chart-choice{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin-bottom:8px}
        .chart{width:100%;height:auto;max-height:340px}.chart .plot{fill:#fbfcfd;stroke:var(--line)}
        .chart .grid{stroke:#eceff3}.chart .zero{stroke:#9aa4b2;stroke-dasharray:4 3}.chart .tick,.chart .empty{fill:var(--muted);font-size:11px}
        .chart polyline{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}.chart .dot{stroke-width:0}
        .chart circle.s-soc{fill:#2f6fdb}.chart circle.s-grid{fill:#d9480f}.chart circle.s-pv{fill:#e0a800}
        .s-soc{stroke:#2f6fdb}.s-grid{stroke:#d9480f}.s-pv{stroke:#e0a800}
        .legend span{margin-right:14px}.legend i{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:5px}
        .legend .s-soc{background:#2f6fdb}.legend .s-grid{background:#d9480f}.legend .s-pv{background:#e0a800}
        .login{max-width:420px;margin:60px auto;background:#fff;border:1px solid var(--line);border-radius:6px;padding:20px 24px}
        .login input[type=password]{width:100%;padding:6px;font:inherit;margin:6px 0 12px}
        .login button{padding:6px 16px;font:inherit}.error{color:var(--bad);font-weight:600}
        """

    /// Reloads the page every 30 s while it is visible (the form's choices are in the URL).
    static let refreshScript = """
        setInterval(function(){if(!document.hidden&&!document.querySelector('select:focus'))location.reload();},30000);
        """

    static let contentSecurityPolicy: String = {
        func digest(_ text: String) -> String { Data(SHA256.hash(text)).base64EncodedString() }
        return "default-src 'none'; style-src 'sha256-\(digest(style))'; script-src 'sha256-\(digest(refreshScript))'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }()

    /// A whole document; `refreshes` adds the refresh script.
    static func document(title: String, body: String, refreshes: Bool) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>\(escape(title))</title><style>\(style)</style></head>
        <body>
        \(body)\(refreshes ? "\n<script>\(refreshScript)</script>" : "")
        </body></html>
        """
    }

    /// An HTML response with the page's security headers; never cached (it shows live state).
    static func response(_ html: String, status: Int = 200, cookies: [String] = []) -> Response {
        var headers: HTTPHeaders = [
            "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
            "Content-Security-Policy": contentSecurityPolicy, "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
        ]
        for cookie in cookies { headers.add("Set-Cookie", cookie) }
        return Response(status: status, headers: headers, body: Array(html.utf8))
    }

    /// 303 See Other to `location` (after a form post, so a reload does not post again).
    static func redirect(to location: String, cookies: [String] = []) -> Response {
        var headers: HTTPHeaders = ["Location": location, "Cache-Control": "no-store"]
        for cookie in cookies { headers.add("Set-Cookie", cookie) }
        return Response(status: 303, headers: headers)
    }

    /// Text for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
