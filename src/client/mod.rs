//! The client side: the pre-push hook and the `envguard push` wrapper. The hook reads what
//! git gives it, analyses each deploy-branch update, asks [`crate::plan`] what to do, and
//! runs the plan's actions here. A problem in the pushed files refuses the push with
//! `file:line` and how to skip; a failure of envguard itself is a warning and the push
//! proceeds.
//!
//! - [`toggle`]: the runtime toggle's commits and pushes; [`invocation`]: the user's
//!   `git push` command line; [`command`]: `mode command`; [`wrapper`]: `envguard push`;
//!   `site`: the remedies that act on the platform (remote wipe, remote prune, the command).

pub mod command;
pub mod deployed;
pub mod invocation;
mod site;
pub mod toggle;
pub mod wrapper;

use git2::{Oid, Repository};

use crate::ExitStatus;
use crate::analyze::{Analyzer, Verdict};
use crate::chain::{self, HookArgs};
use crate::config::{
    Config, DeployTarget, Mode, PlatformSource, committed_warnings, configured_urls,
};
use crate::gitcli::{self, Lease};
use crate::hook_input::{self, PushFlags, RefUpdate};
use crate::message::{Hook, Unchecked};
use crate::output::secret::SecretUrl;
use crate::output::{emit, emit_detail};
use crate::plan::{self, Action, Checked, Outcome, Plan};
use crate::platform::Platform;
use crate::remote::RemoteSite;
use crate::report::{reason_lines, short_id, short_oid, verdict_line};
use crate::requirements::process_env;
use crate::{Error, Result, vars};
use site::{fixes_on, prune_on_site, run_command, warn_unpinned_vcs, wipe_on_site};
use toggle::ToggleState;

/// Set once this push's mode is known to act on the deployment (toggle, mark, command,
/// remote-wipe, remote-prune): from then on an internal failure, a panic included, refuses
/// the push (naming the bypass) instead of letting it go out unchecked. Warn and check only
/// advise, and never block a push for envguard's own failure.
pub static ACTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this push's mode is known to act ([`ACTS`]).
pub fn acting() -> bool {
    ACTS.load(std::sync::atomic::Ordering::SeqCst)
}

/// Whether `mode` acts on the deployment (rather than advising).
pub fn acts(mode: Mode) -> bool {
    match mode {
        Mode::Toggle | Mode::Mark | Mode::Command | Mode::RemoteWipe | Mode::RemotePrune => true,
        Mode::Warn | Mode::Off => false,
    }
}

/// The pre-push hook. Returns the exit code: non-zero stops the push.
pub fn pre_push(args: &HookArgs, stdin: &[u8]) -> ExitStatus {
    if chain::inside_envguard() {
        return ExitStatus::Success;
    }
    let legacy = chain::run_legacy("pre-push", args, stdin);
    if !legacy.is_success() {
        return legacy;
    }
    if vars::disabled() {
        emit(&Hook::Disabled);
        return ExitStatus::Success;
    }
    match pre_push_checked(args, stdin) {
        Ok(outcome) => outcome.exit_status(),
        // A setting the user wrote wrong is the user's to fix, like a broken file: pushing
        // on would leave the push unguarded without a word.
        Err(e @ (Error::Config { .. } | Error::CommittedConfig { .. })) => {
            emit(&Hook::BadSetting {
                error: e.to_string(),
            });
            Outcome::Refused.exit_status()
        }
        Err(e) if acting() => {
            log::debug!("{e:?}");
            emit(&Hook::InternalRefused {
                error: e.to_string(),
            });
            Outcome::Refused.exit_status()
        }
        Err(e) => {
            log::debug!("{e:?}");
            emit(&Hook::Internal {
                error: e.to_string(),
            });
            ExitStatus::Success
        }
    }
}

/// The push this hook runs for: the remote, its URL and the ref updates.
struct Push {
    remote: String,
    url: String,
    updates: Vec<RefUpdate>,
}

/// The push from the pre-commit framework's variables when it runs envguard, else from
/// git's hook arguments and stdin.
fn read_push(repo: &Repository, args: &HookArgs, stdin: &[u8]) -> Result<Push> {
    let format = repo.object_format();
    let env = vars::lookup;
    let (remote, url, updates) = match hook_input::from_pre_commit_env(env, format)? {
        Some(update) => (
            env("PRE_COMMIT_REMOTE_NAME").or_else(|| args.remote.clone()),
            env("PRE_COMMIT_REMOTE_URL").or_else(|| args.url.clone()),
            vec![update],
        ),
        None => (
            args.remote.clone(),
            args.url.clone(),
            hook_input::parse_pre_push(&String::from_utf8_lossy(stdin), format)?,
        ),
    };
    let (Some(remote), Some(url)) = (remote, url) else {
        return Err(Error::NoPushTarget);
    };
    Ok(Push {
        remote,
        url,
        updates,
    })
}

/// What the executor needs besides the plan.
struct Context<'a> {
    repo: &'a Repository,
    config: &'a Config,
    platform: Platform,
    remote: &'a str,
    url: &'a str,
    checked: &'a [Checked],
    /// Updates envguard does not guard (other branches, tags, deletions, updates it could
    /// not analyse): still part of the push.
    others: &'a [RefUpdate],
}

fn pre_push_checked(args: &HookArgs, stdin: &[u8]) -> Result<Outcome> {
    if vars::fault_injected("panic") {
        panic!("injected fault");
    }
    let repo = Repository::open_from_env()?;
    if let Some(notice) = toggle::pending_notice(&repo) {
        emit(&Hook::Pending { notice });
    }
    let push = read_push(&repo, args, stdin)?;
    if push.updates.is_empty() {
        // git gives no input when there is nothing to push; a hook manager that does not
        // pass git's input on gives none either, and that push would go out unchecked. Run
        // by git itself, an empty input is an up-to-date push: nothing to say.
        if chain::run_from_another_hook().is_some() {
            emit(&Hook::NoInput);
        } else {
            emit_detail(&Hook::NoInput);
        }
        return Ok(Outcome::Proceed);
    }
    let git_config = crate::config::open(&repo)?;
    let mut config = Config::from_git_config(&git_config)
        .map_err(|e| crate::config::committed::attribute(&repo, &git_config, e))?;
    config.warnings.extend(committed_warnings(&repo));
    for text in &config.warnings {
        emit(&Hook::SettingWarning { text: text.clone() });
    }
    let urls = push_urls(&git_config, &push);
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    config.check_remote_names(&repo)?;
    let Some(mut target) = config.deploy_target(&push.remote, &urls) else {
        return Ok(not_checked(&push, Unchecked::NotDeployRemote));
    };
    if target.mode == Mode::Off {
        return Ok(not_checked(&push, Unchecked::ModeOff));
    }
    mode_known(target.mode)?;
    settle_branches(&repo, &mut config, &push, target.platform);
    note_deployed(&repo, &config, &push);
    // The flags of the user's `git push` (read from its command line) matter only to a push
    // that needs more than a quiet pass: read them then.
    let flags = std::cell::OnceCell::new();
    let flags_of = || {
        *flags.get_or_init(|| {
            let flags = invocation::of_this_push();
            log::debug!("push flags: {flags:?}");
            flags
        })
    };
    // The platform's rules decide the verdict, so an App Service remote whose platform was
    // never recorded is asked first, and only when the push changes a watched file.
    let mut analyzer = analyzer_for(&repo, &git_config, &config, target.platform);
    if target.source == PlatformSource::AssumedAppService
        && changes_watched(&repo, &config, &mut analyzer, &push)
    {
        target = settle_platform(&repo, &config, &push, target);
        // What was read of the commits holds on any platform; only the rules change.
        analyzer.set_platform(target.platform);
    }
    let (checked, others) =
        check_updates(&repo, &git_config, &config, &mut analyzer, &push, &flags_of)?;
    let quiet = checked.iter().all(|c| {
        c.fast_forward && c.analysis.verdict == Verdict::None && c.analysis.errors.is_empty()
    });
    let flags = if quiet {
        PushFlags::default()
    } else {
        flags_of()
    };
    let plan = plan::plan_push(&checked, target.mode, target.platform, flags);
    let context = Context {
        repo: &repo,
        config: &config,
        platform: target.platform,
        remote: &push.remote,
        url: &push.url,
        checked: &checked,
        others: &others,
    };
    if target.platform.keeps_vcs_revisions() {
        warn_unpinned_vcs(&context);
    }
    say_quiet_updates(&context, &plan);
    if toggles_in_an_atomic_push(&push, &plan, flags) {
        return Ok(Outcome::Refused);
    }
    Ok(execute(&context, &plan))
}

/// Says why this push is not checked; it goes on.
fn not_checked(push: &Push, why: Unchecked) -> Outcome {
    emit(&Hook::NotChecked {
        remote: SecretUrl::new(&push.remote),
        why,
    });
    Outcome::Proceed
}

/// Records whether the push's mode acts ([`ACTS`]); the faults tests inject once it is known.
fn mode_known(mode: Mode) -> Result<()> {
    ACTS.store(acts(mode), std::sync::atomic::Ordering::SeqCst);
    if vars::fault_injected("internal-after-mode") {
        return Err(Error::Injected);
    }
    if vars::fault_injected("panic-after-mode") {
        panic!("injected fault");
    }
    Ok(())
}

/// Notes what the remote's deploy branches hold now (git's hook input), for a later push
/// of a branch deleted meanwhile.
fn note_deployed(repo: &Repository, config: &Config, push: &Push) {
    for update in &push.updates {
        if config.is_deploy_branch(&update.remote_ref) {
            deployed::note(repo, &push.remote, update);
        }
    }
}

/// Whether the plan toggles in a `--atomic` push of several refs, and says why that is
/// refused: the toggle deploys its commits in pushes of their own before git's push of the
/// rest, which the atomic push makes all or nothing, so git could still refuse the rest after
/// the site deployed the toggle.
fn toggles_in_an_atomic_push(push: &Push, plan: &Plan, flags: PushFlags) -> bool {
    let refused = flags.atomic
        && push.updates.len() > 1
        && plan
            .actions
            .iter()
            .any(|a| matches!(a, Action::Toggle { .. }));
    if refused {
        emit(&Hook::AtomicToggle {
            refs: push.updates.len(),
            remote: SecretUrl::new(&push.remote),
        });
    }
    refused
}

/// The deploy branches of a push to `platform` (the remote's HEAD where the platform
/// deploys the default branch); where the platform's own cannot be seen from here (Dokku),
/// the push says how to name it.
fn settle_branches(repo: &Repository, config: &mut Config, push: &Push, platform: Platform) {
    config.settle_branches(
        platform,
        crate::config::default_branch(repo, &format!("refs/remotes/{}/HEAD", push.remote)),
    );
    if let Some(platform) = config.deploy_branch_unknown() {
        emit(&Hook::DeployBranchUnknown {
            platform,
            remote: SecretUrl::new(&push.remote),
        });
    }
}

/// Every URL that may name the push's platform: the one git passed the hook (after
/// `insteadOf` rewriting), the remote's URLs as configured (before it), and for a push to a
/// URL, the URL as typed (git passes it as the remote's name).
fn push_urls(git_config: &git2::Config, push: &Push) -> Vec<String> {
    let configured = configured_urls(git_config, &push.remote);
    let typed = (configured.is_empty() && push.remote != push.url).then(|| push.remote.clone());
    std::iter::once(push.url.clone())
        .chain(configured)
        .chain(typed)
        .collect()
}

/// One line for every push: an update the plan says nothing about gets its verdict (or
/// why it was skipped), and a push that updates no deploy branch says which branches are.
fn say_quiet_updates(cx: &Context, plan: &Plan) {
    if cx.checked.is_empty() {
        let message = Hook::NotChecked {
            remote: SecretUrl::new(cx.remote),
            why: Unchecked::NoDeployBranch {
                branches: cx.config.branches.join(" "),
            },
        };
        // A push that only deletes refs deploys nothing: nothing to say.
        if cx.others.iter().all(|u| u.new.is_none()) {
            emit_detail(&message);
        } else {
            emit(&message);
        }
        return;
    }
    for (i, checked) in cx.checked.iter().enumerate() {
        let reported = plan
            .actions
            .iter()
            .any(|a| matches!(a, Action::Report { update, .. } if *update == i));
        let analysis = &checked.analysis;
        if reported || analysis.verdict != Verdict::None || !analysis.errors.is_empty() {
            continue;
        }
        let message = Hook::Quiet {
            remote_ref: checked.update.remote_ref.clone(),
            skipped: analysis.skipped.len(),
            rule: analysis.warnings.first().map(ToString::to_string),
            first: analysis.old.is_none(),
        };
        // Quiet when the push changes nothing watched; one line when it does and nothing
        // goes stale, or a platform rule decided.
        let watched_changed = !(analysis.added.is_empty()
            && analysis.changed.is_empty()
            && analysis.removed.is_empty()
            && analysis.skipped.is_empty()
            && analysis.warnings.is_empty());
        if watched_changed {
            emit(&message);
        } else {
            emit_detail(&message);
        }
    }
}

/// An App Service remote whose platform was never recorded, on a push that needs action:
/// asks the site once (only with credentials a helper gives, never a prompt) and records
/// the answer; else says, on this push, that Windows is assumed and how to detect.
fn settle_platform(
    repo: &Repository,
    config: &Config,
    push: &Push,
    assumed: DeployTarget,
) -> DeployTarget {
    match crate::remote::detect_quietly(repo, config, &push.remote, &push.url) {
        Ok(detected) => {
            emit(&Hook::PlatformDetected {
                platform: detected.platform,
                why: detected.why.clone(),
            });
            DeployTarget {
                platform: detected.platform,
                source: PlatformSource::Configured,
                mode: config.mode_on(detected.platform),
            }
        }
        Err(e) => {
            log::debug!("platform detection: {e}");
            emit(&Hook::PlatformAssumed {
                platform: assumed.platform,
                remote: SecretUrl::new(&push.remote),
                why: e.to_string(),
            });
            assumed
        }
    }
}

/// Whether any deploy-branch update of the push changes a watched file (ids only).
fn changes_watched(
    repo: &Repository,
    config: &Config,
    analyzer: &mut Analyzer,
    push: &Push,
) -> bool {
    push.updates.iter().any(|update| {
        let update = &peeled(repo, update);
        let (Some(tip), true) = (update.new, config.is_deploy_branch(&update.remote_ref)) else {
            return false;
        };
        let base = base_for(repo, &push.remote, update);
        analyzer.changes_watched(base, tip).unwrap_or(true)
    })
}

/// An update of a tag (where tags deploy) as the commits it names: an annotated tag is an
/// object of its own, and the analysis compares commits. A tag that names no commit here
/// has no new id.
fn peeled(repo: &Repository, update: &RefUpdate) -> RefUpdate {
    if !update.remote_ref.starts_with("refs/tags/") {
        return update.clone();
    }
    let commit = |id: Option<Oid>| {
        repo.find_object(id?, None)
            .ok()?
            .peel_to_commit()
            .ok()
            .map(|c| c.id())
    };
    RefUpdate {
        old: commit(update.old),
        new: commit(update.new),
        ..update.clone()
    }
}

/// The analyzer of a push to `platform`, fetching what a partial clone lacks.
fn analyzer_for<'r>(
    repo: &'r Repository,
    git: &git2::Config,
    config: &'r Config,
    platform: Platform,
) -> Analyzer<'r> {
    Analyzer::new(repo, config, platform, process_env())
        .fetch_missing_with(gitcli::fetcher(repo.path()), git)
}

/// Analyses the deploy-branch updates of a push; the rest are returned as they are.
fn check_updates(
    repo: &Repository,
    git_config: &git2::Config,
    config: &Config,
    analyzer: &mut Analyzer,
    push: &Push,
    flags: &dyn Fn() -> PushFlags,
) -> Result<(Vec<Checked>, Vec<RefUpdate>)> {
    let mut checked = Vec::new();
    let mut others = Vec::new();
    for update in &push.updates {
        let update = &peeled(repo, update);
        let (Some(tip), true) = (update.new, config.is_deploy_branch(&update.remote_ref)) else {
            others.push(update.clone());
            continue;
        };
        let acting = acting();
        // Pushed from elsewhere: what the remote holds is read after fetching it. Where that
        // fails, a push git accepts anyway (forced) cannot be judged, and a mode that acts
        // refuses it; git refuses an unforced one by itself.
        if let Some(old) = update.old.filter(|old| repo.find_commit(*old).is_err())
            && !gitcli::fetch_commit(repo.path(), &push.remote, old)
            && acting
            && (flags().force
                || crate::config::forced_by_config(git_config, &push.remote, &update.remote_ref))
        {
            return Err(Error::UnfetchableRemoteCommit {
                remote_ref: update.remote_ref.clone(),
                remote: SecretUrl::new(&push.remote).to_string(),
                oid: short_oid(old),
            });
        }
        let base = site_runs(repo, config, push, update, analyzer.platform())
            .or_else(|| base_for(repo, &push.remote, update));
        match analyzer.analyze(base, tip) {
            Ok(analysis) => {
                let fast_forward = is_fast_forward(repo, update);
                // Forcing matters only to an update that is not a fast-forward.
                let forced = !fast_forward
                    && !flags().refspecs
                    && crate::config::forced_by_config(
                        git_config,
                        &push.remote,
                        &update.remote_ref,
                    );
                checked.push(Checked {
                    update: update.clone(),
                    analysis,
                    fast_forward,
                    forced,
                })
            }
            // A setting the user wrote wrong refuses the push (see `pre_push`), and so does
            // any failure in a mode that acts: the push must not go out unchecked.
            Err(e @ Error::Config { .. }) => return Err(e),
            Err(e) if acting => return Err(e),
            Err(e) => {
                emit(&Hook::CannotAnalyse {
                    remote_ref: update.remote_ref.clone(),
                    error: e.to_string(),
                });
                others.push(update.clone());
            }
        }
    }
    Ok((checked, others))
}

/// Runs the plan's actions in order. Returns how the push ends: the plan's outcome, or
/// `Refused` when an action that had to succeed failed.
fn execute(cx: &Context, plan: &Plan) -> Outcome {
    let mut toggled: Vec<ToggleState> = Vec::new();
    // Checks that run after envguard (a hook manager's, a hook that runs envguard's first)
    // could still stop the push: nothing is deployed from such a run.
    let runner = plan
        .acts_on_the_remote()
        .then(chain::run_from_another_hook)
        .flatten();
    for action in &plan.actions {
        if let Some(runner) = &runner
            && !matches!(
                action,
                Action::Report { .. } | Action::NotFastForward { .. }
            )
        {
            emit(&Hook::InsideAnotherHook {
                runner: runner.clone(),
            });
            return Outcome::Refused;
        }
        match action {
            Action::Report { update, reasons } => report(cx, *update, *reasons),
            Action::NotFastForward { update } => emit(&Hook::NotFastForward {
                remote_ref: cx.checked[*update].update.remote_ref.clone(),
                remote: SecretUrl::new(cx.remote),
            }),
            Action::RefuseInvalid { errors } => emit(&Hook::RefuseInvalid {
                errors: errors.clone(),
            }),
            Action::WarnStale { .. } => emit(&Hook::WarnStale {
                fix: fixes_on(cx.repo, cx.platform, cx.remote, cx.url),
            }),
            Action::RefuseMode { mode, platform } => emit(&Hook::RefuseMode {
                mode: *mode,
                platform: *platform,
                fix: fixes_on(cx.repo, *platform, cx.remote, cx.url),
            }),
            Action::WouldAct { update, mode } => emit(&Hook::WouldAct {
                toggle: *mode == Mode::Toggle,
                remote_ref: cx.checked[*update].update.remote_ref.clone(),
            }),
            Action::PushMarker { update } => mark(cx, &cx.checked[*update]),
            Action::Toggle { update } => match toggle_one(cx, &cx.checked[*update]) {
                Ok(state) => toggled.push(state),
                Err(e) => {
                    refuse_toggle(cx, &e, &toggled);
                    return Outcome::Refused;
                }
            },
            Action::RemoteWipe { updates, dry_run } => {
                if !wipe_on_site(cx, updates, *dry_run) {
                    return Outcome::Refused;
                }
            }
            Action::RunCommand { updates, dry_run } => {
                if !run_command(cx, updates, *dry_run) {
                    return Outcome::Refused;
                }
            }
            Action::RemotePrune { updates, dry_run } => {
                if !prune_on_site(cx, updates, *dry_run) {
                    return Outcome::Refused;
                }
            }
            Action::FinishToggle { not_toggled } => {
                let rest: Vec<&RefUpdate> =
                    not_toggled.iter().map(|&i| &cx.checked[i].update).collect();
                finish_toggled(cx, &toggled, &rest);
            }
        }
    }
    plan.outcome
}

/// A toggle failed: the ways out, and what the toggles before it deployed.
fn refuse_toggle(cx: &Context, e: &Error, toggled: &[ToggleState]) {
    emit(&Hook::RefuseToggle {
        error: e.to_string(),
    });
    if !toggled.is_empty() {
        let rest: Vec<&RefUpdate> = cx
            .checked
            .iter()
            .map(|c| &c.update)
            .filter(|u| !toggled.iter().any(|t| t.remote_ref == u.remote_ref))
            .collect();
        finish_toggled(cx, toggled, &rest);
    }
}

fn report(cx: &Context, update: usize, reasons: bool) {
    let checked = &cx.checked[update];
    emit(&Hook::Verdict {
        remote_ref: checked.update.remote_ref.clone(),
        verdict: verdict_line(&checked.analysis),
        reasons: if reasons {
            reason_lines(cx.repo, &checked.analysis)
        } else {
            Vec::new()
        },
    });
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

/// For a deploy branch the remote does not have (deleted, or never pushed) on a site with
/// Kudu's API: the commit the site runs, its active deployment, when this repository has it.
/// The platform's own record comes before envguard's and git's.
fn site_runs(
    repo: &Repository,
    config: &Config,
    push: &Push,
    update: &RefUpdate,
    platform: Platform,
) -> Option<Oid> {
    if update.old.is_some() || !platform.has_site_api() {
        return None;
    }
    match crate::remote::active_deployment(repo, config, &push.remote, &push.url) {
        Ok(found) => found.filter(|id| repo.find_commit(*id).is_ok()),
        Err(e) => {
            log::debug!("the site's active deployment: {e}");
            None
        }
    }
}

/// What the remote already has for a ref update: its old id when known here; for a new
/// branch (or an old id this repository lacks), what the remote's branch held when envguard
/// last saw it (a deploy branch deleted and pushed again), else the nearest commit the
/// remote's remote-tracking refs share with the tip. `None`: the remote has nothing of it (first
/// deploy).
fn base_for(repo: &Repository, remote: &str, update: &RefUpdate) -> Option<Oid> {
    if let Some(old) = update.old
        && repo.find_commit(old).is_ok()
    {
        return Some(old);
    }
    let tip = update.new?;
    // A deploy branch deleted and pushed again: the remote last held (and deployed) this.
    if let Some(last) = update
        .branch()
        .and_then(|branch| deployed::last(repo, remote, branch))
    {
        return Some(last);
    }
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

/// Mark mode: the marker ref goes to the remote before the branch update, so the server
/// hook sees it when the branch arrives. A failure is a warning.
fn mark(cx: &Context, checked: &Checked) {
    let Some(branch) = checked.update.branch() else {
        return;
    };
    let marker = format!("refs/envguard/wipe/{branch}");
    let tip = checked.analysis.new.to_string();
    match gitcli::push_commit(
        cx.repo.path(),
        cx.remote,
        &tip,
        &marker,
        Lease::Any,
        true,
        &[],
    ) {
        Ok(()) => emit(&Hook::MarkerPushed {
            marker,
            remote: SecretUrl::new(cx.remote),
            branch: branch.to_string(),
        }),
        Err(e) => emit(&Hook::MarkerFailed {
            error: e.to_string(),
        }),
    }
}

/// The arguments of the user's push that the toggle's pushes repeat.
fn toggle_push_args(extras: &invocation::PushExtras) -> Vec<String> {
    let mut args: Vec<String> = extras
        .options
        .iter()
        .map(|o| format!("--push-option={o}"))
        .collect();
    if let Some(signed) = &extras.signed {
        args.push(if signed.is_empty() {
            "--signed".to_string()
        } else {
            format!("--signed={signed}")
        });
    }
    args
}

fn toggle_one(cx: &Context, checked: &Checked) -> Result<ToggleState> {
    let extras = invocation::extras_of_this_push();
    let local = checked.update.local_ref.as_deref();
    let commits = match toggle::made_for(cx.repo, local, checked.analysis.new) {
        Some(pair) => pair,
        None => toggle::build(cx.repo, cx.config, &checked.analysis)?,
    };
    let original = commits.original.as_deref().unwrap_or("(no runtime.txt)");
    if commits.reused {
        emit(&Hook::ToggleReused {
            remote_ref: checked.update.remote_ref.clone(),
            url: SecretUrl::new(cx.url),
            t1: short_oid(commits.t1),
            t2: short_oid(commits.t2),
        });
    } else {
        emit(&Hook::Toggle {
            remote_ref: checked.update.remote_ref.clone(),
            original: original.to_string(),
            toggle: commits.toggle.clone(),
            t1: short_oid(commits.t1),
            t2: short_oid(commits.t2),
        });
    }
    let mut state = ToggleState {
        remote: cx.remote.to_string(),
        url: Some(cx.url.to_string()),
        remote_ref: checked.update.remote_ref.clone(),
        local_ref: checked.update.local_ref.clone(),
        tip: checked.analysis.new.to_string(),
        t1: commits.t1.to_string(),
        t2: commits.t2.to_string(),
        old: checked.update.old.map(|o| o.to_string()),
        push_args: toggle_push_args(&extras),
        set_upstream: extras.set_upstream,
        moved: None,
        kept_because: None,
    };
    toggle::push_pair(cx.repo, &mut state)?;
    Ok(state)
}

/// Says what the site's two deployments of a toggle did, read from its deployment API;
/// without API access, says that it was not verified and why.
fn verify_toggle(cx: &Context, state: &ToggleState) {
    let unverified = |why: &str| {
        emit(&Hook::ToggleUnverified {
            why: why.to_string(),
        });
    };
    if !cx.platform.has_site_api()
        || RemoteSite::resolve(cx.repo, cx.config, cx.remote, &[cx.url]).is_err()
    {
        return unverified("no Kudu API address for this remote; envguard.scmUrl gives one");
    }
    let commits = [state.t1.clone(), state.t2.clone()];
    match crate::remote::verify_deployments(cx.repo, cx.config, cx.remote, cx.url, &commits) {
        Ok(lines) => emit(&Hook::Site { lines }),
        Err(e) => {
            log::debug!("verifying the toggle: {e}");
            unverified(
                "the site's deployment API did not answer with a credential helper's \
                        credentials; `envguard -v push` shows why",
            )
        }
    }
}

/// After a toggle: say plainly that the deployment succeeded and what is not pushed yet
/// (`rest`, and the updates envguard does not guard), then stop the outer push (git cannot
/// let a pre-push hook change what it pushes).
fn finish_toggled(cx: &Context, toggled: &[ToggleState], rest: &[&RefUpdate]) {
    let skipped: Vec<&str> = rest
        .iter()
        .copied()
        .chain(cx.others)
        .map(|u| u.remote_ref.as_str())
        .collect();
    // `envguard push` pushes again only when something is left to push.
    crate::pending::HookReport {
        toggled: true,
        rest: skipped.len(),
        wiped: None,
    }
    .hand_over();
    for state in toggled {
        emit(&Hook::ToggleDeployed {
            remote_ref: state.remote_ref.clone(),
            remote: SecretUrl::new(cx.remote),
            t2: short_id(&state.t2).to_string(),
        });
        verify_toggle(cx, state);
        emit(&Hook::Moved {
            line: moved_line(state),
        });
    }
    if vars::wrapper().is_some() {
        return;
    }
    if !skipped.is_empty() {
        emit(&Hook::NotPushedYet {
            refs: skipped.iter().map(|s| s.to_string()).collect(),
        });
    }
    emit(&Hook::GitReportsFailure);
}

/// Exactly what moved in this repository after a toggle: the pushed branch, or nothing
/// (a push from a detached HEAD, a tag or a commit id moves no branch).
fn moved_line(state: &ToggleState) -> String {
    let (t2, tip) = (short_id(&state.t2), short_id(&state.tip));
    if let Some(why) = &state.kept_because {
        return format!(
            "no branch was moved because {why}; when it is done, the deployed commit is {t2} \
             (same files as your commit {tip}, plus the two toggle commits)"
        );
    }
    match &state.moved {
        Some(branch) => format!(
            "{branch} now points at {t2} too: same files as your commit {tip}, plus the two \
             toggle commits."
        ),
        None => format!(
            "no branch was moved (you pushed {}); to build on what is deployed: git checkout {t2} \
             (same files as {tip}, plus the two toggle commits)",
            match state.local_ref.as_deref() {
                Some("HEAD") => "a detached HEAD".to_string(),
                Some(r) if r.starts_with("refs/tags/") => format!("the tag {}", &r[10..]),
                Some(r) => r.to_string(),
                None => format!("the commit {tip}"),
            }
        ),
    }
}
