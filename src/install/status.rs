//! `envguard hook status`: where the hook is, whether pushes are guarded, what it chains,
//! and which platform, mode, branches and toggle runtime apply.

use std::path::Path;

use super::entries::Entry;
use super::*;
use crate::Result;
use crate::analyze::Analyzer;
use crate::config::Config;
use crate::output::{
    CommittedSettings, DispatchOrder, HookState, HookStatus, InstallStep, RemoteStatus,
    ServerTarget, SideStatus, ToggleRuntime,
};
use crate::requirements::process_env;

/// When no remote is a deploy remote, every push goes through unchecked: say so, list the
/// remotes, and give the setting that names one.
pub(super) fn no_deploy_remote_warning(repo: &git2::Repository) -> Option<InstallStep> {
    let config = Config::from_repo(repo).ok()?;
    if !crate::config::deploy_remotes(repo, &config)
        .ok()?
        .is_empty()
    {
        return None;
    }
    let names = repo.remotes().ok()?;
    Some(InstallStep::NoDeployRemote {
        remotes: names
            .iter()
            .flatten()
            .flatten()
            .map(str::to_string)
            .collect(),
        urls: config.remote_urls.clone(),
    })
}

/// Where the settings come from: the committed file's keys, and which of them git config
/// overrides on this machine.
fn committed_settings(repo: &git2::Repository) -> Option<CommittedSettings> {
    let committed = crate::config::committed::read(repo.workdir()?).ok()??;
    let git = crate::config::scope::repository_config(repo).ok()?;
    let trusted = git.get_string(crate::config::committed::TRUST_KEY).ok();
    let (taken, _) = committed.taken(trusted.as_deref());
    Some(CommittedSettings {
        file: committed.name().to_string(),
        keys: taken
            .iter()
            .map(|(key, _)| {
                (
                    key["envguard.".len()..].to_string(),
                    crate::config::committed::set_outside(&git, key),
                )
            })
            .collect(),
    })
}

/// `envguard hook status`: where the hook is, what is chained, and which mode applies.
pub fn status(cwd: &Path, side: Side) -> Result<HookStatus> {
    let (dir, hooks_path) = hooks_dir(cwd)?;
    let repo = git2::Repository::discover(cwd)?;
    // git never runs a pre-push hook in a bare repository: its side is the server's.
    if repo.is_bare() && side == Side::Client {
        return Ok(HookStatus {
            bare: true,
            ..status_of(&repo, &dir, hooks_path, Side::Server)?
        });
    }
    status_of(&repo, &dir, hooks_path, side)
}

fn status_of(
    repo: &git2::Repository,
    dir: &Path,
    hooks_path: Option<String>,
    side: Side,
) -> Result<HookStatus> {
    // Where a dispatcher runs a folder of hooks, envguard's hook is there or nowhere: the
    // plain hook is the dispatcher (Gitea) or never runs (GitLab's gitaly).
    let dispatched = (side == Side::Server)
        .then(|| dispatch_dir(Some(repo), dir))
        .flatten()
        .map(|d| d.join(DISPATCHED_NAME));
    let hook = dispatched.unwrap_or_else(|| dir.join(side.hook_name()));
    let legacy = dir.join(format!("{}.legacy", side.hook_name()));
    let worktree = worktree_root(Some(repo));
    let config = Config::for_repository(repo)?;
    let state = if side == Side::Server && !hook.exists() {
        HookState::ServerNotInstalled {
            has_target: crate::server::target_of(repo, &config).is_some(),
        }
    } else {
        hook_state(&hook, &legacy, hooks_path.as_deref(), worktree.as_deref())
    };
    Ok(HookStatus {
        bare: false,
        pending: (side == Side::Client)
            .then(|| crate::pending::pending_notice(repo))
            .flatten(),
        hook,
        state,
        dispatch: (side == Side::Server)
            .then(|| dispatch_order_of(repo, dir))
            .flatten(),
        chained: legacy
            .exists()
            .then(|| (legacy.clone(), side.legacy_order())),
        hooks_path,
        committed: committed_settings(repo),
        warnings: config.warnings.clone(),
        side: match side {
            Side::Client => client_status(repo, &config)?,
            Side::Server => server_status(repo, &config),
        },
    })
}

/// `hook status --server` where a dispatcher runs a folder of hooks: the folder's order,
/// and what would keep envguard's hook from acting there.
fn dispatch_order_of(repo: &git2::Repository, dir: &Path) -> Option<DispatchOrder> {
    let dispatch = dispatch_dir(Some(repo), dir)?;
    let plain = dir.join(Side::Server.hook_name());
    let gitlab = dispatch
        .parent()
        .is_some_and(|p| p.ends_with("custom_hooks"));
    Some(DispatchOrder {
        order: dispatch_order(&dispatch),
        after_deploy_step: runs_after_a_deploy_step(&dispatch),
        unrun: (gitlab && is_ours(&plain)).then_some(plain),
        dir: dispatch,
    })
}

/// `hook status --server`: what the server hook does, to which target, for which branches.
fn server_status(repo: &git2::Repository, config: &Config) -> SideStatus {
    let target = match (&config.target, crate::server::target_of(repo, config)) {
        (Some(t), real) => ServerTarget::Set(real.unwrap_or_else(|| t.clone())),
        (None, Some(venv)) => ServerTarget::Piku(venv),
        (None, None) => ServerTarget::None,
    };
    SideStatus::Server {
        action: format!("{:?}", config.server_action).to_lowercase(),
        target,
        branches: config.branches_described(),
    }
}

/// What runs at `hook` (its `.legacy` beside it), in every arrangement: envguard's shim, a
/// hook manager that runs envguard (pre-commit, lefthook, husky) or does not, another
/// tool's hook.
pub(super) fn hook_state(
    hook: &Path,
    legacy: &Path,
    hooks_path: Option<&str>,
    worktree: Option<&Path>,
) -> HookState {
    let installed = std::fs::read_to_string(hook).unwrap_or_default();
    if installed.contains(MARKER) {
        return HookState::Installed {
            outdated: shim_version(&installed) < SHIM_VERSION,
        };
    }
    if let Some(manager) = Manager::of_hook(&installed) {
        return manager_state(manager, legacy, worktree);
    }
    if let Some(dir) = hooks_path.and_then(super::managers::husky_dir) {
        return HookState::Husky {
            runs: worktree.is_some_and(|w| {
                super::entries::husky(&w.join(&dir).join("pre-push")) == Entry::Runs
            }),
            dir: dir.display().to_string(),
        };
    }
    // Anything there (a file that is not UTF-8, a link) is a hook of its own.
    if std::fs::symlink_metadata(hook).is_ok() {
        return HookState::AnotherTool {
            hooks_path: hooks_path.is_some(),
        };
    }
    // No hook file: a manager whose configuration is here may not have installed its hook.
    for manager in [Manager::Lefthook, Manager::PreCommit] {
        if manager.envguard_entry(worktree) == Entry::Runs {
            return HookState::ManagerNotInstalled {
                manager: manager.name(),
                install: manager.install_command(),
            };
        }
    }
    // In a `core.hooksPath` folder, where `hook install` gives the manager's entry.
    if hooks_path.is_some()
        && let Some(manager) = [Manager::Lefthook, Manager::PreCommit]
            .into_iter()
            .find(|m| m.config_present(worktree))
    {
        return HookState::ManagerConfigWithout {
            manager: manager.name(),
            entry: manager.entry(worktree),
            install: manager.install_command(),
        };
    }
    HookState::NotInstalled {
        hooks_path: hooks_path.is_some(),
    }
}

/// What a hook manager's hook does about envguard, from its configuration.
fn manager_state(manager: Manager, legacy: &Path, worktree: Option<&Path>) -> HookState {
    let name = manager.name();
    if is_ours(legacy) && matches!(manager, Manager::PreCommit | Manager::Prek) {
        return HookState::ManagerRunsKept {
            manager: name,
            legacy: legacy.to_path_buf(),
        };
    }
    match manager.envguard_entry(worktree) {
        Entry::Runs => HookState::ManagerRuns { manager: name },
        Entry::WithoutInput { hook } => HookState::ManagerWithoutInput {
            manager: name,
            hook: hook.to_string(),
        },
        Entry::OtherStage { stages } => HookState::ManagerOtherStage {
            manager: name,
            stages: stages.to_string(),
            entry: manager.entry(worktree),
        },
        Entry::Missing => HookState::ManagerWithout {
            manager: name,
            entry: manager.entry(worktree),
        },
    }
}

/// `hook status` of the client side: the deploy remotes and their modes, the deploy
/// branches, and the toggle a push of HEAD would make.
pub(super) fn client_status(repo: &git2::Repository, config: &Config) -> Result<SideStatus> {
    let remotes = crate::config::deploy_remotes(repo, config)?;
    let unmatched = remotes
        .is_empty()
        .then(|| (config.remote_urls.clone(), config.remote_names.clone()));
    let remotes = remotes
        .iter()
        .map(|remote| {
            let mut urls: Vec<String> = remote.urls.iter().map(|u| crate::url::redact(u)).collect();
            urls.dedup();
            RemoteStatus {
                name: remote.name.clone(),
                urls,
                label: remote.target.label(),
                mode: remote.target.mode,
                remote_wipe: (remote.target.mode == crate::config::Mode::RemoteWipe).then(|| {
                    crate::remote::RemoteSite::resolve(repo, config, &remote.name, &[])
                        .map(|site| {
                            format!(
                                "{}/{} on {}",
                                config.site_path, config.env_dir, site.site.base
                            )
                        })
                        .map_err(|e| e.to_string())
                }),
            }
        })
        .collect();
    Ok(SideStatus::Client {
        remotes,
        unmatched,
        branches: config.branches_described(),
        toggle: toggle_runtime(repo, config),
    })
}

/// The toggle a push of HEAD would make, read as the analysis reads it (app root from
/// `envguard.appRoot` or `.deployment`).
pub(super) fn toggle_runtime(repo: &git2::Repository, config: &Config) -> ToggleRuntime {
    let platform = crate::config::platform_here(repo, config);
    if !platform.can_toggle() {
        return ToggleRuntime::NotRead { platform };
    }
    let mut analyzer = Analyzer::new(repo, config, platform, process_env());
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let Some((root, current)) = head.and_then(|c| analyzer.runtime_of(c.id()).ok()) else {
        return ToggleRuntime::NoCommit;
    };
    let path = crate::paths::join(&root, "runtime.txt");
    match current {
        Err(e) => ToggleRuntime::Invalid { error: e.into() },
        Ok(Some(value)) => match config.toggle_runtime_for(&value) {
            Some(toggle) => ToggleRuntime::Pair {
                value,
                toggle,
                path,
            },
            None => ToggleRuntime::NoOther { value },
        },
        Ok(None) => match &config.toggle_runtime {
            Some(t) => ToggleRuntime::FromSetting {
                toggle: t.clone(),
                path,
            },
            None => ToggleRuntime::Nothing { path },
        },
    }
}
