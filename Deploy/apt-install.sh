#!/usr/bin/env bash
# Installs the named Debian packages that are missing, without letting their services start
# (their default ports and data are never used here). The one place the scripts install from.
#
# usage: bash Deploy/apt-install.sh PACKAGE...
set -euo pipefail
need=()
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need+=("$package")
done
[ ${#need[@]} -eq 0 ] && exit 0
[ "$(id -u)" = 0 ] || { echo "[apt] missing packages (${need[*]}); run as root or install them" >&2; exit 1; }
echo "[apt] installing ${need[*]}" >&2
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
