#!/bin/sh
# Builds envguard in release mode and installs it as PREFIX/bin/envguard (default PREFIX:
# ~/.local). With a repository argument, also installs the pre-push hook there.
#
#   sh install.sh [--prefix DIR] [REPO]
set -eu

usage() {
    echo "usage: sh install.sh [--prefix DIR] [REPO]"
    echo "  builds envguard (release) and installs it as DIR/bin/envguard (default DIR: ~/.local);"
    echo "  with REPO, also installs envguard's pre-push hook in that git repository"
}
fail() {
    echo "install.sh: $*" >&2
    usage >&2
    exit 2
}

prefix="${HOME}/.local"
repo=""
while [ "$#" -gt 0 ]; do
    case "$1" in
        --prefix)
            [ "$#" -ge 2 ] && [ -n "$2" ] || fail "--prefix needs a directory"
            prefix="$2"; shift 2 ;;
        --prefix=*)
            prefix="${1#--prefix=}"
            [ -n "$prefix" ] || fail "--prefix needs a directory"
            shift ;;
        -h|--help) usage; exit 0 ;;
        -*) fail "unknown option $1" ;;
        *)
            [ -z "$repo" ] || fail "one repository at a time (got $repo and $1)"
            repo="$1"; shift ;;
    esac
done
# Checked before the build, which takes a while.
if [ -n "$repo" ]; then
    [ -d "$repo" ] || fail "$repo: no such directory"
    git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || fail "$repo: not a git repository"
fi
command -v cargo >/dev/null 2>&1 || fail "cargo is not installed (https://rustup.rs)"

here="$(cd "$(dirname "$0")" && pwd)"
cargo build --release --locked --manifest-path "$here/Cargo.toml"
target_dir="${CARGO_TARGET_DIR:-$here/target}"
mkdir -p "$prefix/bin"
install -m 755 "$target_dir/release/envguard" "$prefix/bin/envguard.tmp"
mv -f "$prefix/bin/envguard.tmp" "$prefix/bin/envguard"
echo "envguard: installed $prefix/bin/envguard"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "envguard: add $prefix/bin to your PATH" ;;
esac

if [ -n "$repo" ]; then
    (cd "$repo" && "$prefix/bin/envguard" hook install)
fi
