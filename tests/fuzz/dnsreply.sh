#!/usr/bin/env bash
# tests/fuzz/dnsreply.sh - builds tests/fuzz/fuzz_dnsreply.c with clang and
# libFuzzer and runs it on its seed corpus for a bounded time.
#
#   bash tests/fuzz/dnsreply.sh [SECONDS]     default 60
#
# The reply fuzzer built on its own, without CMake (as the long run recorded
# in bench/README.md was made); tests/fuzz/run.sh builds and runs it with the
# other harnesses. New inputs found go to build-fuzz/dnsreply-corpus, not
# into the seed corpus.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_TO_RUN=${1:-60}
OUT=${DNSAPI_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
mkdir -p "$OUT/dnsreply-corpus"
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -DH2O_USE_LIBUV=0 -D_GNU_SOURCE -I"$ROOT" \
    "$ROOT/tests/fuzz/fuzz_dnsreply.c" "$ROOT"/dns/[a-z]*.c "$ROOT/common/error.c" \
    -lldns -o "$OUT/fuzz_dnsreply"
ASAN_OPTIONS=detect_leaks=1 "$OUT/fuzz_dnsreply" -max_total_time="$SECONDS_TO_RUN" \
    -max_len=4096 -timeout=10 -print_final_stats=1 \
    "$OUT/dnsreply-corpus" "$ROOT/tests/fuzz/corpus/dnsreply"
