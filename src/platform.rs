//! The deployment platforms and their rules: which file selects the runtime (and how), which
//! change rebuilds the env by itself, where the env lives on the site, and whether a runtime
//! toggle can rebuild it. The facts are those of the platforms' own code (KuduScript's
//! templates, Kudu's `select_python_version.py`, Oryx); the plan and the analysis ask here
//! instead of assuming one platform.

use clap::ValueEnum;

/// Where a deploy remote deploys to (`envguard.platform`; `auto` is no value here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Platform {
    /// App Service on Windows: Kudu's deploy.cmd keeps `env` until the runtime runtime.txt
    /// selects changes.
    KuduWindows,
    /// App Service on Linux with `ENABLE_ORYX_BUILD=false`: KuduScript's bash deployment
    /// keeps `antenv` in wwwroot and never reads runtime.txt.
    KuduLinux,
    /// App Service on Linux with Oryx (the default): `antenv` is built fresh on every
    /// deployment, so nothing goes stale.
    Oryx,
    /// App Service on Linux with Oryx and `BUILD_FLAGS=Off`: the build reuses `antenv` in
    /// the repository folder and copies it over the one in wwwroot.
    OryxInPlace,
    /// A server envguard's post-receive hook guards (a home-made deploy, Gitea, GitLab).
    SelfHosted,
    /// Heroku's Python buildpack: the cached env is discarded when requirements.txt's bytes
    /// or the Python version change, kept otherwise.
    Heroku,
    /// Dokku with the Heroku Python buildpack: the same cache rules.
    Dokku,
    /// piku: the venv is `$PIKU_ROOT/envs/<app>` (beside the app's `ENV`, `LIVE_ENV` and
    /// `SCALING`), created only when `bin/activate` is missing; envguard's post-receive
    /// hook wipes the venv's own parts.
    Piku,
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
}

impl Platform {
    /// The name as written in git config (`kudu-windows`).
    pub fn name(self) -> &'static str {
        match self {
            Platform::KuduWindows => "kudu-windows",
            Platform::KuduLinux => "kudu-linux",
            Platform::Oryx => "oryx",
            Platform::OryxInPlace => "oryx-in-place",
            Platform::SelfHosted => "self-hosted",
            Platform::Heroku => "heroku",
            Platform::Dokku => "dokku",
            Platform::Piku => "piku",
        }
    }

    /// The platform a remote URL names by itself (`git.heroku.com`, `dokku@host:app`).
    pub fn of_url(url: &str) -> Option<Platform> {
        let lower = url.to_ascii_lowercase();
        if lower.contains("heroku.com") {
            Some(Platform::Heroku)
        } else if lower.starts_with("dokku@") || lower.contains("://dokku@") {
            Some(Platform::Dokku)
        } else {
            None
        }
    }

    /// Whether a change of the root requirements.txt's bytes makes the platform build the
    /// env anew (the buildpack's cache key), so only what it misses is stale: a package
    /// removed from an included file, a moved VCS ref.
    pub fn rebuilds_when_requirements_change(self) -> bool {
        matches!(self, Platform::Heroku | Platform::Dokku)
    }

    pub fn runtime_rule(self) -> RuntimeRule {
        match self {
            Platform::KuduWindows => RuntimeRule::KuduPrefix,
            Platform::SelfHosted | Platform::Heroku | Platform::Dokku => {
                RuntimeRule::AnyRuntimeFile
            }
            // piku ignores a changed PYTHON_VERSION once the venv exists.
            Platform::KuduLinux | Platform::Oryx | Platform::OryxInPlace | Platform::Piku => {
                RuntimeRule::SiteSetting
            }
        }
    }

    /// Whether every deployment builds the env from scratch, so nothing can go stale.
    pub fn builds_fresh(self) -> bool {
        self == Platform::Oryx
    }

    /// Whether a runtime toggle (two pushes with another runtime in runtime.txt, then back)
    /// recreates the env: only where runtime.txt selects the runtime and a change of it
    /// deletes the env.
    pub fn can_toggle(self) -> bool {
        self.runtime_rule() == RuntimeRule::KuduPrefix
    }

    /// Whether the site runs on Windows (paths with `\`, `rmdir` in the command API).
    pub fn is_windows(self) -> bool {
        self == Platform::KuduWindows
    }

    /// Whether the site has Kudu's REST API (the remote wipe, detection, verification).
    pub fn has_site_api(self) -> bool {
        matches!(
            self,
            Platform::KuduWindows | Platform::KuduLinux | Platform::Oryx | Platform::OryxInPlace
        )
    }

    /// The env folders to delete on the site, relative to its home (`D:\home`, `/home`):
    /// `app_folder` is the app's folder in wwwroot (`site/wwwroot` or a subfolder),
    /// `env_dir` the env folder name configured for Windows.
    pub fn env_folders(self, app_folder: &str, env_dir: &str) -> Vec<String> {
        match self {
            Platform::KuduWindows | Platform::SelfHosted => vec![format!("{app_folder}/{env_dir}")],
            // KuduScript's bash template names the env after the site's Python 3.6 setting.
            Platform::KuduLinux => vec![
                format!("{app_folder}/antenv"),
                format!("{app_folder}/antenv3.6"),
            ],
            Platform::OryxInPlace => vec![
                "site/repository/antenv".to_string(),
                format!("{app_folder}/antenv"),
            ],
            Platform::Oryx | Platform::Heroku | Platform::Dokku | Platform::Piku => Vec::new(),
        }
    }

    /// The command-API line that deletes a folder (relative to the command's directory).
    pub fn delete_command(self, folder: &str) -> String {
        if self.is_windows() {
            format!("rmdir /s /q \"{}\"", folder.replace('/', "\\"))
        } else {
            format!("rm -rf -- '{}'", folder.replace('\'', "'\\''"))
        }
    }
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
            ["site/repository/antenv", "site/wwwroot/antenv"]
        );
        assert_eq!(
            Platform::KuduWindows.delete_command("sub/env"),
            "rmdir /s /q \"sub\\env\""
        );
        assert_eq!(
            Platform::KuduLinux.delete_command("antenv"),
            "rm -rf -- 'antenv'"
        );
    }
}
