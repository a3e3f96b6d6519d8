//! The team's committed configuration: `envguard.toml` (or `.envguard.toml`) at the root of
//! the worktree, else `[tool.envguard]` in its `pyproject.toml`, with the keys of
//! `envguard.*` (`remoteName = "azure"`, `branch = ["main", "staging"]`). Every git config
//! setting (system, global, local, worktree, `-c`) overrides it: it is read as the lowest
//! scope. What runs code or reaches a server (`command`, `target`, `scmUrl`, `siteCommand`)
//! is taken from it only with this machine's consent for this very content:
//! `git config envguard.trustCommitted <its sha256>`, which the warning prints.

use std::path::{Path, PathBuf};

use super::KEYS;
use crate::{Error, Result, SettingWarning};

/// The files read, in order; the first that holds envguard's settings is the one.
pub const FILES: [&str; 3] = ["envguard.toml", ".envguard.toml", "pyproject.toml"];

/// The largest committed settings file read.
const MAX_BYTES: u64 = 64 * 1024;

/// Keys whose value runs code or reaches a server.
pub const NEEDS_CONSENT: [&str; 4] = [
    "envguard.command",
    "envguard.target",
    "envguard.scmUrl",
    "envguard.siteCommand",
];

/// Keys that hold several values (a list in the file).
const LISTS: [&str; 5] = [
    "envguard.remote",
    "envguard.remoteName",
    "envguard.branch",
    "envguard.runtimes",
    "envguard.pruneKeep",
];

/// The scope the committed file is read at: below every scope git config has on Linux and
/// macOS (system, XDG, global, local, worktree, `-c`).
pub const LEVEL: git2::ConfigLevel = git2::ConfigLevel::ProgramData;

/// Whether `key` is set in git config itself, not (only) by the committed file.
pub fn set_outside(git: &git2::Config, key: &str) -> bool {
    git.get_entry(key).is_ok_and(|e| e.level() != LEVEL)
}

/// The consent key: the sha256 of the committed file this machine trusts.
pub const TRUST_KEY: &str = "envguard.trustCommitted";

/// A committed configuration file and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub path: PathBuf,
    /// `(key, values)`, keys as `envguard.<name>` spelt as in [`KEYS`].
    pub settings: Vec<(String, Vec<String>)>,
    /// The sha256 of the file's bytes, in hex.
    pub digest: String,
}

impl Committed {
    /// The settings this machine takes: all of them when `trusted` names this content,
    /// else those that need no consent. Also the keys left out.
    pub fn taken(&self, trusted: Option<&str>) -> (Vec<&(String, Vec<String>)>, Vec<&str>) {
        let trusted = trusted.is_some_and(|t| t.trim().eq_ignore_ascii_case(&self.digest));
        let (taken, left): (Vec<_>, Vec<_>) = self.settings.iter().partition(|(key, _)| {
            trusted || !NEEDS_CONSENT.iter().any(|k| k.eq_ignore_ascii_case(key))
        });
        (taken, left.iter().map(|(k, _)| k.as_str()).collect())
    }

    /// The file's name as the user knows it (relative to the worktree).
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// Reads the committed configuration of the worktree at `root`, if there is one. A file
/// that is no TOML, a key envguard does not know, or a value that is no string, number,
/// boolean or list of them is an error naming the file and line.
pub fn read(root: &Path) -> Result<Option<Committed>> {
    for name in FILES {
        let path = root.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        // The team's settings are the repository's own file: never what a link leads to
        // (another file on this machine, a device), never more than a settings file holds.
        if !meta.is_file() {
            return Err(file_error(
                &path,
                None,
                "is not a regular file (a symbolic link or another kind); envguard reads its \
                 committed settings only from a file of the repository",
            ));
        }
        if meta.len() > MAX_BYTES {
            return Err(file_error(
                &path,
                None,
                &format!("is larger than {MAX_BYTES} bytes; no settings file is"),
            ));
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let text = String::from_utf8(bytes.clone())
            .map_err(|_| file_error(&path, None, "is not UTF-8 text"))?;
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| file_error(&path, None, &one_line(&e.to_string())))?;
        let section = if name == "pyproject.toml" {
            match table.get("tool").and_then(|t| t.get("envguard")) {
                Some(toml::Value::Table(section)) => section.clone(),
                Some(_) => {
                    return Err(file_error(
                        &path,
                        line_of(&text, "[tool.envguard]"),
                        "tool.envguard must be a table",
                    ));
                }
                None => continue,
            }
        } else {
            table
        };
        let settings = settings_of(&path, &text, &section)?;
        return Ok(Some(Committed {
            path,
            settings,
            digest: sha256_hex(&bytes),
        }));
    }
    Ok(None)
}

fn settings_of(
    path: &Path,
    text: &str,
    section: &toml::Table,
) -> Result<Vec<(String, Vec<String>)>> {
    let mut settings = Vec::new();
    for (name, value) in section {
        let line = line_of(text, name);
        if name.eq_ignore_ascii_case(&TRUST_KEY["envguard.".len()..]) {
            return Err(file_error(
                path,
                line,
                "trustCommitted is each machine's own consent (git config), never committed",
            ));
        }
        let key = KEYS
            .iter()
            .find(|k| k["envguard.".len()..].eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let nearest = KEYS
                    .iter()
                    .min_by_key(|k| {
                        super::edit_distance(
                            &k["envguard.".len()..].to_ascii_lowercase(),
                            &name.to_ascii_lowercase(),
                        )
                    })
                    .map_or("mode", |k| &k["envguard.".len()..]);
                file_error(
                    path,
                    line,
                    &format!("'{name}' is no setting envguard knows; did you mean {nearest}?"),
                )
            })?;
        let scalar = |v: &toml::Value| match v {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Integer(i) => Some(i.to_string()),
            toml::Value::Boolean(b) => Some(b.to_string()),
            _ => None,
        };
        let values = match value {
            toml::Value::Array(items) => items.iter().map(scalar).collect::<Option<Vec<_>>>(),
            other => scalar(other).map(|v| vec![v]),
        }
        .ok_or_else(|| {
            file_error(
                path,
                line,
                &format!("'{name}' must be a string, a number, true/false or a list of them"),
            )
        })?;
        if values.len() != 1 && !LISTS.contains(key) {
            return Err(file_error(
                path,
                line,
                &format!("'{name}' takes one value, not a list"),
            ));
        }
        settings.push(((*key).to_string(), values));
    }
    Ok(settings)
}

/// A setting the committed file gave that envguard cannot use, as an error naming the file
/// and line; any other error as it is.
pub fn attribute(repo: &git2::Repository, git: &git2::Config, error: Error) -> Error {
    let Error::Config {
        key,
        value,
        expected,
    } = &error
    else {
        return error;
    };
    let from_file = git.get_entry(key).is_ok_and(|e| e.level() == LEVEL);
    let Some(committed) = repo
        .workdir()
        .filter(|_| from_file)
        .and_then(|root| read(root).ok().flatten())
    else {
        return error;
    };
    let text = std::fs::read_to_string(&committed.path).unwrap_or_default();
    let name = key.strip_prefix("envguard.").unwrap_or(key);
    let line = line_of(&text, name);
    file_error(
        &committed.path,
        line,
        &format!("{name} = '{value}': expected {expected}"),
    )
}

/// Warnings for the committed settings this machine did not take: which, why, and the
/// consent that takes them. `git` is the configuration without the committed file; a key it
/// sets itself needs no warning.
pub fn consent_warnings(committed: &Committed, git: &git2::Config) -> Vec<SettingWarning> {
    let trusted = git.get_string(TRUST_KEY).ok();
    let (_, left) = committed.taken(trusted.as_deref());
    let left: Vec<&str> = left
        .into_iter()
        .filter(|key| !set_outside(git, key))
        .collect();
    if left.is_empty() {
        return Vec::new();
    }
    vec![SettingWarning::NoConsent {
        file: committed.name(),
        keys: left.into_iter().map(str::to_string).collect(),
        digest: committed.digest.clone(),
        consent_key: TRUST_KEY,
    }]
}

/// The settings as a git config file's text (a `[envguard]` section).
pub fn as_git_config(settings: &[&(String, Vec<String>)]) -> String {
    let mut text = String::from("[envguard]\n");
    for (key, values) in settings {
        let name = &key["envguard.".len()..];
        for value in values {
            let escaped = value
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            text.push_str(&format!("\t{name} = \"{escaped}\"\n"));
        }
    }
    text
}

/// The first line of `text` that sets `name` (or holds it, for a section header).
fn line_of(text: &str, name: &str) -> Option<usize> {
    // Keys are matched without ASCII case, as envguard reads them.
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.get(..name.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(name))
                && line[name.len()..]
                    .trim_start()
                    .starts_with(['=', ']'].as_slice())
                || line == name
        })
        .map(|i| i + 1)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn file_error(path: &Path, line: Option<usize>, message: &str) -> Error {
    Error::CommittedConfig {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(name: &str, text: &str) -> Result<Option<Committed>> {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(name), text).expect("write");
        read(dir.path())
    }

    #[test]
    fn keys_lists_and_scalars_are_read() {
        let c = read_text(
            "envguard.toml",
            "remoteName = \"azure\"\nbranch = [\"main\", \"staging\"]\nremoteAttempts = 3\n",
        )
        .expect("read")
        .expect("some");
        assert_eq!(
            c.settings,
            [
                (
                    "envguard.branch".to_string(),
                    vec!["main".into(), "staging".into()]
                ),
                ("envguard.remoteAttempts".to_string(), vec!["3".into()]),
                ("envguard.remoteName".to_string(), vec!["azure".into()]),
            ]
        );
    }

    #[test]
    fn pyproject_is_read_only_with_a_tool_envguard_table() {
        let none = read_text("pyproject.toml", "[project]\nname = \"x\"\n").expect("read");
        assert_eq!(none, None);
        let c = read_text("pyproject.toml", "[tool.envguard]\nmode = \"warn\"\n")
            .expect("read")
            .expect("some");
        assert_eq!(c.settings, [("envguard.mode".into(), vec!["warn".into()])]);
    }

    #[test]
    fn mistakes_name_the_file_and_line() {
        let err = read_text("envguard.toml", "mode = \"warn\"\nremotName = \"azure\"\n")
            .expect_err("typo");
        assert!(
            matches!(&err, Error::CommittedConfig { line: Some(2), message, .. } if message.contains("did you mean remoteName")),
            "{err}"
        );
        let err = read_text("envguard.toml", "mode = [\n").expect_err("not TOML");
        assert!(matches!(err, Error::CommittedConfig { .. }), "{err}");
        let err = read_text("envguard.toml", "command = [\"a\", \"b\"]\n").expect_err("list");
        assert!(
            matches!(&err, Error::CommittedConfig { line: Some(1), message, .. } if message.contains("one value")),
            "{err}"
        );
        let err = read_text("envguard.toml", "mode = { a = 1 }\n").expect_err("table");
        assert!(
            matches!(&err, Error::CommittedConfig { line: Some(1), .. }),
            "{err}"
        );
    }

    #[test]
    fn what_runs_code_needs_this_machines_consent_for_this_content() {
        let c = read_text(
            "envguard.toml",
            "mode = \"command\"\ncommand = \"curl -X POST https://example.invalid\"\n",
        )
        .expect("read")
        .expect("some");
        let (taken, left) = c.taken(None);
        assert_eq!(taken.len(), 1);
        assert_eq!(left, ["envguard.command"]);
        let (taken, left) = c.taken(Some(&c.digest));
        assert_eq!((taken.len(), left.len()), (2, 0));
        let (_, left) = c.taken(Some("0000"));
        assert_eq!(left, ["envguard.command"], "consent to other content");
    }
}
