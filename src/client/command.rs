//! `mode = command`: runs `envguard.command` (a cache purge, a remote script) before git
//! sends anything, for pushes that need a fresh env on platforms envguard has no API for
//! (Heroku, Dokku, anything else). The command learns the push from `ENVGUARD_REMOTE`,
//! `ENVGUARD_URL`, `ENVGUARD_BRANCH` and `ENVGUARD_VERDICT`; its failure refuses the push.

use std::process::Command;

use crate::Result;
use crate::output::secret::ShownCommand;
use crate::platform::{Platform, Remedy};
use crate::url;

/// What the command is told about the push.
pub struct CommandPush<'a> {
    pub remote: &'a str,
    pub url: &'a str,
    /// The deploy branches that need a fresh env (short names).
    pub branches: Vec<String>,
    pub verdict: &'a str,
}

/// Runs `command` with `sh -c` in `workdir`; `Ok(None)` when it succeeded, else its output
/// and status for the refusal.
#[allow(clippy::disallowed_methods)] // runs envguard.command
pub fn run(
    command: &ShownCommand,
    workdir: &std::path::Path,
    push: &CommandPush,
) -> Result<Option<String>> {
    let command = command.expose();
    // What the shell will expand: its output may echo a value, shown as `${NAME}` instead.
    for name in crate::output::command_line::referenced_variables(command) {
        if let Some(value) = crate::vars::lookup(&name) {
            crate::output::secret::register_expansion(&name, &value);
        }
    }
    let out = Command::new("sh")
        .args(["-c", command])
        .current_dir(workdir)
        .env("ENVGUARD_REMOTE", push.remote)
        .env("ENVGUARD_URL", push.url)
        .env("ENVGUARD_BRANCH", push.branches.join(" "))
        .env("ENVGUARD_VERDICT", push.verdict)
        .env(crate::vars::NESTED, "1")
        .output()
        .map_err(|e| {
            crate::Error::run(crate::error::Program::Sh, crate::error::RunStep::Start, e)
        })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        for line in text.lines() {
            crate::output::emit(&crate::output::Hook::CommandOutput {
                line: line.to_string(),
            });
        }
        Ok(None)
    } else {
        Ok(Some(format!("{}\n({})", text.trim_end(), out.status)))
    }
}

/// The app a Heroku or Dokku remote deploys (`https://git.heroku.com/APP.git`,
/// `dokku@host:APP`), and the host for Dokku.
fn app_of(url: &str) -> Option<(String, String)> {
    if let Some(rest) = url.split_once("dokku@").map(|(_, r)| r) {
        let (host, app) = rest.split_once(':')?;
        let app = app.trim_start_matches('/').trim_end_matches(".git");
        return Some((host.to_string(), app.to_string()));
    }
    let parsed = url::Url::parse(url)?;
    let app = parsed
        .path
        .trim_end_matches(".git")
        .rsplit('/')
        .next()?
        .to_string();
    Some((parsed.host(), app))
}

/// The cache purge of a Heroku or Dokku remote, as a shell command.
pub fn purge_command(platform: Platform, url: &str) -> Option<String> {
    let Remedy::PurgeCache(purge) = platform.facts().remedy else {
        return None;
    };
    let (host, app) = app_of(url)?;
    Some(purge.command(&host, &app))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_commands_name_the_app() {
        assert_eq!(
            purge_command(Platform::Heroku, "https://git.heroku.com/my-app.git").as_deref(),
            Some("heroku builds:cache:purge -a my-app --confirm my-app")
        );
        assert_eq!(
            purge_command(Platform::Dokku, "dokku@apps.example.com:shop").as_deref(),
            Some("ssh dokku@apps.example.com repo:purge-cache shop")
        );
        assert_eq!(purge_command(Platform::SelfHosted, "/srv/app.git"), None);
    }
}
