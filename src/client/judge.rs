//! Which commit each pushed update is judged against (what the remote or the site runs,
//! fetched where it was pushed from elsewhere), and the analysis of each update.

use git2::{Oid, Repository};

use super::{Push, acting, deployed};
use crate::analyze::{Analysis, Analyzer};
use crate::config::Config;
use crate::gitcli;
use crate::hook_input::{PushFlags, RefUpdate};
use crate::output::Hook;
use crate::output::emit;
use crate::output::secret::SecretUrl;
use crate::output::verdict::short_oid;
use crate::plan::Checked;
use crate::platform::Platform;
use crate::requirements::process_env;
use crate::{Error, Result};

/// An update of a tag (where tags deploy) as the commits it names: an annotated tag is an
/// object of its own, and the analysis compares commits. A tag that names no commit here
/// has no new id.
pub(super) fn peeled(repo: &Repository, update: &RefUpdate) -> RefUpdate {
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
pub(super) fn analyzer_for<'r>(
    repo: &'r Repository,
    git: &git2::Config,
    config: &'r Config,
    platform: Platform,
) -> Analyzer<'r> {
    Analyzer::new(repo, config, platform, process_env())
        .fetch_missing_with(gitcli::fetcher(repo.path()), git)
}

/// Analyses the deploy-branch updates of a push; the rest are returned as they are.
pub(super) fn check_updates(
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
        if let Some(unfetchable) = unfetchable_base(repo, push, update) {
            // git accepts a branch the remote does not have without force.
            let forced = update.old.is_none()
                || flags().force
                || crate::config::forced_by_config(git_config, &push.remote, &update.remote_ref);
            if acting && forced {
                return Err(unfetchable);
            }
            if !acting {
                emit(&Hook::CannotAnalyse {
                    remote_ref: update.remote_ref.clone(),
                    error: unfetchable.into(),
                });
                others.push(update.clone());
                continue;
            }
        }
        let bases = match site_runs(repo, config, push, update, analyzer.platform()) {
            Some(runs) => vec![Some(runs)],
            None => bases_for(repo, push, update),
        };
        match worst_of(analyzer, &bases, tip) {
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
                    error: e.into(),
                });
                others.push(update.clone());
            }
        }
    }
    Ok((checked, others))
}

/// Pushed from elsewhere: what the remote holds is read after fetching it. Where that fails,
/// the update cannot be judged against what the remote runs (never against a guess): the
/// error that says so. A push git accepts anyway (forced) is refused by a mode that acts
/// (git refuses an unforced one by itself), and said to go unchecked by one that advises. A
/// deploy branch the remote does not have (deleted there): what it held last, by the
/// record, must be here too.
fn unfetchable_base(repo: &Repository, push: &Push, update: &RefUpdate) -> Option<Error> {
    let held: Vec<Oid> = match (update.old, update.branch()) {
        (Some(old), _) => vec![old],
        (None, Some(branch)) => match deployed::candidates(repo, &push.url, branch) {
            Ok(held) => held,
            Err(unreadable) => {
                return Some(Error::UnreadableRecord {
                    remote_ref: update.remote_ref.clone(),
                    path: unreadable.path,
                });
            }
        },
        (None, None) => Vec::new(),
    };
    let held = held.into_iter().find(|id| {
        repo.find_commit(*id).is_err() && !gitcli::fetch_commit(repo.path(), &push.remote, *id)
    })?;
    let (remote_ref, remote, oid) = (
        update.remote_ref.clone(),
        SecretUrl::new(&push.remote).to_string(),
        short_oid(held),
    );
    Some(if update.old.is_some() {
        Error::UnfetchableRemoteCommit {
            remote_ref,
            remote,
            oid,
        }
    } else {
        Error::UnfetchableLastDeployed {
            remote_ref,
            remote,
            oid,
        }
    })
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

/// The analysis of `base -> tip` that needs the most, over every base the remote may hold:
/// where envguard cannot tell which it is, it judges by the one that would leave the env
/// staler.
fn worst_of(analyzer: &mut Analyzer, bases: &[Option<Oid>], tip: Oid) -> Result<Analysis> {
    let mut worst: Option<Analysis> = None;
    for base in bases {
        let analysis = analyzer.analyze(*base, tip)?;
        let needs = |a: &Analysis| (a.shown_verdict(), a.reasons.len());
        if worst.as_ref().is_none_or(|w| needs(&analysis) > needs(w)) {
            worst = Some(analysis);
        }
    }
    match worst {
        Some(analysis) => Ok(analysis),
        None => analyzer.analyze(None, tip),
    }
}

/// Every commit the remote may hold for a ref update: its old id when known here. For a
/// deploy branch the remote does not have (deleted there, or never pushed): every commit
/// envguard's record names for it (what it held, what the last push sent) and what its
/// remote-tracking ref says, those this repository has; else [`base_for`]'s one.
pub(super) fn bases_for(repo: &Repository, push: &Push, update: &RefUpdate) -> Vec<Option<Oid>> {
    if let (None, Some(branch)) = (update.old, update.branch()) {
        let mut found = deployed::candidates(repo, &push.url, branch).unwrap_or_default();
        found.extend(tracking_refs(repo, push, &update.remote_ref));
        found.retain(|id| repo.find_commit(*id).is_ok());
        found.sort();
        found.dedup();
        if !found.is_empty() {
            return found.into_iter().map(Some).collect();
        }
    }
    vec![base_for(repo, &push.remote, update)]
}

/// The commits the remote-tracking refs for `remote_ref` point at, of the push's remote and
/// of every remote of the same server (however its URL is spelt), by each remote's own
/// fetch refspecs (`refs/remotes/<remote>/*` or wherever they map it).
fn tracking_refs(repo: &Repository, push: &Push, remote_ref: &str) -> Vec<Oid> {
    let server = deployed::server_key(&push.url);
    let same_server = |remote: &git2::Remote| {
        let urls = [remote.url().ok(), remote.pushurl().ok().flatten()];
        remote.name().ok().flatten() == Some(push.remote.as_str())
            || urls
                .into_iter()
                .flatten()
                .any(|url| deployed::server_key(url) == server)
    };
    let names: Vec<String> = repo
        .remotes()
        .map(|n| {
            n.iter()
                .filter_map(|name| name.ok().flatten().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names
        .iter()
        .filter_map(|name| repo.find_remote(name).ok())
        .filter(same_server)
        .flat_map(|remote| {
            remote
                .refspecs()
                .filter(|spec| spec.direction() == git2::Direction::Fetch)
                .filter_map(|spec| spec.transform(remote_ref).ok())
                .filter_map(|name| name.as_str().ok().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .filter_map(|name| repo.refname_to_id(&name).ok())
        .collect()
}

/// What the remote already has for a ref update: its old id when known here, else the
/// nearest commit the remote's remote-tracking refs share with the tip. `None`: the remote
/// has nothing of it (first deploy).
pub(super) fn base_for(repo: &Repository, remote: &str, update: &RefUpdate) -> Option<Oid> {
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
