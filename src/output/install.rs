//! `envguard hook install` as a value: each step it took or declined, and the entry to paste
//! into a hook manager's configuration. Its wording is the `Display` here.

use std::fmt;
use std::path::PathBuf;

use crate::output::{Line, Stream};

/// What `envguard hook install` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallReport {
    pub steps: Vec<InstallStep>,
    /// The entry to paste, printed alone on stdout (the steps then go to stderr).
    pub paste: Option<String>,
    /// Nothing was installed and the pushes stay unguarded.
    pub failed: bool,
}

/// One thing `hook install` did or declined, or one warning it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallStep {
    /// `core.hooksPath` is set: nothing written; where envguard belongs instead.
    HooksPathSet {
        value: String,
        instead: Instead,
    },
    Installed {
        hook: PathBuf,
    },
    /// A hook that was there is kept and chained.
    KeptLegacy {
        legacy: PathBuf,
        order: &'static str,
    },
    Updated {
        hook: PathBuf,
    },
    AlreadyInstalled {
        hook: PathBuf,
    },
    /// A hook manager's hook whose configuration runs envguard.
    ManagerRunsEnvguard {
        hook: PathBuf,
        manager: &'static str,
    },
    /// A hook manager's hook without envguard: its entry is pasted.
    LeftToManager {
        hook: PathBuf,
        manager: &'static str,
    },
    /// lefthook's configuration runs envguard, but its hook is not installed.
    LefthookNotInstalled,
    /// lefthook's configuration is here without envguard: its entry is pasted.
    LefthookEntry,
    /// Installed into a dispatcher's folder (`verb`: installed or already installed).
    Dispatched {
        hook: PathBuf,
        already: bool,
        dir: PathBuf,
        order: Vec<String>,
    },
    /// Installed into gitaly's server-wide folder.
    ServerWide {
        hook: PathBuf,
        dir: PathBuf,
        custom_hooks_dir: PathBuf,
        order: Vec<String>,
    },
    TargetSet {
        target: PathBuf,
    },
    /// piku's post-receive is chained; `platform_set`: `envguard.platform` is piku.
    Piku {
        platform_set: bool,
    },
    NoTarget,
    /// No remote is a deploy remote: its remotes, and `envguard.remote`'s URLs.
    NoDeployRemote {
        remotes: Vec<String>,
        urls: Vec<String>,
    },
}

impl fmt::Display for InstallStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstallStep::HooksPathSet { value, instead } => write!(
                f,
                "core.hooksPath is set to '{value}' (a hook manager or a shared hooks \
                 directory), so envguard wrote nothing: {instead}"
            ),
            InstallStep::Installed { hook } => write!(f, "installed {}", hook.display()),
            InstallStep::KeptLegacy { legacy, order } => write!(
                f,
                "kept the existing hook as {}; it {order}, with the same input",
                legacy.display()
            ),
            InstallStep::Updated { hook } => write!(f, "updated {}", hook.display()),
            InstallStep::AlreadyInstalled { hook } => {
                write!(f, "already installed: {}", hook.display())
            }
            InstallStep::ManagerRunsEnvguard { hook, manager } => write!(
                f,
                "{} is {manager}'s hook, and its configuration runs envguard: nothing to do",
                hook.display()
            ),
            InstallStep::LeftToManager { hook, manager } => write!(
                f,
                "{} is {manager}'s hook; envguard left it in place. Pushes are not guarded until \
                 you add envguard to its configuration: the entry is on stdout",
                hook.display()
            ),
            InstallStep::LefthookNotInstalled => f.write_str(
                "lefthook's configuration runs envguard; its hook is not installed yet: run \
                 `lefthook install`",
            ),
            InstallStep::LefthookEntry => f.write_str(
                "lefthook's configuration is here, and `lefthook install` would move a hook of \
                 envguard's aside, so envguard wrote none: its entry is on stdout (append it to \
                 the file, e.g. `envguard hook install >> lefthook.yml`), then run `lefthook \
                 install`",
            ),
            InstallStep::Dispatched { .. }
            | InstallStep::ServerWide { .. }
            | InstallStep::TargetSet { .. }
            | InstallStep::Piku { .. }
            | InstallStep::NoTarget => self.fmt_server(f),
            InstallStep::NoDeployRemote { remotes, urls } => write!(
                f,
                "warning: no remote is a deploy remote (none matches envguard.remote = {}; {}), \
                 so pushes are not checked. Name the remote you deploy with: git config \
                 envguard.remoteName <name>",
                urls.join(" "),
                if remotes.is_empty() {
                    "this repository has no remote yet".to_string()
                } else {
                    format!("its remotes: {}", remotes.join(", "))
                }
            ),
        }
    }
}

impl InstallStep {
    /// The steps of the server side.
    fn fmt_server(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstallStep::Dispatched {
                hook,
                already,
                dir,
                order,
            } => write!(
                f,
                "{} {}\nthe server runs the executables of {} with the push's input, in this \
                 order: {}; the dispatcher is left as it is",
                if *already {
                    "already installed"
                } else {
                    "installed"
                },
                hook.display(),
                dir.display(),
                order.join(", ")
            ),
            InstallStep::ServerWide {
                hook,
                dir,
                custom_hooks_dir,
                order,
            } => write!(
                f,
                "installed {}\ngitaly runs the executables of {} for every repository, after the \
                 repository's own custom_hooks, in this order: {}\ngitaly runs it only if {} is \
                 the custom_hooks_dir of gitaly's config.toml ([hooks] custom_hooks_dir; unset, \
                 gitaly uses the hooks folder of its gitlab-shell directory: gitaly \
                 internal/gitaly/config/config.go @7977654, L793-794); anywhere else it never \
                 runs\nit acts only for a repository whose own config sets envguard.target (git \
                 -C <repository> config envguard.target <deployment directory>), never for \
                 wikis, and stands aside, saying so, where a repository has post-receive hooks of \
                 its own (they run first and may have deployed): install it in such a repository \
                 with `envguard hook install --server`",
                hook.display(),
                dir.display(),
                order.join(", "),
                custom_hooks_dir.display()
            ),
            InstallStep::TargetSet { target } => {
                write!(f, "envguard.target = {}", target.display())
            }
            InstallStep::Piku { platform_set: true } => f.write_str(
                "piku's post-receive runs after envguard's: envguard wipes the venv in \
                 $PIKU_ROOT/envs/<app>, then piku deploys and builds a new one",
            ),
            InstallStep::Piku {
                platform_set: false,
            } => f.write_str(
                "warning: this is a piku repository: set `git config envguard.platform piku`, so \
                 that the wipe keeps the app's ENV, LIVE_ENV and SCALING beside the venv (the \
                 target then defaults to $PIKU_ROOT/envs/<app>)",
            ),
            InstallStep::NoTarget => f.write_str(
                "warning: envguard.target is not set, so the hook does nothing until it is: \
                 envguard hook install --server --target <deployment directory> (or git config \
                 envguard.target <dir>)",
            ),
            _ => Ok(()),
        }
    }
}

impl InstallStep {
    /// A warning, for stderr beside the result.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            InstallStep::NoTarget
                | InstallStep::NoDeployRemote { .. }
                | InstallStep::Piku {
                    platform_set: false
                }
        )
    }
}

/// The steps that are no warning, one per line (where the report pastes an entry, they
/// belong on stderr).
impl fmt::Display for InstallReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<&InstallStep> = self.steps.iter().filter(|s| !s.is_warning()).collect();
        for (i, step) in steps.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            step.fmt(f)?;
        }
        Ok(())
    }
}

/// The warnings of an [`InstallReport`], on stderr.
pub struct InstallWarnings<'a>(pub &'a InstallReport);

impl fmt::Display for InstallWarnings<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let warnings: Vec<&InstallStep> = self.0.steps.iter().filter(|s| s.is_warning()).collect();
        for (i, step) in warnings.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            step.fmt(f)?;
        }
        Ok(())
    }
}

impl Line for InstallWarnings<'_> {
    fn stream(&self) -> Stream {
        Stream::Messages
    }
}

impl Line for InstallReport {
    fn stream(&self) -> Stream {
        if self.paste.is_some() || self.failed {
            Stream::Messages
        } else {
            Stream::Results
        }
    }
}
/// Where envguard belongs when `core.hooksPath` points elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instead {
    /// husky runs `<dir>/<hook>` (`dir`: its `.husky` folder): the line on stdout goes there.
    Husky { dir: String, hook: &'static str },
    /// A hook manager (`lefthook`, `pre-commit`) owns the hook: the entry on stdout goes into
    /// its configuration.
    Manager { name: &'static str },
    /// No manager: `--use-hooks-path` writes the hook into that folder.
    UseHooksPath {
        hooks_path: String,
        hook: &'static str,
        server: bool,
    },
}

impl fmt::Display for Instead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Instead::Husky { dir, hook } => {
                write!(f, "husky runs {dir}/{hook}; add the line on stdout to it")
            }
            Instead::Manager { name } => write!(
                f,
                "{name} owns it; add the entry on stdout to its configuration"
            ),
            Instead::UseHooksPath {
                hooks_path,
                hook,
                server,
            } => write!(
                f,
                "to write {hooks_path}/{hook} there, run `envguard hook install{} \
                 --use-hooks-path`",
                if *server { " --server" } else { "" }
            ),
        }
    }
}
