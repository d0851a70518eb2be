#!/usr/bin/env bash
# Runs the whole test suite. PostgreSQL's server binaries are needed for the throwaway cluster the
# PostgreSQL tests start themselves; they are installed here when missing and this runs as root.
set -euo pipefail
cd "$(dirname "$0")"

if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing PostgreSQL server binaries for the test cluster (apt-get install postgresql)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL server not installed: its tests will skip (sudo apt-get install postgresql to run them)"
  fi
fi

log=$(mktemp)
set +e
dotnet test Tributary.slnx -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over every test assembly.
grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\1 \2 \3/' |
  awk '{f+=$1; p+=$2; s+=$3} END {printf "%d passed, %d failed, %d skipped\n", p, f, s}'
rm -f "$log"
exit "$status"
