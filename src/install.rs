//! `envguard hook install|uninstall|status`: put the hook shim where git really reads hooks
//! from (`git rev-parse --git-path hooks`: main or linked worktree, submodule, bare repo),
//! keep a foreign hook as `<hook>.legacy` (envguard runs it with the same input), restore it
//! on uninstall, and never write into a `core.hooksPath` directory without being asked.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::config::Config;
use crate::{Error, Result};

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

    fn template(self) -> &'static str {
        match self {
            Side::Client => include_str!("../hooks/pre-push"),
            Side::Server => include_str!("../hooks/post-receive"),
        }
    }
}

/// The line that marks a hook file as envguard's.
const MARKER: &str = "# envguard-hook:";

/// The hook shim, with this binary's path as the fallback when envguard is not on PATH (GUI
/// git clients often run hooks with a reduced PATH).
pub fn shim(side: Side) -> String {
    let bin = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
        .replace('\'', "");
    side.template().replace("@ENVGUARD_BIN@", &bin)
}

/// Whether a hook file is envguard's.
pub fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.contains(MARKER))
}

/// Where git reads hooks from, as an absolute path, and the `core.hooksPath` value if set.
pub fn hooks_dir(cwd: &Path) -> Result<(PathBuf, Option<String>)> {
    let run = |args: &[&str]| -> Result<Option<String>> {
        let out = Command::new("git")
            .args(args)
            .current_dir(cwd)
            .output()
            .map_err(|e| Error(format!("cannot run git: {e}")))?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|s| !s.is_empty()))
    };
    let dir = run(&["rev-parse", "--git-path", "hooks"])?
        .ok_or_else(|| Error("not a git repository (or git is missing)".to_string()))?;
    let hooks_path = run(&["config", "core.hooksPath"])?;
    let dir = PathBuf::from(dir);
    let dir = if dir.is_absolute() {
        dir
    } else {
        cwd.join(dir)
    };
    Ok((dir, hooks_path))
}

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// Written; `Some(legacy)` when a foreign hook was kept and chained.
    Fresh(Option<PathBuf>),
    Updated,
    AlreadyInstalled,
}

/// Installs the hook of `side` into `dir`.
pub fn install_into(dir: &Path, side: Side) -> Result<Installed> {
    std::fs::create_dir_all(dir)?;
    let hook = dir.join(side.hook_name());
    let legacy = dir.join(format!("{}.legacy", side.hook_name()));
    let content = shim(side);
    let mut kept = None;
    if hook.exists() || hook.is_symlink() {
        if is_ours(&hook) {
            if std::fs::read_to_string(&hook).is_ok_and(|t| t == content) {
                return Ok(Installed::AlreadyInstalled);
            }
            write_executable(&hook, &content)?;
            return Ok(Installed::Updated);
        }
        if legacy.exists() || legacy.is_symlink() {
            return Err(Error(format!(
                "{} exists and so does {}; envguard would have to overwrite one of them. Move \
                 one away, then run `envguard hook install` again",
                hook.display(),
                legacy.display()
            )));
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

fn write_executable(path: &Path, content: &str) -> Result<()> {
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

/// The line to add to a hook manager's configuration, chosen by what the repository uses.
pub fn manager_snippet(worktree: Option<&Path>, hooks_path: &str, side: Side) -> String {
    let has = |name: &str| worktree.is_some_and(|w| w.join(name).exists());
    let command = match side {
        Side::Client => "envguard pre-push \"$@\"",
        Side::Server => "envguard post-receive",
    };
    if hooks_path.contains(".husky") || has(".husky") {
        format!("husky: echo '{command}' >> .husky/{}", side.hook_name())
    } else if has("lefthook.yml") || has(".lefthook.yml") || has("lefthook.yaml") {
        format!(
            "lefthook: add to lefthook.yml: {}: {{ commands: {{ envguard: {{ run: \"envguard {} {{1}} {{2}}\", use_stdin: true }} }} }}",
            side.hook_name(),
            side.hook_name()
        )
    } else if has(".pre-commit-config.yaml") {
        "pre-commit: add to .pre-commit-config.yaml: - { repo: local, hooks: [{ id: envguard, name: envguard, \
         entry: envguard pre-push, language: system, stages: [pre-push], pass_filenames: false, always_run: true, verbose: true }] }"
            .to_string()
    } else {
        format!(
            "hooks directory {hooks_path}: `envguard hook install --use-hooks-path` writes {}/{} there",
            hooks_path,
            side.hook_name()
        )
    }
}

/// `envguard hook install`: returns the lines to print, or an error whose message says why
/// nothing was written.
pub fn install(cwd: &Path, side: Side, use_hooks_path: bool) -> Result<Vec<String>> {
    let (dir, hooks_path) = hooks_dir(cwd)?;
    if let Some(hp) = &hooks_path
        && !use_hooks_path
    {
        let worktree = worktree_root(cwd);
        return Err(Error(format!(
            "core.hooksPath is set to '{hp}' (a hook manager or a shared hooks directory), so \
             envguard wrote nothing. Add it there instead:\n  {}\nor let envguard write into \
             that directory: `envguard hook install --use-hooks-path`",
            manager_snippet(worktree.as_deref(), hp, side)
        )));
    }
    let mut lines = Vec::new();
    let hook = dir.join(side.hook_name());
    match install_into(&dir, side)? {
        Installed::Fresh(None) => lines.push(format!("installed {}", hook.display())),
        Installed::Fresh(Some(legacy)) => {
            lines.push(format!("installed {}", hook.display()));
            lines.push(format!(
                "kept the existing hook as {}; it runs first, with the same input",
                legacy.display()
            ));
        }
        Installed::Updated => lines.push(format!("updated {}", hook.display())),
        Installed::AlreadyInstalled => lines.push(format!("already installed: {}", hook.display())),
    }
    Ok(lines)
}

/// `envguard hook uninstall`.
pub fn uninstall(cwd: &Path, side: Side) -> Result<Vec<String>> {
    let (dir, _) = hooks_dir(cwd)?;
    let hook = dir.join(side.hook_name());
    let had_legacy = dir.join(format!("{}.legacy", side.hook_name())).exists();
    Ok(if uninstall_from(&dir, side)? {
        let mut lines = vec![format!("removed {}", hook.display())];
        if had_legacy {
            lines.push(format!("restored the previous hook as {}", hook.display()));
        }
        lines
    } else {
        vec![format!(
            "envguard's hook is not installed at {}",
            hook.display()
        )]
    })
}

/// `envguard hook status`: where the hook is, what is chained, and which mode applies.
pub fn status(cwd: &Path, side: Side) -> Result<Vec<String>> {
    let (dir, hooks_path) = hooks_dir(cwd)?;
    let hook = dir.join(side.hook_name());
    let legacy = dir.join(format!("{}.legacy", side.hook_name()));
    let mut lines = Vec::new();
    let state = if is_ours(&hook) {
        "envguard's hook, installed"
    } else if hook.exists() {
        "another tool's hook; envguard is not installed"
    } else {
        "not installed"
    };
    lines.push(format!("hook: {} ({state})", hook.display()));
    if legacy.exists() {
        lines.push(format!("chained: {} (runs first)", legacy.display()));
    }
    lines.push(format!(
        "core.hooksPath: {}",
        hooks_path.as_deref().unwrap_or("(not set)")
    ));
    let repo = git2::Repository::discover(cwd)?;
    let config = Config::from_repo(&repo)?;
    match side {
        Side::Client => {
            let mut any = false;
            let remotes = repo.remotes()?;
            for name in remotes.iter().filter_map(|n| n.ok().flatten()) {
                let remote = repo.find_remote(name)?;
                let url = remote.url().unwrap_or_default();
                if config.is_deploy_remote(name, url) {
                    any = true;
                    let mode = format!("{:?}", config.mode_for(url)).to_lowercase();
                    lines.push(format!("deploy remote: {name} ({url}), mode {mode}"));
                }
            }
            if !any {
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
            lines.push(format!("deploy branches: {}", config.branches.join(" ")));
            lines.push(format!(
                "toggle runtime: {}",
                toggle_runtime_line(&repo, &config)
            ));
        }
        Side::Server => {
            let action = format!("{:?}", config.server_action).to_lowercase();
            lines.push(format!("server action: {action}"));
            lines.push(format!(
                "target: {}",
                config
                    .target
                    .as_ref()
                    .map_or("(not set: envguard.target)".to_string(), |t| t
                        .display()
                        .to_string())
            ));
            lines.push(format!("deploy branches: {}", config.branches.join(" ")));
        }
    }
    Ok(lines)
}

fn toggle_runtime_line(repo: &git2::Repository, config: &Config) -> String {
    let current = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_tree().ok())
        .and_then(|tree| {
            let root = config.app_root.clone().unwrap_or_default();
            let path = crate::analyze::join(&root, "runtime.txt");
            let entry = tree.get_path(Path::new(&path)).ok()?;
            let blob = repo.find_blob(entry.id()).ok()?;
            crate::runtime::parse_runtime(&path, blob.content())
                .ok()
                .flatten()
        });
    match current {
        Some(value) => match config.toggle_runtime_for(&value) {
            Some(t) => format!("{value} -> {t} -> {value}"),
            None => format!("none: no other runtime than {value} (set envguard.toggleRuntime)"),
        },
        None => match &config.toggle_runtime {
            Some(t) => format!("{t} (no runtime.txt at HEAD)"),
            None => {
                "none: no runtime.txt at HEAD and envguard.toggleRuntime is not set".to_string()
            }
        },
    }
}

fn worktree_root(cwd: &Path) -> Option<PathBuf> {
    git2::Repository::discover(cwd)
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
}

/// Records the server's deployment target (`envguard.target`) in the repository's config.
pub fn set_target(cwd: &Path, target: &Path) -> Result<String> {
    let target = std::path::absolute(target)?;
    let repo = git2::Repository::discover(cwd)?;
    repo.config()?
        .open_level(git2::ConfigLevel::Local)?
        .set_str("envguard.target", &target.display().to_string())?;
    Ok(format!("envguard.target = {}", target.display()))
}
