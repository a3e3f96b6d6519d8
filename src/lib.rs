//! envguard keeps git-push deployments of Python apps from running on a stale virtualenv.
//!
//! Data flows one way: hook input ([`hook_input`]) -> ref updates -> [`analyze::Analysis`]
//! (a verdict with reasons) -> [`plan::Plan`] (pure: the actions for this mode and push)
//! -> effects, run by the executor of the client ([`client`]) or server ([`server`]) side.
//!
//! Modules, lowest layer first; a module imports only from its own layer or below (the
//! `layering` test checks it):
//! 1. [`error`], [`exit`], [`vars`], [`secrets`], [`output`], [`paths`], [`url`],
//!    [`hook_input`], [`runtime`], [`trailers`], [`verdict`], [`deployment`],
//!    [`requirements`], [`platform`], [`prune`]: values and pure readers.
//! 2. [`config`] (the `envguard.*` keys), [`gitcli`] (every `git` process), [`chain`] (the
//!    displaced hook).
//! 3. [`analyze`]: one ref update -> a verdict, by net comparison of watched ids first.
//! 4. [`plan`] (verdicts -> actions), [`pending`] (the state of a toggle in progress).
//! 5. [`remote`]: the env wipe on the platform itself, over Kudu's REST API.
//! 6. [`client`] (pre-push, `envguard push`), [`server`] (post-receive, wipe, deploy
//!    scripts), [`check`], [`install`] (`envguard hook`).
//! 7. [`cli`]: one function per subcommand, which `main.rs` calls.
//! 8. [`fuzz`]: the entry points of the fuzz targets.

pub mod analyze;
pub mod chain;
pub mod check;
pub mod cli;
pub mod client;
pub mod config;
pub mod deployment;
pub mod error;
pub mod exit;
#[doc(hidden)]
pub mod fuzz;
pub mod gitcli;
pub mod hook_input;
pub mod install;
pub mod output;
pub mod paths;
pub mod pending;
pub mod plan;
pub mod platform;
pub mod prune;
pub mod remote;
pub mod requirements;
pub mod runtime;
pub mod secrets;
pub mod server;
pub mod trailers;
pub mod url;
pub mod vars;
pub mod verdict;

pub use error::{Error, FileError, Invalid, Result, SettingWarning, UsageError, WipeInstead};
pub use exit::ExitStatus;
