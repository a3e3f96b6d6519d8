//! The server's surgical prune (`envguard.serverAction = prune`): reads the distributions of
//! the deployment's env, asks [`crate::prune`] which ones a fresh install of the pushed
//! requirements would not have, and uninstalls exactly those before the deploy step runs:
//! with the env's own pip where it has one, else by removing the files each distribution's
//! `RECORD` lists, never a path outside the env. Anything it cannot decide safely is an
//! `Err` with the reason, and the caller wipes instead.

use crate::{Error, WipeInstead};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use crate::prune::{self, Installed, Prune, SiteEntry};
use crate::requirements::RequirementSet;

/// An env's distributions, with where their metadata is.
pub struct EnvContents {
    pub site_packages: PathBuf,
    pub python_version: String,
    pub dists: Vec<(Installed, PathBuf)>,
}

/// Reads the env at `env`. `Err`: why its contents cannot be attributed safely.
pub fn read_env(env: &Path) -> Result<EnvContents, crate::WipeInstead> {
    let lacks = |what| WipeInstead::EnvLacks {
        env: env.display().to_string(),
        what,
    };
    let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).map_err(|_| lacks("pyvenv.cfg"))?;
    let python_version =
        prune::pyvenv_version(&cfg).ok_or_else(|| WipeInstead::NoPythonVersion {
            cfg: format!("{}/pyvenv.cfg", env.display()),
        })?;
    let site_packages = site_packages(env).ok_or_else(|| lacks("site-packages folder"))?;
    let mut dists = Vec::new();
    let entries = std::fs::read_dir(&site_packages)
        .map_err(|source| Error::fs("read", &site_packages, source))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        match prune::site_entry(&name) {
            SiteEntry::DistInfo => {
                let meta = std::fs::read_to_string(path.join("METADATA"))
                    .map_err(|_| WipeInstead::NoMetadata { name: name.clone() })?;
                let dist = prune::parse_metadata(&meta)
                    .ok_or_else(|| WipeInstead::MetadataNamesNothing { name: name.clone() })?;
                dists.push((dist, path));
            }
            SiteEntry::Egg(name) => return Err(WipeInstead::Egg { name }),
            SiteEntry::Pth(name) => return Err(WipeInstead::Pth { name }),
            SiteEntry::Other => {}
        }
    }
    dists.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(EnvContents {
        site_packages,
        python_version,
        dists,
    })
}

/// `lib/pythonX.Y/site-packages` (POSIX) or `Lib/site-packages` (Windows).
fn site_packages(env: &Path) -> Option<PathBuf> {
    let windows = env.join("Lib").join("site-packages");
    if windows.is_dir() {
        return Some(windows);
    }
    std::fs::read_dir(env.join("lib"))
        .ok()?
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
}

pub use crate::prune::{Flaw, FlawKind};

/// The flaws of the distributions of an env: files their RECORDs list that are missing or
/// reached through a linked folder (inside the env or out of it). A prune acts only on an
/// env without any, and `env diff` never calls an env with one exact.
pub fn flaws(env: &Path, contents: &EnvContents) -> Vec<Flaw> {
    let mut found = Vec::new();
    for (dist, info) in &contents.dists {
        let Some(paths) = record_paths(&contents.site_packages, info) else {
            continue;
        };
        for path in paths {
            let kind = if through_link(env, &path) {
                FlawKind::ThroughLink
            } else if std::fs::symlink_metadata(&path).is_err() && !is_byte_code(&path) {
                FlawKind::Missing
            } else {
                continue;
            };
            found.push(Flaw {
                dist: dist.name.clone(),
                path,
                kind,
            });
        }
    }
    found
}

/// Byte code, which Python writes again (and does not write with
/// `PYTHONDONTWRITEBYTECODE`): a `.pyc`/`.pyo` file or anything under `__pycache__`, as
/// installers' RECORDs list them.
fn is_byte_code(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "pyc" || e == "pyo")
        || path.components().any(|c| c.as_os_str() == "__pycache__")
}

/// Whether a folder on the way from `env` to `path` (the file itself aside) is a symbolic
/// link.
fn through_link(env: &Path, path: &Path) -> bool {
    // A path outside the env is refused where it would be removed.
    let Ok(relative) = path.strip_prefix(env) else {
        return false;
    };
    let mut at = env.to_path_buf();
    let mut parts = relative.components().peekable();
    while let Some(part) = parts.next() {
        at.push(part);
        if parts.peek().is_some()
            && std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink())
        {
            return true;
        }
    }
    false
}

/// What a prune did.
pub struct Pruned {
    pub removed: Vec<String>,
    pub took: Duration,
}

/// Prunes the env at `env` for the requirement `set`. `Err`: why only a wipe is safe.
pub fn prune_env(
    env: &Path,
    set: &RequirementSet,
    source_changed: &[String],
    keep: &[String],
) -> Result<Pruned, crate::WipeInstead> {
    let started = Instant::now();
    let contents = read_env(env)?;
    let marker_env = prune::marker_environment(&contents.python_version).ok_or_else(|| {
        WipeInstead::UnknownPython {
            version: contents.python_version.clone(),
        }
    })?;
    let installed: Vec<Installed> = contents.dists.iter().map(|(d, _)| d.clone()).collect();
    let plan: Prune = prune::plan(set, &installed, &marker_env, source_changed, keep)?;
    let remove = plan.remove();
    if let Some(flaw) = flaws(env, &contents).into_iter().next() {
        return Err(WipeInstead::Flawed {
            flaw: flaw.to_string(),
        });
    }
    if !remove.is_empty() {
        uninstall(env, &contents, &remove)?;
        // A second look: whatever is still there (a second dist-info of one project, an
        // uninstall that stopped half-way) makes only a wipe safe.
        let after = read_env(env)?;
        let left: Vec<&str> = after
            .dists
            .iter()
            .map(|(d, _)| d.name.as_str())
            .filter(|n| remove.iter().any(|r| r == n))
            .collect();
        if !left.is_empty() {
            return Err(WipeInstead::StillHolds {
                env: env.display().to_string(),
                left: left.iter().map(|n| n.to_string()).collect(),
            });
        }
        // Every file of what stays is still there.
        if let Some(flaw) = flaws(env, &after).into_iter().next() {
            return Err(WipeInstead::FlawedAfter {
                flaw: flaw.to_string(),
            });
        }
    }
    Ok(Pruned {
        removed: remove,
        took: started.elapsed(),
    })
}

/// Uninstalls `names`: the env's own pip when it has one, else the files of each RECORD.
#[allow(clippy::disallowed_methods)] // runs the env's own pip
fn uninstall(
    env: &Path,
    contents: &EnvContents,
    names: &[String],
) -> Result<(), crate::WipeInstead> {
    let python = env.join("bin").join("python");
    let has_pip = env.join("bin").join("pip").exists();
    // pip removes a file two distributions list with the first one (no reference counts):
    // where a kept distribution shares files with one to remove, the RECORD removal, which
    // keeps them, is the one that ends as a fresh install would.
    let kept_paths = kept_record_paths(contents, names);
    let shares = contents
        .dists
        .iter()
        .filter(|(d, _)| names.contains(&d.name))
        .any(|(_, info)| {
            record_paths(&contents.site_packages, info)
                .is_some_and(|paths| paths.iter().any(|p| kept_paths.contains(p)))
        });
    if has_pip && !shares {
        let out = std::process::Command::new(&python)
            .args(["-m", "pip", "uninstall", "--yes", "--quiet"])
            .args(names)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .map_err(|source| Error::fs("run", &python, source))?;
        return if out.status.success() {
            Ok(())
        } else {
            Err(WipeInstead::Uninstall {
                what: "pip uninstall".to_string(),
                output: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            })
        };
    }
    for (dist, dist_info) in &contents.dists {
        if names.contains(&dist.name) {
            remove_recorded(env, &contents.site_packages, dist_info, &kept_paths)?;
        }
    }
    Ok(())
}

/// The paths (lexically resolved) a RECORD lists, `None` without a readable RECORD.
fn record_paths(site_packages: &Path, dist_info: &Path) -> Option<Vec<PathBuf>> {
    let record = std::fs::read_to_string(dist_info.join("RECORD")).ok()?;
    Some(
        record_entries(&record)
            .ok()?
            .iter()
            .map(|relative| lexical(&site_packages.join(relative)))
            .collect(),
    )
}

/// Every path the RECORDs of the distributions that stay list.
fn kept_record_paths(
    contents: &EnvContents,
    removed: &[String],
) -> std::collections::HashSet<PathBuf> {
    contents
        .dists
        .iter()
        .filter(|(d, _)| !removed.contains(&d.name))
        .filter_map(|(_, info)| record_paths(&contents.site_packages, info))
        .flatten()
        .collect()
}

/// Whether `path`'s real folder (symbolic links resolved) is inside `real_env`.
fn really_inside(path: &Path, real_env: &Path) -> bool {
    path.parent()
        .and_then(|p| p.canonicalize().ok())
        .is_some_and(|p| p.starts_with(real_env))
}

/// Removes the files a distribution's RECORD lists (paths relative to site-packages, some
/// with `..` to `bin`), its dist-info, and the folders left empty; nothing outside `env`.
fn remove_recorded(
    env: &Path,
    site_packages: &Path,
    dist_info: &Path,
    kept: &std::collections::HashSet<PathBuf>,
) -> Result<(), crate::WipeInstead> {
    let no_record = |why: Option<String>| WipeInstead::NoRecord {
        dist_info: dist_info.to_path_buf(),
        why,
    };
    let record = std::fs::read_to_string(dist_info.join("RECORD")).map_err(|_| no_record(None))?;
    let real_env = env
        .canonicalize()
        .map_err(|source| Error::fs("resolve", env, source))?;
    let entries = record_entries(&record).map_err(|e| no_record(Some(e.to_string())))?;
    let mut folders = Vec::new();
    for relative in &entries {
        let path = lexical(&site_packages.join(relative));
        let outside = |through_link| WipeInstead::RecordOutside {
            dist_info: dist_info.to_path_buf(),
            relative: relative.clone(),
            through_link,
        };
        if !path.starts_with(env) {
            return Err(outside(false));
        }
        // A folder that is a symbolic link out of the env is never entered.
        if std::fs::symlink_metadata(&path).is_ok() && !really_inside(&path, &real_env) {
            return Err(outside(true));
        }
        if kept.contains(&path) {
            continue;
        }
        if std::fs::symlink_metadata(&path).is_ok() {
            std::fs::remove_file(&path).map_err(|source| Error::fs("delete", &path, source))?;
        }
        if let Some(parent) = path.parent() {
            folders.push(parent.to_path_buf());
        }
    }
    let _ = std::fs::remove_dir_all(dist_info);
    // Deepest first: a package folder, then its parents, while they are empty.
    folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
    folders.dedup();
    for folder in folders {
        let mut dir = Some(folder.as_path());
        while let Some(d) = dir {
            let real = d.canonicalize().ok();
            if d == site_packages
                || !d.starts_with(site_packages)
                || !real.is_some_and(|r| r.starts_with(&real_env))
            {
                break;
            }
            let _ = std::fs::remove_dir_all(d.join("__pycache__"));
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}

/// The paths a RECORD lists: the first column of its CSV rows (path, hash, size), read as
/// pip and uv read it (a CSV reader: a path with a comma, a quote or a line break is quoted,
/// a quote in it doubled). `Err`: a row that is no CSV, where a path may be missed.
fn record_entries(record: &str) -> Result<Vec<String>, csv::Error> {
    let mut paths = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(record.as_bytes());
    for row in reader.records() {
        if let Some(path) = row?.get(0).filter(|p| !p.trim().is_empty()) {
            paths.push(path.to_string());
        }
    }
    Ok(paths)
}

/// `path` with `.` and `..` resolved without touching the filesystem.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_code_is_never_a_missing_file() {
        for path in [
            "/e/lib/python3.11/site-packages/pip/__pycache__/x.cpython-311.pyc",
            "/e/lib/python3.11/site-packages/pip/_internal/build_env/__pycache__",
            "/e/lib/python3.11/site-packages/old.pyo",
        ] {
            assert!(is_byte_code(Path::new(path)), "{path}");
        }
        assert!(!is_byte_code(Path::new(
            "/e/lib/python3.11/site-packages/pip/x.py"
        )));
    }

    #[test]
    fn record_paths_and_lexical_resolution() {
        assert_eq!(
            record_entries(
                "a/__init__.py,sha256=x,10\n\"we,ird.py\",sha256=x,1\n\"a\"\"b.py\",,\n\n\
                 a-1.0.dist-info/RECORD,,\n"
            )
            .expect("csv"),
            [
                "a/__init__.py",
                "we,ird.py",
                "a\"b.py",
                "a-1.0.dist-info/RECORD"
            ]
        );
        assert_eq!(
            lexical(Path::new(
                "/e/lib/python3.11/site-packages/../../../bin/tool"
            )),
            PathBuf::from("/e/bin/tool")
        );
    }

    /// A path with a quote (doubled in the RECORD) or a comma is a file of the distribution
    /// like any other: the prune removes it (the old hand-written reader kept `a"b.py`).
    #[test]
    fn quoted_record_paths_are_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let env = dir.path().join("env");
        let site = env.join("lib/python3.11/site-packages");
        let info = site.join("odd-1.0.dist-info");
        std::fs::create_dir_all(site.join("odd")).expect("site");
        std::fs::create_dir_all(&info).expect("dist-info");
        for file in ["odd/a\"b.py", "odd/c,d.py", "odd/__init__.py"] {
            std::fs::write(site.join(file), "").expect("file");
        }
        std::fs::write(
            info.join("RECORD"),
            "\"odd/a\"\"b.py\",,\n\"odd/c,d.py\",sha256=x,0\nodd/__init__.py,,\n\
             odd-1.0.dist-info/RECORD,,\n",
        )
        .expect("RECORD");
        remove_recorded(&env, &site, &info, &std::collections::HashSet::new()).expect("removed");
        assert!(
            !site.join("odd").exists(),
            "every listed file and its folder went"
        );
        assert!(!info.exists());
    }
}
