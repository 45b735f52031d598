#!/usr/bin/env bash
# Coverage-guided fuzzing of what Vigil reads from people it does not trust (docs/RELIABILITY.md).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      default: 60 s, every target
# Builds `vigil-fuzz` with libFuzzer and AddressSanitizer (-sanitize=fuzzer,address) in .build-fuzz, seeds each
# target from ../shared/corpus/audit, rules/ and config/, runs it, prints executions / coverage / crashes per
# target and exits 1 if any target crashed. A crash's input is copied to Tests/Fuzz/crashes/TARGET/; once the
# bug is fixed, move it to Tests/Fuzz/regressions/TARGET/ where the test suite replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(record condition rules config)
scratch=.build-fuzz
work=${FUZZ_WORK:-$scratch/work}
corpus_src=${VIGIL_AUDIT_CORPUS:-../shared/corpus/audit}

mkdir -p "$scratch"
swift build -c release --scratch-path "$scratch" --product vigil-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DVIGIL_FUZZ -Xswiftc -use-ld=lld >"$scratch/build.log" 2>&1 \
    || { tail -40 "$scratch/build.log"; echo "fuzz build failed (log: $scratch/build.log)"; exit 1; }
bin=$scratch/release/vigil-fuzz

export VIGIL_FUZZ_AUDIT_CORPUS=$corpus_src VIGIL_FUZZ_RULES=rules VIGIL_FUZZ_CONFIG=config/vigil.yaml
# Swift's own crash backtracer would catch the signal before libFuzzer saves the input.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
failed=0
printf '%-10s %10s %8s %8s %8s %8s\n' target execs exec/s cov ft crashes
for t in "${targets[@]}"; do
    dir=$work/$t
    rm -rf "$dir" && mkdir -p "$dir/corpus" "$dir/artifacts"
    VIGIL_FUZZ_TARGET=$t VIGIL_FUZZ_WRITE_SEEDS=$dir/corpus "$bin" 2>>"$dir/seeds.log"
    # Regression inputs are seeds too: the fuzzer starts from every input that ever broke something.
    if [ -d "Tests/Fuzz/regressions/$t" ]; then cp Tests/Fuzz/regressions/$t/* "$dir/corpus/" 2>/dev/null || true; fi
    max_len=8192
    [ "$t" = rules ] && max_len=16384
    set +e
    VIGIL_FUZZ_TARGET=$t "$bin" "$dir/corpus" -dict=Tests/Fuzz/dict/$t.dict -max_total_time="$seconds" \
        -max_len=$max_len -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/" >"$dir/fuzz.log" 2>&1
    rc=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/fuzz.log" | grep -o '[0-9]*$' || echo 0)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$dir/fuzz.log" | grep -o '[0-9]*$' || echo 0)
    cov=$(grep -oE '(DONE|#[0-9]+).*cov: [0-9]+' "$dir/fuzz.log" | tail -1 | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+' || echo 0)
    ft=$(grep -oE 'ft: [0-9]+' "$dir/fuzz.log" | tail -1 | grep -oE '[0-9]+' || echo 0)
    crashes=$(find "$dir/artifacts" -type f | wc -l)
    printf '%-10s %10s %8s %8s %8s %8s\n' "$t" "$execs" "$rate" "$cov" "$ft" "$crashes"
    if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        failed=1
        mkdir -p "Tests/Fuzz/crashes/$t"
        cp "$dir"/artifacts/* "Tests/Fuzz/crashes/$t/" 2>/dev/null || true
        echo "---- $t failed (exit $rc); last lines of $dir/fuzz.log:"
        grep -v '^0x' "$dir/fuzz.log" | tail -30
    fi
done
exit $failed
