#!/usr/bin/env bash
# Builds libFuzzer targets and runs each for a bounded time.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]   (default 300 s each; default all targets:
#   request-parser, response-parser, url-guard, telemetry-decoder, meter-decoder, command-decoder,
#   ack-decoder, time-block-validator). Findings land in .build/fuzz/TARGET/ as crash-* files; copy
#   one into fuzz/corpus/TARGET/ (where there is one) to keep it as a regression test.
set -euo pipefail
seconds=${1:-300}
shift || true
targets=("$@")
decoders=(telemetry-decoder meter-decoder command-decoder ack-decoder time-block-validator)
[ ${#targets[@]} -gt 0 ] || targets=(request-parser response-parser url-guard "${decoders[@]}")
root=$(cd "$(dirname "$0")/.." && pwd)
PATH="/opt/swift/usr/bin:$PATH"

build() {   # build TARGET FILES...: one executable with libFuzzer and AddressSanitizer
    local name=$1
    shift
    swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O "$@" -o "$root/.build/fuzz/$name/$name-fuzz"
}

# The decoders live in TradingCore, which imports JSON and Timekeeping: the three are compiled as
# one module, so their imports of each other are dropped from scratch copies. Built once for all
# five decoder targets (FUZZ_DECODER picks one at run time).
decoders_binary=
build_decoders() {
    [ -n "$decoders_binary" ] && return
    local scratch="$root/.build/fuzz/decoders/src"
    rm -rf "$scratch"
    mkdir -p "$scratch"
    for file in "$root"/Sources/TradingCore/*.swift "$root"/Sources/JSON/*.swift "$root"/Sources/Timekeeping/*.swift; do
        sed -E '/^import (JSON|Timekeeping)$/d' "$file" > "$scratch/$(basename "$(dirname "$file")")-$(basename "$file")"
    done
    build decoders "$scratch"/*.swift "$root/Tests/TradingCoreTests/DecoderOracle.swift" "$root/fuzz/DecoderFuzz.swift"
    decoders_binary="$root/.build/fuzz/decoders/decoders-fuzz"
}

for target in "${targets[@]}"; do
    out="$root/.build/fuzz/$target"
    mkdir -p "$out/corpus" "$root/.build/fuzz/decoders"
    corpora=("$out/corpus")
    binary="$out/$target-fuzz"
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
    url-guard)
        build "$target" "$root"/Sources/OutboundHTTP/Guard/*.swift \
            "$root/Tests/OutboundHTTPTests/URLGuardOracle.swift" "$root/fuzz/URLGuardFuzz.swift"
        # The hostile URLs of the guard's own tests are seeds too (one file each, scratch corpus).
        n=0
        while IFS= read -r line; do
            [ -n "$line" ] && [ "${line:0:1}" != "#" ] && printf '%s' "$line" > "$out/corpus/hostile-$((n += 1))"
        done < "$root/Tests/OutboundHTTPTests/Fixtures/hostile-urls.txt"
        corpora=("$out/corpus" "$root/fuzz/corpus/url-guard")
        max_len=512
        ;;
    telemetry-decoder|meter-decoder|command-decoder|ack-decoder|time-block-validator)
        build_decoders
        binary=$decoders_binary
        export FUZZ_DECODER=$target
        corpora=("$out/corpus" "$root/fuzz/corpus/$target")
        max_len=8192
        ;;
    *)
        echo "fuzz/run.sh: unknown target $target" >&2
        exit 2
        ;;
    esac
    echo "fuzz/run.sh: $target for ${seconds}s" >&2
    # The Swift runtime's own crash backtracer would muddle libFuzzer's reports.
    SWIFT_BACKTRACE=enable=no "$binary" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 \
        -artifact_prefix="$out/" "${corpora[@]}"
done
