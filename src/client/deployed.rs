//! What a remote's deploy branch held the last time envguard ran for a push to it. git's
//! hook input gives each update's old id as the remote itself holds it (not a
//! remote-tracking ref), so that is what the remote deployed before the push; the push's new
//! id is kept beside it, and counts once git has confirmed the push by moving the
//! remote-tracking ref to it. It is kept per remote and branch in the git dir
//! (`envguard/deployed/`), so a deploy branch that was deleted and is pushed again is judged
//! against what the site still runs, not as a first deployment.

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

/// Notes, under each of the push's names of the remote (its name and its URL), what the
/// remote's branch holds now (the update's old id, else what it last held by the record) and
/// what this push sends it. A failure to write is logged: the record only sharpens a later
/// comparison.
pub fn note(repo: &Repository, remotes: &[&str], update: &RefUpdate) {
    for remote in remotes {
        note_one(repo, remote, update);
    }
}

fn note_one(repo: &Repository, remote: &str, update: &RefUpdate) {
    let Some(branch) = update.branch() else {
        return;
    };
    let held = update.old.or_else(|| recorded(repo, remote, branch));
    if held.is_none() && update.new.is_none() {
        return;
    }
    let path = record_path(repo, remote, branch);
    let id = |id: Option<Oid>| id.map(|id| id.to_string()).unwrap_or_default();
    let line = format!("{}\n{}\n", id(held), id(update.new));
    // The hook runs on every push: write only what changed.
    if std::fs::read_to_string(&path).is_ok_and(|text| text == line) {
        return;
    }
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, &line));
    if let Err(e) = written {
        log::debug!("cannot record {}: {e}", path.display());
    }
}

/// The commit the record says the remote's `branch` holds: what the last push sent when git
/// confirmed it (the remote-tracking ref `refs/remotes/<remote>/<branch>` is at it), else
/// what the branch held before that push. Whether this repository has the commit is not
/// asked.
pub fn recorded(repo: &Repository, remote: &str, branch: &str) -> Option<Oid> {
    let text = std::fs::read_to_string(record_path(repo, remote, branch)).ok()?;
    let mut lines = text.lines().map(|l| Oid::from_str(l.trim()).ok());
    let (held, sent) = (lines.next().flatten(), lines.next().flatten());
    let confirmed = sent.filter(|sent| {
        repo.refname_to_id(&format!("refs/remotes/{remote}/{branch}"))
            .is_ok_and(|tracking| tracking == *sent)
    });
    confirmed.or(held)
}

/// Every commit the record names for `branch` under any of `remotes`: what the branch held
/// before the last push and what that push sent, confirmed or not (a push git refused, or
/// one whose remote-tracking ref was pruned since, is one envguard cannot tell from one that
/// landed).
pub fn candidates(repo: &Repository, remotes: &[&str], branch: &str) -> Vec<Oid> {
    let mut found = Vec::new();
    for remote in remotes {
        let Ok(text) = std::fs::read_to_string(record_path(repo, remote, branch)) else {
            continue;
        };
        found.extend(text.lines().filter_map(|l| Oid::from_str(l.trim()).ok()));
    }
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
