#!/usr/bin/env bash
# Implicit ALS (recs.als) against a numpy/scipy peer with the same algorithm (bench/peers/recs.py), back to back:
#   bench/recs.sh [users=100000] [items=10000] [interactions=1000000] [factors=64] [iterations=3]
# Prints seconds per sweep (users then items) each measures itself, wall time and peak RSS, with the load average.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
USERS=${1:-100000}; ITEMS=${2:-10000}; INTERACTIONS=${3:-1000000}; FACTORS=${4:-64}; ITERATIONS=${5:-3}
DATA=${DATA:-/tmp/trib-recs-data}; OUT=${OUT:-/tmp/trib-recs-out}
. "$ROOT/bench/debian-packages.sh"
PY=/usr/bin/python3
if ! $PY -c "import numpy, scipy, pandas" 2>/dev/null; then debian_install python3-numpy python3-scipy python3-pandas; fi
[ "${NO_BUILD:-0}" = 1 ] || dotnet build "$ROOT/bench/Tributary.Bench" -c Release -v q -nologo >/dev/null
BENCH="dotnet $ROOT/bench/Tributary.Bench/bin/Release/net10.0/Tributary.Bench.dll"
mkdir -p "$DATA" "$OUT"
CSV="$DATA/interactions_${USERS}_${ITEMS}_${INTERACTIONS}.csv"
[ -f "$CSV" ] || $BENCH recs-data "$CSV" "$USERS" "$ITEMS" "$INTERACTIONS"
echo "load: $(uptime | sed 's/.*load average/load average/'), $(nproc) cores"
/usr/bin/time -f "%M %e %U %S" -o "$OUT/ours.time" $BENCH recs-als "$CSV" "$FACTORS" "$ITERATIONS" > "$OUT/ours.out" 2> "$OUT/ours.log"
/usr/bin/time -f "%M %e %U %S" -o "$OUT/peer.time" $PY "$ROOT/bench/peers/recs.py" "$CSV" "$FACTORS" "$ITERATIONS" > "$OUT/peer.out" 2> "$OUT/peer.log"
for who in ours peer; do
  read -r kb wall user sys < <(tail -1 "$OUT/$who.time")
  printf "%-5s %s s/sweep   (process: wall %s s, cpu %s s user + %s s sys, %s MB)\n" "$who" "$(sed -n 's/^seconds=//p' "$OUT/$who.out")" "$wall" "$user" "$sys" "$((kb / 1024))"
done
echo "load: $(uptime | sed 's/.*load average/load average/')"
