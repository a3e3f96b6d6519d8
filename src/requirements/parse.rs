//! One logical line of a requirements file -> an [`Item`]: a requirement (PEP 508 via
//! `pep508_rs`, or a URL / VCS / path / editable requirement), an include (`-r`/`-c`), an
//! index option, or a global option that does not affect what gets installed.

use std::fmt;
use std::str::FromStr;

use pep508_rs::{Requirement as Pep508Requirement, VersionOrUrl};

/// Where a requirement is installed from. Two requirements of one name with different
/// sources mean pip may keep the old install, so a change of source is a wipe.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A package index (whatever the file's index options say).
    Index,
    /// A direct URL to an archive.
    Url(String),
    /// A version-control URL (`git+https://…@rev`).
    Vcs(String),
    /// A local directory or archive.
    Path(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Index => f.write_str("package index"),
            Source::Url(u) => write!(f, "URL {u}"),
            Source::Vcs(u) => write!(f, "VCS {u}"),
            Source::Path(p) => write!(f, "path {p}"),
        }
    }
}

/// One requirement line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// PEP 503 normalized name; for a requirement without a known name, its URL or path.
    pub key: String,
    pub source: Source,
    pub editable: bool,
    /// Everything else that decides what pip installs (extras, specifiers, markers,
    /// per-requirement build options), in a canonical form for comparison.
    pub spec: String,
    /// The line as written (after joining continuations), for messages.
    pub text: String,
    pub line: usize,
    /// The extras asked for, sorted.
    pub extras: Vec<String>,
    /// The environment marker, canonical (`""`: none).
    pub marker: String,
}

/// The package-index options of a file; they are part of every index requirement's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexOption {
    IndexUrl(String),
    ExtraIndexUrl(String),
    FindLinks(String),
    NoIndex,
}

/// What one logical line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Requirement(Requirement),
    Include {
        target: String,
        constraint: bool,
        line: usize,
    },
    Index(IndexOption),
}

/// Parses one logical line into the items it holds (an option line may hold several).
pub fn parse_line(text: &str, line: usize) -> Result<Vec<Item>, crate::Invalid> {
    let (args, options) = split_args_options(text);
    let options = shell_split(options)?;
    // As in pip, a line is a requirement line when it has a requirement or an `-e`; then
    // only the per-requirement options count, and the rest (includes, index options) are
    // ignored. Otherwise it is an option line.
    let mut items = Vec::new();
    let mut per_requirement = Vec::new();
    let mut editable = None;
    let mut opts = options.into_iter();
    while let Some(token) = opts.next() {
        let (name, inline) = split_option(&token);
        let spec = OPTIONS
            .iter()
            .find(|o| o.names.contains(&name))
            .ok_or_else(|| crate::Invalid::UnknownOption {
                name: name.to_string(),
            })?;
        let value = if spec.takes_value {
            match inline {
                Some(v) => Some(v),
                None => Some(
                    opts.next()
                        .ok_or_else(|| crate::Invalid::OptionNeedsValue {
                            name: name.to_string(),
                        })?,
                ),
            }
        } else if inline.is_some() {
            return Err(crate::Invalid::OptionTakesNoValue {
                name: name.to_string(),
            });
        } else {
            None
        };
        let value = value.unwrap_or_default();
        match spec.kind {
            OptionKind::Requirement => items.push(Item::Include {
                target: value,
                constraint: false,
                line,
            }),
            OptionKind::Constraint => items.push(Item::Include {
                target: value,
                constraint: true,
                line,
            }),
            // pip takes the first `-e` of a line.
            OptionKind::Editable => {
                editable.get_or_insert(value);
            }
            OptionKind::IndexUrl => items.push(Item::Index(IndexOption::IndexUrl(value))),
            OptionKind::ExtraIndexUrl => items.push(Item::Index(IndexOption::ExtraIndexUrl(value))),
            OptionKind::FindLinks => items.push(Item::Index(IndexOption::FindLinks(value))),
            OptionKind::NoIndex => items.push(Item::Index(IndexOption::NoIndex)),
            OptionKind::PerRequirement => {
                if name != "--hash" {
                    per_requirement.push(format!("{name}={value}"));
                }
            }
            OptionKind::Ignored => {}
        }
    }
    let requirement_text = match (args.is_empty(), editable) {
        // pip (25 on) reads the requirement of such a line as the editable one.
        (false, Some(_)) => Some((args.to_string(), true)),
        (false, None) => Some((args.to_string(), false)),
        (true, Some(e)) => Some((e, true)),
        (true, None) => None,
    };
    if let Some((req, is_editable)) = requirement_text {
        items.clear();
        let mut requirement = parse_requirement(&req, is_editable, line)?;
        if !per_requirement.is_empty() {
            per_requirement.sort();
            requirement
                .spec
                .push_str(&format!(" {}", per_requirement.join(" ")));
        }
        items.push(Item::Requirement(requirement));
    }
    Ok(items)
}

#[derive(Clone, Copy)]
enum OptionKind {
    Requirement,
    Constraint,
    Editable,
    IndexUrl,
    ExtraIndexUrl,
    FindLinks,
    NoIndex,
    PerRequirement,
    Ignored,
}

struct OptionSpec {
    names: &'static [&'static str],
    takes_value: bool,
    kind: OptionKind,
}

/// The options pip accepts in a requirements file.
const OPTIONS: &[OptionSpec] = &[
    opt(&["-r", "--requirement"], true, OptionKind::Requirement),
    opt(&["-c", "--constraint"], true, OptionKind::Constraint),
    opt(&["-e", "--editable"], true, OptionKind::Editable),
    opt(&["-i", "--index-url"], true, OptionKind::IndexUrl),
    opt(&["--extra-index-url"], true, OptionKind::ExtraIndexUrl),
    opt(&["-f", "--find-links"], true, OptionKind::FindLinks),
    opt(&["--no-index"], false, OptionKind::NoIndex),
    opt(&["--hash"], true, OptionKind::PerRequirement),
    opt(
        &["--config-settings", "-C"],
        true,
        OptionKind::PerRequirement,
    ),
    opt(&["--global-option"], true, OptionKind::PerRequirement),
    opt(&["--install-option"], true, OptionKind::PerRequirement),
    opt(&["--trusted-host"], true, OptionKind::Ignored),
    opt(&["--only-binary"], true, OptionKind::Ignored),
    opt(&["--no-binary"], true, OptionKind::Ignored),
    opt(&["--use-feature"], true, OptionKind::Ignored),
    opt(&["--prefer-binary"], false, OptionKind::Ignored),
    opt(&["--require-hashes"], false, OptionKind::Ignored),
    opt(&["--pre"], false, OptionKind::Ignored),
];

const fn opt(names: &'static [&'static str], takes_value: bool, kind: OptionKind) -> OptionSpec {
    OptionSpec {
        names,
        takes_value,
        kind,
    }
}

/// `--name=value`, `-xvalue`, or a bare option.
fn split_option(token: &str) -> (&str, Option<String>) {
    if token.starts_with("--") {
        match token.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (token, None),
        }
    } else if token.len() > 2 && token.is_char_boundary(2) {
        (&token[..2], Some(token[2..].to_string()))
    } else {
        (token, None)
    }
}

/// pip's `break_args_options`: tokens (split on single spaces) before the first one that
/// starts with `-` are the requirement, the rest are options.
fn split_args_options(line: &str) -> (&str, &str) {
    let mut offset = 0;
    for token in line.split(' ') {
        if token.starts_with('-') {
            return (line[..offset].trim_end(), &line[offset..]);
        }
        offset += token.len() + 1;
    }
    (line.trim_end(), "")
}

/// POSIX shell-like word splitting (quotes and backslashes), as pip's `shlex.split`.
fn shell_split(text: &str) -> Result<Vec<String>, crate::Invalid> {
    shlex::split(text).ok_or(crate::Invalid::UnclosedQuote)
}

/// PEP 503 name normalization: runs of `-`, `_`, `.` become `-`, lowercase.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_separator = false;
        }
    }
    out
}

const VCS_PREFIXES: &[&str] = &["git+", "hg+", "svn+", "bzr+"];
const URL_SCHEMES: &[&str] = &["http", "https", "file", "ftp", "git", "hg", "svn", "bzr"];
const ARCHIVE_SUFFIXES: &[&str] = &[
    ".whl",
    ".zip",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tar",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
];

/// pip's `is_url`: a known scheme (plain or `vcs+scheme`) before the first `:`.
fn is_url(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    URL_SCHEMES.contains(&scheme.as_str())
        || VCS_PREFIXES
            .iter()
            .any(|p| scheme.strip_prefix(p).is_some_and(|s| !s.is_empty()))
}

fn is_vcs(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    VCS_PREFIXES.iter().any(|p| lower.starts_with(p))
        || ["git:", "hg:", "svn:", "bzr:"]
            .iter()
            .any(|p| lower.starts_with(p))
}

fn looks_like_path(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    text.starts_with('.')
        || text.contains('/')
        || text.contains('\\')
        || ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// A PEP 508 direct reference `name[extras] @ url` (the part before `@` is a bare name).
fn is_direct_reference(text: &str) -> bool {
    let Some((name, _)) = text.split_once('@') else {
        return false;
    };
    let name = name.trim();
    let name = name.split_once('[').map_or(name, |(n, _)| n).trim();
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn parse_requirement(
    text: &str,
    editable: bool,
    line: usize,
) -> Result<Requirement, crate::Invalid> {
    let text = text.trim();
    let url = is_url(text);
    if url || (!is_direct_reference(text) && looks_like_path(text)) {
        let location = text.split(';').next().unwrap_or(text);
        if !editable && !url && location.trim().contains(char::is_whitespace) {
            // pip reads it as a path, which does not exist, then fails on it as a name.
            return Err(crate::Invalid::PathWithSpaces {
                text: text.to_string(),
            });
        }
        return Ok(parse_location_requirement(text, editable, line));
    }
    if editable {
        return Err(crate::Invalid::NotEditable {
            text: text.to_string(),
        });
    }
    check_name_end(text)?;
    let ascii = ascii_for_parser(text)?;
    let (for_parser, arbitrary) = mask_arbitrary_equality(&ascii);
    let parsed =
        Pep508Requirement::<pep508_rs::VerbatimUrl>::from_str(&for_parser).map_err(|e| {
            crate::Invalid::Pep508 {
                text: text.to_string(),
                message: e.message.to_string(),
                column: e.start + 1,
            }
        })?;
    let mut extras: Vec<String> = parsed.extras.iter().map(|e| e.to_string()).collect();
    extras.sort();
    extras.dedup();
    let (source, specifiers) = match &parsed.version_or_url {
        None => (Source::Index, String::new()),
        Some(VersionOrUrl::VersionSpecifier(v)) => {
            let mut specifiers = v.to_string();
            for version in &arbitrary {
                specifiers = specifiers.replacen(
                    &format!("==={ARBITRARY_PLACEHOLDER}"),
                    &format!("==={version}"),
                    1,
                );
            }
            (Source::Index, specifiers)
        }
        Some(VersionOrUrl::Url(url)) => {
            let given = url.given().map_or_else(|| url.to_string(), str::to_string);
            let source = if is_vcs(&given) {
                Source::Vcs(given)
            } else if is_url(&given) {
                Source::Url(given)
            } else {
                Source::Path(given)
            };
            (source, String::new())
        }
    };
    let marker = parsed.marker.try_to_string().unwrap_or_default();
    Ok(Requirement {
        key: parsed.name.to_string(),
        source,
        editable: false,
        spec: canonical_spec(&extras, &specifiers, &marker),
        text: text.to_string(),
        line,
        extras,
        marker,
    })
}

/// PEP 508 is ASCII outside quoted strings. Non-ASCII text inside quotes (a marker value)
/// is written as `_uXXXX_` escapes for the parser, because pep508_rs 0.9 panics on
/// multi-byte characters after a marker expression (it counts characters where it needs
/// bytes). Distinct values stay distinct.
fn ascii_for_parser(text: &str) -> Result<String, crate::Invalid> {
    let mut out = String::with_capacity(text.len());
    let mut quote = None;
    for (column, c) in text.chars().enumerate() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        if c.is_ascii() {
            out.push(c);
        } else if quote.is_some() {
            out.push_str(&format!("_u{:04x}_", u32::from(c)));
        } else {
            return Err(crate::Invalid::NonAscii {
                text: text.to_string(),
                character: c,
                column: column + 1,
            });
        }
    }
    Ok(out)
}

const ARBITRARY_PLACEHOLDER: &str = "0";

/// PEP 440 arbitrary equality (`===anything`) takes any string as its version, which
/// pep508_rs rejects: each such version is replaced by a placeholder for the parser and
/// returned, in order, to be put back into the specifiers.
fn mask_arbitrary_equality(text: &str) -> (String, Vec<String>) {
    let mut masked = String::with_capacity(text.len());
    let mut versions = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("===") {
        masked.push_str(&rest[..at + 3]);
        let after = &rest[at + 3..];
        let spaces = after.len() - after.trim_start().len();
        let value = &after[spaces..];
        let len = value
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ')'))
            .unwrap_or(value.len());
        if len == 0 {
            rest = after;
            continue;
        }
        versions.push(value[..len].to_string());
        masked.push_str(ARBITRARY_PLACEHOLDER);
        rest = &value[len..];
    }
    masked.push_str(rest);
    (masked, versions)
}

/// A name or an extra may not end in `.`, `-` or `_`. Checked here because pep508_rs 0.9
/// panics on such an identifier when something follows it (`foo_ >=1`, `foo[bar-]`).
fn check_name_end(text: &str) -> Result<(), crate::Invalid> {
    let is_identifier_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    let rest = text.trim_start();
    let name_len = rest.find(|c| !is_identifier_char(c)).unwrap_or(rest.len());
    let mut identifiers = vec![("package name", &rest[..name_len])];
    let after = rest[name_len..].trim_start();
    if let Some(extras) = after.strip_prefix('[') {
        let extras = extras.split(']').next().unwrap_or_default();
        for extra in extras.split(',') {
            let extra = extra.trim();
            let len = extra
                .find(|c| !is_identifier_char(c))
                .unwrap_or(extra.len());
            identifiers.push(("extra", &extra[..len]));
        }
    }
    for (what, identifier) in identifiers {
        if let Some(c @ ('.' | '-' | '_')) = identifier.chars().last() {
            return Err(crate::Invalid::NameEnd {
                text: text.to_string(),
                what,
                identifier: identifier.to_string(),
                end: c,
            });
        }
    }
    Ok(())
}

/// A URL, VCS or path requirement without a PEP 508 name: the name comes from `#egg=` or
/// from an archive's file name, else the location itself identifies it.
fn parse_location_requirement(text: &str, editable: bool, line: usize) -> Requirement {
    let url = is_url(text);
    // pip splits markers off a URL at "; " (a URL may contain ';'), off a path at ';'.
    let separator = if url { "; " } else { ";" };
    let (location, marker) = match text.split_once(separator) {
        Some((l, m)) => (l.trim(), m.trim()),
        None => (text.trim(), ""),
    };
    let (location, extras) = if url {
        (location, Vec::new())
    } else {
        strip_extras(location)
    };
    let (base, fragment) = location.split_once('#').unwrap_or((location, ""));
    let egg = fragment
        .split('&')
        .find_map(|kv| kv.strip_prefix("egg="))
        .map(|e| e.split_once('[').map_or(e, |(n, _)| n))
        .filter(|e| !e.is_empty());
    let file_name = base
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(base);
    let name = egg
        .map(str::to_string)
        .or_else(|| archive_project_name(file_name))
        .or_else(|| is_vcs(location).then(|| vcs_project_name(base)).flatten());
    let source = if is_vcs(location) {
        Source::Vcs(location.to_string())
    } else if url {
        Source::Url(location.to_string())
    } else {
        Source::Path(location.to_string())
    };
    Requirement {
        // Unnamed: keyed by its location, marked, and shown without user information.
        key: name.map_or_else(
            || format!("{UNNAMED}{}", crate::url::without_password(base)),
            |n| normalize_name(&n),
        ),
        source,
        editable,
        spec: canonical_spec(&extras, "", marker),
        text: text.to_string(),
        line,
        extras: extras.clone(),
        marker: marker.to_string(),
    }
}

/// The start of the key of a requirement whose project name envguard cannot know (a URL or
/// path without `#egg=`, an archive name or a repository name): such keys are no names, so
/// they never count as removed packages; a change of them is a change of source.
pub const UNNAMED: &str = "unnamed:";

/// Whether a requirement key is a name (and not an unnamed location).
pub fn is_name(key: &str) -> bool {
    !key.starts_with(UNNAMED)
}

/// The project a VCS URL names by its repository: the last path segment without its
/// `@revision` and `.git` (`git+https://host/org/tool.git@v1` -> `tool`).
fn vcs_project_name(base: &str) -> Option<String> {
    let path = base.split_once("://").map_or(base, |(_, rest)| {
        rest.split_once('/').map_or("", |(_, path)| path)
    });
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let last = last.split_once('@').map_or(last, |(repo, _)| repo);
    let name = last.strip_suffix(".git").unwrap_or(last);
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    valid.then(|| name.to_string())
}

/// `path[extra1,extra2]` -> (`path`, sorted extras).
fn strip_extras(location: &str) -> (&str, Vec<String>) {
    if let Some(open) = location.rfind('[')
        && location.ends_with(']')
    {
        let mut extras: Vec<String> = location[open + 1..location.len() - 1]
            .split(',')
            .map(|e| normalize_name(e.trim()))
            .filter(|e| !e.is_empty())
            .collect();
        extras.sort();
        return (&location[..open], extras);
    }
    (location, Vec::new())
}

/// The project name in a wheel (`name-ver-…whl`) or sdist (`name-1.0.tar.gz`) file name.
fn archive_project_name(file_name: &str) -> Option<String> {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".whl") {
        return file_name.split('-').next().map(str::to_string);
    }
    let suffix = ARCHIVE_SUFFIXES
        .iter()
        .find(|s| lower.ends_with(*s) && **s != ".whl")?;
    let stem = &file_name[..file_name.len() - suffix.len()];
    // The version starts at the last '-' followed by a digit.
    let cut = stem
        .char_indices()
        .filter(|&(i, c)| c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        .map(|(i, _)| i)
        .next_back()?;
    Some(stem[..cut].to_string())
}

fn canonical_spec(extras: &[String], specifiers: &str, marker: &str) -> String {
    let mut spec = String::new();
    if !extras.is_empty() {
        spec.push_str(&format!("[{}]", extras.join(",")));
    }
    spec.push_str(specifiers);
    if !marker.is_empty() {
        spec.push_str(&format!("; {marker}"));
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requirement(text: &str) -> Requirement {
        match parse_line(text, 1).unwrap().as_slice() {
            [Item::Requirement(r)] => r.clone(),
            other => panic!("expected one requirement, got {other:?}"),
        }
    }

    #[test]
    fn names_are_normalized() {
        assert_eq!(requirement("Flask-CORS==3.0").key, "flask-cors");
        assert_eq!(requirement("Foo_Bar").key, "foo-bar");
        assert_eq!(requirement("foo.bar").key, "foo-bar");
        assert_eq!(normalize_name("A__b-.C"), "a-b-c");
    }

    #[test]
    fn specifiers_extras_and_markers_are_canonical() {
        let a = requirement("requests [security,socks] >= 2.8.1 ; python_version > '3.8'");
        let b = requirement("requests[socks,security]>=2.8.1;python_version>\"3.8\"");
        assert_eq!(a.spec, b.spec);
        assert_eq!(a.source, Source::Index);
        assert_ne!(
            requirement("requests==2").spec,
            requirement("requests==3").spec
        );
    }

    #[test]
    fn per_requirement_options() {
        let r = requirement("flask==2.0 --hash=sha256:abc --config-settings key=value");
        assert_eq!(r.key, "flask");
        assert!(r.spec.contains("--config-settings=key=value"), "{}", r.spec);
        assert!(
            !r.spec.contains("sha256"),
            "hashes do not change what is installed"
        );
    }

    #[test]
    fn direct_reference_and_vcs() {
        let r = requirement("mylib @ https://example.invalid/mylib-1.0-py3-none-any.whl");
        assert_eq!(r.key, "mylib");
        assert!(matches!(r.source, Source::Url(_)));
        let v = requirement("git+https://example.invalid/x/y.git@v1#egg=Y_Pkg");
        assert_eq!(v.key, "y-pkg");
        assert!(matches!(v.source, Source::Vcs(_)));
    }

    #[test]
    fn editable_and_paths() {
        let e = requirement("-e git+https://example.invalid/r.git#egg=thing");
        assert!(e.editable);
        assert_eq!(e.key, "thing");
        let p = requirement("./wheels/Some_Pkg-2.1-py3-none-any.whl");
        assert_eq!(p.key, "some-pkg");
        assert!(matches!(p.source, Source::Path(_)));
        let s = requirement("vendor/pkg-name-1.2.3.tar.gz");
        assert_eq!(s.key, "pkg-name");
        let d = requirement("./local/dir[extra]");
        assert_eq!(d.key, "unnamed:./local/dir");
        let named_by_repository = requirement("git+https://ci:tok@git.corp/org/tool.git@v1");
        assert_eq!(named_by_repository.key, "tool");
        let unnamed = requirement("https://deploy:pw@files.corp/download?id=42");
        assert_eq!(unnamed.key, "unnamed:https://***@files.corp/download?id=42");
        assert_eq!(d.spec, "[extra]");
        assert!(parse_line("-e flask", 1).is_err());
    }

    #[test]
    fn includes_and_options() {
        let items = parse_line("-r base.txt", 4).unwrap();
        assert_eq!(
            items,
            vec![Item::Include {
                target: "base.txt".into(),
                constraint: false,
                line: 4
            }]
        );
        let items = parse_line("--constraint=c.txt", 1).unwrap();
        assert!(matches!(
            &items[0],
            Item::Include {
                constraint: true,
                ..
            }
        ));
        let items = parse_line("-rother.txt", 1).unwrap();
        assert!(matches!(&items[0], Item::Include { target, .. } if target == "other.txt"));
        let items = parse_line("-i https://index.invalid/simple --pre", 1).unwrap();
        assert_eq!(
            items,
            vec![Item::Index(IndexOption::IndexUrl(
                "https://index.invalid/simple".into()
            ))]
        );
        assert!(parse_line("--no-index", 1).is_ok());
        assert!(parse_line("--trusted-host host --only-binary :all:", 1).is_ok());
    }

    #[test]
    fn errors() {
        let err = parse_line("flask==>2", 1).unwrap_err();
        assert!(
            err.to_string().contains("invalid requirement 'flask==>2'"),
            "{err}"
        );
        assert!(
            parse_line("--bogus", 1)
                .unwrap_err()
                .to_string()
                .contains("--bogus")
        );
        assert!(
            parse_line("-r", 1)
                .unwrap_err()
                .to_string()
                .contains("needs a value")
        );
        assert!(parse_line("-i 'unclosed", 1).is_err());
        let err = parse_line("Foo_ >=1", 1).unwrap_err();
        assert!(
            err.to_string().contains("must end with a letter or digit"),
            "{err}"
        );
        let err = parse_line("foo[bar-, baz]", 1).unwrap_err();
        assert!(err.to_string().contains("the extra 'bar-'"), "{err}");
        // Two requirements joined by a continuation read as one path with spaces.
        let err = parse_line("flask https://h.example/x-1.0.zip#egg=x", 1).unwrap_err();
        assert!(
            err.to_string().contains("one requirement per line"),
            "{err}"
        );
    }

    #[test]
    fn non_ascii_outside_quotes_is_an_error_and_inside_is_kept_apart() {
        let err = parse_line("b ; sys_platform == \"win\" wün\"", 1).unwrap_err();
        assert!(err.to_string().contains("non-ASCII character 'ü'"), "{err}");
        assert!(parse_line("b ; os_name == \"x\" \"ü\"", 1).is_err());
        let a = requirement("b ; platform_release == \"ä\"");
        let o = requirement("b ; platform_release == \"ö\"");
        assert_ne!(a.spec, o.spec);
        assert_eq!(a.key, "b");
    }

    #[test]
    fn arbitrary_equality_keeps_its_version() {
        let r = requirement("Foo===weird-1.0 ; python_version > '3'");
        assert_eq!(r.key, "foo");
        assert!(r.spec.contains("===weird-1.0"), "{}", r.spec);
        assert_ne!(requirement("foo===a").spec, requirement("foo===b").spec);
    }

    #[test]
    fn a_requirement_line_ignores_option_line_options() {
        // pip: on a requirement line, -r, -i and the like are not read.
        assert_eq!(
            parse_line("flask -i https://x.example/simple", 1).map(|items| items.len()),
            Ok(1)
        );
        let r = requirement("flask==2.0 --hash=sha256:00 -r other.txt");
        assert_eq!(r.key, "flask");
        // A requirement and an -e on one line: the requirement is the editable one, as in
        // pip 25 and later; a name cannot be editable.
        assert!(parse_line("flask -e git+https://h.example/x.git#egg=x", 1).is_err());
        let r =
            requirement("git+https://h.example/y.git#egg=y -e git+https://h.example/x.git#egg=x");
        assert!(r.editable && r.key == "y", "{r:?}");
        // Of several -e, the first counts.
        let r = requirement(
            "-e git+https://h.example/a.git#egg=a -e git+https://h.example/b.git#egg=b",
        );
        assert_eq!(r.key, "a");
    }
}
