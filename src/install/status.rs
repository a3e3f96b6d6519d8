//! `envguard hook status`: where the hook is, whether pushes are guarded, what it chains,
//! and which platform, mode, branches and toggle runtime apply.

use std::path::Path;

use super::entries::Entry;
use super::*;
use crate::Result;
use crate::analyze::Analyzer;
use crate::config::Config;
use crate::requirements::process_env;

/// When no remote is a deploy remote, every push goes through unchecked: say so, list the
/// remotes, and give the setting that names one.
pub(super) fn no_deploy_remote_warning(cwd: &Path) -> Option<String> {
    let repo = git2::Repository::discover(cwd).ok()?;
    let config = Config::from_repo(&repo).ok()?;
    if !crate::config::deploy_remotes(&repo, &config)
        .ok()?
        .is_empty()
    {
        return None;
    }
    let names = repo.remotes().ok()?;
    let names: Vec<&str> = names.iter().flatten().flatten().collect();
    let remotes = if names.is_empty() {
        "this repository has no remote yet".to_string()
    } else {
        format!("its remotes: {}", names.join(", "))
    };
    Some(format!(
        "warning: no remote is a deploy remote (none matches envguard.remote = {}; {remotes}), \
         so pushes are not checked. Name the remote you deploy with: \
         git config envguard.remoteName <name>",
        config.remote_urls.join(" ")
    ))
}

/// Where the settings come from: the committed file's keys, and which of them git config
/// overrides on this machine.
fn committed_line(repo: &git2::Repository) -> Option<String> {
    let committed = crate::config::committed::read(repo.workdir()?).ok()??;
    let git = crate::config::scope::repository_config(repo).ok()?;
    let trusted = git.get_string(crate::config::committed::TRUST_KEY).ok();
    let (taken, _) = committed.taken(trusted.as_deref());
    let shown = |(key, _): &&(String, Vec<String>)| {
        let name = &key["envguard.".len()..];
        if crate::config::committed::set_outside(&git, key) {
            format!("{name} (overridden by git config)")
        } else {
            name.to_string()
        }
    };
    let keys: Vec<String> = taken.iter().map(shown).collect();
    Some(if keys.is_empty() {
        format!("committed settings: {} sets nothing", committed.name())
    } else {
        format!(
            "committed settings: {} sets {}; any git config scope overrides them",
            committed.name(),
            keys.join(", ")
        )
    })
}

/// `envguard hook status`: where the hook is, what is chained, and which mode applies.
pub fn status(cwd: &Path, side: Side) -> Result<Vec<String>> {
    // git never runs a pre-push hook in a bare repository: its side is the server's.
    let bare = git2::Repository::discover(cwd).is_ok_and(|r| r.is_bare());
    if bare && side == Side::Client {
        let mut lines = vec![
            "a bare repository (a server's): git runs its post-receive hook, never a pre-push \
             one; the server side:"
                .to_string(),
        ];
        lines.extend(status(cwd, Side::Server)?);
        return Ok(lines);
    }
    let (dir, hooks_path) = hooks_dir(cwd)?;
    let dispatched = (side == Side::Server)
        .then(|| dispatch_dir(cwd, &dir))
        .flatten()
        .map(|d| d.join(DISPATCHED_NAME))
        .filter(|h| is_ours(h));
    let hook = dispatched.unwrap_or_else(|| dir.join(side.hook_name()));
    let legacy = dir.join(format!("{}.legacy", side.hook_name()));
    let mut lines = Vec::new();
    let worktree = worktree_root(cwd);
    let repo = git2::Repository::discover(cwd)?;
    let config = Config::for_repository(&repo)?;
    let (state, advice) = if side == Side::Server && !hook.exists() {
        let install = if crate::server::target_of(&repo, &config).is_some() {
            "envguard hook install --server"
        } else {
            "envguard hook install --server --target <deployment directory>"
        };
        (
            "not installed: deployments are NOT guarded".to_string(),
            vec![format!("install it: {install}")],
        )
    } else {
        hook_state(&hook, &legacy, hooks_path.as_deref(), worktree.as_deref())
    };
    lines.push(format!("hook: {} ({state})", hook.display()));
    lines.extend(advice);
    if side == Side::Server {
        lines.extend(dispatch_lines(cwd, &dir));
    }
    if legacy.exists() {
        lines.push(format!(
            "chained: {} ({})",
            legacy.display(),
            side.legacy_order()
        ));
    }
    lines.push(format!(
        "core.hooksPath: {}",
        hooks_path.as_deref().unwrap_or("(not set)")
    ));
    lines.extend(committed_line(&repo));
    lines.extend(config.warnings.iter().map(|w| format!("warning: {w}")));
    if side == Side::Client
        && let Some(notice) = crate::pending::pending_notice(&repo)
    {
        lines.insert(0, notice);
    }
    match side {
        Side::Client => lines.extend(client_status(&repo, &config)?),
        Side::Server => lines.extend(server_status(&repo, &config)),
    }
    Ok(lines)
}

/// `hook status --server` where a dispatcher runs a folder of hooks: the folder's order,
/// and what would keep envguard's hook from acting there.
fn dispatch_lines(cwd: &Path, dir: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    let Some(dispatch) = dispatch_dir(cwd, dir) else {
        return lines;
    };
    lines.push(format!(
        "order: the dispatcher runs {} in name order: {}",
        dispatch.display(),
        Some(dispatch_order(&dispatch).join(", "))
            .filter(|o| !o.is_empty())
            .unwrap_or_else(|| "(no hook there)".to_string())
    ));
    if let Some(why) = runs_after_a_deploy_step(&dispatch) {
        lines.push(format!("warning: {why}"));
    }
    let plain = dir.join(Side::Server.hook_name());
    if dispatch
        .parent()
        .is_some_and(|p| p.ends_with("custom_hooks"))
        && is_ours(&plain)
    {
        lines.push(format!(
            "warning: {} is envguard's, but gitaly never runs a GitLab repository's hooks \
             folder (it sets core.hooksPath on every git call): run `envguard hook install \
             --server` to install into {}",
            plain.display(),
            dispatch.display()
        ));
    }
    lines
}

/// `hook status --server`: what the server hook does, to which target, for which branches.
fn server_status(repo: &git2::Repository, config: &Config) -> Vec<String> {
    let mut lines = Vec::new();
    let action = format!("{:?}", config.server_action).to_lowercase();
    lines.push(format!("server action: {action}"));
    let target = match (&config.target, crate::server::target_of(repo, config)) {
        (Some(t), real) => real.unwrap_or_else(|| t.clone()).display().to_string(),
        (None, Some(venv)) => format!(
            "{} (piku's venv of this app, from the repository's path; envguard.target \
             overrides it)",
            venv.display()
        ),
        (None, None) => "(not set: envguard.target)".to_string(),
    };
    lines.push(format!("target: {target}"));
    lines.push(format!("deploy branches: {}", config.branches_described()));
    lines
}

/// What runs at `hook` (its `.legacy` beside it), in every arrangement: envguard's shim, a
/// hook manager that runs envguard (pre-commit, lefthook, husky) or does not, another
/// tool's hook. The state, and the lines that say how to get guarded when it is not.
pub(super) fn hook_state(
    hook: &Path,
    legacy: &Path,
    hooks_path: Option<&str>,
    worktree: Option<&Path>,
) -> (String, Vec<String>) {
    let installed = std::fs::read_to_string(hook).unwrap_or_default();
    let legacy_ours = is_ours(legacy);
    let not_guarded = "pushes are NOT guarded";
    if installed.contains(MARKER) {
        let state = if shim_version(&installed) < SHIM_VERSION {
            "envguard's hook, installed, outdated: run `envguard hook install` again"
        } else {
            "envguard's hook, installed"
        };
        return (state.to_string(), Vec::new());
    }
    if let Some(manager) = Manager::of_hook(&installed) {
        return manager_state(manager, legacy, legacy_ours, worktree);
    }
    let husky = hooks_path.is_some_and(|p| p.contains(".husky"));
    if husky {
        let runs = worktree
            .is_some_and(|w| super::entries::husky(&w.join(".husky/pre-push")) == Entry::Runs);
        return if runs {
            (
                "husky's hook; .husky/pre-push runs envguard".to_string(),
                Vec::new(),
            )
        } else {
            (
                format!("husky's hook, without envguard: {not_guarded}"),
                vec!["add it: echo 'envguard pre-push \"$@\"' >> .husky/pre-push".to_string()],
            )
        };
    }
    if hook.exists() {
        return (
            format!("another tool's hook; envguard is not installed: {not_guarded}"),
            vec!["`envguard hook install` keeps that hook and runs it first".to_string()],
        );
    }
    // No hook file: a manager whose configuration is here may not have installed its hook.
    for manager in [Manager::Lefthook, Manager::PreCommit] {
        if manager.envguard_entry(worktree) == Entry::Runs {
            return (
                format!(
                    "no hook file; {}'s configuration runs envguard, but its hook is not \
                     installed: {not_guarded}",
                    manager.name()
                ),
                vec![format!("install it: {}", manager.install_command())],
            );
        }
    }
    let install = if hooks_path.is_some() {
        "install it there: envguard hook install --use-hooks-path"
    } else {
        "install it: envguard hook install"
    };
    (
        format!("not installed: {not_guarded}"),
        vec![install.to_string()],
    )
}

/// What envguard does when a manager runs it: checks that run after it could still stop
/// the push, so it deploys nothing from there.
const UNDER_A_MANAGER: &str = "under a hook manager envguard refuses a push that needs a fresh \
     env, since checks after it could still stop the push: make that push with `envguard push`, \
     which runs every pre-push check first and deploys only when all pass";

/// What a hook manager's hook does about envguard, from its configuration.
fn manager_state(
    manager: Manager,
    legacy: &Path,
    legacy_ours: bool,
    worktree: Option<&Path>,
) -> (String, Vec<String>) {
    let not_guarded = "pushes are NOT guarded";
    let name = manager.name();
    if legacy_ours && matches!(manager, Manager::PreCommit | Manager::Prek) {
        return (
            format!(
                "{name}'s hook, which runs envguard's hook kept as {}",
                legacy.display()
            ),
            vec![UNDER_A_MANAGER.to_string()],
        );
    }
    match manager.envguard_entry(worktree) {
        Entry::Runs => {
            return (
                format!("{name}'s hook; its configuration runs envguard"),
                vec![UNDER_A_MANAGER.to_string()],
            );
        }
        Entry::WithoutInput { hook } => {
            return (
                format!(
                    "{name}'s hook; its {hook} entry runs envguard without git's input \
                     (no `use_stdin: true`), so envguard sees no ref updates: {not_guarded}"
                ),
                vec!["add `use_stdin: true` to envguard's entry".to_string()],
            );
        }
        Entry::OtherStage { stages } => {
            return (
                format!(
                    "{name}'s hook; its configuration runs envguard only on {stages}, \
                     never on a push: {not_guarded}"
                ),
                manager
                    .entry(worktree)
                    .lines()
                    .map(|l| format!("  {l}"))
                    .collect(),
            );
        }
        Entry::Missing => {}
    }
    let mut advice = vec![format!(
        "{name} does not run envguard; add to its configuration:"
    )];
    advice.extend(manager.entry(worktree).lines().map(|l| format!("  {l}")));
    (
        format!("{name}'s hook, without envguard: {not_guarded}"),
        advice,
    )
}

/// `hook status` of the client side: the deploy remotes and their modes, the deploy
/// branches, and the toggle a push of HEAD would make.
pub(super) fn client_status(repo: &git2::Repository, config: &Config) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    let remotes = crate::config::deploy_remotes(repo, config)?;
    for remote in &remotes {
        let mut shown: Vec<String> = remote.urls.iter().map(|u| crate::url::redact(u)).collect();
        shown.dedup();
        lines.push(format!(
            "deploy remote: {} ({}), platform {}, mode {}",
            remote.name,
            shown.join(", "),
            remote.target.label(),
            crate::config::name_of(&remote.target.mode)
        ));
        if remote.target.mode == crate::config::Mode::RemoteWipe {
            lines.push(format!(
                "  remote wipe: {}",
                match crate::remote::RemoteSite::resolve(repo, config, &remote.name, &[]) {
                    Ok(site) => format!(
                        "{}/{} on {}",
                        config.site_path, config.env_dir, site.site.base
                    ),
                    Err(e) => format!("not possible: {e}"),
                }
            ));
        }
    }
    if remotes.is_empty() {
        lines.push(format!(
            "deploy remote: none matches (envguard.remote = {}, envguard.remoteName = {})",
            config.remote_urls.join(" "),
            if config.remote_names.is_empty() {
                "(not set)".to_string()
            } else {
                config.remote_names.join(" ")
            }
        ));
    }
    lines.push(format!("deploy branches: {}", config.branches_described()));
    lines.push(format!(
        "toggle runtime: {}",
        toggle_runtime_line(repo, config)
    ));
    Ok(lines)
}

/// The toggle a push of HEAD would make, read as the analysis reads it (app root from
/// `envguard.appRoot` or `.deployment`).
pub(super) fn toggle_runtime_line(repo: &git2::Repository, config: &Config) -> String {
    let platform = crate::config::platform_here(repo, config);
    if !platform.can_toggle() {
        return format!("none: {platform} does not read runtime.txt, so a toggle rebuilds nothing");
    }
    let mut analyzer = Analyzer::new(repo, config, platform, process_env());
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let Some((root, current)) = head.and_then(|c| analyzer.runtime_of(c.id()).ok()) else {
        return "none: HEAD has no commit yet".to_string();
    };
    let path = crate::paths::join(&root, "runtime.txt");
    match current {
        Err(e) => format!("none: {e}"),
        Ok(Some(value)) => match config.toggle_runtime_for(&value) {
            Some(t) => format!("{value} -> {t} -> {value} (the runtime {path} selects on Kudu)"),
            None => format!("none: no other runtime than {value} (set envguard.toggleRuntime)"),
        },
        Ok(None) => match &config.toggle_runtime {
            Some(t) => format!("{t} (no {path} at HEAD)"),
            None => format!("none: no {path} at HEAD and envguard.toggleRuntime is not set"),
        },
    }
}
