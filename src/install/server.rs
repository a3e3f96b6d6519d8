//! The server side of `hook install`: a dispatcher's `post-receive.d` folder, piku's own
//! hook, and the warnings a server install needs.

use std::path::{Path, PathBuf};

use super::*;
use crate::Result;
use crate::config::Config;
use crate::error::{DeployStepFirst, Refusal};

/// The name of envguard's hook in a dispatch folder: dispatchers run the folder's
/// executables in name order, and this one sorts before deploy steps.
pub const DISPATCHED_NAME: &str = "00-envguard";

/// Whether `text` is a dispatcher that runs every hook of the `post-receive.d` folder: one
/// of its commands (not a comment) loops over `.../hooks/${hookname}.d/*` or
/// `.../hooks/post-receive.d/*`, as Gitea's generated hook does (modules/repository/hooks.go).
/// A mention of the folder anywhere else (a comment, an echo) is no dispatcher.
pub(super) fn is_dispatcher(text: &str) -> bool {
    text.lines().any(|line| {
        let code = line.trim_start();
        !code.starts_with('#')
            && code.starts_with("for ")
            && code.contains(" in ")
            && ["hooks/${hookname}.d/*", "hooks/post-receive.d/*"]
                .iter()
                .any(|glob| code.contains(glob))
    })
}

/// A folder of post-receive hooks that a server's own dispatcher runs: Gitea's
/// `hooks/post-receive.d` (its `hooks/post-receive` runs every executable there), GitLab's
/// per-repository `custom_hooks/post-receive.d` (made by the install when it is not there
/// yet). `None`: a plain `hooks/post-receive`.
pub(super) fn dispatch_dir(repo: Option<&git2::Repository>, hooks: &Path) -> Option<PathBuf> {
    let repo = repo?;
    let git_dir = repo.path().to_path_buf();
    let gitlab = git_dir.join("custom_hooks");
    if gitlab.is_dir() || is_gitlab_repository(repo) {
        return Some(gitlab.join("post-receive.d"));
    }
    let dispatcher = std::fs::read_to_string(hooks.join("post-receive")).unwrap_or_default();
    is_dispatcher(&dispatcher).then(|| hooks.join("post-receive.d"))
}

/// Whether `repo` is a repository of a GitLab server: gitaly writes the project's path into
/// its config as `gitlab.fullpath` (gitaly internal/gitaly/service/repository/fullpath.go
/// @7977654, L12), and hashed storage keeps repositories under `@hashed/`. gitaly passes `core.hooksPath`
/// on every git call (internal/git/hooks_options.go L169), so such a repository's
/// `hooks/post-receive` never runs: envguard's hook goes into `custom_hooks/`.
pub fn is_gitlab_repository(repo: &git2::Repository) -> bool {
    let fullpath = repo
        .config()
        .and_then(|c| c.open_level(git2::ConfigLevel::Local))
        .and_then(|c| c.get_string("gitlab.fullpath"))
        .is_ok_and(|v| !v.trim().is_empty());
    let hashed = repo.path().components().any(|c| c.as_os_str() == "@hashed");
    fullpath || hashed
}

/// Why envguard's hook in `dispatch` would run after a deploy step, if it would: a hook of
/// the folder whose name sorts before envguard's (in byte order, or ignoring case and
/// punctuation as a bash glob in another locale may), or GitLab's single-file
/// `custom_hooks/post-receive`, which gitaly runs before the folder.
pub(super) fn runs_after_a_deploy_step(dispatch: &Path) -> Option<DeployStepFirst> {
    let (single, first): (Vec<PathBuf>, Vec<PathBuf>) =
        crate::chain::runs_before(&dispatch.join(DISPATCHED_NAME))
            .into_iter()
            .partition(|p| p.parent() != Some(dispatch));
    if let Some(single) = single.first() {
        return Some(DeployStepFirst::GitlabSingleFile {
            single: single.clone(),
            dispatch: dispatch.to_path_buf(),
            envguard: DISPATCHED_NAME,
        });
    }
    let names: Vec<String> = first
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    (!names.is_empty()).then(|| DeployStepFirst::SortsFirst {
        names,
        dispatch: dispatch.to_path_buf(),
        envguard: DISPATCHED_NAME,
    })
}

/// Installs the server hook as one more executable of a dispatch folder, never over the
/// dispatcher; refused when a hook there would run before it.
pub(super) fn install_dispatched(dispatch: &Path) -> Result<InstallStep> {
    if let Some(first) = runs_after_a_deploy_step(dispatch) {
        return Err(crate::Error::refused(
            dispatch,
            Refusal::AfterDeployStep(first),
        ));
    }
    std::fs::create_dir_all(dispatch)?;
    let hook = dispatch.join(DISPATCHED_NAME);
    let content = shim(Side::Server);
    let already = std::fs::read_to_string(&hook).is_ok_and(|t| t == content);
    if !already {
        write_executable(&hook, &content)?;
    }
    Ok(InstallStep::Dispatched {
        hook,
        already,
        dir: dispatch.to_path_buf(),
        order: dispatch_order(dispatch),
    })
}

/// Installs the server hook once for every repository of a GitLab server: into
/// `<dir>/post-receive.d`, the server-wide folder gitaly runs after each repository's own
/// hooks (`custom_hooks_dir`). Refused when a hook there would run before it. At push time
/// the hook acts only for a repository whose own config sets `envguard.target` and that has
/// no post-receive hooks of its own ([`crate::server`]).
pub fn install_server_wide(dir: &Path) -> Result<InstallReport> {
    let dispatch = dir.join("post-receive.d");
    if let Some(first) = runs_after_a_deploy_step(&dispatch) {
        return Err(crate::Error::refused(
            &dispatch,
            Refusal::AfterDeployStep(first),
        ));
    }
    std::fs::create_dir_all(&dispatch)?;
    let hook = dispatch.join(DISPATCHED_NAME);
    write_executable(&hook, &shim(Side::Server))?;
    Ok(InstallReport {
        steps: vec![InstallStep::ServerWide {
            hook,
            order: dispatch_order(&dispatch),
            dir: dispatch,
            custom_hooks_dir: dir.to_path_buf(),
        }],
        ..InstallReport::default()
    })
}

/// piku's own post-receive, chained: envguard wipes first, then piku deploys. Without
/// `envguard.platform = piku` the wipe would take piku's ENV, LIVE_ENV and SCALING with it.
pub(super) fn piku_note(repo: &git2::Repository, hooks: &Path) -> Option<InstallStep> {
    let legacy = std::fs::read_to_string(hooks.join("post-receive.legacy")).ok()?;
    if !legacy.contains("piku") {
        return None;
    }
    let config = Config::from_repo(repo).ok()?;
    Some(InstallStep::Piku {
        platform_set: config.on_piku(),
    })
}

/// A server hook without `envguard.target` wipes nothing: say so at install.
pub(super) fn no_target_warning(repo: &git2::Repository) -> Option<InstallStep> {
    let config = Config::from_repo(repo).ok()?;
    let piku = config.on_piku();
    (config.target.is_none() && !piku).then_some(InstallStep::NoTarget)
}
