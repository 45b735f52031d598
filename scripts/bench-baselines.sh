#!/usr/bin/env bash
# make bench: the baselines' cost per event (learning, and checking in monitoring mode) and the profile sizes after
# the large real audit log. `vigil baseline bench` replays the log twice through parser, decoder and replay
# enricher, attributing each process name to a synthetic container (one profile per program), and times only
# BaselineEngine.observe; the second pass runs every profile in monitoring mode.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=${VIGIL_SHARED:-$root/../shared}
data=${BENCH_DIR:-$root/.build-bench}
runs=${BENCH_RUNS:-3}
mkdir -p "$data"
log=${BENCH_LOG:-$data/audit.log}
if [[ ! -s $log ]]; then
    echo "bench-baselines: generating $log" >&2
    bash "$shared/bench/make-audit-log.sh" "$(dirname "$log")" "${BENCH_SECONDS:-100}" "${BENCH_MAX_MB:-200}" >&2
fi
vigil=$root/.build/release/vigil
echo "log: $log — $(wc -l < "$log") lines"
best=""
for i in $(seq "$runs"); do
    out=$(taskset -c 0 "$vigil" baseline bench "$log" ${i:+--db "$data/baselines-bench.sqlite"})
    ns=$(echo "$out" | sed -n 's/^monitoring: *\([0-9]*\) ns.*/\1/p')
    if [[ -z $best ]] || (( ns < best )); then best=$ns; report=$out; fi
done
echo "$report"
echo "monitoring check, best of $runs (1 core): $best ns/event"
