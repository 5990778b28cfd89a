import API

extension PurchaseRoutes {
    /// The family's security scheme, parameters, schemas and error responses.
    static let componentsFragment = OpenAPIFragment("purchases/components", json: #"""
    {
      "tags": [
        {"name": "Purchases", "description": "Energy purchase schedules (seed 000), under `/api/v0/user`, handed to the workflow engine once stored. Errors are `{\"error\": ...}` with the seed's messages; authentication, permission and not-found errors are Django REST framework's `{\"detail\": ...}`."}
      ],
      "components": {
        "securitySchemes": {
          "purchaseBearer": {
            "type": "http", "scheme": "bearer", "bearerFormat": "tdt_ followed by 64 hex digits",
            "description": "An API token of the organisation with the `purchase` scope (`tradingd token create --scopes purchase`). Submitting needs the `operator` role, reading `viewer`. A token made with `--user` acts for that user alone; otherwise for every user of its organisation."
          }
        },
        "parameters": {
          "PurchaseUser": {
            "name": "user", "in": "path", "required": true,
            "description": "The user of the token's organisation the purchase is for: its username (any case) or id. Blank: the seed's `Missing required URL parameter \"user\".`",
            "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[^\\u0000\\r\\n]+$"},
            "example": "trebolenergia"
          },
          "PurchaseId": {
            "name": "id", "in": "path", "required": true, "description": "The purchase id the 201 answer gave.",
            "schema": {"type": "string", "format": "uuid"}, "example": "0b9f6c2e-8d8a-4b59-9d3a-1f4f3d2f6e10"
          },
          "PurchasePage": {
            "name": "page", "in": "query", "required": false, "description": "Page number (1-indexed).",
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1}
          },
          "PurchaseLimit": {
            "name": "limit", "in": "query", "required": false, "description": "Purchases per page.",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
          }
        },
        "schemas": {
          "PurchaseSubmission": {
            "type": "object", "required": ["purchase"],
            "description": "Rows are local times of the retailer's market time zone (an IANA zone per retailer), on its market interval (minutes 00/15/30/45 for quarter-hour markets); a datetime skipped by a spring-forward change is refused, one in a fall-back repeated hour may appear twice (first the earlier instant, then the later). Whether a datetime marks the start or the end of its period is the retailer's setting. Quantities are MW with at most 3 decimals, negative only for retailers that accept sales, within the retailer's maximum. At most 40,000 rows by default (TRADINGD_PURCHASE_MAX_ROWS).",
            "properties": {
              "purchase": {
                "type": "array", "minItems": 1,
                "items": {
                  "type": "object", "required": ["datetime", "purchase"],
                  "properties": {
                    "datetime": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$", "description": "`YYYY-MM-DD HH:MM`, local time of the retailer's zone.", "example": "2025-11-11 00:15"},
                    "purchase": {"type": "number", "description": "Energy purchase in MW (kW precision).", "example": 12.0}
                  }
                }
              }
            },
            "example": {"purchase": [{"datetime": "2025-11-11 00:15", "purchase": 12.0}, {"datetime": "2025-11-11 00:30", "purchase": 13.0}]}
          },
          "PurchaseCreated": {
            "type": "object", "required": ["id", "status", "error", "rows_uploaded", "created_at", "message"], "additionalProperties": false,
            "properties": {
              "id": {"type": "string", "format": "uuid"},
              "status": {"const": "pending"},
              "error": {"const": ""},
              "rows_uploaded": {"type": "integer", "minimum": 1},
              "created_at": {"$ref": "#/components/schemas/PurchaseTimestamp"},
              "message": {"type": "string", "description": "`CustomerPurchase created successfully with ID: <id> for user: <user> and retailer: <retailer>`"}
            }
          },
          "PurchaseTimestamp": {
            "type": "string", "format": "date-time", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
            "description": "RFC 3339 in UTC to the second, as the seed writes `created_at`.", "example": "2024-01-15T14:30:00Z"
          },
          "PurchaseOptionalTimestamp": {"oneOf": [{"$ref": "#/components/schemas/PurchaseTimestamp"}, {"type": "null"}]},
          "Purchase": {
            "type": "object", "additionalProperties": false,
            "required": ["id", "status", "error", "rows_uploaded", "created_at", "updated_at", "user", "retailer_id", "first_period_start",
                         "last_period_start", "workflow_engine", "workflow_name", "dispatch_attempts", "submitted_at", "started_at", "finished_at"],
            "properties": {
              "id": {"type": "string", "format": "uuid"},
              "status": {"enum": ["pending", "submitted", "running", "completed", "failed"], "description": "pending: stored, not yet with the workflow engine (a failed hand-over is retried and shown in `error`); submitted: the engine has it; running; completed or failed (the workflow's message in `error`)."},
              "error": {"type": "string"},
              "rows_uploaded": {"type": "integer", "minimum": 1},
              "created_at": {"$ref": "#/components/schemas/PurchaseTimestamp"},
              "updated_at": {"$ref": "#/components/schemas/PurchaseTimestamp"},
              "user": {"type": "string"},
              "retailer_id": {"type": "string"},
              "first_period_start": {"$ref": "#/components/schemas/PurchaseTimestamp"},
              "last_period_start": {"$ref": "#/components/schemas/PurchaseTimestamp"},
              "workflow_engine": {"enum": ["argo", "amqp", null]},
              "workflow_name": {"type": ["string", "null"], "description": "`purchase-<id>` once handed over."},
              "dispatch_attempts": {"type": "integer", "minimum": 0},
              "submitted_at": {"$ref": "#/components/schemas/PurchaseOptionalTimestamp"},
              "started_at": {"$ref": "#/components/schemas/PurchaseOptionalTimestamp"},
              "finished_at": {"$ref": "#/components/schemas/PurchaseOptionalTimestamp"}
            }
          },
          "PurchaseError": {
            "type": "object", "required": ["error"], "additionalProperties": false, "properties": {"error": {"type": "string"}},
            "example": {"error": "Missing required field \"purchase\"."}
          },
          "PurchaseDetail": {
            "type": "object", "required": ["detail"], "additionalProperties": false, "properties": {"detail": {"type": "string"}},
            "example": {"detail": "Authentication credentials were not provided."}
          }
        },
        "responses": {
          "PurchaseBadRequest": {"description": "The request breaks a rule; the seed's message or one in its style. Also a path or query string that does not decode (`Invalid percent-encoding in request target`) or a path that decodes to NUL, CR or LF (`Invalid encoding in path`).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseError"}}}},
          "PurchaseUnauthorized": {"description": "No credentials (`Authentication credentials were not provided.`), a malformed header (`Invalid token header. ...`) or an unknown, expired or revoked token (`Invalid token.`).", "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseDetail"}}}},
          "PurchaseForbidden": {"description": "`You do not have permission to perform this action.`: no `purchase` scope, a role too low, or a token bound to another user.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseDetail"}}}},
          "PurchaseNotFound": {"description": "`Not found.`", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseDetail"}}}},
          "PurchaseServerError": {"description": "`Internal server error while creating purchase.` (or `Internal server error.` for reads).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseError"}}}},
          "PurchaseServiceUnavailable": {"description": "The server is busy or a handler ran out of time.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseError"}}}},
          "PurchaseTooLarge": {"description": "The body is larger than TRADINGD_HTTP_MAX_BODY_BYTES.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseError"}}}}
        }
      }
    }
    """#)
}
