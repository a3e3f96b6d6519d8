//! How a program envguard runs failed: a nested `git push` ([`PushRefused`]), a program
//! that could not run ([`Program`], [`RunStep`]), what a failed git command was asked
//! ([`GitAsked`]).

use std::fmt;

/// A nested push that failed: where it went, and how it failed.
#[derive(Debug, thiserror::Error)]
#[error("{failure}")]
pub struct PushRefused {
    /// The remote ref was not what the lease expected: someone else pushed.
    pub moved: bool,
    pub failure: PushFailure,
}

/// How a nested `git push` failed.
#[derive(Debug, thiserror::Error)]
pub enum PushFailure {
    #[error("cannot run git push: {0}")]
    Start(#[source] std::io::Error),
    #[error("git push: {0}")]
    Wait(#[source] std::io::Error),
    /// git refused it: the remote (as it may be shown), the commit (short) and the ref.
    #[error("git push {remote} {commit}:{remote_ref} failed ({status})")]
    Exit {
        remote: String,
        commit: String,
        remote_ref: String,
        status: std::process::ExitStatus,
    },
}

/// A program envguard runs, as errors name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Git,
    GitPush,
    GitLsRemote,
    GitCatFile,
    GitCommitTree,
    GitCredential,
    /// The shell that runs `envguard.command`.
    Sh,
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Program::Git => "git",
            Program::GitPush => "git push",
            Program::GitLsRemote => "git ls-remote",
            Program::GitCatFile => "git cat-file",
            Program::GitCommitTree => "git commit-tree",
            Program::GitCredential => "git credential",
            Program::Sh => "sh",
        })
    }
}

/// The step at which running a program failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStep {
    Start,
    Input,
    Wait,
}

/// What a nested git command was asked, for its failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitAsked {
    /// Where `remote_ref` is on `remote` (as it may be shown).
    LsRemote { remote: String, remote_ref: String },
    /// `git credential <action>`.
    Credential { action: &'static str },
    /// A signed commit.
    SignedCommit,
}

impl fmt::Display for GitAsked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitAsked::LsRemote { remote, remote_ref } => {
                write!(f, "asking {remote} where {remote_ref} is (git ls-remote)")
            }
            GitAsked::Credential { action } => write!(f, "git credential {action}"),
            GitAsked::SignedCommit => f.write_str("git commit-tree -S"),
        }
    }
}
