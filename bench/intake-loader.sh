#!/usr/bin/env bash
# The intake loader alone: a prepared log (bench/intake-log.py) copied into a new project, 'trib serve' started with
# batch_size BATCH, CPU seconds and wall time until the log is empty, peak RSS; LOG=none measures a start alone (its CPU is
# subtracted by hand). PERFREC=file records a perf profile.
#   bench/intake-loader.sh TRIB_DLL PORT LOG|none [batch=100000]
set -euo pipefail
dll=$1; port=$2; log=$3; bs=${4:-100000}
work=$(mktemp -d /tmp/intake-loader-XXXX); project=$work/project
dotnet "$dll" init "$project" >/dev/null 2>&1
printf "intake:\n  flush_seconds: 1\n  batch_size: $bs\n  max_log_rows: 100000000\n" >> "$project/tributary.yaml"
mkdir -p "$project/.tributary"; [ "$log" != none ] && cp "$log" "$project/.tributary/intake.db"
left() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT coalesce(sum(events),0) FROM batches').fetchone()[0])" "$project/.tributary/intake.db" 2>/dev/null || echo x; }
hz=$(getconf CLK_TCK)
n=$(left)
t0=$(date +%s.%N)
DOTNET_PerfMapEnabled=${PERFMAP:-0} DOTNET_EnableWriteXorExecute=${WXE:-1} dotnet "$dll" serve --port "$port" --project "$project" >"$work/serve.log" 2>&1 & pid=$!
[ -n "${PERFREC:-}" ] && { perf record -F 299 -g -p $pid -o $PERFREC >/dev/null 2>&1 & }
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf $work' EXIT
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
rss() { awk '/VmHWM/ {print $2}' "/proc/$pid/status"; }
for _ in $(seq 1 600); do grep -q "at http://" "$work/serve.log" && break; sleep 0.1; done
if [ "$log" = none ]; then sleep 3; echo "start only: cpu $(echo "scale=2; $(ticks)/$hz" | bc) s"; exit 0; fi
while [ "$(left)" != 0 ]; do sleep 0.5; done
t1=$(date +%s.%N); c=$(ticks)
echo "loader $dll: $n events, $(echo "$t1 - $t0" | bc) s wall incl. start; server cpu $(echo "scale=2; $c/$hz" | bc) s; peak rss $(rss) kB; load $(cut -d' ' -f1-3 /proc/loadavg)"
grep "intake: loaded" "$work/serve.log" | head -2; grep "intake: loaded" "$work/serve.log" | tail -1
