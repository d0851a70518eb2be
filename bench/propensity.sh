#!/usr/bin/env bash
# propensity_marketing's analytics at scale against a scikit-learn peer (issue 19's bench):
#   bench/propensity.sh [customers=1000000]
# Ours (bench/Tributary.Bench propensity): generates the customers' orders, sessions, email opens, tickets and a
# randomized past send in DuckDB, then times features.customer_snapshot, analytics.propensity, analytics.uplift and
# segment.propensity from the warehouse, printing each step's wall and CPU seconds and the analytics' total. The same
# five tables go to CSV for the peer (bench/peers/propensity.py: pandas features, HistGradientBoosting propensity with
# Platt scaling, T-/X-learner and class transformation), which prints its own timings after reading them. Both sides'
# holdout AUC and Qini are printed. CPU seconds come from the processes themselves; the load average is printed beside.
# scikit-learn's HistGradientBoosting runs on OpenMP as LightGBM does, so the peer gets the same OMP_WAIT_POLICY=PASSIVE
# that ours sets for itself (spinning threads cost several times the work on a busy machine). PEER=0 runs ours alone.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CUSTOMERS=${1:-1000000}
OUT=${OUT:-/tmp/trib-propensity-out}
. "$ROOT/bench/debian-packages.sh"
PY=/usr/bin/python3
$PY -c "import sklearn, pandas, scipy" 2>/dev/null || debian_install python3-sklearn python3-pandas python3-scipy
[ "${NO_BUILD:-0}" = 1 ] || dotnet build "$ROOT/bench/Tributary.Bench" -c Release -v q -nologo >/dev/null
BENCH="dotnet $ROOT/bench/Tributary.Bench/bin/Release/net10.0/Tributary.Bench.dll"
load() { uptime | sed 's/.*load average/load average/'; }
rm -rf "$OUT"; mkdir -p "$OUT/data"
echo "== ours, $CUSTOMERS customers (load: $(load), $(nproc) cores)"
/usr/bin/time -f "%U %S %M %e" -o "$OUT/ours.time" env TRIB_PROPENSITY_EXPORT="$([ "${PEER:-1}" = 1 ] && echo "$OUT/data")" $BENCH propensity "$CUSTOMERS" "$OUT" > "$OUT/ours.out" 2> "$OUT/ours.log"
grep -v "auuc" "$OUT/ours.out"
read -r user sys kb wall < "$OUT/ours.time"
echo "ours, whole process (generation and CSV export included): wall ${wall}s, cpu $(echo "$user + $sys" | bc)s, peak RSS $((kb / 1024)) MB; load: $(load)"
[ "${PEER:-1}" = 1 ] || { rm -rf "$OUT/data"; exit 0; }
echo "== peer (load: $(load))"
/usr/bin/time -f "%U %S %M %e" -o "$OUT/peer.time" env OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} $PY "$ROOT/bench/peers/propensity.py" "$OUT/data" "$OUT" > "$OUT/peer.out" 2> "$OUT/peer.log" || { cat "$OUT/peer.log" >&2; exit 1; }
cat "$OUT/peer.out"
read -r user sys kb wall < "$OUT/peer.time"
echo "peer, whole process (CSV read included): wall ${wall}s, cpu $(echo "$user + $sys" | bc)s, peak RSS $((kb / 1024)) MB; load: $(load)"
ours_cpu=$(sed -n 's/.*analytics_cpu_seconds=\([0-9.]*\).*/\1/p' "$OUT/ours.out")
peer_cpu=$(sed -n 's/^after_read_cpu_seconds=//p' "$OUT/peer.out")
awk -v o="$ours_cpu" -v p="$peer_cpu" 'BEGIN { printf "analytics from loaded data: ours %.1f CPU s, peer %.1f CPU s, peer/ours %.2fx\n", o, p, p / o }'
rm -rf "$OUT/data"
