//! `envguard push [git push args]`: runs `git push` with the pre-push hook (installed or,
//! when it is not, a temporary one that chains the repository's own pre-push hook); when
//! the hook did a runtime toggle it stopped that push, so the wrapper pushes once more for
//! the remaining refs and exits 0. `--resume` finishes a toggle whose second push failed.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use git2::Repository;

use super::toggle::{self, ToggleState};
use crate::chain::is_executable;
use crate::error::{Program, RunStep};
use crate::gitcli::{GitEnv, git_in};
use crate::install::{self, Side};
use crate::output::Hook;
use crate::output::emit;
use crate::pending::{HookReport, WipedSite};
use crate::{Error, ExitStatus, Result, vars};

/// Runs the wrapper; returns the exit code.
pub fn push(args: &[String], resume: bool) -> ExitStatus {
    let result = if resume {
        resume_toggle(args)
    } else {
        push_args(args)
    };
    match result {
        Ok(status) => status,
        Err(e) => {
            let outside = matches!(e, Error::NotARepository);
            emit(&Hook::WrapperError { error: e.into() });
            if outside {
                ExitStatus::CannotRun
            } else {
                ExitStatus::Failure
            }
        }
    }
}

fn resume_toggle(args: &[String]) -> Result<ExitStatus> {
    let repo = Repository::open_from_env().map_err(Error::opening)?;
    let Some(state) = ToggleState::load(&repo)? else {
        emit(&Hook::NoToggleToResume);
        return Ok(ExitStatus::Success);
    };
    let state = state.with_secret_urls(&known_urls(&repo, args))?;
    emit(&Hook::Resumed {
        done: toggle::resume(&repo, &state)?,
    });
    Ok(ExitStatus::Success)
}

/// The URLs a redacted one saved in a state file may stand for: those the user gave, then
/// every remote's configured URLs (a remote whose URL names a user is saved as `***@host`).
fn known_urls(repo: &Repository, args: &[String]) -> Vec<String> {
    let mut urls = args.to_vec();
    if let (Ok(names), Ok(config)) = (
        repo.remotes(),
        crate::config::scope::repository_config(repo),
    ) {
        for name in names.iter().flatten().flatten() {
            urls.extend(crate::config::configured_urls(&config, name));
        }
    }
    urls
}

fn push_args(args: &[String]) -> Result<ExitStatus> {
    let cwd = std::env::current_dir()?;
    let (hooks, _) = install::hooks_dir(&cwd)?;
    let hook = hooks.join(Side::Client.hook_name());
    let temp = tempfile::tempdir()?;
    let flag = temp.path().join("toggled");
    // No installed hook: run with a temporary hooks directory whose pre-push is envguard,
    // chaining the repository's own pre-push hook.
    let temp_hooks = if install::is_ours(&hook) {
        None
    } else {
        let dir = temp.path().join("hooks");
        install::install_into(&dir, Side::Client)?;
        Some(dir)
    };
    let git_push = || {
        let mut cmd = git_in(GitEnv::User(None));
        cmd.env(vars::WRAPPER, &flag).stdin(Stdio::inherit());
        if let Some(dir) = &temp_hooks {
            cmd.arg("-c")
                .arg(format!("core.hooksPath={}", dir.display()));
            if is_executable(&hook) {
                cmd.env(vars::LEGACY_HOOK, &hook);
            }
        }
        cmd.arg("push").args(args).stderr(Stdio::piped());
        cmd
    };
    let run = || -> Result<ExitStatus> {
        let mut child = git_push()
            .spawn()
            .map_err(|e| Error::run(Program::GitPush, RunStep::Start, e))?;
        // git's own "failed to push" after a toggle is not a failure of this command.
        if let Some(stderr) = child.stderr.take() {
            for line in BufReader::new(stderr)
                .lines()
                .map_while(std::io::Result::ok)
            {
                if line.starts_with("error: failed to push some refs") && toggled(&flag) {
                    continue;
                }
                crate::output::relay(&line);
            }
        }
        let status = child
            .wait()
            .map_err(|e| Error::run(Program::GitPush, RunStep::Wait, e))?;
        Ok(ExitStatus::of_code(status.code().unwrap_or(1)))
    };
    let status = run()?;
    if status.is_success() {
        verify_remote_wipe(&flag, args);
    }
    if status.is_success() || !toggled(&flag) {
        return Ok(status);
    }
    if nothing_left(&flag) {
        return Ok(ExitStatus::Success);
    }
    emit(&Hook::PushingRest);
    let _ = std::fs::remove_file(&flag);
    run()
}

/// After a push whose hook wiped the env on the site: what the site's deployment of each
/// pushed tip did, from its deployment API.
fn verify_remote_wipe(flag: &Path, args: &[String]) {
    let Some(WipedSite { remote, url, tips }) = HookReport::read(flag).and_then(|r| r.wiped) else {
        return;
    };
    let known = Repository::open_from_env()
        .map(|repo| known_urls(&repo, args))
        .unwrap_or_else(|_| args.to_vec());
    let (Some(remote), Some(url)) = (
        crate::url::unredact(&remote, &known),
        crate::url::unredact(&url, &known),
    ) else {
        return emit(&Hook::NotVerified {
            error: Error::PasswordUrlNotKept.into(),
        });
    };
    let verified = Repository::open_from_env()
        .map_err(Error::from)
        .and_then(|repo| {
            let config = crate::config::Config::from_repo(&repo)?;
            crate::remote::verify_deployments(&repo, &config, &remote, &url, &tips)
        });
    match verified {
        Ok(deployments) => emit(&Hook::Deployments { deployments }),
        Err(e) => emit(&Hook::NotVerified { error: e.into() }),
    }
}

/// Whether the toggle deployed everything the push had.
fn nothing_left(flag: &Path) -> bool {
    HookReport::read(flag).is_some_and(|r| r.toggled && r.rest == 0)
}

fn toggled(flag: &Path) -> bool {
    HookReport::read(flag).is_some_and(|r| r.toggled)
}
