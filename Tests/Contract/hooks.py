"""Schemathesis hooks of the contract run (Tests/Contract/run.sh).

Trading: the run must stay on this machine: tradingd checks an `esmApiUrl` by resolving its host and later
connects to it, so a generated URL could send traffic anywhere. Every schema-valid ESM field of a
`POST /api/v1/trading/config` body is therefore replaced by the local ESM simulator's URL and
credentials before it is sent. Values that break the schema stay broken, so negative cases stay
negative, and are refused before any lookup (an URL that breaks only the pattern becomes one with
an ftp scheme).

Vend: generated credentials name no agent, so half of the schema-valid login and verify-customer
bodies (by the e-mail's length) get the seed's agent and meter instead, which lets those calls,
and the buys their links lead to, succeed. Each login and verify-customer comes from its own
X-Forwarded-For address (the run trusts the loopback proxy), so the per-address throttle that the
wrong passwords trip never locks out the right ones.
"""
import os
import random
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


VEND_AGENT = {"email": os.environ.get("CONTRACT_VEND_EMAIL", ""), "password": os.environ.get("CONTRACT_VEND_PASSWORD", "")}
VEND_METER = os.environ.get("CONTRACT_VEND_METER", "")
METER_PATTERN = re.compile(r"^([0-9]{11}|[0-9]{13})$")
VEND_LOGINS = ("/api/auth/login", "/api/electricity/verify-customer")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.method.upper() != "POST":
        return
    if case.path in VEND_LOGINS:
        case.headers["X-Forwarded-For"] = "10.%d.%d.%d" % (random.randrange(256), random.randrange(256), random.randrange(1, 255))
        if isinstance(case.body, dict):
            vend_login(case)
    elif case.path == "/api/v1/trading/config" and isinstance(case.body, dict):
        trading_config(case)


def vend_login(case):
    email, password = case.body.get("email"), case.body.get("password")
    if not (isinstance(email, str) and email and isinstance(password, str) and password and len(email) % 2 == 0):
        return
    case.body.update(VEND_AGENT)
    meter = case.body.get("meterNumber")
    if isinstance(meter, str) and METER_PATTERN.match(meter):
        case.body["meterNumber"] = VEND_METER


def trading_config(case):
    for field, value in SIMULATOR.items():
        if field not in case.body:
            continue
        given = case.body[field]
        if schema_valid(field, given):
            case.body[field] = value
        elif field == "esmApiUrl" and isinstance(given, str) and given and len(given) <= LIMITS[field] and not CONTROL.search(given):
            # Breaks only the pattern: keep it broken, with a scheme refused before any lookup.
            case.body[field] = "ftp://127.0.0.1/refused"
