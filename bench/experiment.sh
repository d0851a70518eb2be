#!/usr/bin/env bash
# experiment.metrics at scale and analytics.experiment against a scipy peer:
#   bench/experiment.sh [events=5000000] [units=500000]
# Ours: generates 3 variants' exposures and the metric events inside DuckDB, times experiment.metrics (5 metrics'
# sufficient statistics in one pushed-down query) and analytics.experiment, exports both. The peer
# (bench/peers/experiment.py, Debian's python3-scipy) recomputes the analysis from the same statistics; the script prints
# the largest difference per column. CPU seconds and peak RSS come from /usr/bin/time; the load average is printed beside them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EVENTS=${1:-5000000}
UNITS=${2:-500000}
OUT=${OUT:-/tmp/trib-experiment-out}
PY=/usr/bin/python3
$PY -c "import scipy" 2>/dev/null || apt-get install -y -q python3-scipy >/dev/null
[ "${NO_BUILD:-0}" = 1 ] || dotnet build "$ROOT/bench/Tributary.Bench" -c Release -v q -nologo >/dev/null
BENCH="dotnet $ROOT/bench/Tributary.Bench/bin/Release/net10.0/Tributary.Bench.dll"
mkdir -p "$OUT"
echo "load: $(uptime | sed 's/.*load average/load average/'), $(nproc) cores"
/usr/bin/time -f "%U %S %M %e" -o "$OUT/ours.time" $BENCH experiment "$EVENTS" "$UNITS" "$OUT" > "$OUT/ours.out" 2> "$OUT/ours.log"
cat "$OUT/ours.out"
read -r user sys kb wall < "$OUT/ours.time"
echo "ours (generation included): wall ${wall}s, cpu $(echo "$user + $sys" | bc)s, peak RSS $((kb / 1024)) MB"
/usr/bin/time -f "%U %S %M %e" -o "$OUT/peer.time" $PY "$ROOT/bench/peers/experiment.py" "$OUT/stats.csv" "$OUT/peer.csv"
read -r user sys kb wall < "$OUT/peer.time"
echo "peer analysis from the statistics: wall ${wall}s, cpu $(echo "$user + $sys" | bc)s, peak RSS $((kb / 1024)) MB"
$PY - "$OUT/ours.csv" "$OUT/peer.csv" <<'PYEOF'
import csv, sys
ours = {(r["variant"], r["metric"]): r for r in csv.DictReader(open(sys.argv[1]))}
peer = {(r["variant"], r["metric"]): r for r in csv.DictReader(open(sys.argv[2]))}
assert ours.keys() == peer.keys(), (sorted(ours), sorted(peer))
for col in ["rel_lift", "rel_low", "rel_high", "p_value", "seq_low", "seq_high", "chance_to_beat_control", "risk_variant", "variance_reduction", "srm_p_value"]:
    diff = max(abs(float(ours[k][col]) - float(peer[k][col])) for k in ours)
    print(f"  {col:24s} largest |ours - peer| = {diff:.2e}")
PYEOF
echo "load: $(uptime | sed 's/.*load average/load average/')"
