#!/usr/bin/env bash
# analytics.funnel on DuckDB against a plain pandas funnel (bench/peers/funnel.py) on the same generated events:
#   bench/funnel.sh [events=50000000]
# A 5-step ordered funnel with a 7-day window per user and one breakdown (country). Writes the events once under $DATA
# (default /tmp/trib-funnel-data-N), then runs ours (a fresh DuckDB: CSV load + funnel) and the peer (read_csv + the same
# funnel), each in its own process, and prints the time each measures itself, wall time, user+sys CPU, peak RSS, the
# ratio, and whether both count the same units at every step. The peer uses Debian's pandas, installed when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EVENTS=${1:-50000000}
DATA=${DATA:-/tmp/trib-funnel-data-$EVENTS}
OUT=${OUT:-/tmp/trib-funnel-out}
PY=/usr/bin/python3
if ! $PY -c "import pandas" 2>/dev/null; then
  apt-get install -y -q python3-pandas >/dev/null
fi
[ "${NO_BUILD:-0}" = 1 ] || dotnet build "$ROOT/bench/Tributary.Bench" -c Release -v q -nologo >/dev/null
BENCH="dotnet $ROOT/bench/Tributary.Bench/bin/Release/net10.0/Tributary.Bench.dll"
mkdir -p "$OUT"
[ -f "$DATA/events.csv" ] || $BENCH funnel-data "$DATA" "$EVENTS"
echo "events: $EVENTS; load: $(uptime | sed 's/.*load average/load average/'), $(nproc) cores"
/usr/bin/time -f "%M %e %U %S" -o "$OUT/ours.time" $BENCH funnel-run "$DATA" "$OUT" > "$OUT/ours.out" 2> "$OUT/ours.log"
echo "load: $(uptime | sed 's/.*load average/load average/')"
/usr/bin/time -f "%M %e %U %S" -o "$OUT/peer.time" $PY "$ROOT/bench/peers/funnel.py" "$DATA/events.csv" "$OUT/peer_funnel.csv" > "$OUT/peer.out" 2> "$OUT/peer.log"
echo "load: $(uptime | sed 's/.*load average/load average/')"
read -r ours_kb ours_wall ours_user ours_sys < <(tail -1 "$OUT/ours.time")
read -r peer_kb peer_wall peer_user peer_sys < <(tail -1 "$OUT/peer.time")
ours_s=$(sed -n 's/^seconds=//p' "$OUT/ours.out")
peer_s=$(sed -n 's/^seconds=//p' "$OUT/peer.out")
awk -v os="$ours_s" -v ps="$peer_s" -v ow="$ours_wall" -v pw="$peer_wall" -v oc="$(echo "$ours_user + $ours_sys" | bc)" -v pc="$(echo "$peer_user + $peer_sys" | bc)" \
    -v om="$ours_kb" -v pm="$peer_kb" 'BEGIN {
  printf "funnel  ours %7.2f s (wall %6.2f s, cpu %6.2f s, %6.0f MB)   peer %7.2f s (wall %6.2f s, cpu %6.2f s, %6.0f MB)   peer/ours: time %5.2fx, cpu %5.2fx, memory %5.2fx\n",
    os, ow, oc, om / 1024, ps, pw, pc, pm / 1024, ps / os, pc / oc, pm / om }'
if diff <(tail -n +2 "$OUT/ours_funnel.csv" | tr -d '"') <(tail -n +2 "$OUT/peer_funnel.csv") >/dev/null; then
  echo "        same units at every step and breakdown value"
else
  echo "        DIFFERENT counts:"; diff <(tail -n +2 "$OUT/ours_funnel.csv" | tr -d '"') <(tail -n +2 "$OUT/peer_funnel.csv") | head -20
fi
