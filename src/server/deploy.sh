#!/bin/bash

# ----------------------
# KUDU Deployment Script
# Version: 1.0.17
# ----------------------

# envguard-deploy-script: KuduScript's Python deployment for App Service on Linux
# (lib/templates/deploy.bash.python.template) for the app folder {Project}, unchanged except
# for the steps marked envguard: it runs without node and KuduSync when KUDU_SYNC_CMD is
# unset, and gives the env ($ANTENV) a fresh start when requirements.txt (with the files it
# includes by -r/-c) differs from the copies saved in it by the last successful deployment,
# or when a wipe was requested (a .envguard-wipe file in the target). .deployment runs it as
# `command = bash deploy.sh`. Needs no envguard on the server.
# envguard-app-root: {AppRoot}

# Helpers
# -------

exitWithMessageOnError () {
  if [ ! $? -eq 0 ]; then
    echo "An error has occurred during web site deployment."
    echo $1
    exit 1
  fi
}

# Setup
# -----

SCRIPT_DIR="${BASH_SOURCE[0]%\\*}"
SCRIPT_DIR="${SCRIPT_DIR%/*}"
ARTIFACTS=$SCRIPT_DIR/../artifacts
KUDU_SYNC_CMD=${KUDU_SYNC_CMD//\"}

if [[ ! -n "$DEPLOYMENT_SOURCE" ]]; then
  DEPLOYMENT_SOURCE=$SCRIPT_DIR
fi

if [[ ! -n "$NEXT_MANIFEST_PATH" ]]; then
  NEXT_MANIFEST_PATH=$ARTIFACTS/manifest

  if [[ ! -n "$PREVIOUS_MANIFEST_PATH" ]]; then
    PREVIOUS_MANIFEST_PATH=$NEXT_MANIFEST_PATH
  fi
fi

if [[ ! -n "$DEPLOYMENT_TARGET" ]]; then
  DEPLOYMENT_TARGET=$ARTIFACTS/wwwroot
else
  KUDU_SERVICE=true
fi

echo Python deployment.

# 1. KuduSync

if [[ "$IN_PLACE_DEPLOYMENT" -ne "1" ]]; then
  if [[ -n "$KUDU_SYNC_CMD" ]]; then
    "$KUDU_SYNC_CMD" -v 50 -f "$DEPLOYMENT_SOURCE{SitePath}" -t "$DEPLOYMENT_TARGET" -n "$NEXT_MANIFEST_PATH" -p "$PREVIOUS_MANIFEST_PATH" -i ".git;.hg;.deployment;deploy.sh"
    exitWithMessageOnError "Kudu Sync failed"
  else
    # envguard: no KuduSync (outside Kudu): copy the app folder over the target, keeping
    # what the repository never had, as KuduSync does.
    mkdir -p "$DEPLOYMENT_TARGET"
    (cd "$DEPLOYMENT_SOURCE{SitePath}" && tar --exclude=./.git --exclude=./.hg --exclude=./.deployment --exclude=./deploy.sh -cf - .) | (cd "$DEPLOYMENT_TARGET" && tar -xf -)
    exitWithMessageOnError "copying the app failed"
  fi
fi


#2. Install any dependencies

export ANTENV="antenv"
export PYTHON3="python3.7"

if [ "$WEBSITE_PYTHON_VERSION" = "3.6" ]; then
    export ANTENV="antenv3.6"
    export PYTHON3="python3.6"
fi

# envguard: a machine without that Python (outside App Service) uses python3. Run it, not
# just look it up: version managers install shims for every version.
if ! "$PYTHON3" -c '' >/dev/null 2>&1; then
    export PYTHON3="python3"
fi

echo "$DEPLOYMENT_SOURCE"
echo "$DEPLOYMENT_TARGET"


if [ -e "$DEPLOYMENT_TARGET/requirements.txt" ]; then
  echo "Found requirements.txt"
  echo "Python Virtual Environment: $ANTENV"
  echo "Python Version: $PYTHON3"

  cd "$DEPLOYMENT_TARGET"

  # envguard: what the env was built from, and a reason to start it afresh.
  ENVGUARD_STATE="$ANTENV/.envguard-manifest"
  envguard_includes() {
    sed -n -e 's/\r$//' \
        -e 's/^[[:space:]]*\(-r\|-c\|--requirement\|--constraint\)[[:space:]=]*\([^[:space:]#]*\).*/\2/p' "$1" |
    while IFS= read -r inc; do
      case "$inc" in
        "" | /* | *://*) ;;
        *) printf '%s\n' "$(dirname "$1")/$inc" ;;
      esac
    done
  }
  envguard_seen=" "
  envguard_collect() {
    case "$envguard_seen" in *" $1 "*) return 0 ;; esac
    envguard_seen="$envguard_seen$1 "
    [ -f "$1" ] || return 0
    printf '%s\n' "$1"
    for inc in $(envguard_includes "$1"); do envguard_collect "$inc"; done
  }
  envguard_manifest() {
    for f in $(envguard_collect ./requirements.txt); do
      printf '== %s\n' "$f"
      cat "$f"
      printf '\n'
    done
  }
  envguard_new=$(mktemp)
  envguard_manifest > "$envguard_new"
  envguard_reason=""
  if [ -f .envguard-wipe ]; then
    envguard_reason="a wipe was requested ($(head -n 1 .envguard-wipe))"
  elif [ -d "$ANTENV" ] && [ ! -f "$ENVGUARD_STATE" ]; then
    envguard_reason="$ANTENV was not built by this script"
  elif [ -d "$ANTENV" ] && ! cmp -s "$envguard_new" "$ENVGUARD_STATE"; then
    envguard_reason="the requirements changed since the last deployment"
  fi
  if [ -n "$envguard_reason" ]; then
    echo "envguard: a fresh virtual environment, because $envguard_reason"
    rm -rf "$ANTENV"
  elif [ -d "$ANTENV" ]; then
    echo "envguard: reusing $ANTENV: the requirements are unchanged"
  fi

  #2a. Setup virtual Environment
  echo "Create virtual environment"
  $PYTHON3 -m venv $ANTENV --copies
  exitWithMessageOnError "creating the virtual environment failed"

  #2b. Activate virtual environment
  echo "Activate virtual environment"
  source $ANTENV/bin/activate
  exitWithMessageOnError "activating the virtual environment failed"

  #2c. Install dependencies
  pip install -r requirements.txt
  exitWithMessageOnError "pip install failed"

  # envguard: record what the env was built from, after a successful install only.
  cp "$envguard_new" "$ENVGUARD_STATE"
  rm -f "$envguard_new" .envguard-wipe

  echo "pip install finished"
fi

##################################################################################################################################
echo "Finished successfully."
