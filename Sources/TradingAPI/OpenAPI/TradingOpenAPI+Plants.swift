import API

extension TradingRoutes {
    /// `/plants` (not in the seed) and `/plants/sync`.
    static let plantsFragment = OpenAPIFragment("trading/plants", json: #"""
    {
      "paths": {
        "/api/v1/trading/plants": {
          "get": {
            "operationId": "listPlants", "tags": ["Trading"],
            "summary": "The organisation's plants (not in the seed)",
            "description": "Id, name and ESM link state, ordered by name, paged. Role: viewer.",
            "security": [{"tradingBearer": []}],
            "parameters": [{"$ref": "#/components/parameters/TradingPage"}, {"$ref": "#/components/parameters/TradingLimit"}],
            "responses": {
              "200": {
                "description": "One page of plants.",
                "content": {"application/json": {"schema": {
                  "type": "object", "required": ["data", "meta"], "additionalProperties": false,
                  "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/TradingPlant"}},
                                 "meta": {"$ref": "#/components/schemas/TradingPageMeta"}}
                }}},
                "links": {
                  "GetFirstPlantConfig": {"operationId": "getPlantConfig", "parameters": {"plantId": "$response.body#/data/0/id"}},
                  "GetFirstPlantLatestTelemetry": {"operationId": "getLatestTelemetry", "parameters": {"plantId": "$response.body#/data/0/id"}},
                  "GetFirstPlantCommandLog": {"operationId": "getCommandLog", "parameters": {"plantId": "$response.body#/data/0/id"}}
                }
              },
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        },
        "/api/v1/trading/plants/sync": {
          "post": {
            "operationId": "syncPlants", "tags": ["Trading"],
            "summary": "Force immediate plant sync from ESM",
            "description": "Reads the ESM's plant list and links or updates tradingd's plants. 400 `ESM_NOT_CONFIGURED` without ESM URL and credentials; 502 `ESM_UNAVAILABLE` when the ESM fails (also recorded as `lastSyncError`). Role: operator.",
            "security": [{"tradingBearer": []}],
            "responses": {
              "200": {
                "description": "How many plants were synced and how many failed.",
                "content": {"application/json": {
                  "schema": {"type": "object", "required": ["errors", "synced"], "additionalProperties": false,
                             "properties": {"errors": {"type": "integer", "minimum": 0}, "synced": {"type": "integer", "minimum": 0}}},
                  "example": {"errors": 0, "synced": 0}
                }},
                "links": {"ListPlants": {"operationId": "listPlants"}}
              },
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "502": {"$ref": "#/components/responses/TradingBadGateway"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        }
      },
      "components": {
        "schemas": {
          "TradingPlant": {
            "type": "object",
            "required": ["createdAt", "esmLinked", "esmPlantId", "esmState", "id", "name", "updatedAt"],
            "additionalProperties": false,
            "properties": {
              "createdAt": {"$ref": "#/components/schemas/TradingTimestamp"},
              "esmLinked": {"type": "boolean", "description": "Whether the plant is linked to an ESM plant (its config can be read and changed)."},
              "esmPlantId": {"type": ["string", "null"]},
              "esmState": {"type": ["string", "null"]},
              "id": {"type": "string", "format": "uuid"},
              "name": {"type": "string"},
              "updatedAt": {"$ref": "#/components/schemas/TradingTimestamp"}
            }
          }
        }
      }
    }
    """#)
}
