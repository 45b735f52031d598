#!/usr/bin/env bash
# make bench (process table): N synthetic exec lifecycles at 1000 execs/s of stream time through
# `vigil replay --rules` with the stock rules; resident memory sampled every 2 s must stay flat.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${BENCH_EXECS:-3000000}
vigil=.build/release/vigil
python3 scripts/gen-exec-stream.py "$n" | "$vigil" replay --quiet --rules rules/falco_rules.yaml - 2> /tmp/vigil-bench-pt.err &
pid=$(pgrep -n -f "vigil replay --quiet --rules rules/falco_rules.yaml -" || true)
echo "process table: $n exec lifecycles (= $((n / 3600000)) h $(((n % 3600000) / 60000)) min at 1000 execs/s)"
echo "| seconds | vigil RSS MiB |"
echo "|---|---|"
s=0
while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [[ -n $rss && $rss != 0 ]] && echo "| $s | $((rss / 1024)) |"
    sleep 2; s=$((s + 2))
done
wait || true
tail -1 /tmp/vigil-bench-pt.err
