//! What the client side says: [`Hook`] and its wording.

use std::fmt;

use super::push::{Moved, PendingToggle, Resumed, Unverified};
use super::{Unchecked, WAYS_OUT, Waiting};
use crate::FileError;
use crate::output::hint::Fix;
use crate::output::secret::{SecretUrl, ShownCommand};
use crate::output::verdict::{ReasonList, VerdictLine};
use crate::output::{Line, Stream};
use crate::platform::detect::Evidence;
use crate::platform::{Mode, Platform};

/// What the client side (pre-push hook, `envguard push`) says.
#[derive(Debug, Clone)]
pub enum Hook {
    /// `ENVGUARD=0`.
    Disabled,
    /// A setting envguard cannot use refuses the push.
    BadSetting {
        error: crate::error::SharedError,
    },
    /// envguard failed; the push goes on unguarded.
    Internal {
        error: crate::error::SharedError,
    },
    /// A toggle in an atomic push of several refs: refused.
    AtomicToggle {
        refs: usize,
        remote: SecretUrl,
    },
    /// An internal failure in a mode that acts: the push is refused.
    InternalRefused {
        error: crate::error::SharedError,
    },
    /// No ref updates on the hook's input.
    NoInput,
    /// The push is not checked, and why.
    NotChecked {
        remote: SecretUrl,
        why: Unchecked,
    },
    /// An update that needs nothing: `skipped` reasons dropped by `Env-Wipe: skip`.
    Quiet {
        remote_ref: String,
        skipped: usize,
        /// The platform rule that makes nothing go stale, when one does (one line).
        rule: Option<FileError>,
        /// Nothing known to be deployed before (a new branch, no record, no tracking ref):
        /// compared with nothing.
        first: bool,
    },
    /// A setting from outside the repository that envguard cannot use.
    SettingWarning {
        warning: crate::SettingWarning,
    },
    /// The platform's deploy branch cannot be seen from the client (Dokku's deploy-branch,
    /// else the first branch pushed): every pushed branch is checked until it is named.
    DeployBranchUnknown {
        platform: Platform,
        remote: SecretUrl,
    },
    /// A toggle of an earlier push did not finish.
    Pending {
        notice: PendingToggle,
    },
    PlatformDetected {
        platform: Platform,
        why: Evidence,
    },
    PlatformAssumed {
        platform: Platform,
        remote: SecretUrl,
        /// Why the site could not be asked.
        why: crate::error::SharedError,
    },
    CannotAnalyse {
        remote_ref: String,
        error: crate::error::SharedError,
    },
    NotFastForward {
        remote_ref: String,
        remote: SecretUrl,
    },
    RefuseInvalid {
        errors: Vec<FileError>,
    },
    WarnStale {
        fix: Fix,
    },
    WouldAct {
        toggle: bool,
        remote_ref: String,
    },
    RefuseMode {
        mode: Mode,
        platform: Platform,
        fix: Fix,
    },
    RefuseToggle {
        error: crate::error::SharedError,
        /// The first toggle commit is deployed: the error says how to finish, and a push
        /// without the toggle would not fast-forward.
        halfway: bool,
    },
    /// What envguard waits on now (a deployment push, a call to the site): said before it
    /// starts, so a long wait is never silent.
    Waiting {
        what: Waiting,
    },
    /// The push needs a deployment but envguard runs inside another hook, whose later
    /// checks could still fail: it deploys nothing from there.
    InsideAnotherHook {
        runner: String,
    },
    /// The verdict of one update, with its reasons.
    Verdict {
        remote_ref: String,
        verdict: VerdictLine,
        /// Empty where the verdict is said without its reasons.
        reasons: ReasonList,
    },
    MarkerPushed {
        marker: String,
        remote: SecretUrl,
        branch: String,
    },
    /// envguard's record of what a deploy branch may hold could not be read or written.
    RecordNotWritten {
        path: std::path::PathBuf,
        remote_ref: String,
    },
    MarkerFailed {
        error: crate::error::SharedError,
    },
    ToggleReused {
        remote_ref: String,
        url: SecretUrl,
        t1: String,
        t2: String,
    },
    Toggle {
        remote_ref: String,
        original: String,
        toggle: String,
        t1: String,
        t2: String,
    },
    ToggleUnverified {
        why: Unverified,
    },
    ToggleDeployed {
        remote_ref: String,
        remote: SecretUrl,
        t2: String,
    },
    /// What moved in the repository after a toggle.
    Moved {
        moved: Moved,
    },
    NotPushedYet {
        refs: Vec<String>,
    },
    GitReportsFailure,
    /// What the site's deployment API says of the commits deployed.
    Deployments {
        deployments: super::Deployments,
    },
    /// What the push's remote wipe would send (`git push --dry-run`).
    SiteWipeDryRun {
        plan: super::SiteWipeDryRun,
    },
    SiteWiped {
        done: super::SiteWipe,
    },
    RemoteWipeRefused {
        error: crate::error::SharedError,
        can_toggle: bool,
    },
    PruneDryRun,
    /// The site deploys another branch than the stale ones this push updates: it deploys no
    /// stale env there, so the site's env is left as it is.
    SiteDeploysOther {
        deployed: String,
        /// The site sets `DEPLOYMENT_BRANCH` (else Kudu's default, `master`).
        set: bool,
        pushed: Vec<String>,
    },
    SitePruned {
        done: super::SitePrune,
    },
    PruneFailed {
        why: crate::error::SharedError,
    },
    UnpinnedVcs {
        name: String,
        text: String,
        platform: Platform,
        fix: Fix,
    },
    CommandNotSet,
    CommandDryRun {
        command: ShownCommand,
    },
    CommandRunning {
        command: ShownCommand,
    },
    CommandSucceeded,
    CommandOutput {
        line: String,
    },
    CommandFailed {
        output: Vec<String>,
    },
    CommandError {
        error: crate::error::SharedError,
    },
    NoToggleToResume,
    Resumed {
        done: Resumed,
    },
    PushingRest,
    NotVerified {
        error: crate::error::SharedError,
    },
    WrapperError {
        error: crate::error::SharedError,
    },
    /// The displaced hook could not be started.
    LegacyNotStarted {
        hook: String,
        error: crate::error::SharedError,
    },
    /// The displaced hook's end could not be waited for.
    LegacyLost {
        hook: String,
        error: crate::error::SharedError,
    },
}

impl Line for Hook {
    fn stream(&self) -> Stream {
        Stream::Messages
    }
}

fn ways_out(f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "\n{}\n{}", WAYS_OUT[0], WAYS_OUT[1])
}

impl fmt::Display for Hook {
    #[allow(
        clippy::too_many_lines,
        reason = "one arm per message: the hook's wording is meant to be read in one place"
    )]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hook::Disabled => f.write_str("ENVGUARD=0: pushing without the env check"),
            Hook::BadSetting { error } => write!(
                f,
                "error: {error}\npush refused: fix the setting, or push anyway with:\n{}",
                WAYS_OUT[1]
            ),
            Hook::Internal { error } => {
                write!(f, "warning: {error}; pushing without the env check")
            }
            Hook::AtomicToggle { refs, remote } => write!(
                f,
                "push refused: this push is --atomic and updates {refs} refs, and the runtime \
                 toggle deploys its two commits in pushes of their own first, which git could \
                 still refuse the rest of after the site deployed them. Push the deploy branch \
                 alone with `envguard push {remote} BRANCH`, then the other refs"
            ),
            Hook::InternalRefused { error } => write!(
                f,
                "error: {error}\npush refused: this remote's mode acts on the deployment, and \
                 envguard could not check this push. To push without envguard this once: \
                 ENVGUARD=0 git push ... (or git push --no-verify)"
            ),
            Hook::Pending { notice } => write!(f, "{notice}"),
            Hook::NoInput => f.write_str(
                "no ref updates on the hook's input: nothing to push, or a hook manager that \
                 does not pass git's input on (lefthook: `use_stdin: true` on envguard's entry), \
                 and then this push is not checked",
            ),
            Hook::NotChecked { remote, why } => match why {
                Unchecked::NotDeployRemote => write!(
                    f,
                    "{remote} is not a deploy remote, so this push is not checked (envguard.remoteName \
                     or envguard.remote names one)"
                ),
                Unchecked::ModeOff => {
                    write!(
                        f,
                        "envguard.mode is off for {remote}: this push is not checked"
                    )
                }
                Unchecked::NoDeployBranch {
                    branches,
                    assumed: false,
                } => write!(
                    f,
                    "this push to {remote} updates no deploy branch ({branches}), so nothing is \
                     checked"
                ),
                Unchecked::NoDeployBranch {
                    branches,
                    assumed: true,
                } => write!(
                    f,
                    "this push to {remote} updates no deploy branch ({branches}, assumed: the \
                     remote's HEAD branch, which the server deploys, is not known here), so \
                     nothing is checked; `git remote set-head {remote} --auto` reads it, or name \
                     it with `git config envguard.branch NAME`"
                ),
            },
            Hook::Quiet {
                remote_ref,
                rule: Some(rule),
                ..
            } => write!(f, "{remote_ref}: none: {rule}"),
            Hook::Quiet {
                remote_ref,
                skipped: 0,
                first: true,
                ..
            } => write!(
                f,
                "{remote_ref}: none (nothing known to be deployed before it, so nothing to go \
                 stale: compared with an empty repository)"
            ),
            Hook::Quiet {
                remote_ref,
                skipped: 0,
                ..
            } => write!(f, "{remote_ref}: none (nothing that needs a fresh env)"),
            Hook::Quiet {
                remote_ref,
                skipped,
                ..
            } => write!(
                f,
                "{remote_ref}: none ({skipped} reason(s) skipped by an Env-Wipe: skip trailer)"
            ),
            Hook::SettingWarning { warning } => write!(f, "warning: {warning}"),
            Hook::DeployBranchUnknown { platform, remote } => write!(
                f,
                "{remote} is {platform}, which deploys its deploy-branch, else the first branch \
                 pushed to the app; envguard cannot see which from here, so every branch pushed \
                 to {remote} is checked. Name it: `git config envguard.branch NAME` (and pin it \
                 on the server: `dokku git:set APP deploy-branch NAME`)"
            ),
            Hook::PlatformDetected { platform, why } => write!(
                f,
                "platform {platform}: {why} (recorded as envguard.platform)"
            ),
            Hook::PlatformAssumed {
                platform,
                remote,
                why,
            } => write!(
                f,
                "platform {platform} assumed (App Service on Windows): the site's API could not \
                 be asked ({why}); run `envguard platform detect {remote}` once to \
                 record the real one"
            ),
            Hook::CannotAnalyse { remote_ref, error } => write!(
                f,
                "warning: cannot analyse {remote_ref}: {error}; pushing it without the env check"
            ),
            Hook::NotFastForward { remote_ref, remote } => write!(
                f,
                "{remote_ref}: not a fast-forward of what {remote} has (someone pushed since you \
                 fetched?); git refuses it, so envguard does nothing. Fetch and merge, then push \
                 again"
            ),
            Hook::RefuseInvalid { errors } => {
                for e in errors {
                    writeln!(f, "error: {e}")?;
                }
                f.write_str(
                    "push refused: fix the file above and commit, or push anyway with one of:",
                )?;
                ways_out(f)
            }
            Hook::WarnStale { fix } => {
                write!(f, "the deployed env keeps the old packages; {fix}")
            }
            Hook::WouldAct { toggle, remote_ref } => write!(
                f,
                "dry run: would {} for {remote_ref}; nothing was pushed",
                if *toggle {
                    "insert the runtime toggle commits"
                } else {
                    "push the wipe marker"
                }
            ),
            Hook::RefuseMode {
                mode,
                platform,
                fix,
            } => {
                write!(
                    f,
                    "error: envguard.mode {} cannot rebuild the env on {platform}: {}\npush \
                     refused; {fix}",
                    mode.name(),
                    if *mode == Mode::Toggle {
                        "the platform does not select the runtime from runtime.txt, so a toggle \
                         would deploy twice onto the same env"
                    } else {
                        "it has no Kudu API to delete the env through"
                    }
                )?;
                ways_out(f)
            }
            Hook::Waiting { what } => write!(f, "{what}"),
            Hook::InsideAnotherHook { runner } => write!(
                f,
                "push refused: this push needs a fresh env, but envguard runs from {runner}; \
                 checks that run after it could still stop the push, so envguard deploys nothing \
                 from there.\n  Push with `envguard push` (same arguments as git push): it runs \
                 every pre-push check first and deploys only when all of them pass.\n{}\n{}",
                WAYS_OUT[0], WAYS_OUT[1]
            ),
            Hook::RefuseToggle {
                error,
                halfway: true,
            } => write!(f, "error: {error}"),
            Hook::RefuseToggle { error, .. } => {
                write!(
                    f,
                    "error: {error}\npush refused; to push without the toggle, use one of:"
                )?;
                ways_out(f)
            }
            Hook::Verdict {
                remote_ref,
                verdict,
                reasons,
            } => {
                write!(f, "{remote_ref}: {verdict}")?;
                if reasons.is_empty() {
                    return Ok(());
                }
                write!(f, "\n{reasons}")
            }
            Hook::MarkerPushed {
                marker,
                remote,
                branch,
            } => write!(
                f,
                "pushed the wipe marker {marker} to {remote}: envguard's post-receive hook on \
                 the server rebuilds env when {branch} arrives (without that hook the marker \
                 does nothing; `envguard hook install --server` there)"
            ),
            Hook::RecordNotWritten { path, remote_ref } => write!(
                f,
                "warning: cannot update {} (what {remote_ref} on the remote may hold): should \
                 the branch be deleted there, a later push cannot be judged against this one",
                path.display()
            ),
            Hook::MarkerFailed { error } => {
                write!(
                    f,
                    "error: {error}; without the marker the server would keep the stale env\npush \
                     refused; to push without the marker, use one of:"
                )?;
                ways_out(f)
            }
            Hook::ToggleReused {
                remote_ref,
                url,
                t1,
                t2,
            } => write!(
                f,
                "runtime toggle for {remote_ref} on {url}: the same toggle commits ({t1} then \
                 {t2}) as on the remote's other URL"
            ),
            Hook::Toggle {
                remote_ref,
                original,
                toggle,
                t1,
                t2,
            } => write!(
                f,
                "runtime toggle for {remote_ref}: {original} -> {toggle} -> {original} ({t1} \
                 then {t2})"
            ),
            Hook::ToggleUnverified { why } => write!(
                f,
                "each deployment recreates env when the platform follows runtime.txt (not \
                 verified: {why})"
            ),
            Hook::ToggleDeployed {
                remote_ref,
                remote,
                t2,
            } => write!(
                f,
                "the deployment push succeeded: {remote_ref} on {remote} is at {t2} (two \
                 deployments)."
            ),
            Hook::Moved { moved } => write!(f, "{moved}"),
            Hook::NotPushedYet { refs } => write!(
                f,
                "not pushed yet: {}; run the same git push again to push them.",
                refs.join(", ")
            ),
            Hook::GitReportsFailure => f.write_str(
                "git now reports this push as failed because a hook cannot change what git \
                 pushes; nothing is lost. `envguard push` does the same without this message.",
            ),
            Hook::Deployments { deployments } => deployments.fmt(f),
            Hook::SiteWipeDryRun { plan } => plan.fmt(f),
            Hook::SiteDeploysOther {
                deployed,
                set,
                pushed,
            } => write!(
                f,
                "the site deploys {deployed} ({}, asked now), and this push updates {} but not \
                 {deployed}: it deploys nothing there, so envguard leaves the site's env as it is",
                if *set {
                    "its DEPLOYMENT_BRANCH"
                } else {
                    "Kudu's default: the site sets no DEPLOYMENT_BRANCH"
                },
                pushed.join(", ")
            ),
            Hook::SiteWiped { done } => write!(
                f,
                "{done}; this push's deployment builds a new env\nif this push fails from here \
                 on, push again: the site gets its env back with its next deployment"
            ),
            Hook::RemoteWipeRefused { error, can_toggle } => {
                write!(
                    f,
                    "error: the env on the site was not deleted: {error}\npush refused, because \
                     it would deploy onto the stale env. Alternatives:"
                )?;
                if *can_toggle {
                    f.write_str(
                        "\n  the runtime toggle, which needs no API access: git config \
                         envguard.mode toggle",
                    )?;
                }
                f.write_str(
                    "\n  push without the wipe: an `Env-Wipe: skip` trailer on the tip, or \
                     ENVGUARD=0 git push ...",
                )
            }
            Hook::PruneDryRun => f.write_str(
                "dry run: would prune the site's env (the remote wipe where a prune is not safe)",
            ),
            Hook::SitePruned { done } => {
                write!(
                    f,
                    "{done}; this push's deployment installs what is new\nif this push fails \
                     from here on, the running site lacks what was uninstalled until its next \
                     deployment: push again"
                )
            }
            Hook::PruneFailed { why } => write!(
                f,
                "cannot prune the site's env ({why}); deleting it instead"
            ),
            Hook::UnpinnedVcs {
                name,
                text,
                platform,
                fix,
            } => write!(
                f,
                "note: {name} installs from a VCS branch or tag ('{text}'); {platform} keeps the \
                 installed revision {}: pin a commit id, or {fix}",
                if platform.facts().caches_install_layer {
                    "until a dependency file the build copies (requirements.txt, pyproject.toml, \
                     ...) changes: the image's install layer is cached"
                } else if platform.rebuilds_when_requirements_change() {
                    "until requirements.txt changes"
                } else {
                    "when the branch or tag moves (pip reinstalls it only when its URL changes)"
                }
            ),
            Hook::CommandNotSet => {
                f.write_str(
                    "error: envguard.mode is command, but envguard.command is not set\npush \
                     refused: set it (`git config envguard.command '<shell command>'`), or push \
                     anyway with one of:",
                )?;
                ways_out(f)
            }
            Hook::CommandDryRun { command } => {
                write!(f, "dry run: would run envguard.command: {command}")
            }
            Hook::CommandRunning { command } => write!(f, "running envguard.command: {command}"),
            Hook::CommandSucceeded => f.write_str("envguard.command succeeded; pushing"),
            Hook::CommandOutput { line } => write!(f, "  {line}"),
            Hook::CommandFailed { output } => {
                for line in output {
                    writeln!(f, "  {line}")?;
                }
                f.write_str(
                    "error: envguard.command failed, so the push would deploy onto the stale \
                     env\npush refused; fix the command, or push anyway with one of:",
                )?;
                ways_out(f)
            }
            Hook::CommandError { error } => {
                write!(f, "error: {error}\npush refused; push anyway with one of:")?;
                ways_out(f)
            }
            Hook::NoToggleToResume => f.write_str("no runtime toggle to resume"),
            Hook::Resumed { done } => write!(f, "{done}"),
            Hook::PushingRest => {
                f.write_str("the runtime toggle is deployed; pushing the rest of this push")
            }
            Hook::NotVerified { error } => {
                write!(f, "the deployment was not verified: {error}")
            }
            Hook::WrapperError { error } => write!(f, "error: {error}"),
            Hook::LegacyNotStarted { hook, error } => {
                write!(f, "warning: cannot run {hook}: {error}")
            }
            Hook::LegacyLost { hook, error } => write!(f, "warning: {hook}: {error}"),
        }
    }
}
