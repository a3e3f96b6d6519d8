//! What the server's post-receive hook says: [`Receive`], why it holds an env ([`Hold`]),
//! and their wording.

use std::fmt;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::FileError;
use crate::output::verdict::Causes;
use crate::output::{Line, Stream};

/// Why envguard must leave the env as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// These hooks ran before envguard's in this push and may have deployed it.
    RanBefore { hooks: Vec<PathBuf> },
    /// `path` changed after this push's refs were written (`began`).
    ChangedDuringPush {
        path: PathBuf,
        changed: SystemTime,
        began: SystemTime,
    },
    /// The env's Python started after this push's refs were written: a deploy step ran
    /// pip or the app with it (`path` is its `pyvenv.cfg`, which every start reads).
    UsedDuringPush {
        path: PathBuf,
        used: SystemTime,
        began: SystemTime,
    },
}

/// What the server's post-receive hook says (the pusher reads it as `remote:` lines).
#[derive(Debug, Clone)]
pub enum Receive {
    Disabled,
    Internal {
        error: crate::error::SharedError,
    },
    MarkerWaits {
        branch: String,
    },
    FileWarning {
        error: FileError,
    },
    CannotAnalyse {
        branch: String,
        error: crate::error::SharedError,
    },
    FreshEnvNeeded {
        branch: String,
        why: Causes,
        /// The env is pruned, not wiped.
        prune: bool,
    },
    EnvKept {
        branch: String,
    },
    NoTarget,
    WroteMarker {
        path: String,
    },
    CannotWriteMarker {
        path: String,
        error: crate::error::SharedError,
    },
    PrunedNothing {
        env: String,
    },
    Pruned {
        env: String,
        seconds: f64,
        names: Vec<String>,
    },
    CannotPrune {
        why: crate::error::SharedError,
    },
    /// Said before a wipe or a prune of the server's env starts.
    Working {
        env: String,
        prune: bool,
    },
    Wiped {
        done: super::WipeOutcome,
    },
    /// piku's venv got its time set back so that piku runs pip.
    PikuRunsPip {
        venv: String,
    },
    /// piku deploys the branch with poetry (pyproject.toml, no requirements.txt).
    PikuPoetry {
        branch: String,
        venv: String,
    },
    /// piku deploys the branch with uv (`uv sync`: exact).
    PikuUv {
        branch: String,
    },
    PikuMayNotRunPip {
        venv: String,
        error: crate::error::SharedError,
    },
    PikuWiped {
        done: super::WipeOutcome,
    },
    NotWiped {
        error: crate::error::SharedError,
        /// What the env may still hold, in words.
        stale: Causes,
        target: PathBuf,
        /// envguard refused (not a virtualenv, a link): the error says what to do.
        refused: bool,
    },
    /// At the moment of acting, the env showed that this push may have deployed already:
    /// envguard left it as it is.
    LeftAlone {
        env: std::path::PathBuf,
        hold: Hold,
        /// What the env may still hold, in words.
        stale: Causes,
        target: std::path::PathBuf,
    },
    /// Another push to the repository held its lock (its envguard and deploy step): this one
    /// waited for it.
    WaitedForAnotherPush,
    /// Trash a wipe could not delete (it holds no env any more).
    Leftover {
        path: std::path::PathBuf,
        error: crate::error::SharedError,
    },
    StaleMarker {
        branch: String,
        commit: String,
    },
    CannotDeleteMarker {
        name: String,
        error: crate::error::SharedError,
    },
}

impl Line for Receive {
    fn stream(&self) -> Stream {
        Stream::Results
    }
}

impl Receive {
    /// The lines about piku's own paths.
    fn piku_line(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Receive::PikuMayNotRunPip { venv, error } => write!(
                f,
                "warning: cannot set {venv}'s time back ({error}), so piku may not run pip for \
                 the changed requirements: run `piku deploy` for the app"
            ),
            Receive::PikuPoetry { branch, venv } => write!(
                f,
                "warning: piku deploys {branch} with poetry (pyproject.toml, no requirements.txt): \
                 `poetry install` removes nothing, so a package dropped from pyproject.toml or \
                 poetry.lock stays in {venv}. envguard leaves that venv as it is (the folder also \
                 holds the app's ENV, and piku leaves rebuilding it to poetry); commit a \
                 requirements.txt \
                 (`poetry export -o requirements.txt`) so piku takes the pip path envguard \
                 guards, or deploy with uv (`uv sync` is exact)"
            ),
            Receive::PikuUv { branch } => write!(
                f,
                "piku deploys {branch} with uv (pyproject.toml, no requirements.txt): `uv sync` \
                 makes the venv exactly the lock, so nothing goes stale"
            ),
            Receive::PikuRunsPip { venv } => write!(
                f,
                "set {venv}'s time back so that piku installs the changed requirements (it \
                 runs pip or poetry only when requirements.txt or pyproject.toml is newer than \
                 the venv)"
            ),
            Receive::PikuWiped { done } => write!(
                f,
                "{} (the virtualenv's bin, lib, include, share and pyvenv.cfg; the app's \
                 ENV, LIVE_ENV and SCALING are kept)",
                done.summary()
            ),
            _ => Ok(()),
        }
    }
}

impl Receive {
    /// The lines of an env envguard did not wipe, or not all of.
    fn not_wiped_line(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Receive::NotWiped {
                error,
                stale,
                refused: true,
                ..
            } => write!(
                f,
                "warning: env not wiped, it is as it was: {error}; the deployment installs \
                 into it as before, so it may still hold what a fresh install would not \
                 ({stale})\nTo fix: do as said above, then deploy again"
            ),
            Receive::NotWiped {
                error,
                stale,
                target,
                refused: false,
            } => write!(
                f,
                "warning: env not wiped, it is as it was: {error}; the deployment installs \
                 into it as before, so it may still hold what a fresh install would not \
                 ({stale})\nTo fix: remove the cause (chattr -i for an immutable folder, the \
                 owner's rights, a read-only mount), then `envguard wipe --target {}` and \
                 deploy again",
                shown_path(target)
            ),
            Receive::LeftAlone {
                env,
                hold,
                stale,
                target,
            } => left_alone(f, env, hold, stale, target),
            Receive::Leftover { path, error } => write!(
                f,
                "note: {} is left over ({error}); it is no env any more, so no deployment uses \
                 it. Remove it as its owner: rm -rf -- '{}' (with sudo if root owns a file in \
                 it; chattr -R -i first if a file is immutable)",
                path.display(),
                path.display()
            ),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Receive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Receive::Disabled => f.write_str("ENVGUARD=0: deploying without the env check"),
            Receive::Internal { error } => {
                write!(f, "warning: {error}; deploying without the env check")
            }
            Receive::MarkerWaits { branch } => write!(
                f,
                "wipe marker for {branch} received; env is rebuilt when {branch} arrives"
            ),
            Receive::FileWarning { error } => write!(f, "warning: {error}"),
            Receive::CannotAnalyse { branch, error } => {
                write!(f, "warning: cannot analyse {branch}: {error}")
            }
            Receive::FreshEnvNeeded {
                branch,
                why,
                prune: true,
            } => write!(
                f,
                "{branch}: the env keeps packages it no longer needs ({why})"
            ),
            Receive::FreshEnvNeeded { branch, why, .. } => {
                write!(f, "{branch}: fresh env needed ({why})")
            }
            Receive::EnvKept { branch } => {
                write!(f, "{branch}: env kept (nothing that needs a fresh env)")
            }
            Receive::NoTarget => f.write_str(
                "warning: envguard.target is not set, so there is no env to act on; set it \
                 with `git config envguard.target /path/to/deployment`",
            ),
            Receive::WroteMarker { path } => write!(f, "wrote {path} for the deploy script"),
            Receive::CannotWriteMarker { path, error } => {
                write!(f, "warning: cannot write {path}: {error}")
            }
            Receive::PrunedNothing { env } => write!(
                f,
                "pruned nothing from {env}: it already holds exactly what the requirements need"
            ),
            Receive::Pruned {
                env,
                seconds,
                names,
            } => write!(
                f,
                "pruned {} distribution(s) from {env} in {seconds:.2} s: {}",
                names.len(),
                names.join(", ")
            ),
            Receive::CannotPrune { why } => write!(f, "cannot prune ({why}); wiping instead"),
            Receive::Working { env, prune: false } => write!(f, "wiping {env} ..."),
            Receive::Working { env, prune: true } => {
                write!(f, "pruning {env} (reading what is installed) ...")
            }
            Receive::Wiped { done } => f.write_str(&done.summary()),
            Receive::PikuPoetry { .. }
            | Receive::PikuUv { .. }
            | Receive::PikuRunsPip { .. }
            | Receive::PikuMayNotRunPip { .. }
            | Receive::PikuWiped { .. } => self.piku_line(f),
            Receive::WaitedForAnotherPush => f.write_str(
                "waited for another push to this repository to finish deploying, so the env is \
                 checked as that deployment left it",
            ),
            Receive::NotWiped { .. } | Receive::LeftAlone { .. } | Receive::Leftover { .. } => {
                self.not_wiped_line(f)
            }
            Receive::StaleMarker { branch, commit } => write!(
                f,
                "wipe marker for {branch} at {commit} is stale (that commit was deployed \
                 before); deleted"
            ),
            Receive::CannotDeleteMarker { name, error } => {
                write!(f, "warning: cannot delete {name}: {error}")
            }
        }
    }
}

/// The lines of [`Receive::LeftAlone`]: why the env was left, what it may hold, the fix.
fn left_alone(
    f: &mut fmt::Formatter<'_>,
    env: &std::path::Path,
    hold: &Hold,
    stale: &Causes,
    target: &std::path::Path,
) -> fmt::Result {
    write!(f, "warning: envguard left {} as it is: ", env.display())?;
    match hold {
        Hold::RanBefore { hooks } => write!(
            f,
            "{} ran before envguard's hook in this push and may have deployed it already (a \
             wipe now could delete the env that deployment built)",
            hooks
                .iter()
                .map(|h| shown_path(h))
                .collect::<Vec<_>>()
                .join(", ")
        )?,
        Hold::ChangedDuringPush {
            path,
            changed,
            began,
        } => write!(
            f,
            "{} changed {:.3} s after this push's refs were written, so a deploy step of this \
             push (or another push) built or changed it already",
            path.display(),
            changed
                .duration_since(*began)
                .unwrap_or_default()
                .as_secs_f64()
        )?,
        Hold::UsedDuringPush { path, used, began } => write!(
            f,
            "its Python ran {:.3} s after this push's refs were written (it read {}), so a \
             deploy step of this push (or another push) ran pip or the app with it already",
            used.duration_since(*began)
                .unwrap_or_default()
                .as_secs_f64(),
            path.display()
        )?,
    }
    write!(
        f,
        "\nit may still hold what a fresh install would not ({stale}). To fix: make \
         envguard's hook run before every deploy step (`envguard hook status --server` shows \
         the order), then, with no deployment running, `envguard wipe --target {}` and deploy \
         again",
        target.display()
    )
}

/// A path to show on one line: control characters (a newline in a file name) escaped, so a
/// name cannot forge a line of its own.
fn shown_path(path: &std::path::Path) -> String {
    path.display()
        .to_string()
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}
