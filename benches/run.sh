#!/usr/bin/env bash
# Benchmarks: envguard's pre-push hook against a floor (git itself) and against the hook
# managers people already run, all measured in the same run, on fixtures built here.
#
#   bash benches/run.sh            full run with hyperfine; writes benches/results.md
#   bash benches/run.sh --smoke    every case once on small fixtures (CI keeps it working)
#   bash benches/run.sh --case1    only case 1 (the no-trigger push), printed as a table
#   python3 benches/deploy.py BIN  only case 5, the deployment time of prune, wipe and toggle
#
# Needs: cargo, git, python3; the full run also hyperfine and GNU time (Debian packages
# hyperfine and time), pre-commit (PyPI) and lefthook (npm), which it installs into its own
# scratch directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
smoke=0
case1_only=0
[ "${1:-}" = "--smoke" ] && smoke=1
[ "${1:-}" = "--case1" ] && case1_only=1

if [ "$smoke" = 1 ]; then
    cargo build --quiet --locked --manifest-path "$root/Cargo.toml"
    bin="$root/target/debug/envguard"
else
    cargo build --quiet --release --locked --manifest-path "$root/Cargo.toml"
    bin="$root/target/release/envguard"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.invalid
export PATH="$(dirname "$bin"):$PATH"
results="$work/results"
mkdir -p "$results"

if [ "$smoke" = 1 ]; then
    files=200 commits=300
else
    files=100000 commits=10000
    command -v hyperfine >/dev/null || { echo "benches: install hyperfine (apt-get install hyperfine)"; exit 1; }
    [ -x /usr/bin/time ] || { echo "benches: install GNU time (apt-get install time)"; exit 1; }
fi

# measure NAME COMMAND...: hyperfine (or one run in smoke mode), JSON into $results.
measure() {
    local name=$1
    shift
    if [ "$smoke" = 1 ]; then
        for cmd in "$@"; do
            sh -c "$cmd" >/dev/null 2>&1 || { echo "benches: '$cmd' failed"; exit 1; }
        done
        echo "benches: $name ok"
        return
    fi
    hyperfine --warmup 5 --min-runs 30 --style none --export-json "$results/$name.json" "$@" >/dev/null
}

# A repository with an app, a bare remote, the hook installed, and a deploy config.
make_repo() {
    local dir=$1
    git init -q -b master "$dir"
    git init -q --bare -b master "$dir.remote"
    (
        cd "$dir"
        printf 'Flask==2.0.1\nFlask-CORS==3.0.10\nrequests\n' > requirements.txt
        echo python-3.6 > runtime.txt
        echo "print('hi')" > app.py
        git add -A && git commit -qm base
        git remote add origin "$dir.remote"
        git push -q origin master
        git config envguard.remoteName origin
        git config envguard.mode warn
        envguard hook install >/dev/null
    )
}

# Case 1 and 2: one ref, one new commit, no watched file changed.
typical="$work/typical"
make_repo "$typical"
(
    cd "$typical"
    echo "print('v2')" > app.py
    git commit -qam "change the app"
    printf 'refs/heads/master %s refs/heads/master %s\n' "$(git rev-parse HEAD)" "$(git rev-parse origin/master)" > "$work/typical.stdin"
)
cd "$typical"
measure case1 \
    "git rev-parse HEAD < $work/typical.stdin" \
    "envguard pre-push origin $typical.remote < $work/typical.stdin" \
    "./.git/hooks/pre-push origin $typical.remote < $work/typical.stdin"
if [ "$case1_only" = 1 ]; then
    python3 "$root/benches/table.py" "$results" "$files" "$commits"
    exit 0
fi

# Case 5: the same push through no-op pre-push hooks of pre-commit and lefthook.
if [ "$smoke" = 0 ]; then
    python3 -m venv "$work/pc-venv"
    "$work/pc-venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
    npm install --silent --prefix "$work/npm" lefthook >/dev/null
    for tool in pre-commit lefthook; do
        make_repo "$work/$tool"
        (
            cd "$work/$tool"
            envguard hook uninstall >/dev/null
            if [ "$tool" = pre-commit ]; then
                printf 'repos:\n- repo: local\n  hooks:\n  - id: noop\n    name: noop\n    entry: "true"\n    language: system\n    stages: [pre-push]\n    pass_filenames: false\n    always_run: true\n' > .pre-commit-config.yaml
                git add -A && git commit -qm config
                "$work/pc-venv/bin/pre-commit" install --hook-type pre-push >/dev/null
                "$work/pc-venv/bin/pre-commit" install-hooks >/dev/null
            else
                printf 'pre-push:\n  commands:\n    noop:\n      run: "true"\n' > lefthook.yml
                git add -A && git commit -qm config
                PATH="$work/npm/node_modules/.bin:$PATH" lefthook install >/dev/null
            fi
            echo "print('v2')" > app.py
            git commit -qam "change the app"
            printf 'refs/heads/master %s refs/heads/master %s\n' "$(git rev-parse HEAD)" "$(git rev-parse origin/master)" > "$work/$tool.stdin"
        )
    done
    cd "$typical"
    measure case5 \
        "git rev-parse HEAD < $work/typical.stdin" \
        "envguard pre-push origin $typical.remote < $work/typical.stdin" \
        "cd $work/pre-commit && PATH=$work/pc-venv/bin:\$PATH ./.git/hooks/pre-push origin $work/pre-commit.remote < $work/pre-commit.stdin" \
        "cd $work/lefthook && PATH=$work/npm/node_modules/.bin:\$PATH ./.git/hooks/pre-push origin $work/lefthook.remote < $work/lefthook.stdin"
fi

# Case 3: a big push. $files files, $commits new commits, requirements.txt changes in 5.
big="$work/big"
make_repo "$big"
cd "$big"
base=$(git rev-parse HEAD)
python3 - "$files" "$commits" "$base" > "$work/big.stream" <<'PY'
import sys
files, commits, base = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = sys.stdout
out.write("blob\nmark :1\ndata 6\nhello\n")
out.write(f"commit refs/heads/master\nmark :2\ncommitter B <b@example.invalid> 1700000000 +0000\ndata 5\nfiles\nfrom {base}\n")
for i in range(files):
    out.write(f"M 644 :1 src/d{i // 1000:03}/f{i:06}.py\n")
out.write("\n")
changes = {commits * k // 6: k for k in range(1, 6)}
reqs = ["Flask==2.0.1", "Flask-CORS==3.0.10", "requests", "six", "idna", "click"]
for n in range(1, commits + 1):
    out.write(f"commit refs/heads/master\ncommitter B <b@example.invalid> {1700000000 + n} +0000\n")
    msg = f"commit {n}\n"
    out.write(f"data {len(msg)}\n{msg}")
    out.write(f"M 644 inline counter.txt\ndata {len(str(n))}\n{n}\n")
    if n in changes:
        body = "\n".join(reqs[: 6 - changes[n]]) + "\n"
        out.write(f"M 644 inline requirements.txt\ndata {len(body)}\n{body}")
    out.write("\n")
PY
git fast-import --quiet < "$work/big.stream"
git reset -q --hard master
printf 'refs/heads/master %s refs/heads/master %s\n' "$(git rev-parse HEAD)" "$base" > "$work/big.stdin"
measure case3 \
    "git rev-parse HEAD < $work/big.stdin" \
    "git log --format=%H $base..master -- requirements.txt < $work/big.stdin" \
    "envguard pre-push origin $big.remote < $work/big.stdin"
if [ "$smoke" = 0 ]; then
    /usr/bin/time -f %M envguard pre-push origin "$big.remote" < "$work/big.stdin" 2> "$results/case3.rss" >/dev/null || true
    envguard pre-push origin "$big.remote" < "$work/big.stdin" 2> "$results/case3.out" || true
fi

# Case 4: 200 refs at once, each one new commit, all deploy branches.
many="$work/many"
make_repo "$many"
cd "$many"
git config envguard.branch '*'
base=$(git rev-parse HEAD)
: > "$work/many.stdin"
for i in $(seq 1 200); do
    git checkout -q -b "b$i" "$base"
    echo "$i" > "n.txt"
    git add n.txt && git commit -qm "branch $i"
    printf 'refs/heads/b%s %s refs/heads/b%s %s\n' "$i" "$(git rev-parse HEAD)" "$i" "$base" >> "$work/many.stdin"
done
git checkout -q master
head -n 1 "$work/many.stdin" > "$work/one.stdin"
head -n 50 "$work/many.stdin" > "$work/fifty.stdin"
measure case4 \
    "git rev-parse HEAD < $work/one.stdin" \
    "envguard pre-push origin $many.remote < $work/one.stdin" \
    "envguard pre-push origin $many.remote < $work/fifty.stdin" \
    "envguard pre-push origin $many.remote < $work/many.stdin"

# Case 5: deployment time after a removal push, prune vs wipe vs toggle (benches/deploy.py).
if [ "$smoke" = 1 ]; then
    python3 "$root/benches/deploy.py" "$bin" --smoke >/dev/null
    echo "benches: case5 ok"
    exit 0
fi
python3 "$root/benches/table.py" "$results" "$files" "$commits" | tee "$root/benches/results.md"
{
    python3 "$root/benches/deploy.py" "$bin"
    echo
    python3 "$root/benches/deploy.py" "$bin" --modules 30
} | tee "$root/benches/deploy-results.md"
