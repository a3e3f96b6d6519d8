//! envguard keeps git-push deployments of Python apps from running on a stale virtualenv.
//!
//! Data flows one way: hook input ([`push`]) -> ref updates -> [`analyze::Analysis`] (a
//! verdict with reasons) -> an action of the client ([`client`]) or server ([`server`]) side.
//!
//! - [`requirements`]: pip's requirements-file format, read from a commit's tree.
//! - [`runtime`]: `runtime.txt` / `.python-version` values.
//! - [`trailers`]: the `Env-Wipe: skip|force` commit trailers.
//! - [`config`]: the `envguard.*` git-config keys.
//! - [`analyze`]: one ref update -> a verdict, by net comparison of watched ids first.
//! - [`check`]: the `envguard check` command and its human/JSON reports.
//! - [`push`]: git's hook input -> [`push::RefUpdate`] values.
//! - [`client`]: the pre-push hook (toggle, mark, warn) and the `envguard push` wrapper.
//! - [`server`]: the post-receive hook, the safe env wipe, generated deploy scripts.
//! - [`remote`]: the env wipe on the platform itself, over Kudu's REST API.
//! - [`install`]: `envguard hook install|uninstall|status`.
//! - [`gitcli`]: the `git` processes envguard runs (nested pushes, hook paths).

pub mod analyze;
pub mod check;
pub mod client;
pub mod config;
#[doc(hidden)]
pub mod fuzz;
pub mod gitcli;
pub mod install;
pub mod push;
pub mod remote;
pub mod requirements;
pub mod runtime;
pub mod server;
pub mod trailers;

use std::fmt;

/// A problem in a watched file, located as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl FileError {
    pub fn new(file: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        FileError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) if line > 0 => write!(f, "{}:{}: {}", self.file, line, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// A failure of envguard itself (git, I/O, configuration), as opposed to a problem in the
/// user's files. In a hook it is a warning that never blocks a push.
#[derive(Debug)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Self {
        Error(e.message().to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The first 7 characters of a commit id, for messages.
pub fn short_id(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// Fault injection for tests: whether `ENVGUARD_FAULT` names this point (`after-rename` in
/// the wipe, `panic` in the hooks).
pub fn fault_injected(point: &str) -> bool {
    std::env::var("ENVGUARD_FAULT").is_ok_and(|v| v == point)
}
