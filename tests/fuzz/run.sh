#!/usr/bin/env bash
# tests/fuzz/run.sh - builds the libFuzzer harnesses (clang, ASan + UBSan +
# fuzzer) into their own build directory and runs each for a bounded time.
#
#   bash tests/fuzz/run.sh [options] [NAME...]
#
#   NAME               harnesses to run (tests/fuzz/fuzz_NAME.c); default all
#   --seconds N        fuzzing time per harness (default $DNSAPI_FUZZ_SECONDS
#                      or 30)
#   -j N               harnesses run side by side (default 1)
#   --build-only       build, run nothing
#   --no-build         run what is built
#   --results FILE     append one line per harness (name, seconds, executions,
#                      result) to FILE
#
# Each harness first runs every seed of tests/fuzz/corpus/NAME/ with every
# sampled check on (DNSAPI_FUZZ_CHECK_EVERY=1), then fuzzes for the given time
# from the seeds plus the inputs earlier runs kept in BUILD/work/NAME/corpus.
# Extra libFuzzer flags for one harness go on one line in
# tests/fuzz/NAME.options, a dictionary in tests/fuzz/NAME.dict. A crash, a
# leak, a time-out (10 s per input), memory over 2 GB or a broken invariant
# fails the harness; its input is kept in BUILD/work/NAME/artifacts/ and the
# line to reproduce it is printed. Exit status: 0 when every harness passed.
#
# Environment: DNSAPI_FUZZ_BUILD_DIR (default build-fuzz), DNSAPI_FUZZ_SECONDS,
# DNSAPI_FUZZ_CHECK_EVERY (how often the expensive checks run while fuzzing:
# one input in N, default 256), CC (default clang).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FUZZ_SRC=$ROOT/tests/fuzz
BUILD=${DNSAPI_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SECONDS_EACH=${DNSAPI_FUZZ_SECONDS:-30}
JOBS=1
BUILD_STEP=1
RUN_STEP=1
RESULTS=
NAMES=()

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    --seconds) SECONDS_EACH=${2:?}; shift 2 ;;
    -j) JOBS=${2:?}; shift 2 ;;
    --build-only) RUN_STEP=0; shift ;;
    --no-build) BUILD_STEP=0; shift ;;
    --results) RESULTS=${2:?}; shift 2 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) NAMES+=("$1"); shift ;;
    esac
done
case $SECONDS_EACH in '' | *[!0-9]*) echo "fuzz: --seconds needs a number" >&2; exit 2 ;; esac
case $JOBS in '' | *[!0-9]* | 0) echo "fuzz: -j needs a positive number" >&2; exit 2 ;; esac

if [ ${#NAMES[@]} -eq 0 ]; then
    for src in "$FUZZ_SRC"/fuzz_*.c; do
        n=${src##*/fuzz_}
        NAMES+=("${n%.c}")
    done
fi
for n in "${NAMES[@]}"; do
    [ -f "$FUZZ_SRC/fuzz_$n.c" ] || { echo "fuzz: no harness tests/fuzz/fuzz_$n.c" >&2; exit 2; }
    [ -d "$FUZZ_SRC/corpus/$n" ] || { echo "fuzz: no seed corpus tests/fuzz/corpus/$n/" >&2; exit 2; }
done

if [ "$BUILD_STEP" = 1 ]; then
    cc=${CC:-clang}
    command -v "$cc" >/dev/null || { echo "fuzz: $cc not found: apt-get install -y clang" >&2; exit 1; }
    # One build at a time per directory: ctest may start several harnesses.
    mkdir -p "$BUILD"
    exec 8>"$BUILD/.build.lock"
    flock -w 1200 8
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER="$cc" -DDNSAPI_FUZZ=ON -DDNSAPI_TESTS=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$BUILD" --target fuzzers -j2
    exec 8>&-
fi
[ "$RUN_STEP" = 1 ] || exit 0

# Every sanitizer stops at its first report; libFuzzer looks for leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export DNSAPI_SOURCE_DIR=$ROOT

# Runs one harness; prints its summary line; returns non-zero on failure.
run_one() {
    local n=$1 bin=$BUILD/tests/fuzz/fuzz_$n work=$BUILD/work/$n
    local seeds=$FUZZ_SRC/corpus/$n opts=() rc=0 result=ok
    [ -x "$bin" ] || { echo "fuzz: $bin is not built" >&2; return 1; }
    mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
    rm -rf "${work:?}/tmp/"* "${work:?}/artifacts/"*
    if [ -f "$FUZZ_SRC/$n.options" ]; then
        read -r -a opts <"$FUZZ_SRC/$n.options"
    fi
    if [ -f "$FUZZ_SRC/$n.dict" ]; then
        opts+=("-dict=$FUZZ_SRC/$n.dict")
    fi
    local common=(-timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1
        "-artifact_prefix=$work/artifacts/" "${opts[@]}")
    TMPDIR=$work/tmp DNSAPI_FUZZ_CHECK_EVERY=1 timeout $((600 + SECONDS_EACH)) \
        "$bin" "${common[@]}" -runs=0 "$seeds" >"$work/seeds.log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        result="failed on a seed (exit $rc)"
        cp "$work/seeds.log" "$work/fuzz.log"
    else
        TMPDIR=$work/tmp timeout $((600 + SECONDS_EACH)) \
            "$bin" "${common[@]}" -max_total_time="$SECONDS_EACH" "$work/corpus" "$seeds" \
            >"$work/fuzz.log" 2>&1 || rc=$?
        [ "$rc" -eq 0 ] || result="failed (exit $rc)"
    fi
    local execs units rss
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n 1)
    units=$(sed -n 's/^stat::new_units_added: *//p' "$work/fuzz.log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$work/fuzz.log" | tail -n 1)
    local line
    line=$(printf '%-10s seconds=%s executions=%s new_units=%s corpus=%s peak_rss_mb=%s result=%s' \
        "$n" "$SECONDS_EACH" "${execs:-?}" "${units:-?}" "$(find "$work/corpus" -type f | wc -l)" \
        "${rss:-?}" "$result")
    echo "$line"
    if [ -n "$RESULTS" ]; then
        echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $line" >>"$RESULTS"
    fi
    if [ "$rc" -ne 0 ]; then
        echo "---- $work/fuzz.log (end)" >&2
        grep -v -e '^#[0-9]' -e '^INFO:' "$work/fuzz.log" | tail -n 40 >&2
        local a
        for a in "$work"/artifacts/*; do
            [ -e "$a" ] || continue
            echo "reproduce: DNSAPI_FUZZ_CHECK_EVERY=1 $bin $a" >&2
        done
        return 1
    fi
}

failed=0
running=0
for n in "${NAMES[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || failed=1
        running=$((running - 1))
    fi
    run_one "$n" &
    running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
done
exit "$failed"
