//! One ref update (base -> tip) -> an [`Analysis`] with a [`Verdict`].
//!
//! The hot path compares only the ids of the watched paths (requirements closure, runtime
//! files, the env folder) between the base and tip trees: when none changed, the only other
//! thing that can matter is an `Env-Wipe` trailer, found with a byte scan of the pushed
//! commits' messages. Only when something changed are requirement sets compared and the
//! range walked to attribute each reason to the commit that introduced it.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use git2::{ObjectType, Oid, Repository, Sort};
use serde::Serialize;

use crate::config::{Config, Policy};
use crate::deployment::Deployment;
use crate::gitcli::Fetcher;
use crate::paths::join;
use crate::platform::{Platform, RuntimeRule};
use crate::requirements::{
    self, Closure, EnvLookup, ParseCache, RequirementSet, SetDiff, TreeReader,
};
use crate::trailers::{self, EnvWipe};
use crate::{FileError, Result, runtime};

/// What a push needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing: the deployment's env stays valid.
    None,
    /// The runtime changes, so the platform builds a new env by itself.
    Rebuild,
    /// The env must be thrown away and rebuilt.
    Wipe,
    /// A watched file has errors, so no other verdict holds: the push is refused until the
    /// file is fixed or the check skipped. Given by [`Analysis::shown_verdict`].
    Invalid,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::None => "none",
            Verdict::Rebuild => "rebuild",
            Verdict::Wipe => "wipe",
            Verdict::Invalid => "invalid",
        }
    }
}

/// Why a push needs a fresh env.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    RequirementRemoved,
    RequirementSourceChanged,
    /// Still required, but without an extra, or only under a marker: what is no longer
    /// asked for stays installed.
    RequirementNarrowed,
    /// Policy `changes`: a version, extra, marker or constraint changed.
    RequirementChanged,
    RequirementsFileDeleted,
    /// Policy `any-byte`: a requirements file's bytes changed.
    RequirementsFileChanged,
    RuntimeChanged,
    EnvFolderChanged,
    Forced,
}

impl ReasonKind {
    /// The kebab-case name used in JSON and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonKind::RequirementRemoved => "requirement-removed",
            ReasonKind::RequirementSourceChanged => "requirement-source-changed",
            ReasonKind::RequirementNarrowed => "requirement-narrowed",
            ReasonKind::RequirementChanged => "requirement-changed",
            ReasonKind::RequirementsFileDeleted => "requirements-file-deleted",
            ReasonKind::RequirementsFileChanged => "requirements-file-changed",
            ReasonKind::RuntimeChanged => "runtime-changed",
            ReasonKind::EnvFolderChanged => "env-folder-changed",
            ReasonKind::Forced => "forced",
        }
    }
}

/// One reason, attributed to the commit that introduced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub kind: ReasonKind,
    pub file: String,
    pub package: Option<String>,
    #[serde(serialize_with = "serialize_opt_oid")]
    pub commit: Option<Oid>,
    pub detail: Option<String>,
}

impl Reason {
    fn new(kind: ReasonKind, file: &str, package: Option<&str>, detail: Option<String>) -> Self {
        Reason {
            kind,
            file: file.to_string(),
            package: package.map(str::to_string),
            commit: None,
            detail,
        }
    }

    /// Whether two reasons name the same change (ignoring attribution and detail).
    fn same_change(&self, other: &Reason) -> bool {
        self.kind == other.kind
            && self.package == other.package
            && (self.package.is_some() || self.file == other.file)
    }
}

/// A reason dropped by an `Env-Wipe: skip` trailer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedReason {
    #[serde(flatten)]
    pub reason: Reason,
    /// The commit whose trailer dropped it.
    #[serde(serialize_with = "serialize_oid")]
    pub skipped_by: Oid,
}

/// The result of analysing one ref update: everything an action needs, so nothing after
/// the analysis reads the commits again. Serialized as `envguard check --format json`
/// (schema 1: ids as hex strings; the app root and runtime are not part of it).
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub schema: u32,
    #[serde(serialize_with = "serialize_opt_oid")]
    pub old: Option<Oid>,
    #[serde(serialize_with = "serialize_oid")]
    pub new: Oid,
    pub verdict: Verdict,
    pub removed: Vec<String>,
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub reasons: Vec<Reason>,
    pub skipped: Vec<SkippedReason>,
    pub warnings: Vec<FileError>,
    pub errors: Vec<FileError>,
    /// The tip's app root (`""`: the repository root).
    #[serde(skip)]
    pub app_root: String,
    /// The tip's runtime as the platform reads it (on Kudu: the runtime runtime.txt selects;
    /// `Ok(None)`: no runtime file, one the platform does not read, or a push that changes
    /// nothing watched and forces nothing, which never reads it).
    #[serde(skip)]
    pub runtime: std::result::Result<Option<String>, FileError>,
    /// The platform whose rules gave the verdict.
    #[serde(serialize_with = "serialize_platform")]
    pub platform: Platform,
}

fn serialize_platform<S: serde::Serializer>(p: &Platform, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.name())
}

fn serialize_oid<S: serde::Serializer>(id: &Oid, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(id)
}

fn serialize_opt_oid<S: serde::Serializer>(id: &Option<Oid>, s: S) -> Result<S::Ok, S::Error> {
    match id {
        Some(id) => s.collect_str(id),
        None => s.serialize_none(),
    }
}

impl Analysis {
    /// Whether every reason is a change of the requirements (removed, source changed,
    /// narrowed, changed) and the files are valid: what a surgical prune can make exact.
    pub fn only_requirement_changes(&self) -> bool {
        self.errors.is_empty()
            && !self.reasons.is_empty()
            && self.reasons.iter().all(|r| {
                matches!(
                    r.kind,
                    ReasonKind::RequirementRemoved
                        | ReasonKind::RequirementSourceChanged
                        | ReasonKind::RequirementNarrowed
                        | ReasonKind::RequirementChanged
                        | ReasonKind::RequirementsFileChanged
                        | ReasonKind::RequirementsFileDeleted
                )
            })
    }

    /// The packages whose source changed.
    pub fn source_changed(&self) -> Vec<String> {
        self.reasons
            .iter()
            .filter(|r| r.kind == ReasonKind::RequirementSourceChanged)
            .filter_map(|r| r.package.clone())
            .collect()
    }

    /// The verdict to show: `invalid` when a watched file has errors (the verdict of the
    /// reasons alone would read as something to act on, or as nothing to do).
    pub fn shown_verdict(&self) -> Verdict {
        if self.errors.is_empty() {
            self.verdict
        } else {
            Verdict::Invalid
        }
    }

    /// The runtime.txt path of the tip, inside its app root.
    pub fn runtime_path(&self) -> String {
        join(&self.app_root, RuntimeFile::Txt.name())
    }

    /// An analysis of `base -> tip` on `platform` that found nothing (yet).
    pub fn new(base: Option<Oid>, tip: Oid, platform: Platform) -> Self {
        Analysis {
            schema: 1,
            old: base,
            new: tip,
            verdict: Verdict::None,
            removed: Vec::new(),
            added: Vec::new(),
            changed: Vec::new(),
            reasons: Vec::new(),
            skipped: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
            app_root: String::new(),
            runtime: Ok(None),
            platform,
        }
    }
}

/// The watched paths of one commit.
struct Watched {
    /// App root inside the repository, `""` for the repository root.
    root: String,
    requirements: Closure<Oid>,
    runtime_txt: Option<Oid>,
    python_version: Option<Oid>,
    /// The `<root>/<envDir>` entry (tree, or anything committed there).
    env: Option<Oid>,
    set: OnceCell<RequirementSet>,
}

impl Watched {
    fn same(&self, other: &Watched) -> bool {
        self.root == other.root
            && self.runtime_txt == other.runtime_txt
            && self.python_version == other.python_version
            && self.env == other.env
            && self.requirements.same_files(&other.requirements)
    }

    fn runtime_id(&self, file: RuntimeFile) -> Option<Oid> {
        match file {
            RuntimeFile::Txt => self.runtime_txt,
            RuntimeFile::PythonVersion => self.python_version,
        }
    }

    fn set(&self) -> &RequirementSet {
        self.set
            .get_or_init(|| RequirementSet::from_closure(&self.requirements))
    }
}

/// A commit's tree as seen by the requirements reader. Objects a partial clone lacks are
/// noted (as revisions git can fetch) instead of being read as absent.
struct GitTree<'r> {
    repo: &'r Repository,
    tree: git2::Tree<'r>,
    missing: std::cell::RefCell<Vec<String>>,
}

impl TreeReader for GitTree<'_> {
    type Id = Oid;

    fn lookup(&self, path: &str) -> Result<Option<Oid>, crate::Invalid> {
        let found = file_at(self.repo, &self.tree, path);
        if matches!(found, Ok(None))
            && let Err(e) = self.tree.get_path(Path::new(path))
            && is_missing_object(&e)
        {
            self.missing
                .borrow_mut()
                .push(format!("{}:{path}", self.tree.id()));
        }
        found
    }

    fn read(&self, id: &Oid) -> Option<Vec<u8>> {
        match self.repo.find_blob(*id) {
            Ok(blob) => Some(blob.content().to_vec()),
            Err(e) => {
                if is_missing_object(&e) {
                    self.missing.borrow_mut().push(id.to_string());
                }
                None
            }
        }
    }
}

/// Whether a git2 error is an object the repository does not have (in a partial clone: one
/// its promisor remote has).
fn is_missing_object(e: &git2::Error) -> bool {
    e.code() == git2::ErrorCode::NotFound && e.class() == git2::ErrorClass::Odb
}

/// Rounds of fetching per commit: each may reveal a further include.
const FETCH_ROUNDS: usize = 8;

/// Symbolic links followed in a row before giving up (as a loop).
const MAX_LINKS: usize = 8;

/// The blob id of the file at `path` in `tree`, following symbolic links inside the
/// repository as a checkout would. `Ok(None)`: nothing there; `Err`: something that is not
/// a file (a folder, a submodule, a link leading out of the repository or nowhere).
pub fn file_at(
    repo: &Repository,
    tree: &git2::Tree,
    path: &str,
) -> Result<Option<Oid>, crate::Invalid> {
    let mut path = path.to_string();
    for _ in 0..=MAX_LINKS {
        let Ok(entry) = tree.get_path(Path::new(&path)) else {
            return Ok(None);
        };
        match entry.filemode() {
            0o100644 | 0o100755 | 0o100664 => return Ok(Some(entry.id())),
            0o120000 => {
                let blob = repo
                    .find_blob(entry.id())
                    .map_err(|e| format!("cannot read the symbolic link: {}", e.message()))?;
                let target = String::from_utf8_lossy(blob.content()).into_owned();
                path = crate::paths::resolve_relative(&path, &target).map_err(|_| {
                    format!("is a symbolic link to '{target}', outside the repository")
                })?;
                if tree.get_path(Path::new(&path)).is_err() {
                    return Err(format!(
                        "is a symbolic link to '{target}', which is not in this commit"
                    )
                    .into());
                }
            }
            0o160000 => return Err("is a submodule, not a file".into()),
            _ if entry.kind() == Some(ObjectType::Tree) => {
                return Err("is a folder, not a file".into());
            }
            mode => return Err(format!("is not a regular file (mode {mode:o})").into()),
        }
    }
    Err(format!("is a chain of more than {MAX_LINKS} symbolic links").into())
}

/// Analyses ref updates of one repository, caching parsed files and per-commit state.
pub struct Analyzer<'r> {
    repo: &'r Repository,
    config: &'r Config,
    platform: Platform,
    parse: ParseCache<Oid>,
    /// App roots by the ids of `.deployment` and the script its command runs.
    roots: HashMap<(Oid, Option<Oid>), String>,
    /// Set in a partial clone: how to fetch what it lacks.
    fetcher: Option<Fetcher>,
    watched: HashMap<Oid, Rc<Watched>>,
}

impl<'r> Analyzer<'r> {
    /// An analyzer for deployments to `platform` that expands `${VAR}` in requirement lines
    /// with `env` (usually [`requirements::process_env`]).
    pub fn new(
        repo: &'r Repository,
        config: &'r Config,
        platform: Platform,
        env: EnvLookup,
    ) -> Self {
        Analyzer {
            repo,
            config,
            platform,
            parse: ParseCache::with_env(env),
            roots: HashMap::new(),
            watched: HashMap::new(),
            fetcher: None,
        }
    }

    /// In a partial clone, fetches the objects the analysis needs with `fetcher` (in any
    /// other repository an object is never missing, so this changes nothing there).
    pub fn fetch_missing_with(mut self, fetcher: Fetcher) -> Self {
        // git marks the remote a partial clone fetches from as a promisor.
        let partial = self.repo.config().is_ok_and(|c| {
            c.get_string("extensions.partialclone").is_ok()
                || c.entries(Some(r"remote\..*\.promisor"))
                    .is_ok_and(|mut entries| {
                        let mut any = false;
                        while let Some(Ok(entry)) = entries.next() {
                            any |= entry.value().is_ok_and(|v| v.eq_ignore_ascii_case("true"));
                        }
                        any
                    })
        });
        if partial {
            self.fetcher = Some(fetcher);
        }
        self
    }

    /// Fetches `wanted` (revisions) when this is a partial clone. Err: they stay missing.
    fn fetch(&self, wanted: &[String]) -> Result<()> {
        match &self.fetcher {
            Some(fetch) if fetch(wanted) => {
                // git wrote a new pack; make libgit2 look again.
                self.repo.odb()?.refresh()?;
                Ok(())
            }
            _ => Err(crate::Error::msg(format!(
                "the repository lacks {} (a partial clone whose promisor remote did not \
                 provide it), so the push could not be checked",
                wanted.join(", ")
            ))),
        }
    }

    /// In a partial clone, fetches in one go the paths the analysis of `commit` reads first
    /// (with `tree:0` clones even the trees are missing): `.deployment`, then the watched
    /// files of the app root.
    fn prefetch(&mut self, commit: &git2::Commit) {
        if self.fetcher.is_none() {
            return;
        }
        let id = commit.id();
        let _ = self.fetch(&[format!("{id}^{{tree}}"), format!("{id}:.deployment")]);
        let Ok(tree) = commit.tree() else {
            return;
        };
        // The script `.deployment` runs may name the app folder.
        let script = tree
            .get_name(".deployment")
            .and_then(|e| self.repo.find_blob(e.id()).ok())
            .and_then(|b| {
                Deployment::parse(&String::from_utf8_lossy(b.content())).command_script()
            });
        if let Some(script) = script {
            let _ = self.fetch(&[format!("{id}:{script}")]);
        }
        let root = self.app_root(&tree);
        let names = [
            "requirements.txt",
            "runtime.txt",
            ".python-version",
            &self.config.env_dir,
        ];
        let wanted: Vec<String> = names
            .iter()
            .map(|name| format!("{id}:{}", join(&root, name)))
            .collect();
        let _ = self.fetch(&wanted);
    }

    /// `envguard.appRoot` must name a folder of the pushed commit: one that names none would
    /// find no requirements and say `none` without a word.
    fn check_app_root(&self, tip: &git2::Commit) -> Result<()> {
        let Some(root) = self.config.app_root.as_deref().filter(|r| !r.is_empty()) else {
            return Ok(());
        };
        let is_folder = tip
            .tree()?
            .get_path(Path::new(root))
            .is_ok_and(|e| e.kind() == Some(ObjectType::Tree));
        if is_folder {
            Ok(())
        } else {
            Err(crate::Error::config(
                "envguard.appRoot",
                root,
                &format!(
                    "a folder of the pushed commit {} (it has no folder '{root}')",
                    &tip.id().to_string()[..7]
                ),
            ))
        }
    }

    /// The app root of a commit: `envguard.appRoot`, else `.deployment`'s `project`, else
    /// the repository root (`""`).
    pub fn app_root(&mut self, tree: &git2::Tree) -> String {
        if let Some(root) = &self.config.app_root {
            return root.clone();
        }
        let Some(entry) = tree.get_name(".deployment") else {
            return String::new();
        };
        let Ok(blob) = self.repo.find_blob(entry.id()) else {
            return String::new();
        };
        let deployment = Deployment::parse(&String::from_utf8_lossy(blob.content()));
        let script = deployment
            .command_script()
            .and_then(|path| tree.get_path(Path::new(&path)).ok())
            .map(|e| e.id());
        let key = (entry.id(), script);
        if let Some(root) = self.roots.get(&key) {
            return root.clone();
        }
        let root = deployment.app_root(|_| {
            let blob = self.repo.find_blob(script?).ok()?;
            Some(String::from_utf8_lossy(blob.content()).into_owned())
        });
        self.roots.insert(key, root.clone());
        root
    }

    fn watched(&mut self, commit: &git2::Commit) -> Result<Rc<Watched>> {
        if let Some(w) = self.watched.get(&commit.id()) {
            return Ok(Rc::clone(w));
        }
        self.prefetch(commit);
        let tree = commit.tree()?;
        let root = self.app_root(&tree);
        // A runtime file that is not a file is no runtime file, as for the platform.
        let file_id = |name: &str| file_at(self.repo, &tree, &join(&root, name)).ok().flatten();
        let runtime_txt = file_id(RuntimeFile::Txt.name());
        let python_version = file_id(RuntimeFile::PythonVersion.name());
        let env = tree
            .get_path(Path::new(&join(&root, &self.config.env_dir)))
            .ok()
            .map(|e| e.id());
        let reader = GitTree {
            repo: self.repo,
            tree: tree.clone(),
            missing: Default::default(),
        };
        let root_file = join(&root, "requirements.txt");
        let mut requirements = requirements::load_closure(&reader, &root_file, &mut self.parse);
        for _ in 0..FETCH_ROUNDS {
            let missing = reader.missing.take();
            if missing.is_empty() {
                break;
            }
            self.fetch(&missing)?;
            requirements = requirements::load_closure(&reader, &root_file, &mut self.parse);
        }
        let missing = reader.missing.take();
        if !missing.is_empty() {
            self.fetch(&missing)?;
        }
        let watched = Rc::new(Watched {
            root,
            requirements,
            runtime_txt,
            python_version,
            env,
            set: OnceCell::new(),
        });
        self.watched.insert(commit.id(), Rc::clone(&watched));
        Ok(watched)
    }

    /// The app root of a commit and its runtime.txt value (`Ok(None)`: no runtime.txt).
    pub fn runtime_of(
        &mut self,
        commit: Oid,
    ) -> Result<(String, Result<Option<String>, FileError>)> {
        let commit = self.repo.find_commit(commit)?;
        let watched = self.watched(&commit)?;
        let value = self.runtime_value(&watched, RuntimeFile::Txt);
        Ok((watched.root.clone(), value))
    }

    /// The requirement set of a commit (its app root's requirements.txt and includes).
    pub fn requirement_set(&mut self, commit: Oid) -> Result<RequirementSet> {
        let commit = self.repo.find_commit(commit)?;
        let watched = self.watched(&commit)?;
        Ok(watched.set().clone())
    }

    /// The watched files of a commit that exist there, with their blob ids: the
    /// requirements closure, then runtime.txt and .python-version.
    pub fn watched_files(&mut self, commit: Oid) -> Result<Vec<(String, Oid)>> {
        let commit = self.repo.find_commit(commit)?;
        let watched = self.watched(&commit)?;
        let mut files: Vec<(String, Oid)> = watched
            .requirements
            .files
            .iter()
            .filter_map(|f| f.id.map(|id| (f.path.clone(), id)))
            .collect();
        for file in RuntimeFile::ALL {
            if let Some(id) = watched.runtime_id(file) {
                files.push((join(&watched.root, file.name()), id));
            }
        }
        Ok(files)
    }

    /// Analyses the update `base -> tip`. `base = None`: nothing is deployed yet (first
    /// deploy), so nothing can be stale.
    pub fn analyze(&mut self, base: Option<Oid>, tip: Oid) -> Result<Analysis> {
        let tip_commit = self.repo.find_commit(tip)?;
        self.check_app_root(&tip_commit)?;
        let tip_watched = self.watched(&tip_commit)?;
        let mut analysis = Analysis::new(base, tip, self.platform);
        analysis.app_root = tip_watched.root.clone();
        let Some(base) = base else {
            analysis.runtime = self.runtime_value(&tip_watched, RuntimeFile::Txt);
            analysis.added = tip_watched.set().requirements.keys().cloned().collect();
            analysis.errors = tip_watched.requirements.errors.clone();
            analysis.warnings = tip_watched.requirements.warnings.clone();
            for file in RuntimeFile::ALL {
                analysis
                    .errors
                    .extend(self.runtime_value(&tip_watched, file).err());
            }
            return Ok(analysis);
        };
        let base_commit = self.repo.find_commit(base)?;
        let base_watched = self.watched(&base_commit)?;
        let changed = !base_watched.same(&tip_watched);
        if changed {
            let comparison = self.compare(&base_watched, &tip_watched);
            analysis.reasons = comparison.reasons;
            analysis.removed = comparison.removed;
            analysis.added = comparison.added;
            analysis.changed = comparison.changed;
            analysis.errors = comparison.errors;
            analysis.warnings = comparison.warnings;
            analysis
                .warnings
                .extend(self.committed_venvs(&tip_commit, &tip_watched.root)?);
        }
        let marks = self.walk(base, &tip_commit, changed, &mut analysis)?;
        apply_trailers(&mut analysis, tip, &marks);
        // Heroku's and Dokku's buildpack keys its cached env on requirements.txt's bytes.
        let root_id = |w: &Watched| w.requirements.files.first().and_then(|f| f.id);
        let cache_key_changed = self.platform.rebuilds_when_requirements_change()
            && root_id(&base_watched) != root_id(&tip_watched);
        analysis.verdict = verdict_of(&analysis.reasons, self.platform, cache_key_changed);
        // The tip's runtime matters only to a push that changes something (the toggle reads
        // it); the hot path of a push that changes nothing watched reads no blob.
        if changed || !analysis.reasons.is_empty() {
            analysis.runtime = self.runtime_value(&tip_watched, RuntimeFile::Txt);
        }
        Ok(analysis)
    }

    /// Walks `base..tip` newest first: reads `Env-Wipe` trailers and, when `attribute`,
    /// names the commit that introduced each reason.
    fn walk(
        &mut self,
        base: Oid,
        tip: &git2::Commit,
        attribute: bool,
        analysis: &mut Analysis,
    ) -> Result<Vec<(Oid, EnvWipe)>> {
        let mut marks = Vec::new();
        let mut pending = if attribute { analysis.reasons.len() } else { 0 };
        for commit in self.range(base, tip)? {
            if trailers::may_have_env_wipe(commit.message_raw_bytes()) {
                match trailers::env_wipe(commit.message_raw_bytes()) {
                    Ok(Some(mark)) => marks.push((commit.id(), mark)),
                    Ok(None) => {}
                    Err(e) => analysis.warnings.push(FileError::new(
                        &format!("commit {}", commit.id()),
                        None,
                        e.0,
                    )),
                }
            }
            if pending == 0 {
                continue;
            }
            let introduced = self.introduced_by(&commit)?;
            for reason in analysis.reasons.iter_mut().filter(|r| r.commit.is_none()) {
                if introduced.iter().any(|i| i.same_change(reason)) {
                    reason.commit = Some(commit.id());
                    pending -= 1;
                }
            }
        }
        // A change that no single step shows (it came in and went out again through
        // different parents of merges, say) is the tip's.
        for reason in analysis.reasons.iter_mut().filter(|r| r.commit.is_none()) {
            reason.commit = Some(tip.id());
        }
        Ok(marks)
    }

    /// The reasons a commit introduced: what differs from its parent, or for a merge, what
    /// differs from every parent (a change one side already had came from that side).
    fn introduced_by(&mut self, commit: &git2::Commit) -> Result<Vec<Reason>> {
        let after = self.watched(commit)?;
        let mut introduced: Option<Vec<Reason>> = None;
        for parent in commit.parents() {
            let before = self.watched(&parent)?;
            let reasons = if parent.tree_id() == commit.tree_id() || before.same(&after) {
                Vec::new()
            } else {
                self.compare(&before, &after).reasons
            };
            introduced = Some(match introduced {
                None => reasons,
                Some(so_far) => so_far
                    .into_iter()
                    .filter(|r| reasons.iter().any(|o| o.same_change(r)))
                    .collect(),
            });
            if introduced.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        Ok(introduced.unwrap_or_default())
    }

    /// The commits of `base..tip`, newest first (topological order). A push is nearly always
    /// a straight line of commits on top of what the remote has: that is followed directly,
    /// reading each commit once. Anything else (a merge, a base that is not an ancestor, as
    /// after `commit --amend` and a forced push) goes through a full revision walk; the
    /// straight walk gives up on such a base once it is a day older than the base, so it
    /// never crawls far into old history.
    fn range(&self, base: Oid, tip: &git2::Commit<'r>) -> Result<Vec<git2::Commit<'r>>> {
        const CLOCK_SKEW_SECONDS: i64 = 86_400;
        let base_time = self.repo.find_commit(base)?.time().seconds();
        let mut line = Vec::new();
        let mut current = tip.clone();
        while current.id() != base {
            if current.parent_count() != 1
                || current.time().seconds() < base_time - CLOCK_SKEW_SECONDS
            {
                return self.revwalk_range(base, tip.id());
            }
            let parent = current.parent(0)?;
            line.push(current);
            current = parent;
        }
        Ok(line)
    }

    fn revwalk_range(&self, base: Oid, tip: Oid) -> Result<Vec<git2::Commit<'r>>> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(tip)?;
        walk.hide(base)?;
        walk.map(|oid| Ok(self.repo.find_commit(oid?)?)).collect()
    }

    fn runtime_value(
        &self,
        watched: &Watched,
        file: RuntimeFile,
    ) -> Result<Option<String>, FileError> {
        let Some(id) = watched.runtime_id(file) else {
            return Ok(None);
        };
        let path = join(&watched.root, file.name());
        let rule = self.platform.runtime_rule();
        let read = match (rule, file) {
            (RuntimeRule::SiteSetting, _)
            | (RuntimeRule::KuduPrefix, RuntimeFile::PythonVersion) => {
                return Ok(None);
            }
            (RuntimeRule::KuduPrefix, RuntimeFile::Txt) => {
                |path: &str, bytes: &[u8], runtimes: &[String]| {
                    runtime::parse_kudu_runtime(path, bytes, runtimes).map(Some)
                }
            }
            (RuntimeRule::AnyRuntimeFile, _) => {
                |path: &str, bytes: &[u8], _: &[String]| runtime::parse_runtime(path, bytes)
            }
        };
        match self.repo.find_blob(id) {
            Ok(blob) => read(&path, blob.content(), &self.config.runtimes),
            // A directory or submodule at that path is not a runtime file.
            Err(_) => Err(FileError::new(&path, None, "is not a regular file")),
        }
    }

    /// Everything that differs between two commits' watched paths, unattributed.
    fn compare(&self, old: &Watched, new: &Watched) -> Comparison {
        let mut out = Comparison::default();
        self.compare_requirements(old, new, &mut out);
        for file in RuntimeFile::ALL {
            if old.runtime_id(file) == new.runtime_id(file) && old.root == new.root {
                continue;
            }
            let after = match self.runtime_value(new, file) {
                Ok(v) => v,
                Err(e) => {
                    out.errors.push(e);
                    continue;
                }
            };
            let before = self.runtime_value(old, file);
            let rebuilds = match self.platform.runtime_rule() {
                // Kudu recreates env only when the selected runtime changes; what "no
                // runtime.txt" selects is the site's setting, unknown here.
                RuntimeRule::KuduPrefix => {
                    matches!((&before, &after), (Ok(Some(b)), Some(a)) if a != b)
                }
                // An invalid old value was deployed as whatever it was; any valid new value
                // differs from it.
                _ => before.clone().unwrap_or(Some(String::new())) != after,
            };
            let before = before.unwrap_or(Some(String::new()));
            if rebuilds {
                let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_string());
                out.reasons.push(Reason::new(
                    ReasonKind::RuntimeChanged,
                    &join(&new.root, file.name()),
                    None,
                    Some(format!("{} -> {}", show(&before), show(&after))),
                ));
            }
        }
        let env_moved = old.root != new.root && (old.env.is_some() || new.env.is_some());
        if old.env != new.env || env_moved {
            let detail = match (old.env, new.env) {
                (None, Some(_)) => "committed",
                (Some(_), None) => ENV_REMOVED,
                _ => "changed",
            };
            out.reasons.push(Reason::new(
                ReasonKind::EnvFolderChanged,
                &format!("{}/", join(&new.root, &self.config.env_dir)),
                None,
                Some(detail.to_string()),
            ));
        }
        out
    }

    fn compare_requirements(&self, old: &Watched, new: &Watched, out: &mut Comparison) {
        let (before, after) = (&old.requirements, &new.requirements);
        if before.same_files(after) {
            return;
        }
        out.errors.extend(after.errors.iter().cloned());
        out.warnings.extend(after.warnings.iter().cloned());
        let root_file =
            |c: &Closure<Oid>| c.files.first().map(|f| f.path.clone()).unwrap_or_default();
        match (before.exists(), after.exists()) {
            (false, false) => {}
            (false, true) => out.added = new.set().requirements.keys().cloned().collect(),
            (true, false) => {
                out.removed = old.set().requirements.keys().cloned().collect();
                out.reasons.push(Reason::new(
                    ReasonKind::RequirementsFileDeleted,
                    &root_file(before),
                    None,
                    None,
                ));
            }
            (true, true) => {
                self.set_reasons(old.set(), new.set(), &root_file(after), out);
            }
        }
        if self.config.policy == Policy::AnyByte && before.exists() && after.exists() {
            out.reasons.push(Reason::new(
                ReasonKind::RequirementsFileChanged,
                &root_file(after),
                None,
                Some("policy any-byte: a requirements file changed".to_string()),
            ));
        }
    }

    /// The reasons, by policy, between two requirement sets of existing files.
    fn set_reasons(
        &self,
        old_set: &RequirementSet,
        new_set: &RequirementSet,
        root_file: &str,
        out: &mut Comparison,
    ) {
        let diff = SetDiff::between(old_set, new_set);
        for name in &diff.removed {
            let entry = &old_set.requirements[name];
            out.reasons.push(Reason::new(
                ReasonKind::RequirementRemoved,
                &entry.file,
                Some(name),
                Some(format!("'{}' is no longer required", entry.first.text)),
            ));
        }
        for name in &diff.source_changed {
            let entry = &new_set.requirements[name];
            out.reasons.push(Reason::new(
                ReasonKind::RequirementSourceChanged,
                &entry.file,
                Some(name),
                Some(format!("now '{}'", entry.first.text)),
            ));
        }
        // Under `changes` a narrowing is one more change, reported below.
        if self.config.policy != Policy::Changes {
            for (name, what) in &diff.narrowed {
                let entry = &new_set.requirements[name];
                out.reasons.push(Reason::new(
                    ReasonKind::RequirementNarrowed,
                    &entry.file,
                    Some(name),
                    Some(what.clone()),
                ));
            }
        }
        if self.config.policy == Policy::Changes {
            let semantic = diff
                .changed
                .iter()
                .filter(|n| !diff.source_changed.contains(n))
                .chain(&diff.constraints_changed);
            for name in semantic {
                let (file, text) = match new_set
                    .requirements
                    .get(name)
                    .or_else(|| new_set.constraints.get(name))
                {
                    Some(e) => {
                        let before = old_set
                            .requirements
                            .get(name)
                            .or_else(|| old_set.constraints.get(name))
                            .map_or_else(
                                || "(none)".to_string(),
                                |o| format!("'{}'", o.first.text),
                            );
                        (e.file.clone(), format!("{before} -> '{}'", e.first.text))
                    }
                    None => (root_file.to_string(), "constraint removed".to_string()),
                };
                out.reasons.push(Reason::new(
                    ReasonKind::RequirementChanged,
                    &file,
                    Some(name),
                    Some(text),
                ));
            }
        }
        out.removed = diff.removed;
        out.added = diff.added;
        out.changed = diff.changed;
    }

    /// Directories at the repository root or the app root holding a `pyvenv.cfg`: a
    /// virtualenv committed outside the env folder.
    fn committed_venvs(&self, commit: &git2::Commit, root: &str) -> Result<Vec<FileError>> {
        let tree = commit.tree()?;
        let mut dirs = vec![String::new()];
        if !root.is_empty() {
            dirs.push(root.to_string());
        }
        let env_path = join(root, &self.config.env_dir);
        let mut found = Vec::new();
        for dir in dirs {
            let subtree = if dir.is_empty() {
                tree.clone()
            } else {
                match tree
                    .get_path(Path::new(&dir))
                    .and_then(|e| e.to_object(self.repo))
                {
                    Ok(obj) => match obj.into_tree() {
                        Ok(t) => t,
                        Err(_) => continue,
                    },
                    Err(_) => continue,
                }
            };
            for entry in subtree.iter() {
                if entry.kind() != Some(ObjectType::Tree) {
                    continue;
                }
                let Ok(name) = entry.name() else { continue };
                let path = join(&dir, name);
                if path == env_path
                    || found
                        .iter()
                        .any(|f: &FileError| f.file == format!("{path}/"))
                {
                    continue;
                }
                let Ok(sub) = self.repo.find_tree(entry.id()) else {
                    continue;
                };
                if sub.get_name("pyvenv.cfg").is_some() {
                    found.push(FileError::new(
                        &format!("{path}/"),
                        None,
                        format!(
                            "a virtualenv is committed here (pyvenv.cfg); it is deployed with the app. \
                             Remove it with `git rm -r --cached {path}` and add it to .gitignore"
                        ),
                    ));
                }
            }
        }
        Ok(found)
    }
}

/// The detail of an `env-folder-changed` reason whose folder left the repository.
pub const ENV_REMOVED: &str = "removed from the repository";

/// The two files that name the runtime.
#[derive(Clone, Copy)]
enum RuntimeFile {
    Txt,
    PythonVersion,
}

impl RuntimeFile {
    const ALL: [RuntimeFile; 2] = [RuntimeFile::Txt, RuntimeFile::PythonVersion];

    fn name(self) -> &'static str {
        match self {
            RuntimeFile::Txt => "runtime.txt",
            RuntimeFile::PythonVersion => ".python-version",
        }
    }
}

#[derive(Default)]
struct Comparison {
    reasons: Vec<Reason>,
    removed: Vec<String>,
    added: Vec<String>,
    changed: Vec<String>,
    errors: Vec<FileError>,
    warnings: Vec<FileError>,
}

/// Applies `Env-Wipe` trailers: `skip` on the tip drops every reason (and turns errors into
/// warnings), `skip` elsewhere drops the reasons that commit introduced, `force` anywhere
/// adds a `forced` reason.
fn apply_trailers(analysis: &mut Analysis, tip: Oid, marks: &[(Oid, EnvWipe)]) {
    let tip_skips = marks.iter().any(|(c, m)| *c == tip && *m == EnvWipe::Skip);
    if let Some((commit, _)) = marks.iter().find(|(_, m)| *m == EnvWipe::Force) {
        analysis.reasons.push(Reason {
            kind: ReasonKind::Forced,
            file: format!("commit {commit}"),
            package: None,
            commit: Some(*commit),
            detail: Some("Env-Wipe: force".to_string()),
        });
    }
    for (skipper, mark) in marks {
        if *mark != EnvWipe::Skip {
            continue;
        }
        let (dropped, kept): (Vec<Reason>, Vec<Reason>) = std::mem::take(&mut analysis.reasons)
            .into_iter()
            .partition(|r| tip_skips || r.commit == Some(*skipper));
        analysis.reasons = kept;
        let by = if tip_skips { tip } else { *skipper };
        analysis
            .skipped
            .extend(dropped.into_iter().map(|reason| SkippedReason {
                reason,
                skipped_by: by,
            }));
    }
    if tip_skips {
        for mut e in std::mem::take(&mut analysis.errors) {
            e.message
                .push_str(" (ignored: the pushed tip says Env-Wipe: skip)");
            analysis.warnings.push(e);
        }
    }
}

/// Nothing goes stale where every build is fresh; else `forced` wins; a runtime change (or,
/// where the platform keys its cache on it, a change of requirements.txt's bytes) rebuilds
/// the env anyway; any other reason is a wipe.
fn verdict_of(reasons: &[Reason], platform: Platform, cache_key_changed: bool) -> Verdict {
    if platform.builds_fresh() {
        Verdict::None
    } else if reasons.iter().any(|r| r.kind == ReasonKind::Forced) {
        Verdict::Wipe
    } else if reasons.iter().any(|r| r.kind == ReasonKind::RuntimeChanged)
        || (cache_key_changed && !reasons.is_empty())
    {
        Verdict::Rebuild
    } else if reasons.is_empty() {
        Verdict::None
    } else {
        Verdict::Wipe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_precedence() {
        let r = |kind| Reason::new(kind, "f", None, None);
        let verdict_of = |reasons: &[Reason]| verdict_of(reasons, Platform::KuduWindows, false);
        assert_eq!(verdict_of(&[]), Verdict::None);
        assert_eq!(
            verdict_of(&[r(ReasonKind::RequirementRemoved)]),
            Verdict::Wipe
        );
        assert_eq!(
            verdict_of(&[
                r(ReasonKind::RequirementRemoved),
                r(ReasonKind::RuntimeChanged)
            ]),
            Verdict::Rebuild
        );
        assert_eq!(
            verdict_of(&[r(ReasonKind::RuntimeChanged), r(ReasonKind::Forced)]),
            Verdict::Wipe
        );
        assert_eq!(
            super::verdict_of(&[r(ReasonKind::Forced)], Platform::Oryx, false),
            Verdict::None
        );
        let removed = [r(ReasonKind::RequirementRemoved)];
        assert_eq!(
            super::verdict_of(&removed, Platform::Heroku, true),
            Verdict::Rebuild
        );
        assert_eq!(
            super::verdict_of(&removed, Platform::Heroku, false),
            Verdict::Wipe
        );
    }
}
