import API

/// The purchase family's part of `/openapi.json` (seed 000 plus the follow-up reads).
extension PurchaseRoutes {
    public var openAPI: [OpenAPIFragment] { [Self.componentsFragment, Self.pathsFragment] }

    /// What the two URL forms of the submission share: one handler, one body, one set of answers.
    static let submitBodyAndResponses = #"""
    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseSubmission"}}}},
    "responses": {
      "201": {
        "description": "Stored, pending hand-over.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseCreated"}}},
        "links": {"GetPurchase": {"operationId": "getPurchase", "parameters": {"user": "$request.path.user", "id": "$response.body#/id"}}}
      },
      "400": {"$ref": "#/components/responses/PurchaseBadRequest"},
      "401": {"$ref": "#/components/responses/PurchaseUnauthorized"},
      "403": {"$ref": "#/components/responses/PurchaseForbidden"},
      "413": {"$ref": "#/components/responses/PurchaseTooLarge"},
      "500": {"$ref": "#/components/responses/PurchaseServerError"},
      "503": {"$ref": "#/components/responses/PurchaseServiceUnavailable"}
    }
    """#

    static let pathsFragment = OpenAPIFragment("purchases/paths", json: #"""
    {
      "paths": {
        "/api/v0/user/{user}/submit-purchase/{retailer}": {
          "post": {
            "operationId": "submitPurchaseToRetailer", "tags": ["Purchases"],
            "summary": "Submit an energy purchase schedule (retailer in the path)",
            "description": "Stores the purchase and all its rows in one transaction, answers 201, and hands it to the workflow engine afterwards (exactly once; a failed hand-over keeps the purchase, is retried with backoff and shows in its `error`). Role: operator. Checks, first failure reported: the user, the retailer, then the body in item order.",
            "security": [{"purchaseBearer": []}],
            "parameters": [
              {"$ref": "#/components/parameters/PurchaseUser"},
              {"name": "retailer", "in": "path", "required": true, "description": "The retailer's id (seed 000's `id-retailer`).", "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[^\\u0000\\r\\n]+$"}, "example": "123"}
            ],
            \#(submitBodyAndResponses)
          }
        },
        "/api/v0/user/{user}/submit-purchase": {
          "post": {
            "operationId": "submitPurchase", "tags": ["Purchases"],
            "summary": "Submit an energy purchase schedule (retailer as `retailer_id`)",
            "description": "The seed's example form; the same handler as the path form. Given both ways, the two must agree.",
            "security": [{"purchaseBearer": []}],
            "parameters": [
              {"$ref": "#/components/parameters/PurchaseUser"},
              {"name": "retailer_id", "in": "query", "required": true, "description": "The retailer's id. Missing: `Missing required URL parameter \"retailer_id\".`", "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[^\\u0000\\r\\n]+$"}, "example": "123"}
            ],
            \#(submitBodyAndResponses)
          }
        },
        "/api/v0/user/{user}/purchases/{id}": {
          "get": {
            "operationId": "getPurchase", "tags": ["Purchases"],
            "summary": "A purchase's status (not in the seed)",
            "description": "pending → submitted → running → completed | failed, with the error, the workflow's name and the times. Another user's purchase, or one of another organisation, is `Not found.` Role: viewer.",
            "security": [{"purchaseBearer": []}],
            "parameters": [{"$ref": "#/components/parameters/PurchaseUser"}, {"$ref": "#/components/parameters/PurchaseId"}],
            "responses": {
              "200": {"description": "The purchase.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Purchase"}}}},
              "400": {"$ref": "#/components/responses/PurchaseBadRequest"},
              "401": {"$ref": "#/components/responses/PurchaseUnauthorized"},
              "403": {"$ref": "#/components/responses/PurchaseForbidden"},
              "404": {"$ref": "#/components/responses/PurchaseNotFound"},
              "500": {"$ref": "#/components/responses/PurchaseServerError"},
              "503": {"$ref": "#/components/responses/PurchaseServiceUnavailable"}
            }
          }
        },
        "/api/v0/user/{user}/purchases": {
          "get": {
            "operationId": "listPurchases", "tags": ["Purchases"],
            "summary": "A user's purchases, newest first (not in the seed)",
            "description": "Django REST framework's page shape: `count`, `next` and `previous` (relative links, null at the ends) and `results`. Role: viewer.",
            "security": [{"purchaseBearer": []}],
            "parameters": [{"$ref": "#/components/parameters/PurchaseUser"}, {"$ref": "#/components/parameters/PurchasePage"},
                           {"$ref": "#/components/parameters/PurchaseLimit"}],
            "responses": {
              "200": {
                "description": "One page.",
                "content": {"application/json": {"schema": {
                  "type": "object", "required": ["count", "next", "previous", "results"], "additionalProperties": false,
                  "properties": {
                    "count": {"type": "integer", "minimum": 0},
                    "next": {"type": ["string", "null"]},
                    "previous": {"type": ["string", "null"]},
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/Purchase"}}
                  }
                }}}
              },
              "400": {"$ref": "#/components/responses/PurchaseBadRequest"},
              "401": {"$ref": "#/components/responses/PurchaseUnauthorized"},
              "403": {"$ref": "#/components/responses/PurchaseForbidden"},
              "404": {"$ref": "#/components/responses/PurchaseNotFound"},
              "500": {"$ref": "#/components/responses/PurchaseServerError"},
              "503": {"$ref": "#/components/responses/PurchaseServiceUnavailable"}
            }
          }
        }
      }
    }
    """#)
}
