"""Schemathesis hooks of the contract run (Tests/Contract/run.sh).

The run must stay on this machine: tradingd checks an `esmApiUrl` by resolving its host and later
connects to it, so a generated URL could send traffic anywhere. Every schema-valid ESM field of a
`POST /api/v1/trading/config` body is therefore replaced by the local ESM simulator's URL and
credentials before it is sent. Values that break the schema stay broken, so negative cases stay
negative, and are refused before any lookup (an URL that breaks only the pattern becomes one with
an ftp scheme).
"""
import os
import re

import schemathesis

CONTROL = re.compile("[\u0000-\u001f\u007f-\u009f]")
LIMITS = {"esmApiUrl": 2048, "esmClientId": 200, "esmClientSecret": 1000}
SIMULATOR = {
    "esmApiUrl": os.environ.get("CONTRACT_ESM_URL", ""),
    "esmClientId": os.environ.get("CONTRACT_ESM_CLIENT_ID", ""),
    "esmClientSecret": os.environ.get("CONTRACT_ESM_CLIENT_SECRET", ""),
}


def schema_valid(field, value):
    if value is None:
        return True
    if not isinstance(value, str) or not value or len(value) > LIMITS[field] or CONTROL.search(value):
        return False
    return field != "esmApiUrl" or value.lower().startswith(("http://", "https://"))


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.method.upper() != "POST" or case.path != "/api/v1/trading/config" or not isinstance(case.body, dict):
        return
    for field, value in SIMULATOR.items():
        if field not in case.body:
            continue
        given = case.body[field]
        if schema_valid(field, given):
            case.body[field] = value
        elif field == "esmApiUrl" and isinstance(given, str) and given and len(given) <= LIMITS[field] and not CONTROL.search(given):
            # Breaks only the pattern: keep it broken, with a scheme refused before any lookup.
            case.body[field] = "ftp://127.0.0.1/refused"
