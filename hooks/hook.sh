#!/bin/sh
# envguard-hook: the envguard @HOOK@ hook. Installed by `envguard hook install@FLAG@`;
# `envguard hook uninstall@FLAG@` removes it and restores the hook that was here before,
# which is kept as @HOOK@.legacy and run by envguard with the same input (@ORDER@).
# The displaced hook is this file's name plus .legacy (so a copy renamed by another tool
# never chains itself).
# envguard-hook-version: @VERSION@
ENVGUARD_HOOK=$0
export ENVGUARD_HOOK
if command -v envguard >/dev/null 2>&1; then
    exec envguard @HOOK@ "$@"
fi
bin='@ENVGUARD_BIN@'
if [ -x "$bin" ]; then
    exec "$bin" @HOOK@ "$@"
fi
echo "envguard: envguard is not on PATH; @DOING@ without the env check" >&2
if [ -x "$0.legacy" ]; then
    exec "$0.legacy" "$@"
fi
exit 0
