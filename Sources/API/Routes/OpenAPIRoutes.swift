import HTTPServer

/// `GET /openapi.json`: the merged document of every family, unauthenticated like the probes.
/// The bytes are built once at start-up, so the route answers on the event loop.
public struct OpenAPIRoutes: APIRoutes {
    public let document: OpenAPIDocument

    public init(document: OpenAPIDocument) {
        self.document = document
    }

    /// The document of `families` plus this route's own operation.
    public init(documenting families: [any APIRoutes]) throws {
        try self.init(document: OpenAPIDocument(fragments: families.flatMap(\.openAPI) + OpenAPIRoutes.fragments))
    }

    public func register(on router: inout Router) {
        let body = document.bytes
        router.get("/openapi.json", execution: .eventLoop) { _ in
            Response(status: 200, headers: ["Content-Type": "application/json", "Cache-Control": "no-cache"], body: body)
        }
    }

    public var openAPI: [OpenAPIFragment] { Self.fragments }

    static let fragments = [OpenAPIFragment("operational/openapi", json: #"""
    {
      "paths": {
        "/openapi.json": {
          "get": {
            "operationId": "getOpenAPIDocument",
            "tags": ["Operational"],
            "summary": "This document",
            "description": "The OpenAPI 3.1 document of every route tradingd serves. Unauthenticated.",
            "security": [],
            "responses": {
              "200": {
                "description": "The document.",
                "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "info", "paths"]}}}
              },
              "400": {"$ref": "#/components/responses/PlainBadRequest"}
            }
          }
        }
      }
    }
    """#)]
}
