#!/usr/bin/env bash
# Online fraud scoring throughput: a demo store of N customers, the fraud_detection template run on it, then 'trib serve'
# on loopback and wrk on POST /api/score/transaction with 10,000 prepared payments (half the demo's own charges, scored
# again as of their time; half new ones a minute after them on the same card, email and customer, which enter the
# velocity state on their first request). Prints req/s, the p50/p99 latency wrk reports, the server's CPU time per
# request and the load average; an answer other than 2xx fails the bench. Goal: 10,000 transactions/s, p99 < 5 ms.
#   bench/fraud-api.sh [customers=20000] [duration=10] [connections=32]      TRACE=out.nettrace also records a CPU trace
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
  (cd "$project" && dotnet "$trib_dll" demo-data --customers "$customers" >/dev/null && dotnet "$trib_dll" templates add fraud_detection >/dev/null \
    && dotnet "$trib_dll" run fraud_detection >"$work/run.log" 2>&1) || { cat "$work/run.log" >&2; exit 1; }
fi
# Without its schedule: a run of the template falling due while wrk runs would share the two cores with the requests measured.
sed -i '/^schedule:/d' "$project/pipelines/fraud_detection.yaml"
dotnet "$trib_dll" serve --port 0 --project "$project" >"$work/serve.log" 2>&1 &
server_pid=$!
address=""
for _ in $(seq 1 600); do
  address=$(grep -oE 'at http://[^ ]+/' "$work/serve.log" | head -1 | cut -c4- || true)
  [ -n "$address" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$address" ] || { cat "$work/serve.log" >&2; exit 1; }
secret=$(cat "$project/.tributary/write-secret" 2>/dev/null || true)
post() { curl -fsS -X POST -H 'Content-Type: application/json' -H "X-Tributary-Write-Secret: $secret" -d "$2" "${address}api/$1"; }
# The scorer loads the history and the forest after start: wait for its first answer.
for _ in $(seq 1 600); do
  post score/transaction '{"transaction_id":"bench-probe","created_at":"2025-01-01T00:00:00Z","amount":1}' >/dev/null 2>&1 && break; sleep 0.2
done
post query '{"sql":"SELECT CAST(transaction_id AS VARCHAR), CAST(created_at AS VARCHAR), amount, status, card_fingerprint, email, stripe_customer_id, ip_address, card_country, billing_country FROM transactions ORDER BY transaction_id LIMIT 5000"}' > "$work/transactions.json"
python3 - "$work/transactions.json" > "$work/bodies.txt" <<'PY'
import json, sys, datetime
rows = json.load(open(sys.argv[1]))["rows"]
names = ["transaction_id", "created_at", "amount", "status", "card_fingerprint", "email", "customer_id", "ip_address", "card_country", "billing_country"]
for k, r in enumerate(rows):
    t = dict(zip(names, r))
    at = datetime.datetime.fromisoformat(t["created_at"].replace(" ", "T").rstrip("Z")).replace(tzinfo=datetime.timezone.utc)
    t["created_at"] = at.isoformat()
    print(json.dumps(t))
    new = dict(t, transaction_id=f"bench-{k}", created_at=(at + datetime.timedelta(minutes=1)).isoformat(), status="succeeded")
    print(json.dumps(new))
PY
[ "$(wc -l < "$work/bodies.txt")" -ge 2 ] || { echo "no transactions to score" >&2; exit 1; }
cat > "$work/score.lua" <<LUA
-- Requests formatted once, on a thread's first request (wrk.headers has its Host then; a request without one is a 400):
-- Lua work per request would be load on the same cores that the server does not cause.
local requests = nil
local n = 0
request = function()
  if requests == nil then
    requests = {}
    local headers = { ["Content-Type"] = "application/json", ["X-Tributary-Write-Secret"] = "$secret" }
    for line in io.lines("$work/bodies.txt") do requests[#requests + 1] = wrk.format("POST", "/api/score/transaction", headers, line) end
  end
  n = n % #requests + 1
  return requests[n]
end
LUA
echo "load: $(uptime | sed 's/.*load average/load average/'), $(nproc) cores"
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
  if grep -q "Non-2xx" "$work/wrk.out"; then echo "  $(grep Non-2xx "$work/wrk.out" | sed 's/^ *//') of $(awk '/requests in/ { print $1 }' "$work/wrk.out") for $what" >&2; exit 1; fi
}
wrk -t2 -c"$connections" -d2s -s "$work/score.lua" "$address" >/dev/null   # warm-up: tiered JIT, the new transactions enter the state
measure "score/transaction" -s "$work/score.lua" "$address"
# TRACE=file.nettrace: a CPU-sampling trace of the server under the same load, after the measured run (the trace costs CPU).
if [ -n "${TRACE:-}" ]; then
  "${DOTNET_TRACE:-$HOME/.dotnet/tools/dotnet-trace}" collect-linux -p "$server_pid" --profile cpu-sampling --duration 00:00:00:08 -o "$TRACE" >/dev/null 2>&1 & tracer=$!
  sleep 1; wrk -t2 -c"$connections" -d8s -s "$work/score.lua" "$address" >/dev/null; wait "$tracer" || true
fi
# The same endpoint with one fixed request and no Lua request function: what the server costs when wrk batches freely.
head -1 "$work/bodies.txt" > "$work/one.json"
cat > "$work/one.lua" <<LUA
wrk.method = "POST"
wrk.path = "/api/score/transaction"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Tributary-Write-Secret"] = "$secret"
wrk.body = io.open("$work/one.json"):read("*l")
LUA
measure "score/transaction, one" -s "$work/one.lua" "$address"
echo "load: $(uptime | sed 's/.*load average/load average/')"
