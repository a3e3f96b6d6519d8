//! Surgical prune: which installed distributions a fresh install of the pushed requirements
//! would not have. Given the requirement set and the distributions of an env (from their
//! `*.dist-info/METADATA`), everything reachable from the requirements (dependencies
//! followed through `Requires-Dist`, with markers evaluated for the env's Python and the
//! extras asked for) stays; the rest is an orphan, except the installer's own packages.
//! Pure: reading the env and removing files is the server's (`server::prune`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::str::FromStr;

use pep508_rs::{ExtraName, MarkerEnvironment, MarkerEnvironmentBuilder, Requirement};

use crate::requirements::{RequirementSet, Source, normalize_name};

/// Installed by the installer itself; never orphans unless asked (`envguard.pruneKeep`).
pub const INSTALLER_PACKAGES: [&str; 3] = ["pip", "setuptools", "wheel"];

/// One installed distribution, as its metadata says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// Normalized name.
    pub name: String,
    pub version: String,
    /// `Requires-Dist` lines.
    pub requires: Vec<String>,
}

/// `Name`, `Version` and every `Requires-Dist` of a METADATA file (RFC 822 headers up to
/// the first blank line).
pub fn parse_metadata(text: &str) -> Option<Installed> {
    // METADATA is an RFC 822 message (core metadata spec): a header's continuation lines
    // belong to it, and only the first `Name` counts.
    let (headers, _) = mailparse::parse_headers(text.as_bytes()).ok()?;
    let mut name = None;
    let mut version = String::new();
    let mut requires = Vec::new();
    for header in &headers {
        let value = header.get_value();
        let value = value.trim();
        match header.get_key().to_ascii_lowercase().as_str() {
            "name" if name.is_none() => name = Some(normalize_name(value)),
            "version" if version.is_empty() => version = value.to_string(),
            "requires-dist" => requires.push(value.to_string()),
            _ => {}
        }
    }
    Some(Installed {
        name: name?,
        version,
        requires,
    })
}

/// What an entry of site-packages is to the prune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteEntry {
    /// A `*.dist-info` folder: its METADATA says what is installed.
    DistInfo,
    /// An egg install, whose files no METADATA attributes: only a wipe is safe.
    Egg(String),
    /// A `.pth` file other than virtualenv's and setuptools' own: only a wipe is safe.
    Pth(String),
    /// Anything else (package folders, `__pycache__`).
    Other,
}

/// `.pth` files that virtualenv and setuptools write themselves.
const KNOWN_PTH: [&str; 2] = ["distutils-precedence.pth", "_virtualenv.pth"];

/// Classifies an entry of site-packages by its name.
pub fn site_entry(name: &str) -> SiteEntry {
    if name.ends_with(".dist-info") {
        SiteEntry::DistInfo
    } else if name.ends_with(".egg-info") || name.ends_with(".egg-link") {
        SiteEntry::Egg(name.to_string())
    } else if name.ends_with(".pth") && !KNOWN_PTH.contains(&name) {
        SiteEntry::Pth(name.to_string())
    } else {
        SiteEntry::Other
    }
}

/// The marker environment of an env on this machine: its Python version (from
/// `pyvenv.cfg`) and this machine's platform.
pub fn marker_environment(python_full_version: &str) -> Option<MarkerEnvironment> {
    marker_environment_on(python_full_version, std::env::consts::OS)
}

/// The marker environment of an env with this Python on `os` (`windows`, `macos`,
/// `linux`): a site's env is read from elsewhere.
pub fn marker_environment_on(python_full_version: &str, os: &str) -> Option<MarkerEnvironment> {
    let mut parts = python_full_version.split('.');
    let python_version = format!("{}.{}", parts.next()?, parts.next()?);
    let (os_name, sys_platform, platform_system) = match os {
        "windows" => ("nt", "win32", "Windows"),
        "macos" => ("posix", "darwin", "Darwin"),
        _ => ("posix", "linux", "Linux"),
    };
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: python_full_version,
        os_name,
        platform_machine: std::env::consts::ARCH,
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system,
        platform_version: "",
        python_full_version,
        python_version: &python_version,
        sys_platform,
    })
    .ok()
}

/// The `version` (or `version_info`) of a `pyvenv.cfg`.
pub fn pyvenv_version(cfg: &str) -> Option<String> {
    let value = |wanted: &str| {
        cfg.lines().find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == wanted).then(|| value.trim().to_string())
        })
    };
    // `python -m venv` writes `version = 3.11.7`; virtualenv (piku's) writes
    // `version_info = 3.11.7.final.0`: its numeric release is the version.
    value("version").or_else(|| {
        let info = value("version_info")?;
        let release: Vec<&str> = info
            .split('.')
            .take_while(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            .take(3)
            .collect();
        (!release.is_empty()).then(|| release.join("."))
    })
}

/// What a prune would do, or why only a wipe is safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prune {
    /// Installed, not reachable from the requirements: to uninstall.
    pub orphans: Vec<String>,
    /// Reachable but installed from a source that changed: to uninstall, so the deployment
    /// installs them again from the new source.
    pub reinstall: Vec<String>,
    /// Required (or a dependency of a required one) but not installed.
    pub missing: Vec<String>,
}

impl Prune {
    /// Everything to uninstall.
    pub fn remove(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .orphans
            .iter()
            .chain(&self.reinstall)
            .cloned()
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

/// The prune of an env with `installed` distributions for the requirement `set`, whose
/// packages named in `source_changed` changed source. `keep`: never orphans. `Err`: why only
/// a wipe is safe (a requirement envguard cannot attribute to an installed distribution).
pub fn plan(
    set: &RequirementSet,
    installed: &[Installed],
    env: &MarkerEnvironment,
    source_changed: &[String],
    keep: &[String],
) -> Result<Prune, crate::WipeInstead> {
    let by_name: BTreeMap<&str, &Installed> =
        installed.iter().map(|d| (d.name.as_str(), d)).collect();
    let mut queue: VecDeque<(String, Option<String>)> = VecDeque::new();
    // What is kept stays with everything it requires, as a fresh install of it would have.
    for name in keep.iter().map(|k| normalize_name(k)) {
        if by_name.contains_key(name.as_str()) {
            queue.push_back((name, None));
        }
    }
    for (name, entry) in &set.requirements {
        let applies = entry.markers.iter().any(|m| marker_holds(m, env));
        if !applies {
            continue;
        }
        let located = entry.forms.iter().any(|(s, _, _)| *s != Source::Index);
        if located && !by_name.contains_key(name.as_str()) {
            return Err(crate::WipeInstead::UnnamedSource {
                text: entry.first.text.clone(),
                name: name.clone(),
            });
        }
        queue.push_back((name.clone(), None));
        queue.extend(entry.extras.iter().map(|e| (name.clone(), Some(e.clone()))));
    }
    no_version_replaced(set, &by_name)?;
    let mut seen: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    let mut reachable = BTreeSet::new();
    let mut missing = BTreeSet::new();
    while let Some(item) = queue.pop_front() {
        if !seen.insert(item.clone()) {
            continue;
        }
        let (name, extra) = item;
        let Some(dist) = by_name.get(name.as_str()) else {
            missing.insert(name);
            continue;
        };
        reachable.insert(name.clone());
        let extras: Vec<ExtraName> = extra
            .iter()
            .filter_map(|e| ExtraName::from_str(e).ok())
            .collect();
        for line in &dist.requires {
            let Ok(req) = Requirement::<pep508_rs::VerbatimUrl>::from_str(line) else {
                return Err(crate::WipeInstead::UnreadableMetadata {
                    dist: dist.name.clone(),
                    line: line.clone(),
                });
            };
            // A dependency of an extra applies only when that extra is asked for.
            if !req.marker.evaluate(env, &extras) {
                continue;
            }
            let dep = normalize_name(req.name.as_ref());
            queue.push_back((dep.clone(), None));
            queue.extend(
                req.extras
                    .iter()
                    .map(|e| (dep.clone(), Some(e.to_string()))),
            );
        }
    }
    let kept = |name: &str| keep.iter().any(|k| normalize_name(k) == name);
    let orphans = installed
        .iter()
        .map(|d| d.name.clone())
        .filter(|n| !reachable.contains(n) && !kept(n))
        .collect();
    let reinstall = source_changed
        .iter()
        .filter(|n| by_name.contains_key(n.as_str()))
        .cloned()
        .collect();
    Ok(Prune {
        orphans,
        reinstall,
        missing: missing.into_iter().collect(),
    })
}

/// An installed version the pushed requirements (or constraints) do not allow is replaced
/// by the deployment, and the dependencies of the version it installs are not in this env's
/// metadata: the prune cannot know what stays, so only a wipe is exact.
fn no_version_replaced(
    set: &RequirementSet,
    by_name: &BTreeMap<&str, &Installed>,
) -> Result<(), crate::WipeInstead> {
    for (name, entry) in set.requirements.iter().chain(&set.constraints) {
        if let Some(dist) = by_name.get(name.as_str())
            && let Some(spec) = disallowed_version(&entry.first.text, &dist.version)
        {
            return Err(crate::WipeInstead::VersionReplaced {
                name: name.clone(),
                installed: dist.version.clone(),
                spec,
            });
        }
    }
    Ok(())
}

/// The version specifiers of requirement line `text` when `installed` does not satisfy
/// them (`None`: it does, the line names none, or the version is not PEP 440). The line's
/// per-requirement options (` --hash=...`) are not part of PEP 508 and are left out.
fn disallowed_version(text: &str, installed: &str) -> Option<String> {
    use pep508_rs::pep440_rs::Version;
    let pep508 = text.split(" --").next().unwrap_or(text).trim();
    let req = Requirement::<pep508_rs::VerbatimUrl>::from_str(pep508).ok()?;
    let Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) = req.version_or_url else {
        return None;
    };
    let version = Version::from_str(installed).ok()?;
    (!specifiers.contains(&version)).then(|| specifiers.to_string())
}

/// Whether a requirement's marker (canonical, `""`: none) holds in `env`.
fn marker_holds(marker: &str, env: &MarkerEnvironment) -> bool {
    if marker.is_empty() {
        return true;
    }
    // Parsed through a requirement, as the marker was written on one.
    Requirement::<pep508_rs::VerbatimUrl>::from_str(&format!("x ; {marker}"))
        .map(|r| r.marker.evaluate(env, &[]))
        .unwrap_or(true)
}

/// What is wrong with an installed distribution's files, by its RECORD (byte code aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flaw {
    /// The distribution's normalized name.
    pub dist: String,
    pub path: std::path::PathBuf,
    pub kind: FlawKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlawKind {
    /// A file its RECORD lists is not there (byte code aside, which Python writes again).
    Missing,
    /// A file its RECORD lists is reached through a symbolic link to a folder: removing it
    /// would remove what the link leads to.
    ThroughLink,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_read_as_rfc_822() {
        let meta = "Metadata-Version: 2.1\nName: Real_Pkg\nSummary: a thing that\n Name: fake\n\
                    Version: 1.0\nName: second\nRequires-Dist: dep (>=1)\n\nName: body\n";
        let dist = parse_metadata(meta).expect("named");
        assert_eq!(dist.name, "real-pkg");
        assert_eq!(dist.version, "1.0");
        assert_eq!(dist.requires, ["dep (>=1)"]);
    }
    use crate::requirements::{Closure, LoadedFile, parse_file};

    fn set(text: &str) -> RequirementSet {
        let parsed = parse_file(text.as_bytes(), &|_| None);
        let closure = Closure {
            files: vec![LoadedFile {
                path: "requirements.txt".to_string(),
                id: Some(()),
                constraint: false,
                parsed: Some(std::rc::Rc::new(parsed)),
            }],
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        RequirementSet::from_closure(&closure)
    }

    fn dist(name: &str, requires: &[&str]) -> Installed {
        Installed {
            name: name.to_string(),
            version: "1.0".to_string(),
            requires: requires.iter().map(|r| r.to_string()).collect(),
        }
    }

    fn env() -> MarkerEnvironment {
        marker_environment("3.11.7").expect("env")
    }

    #[test]
    fn orphans_are_what_a_fresh_install_would_not_have() {
        let installed = [
            dist("web", &["core", "speedups ; extra == \"fast\""]),
            dist("core", &[]),
            dist("speedups", &[]),
            dist("gone", &["gonedep", "core"]),
            dist("gonedep", &[]),
            dist("old", &[]),
            dist("pip", &[]),
        ];
        let keep: Vec<String> = INSTALLER_PACKAGES.map(str::to_string).to_vec();
        // web without its extra: speedups goes; gone and its own dependency go; core, shared
        // with web, stays; a marker that excludes this Python drops `old`.
        let prune = plan(
            &set("web\nold ; python_version < \"3\"\n"),
            &installed,
            &env(),
            &[],
            &keep,
        )
        .expect("plan");
        assert_eq!(prune.orphans, ["speedups", "gone", "gonedep", "old"]);
        assert!(prune.missing.is_empty());
        let prune = plan(&set("web[fast]\n"), &installed, &env(), &[], &keep).expect("plan");
        assert_eq!(prune.orphans, ["gone", "gonedep", "old"]);
        let prune = plan(
            &set("web\nnew\n"),
            &installed,
            &env(),
            &["web".into()],
            &keep,
        )
        .expect("plan");
        assert_eq!(prune.missing, ["new"]);
        assert_eq!(prune.reinstall, ["web"]);
    }

    /// `web` 1.0 (which needs `core`) is to become 2.0: 2.0's dependencies are not in the
    /// env, so the prune cannot be exact and says to wipe. A version the requirement allows
    /// (and a requirement without one) prunes as usual.
    #[test]
    fn a_version_the_push_replaces_needs_a_wipe() {
        let installed = [dist("web", &["core"]), dist("core", &[])];
        let err = plan(&set("web==2.0\n"), &installed, &env(), &[], &[]);
        assert!(err.is_err(), "{err:?}");
        let why = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(why.contains("web 1.0 is installed"), "{why}");
        for allowed in [
            "web==1.0\n",
            "web>=1,<2\n",
            "web\n",
            "web==1.0 --hash=sha256:00\n",
        ] {
            assert!(
                plan(&set(allowed), &installed, &env(), &[], &[]).is_ok(),
                "{allowed}"
            );
        }
    }

    #[test]
    fn a_url_requirement_that_names_no_installed_distribution_needs_a_wipe() {
        let err = plan(
            &set("https://example.invalid/pkg-1.0.tar.gz\n"),
            &[dist("other", &[])],
            &env(),
            &[],
            &[],
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("installs from a URL or path"),
            "{err}"
        );
    }

    #[test]
    fn metadata_and_pyvenv_cfg() {
        let meta = "Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 2.0\nRequires-Dist: core>=1\n\nRequires-Dist: not-a-header\n";
        let d = parse_metadata(meta).expect("metadata");
        assert_eq!((d.name.as_str(), d.version.as_str()), ("foo-bar", "2.0"));
        assert_eq!(d.requires, ["core>=1"]);
        assert_eq!(
            pyvenv_version("home = /usr/bin\nversion = 3.11.7\n").as_deref(),
            Some("3.11.7")
        );
    }
}
