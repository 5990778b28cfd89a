#!/usr/bin/env bash
# Builds libFuzzer targets and runs each for a bounded time.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]   (default 300 s each; targets: request-parser,
#   response-parser; default all). Findings land in .build/fuzz/TARGET/ as crash-* files; copy one
#   into fuzz/corpus/TARGET/ (where there is one) to keep it as a regression test.
set -euo pipefail
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(request-parser response-parser)
root=$(cd "$(dirname "$0")/.." && pwd)
PATH="/opt/swift/usr/bin:$PATH"

build() {   # build TARGET FILES...: one executable with libFuzzer and AddressSanitizer
    local name=$1
    shift
    swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O "$@" -o "$root/.build/fuzz/$name/$name-fuzz"
}

for target in "${targets[@]}"; do
    out="$root/.build/fuzz/$target"
    mkdir -p "$out/corpus"
    corpora=("$out/corpus")
    case "$target" in
    request-parser)
        build "$target" "$root"/Sources/HTTPServer/Parser/*.swift "$root/fuzz/RequestParserFuzz.swift"
        # Seeds: a few valid and invalid requests (the first byte picks the piece size).
        seed() { printf "$2" > "$out/corpus/seed-$1"; }
        seed get '\x03GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n'
        seed post '\x05POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello'
        seed chunked '\x07PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;e=1\r\nde\r\n0\r\nT: v\r\n\r\n'
        seed expect '\x01POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok'
        seed http10 '\x02GET http://x/d HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /e HTTP/1.1\r\nHost: h\r\n\r\n'
        seed smuggle '\x04POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
        max_len=2048
        ;;
    response-parser)
        # The oracle is shared with ResponseParserCorpusTests, which replays the committed corpus.
        build "$target" "$root"/Sources/OutboundHTTP/Parser/*.swift \
            "$root/Tests/OutboundHTTPTests/ResponseParserOracle.swift" "$root/fuzz/ResponseParserFuzz.swift"
        # The committed corpus is read, never written: new inputs go to the scratch corpus first.
        corpora=("$out/corpus" "$root/fuzz/corpus/response-parser")
        max_len=4096
        ;;
    *)
        echo "fuzz/run.sh: unknown target $target" >&2
        exit 2
        ;;
    esac
    echo "fuzz/run.sh: $target for ${seconds}s" >&2
    # The Swift runtime's own crash backtracer would muddle libFuzzer's reports.
    SWIFT_BACKTRACE=enable=no "$out/$target-fuzz" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 \
        -artifact_prefix="$out/" "${corpora[@]}"
done
