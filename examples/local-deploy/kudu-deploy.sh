#!/bin/sh
# A local stand-in for Azure App Service's (Kudu's) git deployment of a Python app, for the
# demo and the tests. Run from a bare repository's post-receive hook, once per push:
#
#   kudu-deploy.sh <bare-repo> <site-dir> <commit>
#
# <site-dir>/repository is the checkout (DEPLOYMENT_SOURCE), <site-dir>/wwwroot the app
# (DEPLOYMENT_TARGET). <site-dir>/site.env, if present, is sourced first (pip settings such as
# PIP_NO_INDEX and PIP_FIND_LINKS). The steps are Kudu's:
#   1. sync the checkout into wwwroot: files the repository never had (env) are kept, and a
#      committed env folder is copied on top of the existing one (merged, not replaced);
#   2. skip when there is no requirements.txt;
#   3. the runtime is runtime.txt's first line (default: python-default);
#   4. when env/azure.env.<runtime>.txt is missing: delete env, create a new virtualenv
#      (python3 -m venv; pip runs from outside it with --python, which installs the same way
#      and saves seconds per env), write that marker; otherwise reuse env as it is;
#   5. pip install -r requirements.txt: installs and upgrades, never removes.
# A .deployment file with `command = <script>` replaces steps 1-5 with that script.
set -eu
repo=$1
site=$2
commit=$3
src="$site/repository"
dst="$site/wwwroot"
if [ -f "$site/site.env" ]; then
    set -a
    . "$site/site.env"
    set +a
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
rm -rf "$src"
mkdir -p "$src" "$dst"
git --git-dir="$repo" archive "$commit" | tar -x -C "$src"
log() { echo "$*" >> "$site/deployments.log"; }

config_value() {
    [ -f "$src/.deployment" ] || return 0
    sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$src/.deployment" | tr -d '\r' | head -n 1
}
command=$(config_value command)
if [ -n "$command" ]; then
    echo "kudu: running the deployment command $command"
    (cd "$src" && DEPLOYMENT_SOURCE="$src" DEPLOYMENT_TARGET="$dst" sh "./$command")
    log "deploy $commit command=$command"
    exit 0
fi
project=$(config_value project)
if [ -n "$project" ]; then
    src="$src/$project"
fi

# 1. Sync.
(cd "$src" && tar -cf - .) | (cd "$dst" && tar -xf -)
# 2.
if [ ! -f "$dst/requirements.txt" ]; then
    echo "kudu: no requirements.txt, skipping the Python deployment"
    log "deploy $commit skipped"
    exit 0
fi
# 3.
runtime=python-default
if [ -f "$dst/runtime.txt" ]; then
    runtime=$(head -n 1 "$dst/runtime.txt" | tr -d '\r\n')
fi
# 4.
env_state=reused
if [ ! -f "$dst/env/azure.env.$runtime.txt" ]; then
    echo "kudu: creating a new $runtime virtual environment"
    rm -rf "$dst/env"
    python3 -m venv --without-pip "$dst/env"
    : > "$dst/env/azure.env.$runtime.txt"
    env_state=created
else
    echo "kudu: found compatible virtual environment"
fi
# 5.
python3 -m pip --python "$dst/env/bin/python" install --quiet -r "$dst/requirements.txt"
log "deploy $commit runtime=$runtime env=$env_state"
