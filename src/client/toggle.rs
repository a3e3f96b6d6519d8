//! The runtime toggle: two commits on top of the pushed tip. T1 switches runtime.txt to
//! another runtime, T2 restores it (T2's tree is the tip's tree, byte for byte). Each is
//! pushed on its own, so the platform deploys twice and recreates `env` both times. The
//! commits are made with git2 from trees, never through the worktree or index.

use git2::{Oid, Repository};

pub use crate::pending::{INTERRUPTED, ToggleState, pending_notice};

use crate::analyze::Analysis;
use crate::config::Config;
use crate::error::toggle::ToggleError;
use crate::gitcli::{self, Lease};
use crate::output::push::Resumed;
use crate::output::secret::SecretUrl;
use crate::output::verdict::{Summary, short_id};
use crate::{Error, Result, vars};

/// The two commits of a toggle.
#[derive(Debug, Clone)]
pub struct ToggleCommits {
    pub t1: Oid,
    pub t2: Oid,
    /// The tip's runtime value (`None`: the tip has no runtime.txt).
    pub original: Option<String>,
    pub toggle: String,
    /// The pushed tip was already the T2 of a pair (pushed to another URL first).
    pub reused: bool,
}

/// The runtime the toggle switches to, the tip's runtime (if any) and the runtime file's
/// path, or why there is no toggle: a toggle runtime Kudu would not select, one that selects
/// the same runtime, or no runtime.txt and no toggle runtime.
fn choose_runtime(
    config: &Config,
    analysis: &Analysis,
) -> Result<(String, Option<String>, String)> {
    let runtime_path = analysis.runtime_path();
    let current = analysis.runtime.clone().map_err(Error::WatchedFile)?;
    // The toggle runtime must be one Kudu selects, or the first deployment fails.
    if let Some(t) = &config.toggle_runtime
        && crate::runtime::kudu_select(t.as_bytes(), &config.runtimes).is_none()
    {
        return Err(Error::config(
            "envguard.toggleRuntime",
            t,
            &format!(
                "a runtime Kudu supports: one starting with {}",
                config.runtimes.join(", ")
            ),
        ));
    }
    let toggle = match &current {
        Some(value) => {
            config
                .toggle_runtime_for(value)
                .ok_or_else(|| match &config.toggle_runtime {
                    Some(t) => ToggleError::SameRuntime {
                        toggle: t.clone(),
                        runtime_path: runtime_path.clone(),
                        current: value.clone(),
                        runtimes: config.runtimes.clone(),
                    },
                    None => ToggleError::NoOtherRuntime {
                        runtime_path: runtime_path.clone(),
                        current: value.clone(),
                    },
                })?
        }
        // Without runtime.txt the site runs its configured Python, which envguard cannot
        // see: it suggests no runtime that might be that one.
        None => config
            .toggle_runtime
            .clone()
            .ok_or_else(|| ToggleError::NoRuntimeFile {
                runtime_path: runtime_path.clone(),
            })?,
    };
    Ok((toggle, current, runtime_path))
}

/// Builds T1 and T2 on top of the analysed tip, from the runtime the analysis read. Errors
/// here are the user's to fix (no runtime to toggle to, no git identity), so their messages
/// say how.
pub fn build(repo: &Repository, config: &Config, analysis: &Analysis) -> Result<ToggleCommits> {
    let tip = analysis.new;
    let tip_commit = repo.find_commit(tip)?;
    // A tip that is already a toggle's T2 (the push to another URL of the same remote, after
    // the first one moved the branch): the same pair, so every site ends on the same commit.
    if let Some(pair) = existing_pair(&tip_commit) {
        return Ok(pair);
    }
    let tree = tip_commit.tree()?;
    let (toggle, current, runtime_path) = choose_runtime(config, analysis)?;
    let author = identity(repo, "AUTHOR")?;
    let committer = identity(repo, "COMMITTER")?;
    let blob = repo.blob(format!("{toggle}\n").as_bytes())?;
    let parts: Vec<&str> = runtime_path.split('/').collect();
    let t1_tree = repo.find_tree(replace_path(repo, Some(&tree), &parts, blob)?)?;
    // Commit messages go to the remote's history for good: names and redacted sources only.
    let why = crate::output::secret::scrub(&Summary(&analysis.reasons).to_string());
    let from = current
        .clone()
        .unwrap_or_else(|| "the site's default (no runtime.txt)".to_string());
    let t1_message = format!(
        "envguard: switch runtime to {toggle} to rebuild env\n\n\
         The pushed commits need a fresh virtualenv on the deployment ({why}).\n\
         A runtime change makes the platform recreate env; the next commit\n\
         switches back to {from}, so both deployments start from a new env.\n\n\
         {TOGGLE_TRAILER}\nEnv-Wipe-Reason: {why}\n"
    );
    // Signed like the user's commits: git signs them (gpg, ssh or x509, as configured).
    let sign = wants_signature(repo, &tip_commit);
    let commit =
        |message: &str, tree: &git2::Tree, parent: &git2::Commit| -> Result<Oid> {
            if sign {
                let id = gitcli::commit_tree(repo.path(), tree.id(), parent.id(), message)
                    .map_err(|e| ToggleError::Signing {
                        reason: match e {
                            Error::GitCommand { reason, .. } => reason,
                            other => other.to_string(),
                        },
                        by_config: config_gpgsign(repo),
                    })?;
                Ok(Oid::from_str_ext(&id, repo.object_format())?)
            } else {
                Ok(repo.commit(None, &author, &committer, message, tree, &[parent])?)
            }
        };
    let t1 = commit(&t1_message, &t1_tree, &tip_commit)?;
    let t1_commit = repo.find_commit(t1)?;
    let t2_message = format!(
        "envguard: switch runtime back to {from}\n\n\
         Second commit of the runtime toggle: the files are exactly those of\n\
         {tip}.\n\n\
         {TOGGLE_TRAILER}\nEnv-Wipe-Reason: {why}\n"
    );
    let t2 = commit(&t2_message, &tree, &t1_commit)?;
    Ok(ToggleCommits {
        t1,
        t2,
        original: current,
        toggle,
        reused: false,
    })
}

fn config_gpgsign(repo: &Repository) -> bool {
    crate::config::scope::repository_config(repo)
        .ok()
        .and_then(|c| c.get_bool("commit.gpgsign").ok())
        .unwrap_or(false)
}

/// Whether T1 and T2 must be signed: `commit.gpgsign`, or a signed tip.
fn wants_signature(repo: &Repository, tip: &git2::Commit) -> bool {
    config_gpgsign(repo) || repo.extract_signature(&tip.id(), None).is_ok()
}

/// The pair a toggle of `tip` made already, found where it moved the pushed branch
/// `local_ref` (git pushes to a remote's URLs one after the other, each with the refs it
/// read at the start, so the second URL is asked to push the tip again).
pub fn made_for(repo: &Repository, local_ref: Option<&str>, tip: Oid) -> Option<ToggleCommits> {
    let now = repo
        .revparse_single(local_ref?)
        .ok()?
        .peel_to_commit()
        .ok()?;
    let pair = existing_pair(&now)?;
    let t1 = repo.find_commit(pair.t1).ok()?;
    (t1.parent_id(0).ok()? == tip).then_some(pair)
}

/// The toggle pair whose T2 is `tip`: T2 and its parent T1 are envguard's commits, and T2's
/// files are those of T1's parent.
fn existing_pair(tip: &git2::Commit) -> Option<ToggleCommits> {
    let ours = |c: &git2::Commit| {
        c.message_raw_bytes()
            .windows(TOGGLE_TRAILER.len())
            .any(|w| w == TOGGLE_TRAILER.as_bytes())
    };
    let t1 = tip.parent(0).ok()?;
    let before = t1.parent(0).ok()?;
    if tip.parent_count() != 1 || !ours(tip) || !ours(&t1) || before.tree_id() != tip.tree_id() {
        return None;
    }
    Some(ToggleCommits {
        t1: t1.id(),
        t2: tip.id(),
        original: None,
        toggle: String::new(),
        reused: true,
    })
}

/// The trailer of both toggle commits.
const TOGGLE_TRAILER: &str = "Env-Wipe-By: envguard";

/// The user's git identity for `role` (`AUTHOR` or `COMMITTER`), exactly as git resolves
/// it for a commit (`git var GIT_<role>_IDENT`: the `GIT_<role>_*` variables, `user.*`,
/// `author.*`/`committer.*` in every scope, `-c` settings, the date variables).
fn identity(repo: &Repository, role: &str) -> Result<git2::Signature<'static>> {
    let mut cmd = crate::gitcli::git_in(crate::gitcli::GitEnv::User(repo.workdir()));
    cmd.args(["var", &format!("GIT_{role}_IDENT")]);
    let ident = crate::gitcli::output_line(cmd)?.ok_or(ToggleError::NoIdentity)?;
    parse_ident(&ident).ok_or_else(|| ToggleError::UnreadableIdentity { ident }.into())
}

/// `Name <email> 1700000000 +0100` -> a signature with that time.
fn parse_ident(ident: &str) -> Option<git2::Signature<'static>> {
    let (name, rest) = ident.split_once(" <")?;
    let (email, when) = rest.rsplit_once("> ")?;
    let (seconds, offset) = when.trim().split_once(' ')?;
    let seconds: i64 = seconds.parse().ok()?;
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits = offset.trim_start_matches(['+', '-']);
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = digits.get(2..4)?.parse().ok()?;
    let time = git2::Time::new(seconds, sign * (hours * 60 + minutes));
    git2::Signature::new(name, email, &time).ok()
}

/// A copy of `tree` with the blob at `path` replaced (or added).
fn replace_path(
    repo: &Repository,
    tree: Option<&git2::Tree>,
    path: &[&str],
    blob: Oid,
) -> Result<Oid> {
    let mut builder = repo.treebuilder(tree)?;
    match path {
        [] => return Err(ToggleError::EmptyPath.into()),
        [name] => {
            let mode = tree
                .and_then(|t| t.get_name(name))
                .map(|e| e.filemode())
                .filter(|m| *m == 0o100755)
                .unwrap_or(0o100644);
            builder.insert(name, blob, mode)?;
        }
        [dir, rest @ ..] => {
            let sub = tree
                .and_then(|t| t.get_name(dir))
                .and_then(|e| repo.find_tree(e.id()).ok());
            let id = replace_path(repo, sub.as_ref(), rest, blob)?;
            builder.insert(dir, id, 0o040000)?;
        }
    }
    Ok(builder.write()?)
}

/// While the toggle's pushes run, Ctrl-C, a closed terminal or a kill (INT, HUP, TERM)
/// keeps the state file and prints [`INTERRUPTED`] instead of dying silently: a thread waits
/// for the signals (signal-hook), says so and exits with 130.
#[cfg(unix)]
mod interrupt {
    use std::sync::Once;
    use std::sync::atomic::{AtomicBool, Ordering};

    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    /// Whether a toggle is in progress; outside one, a signal does what it does by default.
    static GUARDING: AtomicBool = AtomicBool::new(false);
    static WATCHER: Once = Once::new();

    pub fn guard() {
        GUARDING.store(true, Ordering::SeqCst);
        WATCHER.call_once(|| {
            let Ok(mut signals) = Signals::new([SIGINT, SIGHUP, SIGTERM]) else {
                return;
            };
            std::thread::spawn(move || {
                for signal in signals.forever() {
                    if GUARDING.load(Ordering::SeqCst) {
                        crate::output::relay(super::INTERRUPTED.trim_end());
                        crate::ExitStatus::Interrupted.exit_now();
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                }
            });
        });
    }

    pub fn release() {
        GUARDING.store(false, Ordering::SeqCst);
    }
}

#[cfg(not(unix))]
mod interrupt {
    pub fn guard() {}
    pub fn release() {}
}

/// Pushes T1 then T2 as two deployments. On failure (or a signal) the state file says
/// where it stopped.
pub fn push_pair(repo: &Repository, state: &mut ToggleState) -> Result<()> {
    state.save(repo)?;
    interrupt::guard();
    let result = push_both(repo, state);
    interrupt::release();
    result
}

/// Says which deployment of the toggle is being pushed, before the push starts.
fn say_pushing(state: &ToggleState, step: u8) {
    crate::output::emit(&crate::output::Hook::Waiting {
        what: crate::output::Waiting::TogglePush {
            step,
            commit: short_id(if step == 1 { &state.t1 } else { &state.t2 }).to_string(),
            remote_ref: state.remote_ref.clone(),
            remote: crate::output::secret::SecretUrl::new(&state.remote),
        },
    });
}

fn push_both(repo: &Repository, state: &mut ToggleState) -> Result<()> {
    let git_dir = repo.path();
    say_pushing(state, 1);
    if let Err(e) = gitcli::push_commit(
        git_dir,
        state.target(),
        &state.t1,
        &state.remote_ref,
        Lease::Expect(state.old.as_deref()),
        false,
        &state.push_args,
    ) {
        ToggleState::clear(repo)?;
        return Err(ToggleError::NotStarted {
            git: e.failure.to_string(),
            remote_ref: state.remote_ref.clone(),
            remote: state.remote.clone(),
            moved: e.moved,
        }
        .into());
    }
    track(repo, state, &state.t1);
    if vars::fault_injected("kill-after-t1") {
        kill_self("KILL");
    }
    if vars::fault_injected("interrupt-after-t1") {
        kill_self("INT");
    }
    push_second(repo, state)
}

/// Fault injection: a signal to this process, as a killed terminal or CI job (KILL) or a
/// Ctrl-C (INT) would send.
#[allow(clippy::disallowed_methods)] // the fault injection signals itself with kill(1)
fn kill_self(signal: &str) {
    let _ = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &std::process::id().to_string()])
        .status();
    std::thread::sleep(std::time::Duration::from_secs(5));
    std::process::abort();
}

/// `envguard push --resume`: finishes a toggle from wherever the remote is now: before T1
/// (pushes both), at T1 (pushes T2), at T2 (only moves the local branch). Returns a line
/// for the user. A remote that moved elsewhere ends the toggle without touching anything.
pub fn resume(repo: &Repository, state: &ToggleState) -> Result<Resumed> {
    let now = gitcli::remote_value(repo.path(), state.target(), &state.remote_ref)?;
    let mut state = state.clone();
    let state = &mut state;
    if now.as_deref() == Some(state.t2.as_str()) {
        move_local_ref(repo, state)?;
        ToggleState::clear(repo)?;
        return Ok(Resumed {
            remote_ref: state.remote_ref.clone(),
            remote: SecretUrl::new(&state.remote),
            t2: short_id(&state.t2).to_string(),
            already: true,
        });
    }
    if now.as_deref() == Some(state.t1.as_str()) {
        push_second(repo, state)?;
    } else if now == state.old {
        push_pair(repo, state)?;
    } else {
        ToggleState::clear(repo)?;
        return Err(ToggleError::Abandoned {
            remote_ref: state.remote_ref.clone(),
            remote: state.remote.clone(),
            now: now.as_deref().map(|id| short_id(id).to_string()),
        }
        .into());
    }
    Ok(Resumed {
        remote_ref: state.remote_ref.clone(),
        remote: SecretUrl::new(&state.remote),
        t2: short_id(&state.t2).to_string(),
        already: false,
    })
}

/// Pushes T2 (the remote must be at T1), then moves the local branch to T2.
pub fn push_second(repo: &Repository, state: &mut ToggleState) -> Result<()> {
    let git_dir = repo.path();
    say_pushing(state, 2);
    if let Err(e) = gitcli::push_commit(
        git_dir,
        state.target(),
        &state.t2,
        &state.remote_ref,
        Lease::Expect(Some(&state.t1)),
        false,
        &state.push_args,
    ) {
        return Err(ToggleError::Halfway {
            git: e.failure.to_string(),
            remote_ref: state.remote_ref.clone(),
            remote: state.remote.clone(),
            t1: short_id(&state.t1).to_string(),
            t2: state.t2.clone(),
        }
        .into());
    }
    track(repo, state, &state.t2);
    move_local_ref(repo, state)?;
    if state.set_upstream {
        set_upstream(repo, state);
    }
    ToggleState::clear(repo)
}

/// `git push -u`: the pushed branch tracks the remote ref, as git would have set it.
fn set_upstream(repo: &Repository, state: &ToggleState) {
    let branch = match state.local_ref.as_deref() {
        Some("HEAD") => repo
            .find_reference("HEAD")
            .ok()
            .and_then(|h| h.symbolic_target().ok().flatten().map(str::to_string)),
        other => other.map(str::to_string),
    };
    let Some(name) = branch
        .as_deref()
        .and_then(|b| b.strip_prefix("refs/heads/"))
    else {
        return;
    };
    // The repository's own file, where `git push -u` writes it.
    let Ok(mut config) = repo
        .config()
        .and_then(|c| c.open_level(git2::ConfigLevel::Local))
    else {
        return;
    };
    let set = config
        .set_str(&format!("branch.{name}.remote"), &state.remote)
        .and_then(|()| config.set_str(&format!("branch.{name}.merge"), &state.remote_ref));
    if let Err(e) = set {
        log::debug!("cannot set the upstream of {name}: {e}");
    }
}

/// A nested push to a URL leaves the remote-tracking ref alone (a push to the remote's name
/// would have moved it): move it to where the remote now is.
fn track(repo: &Repository, state: &ToggleState, commit: &str) {
    let (Some(_), Some(branch)) = (&state.url, state.remote_ref.strip_prefix("refs/heads/")) else {
        return;
    };
    if repo.find_remote(&state.remote).is_err() {
        return;
    }
    let Ok(id) = Oid::from_str_ext(commit, repo.object_format()) else {
        return;
    };
    let name = format!("refs/remotes/{}/{branch}", state.remote);
    if let Err(e) = repo.reference(&name, id, true, "envguard: runtime toggle") {
        log::debug!("cannot move {name}: {e}");
    }
}

/// Moves the pushed local branch from the tip to T2 (same tree, so the worktree and index
/// stay valid), only if it still points at the tip; records in `state.moved` what moved.
fn move_local_ref(repo: &Repository, state: &mut ToggleState) -> Result<()> {
    let Some(local) = &state.local_ref else {
        return Ok(());
    };
    let name = if local == "HEAD" {
        match repo.find_reference("HEAD")?.symbolic_target() {
            Ok(Some(target)) => target.to_string(),
            _ => return Ok(()),
        }
    } else {
        local.clone()
    };
    if !name.starts_with("refs/heads/") {
        return Ok(());
    }
    let format = repo.object_format();
    let tip = Oid::from_str_ext(&state.tip, format)?;
    let t2 = Oid::from_str_ext(&state.t2, format)?;
    // An operation in progress (a rebase, merge, cherry-pick, revert, bisect, `git am`)
    // owns HEAD's branch: git moves it when the operation ends, so envguard leaves it.
    let state_now = repo.state();
    if state_now != git2::RepositoryState::Clean {
        state.kept_because = Some(format!("{state_now:?}").to_ascii_lowercase());
        return Ok(());
    }
    let current = repo.refname_to_id(&name)?;
    if current == tip {
        repo.reference_matching(&name, t2, true, tip, "envguard: runtime toggle commits")?;
        state.moved = Some(name);
    } else if current == t2 {
        // Moved already, by the toggle of another push URL of this push.
        state.moved = Some(name);
    }
    Ok(())
}
