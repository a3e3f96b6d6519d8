//! The state of a runtime toggle in progress, kept in the git dir (`envguard/toggle.json`)
//! from before T1 until the local branch is at T2: what `envguard push --resume` finishes,
//! and what the hook, `check` and `hook status` name first while it exists.

use std::path::PathBuf;

use git2::Repository;
use serde::{Deserialize, Serialize};

use crate::output::push::PendingToggle;
use crate::output::secret::SecretUrl;
use crate::output::verdict::short_id;
use crate::{Error, Result};

/// The first line of every hook run, `check` and `hook status` while a toggle is
/// unfinished: where it stopped and how to finish it.
pub fn pending_notice(repo: &Repository) -> Option<PendingToggle> {
    let state = ToggleState::load(repo).ok()??;
    Some(PendingToggle {
        remote_ref: state.remote_ref,
        remote: SecretUrl::new(state.remote),
        t1: short_id(&state.t1).to_string(),
        tip: short_id(&state.tip).to_string(),
    })
}

pub use crate::output::push::INTERRUPTED;

/// What a toggle in progress has done, kept in the git dir so `envguard push --resume` can
/// finish it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ToggleState {
    pub remote: String,
    /// The URL git ran the hook for (a remote may have several push URLs, each pushed on
    /// its own); `None` in a state saved before URLs were kept: the remote's name.
    #[serde(default)]
    pub url: Option<String>,
    pub remote_ref: String,
    pub local_ref: Option<String>,
    pub tip: String,
    pub t1: String,
    pub t2: String,
    /// What the remote ref was before T1 (`None`: it did not exist).
    #[serde(default)]
    pub old: Option<String>,
    /// Arguments of the user's push the toggle's pushes repeat (`-o`, `--signed`).
    #[serde(default)]
    pub push_args: Vec<String>,
    /// The user's push had `-u`: the pushed branch gets the remote ref as its upstream.
    #[serde(default)]
    pub set_upstream: bool,
    /// After the toggle: the local branch moved to T2 (`None`: none was, as for a push from
    /// a detached HEAD, a tag or a commit id).
    #[serde(skip)]
    pub moved: Option<String>,
    /// The operation in progress (`rebase`, `merge`, ...) that owns the pushed branch, so
    /// the branch was left where it was although it was pushed.
    #[serde(skip)]
    pub kept_because: Option<String>,
}

impl ToggleState {
    /// Where the nested pushes go: the URL git ran the hook for, else the remote's name.
    pub fn target(&self) -> &str {
        self.url.as_deref().unwrap_or(&self.remote)
    }

    pub fn path(repo: &Repository) -> PathBuf {
        repo.commondir().join("envguard").join("toggle.json")
    }

    pub fn save(&self, repo: &Repository) -> Result<()> {
        let path = Self::path(repo);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // A URL's password never goes to disk: the resume asks for the URL again instead.
        let mut stored = self.clone();
        stored.remote = crate::url::redact(&self.remote);
        stored.url = self.url.as_deref().map(crate::url::redact);
        let json = serde_json::to_string_pretty(&stored).map_err(|source| Error::ToggleState {
            path: path.clone(),
            source,
        })?;
        std::fs::write(path, json)?;
        Ok(())
    }

    pub fn load(repo: &Repository) -> Result<Option<ToggleState>> {
        let path = Self::path(repo);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|source| Error::ToggleState { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Puts back the URL whose password the saved state left out, from the URLs the user
    /// gave `envguard push --resume`: the one whose redacted form is the saved one. Err when
    /// the saved target lost a password and no URL given matches it.
    pub fn with_secret_urls(mut self, given: &[String]) -> Result<ToggleState> {
        let restore = |saved: &mut String| -> Result<()> {
            match crate::url::unredact(saved, given) {
                Some(url) => {
                    *saved = url;
                    Ok(())
                }
                None => Err(Error::ResumeNeedsUrl {
                    saved: saved.clone(),
                }),
            }
        };
        restore(&mut self.remote)?;
        if let Some(url) = &mut self.url {
            restore(url)?;
        }
        Ok(self)
    }

    pub fn clear(repo: &Repository) -> Result<()> {
        match std::fs::remove_file(Self::path(repo)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}
/// What the pre-push hook tells `envguard push` (through the file named by
/// `ENVGUARD_WRAPPER`): whether it toggled, how many refs are left to push, and which site it
/// wiped, for the wrapper to verify the deployment once git's push is done.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct HookReport {
    /// The toggle deployed the push; git's own push was stopped.
    pub toggled: bool,
    /// Refs of the push the toggle did not deploy.
    pub rest: usize,
    /// The site whose env the hook deleted.
    pub wiped: Option<WipedSite>,
}

/// A site whose env the hook deleted before git's push.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WipedSite {
    pub remote: String,
    pub url: String,
    /// The pushed tips whose deployments build the new env.
    pub tips: Vec<String>,
}

impl HookReport {
    /// Writes the report to the wrapper's file, when the hook runs under `envguard push`.
    /// A URL's password stays out of the file; the wrapper has the URL in its arguments.
    pub fn hand_over(&self) {
        let mut stored = self.clone();
        if let Some(site) = &mut stored.wiped {
            site.remote = crate::url::redact(&site.remote);
            site.url = crate::url::redact(&site.url);
        }
        if let Some(path) = crate::vars::wrapper()
            && let Ok(json) = serde_json::to_vec(&stored)
            && let Err(e) = std::fs::write(&path, json)
        {
            log::warn!("cannot tell envguard push what the hook did: {e}");
        }
    }

    /// The report the hook left in `path`, if any.
    pub fn read(path: &std::path::Path) -> Option<HookReport> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }
}
