import API

extension TradingRoutes {
    /// The security scheme, the parameters and the schemas the trading routes share.
    static let componentsFragment = OpenAPIFragment("trading/components", json: #"""
    {
      "tags": [
        {"name": "Trading", "description": "Trading and ESM integration endpoints (seed 004), under `/api/v1/trading`, in the trading envelope, behind `tradingBearer`."}
      ],
      "components": {
        "securitySchemes": {
          "tradingBearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "tdt_ followed by 64 hex digits",
            "description": "An API token (`tradingd token create --scopes trading`) of the organisation, with the `trading` scope. Reading needs the `viewer` role, changing a plant's configuration and syncing plants `operator`, changing the trading configuration `admin`."
          }
        },
        "parameters": {
          "TradingPlantId": {
            "name": "plantId", "in": "path", "required": true,
            "description": "tradingd's id of the plant.",
            "schema": {"type": "string", "format": "uuid"},
            "example": "8c2c37ff-79f6-40ba-b98d-a2bfedecc0a3"
          },
          "TradingPage": {
            "name": "page", "in": "query", "required": false,
            "description": "Page number (1-indexed).",
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1}
          },
          "TradingLimit": {
            "name": "limit", "in": "query", "required": false,
            "description": "Items per page.",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
          },
          "TradingFrom": {
            "name": "from", "in": "query", "required": false,
            "description": "Start of the range (default: 24 hours before `to`). ISO 8601 with a zone: `2026-12-02T18:00:00Z`, fractions of a second (`…:00.250Z`), no seconds (`2026-12-02T18:00Z`), an extended or basic offset (`+01:00`, `+0100`, `+01`), or a date alone (`2026-12-02`, midnight UTC). Years 0001-9999. Anything else is a 400 naming the parameter. Every bucket overlapping `[from, to)` is returned whole.",
            "schema": {"$ref": "#/components/schemas/TradingQueryTime"},
            "example": "2026-12-02T00:00:00Z"
          },
          "TradingTo": {
            "name": "to", "in": "query", "required": false,
            "description": "End of the range, exclusive (default: now); the same forms as `from`, and not before it.",
            "schema": {"$ref": "#/components/schemas/TradingQueryTime"},
            "example": "2026-12-02T06:00:00Z"
          },
          "TradingInterval": {
            "name": "interval", "in": "query", "required": false,
            "description": "Aggregation bucket size in minutes. At most 10,080 buckets per response (configurable); a range that needs more is a 400.",
            "schema": {"type": "integer", "minimum": 1, "maximum": 60, "default": 5}
          }
        },
        "schemas": {
          "TradingTimestamp": {
            "type": "string", "format": "date-time",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
            "description": "RFC 3339 in UTC with milliseconds.",
            "example": "2019-08-24T14:15:22.000Z"
          },
          "TradingQueryTime": {
            "type": "string",
            "pattern": "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?))?$",
            "description": "The accepted ISO 8601 forms (the pattern shows them for days 1-28; every real calendar day is accepted)."
          },
          "TradingPageMeta": {
            "type": "object",
            "required": ["limit", "page", "total", "totalPages"],
            "additionalProperties": false,
            "properties": {
              "limit": {"type": "integer", "minimum": 1, "maximum": 100},
              "page": {"type": "integer", "minimum": 1},
              "total": {"type": "integer", "minimum": 0},
              "totalPages": {"type": "integer", "minimum": 0}
            }
          },
          "TradingNullableString": {"type": ["string", "null"]}
        }
      }
    }
    """#)
}
