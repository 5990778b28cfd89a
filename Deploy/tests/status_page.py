"""The status page in a real browser against the local run (Deploy/run-local.sh start).

Sells a token through the vend API, submits a purchase schedule and posts a purchase customer
event first, then signs in through the login form with the demo admin token, and checks that the
session cookie is out of the page's reach, that no inline code was refused, that every section
shows (the sale, the purchase and the event among the recent ones), and that the telemetry chart's SVG has a point for each bucket the
telemetry endpoint serves for the same window, where the chart's own stated scales put it. With --screenshots DIR it also writes the
login form and the page as PNG files.

usage: python3 Deploy/tests/status_page.py [--screenshots DIR]   (reads .local/env)
"""
import calendar
import json
import os
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from cdp import Browser  # noqa: E402
from checks import ROOT, Checks, local_env  # noqa: E402

CHART = """(() => {
  const svg = document.querySelector('#telemetry svg.chart');
  if (!svg) return null;
  const series = {};
  for (const line of svg.querySelectorAll('polyline')) {
    const key = line.dataset.series;
    const points = line.getAttribute('points').trim().split(/\\s+/).map(p => p.split(',').map(Number));
    (series[key] = series[key] || []).push(points);
  }
  return {plot: svg.dataset.plot, time: svg.dataset.timeRange, power: svg.dataset.powerRange,
          buckets: Number(svg.dataset.buckets), source: document.querySelector('#chart-source').dataset.source, series};
})()"""


def api(env, path):
    request = urllib.request.Request(env["TRADINGD_URL"] + path, headers={"Authorization": "Bearer " + env["TRADINGD_TOKEN"]})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def post_json(env, path, body, token=None, headers=None):
    headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(env["TRADINGD_URL"] + path, data=b"" if body is None else json.dumps(body).encode(),
                                     headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def make_activity(env):
    """A vend sale (seed 001's testing tips), a purchase schedule (seed 000's example) and a purchase
    customer event (seed 003's Example 1, performed now); their ids."""
    trans_id = "OPS%d" % int(time.time() * 1000)
    verified = post_json(env, "/api/electricity/verify-customer", {
        "transID": trans_id, "meterNumber": "12345678901", "amount": 50.00,
        "email": env["TRADINGD_VEND_EMAIL"], "password": env["TRADINGD_VEND_PASSWORD"]})
    post_json(env, "/api/buyelectricityprod", {"transID": trans_id, "meterNumber": "12345678901", "amount": 50.00,
                                               "elec_token": verified["elec_token"]}, token=verified["api_token"])
    purchase = post_json(env, "/api/v0/user/trebolenergia/submit-purchase?retailer_id=123", {"purchase": [
        {"datetime": "2025-11-11 00:15", "purchase": 12.0}, {"datetime": "2025-11-11 00:30", "purchase": 13.0}]},
        token=env["TRADINGD_PURCHASE_TOKEN"])
    events_token = post_json(env, "/customer_events/token", None,
                             headers={"api_key": env["TRADINGD_CUSTOMER_EVENTS_API_KEY"]})["token"]
    with open(os.path.join(ROOT, "Deploy", "demo", "example1.json")) as example:
        event = json.load(example)
    event.update(reference_number=trans_id, performed_on=int(time.time()) - 60)
    post_json(env, "/customer_events/purchases", event, token=events_token)
    return trans_id, purchase["id"]


def epoch(text):
    """Seconds of an RFC 3339 UTC time such as 2026-01-31T12:00:00Z or 2026-01-31T12:00:00.000Z."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + (float("0." + fraction) if fraction else 0.0)


def check_chart(checks, env, chart):
    buckets = api(env, chart["source"])
    checks.expect(len(buckets) > 0, "the telemetry endpoint has buckets for the chart's window", f"{len(buckets)} buckets")
    checks.expect(chart["buckets"] == len(buckets) or chart["buckets"] == len(buckets) - 1,
                  "the chart drew the endpoint's buckets", f"chart {chart['buckets']}, endpoint {len(buckets)}")
    left, top, width, height = map(float, chart["plot"].split())
    start, end = map(float, chart["time"].split())
    low, high = map(float, chart["power"].split())
    ranges = {"soc": (0.0, 100.0), "grid_power": (low, high), "fve_power": (low, high)}
    # The newest bucket may have gained samples since the page was drawn: its value may differ.
    settled = buckets[:-1]
    for key in ("soc", "grid_power", "fve_power"):
        points = [p for run in chart["series"].get(key, []) for p in run]
        expected = [b for b in buckets if b.get(key) is not None]
        checks.expect(len(points) in (len(expected), len(expected) - 1, len(expected) + 1) and len(points) > 0,
                      f"{key}: a point per bucket with a value", f"{len(points)} points, {len(expected)} buckets")
        by_x = {round(p[0], 1): p[1] for p in points}
        misplaced = []
        for bucket in (b for b in settled if b.get(key) is not None):
            x = round(left + (epoch(bucket["time"]) - start) / (end - start) * width, 1)
            lo, hi = ranges[key]
            y = top + height - (bucket[key] - lo) / (hi - lo) * height
            found = min(by_x.items(), key=lambda item: abs(item[0] - x), default=None)
            if found is None or abs(found[0] - x) > 0.15 or abs(found[1] - y) > 0.15:
                misplaced.append((bucket["time"], x, y, found))
        checks.expect(not misplaced, f"{key}: every settled bucket's point is where the scales put it",
                      f"first misplaced: {misplaced[:1]}")


def main():
    env = local_env()
    shots = sys.argv[sys.argv.index("--screenshots") + 1] if "--screenshots" in sys.argv else None
    checks = Checks("status page")
    trans_id, purchase_id = make_activity(env)
    browser = Browser()
    try:
        browser.navigate(env["TRADINGD_URL"] + "/")
        checks.expect(browser.evaluate("location.pathname") == "/login", "without a session / leads to the login form")
        if shots:
            browser.screenshot(os.path.join(shots, "status-login.png"))
        browser.submit_and_wait("document.getElementById('token').value = 'tdt_wrong';"
                                "document.querySelector('form.login').submit()")
        checks.expect("unknown" in (browser.evaluate("document.getElementById('login-error')?.textContent") or ""),
                      "a wrong token is refused on the form")
        browser.drop_events("Log.entryAdded")  # the refused login's 401 is logged as a failed load
        browser.submit_and_wait(f"document.getElementById('token').value = {json.dumps(env['TRADINGD_TOKEN'])};"
                                "document.querySelector('form.login').submit()")
        checks.expect(browser.evaluate("location.pathname") == "/", "the right token signs in")
        checks.expect("tradingd_token" not in browser.evaluate("document.cookie"), "the session cookie is HttpOnly")
        for section in ("trading", "ingest", "queues", "telemetry", "commands", "config", "vend", "purchases", "customer-events"):
            checks.expect(browser.evaluate(f"!!document.getElementById('{section}')"), f"section '{section}' is shown")
        checks.expect(browser.evaluate("document.getElementById('trading-status').textContent") == "ENABLED",
                      "trading status is ENABLED")
        checks.expect(browser.evaluate(f"!!document.querySelector('[data-queue=\"{env['TRADINGD_QUEUE_PREFIX']}.telemetry\"]')"),
                      "the telemetry queue is listed with its counts")
        sale = browser.evaluate(f"document.querySelector('[data-trans-id=\"{trans_id}\"]')?.textContent")
        checks.expect(bool(sale) and "SUCCESS" in sale and "50.00" in sale, "the vend sale is listed as sold", str(sale))
        checks.expect(browser.evaluate(f"!!document.querySelector('[data-purchase=\"{purchase_id}\"]')"),
                      "the purchase schedule is listed", purchase_id)
        event = browser.evaluate(f"document.querySelector('[data-event=\"{trans_id}\"]')?.textContent")
        checks.expect(bool(event) and "15.19" in event and "EUR" in event, "the customer event is listed with its total", str(event))
        chart = browser.evaluate(CHART)
        checks.expect(chart is not None, "the telemetry chart is drawn")
        if chart:
            check_chart(checks, env, chart)
        checks.expect(browser.evaluate("document.querySelectorAll('script[src], link[rel=stylesheet], img').length") == 0,
                      "no external asset is loaded")
        errors = browser.console_errors()
        checks.expect(not errors, "the page ran without errors or refused inline code", "; ".join(errors[:3]))
        if shots:
            browser.screenshot(os.path.join(shots, "status-page.png"))
        forged = urllib.request.Request(env["TRADINGD_URL"] + "/logout", data=b"csrf=forged", method="POST",
                                        headers={"Origin": "http://evil.example"})
        try:
            urllib.request.urlopen(forged, timeout=10)
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
        checks.expect(status == 403, "a cross-site sign-out post is refused", f"status {status}")
        browser.submit_and_wait("document.querySelector('form[action=\"/logout\"]').submit()")
        checks.expect(browser.evaluate("location.pathname") == "/login", "signing out returns to the login form")
        browser.navigate(env["TRADINGD_URL"] + "/")
        checks.expect(browser.evaluate("location.pathname") == "/login", "after signing out / needs a login again")
    finally:
        browser.close()
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
