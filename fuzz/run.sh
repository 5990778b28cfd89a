#!/usr/bin/env bash
# Builds the libFuzzer target for the HTTP request parser and runs it.
# Usage: fuzz/run.sh [SECONDS]   (default 300). Findings land in .build/fuzz/ as crash-* files.
set -euo pipefail
seconds=${1:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.build/fuzz"
mkdir -p "$out/corpus"

swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O \
    "$root"/Sources/HTTPServer/Parser/*.swift "$root/fuzz/RequestParserFuzz.swift" \
    -o "$out/request-parser-fuzz"

# Seeds: a few valid and invalid requests (the first byte picks the piece size).
seed() { printf "$2" > "$out/corpus/seed-$1"; }
seed get '\x03GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n'
seed post '\x05POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello'
seed chunked '\x07PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;e=1\r\nde\r\n0\r\nT: v\r\n\r\n'
seed expect '\x01POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok'
seed http10 '\x02GET http://x/d HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /e HTTP/1.1\r\nHost: h\r\n\r\n'
seed smuggle '\x04POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'

# The Swift runtime's own crash backtracer would muddle libFuzzer's reports.
SWIFT_BACKTRACE=enable=no exec "$out/request-parser-fuzz" -max_total_time="$seconds" -max_len=2048 -print_final_stats=1 \
    -artifact_prefix="$out/" "$out/corpus"
