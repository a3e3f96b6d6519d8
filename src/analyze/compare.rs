//! Two commits' watched files -> reasons: requirement sets, runtimes, the env folder,
//! committed virtualenvs.

use std::path::Path;

use git2::{ObjectType, Oid};

use super::Analyzer;
use super::rules::{Comparison, ENV_REMOVED, RuntimeFile};
use super::tree::Watched;
use super::types::{Reason, ReasonKind};
use crate::config::Policy;
use crate::paths::join;
use crate::platform::RuntimeRule;
use crate::requirements::is_name;
use crate::requirements::{Closure, RequirementSet, SetDiff};
use crate::runtime::BuildpackFile;
use crate::{FileError, Result, runtime};

impl<'r> Analyzer<'r> {
    pub(super) fn runtime_value(
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
            | (RuntimeRule::KuduPrefix, RuntimeFile::PythonVersion)
            | (RuntimeRule::PythonVersionFile, RuntimeFile::Txt) => {
                return Ok(None);
            }
            // runtime.txt first: beside it, .python-version is not read at all.
            (RuntimeRule::RuntimeTxtFirst, RuntimeFile::PythonVersion)
                if watched.runtime_id(RuntimeFile::Txt).is_some() =>
            {
                return Ok(None);
            }
            (RuntimeRule::KuduPrefix, RuntimeFile::Txt) => {
                |path: &str, bytes: &[u8], runtimes: &[String]| {
                    runtime::parse_kudu_runtime(path, bytes, runtimes).map(Some)
                }
            }
            // The buildpack fails the build on a file it cannot read or a Python it does not
            // build: refused at push. The value is the request as written.
            (RuntimeRule::RuntimeTxtFirst, RuntimeFile::Txt) => {
                |path: &str, bytes: &[u8], _: &[String]| {
                    runtime::read_buildpack_version(path, BuildpackFile::RuntimeTxt, bytes)?;
                    runtime::parse_buildpack_version(path, BuildpackFile::RuntimeTxt, bytes)
                        .map(Some)
                }
            }
            (RuntimeRule::RuntimeTxtFirst, RuntimeFile::PythonVersion) => {
                |path: &str, bytes: &[u8], _: &[String]| {
                    runtime::read_buildpack_version(path, BuildpackFile::PythonVersion, bytes)?;
                    runtime::parse_buildpack_version(path, BuildpackFile::PythonVersion, bytes)
                        .map(Some)
                }
            }
            (RuntimeRule::AnyRuntimeFile | RuntimeRule::PythonVersionFile, _) => {
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
    pub(super) fn compare(&self, old: &Watched, new: &Watched) -> Comparison {
        let mut out = Comparison::default();
        self.compare_requirements(old, new, &mut out);
        if let Some(path) = new
            .misspelled
            .as_ref()
            .filter(|_| old.misspelled != new.misspelled)
        {
            out.errors.push(FileError::new(
                path,
                None,
                "is a misspelled .python-version: Heroku's Python buildpack fails the build on \
                 it (\"Your .python-version file is spelled incorrectly\"). Rename it to \
                 .python-version",
            ));
        }
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
                // The buildpacks key their cache on the version the file resolves to
                // (`3.12` is the newest 3.12.x they know): only a change that surely
                // resolves elsewhere rebuilds.
                RuntimeRule::RuntimeTxtFirst | RuntimeRule::PythonVersionFile => matches!(
                    (&before, &after),
                    (Ok(Some(b)), Some(a)) if runtime::resolves_elsewhere(b, a)
                ),
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

    pub(super) fn compare_requirements(&self, old: &Watched, new: &Watched, out: &mut Comparison) {
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
    pub(super) fn set_reasons(
        &self,
        old_set: &RequirementSet,
        new_set: &RequirementSet,
        root_file: &str,
        out: &mut Comparison,
    ) {
        let mut diff = SetDiff::between(old_set, new_set);
        for name in &diff.removed {
            let entry = &old_set.requirements[name];
            if is_name(name) {
                out.reasons.push(Reason::new(
                    ReasonKind::RequirementRemoved,
                    &entry.file,
                    Some(name),
                    Some(format!("'{}' is no longer required", entry.first.text)),
                ));
            } else {
                // An unnamed location is no package name: its going is a change of source.
                out.reasons.push(Reason::new(
                    ReasonKind::RequirementSourceChanged,
                    &entry.file,
                    None,
                    Some(format!("'{}' is no longer required", entry.first.text)),
                ));
            }
        }
        diff.removed.retain(|n| is_name(n));
        diff.added.retain(|n| is_name(n));
        diff.changed.retain(|n| is_name(n));
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
    pub(super) fn committed_venvs(
        &self,
        commit: &git2::Commit,
        root: &str,
    ) -> Result<Vec<FileError>> {
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
