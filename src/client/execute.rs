//! Carrying out the plan of a push: the reports, the refusals, the marker, the toggle of
//! each update and what the push says when it is done.

use super::site::{fixes_on, prune_on_site, run_command, wipe_on_site};
use super::toggle::{self, ToggleState};
use super::{Context, invocation};
use crate::chain;
use crate::config::Mode;
use crate::error::toggle::ToggleError;
use crate::gitcli::{self, Lease};
use crate::hook_input::RefUpdate;
use crate::output::Hook;
use crate::output::emit;
use crate::output::push::{Moved, Unverified};
use crate::output::secret::SecretUrl;
use crate::output::verdict::{ReasonList, short_id, short_oid};
use crate::plan::{Action, Checked, Outcome, Plan};
use crate::remote::RemoteSite;
use crate::{Error, Result, vars};

/// Runs the plan's actions in order. Returns how the push ends: the plan's outcome, or
/// `Refused` when an action that had to succeed failed.
pub(super) fn execute(cx: &Context, plan: &Plan) -> Outcome {
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
            Action::PushMarker { update } => {
                if !mark(cx, &cx.checked[*update]) {
                    return Outcome::Refused;
                }
            }
            Action::Toggle { update } => match toggle_one(cx, &cx.checked[*update]) {
                Ok(state) => toggled.push(state),
                Err(e) => {
                    refuse_toggle(cx, e, &toggled);
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
fn refuse_toggle(cx: &Context, e: Error, toggled: &[ToggleState]) {
    let halfway = matches!(&e, Error::Toggle(t) if matches!(**t, ToggleError::Halfway { .. }));
    emit(&Hook::RefuseToggle {
        error: e.into(),
        halfway,
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
        verdict: checked.analysis.verdict_line(),
        reasons: if reasons {
            checked.analysis.reason_list(cx.repo)
        } else {
            ReasonList::default()
        },
    });
}

/// Mark mode: the marker ref goes to the remote before the branch update, so the server
/// hook sees it when the branch arrives. A mode that acts fails closed: without the marker
/// the server would keep the stale env, so a failure refuses the push.
fn mark(cx: &Context, checked: &Checked) -> bool {
    let Some(branch) = checked.update.branch() else {
        return true;
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
        Ok(()) => {
            emit(&Hook::MarkerPushed {
                marker,
                remote: SecretUrl::new(cx.remote),
                branch: branch.to_string(),
            });
            true
        }
        Err(e) => {
            emit(&Hook::MarkerFailed { error: e.into() });
            false
        }
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
    let unverified = |why| emit(&Hook::ToggleUnverified { why });
    if !cx.platform.has_site_api()
        || RemoteSite::resolve(cx.repo, cx.config, cx.remote, &[cx.url]).is_err()
    {
        return unverified(Unverified::NoSiteApi);
    }
    let commits = [state.t1.clone(), state.t2.clone()];
    match crate::remote::verify_deployments(cx.repo, cx.config, cx.remote, cx.url, &commits) {
        Ok(deployments) => emit(&Hook::Deployments { deployments }),
        Err(e) => {
            log::debug!("verifying the toggle: {e}");
            unverified(Unverified::NoAnswer)
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
            moved: moved(state),
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

/// Exactly what moved in this repository after a toggle.
fn moved(state: &ToggleState) -> Moved {
    Moved {
        t2: short_id(&state.t2).to_string(),
        tip: short_id(&state.tip).to_string(),
        branch: state.moved.clone(),
        operation: state.kept_because.clone(),
        local_ref: state.local_ref.clone(),
    }
}
