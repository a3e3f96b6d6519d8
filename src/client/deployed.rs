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
pub fn server_key(url: &str) -> String {
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
        // git reads a local path as given, else with `.git` added.
        None if std::path::Path::new(url).exists() => local(url),
        None if std::path::Path::new(&format!("{url}.git")).exists() => {
            local(&format!("{url}.git"))
        }
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
/// pruned since, cannot be told from one that landed). Written whole or not at all. `Err`:
/// the record could not be read or written (the caller says so).
pub fn note(repo: &Repository, url: &str, update: &RefUpdate) -> Result<(), Unreadable> {
    let Some(branch) = update.branch() else {
        return Ok(());
    };
    let path = record_path(repo, url, branch);
    let mut ids: Vec<Oid> = match update.old {
        Some(old) => vec![old],
        None => read(&path)?,
    };
    ids.extend(update.new);
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    if ids.is_empty() {
        return Ok(());
    }
    // Over the limit, the first stays (the branch's last old id git gave, what most likely
    // runs) and the oldest after it go.
    if ids.len() > KEPT {
        ids.drain(1..ids.len() - (KEPT - 1));
    }
    let text: String = ids.iter().map(|id| format!("{id}\n")).collect();
    // The hook runs on every push: write only what changed.
    if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    path.parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| {
            let dir = path.parent().unwrap_or(std::path::Path::new("."));
            let mut file = tempfile::NamedTempFile::new_in(dir)?;
            std::io::Write::write_all(&mut file, text.as_bytes())?;
            file.persist(&path).map(drop).map_err(|e| e.error)
        })
        .map_err(|_| Unreadable { path })
}

/// A record envguard cannot read or write: what a deploy branch may hold is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub path: PathBuf,
}

/// The commits a record names, oldest first: none when there is no record; `Err` when there
/// is one that is not a list of full commit ids (or not a file).
fn read(path: &std::path::Path) -> Result<Vec<Oid>, Unreadable> {
    let unreadable = || Unreadable {
        path: path.to_path_buf(),
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(_) => return Err(unreadable()),
    };
    let full =
        |line: &str| matches!(line.len(), 40 | 64) && line.bytes().all(|b| b.is_ascii_hexdigit());
    let ids: Vec<Oid> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            full(l)
                .then(|| Oid::from_str(l).ok())
                .flatten()
                .ok_or_else(unreadable)
        })
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(unreadable());
    }
    Ok(ids)
}

/// Every commit the record names for `branch` on the server `url` names.
pub fn candidates(repo: &Repository, url: &str, branch: &str) -> Result<Vec<Oid>, Unreadable> {
    let mut found = read(&record_path(repo, url, branch))?;
    found.sort();
    found.dedup();
    Ok(found)
}

/// The latest commit the record names for `branch` on the server `url` names, of those
/// this repository has.
pub fn last(repo: &Repository, url: &str, branch: &str) -> Option<Oid> {
    read(&record_path(repo, url, branch))
        .ok()?
        .into_iter()
        .rev()
        .find(|oid| repo.find_commit(*oid).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record that is not a list of full ids is unreadable, never taken for no record; over
    /// the limit the first noted stays.
    #[test]
    fn a_record_is_read_whole_and_keeps_its_first_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        let url = "https://host.example/app.git";
        let path = record_path(&repo, url, "main");
        assert_eq!(read(&path), Ok(Vec::new()), "no record");
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        for bad in ["garbage\n", "", "deadbeef\n", "\n\n"] {
            std::fs::write(&path, bad).expect("write");
            assert_eq!(
                read(&path),
                Err(Unreadable { path: path.clone() }),
                "{bad:?}"
            );
        }
        std::fs::remove_file(&path).expect("remove");
        let id = |n: usize| Oid::from_str(&format!("{n:040x}")).expect("oid");
        let update = |old: Option<Oid>, new: usize| RefUpdate {
            local_ref: None,
            remote_ref: "refs/heads/main".into(),
            old,
            new: Some(id(new)),
        };
        note(&repo, url, &update(Some(id(1)), 2)).expect("note");
        for n in 3..100 {
            note(&repo, url, &update(None, n)).expect("note");
        }
        let kept = read(&path).expect("read");
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept[0], id(1), "the branch's last old id stays");
        assert_eq!(kept[KEPT - 1], id(99));
    }

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
