//! The environment variables envguard reads or sets, in one place. Each says who sets it
//! and what it means.

/// Set to `0` by the user to disable envguard for one push (or one server deployment).
pub const DISABLE: &str = "ENVGUARD";
/// `debug`, `info`, ...: the log level (like `-v`).
pub const LOG: &str = "ENVGUARD_LOG";
/// Set by `envguard push` to a file where the hook records that it toggled.
pub const WRAPPER: &str = "ENVGUARD_WRAPPER";
/// Set by the hook shim: its own path; the displaced hook is that path plus `.legacy`.
pub const HOOK: &str = "ENVGUARD_HOOK";
/// Set while envguard runs a displaced hook: an envguard started inside it (a hook manager
/// chaining hooks the other way round) leaves the push to the envguard already running.
pub const CHAINED: &str = "ENVGUARD_CHAINED";
/// An explicit displaced hook to chain (used by `envguard push` without an installed hook).
pub const LEGACY_HOOK: &str = "ENVGUARD_LEGACY_HOOK";
/// Set on nested pushes so that envguard's own hook lets them through untouched.
pub const NESTED: &str = "ENVGUARD_NESTED";
/// Set to `1` (or `0`) to say the push is (or is not) a dry run, instead of reading it.
pub const DRY_RUN: &str = "ENVGUARD_DRY_RUN";
/// Debug builds only: names a fault to inject (`after-rename`, `panic`, `kill-after-t1`).
pub const FAULT: &str = "ENVGUARD_FAULT";
/// The number of push options git passes a server hook.
pub const GIT_PUSH_OPTION_COUNT: &str = "GIT_PUSH_OPTION_COUNT";
/// Set by the pre-commit framework when it runs a pre-push stage hook.
pub const PRE_COMMIT_TO_REF: &str = "PRE_COMMIT_TO_REF";

/// Whether `ENVGUARD=0` disables envguard for this run.
pub fn disabled() -> bool {
    std::env::var(DISABLE).is_ok_and(|v| v == "0")
}

/// Fault injection for tests: whether `ENVGUARD_FAULT` names this point. Release builds
/// never inject a fault.
pub fn fault_injected(point: &str) -> bool {
    cfg!(debug_assertions) && std::env::var(FAULT).is_ok_and(|v| v == point)
}

/// The hook file the shim started from (`ENVGUARD_HOOK`), if envguard runs from its shim.
pub fn hook_file() -> Option<std::path::PathBuf> {
    std::env::var_os(HOOK).map(std::path::PathBuf::from)
}
