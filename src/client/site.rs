//! The remedies that act on the deployment platform itself, before git sends anything: the
//! remote wipe and the remote prune over Kudu's API, the user's command (`mode command`),
//! and the hints that say what fixes a stale env on each platform.

use git2::Repository;

use super::{Context, command};
use crate::Error;
use crate::config::configured_urls;
use crate::output::Hook;
use crate::output::emit;
use crate::output::hint::Fix;
use crate::platform::{Platform, Remedy};
use crate::remote::RemoteSite;

/// `remote-wipe` mode: delete env on the site before git sends anything, so this push's
/// own deployment builds a fresh one. Returns whether the push may go on.
pub(super) fn wipe_on_site(cx: &Context, updates: &[usize], dry_run: bool) -> bool {
    let site = match RemoteSite::resolve(cx.repo, cx.config, cx.remote, &[cx.url]) {
        Ok(site) => site,
        Err(e) => return refuse_remote_wipe(cx, e),
    };
    if dry_run {
        emit(&Hook::SiteWipeDryRun {
            plan: site.dry_run(cx.config, cx.platform),
        });
        return true;
    }
    match deployed_stale(cx, &site, updates) {
        Ok(Some(_)) => {}
        Ok(None) => return true,
        Err(e) => return refuse_remote_wipe(cx, e),
    }
    emit(&Hook::Waiting {
        what: crate::output::Waiting::Site { prune: false },
    });
    match site.wipe(cx.config, cx.platform) {
        Ok(done) => {
            emit(&Hook::SiteWiped { done });
            // `envguard push` reads back what the deployment did once git's push is done.
            crate::pending::HookReport {
                wiped: Some(crate::pending::WipedSite {
                    remote: cx.remote.to_string(),
                    url: cx.url.to_string(),
                    tips: cx
                        .checked
                        .iter()
                        .map(|c| c.analysis.new.to_string())
                        .collect(),
                }),
                ..Default::default()
            }
            .hand_over();
            true
        }
        Err(e) => refuse_remote_wipe(cx, e),
    }
}

/// `remote-prune` mode: uninstall on the site what the pushed requirements no longer need;
/// where that cannot be done safely, the remote wipe. Returns whether the push may go on.
pub(super) fn prune_on_site(cx: &Context, updates: &[usize], dry_run: bool) -> bool {
    if dry_run {
        emit(&Hook::PruneDryRun);
        return true;
    }
    let site = match RemoteSite::resolve(cx.repo, cx.config, cx.remote, &[cx.url]) {
        Ok(site) => site,
        Err(e) => return refuse_remote_wipe(cx, e),
    };
    // The site deploys one branch; its tip's requirements are what the env must hold, and
    // the site says which one it is now. A prune by another branch's requirements would
    // uninstall what the deployed one needs.
    let deployed = match deployed_stale(cx, &site, updates) {
        Ok(Some(deployed)) => deployed,
        Ok(None) => return true,
        Err(e) => return refuse_remote_wipe(cx, e),
    };
    let checked = &cx.checked[deployed];
    emit(&Hook::Waiting {
        what: crate::output::Waiting::Site { prune: true },
    });
    let pruned = checked
        .analysis
        .tip_set
        .as_ref()
        .ok_or(crate::WipeInstead::NotRead)
        .and_then(|set| {
            site.prune(
                cx.config,
                cx.platform,
                set,
                &checked.analysis.to_reinstall(),
            )
        });
    match pruned {
        Ok(done) => {
            emit(&Hook::SitePruned { done });
            true
        }
        Err(why) => {
            emit(&Hook::PruneFailed { why: why.into() });
            wipe_on_site(cx, &[deployed], false)
        }
    }
}

/// Which of the stale `updates` is the branch the site deploys, asked of the site now (its
/// `DEPLOYMENT_BRANCH`), never taken from settings written earlier. `Ok(None)`: none of them
/// is, so this push deploys no stale env there and the site's env is left as it is (said).
/// `Err`: the site cannot say, and acting on a guess could break the running site.
fn deployed_stale(
    cx: &Context,
    site: &RemoteSite,
    updates: &[usize],
) -> crate::Result<Option<usize>> {
    let (deployed, set) = site.deployed_branch(cx.config)?;
    let deployed_ref = format!("refs/heads/{deployed}");
    let found = updates
        .iter()
        .copied()
        .find(|&i| cx.checked[i].update.remote_ref == deployed_ref);
    if found.is_none() {
        emit(&Hook::SiteDeploysOther {
            deployed,
            set,
            pushed: updates
                .iter()
                .map(|&i| cx.checked[i].update.remote_ref.clone())
                .collect(),
        });
    }
    Ok(found)
}

/// What rebuilds a stale env on `platform` (deployed from `url`), as a hint: the platform's
/// remedy, with its purge command where its URL names the app.
pub(super) fn fixes_on(repo: &Repository, platform: Platform, remote: &str, url: &str) -> Fix {
    let purge = match platform.facts().remedy {
        Remedy::PurgeCache(_) => command::purge_command(platform, url).or_else(|| {
            // The hook gets the URL after `insteadOf`; the configured one names the app.
            let git = crate::config::scope::repository_config(repo).ok()?;
            configured_urls(&git, remote)
                .iter()
                .find_map(|u| command::purge_command(platform, u))
        }),
        _ => None,
    };
    Fix { platform, purge }
}

/// A VCS requirement whose branch or tag moved stays at the installed revision wherever
/// the env is kept (pip's `already satisfied`; Heroku's and Dokku's cache key misses it too).
/// Says so for every VCS requirement not pinned to a commit.
pub(super) fn warn_unpinned_vcs(cx: &Context) {
    for checked in cx.checked {
        let Some(set) = &checked.analysis.tip_set else {
            continue;
        };
        for (name, entry) in set.unpinned_vcs() {
            emit(&Hook::UnpinnedVcs {
                name: name.clone(),
                text: entry.first.text.clone(),
                platform: cx.platform,
                fix: fixes_on(cx.repo, cx.platform, cx.remote, cx.url),
            });
        }
    }
}

/// `mode = command`: runs `envguard.command` for the updates that need a fresh env, before
/// git sends anything. Returns whether the push may go on.
pub(super) fn run_command(cx: &Context, updates: &[usize], dry_run: bool) -> bool {
    let Some(shown) = &cx.config.command else {
        emit(&Hook::CommandNotSet);
        return false;
    };
    let push = command::CommandPush {
        remote: cx.remote,
        url: cx.url,
        branches: updates
            .iter()
            .filter_map(|&i| cx.checked[i].update.branch().map(str::to_string))
            .collect(),
        verdict: "wipe",
    };
    if dry_run {
        emit(&Hook::CommandDryRun {
            command: shown.clone(),
        });
        return true;
    }
    emit(&Hook::CommandRunning {
        command: shown.clone(),
    });
    let workdir = cx.repo.workdir().unwrap_or_else(|| cx.repo.path());
    match command::run(shown, workdir, &push) {
        Ok(None) => {
            emit(&Hook::CommandSucceeded);
            true
        }
        Ok(Some(output)) => {
            emit(&Hook::CommandFailed {
                output: output.lines().map(str::to_string).collect(),
            });
            false
        }
        Err(e) => {
            emit(&Hook::CommandError { error: e.into() });
            false
        }
    }
}

fn refuse_remote_wipe(cx: &Context, e: Error) -> bool {
    emit(&Hook::RemoteWipeRefused {
        error: e.into(),
        can_toggle: cx.platform.can_toggle(),
    });
    false
}
