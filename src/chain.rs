//! Hook chaining, shared by both sides: the hook that envguard displaced at install time
//! (`<hook>.legacy` beside the shim, or an explicit one from `envguard push`) runs with the
//! same arguments and stdin, and its exit code decides for the pre-push side. While it runs,
//! an envguard started inside it (a hook manager chaining the other way round) stands aside.
//! Also what both sides ask of hook files: whether one is envguard's, and the order in which
//! a dispatcher runs a `post-receive.d` folder.

use crate::ExitStatus;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::message::Hook;
use crate::output::emit;
use crate::vars;

/// The arguments git gives a hook: for pre-push, the remote's name and URL; none for
/// post-receive.
#[derive(Debug, Clone, Default)]
pub struct HookArgs {
    pub remote: Option<String>,
    pub url: Option<String>,
}

impl HookArgs {
    fn iter(&self) -> impl Iterator<Item = &String> {
        self.remote.iter().chain(self.url.iter())
    }
}

/// Whether this envguard runs inside another envguard: a nested push, or a displaced hook
/// that calls envguard again. It must then let everything through untouched.
pub fn inside_envguard() -> bool {
    std::env::var_os(vars::NESTED).is_some() || std::env::var_os(vars::CHAINED).is_some()
}

/// Who started this pre-push run, when it is not envguard's own shim installed as the
/// whole `pre-push` hook: a hook manager's entry (pre-commit, lefthook, husky, a script of
/// the user's) or envguard's shim displaced by another hook (kept as `pre-push.legacy`).
/// Either way other checks may run after envguard and still stop the push, so envguard must
/// not deploy anything from this run.
pub fn run_from_another_hook() -> Option<String> {
    match std::env::var_os(vars::HOOK) {
        None => Some("a hook manager's entry or a script of yours, not envguard's own hook".into()),
        Some(shim) => {
            let shim = PathBuf::from(shim);
            let name = shim
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            (name != "pre-push").then(|| {
                format!(
                    "envguard's hook kept as {} by another hook that runs it first",
                    shim.display()
                )
            })
        }
    }
}

/// The displaced hook for this run, if any.
fn legacy_hook() -> Option<PathBuf> {
    match (
        std::env::var_os(vars::LEGACY_HOOK),
        std::env::var_os(vars::HOOK),
    ) {
        (Some(path), _) => Some(PathBuf::from(path)),
        (None, Some(shim)) => {
            let mut path = shim;
            path.push(".legacy");
            Some(PathBuf::from(path))
        }
        (None, None) => None,
    }
}

/// Runs the displaced hook, with the same arguments and stdin. Returns its exit code (0
/// when there is none); a hook that cannot be started is a warning, never a veto.
pub fn run_legacy(hook: &str, args: &HookArgs, stdin: &[u8]) -> ExitStatus {
    let Some(legacy) = legacy_hook().filter(|p| is_executable(p)) else {
        return ExitStatus::Success;
    };
    log::debug!("running {} for {hook}", legacy.display());
    let mut child = match Command::new(&legacy)
        .args(args.iter())
        .env(vars::CHAINED, "1")
        .stdin(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            emit(&Hook::LegacyNotStarted {
                hook: legacy.display().to_string(),
                error: e.to_string(),
            });
            return ExitStatus::Success;
        }
    };
    if let Some(mut input) = child.stdin.take() {
        // A hook that does not read its stdin closes the pipe early; that is fine.
        let _ = input.write_all(stdin);
    }
    match child.wait() {
        Ok(status) => ExitStatus::of_code(status.code().unwrap_or(1)),
        Err(e) => {
            emit(&Hook::LegacyLost {
                hook: legacy.display().to_string(),
                error: e.to_string(),
            });
            ExitStatus::Success
        }
    }
}

/// Whether git would run this file as a hook.
#[cfg(unix)]
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
pub fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The line that marks a hook file as envguard's.
pub const HOOK_MARKER: &str = "# envguard-hook:";

/// Whether a hook file is envguard's.
pub fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.contains(HOOK_MARKER))
}

/// The hooks of a dispatch folder as the dispatcher runs them: executable regular files
/// (GitLab skips names ending in `~`), in byte order of their names (gitaly sorts them;
/// Gitea's bash glob sorts so in the C locale).
pub fn dispatch_order(dispatch: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dispatch)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| is_executable(&e.path()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| !n.ends_with('~'))
        .collect();
    names.sort();
    names
}
