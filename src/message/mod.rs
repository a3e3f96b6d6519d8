//! Every message a hook of envguard says, as a typed value, split by side: the client's
//! pre-push hook and `envguard push` ([`Hook`], on stderr, where git shows a hook's words),
//! the server's post-receive hook ([`Receive`], on stdout, which the pusher sees as `remote:`
//! lines), and how a command ended ([`Command`]). The wording of each lives in its `Display`
//! here; the executors decide which message, the printer ([`crate::output::emit`]) writes it.
//! Fields that may hold a secret are [`SecretUrl`]s or
//! [`ShownCommand`](crate::output::secret::ShownCommand)s, whose `Display` redacts.

use std::fmt;

use crate::output::secret::SecretUrl;

mod command;
mod hook;
mod install;
mod receive;
mod report;
mod status;

pub use command::Command;
pub use hook::Hook;
pub use install::{InstallReport, InstallStep, InstallWarnings};
pub use receive::{Hold, Receive};
pub use report::{
    DeployBranches, DeploymentReport, Deployments, DetectReport, EnvOutcome, Leftover,
    PlatformLabel, PlatformReport, RemotePlatform, RemoteWipeReport, ScriptWritten, SiteProject,
    SitePrune, SiteWipe, SiteWipeDryRun, Uninstalled, WipeOutcome, Wiped,
};
pub use status::{
    CommittedSettings, DispatchOrder, HookState, HookStatus, RemoteStatus, ServerTarget,
    SideStatus, StatusWarnings, ToggleRuntime,
};

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
