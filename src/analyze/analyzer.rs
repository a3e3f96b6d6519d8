//! The [`Analyzer`]: caches per commit and the hot path of [`Analyzer::analyze`].

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use git2::{ObjectType, Oid, Repository};

use super::rules::{RuntimeFile, apply_trailers, verdict_of};
use super::tree::{FETCH_ROUNDS, GitTree, Watched, file_at, spelled};
use super::types::Analysis;
use crate::config::Config;
use crate::deployment::Deployment;
use crate::gitcli::Fetcher;
use crate::paths::join;
use crate::platform::BuilderPick;
use crate::platform::Platform;
use crate::requirements::{self, EnvLookup, ParseCache, RequirementSet};
use crate::{FileError, Result};

/// Analyses ref updates of one repository, caching parsed files and per-commit state.
pub struct Analyzer<'r> {
    pub(super) repo: &'r Repository,
    pub(super) config: &'r Config,
    pub(super) platform: Platform,
    pub(super) parse: ParseCache<Oid>,
    /// App roots by the ids of `.deployment` and the script its command runs.
    pub(super) roots: HashMap<(Option<Oid>, Option<Oid>), String>,
    /// Set in a partial clone: how to fetch what it lacks.
    pub(super) fetcher: Option<Fetcher>,
    pub(super) watched: HashMap<Oid, Rc<Watched>>,
    /// Every analysis carries the tip's requirement set, also when nothing watched changed
    /// (the server's prune reconciles the env on every update).
    pub(super) always_tip_set: bool,
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
            always_tip_set: false,
            fetcher: None,
        }
    }

    /// The platform whose rules this analyzer applies.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// Judges by the rules of `platform` from now on (a platform detected after the
    /// commits were read: what was read of them holds on any platform).
    pub fn set_platform(&mut self, platform: Platform) {
        self.platform = platform;
    }

    /// Makes every analysis carry the tip's requirement set.
    pub fn always_read_tip_set(&mut self) {
        self.always_tip_set = true;
    }

    /// In a partial clone, fetches the objects the analysis needs with `fetcher` (in any
    /// other repository an object is never missing, so this changes nothing there).
    /// `git` is the repository's configuration, read once by the caller.
    pub fn fetch_missing_with(mut self, fetcher: Fetcher, git: &git2::Config) -> Self {
        // git marks the remote a partial clone fetches from as a promisor.
        let partial = Some(git).is_some_and(|c| {
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
    pub(super) fn fetch(&self, wanted: &[String]) -> Result<()> {
        match &self.fetcher {
            Some(fetch) if fetch(wanted) => {
                // git wrote a new pack; make libgit2 look again.
                self.repo.odb()?.refresh()?;
                Ok(())
            }
            _ => Err(crate::Error::MissingObjects {
                wanted: wanted.to_vec(),
            }),
        }
    }

    /// In a partial clone, fetches in one go the paths the analysis of `commit` reads first
    /// (with `tree:0` clones even the trees are missing): `.deployment`, then the watched
    /// files of the app root.
    pub(super) fn prefetch(&mut self, commit: &git2::Commit) {
        if self.fetcher.is_none() {
            return;
        }
        let id = commit.id();
        let _ = self.fetch(&[format!("{id}^{{tree}}"), format!("{id}:.deployment")]);
        let Ok(tree) = commit.tree() else {
            return;
        };
        // The script the deployment runs may name the app folder.
        let script = self.deployment(&tree).1.command_script();
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
    pub(super) fn check_app_root(&self, tip: &git2::Commit) -> Result<()> {
        let Some(root) = self.config.app_root.as_deref().filter(|r| !r.is_empty()) else {
            return Ok(());
        };
        let tree = tip.tree()?;
        let is_folder = tree
            .get_path(Path::new(&self.spelled(&tree, root)))
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

    /// The app root of a commit: `envguard.appRoot`, else what the deployment settings say
    /// ([`Analyzer::deployment`]), else the repository root (`""`).
    /// On Windows the folder is the tree's spelling of it ([`spelled`]).
    pub fn app_root(&mut self, tree: &git2::Tree) -> String {
        let root = self.app_root_as_written(tree);
        let root = self.spelled(tree, &root);
        // A project that names a file (`project = web/Web.csproj`, which Kudu builds): its
        // folder.
        match tree.get_path(Path::new(&root)) {
            Ok(entry) if entry.kind() == Some(ObjectType::Blob) => Path::new(&root)
                .parent()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default(),
            _ => root,
        }
    }

    fn app_root_as_written(&mut self, tree: &git2::Tree) -> String {
        if let Some(root) = &self.config.app_root {
            return root.clone();
        }
        let (file, deployment) = self.deployment(tree);
        if deployment == Deployment::default() {
            return String::new();
        }
        let script = deployment
            .command_script()
            .and_then(|path| tree.get_path(Path::new(&self.spelled(tree, &path))).ok())
            .map(|e| e.id());
        let key = (file, script);
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

    /// `path` as the commit's tree spells it where the platform's file system ignores case
    /// (Windows), else as written.
    fn spelled(&self, tree: &git2::Tree, path: &str) -> String {
        spelled(self.repo, tree, path, self.platform.is_windows())
    }

    /// The deployment settings of a commit, as Kudu merges them: `.deployment`'s, with the
    /// site's own `COMMAND` (`envguard.siteCommand`) over its `command` (app settings rank
    /// above the file: projectkudu/kudu `SettingsProvidersPriority`). The site's `PROJECT` is
    /// recorded as `envguard.appRoot`. Also the id of `.deployment`, if there is one.
    pub(super) fn deployment(&self, tree: &git2::Tree) -> (Option<Oid>, Deployment) {
        let file = tree
            .get_path(Path::new(&self.spelled(tree, ".deployment")))
            .ok()
            .filter(|e| e.kind() == Some(ObjectType::Blob))
            .map(|e| e.id());
        let mut deployment = file
            .and_then(|id| self.repo.find_blob(id).ok())
            .map(|b| Deployment::read(b.content()))
            .unwrap_or_default();
        if let Some(script) = &self.config.site_command {
            deployment.command = Some(script.clone());
        }
        if let Some(project) = &self.config.site_project {
            deployment.project = Some(project.clone());
        }
        (file, deployment)
    }

    pub(super) fn watched(&mut self, commit: &git2::Commit) -> Result<Rc<Watched>> {
        if let Some(w) = self.watched.get(&commit.id()) {
            return Ok(Rc::clone(w));
        }
        self.prefetch(commit);
        let tree = commit.tree()?;
        let root = self.app_root(&tree);
        // A runtime file that is not a file is no runtime file, as for the platform.
        let path_of = |name: &str| self.spelled(&tree, &join(&root, name));
        let file_id = |name: &str| file_at(self.repo, &tree, &path_of(name)).ok().flatten();
        let runtime_txt = file_id(RuntimeFile::Txt.name());
        let python_version = file_id(RuntimeFile::PythonVersion.name());
        let env = tree
            .get_path(Path::new(&path_of(&self.config.env_dir)))
            .ok()
            .map(|e| e.id());
        let reader = GitTree {
            repo: self.repo,
            tree: tree.clone(),
            missing: Default::default(),
            ignore_case: self.platform.is_windows(),
        };
        let root_file = path_of("requirements.txt");
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
        let misspelled = (runtime_txt.is_none()
            && matches!(
                self.platform.runtime_rule(),
                crate::platform::RuntimeRule::RuntimeTxtFirst
            ))
        .then(|| {
            crate::runtime::MISSPELLED_PYTHON_VERSION_FILE_NAMES
                .iter()
                .find(|name| {
                    let path = join(&root, name);
                    tree.get_path(Path::new(&path))
                        .is_ok_and(|e| e.kind() == Some(git2::ObjectType::Blob))
                })
                .map(|name| join(&root, name))
        })
        .flatten();
        let watched = Rc::new(Watched {
            root,
            requirements,
            runtime_txt,
            python_version,
            env,
            misspelled,
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

    /// The errors of the requirements files of `commit` (none: the set is what pip installs).
    pub fn requirement_errors(&mut self, commit: Oid) -> Result<Vec<crate::FileError>> {
        let commit = self.repo.find_commit(commit)?;
        Ok(self.watched(&commit)?.requirements.errors.clone())
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

    /// On a platform that picks the builder by the app's files (Kudu on Windows, Dokku), why
    /// the builder it picks for `commit` leaves no stale env (not Python, or fresh on every
    /// build); `None` when it picks the one that keeps the env, or when a custom deployment
    /// command decides instead.
    fn builder_keeps_no_env(
        &self,
        commit: &git2::Commit,
        watched: &Watched,
    ) -> Result<Option<super::builder::OtherBuilder>> {
        let Some(pick) = self.platform.facts().builder_pick else {
            return Ok(None);
        };
        let tree = commit.tree()?;
        // The app folder: Kudu's project, Dokku's `build-dir` (plugins/builder/triggers.go
        // `TriggerCorePostExtract` moves the work dir there before builder-detect), both
        // `envguard.appRoot` (or `.deployment`) here.
        let folder = if watched.root.is_empty() {
            tree.clone()
        } else {
            match tree.get_path(Path::new(&watched.root)) {
                Ok(entry) => self.repo.find_tree(entry.id())?,
                Err(_) => return Ok(None),
            }
        };
        let names_in = |folder: &git2::Tree| -> Vec<String> {
            folder
                .iter()
                .filter(|e| e.kind() == Some(ObjectType::Blob))
                .filter_map(|e| e.name().ok().map(str::to_string))
                .collect()
        };
        match pick {
            BuilderPick::Dokku => {
                let dotenv = folder
                    .get_name(".env")
                    .filter(|e| e.kind() == Some(ObjectType::Blob))
                    .and_then(|e| self.repo.find_blob(e.id()).ok())
                    .map(|b| b.content().to_vec());
                Ok(super::builder::dokku_fresh(
                    &names_in(&folder),
                    dotenv.as_deref(),
                ))
            }
            BuilderPick::Kudu | BuilderPick::KuduLite => {
                let deployment = self.deployment(&tree).1;
                if deployment.command.is_some() {
                    return Ok(None);
                }
                // KuduScript's arguments pick the builder before the files do.
                if let Some(args) = &deployment.script_generator_args {
                    return Ok(super::builder::generator_not_python(args));
                }
                if pick == BuilderPick::Kudu
                    && let Some(why) = super::builder::kudu_dotnet(
                        deployment.project.as_deref(),
                        &names_in(&folder),
                        || blob_paths(&tree),
                    )
                {
                    return Ok(Some(why));
                }
                let runtime = watched
                    .runtime_id(RuntimeFile::Txt)
                    .and_then(|id| self.repo.find_blob(id).ok())
                    .map(|b| b.content().to_vec());
                Ok(if pick == BuilderPick::KuduLite {
                    super::builder::kudulite_not_python(&names_in(&folder))
                } else {
                    super::builder::not_python(&names_in(&folder), runtime.as_deref())
                })
            }
        }
    }

    /// Whether a root file of the platform's cache key besides requirements.txt (the
    /// package manager's lock files) appears, goes or changes between the two commits.
    fn cache_key_files_changed(&self, base: &git2::Commit, tip: &git2::Commit) -> Result<bool> {
        let (base, tip) = (base.tree()?, tip.tree()?);
        Ok(self
            .platform
            .facts()
            .cache_key_files
            .iter()
            .any(|name| base.get_name(name).map(|e| e.id()) != tip.get_name(name).map(|e| e.id())))
    }

    /// Whether the update `base -> tip` changes any watched file (the first, cheap step of
    /// [`Analyzer::analyze`]: ids of the watched paths only). `base = None`: a first deploy,
    /// which changes nothing deployed.
    pub fn changes_watched(&mut self, base: Option<Oid>, tip: Oid) -> Result<bool> {
        let Some(base) = base else {
            return Ok(false);
        };
        let tip = self.watched(&self.repo.find_commit(tip)?)?;
        let base = self.watched(&self.repo.find_commit(base)?)?;
        Ok(!base.same(&tip))
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
            analysis.added = tip_watched
                .set()
                .requirements
                .keys()
                .filter(|k| crate::requirements::is_name(k))
                .cloned()
                .collect();
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
            && !analysis.reasons.is_empty()
            && (root_id(&base_watched) != root_id(&tip_watched)
                || self.cache_key_files_changed(&base_commit, &tip_commit)?);
        analysis.verdict = verdict_of(&analysis.reasons, self.platform, cache_key_changed);
        if !analysis.reasons.is_empty()
            && let Some(why) = self.builder_keeps_no_env(&tip_commit, &tip_watched)?
        {
            analysis.warnings.push(FileError::new(
                if tip_watched.root.is_empty() {
                    "."
                } else {
                    &tip_watched.root
                },
                None,
                format!("{why}, and envguard does nothing for it"),
            ));
            analysis.reasons.clear();
            analysis.verdict = super::types::Verdict::None;
        }
        // The tip's runtime matters only to a push that changes something (the toggle reads
        // it); the hot path of a push that changes nothing watched reads no blob.
        if changed || !analysis.reasons.is_empty() {
            analysis.runtime = self.runtime_value(&tip_watched, RuntimeFile::Txt);
        }
        if changed
            || !analysis.reasons.is_empty()
            || self.always_tip_set
            || self.platform.keeps_vcs_revisions()
        {
            analysis.tip_set = Some(tip_watched.set().clone());
        }
        Ok(analysis)
    }
}

/// Every file path of `tree`, `/`-separated.
fn blob_paths(tree: &git2::Tree) -> Vec<String> {
    let mut paths = Vec::new();
    let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(ObjectType::Blob)
            && let Ok(name) = entry.name()
        {
            paths.push(format!("{dir}{name}"));
        }
        git2::TreeWalkResult::Ok
    });
    paths
}
