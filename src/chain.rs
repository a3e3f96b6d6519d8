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

use crate::output::Hook;
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
    vars::inside_envguard()
}

/// Who started this pre-push run, when it is not envguard's own shim installed as the
/// whole `pre-push` hook: a hook manager's entry (pre-commit, lefthook, husky, a script of
/// the user's) or envguard's shim displaced by another hook (kept as `pre-push.legacy`).
/// Either way other checks may run after envguard and still stop the push, so envguard must
/// not deploy anything from this run.
pub fn run_from_another_hook() -> Option<String> {
    match vars::hook_file() {
        None => Some("a hook manager's entry or a script of yours, not envguard's own hook".into()),
        Some(shim) => {
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
    match (vars::legacy_hook(), vars::hook_file()) {
        (Some(path), _) => Some(path),
        (None, Some(shim)) => {
            let mut path = shim.into_os_string();
            path.push(".legacy");
            Some(PathBuf::from(path))
        }
        (None, None) => None,
    }
}

/// Runs the displaced hook, with the same arguments and stdin. Returns its exit code (0
/// when there is none); a hook that cannot be started is a warning, never a veto.
#[allow(clippy::disallowed_methods)] // runs the displaced hook
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
                error: e.into(),
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
                error: e.into(),
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
/// Gitea's bash glob sorts so in the C locale). Names are bytes: a name that is not UTF-8
/// runs all the same.
pub fn dispatch_entries(dispatch: &Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(dispatch)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| is_executable(&e.path()))
        .map(|e| e.file_name())
        .filter(|n| !n.as_encoded_bytes().ends_with(b"~"))
        .collect();
    names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    names
}

/// [`dispatch_entries`] as names to show (a name that is not UTF-8 shown with U+FFFD).
pub fn dispatch_order(dispatch: &Path) -> Vec<String> {
    dispatch_entries(dispatch)
        .iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect()
}

/// Whether a dispatched hook is the git server's own bookkeeping, never a deploy step:
/// Gitea's `post-receive.d/gitea` runs `gitea hook --config=… post-receive`
/// (go-gitea/gitea modules/repository/hooks.go).
fn is_servers_own(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|text| {
        text.windows(b"hook --config=".len())
            .any(|w| w == b"hook --config=")
    })
}

/// The hooks the server runs before `hook` within one push, as its dispatcher orders them:
/// the executables of `hook`'s `post-receive.d` folder whose names sort before its own (in
/// byte order, or ignoring case and punctuation as a bash glob in another locale may), and
/// for a GitLab folder (`custom_hooks/post-receive.d`) the single-file
/// `custom_hooks/post-receive`, which gitaly runs before the folder
/// (gitaly internal/gitaly/hook/custom.go). envguard's own hooks and the server's
/// bookkeeping hook are left out. Empty for a hook that is no dispatched one.
pub fn runs_before(hook: &Path) -> Vec<PathBuf> {
    let (Some(folder), Some(own)) = (hook.parent(), hook.file_name()) else {
        return Vec::new();
    };
    if !folder
        .file_name()
        .is_some_and(|n| n.as_encoded_bytes().ends_with(b".d"))
    {
        return Vec::new();
    }
    let folded = |name: &std::ffi::OsStr| -> Vec<u8> {
        name.as_encoded_bytes()
            .iter()
            .filter(|b| b.is_ascii_alphanumeric() || !b.is_ascii())
            .map(u8::to_ascii_lowercase)
            .collect()
    };
    let before = |name: &std::ffi::OsStr| {
        name.as_encoded_bytes() < own.as_encoded_bytes() || folded(name) < folded(own)
    };
    let gitlab = folder
        .parent()
        .is_some_and(|p| p.file_name().is_some_and(|n| n == "custom_hooks"));
    // Gitea's dispatcher is a bash glob (`hooks/post-receive.d/*`), which skips names that
    // start with a dot; gitaly runs every executable.
    let runs = |n: &std::ffi::OsStr| gitlab || !n.as_encoded_bytes().starts_with(b".");
    let single = folder.with_file_name("post-receive");
    let single = (gitlab && is_executable(&single) && !is_ours(&single)).then_some(single);
    single
        .into_iter()
        .chain(
            dispatch_entries(folder)
                .into_iter()
                .filter(|n| n.as_os_str() != own && runs(n) && before(n))
                .map(|n| folder.join(n))
                .filter(|p| !is_ours(p) && !is_servers_own(p)),
        )
        .collect()
}

/// A repository's own custom post-receive hooks as gitaly runs them, first to last: the
/// single-file `custom_hooks/post-receive`, then `custom_hooks/post-receive.d/*`.
pub fn repository_custom_hooks(git_dir: &Path) -> Vec<PathBuf> {
    let custom = git_dir.join("custom_hooks");
    let single = custom.join("post-receive");
    let folder = custom.join("post-receive.d");
    is_executable(&single)
        .then_some(single)
        .into_iter()
        .chain(
            dispatch_entries(&folder)
                .into_iter()
                .map(|n| folder.join(n)),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn executable(path: &Path) {
        std::fs::write(path, "#!/bin/sh\n").expect("hook");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
    }

    /// Gitea's bash glob skips dot files; gitaly runs every executable, and its single file
    /// runs before the folder.
    #[test]
    fn what_runs_before_follows_each_dispatcher() {
        let dir = tempfile::tempdir().expect("tempdir");
        for folder in ["hooks/post-receive.d", "custom_hooks/post-receive.d"] {
            let folder = dir.path().join(folder);
            std::fs::create_dir_all(&folder).expect("mkdir");
            for name in [".0-hidden", "0-deploy", "50-deploy", "00-envguard"] {
                executable(&folder.join(name));
            }
        }
        executable(&dir.path().join("custom_hooks/post-receive"));
        let names = |hook: &str| -> Vec<String> {
            runs_before(&dir.path().join(hook))
                .iter()
                .map(|p| {
                    p.strip_prefix(dir.path())
                        .expect("inside")
                        .display()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(
            names("hooks/post-receive.d/00-envguard"),
            ["hooks/post-receive.d/0-deploy"]
        );
        assert_eq!(
            names("custom_hooks/post-receive.d/00-envguard"),
            [
                "custom_hooks/post-receive",
                "custom_hooks/post-receive.d/.0-hidden",
                "custom_hooks/post-receive.d/0-deploy"
            ]
        );
    }
}
