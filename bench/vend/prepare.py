"""Prepares purchases for bench/vend: a vend agent, the demo customer and meter, one login over
HTTP for the api_token, and one elec_token per purchase written straight into vend_elec_tokens
(SHA-256 of the token, bound to the agent, transID, meter and amount, as verify-customer stores
it). The benchmark times buys, not verify-customer: each verify checks the password with PBKDF2 at
600,000 iterations (the first login rehashes the agent's password to that), a few a second on
this machine.

usage: prepare.py DATABASE_URL TRADINGD_URL COUNT OUT_FILE PREFIX  (prints the api_token)
"""
import base64, datetime, hashlib, http.client, json, os, subprocess, sys, urllib.parse

database, url, count, out, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
salt = os.urandom(16)
digest = hashlib.pbkdf2_hmac("sha256", b"bench-password", salt, 1000, 32)
b64 = lambda b: base64.b64encode(b).decode().rstrip("=")
phc = f"$pbkdf2-sha256$i=1000${b64(salt)}${b64(digest)}"


def psql(sql, stdin=None):
    return subprocess.run(["psql", "-q", "-At", "-v", "ON_ERROR_STOP=1", database, "-c", sql], input=stdin, text=True,
                          check=True, capture_output=True).stdout.strip()


psql(f"""
INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench') ON CONFLICT (slug) DO NOTHING;
INSERT INTO vend_users (organization_id, email, name, password_hash)
  SELECT id, 'bench@example.com', 'Bench Agent', '{phc}' FROM organizations WHERE slug = 'bench'
  ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash;
INSERT INTO vend_customers (organization_id, account_no, name) SELECT id, 'B1', 'Bench Customer' FROM organizations WHERE slug = 'bench'
  ON CONFLICT DO NOTHING;
INSERT INTO vend_meters (organization_id, customer_id, meter_number)
  SELECT c.organization_id, c.id, '04040404040' FROM vend_customers c WHERE c.account_no = 'B1' ON CONFLICT DO NOTHING;
""")
user_id = psql("SELECT id FROM vend_users WHERE email = 'bench@example.com'")

target = urllib.parse.urlparse(url)
connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
connection.request("POST", "/api/auth/login", json.dumps({"email": "bench@example.com", "password": "bench-password"}),
                   {"Content-Type": "application/json"})
answer = connection.getresponse()
data = json.loads(answer.read())
if answer.status != 200:
    raise SystemExit(f"login answered {answer.status}: {data}")

# Valid for two hours (verify-customer's own last ten minutes): long enough for any round.
expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)).isoformat()
lines, rows = [], []
for index in range(count):
    token = "vet_" + os.urandom(32).hex()
    lines.append(f"{prefix}{index} {token}")
    # COPY's text format: the backslash of bytea's \x hex form is doubled.
    rows.append(f"\\\\x{hashlib.sha256(token.encode()).hexdigest()}\t{user_id}\t{prefix}{index}\t04040404040\t50\t{expires}\n")
subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database, "-c",
                "COPY vend_elec_tokens (token_hash, user_id, trans_id, meter_number, amount, expires_at) FROM STDIN"],
               input="".join(rows), text=True, check=True, stdout=subprocess.DEVNULL)
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print(data["api_token"])
