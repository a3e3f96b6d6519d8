//! The `envguard.*` git-config keys, their defaults and validation. Config lives in git
//! config, so it can be set per repository, globally or system-wide.

use std::path::PathBuf;

use clap::ValueEnum;

use crate::output::secret::ShownCommand;
use crate::paths::{clean_dir, climbs_out, is_relative_inside};
pub mod committed;
mod remotes;
pub mod scope;

use crate::output::DeployBranches;
pub use crate::platform::PlatformSource;
use remotes::platform_of;
pub use remotes::{
    DeployRemote, DeployTarget, configured_urls, default_branch, deploy_remotes, forced_by_config,
    glob_match, platform_here,
};

pub use crate::platform::Mode;
use crate::platform::Platform;
use crate::{Error, Result};
use scope::{check_known_keys, values_in_repository};
pub use scope::{command_line_settings, committed_warnings, open};

/// How requirement changes are judged (`envguard.policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Policy {
    /// Removed packages and changed sources need a fresh env (default).
    Removals,
    /// Any semantic change except a pure addition needs a fresh env.
    Changes,
    /// Any byte change of a watched requirements file needs a fresh env.
    AnyByte,
}

/// What the post-receive hook does with a `wipe` verdict (`envguard.serverAction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServerAction {
    /// Delete the env folder of the deployment target.
    Wipe,
    /// Write a marker file into the target for a deploy script.
    Marker,
    /// Uninstall exactly what the pushed requirements no longer need (a wipe where that
    /// cannot be decided safely).
    Prune,
}

/// The name of an enum value as written in git config (`remote-wipe`).
pub fn name_of<T: ValueEnum>(value: &T) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// The values of an enum, for messages: `a, b or c`.
fn expected<T: ValueEnum>() -> String {
    let names: Vec<String> = T::value_variants().iter().map(name_of).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// An enum-valued key, case-insensitive.
fn enum_value<T: ValueEnum>(git: &git2::Config, key: &str) -> Result<Option<T>> {
    string(git, key)?
        .map(|v| T::from_str(&v, true).map_err(|_| Error::config(key, &v, &expected::<T>())))
        .transpose()
}

/// Every `envguard.*` key envguard reads.
pub const KEYS: [&str; 21] = [
    "envguard.trustCommitted",
    "envguard.command",
    "envguard.pruneKeep",
    "envguard.remote",
    "envguard.remoteName",
    "envguard.branch",
    "envguard.appRoot",
    "envguard.envDir",
    "envguard.policy",
    "envguard.mode",
    "envguard.platform",
    "envguard.toggleRuntime",
    "envguard.runtimes",
    "envguard.serverAction",
    "envguard.target",
    "envguard.scmUrl",
    "envguard.sitePath",
    "envguard.siteCommand",
    "envguard.siteProject",
    "envguard.remoteTimeout",
    "envguard.remoteAttempts",
];

/// envguard's globs know `*` and `?` only; a pattern written for another glob syntax
/// (`{a,b}`, `[ab]`) would match nothing without a word.
fn check_globs(key: &str, patterns: &[String], foreign: &[char]) -> Result<()> {
    match patterns.iter().find(|p| p.contains(foreign)) {
        None => Ok(()),
        Some(bad) => Err(invalid(
            key,
            bad,
            "a glob with * and ? only (list several values instead of {a,b} or [ab])",
        )),
    }
}

/// The number of single-character edits between two names (for "did you mean").
fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// `envguard.platform`: `None` for `auto` or unset.
fn platform_value(git: &git2::Config) -> Result<Option<Platform>> {
    match string(git, "envguard.platform")? {
        Some(v) if v.eq_ignore_ascii_case("auto") => Ok(None),
        Some(v) => Platform::from_str(&v, true).map(Some).map_err(|_| {
            Error::config(
                "envguard.platform",
                &v,
                &format!("auto, {}", expected::<Platform>()),
            )
        }),
        None => Ok(None),
    }
}

/// Every setting, with defaults applied.
#[derive(Debug, Clone)]
pub struct Config {
    /// URL globs of deploy remotes (`envguard.remote`).
    pub remote_urls: Vec<String>,
    /// Names of deploy remotes (`envguard.remoteName`).
    pub remote_names: Vec<String>,
    /// The names of `remote_names` set in this repository (local, worktree or `-c`): only
    /// those must name one of its remotes; a global one may name another repository's.
    pub local_remote_names: Vec<String>,
    /// Settings envguard cannot use that come from outside the repository (global,
    /// system): said on every push, never a refusal of a push they do not concern.
    pub warnings: Vec<crate::SettingWarning>,
    /// Deploy branches (`envguard.branch`), short names (globs); without the setting, the
    /// branches the platform deploys ([`Config::settle_branches`]).
    pub branches: Vec<String>,
    /// Whether `envguard.branch` is set (it overrides the platform's branches).
    pub branches_set: bool,
    /// The platform [`Config::settle_branches`] settled the deploy refs for (`None`: not
    /// settled); its refs unless `envguard.branch` is set.
    pub branches_of: Option<Platform>,
    /// The deploy branch is the remote's HEAD branch, which is not known here (no
    /// `refs/remotes/<remote>/HEAD`): `master` is assumed.
    pub head_assumed: bool,
    /// App root inside the repository (`envguard.appRoot`, `""` for the repository root);
    /// `None`: from `.deployment`.
    pub app_root: Option<String>,
    /// The script the site's own deployment command runs (`envguard.siteCommand`, recorded
    /// by `platform detect` from Kudu's `COMMAND` app setting): it overrides `.deployment`.
    pub site_command: Option<String>,
    /// The app folder of the site's own `PROJECT` setting (`envguard.siteProject`, recorded
    /// by `platform detect`): over `.deployment`'s `project`, and like it ignored while a
    /// deployment command is set (projectkudu/kudu `SiteBuilderFactory.cs`: `COMMAND` first).
    pub site_project: Option<String>,
    /// The env folder name inside the app root (`envguard.envDir`).
    pub env_dir: String,
    pub policy: Policy,
    /// `None`: decided per platform.
    pub mode: Option<Mode>,
    /// `envguard.platform`; `None`: `auto` (detected, or assumed from the remote URL).
    pub platform: Option<Platform>,
    pub toggle_runtime: Option<String>,
    /// Runtimes the toggle may pick from (`envguard.runtimes`).
    pub runtimes: Vec<String>,
    pub server_action: ServerAction,
    /// Never pruned (`envguard.pruneKeep`): the installer's own packages by default.
    pub prune_keep: Vec<String>,
    /// The command of `mode = command` (`envguard.command`), run by `sh -c`: held masked,
    /// so it is shown only through its redaction.
    pub command: Option<ShownCommand>,
    /// The deployment target directory of the server side (`envguard.target`).
    pub target: Option<PathBuf>,
    /// The site's SCM address (`envguard.scmUrl`); `None`: derived from the remote URL.
    pub scm_url: Option<String>,
    /// The app folder on the site, relative to its home (`envguard.sitePath`).
    pub site_path: String,
    /// The limit for one API request, in seconds (`envguard.remoteTimeout`).
    pub remote_timeout: u64,
    /// Tries per API request for transient failures (`envguard.remoteAttempts`).
    pub remote_attempts: u32,
}

pub const DEFAULT_REMOTE_URL: &str = "*.scm.azurewebsites.net*";
/// The default of `envguard.runtimes`: Kudu's supported runtimes.
pub const DEFAULT_RUNTIMES: [&str; 3] = crate::runtime::KUDU_RUNTIMES;

impl Default for Config {
    fn default() -> Self {
        Config {
            remote_urls: vec![DEFAULT_REMOTE_URL.to_string()],
            remote_names: Vec::new(),
            local_remote_names: Vec::new(),
            warnings: Vec::new(),
            branches: vec!["master".to_string()],
            branches_set: false,
            branches_of: None,
            head_assumed: false,
            app_root: None,
            site_command: None,
            site_project: None,
            env_dir: "env".to_string(),
            policy: Policy::Removals,
            mode: None,
            platform: None,
            toggle_runtime: None,
            runtimes: DEFAULT_RUNTIMES.map(str::to_string).to_vec(),
            server_action: ServerAction::Wipe,
            command: None,
            prune_keep: crate::prune::INSTALLER_PACKAGES
                .map(str::to_string)
                .to_vec(),
            target: None,
            scm_url: None,
            site_path: "site/wwwroot".to_string(),
            // Below the ~230 s after which App Service's front end cuts a request.
            remote_timeout: 200,
            remote_attempts: 4,
        }
    }
}

impl Config {
    /// Reads the settings visible from `repo` (repository, global and system config).
    pub fn from_repo(repo: &git2::Repository) -> Result<Config> {
        let git = open(repo)?;
        let mut config =
            Config::from_git_config(&git).map_err(|e| committed::attribute(repo, &git, e))?;
        config.warnings.extend(committed_warnings(repo));
        Ok(config)
    }

    /// The settings of `repo` with its deploy branches settled: a bare repository's are
    /// its HEAD's (a server), a clone's those its first deploy remote's platform deploys.
    pub fn for_repository(repo: &git2::Repository) -> Result<Config> {
        let mut config = Config::from_repo(repo)?;
        let first = deploy_remotes(repo, &config)
            .ok()
            .and_then(|r| r.into_iter().next());
        let platform = platform_of(first.as_ref(), &config);
        let default = if repo.is_bare() {
            default_branch(repo, "HEAD")
        } else {
            first.and_then(|r| default_branch(repo, &format!("refs/remotes/{}/HEAD", r.name)))
        };
        config.settle_branches(platform, default);
        Ok(config)
    }

    pub fn from_git_config(git: &git2::Config) -> Result<Config> {
        let mut config = Config {
            warnings: check_known_keys(git)?,
            ..Config::default()
        };
        if let Some(v) = list(git, "envguard.remote")? {
            check_globs("envguard.remote", &v, &['{', '}'])?;
            config.remote_urls = v;
        }
        config.remote_names = list(git, "envguard.remoteName")?.unwrap_or_default();
        config.local_remote_names = values_in_repository(git, "envguard.remoteName");
        if let Some(v) = list(git, "envguard.branch")? {
            check_globs("envguard.branch", &v, &['[', ']', '{', '}'])?;
            config.branches_set = true;
            config.branches = v
                .into_iter()
                .map(|b| b.trim_start_matches("refs/heads/").to_string())
                .collect();
        }
        // An explicit "." is the repository root, and overrides `.deployment`.
        config.app_root = folder(git, "envguard.appRoot")?;
        config.site_command = string(git, "envguard.siteCommand")?.filter(|c| !c.is_empty());
        config.site_project = folder(git, "envguard.siteProject")?;
        if let Some(dir) = string(git, "envguard.envDir")? {
            let dir = clean_dir(&dir);
            if !is_relative_inside(&dir) {
                return Err(invalid(
                    "envguard.envDir",
                    &dir,
                    "a directory inside the app root",
                ));
            }
            config.env_dir = dir;
        }
        if let Some(policy) = enum_value(git, "envguard.policy")? {
            config.policy = policy;
        }
        config.mode = enum_value(git, "envguard.mode")?;
        config.platform = platform_value(git)?;
        if let Some(v) = string(git, "envguard.toggleRuntime")? {
            if !crate::runtime::is_known_runtime(&v) {
                return Err(invalid(
                    "envguard.toggleRuntime",
                    &v,
                    "a runtime like python-3.6",
                ));
            }
            config.toggle_runtime = Some(v);
        }
        if let Some(v) = list(git, "envguard.runtimes")? {
            if let Some(bad) = v.iter().find(|r| !crate::runtime::is_known_runtime(r)) {
                return Err(invalid(
                    "envguard.runtimes",
                    bad,
                    "runtimes like python-3.6",
                ));
            }
            config.runtimes = v;
        }
        if let Some(action) = enum_value(git, "envguard.serverAction")? {
            config.server_action = action;
        }
        config.target = string(git, "envguard.target")?.map(PathBuf::from);
        config.command = string(git, "envguard.command")?
            .filter(|c| !c.is_empty())
            .map(ShownCommand::new);
        // Added to the installer's own (pip, setuptools, wheel), never replacing them: a
        // prune that uninstalled pip would break the next deployment.
        if let Some(keep) = list(git, "envguard.pruneKeep")? {
            config.prune_keep.extend(keep);
        }
        config.read_site_settings(git)?;
        Ok(config)
    }

    /// The settings of the site's API: `scmUrl`, `sitePath`, `remoteTimeout`,
    /// `remoteAttempts`.
    fn read_site_settings(&mut self, git: &git2::Config) -> Result<()> {
        let config = self;
        config.scm_url = string(git, "envguard.scmUrl")?.filter(|v| !v.is_empty());
        if let Some(path) = string(git, "envguard.sitePath")? {
            let path = clean_dir(&path);
            if climbs_out(&path) {
                return Err(invalid(
                    "envguard.sitePath",
                    &path,
                    "a folder of the site like site/wwwroot",
                ));
            }
            config.site_path = path;
        }
        if let Some(v) = string(git, "envguard.remoteTimeout")? {
            config.remote_timeout = v
                .parse()
                .ok()
                // Bounded: a timeout past an hour is no timeout, and a huge one overflows the
                // clock arithmetic of the HTTP client.
                .filter(|&s| (1..=3600).contains(&s))
                .ok_or_else(|| {
                    invalid(
                        "envguard.remoteTimeout",
                        &v,
                        "seconds from 1 to 3600, like 200",
                    )
                })?;
        }
        if let Some(v) = string(git, "envguard.remoteAttempts")? {
            config.remote_attempts = v
                .parse()
                .ok()
                .filter(|&n| (1..=20).contains(&n))
                .ok_or_else(|| invalid("envguard.remoteAttempts", &v, "a number from 1 to 20"))?;
        }
        Ok(())
    }

    /// `envguard.remoteName` entries must name remotes of `repo`: one that names none would
    /// leave the real deploy remote unguarded without a word.
    pub fn check_remote_names(&self, repo: &git2::Repository) -> Result<()> {
        let remotes = repo.remotes()?;
        let known: Vec<&str> = remotes.iter().filter_map(|n| n.ok().flatten()).collect();
        match self
            .local_remote_names
            .iter()
            .find(|n| !known.contains(&n.as_str()))
        {
            None => Ok(()),
            Some(name) => Err(invalid(
                "envguard.remoteName",
                name,
                &format!(
                    "the name of a remote of this repository ({})",
                    if known.is_empty() {
                        "it has none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            )),
        }
    }

    /// Where the server hook finds the env of the deployment target, on the configured
    /// platform (self-hosted when none is).
    pub fn server_env(&self) -> crate::platform::ServerEnv {
        self.server_platform().facts().server_env
    }

    /// The platform the server hook acts for: `envguard.platform`, else [`Platform::UNKNOWN`].
    pub fn server_platform(&self) -> Platform {
        self.platform.unwrap_or(Platform::UNKNOWN)
    }

    /// Whether the server hook acts on piku's venv (`envguard.platform piku`).
    pub fn on_piku(&self) -> bool {
        matches!(self.server_env(), crate::platform::ServerEnv::PikuVenv)
    }

    /// Without `envguard.branch`, the deploy branches are those `platform` deploys: every
    /// pushed branch (piku), the repository's default branch (`default_branch`: a bare
    /// repository's HEAD on a server, the remote's HEAD in a clone; self-hosted, Gitea,
    /// GitLab), `main` and `master` (Heroku), every branch until the one Dokku deploys is
    /// named (its deploy-branch, else the first branch pushed, neither visible from here),
    /// or Kudu's `DEPLOYMENT_BRANCH`, master unless known.
    pub fn settle_branches(&mut self, platform: Platform, default_branch: Option<String>) {
        self.branches_of = Some(platform);
        if self.branches_set {
            return;
        }
        use crate::platform::DeployRefs;
        self.branches = match platform.facts().deploy_refs {
            DeployRefs::Every | DeployRefs::DeployBranchElseFirstPushed => vec!["*".to_string()],
            DeployRefs::RepositoryHead => {
                self.head_assumed = default_branch.is_none();
                vec![default_branch.unwrap_or_else(|| "master".into())]
            }
            DeployRefs::DeploymentBranch => vec!["master".to_string()],
            DeployRefs::Branches(names) => names.iter().map(|b| b.to_string()).collect(),
        };
    }

    /// Whether the deploy branches are every branch only because the platform's own is
    /// unknown here (Dokku without `envguard.branch`): then the push says how to name it.
    pub fn deploy_branch_unknown(&self) -> Option<Platform> {
        self.branches_of.filter(|p| {
            !self.branches_set
                && matches!(
                    p.facts().deploy_refs,
                    crate::platform::DeployRefs::DeployBranchElseFirstPushed
                )
        })
    }

    /// The deploy branches, where they come from, and how to change them (for `hook
    /// status` and `envguard platform`).
    pub fn branches_described(&self) -> DeployBranches {
        DeployBranches {
            branches: self.branches.clone(),
            set: self.branches_set,
            of: self.branches_of,
            head_assumed: self.head_assumed,
        }
    }

    /// Whether a full ref name (`refs/heads/x`) is a deploy branch, or, where the platform
    /// deploys tags as it deploys branches (piku, Dokku), a tag (`refs/tags/x`) of a deploy
    /// branch's name.
    pub fn is_deploy_branch(&self, refname: &str) -> bool {
        let tags_deploy = self
            .branches_of
            .is_some_and(|p| p.facts().deploy_refs.tags_deploy());
        refname
            .strip_prefix("refs/heads/")
            .or_else(|| refname.strip_prefix("refs/tags/").filter(|_| tags_deploy))
            .is_some_and(|b| self.branches.iter().any(|d| glob_match(d, b)))
    }

    /// The platform a remote with these URLs deploys to, and where that came from:
    /// `envguard.platform`, else `kudu-windows` assumed for an App Service remote (or one with
    /// `envguard.scmUrl`), else the platform the URL names (Heroku, Dokku), else
    /// `self-hosted`.
    pub fn platform_for(&self, urls: &[&str]) -> (Platform, PlatformSource) {
        if let Some(platform) = self.platform {
            (platform, PlatformSource::Configured)
        } else if self.scm_url.is_some() || urls.iter().any(|u| glob_match(DEFAULT_REMOTE_URL, u)) {
            (Platform::KuduWindows, PlatformSource::AssumedAppService)
        } else if let Some(platform) = urls.iter().find_map(|u| Platform::of_url(u)) {
            (platform, PlatformSource::FromUrl)
        } else {
            (Platform::UNKNOWN, PlatformSource::NotAppService)
        }
    }

    /// The mode on `platform`: `envguard.mode`, else what fixes a stale env there: the
    /// toggle on Kudu for Windows, the remote wipe on Linux sites that keep `antenv`, a
    /// warning elsewhere (the server hook guards a self-hosted server; Oryx needs nothing).
    pub fn mode_on(&self, platform: Platform) -> Mode {
        self.mode.unwrap_or(platform.facts().default_mode)
    }

    /// For a remote known by its name and URLs (the one git passed the hook, and those of
    /// [`configured_urls`], which `insteadOf` rewriting hides from the hook): `None` when it
    /// is not a deploy remote, else where it deploys and the mode that applies there. A
    /// remote whose URL is a platform's own (Heroku's git host, `dokku@HOST:APP`,
    /// `piku@HOST:APP`) is a deploy remote without any setting, as an App Service one is.
    ///
    /// Such a remote may share the repository with an App Service one whose settings are
    /// in the same config: an App Service `envguard.platform` is not its platform, and a
    /// mode its platform cannot run (toggle, remote wipe) gives way to its default.
    pub fn deploy_target(&self, name: &str, urls: &[&str]) -> Option<DeployTarget> {
        let named = self.remote_names.iter().any(|n| n == name)
            || urls
                .iter()
                .any(|u| self.remote_urls.iter().any(|g| glob_match(g, u)));
        let own = urls.iter().find_map(|u| Platform::of_url(u));
        if named {
            let (platform, source) = self.platform_for(urls);
            return Some(DeployTarget {
                platform,
                source,
                mode: self.mode_on(platform),
            });
        }
        let own = own?;
        let (platform, source) = match self.platform {
            Some(configured) if !configured.has_site_api() => {
                (configured, PlatformSource::Configured)
            }
            _ => (own, PlatformSource::FromUrl),
        };
        let mode = Some(self.mode_on(platform))
            .filter(|m| platform.allows(*m))
            .unwrap_or(platform.facts().default_mode);
        Some(DeployTarget {
            platform,
            source,
            mode,
        })
    }

    /// The runtime to toggle to from the runtime Kudu selects now (`current`):
    /// `envguard.toggleRuntime` when Kudu selects another runtime for it, else the nearest
    /// entry of `envguard.runtimes` that is another runtime.
    pub fn toggle_runtime_for(&self, current: &str) -> Option<String> {
        if let Some(t) = &self.toggle_runtime {
            let selects = crate::runtime::kudu_select(t.as_bytes(), &self.runtimes);
            return (selects.is_some_and(|s| !s.eq_ignore_ascii_case(current))).then(|| t.clone());
        }
        let now = crate::runtime::version_numbers(current);
        let distance = |r: &String| {
            let v = crate::runtime::version_numbers(r);
            let major = v.first().copied().unwrap_or(0);
            let minor = v.get(1).copied().unwrap_or(0);
            let now_major = now.first().copied().unwrap_or(0);
            let now_minor = now.get(1).copied().unwrap_or(0);
            (major.abs_diff(now_major), minor.abs_diff(now_minor))
        };
        self.runtimes
            .iter()
            .filter(|r| crate::runtime::version_numbers(r) != now)
            .min_by_key(|r| distance(r))
            .cloned()
    }
}

fn invalid(key: &str, value: &str, expected: &str) -> Error {
    Error::config(key, value, expected)
}

/// A folder inside the repository, as `key` names it (`.` is the root).
fn folder(git: &git2::Config, key: &str) -> Result<Option<String>> {
    let folder = string(git, key)?.map(|p| clean_dir(&p));
    match folder {
        Some(f) if climbs_out(&f) => Err(invalid(
            key,
            &f,
            "a folder inside the repository, like src/web",
        )),
        other => Ok(other),
    }
}

fn string(git: &git2::Config, key: &str) -> Result<Option<String>> {
    match git.get_string(key) {
        Ok(v) => Ok(Some(v.trim().to_string())),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(source) => Err(Error::ReadConfig {
            key: key.to_string(),
            source,
        }),
    }
}

/// A multi-valued key; each value may also hold several whitespace-separated items.
fn list(git: &git2::Config, key: &str) -> Result<Option<Vec<String>>> {
    let mut values = Vec::new();
    let mut found = false;
    let mut entries = git.multivar(key, None)?;
    while let Some(entry) = entries.next() {
        let entry = entry?;
        found = true;
        if let Ok(v) = entry.value() {
            values.extend(v.split_whitespace().map(str::to_string));
        }
    }
    Ok(found.then_some(values))
}

#[cfg(test)]
mod tests {
    use super::remotes::refspec_forces;
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Any value of any setting is read without a panic: a setting envguard takes is
        /// within its bounds, anything else is an error naming the key.
        #[test]
        fn any_setting_is_read_within_bounds_or_refused(
            key in proptest::sample::select(KEYS.to_vec()),
            value in "(?s).{0,40}|[0-9]{1,30}|-?[0-9]{1,5}",
        ) {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("config");
            std::fs::write(&path, "").expect("config");
            let mut git = git2::Config::open(&path).expect("open");
            if git.set_str(key, &value).is_err() {
                return Ok(());
            }
            let git = git.snapshot().expect("snapshot");
            match Config::from_git_config(&git) {
                Ok(config) => {
                    proptest::prop_assert!((1..=3600).contains(&config.remote_timeout));
                    proptest::prop_assert!((1..=20).contains(&config.remote_attempts));
                }
                Err(e) => proptest::prop_assert!(!e.to_string().is_empty()),
            }
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match(
            DEFAULT_REMOTE_URL,
            "https://me@mysite.scm.azurewebsites.net:443/mysite.git"
        ));
        assert!(!glob_match(
            DEFAULT_REMOTE_URL,
            "git@github.com:me/site.git"
        ));
        assert!(glob_match("release/*", "release/1.2"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
    }

    #[test]
    fn typos_name_the_key_meant() {
        assert_eq!(edit_distance("envguard.mdoe", "envguard.mode"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn forcing_refspecs() {
        assert!(refspec_forces(
            "+refs/heads/master:refs/heads/master",
            "refs/heads/master"
        ));
        assert!(refspec_forces(
            "+refs/heads/*:refs/heads/*",
            "refs/heads/master"
        ));
        assert!(refspec_forces("+master", "refs/heads/master"));
        assert!(refspec_forces("+HEAD:master", "refs/heads/master"));
        assert!(!refspec_forces(
            "refs/heads/*:refs/heads/*",
            "refs/heads/master"
        ));
        assert!(!refspec_forces(
            "+refs/heads/dev:refs/heads/dev",
            "refs/heads/master"
        ));
    }

    #[test]
    fn toggle_runtime_is_the_nearest_other() {
        let c = Config::default();
        assert_eq!(
            c.toggle_runtime_for("python-3.6").as_deref(),
            Some("python-3.4")
        );
        assert_eq!(
            c.toggle_runtime_for("python-3.4").as_deref(),
            Some("python-3.6")
        );
        assert_eq!(
            c.toggle_runtime_for("python-2.7").as_deref(),
            Some("python-3.6")
        );
        // A toggle runtime that selects the tip's runtime would rebuild nothing.
        let c = Config {
            toggle_runtime: Some("python-3.6.8".into()),
            ..Config::default()
        };
        assert_eq!(c.toggle_runtime_for("python-3.6"), None);
        assert_eq!(
            c.toggle_runtime_for("python-3.4").as_deref(),
            Some("python-3.6.8")
        );
        let c = Config {
            toggle_runtime: Some("python-3.4".into()),
            ..Config::default()
        };
        assert_eq!(
            c.toggle_runtime_for("python-3.6").as_deref(),
            Some("python-3.4")
        );
        assert_eq!(c.toggle_runtime_for("python-3.4"), None);
    }

    #[test]
    fn deploy_remotes_by_name_or_url() {
        let c = Config {
            remote_names: vec!["prod".into()],
            ..Config::default()
        };
        let mode = |name, urls: &[&str]| c.deploy_target(name, urls).map(|t| t.mode);
        assert_eq!(mode("prod", &["/srv/app.git"]), Some(Mode::Warn));
        assert_eq!(mode("origin", &["/srv/app.git"]), None);
        // The hook sees a rewritten URL; the configured one still tells it is Azure.
        let azure = "https://me@site.scm.azurewebsites.net/site.git";
        let target = c.deploy_target("azure", &["/tmp/x", azure]);
        assert_eq!(
            target,
            Some(DeployTarget {
                platform: Platform::KuduWindows,
                source: PlatformSource::AssumedAppService,
                mode: Mode::Toggle
            })
        );
    }

    /// A Heroku remote beside an App Service one: the App Service's recorded platform and
    /// its remote-wipe mode are not the Heroku remote's.
    #[test]
    fn a_platform_url_keeps_its_platform_beside_app_service_settings() {
        let c = Config {
            platform: Some(Platform::KuduLinux),
            mode: Some(Mode::RemoteWipe),
            ..Config::default()
        };
        let heroku = c.deploy_target("heroku", &["https://git.heroku.com/app.git"]);
        assert_eq!(
            heroku,
            Some(DeployTarget {
                platform: Platform::Heroku,
                source: PlatformSource::FromUrl,
                mode: Mode::Warn
            })
        );
        let azure = c.deploy_target("azure", &["https://app.scm.azurewebsites.net/app.git"]);
        assert_eq!(azure.map(|t| t.mode), Some(Mode::RemoteWipe));
        // A platform set for a Heroku app (Fir) is kept, and so is a mode it can run.
        let c = Config {
            platform: Some(Platform::HerokuCnb),
            mode: Some(Mode::Command),
            ..Config::default()
        };
        let fir = c.deploy_target("heroku", &["https://git.heroku.com/app.git"]);
        assert_eq!(
            fir.map(|t| (t.platform, t.mode)),
            Some((Platform::HerokuCnb, Mode::Command))
        );
    }

    #[test]
    fn mode_defaults_by_platform() {
        let c = Config::default();
        assert_eq!(c.mode_on(Platform::KuduWindows), Mode::Toggle);
        assert_eq!(c.mode_on(Platform::KuduLinux), Mode::RemoteWipe);
        assert_eq!(c.mode_on(Platform::OryxInPlace), Mode::RemoteWipe);
        assert_eq!(c.mode_on(Platform::SelfHosted), Mode::Warn);
        assert_eq!(
            c.platform_for(&["/srv/git/app.git"]),
            (Platform::SelfHosted, PlatformSource::NotAppService)
        );
        assert_eq!(name_of(&Mode::RemoteWipe), "remote-wipe");
        assert_eq!(
            expected::<Mode>(),
            "toggle, mark, warn, off, remote-wipe, command or remote-prune"
        );
    }
}
