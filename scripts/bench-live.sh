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

# Twice: with Vigil's own audit rules added (what `vigil run` does by default: openat, connect, … system-wide),
# and reading only the generator's stream (manage_rules false) — the same records laurel gets below.
live_phase() { # own_rules: true|false
bash "$shared/bench/make-audit-log.sh" "$work/log" $((seconds + 12)) 0 > "$work/gen.out" 2> "$work/gen.err" &
gen=$!
for _ in $(seq 100); do [[ -s $work/log/.make-audit-log.auditd.pid ]] && break; sleep 0.2; done
auditd_pid=$(cat "$work/log/.make-audit-log.auditd.pid")
sleep 3
rm -rf "$work/state" "$work/alerts.json"
cat > "$work/vigil.yaml" <<YAML
source: {kind: multicast}
audit: {key: vigil-bench, manage_rules: $1}
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
echo
echo "live: ${seconds}s of make-audit-log workload, Vigil's own audit rules added: $1"
awk -v v=$((v1 - v0)) -v a=$((a1 - a0)) -v hz="$hz" -v e="$elapsed" 'BEGIN{
  printf "| process | CPU %% of one core |\n|---|---|\n| auditd (RAW log writer, unicast) | %.1f |\n| vigil run (multicast, all packaged rules) | %.1f |\n", 100*a/hz/e, 100*v/hz/e }'
echo "vigil peak RSS: $((rss / 1024)) MiB; alerts: $(wc -l < "$work/alerts.json" 2>/dev/null || echo 0)"
grep -E "^(records|events|records/s|kernel lost):" "$work/gen.out" || true
tail -2 "$work/vigil.err"
}
live_phase true
live_phase false

# --- the same workload with laurel as auditd's plugin (what Vigil replaces), for the side-by-side figure ------
# make-audit-log.sh starts auditd from a private config with an empty plugin directory; a copy of it (changed
# only to copy one plugin file into that directory, and to find its companions in shared/bench) registers
# Debian's laurel there, configured as Debian ships it but writing under our work directory.
if command -v laurel >/dev/null && id _laurel >/dev/null 2>&1; then
  lw=$(mktemp -d /tmp/vigil-bench-laurel.XXXXXX)
  trap 'rm -rf "$lw" "$work"' EXIT
  mkdir -p "$lw/out" && chown _laurel "$lw/out"
  sed -e "s|^directory = .*|directory = \"$lw/out\"|" -e 's|^statusreport-period = .*|statusreport-period = 0|' \
    /etc/laurel/config.toml > "$lw/laurel.toml"
  printf 'active = yes\ndirection = out\ntype = always\nformat = string\npath = /usr/sbin/laurel\nargs = --config %s\n' \
    "$lw/laurel.toml" > "$lw/laurel.conf"
  sed -e "s|^here=.*|here=$shared/bench|" \
    -e "s|^mkdir -p \"\$work/conf/plugins.d\".*|&\ncp \"$lw/laurel.conf\" \"\$work/conf/plugins.d/\"|" \
    "$shared/bench/make-audit-log.sh" > "$lw/make-audit-log.sh"
  grep -q 'laurel.conf' "$lw/make-audit-log.sh" || { echo "bench-live: could not register laurel in the generator copy" >&2; exit 1; }
  bash "$lw/make-audit-log.sh" "$lw/log" $((seconds + 12)) 0 > "$lw/gen.out" 2> "$lw/gen.err" &
  gen=$!
  for _ in $(seq 100); do [[ -s $lw/log/.make-audit-log.auditd.pid ]] && break; sleep 0.2; done
  auditd_pid=$(cat "$lw/log/.make-audit-log.auditd.pid")
  sleep 5
  laurel_pid=$(pgrep -P "$auditd_pid" -x laurel || true)
  if [[ -z $laurel_pid ]]; then
    echo "bench-live: auditd did not start laurel (see $lw/gen.err)" >&2
    wait "$gen" || true
    exit 1
  fi
  a0=$(ticks "$auditd_pid"); l0=$(ticks "$laurel_pid"); t0=$(date +%s.%N)
  sleep "$seconds"
  a1=$(ticks "$auditd_pid"); l1=$(ticks "$laurel_pid"); t1=$(date +%s.%N)
  lrss=$(awk '/VmHWM/{print $2}' "/proc/$laurel_pid/status")
  wait "$gen" || true
  elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  echo
  echo "live, same workload, laurel $(dpkg-query -W -f='${Version}' laurel 2>/dev/null) as auditd's plugin:"
  awk -v a=$((a1 - a0)) -v l=$((l1 - l0)) -v hz="$hz" -v e="$elapsed" 'BEGIN{
    printf "| process | CPU %% of one core |\n|---|---|\n| auditd (RAW log writer + plugin feed) | %.1f |\n| laurel (plugin: parse, enrich, JSON log) | %.1f |\n| auditd + laurel | %.1f |\n", 100*a/hz/e, 100*l/hz/e, 100*(a+l)/hz/e }'
  echo "laurel peak RSS: $((lrss / 1024)) MiB; laurel log lines: $(cat "$lw"/out/audit.log* 2>/dev/null | wc -l)"
  grep -E "^(records|events|records/s|kernel lost):" "$lw/gen.out" || true
fi
