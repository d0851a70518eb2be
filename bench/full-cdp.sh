#!/usr/bin/env bash
# The whole platform at scale (issue 22): 'trib demo-data --customers N', then 'trib run full_cdp' once (every group, as
# the first run of a new project does), then (PER_GROUP=0 skips it) each group alone with '--select group:NAME' as its schedule runs it, each
# under /usr/bin/time -v. Prints wall time, CPU seconds (user + sys) and peak RSS per run, and per group of the whole run
# its steps, their summed seconds and the highest peak RSS a step recorded (trib runs show). Then (IDEMPOTENT=0 skips it)
# a second 'trib run full_cdp' of every group, and which tables it changed: each table's row count and the sum of its
# rows' hashes before and after (a timestamp written at run time changes a table too, and is reported as such). Delivery
# logs are named apart and not counted: what one run delivered, not a result (an activate.table step's asset is the
# change log of its sync, empty when nothing changed; alert.fraud's holds the alerts new in that run; an activate.webhook
# step's asset and dead letters are that run's requests). The state they deliver to (the synced tables, the alert queue)
# is a result and is compared.
# Goal (issue 22): at 100k customers the whole run under 10 minutes and 4 GB. Note the machine's load beside the figures.
#
#   bench/full-cdp.sh [N]        (default: 10000)
#
# Uses the Release build of trib (built here when missing; TRIB=path/to/trib.dll picks another); WORK=folder holds the
# data (deleted afterwards unless KEEP=1). DuckDB keeps its default memory_limit (1GB) unless MEMORY_LIMIT=... is set.
# At 100k the demo is ~4 GB of files: run it under the shared lock, flock /work/wt/.bigrun.lock bench/full-cdp.sh 100000.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10000}
trib_dll=${TRIB:-$root/src/Tributary.Cli/bin/Release/net10.0/trib.dll}
if [ ! -f "$trib_dll" ]; then
  echo "building trib (Release)" >&2
  dotnet build "$root/src/Tributary.Cli" -c Release -v q -nologo -p:TribSkipWebUi=true >&2
fi
work=${WORK:-$(mktemp -d)}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work/p$n"; [ -n "${WORK:-}" ] || rm -rf "$work"' EXIT

# Runs trib under /usr/bin/time -v; prints "wall_s peak_mb cpu_s".
timed() {
  local log=$1; shift
  /usr/bin/time -v dotnet "$trib_dll" "$@" >"$log.out" 2>"$log.err" || { tail -20 "$log.err" >&2; return 1; }
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
              /Maximum resident set size/ { kb = $2 }
              /User time \(seconds\)|System time \(seconds\)/ { cpu += $2 }
              END { printf "%.1f %.0f %.1f\n", s, kb / 1024, cpu }' "$log.err"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
# The group of each asset, from the template's groups: block ("asset group" lines).
groups_of() {
  awk '/^groups:/ { g = 1; next } /^[a-z_]+:/ { g = 0 }
       g && /^  [a-z_]+:/ { name = $1; sub(":", "", name) }
       g && /assets:/ { a = 1 }
       g && a { line = $0; sub(/.*assets: *\[/, "", line); sub(/^ */, "", line); done = (line ~ /\]/); sub(/\].*/, "", line)
                m = split(line, xs, /, */); for (i = 1; i <= m; i++) if (xs[i] != "") print xs[i], name; if (done) a = 0 }' "$1"
}

project=$work/p$n
rm -rf "$project"
dotnet "$trib_dll" init "$project" >/dev/null 2>&1
[ -z "${MEMORY_LIMIT:-}" ] || printf 'warehouse:\n  memory_limit: %s\n' "$MEMORY_LIMIT" >>"$project/tributary.yaml"
cp "$root/pipelines/full_cdp.yaml" "$project/pipelines/"
groups_of "$project/pipelines/full_cdp.yaml" >"$work/groups$n"
groups=$(awk '{ print $2 }' "$work/groups$n" | awk '!seen[$0]++')

printf '%-9s %-26s %8s %8s %9s %s\n' customers run wall_s cpu_s peak_mb note
read -r s mb cpu < <(timed "$work/demo$n" demo-data --customers "$n" --project "$project")
printf '%-9s %-26s %8s %8s %9s %s\n' "$n" demo-data "$s" "$cpu" "$mb" "$(du -sh "$project/data/demo" | cut -f1) of files; load $(load)"

# The first run: every group.
read -r s mb cpu < <(timed "$work/all$n" run full_cdp --project "$project")
printf '%-9s %-26s %8s %8s %9s %s\n' "$n" "full_cdp (all groups)" "$s" "$cpu" "$mb" "load $(load)"
run_id=$(dotnet "$trib_dll" runs --project "$project" --format csv | awk -F, 'NR == 2 { print $1 }')
dotnet "$trib_dll" runs show "$run_id" --project "$project" --format csv >"$work/steps$n.csv" 2>/dev/null
# Per group of that run: steps, their summed seconds (steps overlap, so more than the group's share of the wall), highest step peak RSS.
awk -F, 'NR == FNR { group[$1] = $2; next }
         FNR > 1 && ($1 in group) { g = group[$1]; steps[g]++; secs[g] += $6; if ($7 + 0 > peak[g]) peak[g] = $7 + 0 }
         END { for (g in steps) printf "    %-22s %3d steps %9.1f step-s %9.0f MB peak RSS\n", g, steps[g], secs[g], peak[g] }' \
  <(tr ' ' ',' <"$work/groups$n") "$work/steps$n.csv" | sort
awk -F, 'NR > 1 && $6 != "" { printf "%s %.1f %s\n", $1, $6, ($7 == "" ? "-" : $7) }' "$work/steps$n.csv" | sort -k2 -nr | head -8 |
  awk '{ printf "    slowest: %-26s %8.1f s %9s MB peak RSS\n", $1, $2, $3 }'

# Row count and the sum of the rows' hashes of every table (DuckDB), one "table rows hash" line each.
fingerprint() {
  local tables sql
  tables=$(dotnet "$trib_dll" query "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name NOT LIKE '\_%' ESCAPE '\' ORDER BY 1" \
    --project "$project" --format csv 2>/dev/null | tail -n +2)
  sql=$(for t in $tables; do printf "SELECT '%s' AS t, count(*) AS n, coalesce(sum(hash(x)), 0) AS h FROM \"%s\" AS x UNION ALL " "$t" "$t"; done)
  dotnet "$trib_dll" query "${sql% UNION ALL } ORDER BY t" --project "$project" --format csv 2>/dev/null | tail -n +2 | tr ',' ' ' | LC_ALL=C sort
}
# The delivery logs of the template: the assets of its activate.table, activate.webhook (and dead letters) and alert.fraud steps.
delivery_logs() {
  awk '/^  - / { id = "" } match($0, /id: [a-z_0-9]+/) { id = substr($0, RSTART + 4, RLENGTH - 4) }
       match($0, /type: (activate\.table|activate\.webhook|alert\.fraud)([ ,}]|$)/) && id != "" { print id; if ($0 ~ /activate\.webhook/) print id "__dead_letter" }' "$1" | LC_ALL=C sort
}
if [ "${IDEMPOTENT:-1}" != 0 ]; then
  delivery_logs "$project/pipelines/full_cdp.yaml" >"$work/logs$n"
  fingerprint | LC_ALL=C join -v 1 - "$work/logs$n" >"$work/before$n"
  read -r s mb cpu < <(timed "$work/again$n" run full_cdp --project "$project")
  printf '%-9s %-26s %8s %8s %9s %s\n' "$n" "full_cdp again (all)" "$s" "$cpu" "$mb" "load $(load)"
  fingerprint | LC_ALL=C join -v 1 - "$work/logs$n" >"$work/after$n"
  changed=$(LC_ALL=C join "$work/before$n" "$work/after$n" | awk '$2 != $4 || $3 != $5 { print $1 " (rows " $2 " -> " $4 ")" }')
  printf '    idempotent: %s of %s result tables unchanged by the second run (delivery logs, not compared: %s)\n' \
    "$(( $(wc -l <"$work/before$n") - $(printf '%s' "$changed" | grep -c .) ))" "$(wc -l <"$work/before$n")" "$(paste -sd, "$work/logs$n")"
  [ -z "$changed" ] || printf '%s\n' "$changed" | sed 's/^/    changed: /'
fi

# Each group alone, as its schedule or sensor runs it (its inputs from other groups are read as they are); PER_GROUP=0 skips it.
[ "${PER_GROUP:-1}" != 0 ] || { echo "load: $(uptime)"; exit 0; }
total_s=0
for g in $groups; do
  read -r s mb cpu < <(timed "$work/$g$n" run full_cdp --select "group:$g" --project "$project")
  printf '%-9s %-26s %8s %8s %9s %s\n' "$n" "group:$g" "$s" "$cpu" "$mb" "load $(load)"
  total_s=$(awk -v a="$total_s" -v b="$s" 'BEGIN { printf "%.1f", a + b }')
done
printf '%-9s %-26s %8s\n' "$n" "groups alone, summed" "$total_s"
echo "load: $(uptime)"
