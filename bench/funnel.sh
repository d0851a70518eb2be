#!/usr/bin/env bash
# analytics.funnel on DuckDB against a plain pandas funnel (bench/peers/funnel.py) on the same generated events:
#   bench/funnel.sh [events=50000000] [peer events=5000000]      (peer events 0: ours alone at the full size)
# A 5-step ordered funnel with a 7-day window per user and one breakdown (country). The events are generated inside
# DuckDB (SQL over range(), hash-based randomness, integer user ids), so no event file is needed for our side. At the
# peer's size (pandas holds everything in memory) ours runs first and writes the same events as CSV, the peer reads it,
# and both funnels are compared: in-process wall and CPU seconds of the funnel alone (DuckDB's threads included; the
# peer's read_csv apart), /usr/bin/time for each whole process, and whether both count the same units at every step.
# Then ours runs alone at the full size. Scratch data goes to $OUT (default .scratch/funnel) and is deleted after.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EVENTS=${1:-50000000}
PEER_EVENTS=${2:-5000000}
OUT=${OUT:-$ROOT/.scratch/funnel}
. "$ROOT/bench/debian-packages.sh"
PY=/usr/bin/python3
if ! $PY -c "import pandas" 2>/dev/null; then
  debian_install python3-pandas
fi
[ "${NO_BUILD:-0}" = 1 ] || dotnet build "$ROOT/bench/Tributary.Bench" -c Release -v q -nologo -p:TribSkipWebUi=true >/dev/null
BENCH="dotnet $ROOT/bench/Tributary.Bench/bin/Release/net10.0/Tributary.Bench.dll"
mkdir -p "$OUT"
load() { uptime | sed 's/.*load average/load average/'; }
val() { sed -n "s/^$1=//p" "$2"; }
whole() { read -r kb wall user sys < <(tail -1 "$1"); printf "process wall %.1f s, cpu %.1f s, peak %.0f MB" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$kb / 1024" | bc)"; }

if [ "$PEER_EVENTS" != 0 ]; then
  echo "same size: $PEER_EVENTS events; $(nproc) cores; $(load)"
  /usr/bin/time -f "%M %e %U %S" -o "$OUT/ours.time" $BENCH funnel-run "$PEER_EVENTS" "$OUT" "$OUT/events.csv" > "$OUT/ours.out" 2> "$OUT/ours.log"
  echo "  ours: funnel $(val seconds "$OUT/ours.out") s wall, $(val cpu "$OUT/ours.out") s cpu (generation $(val generate_seconds "$OUT/ours.out") s); $(whole "$OUT/ours.time"); $(load)"
  /usr/bin/time -f "%M %e %U %S" -o "$OUT/peer.time" $PY "$ROOT/bench/peers/funnel.py" "$OUT/events.csv" "$OUT/peer_funnel.csv" > "$OUT/peer.out" 2> "$OUT/peer.log"
  echo "  peer: funnel $(val seconds "$OUT/peer.out") s wall, $(val cpu "$OUT/peer.out") s cpu (read_csv $(val read_seconds "$OUT/peer.out") s); $(whole "$OUT/peer.time"); $(load)"
  awk -v ow="$(val seconds "$OUT/ours.out")" -v oc="$(val cpu "$OUT/ours.out")" -v pw="$(val seconds "$OUT/peer.out")" -v pc="$(val cpu "$OUT/peer.out")" \
    'BEGIN { printf "  peer/ours (funnel alone): wall %.2fx, cpu %.2fx\n", pw / ow, pc / oc }'
  if diff <(tail -n +2 "$OUT/ours_funnel.csv" | tr -d '"') <(tail -n +2 "$OUT/peer_funnel.csv") >/dev/null; then
    echo "  same units at every step and breakdown value"
  else
    echo "  DIFFERENT counts:"; diff <(tail -n +2 "$OUT/ours_funnel.csv" | tr -d '"') <(tail -n +2 "$OUT/peer_funnel.csv") | head -20
  fi
  rm -f "$OUT/events.csv"
fi

if [ "$EVENTS" != "$PEER_EVENTS" ]; then
  echo "full size: $EVENTS events; $(load)"
  /usr/bin/time -f "%M %e %U %S" -o "$OUT/full.time" $BENCH funnel-run "$EVENTS" "$OUT" > "$OUT/full.out" 2> "$OUT/full.log"
  echo "  ours: funnel $(val seconds "$OUT/full.out") s wall, $(val cpu "$OUT/full.out") s cpu (generation $(val generate_seconds "$OUT/full.out") s wall, $(val generate_cpu "$OUT/full.out") s cpu); $(whole "$OUT/full.time"); $(load)"
fi
