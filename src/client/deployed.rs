//! What a remote's deploy branch may hold, as envguard last saw it for a push to it: git's
//! hook input gives each update's old id as the remote itself holds it (not a
//! remote-tracking ref), and the push's new id may land. Both are kept per remote (by name
//! and by URL) and branch in the git dir (`envguard/deployed/`); where the remote has no such
//! branch, the commits noted before stay. So a deploy branch that was deleted and is pushed
//! again is judged against what the site may still run, never as a first deployment.

use std::path::PathBuf;

use git2::{Oid, Repository};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::hook_input::RefUpdate;

/// The record's file: per remote (a URL without its user information, query or fragment,
/// which never reach the disk) and branch.
fn record_path(repo: &Repository, remote: &str, branch: &str) -> PathBuf {
    let remote = match crate::url::Url::parse(remote) {
        Some(url) => {
            let path = url.path.split(['?', '#']).next().unwrap_or_default();
            format!("{}/{path}", url.origin())
        }
        None => remote.to_string(),
    };
    repo.path()
        .join("envguard")
        .join("deployed")
        .join(utf8_percent_encode(&remote, NON_ALPHANUMERIC).to_string())
        .join(utf8_percent_encode(branch, NON_ALPHANUMERIC).to_string())
}

/// At most this many commits are kept per branch: the oldest go first.
const KEPT: usize = 8;

/// Notes, under each of the push's names of the remote (its name and its URL), the commits
/// the remote's branch may hold after this push: what it holds now (git's old id) and what
/// the push sends; where the remote has no such branch, every commit noted before stays
/// beside what this push sends (a dry run, a push git refused, one whose remote-tracking ref
/// was pruned since, cannot be told from one that landed). A failure to write is logged:
/// the record only sharpens a later comparison.
pub fn note(repo: &Repository, remotes: &[&str], update: &RefUpdate) {
    for remote in remotes {
        note_one(repo, remote, update);
    }
}

fn note_one(repo: &Repository, remote: &str, update: &RefUpdate) {
    let Some(branch) = update.branch() else {
        return;
    };
    let mut ids: Vec<Oid> = match update.old {
        Some(old) => vec![old],
        None => read(repo, remote, branch),
    };
    ids.extend(update.new);
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    if ids.is_empty() {
        return;
    }
    let ids = &ids[ids.len().saturating_sub(KEPT)..];
    let path = record_path(repo, remote, branch);
    let text: String = ids.iter().map(|id| format!("{id}\n")).collect();
    // The hook runs on every push: write only what changed.
    if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return;
    }
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, &text));
    if let Err(e) = written {
        log::debug!("cannot record {}: {e}", path.display());
    }
}

/// The commits the record names for `remote`'s `branch`, oldest first.
fn read(repo: &Repository, remote: &str, branch: &str) -> Vec<Oid> {
    std::fs::read_to_string(record_path(repo, remote, branch))
        .map(|text| {
            text.lines()
                .filter_map(|l| Oid::from_str(l.trim()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The commit the record says the remote's `branch` holds: the one its remote-tracking ref
/// `refs/remotes/<remote>/<branch>` confirms, else the oldest noted. Whether this repository
/// has the commit is not asked.
pub fn recorded(repo: &Repository, remote: &str, branch: &str) -> Option<Oid> {
    let ids = read(repo, remote, branch);
    let tracking = repo
        .refname_to_id(&format!("refs/remotes/{remote}/{branch}"))
        .ok();
    ids.iter()
        .copied()
        .find(|id| Some(*id) == tracking)
        .or_else(|| ids.first().copied())
}

/// Every commit the record names for `branch` under any of `remotes`.
pub fn candidates(repo: &Repository, remotes: &[&str], branch: &str) -> Vec<Oid> {
    let mut found: Vec<Oid> = remotes
        .iter()
        .flat_map(|remote| read(repo, remote, branch))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// [`recorded`], when this repository has the commit.
pub fn last(repo: &Repository, remote: &str, branch: &str) -> Option<Oid> {
    recorded(repo, remote, branch).filter(|oid| repo.find_commit(*oid).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A remote given as a URL with a password is recorded under the URL without it.
    #[test]
    fn the_record_of_a_url_holds_no_user_information() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        let path = record_path(
            &repo,
            "https://bob:S3CRETPW@site.scm.azurewebsites.net/site.git?token=T0K#f",
            "master",
        );
        let shown = path.display().to_string();
        for secret in ["bob", "S3CRETPW", "T0K"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(
            shown.contains("site%2Escm%2Eazurewebsites%2Enet"),
            "{shown}"
        );
    }
}
