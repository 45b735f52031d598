#!/usr/bin/env bash
# make bench (live part): CPU of `vigil run` beside auditd while ../shared/bench/make-audit-log.sh drives ~1000
# execs/s, and the kernel's lost counter. auditd runs as the audit daemon (unicast) from the generator's private
# config; Vigil reads the multicast group beside it, with all packaged rules. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=${VIGIL_SHARED:-$root/../shared}
seconds=${BENCH_LIVE_SECONDS:-30}
work=$(mktemp -d /tmp/vigil-bench-live.XXXXXX)
vigil=$root/.build/release/vigil
trap 'kill $(cat "$work/vigil.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

bash "$shared/bench/make-audit-log.sh" "$work/log" $((seconds + 12)) 0 > "$work/gen.out" 2> "$work/gen.err" &
gen=$!
for _ in $(seq 100); do [[ -s $work/log/.make-audit-log.auditd.pid ]] && break; sleep 0.2; done
auditd_pid=$(cat "$work/log/.make-audit-log.auditd.pid")
sleep 3
cat > "$work/vigil.yaml" <<YAML
source: {kind: multicast}
audit: {key: vigil-bench}
output: {stdout: false, file: $work/alerts.json}
metrics: {listen: ""}
state_dir: $work/state
YAML
"$vigil" run --config "$work/vigil.yaml" --rules "$root/rules" 2> "$work/vigil.err" &
echo $! > "$work/vigil.pid"
vpid=$(cat "$work/vigil.pid")
sleep 2
v0=$(ticks "$vpid"); a0=$(ticks "$auditd_pid"); t0=$(date +%s.%N)
sleep "$seconds"
v1=$(ticks "$vpid"); a1=$(ticks "$auditd_pid"); t1=$(date +%s.%N)
rss=$(awk '/VmHWM/{print $2}' "/proc/$vpid/status")
kill -TERM "$vpid"; wait "$vpid" || true
wait "$gen" || true
elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
echo "live: ${seconds}s of make-audit-log workload (see its summary below)"
awk -v v=$((v1 - v0)) -v a=$((a1 - a0)) -v hz="$hz" -v e="$elapsed" 'BEGIN{
  printf "| process | CPU %% of one core |\n|---|---|\n| auditd (RAW log writer, unicast) | %.1f |\n| vigil run (multicast, all packaged rules) | %.1f |\n", 100*a/hz/e, 100*v/hz/e }'
echo "vigil peak RSS: $((rss / 1024)) MiB; alerts: $(wc -l < "$work/alerts.json" 2>/dev/null || echo 0)"
grep -E "^(records|events|records/s|kernel lost):" "$work/gen.out" || true
tail -2 "$work/vigil.err"
