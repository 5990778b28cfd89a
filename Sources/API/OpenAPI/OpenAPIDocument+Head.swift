extension OpenAPIDocument {
    /// What the whole document shares: the version, the title and the conventions that hold for
    /// every family (timestamps, errors outside a route, limits of the listener).
    public static let head = OpenAPIFragment("head", json: #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "tradingd",
        "version": "1",
        "summary": "Plant telemetry, ESM trading, purchase schedules, customer data and prepaid vend APIs of tradingd.",
        "description": "Every route tradingd serves, one family per tag. Each family keeps the request, response and error shapes of the document its existing clients rely on; its error envelope and its security scheme are in components (`Trading...`, `Plain...`, and one set per family).\n\n**Errors under a family's prefix.** Every response under a family's prefix uses that family's error envelope, including the answers of the HTTP listener itself: 400 (a request the parser refuses, such as a malformed percent-encoding), 404 (no such path), 405 (no such method; `Allow` lists the methods), 408 (the request did not arrive in time), 413 (body larger than the listener's limit, `TRADINGD_HTTP_MAX_BODY_BYTES`, 4 MiB by default), 417 (an `Expect` other than `100-continue`), 431 (request head too large), 501 (a transfer coding other than chunked) and 505 (an HTTP major version other than 1). A request that cannot be attributed to a path at all (no request line) gets the plain envelope `{\"code\", \"error\"}`. `503 SERVER_BUSY` (the worker queue is full) and `503 HANDLER_TIMEOUT` (the request took longer than the handler budget) can answer any route that runs on the worker pool.\n\n**HTTP.** HTTP/1.1 and HTTP/1.0; a request with a higher HTTP/1 minor version (HTTP/1.2) is processed as HTTP/1.1 (RFC 9112 section 2.3).\n\n**Timestamps.** Every timestamp tradingd writes in the trading family is RFC 3339 in UTC with exactly three fraction digits (`2026-12-02T18:00:00.000Z`); other families keep their seed's format, stated on their schemas.\n\n**JSON bodies.** UTF-8, at most the listener's body limit; an object that repeats a key is refused with a 400 naming the key."
      },
      "servers": [{"url": "/", "description": "This tradingd (behind the reverse proxy that terminates TLS)."}]
    }
    """#)
}
