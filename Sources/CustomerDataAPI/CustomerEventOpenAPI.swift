import API

extension CustomerEventRoutes {
    /// Seed 003's part of `/openapi.json` (docs/CUSTOMER-DATA.md says what the seed leaves open).
    public var openAPI: [OpenAPIFragment] { [Self.pathsFragment, Self.componentsFragment] }

    static let pathsFragment = OpenAPIFragment("customer-data/customer-events", json: #"""
    {
      "tags": [{"name": "Customer events", "description": "Seed 003: purchase customer events, recorded once per id and reference number. Errors are `{\"error\": \"...\"}`."}],
      "paths": {
        "/customer_events/token": {
          "post": {
            "operationId": "issueCustomerEventToken", "tags": ["Customer events"],
            "summary": "Trade an api_key for an expiring auth token",
            "security": [{"customerEventApiKey": []}],
            "responses": {
              "201": {"description": "A new auth token.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["token", "expires_on", "expires_in"], "additionalProperties": false,
                "properties": {"token": {"type": "string", "pattern": "^cet_[0-9a-f]{64}$"}, "expires_on": {"type": "integer", "description": "Epoch seconds."},
                               "expires_in": {"type": "integer", "description": "Seconds."}}}}},
                "links": {"CreatePurchase": {"operationId": "createPurchaseCustomerEvent"}}},
              "400": {"description": "A request target or query string that does not decode.",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"}}}},
              "401": {"$ref": "#/components/responses/CustomerEventUnauthorized"},
              "500": {"$ref": "#/components/responses/CustomerEventServerError"}
            }
          }
        },
        "/customer_events/purchases": {
          "post": {
            "operationId": "createPurchaseCustomerEvent", "tags": ["Customer events"],
            "summary": "Create a purchase customer event in a posted life cycle state",
            "description": "All or nothing. The same id or reference_number with the same body answers 200 with the stored id; with a different body 409 naming the conflict.",
            "security": [{"customerEventToken": []}],
            "requestBody": {"required": true, "content": {"application/json": {
              "schema": {"$ref": "#/components/schemas/PurchaseCustomerEventRequest"},
              "example": {"cim": "4A30966F684B0269AD91", "reference_number": "RF000001", "classification": {"code": "CCC"},
                          "payment_medium_identifier": "42424242", "performed_on": 1572423477, "currency_code": "EUR",
                          "products": [{"product_sku": "FREDESPR001", "net_amount": 14.15, "tax_amount": 1.04, "total_amount": 15.19, "quantity": 2}],
                          "spend_request": {"amount": 2.12}, "merchant_tap": {"code": "EK123456"}, "outlet_tap": {"code": "CD123456"}}
            }}},
            "responses": {
              "201": {"description": "A new event.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerEventIdBody"}}},
                      "links": {"GetEvent": {"operationId": "getPurchaseCustomerEvent", "parameters": {"id": "$response.body#/id"}}}},
              "200": {"description": "The same body again: the stored event's id.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerEventIdBody"}}},
                      "links": {"GetEvent": {"operationId": "getPurchaseCustomerEvent", "parameters": {"id": "$response.body#/id"}}}},
              "400": {"$ref": "#/components/responses/CustomerEventBadRequest"},
              "401": {"$ref": "#/components/responses/CustomerEventUnauthorized"},
              "409": {"description": "The id or reference_number is taken by another event or body.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"}}}},
              "500": {"$ref": "#/components/responses/CustomerEventServerError"}
            }
          },
          "get": {
            "operationId": "listPurchaseCustomerEvents", "tags": ["Customer events"],
            "summary": "A contact's purchase customer events, newest performed_on first",
            "security": [{"customerEventToken": []}],
            "parameters": [
              {"name": "contact_id", "in": "query", "description": "The contact (exactly one of contact_id and cim).", "schema": {"type": "string", "format": "uuid"}},
              {"name": "cim", "in": "query", "description": "A contact identification medium.", "schema": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^\\u0000\\r\\n]+$"}, "example": "4A30966F684B0269AD91"},
              {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
              {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}
            ],
            "responses": {
              "200": {"description": "One page of events.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["data", "meta"], "additionalProperties": false,
                "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/PurchaseCustomerEvent"}},
                               "meta": {"type": "object", "required": ["page", "limit", "total", "totalPages"], "additionalProperties": false,
                                        "properties": {"page": {"type": "integer"}, "limit": {"type": "integer"}, "total": {"type": "integer"}, "totalPages": {"type": "integer"}}}}}}}},
              "400": {"$ref": "#/components/responses/CustomerEventBadRequest"},
              "401": {"$ref": "#/components/responses/CustomerEventUnauthorized"},
              "404": {"$ref": "#/components/responses/CustomerEventNotFound"},
              "500": {"$ref": "#/components/responses/CustomerEventServerError"}
            }
          }
        },
        "/customer_events/purchases/{id}": {
          "get": {
            "operationId": "getPurchaseCustomerEvent", "tags": ["Customer events"],
            "summary": "One recorded purchase customer event",
            "security": [{"customerEventToken": []}],
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
            "responses": {
              "200": {"description": "The event.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseCustomerEvent"}}}},
              "400": {"$ref": "#/components/responses/CustomerEventBadRequest"},
              "401": {"$ref": "#/components/responses/CustomerEventUnauthorized"},
              "404": {"$ref": "#/components/responses/CustomerEventNotFound"},
              "500": {"$ref": "#/components/responses/CustomerEventServerError"}
            }
          }
        }
      }
    }
    """#)
}
