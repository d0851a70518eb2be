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

# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded by the test tool).
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium not installed: the browser tests will skip (sudo apt-get install chromium to run them)"
  fi
fi

# The web UI: npm packages from the lock file, its unit tests (Vitest), then the build trib serve ships.
log=$(mktemp)
set +e
(cd web && npm ci --no-audit --no-fund --loglevel=error && NO_COLOR=1 npm test 2>&1 && npm run build --silent) | tee "$log"
web_status=${PIPESTATUS[0]}
web_counts=$(grep -E '^ +Tests +[0-9]+ passed' "$log" | sed -E 's/^ +Tests +([0-9]+) passed.*/\1/')

# Normal verbosity so that xunit prints each skipped test's reason; the passed tests' lines stay in the log only.
dotnet test Tributary.slnx -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" | grep -vE '^ +Passed [A-Za-z]'
status=${PIPESTATUS[0]}
set -e
if [ "$web_status" != 0 ]; then status=$web_status; fi
skips=$(awk '/\[SKIP\]$/ {name=$0; sub(/^\[xUnit.net [0-9:.]+\] +/, "", name); sub(/ \[SKIP\]$/, "", name); getline reason; sub(/^\[xUnit.net [0-9:.]+\] +/, "", reason); print "  " name ": " reason}' "$log")
if [ -n "$skips" ]; then echo "skipped tests and why:"; echo "$skips"; fi
echo "web unit tests (Vitest): ${web_counts:-0} passed"
# One closing line over every test assembly (the per-assembly counts of normal verbosity) and the web unit tests.
awk -v web="${web_counts:-0}" '/^ +Passed: +[0-9]+$/ {p+=$2} /^ +Failed: +[0-9]+$/ {f+=$2} /^ +Skipped: +[0-9]+$/ {s+=$2}
  END {printf "%d passed, %d failed, %d skipped\n", p + web, f, s}' "$log"
rm -f "$log"
exit "$status"
