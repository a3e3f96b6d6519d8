"""Turns the hyperfine JSON of benches/run.sh into a Markdown table, every time also as a
ratio to `git rev-parse HEAD` measured in the same case."""

import json
import os
import sys

results, files, commits = sys.argv[1], sys.argv[2], sys.argv[3]
CASES = [
    ("case1", "1. typical push (one ref, one commit, nothing watched changed)"),
    ("case5", "5. the same push through no-op hooks of other hook managers"),
    ("case3", f"3. {commits} commits, {files} files, requirements.txt changed in 5 (full verdict)"),
    ("case4", "4. 200 refs at once"),
]


def label(command):
    if "pre-commit" in command:
        return "pre-commit no-op pre-push hook"
    if "lefthook" in command:
        return "lefthook no-op pre-push hook"
    if command.startswith("./.git/hooks/pre-push"):
        return "envguard through the installed shim (hooks/hook.sh)"
    if "many.stdin" in command:
        return "envguard pre-push, 200 refs"
    if "fifty.stdin" in command:
        return "envguard pre-push, 50 refs"
    if "one.stdin" in command and "envguard" in command:
        return "envguard pre-push, 1 ref"
    if command.startswith("git log"):
        return "git log --format=%H base..tip -- requirements.txt"
    if command.startswith("git rev-parse"):
        return "git rev-parse HEAD (baseline)"
    return "envguard pre-push"


print("| case | command | median ms | min ms | max ms | × rev-parse (median) |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
for key, title in CASES:
    path = os.path.join(results, f"{key}.json")
    if not os.path.exists(path):
        continue
    runs = json.load(open(path))["results"]
    baseline = runs[0]["median"]
    for run in runs:
        print(
            f"| {title} | {label(run['command'])} | {run['median'] * 1000:.2f} | "
            f"{run['min'] * 1000:.2f} | {run['max'] * 1000:.2f} | "
            f"{run['median'] / baseline:.2f} |"
        )
rss = os.path.join(results, "case3.rss")
if os.path.exists(rss):
    kib = open(rss).read().strip().splitlines()[-1]
    print(f"\nCase 3 peak RSS of envguard: {int(kib) / 1024:.1f} MiB (GNU time, max resident set).")
out = os.path.join(results, "case3.out")
if os.path.exists(out):
    print("\nCase 3 verdict as printed by the hook:\n")
    print("```")
    print(open(out).read().strip())
    print("```")
