#!/usr/bin/env bash
# Mutation testing (Stryker.NET) of Tributary.Core and Tributary.Engine: how many injected faults the tests catch.
# A bench, not part of ./test.sh or CI; bench/README.md says how to read it and what it scored.
#   bench/mutation.sh            both projects (about 30 min on this 2-core machine while other builds run)
#   bench/mutation.sh core       only Tributary.Core (or: engine; or daemon, the part of the engine left out by default)
# Reports go to bench/mutation-report/<project>/reports/ (mutation-report.html, .json, .md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${MUTATION_REPORT_DIR:-$root/bench/mutation-report}
if [ $# -eq 0 ]; then set -- core engine; fi
targets=("$@")

# Stryker is a local tool pinned in .config/dotnet-tools.json.
dotnet tool restore >/dev/null

# The engine tests run each warehouse behaviour on DuckDB and PostgreSQL. The mutated code (loader, graph,
# executor, daemon, run store) does not depend on the warehouse engine, so the PostgreSQL variants add no kills;
# and Stryker restarts test processes without disposing fixtures, which would leave one cluster behind per restart.
export TRIB_SKIP_POSTGRES=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

run() { # name project-folder test-project [mutate globs...]
  local name=$1 project=$2 tests=$3
  shift 3
  local args=()
  for glob in "$@"; do args+=(--mutate "$glob"); done
  # Static initializers are left out: the runner reuses test processes, so it cannot test them (see the script).
  while read -r glob; do args+=(--mutate "$glob"); done < <(python3 "$root/bench/stryker_static_spans.py" "$root/$project")
  rm -rf "${out:?}/$name"
  echo "== mutating $project with the tests of $(basename "$tests" .csproj)"
  local started=$SECONDS
  # Run from the test project's folder: from the root Stryker would pick up the solution and mutate every project.
  (cd "$root/$(dirname "$tests")" &&
    dotnet stryker --config-file "$root/bench/stryker-config.json" --project "$(basename "$project").csproj" \
      --output "$out/$name" --skip-version-check "${args[@]}")
  echo "== $name: $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
}

for target in "${targets[@]}"; do
  case $target in
    core)
      # Everything in Core: the YAML reader, loader, parameter binding, substitution, asset graph, partitions.
      run core src/Tributary.Core tests/Tributary.Core.Tests/Tributary.Core.Tests.csproj ;;
    engine)
      # Not the daemon nor the SQLite run store (the 'daemon' target below): the daemon's tests tick a fake clock over a
      # SQLite store, and every engine test writes to the store, so each of their mutants reruns seconds of tests; with
      # them the engine alone was on course for more than 45 minutes on this 2-core machine.
      run engine src/Tributary.Engine tests/Tributary.Engine.Tests/Tributary.Engine.Tests.csproj \
        '!**/Orchestration/Daemon.cs' '!**/Runs/**' ;;
    daemon)
      # Separately, when there is time: the daemon and the run store with the engine tests.
      run daemon src/Tributary.Engine tests/Tributary.Engine.Tests/Tributary.Engine.Tests.csproj \
        '**/Orchestration/Daemon.cs' '**/Runs/**' ;;
    *) echo "unknown target '$target' (core, engine or daemon)" >&2; exit 2 ;;
  esac
done

python3 "$root/bench/mutation_summary.py" "$out" "${targets[@]}"
