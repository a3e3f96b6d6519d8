//! What a remote's deploy branch may hold, as envguard last saw it for a push to it: git's
//! hook input gives each update's old id as the remote itself holds it (not a
//! remote-tracking ref), and the push's new id may land. Both are kept per server (the URL
//! git pushes to, however it is spelt or whichever remote names it) and branch in the git
//! dir (`envguard/deployed/`); where the remote has no such branch, the commits noted
//! before stay. So a deploy branch that was deleted and is pushed again is judged against
//! what the site may still run, never as a first deployment.

use std::path::PathBuf;

use git2::{Oid, Repository};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::hook_input::RefUpdate;

/// The server a push URL names, one spelling for all of its spellings: a URL without its
/// user information, query or fragment (which never reach the disk), a local path (or
/// `file://` URL) resolved, an scp-like `user@host:path` without its user; without a
/// trailing `/` or `.git`.
fn server_key(url: &str) -> String {
    let local = |path: &str| {
        std::fs::canonicalize(path).map_or_else(|_| path.to_string(), |p| p.display().to_string())
    };
    let key = match crate::url::Url::parse(url) {
        Some(parsed) if parsed.scheme == "file" => local(&format!("/{}", parsed.path)),
        Some(parsed) => {
            let path = parsed.path.split(['?', '#']).next().unwrap_or_default();
            format!("{}/{path}", parsed.origin())
        }
        None if url.starts_with("file://") => local(&url["file://".len()..]),
        None if std::path::Path::new(url).exists() => local(url),
        None => url
            .rsplit_once('@')
            .map_or(url, |(_, rest)| rest)
            .to_string(),
    };
    let key = key.trim_end_matches('/');
    key.strip_suffix(".git").unwrap_or(key).to_string()
}

/// The record's file: per server ([`server_key`]) and branch.
fn record_path(repo: &Repository, url: &str, branch: &str) -> PathBuf {
    let remote = server_key(url);
    repo.path()
        .join("envguard")
        .join("deployed")
        .join(utf8_percent_encode(&remote, NON_ALPHANUMERIC).to_string())
        .join(utf8_percent_encode(branch, NON_ALPHANUMERIC).to_string())
}

/// At most this many commits are kept per branch while the remote lacks it (the oldest go
/// first): far more than the pushes that land on a branch nobody can see.
const KEPT: usize = 64;

/// Notes, for the server `url` names, the commits the remote's branch may hold after this
/// push (one envguard let go, and not a dry run): what it holds now (git's old id) and what
/// the push sends; where the remote has no such branch, every commit noted before stays
/// beside what this push sends (a push git refused, or one whose remote-tracking ref was
/// pruned since, cannot be told from one that landed). Written whole or not at all; a
/// failure to write is logged: the record only sharpens a later comparison.
pub fn note(repo: &Repository, url: &str, update: &RefUpdate) {
    let remote = url;
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
        .and_then(|()| {
            let dir = path.parent().unwrap_or(std::path::Path::new("."));
            let mut file = tempfile::NamedTempFile::new_in(dir)?;
            std::io::Write::write_all(&mut file, text.as_bytes())?;
            file.persist(&path).map(drop).map_err(|e| e.error)
        });
    if let Err(e) = written {
        log::debug!("cannot record {}: {e}", path.display());
    }
}

/// The commits the record names for `remote`'s `branch`, oldest first (full ids only).
fn read(repo: &Repository, remote: &str, branch: &str) -> Vec<Oid> {
    let full =
        |line: &&str| matches!(line.len(), 40 | 64) && line.bytes().all(|b| b.is_ascii_hexdigit());
    std::fs::read_to_string(record_path(repo, remote, branch))
        .map(|text| {
            text.lines()
                .map(str::trim)
                .filter(full)
                .filter_map(|l| Oid::from_str(l).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Every commit the record names for `branch` on the server `url` names.
pub fn candidates(repo: &Repository, url: &str, branch: &str) -> Vec<Oid> {
    let mut found = read(repo, url, branch);
    found.sort();
    found.dedup();
    found
}

/// The latest commit the record names for `branch` on the server `url` names, of those
/// this repository has.
pub fn last(repo: &Repository, url: &str, branch: &str) -> Option<Oid> {
    read(repo, url, branch)
        .into_iter()
        .rev()
        .find(|oid| repo.find_commit(*oid).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One server, however its URL is spelt, has one record.
    #[test]
    fn every_spelling_of_a_server_is_one_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bare = dir.path().join("srv.git");
        std::fs::create_dir_all(&bare).expect("bare");
        let path = bare.display().to_string();
        let key = server_key(&path);
        for spelling in [
            format!("{path}/"),
            format!("file://{path}"),
            format!("{}/srv.git/../srv.git", dir.path().display()),
        ] {
            assert_eq!(server_key(&spelling), key, "{spelling}");
        }
        assert_eq!(
            server_key("https://u:p@host.example/app.git"),
            server_key("https://host.example/app/")
        );
        assert_eq!(
            server_key("git@host.example:app.git"),
            server_key("host.example:app")
        );
    }

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
