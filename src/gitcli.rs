//! The one place that starts `git` processes, for what git2 is not used for: nested pushes,
//! `ls-remote`, hook paths, `git credential`, the wrapper's `git push`. Each command says
//! how it treats the repository variables of its environment ([`GitEnv`]): a command on
//! this repository from inside a hook clears the variables a hook inherits (`GIT_DIR` and
//! the rest of `git rev-parse --local-env-vars`) and names the repository explicitly.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::{Error, Result};

use crate::vars;

/// The variables `git rev-parse --local-env-vars` lists (asked once per process).
#[allow(clippy::disallowed_methods)] // asks git for its local variables
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

/// Which repository a git process works on, and so which inherited variables it keeps.
#[derive(Debug, Clone, Copy)]
pub enum GitEnv<'a> {
    /// This git dir, named with `--git-dir`; the repository variables a hook inherits are
    /// cleared, so they cannot point the command elsewhere.
    Repo(&'a Path),
    /// The repository the user is in (found from this directory, or the process's), with
    /// the environment the user gave envguard: as if the user typed the command.
    User(Option<&'a Path>),
}

/// `git` set up for `env`, with stdin closed.
#[allow(clippy::disallowed_methods)] // every git process starts here
pub fn git_in(env: GitEnv) -> Command {
    let mut cmd = Command::new("git");
    match env {
        GitEnv::Repo(git_dir) => {
            for var in local_env_vars() {
                cmd.env_remove(var);
            }
            cmd.arg("--git-dir").arg(git_dir);
        }
        GitEnv::User(Some(dir)) => {
            cmd.current_dir(dir);
        }
        GitEnv::User(None) => {}
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// `git --git-dir=<git_dir> …` with a clean environment.
pub fn git(git_dir: &Path) -> Command {
    git_in(GitEnv::Repo(git_dir))
}

/// Runs `cmd` and returns its trimmed stdout when it succeeds with some output.
pub fn output_line(mut cmd: Command) -> Result<Option<String>> {
    let out = cmd
        .stderr(Stdio::null())
        .output()
        .map_err(|e| Error::run(Program::Git, RunStep::Start, e))?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty()))
}

/// What a nested push may overwrite on the remote.
#[derive(Debug, Clone, Copy)]
pub enum Lease<'a> {
    /// Only this value (`None`: the ref must not exist yet), as `--force-with-lease`.
    Expect(Option<&'a str>),
    /// Whatever is there (`--force`).
    Any,
}

use crate::error::{GitAsked, Program, RunStep};
pub use crate::error::{PushFailure, PushRefused};

/// Pushes `commit` to `remote_ref` of `remote` (a name or URL) as a nested push: no hooks
/// (they approved the outer push), envguard's recursion guard set, only over what `lease`
/// allows, with `extra` arguments of the user's push (`-o`, `--signed`). Git's own output,
/// with the deployment's `remote:` lines, goes to stderr as it comes.
pub fn push_commit(
    git_dir: &Path,
    remote: &str,
    commit: &str,
    remote_ref: &str,
    lease: Lease,
    quiet: bool,
    extra: &[String],
) -> std::result::Result<(), PushRefused> {
    use std::io::BufRead;
    let mut cmd = git(git_dir);
    cmd.args(["push", "--no-verify"])
        .env(vars::NESTED, "1")
        .stdout(std::io::stderr())
        .stderr(Stdio::piped());
    match lease {
        Lease::Expect(old) => cmd.arg(format!(
            "--force-with-lease={remote_ref}:{}",
            old.unwrap_or("")
        )),
        Lease::Any => cmd.arg("--force"),
    };
    if quiet {
        cmd.arg("--quiet");
    }
    cmd.args(extra)
        .arg(remote)
        .arg(format!("{commit}:{remote_ref}"));
    let failed = |failure| PushRefused {
        moved: false,
        failure,
    };
    let mut child = cmd.spawn().map_err(|e| failed(PushFailure::Start(e)))?;
    let mut moved = false;
    if let Some(stderr) = child.stderr.take() {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(std::io::Result::ok)
        {
            moved |= line.contains("(stale info)") || line.contains("(fetch first)");
            crate::output::relay(&line);
        }
    }
    let status = child.wait().map_err(|e| failed(PushFailure::Wait(e)))?;
    if status.success() {
        return Ok(());
    }
    Err(PushRefused {
        moved,
        failure: PushFailure::Exit {
            remote: crate::url::redact(remote),
            commit: commit[..commit.len().min(7)].to_string(),
            remote_ref: remote_ref.to_string(),
            status,
        },
    })
}

/// The id `remote_ref` has on `remote` now (`git ls-remote`); `None` when it does not exist.
pub fn remote_value(git_dir: &Path, remote: &str, remote_ref: &str) -> Result<Option<String>> {
    let out = git(git_dir)
        .args(["ls-remote", "--refs", remote, remote_ref])
        .env(vars::NESTED, "1")
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| Error::run(Program::GitLsRemote, RunStep::Start, e))?;
    if !out.status.success() {
        return Err(Error::git_command(
            GitAsked::LsRemote {
                remote: crate::url::redact(remote),
                remote_ref: remote_ref.to_string(),
            },
            &out.stderr,
            out.status,
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|line| {
            let (id, name) = line.split_once('\t')?;
            (name == remote_ref).then(|| id.to_string())
        }))
}

/// Runs `cmd` (the program `what`) with `input` on its stdin, capturing stdout and stderr.
pub fn run_with_input(
    mut cmd: Command,
    input: &[u8],
    what: Program,
) -> Result<std::process::Output> {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::run(what, RunStep::Start, e))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .map_err(|e| Error::run(what, RunStep::Input, e))?;
    }
    child
        .wait_with_output()
        .map_err(|e| Error::run(what, RunStep::Wait, e))
}

/// Makes git fetch the objects a partial clone lacks (revisions: `<id>`, `<id>:<path>`):
/// `git cat-file --batch-check` asks for each, and git fetches what is missing from the
/// promisor remote. Whether git ran and did not fail.
pub fn fetch_objects(git_dir: &Path, wanted: &[String]) -> bool {
    let mut cmd = git(git_dir);
    cmd.args(["cat-file", "--batch-check"]);
    let input = format!("{}\n", wanted.join("\n"));
    match run_with_input(cmd, input.as_bytes(), Program::GitCatFile) {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            log::debug!(
                "git cat-file for missing objects: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            false
        }
        Err(_) => false,
    }
}

/// `git fetch REMOTE ID` (no refs written): brings the commit a remote's branch is at when
/// it was pushed from elsewhere, so what the remote holds can be read. Whether git could.
pub fn fetch_commit(git_dir: &Path, remote: &str, id: git2::Oid) -> bool {
    let mut cmd = git(git_dir);
    cmd.args([
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--",
        remote,
        &id.to_string(),
    ])
    .stdin(Stdio::null());
    match cmd.output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            log::debug!(
                "git fetch {id}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            false
        }
        Err(e) => {
            log::debug!("git fetch {id}: {e}");
            false
        }
    }
}

/// Fetches objects a partial clone lacks, given as revisions (`<id>`, `<tree>:<path>`);
/// returns whether git could. The analysis takes one (`Analyzer::fetch_missing_with`), so
/// that it runs no process itself.
pub type Fetcher = Box<dyn Fn(&[String]) -> bool>;

/// The [`Fetcher`] of the repository at `git_dir`.
pub fn fetcher(git_dir: &Path) -> Fetcher {
    let git_dir = git_dir.to_path_buf();
    Box::new(move |wanted| fetch_objects(&git_dir, wanted))
}

/// `git commit-tree -S`: a signed commit of `tree` on `parent` with `message`, signed the
/// way the user's git signs (gpg, ssh, x509). The new id, or git's reason.
pub fn commit_tree(
    git_dir: &Path,
    tree: git2::Oid,
    parent: git2::Oid,
    message: &str,
) -> Result<String> {
    let mut cmd = git(git_dir);
    cmd.args([
        "commit-tree",
        "-S",
        &tree.to_string(),
        "-p",
        &parent.to_string(),
    ]);
    let out = run_with_input(cmd, message.as_bytes(), Program::GitCommitTree)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let reason = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Error::GitCommand {
            what: GitAsked::SignedCommit,
            reason,
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
