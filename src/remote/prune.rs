//! The remote prune (`envguard.mode = remote-prune`): the surgical prune of [`crate::prune`]
//! on an App Service site, over Kudu's API. The env's metadata is read over the VFS API
//! (`pyvenv.cfg`, the `*.dist-info/METADATA` of its site-packages), the orphans are
//! uninstalled through the command API with the env's own pip, and a second listing checks
//! they are gone. Anything it cannot decide or do is an `Err` with the reason; the caller then
//! wipes the env instead.

use super::kudu::Client;
use crate::WipeInstead;
use crate::platform::Platform;
use crate::prune::{self, Installed, SiteEntry};
use crate::requirements::RequirementSet;

/// The site's env, as the API shows it.
struct SiteEnv {
    site_packages: String,
    python_version: String,
    dists: Vec<Installed>,
}

/// Names in a VFS listing.
fn names(listing: &str) -> Vec<String> {
    match serde_json::from_str::<serde_json::Value>(listing) {
        Ok(serde_json::Value::Array(entries)) => entries
            .iter()
            .filter_map(|e| e.get("name")?.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn read(
    client: &Client,
    base: &str,
    env: &str,
    platform: Platform,
) -> Result<SiteEnv, crate::WipeInstead> {
    let get = |path: &str| client.get(base, &format!("api/vfs/{path}"));
    let lacks = |what| WipeInstead::EnvLacks {
        env: "the site's env".to_string(),
        what,
    };
    let cfg = get(&format!("{env}/pyvenv.cfg"))?.ok_or_else(|| lacks("pyvenv.cfg"))?;
    let python_version =
        prune::pyvenv_version(&cfg).ok_or_else(|| WipeInstead::NoPythonVersion {
            cfg: "pyvenv.cfg".to_string(),
        })?;
    let site_packages = if platform.is_windows() {
        format!("{env}/Lib/site-packages")
    } else {
        let lib = get(&format!("{env}/lib/"))?.ok_or_else(|| lacks("lib folder"))?;
        let python = names(&lib)
            .into_iter()
            .find(|n| n.starts_with("python"))
            .ok_or_else(|| lacks("lib/pythonX.Y folder"))?;
        format!("{env}/lib/{python}/site-packages")
    };
    let listing = get(&format!("{site_packages}/"))?.ok_or_else(|| lacks("site-packages"))?;
    let mut dists = Vec::new();
    for name in names(&listing) {
        match prune::site_entry(&name) {
            SiteEntry::DistInfo => {
                let meta = get(&format!("{site_packages}/{name}/METADATA"))?
                    .ok_or_else(|| WipeInstead::NoMetadata { name: name.clone() })?;
                dists.push(
                    prune::parse_metadata(&meta)
                        .ok_or_else(|| WipeInstead::MetadataNamesNothing { name: name.clone() })?,
                );
            }
            SiteEntry::Egg(name) => return Err(WipeInstead::Egg { name }),
            SiteEntry::Pth(name) => return Err(WipeInstead::Pth { name }),
            SiteEntry::Other => {}
        }
    }
    Ok(SiteEnv {
        site_packages,
        python_version,
        dists,
    })
}

/// Prunes the env folder `env` (relative to the site's home) of the site at `base` for the
/// requirement `set`; returns the names it uninstalled.
pub fn prune_site(
    client: &Client,
    base: &str,
    env: &str,
    platform: Platform,
    set: &RequirementSet,
    source_changed: &[String],
    keep: &[String],
) -> Result<Vec<String>, crate::WipeInstead> {
    let site = read(client, base, env, platform)?;
    let os = platform.facts().os.name();
    let marker_env = prune::marker_environment_on(&site.python_version, os).ok_or_else(|| {
        WipeInstead::UnknownPython {
            version: site.python_version.clone(),
        }
    })?;
    let plan = prune::plan(set, &site.dists, &marker_env, source_changed, keep)?;
    let remove = plan.remove();
    if remove.is_empty() {
        return Ok(remove);
    }
    let (dir, name) = env.rsplit_once('/').unwrap_or(("", env));
    let (python, dir) = if platform.is_windows() {
        (
            format!("{name}\\Scripts\\python.exe"),
            dir.replace('/', "\\"),
        )
    } else {
        (format!("{name}/bin/python"), dir.to_string())
    };
    // Names read from the site's METADATA go onto the site's command line: only PEP 503
    // names (letters, digits, `-`) do, each double-quoted (cmd and .NET's argument splitting
    // both group on double quotes only).
    if let Some(bad) = remove.iter().find(|n| !is_pep503_name(n)) {
        return Err(WipeInstead::HostileName { name: bad.clone() });
    }
    let quoted: Vec<String> = remove.iter().map(|n| format!("\"{n}\"")).collect();
    let command = format!("{python} -m pip uninstall --yes {}", quoted.join(" "));
    let (code, output) = client.command(base, &command, &dir)?;
    if code != 0 {
        return Err(WipeInstead::CommandFailed {
            command,
            code,
            output: output.trim().to_string(),
        });
    }
    // Checked, not assumed: a second listing must not show them.
    let after = read(client, base, env, platform)?;
    let left: Vec<&str> = after
        .dists
        .iter()
        .map(|d| d.name.as_str())
        .filter(|n| remove.iter().any(|r| r == n))
        .collect();
    if !left.is_empty() {
        return Err(WipeInstead::StillHolds {
            env: site.site_packages.clone(),
            left: left.iter().map(|n| n.to_string()).collect(),
        });
    }
    Ok(remove)
}

/// Whether `name` is a normalized PEP 503 name: lowercase letters and digits, joined by
/// single `-`.
fn is_pep503_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_package_names_reach_the_command_line() {
        for good in ["flask", "flask-cors", "a1"] {
            assert!(is_pep503_name(good), "{good}");
        }
        for bad in [
            "evil;touch x",
            "a b",
            "x\"y",
            "-x",
            "",
            "$(id)",
            "a&b",
            "Flask",
        ] {
            assert!(!is_pep503_name(bad), "{bad}");
        }
    }
}
