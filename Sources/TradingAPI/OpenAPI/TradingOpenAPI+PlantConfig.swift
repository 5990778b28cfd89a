import API

extension TradingRoutes {
    /// A plant's ESM configuration: read, change, validate, and its audit trail.
    static let plantConfigFragment = OpenAPIFragment("trading/plant-config", json: #"""
    {
      "paths": {
        "/api/v1/trading/plants/{plantId}/config": {
          "parameters": [{"$ref": "#/components/parameters/TradingPlantId"}],
          "get": {
            "operationId": "getPlantConfig", "tags": ["Trading"],
            "summary": "Get current plant config from ESM",
            "description": "The configuration the ESM holds for the plant. 400 `BAD_REQUEST` for a plant not linked to the ESM or an organisation without ESM configuration. Role: viewer.",
            "security": [{"tradingBearer": []}],
            "responses": {
              "200": {"description": "The ESM's configuration.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradingPlantConfig"}}}},
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "404": {"$ref": "#/components/responses/TradingPlantNotFound"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "502": {"$ref": "#/components/responses/TradingBadGateway"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          },
          "post": {
            "operationId": "updatePlantConfig", "tags": ["Trading"],
            "summary": "Update plant config via ESM",
            "description": "Checks the blocks locally (at most 96, `HH:MM` times with `to` up to `24:00`, `from < to`, sorted and non-overlapping, `pBatMin <= pBatMax`, `0 <= socMin <= socMax <= 100`; every violation in `details.violations` with its block `index` and `field`), then sends them to the ESM. Every request and answer is recorded in the config log, which is what this answers (`isError` when the ESM refused). The read-only fields of the GET body (`configEnabled`, `esiState`, `plantId`, `version`) are accepted and ignored. Role: operator.",
            "security": [{"tradingBearer": []}],
            "requestBody": {"$ref": "#/components/requestBodies/TradingPlantConfigRequest"},
            "responses": {
              "200": {
                "description": "The config log entry of this request.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradingConfigLogEntry"}}},
                "links": {"GetConfigLog": {"operationId": "getPlantConfigLog", "parameters": {"plantId": "$request.path.plantId"}}}
              },
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "404": {"$ref": "#/components/responses/TradingPlantNotFound"},
              "413": {"$ref": "#/components/responses/TradingPayloadTooLarge"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "502": {"$ref": "#/components/responses/TradingBadGateway"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        },
        "/api/v1/trading/plants/{plantId}/config/validate": {
          "parameters": [{"$ref": "#/components/parameters/TradingPlantId"}],
          "post": {
            "operationId": "validatePlantConfig", "tags": ["Trading"],
            "summary": "Validate plant config (dry-run)",
            "description": "The same as updating with `validateOnly: true`, whatever the body says: the ESM checks the blocks and the plant is never changed. Role: operator.",
            "security": [{"tradingBearer": []}],
            "requestBody": {"$ref": "#/components/requestBodies/TradingPlantConfigRequest"},
            "responses": {
              "200": {
                "description": "The config log entry of this dry run.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradingConfigLogEntry"}}},
                "links": {"GetConfigLog": {"operationId": "getPlantConfigLog", "parameters": {"plantId": "$request.path.plantId"}}}
              },
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "404": {"$ref": "#/components/responses/TradingPlantNotFound"},
              "413": {"$ref": "#/components/responses/TradingPayloadTooLarge"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "502": {"$ref": "#/components/responses/TradingBadGateway"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        },
        "/api/v1/trading/plants/{plantId}/config-log": {
          "parameters": [{"$ref": "#/components/parameters/TradingPlantId"}],
          "get": {
            "operationId": "getPlantConfigLog", "tags": ["Trading"],
            "summary": "Config change audit trail",
            "description": "Newest first, paged. Role: viewer.",
            "security": [{"tradingBearer": []}],
            "parameters": [{"$ref": "#/components/parameters/TradingPage"}, {"$ref": "#/components/parameters/TradingLimit"}],
            "responses": {
              "200": {"description": "One page of the log.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["data", "meta"], "additionalProperties": false,
                "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/TradingConfigLogEntry"}},
                               "meta": {"$ref": "#/components/schemas/TradingPageMeta"}}
              }}}},
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "404": {"$ref": "#/components/responses/TradingPlantNotFound"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        }
      },
      "components": {
        "requestBodies": {
          "TradingPlantConfigRequest": {
            "required": true,
            "content": {"application/json": {
              "schema": {
                "type": "object", "required": ["timeConfigs"], "additionalProperties": false,
                "properties": {
                  "timeConfigs": {"type": "array", "maxItems": 96, "items": {"$ref": "#/components/schemas/TradingTimeConfig"}, "description": "Time configuration blocks."},
                  "validateOnly": {"type": ["boolean", "null"], "default": false, "description": "If true, validate only without applying."},
                  "configEnabled": {"description": "Read-only: ignored."},
                  "esiState": {"description": "Read-only: ignored."},
                  "plantId": {"description": "Read-only: ignored."},
                  "version": {"description": "Read-only: ignored."}
                }
              },
              "example": {"timeConfigs": [{"from": "00:00", "pBatMax": 0, "pBatMin": 0, "socMax": 0, "socMin": 0, "to": "06:00"}]}
            }}
          }
        },
        "schemas": {
          "TradingTimeConfig": {
            "type": "object",
            "required": ["from", "pBatMax", "pBatMin", "socMax", "socMin", "to"],
            "additionalProperties": false,
            "properties": {
              "from": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "00:00"},
              "to": {"type": "string", "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", "example": "06:00"},
              "pBatMax": {"type": "number"},
              "pBatMin": {"type": "number"},
              "socMax": {"type": "number", "minimum": 0, "maximum": 100},
              "socMin": {"type": "number", "minimum": 0, "maximum": 100}
            }
          },
          "TradingPlantConfig": {
            "type": "object",
            "required": ["configEnabled", "esiState", "plantId", "timeConfigs", "version"],
            "additionalProperties": false,
            "properties": {
              "configEnabled": {"type": "boolean"},
              "esiState": {"type": "string"},
              "plantId": {"type": "string", "format": "uuid", "description": "tradingd's id of the plant."},
              "timeConfigs": {"type": "array", "items": {"$ref": "#/components/schemas/TradingTimeConfig"}},
              "version": {"type": "integer"}
            }
          },
          "TradingConfigLogEntry": {
            "type": "object",
            "required": ["configSnapshot", "createdAt", "id", "isError", "isTerminal", "message", "plantId", "requestCode", "requestedBy", "respondedAt", "resultCode", "sentAt", "validateOnly"],
            "additionalProperties": false,
            "properties": {
              "configSnapshot": {"description": "The request as sent to the ESM (or as received, when refused locally)."},
              "createdAt": {"$ref": "#/components/schemas/TradingTimestamp"},
              "id": {"type": "integer"},
              "isError": {"type": "boolean"},
              "isTerminal": {"type": "boolean"},
              "message": {"type": ["string", "null"]},
              "plantId": {"type": "string", "format": "uuid"},
              "requestCode": {"type": ["string", "null"]},
              "requestedBy": {"type": ["string", "null"], "format": "uuid", "description": "The id of the API token that made the request."},
              "respondedAt": {"oneOf": [{"$ref": "#/components/schemas/TradingTimestamp"}, {"type": "null"}]},
              "resultCode": {"type": ["string", "null"]},
              "sentAt": {"oneOf": [{"$ref": "#/components/schemas/TradingTimestamp"}, {"type": "null"}]},
              "validateOnly": {"type": "boolean"}
            }
          }
        }
      }
    }
    """#)
}
