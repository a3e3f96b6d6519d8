//! Where settings come from: the configuration as git sees it inside a hook (every file,
//! includes, and the `-c` settings git passes in the environment), the scope of each value,
//! and the checks that a setting from outside the repository never refuses a push it does
//! not concern.

use super::{KEYS, edit_distance};
use crate::{Error, Result, SettingWarning};

/// Adds the worktree's committed configuration ([`super::committed`]) as the lowest scope,
/// without what needs this machine's consent it lacks. The file returned holds it until the
/// snapshot is taken.
fn add_committed(
    repo: &git2::Repository,
    git: &mut git2::Config,
) -> Result<Option<tempfile::NamedTempFile>> {
    let Some(root) = repo.workdir() else {
        return Ok(None);
    };
    let Some(committed) = super::committed::read(root)? else {
        return Ok(None);
    };
    let trusted = git.get_string(super::committed::TRUST_KEY).ok();
    let (taken, _) = committed.taken(trusted.as_deref());
    let mut file = tempfile::NamedTempFile::new()?;
    {
        use std::io::Write;
        file.write_all(super::committed::as_git_config(&taken).as_bytes())?;
        file.flush()?;
    }
    git.add_file(file.path(), super::committed::LEVEL, true)?;
    Ok(Some(file))
}

/// Where libgit2 finds no configuration file: `/dev/null` is no folder.
const NO_FILES: &str = "/dev/null/none";

/// Whether [`use_git_config_files`] ran.
static GIT_FILES_SET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Makes libgit2 skip the global and system files that `GIT_CONFIG_GLOBAL`,
/// `GIT_CONFIG_SYSTEM` or `GIT_CONFIG_NOSYSTEM` replace, as git does (git-config(1)
/// "ENVIRONMENT"); [`repository_config`] then adds the files they name. Called once by the
/// binary before anything reads a configuration.
pub fn use_git_config_files() {
    let files = crate::vars::git_config_files();
    let mut levels = Vec::new();
    if files.no_system || files.system.is_some() {
        levels.push(git2::ConfigLevel::System);
    }
    if files.global.is_some() {
        levels.extend([git2::ConfigLevel::Global, git2::ConfigLevel::XDG]);
    }
    for level in levels {
        // SAFETY: libgit2's search paths are process-wide state; this runs once, at the
        // start of `main`, before any other thread exists and before any configuration is
        // opened.
        if let Err(e) = unsafe { git2::opts::set_search_path(level, NO_FILES) } {
            log::debug!("cannot set libgit2's search path for {level:?}: {e}");
        }
    }
    GIT_FILES_SET.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// The repository's git configuration from the files git itself reads: libgit2's own
/// (every scope, includes and conditional includes), where `GIT_CONFIG_GLOBAL` and
/// `GIT_CONFIG_SYSTEM` name other global and system files those ([`use_git_config_files`]
/// took libgit2's away), and without a system file under `GIT_CONFIG_NOSYSTEM`.
pub fn repository_config(repo: &git2::Repository) -> Result<git2::Config> {
    Ok(with_git_files(repo)?.snapshot()?)
}

/// The configuration of [`repository_config`], open for adding files: a snapshot of the
/// repository's, since libgit2 keeps one configuration per repository handle, and a file
/// added to that one would be where the caller's next `set_str` writes.
fn with_git_files(repo: &git2::Repository) -> Result<git2::Config> {
    let mut git = repo.config()?.snapshot()?;
    if !GIT_FILES_SET.load(std::sync::atomic::Ordering::SeqCst) {
        return Ok(git);
    }
    let files = crate::vars::git_config_files();
    let mut add = |path: &std::path::Path, level| -> Result<()> {
        // Only a regular file: `/dev/null` (git's way to say "none") adds nothing.
        if path.is_file() {
            git.add_file(path, level, true)?;
        }
        Ok(())
    };
    if let Some(system) = files.system.as_deref().filter(|_| !files.no_system) {
        add(system, git2::ConfigLevel::System)?;
    }
    if let Some(global) = &files.global {
        add(global, git2::ConfigLevel::Global)?;
    }
    Ok(git)
}

/// What the worktree's committed configuration asks that this machine has not agreed to.
pub fn committed_warnings(repo: &git2::Repository) -> Vec<SettingWarning> {
    let (Some(root), Ok(git)) = (repo.workdir(), repository_config(repo)) else {
        return Vec::new();
    };
    match super::committed::read(root) {
        Ok(Some(committed)) => super::committed::consent_warnings(&committed, &git),
        _ => Vec::new(),
    }
}

/// The repository's configuration as `git config` sees it inside a hook: every file git
/// reads (system, global, local, worktree, includes), plus the `-c` settings of the git
/// command that runs the hook, which git passes in `GIT_CONFIG_PARAMETERS` (and
/// `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>`) and libgit2 does not read.
/// A snapshot: read once, no file is checked again on every lookup.
pub fn open(repo: &git2::Repository) -> Result<git2::Config> {
    let mut git = with_git_files(repo)?;
    // The team's committed file, below every git config scope.
    let _committed = add_committed(repo, &mut git)?;
    let overrides = command_line_settings();
    if overrides.is_empty() {
        return Ok(git.snapshot()?);
    }
    let mut file = tempfile::NamedTempFile::new()?;
    {
        use std::io::Write;
        for (key, value) in &overrides {
            let Some((section, name)) = key.rsplit_once('.') else {
                continue;
            };
            let header = match section.split_once('.') {
                Some((section, sub)) => format!("[{section} \"{}\"]", escape(sub)),
                None => format!("[{section}]"),
            };
            match value {
                Some(value) => writeln!(file, "{header}\n\t{name} = \"{}\"", escape(value))?,
                None => writeln!(file, "{header}\n\t{name}")?,
            }
        }
        file.flush()?;
    }
    git.add_file(file.path(), git2::ConfigLevel::App, true)?;
    Ok(git.snapshot()?)
}

/// A value or subsection name inside double quotes in a git config file.
pub(super) fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The `-c key=value` settings of the git command running this process (`None`: a key
/// given without `=`, which git reads as true), in the order git applies them.
pub fn command_line_settings() -> Vec<(String, Option<String>)> {
    let mut settings = Vec::new();
    let (parameters, pairs) = crate::vars::git_config_settings();
    if let Some(params) = parameters {
        // `'key'='value'` (or the older `'key=value'`), shell-quoted, space-separated.
        for word in shlex::split(&params).unwrap_or_default() {
            match word.split_once('=') {
                Some((key, value)) => settings.push((key.to_string(), Some(value.to_string()))),
                None => settings.push((word, None)),
            }
        }
    }
    settings.extend(pairs.into_iter().map(|(key, value)| (key, Some(value))));
    settings
}

/// How to remove a setting from where it is: `git config` with the scope that holds it.
pub(super) fn unset_command(level: git2::ConfigLevel, name: &str) -> String {
    match level {
        git2::ConfigLevel::System => format!("git config --system --unset {name}"),
        git2::ConfigLevel::XDG | git2::ConfigLevel::Global => {
            format!("git config --global --unset {name}")
        }
        git2::ConfigLevel::Worktree => format!("git config --worktree --unset {name}"),
        git2::ConfigLevel::App => {
            format!("drop `-c {name}=…` from the git command (or its GIT_CONFIG_* variables)")
        }
        _ => format!("git config --unset {name}"),
    }
}

/// Whether a setting at `level` belongs to this repository (or to this one git command).
pub(super) fn in_repository(level: git2::ConfigLevel) -> bool {
    // The repository's committed file (envguard.toml) is read at its own level.
    level == super::committed::LEVEL
        || matches!(
            level,
            git2::ConfigLevel::Local | git2::ConfigLevel::Worktree | git2::ConfigLevel::App
        )
}

/// The values of `key` set in this repository (local, worktree, `-c`).
pub(super) fn values_in_repository(git: &git2::Config, key: &str) -> Vec<String> {
    let mut values = Vec::new();
    if let Ok(mut entries) = git.entries(Some(&format!(
        "^{}$",
        key.to_ascii_lowercase().replace('.', "\\.")
    ))) {
        while let Some(Ok(entry)) = entries.next() {
            if in_repository(entry.level())
                && let Ok(value) = entry.value()
            {
                values.push(value.trim().to_string());
            }
        }
    }
    values
}

/// git's conditional includes that libgit2 does not evaluate (`includeIf.hasconfig:…`): what
/// they set may apply to git and not to envguard, so each is said.
fn unreadable_includes(git: &git2::Config) -> Vec<SettingWarning> {
    let mut warnings = Vec::new();
    if let Ok(mut entries) = git.entries(Some(r"^includeif\.hasconfig:.*\.path$")) {
        while let Some(Ok(entry)) = entries.next() {
            if let Ok(name) = entry.name() {
                warnings.push(SettingWarning::UnreadableInclude {
                    name: name.to_string(),
                });
            }
        }
    }
    warnings
}

/// An `envguard.*` key that envguard does not know is a typo that would leave a setting
/// unapplied without a word: an error naming the nearest known key when it is set in this
/// repository; a warning (returned) when it comes from the global or system configuration,
/// which must not refuse the pushes of every other repository.
pub(super) fn check_known_keys(git: &git2::Config) -> Result<Vec<SettingWarning>> {
    let mut warnings = unreadable_includes(git);
    let Ok(mut entries) = git.entries(Some(r"^envguard\.")) else {
        return Ok(warnings);
    };
    while let Some(Ok(entry)) = entries.next() {
        let Ok(name) = entry.name() else { continue };
        if KEYS.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            continue;
        }
        let nearest = KEYS
            .iter()
            .min_by_key(|k| edit_distance(&k.to_ascii_lowercase(), &name.to_ascii_lowercase()))
            .copied()
            .unwrap_or("envguard.mode");
        let unset = unset_command(entry.level(), name);
        if in_repository(entry.level()) {
            return Err(Error::UnknownKey {
                key: name.to_string(),
                value: entry.value().unwrap_or("").to_string(),
                nearest,
                unset,
            });
        }
        // Outside the repository the fix is to remove it, never to set the typo again.
        warnings.push(SettingWarning::UnknownKey {
            key: name.to_string(),
            value: entry.value().unwrap_or("").to_string(),
            nearest,
            unset,
        });
    }
    Ok(warnings)
}
