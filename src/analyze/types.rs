//! The analysis of one ref update as a value: the verdict, its reasons and what the
//! actions need, and its JSON form (schema 1).

use git2::Oid;
use serde::Serialize;

use super::rules::RuntimeFile;
use crate::output::verdict::{CommitLabel, ReasonLine, ReasonList, VerdictLine};
use crate::paths::join;
use crate::platform::Platform;
use crate::requirements::RequirementSet;
pub(super) use crate::verdict::{
    Reason, ReasonKind, SkippedReason, Verdict, serialize_oid, serialize_opt_oid,
};
use crate::{FileError, Result};

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
    /// The tip's requirement set, for the actions that need it (a prune, the VCS note):
    /// kept when the push changes or forces something, or where the platform's cache key
    /// is the requirements' bytes.
    #[serde(skip)]
    pub tip_set: Option<RequirementSet>,
}

fn serialize_platform<S: serde::Serializer>(p: &Platform, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.name())
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

    /// What a prune uninstalls although it is still required, so the deployment installs
    /// it again: a package whose source changed, and one from a VCS branch or tag (pip would
    /// keep the installed revision however far the branch moved).
    pub fn to_reinstall(&self) -> Vec<String> {
        let mut names = self.source_changed();
        if let Some(set) = &self.tip_set {
            names.extend(set.unpinned_vcs().into_iter().map(|(name, _)| name.clone()));
        }
        names.sort();
        names.dedup();
        names
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

    /// What the verdict means for the deployment, as one line says it.
    pub fn verdict_line(&self) -> VerdictLine {
        VerdictLine {
            verdict: self.shown_verdict(),
            platform: self.platform,
            reasons: self.reasons.len(),
            only_forced: self.reasons.iter().all(|r| r.kind == ReasonKind::Forced),
        }
    }

    /// The reasons, each with the commit that introduced it as `repo` names it.
    pub fn reason_list(&self, repo: &git2::Repository) -> ReasonList {
        ReasonList(
            self.reasons
                .iter()
                .map(|reason| ReasonLine {
                    reason: reason.clone(),
                    commit: reason.commit.map(|id| commit_label(repo, id)),
                })
                .collect(),
        )
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
            tip_set: None,
            platform,
        }
    }
}

/// A commit as messages name it: its id and, when `repo` has it, its subject.
pub fn commit_label(repo: &git2::Repository, id: Oid) -> CommitLabel {
    let subject = repo
        .find_commit(id)
        .ok()
        .and_then(|c| c.summary().ok().flatten().map(str::to_string));
    CommitLabel { id, subject }
}
