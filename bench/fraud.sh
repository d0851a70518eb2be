#!/usr/bin/env bash
# Isolation Forest, ours against scikit-learn's, back to back on the same generated transactions:
#   bench/fraud.sh [rows=1000000]
# Writes the transactions once (8 features, 0.5% planted anomalies of three kinds; $DATA, default <repo>/.scratch/fraud,
# delete it to regenerate), then runs ours (bench/Tributary.Bench fraud-run: the axis-parallel and the extended forest in
# memory, then the analytics.isolation_forest component on DuckDB) and the peer (bench/peers/isolation_forest.py, Debian's
# python3-sklearn), each in its own process: 100 trees, 256 samples, fit and score every row. Prints each side's own
# fit + score wall and CPU seconds, the whole process's wall, CPU and peak RSS (/usr/bin/time), both AUCs and the ratios.
# The 1M-row run holds the shared big-run lock (/work/wt/.bigrun.lock) when it exists.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${1:-1000000}
DATA=${DATA:-$ROOT/.scratch/fraud}
OUT=${OUT:-$DATA/out}
. "$ROOT/bench/debian-packages.sh"
PY=/usr/bin/python3
if ! $PY -c "import numpy, pandas, sklearn" 2>/dev/null; then
  debian_install python3-numpy python3-pandas python3-sklearn
fi
[ "${NO_BUILD:-0}" = 1 ] || dotnet build "$ROOT/bench/Tributary.Bench" -c Release -v q -nologo >/dev/null
BENCH="dotnet $ROOT/bench/Tributary.Bench/bin/Release/net10.0/Tributary.Bench.dll"
mkdir -p "$DATA" "$OUT"
CSV="$DATA/transactions_$ROWS.csv"
[ -f "$CSV" ] || $BENCH fraud-data "$CSV" "$ROWS"
LOCK=""
[ -e /work/wt/.bigrun.lock ] && LOCK="flock /work/wt/.bigrun.lock"

run() {
  $LOCK bash -c "
    echo \"load before: \$(uptime | sed 's/.*load average/load average/'), \$(nproc) cores\"
    /usr/bin/time -f '%M %e %U %S' -o '$OUT/ours.time' $BENCH fraud-run '$CSV' '$OUT' > '$OUT/ours.out' 2> '$OUT/ours.log'
    echo \"load between: \$(uptime | sed 's/.*load average/load average/')\"
    /usr/bin/time -f '%M %e %U %S' -o '$OUT/peer.time' $PY '$ROOT/bench/peers/isolation_forest.py' '$CSV' > '$OUT/peer.out' 2> '$OUT/peer.log'
    echo \"load after: \$(uptime | sed 's/.*load average/load average/')\""
}
run
grep -v '=' "$OUT/ours.out" | sed 's/^/ours  /'
grep -v '=' "$OUT/peer.out" | sed 's/^/peer  /'
read -r ours_kb ours_wall ours_user ours_sys < <(tail -1 "$OUT/ours.time")
read -r peer_kb peer_wall peer_user peer_sys < <(tail -1 "$OUT/peer.time")
v() { sed -n "s/^$1=//p" "$2"; }
awk -v os="$(v seconds "$OUT/ours.out")" -v oc="$(v model_cpu_seconds "$OUT/ours.out")" -v oa="$(v auc "$OUT/ours.out")" \
    -v es="$(v extended_seconds "$OUT/ours.out")" -v ec="$(v extended_cpu_seconds "$OUT/ours.out")" -v ea="$(v extended_auc "$OUT/ours.out")" \
    -v ps="$(v seconds "$OUT/peer.out")" -v pc="$(v model_cpu_seconds "$OUT/peer.out")" -v pa="$(v auc "$OUT/peer.out")" \
    -v ow="$ours_wall" -v pw="$peer_wall" -v om="$ours_kb" -v pm="$peer_kb" -v ou="$ours_user" -v osy="$ours_sys" -v pu="$peer_user" -v psy="$peer_sys" -v rows="$ROWS" 'BEGIN {
  printf "isolation forest, %d rows, 100 trees, psi 256, fit + score:\n", rows
  printf "  ours (axis-parallel) wall %7.2f s, CPU %7.2f s, AUC %.4f\n", os, oc, oa
  printf "  ours (extended)      wall %7.2f s, CPU %7.2f s, AUC %.4f\n", es, ec, ea
  printf "  scikit-learn         wall %7.2f s, CPU %7.2f s, AUC %.4f\n", ps, pc, pa
  printf "  sklearn/ours (axis-parallel): CPU %5.2fx, wall %5.2fx; AUC difference %+.4f (goal: >= 2x, |diff| <= 0.01)\n", pc / oc, ps / os, oa - pa
  printf "  sklearn/ours (extended):      CPU %5.2fx, wall %5.2fx; AUC difference %+.4f\n", pc / ec, ps / es, ea - pa
  printf "whole processes (CSV read, both forests and the component for ours): ours wall %.1f s, CPU %.1f s, %.0f MB; peer wall %.1f s, CPU %.1f s, %.0f MB\n",
    ow, ou + osy, om / 1024, pw, pu + psy, pm / 1024 }'
grep '^component' "$OUT/ours.out" | sed 's/^/  /'
