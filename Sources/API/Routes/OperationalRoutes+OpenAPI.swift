extension OperationalRoutes {
    public var openAPI: [OpenAPIFragment] { [Self.fragment] }

    /// `/healthz`, `/readyz`, `/metrics`, and the plain envelope of answers outside every family.
    static let fragment = OpenAPIFragment("operational", json: #"""
    {
      "tags": [
        {"name": "Operational", "description": "Probes and metrics: unauthenticated, outside every family; errors use the plain envelope `{\"code\", \"error\"}`."}
      ],
      "paths": {
        "/healthz": {
          "get": {
            "operationId": "getHealth",
            "tags": ["Operational"],
            "summary": "Liveness: the process answers",
            "description": "Answered on the event loop, never queued behind busy handlers.",
            "security": [],
            "responses": {
              "200": {
                "description": "The process is alive.",
                "content": {"application/json": {
                  "schema": {"type": "object", "required": ["status"], "additionalProperties": false,
                             "properties": {"status": {"const": "ok"}}},
                  "example": {"status": "ok"}
                }}
              },
              "400": {"$ref": "#/components/responses/PlainBadRequest"}
            }
          }
        },
        "/readyz": {
          "get": {
            "operationId": "getReadiness",
            "tags": ["Operational"],
            "summary": "Readiness: PostgreSQL and RabbitMQ reachable",
            "security": [],
            "responses": {
              "200": {
                "description": "Both dependencies answer.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"},
                                                  "example": {"postgres": "ok", "rabbitmq": "ok", "status": "ready"}}}
              },
              "400": {"$ref": "#/components/responses/PlainBadRequest"},
              "503": {
                "description": "A dependency is unreachable (`status: unavailable`), or the worker queue is full or the check took too long (plain envelope).",
                "content": {"application/json": {"schema": {"oneOf": [
                  {"$ref": "#/components/schemas/Readiness"},
                  {"$ref": "#/components/schemas/PlainError"}
                ]}}}
              }
            }
          }
        },
        "/metrics": {
          "get": {
            "operationId": "getMetrics",
            "tags": ["Operational"],
            "summary": "Prometheus metrics",
            "description": "HTTP, ingest and relay metrics in the Prometheus text format 0.0.4.",
            "security": [],
            "responses": {
              "200": {
                "description": "The metrics.",
                "content": {"text/plain": {"schema": {"type": "string"}}}
              },
              "400": {"$ref": "#/components/responses/PlainBadRequest"},
              "503": {"$ref": "#/components/responses/PlainServiceUnavailable"}
            }
          }
        }
      },
      "components": {
        "schemas": {
          "Readiness": {
            "type": "object",
            "required": ["status", "postgres", "rabbitmq"],
            "additionalProperties": false,
            "properties": {
              "status": {"enum": ["ready", "unavailable"]},
              "postgres": {"enum": ["ok", "unreachable"]},
              "rabbitmq": {"enum": ["ok", "unreachable"]}
            }
          },
          "PlainJSONValue": {
            "description": "Any JSON value without U+0000 in a string or a member name: tradingd's JSON reader refuses U+0000 (PostgreSQL text cannot hold it) with a 400, wherever it is in a body.",
            "anyOf": [
              {"type": ["null", "boolean", "number"]},
              {"type": "string", "pattern": "^[^\\u0000]*$"},
              {"type": "array", "items": {"$ref": "#/components/schemas/PlainJSONValue"}},
              {"type": "object", "propertyNames": {"pattern": "^[^\\u0000]*$"}, "additionalProperties": {"$ref": "#/components/schemas/PlainJSONValue"}}
            ]
          },
          "PlainError": {
            "type": "object",
            "description": "The envelope of answers outside every family: `error` is the message.",
            "required": ["code", "error"],
            "properties": {
              "code": {"type": "string", "enum": ["BAD_REQUEST", "INVALID_PATH", "INVALID_QUERY", "NOT_FOUND", "METHOD_NOT_ALLOWED", "REQUEST_TIMEOUT", "PAYLOAD_TOO_LARGE", "EXPECTATION_FAILED", "HEADERS_TOO_LARGE", "NOT_IMPLEMENTED", "HTTP_VERSION_NOT_SUPPORTED", "SERVER_BUSY", "HANDLER_TIMEOUT", "INTERNAL_ERROR"]},
              "error": {"type": "string"},
              "details": {}
            },
            "example": {"code": "NOT_FOUND", "error": "Not found"}
          }
        },
        "responses": {
          "PlainBadRequest": {
            "description": "`BAD_REQUEST`: the request target (path or query string) does not decode; `INVALID_PATH`, `INVALID_QUERY`: the path or the query string decodes to NUL, CR or LF.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlainError"}}}
          },
          "PlainServiceUnavailable": {
            "description": "`SERVER_BUSY` (the worker queue is full) or `HANDLER_TIMEOUT` (the handler overran its budget).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlainError"}}}
          }
        }
      }
    }
    """#)
}
