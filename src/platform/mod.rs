//! The deployment platforms, as one table of facts. Everything the rest of envguard asks
//! about a platform (its names, how a URL names it, which file selects the runtime, when the
//! env is rebuilt, the site's OS and API, where the env lives on the site and on a server,
//! the default and allowed modes, the remedy to name, which refs it deploys, how its hooks
//! are dispatched, which deploy script fits it) is a field of [`Facts`], given by the one
//! exhaustive match of [`Platform::facts`]. Adding a platform is one variant and its arm.
//!
//! The facts are those of the platforms' own code; each arm names its sources (PLATFORM.md
//! quotes them).

pub mod detect;
pub mod piku;
mod table;

use clap::ValueEnum;

/// Where a deploy remote deploys to (`envguard.platform`; `auto` is no value here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Platform {
    /// App Service on Windows: Kudu's deploy.cmd keeps `env` until the runtime runtime.txt
    /// selects changes.
    KuduWindows,
    /// App Service on Linux without Oryx (`ENABLE_ORYX_BUILD` set and not true-like):
    /// KuduScript's bash deployment keeps `antenv` in wwwroot and never reads runtime.txt.
    /// `linux` is its name for `envguard deploy-script`.
    #[value(alias = "linux")]
    KuduLinux,
    /// App Service on Linux with Oryx (the default): `antenv` is built fresh on every
    /// deployment, so nothing goes stale.
    Oryx,
    /// App Service on Linux with Oryx and `BUILD_FLAGS=Off`: the build reuses `antenv` in
    /// the repository folder and copies it over the one in wwwroot.
    OryxInPlace,
    /// App Service on Linux with Oryx output that is not compressed (a manifest without
    /// `CompressDestinationDir="true"`, e.g. `BUILD_FLAGS=UseTempDirectory`): built in a
    /// temporary folder, copied over wwwroot without deleting, `wwwroot/antenv` used in place.
    OryxCopied,
    /// App Service on Linux with `SCM_DO_BUILD_DURING_DEPLOYMENT` off: no build at all, the
    /// env is whatever is on the site (a wipe would leave it with none).
    KuduLinuxNoBuild,
    /// App Service on Windows with `SCM_DO_BUILD_DURING_DEPLOYMENT` off and no deployment
    /// command: Kudu copies the files and builds nothing, so neither a toggle nor a wipe gives
    /// a fresh env.
    KuduWindowsNoBuild,
    /// A server envguard's post-receive hook guards (a home-made deploy, Gitea, GitLab).
    SelfHosted,
    /// Heroku's Python buildpack: the cached env is discarded when requirements.txt's bytes
    /// or the Python version change, kept otherwise.
    Heroku,
    /// Dokku with the Heroku Python buildpack: the same cache rules.
    Dokku,
    /// Heroku's Cloud Native Buildpacks (Fir) and Dokku's `pack` builder: the venv layer is
    /// not cached, so every build is fresh.
    HerokuCnb,
    /// Railpack (Railway, Dokku's `railpack` builder): the venv is made in the image's
    /// install step on every build.
    Railpack,
    /// Nixpacks (Dokku's `nixpacks` builder, Coolify): the venv is made in the image's
    /// install step on every build.
    Nixpacks,
    /// Google's buildpacks (App Engine, Cloud Run source deploys): the dependency layer is
    /// reused while the root requirements.txt's bytes and the Python version stay the same,
    /// for up to a day.
    GoogleBuildpacks,
    /// piku: the venv is `$PIKU_ROOT/envs/<app>` (beside the app's `ENV`, `LIVE_ENV` and
    /// `SCALING`), created only when `bin/activate` is missing; envguard's post-receive
    /// hook wipes the venv's own parts.
    Piku,
}

/// What the pre-push hook does with a `wipe` verdict (`envguard.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Push the runtime-toggle commit pair: two deployments, each with a fresh env.
    Toggle,
    /// Push a marker ref that the server hook consumes.
    Mark,
    /// Say what is stale and push as usual.
    Warn,
    /// Do nothing.
    Off,
    /// Delete env on the site over Kudu's REST API, then let the push deploy.
    RemoteWipe,
    /// Run `envguard.command` (a cache purge, a remote script) before git sends anything.
    Command,
    /// Uninstall on the site, over Kudu's API, exactly what the pushed requirements no
    /// longer need (the remote wipe where that cannot be decided safely).
    RemotePrune,
}

impl Mode {
    /// The name as written in git config (`remote-wipe`).
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

/// How a platform picks the runtime from the pushed files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeRule {
    /// Kudu: runtime.txt, whole and lower-cased, must start with one of the supported
    /// runtimes; a change of the selected runtime recreates the env.
    KuduPrefix,
    /// Unknown deploy step: runtime.txt and .python-version are read as written; any change
    /// is taken as a new runtime.
    AnyRuntimeFile,
    /// The site's settings choose the runtime; the files are not read.
    SiteSetting,
    /// runtime.txt if there is one, else .python-version (the Heroku buildpack's order:
    /// heroku-buildpack-python `lib/python_version.sh`); the cache is keyed on the version
    /// this resolves to.
    RuntimeTxtFirst,
    /// .python-version only (unless a build setting names the version; Google's buildpacks,
    /// `pkg/python/python.go` `RuntimeVersion`); the cache is keyed on the installed version.
    PythonVersionFile,
}

/// When the platform builds the env anew by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebuild {
    /// On every deployment: nothing goes stale.
    Always,
    /// When the selected runtime changes (and never otherwise).
    OnRuntimeChange,
    /// When the cache key changes: the root requirements.txt's bytes or the resolved runtime
    /// (and, on Heroku, the package manager or Pipfile.lock). What the key misses (an `-r`
    /// include, a moved VCS ref) stays stale.
    OnRequirementsBytes,
    /// Never: the platform installs nothing on deployment.
    Never,
}

/// The operating system of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Windows,
    Linux,
}

impl Os {
    /// The name PEP 508 markers compare with `sys_platform`-like checks (`windows`, `linux`).
    pub fn name(self) -> &'static str {
        match self {
            Os::Windows => "windows",
            Os::Linux => "linux",
        }
    }
}

/// Where the env folders are on an App Service site, relative to its home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteEnv {
    /// `<app folder>/<envDir>` (Kudu's deploy.cmd; a Kudu-like server).
    EnvDirInApp,
    /// KuduScript's bash template: `antenv`, or `antenv3.6` after the site's Python 3.6.
    KuduScriptAntenv,
    /// Oryx building in place: `site/repository/antenv` copied over `<app folder>/antenv`
    /// (`antenv3.6`, `antenv2.7` for those versions: KuduLite AppServiceOryxArguments.cs
    /// @3854066 `SetVirtualEnvironment`, L99-111).
    OryxRepositoryAndApp,
    /// Oryx's output copied over wwwroot: `<app folder>/antenv` (`antenv3.6`, `antenv2.7`
    /// for those versions).
    AntenvInApp,
    /// No env folder envguard could delete (fresh builds, a build cache, a server's venv).
    None,
}

/// The remedy envguard names for a stale env on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// The runtime toggle (or the remote wipe).
    Toggle,
    /// The remote wipe over the site's API.
    RemoteWipe,
    /// Nothing: every build is fresh.
    Nothing,
    /// envguard's server hook (or deleting the env on the server).
    ServerHook,
    /// The platform's build-cache purge.
    PurgeCache(Purge),
    /// A change of the root requirements.txt's bytes (the cache key; a comment line will
    /// do), or the cache's expiry.
    ChangeRootRequirements,
    /// Nothing envguard can do: the platform builds nothing; turn its build on.
    NoBuild,
}

/// A platform's build-cache purge command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purge {
    /// `heroku builds:cache:purge` (the `heroku-builds` CLI plugin).
    Heroku,
    /// `ssh dokku@host repo:purge-cache app`.
    Dokku,
}

impl Purge {
    /// The purge as a shell command for the app `app` on `host`.
    pub fn command(self, host: &str, app: &str) -> String {
        match self {
            Purge::Heroku => format!("heroku builds:cache:purge -a {app} --confirm {app}"),
            Purge::Dokku => format!("ssh dokku@{host} repo:purge-cache {app}"),
        }
    }
}

/// Where the server-side hook finds the env of the deployment target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerEnv {
    /// `<envguard.target>/<envDir>`: the wipe deletes the folder.
    FolderInTarget,
    /// piku's `$PIKU_ROOT/envs/<app>`, derived from the repository's path when no target is
    /// set; the folder also holds the app's ENV, LIVE_ENV and SCALING, so a wipe deletes the
    /// venv's own parts only.
    PikuVenv,
}

/// Which pushed branches the platform deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployRefs {
    /// Kudu's `DEPLOYMENT_BRANCH` setting (master by default).
    DeploymentBranch,
    /// The bare repository's HEAD (a self-hosted server's default branch).
    RepositoryHead,
    /// Every pushed branch.
    Every,
    /// These branches, whatever the app's settings (Heroku: `main` and `master`).
    Branches(&'static [&'static str]),
    /// Dokku: the app's `deploy-branch` property, else the first branch pushed, which then
    /// becomes the property. Neither is visible from a clone, so until `envguard.branch`
    /// names it, every pushed branch may be the one deployed. A tag of that name deploys
    /// too (and a first-pushed tag becomes the property).
    DeployBranchElseFirstPushed,
}

impl DeployRefs {
    /// Whether a pushed tag deploys like a branch: on piku every ref does (piku.py
    /// `cmd_git_hook` deploys each line of its input), on Dokku a tag named as the deploy
    /// branch does (plugins/git/functions @33896f5 L79 `refs/tags/${DOKKU_DEPLOY_BRANCH}`).
    pub fn tags_deploy(self) -> bool {
        matches!(
            self,
            DeployRefs::Every | DeployRefs::DeployBranchElseFirstPushed
        )
    }
}

/// The branches Heroku deploys: a push to `main` or `master` builds, other branches do
/// nothing (Heroku Dev Center, "Deploying with Git"; the receiver is closed source).
pub const HEROKU_BRANCHES: [&str; 2] = ["main", "master"];

/// Which deploy script `envguard deploy-script` writes for the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    /// KuduScript's batch template: `deploy.cmd`, env in wwwroot.
    Batch,
    /// KuduScript's bash template: `deploy.sh`, run as `bash deploy.sh`, antenv.
    Bash,
}

/// Everything envguard knows about a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The name as written in git config (`kudu-windows`).
    pub name: &'static str,
    /// The host part of a git URL that names the platform by itself, if any.
    pub url_names_it: Option<UrlClue>,
    pub runtime_rule: RuntimeRule,
    pub rebuild: Rebuild,
    pub os: Os,
    /// Whether the site has Kudu's REST API (the remote wipe, detection, verification).
    pub site_api: bool,
    pub site_env: SiteEnv,
    /// Whether the site has a single env whose metadata the remote prune can read.
    pub remote_prunable: bool,
    pub default_mode: Mode,
    pub remedy: Remedy,
    pub server_env: ServerEnv,
    pub deploy_refs: DeployRefs,
    /// Whether a repository's `post-receive` belongs to the platform itself (piku writes
    /// its own), so envguard's hook chains it after itself.
    pub owns_post_receive: bool,
    pub deploy_script: Option<ScriptKind>,
    /// How the platform picks the app's builder from the files at the app root (Kudu on
    /// Windows: Node before Python; Dokku: herokuish, pack, Dockerfile, ...), so a stale env
    /// is possible only when the builder that keeps one is picked.
    pub builder_pick: Option<BuilderPick>,
    /// Why every deployment builds a fresh env, where it does (said on the push).
    pub fresh_because: Option<&'static str>,
    /// Root files beside requirements.txt whose presence or bytes are in the build cache's
    /// key: a change of one discards the cached env.
    pub cache_key_files: &'static [&'static str],
    /// Whether the image's install layer is reused while the dependency files it copies are
    /// byte for byte the same (BuildKit's layer cache): a fresh venv per build, but a VCS
    /// requirement whose branch moved keeps the revision of the cached layer.
    pub caches_install_layer: bool,
}

/// Whose rules pick the builder from the app's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuilderPick {
    /// projectkudu/kudu `SiteBuilderFactory.ResolveNonAspProject`.
    Kudu,
    /// Azure-App-Service/KuduLite `SiteBuilderFactory.ResolveNonAspProject`: Node first.
    KuduLite,
    /// dokku/dokku `plugins/git/functions` (`git_trigger_build`) and each
    /// `plugins/builder-*/builder-detect`.
    Dokku,
}

/// How a git URL names a platform: a remote with such a URL is a deploy remote without any
/// setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlClue {
    /// The host is one of these (`git.heroku.com`), in an `https://` or ssh URL.
    Hosts(&'static [&'static str]),
    /// The URL's user is this one (`dokku@host:app`, `ssh://dokku@host/app`).
    User(&'static str),
}

/// Heroku's git hosts: `https://git.heroku.com/APP.git` (what `heroku git:remote` and
/// `heroku create` add), and the older ssh form `git@heroku.com:APP.git`.
const HEROKU_GIT_HOSTS: [&str; 2] = ["git.heroku.com", "heroku.com"];

/// The user and host of a git URL, lowercased: `scheme://[user@]host[:port]/path` or
/// scp-like `[user@]host:path` (git's ssh shorthand). `None` for a local path.
fn user_and_host(url: &str) -> Option<(Option<String>, String)> {
    let url = url.trim();
    if let Some(parsed) = crate::url::Url::parse(url) {
        let host = parsed.host();
        return Some((parsed.user.map(|u| u.to_ascii_lowercase()), host));
    }
    if url.contains("://") {
        return None;
    }
    // git reads `host:path` as ssh only when no slash comes before the first colon.
    let (authority, _) = url.split_once(':')?;
    if authority.is_empty() || authority.contains('/') {
        return None;
    }
    let (user, host) = match authority.rsplit_once('@') {
        Some((user, host)) => (Some(user.to_ascii_lowercase()), host),
        None => (None, authority),
    };
    Some((user, host.to_ascii_lowercase()))
}

/// Where the platform of a deploy remote comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformSource {
    /// `envguard.platform` (set by hand or by `envguard platform detect`).
    Configured,
    /// An App Service remote whose platform was never detected: `kudu-windows` is assumed.
    AssumedAppService,
    /// The remote's URL names the platform (Heroku, Dokku).
    FromUrl,
    /// Not an App Service remote: its server is guarded by envguard's post-receive hook.
    NotAppService,
}

impl Platform {
    /// The platform where none is recorded and no remote URL names one: a server's
    /// repository (or a remote that is none of the platforms' own) is self-hosted. (An App
    /// Service remote whose site was never asked is `kudu-windows`, by
    /// [`crate::config::Config::platform_for`].)
    pub const UNKNOWN: Platform = Platform::SelfHosted;

    /// The name as written in git config (`kudu-windows`).
    pub fn name(self) -> &'static str {
        self.facts().name
    }

    /// The platform a remote URL names by itself (`https://git.heroku.com/app.git`,
    /// `dokku@host:app`, `piku@host:app`).
    pub fn of_url(url: &str) -> Option<Platform> {
        let (user, host) = user_and_host(url)?;
        Platform::value_variants().iter().copied().find(|p| {
            p.facts().url_names_it.is_some_and(|clue| match clue {
                UrlClue::Hosts(hosts) => hosts.contains(&host.as_str()),
                UrlClue::User(name) => user.as_deref() == Some(name),
            })
        })
    }

    /// Whether a change of the root requirements.txt's bytes makes the platform build the
    /// env anew (the buildpack's cache key), so only what it misses is stale: a package
    /// removed from an included file, a moved VCS ref.
    pub fn rebuilds_when_requirements_change(self) -> bool {
        matches!(self.facts().rebuild, Rebuild::OnRequirementsBytes)
    }

    /// Whether the platform installs into an env kept from earlier deployments, where pip
    /// never reinstalls a VCS requirement whose URL is unchanged: a branch or tag that moved
    /// stays at the installed revision (pip's `Requirement already satisfied`).
    pub fn reuses_env(self) -> bool {
        matches!(
            self.facts().rebuild,
            Rebuild::OnRuntimeChange | Rebuild::OnRequirementsBytes
        )
    }

    pub fn runtime_rule(self) -> RuntimeRule {
        self.facts().runtime_rule
    }

    /// Whether a VCS requirement whose branch or tag moved can stay at the revision installed
    /// earlier: an env kept between deployments ([`Platform::reuses_env`]), or an install
    /// layer reused while the dependency files are unchanged.
    pub fn keeps_vcs_revisions(self) -> bool {
        self.reuses_env() || self.facts().caches_install_layer
    }

    /// Whether every deployment builds the env from scratch, so nothing can go stale.
    pub fn builds_fresh(self) -> bool {
        matches!(self.facts().rebuild, Rebuild::Always)
    }

    /// Whether a runtime toggle (two pushes with another runtime in runtime.txt, then back)
    /// recreates the env: only where runtime.txt selects the runtime and a change of it
    /// deletes the env.
    pub fn can_toggle(self) -> bool {
        let facts = self.facts();
        matches!(facts.runtime_rule, RuntimeRule::KuduPrefix)
            && matches!(facts.rebuild, Rebuild::OnRuntimeChange)
    }

    /// Whether the site runs on Windows (paths with `\`, `rmdir` in the command API).
    pub fn is_windows(self) -> bool {
        self.facts().os == Os::Windows
    }

    /// Whether the site has Kudu's REST API (the remote wipe, detection, verification).
    pub fn has_site_api(self) -> bool {
        self.facts().site_api
    }

    /// Whether `mode` can rebuild the env here: a toggle only where runtime.txt selects the
    /// runtime, a remote wipe or prune only where the site has Kudu's API.
    pub fn allows(self, mode: Mode) -> bool {
        match mode {
            Mode::Toggle => self.can_toggle(),
            Mode::RemoteWipe | Mode::RemotePrune => self.has_site_api(),
            Mode::Mark | Mode::Warn | Mode::Off | Mode::Command => true,
        }
    }

    /// The env folders to delete on the site, relative to its home (`D:\home`, `/home`):
    /// `app_folder` is the app's folder in wwwroot (`site/wwwroot` or a subfolder),
    /// `env_dir` the env folder name configured for Windows.
    pub fn env_folders(self, app_folder: &str, env_dir: &str) -> Vec<String> {
        match self.facts().site_env {
            SiteEnv::EnvDirInApp => vec![format!("{app_folder}/{env_dir}")],
            SiteEnv::KuduScriptAntenv => vec![
                format!("{app_folder}/antenv"),
                format!("{app_folder}/antenv3.6"),
            ],
            SiteEnv::OryxRepositoryAndApp => ["antenv", "antenv3.6", "antenv2.7"]
                .iter()
                .flat_map(|env| {
                    [
                        format!("site/repository/{env}"),
                        format!("{app_folder}/{env}"),
                    ]
                })
                .collect(),
            SiteEnv::AntenvInApp => vec![
                format!("{app_folder}/antenv"),
                format!("{app_folder}/antenv3.6"),
                format!("{app_folder}/antenv2.7"),
            ],
            SiteEnv::None => Vec::new(),
        }
    }

    /// The command-API line that deletes a folder (relative to the command's directory).
    /// Linux Kudu splits the command by .NET's rules, where only double quotes group, so
    /// the folder is double-quoted there too (with bash's specials escaped).
    pub fn delete_command(self, folder: &str) -> String {
        match self.facts().os {
            Os::Windows => format!("rmdir /s /q \"{}\"", folder.replace('/', "\\")),
            Os::Linux => format!("rm -rf -- {}", double_quoted(folder)),
        }
    }
}

/// `text` in double quotes for bash (after .NET's splitting): `"`, `\`, `$` and `` ` ``
/// escaped.
pub fn double_quoted(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_config_values() {
        for p in Platform::value_variants() {
            let value = p.to_possible_value().expect("named");
            assert_eq!(value.get_name(), p.name());
        }
    }

    #[test]
    fn every_default_mode_is_allowed_on_its_platform() {
        for p in Platform::value_variants() {
            assert!(p.allows(p.facts().default_mode), "{p}");
        }
    }

    #[test]
    fn rules_per_platform() {
        assert!(Platform::KuduWindows.can_toggle());
        for p in [
            Platform::KuduLinux,
            Platform::Oryx,
            Platform::OryxInPlace,
            Platform::SelfHosted,
        ] {
            assert!(!p.can_toggle(), "{p}");
        }
        assert!(Platform::Oryx.builds_fresh());
        assert!(Platform::Oryx.env_folders("site/wwwroot", "env").is_empty());
        assert_eq!(
            Platform::OryxInPlace.env_folders("site/wwwroot", "env"),
            [
                "site/repository/antenv",
                "site/wwwroot/antenv",
                "site/repository/antenv3.6",
                "site/wwwroot/antenv3.6",
                "site/repository/antenv2.7",
                "site/wwwroot/antenv2.7"
            ]
        );
        assert_eq!(
            Platform::KuduWindows.delete_command("sub/env"),
            "rmdir /s /q \"sub\\env\""
        );
        assert_eq!(
            Platform::KuduLinux.delete_command("antenv"),
            "rm -rf -- \"antenv\""
        );
        assert_eq!(
            Platform::of_url("https://git.heroku.com/a.git"),
            Some(Platform::Heroku)
        );
        assert_eq!(Platform::of_url("dokku@host:app"), Some(Platform::Dokku));
        assert_eq!(Platform::of_url("/srv/app.git"), None);
    }

    /// A platform's own git URL names it; a mention of its name elsewhere in a URL does not.
    #[test]
    fn platform_urls() {
        for (url, platform) in [
            ("https://git.heroku.com/my-app.git", Some(Platform::Heroku)),
            (
                "HTTPS://Git.Heroku.com:443/my-app.git",
                Some(Platform::Heroku),
            ),
            ("git@heroku.com:my-app.git", Some(Platform::Heroku)),
            ("ssh://git@heroku.com/my-app.git", Some(Platform::Heroku)),
            ("dokku@dokku.me:shop", Some(Platform::Dokku)),
            ("ssh://dokku@dokku.me:3022/shop", Some(Platform::Dokku)),
            ("piku@pi.local:blog", Some(Platform::Piku)),
            ("ssh://piku@pi.local/blog", Some(Platform::Piku)),
            ("https://github.com/me/heroku.com-tools.git", None),
            ("git@github.com:dokku/dokku.git", None),
            ("https://evilheroku.com/app.git", None),
            ("./dokku@x:y", None),
            ("/srv/piku@x:app", None),
            ("me@host:dokku", None),
        ] {
            assert_eq!(Platform::of_url(url), platform, "{url}");
        }
    }
}
