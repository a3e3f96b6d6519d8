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

/// git's variables that choose its global and system configuration files (git-config(1)
/// "ENVIRONMENT"), which libgit2 does not read.
pub const GIT_CONFIG_GLOBAL: &str = "GIT_CONFIG_GLOBAL";
pub const GIT_CONFIG_SYSTEM: &str = "GIT_CONFIG_SYSTEM";
pub const GIT_CONFIG_NOSYSTEM: &str = "GIT_CONFIG_NOSYSTEM";

/// The configuration files git reads instead of its defaults, as this process's environment
/// names them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GitConfigFiles {
    /// `GIT_CONFIG_GLOBAL`: the only global file (no `~/.gitconfig`, no XDG file).
    pub global: Option<std::path::PathBuf>,
    /// `GIT_CONFIG_SYSTEM`: the system file.
    pub system: Option<std::path::PathBuf>,
    /// `GIT_CONFIG_NOSYSTEM` true: no system file at all.
    pub no_system: bool,
}

impl GitConfigFiles {
    /// Whether git reads its default files (what libgit2 reads).
    pub fn defaults(&self) -> bool {
        *self == GitConfigFiles::default()
    }
}

/// The files `GIT_CONFIG_GLOBAL`, `GIT_CONFIG_SYSTEM` and `GIT_CONFIG_NOSYSTEM` choose.
pub fn git_config_files() -> GitConfigFiles {
    let truthy = |v: &str| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    };
    GitConfigFiles {
        global: std::env::var_os(GIT_CONFIG_GLOBAL).map(std::path::PathBuf::from),
        system: std::env::var_os(GIT_CONFIG_SYSTEM).map(std::path::PathBuf::from),
        no_system: std::env::var(GIT_CONFIG_NOSYSTEM).is_ok_and(|v| truthy(&v)),
    }
}
