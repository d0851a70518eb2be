#!/usr/bin/env bash
# Ours against plain Python peers (bench/peers/) on the same files, side by side in one run:
#   bench/analytics.sh [paths=1000000] [links=2000000] [customers=200000]
# Writes the data once (under $DATA, default /tmp/trib-peers-data; delete it to regenerate), then for attribution,
# identity and LTV runs ours (a fresh DuckDB: file load + component writing its tables; their CSV export for the comparison
# runs afterwards, untimed) and the peer (read_csv + the same work), each in
# its own process (attribution-warehouse: attribution again from inputs stored beforehand, see below), and prints the time each measures itself, its wall time, CPU seconds (user + system: what a loaded
# machine does not distort), peak RSS, the ratios, and the largest difference between the two results. Attribution's
# peer computes the component's channel, campaign and daily tables; a second line per attribution workload times it
# computing credit by channel only (--channels-only, the peer before stop 21) against the same run of ours. The peers use Debian's numpy/scipy/pandas/networkx (/usr/bin/python3),
# installed with apt-get when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATHS=${1:-1000000}
LINKS=${2:-2000000}
CUSTOMERS=${3:-200000}
DATA=${DATA:-/tmp/trib-peers-data}
OUT=${OUT:-/tmp/trib-peers-out}
. "$ROOT/bench/debian-packages.sh"
PY=/usr/bin/python3
if ! $PY -c "import numpy, scipy, pandas, networkx" 2>/dev/null; then
  debian_install python3-numpy python3-scipy python3-pandas python3-networkx
fi
[ "${NO_BUILD:-0}" = 1 ] || dotnet build "$ROOT/bench/Tributary.Bench" -c Release -v q -nologo >/dev/null
BENCH="dotnet $ROOT/bench/Tributary.Bench/bin/Release/net10.0/Tributary.Bench.dll"
mkdir -p "$OUT"
[ -f "$DATA/orders.csv" ] || $BENCH peers-data "$DATA" "$PATHS" "$LINKS" "$CUSTOMERS"
echo "load: $(uptime | sed 's/.*load average/load average/'), $(nproc) cores"
declare -A FILE=([attribution]=touches.csv [attribution-warehouse]=touches-campaigns.pkl [identity]=identity.csv [ltv]=orders.csv)
# attribution-warehouse: the touches are already stored before the timed runs, as in a pipeline: ours in a DuckDB table
# (the end-to-end run's load step, run once beforehand), pandas in its own pickle (its fastest read without pyarrow):
# touches-campaigns.pkl with the campaign and conversion time the campaign and daily tables need, touches.pkl with the
# channel columns only, for the channel-only peer.
if [[ " ${WORKLOADS:-attribution attribution-warehouse identity ltv} " == *" attribution-warehouse "* ]]; then
  [ -f "$DATA/touches.duckdb" ] || $BENCH peers-prepare attribution "$DATA" "$DATA/touches.duckdb" 2> "$OUT/prepare.log"
  [ -f "$DATA/touches-campaigns.pkl" ] || $PY "$ROOT/bench/peers/attribution.py" --prepare "$DATA/touches.csv" "$DATA/touches-campaigns.pkl"
  [ -f "$DATA/touches.pkl" ] || $PY "$ROOT/bench/peers/attribution.py" --prepare "$DATA/touches.csv" "$DATA/touches.pkl" --channels-only
fi

# One peer run ($1: its output name, $2...: the peer's command) timed, and its line of ratios against ours' run of workload $w.
peer_against_ours() {
  local name=$1 label=$2; shift 2
  /usr/bin/time -f "%M %e %U %S" -o "$OUT/peer_$name.time" "$@" > "$OUT/peer_$name.out" 2> "$OUT/peer_$name.log"
  read -r ours_kb ours_wall ours_user ours_sys < <(tail -1 "$OUT/ours_$w.time")
  read -r peer_kb peer_wall peer_user peer_sys < <(tail -1 "$OUT/peer_$name.time")
  ours_s=$(sed -n 's/^seconds=//p' "$OUT/ours_$w.out")
  peer_s=$(sed -n 's/^seconds=//p' "$OUT/peer_$name.out")
  awk -v w="$label" -v os="$ours_s" -v ps="$peer_s" -v ow="$ours_wall" -v pw="$peer_wall" -v om="$ours_kb" -v pm="$peer_kb" \
      -v ou="$ours_user" -v osy="$ours_sys" -v pu="$peer_user" -v psy="$peer_sys" 'BEGIN {
    oc = ou + osy; pc = pu + psy
    printf "%-30s ours %7.2f s (wall %6.2f s, CPU %6.2f s, %6.0f MB)   peer %7.2f s (wall %6.2f s, CPU %6.2f s, %6.0f MB)   peer/ours: time %5.2fx (wall %5.2fx, CPU %5.2fx), memory %5.2fx\n",
      w, os, ow, oc, om / 1024, ps, pw, pc, pm / 1024, ps / os, pw / ow, pc / oc, pm / om }'
  # The same work once the data is in: ours from the step's start (its read from the warehouse included), the peer
  # after read_csv (its sort and groupings included). Printed where both sides report it.
  ours_step=$(sed -n 's/^step_cpu_seconds=//p' "$OUT/ours_$w.out")
  peer_step=$(sed -n 's/^model_cpu_seconds=//p' "$OUT/peer_$name.out")
  if [ -n "$ours_step" ] && [ -n "$peer_step" ]; then
    awk -v os="$ours_step" -v ps="$peer_step" 'BEGIN {
      printf "             after the file is read: ours CPU %6.2f s (component, reading the warehouse)   peer CPU %6.2f s (after its read)   peer/ours %5.2fx\n", os, ps, ps / os }'
  fi
}

for w in ${WORKLOADS:-attribution attribution-warehouse identity ltv}; do
  ours_args=("${w%-warehouse}" "$DATA" "$OUT")
  [ "$w" = attribution-warehouse ] && ours_args+=("$DATA/touches.duckdb")
  # Files written just before (a warehouse copied into place) are flushed first: else the first fsync of the run, DuckDB's
  # checkpoint as it closes, writes the whole copy out inside ours' time (~0.1 s for the 100 MB warehouse at 1M journeys).
  sync
  /usr/bin/time -f "%M %e %U %S" -o "$OUT/ours_$w.time" $BENCH peers-run "${ours_args[@]}" > "$OUT/ours_$w.out" 2> "$OUT/ours_$w.log"
  # Ours stores its results in the warehouse (as the peer writes its CSV, once); the CSV for compare.py is exported after the timing.
  $BENCH peers-export "${ours_args[@]}" 2>> "$OUT/ours_$w.log"
  peer_against_ours "$w" "$w" $PY "$ROOT/bench/peers/${w%-warehouse}.py" "$DATA/${FILE[$w]}" "$OUT/peer_$w.csv"
  # Attribution again against a peer that computes credit by channel only (what it did before stop 21: no campaign or
  # daily table), so the old ratio shows beside the one for the same work; ours' run is the same.
  if [[ $w == attribution* ]]; then
    input=$DATA/${FILE[$w]}
    [ "$w" = attribution-warehouse ] && input=$DATA/touches.pkl
    peer_against_ours "$w-channels" "$w-channels" $PY "$ROOT/bench/peers/attribution.py" "$input" "$OUT/peer_$w-channels.csv" --channels-only
  fi
  $PY "$ROOT/bench/peers/compare.py" "$w" "$OUT" | sed 's/^/             /'
done
echo "load: $(uptime | sed 's/.*load average/load average/')"
