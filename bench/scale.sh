#!/usr/bin/env bash
# Data path at scale (issue 13): for each size, 'trib demo-data --customers N' then 'trib run marketing_attribution' and
# 'trib run customer_ltv', each under /usr/bin/time -v; prints wall time, peak RSS and the Segment events load rate.
# Goals: marketing_attribution at 100k under 90 s and 2 GB peak RSS, peak RSS within 20% across 25k/50k/100k,
# segment events loaded at 250k events/s or more. Note the machine's load (uptime) beside the figures.
#
#   bench/scale.sh [N ...]        (default: 25000 50000 100000)
#
# Uses the Release build of trib (built here when missing; TRIB=path/to/trib.dll picks another); WORK=folder holds the data.
# Each size's project is deleted once measured (the 100k demo is ~4 GB of NDJSON) unless KEEP=1; with WORK, KEEP=1 and REUSE=1
# a later run reuses a size's demo data (a fresh warehouse and run history each time). MEMORY_LIMIT=400MB (or any size
# DuckDB takes) sets the project's warehouse.memory_limit for the runs (default: the project's own, 1GB); PARALLELISM=N its
# steps at once (default 4): both for measuring peak RSS against CPU.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(25000 50000 100000)
trib_dll=${TRIB:-$root/src/Tributary.Cli/bin/Release/net10.0/trib.dll}
if [ ! -f "$trib_dll" ]; then
  echo "building trib (Release)" >&2
  dotnet build "$root/src/Tributary.Cli" -c Release -v q -nologo >&2
fi
work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT

# Runs trib under /usr/bin/time -v; prints "wall_s peak_mb cpu_s" (CPU = user + sys: on a shared machine wall says more about the neighbours).
timed() {
  local log=$1; shift
  /usr/bin/time -v dotnet "$trib_dll" "$@" >"$log.out" 2>"$log.err" || { tail -20 "$log.err" >&2; return 1; }
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
              /Maximum resident set size/ { kb = $2 }
              /User time \(seconds\)|System time \(seconds\)/ { cpu += $2 }
              END { printf "%.1f %.0f %.1f\n", s, kb / 1024, cpu }' "$log.err"
}

printf '%-9s %-22s %8s %8s %9s %s\n' customers step wall_s cpu_s peak_mb note
for n in "${sizes[@]}"; do
  project=$work/p$n
  if [ -n "${REUSE:-}" ] && [ -d "$project/data/demo/segment" ]; then
    # The demo data of an earlier run (same size): only the warehouse and run history start afresh.
    rm -rf "$project/.tributary"
    printf '%-9s %-22s %8s %8s %9s %s\n' "$n" demo-data - - - "reused, $(du -sh "$project/data/demo/segment" | cut -f1) of NDJSON"
  else
    rm -rf "$project"
    dotnet "$trib_dll" init "$project" >/dev/null
    read -r s mb cpu < <(timed "$work/demo$n" demo-data --customers "$n" --project "$project")
    printf '%-9s %-22s %8s %8s %9s %s\n' "$n" demo-data "$s" "$cpu" "$mb" "$(du -sh "$project/data/demo/segment" | cut -f1) of NDJSON"
  fi
  for t in marketing_attribution customer_ltv; do cp "$root/pipelines/$t.yaml" "$project/pipelines/"; done
  settings=$project/tributary.yaml
  sed -i '/^  memory_limit: /d' "$settings"
  [ -z "${MEMORY_LIMIT:-}" ] || sed -i "s|^\(  duckdb: .*\)$|\1\n  memory_limit: $MEMORY_LIMIT|" "$settings"
  [ -z "${PARALLELISM:-}" ] || sed -i "s/^parallelism: .*/parallelism: $PARALLELISM/" "$settings"
  for t in marketing_attribution customer_ltv; do
    read -r s mb cpu < <(timed "$work/$t$n" run "$t" --project "$project")
    note="load $(cut -d' ' -f1-3 /proc/loadavg)"
    run_id=$(dotnet "$trib_dll" runs --project "$project" --format csv | awk -F, 'NR == 2 { print $1 }')
    steps=$(dotnet "$trib_dll" runs show "$run_id" --project "$project" --format csv 2>/dev/null)
    if [ "$t" = marketing_attribution ]; then
      note="$note; $(awk -F, '$1 == "segment_events" { printf "segment_events: %d rows in %.1f s = %.0f events/s", $5, $6, $5 / $6 }' <<<"$steps")"
    fi
    printf '%-9s %-22s %8s %8s %9s %s\n' "$n" "$t" "$s" "$cpu" "$mb" "$note"
    # The slowest steps by their recorded seconds (where the run's time goes), each with the process's peak RSS while it ran.
    awk -F, 'NR > 1 && $6 != "" { printf "%s %.1f %s\n", $1, $6, ($7 == "" ? "-" : $7) }' <<<"$steps" | sort -k2 -nr | head -12 |
      awk '{ printf "    %-28s %8.1f s %9s MB peak RSS\n", $1, $2, $3 }'
  done
  [ -n "${KEEP:-}" ] || rm -rf "$project"
done
echo "load: $(uptime)"
