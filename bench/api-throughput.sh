#!/usr/bin/env bash
# Read API throughput: starts 'trib serve' on loopback for a project with run history, then measures
# GET /api/runs and GET /api/assets with wrk for a bounded time each and prints req/s and p99 latency.
# Goal (issue 12): at least 5,000 req/s with p99 under 20 ms on a 2-core machine that is otherwise idle.
#
#   bench/api-throughput.sh [--duration SECONDS] [--connections N] [--threads N] [--runs N] [--customers N]
#
# Uses the Release build of trib (built here when missing; TRIB=path/to/trib.dll picks another). wrk is Debian's
# package, installed here when missing and this runs as root. Traffic goes to 127.0.0.1 only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=10 connections=32 threads=2 runs=40 customers=300
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --customers) customers=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 1 ;;
  esac
done

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" != 0 ]; then echo "wrk is not installed; run as root or: sudo apt-get install wrk" >&2; exit 1; fi
  echo "installing wrk (Debian package)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
fi

trib_dll=${TRIB:-$root/src/Tributary.Cli/bin/Release/net10.0/trib.dll}
if [ ! -f "$trib_dll" ]; then
  echo "building trib (Release)" >&2
  dotnet build "$root/src/Tributary.Cli" -c Release -v q -nologo >&2
fi
trib() { dotnet "$trib_dll" "$@"; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
project=$work/project

# History: the customer_ltv template on a demo store (about twenty tables), then many small runs through the server.
echo "preparing a project in $project (quickstart with $customers customers)" >&2
trib quickstart "$project" --customers "$customers" >/dev/null 2>"$work/quickstart.log" || { cat "$work/quickstart.log" >&2; exit 1; }
cat >"$project/pipelines/hello.yaml" <<'YAML'
pipeline: hello
components:
  - { id: greeting, type: transform.sql, with: { sql: "SELECT 'hi' AS word" } }
YAML

# Started directly (not through the function) so that $! is the server's own process.
dotnet "$trib_dll" serve --port 0 --project "$project" >"$work/serve.log" 2>&1 &
server_pid=$!
address=""
for _ in $(seq 1 600); do
  address=$(grep -oE 'at http://[^ ]+/' "$work/serve.log" | head -1 | cut -c4- || true)
  [ -n "$address" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$address" ] || { echo "trib serve did not start listening within 60 s" >&2; cat "$work/serve.log" >&2; exit 1; }
secret=$(cat "$project/.tributary/write-secret")

echo "submitting $runs runs of a one-step pipeline to $address" >&2
for _ in $(seq 1 "$runs"); do
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' -H "X-Tributary-Write-Secret: $secret" \
    -d '{"pipeline":"hello"}' "${address}api/runs"
done
for _ in $(seq 1 600); do
  [ "$(curl -fsS "${address}api/queue")" = "[]" ] && break
  sleep 0.5
done
[ "$(curl -fsS "${address}api/queue")" = "[]" ] || { echo "the submitted runs did not finish within 5 minutes" >&2; exit 1; }

# One wrk measurement: prints "req/s p99_ms non2xx".
measure() {
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$1"s --latency "$2")
  echo "$out" >>"$work/wrk.log"
  local rps p99 bad
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; printf "%.2f", v}')
  bad=$(echo "$out" | awk '/Non-2xx or 3xx responses:/ {print $5}')
  echo "$rps ${p99:-?} ${bad:-0}"
}

printf '%-12s %12s %10s  %s\n' endpoint "req/s" "p99 (ms)" "(wrk -t$threads -c$connections, ${duration}s each, after a 3 s warm-up; nproc $(nproc), load $(cut -d' ' -f1 /proc/loadavg))"
status=0
for path in api/runs api/assets; do
  measure 3 "$address$path" >/dev/null
  read -r rps p99 bad < <(measure "$duration" "$address$path")
  printf '%-12s %12s %10s\n' "/$path" "$rps" "$p99"
  if [ "$bad" != 0 ]; then echo "  $bad answers were not 2xx" >&2; status=1; fi
done
exit $status
