//! `envguard wipe`: delete a deployment's env folder safely. Only a real virtualenv is
//! deleted unless forced; a symbolic link is never followed out of the target; the env is
//! first renamed to a trash name inside the target (one atomic step), then deleted, so a
//! crash never leaves a half-deleted env that the next deploy would reuse. Deleting never
//! decides whether the env was replaced: once the env is moved aside it is wiped, and what
//! could not be deleted (a file root owns, an immutable one) is reported as left over, with
//! the command that removes it. Trash of earlier wipes is deleted as far as it can be on the
//! next run, and what stays never stops a new wipe.

use std::path::{Path, PathBuf};

use crate::error::Refusal;
use crate::{Error, Result};

/// Prefix of the trash names inside the target.
pub const TRASH_PREFIX: &str = ".envguard-trash-";

pub use crate::output::{Leftover, WipeOutcome};

/// Whether `dir` looks like a virtualenv: `pyvenv.cfg`, or the POSIX / Windows layout of
/// one (`bin/python`, `Scripts/python.exe`).
pub fn is_virtualenv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
        || dir.join("bin").join("python").exists()
        || dir.join("Scripts").join("python.exe").is_file()
}

/// Whether `name` is one [`trash_name`] made (`.envguard-trash-<pid>-<nanos>`): a folder of
/// the user's that only starts like one is never deleted.
fn is_trash_name(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .and_then(|n| n.strip_prefix(TRASH_PREFIX))
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(pid, nanos)| {
            [pid, nanos]
                .iter()
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// A trash folder's name: this process's id and the time.
fn trash_name() -> String {
    format!(
        "{TRASH_PREFIX}{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

/// The parts of a virtualenv, in the order a wipe moves them aside: the packages first,
/// `bin` (with `activate`, which piku checks) last, so an interrupted wipe never leaves an env
/// piku would reuse with its old packages.
const VENV_PARTS: [&str; 6] = ["lib", "lib64", "include", "share", "pyvenv.cfg", "bin"];

/// Deletes the virtualenv's own parts of `venv` (`bin`, `lib`, `lib64`, `include`, `share`,
/// `pyvenv.cfg`) and keeps everything else in it: piku keeps the app's `ENV`, `LIVE_ENV` and
/// `SCALING` in the same folder. Each part is moved into one trash folder first.
pub fn wipe_parts(venv: &Path) -> Result<WipeOutcome> {
    let venv = &refuse_dangerous_target(venv)?;
    let _lock = lock_dir(venv)?;
    let mut outcome = clean_trash(venv);
    if !is_virtualenv(venv) {
        return Ok(outcome);
    }
    let trash = venv.join(trash_name());
    std::fs::create_dir(&trash).map_err(|e| Error::fs("create", &trash, e))?;
    let mut moved: Vec<&str> = Vec::new();
    for part in VENV_PARTS {
        let path = venv.join(part);
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        if let Err(e) = std::fs::rename(&path, trash.join(part)) {
            // All parts or none: a venv with some parts gone is one piku would reuse broken.
            let restored = moved
                .iter()
                .all(|p| std::fs::rename(trash.join(p), venv.join(p)).is_ok());
            let _ = std::fs::remove_dir(&trash);
            return Err(if restored {
                Error::fs("move aside", &path, e)
            } else {
                Error::refused(
                    venv,
                    Refusal::NotWhole {
                        part: path,
                        source: e,
                        trash,
                    },
                )
            });
        }
        moved.push(part);
    }
    let (files, bytes) = measure(&trash);
    let left = delete_trash(&trash);
    outcome.partly = left.is_some();
    outcome.leftovers.extend(left);
    outcome.removed = Some(venv.clone());
    outcome.files = files;
    outcome.bytes = bytes;
    Ok(outcome)
}

/// Deletes `target/<env_dir>`.
pub fn wipe(target: &Path, env_dir: &str, force: bool) -> Result<WipeOutcome> {
    let meta = std::fs::metadata(target).map_err(|e| Error::fs("read the target", target, e))?;
    if !meta.is_dir() {
        return Err(Error::refused(target, Refusal::NoTarget));
    }
    let target = &refuse_dangerous_target(target)?;
    let env = env_path(target, env_dir)?;
    let _lock = lock_dir(target)?;
    let mut outcome = clean_trash(target);
    let env_meta = match std::fs::symlink_metadata(&env) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(outcome),
        Err(e) => return Err(Error::fs("read", &env, e)),
    };
    if env_meta.file_type().is_symlink() {
        let points_to = std::fs::read_link(&env)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        if !force {
            return Err(Error::refused(
                &env,
                Refusal::EnvIsLink {
                    points_to,
                    target: target.clone(),
                },
            ));
        }
        std::fs::remove_file(&env)?;
        outcome.removed = Some(env);
        return Ok(outcome);
    }
    if !env_meta.is_dir() {
        if !force {
            return Err(Error::refused(&env, Refusal::EnvIsFile));
        }
        outcome.bytes = env_meta.len();
        outcome.files = 1;
        std::fs::remove_file(&env)?;
        outcome.removed = Some(env);
        return Ok(outcome);
    }
    if !force && !is_virtualenv(&env) {
        return Err(Error::refused(&env, Refusal::NotAVirtualenv));
    }
    let trash = target.join(trash_name());
    std::fs::rename(&env, &trash).map_err(|e| Error::fs("move aside", &env, e))?;
    // A crash right here must leave no env for the next deploy to reuse.
    if crate::vars::fault_injected("after-rename") {
        std::process::abort();
    }
    let (files, bytes) = measure(&trash);
    // The env is gone from where the deployment looks: whatever of it cannot be deleted
    // is left over, not a failed wipe.
    let left = delete_trash(&trash);
    outcome.partly = left.is_some();
    outcome.leftovers.extend(left);
    outcome.files = files;
    outcome.bytes = bytes;
    outcome.removed = Some(env);
    Ok(outcome)
}

/// The target, resolved; refused when it is the filesystem root, the user's home or a
/// folder above it, where a mistyped setting would put "env" next to everything the user
/// has.
fn refuse_dangerous_target(target: &Path) -> Result<PathBuf> {
    let resolved = target
        .canonicalize()
        .map_err(|e| Error::fs("read the target", target, e))?;
    let home = crate::vars::home().and_then(|h| h.canonicalize().ok());
    let what = if resolved.parent().is_none() {
        Some("the filesystem root")
    } else if home.as_deref().is_some_and(|h| h.starts_with(&resolved)) {
        Some("your home folder or a folder above it")
    } else {
        None
    };
    match what {
        Some(what) => Err(Error::UnsafeTarget {
            target: target.to_path_buf(),
            resolved,
            what,
        }),
        None => Ok(resolved),
    }
}

/// `target/<env_dir>`, where `env_dir` is a relative path of plain names and no folder on
/// the way is a symbolic link (which would lead the wipe out of the target).
fn env_path(target: &Path, env_dir: &str) -> Result<PathBuf> {
    use std::path::Component;
    let relative = Path::new(env_dir);
    let plain = !env_dir.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        return Err(Error::EnvDirOutside {
            env_dir: env_dir.to_string(),
        });
    }
    let mut path = target.to_path_buf();
    let mut parts = relative.components().peekable();
    while let Some(part) = parts.next() {
        path.push(part);
        if parts.peek().is_some()
            && std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
        {
            return Err(Error::refused(&path, Refusal::LinkOnTheWay));
        }
    }
    Ok(path)
}

/// An exclusive lock on a directory (an advisory `flock` on its descriptor), held while a
/// wipe or prune changes what is inside: two of them on one target take turns instead of
/// racing, and whoever holds it knows every trash folder there is left over.
pub struct DirLock(#[allow(dead_code)] std::fs::File);

/// Takes the lock of `dir`, waiting when another process holds it; also says whether it
/// had to wait.
pub fn lock_dir_noting_wait(dir: &Path) -> Result<(DirLock, bool)> {
    let file = std::fs::File::open(dir).map_err(|e| Error::fs("open to lock", dir, e))?;
    match file.try_lock() {
        Ok(()) => Ok((DirLock(file), false)),
        Err(std::fs::TryLockError::WouldBlock) => {
            file.lock().map_err(|e| Error::fs("lock", dir, e))?;
            Ok((DirLock(file), true))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(Error::fs("lock", dir, e)),
    }
}

/// Waits for and takes the lock of `dir`.
pub fn lock_dir(dir: &Path) -> Result<DirLock> {
    let file = std::fs::File::open(dir).map_err(|e| Error::fs("open to lock", dir, e))?;
    file.lock().map_err(|e| Error::fs("lock", dir, e))?;
    Ok(DirLock(file))
}

/// Deletes trash folders left by earlier wipes, as far as they can be; what cannot be
/// deleted is reported and never stops this wipe. The caller holds the target's lock, so no
/// other wipe is running there.
fn clean_trash(target: &Path) -> WipeOutcome {
    let mut outcome = WipeOutcome::default();
    for entry in std::fs::read_dir(target).into_iter().flatten().flatten() {
        if !is_trash_name(&entry.file_name()) {
            continue;
        }
        match delete_trash(&entry.path()) {
            None => outcome.stale_trash += 1,
            Some(left) => outcome.leftovers.push(left),
        }
    }
    outcome
}

/// Deletes a trash folder (or a file or link of that name), going on past what cannot be
/// deleted; `Some`: what is left, with the first error. Never follows a symbolic link.
fn delete_trash(trash: &Path) -> Option<Leftover> {
    let mut first_error = None;
    remove_all(trash, &mut first_error);
    first_error.map(|e| Leftover {
        path: trash.to_path_buf(),
        error: e.into(),
    })
}

fn remove_all(path: &Path, first_error: &mut Option<Error>) {
    let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    if is_dir {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            remove_all(&entry.path(), first_error);
        }
    }
    let removed = if is_dir {
        std::fs::remove_dir(path)
    } else {
        std::fs::remove_file(path)
    };
    if let Err(e) = removed
        && e.kind() != std::io::ErrorKind::NotFound
        && first_error.is_none()
    {
        *first_error = Some(Error::fs("delete", path, e));
    }
}

/// Files and bytes under `dir`, not following symbolic links.
fn measure(dir: &Path) -> (u64, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                files += 1;
                bytes += meta.len();
            }
        }
    }
    (files, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_target_waits_for_its_holder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let held = lock_dir(dir.path()).expect("lock");
        let other = std::fs::File::open(dir.path()).expect("open");
        assert!(
            matches!(other.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
            "a second wipe of the same target must wait"
        );
        drop(held);
        assert!(
            other.try_lock().is_ok(),
            "free again once the first is done"
        );
    }

    #[test]
    fn leftover_trash_is_cleaned_under_the_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(format!("{TRASH_PREFIX}1-2"))).expect("mkdir");
        let _lock = lock_dir(dir.path()).expect("lock");
        assert_eq!(clean_trash(dir.path()).stale_trash, 1);
    }

    #[test]
    fn only_envguards_own_trash_is_cleaned() {
        let dir = tempfile::tempdir().expect("tempdir");
        let notes = dir.path().join(format!("{TRASH_PREFIX}my-notes"));
        std::fs::create_dir_all(&notes).expect("mkdir");
        std::fs::write(notes.join("notes.txt"), "precious\n").expect("notes");
        std::fs::create_dir_all(dir.path().join(trash_name())).expect("trash");
        let outcome = clean_trash(dir.path());
        assert_eq!((outcome.stale_trash, outcome.leftovers.len()), (1, 0));
        assert!(
            notes.join("notes.txt").is_file(),
            "a folder of the user's stays"
        );
    }
}
