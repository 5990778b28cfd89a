import API

extension TradingRoutes {
    /// Telemetry buckets, the latest sample and meter energy.
    static let telemetryFragment = OpenAPIFragment("trading/telemetry", json: #"""
    {
      "paths": {
        "/api/v1/trading/plants/{plantId}/telemetry": {
          "parameters": [{"$ref": "#/components/parameters/TradingPlantId"}],
          "get": {
            "operationId": "getTelemetry", "tags": ["Trading"],
            "summary": "Query trading telemetry (AMQP-sourced)",
            "description": "Buckets of `interval` minutes aligned on the UTC epoch, each field averaged over the samples that carried it (`null` when none did), empty buckets omitted, ascending. Role: viewer.",
            "security": [{"tradingBearer": []}],
            "parameters": [{"$ref": "#/components/parameters/TradingFrom"}, {"$ref": "#/components/parameters/TradingTo"}, {"$ref": "#/components/parameters/TradingInterval"}],
            "responses": {
              "200": {"description": "The buckets.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/TradingTelemetrySample"}}}}},
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "404": {"$ref": "#/components/responses/TradingPlantNotFound"},
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        },
        "/api/v1/trading/plants/{plantId}/telemetry/latest": {
          "parameters": [{"$ref": "#/components/parameters/TradingPlantId"}],
          "get": {
            "operationId": "getLatestTelemetry", "tags": ["Trading"],
            "summary": "Latest trading telemetry snapshot",
            "description": "The newest value of each field (`time` is the newest sample's). A bad plant id is 400 `INVALID_UUID` here (seed). Role: viewer.",
            "security": [{"tradingBearer": []}],
            "responses": {
              "200": {"description": "The snapshot.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TradingTelemetrySample"}}}},
              "400": {"$ref": "#/components/responses/TradingBadRequest"},
              "401": {"$ref": "#/components/responses/TradingUnauthorized"},
              "403": {"$ref": "#/components/responses/TradingForbidden"},
              "404": {
                "description": "`PLANT_NOT_FOUND`: no such plant in the caller's organisation; `NO_TELEMETRY` (not in the seed): the plant exists but has sent nothing yet. Tell them apart by `code`.",
                "content": {"application/json": {
                  "schema": {"allOf": [{"$ref": "#/components/schemas/TradingError"}, {"properties": {
                    "code": {"enum": ["PLANT_NOT_FOUND", "NO_TELEMETRY"]}, "statusCode": {"const": 404}, "error": {"const": "Not Found"}}}]},
                  "examples": {
                    "unknownPlant": {"value": {"code": "PLANT_NOT_FOUND", "details": {}, "error": "Not Found", "message": "Plant not found", "statusCode": 404}},
                    "noData": {"value": {"code": "NO_TELEMETRY", "details": {}, "error": "Not Found", "message": "No telemetry has been received for this plant yet", "statusCode": 404}}
                  }
                }}
              },
              "500": {"$ref": "#/components/responses/TradingServerError"},
              "503": {"$ref": "#/components/responses/TradingServiceUnavailable"}
            }
          }
        },
        "/api/v1/trading/plants/{plantId}/meters": {
          "parameters": [{"$ref": "#/components/parameters/TradingPlantId"}],
          "get": {
            "operationId": "getMeters", "tags": ["Trading"],
            "summary": "Query meter data",
            "description": "Energy (kWh) per meter summed per bucket, ascending by time then meter id. Role: viewer.",
            "security": [{"tradingBearer": []}],
            "parameters": [{"$ref": "#/components/parameters/TradingFrom"}, {"$ref": "#/components/parameters/TradingTo"}, {"$ref": "#/components/parameters/TradingInterval"}],
            "responses": {
              "200": {"description": "The buckets.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/TradingMeterBucket"}}}}},
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
        "schemas": {
          "TradingTelemetrySample": {
            "type": "object",
            "required": ["consumption", "fve_power", "fve_reg", "grid_power", "invertor_power", "plant_id", "soc", "time"],
            "additionalProperties": false,
            "properties": {
              "consumption": {"type": ["number", "null"]},
              "fve_power": {"type": ["number", "null"]},
              "fve_reg": {"type": ["number", "null"]},
              "grid_power": {"type": ["number", "null"]},
              "invertor_power": {"type": ["number", "null"]},
              "plant_id": {"type": "string", "format": "uuid"},
              "soc": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
              "time": {"$ref": "#/components/schemas/TradingTimestamp"}
            },
            "example": {"consumption": 0, "fve_power": 0, "fve_reg": 0, "grid_power": 0, "invertor_power": 0, "plant_id": "8c2c37ff-79f6-40ba-b98d-a2bfedecc0a3", "soc": 0, "time": "2019-08-24T14:15:00.000Z"}
          },
          "TradingMeterBucket": {
            "type": "object",
            "required": ["energy", "interval", "meter_id", "plant_id", "time"],
            "additionalProperties": false,
            "properties": {
              "energy": {"type": "number"},
              "interval": {"type": "string", "pattern": "^[0-9]+m$", "example": "5m"},
              "meter_id": {"type": "string"},
              "plant_id": {"type": "string", "format": "uuid"},
              "time": {"$ref": "#/components/schemas/TradingTimestamp"}
            },
            "example": {"energy": 0, "interval": "5m", "meter_id": "m-1", "plant_id": "8c2c37ff-79f6-40ba-b98d-a2bfedecc0a3", "time": "2019-08-24T14:15:00.000Z"}
          }
        }
      }
    }
    """#)

    /// The command relay audit trail.
    static let commandLogFragment = OpenAPIFragment("trading/command-log", json: #"""
    {
      "paths": {
        "/api/v1/trading/plants/{plantId}/command-log": {
          "parameters": [{"$ref": "#/components/parameters/TradingPlantId"}],
          "get": {
            "operationId": "getCommandLog", "tags": ["Trading"],
            "summary": "ESM command relay audit trail",
            "description": "The plant's commands, newest first, paged, optionally of one type. Role: viewer.",
            "security": [{"tradingBearer": []}],
            "parameters": [
              {"name": "commandType", "in": "query", "required": false, "description": "Filter by command type.",
               "schema": {"enum": ["SITE_SETPOINT", "DEVICE_COMMAND", "EMERGENCY", "MODE_CHANGE"]}},
              {"$ref": "#/components/parameters/TradingPage"}, {"$ref": "#/components/parameters/TradingLimit"}
            ],
            "responses": {
              "200": {"description": "One page of commands.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["data", "meta"], "additionalProperties": false,
                "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/TradingCommandLogEntry"}},
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
        "schemas": {
          "TradingCommandLogEntry": {
            "type": "object",
            "required": ["ackStatus", "commandType", "correlationId", "createdAt", "executedAt", "id", "messageId", "organizationId", "payload", "rejectionReason", "routingKey", "siteId", "status"],
            "additionalProperties": false,
            "properties": {
              "ackStatus": {"type": ["string", "null"], "description": "The ESM's acknowledgement: ACCEPTED, REJECTED, EXECUTED, FAILED, or TIMEOUT when none came in time."},
              "commandType": {"type": "string"},
              "correlationId": {"type": "string"},
              "createdAt": {"$ref": "#/components/schemas/TradingTimestamp"},
              "executedAt": {"oneOf": [{"$ref": "#/components/schemas/TradingTimestamp"}, {"type": "null"}]},
              "id": {"type": "string", "format": "uuid"},
              "messageId": {"type": "string"},
              "organizationId": {"type": "string", "format": "uuid"},
              "payload": {"description": "The command's payload as received."},
              "rejectionReason": {"type": ["string", "null"]},
              "routingKey": {"type": "string"},
              "siteId": {"type": ["string", "null"]},
              "status": {"type": "string", "description": "PENDING, RELAYED, REJECTED, EXPIRED or FAILED."}
            }
          }
        }
      }
    }
    """#)
}
