#!/usr/bin/env bash
# Single /v1/track calls against one 'trib serve': server CPU µs per call (/proc/PID/stat) and wrk's (/usr/bin/time), for
# A/B runs of two builds back to back on a loaded machine. RATE=N paces wrk at N calls/s (equal rates compare fairly);
# LOADER_OFF=1 keeps the loader idle during the run (flush_seconds 3600); a 5th argument records a perf profile there
# (with PERFMAP=1 WXE=0 for the JIT's symbols).
#   bench/intake-single.sh TRIB_DLL PORT [seconds=10] [connections=32] [perf.data]      WARM=20 (seconds of warm-up)
set -euo pipefail
dll=$1; port=$2; duration=${3:-10}; conns=${4:-32}; perfrec=${5:-}
work=$(mktemp -d /tmp/intake-single-XXXX); project=$work/project
dotnet "$dll" init "$project" >/dev/null 2>&1
if [ -n "${LOADER_OFF:-}" ]; then printf 'intake:\n  flush_seconds: 3600\n  batch_size: 1000000\n' >> "$project/tributary.yaml"; else printf 'intake:\n  flush_seconds: 1\n  batch_size: 100000\n' >> "$project/tributary.yaml"; fi
key=$(dotnet "$dll" sources add bench --project "$project" 2>/dev/null)
auth=$(printf '%s:' "$key" | base64 -w0)
DOTNET_PerfMapEnabled=${PERFMAP:-0} DOTNET_EnableWriteXorExecute=${WXE:-1} dotnet "$dll" serve --port "$port" --project "$project" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf $work' EXIT
for _ in $(seq 1 600); do grep -q "at http://" "$work/serve.log" && break; sleep 0.1; done
cat > "$work/track.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $auth"
wrk.headers["Host"] = "127.0.0.1:$port"
wrk.body = '{"userId":"u1","event":"Bench","properties":{"revenue":1.5},"context":{"ip":"10.0.0.1"},"timestamp":"2026-12-02T09:00:00.000Z"}'
wrk.path = "/v1/track"
LUA
if [ -n "${RATE:-}" ]; then cat >> "$work/track.lua" <<LUA
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_usec; } trib_timeval; int gettimeofday(trib_timeval *tv, void *tz); ]]
local tv = ffi.new("trib_timeval")
local function now() ffi.C.gettimeofday(tv, nil); return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000 end
local interval, due = 1000 / ($RATE / 2), nil
function delay()
  local t = now()
  if due == nil or due < t - 100 then due = t end
  due = due + interval
  return math.max(0, due - t)
end
LUA
fi
url=http://127.0.0.1:$port/v1/track
wrk -t2 -c"$conns" -d${WARM:-20}s -s "$work/track.lua" "$url" >/dev/null
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
b=$(ticks)
[ -n "$perfrec" ] && { perf record -F 499 -g -p $pid -o "$perfrec" -- sleep "$duration" >/dev/null 2>&1 & perfpid=$!; }
/usr/bin/time -f "%U %S" -o "$work/wrk.time" wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$work/track.lua" "$url" > "$work/wrk.out"
a=$(ticks)
[ -n "$perfrec" ] && wait $perfpid
n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
grep -q Non-2xx "$work/wrk.out" && { cat "$work/wrk.out"; echo NON2XX; }
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out"); p50=$(awk '/^ +50%/ {print $2}' "$work/wrk.out"); p99=$(awk '/^ +99%/ {print $2}' "$work/wrk.out")
read wu ws < "$work/wrk.time"
echo "$dll  n=$n rps=$rps p50=$p50 p99=$p99 server_us=$(echo "scale=1; ($a-$b)/$hz*1000000/$n" | bc) wrk_us=$(echo "scale=1; ($wu+$ws)*1000000/$n" | bc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
