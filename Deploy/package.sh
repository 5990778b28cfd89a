#!/usr/bin/env bash
# Builds the Debian package: .build/package/tradingd_VERSION_ARCH.deb (path on the last line of
# stdout). Contents: /usr/bin/tradingd (Swift runtime linked in statically), the systemd unit,
# /etc/tradingd/ (the example config and a 0600 environment file, both conffiles), the
# migrations, README.Debian; postinst creates the `tradingd` system user.
#
#   Deploy/package.sh                a release build, on a copy of the working tree under
#                                    .build/package/src (incremental on later runs) whose
#                                    BuildInfo.swift carries the commit, so `tradingd version`
#                                    and tradingd_build_info name it
#   Deploy/package.sh --debug-build  the checkout's own debug build, relinked with the Swift
#                                    runtime static into .build/package (its objects are reused:
#                                    about a minute after `swift build`; the debug products are left
#                                    as they are); the binary says commit `development`. For the CI
#                                    run, which has just built it (Deploy/test-operations.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
[ -d /opt/swift/usr/bin ] && PATH="/opt/swift/usr/bin:$PATH"
say() { printf '[package] %s\n' "$*" >&2; }
case "${1:-}" in
    "") BUILD=release ;;
    --debug-build) BUILD=debug ;;
    *) echo "usage: Deploy/package.sh [--debug-build]" >&2; exit 2 ;;
esac

WORK="$ROOT/.build/package"
SRC="$WORK/src"
STAGE="$WORK/root"
VERSION=$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/Tradingd/CLI/BuildInfo.swift)
[ -n "$VERSION" ] || { say "no version in Sources/Tradingd/CLI/BuildInfo.swift"; exit 1; }
COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || COMMIT="$COMMIT-dirty"
ARCH=$(dpkg --print-architecture)
DEB="$WORK/tradingd_${VERSION}_${ARCH}.deb"

# The static Foundation's URLSession (RabbitManagementClient uses it) needs libcurl, which the
# toolchain's static libraries do not name: link Debian's libcurl4 by path (no -dev package needed).
CURL=$(ldconfig -p | sed -n 's/^\s*libcurl\.so\.4 (libc6,x86-64) => //p' | head -1)
[ -n "$CURL" ] || CURL=$(find /usr/lib /lib -name 'libcurl.so.4' 2>/dev/null | head -1)
[ -n "$CURL" ] || { say "libcurl.so.4 not found (apt-get install libcurl4)"; exit 1; }
mkdir -p "$WORK/lib" && ln -sfn "$CURL" "$WORK/lib/libcurl.so"

if [ "$BUILD" = release ]; then
    say "copying the working tree ($COMMIT) to $SRC"
    mkdir -p "$SRC"
    find "$SRC" -mindepth 1 -maxdepth 1 ! -name .build -exec rm -rf {} +
    git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
        [ -e "$file" ] && printf '%s\0' "$file"
    done | tar --null -T - -cf - | tar -xf - -C "$SRC"
    sed -i "s/static let commit = \".*\"/static let commit = \"$COMMIT\"/" "$SRC/Sources/Tradingd/CLI/BuildInfo.swift"

    say "building tradingd (release, static Swift runtime; log: $WORK/build.log)"
    if ! swift build -c release --product tradingd --static-swift-stdlib -Xlinker -L"$WORK/lib" -Xlinker -lcurl --package-path "$SRC" \
        > "$WORK/build.log" 2>&1; then
        tail -30 "$WORK/build.log" >&2
        exit 1
    fi
    BINARY="$SRC/.build/release/tradingd"
else
    COMMIT="$COMMIT, a debug build"
    say "relinking the debug build's tradingd with the static Swift runtime (log: $WORK/build.log)"
    # SwiftPM's own link command for the debug tradingd, run again into $WORK with the static
    # runtime: `swift build --static-swift-stdlib` would compile any changed module against the
    # static runtime into the checkout's .build, and the next plain `swift build` would then fail
    # to link (`cannot find -lCoreFoundation`). The checkout's debug products stay as they are.
    if ! swift build --product tradingd > "$WORK/build.log" 2>&1; then
        tail -30 "$WORK/build.log" >&2
        exit 1
    fi
    BINARY="$WORK/tradingd"
    mapfile -d '' link < <(python3 - "$(swift build --show-bin-path)/tradingd" "$BINARY" .build/debug.yaml <<'PYTHON'
import json, sys
product, output, manifest = sys.argv[1:]
lines = open(manifest).read().splitlines()
for index, line in enumerate(lines):
    if line.strip() == "outputs: " + json.dumps([product]):
        args = next(json.loads(l.strip()[len("args: "):]) for l in lines[index:] if l.strip().startswith("args: "))
        args[args.index("-o") + 1] = output
        sys.stdout.write("".join(arg + "\0" for arg in args))
        break
else:
    sys.exit(f"no link command for {product} in {manifest}")
PYTHON
    )
    [ "${#link[@]}" -gt 0 ] || { say "SwiftPM's link command for tradingd not found in .build/debug.yaml"; exit 1; }
    # Objects compiled against the shared runtime name only Foundation's top libraries for the
    # linker; the static ones need the rest too, in one group (they refer to each other).
    group=(-Xlinker --start-group)
    for library in FoundationNetworking _CFURLSessionInterface Foundation CoreFoundation FoundationInternationalization \
        _FoundationICU FoundationEssentials _FoundationCShims _FoundationCollections swiftSynchronization swiftDispatch \
        dispatch BlocksRuntime curl; do
        group+=(-Xlinker "-l$library")
    done
    group+=(-Xlinker --end-group)
    if ! "${link[@]}" -static-stdlib -L"$WORK/lib" "${group[@]}" >> "$WORK/build.log" 2>&1; then
        tail -30 "$WORK/build.log" >&2
        exit 1
    fi
fi

say "staging"
rm -rf "$STAGE"
install -d "$STAGE/DEBIAN" "$STAGE/usr/bin" "$STAGE/lib/systemd/system" "$STAGE/etc/tradingd" \
    "$STAGE/usr/share/tradingd/migrations" "$STAGE/usr/share/doc/tradingd" "$STAGE/usr/share/bash-completion/completions"
install -m 0755 "$BINARY" "$STAGE/usr/bin/tradingd"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$STAGE/usr/bin/tradingd"
install -m 0644 Deploy/tradingd.service "$STAGE/lib/systemd/system/tradingd.service"
install -m 0644 Config/tradingd.example.json "$STAGE/etc/tradingd/tradingd.json"
install -m 0600 Deploy/debian/tradingd.env "$STAGE/etc/tradingd/tradingd.env"
install -m 0644 Migrations/*.sql "$STAGE/usr/share/tradingd/migrations/"
install -m 0644 Deploy/debian/README.Debian Deploy/debian/copyright README.md Config/tradingd.example.json \
    Deploy/nginx-tls.conf "$STAGE/usr/share/doc/tradingd/"
"$STAGE/usr/bin/tradingd" completion bash > "$STAGE/usr/share/bash-completion/completions/tradingd"
chmod 0644 "$STAGE/usr/share/bash-completion/completions/tradingd"
DATE=$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
printf 'tradingd (%s) unstable; urgency=medium\n\n  * Built from commit %s.\n\n -- tradingd operators <ops@tradingd.example.org>  %s\n' \
    "$VERSION" "$COMMIT" "$DATE" | gzip -9n > "$STAGE/usr/share/doc/tradingd/changelog.gz"
for script in postinst prerm postrm; do install -m 0755 "Deploy/debian/$script" "$STAGE/DEBIAN/$script"; done
printf '/etc/tradingd/tradingd.json\n/etc/tradingd/tradingd.env\n' > "$STAGE/DEBIAN/conffiles"

# Shared-library dependencies as dpkg-shlibdeps computes them (it wants a debian/control).
SHLIBS=$(cd "$WORK" && mkdir -p debian && printf 'Source: tradingd\n\nPackage: tradingd\nArchitecture: any\n' > debian/control \
    && dpkg-shlibdeps -O "$STAGE/usr/bin/tradingd" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$SHLIBS" ] || { say "dpkg-shlibdeps found no dependencies"; exit 1; }
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: tradingd
Version: $VERSION
Architecture: $ARCH
Maintainer: tradingd operators <ops@tradingd.example.org>
Section: net
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
Depends: adduser, $SHLIBS
Suggests: postgresql, rabbitmq-server, prometheus
Homepage: https://tradingd.example.org/
Description: plant telemetry ingestion, ESM command relay and trading APIs
 tradingd consumes plant telemetry, meter readings, partner commands and ESM
 acknowledgements from RabbitMQ quorum queues, stores them idempotently in
 PostgreSQL with 1-minute aggregates, relays battery commands to the storage
 operator's ESM API, and serves the trading API, a status page and Prometheus
 metrics from its own HTTP listener.
CONTROL
(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$STAGE/DEBIAN/control" "$STAGE/DEBIAN/conffiles" "$STAGE/DEBIAN/md5sums"

# xz for the release package; gzip for the debug build's larger binary, where xz alone takes minutes.
if [ "$BUILD" = release ]; then COMPRESSION=-Zxz; else COMPRESSION=-Zgzip; fi
dpkg-deb --root-owner-group "$COMPRESSION" --build "$STAGE" "$DEB" >/dev/null
say "built $DEB ($(du -h "$DEB" | cut -f1))"
echo "$DEB"
