//! How a command ended: [`Command`] and its wording (a command's result is its report).

use std::fmt;

use crate::output::{Line, Stream};
use crate::{Error, UsageError};

/// What a hook does after a panic inside envguard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterPanic {
    /// The pre-push hook in a mode that only advises: git pushes.
    Pushing,
    /// The post-receive hook: the deployment goes on.
    Deploying,
    /// The pre-push hook in a mode that acts on the deployment: the push is refused.
    Refused,
    /// A command: it stopped.
    Stopped,
}

/// What a command says about how it ended (its results are its own lines on stdout).
#[derive(Debug)]
pub enum Command<'a> {
    /// The command line asks for something that cannot be.
    Usage { error: &'a UsageError },
    /// `check` cannot run here.
    CannotCheck { error: &'a Error },
    /// `env diff` cannot compare.
    CannotCompare { error: &'a Error },
    Failed {
        error: &'a (dyn std::error::Error + 'static),
    },
    /// A panic inside a hook.
    Internal { info: String, then: AfterPanic },
}

impl Line for Command<'_> {
    fn stream(&self) -> Stream {
        Stream::Messages
    }
}

impl fmt::Display for Command<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Usage { error } => write!(f, "{error}"),
            Command::CannotCheck { error } => {
                f.write_str("cannot check here: ")?;
                cannot_run_here(f, error)
            }
            Command::CannotCompare { error } => write!(f, "cannot compare: {error}"),
            Command::Failed { error } => write!(f, "{error}"),
            Command::Internal {
                info,
                then: AfterPanic::Stopped,
            } => write!(
                f,
                "internal error ({info}); the command stopped (a bug in envguard)"
            ),
            Command::Internal { info, then } => {
                write!(f, "internal error ({info}); ")?;
                f.write_str(match then {
                    AfterPanic::Pushing => "pushing without the env check",
                    AfterPanic::Deploying => "deploying without the env check",
                    AfterPanic::Stopped | AfterPanic::Refused => {
                        "the push is refused (this remote's mode acts on the deployment; \
                         ENVGUARD=0 git push ... pushes without envguard) rather than going on \
                         without the env check"
                    }
                })
            }
        }
    }
}

/// The reason a command cannot run in this directory, in the user's words.
fn cannot_run_here(f: &mut fmt::Formatter<'_>, e: &Error) -> fmt::Result {
    let outside = matches!(e, Error::NotARepository)
        || e.git_code() == Some((git2::ErrorClass::Repository, git2::ErrorCode::NotFound));
    if outside {
        return f.write_str("not in a git repository; run it inside your app's repository");
    }
    match e.git_code() {
        Some((_, git2::ErrorCode::UnbornBranch)) => {
            f.write_str("the repository has no commit yet; commit first")
        }
        _ => write!(f, "{e}"),
    }
}
