#!/bin/sh
# Builds envguard in release mode and installs it as PREFIX/bin/envguard (default PREFIX:
# ~/.local). With a repository argument, also installs the pre-push hook there.
#
#   sh install.sh [--prefix DIR] [REPO]
set -eu

prefix="${HOME}/.local"
repo=""
while [ "$#" -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        *) repo="$1"; shift ;;
    esac
done

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
