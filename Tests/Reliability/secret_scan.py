"""After the whole run: every configured secret (database and broker passwords, the secret key,
ESM client secrets, API tokens), as it is and percent-encoded, searched in every log line and
every recorded response of every scenario. Zero hits, or the suite fails."""
import os
import urllib.parse

from harness import ALL_SECRETS


def scan(root):
    files = [os.path.join(folder, name) for folder, _, names in os.walk(root) for name in names
             if name.endswith((".log", ".txt")) and not name.startswith("plants-")]
    assert files, f"nothing to scan under {root}"
    needles = {}
    for name, value in ALL_SECRETS.items():
        if value and len(value) >= 8:
            needles[value.encode()] = name
            needles[urllib.parse.quote(value, safe="").encode()] = name + " (percent-encoded)"
    assert needles, "no secrets were configured"
    hits, scanned = [], 0
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        scanned += len(data)
        for needle, name in needles.items():
            if needle in data:
                hits.append(f"{name} in {os.path.relpath(path, root)}")
    assert not hits, f"secrets found: {hits}"
    return {"files": len(files), "bytes": scanned, "secrets": len(ALL_SECRETS), "hits": 0}
