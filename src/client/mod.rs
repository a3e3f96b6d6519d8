//! The client side: the pre-push hook (`toggle`, `mark`, `warn`, `off`) and the
//! `envguard push` wrapper. A problem in the pushed files refuses the push with `file:line`
//! and how to skip; a failure of envguard itself is a warning and the push proceeds.

pub mod invocation;
pub mod toggle;
pub mod wrapper;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use git2::{Oid, Repository};

use crate::analyze::{Analysis, Analyzer, Verdict};
use crate::check::{describe, verdict_line};
use crate::config::{Config, Mode, configured_urls};
use crate::gitcli::{self, Expect};
use crate::push::{self, RefUpdate};
use crate::remote::RemoteSite;
use crate::{Error, Result, short_id};
use invocation::PushFlags;
use toggle::ToggleState;

/// Set to `0` to disable envguard for one push.
pub const DISABLE_VAR: &str = "ENVGUARD";
/// Set by `envguard push` to a file where the hook records that it toggled.
pub const WRAPPER_VAR: &str = "ENVGUARD_WRAPPER";
/// Set by the hook shim: its own path; the displaced hook is that path plus `.legacy`.
pub const HOOK_VAR: &str = "ENVGUARD_HOOK";
/// Set while envguard runs a displaced hook: an envguard started inside it (a hook manager
/// chaining hooks the other way round) leaves the push to the envguard already running.
pub const CHAINED_VAR: &str = "ENVGUARD_CHAINED";
/// An explicit legacy hook to chain (used by `envguard push` without an installed hook).
pub const LEGACY_VAR: &str = "ENVGUARD_LEGACY_HOOK";

/// How the pre-push hook was invoked.
#[derive(Debug, Clone, Default)]
pub struct PrePushArgs {
    pub remote: Option<String>,
    pub url: Option<String>,
}

fn say(line: impl AsRef<str>) {
    let _ = writeln!(std::io::stderr(), "envguard: {}", line.as_ref());
}

/// The pre-push hook. Returns the exit code: non-zero stops the push.
pub fn pre_push(args: &PrePushArgs, stdin: &str) -> i32 {
    if std::env::var_os(gitcli::NESTED_VAR).is_some() || std::env::var_os(CHAINED_VAR).is_some() {
        return 0;
    }
    let code = run_legacy("pre-push", args, stdin);
    if code != 0 {
        return code;
    }
    if std::env::var(DISABLE_VAR).is_ok_and(|v| v == "0") {
        say("ENVGUARD=0: pushing without the env check");
        return 0;
    }
    match pre_push_checked(args, stdin) {
        Ok(code) => code,
        Err(e) => {
            say(format!("warning: {e}; pushing without the env check"));
            0
        }
    }
}

/// Runs the hook that envguard displaced (`<hook>.legacy` beside the shim that started
/// envguard), with the same arguments and stdin; its exit code vetoes the push.
pub fn run_legacy(hook: &str, args: &PrePushArgs, stdin: &str) -> i32 {
    let legacy = match (std::env::var_os(LEGACY_VAR), std::env::var_os(HOOK_VAR)) {
        (Some(path), _) => PathBuf::from(path),
        (None, Some(shim)) => {
            let mut path = shim;
            path.push(".legacy");
            PathBuf::from(path)
        }
        (None, None) => return 0,
    };
    if !is_executable(&legacy) {
        return 0;
    }
    log::debug!("running {} for {hook}", legacy.display());
    let mut cmd = Command::new(&legacy);
    cmd.args(args.remote.iter().chain(args.url.iter()))
        .env(CHAINED_VAR, "1")
        .stdin(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            say(format!("warning: cannot run {}: {e}", legacy.display()));
            return 0;
        }
    };
    if let Some(mut input) = child.stdin.take() {
        // A hook that does not read its stdin closes the pipe early; that is fine.
        let _ = input.write_all(stdin.as_bytes());
    }
    match child.wait() {
        Ok(status) => status.code().unwrap_or(1),
        Err(e) => {
            say(format!("warning: {}: {e}", legacy.display()));
            0
        }
    }
}

#[cfg(unix)]
pub fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
pub fn is_executable(path: &std::path::Path) -> bool {
    path.is_file()
}

/// One deploy-branch update and its analysis.
struct Planned {
    update: RefUpdate,
    tip: Oid,
    analysis: Analysis,
}

fn pre_push_checked(args: &PrePushArgs, stdin: &str) -> Result<i32> {
    if crate::fault_injected("panic") {
        panic!("injected fault");
    }
    let repo = Repository::open_from_env()?;
    let format = repo.object_format();
    let env = |name: &str| std::env::var(name).ok();
    let pre_commit = push::from_pre_commit_env(env, format).map_err(|e| Error(e.0))?;
    let (remote, url, updates) = match pre_commit {
        Some(update) => (
            env("PRE_COMMIT_REMOTE_NAME").or_else(|| args.remote.clone()),
            env("PRE_COMMIT_REMOTE_URL").or_else(|| args.url.clone()),
            vec![update],
        ),
        None => (
            args.remote.clone(),
            args.url.clone(),
            push::parse_pre_push(stdin, format).map_err(|e| Error(e.0))?,
        ),
    };
    let (Some(remote), Some(url)) = (remote, url) else {
        return Err(Error(
            "pre-push needs the remote name and URL (git passes them to the hook)".to_string(),
        ));
    };
    if updates.is_empty() {
        return Ok(0);
    }
    let config = Config::from_repo(&repo)?;
    // The URLs as configured, before `insteadOf` rewriting (git passes the hook the
    // rewritten one).
    let configured = configured_urls(&repo.config()?, &remote);
    let mut urls = vec![url.as_str()];
    urls.extend(configured.iter().map(String::as_str));
    let Some(mode) = config.deploy_mode(&remote, &urls) else {
        log::debug!("{remote} ({url}) is not a deploy remote");
        return Ok(0);
    };
    if mode == Mode::Off {
        return Ok(0);
    }
    let mut analyzer = Analyzer::new(&repo, &config);
    let mut planned: Vec<Planned> = Vec::new();
    let mut others = Vec::new();
    for update in updates {
        let (Some(tip), true) = (update.new, config.is_deploy_branch(&update.remote_ref)) else {
            others.push(update);
            continue;
        };
        let base = base_for(&repo, &remote, &update);
        match analyzer.analyze(base, tip) {
            Ok(analysis) => planned.push(Planned {
                update,
                tip,
                analysis,
            }),
            Err(e) => say(format!(
                "warning: cannot analyse {}: {e}; pushing it without the env check",
                update.remote_ref
            )),
        }
    }
    let flags = PushFlags::of_this_push();
    // git refuses a non-fast-forward only after this hook: such an update must set off no
    // toggle (whose lease would overwrite the remote's newer commits) and no wipe.
    if !flags.force {
        let (refused, accepted): (Vec<Planned>, Vec<Planned>) = planned
            .into_iter()
            .partition(|p| !is_fast_forward(&repo, &p.update));
        for plan in refused {
            if plan.analysis.verdict != Verdict::None {
                say(format!(
                    "{}: not a fast-forward of what {remote} has (someone pushed since you \
                     fetched?); git refuses it, so envguard does nothing. Fetch and merge, then \
                     push again",
                    plan.update.remote_ref
                ));
            }
            others.push(plan.update);
        }
        planned = accepted;
    }
    let errors: Vec<String> = planned
        .iter()
        .flat_map(|p| p.analysis.errors.iter().map(|e| e.to_string()))
        .collect();
    if !errors.is_empty() {
        for e in &errors {
            say(format!("error: {e}"));
        }
        say("push refused: fix the file above and commit, or push anyway with one of:");
        say(
            "  an `Env-Wipe: skip` trailer on the pushed tip commit (git commit --amend --trailer 'Env-Wipe: skip'),",
        );
        say("  ENVGUARD=0 git push ...   or   git push --no-verify ...");
        return Ok(1);
    }
    let dry_run = flags.dry_run;
    let mut toggled = Vec::new();
    let mut remote_wipe = false;
    for plan in &planned {
        if dry_run
            && plan.analysis.verdict == Verdict::Wipe
            && matches!(mode, Mode::Toggle | Mode::Mark)
        {
            report(&repo, plan);
            say(format!(
                "dry run: would {} for {}; nothing was pushed",
                if mode == Mode::Toggle {
                    "insert the runtime toggle commits"
                } else {
                    "push the wipe marker"
                },
                plan.update.remote_ref
            ));
            continue;
        }
        if plan.analysis.verdict == Verdict::Wipe && mode == Mode::RemoteWipe {
            report(&repo, plan);
            remote_wipe = true;
            continue;
        }
        match (plan.analysis.verdict, mode) {
            (Verdict::None, _) => {}
            (Verdict::Rebuild, _) => say(format!(
                "{}: {}",
                plan.update.remote_ref,
                verdict_line(&plan.analysis)
            )),
            (Verdict::Wipe, Mode::Warn | Mode::Off) => {
                report(&repo, plan);
                say(
                    "the deployed env keeps the old packages; set `git config envguard.mode toggle` \
                     (or mark, with the server hook), or delete env on the server",
                );
            }
            (Verdict::Wipe, Mode::Mark) => {
                report(&repo, plan);
                mark(&repo, &remote, plan);
            }
            (Verdict::Wipe, Mode::RemoteWipe) => {}
            (Verdict::Wipe, Mode::Toggle) => {
                report(&repo, plan);
                match toggle_one(&repo, &config, &mut analyzer, &remote, plan) {
                    Ok(state) => toggled.push(state),
                    Err(e) => {
                        say(format!("error: {e}"));
                        // Refs toggled before this one are deployed; say so.
                        if !toggled.is_empty() {
                            finish_toggled(&toggled, &planned, &others, &remote);
                        }
                        return Ok(1);
                    }
                }
            }
        }
    }
    if remote_wipe {
        return Ok(wipe_on_site(&repo, &config, &remote, &url, dry_run));
    }
    if toggled.is_empty() {
        return Ok(0);
    }
    finish_toggled(&toggled, &planned, &others, &remote);
    Ok(1)
}

/// `remote-wipe` mode: delete env on the site before git sends anything, so this push's
/// own deployment builds a fresh one. A wipe that fails refuses the push.
fn wipe_on_site(repo: &Repository, config: &Config, remote: &str, url: &str, dry_run: bool) -> i32 {
    let site = match RemoteSite::resolve(repo, config, remote, &[url]) {
        Ok(site) => site,
        Err(e) => return refuse_remote_wipe(&e),
    };
    if dry_run {
        for line in site.dry_run(config) {
            say(line);
        }
        return 0;
    }
    match site.wipe(config) {
        Ok(line) => {
            say(format!(
                "{line}; this push's deployment creates a fresh env"
            ));
            say(
                "if this push fails from here on, push again: the site gets its env back \
                 with its next deployment",
            );
            0
        }
        Err(e) => refuse_remote_wipe(&e),
    }
}

fn refuse_remote_wipe(e: &Error) -> i32 {
    say(format!("error: the env on the site was not deleted: {e}"));
    say("push refused, because it would deploy onto the stale env. Alternatives:");
    say("  the runtime toggle, which needs no API access: git config envguard.mode toggle");
    say(
        "  push without the wipe: an `Env-Wipe: skip` trailer on the tip, or ENVGUARD=0 git push ...",
    );
    1
}

/// Whether git accepts `update` without force: a new ref, a deletion, or an old id this
/// repository has and the new commit descends from.
fn is_fast_forward(repo: &Repository, update: &RefUpdate) -> bool {
    match (update.old, update.new) {
        (Some(old), Some(new)) => {
            old == new
                || (repo.find_commit(old).is_ok()
                    && repo.graph_descendant_of(new, old).unwrap_or(false))
        }
        _ => true,
    }
}

/// What the remote already has for a ref update: its old id when known here; for a new
/// branch (or an old id this repository lacks), the nearest commit the remote's
/// remote-tracking refs share with the tip. `None`: the remote has nothing of it (first
/// deploy).
fn base_for(repo: &Repository, remote: &str, update: &RefUpdate) -> Option<Oid> {
    if let Some(old) = update.old
        && repo.find_commit(old).is_ok()
    {
        return Some(old);
    }
    let tip = update.new?;
    let refs = repo
        .references_glob(&format!("refs/remotes/{remote}/*"))
        .ok()?;
    let mut best: Option<Oid> = None;
    for reference in refs.flatten() {
        let Some(target) = reference.target() else {
            continue;
        };
        let Ok(base) = repo.merge_base(tip, target) else {
            continue;
        };
        best = match best {
            Some(b) if b == base || repo.graph_descendant_of(b, base).unwrap_or(false) => Some(b),
            _ => Some(base),
        };
    }
    best
}

fn report(repo: &Repository, plan: &Planned) {
    say(format!(
        "{}: {}",
        plan.update.remote_ref,
        verdict_line(&plan.analysis)
    ));
    for reason in &plan.analysis.reasons {
        say(format!("  {}", describe(repo, reason)));
    }
}

/// Mark mode: the marker ref goes to the remote before the branch update, so the server
/// hook sees it when the branch arrives. A failure is a warning.
fn mark(repo: &Repository, remote: &str, plan: &Planned) {
    let Some(branch) = plan.update.branch() else {
        return;
    };
    let marker = format!("refs/envguard/wipe/{branch}");
    let tip = plan.tip.to_string();
    match gitcli::push_commit(repo.path(), remote, &tip, &marker, Expect::Anything, true) {
        Ok(()) => say(format!(
            "marked {marker} on {remote}: the server rebuilds env when {branch} arrives"
        )),
        Err(e) => say(format!("warning: {e}; the server will not rebuild env")),
    }
}

fn toggle_one(
    repo: &Repository,
    config: &Config,
    analyzer: &mut Analyzer,
    remote: &str,
    plan: &Planned,
) -> Result<ToggleState> {
    let root = analyzer.app_root(&repo.find_commit(plan.tip)?.tree()?);
    let commits = toggle::build(repo, config, &root, plan.tip, &plan.analysis.reasons)?;
    say(format!(
        "runtime toggle for {}: {} -> {} -> {} ({} then {})",
        plan.update.remote_ref,
        commits.original.as_deref().unwrap_or("(no runtime.txt)"),
        commits.toggle,
        commits.original.as_deref().unwrap_or("(no runtime.txt)"),
        short_id(&commits.t1.to_string()),
        short_id(&commits.t2.to_string()),
    ));
    let state = ToggleState {
        remote: remote.to_string(),
        remote_ref: plan.update.remote_ref.clone(),
        local_ref: plan.update.local_ref.clone(),
        tip: plan.tip.to_string(),
        t1: commits.t1.to_string(),
        t2: commits.t2.to_string(),
        old: plan.update.old.map(|o| o.to_string()),
    };
    toggle::push_pair(repo, &state)?;
    Ok(state)
}

/// After a toggle: say plainly that the deployment succeeded, then stop the outer push (git
/// cannot let a pre-push hook change what it pushes).
fn finish_toggled(
    toggled: &[ToggleState],
    planned: &[Planned],
    others: &[RefUpdate],
    remote: &str,
) {
    if let Some(path) = std::env::var_os(WRAPPER_VAR) {
        let _ = std::fs::write(path, "toggled\n");
    }
    for state in toggled {
        say(format!(
            "the deployment push succeeded: {} on {remote} is at {} (two deployments, each with a fresh env).",
            state.remote_ref,
            short_id(&state.t2)
        ));
        if let Some(local) = &state.local_ref {
            say(format!(
                "{local} now points at {} too: same files as your commit {}, plus the two toggle commits.",
                short_id(&state.t2),
                short_id(&state.tip)
            ));
        }
    }
    let skipped: Vec<&str> = planned
        .iter()
        .filter(|p| !toggled.iter().any(|t| t.remote_ref == p.update.remote_ref))
        .map(|p| p.update.remote_ref.as_str())
        .chain(others.iter().map(|u| u.remote_ref.as_str()))
        .collect();
    if std::env::var_os(WRAPPER_VAR).is_some() {
        return;
    }
    if !skipped.is_empty() {
        say(format!(
            "not pushed yet: {}; run the same git push again to push them.",
            skipped.join(", ")
        ));
    }
    say(
        "git now reports this push as failed because a hook cannot change what git pushes; \
         nothing is lost. `envguard push` does the same without this message.",
    );
}
