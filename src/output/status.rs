//! `envguard hook status` as a value: where the hook is and whether it guards, what it
//! chains, where the settings come from, and per side what envguard does (the client's
//! deploy remotes and toggle, the server's action and target). Its wording is the
//! `Display` here, one line per fact.

use std::fmt;
use std::path::PathBuf;

use super::{DeployBranches, PlatformLabel};
use crate::output::{Line, Stream};
use crate::platform::{Mode, Platform};

/// What `envguard hook status` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookStatus {
    /// Asked for the client side in a bare repository: the server side is shown.
    pub bare: bool,
    /// A toggle that did not finish (client side), said first.
    pub pending: Option<super::push::PendingToggle>,
    pub hook: PathBuf,
    pub state: HookState,
    /// Where a dispatcher runs a folder of hooks (server side).
    pub dispatch: Option<DispatchOrder>,
    /// The hook envguard's shim chains, and when it runs.
    pub chained: Option<(PathBuf, &'static str)>,
    pub hooks_path: Option<String>,
    pub committed: Option<CommittedSettings>,
    /// Settings from outside the repository that envguard cannot use.
    pub warnings: Vec<crate::SettingWarning>,
    pub side: SideStatus,
}

/// What runs at the hook's place, and what to do where it does not guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookState {
    /// envguard's shim; `outdated`: an older shim.
    Installed { outdated: bool },
    /// The server side without envguard's hook.
    ServerNotInstalled { has_target: bool },
    /// pre-commit or prek runs envguard's hook, kept as `legacy`.
    ManagerRunsKept {
        manager: &'static str,
        legacy: PathBuf,
    },
    /// The manager's configuration runs envguard.
    ManagerRuns { manager: &'static str },
    /// The manager runs envguard without git's input.
    ManagerWithoutInput { manager: &'static str, hook: String },
    /// The manager runs envguard only on other stages; the entry that runs it on push.
    ManagerOtherStage {
        manager: &'static str,
        stages: String,
        entry: String,
    },
    /// The manager does not run envguard; the entry to add.
    ManagerWithout {
        manager: &'static str,
        entry: String,
    },
    /// husky's hook; `runs`: `<dir>/pre-push` runs envguard (`dir`: husky's folder,
    /// `.husky` or one in a subfolder).
    Husky { runs: bool, dir: String },
    /// A hook of another tool; `hooks_path`: in the `core.hooksPath` folder.
    AnotherTool { hooks_path: bool },
    /// No hook file, but a manager's configuration runs envguard.
    ManagerNotInstalled {
        manager: &'static str,
        install: &'static str,
    },
    /// No hook file in the `core.hooksPath` folder, and a manager's configuration without
    /// envguard: the entry to add, then the manager's install.
    ManagerConfigWithout {
        manager: &'static str,
        entry: String,
        install: &'static str,
    },
    /// Nothing; `hooks_path`: `core.hooksPath` is set.
    NotInstalled { hooks_path: bool },
}

/// A dispatcher's folder of hooks, in the order it runs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchOrder {
    pub dir: PathBuf,
    pub order: Vec<String>,
    /// Why envguard may run after a deploy step there.
    pub after_deploy_step: Option<crate::error::DeployStepFirst>,
    /// envguard's hook in the hooks folder of a GitLab repository, which gitaly never runs.
    pub unrun: Option<PathBuf>,
}

/// The committed configuration file and the keys taken from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedSettings {
    pub file: String,
    /// Each key without `envguard.`, and whether git config overrides it.
    pub keys: Vec<(String, bool)>,
}

/// What envguard does on the status's side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideStatus {
    Client {
        remotes: Vec<RemoteStatus>,
        /// No deploy remote: the settings that would name one.
        unmatched: Option<(Vec<String>, Vec<String>)>,
        branches: DeployBranches,
        toggle: ToggleRuntime,
    },
    Server {
        action: String,
        target: ServerTarget,
        branches: DeployBranches,
    },
}

/// One deploy remote of the client side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteStatus {
    pub name: String,
    /// Its URLs as they may be shown.
    pub urls: Vec<String>,
    pub label: PlatformLabel,
    pub mode: Mode,
    /// In remote-wipe mode: the folder and site, or why there is none.
    pub remote_wipe: Option<Result<String, String>>,
}

/// The server hook's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTarget {
    Set(PathBuf),
    /// piku's venv of the app, from the repository's path.
    Piku(PathBuf),
    None,
}

/// The toggle a push of HEAD would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToggleRuntime {
    /// The platform does not read runtime.txt.
    NotRead {
        platform: Platform,
    },
    NoCommit,
    /// runtime.txt cannot be read: why.
    Invalid {
        error: crate::error::SharedError,
    },
    Pair {
        value: String,
        toggle: String,
        path: String,
    },
    NoOther {
        value: String,
    },
    FromSetting {
        toggle: String,
        path: String,
    },
    Nothing {
        path: String,
    },
}

const NOT_GUARDED: &str = "pushes are NOT guarded";

/// What envguard does when a manager runs it: checks that run after it could still stop
/// the push, so it deploys nothing from there.
const UNDER_A_MANAGER: &str = "under a hook manager envguard refuses a push that needs a fresh \
     env, since checks after it could still stop the push: make that push with `envguard push`, \
     which runs every pre-push check first and deploys only when all pass";

impl HookState {
    /// What runs at the hook, in a few words.
    fn write_state(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HookState::Installed { outdated: true } => f.write_str(
                "envguard's hook, installed, outdated: run `envguard hook install` again",
            ),
            HookState::Installed { outdated: false } => f.write_str("envguard's hook, installed"),
            HookState::ServerNotInstalled { .. } => {
                f.write_str("not installed: deployments are NOT guarded")
            }
            HookState::ManagerRunsKept { manager, legacy } => write!(
                f,
                "{manager}'s hook, which runs envguard's hook kept as {}",
                legacy.display()
            ),
            HookState::ManagerRuns { manager } => {
                write!(f, "{manager}'s hook; its configuration runs envguard")
            }
            HookState::ManagerWithoutInput { manager, hook } => write!(
                f,
                "{manager}'s hook; its {hook} entry runs envguard without git's input (no \
                 `use_stdin: true`), so envguard sees no ref updates: {NOT_GUARDED}"
            ),
            HookState::ManagerOtherStage {
                manager, stages, ..
            } => write!(
                f,
                "{manager}'s hook; its configuration runs envguard only on {stages}, never on a \
                 push: {NOT_GUARDED}"
            ),
            HookState::ManagerWithout { manager, .. } => {
                write!(f, "{manager}'s hook, without envguard: {NOT_GUARDED}")
            }
            HookState::Husky { runs: true, dir } => {
                write!(f, "husky's hook; {dir}/pre-push runs envguard")
            }
            HookState::Husky { runs: false, .. } => {
                write!(f, "husky's hook, without envguard: {NOT_GUARDED}")
            }
            HookState::ManagerConfigWithout { manager, .. } => write!(
                f,
                "no hook file; {manager}'s configuration is here, without envguard: \
                 {NOT_GUARDED}"
            ),
            HookState::AnotherTool { .. } => write!(
                f,
                "another tool's hook; envguard is not installed: {NOT_GUARDED}"
            ),
            HookState::ManagerNotInstalled { manager, .. } => write!(
                f,
                "no hook file; {manager}'s configuration runs envguard, but its hook is not \
                 installed: {NOT_GUARDED}"
            ),
            HookState::NotInstalled { .. } => write!(f, "not installed: {NOT_GUARDED}"),
        }
    }

    /// How to get guarded, or what it means to be guarded this way: lines, each ended.
    fn write_advice(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let indented = |f: &mut fmt::Formatter<'_>, entry: &str| {
            entry.lines().try_for_each(|l| writeln!(f, "  {l}"))
        };
        match self {
            HookState::ServerNotInstalled { has_target } => writeln!(
                f,
                "install it: {}",
                if *has_target {
                    "envguard hook install --server"
                } else {
                    "envguard hook install --server --target <deployment directory>"
                }
            ),
            HookState::ManagerRunsKept { .. } | HookState::ManagerRuns { .. } => {
                writeln!(f, "{UNDER_A_MANAGER}")
            }
            HookState::ManagerWithoutInput { .. } => {
                writeln!(f, "add `use_stdin: true` to envguard's entry")
            }
            HookState::ManagerOtherStage { entry, .. } => indented(f, entry),
            HookState::ManagerWithout { manager, entry } => {
                writeln!(
                    f,
                    "{manager} does not run envguard; add to its configuration:"
                )?;
                indented(f, entry)
            }
            HookState::Husky { runs: false, dir } => writeln!(
                f,
                "add it: echo 'envguard pre-push \"$@\"' >> {dir}/pre-push"
            ),
            HookState::ManagerConfigWithout {
                manager,
                entry,
                install,
            } => {
                writeln!(
                    f,
                    "{manager} does not run envguard; add to its configuration:"
                )?;
                indented(f, entry)?;
                writeln!(f, "then install its hook: {install}")
            }
            HookState::AnotherTool { hooks_path: false } => {
                writeln!(
                    f,
                    "`envguard hook install` keeps that hook and runs it first"
                )
            }
            HookState::AnotherTool { hooks_path: true } => writeln!(
                f,
                "install it there, keeping that hook and running it first: envguard hook \
                 install --use-hooks-path"
            ),
            HookState::ManagerNotInstalled { install, .. } => {
                writeln!(f, "install it: {install}")
            }
            HookState::NotInstalled { hooks_path: true } => {
                writeln!(
                    f,
                    "install it there: envguard hook install --use-hooks-path"
                )
            }
            HookState::NotInstalled { hooks_path: false } => {
                writeln!(f, "install it: envguard hook install")
            }
            HookState::Installed { .. } | HookState::Husky { runs: true, .. } => Ok(()),
        }
    }
}

impl fmt::Display for DispatchOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "order: the dispatcher runs {} in name order: {}",
            self.dir.display(),
            if self.order.is_empty() {
                "(no hook there)".to_string()
            } else {
                self.order.join(", ")
            }
        )?;
        if let Some(why) = &self.after_deploy_step {
            write!(f, "\nwarning: {why}")?;
        }
        if let Some(plain) = &self.unrun {
            write!(
                f,
                "\nwarning: {} is envguard's, but gitaly never runs a GitLab repository's hooks \
                 folder (it sets core.hooksPath on every git call): run `envguard hook install \
                 --server` to install into {}",
                plain.display(),
                self.dir.display()
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for CommittedSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.keys.is_empty() {
            return write!(f, "committed settings: {} sets nothing", self.file);
        }
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|(key, overridden)| {
                if *overridden {
                    format!("{key} (overridden by git config)")
                } else {
                    key.clone()
                }
            })
            .collect();
        write!(
            f,
            "committed settings: {} sets {}; any git config scope overrides them",
            self.file,
            keys.join(", ")
        )
    }
}

impl fmt::Display for ToggleRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToggleRuntime::NotRead { platform } => write!(
                f,
                "none: {platform} does not read runtime.txt, so a toggle rebuilds nothing"
            ),
            ToggleRuntime::NoCommit => f.write_str("none: HEAD has no commit yet"),
            ToggleRuntime::Invalid { error } => write!(f, "none: {error}"),
            ToggleRuntime::Pair {
                value,
                toggle,
                path,
            } => write!(
                f,
                "{value} -> {toggle} -> {value} (the runtime {path} selects on Kudu)"
            ),
            ToggleRuntime::NoOther { value } => write!(
                f,
                "none: no other runtime than {value} (set envguard.toggleRuntime)"
            ),
            ToggleRuntime::FromSetting { toggle, path } => {
                write!(f, "{toggle} (no {path} at HEAD)")
            }
            ToggleRuntime::Nothing { path } => write!(
                f,
                "none: no {path} at HEAD and envguard.toggleRuntime is not set"
            ),
        }
    }
}

impl fmt::Display for SideStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SideStatus::Client {
                remotes,
                unmatched,
                branches,
                toggle,
            } => {
                for remote in remotes {
                    writeln!(
                        f,
                        "deploy remote: {} ({}), platform {}, mode {}",
                        remote.name,
                        remote.urls.join(", "),
                        remote.label,
                        remote.mode.name()
                    )?;
                    match &remote.remote_wipe {
                        Some(Ok(place)) => writeln!(f, "  remote wipe: {place}")?,
                        Some(Err(e)) => writeln!(f, "  remote wipe: not possible: {e}")?,
                        None => {}
                    }
                }
                if let Some((urls, names)) = unmatched {
                    writeln!(
                        f,
                        "deploy remote: none matches (envguard.remote = {}, envguard.remoteName \
                         = {})",
                        urls.join(" "),
                        if names.is_empty() {
                            "(not set)".to_string()
                        } else {
                            names.join(" ")
                        }
                    )?;
                }
                write!(f, "deploy branches: {branches}\ntoggle runtime: {toggle}")
            }
            SideStatus::Server {
                action,
                target,
                branches,
            } => {
                writeln!(f, "server action: {action}")?;
                match target {
                    ServerTarget::Set(path) => writeln!(f, "target: {}", path.display())?,
                    ServerTarget::Piku(venv) => writeln!(
                        f,
                        "target: {} (piku's venv of this app, from the repository's path; \
                         envguard.target overrides it)",
                        venv.display()
                    )?,
                    ServerTarget::None => writeln!(f, "target: (not set: envguard.target)")?,
                }
                write!(f, "deploy branches: {branches}")
            }
        }
    }
}

impl fmt::Display for HookStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bare {
            writeln!(
                f,
                "a bare repository (a server's): git runs its post-receive hook, never a \
                 pre-push one; the server side:"
            )?;
        }
        if let Some(notice) = &self.pending {
            writeln!(f, "{notice}")?;
        }
        write!(f, "hook: {} (", self.hook.display())?;
        self.state.write_state(f)?;
        f.write_str(")\n")?;
        self.state.write_advice(f)?;
        if let Some(dispatch) = &self.dispatch {
            writeln!(f, "{dispatch}")?;
        }
        if let Some((legacy, order)) = &self.chained {
            writeln!(f, "chained: {} ({order})", legacy.display())?;
        }
        writeln!(
            f,
            "core.hooksPath: {}",
            self.hooks_path.as_deref().unwrap_or("(not set)")
        )?;
        if let Some(committed) = &self.committed {
            writeln!(f, "{committed}")?;
        }
        self.side.fmt(f)
    }
}

impl Line for HookStatus {
    fn stream(&self) -> Stream {
        Stream::Results
    }
}

/// The warnings of a [`HookStatus`] (settings envguard cannot use, consent the committed
/// file asks for), on stderr.
pub struct StatusWarnings<'a>(pub &'a HookStatus);

impl fmt::Display for StatusWarnings<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, warning) in self.0.warnings.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "warning: {warning}")?;
        }
        Ok(())
    }
}

impl Line for StatusWarnings<'_> {
    fn stream(&self) -> Stream {
        Stream::Messages
    }
}
impl fmt::Display for crate::error::DeployStepFirst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::error::DeployStepFirst;
        const AGAIN: &str = "then run `envguard hook install --server` again";
        match self {
            DeployStepFirst::GitlabSingleFile {
                single,
                dispatch,
                envguard,
            } => write!(
                f,
                "{} runs before every hook of {} (gitaly's order), so envguard would wipe the env \
                 after that hook deployed. Move it into the folder under a name that sorts after \
                 {envguard} (for example: mv {} {}/50-deploy), {AGAIN}",
                single.display(),
                dispatch.display(),
                single.display(),
                dispatch.display()
            ),
            DeployStepFirst::SortsFirst {
                names,
                dispatch,
                envguard,
            } => write!(
                f,
                "{} in {} would run before envguard's {envguard} (the dispatcher runs the folder \
                 in name order), so envguard would wipe the env that step just built. Rename {} \
                 to sort after {envguard} (for example 50-{}), {AGAIN}",
                names.join(", "),
                dispatch.display(),
                if names.len() == 1 { "it" } else { "them" },
                names
                    .first()
                    .map(String::as_str)
                    .unwrap_or_default()
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
            ),
        }
    }
}
