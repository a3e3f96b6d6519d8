//! Deleting the deployed env on the platform itself, over Kudu's REST API: `envguard wipe
//! --remote` and the pre-push hook's `remote-wipe` mode. The site comes from the deploy
//! remote's URL (or `envguard.scmUrl`), the credentials from `git credential`.
//!
//! - [`credential`]: `git credential fill|approve`.
//! - [`kudu`]: the VFS and command API calls.
//! - [`retry`]: the retry policy of those calls.

pub mod credential;
pub mod kudu;
pub mod retry;

use git2::Repository;

use crate::config::{Config, configured_urls, deploy_remotes};
use crate::url;
use crate::{Error, Result};
use kudu::{Client, EnvOnSite, Wiped};

/// A deploy remote whose env can be wiped: its name, its URLs and the site they lead to.
#[derive(Debug)]
pub struct RemoteSite {
    pub remote: String,
    pub site: url::ScmSite,
}

impl RemoteSite {
    /// The site of `remote` (a remote name or URL), from the URLs git knows for it plus any
    /// given by the caller (the one git passed a hook).
    pub fn resolve(
        repo: &Repository,
        config: &Config,
        remote: &str,
        extra_urls: &[&str],
    ) -> Result<RemoteSite> {
        let git_config = repo.config()?;
        let mut urls = configured_urls(&git_config, remote);
        if urls.is_empty() && extra_urls.is_empty() {
            if url::Url::parse(remote).is_some() {
                urls.push(remote.to_string());
            } else {
                return Err(Error::msg(format!(
                    "no remote named '{remote}' (see `git remote -v`)"
                )));
            }
        }
        urls.extend(extra_urls.iter().map(|u| u.to_string()));
        let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
        let site = url::scm_site(config.scm_url.as_deref(), &refs)?;
        Ok(RemoteSite {
            remote: remote.to_string(),
            site,
        })
    }

    /// The deploy remote to use when none is named: the one remote envguard treats as a
    /// deploy remote.
    pub fn default_remote(repo: &Repository, config: &Config) -> Result<String> {
        let deploy: Vec<String> = deploy_remotes(repo, config)?
            .into_iter()
            .map(|r| r.name)
            .collect();
        match deploy.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Error::msg(
                "no deploy remote here (none matches envguard.remote or envguard.remoteName); \
                 name one: envguard wipe --remote NAME"
                    .to_string(),
            )),
            several => Err(Error::msg(format!(
                "several deploy remotes ({}); name one: envguard wipe --remote NAME",
                several.join(", ")
            ))),
        }
    }

    fn env_on_site<'a>(&'a self, config: &'a Config) -> EnvOnSite<'a> {
        EnvOnSite {
            base: &self.site.base,
            site_path: &config.site_path,
            env_dir: &config.env_dir,
        }
    }

    /// What a wipe would send, without credentials or network.
    pub fn dry_run(&self, config: &Config) -> Vec<String> {
        let mut lines = vec![format!(
            "dry run: would delete {}/{} on {} (remote {}), with credentials from \
             `git credential fill` for {}:",
            config.site_path,
            config.env_dir,
            self.site.base,
            url::redact(&self.remote),
            self.site.credential.redacted()
        )];
        lines.extend(
            self.env_on_site(config)
                .describe()
                .into_iter()
                .map(|l| format!("  {l}")),
        );
        lines
    }

    /// Deletes the env folder on the site. Returns what happened, in one line.
    pub fn wipe(&self, config: &Config) -> Result<String> {
        let credential = credential::fill(&self.site.credential)?;
        let client = Client::new(&credential, retry::RetryPolicy::from_config(config));
        let target = self.env_on_site(config);
        let wiped = client.wipe(&target)?;
        credential.approve();
        let place = format!(
            "{}/{} on {}",
            config.site_path, config.env_dir, self.site.base
        );
        Ok(match wiped {
            Wiped::Vfs => format!("deleted {place}"),
            Wiped::Command => format!("deleted {place} (through the command API)"),
            Wiped::Absent => format!("{place} does not exist; nothing to delete"),
        })
    }
}

/// `envguard wipe --remote [REMOTE] [--dry-run]`.
pub fn wipe_command(
    repo: &Repository,
    config: &Config,
    remote: Option<&str>,
    dry_run: bool,
) -> Result<Vec<String>> {
    let remote = match remote {
        Some(r) => r.to_string(),
        None => RemoteSite::default_remote(repo, config)?,
    };
    let site = RemoteSite::resolve(repo, config, &remote, &[])?;
    if dry_run {
        return Ok(site.dry_run(config));
    }
    Ok(vec![site.wipe(config)?])
}
