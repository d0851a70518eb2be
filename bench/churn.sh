#!/usr/bin/env bash
# features.customer_snapshot + analytics.churn at scale against a scikit-learn peer:  bench/churn.sh [customers=1000000]
# Ours (Tributary.Bench churn): generates a store's customer 360 for that many profiles inside DuckDB (orders, sessions,
# email opens, tickets; no file), then times the point-in-time snapshot (now and 90 days before) and the churn model
# (BG/NBD fit, cross-fitted LightGBM, calibration, holdout measures, scoring), and exports the snapshot with the
# training labels (untimed). The peer (bench/peers/churn.py: HistGradientBoostingClassifier + CalibratedClassifierCV,
# Debian's python3-sklearn) then trains and scores on the same features, back to back. Printed: wall and CPU seconds
# (user + system) of each, peak RSS, the load average beside them, and both holdout AUCs. The issue's goal is snapshot
# features, training and scoring for 1M profiles in under 60 s (ours' total_seconds). Run the 1M size under the big-run
# lock: flock /work/wt/.bigrun.lock bench/churn.sh
# scikit-learn's HistGradientBoosting runs on OpenMP as LightGBM does, so the peer gets the OMP_WAIT_POLICY=PASSIVE that
# ours sets for itself (at 20k profiles and load 30-70 the spinning peer took 74 CPU s for what is a few seconds of work).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CUSTOMERS=${1:-1000000}
OUT=${OUT:-/tmp/trib-churn-out}
. "$ROOT/bench/debian-packages.sh"
PY=/usr/bin/python3
$PY -c "import sklearn, pandas" 2>/dev/null || debian_install python3-sklearn python3-pandas
[ "${NO_BUILD:-0}" = 1 ] || dotnet build "$ROOT/bench/Tributary.Bench" -c Release -v q -nologo >/dev/null
BENCH="dotnet $ROOT/bench/Tributary.Bench/bin/Release/net10.0/Tributary.Bench.dll"
mkdir -p "$OUT"
rm -f "$OUT/features.csv"
seconds() { read -r user sys kb wall < "$1"; echo "wall ${wall}s, cpu $(echo "$user + $sys" | bc)s, peak RSS $((kb / 1024)) MB"; }
load() { uptime | sed 's/.*load average/load average/'; }

echo "== $CUSTOMERS profiles (load: $(load), $(nproc) cores)"
TRIB_CHURN_EXPORT=1 /usr/bin/time -f "%U %S %M %e" -o "$OUT/ours.time" $BENCH churn "$CUSTOMERS" "$OUT" > "$OUT/ours.out" 2> "$OUT/ours.log"
cat "$OUT/ours.out"
echo "ours, whole process (generation and export included): $(seconds "$OUT/ours.time"); load: $(load)"
/usr/bin/time -f "%U %S %M %e" -o "$OUT/peer.time" env OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} $PY "$ROOT/bench/peers/churn.py" "$OUT/features.csv" "$OUT/peer.csv" > "$OUT/peer.out" 2> "$OUT/peer.log"
cat "$OUT/peer.out"
echo "peer, whole process (CSV read included): $(seconds "$OUT/peer.time"); load: $(load)"
ours_s=$(sed -n 's/.*model_seconds=\([0-9.]*\).*/\1/p' "$OUT/ours.out"); ours_c=$(sed -n 's/.*model_cpu_seconds=\([0-9.]*\).*/\1/p' "$OUT/ours.out")
peer_s=$(sed -n 's/.*model_seconds=\([0-9.]*\).*/\1/p' "$OUT/peer.out"); peer_c=$(sed -n 's/.*model_cpu_seconds=\([0-9.]*\).*/\1/p' "$OUT/peer.out")
awk -v os="$ours_s" -v oc="$ours_c" -v ps="$peer_s" -v pc="$peer_c" 'BEGIN {
  printf "training + calibration + holdout + scoring: ours %.2f s wall, %.2f s CPU; peer %.2f s wall, %.2f s CPU; peer/ours wall %.2fx, CPU %.2fx\n", os, oc, ps, pc, ps / os, pc / oc }'
rm -f "$OUT/features.csv"
echo "load: $(load)"
