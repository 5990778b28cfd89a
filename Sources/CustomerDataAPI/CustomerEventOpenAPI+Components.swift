import API

extension CustomerEventRoutes {
    static let componentsFragment = OpenAPIFragment("customer-data/customer-events-components", json: #"""
    {
      "components": {
        "securitySchemes": {
          "customerEventApiKey": {"type": "apiKey", "in": "header", "name": "api_key",
                                  "description": "A key registered with `tradingd customer-events key create`; accepted only by the token endpoint."},
          "customerEventToken": {"type": "http", "scheme": "bearer", "bearerFormat": "cet_ followed by 64 hex digits",
                                 "description": "An auth token from POST /customer_events/token. The api_key itself is refused here."}
        },
        "schemas": {
          "CustomerEventReference": {
            "type": ["object", "null"], "additionalProperties": false,
            "description": "Exactly one of id and code; null counts as absent.",
            "properties": {"id": {"type": ["string", "null"], "format": "uuid"}, "code": {"type": ["string", "null"], "minLength": 1, "maxLength": 100}},
            "oneOf": [
              {"type": "null"},
              {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "code": {"type": "null"}}},
              {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}, "id": {"type": "null"}}}
            ]
          },
          "PurchaseCustomerEventRequest": {
            "type": "object", "required": ["reference_number", "products"], "additionalProperties": false,
            "description": "A member given as null counts as absent (the mandatory ones are then missing).",
            "properties": {
              "id": {"type": ["string", "null"], "format": "uuid"},
              "contact_id": {"type": ["string", "null"], "format": "uuid", "description": "Exactly one of contact_id and cim."},
              "cim": {"type": ["string", "null"], "minLength": 1, "maxLength": 100},
              "reference_number": {"type": "string", "minLength": 1, "maxLength": 100},
              "classification": {"$ref": "#/components/schemas/CustomerEventReference"},
              "currency_code": {"type": ["string", "null"], "pattern": "^[A-Z]{3}$"},
              "payment_medium_identifier": {"type": ["string", "null"], "minLength": 1, "maxLength": 100},
              "performed_on": {"type": ["integer", "null"], "minimum": 946684800, "description": "Epoch seconds; default now."},
              "merchant_tap": {"$ref": "#/components/schemas/CustomerEventReference"},
              "outlet_tap": {"$ref": "#/components/schemas/CustomerEventReference"},
              "products": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {
                "type": "object", "required": ["product_sku", "net_amount", "tax_amount", "total_amount"], "additionalProperties": false,
                "properties": {"product_sku": {"type": "string", "minLength": 1, "maxLength": 100},
                               "quantity": {"type": ["number", "null"], "exclusiveMinimum": 0, "default": 1},
                               "net_amount": {"type": "number", "minimum": 0}, "tax_amount": {"type": "number", "minimum": 0},
                               "total_amount": {"type": "number", "minimum": 0, "description": "net_amount + tax_amount, exactly."}}}},
              "spend_request": {"type": ["object", "null"], "additionalProperties": false,
                                "description": "Exactly one of amount and alternative_amount.",
                                "properties": {"amount": {"type": ["number", "null"], "exclusiveMinimum": 0},
                                               "alternative_amount": {"type": ["number", "null"], "exclusiveMinimum": 0}},
                                "oneOf": [
                                  {"type": "null"},
                                  {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number"}, "alternative_amount": {"type": "null"}}},
                                  {"type": "object", "required": ["alternative_amount"], "properties": {"alternative_amount": {"type": "number"}, "amount": {"type": "null"}}}
                                ]}
            },
            "allOf": [
              {"oneOf": [
                {"required": ["contact_id"], "properties": {"contact_id": {"type": "string"}, "cim": {"type": "null"}}},
                {"required": ["cim"], "properties": {"cim": {"type": "string"}, "contact_id": {"type": "null"}}}
              ]},
              {"anyOf": [
                {"required": ["merchant_tap"], "properties": {"merchant_tap": {"type": "object"}}},
                {"required": ["outlet_tap"], "properties": {"outlet_tap": {"type": "object"}}}
              ]}
            ]
          },
          "CustomerEventIdBody": {"type": "object", "required": ["id"], "additionalProperties": false,
                                  "properties": {"id": {"type": "string", "format": "uuid"}}},
          "CustomerEventNamed": {
            "type": ["object", "null"], "required": ["id", "code"], "additionalProperties": false,
            "properties": {"id": {"type": "string", "format": "uuid"}, "code": {"type": "string"}}
          },
          "PurchaseCustomerEvent": {
            "type": "object", "additionalProperties": false,
            "required": ["id", "reference_number", "life_cycle_state", "contact_id", "account_id", "cim", "classification", "currency_code", "payment_medium_identifier", "performed_on", "merchant_tap", "outlet_tap", "products", "spend_request", "total_amount", "created_on"],
            "properties": {
              "id": {"type": "string", "format": "uuid"}, "reference_number": {"type": "string"}, "life_cycle_state": {"const": "POSTED"},
              "contact_id": {"type": "string", "format": "uuid"}, "account_id": {"type": "string", "format": "uuid"}, "cim": {"type": ["string", "null"]},
              "classification": {"$ref": "#/components/schemas/CustomerEventNamed"}, "currency_code": {"type": ["string", "null"]},
              "payment_medium_identifier": {"type": ["string", "null"]}, "performed_on": {"type": "integer"},
              "merchant_tap": {"$ref": "#/components/schemas/CustomerEventNamed"}, "outlet_tap": {"$ref": "#/components/schemas/CustomerEventNamed"},
              "products": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                "required": ["product_sku", "product_id", "quantity", "net_amount", "tax_amount", "total_amount"],
                "properties": {"product_sku": {"type": "string"}, "product_id": {"type": "string", "format": "uuid"}, "quantity": {"type": "number"},
                               "net_amount": {"type": "number"}, "tax_amount": {"type": "number"}, "total_amount": {"type": "number"}}}},
              "spend_request": {"type": ["object", "null"]}, "total_amount": {"type": "number"}, "created_on": {"type": "integer"}
            }
          }
        },
        "responses": {
          "CustomerEventBadRequest": {"description": "A rule of the seed broken, or a reference that does not resolve; the message names the field.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"},
              "example": {"error": "products[0].total_amount: 15.2 is not net_amount + tax_amount (14.15 + 1.04 = 15.19)."}}}},
          "CustomerEventUnauthorized": {"description": "No auth token, an expired or revoked one, or an api_key sent to an event endpoint.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"}}}},
          "CustomerEventNotFound": {"description": "No such event or contact in the organisation.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"}}}},
          "CustomerEventServerError": {"description": "Internal server error.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDataError"}}}}
        }
      }
    }
    """#)
}
