"""Summarises Stryker's JSON reports written by bench/mutation.sh: the score per project and overall, how many
kills name the test that killed them (a score from tests that never ran would have none), and the mutants that
survived or that no test reached, by file.

One kind of mutant is left out of the score as equivalent: ConfigureAwait(false) turned into ConfigureAwait(true). The
engine runs without a synchronization context, where the two behave the same. (Stryker's ignore-methods option would
also drop every mutant inside the awaited call, such as the text of the event being written, so it is not used.)"""
import json
import os
import sys
from collections import Counter

DETECTED = {"Killed", "Timeout"}
UNDETECTED = {"Survived", "NoCoverage"}


def is_equivalent(source_lines, mutant):
    """True for the ConfigureAwait(false) -> true mutant."""
    start = mutant["location"]["start"]
    return source_lines[start["line"] - 1][: start["column"] - 1].endswith("ConfigureAwait(")


def load(out, name):
    path = os.path.join(out, name, "reports", "mutation-report.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def score(counts):
    detected = sum(counts[s] for s in DETECTED)
    valid = detected + sum(counts[s] for s in UNDETECTED)
    return detected, valid, (100.0 * detected / valid if valid else 0.0)


def main():
    out, names = sys.argv[1], sys.argv[2:]
    total = Counter()
    for name in names:
        report = load(out, name)
        tests = {t["id"]: t["name"] for tf in report.get("testFiles", {}).values() for t in tf.get("tests", [])}
        root = report.get("projectRoot", "")
        counts = Counter()
        named_kills = 0
        examples = []
        undetected = {}
        for path, file in sorted(report["files"].items()):
            rel = os.path.relpath(path, root) if root and os.path.isabs(path) else path
            lines = file["source"].split("\n")
            for m in file["mutants"]:
                status = "Equivalent" if is_equivalent(lines, m) else m["status"]
                counts[status] += 1
                if status == "Killed" and m.get("killedBy"):
                    named = [tests.get(t, t) for t in m["killedBy"]]
                    named_kills += 1
                    if len(examples) < 3:
                        examples.append(f"{rel}:{m['location']['start']['line']} {m['mutatorName']} killed by {named[0]}")
                if status in UNDETECTED:
                    undetected.setdefault(rel, []).append(m)
        total.update(counts)
        detected, valid, pct = score(counts)
        print(f"\n== {name}: mutation score {pct:.1f}% ({detected} of {valid} detected)")
        print("   " + ", ".join(f"{s} {counts[s]}" for s in ["Killed", "Timeout", "Survived", "NoCoverage", "Equivalent", "CompileError", "Ignored"]))
        print(f"   kills that name a test: {named_kills} of {counts['Killed']}")
        for e in examples:
            print(f"   e.g. {e}")
        statics = sum(1 for f in report["files"].values() for m in f["mutants"] if m.get("static") and m["status"] in DETECTED | UNDETECTED)
        if statics:
            print(f"   warning: {statics} mutants in static initialization were tested; the runner cannot test them reliably")
        listing = os.path.join(out, name, "undetected.txt")
        with open(listing, "w", encoding="utf-8") as f:
            for rel, mutants in sorted(undetected.items(), key=lambda p: -len(p[1])):
                print(f"   {len(mutants):4d} undetected in {rel}")
                f.write(f"{rel}\n")
                for m in sorted(mutants, key=lambda m: m["location"]["start"]["line"]):
                    replacement = (m.get("replacement") or "").replace("\n", " ")
                    if len(replacement) > 90:
                        replacement = replacement[:87] + "..."
                    f.write(f"  {m['location']['start']['line']:4d}:{m['location']['start']['column']:<3d} {m['status']:<10} {m['mutatorName']}: {replacement}\n")
        print(f"   each undetected mutant: {listing}")
    if len(names) > 1:
        detected, valid, pct = score(total)
        print(f"\n== overall: mutation score {pct:.1f}% ({detected} of {valid} detected)")


if __name__ == "__main__":
    main()
