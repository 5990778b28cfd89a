"""What the Deploy/tests scripts share: named checks that report each outcome, and .local/env."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Checks:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def expect(self, condition, what, detail=""):
        if condition:
            self.passed += 1
            print(f"[{self.name}] ok: {what}")
        else:
            self.failed += 1
            print(f"[{self.name}] FAILED: {what}" + (f" ({detail})" if detail else ""), file=sys.stderr)
        return condition

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 and self.passed > 0 else 1


def local_env(path=None):
    """The shell assignments Deploy/run-local.sh writes to .local/env."""
    values = {}
    with open(path or os.path.join(ROOT, ".local", "env")) as env:
        for line in env:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key] = value
    return values
