#!/usr/bin/env bash
# Segment events load rate (issue 13 goal: at least 250k events/s on DuckDB): 'trib demo-data --customers N' once, then a
# one-step pipeline with source.segment_events into a fresh warehouse, REPEAT times; prints the step's rows, seconds and
# events/s as the run records them (engine start-up excluded). Note the machine's load (uptime) beside the figures.
#
#   bench/segment-load.sh [customers=5000] [engine=duckdb] [repeat=3]
#
# Uses the Release build of trib (TRIB=path/to/trib.dll picks another); WORK=folder keeps the data. CHECK=1 also prints the row
# count and an order-independent sum of row hashes of segment_events and its __rejected table, to compare two builds' output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
customers=${1:-5000}
engine=${2:-duckdb}
repeat=${3:-3}
trib_dll=${TRIB:-$root/src/Tributary.Cli/bin/Release/net10.0/trib.dll}
if [ ! -f "$trib_dll" ]; then
  echo "building trib (Release)" >&2
  dotnet build "$root/src/Tributary.Cli" -c Release -v q -nologo -p:TribSkipWebUi=true >&2
fi
work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
trib() { dotnet "$trib_dll" "$@"; }

data=$work/data$customers
if [ ! -d "$data/data/demo/segment" ]; then
  rm -rf "$data"
  trib init "$data" >/dev/null 2>&1
  trib demo-data --customers "$customers" --project "$data" >/dev/null
fi
echo "$(du -sh "$data/data/demo/segment" | cut -f1) of NDJSON, engine $engine"
for i in $(seq "$repeat"); do
  project=$work/load$i
  rm -rf "$project"
  trib init "$project" >/dev/null 2>&1
  [ "$engine" = duckdb ] || { echo "only duckdb is scripted here; point warehouse: in $project/tributary.yaml at PostgreSQL by hand" >&2; exit 2; }
  mkdir -p "$project/data/demo/segment" && cp -l "$data"/data/demo/segment/* "$project/data/demo/segment/" # hard links: no copy
  cat >"$project/pipelines/segment_load.yaml" <<'YAML'
pipeline: segment_load
components:
  - { id: segment_events, type: source.segment_events, with: { path: data/demo/segment } }
YAML
  /usr/bin/time -f "%U %S %M %e" -o "$work/time$i" dotnet "$trib_dll" run segment_load --project "$project" >"$work/run$i.log" 2>&1 ||
    { tail -20 "$work/run$i.log" >&2; exit 1; }
  run_id=$(trib runs --project "$project" --format csv | awk -F, 'NR == 2 { print $1 }')
  # CPU seconds of the whole process too: on a loaded machine the wall rate says more about the neighbours than the loader.
  read -r user sys rss_kb wall <"$work/time$i"
  trib runs show "$run_id" --project "$project" --format csv 2>/dev/null |
    awk -F, -v cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" -v mb="$((rss_kb / 1024))" -v wall="$wall" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" '$1 == "segment_events" {
      printf "segment_events: %d rows in %.2f s = %.0f events/s (process CPU %.2f s = %.0f events per CPU-second; wall %.1f s, peak RSS %d MB; load %s)\n", $5, $6, $5 / $6, cpu, $5 / cpu, wall, mb, load }'
  if [ -n "${CHECK:-}" ]; then # the rejected rows without their run id and time
    for check in "segment_events:hash(t)" "segment_events__rejected:hash(source_file, line, raw, reason)"; do
      echo "${check%%:*}: $(trib query --project "$project" --format csv "SELECT count(*) || ' rows, hash sum ' || coalesce(sum(${check#*:}::HUGEINT), 0) FROM \"${check%%:*}\" t" | tail -1)"
    done
  fi
done
echo "load: $(uptime)"
