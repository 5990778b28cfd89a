#!/usr/bin/env bash
# The Debian package, end to end, as root: build it (Deploy/package.sh), lintian with no errors,
# install it with apt-get (dependencies resolved), `systemd-analyze verify` on its unit, then run
# the unit's ExecStartPre and ExecStart lines as the unit's user with the unit's environment (PID 1
# is not systemd here), prove the daemon serves and is ready, stop it with SIGTERM, and purge the
# package, leaving none of its files behind. Uses the private servers (Deploy/servers.sh).
#
# usage: bash Deploy/tests/package.sh [--debug-build | DEB]
#   no argument    builds the package from a release build (Deploy/package.sh), which names the commit
#   --debug-build  packages the checkout's debug build instead (Deploy/package.sh --debug-build:
#                  about a minute after `swift build`, what the CI run uses)
#   DEB            tests that package
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
passed=0
failed=0
last_check=$SECONDS
ok() { passed=$((passed + 1)); echo "[package] ok: $* ($((SECONDS - last_check)) s)"; last_check=$SECONDS; }
bad() { failed=$((failed + 1)); echo "[package] FAILED: $* ($((SECONDS - last_check)) s)" >&2; last_check=$SECONDS; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

[ "$(id -u)" = 0 ] || { echo "[package] must run as root (it installs the package)" >&2; exit 1; }
# shellcheck disable=SC1091
set -a; . .local/servers.env; set +a

# The commit the binary must name: a release build's own, a debug build says `development`.
COMMIT=$(git rev-parse --short=12 HEAD)
case "${1:-}" in
    "") DEB=$(bash Deploy/package.sh | tail -1) ;;
    --debug-build) DEB=$(bash Deploy/package.sh --debug-build | tail -1); COMMIT=development ;;
    *) DEB=$1 ;;
esac
[ -f "$DEB" ] || { echo "[package] no package at '$DEB'" >&2; exit 1; }
DEB=$(readlink -f "$DEB")

LINTIAN=$(lintian --fail-on error --suppress-tags-from-file /dev/null "$DEB" 2>&1) && lint=0 || lint=$?
echo "$LINTIAN" | sed 's/^/[package] lintian: /'
check "lintian reports no errors" test "$lint" = 0

dpkg --purge tradingd >/dev/null 2>&1 || true
export DEBIAN_FRONTEND=noninteractive
check "the package installs (apt-get resolves its dependencies)" \
    sh -c "apt-get install -y -qq --no-install-recommends '$DEB' >/dev/null 2>&1"
check "postinst created the tradingd system user" sh -c 'getent passwd tradingd | grep -q ":/nonexistent:"'
check "the environment file is root's alone (0600)" test "$(stat -c %a:%U /etc/tradingd/tradingd.env)" = 600:root
check "the daemon may read its config but not write it" test "$(stat -c %a:%U:%G /etc/tradingd/tradingd.json)" = 640:root:tradingd
check "the migrations are installed" test -f /usr/share/tradingd/migrations/0001_organizations_and_tokens.sql
check "bash completion is installed" grep -q "complete -F _tradingd tradingd" /usr/share/bash-completion/completions/tradingd
UNIT=/lib/systemd/system/tradingd.service
VERIFY=$(systemd-analyze verify "$UNIT" 2>&1) && verified=0 || verified=$?
[ -z "$VERIFY" ] || echo "$VERIFY" | sed 's/^/[package] systemd-analyze: /'
check "systemd-analyze verify passes on the unit" test "$verified" = 0

# The unit's environment, as systemd would build it: Environment= lines, then EnvironmentFile=.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DB="tradingd_pkg_$$"
ADMIN_URL="${TRADINGD_TEST_DATABASE_URL%/*}/postgres"
psql -qAt "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
cleanup() {
    [ -n "${SERVE_PID:-}" ] && kill -KILL "$SERVE_PID" 2>/dev/null || true
    psql -qAt "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cat > /etc/tradingd/tradingd.env <<ENV
TRADINGD_DATABASE_URL=${TRADINGD_TEST_DATABASE_URL%/*}/$DB
TRADINGD_AMQP_URL=$TRADINGD_TEST_AMQP_URL
TRADINGD_AMQP_MANAGEMENT_URL=$TRADINGD_TEST_AMQP_MANAGEMENT_URL
TRADINGD_SECRET_KEY=$(openssl rand -base64 32)
TRADINGD_HTTP_ADDRESS=127.0.0.1:$PORT
TRADINGD_EXCHANGE=tradingd-package-test
ENV
UNIT_USER=$(sed -n 's/^User=//p' "$UNIT")
mapfile -t UNIT_ENV < <(sed -n 's/^Environment=//p' "$UNIT"; sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$UNIT" | xargs -r cat | grep -v '^#' | grep '=')
PRE=$(sed -n 's/^ExecStartPre=//p' "$UNIT")
START=$(sed -n 's/^ExecStart=//p' "$UNIT")
# Replaces the calling (sub)shell: setpriv and env exec, so a background run's PID is the daemon's own.
unit_exec() { cd / && exec setpriv --reuid="$UNIT_USER" --regid="$UNIT_USER" --init-groups env -i PATH=/usr/bin:/bin "${UNIT_ENV[@]}" "$@"; }
as_unit() { (unit_exec "$@"); }
status_says_ready() { as_unit /usr/bin/tradingd status | grep -q ': ready'; }
user_of() { test "$(ps -o user= -p "$1")" = "$UNIT_USER"; }

# shellcheck disable=SC2086
check "ExecStartPre ($PRE) succeeds as $UNIT_USER" as_unit $PRE
LOG=$(mktemp)
chmod 0666 "$LOG"
# shellcheck disable=SC2086
unit_exec $START > "$LOG" 2>&1 &
SERVE_PID=$!
ready=1
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && { ready=0; break; }
    sleep 0.3
done
check "ExecStart ($START) serves and is ready" test "$ready" = 0
check "it runs as the unit's user" user_of "$SERVE_PID"
check "tradingd status (as the unit's user, its configuration) says ready" status_says_ready
check "the installed build names its commit" sh -c "curl -fs http://127.0.0.1:$PORT/metrics | grep -q 'tradingd_build_info{commit=\"$COMMIT'"
check "tradingd version names the same commit" sh -c "/usr/bin/tradingd version | grep -q '$COMMIT'"
kill -TERM "$SERVE_PID"
status=0
wait "$SERVE_PID" || status=$?
SERVE_PID=
check "SIGTERM stops it with exit 0" test "$status" = 0
grep -q '"msg":"stopped"' "$LOG" || { tail -5 "$LOG" >&2; }
rm -f "$LOG"

FILES=$(dpkg -L tradingd | while read -r path; do [ -f "$path" ] && echo "$path"; done)
check "the package purges" sh -c "apt-get purge -y -qq tradingd >/dev/null 2>&1"
LEFT=$(for path in $FILES; do [ -e "$path" ] && echo "$path"; done; [ -e /etc/tradingd ] && echo /etc/tradingd; true)
check "none of its files are left" test -z "$LEFT"
[ -z "$LEFT" ] || echo "$LEFT" | sed 's/^/[package] left: /' >&2
check "dpkg no longer knows it" sh -c "! dpkg -s tradingd >/dev/null 2>&1"

echo "package: $passed passed, $failed failed"
[ "$failed" = 0 ]
