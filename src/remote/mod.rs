//! Deleting the deployed env on the platform itself, over Kudu's REST API: `envguard wipe
//! --remote` and the pre-push hook's `remote-wipe` mode. The site comes from the deploy
//! remote's URL (or `envguard.scmUrl`), the credentials from `git credential`.
//!
//! - [`credential`]: `git credential fill|approve`.
//! - [`detect`]: which App Service platform a site runs (`envguard platform detect`).
//! - [`kudu`]: the VFS and command API calls.
//! - [`prune`]: the surgical prune of the site's env.
//! - [`retry`]: the retry policy of those calls.
//! - [`verify`]: what a deployment did, from the deployment API.

pub mod credential;
pub mod detect;
pub mod kudu;
pub mod prune;
pub mod retry;
pub mod verify;

use git2::Repository;

use crate::config::{Config, configured_urls, deploy_remotes};
use crate::error::site::SiteError;
use crate::output::{
    DetectReport, PlatformReport, RemotePlatform, RemoteWipeReport, SiteProject, SitePrune,
    SiteWipe, SiteWipeDryRun,
};
use crate::platform::Platform;
use crate::url;
use crate::{Error, Result};
use kudu::{Client, EnvOnSite};

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
        let git_config = crate::config::scope::repository_config(repo)?;
        let mut urls = configured_urls(&git_config, remote);
        if urls.is_empty() && extra_urls.is_empty() {
            if url::Url::parse(remote).is_some() {
                urls.push(remote.to_string());
            } else {
                return Err(Error::NoRemote {
                    name: remote.to_string(),
                });
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
            found => Err(Error::DeployRemote {
                command: "wipe",
                found: found.to_vec(),
            }),
        }
    }

    /// The env folders of `platform` on the site, relative to its home.
    fn folders(config: &Config, platform: Platform) -> Vec<String> {
        platform.env_folders(&config.site_path, &config.env_dir)
    }

    /// What a wipe would send, without credentials or network.
    pub fn dry_run(&self, config: &Config, platform: Platform) -> SiteWipeDryRun {
        SiteWipeDryRun {
            base: self.site.base.clone(),
            platform,
            remote: url::redact(&self.remote),
            credential: self.site.credential.redacted(),
            folders: Self::folders(config, platform)
                .into_iter()
                .map(|folder| {
                    let requests = EnvOnSite {
                        base: &self.site.base,
                        folder: &folder,
                        platform,
                    }
                    .describe();
                    (folder, requests)
                })
                .collect(),
        }
    }

    /// The site's API with the user's credentials (from the helpers only when `quiet`, so
    /// that nothing prompts).
    pub fn connect(&self, config: &Config, quiet: bool) -> Result<Connected> {
        let credential = if quiet {
            credential::fill_quiet(&self.site.credential)?
        } else {
            credential::fill(&self.site.credential)?
        };
        Ok(Connected {
            credential,
            retry: retry::RetryPolicy::from_config(config),
            base: self.site.base.clone(),
        })
    }

    /// The branch the site deploys, asked of the site now: Kudu's `DEPLOYMENT_BRANCH` app
    /// setting, `master` when it is not set (kudu `DeploymentSettingsExtension.GetBranch`,
    /// `DefaultSettingsProvider`: `{ SettingsKeys.DeploymentBranch, "master" }`).
    /// `Ok((branch, set))`: `set` when the site sets `DEPLOYMENT_BRANCH`.
    pub fn deployed_branch(&self, config: &Config) -> Result<(String, bool)> {
        let connected = self.connect(config, false)?.asking();
        let settings = connected
            .client()
            .get(&connected.base, "api/settings")?
            .ok_or_else(|| SiteError::NoSettings {
                base: self.site.base.clone(),
            })?;
        let map: serde_json::Value =
            serde_json::from_str(&settings).map_err(|source| SiteError::SettingsNotJson {
                base: self.site.base.clone(),
                source,
            })?;
        let clues = crate::platform::detect::Clues {
            settings: map
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect(),
            ..Default::default()
        };
        Ok(match clues.deployment_branch() {
            Some(branch) => (branch, true),
            None => ("master".to_string(), false),
        })
    }

    /// Deletes the env folders of `platform` on the site.
    pub fn wipe(&self, config: &Config, platform: Platform) -> Result<SiteWipe> {
        let connected = self.connect(config, false)?;
        let client = connected.client();
        let mut folders = Vec::new();
        for folder in Self::folders(config, platform) {
            let target = EnvOnSite {
                base: &self.site.base,
                folder: &folder,
                platform,
            };
            let wiped = client.wipe(&target)?;
            folders.push((folder, wiped));
        }
        connected.credential.approve();
        Ok(SiteWipe {
            base: self.site.base.clone(),
            platform,
            folders,
        })
    }
}

impl RemoteSite {
    /// Prunes the site's env for the requirement `set`: one line saying what it uninstalled.
    /// `Err`: why it could not (the caller wipes instead).
    pub fn prune(
        &self,
        config: &Config,
        platform: Platform,
        set: &crate::requirements::RequirementSet,
        source_changed: &[String],
    ) -> std::result::Result<SitePrune, crate::WipeInstead> {
        let connected = self.connect(config, false)?;
        let env = Self::folders(config, platform)
            .into_iter()
            .next()
            .ok_or(crate::WipeInstead::NoEnv)?;
        let removed = prune::prune_site(
            &connected.client(),
            &connected.base,
            &env,
            platform,
            set,
            source_changed,
            &config.prune_keep,
        )?;
        connected.credential.approve();
        Ok(SitePrune {
            env,
            base: self.site.base.clone(),
            removed,
        })
    }
}

/// A site's API base with credentials that a helper gave.
/// The longest envguard waits for the site to answer a question.
pub const ASKING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

pub struct Connected {
    pub credential: credential::Credential,
    retry: retry::RetryPolicy,
    pub base: String,
}

impl Connected {
    /// For questions to the site (which platform, which branch): a short timeout and one
    /// retry, so a site that does not answer is said within seconds, not minutes.
    pub fn asking(mut self) -> Connected {
        self.retry.timeout = self.retry.timeout.min(ASKING_TIMEOUT);
        self.retry.attempts = self.retry.attempts.min(2);
        self
    }

    pub fn client(&self) -> Client<'_> {
        Client::new(&self.credential, self.retry)
    }
}

/// `envguard wipe --remote [REMOTE] [--dry-run]`.
pub fn wipe_command(
    repo: &Repository,
    config: &Config,
    remote: Option<&str>,
    dry_run: bool,
) -> Result<RemoteWipeReport> {
    let remote = match remote {
        Some(r) => r.to_string(),
        None => RemoteSite::default_remote(repo, config)?,
    };
    let site = RemoteSite::resolve(repo, config, &remote, &[])?;
    // The platform the push's hook would take for this remote: recorded, else an App
    // Service remote's assumed kudu-windows (the one that keeps a stale env).
    let mut urls =
        crate::config::configured_urls(&crate::config::scope::repository_config(repo)?, &remote);
    if urls.is_empty() {
        // A URL given in the remote's place.
        urls.push(remote.clone());
    }
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let (platform, _) = config.platform_for(&urls);
    Ok(if dry_run {
        RemoteWipeReport::DryRun(site.dry_run(config, platform))
    } else {
        RemoteWipeReport::Done(site.wipe(config, platform)?)
    })
}

/// The commit the site runs: its active deployment (Kudu `GET /api/deployments`, the entry
/// marked `active`), asked with credentials a helper gives (no prompt) and the short
/// timeout. `Ok(None)`: the site lists none.
pub fn active_deployment(
    repo: &Repository,
    config: &Config,
    remote: &str,
    url: &str,
) -> Result<Option<git2::Oid>> {
    let site = RemoteSite::resolve(repo, config, remote, &[url])?;
    let connected = site.connect(config, true)?.asking();
    let Some(list) = connected.client().get(&connected.base, "api/deployments")? else {
        return Ok(None);
    };
    connected.credential.approve();
    let list: serde_json::Value = serde_json::from_str(&list).unwrap_or_default();
    Ok(list
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d.get("active").and_then(serde_json::Value::as_bool) == Some(true))
        .and_then(|d| d.get("id")?.as_str())
        .and_then(|id| git2::Oid::from_str(id).ok()))
}

/// Asks the site of `remote` which platform it runs, with credentials a helper gives (no
/// prompt), and records it as `envguard.platform`.
pub fn detect_quietly(
    repo: &Repository,
    config: &Config,
    remote: &str,
    url: &str,
) -> Result<detect::Detected> {
    let site = RemoteSite::resolve(repo, config, remote, &[url])?;
    detect_and_record(repo, config, &site, true)
}

fn detect_and_record(
    repo: &Repository,
    config: &Config,
    site: &RemoteSite,
    quiet: bool,
) -> Result<detect::Detected> {
    let connected = site.connect(config, quiet)?.asking();
    crate::output::emit(&crate::output::Hook::Waiting {
        what: crate::output::Waiting::Asking {
            site: crate::output::secret::SecretUrl::new(&connected.base),
            seconds: connected.retry.timeout.as_secs(),
        },
    });
    let detected = detect::detect(&connected.client(), &connected.base)?;
    connected.credential.approve();
    let mut local = repo.config()?.open_level(git2::ConfigLevel::Local)?;
    local.set_str("envguard.platform", detected.platform.name())?;
    // The branch the site deploys, unless the user named the deploy branches.
    if let Some(branch) = &detected.deployment_branch
        && !config.branches_set
    {
        local.set_str("envguard.branch", branch)?;
    }
    // The site's own deployment settings, over `.deployment`: the command's script, and the
    // app folder (which Kudu ignores when a command is set), unless the user named one.
    match &detected.command_script {
        Some(script) => local.set_str("envguard.siteCommand", script)?,
        None => {
            if local.get_entry("envguard.siteCommand").is_ok() {
                local.remove("envguard.siteCommand")?;
            }
        }
    }
    // Recorded apart from the user's envguard.appRoot: like Kudu, the analysis ignores it
    // while a deployment command (the site's or the pushed `.deployment`'s) is set.
    match project_folder(&detected).filter(|_| detected.command_script.is_none()) {
        Some(root) => local.set_str(
            "envguard.siteProject",
            if root.is_empty() { "." } else { &root },
        )?,
        None => {
            if local.get_entry("envguard.siteProject").is_ok() {
                local.remove("envguard.siteProject")?;
            }
        }
    }
    Ok(detected)
}

/// `envguard platform detect [REMOTE]`.
pub fn detect_command(
    repo: &Repository,
    config: &Config,
    remote: Option<&str>,
) -> Result<DetectReport> {
    let remote = match remote {
        Some(r) => r.to_string(),
        None => RemoteSite::default_remote(repo, config)?,
    };
    let site = RemoteSite::resolve(repo, config, &remote, &[])?;
    let detected = detect_and_record(repo, config, &site, false)?;
    // The remote asked about is the one deployed to: a deploy remote from now on.
    let deploy = deploy_remotes(repo, config)?;
    let made_deploy_remote =
        repo.find_remote(&remote).is_ok() && !deploy.iter().any(|r| r.name == remote);
    if made_deploy_remote {
        repo.config()?
            .open_level(git2::ConfigLevel::Local)?
            .set_multivar("envguard.remoteName", "^$", &remote)?;
    }
    Ok(DetectReport {
        remote: url::redact(&remote),
        made_deploy_remote,
        platform: detected.platform,
        why: detected.why.clone(),
        mode: config.mode_on(detected.platform),
        branch: detected.deployment_branch.clone(),
        branches_set: config.branches_set.then(|| config.branches.clone()),
        command_script: detected.command_script.clone(),
        project: site_project(&detected, config),
    })
}

/// The site's `PROJECT` setting as a folder of the repository (`""`: the root), when it is
/// one.
fn project_folder(detected: &detect::Detected) -> Option<String> {
    let root = crate::paths::clean_dir(detected.project.as_deref()?);
    (root.is_empty() || crate::paths::is_relative_inside(&root)).then_some(root)
}

/// What `platform detect` made of the site's `PROJECT` setting.
fn site_project(detected: &detect::Detected, config: &Config) -> SiteProject {
    match (&detected.project, &config.app_root) {
        (None, _) => SiteProject::NotSet,
        (Some(_), _) if detected.command_script.is_some() => SiteProject::IgnoredForCommand,
        (Some(project), None) => match project_folder(detected) {
            Some(root) if root.is_empty() => SiteProject::Recorded(".".to_string()),
            Some(root) => SiteProject::Recorded(root),
            None => SiteProject::Outside(project.clone()),
        },
        (Some(project), Some(root)) => SiteProject::BehindAppRoot {
            project: project.clone(),
            app_root: root.clone(),
        },
    }
}

/// `envguard platform`: the platform of each deploy remote and where it came from.
pub fn platform_status(repo: &Repository, config: &Config) -> Result<PlatformReport> {
    let remotes = deploy_remotes(repo, config)?;
    if remotes.is_empty() {
        return Ok(PlatformReport::NoDeployRemote {
            configured: config.platform,
        });
    }
    Ok(PlatformReport::Remotes(
        remotes
            .iter()
            .map(|r| {
                let mut branches = config.clone();
                branches.settle_branches(
                    r.target.platform,
                    crate::config::default_branch(repo, &format!("refs/remotes/{}/HEAD", r.name)),
                );
                RemotePlatform {
                    name: r.name.clone(),
                    label: r.target.label(),
                    mode: r.target.mode,
                    branches: branches.branches_described(),
                }
            })
            .collect(),
    ))
}

/// Reads what the site's deployments of `commits` did (with credentials a helper gives, no
/// prompt).
pub fn verify_deployments(
    repo: &Repository,
    config: &Config,
    remote: &str,
    url: &str,
    commits: &[String],
) -> Result<crate::output::Deployments> {
    let site = RemoteSite::resolve(repo, config, remote, &[url])?;
    let connected = site.connect(config, true)?.asking();
    let client = connected.client();
    let mut reports = Vec::new();
    for commit in commits {
        let short = crate::output::verdict::short_id(commit).to_string();
        reports.push((short, verify::deployment(&client, &connected.base, commit)?));
    }
    connected.credential.approve();
    Ok(crate::output::Deployments(reports))
}
