#!/bin/sh
# A local stand-in for Azure App Service's (Kudu's) git deployment of a Python app on
# Windows, for the demo and the tests. Run from a bare repository's post-receive hook, once
# per push:
#
#   kudu-deploy.sh <bare-repo> <site-dir> <commit>
#
# <site-dir> is Kudu's `site` folder: repository/ is the checkout (DEPLOYMENT_SOURCE),
# wwwroot/ the app (DEPLOYMENT_TARGET), deployments/<commit>/ what the deployment API reports
# (status.json and log.txt). <site-dir>/site.env, if present, is sourced first (pip settings
# such as PIP_NO_INDEX and PIP_FIND_LINKS; SITE_PYTHON_RUNTIME, the site's configured Python,
# default python-3.6). The rules are those of Kudu and KuduScript's deploy.cmd template
# (Kudu.Core/Scripts/select_python_version.py, SiteBuilderFactory.cs). The steps run in a
# function whose failures are checked one by one (`set -e` does not hold inside `f || ...`):
#   0. .deployment's `command = ...` replaces everything below (and `project` is ignored);
#      it runs in the checkout as a shell command line, without `.` on PATH;
#   1. sync the checkout (or its `project` subfolder) into wwwroot: files the repository
#      never had (env) are kept, a committed env folder is merged into the existing one;
#   2. skip when wwwroot has no requirements.txt, or has .skipPythonDeployment;
#   3. the runtime: runtime.txt of the source folder, read whole, lower-cased, untrimmed,
#      must START with python-2.7, python-3.4 or python-3.6 (that prefix is the runtime);
#      anything else fails the deployment here ("Unsupported runtime"), before env is
#      touched; without runtime.txt, the site's configured Python, by the same rule;
#   4. when env/azure.env.<runtime>.txt is missing: delete env, create a new virtualenv
#      (python3 -m venv stands in for every runtime; pip runs from outside it with --python,
#      which installs the same way and saves seconds per env), write that marker; otherwise
#      reuse env as it is;
#   5. pip install -r requirements.txt: installs and upgrades, never removes.
set -eu
repo=$1
site=$2
commit=$3
src="$site/repository"
dst="$site/wwwroot"
SITE_PYTHON_RUNTIME=python-3.6
if [ -f "$site/site.env" ]; then
    set -a
    . "$site/site.env"
    set +a
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
record="$site/deployments/$commit"
rm -rf "$src" "$record"
mkdir -p "$src" "$dst" "$record"
git --git-dir="$repo" archive "$commit" | tar -x -C "$src"
log() { echo "$*" >> "$site/deployments.log"; }

config_value() {
    [ -f "$src/.deployment" ] || return 0
    sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$src/.deployment" | tr -d '\r' | head -n 1
}

# The Python deployment of deploy.cmd, steps 1 to 5.
python_deployment() {
    project=$(config_value project)
    from="$src"
    if [ -n "$project" ]; then
        from="$src/$project"
    fi
    # 1. Sync.
    (cd "$from" && tar -cf - .) | (cd "$dst" && tar -xf -)
    # 2.
    if [ ! -f "$dst/requirements.txt" ] || [ -f "$dst/.skipPythonDeployment" ]; then
        echo "no requirements.txt: skipping the Python deployment"
        log "deploy $commit skipped"
        return 0
    fi
    # 3. Kudu's prefix rule over the whole runtime.txt, or over `python-X.Y` of the site's
    #    Python: either may name a runtime Kudu does not support.
    if [ -f "$from/runtime.txt" ]; then
        echo "Detecting Python runtime from runtime.txt"
        text=$(tr '[:upper:]' '[:lower:]' < "$from/runtime.txt")
        shown=$(head -n 1 "$from/runtime.txt")
    else
        echo "Detecting Python runtime from site configuration"
        text=$SITE_PYTHON_RUNTIME
        shown=$SITE_PYTHON_RUNTIME
    fi
    runtime=""
    for supported in python-2.7 python-3.4 python-3.6; do
        case "$text" in
            "$supported"*) runtime=$supported; break ;;
        esac
    done
    if [ -z "$runtime" ]; then
        echo "Unsupported runtime: $shown"
        echo "Supported runtime values are:"
        echo "python-2.7"; echo "python-3.4"; echo "python-3.6"
        log "deploy $commit failed: unsupported runtime"
        return 1
    fi
    echo "Detected $runtime"
    # 4.
    env_state=reused
    if [ ! -f "$dst/env/azure.env.$runtime.txt" ]; then
        if [ -e "$dst/env" ]; then
            echo "Deleting incompatible virtual environment."
            rm -rf "$dst/env"
        fi
        echo "Creating $runtime virtual environment."
        python3 -m venv --without-pip "$dst/env" || return 1
        : > "$dst/env/azure.env.$runtime.txt"
        env_state=created
    else
        echo "Found compatible virtual environment."
    fi
    # 5.
    echo "Pip install requirements."
    if ! python3 -m pip --python "$dst/env/bin/python" install --quiet -r "$dst/requirements.txt"; then
        log "deploy $commit failed: pip install"
        return 1
    fi
    log "deploy $commit runtime=$runtime env=$env_state"
}

deploy() {
    command=$(config_value command)
    if [ -n "$command" ]; then
        echo "Running deployment command: $command"
        (cd "$src" && PATH=$(echo "$PATH" | sed 's/^\.://;s/:\.:/:/g;s/:\.$//') \
            DEPLOYMENT_SOURCE="$src" DEPLOYMENT_TARGET="$dst" sh -c "$command") || return 1
        log "deploy $commit command=$command"
        return 0
    fi
    python_deployment
}

# What Kudu's deployment API reports: status 4 (success) or 3 (failed), and the log.
rc=0
deploy > "$record/log.txt" 2>&1 || rc=$?
sed 's/^/kudu: /' "$record/log.txt"
status=4
[ "$rc" -eq 0 ] || status=3
printf '{"id": "%s", "status": %s, "complete": true}\n' "$commit" "$status" > "$record/status.json"
if [ "$rc" -ne 0 ]; then
    echo "kudu: An error has occurred during web site deployment."
fi
exit 0
