#!/usr/bin/env bash
# Recommendation API throughput: a demo store of N customers, the product_recommendations template run on it, then
# 'trib serve' on loopback and wrk on GET /api/recommendations/{email} (random known customers), /api/similar/{sku}
# and /api/bought-together/{sku}; prints req/s and the p50/p99 latency wrk reports, with the load average.
#   bench/recs-api.sh [customers=20000] [duration=10] [connections=32]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
customers=${1:-20000}; duration=${2:-10}; connections=${3:-32}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }
trib_dll=${TRIB:-$root/src/Tributary.Cli/bin/Release/net10.0/trib.dll}
[ -f "$trib_dll" ] || dotnet build "$root/src/Tributary.Cli" -c Release -v q -nologo -p:TribSkipWebUi=true >&2
work=$(mktemp -d); server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
project=$work/project
dotnet "$trib_dll" init "$project" >/dev/null
(cd "$project" && dotnet "$trib_dll" demo-data --customers "$customers" >/dev/null && dotnet "$trib_dll" templates add product_recommendations >/dev/null \
  && dotnet "$trib_dll" run product_recommendations >"$work/run.log" 2>&1) || { cat "$work/run.log" >&2; exit 1; }
# awk reads the whole file: head would close the pipe early, and pipefail would end the script on the SIGPIPE.
awk -F, 'NR > 1 && NR <= 5001 { print $2 }' "$project/data/demo/ground_truth/customers.csv" > "$work/emails.txt"
cat > "$work/paths.lua" <<LUA
local emails = {}
for line in io.lines("$work/emails.txt") do emails[#emails + 1] = line end
request = function()
  return wrk.format("GET", "/api/recommendations/" .. emails[math.random(#emails)])
end
LUA
dotnet "$trib_dll" serve --port 0 --project "$project" >"$work/serve.log" 2>&1 &
server_pid=$!
address=""
for _ in $(seq 1 600); do
  address=$(grep -oE 'at http://[^ ]+/' "$work/serve.log" | head -1 | cut -c4- || true)
  [ -n "$address" ] && break; sleep 0.1
done
[ -n "$address" ] || { cat "$work/serve.log" >&2; exit 1; }
for _ in $(seq 1 600); do curl -fs -o /dev/null "${address}api/recommendations/x" && break; sleep 0.2; done
echo "load: $(uptime | sed 's/.*load average/load average/'), $(nproc) cores"
report() { awk -v what="$1" '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } END { printf "%-28s %10s req/s   p50 %8s   p99 %8s\n", what, rps, p50, p99 }'; }
wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$work/paths.lua" "$address" | report "recommendations/{email}"
wrk -t2 -c"$connections" -d"${duration}s" --latency "${address}api/similar/SKU-COFFEE-000" | report "similar/{sku}"
wrk -t2 -c"$connections" -d"${duration}s" --latency "${address}api/bought-together/SKU-COFFEE-000" | report "bought-together/{sku}"
echo "load: $(uptime | sed 's/.*load average/load average/')"
