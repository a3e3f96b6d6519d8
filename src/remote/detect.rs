//! `envguard platform detect`: which App Service platform a site runs, asked of its Kudu API
//! once and recorded as `envguard.platform`. The clues are the platform's own: Windows or
//! Linux from the paths of the VFS listing; on Linux, the app settings that switch Oryx off
//! (`ENABLE_ORYX_BUILD=false`: KuduScript's bash deployment) or make it build in place
//! (`BUILD_FLAGS=Off`), else Oryx, whose manifest says it ships a compressed, fresh env.

use super::kudu::Client;
use crate::Result;
use crate::platform::Platform;

/// A detected platform and the clue it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub platform: Platform,
    pub why: String,
}

/// What the API answered, for [`decide`].
#[derive(Debug, Default)]
pub struct Clues {
    /// The `path` of the first entry of the home folder's VFS listing.
    pub home_entry_path: Option<String>,
    /// The app settings (`GET /api/settings`).
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// `site/wwwroot/oryx-manifest.toml`, if there is one.
    pub oryx_manifest: Option<String>,
}

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
    if is_linux(&clues) {
        let settings = client.get(base, "api/settings")?.unwrap_or_default();
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&settings) {
            clues.settings = map;
        }
        clues.oryx_manifest = client.get(base, "api/vfs/site/wwwroot/oryx-manifest.toml")?;
    }
    Ok(decide(&clues))
}

fn is_linux(clues: &Clues) -> bool {
    clues
        .home_entry_path
        .as_deref()
        .is_some_and(|p| p.starts_with('/'))
}

fn setting_is(clues: &Clues, key: &str, value: &str) -> bool {
    clues
        .settings
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(value))
}

/// The platform the clues point to.
pub fn decide(clues: &Clues) -> Detected {
    let detected = |platform, why: &str| Detected {
        platform,
        why: why.to_string(),
    };
    if !is_linux(clues) {
        let shown = clues.home_entry_path.as_deref().unwrap_or("(no listing)");
        return Detected {
            platform: Platform::KuduWindows,
            why: format!(
                "the site runs Windows (its files are at {shown}); Kudu keeps env until the \
                 runtime runtime.txt selects changes"
            ),
        };
    }
    if setting_is(clues, "ENABLE_ORYX_BUILD", "false") {
        return detected(
            Platform::KuduLinux,
            "the site runs Linux with ENABLE_ORYX_BUILD=false: KuduScript's bash deployment \
             keeps site/wwwroot/antenv and only runs pip into it",
        );
    }
    if setting_is(clues, "BUILD_FLAGS", "Off") {
        return detected(
            Platform::OryxInPlace,
            "the site runs Linux with BUILD_FLAGS=Off: Oryx builds in place and reuses \
             antenv in site/repository and site/wwwroot",
        );
    }
    match &clues.oryx_manifest {
        Some(m) if m.contains("CompressDestinationDir=\"true\"") => detected(
            Platform::Oryx,
            "the site runs Linux with Oryx, whose manifest says CompressDestinationDir=\"true\": \
             antenv is built fresh on every deployment",
        ),
        Some(_) => detected(
            Platform::Oryx,
            "the site runs Linux with Oryx (oryx-manifest.toml in site/wwwroot): antenv is \
             built fresh on every deployment",
        ),
        None => detected(
            Platform::Oryx,
            "the site runs Linux and no setting switches Oryx off: Oryx (the default) builds \
             antenv fresh on every deployment",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clues(path: &str, settings: &[(&str, &str)], manifest: Option<&str>) -> Clues {
        Clues {
            home_entry_path: Some(path.to_string()),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
                .collect(),
            oryx_manifest: manifest.map(str::to_string),
        }
    }

    #[test]
    fn platform_from_the_site_clues() {
        let windows = clues("D:\\home\\site", &[("BUILD_FLAGS", "Off")], None);
        assert_eq!(decide(&windows).platform, Platform::KuduWindows);
        let linux = "/home/site";
        assert_eq!(
            decide(&clues(linux, &[("ENABLE_ORYX_BUILD", "False")], None)).platform,
            Platform::KuduLinux
        );
        assert_eq!(
            decide(&clues(linux, &[("BUILD_FLAGS", "off")], None)).platform,
            Platform::OryxInPlace
        );
        let manifest = "Frameworks=\"python\"\nCompressDestinationDir=\"true\"\n";
        let oryx = decide(&clues(linux, &[], Some(manifest)));
        assert_eq!(oryx.platform, Platform::Oryx);
        assert!(oryx.why.contains("CompressDestinationDir"), "{}", oryx.why);
    }
}
