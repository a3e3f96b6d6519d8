//! The deploy remotes of a repository and what envguard does for each: their URLs as
//! written, the platform and where it came from, the mode, the default branch, and whether
//! git's configuration forces a push to them.

use super::{Config, Mode, open};
use crate::Result;
use crate::platform::{Platform, PlatformSource};

/// A remote's `url` and `pushurl` as written in the git config, before `insteadOf`
/// rewriting.
pub fn configured_urls(git: &git2::Config, remote: &str) -> Vec<String> {
    ["url", "pushurl"]
        .iter()
        .filter_map(|key| git.get_string(&format!("remote.{remote}.{key}")).ok())
        .collect()
}

/// What envguard does for a deploy remote: its platform and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeployTarget {
    pub platform: Platform,
    pub source: PlatformSource,
    pub mode: Mode,
}

impl DeployTarget {
    /// The platform and where it came from.
    pub fn label(&self) -> crate::output::PlatformLabel {
        crate::output::PlatformLabel {
            platform: self.platform,
            source: self.source,
        }
    }
}

/// A configured remote that envguard treats as a deploy remote.
#[derive(Debug, Clone)]
pub struct DeployRemote {
    pub name: String,
    /// Its [`configured_urls`].
    pub urls: Vec<String>,
    pub target: DeployTarget,
}

/// The deploy remotes among `repo`'s remotes, in git's order.
pub fn deploy_remotes(repo: &git2::Repository, config: &Config) -> Result<Vec<DeployRemote>> {
    let git = open(repo)?;
    let names = repo.remotes()?;
    Ok(names
        .iter()
        .filter_map(|n| n.ok().flatten())
        .filter_map(|name| {
            let urls = configured_urls(&git, name);
            let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
            let target = config.deploy_target(name, &refs)?;
            Some(DeployRemote {
                name: name.to_string(),
                urls,
                target,
            })
        })
        .collect())
}

/// The branch a symbolic ref names (`HEAD` of a bare repository, `refs/remotes/origin/HEAD`
/// of a clone), as a short name.
pub fn default_branch(repo: &git2::Repository, symbolic_ref: &str) -> Option<String> {
    let reference = repo.find_reference(symbolic_ref).ok()?;
    let target = reference.symbolic_target().ok().flatten()?.to_string();
    let prefix = match symbolic_ref.strip_suffix("HEAD") {
        Some("") => "refs/heads/".to_string(),
        Some(remote_prefix) => remote_prefix.to_string(),
        None => return None,
    };
    target.strip_prefix(&prefix).map(str::to_string)
}

/// The platform `check` and `hook status` analyse for: that of the first deploy remote,
/// else `envguard.platform`, else `self-hosted` (a server repository).
pub fn platform_here(repo: &git2::Repository, config: &Config) -> Platform {
    let remotes = deploy_remotes(repo, config).unwrap_or_default();
    platform_of(remotes.first(), config)
}

/// The platform of the first deploy remote, else `envguard.platform`, else `self-hosted`.
pub(super) fn platform_of(first: Option<&DeployRemote>, config: &Config) -> Platform {
    first
        .map(|r| r.target.platform)
        .or(config.platform)
        .unwrap_or(Platform::UNKNOWN)
}

/// Whether `git push` to `remote` with no refspec on its command line forces the update of
/// `remote_ref`: a mirror remote, or a `+` refspec of `remote.<name>.push` whose
/// destination is that ref.
pub fn forced_by_config(git: &git2::Config, remote: &str, remote_ref: &str) -> bool {
    if git
        .get_bool(&format!("remote.{remote}.mirror"))
        .unwrap_or(false)
    {
        return true;
    }
    let Ok(mut specs) = git.multivar(&format!("remote.{remote}.push"), None) else {
        return false;
    };
    let mut forced = false;
    while let Some(Ok(entry)) = specs.next() {
        if let Ok(spec) = entry.value() {
            forced |= refspec_forces(spec, remote_ref);
        }
    }
    forced
}

/// Whether a push refspec (`+src:dst`, `+ref`, globs) forces the update of `remote_ref`.
pub(super) fn refspec_forces(spec: &str, remote_ref: &str) -> bool {
    let Some(spec) = spec.trim().strip_prefix('+') else {
        return false;
    };
    let dst = spec.split_once(':').map_or(spec, |(_, dst)| dst);
    let full = if dst.starts_with("refs/") {
        dst.to_string()
    } else {
        format!("refs/heads/{dst}")
    };
    glob_match(&full, remote_ref)
}

/// Shell-style glob: `*` matches any run of characters, `?` one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}
