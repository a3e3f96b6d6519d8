//! What the client side says around a push besides its verdict: the ways to push anyway
//! ([`WAYS_OUT`]), why a push is not checked ([`Unchecked`]), the long steps it waits on
//! ([`Waiting`]), and a runtime toggle's state: unfinished ([`PendingToggle`],
//! [`INTERRUPTED`]) or done ([`Moved`]).

use std::fmt;

use crate::output::secret::SecretUrl;

/// The ways to push anyway, said after every refusal.
pub const WAYS_OUT: [&str; 2] = [
    "  an `Env-Wipe: skip` trailer on the pushed tip commit (git commit --amend --trailer 'Env-Wipe: skip'),",
    "  ENVGUARD=0 git push ...   or   git push --no-verify ...",
];

/// Why a push is not checked.
#[derive(Debug, Clone)]
pub enum Unchecked {
    NotDeployRemote,
    ModeOff,
    /// `assumed`: the remote's HEAD branch is not known here.
    NoDeployBranch {
        branches: String,
        assumed: bool,
    },
}

/// A long step of the client side, said before it starts.
#[derive(Debug, Clone)]
pub enum Waiting {
    /// The toggle's first or second push (1 or 2): a deployment on the platform.
    TogglePush {
        step: u8,
        commit: String,
        remote_ref: String,
        remote: SecretUrl,
    },
    /// A call to the site's API that deletes (`prune`: uninstalls from) the env.
    Site { prune: bool },
    /// Questions to the site's API (which platform it runs), answered within `seconds`.
    Asking { site: SecretUrl, seconds: u64 },
}

impl fmt::Display for Waiting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Waiting::TogglePush {
                step,
                commit,
                remote_ref,
                remote,
            } => write!(
                f,
                "deployment {step} of 2: pushing {commit} to {remote_ref} on {remote}; {}",
                if *step == 1 {
                    "the platform builds an env with the toggle runtime (minutes on App Service)"
                } else {
                    "the platform builds an env with your runtime again (minutes on App Service)"
                }
            ),
            Waiting::Asking { site, seconds } => write!(
                f,
                "asking {site} which platform it runs (up to {seconds} s) ..."
            ),
            Waiting::Site { prune: false } => {
                f.write_str("deleting the env on the site over its API, before git pushes")
            }
            Waiting::Site { prune: true } => f.write_str(
                "uninstalling what the requirements no longer need on the site over its API, \
                 before git pushes",
            ),
        }
    }
}

/// A runtime toggle that did not finish: where it stopped and how to finish it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingToggle {
    pub remote_ref: String,
    pub remote: SecretUrl,
    /// The first toggle commit and the user's commit, shortened.
    pub t1: String,
    pub tip: String,
}

impl fmt::Display for PendingToggle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a runtime toggle did not finish: {} on {} may be at the first toggle commit {} (the \
             toggle runtime), not at your commit {}. Finish it with `envguard push --resume` \
             before pushing again (`git pull` would bring the toggle runtime into your branch)",
            self.remote_ref, self.remote, self.t1, self.tip
        )
    }
}

/// The line said when Ctrl-C or a kill stops the toggle: the state file stays, so the
/// resume finishes it.
pub const INTERRUPTED: &str = "\nenvguard: interrupted during the runtime toggle; the remote may be at the first toggle commit. Finish it with `envguard push --resume`.\n";

/// What moved in the repository after a toggle: the pushed branch, or nothing (a push from a
/// detached HEAD, a tag or a commit id moves no branch; an operation in progress owns it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The second toggle commit and the user's commit, shortened.
    pub t2: String,
    pub tip: String,
    /// The branch moved to T2.
    pub branch: Option<String>,
    /// The operation in progress (`rebase`) that kept the branch where it was.
    pub operation: Option<String>,
    /// What the user pushed (`HEAD`, a tag's ref, a branch's ref).
    pub local_ref: Option<String>,
}

impl fmt::Display for Moved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (t2, tip) = (&self.t2, &self.tip);
        if let Some(operation) = &self.operation {
            return write!(
                f,
                "no branch was moved because a {operation} is in progress; when it is done, the \
                 deployed commit is {t2} (same files as your commit {tip}, plus the two toggle \
                 commits)"
            );
        }
        if let Some(branch) = &self.branch {
            return write!(
                f,
                "{branch} now points at {t2} too: same files as your commit {tip}, plus the two \
                 toggle commits."
            );
        }
        f.write_str("no branch was moved (you pushed ")?;
        match self.local_ref.as_deref() {
            Some("HEAD") => f.write_str("a detached HEAD")?,
            Some(r) if r.starts_with("refs/tags/") => write!(f, "the tag {}", &r[10..])?,
            Some(r) => f.write_str(r)?,
            None => write!(f, "the commit {tip}")?,
        }
        write!(
            f,
            "); to build on what is deployed: git checkout {t2} (same files as {tip}, plus the \
             two toggle commits)"
        )
    }
}

/// Why a toggle's two deployments were not verified on the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unverified {
    /// The remote has no Kudu API address.
    NoSiteApi,
    /// The site's deployment API gave no answer envguard could use (no credentials, refused,
    /// unreachable).
    NoAnswer,
}

impl fmt::Display for Unverified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unverified::NoSiteApi => {
                "no Kudu API address for this remote; envguard.scmUrl gives one"
            }
            Unverified::NoAnswer => {
                "the site's deployment API gave no answer envguard could use (`envguard -v \
                 push` shows why)"
            }
        })
    }
}

/// What `envguard push --resume` did: the remote ref is at the second toggle commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumed {
    pub remote_ref: String,
    pub remote: SecretUrl,
    /// The second toggle commit, shortened.
    pub t2: String,
    /// It was there already: the resume only moved the local branch.
    pub already: bool,
}

impl fmt::Display for Resumed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Resumed {
            remote_ref,
            remote,
            t2,
            already,
        } = self;
        if *already {
            write!(
                f,
                "{remote_ref} on {remote} was already at {t2}; the toggle is complete"
            )
        } else {
            write!(
                f,
                "resumed: {remote_ref} on {remote} is at {t2}, the toggle is complete"
            )
        }
    }
}
