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
# PROJECT=dir keeps the project (demo data and the template's run) in dir and reuses it when it is there already.
project=${PROJECT:-$work/project}
if [ ! -d "$project/.tributary" ]; then
  dotnet "$trib_dll" init "$project" >/dev/null
  (cd "$project" && dotnet "$trib_dll" demo-data --customers "$customers" >/dev/null && dotnet "$trib_dll" templates add product_recommendations >/dev/null \
    && dotnet "$trib_dll" run product_recommendations >"$work/run.log" 2>&1) || { cat "$work/run.log" >&2; exit 1; }
fi
# awk reads the whole file: head would close the pipe early, and pipefail would end the script on the SIGPIPE.
awk -F, 'NR > 1 && NR <= 5001 { print $2 }' "$project/data/demo/ground_truth/customers.csv" > "$work/emails.txt"
cat > "$work/paths.lua" <<LUA
-- The requests are formatted once, on a thread's first request: wrk runs on the same cores as the server, and Lua work
-- per request is load the server does not cause. Not when the script loads: wrk.headers has no Host yet then, and a
-- request without one is a 400 (every answer of this bench was one until 2026-12-02).
local requests = nil
local n = 0
request = function()
  if requests == nil then
    requests = {}
    for line in io.lines("$work/emails.txt") do requests[#requests + 1] = wrk.format("GET", "/api/recommendations/" .. line) end
  end
  n = n % #requests + 1
  return requests[n]
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
# The server's own CPU time per request (user + sys ticks of its process over the run, from /proc) does not depend on the
# load as much as req/s and latency do on a shared machine, so it is printed beside them.
ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
hz=$(getconf CLK_TCK)
measure() {
  local what=$1; shift
  local before after
  before=$(ticks)
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" > "$work/wrk.out"
  after=$(ticks)
  awk -v what="$what" -v cpu="$(( after - before ))" -v hz="$hz" '/requests in/ { n = $1 } /Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    END { printf "%-28s %10s req/s   p50 %8s   p99 %8s   server cpu %6.1f us/request\n", what, rps, p50, p99, cpu / hz * 1e6 / n }' "$work/wrk.out"
  # An answer that is not a 2xx measures the error path, not the endpoint: say so rather than print a rate.
  if grep -q "Non-2xx" "$work/wrk.out"; then echo "  $(grep Non-2xx "$work/wrk.out" | sed 's/^ *//') of $(awk '/requests in/ { print $1 }' "$work/wrk.out") for $what" >&2; exit 1; fi
}
wrk -t2 -c"$connections" -d2s -s "$work/paths.lua" "$address" >/dev/null   # warm-up: tiered JIT, first requests
measure "recommendations/{email}" -s "$work/paths.lua" "$address"
measure "similar/{sku}" "${address}api/similar/SKU-COFFEE-000"
measure "bought-together/{sku}" "${address}api/bought-together/SKU-COFFEE-000"
echo "load: $(uptime | sed 's/.*load average/load average/')"
