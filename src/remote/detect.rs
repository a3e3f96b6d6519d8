//! `envguard platform detect`: asks the site's Kudu API for the clues (the VFS listing, the
//! app settings, Oryx's manifest) and lets the platform table decide
//! ([`crate::platform::detect::decide`]). Only a Kudu JSON listing is evidence: an HTML page
//! or a 404 records nothing.

use super::kudu::Client;
use crate::Result;
use crate::error::site::SiteError;
use crate::platform::detect::{self, Clues};

pub use crate::platform::detect::Detected;

/// Asks the site's API for the [`Clues`] and decides.
pub fn detect(client: &Client, base: &str) -> Result<Detected> {
    let listing = client.get(base, "api/vfs/")?.unwrap_or_default();
    let entries: serde_json::Value = serde_json::from_str(&listing).unwrap_or_default();
    let home_entry_path = entries
        .as_array()
        .and_then(|a| a.iter().find_map(|e| e.get("path")?.as_str()))
        .map(str::to_string);
    let mut clues = Clues {
        home_entry_path,
        ..Clues::default()
    };
    // The app settings on both systems: the Linux build variants, and the branch Kudu
    // deploys (`DEPLOYMENT_BRANCH`).
    if clues.linux().is_some() {
        let settings = client.get(base, "api/settings")?.unwrap_or_default();
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&settings) {
            clues.settings = map
                .into_iter()
                .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                .collect();
        }
    }
    if clues.linux().is_some() {
        // Its `command` decides before anything else, on both systems.
        clues.deployment_file = client.get(base, "api/vfs/site/repository/.deployment")?;
    }
    if clues.linux() == Some(true) {
        clues.oryx_manifest = client.get(base, "api/vfs/site/wwwroot/oryx-manifest.toml")?;
    }
    detect::decide(&clues).map_err(|e| SiteError::from(e).into())
}
