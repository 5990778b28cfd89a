import API

extension VendRoutes {
    /// The seed's receipt and the history's transaction.
    static let receiptFragment = OpenAPIFragment("vend/receipt", json: #"""
    {
      "components": {
        "schemas": {
          "VendMeterDetails": {
            "type": "object", "required": ["tt", "number", "sgc_ti", "ti", "krn", "alg", "sgc"],
            "properties": {"tt": {"type": "string"}, "number": {"type": "string"}, "sgc_ti": {"type": "string"}, "ti": {"type": "string"},
                           "krn": {"type": "string"}, "alg": {"type": "string"}, "sgc": {"type": "string"}}
          },
          "VendToken": {
            "type": "object", "required": ["amount", "code", "receipt", "tax", "tariff", "units", "sort_order", "desc"],
            "properties": {"amount": {"type": "string"}, "code": {"type": "string", "description": "Digits in groups of four."},
                           "receipt": {"type": "string"}, "tax": {"type": "string"}, "tariff": {"type": "string"}, "units": {"type": "string"},
                           "sort_order": {"type": "string"}, "desc": {"type": "string"}}
          },
          "VendReceipt": {
            "type": "object",
            "required": ["customer_address", "notes", "receipt_no", "DateTime", "utility_details", "Cashier", "reprint", "customer_account_no",
                         "tariff_name", "fee_details", "customer_messages", "totals", "fbe_tokens", "external_client_id",
                         "customer_location_ref", "std_tokens", "meter_details", "token_gen_time", "external_reference_number",
                         "debt_details", "tariff_blocks", "ReceiptNo", "customer_name", "AmountTendered"],
            "properties": {
              "customer_address": {"type": ["string", "null"]}, "notes": {"type": "array", "items": {"type": "string"}},
              "receipt_no": {"type": "string"}, "DateTime": {"type": "string"},
              "utility_details": {"type": "object", "required": ["address", "vat_number", "name", "contact_number"],
                                  "properties": {"address": {"type": ["string", "null"]}, "vat_number": {"type": ["string", "null"]},
                                                 "name": {"type": "string"}, "contact_number": {"type": ["string", "null"]}}},
              "Cashier": {"type": "string"}, "reprint": {"type": "boolean"}, "customer_account_no": {"type": "string"},
              "tariff_name": {"type": "string"},
              "fee_details": {"type": "array", "items": {"type": "object", "required": ["amount", "tax", "desc"],
                              "properties": {"amount": {"type": "string"}, "tax": {"type": "string"}, "desc": {"type": "string"}}}},
              "customer_messages": {"type": "array", "items": {"type": "string"}},
              "totals": {"type": "object",
                         "required": ["tendered", "fees", "total", "fbe_units", "elec", "debt_remaining", "tax", "units", "debt", "debt_opening_bal"],
                         "additionalProperties": {"type": "string"}},
              "fbe_tokens": {"type": "array", "items": {"$ref": "#/components/schemas/VendToken"}},
              "external_client_id": {"type": "string"}, "customer_location_ref": {"type": "string"},
              "std_tokens": {"type": "array", "items": {"$ref": "#/components/schemas/VendToken"},
                             "description": "Key-change tokens first, then the credit token."},
              "meter_details": {"$ref": "#/components/schemas/VendMeterDetails"}, "token_gen_time": {"type": "string"},
              "external_reference_number": {"type": "string"}, "debt_details": {"type": "array", "items": {"type": "string"}},
              "tariff_blocks": {"type": "array", "items": {"type": "object", "properties": {"units": {"type": "string"}, "rate": {"type": "string"}}}},
              "ReceiptNo": {"type": "string"}, "customer_name": {"type": "string"}, "AmountTendered": {"type": "string"}
            }
          },
          "VendSuccess": {
            "type": "object", "required": ["results", "message", "type", "receiptItems"], "additionalProperties": false,
            "properties": {"results": {"const": "SUCCESS"}, "message": {"type": "null"}, "type": {"const": "DISPLAY"},
                           "receiptItems": {"$ref": "#/components/schemas/VendReceipt"}}
          },
          "VendTransaction": {
            "type": "object", "required": ["transID", "meterNumber", "amount", "status", "created_at", "updated_at", "receipt", "failure"],
            "additionalProperties": false,
            "properties": {"transID": {"type": "string"}, "meterNumber": {"type": "string"}, "amount": {"type": "string"},
                           "status": {"enum": ["pending", "unknown", "success", "failed"]}, "created_at": {"type": "string"},
                           "updated_at": {"type": "string"},
                           "receipt": {"oneOf": [{"$ref": "#/components/schemas/VendReceipt"}, {"type": "null"}]},
                           "failure": {"oneOf": [{"$ref": "#/components/schemas/VendProviderFailed"}, {"type": "null"}]}}
          }
        }
      }
    }
    """#)
}
