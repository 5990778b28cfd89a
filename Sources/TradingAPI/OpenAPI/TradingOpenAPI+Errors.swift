import API

extension TradingRoutes {
    /// The trading envelope and one response per status, each listing the codes it can carry.
    static let errorsFragment = OpenAPIFragment("trading/errors", json: #"""
    {
      "components": {
        "schemas": {
          "TradingError": {
            "type": "object",
            "description": "The trading envelope. `error` is the reason phrase of `statusCode`, which is the real HTTP status (the seed's constant 400 is a documentation slip). `details` carries `field` for a parameter, `violations` (each with `field`, `message` and, for a time block, `index`) for a body, `esmCode`/`esmStatus` for an ESM failure. Codes by status: 400 `BAD_REQUEST`, `INVALID_UUID`, `VALIDATION_ERROR`, `TRADING_CONFIG_INCOMPLETE`, `ESM_NOT_CONFIGURED`, `TRADING_NOT_ENABLED`, `INVALID_PATH`, `INVALID_QUERY`; 401 `UNAUTHORIZED`; 403 `FORBIDDEN`; 404 `PLANT_NOT_FOUND`, `NO_TELEMETRY`, `NOT_FOUND` (no such path); 405 `METHOD_NOT_ALLOWED`; 408 `REQUEST_TIMEOUT`; 413 `PAYLOAD_TOO_LARGE`; 417 `EXPECTATION_FAILED`; 431 `HEADERS_TOO_LARGE`; 500 `INTERNAL_SERVER_ERROR`; 501 `NOT_IMPLEMENTED`; 502 `ESM_UNAVAILABLE`; 503 `BROKER_UNAVAILABLE`, `SERVER_BUSY`, `HANDLER_TIMEOUT`; 505 `HTTP_VERSION_NOT_SUPPORTED`.",
            "required": ["code", "details", "error", "message", "statusCode"],
            "additionalProperties": false,
            "properties": {
              "code": {"type": "string"},
              "details": {"type": "object"},
              "error": {"type": "string"},
              "message": {"type": "string"},
              "statusCode": {"type": "integer", "minimum": 400, "maximum": 599}
            }
          }
        },
        "responses": {
          "TradingBadRequest": {
            "description": "A parameter, the path, the query string or the body breaks a rule. `BAD_REQUEST`: a parameter or plant id (`details.field`), a plant not linked to the ESM, the ESM refusing the request; `INVALID_UUID`: the plant id of `telemetry/latest` (seed); `VALIDATION_ERROR`: a configuration body (`details.violations`); `TRADING_CONFIG_INCOMPLETE`, `ESM_NOT_CONFIGURED`, `TRADING_NOT_ENABLED`: the configuration does not allow the operation yet; `INVALID_PATH`, `INVALID_QUERY`: a path or query string that does not decode.",
            "content": {"application/json": {
              "schema": {"allOf": [{"$ref": "#/components/schemas/TradingError"}, {"properties": {
                "code": {"enum": ["BAD_REQUEST", "INVALID_UUID", "VALIDATION_ERROR", "TRADING_CONFIG_INCOMPLETE", "ESM_NOT_CONFIGURED", "TRADING_NOT_ENABLED", "INVALID_PATH", "INVALID_QUERY"]},
                "statusCode": {"const": 400}, "error": {"const": "Bad Request"}}}]},
              "examples": {
                "badParameter": {"value": {"code": "BAD_REQUEST", "details": {"field": "interval"}, "error": "Bad Request", "message": "interval must be a whole number of minutes from 1 to 60, got \"0\"", "statusCode": 400}},
                "seed": {"value": {"code": "BAD_REQUEST", "details": {}, "error": "Bad Request", "message": "Validation error or invalid UUID", "statusCode": 400}}
              }
            }}
          },
          "TradingUnauthorized": {
            "description": "`UNAUTHORIZED`: no bearer token, or one that is unknown, expired or revoked.",
            "content": {"application/json": {
              "schema": {"allOf": [{"$ref": "#/components/schemas/TradingError"}, {"properties": {
                "code": {"const": "UNAUTHORIZED"}, "statusCode": {"const": 401}, "error": {"const": "Unauthorized"}}}]},
              "example": {"code": "UNAUTHORIZED", "details": {}, "error": "Unauthorized", "message": "Unauthorized", "statusCode": 401}
            }}
          },
          "TradingForbidden": {
            "description": "`FORBIDDEN`: the token lacks the `trading` scope or the role the operation needs.",
            "content": {"application/json": {
              "schema": {"allOf": [{"$ref": "#/components/schemas/TradingError"}, {"properties": {
                "code": {"const": "FORBIDDEN"}, "statusCode": {"const": 403}, "error": {"const": "Forbidden"}}}]},
              "example": {"code": "FORBIDDEN", "details": {}, "error": "Forbidden", "message": "Forbidden", "statusCode": 403}
            }}
          },
          "TradingPlantNotFound": {
            "description": "`PLANT_NOT_FOUND`: no such plant in the caller's organisation (another organisation's plant looks the same).",
            "content": {"application/json": {
              "schema": {"allOf": [{"$ref": "#/components/schemas/TradingError"}, {"properties": {
                "code": {"const": "PLANT_NOT_FOUND"}, "statusCode": {"const": 404}, "error": {"const": "Not Found"}}}]},
              "example": {"code": "PLANT_NOT_FOUND", "details": {}, "error": "Not Found", "message": "Plant not found", "statusCode": 404}
            }}
          },
          "TradingPayloadTooLarge": {
            "description": "`PAYLOAD_TOO_LARGE`: the body is larger than the listener's limit (`TRADINGD_HTTP_MAX_BODY_BYTES`, 4 MiB by default).",
            "content": {"application/json": {
              "schema": {"allOf": [{"$ref": "#/components/schemas/TradingError"}, {"properties": {
                "code": {"const": "PAYLOAD_TOO_LARGE"}, "statusCode": {"const": 413}, "error": {"const": "Content Too Large"}}}]}
            }}
          },
          "TradingServerError": {
            "description": "`INTERNAL_SERVER_ERROR`: a failure tradingd did not expect; the details are in its log under the response's `X-Request-Id`.",
            "content": {"application/json": {
              "schema": {"allOf": [{"$ref": "#/components/schemas/TradingError"}, {"properties": {
                "code": {"const": "INTERNAL_SERVER_ERROR"}, "statusCode": {"const": 500}}}]},
              "example": {"code": "INTERNAL_SERVER_ERROR", "details": {}, "error": "Internal Server Error", "message": "Internal server error", "statusCode": 500}
            }}
          },
          "TradingBadGateway": {
            "description": "`ESM_UNAVAILABLE` (not in the seed): the ESM could not be reached, was too slow, failed (5xx) or refused tradingd's credentials; `details.esmCode` says which.",
            "content": {"application/json": {
              "schema": {"allOf": [{"$ref": "#/components/schemas/TradingError"}, {"properties": {
                "code": {"const": "ESM_UNAVAILABLE"}, "statusCode": {"const": 502}, "error": {"const": "Bad Gateway"}}}]}
            }}
          },
          "TradingServiceUnavailable": {
            "description": "Not in the seed. `BROKER_UNAVAILABLE`: RabbitMQ or its management API failed a step (named in the message); `SERVER_BUSY`: the worker queue is full, retry later; `HANDLER_TIMEOUT`: the request took longer than the handler budget.",
            "content": {"application/json": {
              "schema": {"allOf": [{"$ref": "#/components/schemas/TradingError"}, {"properties": {
                "code": {"enum": ["BROKER_UNAVAILABLE", "SERVER_BUSY", "HANDLER_TIMEOUT"]}, "statusCode": {"const": 503}, "error": {"const": "Service Unavailable"}}}]}
            }}
          },
          "TradingMethodNotAllowed": {
            "description": "`METHOD_NOT_ALLOWED`: the path exists for other methods only (listed in `Allow`).",
            "content": {"application/json": {
              "schema": {"allOf": [{"$ref": "#/components/schemas/TradingError"}, {"properties": {
                "code": {"const": "METHOD_NOT_ALLOWED"}, "statusCode": {"const": 405}}}]}
            }}
          }
        }
      }
    }
    """#)
}
