#!/usr/bin/env bash
# experiment.metrics at scale and analytics.experiment against a scipy/pandas peer:
#   bench/experiment.sh [events=50000000] [units=5000000] [peer_events=5000000]
# Ours: generates 3 variants' exposures and the metric events inside DuckDB with SQL (integer unit ids, hash-based
# randomness, variant C's revenue +5%), times experiment.metrics (5 metrics' sufficient statistics in one pushed-down
# query) and analytics.experiment. Then, at peer_events (a size pandas holds in memory), ours and the peer
# (bench/peers/experiment.py: pandas/numpy per-unit statistics from the same rows as CSV, then scipy's analysis) back
# to back; the script prints the largest difference per column. CPU seconds and peak RSS come from /usr/bin/time; the
# load average is printed beside them. TRIB_EXPERIMENT_DB=path keeps the large generated database for a rerun;
# TRIB_EXPERIMENT_TEXT_IDS=1 keys the units by 32-character text (as the product's exposures do) instead of BIGINT.
# TRIB_EXPERIMENT_MEMORY_LIMIT sets DuckDB's memory_limit: default 4GB; 1GB (the warehouse's default) makes 50M events spill.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EVENTS=${1:-50000000}
UNITS=${2:-5000000}
PEER_EVENTS=${3:-5000000}
OUT=${OUT:-/tmp/trib-experiment-out}
. "$ROOT/bench/debian-packages.sh"
PY=/usr/bin/python3
$PY -c "import scipy, pandas" 2>/dev/null || debian_install python3-scipy python3-pandas
[ "${NO_BUILD:-0}" = 1 ] || dotnet build "$ROOT/bench/Tributary.Bench" -c Release -v q -nologo >/dev/null
BENCH="dotnet $ROOT/bench/Tributary.Bench/bin/Release/net10.0/Tributary.Bench.dll"
mkdir -p "$OUT/large" "$OUT/peer"
seconds() { read -r user sys kb wall < "$1"; echo "wall ${wall}s, cpu $(echo "$user + $sys" | bc)s, peak RSS $((kb / 1024)) MB"; }
load() { uptime | sed 's/.*load average/load average/'; }

if [ "$EVENTS" -gt 0 ]; then
  echo "== $EVENTS events, $UNITS units (load: $(load), $(nproc) cores)"
  /usr/bin/time -f "%U %S %M %e" -o "$OUT/large/ours.time" $BENCH experiment "$EVENTS" "$UNITS" "$OUT/large" > "$OUT/large/ours.out" 2> "$OUT/large/ours.log"
  cat "$OUT/large/ours.out"
  echo "ours, whole process (generation included): $(seconds "$OUT/large/ours.time"); load: $(load)"
fi

[ "$PEER_EVENTS" -gt 0 ] || exit 0
echo "== peer size: $PEER_EVENTS events, $((PEER_EVENTS / 10)) units (load: $(load))"
rm -f "$OUT/peer/"*.csv
TRIB_EXPERIMENT_DB="" TRIB_EXPERIMENT_EXPORT=1 $BENCH experiment "$PEER_EVENTS" "$((PEER_EVENTS / 10))" "$OUT/peer" > "$OUT/peer/ours.out" 2> "$OUT/peer/ours.log"
cat "$OUT/peer/ours.out"
/usr/bin/time -f "%U %S %M %e" -o "$OUT/peer/peer.time" $PY "$ROOT/bench/peers/experiment.py" --events "$OUT/peer/exposures.csv" "$OUT/peer/events.csv" "$OUT/peer/peer-stats.csv"
echo "peer statistics, whole process (CSV read included): $(seconds "$OUT/peer/peer.time"); load: $(load)"
$PY "$ROOT/bench/peers/experiment.py" "$OUT/peer/peer-stats.csv" "$OUT/peer/peer.csv"
$PY - "$OUT/peer/stats.csv" "$OUT/peer/peer-stats.csv" "$OUT/peer/ours.csv" "$OUT/peer/peer.csv" <<'PYEOF'
import csv, sys
def read(path, key):
    return {tuple(r[k] for k in key): r for r in csv.DictReader(open(path))}
ours, peer = read(sys.argv[1], ("variant", "metric")), read(sys.argv[2], ("variant", "metric"))
assert ours.keys() == peer.keys(), (sorted(ours), sorted(peer))
for col in ["units", "sum_y", "sum_y2", "sum_x", "sum_x2", "sum_xy", "sum_z", "sum_z2", "sum_yz", "sum_xz", "sum_w", "sum_w2", "sum_yw", "sum_xw", "sum_zw"]:
    diff = max(abs(float(ours[k][col]) - float(peer[k][col])) / max(1.0, abs(float(peer[k][col]))) for k in ours)
    print(f"  statistics {col:8s} largest relative |ours - peer| = {diff:.2e}")
ours, peer = read(sys.argv[3], ("variant", "metric")), read(sys.argv[4], ("variant", "metric"))
for col in ["rel_lift", "rel_low", "rel_high", "p_value", "seq_low", "seq_high", "chance_to_beat_control", "risk_variant", "variance_reduction", "srm_p_value"]:
    diff = max(abs(float(ours[k][col]) - float(peer[k][col])) for k in ours)
    print(f"  analysis {col:24s} largest |ours - peer| = {diff:.2e}")
PYEOF
rm -f "$OUT/peer/"{exposures,events}.csv
echo "load: $(load)"
