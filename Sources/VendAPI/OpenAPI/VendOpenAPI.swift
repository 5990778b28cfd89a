import API

/// The vend family's part of `/openapi.json` (seed `001_6ec9c33cd8b71e15.txt`, docs/VEND.md).
extension VendRoutes {
    public var openAPI: [OpenAPIFragment] { [Self.componentsFragment, Self.receiptFragment, Self.pathsFragment] }

    /// The security scheme, the error bodies and the request bodies.
    static let componentsFragment = OpenAPIFragment("vend/components", json: #"""
    {
      "tags": [
        {"name": "Vend", "description": "Prepaid electricity vending (seed 001). Errors use the seed's shapes: `{\"result\": \"FAILED\", \"message\", \"type\": null}`, 401 `{\"message\": \"Unauthenticated.\"}`, and the provider failure `{\"results\": \"FAILED\", \"message\", \"details\"}`. Dates are `YYYY-MM-DD HH:MM:SS` in the configured zone (Africa/Gaborone). Unknown body fields are ignored, but a body that repeats a key, holds U+0000 or nests deeper than 16 levels is refused like one that lacks a field. The listener's own answers under the vend paths (a path or query that does not decode, an unknown path 404, 405 with `Allow`, 408, 413, 417, 431, 501, 505) use the `{\"result\": \"FAILED\", \"message\", \"type\": null}` shape too."}
      ],
      "components": {
        "securitySchemes": {
          "vendApiToken": {"type": "http", "scheme": "bearer", "description": "An api_token from login or verify-customer (`vat_` and 64 hex digits)."}
        },
        "schemas": {
          "VendRefused": {
            "type": "object", "required": ["result", "message", "type"], "additionalProperties": false,
            "properties": {"result": {"const": "FAILED"}, "message": {"type": "string"}, "type": {"type": "null"}},
            "example": {"result": "FAILED", "message": "Please provide required fields or provide amount as interger.", "type": null}
          },
          "VendUnauthenticated": {
            "type": "object", "required": ["message"], "additionalProperties": false,
            "properties": {"message": {"const": "Unauthenticated."}}
          },
          "VendProviderFailed": {
            "type": "object", "required": ["results", "message", "details"], "additionalProperties": false,
            "properties": {"results": {"const": "FAILED"}, "message": {"type": "string"}, "details": {"type": "string"}},
            "example": {"results": "FAILED", "message": "Blueprintelectricity experinced an error while purchasing electricity. Please try again later.", "details": "Blocked customer"}
          },
          "VendPending": {
            "type": "object", "required": ["results", "message", "type", "transID", "status"], "additionalProperties": false,
            "properties": {"results": {"const": "PENDING"}, "message": {"type": "string"}, "type": {"type": "null"},
                           "transID": {"type": "string"}, "status": {"enum": ["pending", "unknown"]}}
          },
          "VendAmount": {
            "description": "A whole amount of at least 10.00 and at most the deployment's maximum (`TRADINGD_VEND_MAXIMUM_AMOUNT`, 5,000 by default), as a number or a numeric string; a fraction is refused, never rounded.",
            "oneOf": [{"type": "number", "minimum": 10, "multipleOf": 1}, {"type": "string", "pattern": "^[0-9]+(\\.0+)?$"}]
          },
          "VendTransID": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[!-.0-~]+$"},
          "VendMeterNumber": {"type": "string", "pattern": "^([0-9]{11}|[0-9]{13})$", "description": "STS meter number; the last digit is the Luhn check digit (a number that fails it is a 400, unless the deployment exempts it: `TRADINGD_VEND_LUHN_EXEMPT_METERS`)."},
          "VendCredential": {"type": "string", "minLength": 1, "pattern": "^[^\\u0000]+$"},
          "VendLoginRequest": {
            "type": "object", "required": ["email", "password"], "propertyNames": {"pattern": "^[^\\u0000]*$"}, "additionalProperties": {"$ref": "#/components/schemas/PlainJSONValue"},
            "properties": {"email": {"$ref": "#/components/schemas/VendCredential"}, "password": {"$ref": "#/components/schemas/VendCredential"}},
            "example": {"email": "user@example.com", "password": "password123"}
          },
          "VendVerifyRequest": {
            "type": "object", "required": ["transID", "meterNumber", "amount", "email", "password"],
            "propertyNames": {"pattern": "^[^\\u0000]*$"}, "additionalProperties": {"$ref": "#/components/schemas/PlainJSONValue"},
            "properties": {"transID": {"$ref": "#/components/schemas/VendTransID"}, "meterNumber": {"$ref": "#/components/schemas/VendMeterNumber"},
                           "amount": {"$ref": "#/components/schemas/VendAmount"}, "email": {"$ref": "#/components/schemas/VendCredential"},
                           "password": {"$ref": "#/components/schemas/VendCredential"}},
            "example": {"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "email": "user@example.com", "password": "password123"}
          },
          "VendBuyRequest": {
            "type": "object", "required": ["transID", "meterNumber", "amount", "elec_token"],
            "propertyNames": {"pattern": "^[^\\u0000]*$"}, "additionalProperties": {"$ref": "#/components/schemas/PlainJSONValue"},
            "properties": {"transID": {"$ref": "#/components/schemas/VendTransID"}, "meterNumber": {"$ref": "#/components/schemas/VendMeterNumber"},
                           "amount": {"$ref": "#/components/schemas/VendAmount"}, "elec_token": {"$ref": "#/components/schemas/VendCredential"}},
            "example": {"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "elec_token": "vet_…"}
          },
          "VendLoggedIn": {
            "type": "object", "required": ["result", "message", "api_token", "token_type", "expires_at", "user"], "additionalProperties": false,
            "properties": {"result": {"const": "SUCCESS"}, "message": {"type": "null"}, "api_token": {"type": "string"},
                           "token_type": {"const": "Bearer"}, "expires_at": {"type": "string"},
                           "user": {"type": "object", "required": ["name", "email"], "properties": {"name": {"type": "string"}, "email": {"type": "string"}}}}
          },
          "VendVerified": {
            "type": "object", "additionalProperties": false,
            "required": ["result", "message", "api_token", "elec_token", "elec_token_expires_at", "transID", "amount", "customer_name",
                         "customer_account_no", "tariff_name", "meter_details"],
            "properties": {"result": {"const": "SUCCESS"}, "message": {"type": "null"}, "api_token": {"type": "string"},
                           "elec_token": {"type": "string"}, "elec_token_expires_at": {"type": "string"}, "transID": {"type": "string"},
                           "amount": {"type": "string"}, "customer_name": {"type": "string"}, "customer_account_no": {"type": "string"},
                           "tariff_name": {"type": "string"}, "meter_details": {"$ref": "#/components/schemas/VendMeterDetails"}}
          }
        },
        "responses": {
          "VendRefused": {"description": "Refused (the message says why).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendRefused"}}}},
          "VendPayloadTooLarge": {"description": "The body is larger than the listener's limit (`TRADINGD_HTTP_MAX_BODY_BYTES`, 4 MiB by default).",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendRefused"}}}},
          "VendServerError": {"description": "A failure tradingd did not expect (`Internal server error.`), such as its database being unreachable; the details are in its log under the response's `X-Request-Id`.",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendRefused"}}}},
          "VendServiceUnavailable": {"description": "The worker queue is full or the request took longer than the handler budget: retry later (a purchase by the same transID is answered from its record).",
                                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendRefused"}}}},
          "VendUnauthenticated": {"description": "No valid api_token.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendUnauthenticated"}}}},
          "VendThrottled": {"description": "Too many failed logins for this account or address; `Retry-After` says for how long.",
                            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendRefused"}}}}
        }
      }
    }
    """#)
}
