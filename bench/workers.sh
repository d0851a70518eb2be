#!/usr/bin/env bash
# Issue 23: the same 24-partition backfill on 1, 2 and 3 'trib worker' processes on loopback. A throwaway PostgreSQL
# (initdb in a temp folder) holds the warehouse and the run store (fresh schemas per run); each partition's step is a
# small SQL query with a pause of PAUSE seconds inside it, so the work is mostly waiting, as a step that calls out
# would be. Prints wall seconds of the backfill, CPU seconds (user+sys) of the backfill process and of the workers
# together, and the load average beside each figure. On a shared 2-core machine expect little speed-up from CPU; the
# pauses overlap across workers, which is what the wall time shows.
#   bench/workers.sh [workers="1 2 3"] [days=24]      PAUSE=1 CONCURRENCY=6
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
counts=${1:-1 2 3}; days=${2:-24}; pause=${PAUSE:-1}; concurrency=${CONCURRENCY:-6}
trib_dll=${TRIB:-$root/src/Tributary.Cli/bin/Release/net10.0/trib.dll}
[ -f "$trib_dll" ] || dotnet build "$root/src/Tributary.Cli" -c Release -v q -nologo -p:TribSkipWebUi=true >&2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d); chmod 755 "$work"; worker_pids=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${worker_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  as_pg "$bin/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true
  [ -n "${KEEP_LOGS:-}" ] && cp "$work"/*.log "$KEEP_LOGS"/ 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/pg" && [ "$(id -u)" = 0 ] && chown postgres "$work/pg"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$bin/initdb" -D "$work/pg" -U tributary --auth=trust -E UTF8 --no-locale >/dev/null
as_pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
base="Host=127.0.0.1;Port=$port;Username=tributary;Database=postgres"

project=$work/project
mkdir -p "$project/pipelines"
cat > "$project/tributary.yaml" <<'YAML'
warehouse: { postgres_env: TRIB_BENCH_WAREHOUSE }
run_store: { postgres_env: TRIB_BENCH_RUNS }
workers: { cluster: bench, max_placements: 3 }
YAML
cat > "$project/pipelines/daily.yaml" <<YAML
pipeline: daily
partitions: { type: daily, start: 2025-01-01 }
components:
  - id: daily
    type: transform.sql
    with:
      sql: >-
        SELECT '\${partition.key}' AS day, n FROM generate_series(1, EXTRACT(DAY FROM DATE '\${partition.key}')::int) AS n
        CROSS JOIN (SELECT pg_sleep($pause)) AS pause
YAML
last=$(date -d "2025-01-01 + $((days - 1)) days" +%Y-%m-%d)

cpu_of() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }
printf '%-8s %10s %14s %14s  %s\n' workers wall_s backfill_cpu_s workers_cpu_s load
for n in $counts; do
  schema_w="w_$n"; schema_r="r_$n"
  "$bin/psql" -h 127.0.0.1 -p "$port" -U tributary -d postgres -qc "CREATE SCHEMA $schema_w; CREATE SCHEMA $schema_r" >/dev/null
  export TRIB_BENCH_WAREHOUSE="$base;Search Path=$schema_w" TRIB_BENCH_RUNS="$base;Search Path=$schema_r"
  sed -i "s/cluster: [a-z0-9]*/cluster: bench$n/" "$project/tributary.yaml"
  worker_pids=()
  for i in $(seq 1 "$n"); do
    silo=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    gateway=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    dotnet "$trib_dll" worker --port "$silo" --gateway-port "$gateway" --name "w$i" --project "$project" >"$work/w$n-$i.log" 2>&1 &
    worker_pids+=($!)
  done
  for i in $(seq 1 "$n"); do
    for _ in $(seq 1 600); do grep -q "joined cluster" "$work/w$n-$i.log" && break; sleep 0.1; done
    grep -q "joined cluster" "$work/w$n-$i.log" || { cat "$work/w$n-$i.log" >&2; exit 1; }
  done
  before=0; for p in "${worker_pids[@]}"; do before=$(echo "$before + $(cpu_of "$p")" | bc); done
  /usr/bin/time -f '%e %U %S' -o "$work/time" dotnet "$trib_dll" backfill daily --from 2025-01-01 --to "$last" \
    --concurrency "$concurrency" --project "$project" >"$work/backfill-$n.log" 2>&1 || { cat "$work/backfill-$n.log" >&2; exit 1; }
  after=0; for p in "${worker_pids[@]}"; do after=$(echo "$after + $(cpu_of "$p")" | bc); done
  read -r wall user sys < "$work/time"
  grep -q "$days of $days partition(s) materialized" "$work/backfill-$n.log" || { cat "$work/backfill-$n.log" >&2; exit 1; }
  per_worker=$(for i in $(seq 1 "$n"); do printf 'w%s:%s ' "$i" "$(grep -c 'committed' "$work/w$n-$i.log")"; done)
  printf '%-8s %10s %14s %14s  %s  (commits per worker: %s)\n' "$n" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$after - $before" | bc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$per_worker"
  for p in "${worker_pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
  worker_pids=()
done
