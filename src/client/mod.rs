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
mod execute;
pub mod invocation;
mod judge;
mod site;
pub mod toggle;
pub mod wrapper;

use git2::Repository;

use crate::ExitStatus;
use crate::analyze::{Analyzer, Verdict};
use crate::chain::{self, HookArgs};
use crate::config::{
    Config, DeployTarget, Mode, PlatformSource, committed_warnings, configured_urls,
};
use crate::hook_input::{self, PushFlags, RefUpdate};
use crate::output::secret::SecretUrl;
use crate::output::{Hook, Unchecked};
use crate::output::{emit, emit_detail};
use crate::plan::{self, Action, Checked, Outcome, Plan};
use crate::platform::Platform;
use crate::{Error, Result, vars};
use judge::{analyzer_for, bases_for, check_updates, peeled};
use site::warn_unpinned_vcs;

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
        Err(
            e @ (Error::Config { .. } | Error::UnknownKey { .. } | Error::CommittedConfig { .. }),
        ) => {
            emit(&Hook::BadSetting { error: e.into() });
            Outcome::Refused.exit_status()
        }
        Err(e) if acting() => {
            log::debug!("{e:?}");
            emit(&Hook::InternalRefused { error: e.into() });
            Outcome::Refused.exit_status()
        }
        Err(e) => {
            log::debug!("{e:?}");
            emit(&Hook::Internal { error: e.into() });
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
/// git's hook arguments and stdin; and the error of input envguard cannot read, which is
/// said once the mode is known (a mode that acts refuses such a push).
fn read_push(
    repo: &Repository,
    args: &HookArgs,
    stdin: &[u8],
) -> Result<(Push, Option<hook_input::InputError>)> {
    let format = repo.object_format();
    let env = vars::lookup;
    let (remote, url, updates) = match hook_input::from_pre_commit_env(env, format) {
        Ok(Some(update)) => (
            env("PRE_COMMIT_REMOTE_NAME").or_else(|| args.remote.clone()),
            env("PRE_COMMIT_REMOTE_URL").or_else(|| args.url.clone()),
            Ok(vec![update]),
        ),
        Ok(None) => (
            args.remote.clone(),
            args.url.clone(),
            hook_input::parse_pre_push(&String::from_utf8_lossy(stdin), format),
        ),
        Err(e) => (args.remote.clone(), args.url.clone(), Err(e)),
    };
    let (Some(remote), Some(url)) = (remote, url) else {
        return Err(Error::NoPushTarget);
    };
    let (updates, unreadable) = match updates {
        Ok(updates) => (updates, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    Ok((
        Push {
            remote,
            url,
            updates,
        },
        unreadable,
    ))
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

/// The repository's git configuration and envguard's settings from it, their warnings said.
fn settings(repo: &Repository) -> Result<(git2::Config, Config)> {
    let git_config = crate::config::open(repo)?;
    let mut config = Config::from_git_config(&git_config)
        .map_err(|e| crate::config::committed::attribute(repo, &git_config, e))?;
    config.warnings.extend(committed_warnings(repo));
    for warning in &config.warnings {
        emit(&Hook::SettingWarning {
            warning: warning.clone(),
        });
    }
    Ok((git_config, config))
}

fn pre_push_checked(args: &HookArgs, stdin: &[u8]) -> Result<Outcome> {
    if vars::fault_injected("panic") {
        panic!("injected fault");
    }
    let repo = Repository::open_from_env()?;
    if let Some(notice) = toggle::pending_notice(&repo) {
        emit(&Hook::Pending { notice });
    }
    let (push, unreadable) = read_push(&repo, args, stdin)?;
    if push.updates.is_empty() && unreadable.is_none() {
        say_no_input();
        return Ok(Outcome::Proceed);
    }
    let (git_config, mut config) = settings(&repo)?;
    let urls = push_urls(&git_config, &push);
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    config
        .check_remote_names(&repo)
        .map_err(|e| crate::config::committed::attribute(&repo, &git_config, e))?;
    let Some(mut target) = config.deploy_target(&push.remote, &urls) else {
        return Ok(not_checked(&push, Unchecked::NotDeployRemote));
    };
    if target.mode == Mode::Off {
        return Ok(not_checked(&push, Unchecked::ModeOff));
    }
    mode_known(target.mode)?;
    if let Some(e) = unreadable {
        return Err(e.into());
    }
    let branch_unknown = settle_branches(&repo, &mut config, &push, target.platform);
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
    say_branch_unknown(branch_unknown.as_ref(), &checked);
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
    let outcome = execute::execute(&context, &plan);
    // Noted once the push is judged and let go (the record this push was judged by is the one
    // before it); a push envguard refused sends nothing, a dry run deploys nothing.
    if outcome != Outcome::Refused {
        note_deployed(&repo, &config, &push, || flags_of().dry_run);
    }
    Ok(outcome)
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

/// Notes what the remote's deploy branches hold now (git's hook input) and what this push
/// sends them, for a later push of a branch deleted meanwhile; nothing for a dry run of a
/// branch the remote lacks, whose record it would only blur.
fn note_deployed(repo: &Repository, config: &Config, push: &Push, dry_run: impl Fn() -> bool) {
    for update in &push.updates {
        if !config.is_deploy_branch(&update.remote_ref) || (update.old.is_none() && dry_run()) {
            continue;
        }
        if let Err(unreadable) = deployed::note(repo, &push.url, update) {
            emit(&Hook::RecordNotWritten {
                path: unreadable.path,
                remote_ref: update.remote_ref.clone(),
            });
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
/// the message that says how to name it, for the push to say when it matters.
fn settle_branches(
    repo: &Repository,
    config: &mut Config,
    push: &Push,
    platform: Platform,
) -> Option<Hook> {
    config.settle_branches(
        platform,
        crate::config::default_branch(repo, &format!("refs/remotes/{}/HEAD", push.remote)),
    );
    config
        .deploy_branch_unknown()
        .map(|platform| Hook::DeployBranchUnknown {
            platform,
            remote: SecretUrl::new(&push.remote),
        })
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
    // A deploy branch left unchecked has said why (it could not be analysed).
    let skipped_deploy_branch = cx
        .others
        .iter()
        .any(|u| u.new.is_some() && cx.config.is_deploy_branch(&u.remote_ref));
    if cx.checked.is_empty() && skipped_deploy_branch {
        return;
    }
    if cx.checked.is_empty() {
        let message = Hook::NotChecked {
            remote: SecretUrl::new(cx.remote),
            why: Unchecked::NoDeployBranch {
                branches: cx.config.branches.join(" "),
                assumed: cx.config.head_assumed,
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
            rule: analysis.warnings.first().cloned(),
            first: analysis.old.is_none(),
        };
        // Quiet when the push changes nothing watched; one line when it does and nothing
        // goes stale, or a platform rule decided.
        if changed_watched(analysis) {
            emit(&message);
        } else {
            emit_detail(&message);
        }
    }
}

/// git gives no input when there is nothing to push; a hook manager that does not pass
/// git's input on gives none either, and that push would go out unchecked. Run by git
/// itself, an empty input is an up-to-date push: nothing to say.
fn say_no_input() {
    if chain::run_from_another_hook().is_some() {
        emit(&Hook::NoInput);
    } else {
        emit_detail(&Hook::NoInput);
    }
}

/// Which branch deploys matters to a push that changes a watched file: said then, quiet
/// otherwise.
fn say_branch_unknown(message: Option<&Hook>, checked: &[Checked]) {
    if let Some(message) = message {
        if checked.iter().any(|c| changed_watched(&c.analysis)) {
            emit(message);
        } else {
            emit_detail(message);
        }
    }
}

/// Whether an update changes a watched file (or a rule or trailer decided about one).
fn changed_watched(analysis: &crate::analyze::Analysis) -> bool {
    !(analysis.added.is_empty()
        && analysis.changed.is_empty()
        && analysis.removed.is_empty()
        && analysis.skipped.is_empty()
        && analysis.warnings.is_empty()
        && analysis.reasons.is_empty()
        && analysis.errors.is_empty())
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
                why: e.into(),
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
        bases_for(repo, push, update)
            .into_iter()
            .any(|base| analyzer.changes_watched(base, tip).unwrap_or(true))
    })
}
