//! The plan: what envguard does about analysed ref updates, decided in one pure place. The
//! client's [`plan_push`] turns the deploy-branch updates of a push, the mode and the push's
//! flags into a list of [`Action`]s and an [`Outcome`]; the server's [`plan_receive`] turns
//! one received update into a [`ServerPlan`]. Nothing here does I/O: the executors of
//! `client` and `server` run the actions in order and report. A new mode or platform is a
//! new case here, not a new branch in a hook.

use crate::FileError;
use crate::analyze::{Analysis, Verdict};
use crate::config::{Mode, ServerAction};
use crate::hook_input::{PushFlags, RefUpdate};
use crate::platform::Platform;

/// One deploy-branch update of a push, with its analysis.
#[derive(Debug, Clone)]
pub struct Checked {
    pub update: RefUpdate,
    pub analysis: Analysis,
    /// Whether git accepts it without force (a new ref, or a descendant of what the remote
    /// has).
    pub fast_forward: bool,
    /// Whether git pushes it forced by configuration (a `+` refspec of
    /// `remote.<name>.push`, a mirror remote), whatever the command line says.
    pub forced: bool,
}

/// How a push ends for git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The hook lets git push.
    Proceed,
    /// The hook stops the push; nothing of it was sent.
    Refused,
    /// The toggle deployed the push already; the hook stops git's own push, which would
    /// only repeat it.
    StoppedAfterToggle,
}

impl Outcome {
    /// The hook's exit code.
    pub fn exit_status(self) -> crate::ExitStatus {
        match self {
            Outcome::Proceed => crate::ExitStatus::Success,
            Outcome::Refused | Outcome::StoppedAfterToggle => crate::ExitStatus::Failure,
        }
    }
}

/// One step of the client's plan. `update` indexes the [`Checked`] slice that was planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Say the verdict of an update, with its reasons when `reasons`.
    Report { update: usize, reasons: bool },
    /// An update git will refuse as not a fast-forward: it sets off nothing.
    NotFastForward { update: usize },
    /// The pushed files are invalid: name each error and the ways to push anyway.
    RefuseInvalid { errors: Vec<FileError> },
    /// The mode cannot rebuild the env on this platform (a toggle where runtime.txt is not
    /// read, a remote wipe without a site API): say so, and what works there.
    RefuseMode { mode: Mode, platform: Platform },
    /// The env keeps stale packages and the mode does nothing about it: say so.
    WarnStale { update: usize },
    /// A dry run: what a real push would do for an update in this mode.
    WouldAct { update: usize, mode: Mode },
    /// Push the wipe marker ref for an update (mark mode).
    PushMarker { update: usize },
    /// Build and push the runtime-toggle pair for an update.
    Toggle { update: usize },
    /// Delete env on the site before git sends anything (once per push), for the updates
    /// that need a fresh env (the site acts only when one of them is the branch it deploys).
    RemoteWipe { updates: Vec<usize>, dry_run: bool },
    /// Run `envguard.command` before git sends anything (once per push), for the updates
    /// that need a fresh env.
    RunCommand { updates: Vec<usize>, dry_run: bool },
    /// Uninstall on the site what these updates' requirements no longer need, before git
    /// sends anything (once per push).
    RemotePrune { updates: Vec<usize>, dry_run: bool },
    /// After the toggles: say what was deployed, what was not pushed yet, and why git
    /// reports the push as failed.
    FinishToggle { not_toggled: Vec<usize> },
}

/// The client's plan for one push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub actions: Vec<Action>,
    pub outcome: Outcome,
}

impl Plan {
    /// Whether carrying out the plan changes anything outside this repository (pushes a
    /// toggle or a marker, deletes on a site, runs the configured command) before git's
    /// own push.
    pub fn acts_on_the_remote(&self) -> bool {
        self.actions.iter().any(|a| match a {
            Action::PushMarker { .. } | Action::Toggle { .. } => true,
            Action::RemoteWipe { dry_run, .. }
            | Action::RunCommand { dry_run, .. }
            | Action::RemotePrune { dry_run, .. } => !dry_run,
            _ => false,
        })
    }

    fn of(actions: Vec<Action>, outcome: Outcome) -> Plan {
        Plan { actions, outcome }
    }
}

/// Plans a push of `checked` updates to `platform` in `mode`.
///
/// The rules: `off` does nothing. An update that is not a fast-forward (and not forced) is
/// refused by git after the hook, so it only gets a notice. Invalid watched files in the
/// others refuse the push. Then per update: `none` nothing (where every build is fresh, a
/// report of why changes need nothing); `rebuild` a report (the platform rebuilds by
/// itself); `wipe` a report and the mode's remedy (in a dry run, what the remedy would be),
/// or a refusal when the mode cannot rebuild the env on this platform. A toggle stops git's
/// own push afterwards.
pub fn plan_push(checked: &[Checked], mode: Mode, platform: Platform, flags: PushFlags) -> Plan {
    let mut actions = Vec::new();
    if mode == Mode::Off {
        return Plan::of(actions, Outcome::Proceed);
    }
    let accepted = |c: &Checked| flags.force || c.forced || c.fast_forward;
    for (i, c) in checked.iter().enumerate() {
        if !accepted(c) && c.analysis.verdict != Verdict::None {
            actions.push(Action::NotFastForward { update: i });
        }
    }
    let errors: Vec<FileError> = checked
        .iter()
        .filter(|c| accepted(c))
        .flat_map(|c| c.analysis.errors.iter().cloned())
        .collect();
    if !errors.is_empty() {
        actions.push(Action::RefuseInvalid { errors });
        return Plan::of(actions, Outcome::Refused);
    }
    let stale: Vec<usize> = (0..checked.len())
        .filter(|&i| accepted(&checked[i]) && checked[i].analysis.verdict == Verdict::Wipe)
        .collect();
    if !stale.is_empty() && !platform.allows(mode) {
        actions.extend(stale.into_iter().map(|update| Action::Report {
            update,
            reasons: true,
        }));
        actions.push(Action::RefuseMode { mode, platform });
        return Plan::of(actions, Outcome::Refused);
    }
    let mut remedies = Remedies::default();
    for (i, c) in checked.iter().enumerate().filter(|(_, c)| accepted(c)) {
        match c.analysis.verdict {
            // The platform rebuilds by itself, or builds afresh every time anyway.
            Verdict::Rebuild => actions.push(Action::Report {
                update: i,
                reasons: false,
            }),
            Verdict::None if platform.builds_fresh() && !c.analysis.reasons.is_empty() => {
                actions.push(Action::Report {
                    update: i,
                    reasons: false,
                });
            }
            // Errors refused the push above; an analysis never holds `Invalid` itself.
            Verdict::None | Verdict::Invalid => {}
            Verdict::Wipe => {
                actions.push(Action::Report {
                    update: i,
                    reasons: true,
                });
                actions.extend(remedy(i, mode, flags.dry_run));
                remedies.note(i, &c.analysis, mode, platform, flags.dry_run);
            }
        }
    }
    let toggled = std::mem::take(&mut remedies.toggled);
    remedies.once_per_push(&mut actions, flags.dry_run);
    if toggled.is_empty() {
        return Plan::of(actions, Outcome::Proceed);
    }
    let not_toggled = (0..checked.len())
        .filter(|i| !toggled.contains(i))
        .collect();
    actions.push(Action::FinishToggle { not_toggled });
    Plan::of(actions, Outcome::StoppedAfterToggle)
}

/// The remedies a push's stale updates need, gathered so that the site-wide ones run once.
#[derive(Default)]
struct Remedies {
    toggled: Vec<usize>,
    remote_wipe: Vec<usize>,
    /// Whether some update of the push needs the remote wipe.
    wipes: bool,
    command: Vec<usize>,
    prune: Vec<usize>,
}

impl Remedies {
    /// Notes the remedy of one stale update.
    fn note(
        &mut self,
        update: usize,
        analysis: &Analysis,
        mode: Mode,
        platform: Platform,
        dry_run: bool,
    ) {
        // A prune only where requirement changes alone made the env stale, on a site with
        // one env; the remote wipe otherwise.
        let prunable = analysis.only_requirement_changes() && platform.facts().remote_prunable;
        if mode == Mode::RemoteWipe || mode == Mode::RemotePrune {
            self.remote_wipe.push(update);
        }
        self.wipes |= mode == Mode::RemoteWipe || (mode == Mode::RemotePrune && !prunable);
        match mode {
            Mode::Command => self.command.push(update),
            Mode::RemotePrune if prunable => self.prune.push(update),
            Mode::Toggle if !dry_run => self.toggled.push(update),
            _ => {}
        }
    }

    /// The actions that run once per push, before git sends anything.
    fn once_per_push(self, actions: &mut Vec<Action>, dry_run: bool) {
        if self.wipes {
            actions.push(Action::RemoteWipe {
                updates: self.remote_wipe,
                dry_run,
            });
        } else if !self.prune.is_empty() {
            actions.push(Action::RemotePrune {
                updates: self.prune,
                dry_run,
            });
        }
        if !self.command.is_empty() {
            actions.push(Action::RunCommand {
                updates: self.command,
                dry_run,
            });
        }
    }
}

/// The remedy of a `wipe` verdict for one update in `mode` (the remote wipe is one action
/// for the whole push, added by the caller).
fn remedy(update: usize, mode: Mode, dry_run: bool) -> Option<Action> {
    match mode {
        Mode::Toggle | Mode::Mark if dry_run => Some(Action::WouldAct { update, mode }),
        Mode::Toggle => Some(Action::Toggle { update }),
        Mode::Mark => Some(Action::PushMarker { update }),
        Mode::Warn | Mode::Off => Some(Action::WarnStale { update }),
        Mode::RemoteWipe | Mode::Command | Mode::RemotePrune => None,
    }
}

pub use crate::verdict::Cause;

/// What the server does for one received update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerStep {
    /// Nothing needs a fresh env: keep it.
    Keep,
    /// Delete the env folder of the deployment target.
    Wipe,
    /// Write the marker file for a deploy script into the target.
    WriteMarker,
    /// Uninstall exactly what the pushed requirements no longer need (a wipe where that
    /// cannot be decided safely).
    Prune,
    /// A fresh env is needed but `envguard.target` is not set: say how to set it.
    NoTarget,
}

/// The server's plan for one received update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPlan {
    pub causes: Vec<Cause>,
    pub step: ServerStep,
}

/// What the server knows of one deploy-branch update when it plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiveInput {
    /// The analysis's verdict; `None` when the update could not be analysed.
    pub verdict: Option<Verdict>,
    /// The pushed requirements were read and the verdict's reasons are requirement changes
    /// only.
    pub prunable: bool,
    /// A wipe marker pushed by the client applies to this update.
    pub marker: bool,
    /// The push asked for a wipe with `-o envguard.wipe`.
    pub push_option: bool,
    pub action: ServerAction,
    /// `envguard.target` (or piku's venv) names an env to act on.
    pub has_target: bool,
}

/// What the post-receive hook does for one update. `verdict` is `None` when the update
/// could not be analysed. A self-hosted deploy step keeps env across runtime changes (it
/// only runs pip into it), so on the server `rebuild` needs a wipe just as `wipe` does.
/// `prunable`: the verdict's reasons are requirement changes only, so the `prune` action
/// can make the env exact; anything else (a runtime change, a committed env, a forced or
/// explicitly requested wipe) is wiped.
pub fn plan_receive(input: &ReceiveInput) -> ServerPlan {
    let ReceiveInput {
        verdict,
        prunable,
        marker,
        push_option,
        action,
        has_target,
    } = *input;
    let mut causes = Vec::new();
    match verdict {
        Some(v @ (Verdict::Wipe | Verdict::Rebuild)) => causes.push(Cause::Verdict(v)),
        Some(Verdict::None | Verdict::Invalid) | None => {}
    }
    if marker {
        causes.push(Cause::Marker);
    }
    if push_option {
        causes.push(Cause::PushOption);
    }
    let step = match (causes.is_empty(), has_target, action) {
        // The prune makes the env exactly what the pushed requirements install, so it runs
        // on every update it can read, also one that changes nothing watched: an env made
        // stale before (by hand, by a push envguard did not see) is set right too.
        (true, true, ServerAction::Prune) if prunable && verdict == Some(Verdict::None) => {
            ServerStep::Prune
        }
        (true, _, _) => ServerStep::Keep,
        (false, false, _) => ServerStep::NoTarget,
        (false, true, ServerAction::Wipe) => ServerStep::Wipe,
        (false, true, ServerAction::Marker) => ServerStep::WriteMarker,
        (false, true, ServerAction::Prune)
            if prunable && causes == [Cause::Verdict(Verdict::Wipe)] =>
        {
            ServerStep::Prune
        }
        (false, true, ServerAction::Prune) => ServerStep::Wipe,
    };
    ServerPlan { causes, step }
}

#[cfg(test)]
mod tests {
    use git2::Oid;

    use super::*;

    fn receive(
        verdict: Option<Verdict>,
        prunable: bool,
        marker: bool,
        push_option: bool,
        action: ServerAction,
        has_target: bool,
    ) -> ServerPlan {
        plan_receive(&ReceiveInput {
            verdict,
            prunable,
            marker,
            push_option,
            action,
            has_target,
        })
    }

    const MODES: [Mode; 7] = [
        Mode::RemotePrune,
        Mode::Toggle,
        Mode::Mark,
        Mode::Warn,
        Mode::Off,
        Mode::RemoteWipe,
        Mode::Command,
    ];

    fn id(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    fn checked(verdict: Verdict, fast_forward: bool) -> Checked {
        let mut analysis = Analysis::new(Some(id(1)), id(2), KUDU);
        analysis.verdict = verdict;
        Checked {
            update: RefUpdate {
                local_ref: Some("refs/heads/master".into()),
                remote_ref: "refs/heads/master".into(),
                old: Some(id(1)),
                new: Some(id(2)),
            },
            analysis,
            fast_forward,
            forced: false,
        }
    }

    /// A removal of `package` from requirements.txt.
    fn removal(package: &str) -> crate::analyze::Reason {
        crate::analyze::Reason {
            kind: crate::analyze::ReasonKind::RequirementRemoved,
            file: "requirements.txt".into(),
            package: Some(package.into()),
            commit: None,
            detail: None,
        }
    }

    fn invalid(verdict: Verdict) -> Checked {
        let mut c = checked(verdict, true);
        c.analysis
            .errors
            .push(FileError::new("requirements.txt", Some(3), "bad line"));
        c
    }

    const KUDU: Platform = Platform::KuduWindows;
    const PUSH: PushFlags = PushFlags::PLAIN;
    const DRY: PushFlags = PushFlags::DRY_RUN;
    const FORCE: PushFlags = PushFlags::FORCED;

    fn report(update: usize) -> Action {
        Action::Report {
            update,
            reasons: true,
        }
    }

    #[test]
    fn nothing_to_do_proceeds_silently_in_every_mode() {
        for mode in MODES {
            for flags in [PUSH, DRY, FORCE] {
                let plan = plan_push(&[checked(Verdict::None, true)], mode, KUDU, flags);
                assert_eq!(plan.actions, vec![], "{mode:?} {flags:?}");
                assert_eq!(plan.outcome, Outcome::Proceed);
            }
        }
        assert_eq!(plan_push(&[], Mode::Toggle, KUDU, PUSH).actions, vec![]);
    }

    #[test]
    fn wipe_in_toggle_mode_toggles_and_stops_the_outer_push() {
        let plan = plan_push(&[checked(Verdict::Wipe, true)], Mode::Toggle, KUDU, PUSH);
        assert_eq!(
            plan.actions,
            vec![
                report(0),
                Action::Toggle { update: 0 },
                Action::FinishToggle {
                    not_toggled: vec![]
                }
            ]
        );
        assert_eq!(plan.outcome, Outcome::StoppedAfterToggle);
        assert_eq!(plan.outcome.exit_status().code(), 1);
    }

    #[test]
    fn wipe_in_mark_mode_pushes_the_marker_and_proceeds() {
        let plan = plan_push(&[checked(Verdict::Wipe, true)], Mode::Mark, KUDU, PUSH);
        assert_eq!(
            plan.actions,
            vec![report(0), Action::PushMarker { update: 0 }]
        );
        assert_eq!(plan.outcome, Outcome::Proceed);
    }

    #[test]
    fn wipe_in_warn_mode_warns_and_proceeds() {
        let plan = plan_push(&[checked(Verdict::Wipe, true)], Mode::Warn, KUDU, PUSH);
        assert_eq!(
            plan.actions,
            vec![report(0), Action::WarnStale { update: 0 }]
        );
        assert_eq!(plan.outcome, Outcome::Proceed);
    }

    #[test]
    fn off_mode_does_nothing_even_for_invalid_files() {
        let plan = plan_push(&[invalid(Verdict::Wipe)], Mode::Off, KUDU, PUSH);
        assert_eq!(plan.actions, vec![]);
        assert_eq!(plan.outcome, Outcome::Proceed);
    }

    #[test]
    fn remote_wipe_is_one_action_for_all_updates() {
        let both = [checked(Verdict::Wipe, true), checked(Verdict::Wipe, true)];
        let plan = plan_push(&both, Mode::RemoteWipe, KUDU, PUSH);
        assert_eq!(
            plan.actions,
            vec![
                report(0),
                report(1),
                Action::RemoteWipe {
                    updates: vec![0, 1],
                    dry_run: false
                }
            ]
        );
        assert_eq!(plan.outcome, Outcome::Proceed);
        let dry = plan_push(&both, Mode::RemoteWipe, KUDU, DRY);
        assert_eq!(
            dry.actions.last(),
            Some(&Action::RemoteWipe {
                updates: vec![0, 1],
                dry_run: true
            })
        );
    }

    #[test]
    fn command_mode_runs_the_command_once_for_the_stale_updates() {
        let updates = [
            checked(Verdict::Wipe, true),
            checked(Verdict::None, true),
            checked(Verdict::Wipe, true),
        ];
        let plan = plan_push(&updates, Mode::Command, Platform::Heroku, PUSH);
        assert_eq!(
            plan.actions,
            vec![
                report(0),
                report(2),
                Action::RunCommand {
                    updates: vec![0, 2],
                    dry_run: false
                }
            ]
        );
        assert_eq!(plan.outcome, Outcome::Proceed);
    }

    #[test]
    fn remote_prune_where_requirement_changes_alone_made_the_env_stale() {
        let mut c = checked(Verdict::Wipe, true);
        c.analysis.reasons.push(removal("gone"));
        let linux = Platform::KuduLinux;
        let plan = plan_push(std::slice::from_ref(&c), Mode::RemotePrune, linux, PUSH);
        assert_eq!(
            plan.actions.last(),
            Some(&Action::RemotePrune {
                updates: vec![0],
                dry_run: false
            })
        );
        // A forced wipe (or any reason that is not a requirement change): the remote wipe.
        let forced = checked(Verdict::Wipe, true);
        let plan = plan_push(&[forced], Mode::RemotePrune, linux, PUSH);
        assert_eq!(
            plan.actions.last(),
            Some(&Action::RemoteWipe {
                updates: vec![0],
                dry_run: false
            })
        );
    }

    #[test]
    fn dry_run_says_what_it_would_do_and_changes_nothing() {
        for mode in [Mode::Toggle, Mode::Mark] {
            let plan = plan_push(&[checked(Verdict::Wipe, true)], mode, KUDU, DRY);
            assert_eq!(
                plan.actions,
                vec![report(0), Action::WouldAct { update: 0, mode }]
            );
            assert_eq!(plan.outcome, Outcome::Proceed, "{mode:?}");
        }
        let warn = plan_push(&[checked(Verdict::Wipe, true)], Mode::Warn, KUDU, DRY);
        assert_eq!(
            warn.actions,
            vec![report(0), Action::WarnStale { update: 0 }]
        );
    }

    #[test]
    fn rebuild_is_reported_without_a_remedy() {
        for mode in [Mode::Toggle, Mode::Mark, Mode::Warn, Mode::RemoteWipe] {
            let plan = plan_push(&[checked(Verdict::Rebuild, true)], mode, KUDU, PUSH);
            assert_eq!(
                plan.actions,
                vec![Action::Report {
                    update: 0,
                    reasons: false
                }],
                "{mode:?}"
            );
            assert_eq!(plan.outcome, Outcome::Proceed);
        }
    }

    #[test]
    fn invalid_files_refuse_the_push_in_every_active_mode() {
        for mode in [Mode::Toggle, Mode::Mark, Mode::Warn, Mode::RemoteWipe] {
            for flags in [PUSH, DRY, FORCE] {
                for verdict in [Verdict::None, Verdict::Wipe] {
                    let plan = plan_push(&[invalid(verdict)], mode, KUDU, flags);
                    assert_eq!(plan.outcome, Outcome::Refused, "{mode:?} {flags:?}");
                    assert!(matches!(
                        plan.actions.last(),
                        Some(Action::RefuseInvalid { errors }) if errors.len() == 1
                    ));
                    assert!(!plan.actions.iter().any(|a| matches!(
                        a,
                        Action::Toggle { .. }
                            | Action::PushMarker { .. }
                            | Action::RemoteWipe { .. }
                    )));
                }
            }
        }
    }

    #[test]
    fn a_non_fast_forward_sets_off_nothing_unless_forced() {
        let plan = plan_push(&[checked(Verdict::Wipe, false)], Mode::Toggle, KUDU, PUSH);
        assert_eq!(plan.actions, vec![Action::NotFastForward { update: 0 }]);
        assert_eq!(plan.outcome, Outcome::Proceed);
        // Its invalid files are git's refusal's business, not envguard's.
        let mut bad = invalid(Verdict::Wipe);
        bad.fast_forward = false;
        assert_eq!(
            plan_push(&[bad], Mode::Toggle, KUDU, PUSH).outcome,
            Outcome::Proceed
        );
        let forced = plan_push(&[checked(Verdict::Wipe, false)], Mode::Toggle, KUDU, FORCE);
        assert!(forced.actions.contains(&Action::Toggle { update: 0 }));
        assert_eq!(forced.outcome, Outcome::StoppedAfterToggle);
        // Forced by a `+` refspec in the configuration: the same.
        let mut by_config = checked(Verdict::Wipe, false);
        by_config.forced = true;
        let plan = plan_push(&[by_config], Mode::Toggle, KUDU, PUSH);
        assert!(plan.actions.contains(&Action::Toggle { update: 0 }));
        // A non-fast-forward with nothing to do needs no notice.
        let quiet = plan_push(&[checked(Verdict::None, false)], Mode::Toggle, KUDU, PUSH);
        assert_eq!(quiet.actions, vec![]);
    }

    #[test]
    fn finish_names_the_updates_that_were_not_toggled() {
        let updates = [
            checked(Verdict::None, true),
            checked(Verdict::Wipe, true),
            checked(Verdict::Wipe, false),
        ];
        let plan = plan_push(&updates, Mode::Toggle, KUDU, PUSH);
        assert_eq!(
            plan.actions.last(),
            Some(&Action::FinishToggle {
                not_toggled: vec![0, 2]
            })
        );
        assert_eq!(plan.actions[0], Action::NotFastForward { update: 2 });
    }

    #[test]
    fn a_mode_that_cannot_rebuild_on_the_platform_refuses_only_a_stale_push() {
        for (mode, platform) in [
            (Mode::Toggle, Platform::KuduLinux),
            (Mode::Toggle, Platform::OryxInPlace),
            (Mode::Toggle, Platform::SelfHosted),
            (Mode::RemoteWipe, Platform::SelfHosted),
        ] {
            let plan = plan_push(&[checked(Verdict::Wipe, true)], mode, platform, PUSH);
            assert_eq!(
                plan.actions,
                vec![report(0), Action::RefuseMode { mode, platform }],
                "{mode:?} on {platform}"
            );
            assert_eq!(plan.outcome, Outcome::Refused);
            let fine = plan_push(&[checked(Verdict::None, true)], mode, platform, PUSH);
            assert_eq!(fine.outcome, Outcome::Proceed);
        }
        let wipe = plan_push(
            &[checked(Verdict::Wipe, true)],
            Mode::RemoteWipe,
            Platform::KuduLinux,
            PUSH,
        );
        assert_eq!(wipe.outcome, Outcome::Proceed);
    }

    #[test]
    fn where_every_build_is_fresh_changes_are_reported_and_nothing_is_done() {
        let mut c = checked(Verdict::None, true);
        c.analysis.platform = Platform::Oryx;
        c.analysis.reasons.push(removal("gunicorn"));
        for mode in [Mode::Toggle, Mode::RemoteWipe, Mode::Warn] {
            let plan = plan_push(std::slice::from_ref(&c), mode, Platform::Oryx, PUSH);
            assert_eq!(
                plan.actions,
                vec![Action::Report {
                    update: 0,
                    reasons: false
                }]
            );
            assert_eq!(plan.outcome, Outcome::Proceed);
        }
    }

    #[test]
    fn server_acts_on_wipe_and_rebuild_and_explicit_requests() {
        use ServerAction::{Marker, Wipe};
        let keep = receive(Some(Verdict::None), false, false, false, Wipe, true);
        assert_eq!(keep.step, ServerStep::Keep);
        assert!(keep.causes.is_empty());
        assert_eq!(
            receive(None, false, false, false, Wipe, true).step,
            ServerStep::Keep
        );
        for verdict in [Verdict::Wipe, Verdict::Rebuild] {
            let plan = receive(Some(verdict), false, false, false, Wipe, true);
            assert_eq!(plan.step, ServerStep::Wipe, "{verdict:?}");
            assert_eq!(plan.causes, vec![Cause::Verdict(verdict)]);
        }
        let marker = receive(Some(Verdict::None), false, true, false, Wipe, true);
        assert_eq!(marker.causes, vec![Cause::Marker]);
        assert_eq!(marker.step, ServerStep::Wipe);
        let option = receive(None, false, false, true, Marker, true);
        assert_eq!(option.causes, vec![Cause::PushOption]);
        assert_eq!(option.step, ServerStep::WriteMarker);
    }

    #[test]
    fn server_prunes_only_requirement_changes_and_wipes_the_rest() {
        use ServerAction::Prune;
        let prune = receive(Some(Verdict::Wipe), true, false, false, Prune, true);
        assert_eq!(prune.step, ServerStep::Prune);
        for plan in [
            receive(Some(Verdict::Wipe), false, false, false, Prune, true),
            receive(Some(Verdict::Rebuild), true, false, false, Prune, true),
            receive(Some(Verdict::Wipe), true, true, false, Prune, true),
            receive(Some(Verdict::Wipe), true, false, true, Prune, true),
        ] {
            assert_eq!(plan.step, ServerStep::Wipe, "{plan:?}");
        }
        // Every readable update is reconciled by the prune; one it cannot read is kept.
        let none = receive(Some(Verdict::None), true, false, false, Prune, true);
        assert_eq!(none.step, ServerStep::Prune);
        assert!(none.causes.is_empty());
        for plan in [
            receive(Some(Verdict::None), false, false, false, Prune, true),
            receive(Some(Verdict::Invalid), true, false, false, Prune, true),
            receive(None, true, false, false, Prune, true),
            receive(
                Some(Verdict::None),
                true,
                false,
                false,
                ServerAction::Wipe,
                true,
            ),
        ] {
            assert_eq!(plan.step, ServerStep::Keep, "{plan:?}");
        }
    }

    #[test]
    fn server_without_a_target_says_so_instead_of_acting() {
        let plan = receive(
            Some(Verdict::Wipe),
            false,
            true,
            true,
            ServerAction::Wipe,
            false,
        );
        assert_eq!(plan.step, ServerStep::NoTarget);
        assert_eq!(
            plan.causes,
            vec![
                Cause::Verdict(Verdict::Wipe),
                Cause::Marker,
                Cause::PushOption
            ]
        );
        let nothing = receive(
            Some(Verdict::None),
            false,
            false,
            false,
            ServerAction::Wipe,
            false,
        );
        assert_eq!(nothing.step, ServerStep::Keep);
    }
}
