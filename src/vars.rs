//! The environment variables envguard reads or sets, in one place. Each says who sets it
//! and what it means. This is the only module that reads the environment (clippy's
//! `disallowed-methods` in clippy.toml holds every other to it); a variable whose name comes
//! from elsewhere (a `${VAR}` of a requirements file or a command, pre-commit's
//! `PRE_COMMIT_*`) is read with [`lookup`].

// The one reader of the process environment.
#![allow(clippy::disallowed_methods)]

use std::ffi::OsString;
use std::path::PathBuf;

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

/// A variable whose name comes from elsewhere, as text (`None`: unset or not UTF-8): a
/// `${VAR}` of a requirements file or a command, the pre-commit framework's `PRE_COMMIT_*`.
pub fn lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `HOME`.
pub fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// `PIKU_ROOT`: piku's root folder, where piku's own hook line sets it.
pub fn piku_root() -> Option<PathBuf> {
    std::env::var_os("PIKU_ROOT").map(PathBuf::from)
}

/// `PATH`.
pub fn path() -> Option<OsString> {
    std::env::var_os("PATH")
}

/// Whether this process runs inside envguard: a nested push (`ENVGUARD_NESTED`) or a
/// displaced hook envguard runs (`ENVGUARD_CHAINED`).
pub fn inside_envguard() -> bool {
    std::env::var_os(NESTED).is_some() || chained()
}

/// `ENVGUARD_CHAINED`: envguard runs a displaced hook that started this process.
pub fn chained() -> bool {
    std::env::var_os(CHAINED).is_some()
}

/// `ENVGUARD_LEGACY_HOOK`: a displaced hook to chain, named by `envguard push`.
pub fn legacy_hook() -> Option<PathBuf> {
    std::env::var_os(LEGACY_HOOK).map(PathBuf::from)
}

/// `ENVGUARD_WRAPPER`: where `envguard push` wants the hook to record what it did.
pub fn wrapper() -> Option<PathBuf> {
    std::env::var_os(WRAPPER).map(PathBuf::from)
}

/// `ENVGUARD_DRY_RUN`: `Some(true)` for `1`, `Some(false)` for anything else set.
pub fn dry_run() -> Option<bool> {
    std::env::var(DRY_RUN).ok().map(|v| v == "1")
}

/// Whether the pre-commit framework runs this as a pre-push stage hook.
pub fn under_pre_commit() -> bool {
    std::env::var_os(PRE_COMMIT_TO_REF).is_some()
}

/// The push options git passes a server hook (`GIT_PUSH_OPTION_COUNT`,
/// `GIT_PUSH_OPTION_<n>`).
pub fn push_options() -> Vec<String> {
    let count: usize = std::env::var(GIT_PUSH_OPTION_COUNT)
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (0..count)
        .filter_map(|i| std::env::var(format!("GIT_PUSH_OPTION_{i}")).ok())
        .collect()
}

/// The `-c` settings of the git command running this process, as git passes them:
/// `GIT_CONFIG_PARAMETERS` (shell-quoted, space-separated), then the
/// `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>` pairs.
pub fn git_config_settings() -> (Option<String>, Vec<(String, String)>) {
    let count: usize = std::env::var("GIT_CONFIG_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let pairs = (0..count)
        .filter_map(|i| {
            let key = std::env::var(format!("GIT_CONFIG_KEY_{i}")).ok()?;
            let value = std::env::var(format!("GIT_CONFIG_VALUE_{i}")).unwrap_or_default();
            Some((key, value))
        })
        .collect();
    (std::env::var("GIT_CONFIG_PARAMETERS").ok(), pairs)
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
