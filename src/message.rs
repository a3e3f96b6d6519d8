//! Every message a hook of envguard says, as a typed value: the client's pre-push hook and
//! `envguard push` ([`Hook`], on stderr, where git shows a hook's words), and the server's
//! post-receive hook ([`Receive`], on stdout, which the pusher sees as `remote:` lines). The
//! wording lives here and nowhere else; the executors decide which message, the printer
//! ([`crate::output::emit`]) writes it. Fields that may hold a secret are [`SecretUrl`]s or
//! [`ShownCommand`]s, whose `Display` redacts.

use std::fmt;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::FileError;
use crate::output::secret::{SecretUrl, ShownCommand};
use crate::output::{Line, Stream};
use crate::platform::{Mode, Platform};

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
    NoDeployBranch { branches: String },
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

/// What the client side (pre-push hook, `envguard push`) says.
#[derive(Debug, Clone)]
pub enum Hook {
    /// `ENVGUARD=0`.
    Disabled,
    /// A setting envguard cannot use refuses the push.
    BadSetting {
        error: String,
    },
    /// envguard failed; the push goes on unguarded.
    Internal {
        error: String,
    },
    /// A toggle in an atomic push of several refs: refused.
    AtomicToggle {
        refs: usize,
        remote: SecretUrl,
    },
    /// An internal failure in a mode that acts: the push is refused.
    InternalRefused {
        error: String,
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
        rule: Option<String>,
        /// Nothing known to be deployed before (a new branch, no record, no tracking ref):
        /// compared with nothing.
        first: bool,
    },
    /// A setting from outside the repository that envguard cannot use.
    SettingWarning {
        text: String,
    },
    /// The platform's deploy branch cannot be seen from the client (Dokku's deploy-branch,
    /// else the first branch pushed): every pushed branch is checked until it is named.
    DeployBranchUnknown {
        platform: Platform,
        remote: SecretUrl,
    },
    /// A toggle of an earlier push did not finish.
    Pending {
        notice: String,
    },
    PlatformDetected {
        platform: Platform,
        why: String,
    },
    PlatformAssumed {
        platform: Platform,
        remote: SecretUrl,
        /// Why the site could not be asked.
        why: String,
    },
    CannotAnalyse {
        remote_ref: String,
        error: String,
    },
    NotFastForward {
        remote_ref: String,
        remote: SecretUrl,
    },
    RefuseInvalid {
        errors: Vec<FileError>,
    },
    WarnStale {
        fix: String,
    },
    WouldAct {
        toggle: bool,
        remote_ref: String,
    },
    RefuseMode {
        mode: Mode,
        platform: Platform,
        fix: String,
    },
    RefuseToggle {
        error: String,
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
        verdict: String,
        reasons: Vec<String>,
    },
    MarkerPushed {
        marker: String,
        remote: SecretUrl,
        branch: String,
    },
    MarkerFailed {
        error: String,
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
        why: String,
    },
    ToggleDeployed {
        remote_ref: String,
        remote: SecretUrl,
        t2: String,
    },
    /// What moved in the repository after a toggle.
    Moved {
        line: String,
    },
    NotPushedYet {
        refs: Vec<String>,
    },
    GitReportsFailure,
    /// Lines of a site's deployment log or a remote wipe's dry run.
    Site {
        lines: Vec<String>,
    },
    SiteWiped {
        done: String,
    },
    RemoteWipeRefused {
        error: String,
        can_toggle: bool,
    },
    PruneDryRun,
    /// The site deploys another branch than the stale ones this push updates: it deploys no
    /// stale env there, so the site's env is left as it is.
    SiteDeploysOther {
        deployed: String,
        pushed: Vec<String>,
    },
    SitePruned {
        done: String,
    },
    PruneFailed {
        why: String,
    },
    UnpinnedVcs {
        name: String,
        text: String,
        platform: Platform,
        fix: String,
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
        error: String,
    },
    NoToggleToResume,
    Resumed {
        done: String,
    },
    PushingRest,
    NotVerified {
        error: String,
    },
    WrapperError {
        error: String,
    },
    /// The displaced hook could not be started.
    LegacyNotStarted {
        hook: String,
        error: String,
    },
    /// The displaced hook's end could not be waited for.
    LegacyLost {
        hook: String,
        error: String,
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
            Hook::Pending { notice } => f.write_str(notice),
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
                Unchecked::NoDeployBranch { branches } => write!(
                    f,
                    "this push to {remote} updates no deploy branch ({branches}), so nothing is \
                     checked"
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
            Hook::SettingWarning { text } => write!(f, "warning: {text}"),
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
            Hook::RefuseToggle { error } => {
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
                reasons.iter().try_for_each(|r| write!(f, "\n{r}"))
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
            Hook::MarkerFailed { error } => {
                write!(f, "warning: {error}; the server will not rebuild env")
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
            Hook::Moved { line } => f.write_str(line),
            Hook::NotPushedYet { refs } => write!(
                f,
                "not pushed yet: {}; run the same git push again to push them.",
                refs.join(", ")
            ),
            Hook::GitReportsFailure => f.write_str(
                "git now reports this push as failed because a hook cannot change what git \
                 pushes; nothing is lost. `envguard push` does the same without this message.",
            ),
            Hook::Site { lines } => f.write_str(&lines.join("\n")),
            Hook::SiteDeploysOther { deployed, pushed } => write!(
                f,
                "the site deploys {deployed} (its DEPLOYMENT_BRANCH, asked now), and this push \
                 updates {} but not {deployed}: it deploys nothing there, so envguard leaves \
                 the site's env as it is",
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
            Hook::Resumed { done } => f.write_str(done),
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

/// What a command says about how it ended (its results are its own lines on stdout).
#[derive(Debug, Clone)]
pub enum Command {
    /// The command line asks for something that cannot be.
    Usage {
        text: String,
    },
    CannotCheck {
        why: String,
    },
    CannotCompare {
        error: String,
    },
    Failed {
        error: String,
    },
    /// A panic inside a hook: the push or deployment goes on.
    Internal {
        info: String,
        going_on: &'static str,
    },
    /// One line of a command's result (`hook status`, `platform`, `wipe`).
    Result {
        line: String,
    },
    /// A line about a command's result, on stderr beside a result that is alone on stdout.
    Note {
        line: String,
    },
}

impl Line for Command {
    fn stream(&self) -> Stream {
        match self {
            Command::Result { .. } => Stream::Results,
            _ => Stream::Messages,
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Usage { text } => f.write_str(text),
            Command::CannotCheck { why } => write!(f, "cannot check here: {why}"),
            Command::CannotCompare { error } => write!(f, "cannot compare: {error}"),
            Command::Failed { error } => f.write_str(error),
            Command::Note { line } => f.write_str(line),
            Command::Internal { info, going_on } => write!(
                f,
                "internal error ({info}); {going_on} without the env check"
            ),
            Command::Result { line } => f.write_str(line),
        }
    }
}

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
        error: String,
    },
    MarkerWaits {
        branch: String,
    },
    FileWarning {
        error: FileError,
    },
    CannotAnalyse {
        branch: String,
        error: String,
    },
    FreshEnvNeeded {
        branch: String,
        why: String,
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
        error: String,
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
        why: String,
    },
    /// Said before a wipe or a prune of the server's env starts.
    Working {
        env: String,
        prune: bool,
    },
    Wiped {
        done: String,
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
        error: String,
    },
    PikuWiped {
        done: String,
    },
    NotWiped {
        error: String,
        /// What the env may still hold, in words.
        stale: String,
        target: PathBuf,
    },
    /// At the moment of acting, the env showed that this push may have deployed already:
    /// envguard left it as it is.
    LeftAlone {
        env: std::path::PathBuf,
        hold: Hold,
        /// What the env may still hold, in words.
        stale: String,
        target: std::path::PathBuf,
    },
    /// Another push to the repository held its lock (its envguard and deploy step): this one
    /// waited for it.
    WaitedForAnotherPush,
    /// Trash a wipe could not delete (it holds no env any more).
    Leftover {
        path: std::path::PathBuf,
        error: String,
    },
    StaleMarker {
        branch: String,
        commit: String,
    },
    CannotDeleteMarker {
        name: String,
        error: String,
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
                "{done} (the virtualenv's bin, lib, include, share and pyvenv.cfg; the app's \
                 ENV, LIVE_ENV and SCALING are kept)"
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
                target,
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
            Receive::Wiped { done } => f.write_str(done),
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
    stale: &str,
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
