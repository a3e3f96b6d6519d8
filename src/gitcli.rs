//! Running the `git` command line for what git2 is not used for: nested pushes and hook
//! paths. Every command clears the repository-local variables a hook inherits (`GIT_DIR`
//! and the rest of `git rev-parse --local-env-vars`) and names the repository explicitly.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::{Error, Result};

/// Set on nested pushes so that envguard's own hook lets them through untouched.
pub const NESTED_VAR: &str = "ENVGUARD_NESTED";

/// The variables `git rev-parse --local-env-vars` lists (asked once per process).
fn local_env_vars() -> &'static [String] {
    static VARS: OnceLock<Vec<String>> = OnceLock::new();
    VARS.get_or_init(|| {
        Command::new("git")
            .args(["rev-parse", "--local-env-vars"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_else(|| {
                [
                    "GIT_DIR",
                    "GIT_WORK_TREE",
                    "GIT_INDEX_FILE",
                    "GIT_COMMON_DIR",
                ]
                .map(String::from)
                .to_vec()
            })
    })
}

/// `git --git-dir=<git_dir> …` with a clean environment.
pub fn git(git_dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    for var in local_env_vars() {
        cmd.env_remove(var);
    }
    cmd.arg("--git-dir").arg(git_dir).stdin(Stdio::null());
    cmd
}

/// What a nested push may overwrite on the remote.
#[derive(Debug, Clone, Copy)]
pub enum Expect<'a> {
    /// Only this value (`None`: the ref must not exist yet), as `--force-with-lease`.
    Value(Option<&'a str>),
    /// Whatever is there (`--force`).
    Anything,
}

/// Pushes `commit` to `remote_ref` of `remote` as a nested push: no hooks (they approved the
/// outer push), envguard's recursion guard set, and only over what `expect` allows. Git's
/// own output, with the deployment's `remote:` lines, goes to stderr.
pub fn push_commit(
    git_dir: &Path,
    remote: &str,
    commit: &str,
    remote_ref: &str,
    expect: Expect,
    quiet: bool,
) -> Result<()> {
    let mut cmd = git(git_dir);
    cmd.args(["push", "--no-verify"])
        .env(NESTED_VAR, "1")
        .stdout(std::io::stderr());
    match expect {
        Expect::Value(old) => cmd.arg(format!(
            "--force-with-lease={remote_ref}:{}",
            old.unwrap_or("")
        )),
        Expect::Anything => cmd.arg("--force"),
    };
    if quiet {
        cmd.arg("--quiet");
    }
    cmd.arg(remote).arg(format!("{commit}:{remote_ref}"));
    let status = cmd
        .status()
        .map_err(|e| Error(format!("cannot run git push: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error(format!(
            "git push {remote} {}:{remote_ref} failed ({status})",
            &commit[..commit.len().min(12)]
        )))
    }
}

/// The id `remote_ref` has on `remote` now (`git ls-remote`); `None` when it does not exist.
pub fn remote_value(git_dir: &Path, remote: &str, remote_ref: &str) -> Result<Option<String>> {
    let out = git(git_dir)
        .args(["ls-remote", "--refs", remote, remote_ref])
        .env(NESTED_VAR, "1")
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| Error(format!("cannot run git ls-remote: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(Error(format!(
            "cannot ask {} where {remote_ref} is: {}",
            crate::remote::url::redact(remote),
            stderr.lines().last().unwrap_or("").trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|line| {
            let (id, name) = line.split_once('\t')?;
            (name == remote_ref).then(|| id.to_string())
        }))
}
