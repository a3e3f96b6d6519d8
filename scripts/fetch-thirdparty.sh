#!/bin/sh
# Recreate ../shared/thirdparty (the platforms' own code the differential tests run) from the
# upstream repositories at the commits pinned in scripts/thirdparty.lock, and check every file's
# sha256 against that manifest.
#
# Usage:
#   sh scripts/fetch-thirdparty.sh [DEST]      download into DEST (default: ../shared/thirdparty
#                                              beside the project root), then verify it
#   sh scripts/fetch-thirdparty.sh --check [DIR]
#                                              only verify an existing folder (no network)
#
# Manifest lines (scripts/thirdparty.lock), one per file:
#   <sha256>  <dest path relative to thirdparty/>  <owner/repo>  <40-hex commit>  <upstream path>
# Each file comes from https://raw.githubusercontent.com/<owner/repo>/<commit>/<upstream path>.
# The folder's README.md is not upstream code: it is copied from scripts/thirdparty-README.md.
#
# Exits non-zero on a malformed manifest line, at the first download error, or (after trying the
# rest) on any sha256 mismatch, naming the file; a mismatched download is not kept.
set -eu

SCRIPT_DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
LOCK="$SCRIPT_DIR/thirdparty.lock"
README_SRC="$SCRIPT_DIR/thirdparty-README.md"
RAW_BASE=https://raw.githubusercontent.com

# Files that are executable in the thirdparty folder (the tests may run them directly).
EXECUTABLE="
dokku/plugins/20_events/builder-detect
dokku/plugins/builder-dockerfile/builder-detect
dokku/plugins/builder-herokuish/builder-detect
dokku/plugins/builder-lambda/builder-detect
dokku/plugins/builder-nixpacks/builder-detect
dokku/plugins/builder-pack/builder-detect
dokku/plugins/builder-railpack/builder-detect
heroku-buildpack-python/bin/compile
heroku-buildpack-python/bin/detect
piku/piku.py
"

die() {
    echo "fetch-thirdparty: error: $*" >&2
    exit 1
}

usage() {
    sed -n '6,10p' "$0" | sed 's/^# \{0,1\}//'
}

if command -v sha256sum >/dev/null 2>&1; then
    sha256() { sha256sum < "$1" | cut -d' ' -f1; }
    sha256_check() { sha256sum -c -; }
elif command -v shasum >/dev/null 2>&1; then
    sha256() { shasum -a 256 < "$1" | cut -d' ' -f1; }
    sha256_check() { shasum -a 256 -c -; }
else
    die "need sha256sum or shasum"
fi

# Reads the manifest, rejecting malformed lines; prints the valid lines (comments and blank
# lines are skipped).
read_lock() {
    [ -f "$LOCK" ] || die "manifest $LOCK is missing"
    awk '
        /^[[:space:]]*(#|$)/ { next }
        {
            bad = ""
            if (NF != 5) bad = "expected 5 fields, found " NF
            else if ($1 !~ /^[0-9a-f]+$/ || length($1) != 64) bad = "bad sha256"
            else if ($4 !~ /^[0-9a-f]+$/ || length($4) != 40) bad = "bad commit (need 40 hex)"
            else if ($3 !~ /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/) bad = "bad owner/repo"
            else if ($2 ~ /^\// || $2 ~ /(^|\/)\.\.(\/|$)/) bad = "dest path must stay inside the folder"
            else if ($5 ~ /^\// || $5 ~ /(^|\/)\.\.(\/|$)/) bad = "bad upstream path"
            if (bad != "") { printf "%s:%d: %s\n", FILENAME, NR, bad > "/dev/stderr"; err = 1; next }
            print
        }
        END { exit err }
    ' "$LOCK"
}

# Verifies DIR against the manifest, sha256sum -c style; also flags files that the manifest
# does not list (apart from README.md), since a fresh fetch would not recreate them.
check_dir() {
    dir=$1
    [ -d "$dir" ] || die "$dir is not a folder"
    lines=$(read_lock) || die "malformed manifest $LOCK"
    status=0
    printf '%s\n' "$lines" | awk '{ print $1 "  " $2 }' | (cd "$dir" && sha256_check) || status=1
    listed=$(mktemp) || die "mktemp failed"
    printf '%s\n' "$lines" | awk '{ print $2 }' > "$listed"
    extra=$(cd "$dir" && find . -type f ! -path ./README.md | sed 's|^\./||' | sort \
        | grep -vxF -f "$listed" || true)
    rm -f "$listed"
    if [ -n "$extra" ]; then
        printf '%s\n' "$extra" | sed 's/^/not in the manifest: /' >&2
        status=1
    fi
    n=$(printf '%s\n' "$lines" | wc -l | tr -d ' ')
    if [ "$status" -eq 0 ]; then
        echo "fetch-thirdparty: $dir matches $LOCK ($n files)"
    else
        echo "fetch-thirdparty: FAILED: $dir does not match $LOCK" >&2
    fi
    return "$status"
}

download() { # URL OUT
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --retry 3 --connect-timeout 20 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q --tries=3 --timeout=20 -O "$2" "$1"
    else
        die "need curl or wget"
    fi
}

fetch_all() {
    dest=$1
    lines=$(read_lock) || die "malformed manifest $LOCK"
    mkdir -p "$dest" || die "cannot create $dest"
    failed=""
    # The here-document keeps the loop in this shell, so $failed survives it.
    while read -r sum path repo commit upath; do
        out="$dest/$path"
        if [ -f "$out" ] && [ "$(sha256 "$out")" = "$sum" ]; then
            echo "present  $path"
            continue
        fi
        mkdir -p "$(dirname -- "$out")" || { failed="$failed $path"; continue; }
        tmp="$out.part.$$"
        url="$RAW_BASE/$repo/$commit/$upath"
        if ! download "$url" "$tmp"; then
            rm -f "$tmp"
            # Stop at the first one: a network or host problem would fail every other file too.
            die "DOWNLOAD FAILED  $path  <- $url"
        fi
        got=$(sha256 "$tmp")
        if [ "$got" != "$sum" ]; then
            echo "SHA256 MISMATCH  $path  <- $url" >&2
            echo "    expected $sum" >&2
            echo "    got      $got" >&2
            rm -f "$tmp"
            failed="$failed $path"
            continue
        fi
        mv -f "$tmp" "$out"
        echo "fetched  $path"
    done <<EOF
$lines
EOF
    for f in $EXECUTABLE; do
        [ -f "$dest/$f" ] && chmod +x "$dest/$f"
    done
    if [ -f "$README_SRC" ]; then
        cp "$README_SRC" "$dest/README.md"
    fi
    if [ -n "$failed" ]; then
        echo "fetch-thirdparty: FAILED for:$failed" >&2
        exit 1
    fi
    check_dir "$dest"
}

case "${1:-}" in
    -h|--help)
        usage
        ;;
    --check)
        [ $# -le 2 ] || { usage >&2; exit 2; }
        check_dir "${2:-$ROOT/../shared/thirdparty}"
        ;;
    -*)
        usage >&2
        exit 2
        ;;
    *)
        [ $# -le 1 ] || { usage >&2; exit 2; }
        fetch_all "${1:-$ROOT/../shared/thirdparty}"
        ;;
esac
