import API

extension SalesHistoryRoutes {
    /// Seed 002's part of `/openapi.json` (docs/CUSTOMER-DATA.md says what the seed leaves open).
    public var openAPI: [OpenAPIFragment] { [Self.openAPIFragment] }

    static let openAPIFragment = OpenAPIFragment("customer-data/sales-history", json: #"""
    {
      "tags": [{"name": "Sales history", "description": "Seed 002: a user's sales history, merged by (nit, fecha, emc), never replaced. Errors are `{\"error\": \"...\"}` in Spanish."}],
      "paths": {
        "/update-user-sales-history": {
          "post": {
            "operationId": "updateUserSalesHistory", "tags": ["Sales history"],
            "summary": "Actualizar historial de compras de un usuario",
            "description": "Merges `history` into the user's: an item whose (nit, fecha, emc) is stored updates its monto, the others are added, nothing is removed; the same request again changes nothing. `nit` is normalised (dots, spaces and the hyphen before the check digit removed; a check digit after a hyphen verified with DIAN's modulo-11 rule), `monto` is exact (at most 4 decimals), `fecha` is ISO 8601 (a value without offset is read in the organisation's zone, default America/Bogota). Answers the whole profile with the history ordered by fecha.",
            "security": [{"loyaltyBearer": []}],
            "requestBody": {"required": true, "content": {"application/json": {
              "schema": {"$ref": "#/components/schemas/SalesHistoryUpdate"},
              "example": {"user_id": "3f1c2a9e-8d4b-4f6a-9c1e-2b7d5e8a0f13", "history": [{"nit": "900.373.923-8", "monto": 15000.50, "fecha": "2024-03-15", "emc": "Postobón"}]}
            }}},
            "responses": {
              "200": {"description": "The user's whole profile after the merge.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SalesHistoryProfile"}}},
                      "links": {"GetUser": {"operationId": "getUser", "parameters": {"id": "$response.body#/id"}}}},
              "400": {"$ref": "#/components/responses/SalesHistoryBadRequest"},
              "401": {"$ref": "#/components/responses/SalesHistoryUnauthorized"},
              "403": {"$ref": "#/components/responses/SalesHistoryForbidden"},
              "404": {"$ref": "#/components/responses/SalesHistoryNotFound"},
              "500": {"$ref": "#/components/responses/SalesHistoryServerError"}
            }
          }
        },
        "/users/{id}": {
          "get": {
            "operationId": "getUser", "tags": ["Sales history"],
            "summary": "A user's profile and sales history",
            "description": "The same profile `POST /update-user-sales-history` answers.",
            "security": [{"loyaltyBearer": []}],
            "parameters": [{"name": "id", "in": "path", "required": true, "description": "The user's id.", "schema": {"type": "string", "format": "uuid"}, "example": "3f1c2a9e-8d4b-4f6a-9c1e-2b7d5e8a0f13"}],
            "responses": {
              "200": {"description": "The user's whole profile.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SalesHistoryProfile"}}}},
              "400": {"$ref": "#/components/responses/SalesHistoryBadRequest"},
              "401": {"$ref": "#/components/responses/SalesHistoryUnauthorized"},
              "403": {"$ref": "#/components/responses/SalesHistoryForbidden"},
              "404": {"$ref": "#/components/responses/SalesHistoryNotFound"},
              "500": {"$ref": "#/components/responses/SalesHistoryServerError"}
            }
          }
        }
      },
      "components": {
        "securitySchemes": {
          "loyaltyBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "tdt_ followed by 64 hex digits",
                            "description": "An API token of the user's organisation with the `loyalty` scope (`tradingd token create --scopes loyalty`)."}
        },
        "schemas": {
          "SalesHistoryUpdate": {
            "type": "object", "required": ["user_id"], "additionalProperties": false,
            "properties": {
              "user_id": {"type": "string", "format": "uuid"},
              "history": {"type": ["array", "null"], "maxItems": 1000, "items": {"$ref": "#/components/schemas/SalesHistoryItem"}}
            }
          },
          "SalesHistoryItem": {
            "type": "object", "required": ["nit", "monto", "fecha", "emc"], "additionalProperties": false,
            "properties": {
              "nit": {"type": "string", "description": "NIT or identification number; `900.373.923-8`, `900373923-8` and `9003739238` are the same."},
              "monto": {"type": "number", "minimum": 0, "description": "Exact; at most 4 decimals and 15 integer digits."},
              "fecha": {"type": "string", "description": "ISO 8601 date or date-time, with or without offset."},
              "emc": {"type": "string", "minLength": 1, "maxLength": 200}
            }
          },
          "SalesHistoryProfile": {
            "type": "object",
            "required": ["id", "image", "name", "lastname", "business_name", "quota", "status", "phone", "email", "nit", "address", "history", "score", "payment_data", "apn_token", "ecosystem", "business_entity", "additional_data"],
            "additionalProperties": false,
            "properties": {
              "id": {"type": "string", "format": "uuid"},
              "image": {"type": ["string", "null"]}, "name": {"type": ["string", "null"]}, "lastname": {"type": ["string", "null"]},
              "business_name": {"type": ["string", "null"]}, "quota": {"type": ["number", "null"]}, "status": {"type": "string"},
              "phone": {"type": ["string", "null"]}, "email": {"type": ["string", "null"]}, "nit": {"type": ["string", "null"]},
              "address": {"type": ["string", "null"]},
              "history": {"type": "array", "items": {
                "type": "object", "required": ["nit", "monto", "fecha", "emc"], "additionalProperties": false,
                "properties": {"nit": {"type": "string", "pattern": "^[0-9]{3,16}$"}, "monto": {"type": "number"},
                               "fecha": {"type": "string", "format": "date-time", "description": "In the organisation's zone, with its offset."},
                               "emc": {"type": "string"}}}},
              "score": {"type": ["number", "null"]}, "payment_data": {"type": "object"}, "apn_token": {"type": ["string", "null"]},
              "ecosystem": {"type": ["string", "null"]}, "business_entity": {"type": ["string", "null"]}, "additional_data": {"type": "object"}
            }
          },
          "CustomerDataError": {
            "type": "object", "required": ["error"], "additionalProperties": false,
            "properties": {"error": {"type": "string"}}
          }
        },
        "responses": {
          "SalesHistoryBadRequest": {"description": "Malformed JSON, a wrong type, a non-UUID user_id or an item that breaks a rule; the message names the item index and field.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"},
              "example": {"error": "history[2].monto: debe ser un número (por ejemplo 15000.50), no un texto ni otro tipo."}}}},
          "SalesHistoryUnauthorized": {"description": "No bearer token, or one that is unknown, expired or revoked.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"}}}},
          "SalesHistoryForbidden": {"description": "The token has no `loyalty` scope.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"}}}},
          "SalesHistoryNotFound": {"description": "The organisation has no user with that id.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"}}}},
          "SalesHistoryServerError": {"description": "Error interno del servidor.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"}}}}
        }
      }
    }
    """#)
}
