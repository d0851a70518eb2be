#!/usr/bin/env bash
# Event intake throughput and durability: 'trib serve' on loopback with a source key, then wrk posting Segment batch
# calls (BATCH events each; once without messageIds, once with a unique one per event) and single track calls to /v1/*; prints accepted events/s, p50/p99 ack latency, the
# server's CPU seconds, the load average and whether the loader kept up (events left in the log after the run). Then a
# fault run: a sender posts batches with known messageIds, serve is killed with -9 mid-load, restarted, and every
# acknowledged messageId must be in the warehouse exactly once (FAULT_RUNS times).
# Then a paced run: batches with messageIds sent at RATE events/s (wrk's delay(), paced by the clock) while the log's
# backlog is printed every second, to show whether the loader keeps up at that rate and how fast it drains the rest.
# The sender's (wrk's) CPU per call is printed next to the server's: both share the two cores.
#   bench/intake.sh [duration=10] [connections=32] [batch=100]        FAULT_RUNS=1 (0 skips the fault run), RATE=50000 (0 skips the paced run)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=${1:-10}; connections=${2:-32}; batch=${3:-100}; fault_runs=${FAULT_RUNS:-1}; rate=${RATE:-50000}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }
trib_dll=${TRIB:-$root/src/Tributary.Cli/bin/Release/net10.0/trib.dll}
[ -f "$trib_dll" ] || dotnet build "$root/src/Tributary.Cli" -c Release -v q -nologo -p:TribSkipWebUi=true >&2
work=$(mktemp -d); server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
project=$work/project
dotnet "$trib_dll" init "$project" >/dev/null
printf 'intake:\n  flush_seconds: 1\n  batch_size: 100000\n' >> "$project/tributary.yaml"
key=$(dotnet "$trib_dll" sources add bench --project "$project" 2>/dev/null)
auth=$(printf '%s:' "$key" | base64 -w0)

start_server() {
  : > "$work/serve.log"
  dotnet "$trib_dll" serve --port 0 --project "$project" >"$work/serve.log" 2>&1 &
  server_pid=$!
  address=""
  for _ in $(seq 1 600); do
    address=$(grep -oE 'at http://[^ ]+/' "$work/serve.log" | head -1 | cut -c4- || true)
    [ -n "$address" ] && break; sleep 0.1
  done
  [ -n "$address" ] || { cat "$work/serve.log" >&2; exit 1; }
  host=$(echo "$address" | sed -E 's#http://([^/]+)/#\1#')
}
count() { dotnet "$trib_dll" query "$1" --project "$project" --format csv 2>/dev/null | tail -n +2; }
start_server

# Bodies are built once per thread (wrk runs on the same cores as the server). No messageId: the server makes one, so
# repeated bodies are new events, not duplicates. Host is set explicitly (a request without one is a 400).
cat > "$work/batch.lua" <<LUA
local body = nil
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $auth"
wrk.headers["Host"] = "$host"
request = function()
  if body == nil then
    local events = {}
    for i = 1, $batch do
      events[i] = string.format('{"type":"track","userId":"u%d","event":"Bench","properties":{"revenue":%d.5,"currency":"usd"},"context":{"ip":"10.0.0.%d","page":{"url":"https://example.com/p/%d"}},"timestamp":"2026-12-02T09:00:00.000Z"}', i, i, i % 250, i)
    end
    body = '{"batch":[' .. table.concat(events, ",") .. '],"sentAt":"2026-12-02T09:00:01.000Z"}'
  end
  return wrk.format(nil, "/v1/batch", nil, body)
end
LUA
# The same batches with a unique messageId on every event, as Segment's own libraries send them: every id goes through
# the server's dedup window (a bench without ids measures the path that skips it). Each wrk thread numbers its requests.
cat > "$work/batch-ids.lua" <<LUA
local pieces, n, thread_id = nil, 0, nil
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $auth"
wrk.headers["Host"] = "$host"
function setup(thread) thread:set("tid", tostring(math.random(1, 2^30))) end
function init(args) thread_id = tid end
request = function()
  if pieces == nil then
    pieces = {}
    for i = 1, $batch do
      pieces[#pieces + 1] = (i == 1 and '{"batch":[' or ',') .. '{"messageId":"'
      pieces[#pieces + 1] = ""
      pieces[#pieces + 1] = string.format('-%d","type":"track","userId":"u%d","event":"Bench","properties":{"revenue":%d.5,"currency":"usd"},"context":{"ip":"10.0.0.%d","page":{"url":"https://example.com/p/%d"}},"timestamp":"2026-12-02T09:00:00.000Z"}', i, i, i, i % 250, i)
    end
    pieces[#pieces + 1] = '],"sentAt":"2026-12-02T09:00:01.000Z"}'
  end
  n = n + 1
  local prefix = thread_id .. "-" .. n
  for i = 2, #pieces - 1, 3 do pieces[i] = prefix end
  return wrk.format(nil, "/v1/batch", nil, table.concat(pieces))
end
LUA
cat > "$work/track.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $auth"
wrk.headers["Host"] = "$host"
wrk.body = '{"userId":"u1","event":"Bench","properties":{"revenue":1.5},"context":{"ip":"10.0.0.1"},"timestamp":"2026-12-02T09:00:00.000Z"}'
wrk.path = "/v1/track"
LUA
ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
hz=$(getconf CLK_TCK)
measure() {
  local what=$1 per=$2 script=$3 path=$4
  local before after
  before=$(ticks)
  /usr/bin/time -f "%U %S" -o "$work/wrk.time" wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$script" "${address%/}$path" > "$work/wrk.out"
  after=$(ticks)
  if grep -q "Non-2xx" "$work/wrk.out"; then cat "$work/wrk.out" >&2; echo "$what: non-2xx answers, no rate printed" >&2; exit 1; fi
  awk -v what="$what" -v per="$per" -v cpu="$(( after - before ))" -v hz="$hz" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" -v sender="$(awk '{ print $1 + $2 }' "$work/wrk.time")" \
    '/requests in/ { n = $1 } /Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    END { printf "%-22s %10.0f events/s (%8.0f calls/s)  p50 %8s  p99 %8s  server cpu %6.1f s (%5.1f us/event, %6.1f us/call)  sender %5.1f us/call  load %s\n", what, rps * per, rps, p50, p99, cpu / hz, cpu / hz * 1e6 / (n * per), cpu / hz * 1e6 / n, sender * 1e6 / n, load }' "$work/wrk.out"
}
# Warm-up (not measured): the server's first seconds are spent compiling its request path.
wrk -t2 -c"$connections" -d3s -s "$work/batch.lua" "${address%/}/v1/batch" >/dev/null
wrk -t2 -c"$connections" -d2s -s "$work/track.lua" "${address%/}/v1/track" >/dev/null
echo "$(nproc) cores; batch of $batch events, $connections connections, ${duration}s each"
measure "batch /v1/batch" "$batch" "$work/batch.lua" /v1/batch
measure "batch with messageIds" "$batch" "$work/batch-ids.lua" /v1/batch
measure "single /v1/track" 1 "$work/track.lua" /v1/track
# The loader keeps up when the log is empty within two flush intervals of the load ending; when it is not, how long the
# log takes to empty (the loader alone, at most 120 s) says how far behind it was.
left_sql="SELECT coalesce(sum(events), 0) FROM batches"
log_left() { sqlite3 "$project/.tributary/intake.db" "$left_sql" 2>/dev/null || python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$project/.tributary/intake.db" "$left_sql"; }
ended=$(date +%s.%N); before=$(ticks)
sleep 3
left=$(log_left); drained=""
for _ in $(seq 1 1170); do [ "$(log_left)" = 0 ] && { drained=$(echo "$(date +%s.%N) - $ended" | bc); break; }; sleep 0.1; done
echo "loader: $left events still in the log 3 s after the load ended; empty ${drained:+after $drained s}$( [ -n "$drained" ] || echo "not within 120 s") (server cpu $(echo "scale=1; ($(ticks) - $before) / $hz" | bc) s meanwhile); warehouse events: $(count 'SELECT count(*) FROM events')"

# The paced run: RATE events/s in batches with messageIds, wrk pacing each thread by the clock (LuaJIT's ffi reads it),
# the log's backlog printed every second during the send and until the log is empty.
if [ "$rate" -gt 0 ]; then
  sed -e 's/^local pieces, n, thread_id = nil, 0, nil$/local pieces, n, thread_id, due = nil, 0, nil, nil/' "$work/batch-ids.lua" > "$work/paced.lua"
  cat >> "$work/paced.lua" <<LUA
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_usec; } trib_timeval; int gettimeofday(trib_timeval *tv, void *tz); ]]
local tv = ffi.new("trib_timeval")
local function now() ffi.C.gettimeofday(tv, nil); return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000 end
-- Two threads share the rate; a thread that fell behind catches up by at most 100 ms of calls at once.
local interval = 1000 / ($rate / $batch / 2)
function delay()
  local t = now()
  if due == nil or due < t - 100 then due = t end
  due = due + interval
  return math.max(0, due - t)
end
LUA
  left_now() { sqlite3 "$project/.tributary/intake.db" "SELECT coalesce(sum(events), 0) FROM batches" 2>/dev/null || echo "?"; }
  loaded_before=$(grep -c "intake: loaded" "$work/serve.log" || true)
  paced_seconds=$(( duration * 2 ))
  before=$(ticks); started=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$work/wrk.time" wrk -t2 -c"$connections" -d"${paced_seconds}s" --latency -s "$work/paced.lua" "${address%/}/v1/batch" > "$work/wrk.out" &
  sender=$!
  echo "paced at $rate events/s for ${paced_seconds}s: second, events in the log (acknowledged, not yet in the warehouse), load"
  for _ in $(seq 1 300); do
    sleep 1
    echo "  t=$(echo "$(date +%s.%N) - $started" | bc | cut -c1-5)s log=$(left_now) load=$(cut -d' ' -f1 /proc/loadavg)$(kill -0 $sender 2>/dev/null && echo " (sending)")"
    kill -0 $sender 2>/dev/null || [ "$(left_now)" != 0 ] || break
  done
  wait $sender || true
  emptied=$(echo "$(date +%s.%N) - $started" | bc)
  if grep -q "Non-2xx" "$work/wrk.out"; then grep "Non-2xx" "$work/wrk.out"; fi
  awk -v cpu="$(( $(ticks) - before ))" -v hz="$hz" -v per="$batch" -v emptied="$emptied" -v sender="$(awk '{ print $1 + $2 }' "$work/wrk.time")" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    '/requests in/ { n = $1 } /Requests\/sec/ { rps = $2 } /^ +99%/ { p99 = $2 }
    END { printf "paced: %.0f events/s accepted (p99 %s); log empty %.1f s after the send began; server cpu %.1f s (%.1f us/event, accept and load), sender %.1f s; load %s\n", rps * per, p99, emptied, cpu / hz, cpu / hz * 1e6 / (n * per), sender, load }' "$work/wrk.out"
  echo "loads during the paced run (events, ms, left):"
  grep "intake: loaded" "$work/serve.log" | tail -n +"$(( loaded_before + 1 ))" | sed -E 's/.*loaded ([0-9]+) events into [^ ]+ in ([0-9]+) ms; ([0-9]+) events wait.*/  \1 \2 \3/' | head -60
fi

for run in $(seq 1 "$fault_runs"); do
  prefix="fault$run-"
  python3 "$root/bench/intake-sender.py" "$address" "$key" "$work/acked.txt" "$prefix" 4 100 & sender=$!
  sleep "${FAULT_AFTER:-8}"
  kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
  wait "$sender" || true
  rm -f "$project/.tributary/server.json"
  start_server
  acked=$(sort -u "$work/acked.txt" | wc -l)
  for _ in $(seq 1 60); do
    sleep 1
    [ "$(count "SELECT count(*) FROM events WHERE event_id LIKE '$prefix%'")" -ge "$acked" ] && break
  done
  sort -u "$work/acked.txt" > "$work/acked.sorted"
  # Duplicates counted in the warehouse; the loaded ids come out in pages (trib query answers at most 100,000 rows).
  dup=$(count "SELECT count(*) FROM (SELECT event_id FROM events WHERE event_id LIKE '$prefix%' GROUP BY event_id HAVING count(*) > 1) d")
  : > "$work/loaded.txt"
  loaded=$(count "SELECT count(DISTINCT event_id) FROM events WHERE event_id LIKE '$prefix%'")
  for offset in $(seq 0 100000 "$loaded"); do
    count "SELECT DISTINCT event_id FROM events WHERE event_id LIKE '$prefix%' ORDER BY event_id LIMIT 100000 OFFSET $offset" >> "$work/loaded.txt"
  done
  lost=$(sort -u "$work/loaded.txt" | comm -23 "$work/acked.sorted" - | wc -l)
  echo "fault run $run: kill -9 under load; $acked acknowledged, $lost lost, $dup duplicated (messageIds loaded more than once)"
  [ "$lost" = 0 ] && [ "$dup" = 0 ] || exit 1
done
