//! The server's check at the moment it acts. Before a wipe or a prune, envguard establishes
//! from the world as it is now, not from what `hook install` saw, that nothing of this push
//! has deployed yet:
//! - no other post-receive hook ran before envguard's in this push (the dispatcher's order
//!   of the folder envguard's hook runs from, read when the hook runs: hooks added after the
//!   install, names that are not UTF-8, GitLab's single-file hook before its folder);
//! - the env was neither created nor changed after this push's refs were written (git writes
//!   a pushed ref before it runs any post-receive hook, so an env younger than the ref was
//!   built or touched by a deploy step of this push, or by another push running at the same
//!   time);
//! - the env's Python did not start after the refs were written (the access time of its
//!   `pyvenv.cfg`, which [`arm`] sets back after every run).
//!
//! Where one of these does not hold, envguard leaves the env alone and says what is left and
//! how to fix it.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use crate::output::Hold;

/// What the guard knows of this push: when it began to land, and which hooks ran first.
#[derive(Debug, Clone, Default)]
pub struct PushGuard {
    began: Option<SystemTime>,
    ran_before: Vec<PathBuf>,
    /// Envs envguard itself changed in this run (a second updated branch): their new times
    /// are envguard's own.
    touched: Vec<PathBuf>,
}

impl PushGuard {
    /// The guard of this hook run: `git_dir` is the repository's, `refs` the names of the
    /// refs this push updated.
    pub fn new(git_dir: &Path, refs: &[&str]) -> Self {
        PushGuard {
            began: refs_written(git_dir, refs),
            ran_before: hooks_run_before(git_dir),
            touched: Vec::new(),
        }
    }

    /// From `at` on, not from the refs' time: this run waited for another push's
    /// deployment (chained after its envguard, under the repository's lock), whose changes
    /// to the env before `at` are no sign of a deployment of this push.
    pub fn waited_until(&mut self, at: SystemTime) {
        self.began = Some(at);
    }

    /// Why `env` must be left alone now, if it must.
    pub fn hold(&self, env: &Path) -> Option<Hold> {
        if !self.ran_before.is_empty() {
            return Some(Hold::RanBefore {
                hooks: self.ran_before.clone(),
            });
        }
        if self.touched.iter().any(|t| t == env) {
            return None;
        }
        let began = self.began?;
        if let Some(hold) = python_used_since(env, began) {
            return Some(hold);
        }
        newest_change(env)
            .filter(|(_, changed)| *changed >= began)
            .map(|(path, changed)| Hold::ChangedDuringPush {
                path,
                changed,
                began,
            })
    }

    /// Notes that envguard itself changed `env`.
    pub fn touched(&mut self, env: &Path) {
        self.touched.push(env.to_path_buf());
    }
}

/// The hooks that ran before envguard's in this push: those its dispatcher runs first (the
/// hook's own file, `ENVGUARD_HOOK`, as the shim was started), and for a server-wide install
/// outside the repository, the repository's own custom hooks too (gitaly runs them first).
fn hooks_run_before(git_dir: &Path) -> Vec<PathBuf> {
    let Some(hook) = crate::vars::hook_file() else {
        return Vec::new();
    };
    // The dispatcher starts the hook with a path relative to the repository, or absolute.
    let hook = if hook.is_relative() {
        git_dir.join(hook)
    } else {
        hook
    };
    let hook = hook.canonicalize().unwrap_or(hook);
    let mut before = crate::chain::runs_before(&hook);
    let git_dir = git_dir
        .canonicalize()
        .unwrap_or_else(|_| git_dir.to_path_buf());
    if !hook.starts_with(&git_dir) && hook.parent().is_some_and(|p| p.ends_with("post-receive.d")) {
        before.extend(
            crate::chain::repository_custom_hooks(&git_dir)
                .into_iter()
                .filter(|p| !crate::chain::is_ours(p)),
        );
        before.sort();
        before.dedup();
    }
    before
}

/// Every start of the env's Python reads its `pyvenv.cfg`, which sets the file's access
/// time when it is older than its change time (Linux `relatime`, the default; `strictatime`
/// always). [`arm`] sets it back after each run, so an access time after the push's refs
/// were written means a deploy step ran pip or the app with this env during the push, even
/// one that installed nothing. A file system mounted `noatime` gives no such evidence.
fn python_used_since(env: &Path, began: SystemTime) -> Option<Hold> {
    let path = env.join("pyvenv.cfg");
    let used = std::fs::symlink_metadata(&path).ok()?.accessed().ok()?;
    (used >= began).then_some(Hold::UsedDuringPush { path, used, began })
}

/// Sets the access time of the env's `pyvenv.cfg` back (its modification time kept), so the
/// next start of its Python shows in it ([`python_used_since`]). Best effort: without it the
/// next push has less evidence, never a wrong one.
pub fn arm(env: &Path) {
    let path = env.join("pyvenv.cfg");
    let armed = std::fs::File::open(&path).and_then(|file| {
        file.set_times(std::fs::FileTimes::new().set_accessed(SystemTime::UNIX_EPOCH))
    });
    if let Err(e) = armed {
        log::debug!("cannot set back the access time of {}: {e}", path.display());
    }
}

/// When this push's refs were written: the oldest time of their loose ref files (git writes
/// an updated ref as a loose file before the post-receive hook runs). `None` where no ref
/// file can be read (another ref storage).
fn refs_written(git_dir: &Path, refs: &[&str]) -> Option<SystemTime> {
    refs.iter()
        .filter_map(|name| std::fs::symlink_metadata(git_dir.join(name)).ok())
        .filter_map(|meta| meta.modified().ok())
        .min()
}

/// The last time anything was done to a file's entry: its content (mtime) or its inode
/// (ctime: creation, a rename, a change of mode), whichever is later. ctime cannot be set
/// back by a program, so an env built anew cannot look old.
fn changed_at(meta: &std::fs::Metadata) -> Option<SystemTime> {
    let modified = meta.modified().ok();
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        u64::try_from(meta.ctime()).ok().map(|secs| {
            SystemTime::UNIX_EPOCH
                + std::time::Duration::new(
                    secs,
                    u32::try_from(meta.ctime_nsec()).unwrap_or_default(),
                )
        })
    };
    #[cfg(not(unix))]
    let inode = meta.created().ok();
    modified.max(inode)
}

/// The entry of `env` changed last, among the ones a deployment changes: the env folder,
/// `pyvenv.cfg`, the scripts folder, and site-packages (whose entries change whenever a
/// distribution is installed or removed).
fn newest_change(env: &Path) -> Option<(PathBuf, SystemTime)> {
    let mut paths = vec![
        env.to_path_buf(),
        env.join("pyvenv.cfg"),
        env.join("bin"),
        env.join("Scripts"),
        env.join("lib"),
        env.join("Lib").join("site-packages"),
    ];
    paths.extend(
        std::fs::read_dir(env.join("lib"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("site-packages")),
    );
    paths
        .into_iter()
        .filter_map(|p| {
            let meta = std::fs::symlink_metadata(&p).ok()?;
            Some((p, changed_at(&meta)?))
        })
        .max_by_key(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_env_changed_after_the_ref_was_written_is_held() {
        let dir = tempfile::tempdir().expect("tempdir");
        let git_dir = dir.path().join("repo.git");
        std::fs::create_dir_all(git_dir.join("refs/heads")).expect("mkdir");
        let env = dir.path().join("env");
        std::fs::create_dir_all(env.join("lib/python3.11/site-packages")).expect("mkdir");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(git_dir.join("refs/heads/master"), "x\n").expect("ref");
        let guard = PushGuard {
            began: refs_written(&git_dir, &["refs/heads/master"]),
            ..PushGuard::default()
        };
        assert_eq!(guard.hold(&env), None, "the env predates the push");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(env.join("lib/python3.11/site-packages/new.pth"), "").expect("write");
        assert!(
            matches!(guard.hold(&env), Some(Hold::ChangedDuringPush { ref path, .. }) if path.ends_with("site-packages")),
            "{:?}",
            guard.hold(&env)
        );
        let mut guard = guard;
        guard.touched(&env);
        assert_eq!(guard.hold(&env), None, "envguard's own change");
    }
}
