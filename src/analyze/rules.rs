//! The rules that turn reasons into a verdict: `Env-Wipe` trailers and each platform's
//! verdict precedence.

use git2::Oid;

use super::types::{Analysis, Reason, ReasonKind, SkippedReason, Verdict};
use crate::FileError;
use crate::platform::Platform;
use crate::trailers::EnvWipe;

pub use crate::verdict::ENV_REMOVED;

/// The two files that name the runtime.
#[derive(Clone, Copy)]
pub(super) enum RuntimeFile {
    Txt,
    PythonVersion,
}

impl RuntimeFile {
    pub(super) const ALL: [RuntimeFile; 2] = [RuntimeFile::Txt, RuntimeFile::PythonVersion];

    pub(super) fn name(self) -> &'static str {
        match self {
            RuntimeFile::Txt => "runtime.txt",
            RuntimeFile::PythonVersion => ".python-version",
        }
    }
}

#[derive(Default)]
pub(super) struct Comparison {
    pub(super) reasons: Vec<Reason>,
    pub(super) removed: Vec<String>,
    pub(super) added: Vec<String>,
    pub(super) changed: Vec<String>,
    pub(super) errors: Vec<FileError>,
    pub(super) warnings: Vec<FileError>,
}

/// Applies `Env-Wipe` trailers: `skip` on the tip drops every reason (and turns errors into
/// warnings), `skip` elsewhere drops the reasons that commit introduced, `force` anywhere
/// adds a `forced` reason.
pub(super) fn apply_trailers(analysis: &mut Analysis, tip: Oid, marks: &[(Oid, EnvWipe)]) {
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
pub(super) fn verdict_of(
    reasons: &[Reason],
    platform: Platform,
    cache_key_changed: bool,
) -> Verdict {
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
