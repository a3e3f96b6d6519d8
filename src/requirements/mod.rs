//! The requirements-file reader: a watched `requirements.txt` and every file it includes with
//! `-r`/`-c`, read from one commit's tree, turned into a [`RequirementSet`] keyed by PEP 503
//! name, and the comparison of two such sets ([`SetDiff`]).
//!
//! Includes are resolved relative to the including file inside the same tree, never from the
//! working directory and never outside the repository. Parsed files are cached by blob id, so
//! walking thousands of commits parses each distinct file once.

mod decode;
mod lines;
mod parse;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::rc::Rc;

pub use parse::{
    IndexOption, Item, Requirement, Source, UNNAMED, is_name, normalize_name, parse_line,
};

use crate::FileError;

/// Read access to one commit's files, by repository-relative path.
pub trait TreeReader {
    type Id: Clone + Eq + Hash;
    /// The blob id of the file at `path`: `Ok(None)` when nothing is there, `Err` with the
    /// reason when something that is not a file is.
    fn lookup(&self, path: &str) -> Result<Option<Self::Id>, crate::Invalid>;
    /// The bytes of a blob.
    fn read(&self, id: &Self::Id) -> Option<Vec<u8>>;
}

/// One file, parsed: its items and the lines that could not be parsed.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub items: Vec<Item>,
    /// (line, message) of every line that failed.
    pub errors: Vec<(usize, String)>,
}

/// Decodes and parses the bytes of one requirements file.
pub fn parse_file(bytes: &[u8], env: &dyn Fn(&str) -> Option<String>) -> ParsedFile {
    let text = match decode::decode(bytes) {
        Ok(text) => text,
        Err(e) => {
            return ParsedFile {
                items: Vec::new(),
                errors: vec![(e.line, e.message)],
            };
        }
    };
    let mut parsed = ParsedFile::default();
    for line in lines::logical_lines(&text, env) {
        // Texts kept for messages never hold an expanded value or a URL's password.
        match parse::parse_line(&line.text, line.number) {
            Ok(items) => parsed
                .items
                .extend(items.into_iter().map(|item| match item {
                    Item::Requirement(mut r) => {
                        r.text = line.shown(&r.text);
                        Item::Requirement(r)
                    }
                    other => other,
                })),
            Err(message) => parsed
                .errors
                .push((line.number, line.shown(&message.to_string()))),
        }
    }
    parsed
}

/// Looks up a `${VAR}` value.
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String>>;

/// Parses files once per blob id.
pub struct ParseCache<Id> {
    files: HashMap<Id, Rc<ParsedFile>>,
    env: EnvLookup,
}

/// `${VAR}` values from this process's environment, as pip expands them.
pub fn process_env() -> EnvLookup {
    Box::new(crate::vars::lookup)
}

impl<Id: Clone + Eq + Hash> ParseCache<Id> {
    /// A cache expanding `${VAR}` with `env`.
    pub fn with_env(env: EnvLookup) -> Self {
        ParseCache {
            files: HashMap::new(),
            env,
        }
    }

    fn get<T: TreeReader<Id = Id>>(&mut self, tree: &T, id: &Id) -> Rc<ParsedFile> {
        if let Some(parsed) = self.files.get(id) {
            return Rc::clone(parsed);
        }
        let Some(bytes) = tree.read(id) else {
            // Not cached: a partial clone may fetch the blob and read it again.
            return Rc::new(ParsedFile {
                items: Vec::new(),
                errors: vec![(0, "cannot read the file from the commit".to_string())],
            });
        };
        let parsed = Rc::new(parse_file(&bytes, &self.env));
        self.files.insert(id.clone(), Rc::clone(&parsed));
        parsed
    }
}

/// One file of an include closure.
#[derive(Debug)]
pub struct LoadedFile<Id> {
    pub path: String,
    /// `None`: the file does not exist in the commit.
    pub id: Option<Id>,
    /// Read through `-c`: its names are constraints, not installed packages.
    pub constraint: bool,
    pub parsed: Option<Rc<ParsedFile>>,
}

/// A requirements file and everything it includes, as found in one tree.
#[derive(Debug)]
pub struct Closure<Id> {
    pub files: Vec<LoadedFile<Id>>,
    pub errors: Vec<FileError>,
    pub warnings: Vec<FileError>,
}

impl<Id: PartialEq> Closure<Id> {
    /// Whether the root file exists.
    pub fn exists(&self) -> bool {
        self.files.first().is_some_and(|f| f.id.is_some())
    }

    /// Whether two closures consist of the same files with the same contents (and so the
    /// same problems: a path that is no file has no id, only its error).
    pub fn same_files(&self, other: &Closure<Id>) -> bool {
        self.errors == other.errors
            && self.files.len() == other.files.len()
            && self
                .files
                .iter()
                .zip(&other.files)
                .all(|(a, b)| a.path == b.path && a.id == b.id && a.constraint == b.constraint)
    }
}

/// Reads `root` (a repository-relative path) and its includes from `tree`.
pub fn load_closure<T: TreeReader>(
    tree: &T,
    root: &str,
    cache: &mut ParseCache<T::Id>,
) -> Closure<T::Id> {
    let mut closure = Closure {
        files: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut stack = Vec::new();
    visit(tree, root, false, cache, &mut stack, &mut closure);
    closure
}

fn visit<T: TreeReader>(
    tree: &T,
    path: &str,
    constraint: bool,
    cache: &mut ParseCache<T::Id>,
    stack: &mut Vec<String>,
    closure: &mut Closure<T::Id>,
) {
    let id = match tree.lookup(path) {
        Ok(id) => id,
        Err(message) => {
            closure
                .errors
                .push(FileError::new(path, None, message.to_string()));
            None
        }
    };
    let parsed = id.as_ref().map(|id| cache.get(tree, id));
    closure.files.push(LoadedFile {
        path: path.to_string(),
        id,
        constraint,
        parsed: parsed.clone(),
    });
    let Some(parsed) = parsed else {
        return;
    };
    for (line, message) in &parsed.errors {
        closure
            .errors
            .push(FileError::new(path, Some(*line), message));
    }
    stack.push(path.to_string());
    for item in &parsed.items {
        let Item::Include {
            target,
            constraint: nested_constraint,
            line,
        } = item
        else {
            continue;
        };
        let at = |message: String| FileError::new(path, Some(*line), message);
        if target.contains("://") {
            closure.warnings.push(at(format!(
                "include '{target}' is a URL; envguard does not fetch it, so its contents are not compared"
            )));
            continue;
        }
        let resolved = match resolve_include(path, target) {
            Ok(p) => p,
            Err(message) => {
                closure.errors.push(at(message.to_string()));
                continue;
            }
        };
        if let Err(message) = tree.lookup(&resolved) {
            closure
                .errors
                .push(at(format!("included file '{target}' {message}")));
            continue;
        }
        if let Some(start) = stack.iter().position(|p| *p == resolved) {
            let mut cycle: Vec<&str> = stack[start..].iter().map(String::as_str).collect();
            cycle.push(&resolved);
            closure
                .errors
                .push(at(format!("include cycle: {}", cycle.join(" -> "))));
            continue;
        }
        if tree.lookup(&resolved).ok().flatten().is_none() {
            closure.errors.push(at(format!(
                "included file '{target}' ({resolved}) does not exist in this commit"
            )));
            closure.files.push(LoadedFile {
                path: resolved,
                id: None,
                constraint: *nested_constraint,
                parsed: None,
            });
            continue;
        }
        visit(tree, &resolved, *nested_constraint, cache, stack, closure);
    }
    stack.pop();
}

/// Resolves an include target relative to the including file's directory, inside the
/// repository.
fn resolve_include(including: &str, target: &str) -> Result<String, crate::Invalid> {
    crate::paths::resolve_relative(including, target).map_err(|outside| {
        let target = target.to_string();
        match outside {
            crate::paths::Outside::Absolute => crate::Invalid::AbsoluteInclude { target },
            crate::paths::Outside::ClimbsOut => crate::Invalid::IncludeOutside { target },
        }
    })
}

/// Every requirement of one name, gathered over a closure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The first occurrence, for messages.
    pub first: Requirement,
    /// The file the first occurrence is in.
    pub file: String,
    /// (source, editable, spec) of every occurrence, sorted: what decides the install.
    pub forms: Vec<(Source, bool, String)>,
    /// The extras any occurrence asks for.
    pub extras: BTreeSet<String>,
    /// The markers of the occurrences (`""`: one without a marker).
    pub markers: BTreeSet<String>,
}

impl Entry {
    fn sources(&self) -> BTreeSet<(String, bool)> {
        self.forms
            .iter()
            .map(|(s, e, _)| (s.to_string(), *e))
            .collect()
    }
}

/// The packages a requirements closure installs, plus the constraints and index options.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RequirementSet {
    pub requirements: BTreeMap<String, Entry>,
    pub constraints: BTreeMap<String, Entry>,
    /// Canonical, sorted, deduplicated index options of all files.
    pub index: Vec<String>,
}

impl RequirementSet {
    /// The requirements that install from a VCS branch or tag, not a commit id: pip keeps
    /// the installed revision of such a requirement while its URL stays the same. Editable
    /// ones are not among them: pip reinstalls an editable requirement on every install
    /// (pypa/pip `resolution/resolvelib/resolver.py`: `candidate.is_editable` sets
    /// `should_reinstall`).
    pub fn unpinned_vcs(&self) -> Vec<(&String, &Entry)> {
        self.requirements
            .iter()
            .filter(|(_, entry)| {
                entry.forms.iter().any(|(source, editable, _)| {
                    !editable && matches!(source, Source::Vcs(url) if !pinned_vcs(url))
                })
            })
            .collect()
    }

    /// Builds the set of a loaded closure.
    pub fn from_closure<Id>(closure: &Closure<Id>) -> Self {
        let mut set = RequirementSet::default();
        let mut index = BTreeSet::new();
        for file in &closure.files {
            let Some(parsed) = &file.parsed else {
                continue;
            };
            for item in &parsed.items {
                match item {
                    Item::Requirement(r) => {
                        let map = if file.constraint {
                            &mut set.constraints
                        } else {
                            &mut set.requirements
                        };
                        let form = (r.source.clone(), r.editable, r.spec.clone());
                        map.entry(r.key.clone())
                            .and_modify(|e| {
                                e.forms.push(form.clone());
                                e.forms.sort();
                                e.extras.extend(r.extras.iter().cloned());
                                e.markers.insert(r.marker.clone());
                            })
                            .or_insert_with(|| Entry {
                                first: r.clone(),
                                file: file.path.clone(),
                                forms: vec![form],
                                extras: r.extras.iter().cloned().collect(),
                                markers: BTreeSet::from([r.marker.clone()]),
                            });
                    }
                    Item::Index(option) => {
                        index.insert(format!("{option:?}"));
                    }
                    Item::Include { .. } => {}
                }
            }
        }
        set.index = index.into_iter().collect();
        set
    }
}

/// What changed between two requirement sets, by normalized name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SetDiff {
    /// Installed before, not required now.
    pub removed: Vec<String>,
    /// Required now, not before.
    pub added: Vec<String>,
    /// Required in both, installed from a different source (URL, VCS, path, editable flag,
    /// package index options).
    pub source_changed: Vec<String>,
    /// Required in both with any difference (includes `source_changed`).
    pub changed: Vec<String>,
    /// Constraint names whose constraint changed, appeared or disappeared.
    pub constraints_changed: Vec<String>,
    /// Required in both from the same source, but asking for less: extras dropped, or a
    /// marker that limits where it is installed (name, what changed). pip keeps what is no
    /// longer asked for, as for a removal.
    pub narrowed: Vec<(String, String)>,
}

impl SetDiff {
    pub fn between(old: &RequirementSet, new: &RequirementSet) -> Self {
        let mut diff = SetDiff::default();
        let index_changed = old.index != new.index;
        for (name, before) in &old.requirements {
            match new.requirements.get(name) {
                None => diff.removed.push(name.clone()),
                Some(after) => {
                    let uses_index = |e: &Entry| e.forms.iter().any(|f| f.0 == Source::Index);
                    let source_changed = before.sources() != after.sources()
                        || (index_changed && uses_index(before) && uses_index(after));
                    if source_changed {
                        diff.source_changed.push(name.clone());
                    }
                    if source_changed || before.forms != after.forms {
                        diff.changed.push(name.clone());
                    }
                    if !source_changed && let Some(what) = narrowing(before, after) {
                        diff.narrowed.push((name.clone(), what));
                    }
                }
            }
        }
        diff.added = new
            .requirements
            .keys()
            .filter(|n| !old.requirements.contains_key(*n))
            .cloned()
            .collect();
        let names: BTreeSet<&String> = old
            .constraints
            .keys()
            .chain(new.constraints.keys())
            .collect();
        diff.constraints_changed = names
            .into_iter()
            .filter(|n| {
                old.constraints.get(*n).map(|e| &e.forms)
                    != new.constraints.get(*n).map(|e| &e.forms)
            })
            .cloned()
            .collect();
        diff
    }
}

/// What `after` no longer asks for that `before` did: extras, or an unconditional install.
fn narrowing(before: &Entry, after: &Entry) -> Option<String> {
    let lost: Vec<&String> = before.extras.difference(&after.extras).collect();
    if !lost.is_empty() {
        let names: Vec<&str> = lost.iter().map(|e| e.as_str()).collect();
        return Some(format!(
            "extra [{}] no longer asked for: what it installed stays ('{}' -> '{}')",
            names.join(","),
            before.first.text,
            after.first.text
        ));
    }
    let conditional = !after.markers.contains("");
    if conditional && after.markers != before.markers {
        let markers: Vec<&str> = after.markers.iter().map(String::as_str).collect();
        return Some(format!(
            "now only where {}: where that is false it stays installed ('{}')",
            markers.join(" or "),
            after.first.text
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree as a map of path -> contents; the id is the path plus contents.
    struct MapTree(HashMap<&'static str, &'static str>);

    impl TreeReader for MapTree {
        type Id = String;
        fn lookup(&self, path: &str) -> Result<Option<String>, crate::Invalid> {
            Ok(self.0.get(path).map(|c| format!("{path}\0{c}")))
        }
        fn read(&self, id: &String) -> Option<Vec<u8>> {
            id.split_once('\0').map(|(_, c)| c.as_bytes().to_vec())
        }
    }

    fn tree(files: &[(&'static str, &'static str)]) -> MapTree {
        MapTree(files.iter().copied().collect())
    }

    fn set_of(
        files: &[(&'static str, &'static str)],
        root: &str,
    ) -> (RequirementSet, Closure<String>) {
        let t = tree(files);
        let mut cache = ParseCache::with_env(Box::new(|_| None));
        let closure = load_closure(&t, root, &mut cache);
        (RequirementSet::from_closure(&closure), closure)
    }

    #[test]
    fn includes_are_relative_to_the_including_file() {
        let (set, closure) = set_of(
            &[
                ("app/requirements.txt", "-r reqs/base.txt\nflask\n"),
                ("app/reqs/base.txt", "-c ../constraints.txt\nrequests\n"),
                ("app/constraints.txt", "urllib3<2\n"),
            ],
            "app/requirements.txt",
        );
        assert!(closure.errors.is_empty(), "{:?}", closure.errors);
        let names: Vec<&str> = set.requirements.keys().map(String::as_str).collect();
        assert_eq!(names, ["flask", "requests"]);
        assert!(set.constraints.contains_key("urllib3"));
    }

    #[test]
    fn include_cycles_are_errors() {
        let (_, closure) = set_of(
            &[
                ("requirements.txt", "-r a.txt\n"),
                ("a.txt", "x\n-r requirements.txt\n"),
            ],
            "requirements.txt",
        );
        let messages: Vec<String> = closure.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            ["a.txt:2: include cycle: requirements.txt -> a.txt -> requirements.txt"]
        );
    }

    #[test]
    fn missing_and_escaping_includes_are_errors() {
        let (_, closure) = set_of(
            &[("requirements.txt", "-r nope.txt\n-r ../../etc/passwd\n")],
            "requirements.txt",
        );
        assert_eq!(closure.errors.len(), 2);
        assert_eq!(closure.errors[0].line, Some(1));
        assert!(closure.errors[1].message.contains("outside the repository"));
    }

    #[test]
    fn diff_by_normalized_name() {
        let (old, _) = set_of(
            &[("r", "Foo_Bar==1\nFlask-CORS\nx @ https://h/x-1.whl\n")],
            "r",
        );
        let (new, _) = set_of(&[("r", "foo-bar==2\nx @ https://h/x-2.whl\nnew\n")], "r");
        let diff = SetDiff::between(&old, &new);
        assert_eq!(diff.removed, ["flask-cors"]);
        assert_eq!(diff.added, ["new"]);
        assert_eq!(diff.source_changed, ["x"]);
        assert_eq!(diff.changed, ["foo-bar", "x"]);
    }

    #[test]
    fn index_options_change_the_source_of_index_packages() {
        let (old, _) = set_of(&[("r", "a\n")], "r");
        let (new, _) = set_of(
            &[("r", "--extra-index-url https://i.invalid/simple\na\n")],
            "r",
        );
        assert_eq!(SetDiff::between(&old, &new).source_changed, ["a"]);
    }

    #[test]
    fn same_files_compares_ids() {
        let t = tree(&[("r", "a\n")]);
        let mut cache = ParseCache::with_env(Box::new(|_| None));
        let a = load_closure(&t, "r", &mut cache);
        let b = load_closure(&t, "r", &mut cache);
        assert!(a.same_files(&b));
        let missing = load_closure(&t, "other", &mut cache);
        assert!(!missing.exists());
        assert!(!a.same_files(&missing));
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
    }

    const TOKENS: &[&str] = &[
        "flask",
        "Foo_Bar",
        "==",
        ">=",
        "<",
        "~=",
        "!=",
        "1.0",
        "2.*",
        "[",
        "]",
        ",",
        ";",
        "python_version",
        "'3.8'",
        "@",
        "https://h/x-1.0.whl",
        "git+https://h/r.git@v1",
        "#egg=",
        "#",
        " ",
        "  ",
        "\\",
        "\t",
        "-r",
        "-c",
        "-e",
        "-i",
        "--hash=sha256:ab",
        "--config-settings",
        "--no-index",
        "--",
        "-",
        "=",
        "./p",
        "../q",
        "/abs",
        "${X}",
        "${",
        "}",
        "\"",
        "'",
        "é",
        "\u{feff}",
        "\r",
        "extra",
        "and",
        "or",
        "(",
        ")",
    ];

    #[test]
    fn arbitrary_lines_never_panic() {
        let mut rng = Rng(0x5eed_1234_abcd_ef01);
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(1 + rng.next() % 4) {
                for _ in 0..(rng.next() % 8) {
                    text.push_str(rng.pick(TOKENS));
                }
                text.push('\n');
            }
            let parsed = parse_file(text.as_bytes(), &|_| None);
            for (line, _) in &parsed.errors {
                assert!(*line >= 1, "errors name a line: {text:?}");
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut rng = Rng(42);
        for _ in 0..2000 {
            let len = (rng.next() % 64) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
            let _ = parse_file(&bytes, &|_| None);
        }
    }
}

/// Whether a VCS URL names a commit id (`…@<40 or 64 hex digits>`).
pub fn pinned_vcs(url: &str) -> bool {
    let after_host = url.split_once("://").map_or(url, |(_, rest)| {
        rest.split_once('/').map_or("", |(_, path)| path)
    });
    let revision = after_host
        .rsplit_once('@')
        .map(|(_, r)| r.split(['#', '?']).next().unwrap_or(r));
    revision.is_some_and(|r| matches!(r.len(), 40 | 64) && r.bytes().all(|b| b.is_ascii_hexdigit()))
}
