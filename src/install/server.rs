//! The server side of `hook install`: a dispatcher's `post-receive.d` folder, piku's own
//! hook, and the warnings a server install needs.

use std::path::{Path, PathBuf};

use super::*;
use crate::Result;
use crate::config::Config;

/// The name of envguard's hook in a dispatch folder: dispatchers run the folder's
/// executables in name order, and this one sorts before deploy steps.
pub const DISPATCHED_NAME: &str = "00-envguard";

/// A folder of post-receive hooks that a server's own dispatcher runs: Gitea's
/// `hooks/post-receive.d` (its `hooks/post-receive` runs every executable there), GitLab's
/// per-repository `custom_hooks/post-receive.d`. `None`: a plain `hooks/post-receive`.
pub(super) fn dispatch_dir(cwd: &Path, hooks: &Path) -> Option<PathBuf> {
    let git_dir = git2::Repository::discover(cwd).ok()?.path().to_path_buf();
    let gitlab = git_dir.join("custom_hooks");
    if gitlab.is_dir() {
        return Some(gitlab.join("post-receive.d"));
    }
    let gitea = hooks.join("post-receive.d");
    let dispatcher = std::fs::read_to_string(hooks.join("post-receive")).unwrap_or_default();
    (gitea.is_dir() || dispatcher.contains("post-receive.d")).then_some(gitea)
}

/// Installs the server hook as one more executable of a dispatch folder, never over the
/// dispatcher.
pub(super) fn install_dispatched(cwd: &Path, dispatch: &Path) -> Result<Vec<String>> {
    std::fs::create_dir_all(dispatch)?;
    let hook = dispatch.join(DISPATCHED_NAME);
    let content = shim(Side::Server);
    let verb = if std::fs::read_to_string(&hook).is_ok_and(|t| t == content) {
        "already installed"
    } else {
        write_executable(&hook, &content)?;
        "installed"
    };
    let mut lines = vec![
        format!("{verb} {}", hook.display()),
        format!(
            "the server runs every executable in {} with the push's input, in name order: \
             envguard's hook comes before deploy steps there, and the dispatcher is left as it is",
            dispatch.display()
        ),
    ];
    lines.extend(no_target_warning(cwd));
    Ok(lines)
}

/// piku's own post-receive, chained: envguard wipes first, then piku deploys. Without
/// `envguard.platform = piku` the wipe would take piku's ENV, LIVE_ENV and SCALING with it.
pub(super) fn piku_note(cwd: &Path, hooks: &Path) -> Option<String> {
    let legacy = std::fs::read_to_string(hooks.join("post-receive.legacy")).ok()?;
    if !legacy.contains("piku") {
        return None;
    }
    let repo = git2::Repository::discover(cwd).ok()?;
    let config = Config::from_repo(&repo).ok()?;
    Some(
        if config.server_env() == crate::platform::ServerEnv::PikuVenv {
            "piku's post-receive runs after envguard's: envguard wipes the venv in \
         $PIKU_ROOT/envs/<app>, then piku deploys and builds a new one"
                .to_string()
        } else {
            "warning: this is a piku repository: set `git config envguard.platform piku`, so that \
         the wipe keeps the app's ENV, LIVE_ENV and SCALING beside the venv (the target then \
         defaults to $PIKU_ROOT/envs/<app>)"
                .to_string()
        },
    )
}

/// A server hook without `envguard.target` wipes nothing: say so at install.
pub(super) fn no_target_warning(cwd: &Path) -> Option<String> {
    let repo = git2::Repository::discover(cwd).ok()?;
    let config = Config::from_repo(&repo).ok()?;
    let piku = config.server_env() == crate::platform::ServerEnv::PikuVenv;
    (config.target.is_none() && !piku).then(|| {
        "warning: envguard.target is not set, so the hook does nothing until it is: \
         envguard hook install --server --target <deployment directory> (or git config \
         envguard.target <dir>)"
            .to_string()
    })
}
