//! `envguard hook install|uninstall|status`: put the hook shim where git really reads hooks
//! from (`git rev-parse --git-path hooks`: main or linked worktree, submodule, bare repo),
//! keep a foreign hook as `<hook>.legacy` (envguard runs it with the same input), restore it
//! on uninstall, and never write into a `core.hooksPath` directory without being asked.

use std::path::{Path, PathBuf};

use crate::error::BareUse;
use crate::gitcli::{GitEnv, git_in, output_line};
use crate::output::{InstallReport, InstallStep, Uninstalled};
use crate::{Error, Result};

mod entries;
mod managers;
mod server;
mod status;

pub use crate::chain::{dispatch_order, is_ours};
pub use managers::{Manager, manager_snippet};
use server::*;
pub use server::{DISPATCHED_NAME, install_server_wide};
pub use status::status;
use status::*;

/// Which hook: the client's pre-push or the server's post-receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    pub fn hook_name(self) -> &'static str {
        match self {
            Side::Client => "pre-push",
            Side::Server => "post-receive",
        }
    }

    /// The words of the shim that differ between the sides: the install flag, when the
    /// displaced hook runs, and what goes on without envguard.
    fn shim_words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Side::Client => ("", "before envguard; its failure stops the push", "pushing"),
            Side::Server => (
                " --server",
                "after envguard, so a deploy step there sees the env already wiped",
                "deploying",
            ),
        }
    }

    /// When the displaced hook runs, for `hook status`.
    fn legacy_order(self) -> &'static str {
        match self {
            Side::Client => "runs first",
            Side::Server => "runs after envguard",
        }
    }
}

/// The one hook shim, for both sides.
pub(super) const SHIM_TEMPLATE: &str = include_str!("../../hooks/hook.sh");
/// The line that marks a hook file as envguard's.
pub(super) const MARKER: &str = crate::chain::HOOK_MARKER;
/// The line that carries the shim's version; a change of the shim bumps it, so `hook
/// status` can tell an installed shim is outdated.
pub(super) const VERSION_MARKER: &str = "# envguard-hook-version: ";
/// The version of the shim this binary installs.
pub(super) const SHIM_VERSION: u32 = 2;
/// The hook shim, with this binary's path as the fallback when envguard is not on PATH (GUI
/// git clients often run hooks with a reduced PATH).
pub fn shim(side: Side) -> String {
    let bin = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
        .replace('\'', "");
    let (flag, order, doing) = side.shim_words();
    SHIM_TEMPLATE
        .replace("@HOOK@", side.hook_name())
        .replace("@FLAG@", flag)
        .replace("@ORDER@", order)
        .replace("@DOING@", doing)
        .replace("@VERSION@", &SHIM_VERSION.to_string())
        .replace("@ENVGUARD_BIN@", &bin)
}

/// The shim version of an installed hook of envguard's (`1`: shims from before versions).
pub(super) fn shim_version(text: &str) -> u32 {
    text.lines()
        .find_map(|l| l.strip_prefix(VERSION_MARKER))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
}

/// Where git reads hooks from, as an absolute path, and the `core.hooksPath` value if set.
pub fn hooks_dir(cwd: &Path) -> Result<(PathBuf, Option<String>)> {
    let run = |args: &[&str]| {
        let mut cmd = git_in(GitEnv::User(Some(cwd)));
        cmd.args(args);
        output_line(cmd)
    };
    let dir = run(&["rev-parse", "--git-path", "hooks"])?.ok_or(Error::NotARepository)?;
    let hooks_path = run(&["config", "core.hooksPath"])?;
    let dir = PathBuf::from(dir);
    let dir = if dir.is_absolute() {
        dir
    } else {
        cwd.join(dir)
    };
    log::debug!(
        "hooks directory {}, core.hooksPath {hooks_path:?}",
        dir.display()
    );
    Ok((dir, hooks_path))
}

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// Written; `Some(legacy)` when a foreign hook was kept and chained.
    Fresh(Option<PathBuf>),
    Updated,
    AlreadyInstalled,
    /// Nothing written: a hook manager owns the hook; envguard belongs in its configuration.
    LeftTo(Manager),
}

/// Installs the hook of `side` into `dir`.
pub fn install_into(dir: &Path, side: Side) -> Result<Installed> {
    std::fs::create_dir_all(dir)?;
    let hook = dir.join(side.hook_name());
    let legacy = dir.join(format!("{}.legacy", side.hook_name()));
    let content = shim(side);
    let mut kept = None;
    if hook.exists() || hook.is_symlink() {
        // A binary hook has no text: it is a foreign hook like any other.
        let existing = std::fs::read_to_string(&hook).unwrap_or_default();
        if existing.contains(MARKER) {
            if existing == content {
                return Ok(Installed::AlreadyInstalled);
            }
            write_executable(&hook, &content)?;
            return Ok(Installed::Updated);
        }
        // pre-commit's script runs `<hook>.legacy` beside it itself (kept under that name it
        // would run itself), and lefthook renames a foreign hook away when it reinstalls: both
        // chain hooks on their own terms.
        if let Some(manager) = Manager::of_hook(&existing) {
            return Ok(Installed::LeftTo(manager));
        }
        if legacy.exists() || legacy.is_symlink() {
            return Err(Error::HookAndLegacy { hook, legacy });
        }
        std::fs::rename(&hook, &legacy)?;
        kept = Some(legacy);
    }
    write_executable(&hook, &content)?;
    Ok(Installed::Fresh(kept))
}

/// Removes envguard's hook from `dir` and puts the legacy hook back. `Ok(false)`: envguard's
/// hook was not there.
pub fn uninstall_from(dir: &Path, side: Side) -> Result<bool> {
    let hook = dir.join(side.hook_name());
    let legacy = dir.join(format!("{}.legacy", side.hook_name()));
    if !is_ours(&hook) {
        return Ok(false);
    }
    std::fs::remove_file(&hook)?;
    if legacy.exists() || legacy.is_symlink() {
        std::fs::rename(&legacy, &hook)?;
    }
    Ok(true)
}

pub(super) fn write_executable(path: &Path, content: &str) -> Result<()> {
    let tmp = path.with_extension("envguard-tmp");
    std::fs::write(&tmp, content)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// `envguard hook install`: installs the hook (and records the server's `target`), or says
/// why nothing was written and what to add instead.
pub fn install(
    cwd: &Path,
    side: Side,
    use_hooks_path: bool,
    target: Option<&Path>,
) -> Result<InstallReport> {
    let (dir, hooks_path) = hooks_dir(cwd)?;
    // The repository, opened once: every step below reads it as it is now.
    let repo = git2::Repository::discover(cwd).ok();
    let repo = repo.as_ref();
    let bare = repo.is_some_and(git2::Repository::is_bare);
    if bare && side == Side::Client {
        return Err(Error::Bare(BareUse::PrePush));
    }
    if let Some(hp) = &hooks_path
        && !use_hooks_path
    {
        let worktree = worktree_root(repo);
        let (instead, paste) = manager_snippet(worktree.as_deref(), hp, &dir, side);
        return Ok(InstallReport {
            steps: vec![InstallStep::HooksPathSet {
                value: hp.clone(),
                instead,
            }],
            paste,
            failed: true,
        });
    }
    if side == Side::Server
        && let Some(dispatch) = dispatch_dir(repo, &dir)
    {
        let mut steps = vec![install_dispatched(&dispatch)?];
        if let Some(target) = target {
            steps.push(set_target(repo.ok_or(Error::NotARepository)?, target)?);
        }
        steps.extend(repo.and_then(no_target_warning));
        repo.map(crate::server::arm_target);
        return Ok(InstallReport {
            steps,
            ..InstallReport::default()
        });
    }
    let (mut steps, paste) = install_here(worktree_root(repo).as_deref(), &dir, side)?;
    if side == Side::Client {
        steps.extend(repo.and_then(no_deploy_remote_warning));
    }
    if side == Side::Server {
        if let Some(target) = target {
            steps.push(set_target(repo.ok_or(Error::NotARepository)?, target)?);
        }
        steps.extend(repo.and_then(|repo| piku_note(repo, &dir)));
        steps.extend(repo.and_then(no_target_warning));
        repo.map(crate::server::arm_target);
    }
    Ok(InstallReport {
        steps,
        paste,
        failed: false,
    })
}

/// Installs the hook into `dir`: what was done, and a manager's entry to paste when a
/// manager owns the hook.
fn install_here(
    worktree: Option<&Path>,
    dir: &Path,
    side: Side,
) -> Result<(Vec<InstallStep>, Option<String>)> {
    let mut steps = Vec::new();
    let mut paste = None;
    let hook = dir.join(side.hook_name());
    // lefthook's configuration is here but its hook not yet: `lefthook install` would move
    // a hook of envguard's aside (as `pre-push.old`, which it never runs), so envguard's
    // place is lefthook's configuration.
    if side == Side::Client && !hook.exists() && Manager::Lefthook.config_present(worktree) {
        if Manager::Lefthook.runs_envguard(worktree) {
            steps.push(InstallStep::LefthookNotInstalled);
            // Nothing to paste, and nothing on stdout: it may be appended to the file.
            paste = Some(String::new());
        } else {
            steps.push(InstallStep::LefthookEntry);
            paste = Some(Manager::Lefthook.entry(worktree));
        }
        return Ok((steps, paste));
    }
    match install_into(dir, side)? {
        Installed::Fresh(kept) => {
            steps.push(InstallStep::Installed { hook });
            steps.extend(kept.map(|legacy| InstallStep::KeptLegacy {
                legacy,
                order: side.legacy_order(),
            }));
        }
        Installed::Updated => steps.push(InstallStep::Updated { hook }),
        Installed::AlreadyInstalled => steps.push(InstallStep::AlreadyInstalled { hook }),
        Installed::LeftTo(manager) => {
            if manager.runs_envguard(worktree) {
                steps.push(InstallStep::ManagerRunsEnvguard {
                    hook,
                    manager: manager.name(),
                });
            } else {
                steps.push(InstallStep::LeftToManager {
                    hook,
                    manager: manager.name(),
                });
                paste = Some(manager.entry(worktree));
            }
        }
    }
    Ok((steps, paste))
}

/// `envguard hook uninstall`: from where git reads hooks, or with `use_hooks_path` from the
/// `core.hooksPath` directory (where `install --use-hooks-path` wrote).
pub fn uninstall(cwd: &Path, side: Side, use_hooks_path: bool) -> Result<Uninstalled> {
    let (dir, hooks_path) = hooks_dir(cwd)?;
    let repo = git2::Repository::discover(cwd).ok();
    if side == Side::Server
        && let Some(hook) = dispatch_dir(repo.as_ref(), &dir).map(|d| d.join(DISPATCHED_NAME))
        && is_ours(&hook)
    {
        std::fs::remove_file(&hook)?;
        return Ok(Uninstalled::Removed {
            hook,
            restored: false,
        });
    }
    let hook = dir.join(side.hook_name());
    if hooks_path.is_some() && !use_hooks_path && !is_ours(&hook) {
        return Ok(Uninstalled::NotInHooksDir { hook });
    }
    let had_legacy = dir.join(format!("{}.legacy", side.hook_name())).exists();
    Ok(if uninstall_from(&dir, side)? {
        Uninstalled::Removed {
            hook,
            restored: had_legacy,
        }
    } else {
        Uninstalled::NotInstalled { hook }
    })
}

pub(super) fn worktree_root(repo: Option<&git2::Repository>) -> Option<PathBuf> {
    repo.and_then(|r| r.workdir().map(Path::to_path_buf))
}

/// Records the server's deployment target (`envguard.target`) in the repository's config.
pub fn set_target(repo: &git2::Repository, target: &Path) -> Result<InstallStep> {
    // Stored as the real absolute path: the prune compares real paths, and the hook runs in
    // another directory than the one a relative path was given in.
    let target = target
        .canonicalize()
        .or_else(|_| std::path::absolute(target))?;
    repo.config()?
        .open_level(git2::ConfigLevel::Local)?
        .set_str("envguard.target", &target.display().to_string())?;
    Ok(InstallStep::TargetSet { target })
}
