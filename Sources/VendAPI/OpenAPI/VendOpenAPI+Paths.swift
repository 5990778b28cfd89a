import API

extension VendRoutes {
    /// The six operations of the seed's workflow.
    static let pathsFragment = OpenAPIFragment("vend/paths", json: #"""
    {
      "paths": {
        "/api/auth/login": {"post": {
          "operationId": "vendLogin", "tags": ["Vend"], "summary": "Log in: an api_token for an agent's e-mail and password", "security": [],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendLoginRequest"}}}},
          "responses": {
            "200": {"description": "Logged in.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendLoggedIn"}}}},
            "400": {"$ref": "#/components/responses/VendRefused"},
            "401": {"$ref": "#/components/responses/VendRefused"},
            "413": {"$ref": "#/components/responses/VendPayloadTooLarge"},
            "429": {"$ref": "#/components/responses/VendThrottled"},
            "500": {"$ref": "#/components/responses/VendServerError"},
            "503": {"$ref": "#/components/responses/VendServiceUnavailable"}
          }
        }},
        "/api/electricity/verify-customer": {"post": {
          "operationId": "vendVerifyCustomer", "tags": ["Vend"], "summary": "Verify the customer of a meter: an api_token and an elec_token for this purchase",
          "security": [],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendVerifyRequest"}}}},
          "responses": {
            "200": {"description": "The customer and the tokens.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendVerified"}}},
                    "links": {"BuyVerified": {"operationId": "vendBuy", "description": "Buy what was verified, with its elec_token.",
                                              "requestBody": {"transID": "$response.body#/transID", "meterNumber": "$response.body#/meter_details/number",
                                                              "amount": "$response.body#/amount", "elec_token": "$response.body#/elec_token"}}}},
            "400": {"$ref": "#/components/responses/VendRefused"},
            "401": {"$ref": "#/components/responses/VendRefused"},
            "404": {"$ref": "#/components/responses/VendRefused"},
            "409": {"$ref": "#/components/responses/VendRefused"},
            "413": {"$ref": "#/components/responses/VendPayloadTooLarge"},
            "429": {"$ref": "#/components/responses/VendThrottled"},
            "500": {"$ref": "#/components/responses/VendServerError"},
            "503": {"$ref": "#/components/responses/VendServiceUnavailable"}
          }
        }},
        "/api/buyelectricityprod": {"post": {
          "operationId": "vendBuy", "tags": ["Vend"], "summary": "Buy electricity, exactly once per transID", "security": [{"vendApiToken": []}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendBuyRequest"}}}},
          "responses": {
            "200": {"description": "Sold (or sold before: `reprint` true).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendSuccess"}}},
                    "links": {"GetBought": {"operationId": "vendGetTransaction", "parameters": {"transID": "$request.body#/transID"}}}},
            "202": {"description": "Recorded; the outcome is not known yet. Do not buy again.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendPending"}}},
                    "links": {"GetPending": {"operationId": "vendGetTransaction", "parameters": {"transID": "$response.body#/transID"}}}},
            "400": {"$ref": "#/components/responses/VendRefused"},
            "401": {"$ref": "#/components/responses/VendUnauthenticated"},
            "409": {"$ref": "#/components/responses/VendRefused"},
            "413": {"$ref": "#/components/responses/VendPayloadTooLarge"},
            "500": {"$ref": "#/components/responses/VendServerError"},
            "502": {"description": "The provider did not sell.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendProviderFailed"}}}},
            "503": {"$ref": "#/components/responses/VendServiceUnavailable"}
          }
        }},
        "/api/electricity/purchase-production": {"post": {
          "operationId": "vendBuyAlias", "tags": ["Vend"], "summary": "The same purchase under the seed's second route", "security": [{"vendApiToken": []}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendBuyRequest"}}}},
          "responses": {
            "200": {"description": "Sold.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendSuccess"}}}},
            "202": {"description": "Recorded; the outcome is not known yet.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendPending"}}}},
            "400": {"$ref": "#/components/responses/VendRefused"},
            "401": {"$ref": "#/components/responses/VendUnauthenticated"},
            "409": {"$ref": "#/components/responses/VendRefused"},
            "413": {"$ref": "#/components/responses/VendPayloadTooLarge"},
            "500": {"$ref": "#/components/responses/VendServerError"},
            "502": {"description": "The provider did not sell.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VendProviderFailed"}}}},
            "503": {"$ref": "#/components/responses/VendServiceUnavailable"}
          }
        }},
        "/api/transactions": {"get": {
          "operationId": "vendListTransactions", "tags": ["Vend"], "summary": "The caller's transactions, newest first", "security": [{"vendApiToken": []}],
          "parameters": [
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}
          ],
          "responses": {
            "200": {"description": "A page.", "content": {"application/json": {"schema": {
              "type": "object", "required": ["result", "message", "data", "meta"],
              "properties": {"result": {"const": "SUCCESS"}, "message": {"type": "null"},
                             "data": {"type": "array", "items": {"$ref": "#/components/schemas/VendTransaction"}},
                             "meta": {"type": "object", "required": ["page", "limit", "total", "totalPages"],
                                      "additionalProperties": {"type": "integer"}}}}}}},
            "400": {"$ref": "#/components/responses/VendRefused"},
            "401": {"$ref": "#/components/responses/VendUnauthenticated"},
            "500": {"$ref": "#/components/responses/VendServerError"},
            "503": {"$ref": "#/components/responses/VendServiceUnavailable"}
          }
        }},
        "/api/transactions/transaction-id/{transID}": {"get": {
          "operationId": "vendGetTransaction", "tags": ["Vend"], "summary": "One of the caller's transactions", "security": [{"vendApiToken": []}],
          "parameters": [{"name": "transID", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/VendTransID"}}],
          "responses": {
            "200": {"description": "The transaction.", "content": {"application/json": {"schema": {
              "type": "object", "required": ["result", "message", "transaction"],
              "properties": {"result": {"const": "SUCCESS"}, "message": {"type": "null"},
                             "transaction": {"$ref": "#/components/schemas/VendTransaction"}}}}}},
            "400": {"$ref": "#/components/responses/VendRefused"},
            "401": {"$ref": "#/components/responses/VendUnauthenticated"},
            "404": {"$ref": "#/components/responses/VendRefused"},
            "500": {"$ref": "#/components/responses/VendServerError"},
            "503": {"$ref": "#/components/responses/VendServiceUnavailable"}
          }
        }}
      }
    }
    """#)
}
