import API

extension TradingRoutes {
    /// `/config`, `/config/enable`, `/config/disable`, `/connection-details` and the partner
    /// credentials.
    static let configFragment = OpenAPIFragment("trading/config", json: #"""
    {
      "paths": {
        "/api/v1/trading/config": {
          "get": {
            "operationId": "getTradingConfig", "tags": ["Trading"],
            "summary": "Get trading partner configuration for this org",
            "description": "Created `DISABLED`, with the organisation's slug as queue prefix, on first use. Never shows the ESM client secret, only `hasEsmCredentials`. Role: viewer.",
            "security": [{"tradingBearer": []}],
            "responses": {
              "200": {"description": "The configuration.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradingConfig"}}}},
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          },
          "post": {
            "operationId": "updateTradingConfig", "tags": ["Trading"],
            "summary": "Create or update trading partner configuration",
            "description": "Changes the fields given; an absent field stays as it is, `null` clears an optional one (`esmApiUrl`, `esmClientId`, `esmClientSecret`). Clearing one that enabling needs while trading is `ENABLED` disables trading (consumers stopped, queues and partner user deleted), so `status` always says whether the configuration can run. The read-only fields of the GET body are accepted and ignored, so a GET body can be posted back. An update that changes nothing leaves `updatedAt` as it was. Every problem is reported at once in `details.violations`. Role: admin.",
            "security": [{"tradingBearer": []}],
            "requestBody": {"required": true, "content": {"application/json": {
              "schema": {"$ref": "#/components/schemas/TradingConfigUpdate"},
              "example": {"esmApiUrl": "https://esm.example.com/api", "esmClientId": "tradingd", "esmClientSecret": "s3cret", "queuePrefix": "acme-energy"}
            }}},
            "responses": {
              "200": {
                "description": "The configuration after the update.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradingConfig"}}},
                "links": {"GetTradingConfig": {"operationId": "getTradingConfig", "description": "The stored configuration equals the answer."}}
              },
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "413": {"$ref": "#/components/responses/TradingPayloadTooLarge"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        },
        "/api/v1/trading/config/enable": {
          "post": {
            "operationId": "enableTrading", "tags": ["Trading"],
            "summary": "Enable trading (creates AMQP queues)",
            "description": "Declares the organisation's quorum queues and their dead-letter queues, the partner's broker user with permissions on its prefix, and starts the consumers. Idempotent. 400 `TRADING_CONFIG_INCOMPLETE` unless the URL and both credentials are set. Role: admin.",
            "security": [{"tradingBearer": []}],
            "responses": {
              "200": {"description": "The configuration, `ENABLED`.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradingConfig"}}}},
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        },
        "/api/v1/trading/config/disable": {
          "post": {
            "operationId": "disableTrading", "tags": ["Trading"],
            "summary": "Disable trading (removes AMQP queues)",
            "description": "Stops the consumers, deletes the partner user and the queues. Idempotent; disabling a disabled configuration changes nothing (`updatedAt` included). Role: admin.",
            "security": [{"tradingBearer": []}],
            "responses": {
              "200": {"description": "The configuration, `DISABLED`.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradingConfig"}}}},
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        },
        "/api/v1/trading/connection-details": {
          "get": {
            "operationId": "getConnectionDetails", "tags": ["Trading"],
            "summary": "Get AMQP connection details for partner integration",
            "description": "Where and how a partner connects: broker host, port and virtual host (never tradingd's own credentials), the exchange, every queue. Role: viewer.",
            "security": [{"tradingBearer": []}],
            "responses": {
              "200": {"description": "The connection details.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradingConnectionDetails"}}}},
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        },
        "/api/v1/trading/connection-details/credentials": {
          "post": {
            "operationId": "issuePartnerCredentials", "tags": ["Trading"],
            "summary": "Issue the partner's broker password (not in the seed)",
            "description": "A new password each call, shown once (`Cache-Control: no-store`); the previous one stops working. 400 `TRADING_NOT_ENABLED` while trading is disabled. Role: admin.",
            "security": [{"tradingBearer": []}],
            "responses": {
              "200": {"description": "The connection details with `username` and `password`.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradingPartnerCredentials"}}}},
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        }
      },
      "components": {
        "schemas": {
          "TradingConfig": {
            "type": "object",
            "required": ["createdAt", "esmApiUrl", "esmClientId", "hasEsmCredentials", "id", "lastSyncAt", "lastSyncError", "organizationId", "queuePrefix", "status", "updatedAt"],
            "additionalProperties": false,
            "properties": {
              "createdAt": {"$ref": "#/components/schemas/TradingTimestamp"},
              "esmApiUrl": {"type": ["string", "null"], "description": "ESM partner API base URL."},
              "esmClientId": {"type": ["string", "null"], "description": "ESM OAuth client ID."},
              "hasEsmCredentials": {"type": "boolean", "description": "Whether client id and secret are both set."},
              "id": {"type": "string", "format": "uuid"},
              "lastSyncAt": {"oneOf": [{"$ref": "#/components/schemas/TradingTimestamp"}, {"type": "null"}]},
              "lastSyncError": {"type": ["string", "null"]},
              "organizationId": {"type": "string", "format": "uuid"},
              "queuePrefix": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$"},
              "status": {"enum": ["ENABLED", "DISABLED"]},
              "updatedAt": {"$ref": "#/components/schemas/TradingTimestamp"}
            },
            "example": {
              "createdAt": "2019-08-24T14:15:22.000Z", "esmApiUrl": "https://esm.example.com/api", "esmClientId": "tradingd",
              "hasEsmCredentials": true, "id": "497f6eca-6276-4993-bfeb-53cbbbba6f08", "lastSyncAt": "2019-08-24T14:15:22.000Z",
              "lastSyncError": null, "organizationId": "7bc05553-4b68-44e8-b7bc-37be63c6d9e9", "queuePrefix": "acme-energy",
              "status": "ENABLED", "updatedAt": "2019-08-24T14:15:22.000Z"
            }
          },
          "TradingConfigUpdate": {
            "type": "object",
            "additionalProperties": false,
            "description": "Writable fields, plus the configuration's read-only fields, which are accepted with any value and ignored. Other fields are refused. Lengths count Unicode code points; control characters (U+0000-U+001F, U+007F-U+009F) are refused.",
            "properties": {
              "esmApiUrl": {"type": ["string", "null"], "minLength": 1, "maxLength": 2048, "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\u0000-\\u001f\\u007f-\\u009f]+$",
                            "description": "ESM partner API base URL (public http/https only; private, loopback, link-local, and metadata addresses are rejected, also after DNS). Trailing slashes are dropped. `null` clears it."},
              "esmClientId": {"type": ["string", "null"], "minLength": 1, "maxLength": 200, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]+$",
                              "description": "ESM OAuth client ID; `null` clears it."},
              "esmClientSecret": {"type": ["string", "null"], "minLength": 1, "maxLength": 1000, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]+$", "writeOnly": true,
                                  "description": "ESM OAuth client secret (stored encrypted, never shown); `null` clears it."},
              "queuePrefix": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$",
                              "description": "Override queue prefix (defaults to org slug). 2-50 lowercase alphanumeric or hyphens. Only while trading is disabled; `amq` and the names of tradingd's own broker users are reserved."},
              "createdAt": {"description": "Read-only: ignored."},
              "hasEsmCredentials": {"description": "Read-only: ignored."},
              "id": {"description": "Read-only: ignored."},
              "lastSyncAt": {"description": "Read-only: ignored."},
              "lastSyncError": {"description": "Read-only: ignored."},
              "organizationId": {"description": "Read-only: ignored."},
              "status": {"description": "Read-only: ignored (use enable and disable)."},
              "updatedAt": {"description": "Read-only: ignored."}
            }
          },
          "TradingConnectionDetails": {
            "type": "object",
            "required": ["authInstructions", "authMethod", "exchange", "host", "port", "queuePrefix", "queues", "vhost"],
            "properties": {
              "authInstructions": {"type": "string"},
              "authMethod": {"type": "string"},
              "exchange": {"type": "string"},
              "host": {"type": "string"},
              "port": {"type": "integer", "minimum": 1, "maximum": 65535},
              "queuePrefix": {"type": "string"},
              "queues": {"type": "array", "items": {
                "type": "object",
                "required": ["description", "direction", "name", "routingKey"],
                "additionalProperties": false,
                "properties": {
                  "description": {"type": "string"},
                  "direction": {"enum": ["inbound", "outbound"]},
                  "name": {"type": "string"},
                  "routingKey": {"type": "string"}
                }
              }},
              "vhost": {"type": "string"}
            }
          },
          "TradingPartnerCredentials": {
            "allOf": [{"$ref": "#/components/schemas/TradingConnectionDetails"}],
            "required": ["username", "password"],
            "properties": {"username": {"type": "string"}, "password": {"type": "string"}}
          }
        }
      }
    }
    """#)
}
