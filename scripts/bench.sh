#!/usr/bin/env bash
# make bench: Vigil's stream core against Debian's laurel on the same real audit log, one core each.
# The log is made once by ../shared/bench/make-audit-log.sh (real kernel events; needs root) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=${VIGIL_SHARED:-$root/../shared}
data=${BENCH_DIR:-$root/.build-bench}
seconds=${BENCH_SECONDS:-100}  # about 1 M records on this machine (200 MiB cap)
max_mb=${BENCH_MAX_MB:-200}
runs=${BENCH_RUNS:-3}
mkdir -p "$data"
log=$data/audit.log
if [[ ! -s $log ]]; then
    echo "bench: generating $log (${seconds}s workload, ${max_mb} MiB cap)" >&2
    bash "$shared/bench/make-audit-log.sh" "$data" "$seconds" "$max_mb" >&2
fi
vigil=$root/.build/release/vigil
bytes=$(stat -c %s "$log")
lines=$(wc -l < "$log")

# laurel with enrichment off: it must not read this machine's /proc for a recorded log (parse + coalesce only).
lcfg=$data/laurel.toml
mkdir -p "$data/laurel-out"
cat > "$lcfg" <<TOML
directory = "$data/laurel-out"
statusreport-period = 0
[auditlog]
file = "audit.log"
size = 100000000000
generations = 1
[translate]
universal = false
user-db = false
[enrich]
pid = false
container = false
script = false
execve-env = []
TOML

measure() { # name, command... → prints "name seconds maxrss_kb" (best wall time of $runs, its RSS)
    local name=$1; shift
    local best="" rss=""
    for _ in $(seq "$runs"); do
        local out
        /usr/bin/time -o "$data/time.out" -f '%e %M' taskset -c 0 "$@" >/dev/null 2>/dev/null
        out=$(tail -1 "$data/time.out")
        local t=${out% *} m=${out#* }
        if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; rss=$m; fi
    done
    echo "$name $best $rss"
}

results=$(
    measure vigil-replay "$vigil" replay --quiet "$log"
    measure vigil-replay+stock-rules "$vigil" replay --quiet --rules "$root/rules/falco_rules.yaml" "$log"
    measure vigil-replay+all-rules "$vigil" replay --quiet --rules "$root/rules" "$log"
    measure vigil-replay-json "$vigil" replay "$log"
    measure laurel sh -c "rm -f '$data/laurel-out/audit.log'; exec laurel --config '$lcfg' < '$log'"
)
echo "$results" >&2
stats=$("$vigil" replay --quiet "$log" 2>&1 >/dev/null | tail -1)
echo
echo "log: $log — $lines lines, $bytes bytes; vigil: $stats"
echo
echo "| run | wall s (best of $runs, 1 core) | records/s | MB/s | peak RSS MiB |"
echo "|---|---|---|---|---|"
laurel_rate=""
while read -r name t rss; do
    rate=$(awk -v l="$lines" -v t="$t" 'BEGIN{printf "%.0f", l/t}')
    mbs=$(awk -v b="$bytes" -v t="$t" 'BEGIN{printf "%.1f", b/t/1048576}')
    mib=$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')
    echo "| $name | $t | $rate | $mbs | $mib |"
    [[ $name == laurel ]] && laurel_rate=$rate
done <<< "$results"
vigil_rate=$(echo "$results" | awk -v l="$lines" '$1=="vigil-replay"{printf "%.0f", l/$2}')
rules_rate=$(echo "$results" | awk -v l="$lines" '$1=="vigil-replay+stock-rules"{printf "%.0f", l/$2}')
events=$(echo "$stats" | sed -n 's/.*events=\([0-9]*\).*/\1/p')
per_event=$(echo "$results" | awk -v e="$events" '$1=="vigil-replay"{base=$2} $1=="vigil-replay+stock-rules"{r=$2} $1=="vigil-replay+all-rules"{a=$2} END{printf "stock rules %.0f ns/event, all packaged rules %.0f ns/event", (r-base)*1e9/e, (a-base)*1e9/e}')
echo
echo "ratio vigil-replay / laurel records/s: $(awk -v a="$vigil_rate" -v b="$laurel_rate" 'BEGIN{printf "%.2f", a/b}')"
echo "ratio vigil-replay+stock-rules / laurel records/s: $(awk -v a="$rules_rate" -v b="$laurel_rate" 'BEGIN{printf "%.2f", a/b}')"
echo "rule evaluation over $events events (difference to plain replay): $per_event"
