"""Prepares purchases for bench/vend: a vend agent whose password hash uses few PBKDF2 rounds (so
that preparing thousands of elec_tokens is quick; the benchmark times buys, not logins), the
demo customer and meter, then one verify-customer per purchase over HTTP, in parallel.

usage: prepare.py DATABASE_URL TRADINGD_URL COUNT OUT_FILE PREFIX  (prints the api_token)
"""
import base64, hashlib, http.client, json, os, subprocess, sys, threading, urllib.parse

database, url, count, out, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
salt = os.urandom(16)
digest = hashlib.pbkdf2_hmac("sha256", b"bench-password", salt, 1000, 32)
b64 = lambda b: base64.b64encode(b).decode().rstrip("=")
phc = f"$pbkdf2-sha256$i=1000${b64(salt)}${b64(digest)}"
sql = f"""
INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench') ON CONFLICT (slug) DO NOTHING;
INSERT INTO vend_users (organization_id, email, name, password_hash)
  SELECT id, 'bench@example.com', 'Bench Agent', '{phc}' FROM organizations WHERE slug = 'bench'
  ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash;
INSERT INTO vend_customers (organization_id, account_no, name) SELECT id, 'B1', 'Bench Customer' FROM organizations WHERE slug = 'bench'
  ON CONFLICT DO NOTHING;
INSERT INTO vend_meters (organization_id, customer_id, meter_number)
  SELECT c.organization_id, c.id, '04040404040' FROM vend_customers c WHERE c.account_no = 'B1' ON CONFLICT DO NOTHING;
"""
subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database, "-c", sql], check=True, stdout=subprocess.DEVNULL)

target = urllib.parse.urlparse(url)
lock = threading.Lock()
lines, tokens = [], []

def work(indices):
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    for index in indices:
        body = json.dumps({"transID": f"{prefix}{index}", "meterNumber": "04040404040", "amount": 50,
                           "email": "bench@example.com", "password": "bench-password"})
        connection.request("POST", "/api/electricity/verify-customer", body, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        data = json.loads(answer.read())
        if answer.status != 200:
            raise SystemExit(f"verify-customer answered {answer.status}: {data}")
        with lock:
            lines.append(f"{prefix}{index} {data['elec_token']}")
            tokens.append(data["api_token"])

threads = [threading.Thread(target=work, args=(range(t, count, 4),)) for t in range(4)]
for t in threads: t.start()
for t in threads: t.join()
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print(tokens[0])
