import API

/// `/`, `/login` and `/logout` in `/openapi.json`: HTML for people, not an API, but routes all the
/// same, so they are described (the session is the `tradingd_token` cookie the login form sets).
extension StatusRoutes {
    public var openAPI: [OpenAPIFragment] { [Self.fragment] }

    static let fragment = OpenAPIFragment("status-page", json: #"""
    {
      "tags": [
        {"name": "Status page", "description": "The built-in status page: server-rendered HTML behind a login form (an API token of the organisation with the `trading` scope, any role). The session is the token in an `HttpOnly`, `SameSite=Strict` cookie; every form posts a CSRF token equal to the `tradingd_csrf` cookie."}
      ],
      "paths": {
        "/": {
          "get": {
            "operationId": "getStatusPage",
            "tags": ["Status page"],
            "summary": "The organisation's status (HTML)",
            "description": "Without a session cookie (or with one that is no longer valid) the answer is 303 to `/login`, so the session is optional here.",
            "security": [{"statusSession": []}, {}],
            "parameters": [
              {"name": "plant", "in": "query", "description": "The plant of the telemetry chart (default: the first by name); an unknown one falls back to the default.", "schema": {"type": "string", "pattern": "^[^\\u0000\\r\\n]*$"}},
              {"name": "hours", "in": "query", "description": "The chart's range: 1, 6 (default), 24 or 168 hours; other values fall back to the default.", "schema": {"type": "string", "pattern": "^[^\\u0000\\r\\n]*$"}},
              {"name": "interval", "in": "query", "description": "The chart's bucket: 1, 5 (default), 15 or 60 minutes; other values fall back to the default.", "schema": {"type": "string", "pattern": "^[^\\u0000\\r\\n]*$"}}
            ],
            "responses": {
              "200": {"$ref": "#/components/responses/StatusHTML"},
              "303": {"$ref": "#/components/responses/StatusRedirect"},
              "400": {"$ref": "#/components/responses/StatusPlainBadRequest"},
              "403": {"$ref": "#/components/responses/StatusHTML"},
              "503": {"$ref": "#/components/responses/StatusUnavailable"}
            }
          }
        },
        "/login": {
          "get": {
            "operationId": "getStatusLogin",
            "tags": ["Status page"],
            "summary": "The login form (HTML); sets the CSRF cookie",
            "security": [],
            "responses": {
              "200": {"$ref": "#/components/responses/StatusHTML"},
              "400": {"$ref": "#/components/responses/StatusPlainBadRequest"},
              "503": {"$ref": "#/components/responses/StatusUnavailable"}
            }
          },
          "post": {
            "operationId": "postStatusLogin",
            "tags": ["Status page"],
            "summary": "Sign in: on success 303 to / with the session cookie",
            "security": [],
            "requestBody": {
              "required": true,
              "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/StatusLoginForm"}}}
            },
            "responses": {
              "303": {"$ref": "#/components/responses/StatusRedirect"},
              "400": {"$ref": "#/components/responses/StatusPlainBadRequest"},
              "401": {"$ref": "#/components/responses/StatusHTML"},
              "403": {"$ref": "#/components/responses/StatusHTML"},
              "413": {"$ref": "#/components/responses/StatusPlainBadRequest"},
              "503": {"$ref": "#/components/responses/StatusUnavailable"}
            }
          }
        },
        "/logout": {
          "post": {
            "operationId": "postStatusLogout",
            "tags": ["Status page"],
            "summary": "Sign out: 303 to /login, the session cookie cleared",
            "security": [],
            "requestBody": {
              "required": true,
              "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/StatusLogoutForm"}}}
            },
            "responses": {
              "303": {"$ref": "#/components/responses/StatusRedirect"},
              "400": {"$ref": "#/components/responses/StatusPlainBadRequest"},
              "403": {"$ref": "#/components/responses/StatusHTML"},
              "413": {"$ref": "#/components/responses/StatusPlainBadRequest"},
              "503": {"$ref": "#/components/responses/StatusUnavailable"}
            }
          }
        }
      },
      "components": {
        "securitySchemes": {
          "statusSession": {
            "type": "apiKey",
            "in": "cookie",
            "name": "tradingd_token",
            "description": "Set by POST /login: the API token itself, `HttpOnly`, `SameSite=Strict`, for 12 hours."
          }
        },
        "schemas": {
          "StatusLoginForm": {
            "type": "object",
            "required": ["token", "csrf"],
            "properties": {
              "token": {"type": "string", "description": "An API token of the organisation with the `trading` scope."},
              "csrf": {"type": "string", "description": "The value of the `tradingd_csrf` cookie (64 hex digits) the login form was served with."}
            }
          },
          "StatusLogoutForm": {
            "type": "object",
            "required": ["csrf"],
            "properties": {"csrf": {"type": "string", "description": "The value of the `tradingd_csrf` cookie."}}
          }
        },
        "responses": {
          "StatusHTML": {
            "description": "An HTML page (the status page, the login form, or why it was refused).",
            "content": {"text/html": {"schema": {"type": "string"}}}
          },
          "StatusRedirect": {
            "description": "See Other: to /login without a valid session, to / after signing in, to /login after signing out.",
            "headers": {"Location": {"schema": {"type": "string"}}}
          },
          "StatusPlainBadRequest": {
            "description": "The listener refused the request before the page saw it (a malformed query or body), in the plain envelope.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlainError"}}}
          },
          "StatusUnavailable": {
            "description": "The page could not be made (the daemon's log has the details under the request id), or the listener is busy.",
            "content": {
              "text/html": {"schema": {"type": "string"}},
              "application/json": {"schema": {"$ref": "#/components/schemas/PlainError"}}
            }
          }
        }
      }
    }
    """#)
}
