#!/bin/sh
# The stale-env problem and envguard's fix, on this machine, in under a minute:
#
#   sh examples/local-deploy/demo.sh
#
# Sets up a local bare "deployment server" whose post-receive runs a Kudu-like Python
# deployment (kudu-deploy.sh), and a clone of the app. A package removed from
# requirements.txt stays installed in the deployed env; with envguard's pre-push hook (toggle
# mode, like on a stock Azure App Service) the next removal gives a fresh env.
# Uses envguard from PATH, else builds it with cargo.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v envguard >/dev/null 2>&1; then
    echo "demo: building envguard (cargo build; a minute on a fresh clone)"
    cargo build --quiet --manifest-path "$here/../../Cargo.toml"
    PATH="$(cd "$here/../../target/debug" && pwd):$PATH"
    export PATH
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
site="$work/site"
mkdir -p "$site"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Demo GIT_AUTHOR_EMAIL=demo@example.invalid
export GIT_COMMITTER_NAME=Demo GIT_COMMITTER_EMAIL=demo@example.invalid

# Bold headings on a terminal only; plain text into a file or a pipe.
if [ -t 1 ]; then
    step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
    step() { printf '\n== %s\n' "$*"; }
fi
installed() {
    printf 'deployed env has: '
    python3 -m pip --python "$site/wwwroot/env/bin/python" list --format=freeze 2>/dev/null |
        grep -v -i -E '^(pip|setuptools)==' | tr '\n' ' '
    echo
}

python3 "$here/make-wheels.py" "$work/wheels" alpha beta gamma
printf 'PIP_NO_INDEX=1\nPIP_FIND_LINKS=%s\n' "$work/wheels" > "$site/site.env"
git init -q --bare -b master "$work/server.git"
cat > "$work/server.git/hooks/post-receive" <<HOOK
#!/bin/sh
while read old new ref; do
    [ "\$ref" = refs/heads/master ] && case "\$new" in *[!0]*) tip=\$new ;; esac
done
[ -n "\${tip:-}" ] && sh "$here/kudu-deploy.sh" "$work/server.git" "$site" "\$tip"
exit 0
HOOK
chmod +x "$work/server.git/hooks/post-receive"

git init -q -b master "$work/app"
cd "$work/app"
printf 'alpha\nbeta\ngamma\n' > requirements.txt
echo python-3.6 > runtime.txt
echo "print('hello')" > app.py
git add -A && git commit -qm "The app"
git remote add azure "$work/server.git"

step "First deployment"
git push -q azure master 2>&1 | sed 's/^/  /'
installed

step "Remove beta from requirements.txt and push (no envguard)"
printf 'alpha\ngamma\n' > requirements.txt
git commit -qam "Drop beta"
git push -q azure master 2>&1 | sed 's/^/  /'
installed
echo "beta is still installed: pip never uninstalls."

step "Install envguard's pre-push hook (toggle mode) and remove gamma"
git config envguard.remoteName azure
git config envguard.platform kudu-windows
envguard hook install
printf 'alpha\n' > requirements.txt
git commit -qam "Drop gamma"
envguard check azure/master..HEAD
echo "envguard push azure master (git push with the hook does the same, then reports the push"
echo "as failed, since a hook cannot change what git pushes):"
envguard push azure master 2>&1 | sed 's/^/  /'
installed
py="$site/wwwroot/env/bin/python"
if "$py" -c 'import beta' 2>/dev/null || "$py" -c 'import gamma' 2>/dev/null || ! "$py" -c 'import alpha'; then
    echo "demo: the env was not rebuilt as expected" >&2
    exit 1
fi
echo "Two deployments (runtime python-3.4, then back to python-3.6) rebuilt env: only alpha is left."
echo "Deployments:"
sed 's/^/  /' "$site/deployments.log"
