//! The wording of verdicts and reasons, in one place, for `check`, the hooks, the toggle
//! commits' trailers and the server's `remote:` lines.

use git2::{Oid, Repository};

use crate::analyze::{Analysis, Reason, ReasonKind, Verdict};

/// At most this many reason lines in a report; the rest are counted.
pub const MAX_REASON_LINES: usize = 12;

/// The characters of a commit id shown in messages.
pub const SHORT_ID_LEN: usize = 7;

/// The first characters of a commit id, for messages.
pub fn short_id(id: &str) -> &str {
    id.get(..SHORT_ID_LEN).unwrap_or(id)
}

/// [`short_id`] of an [`Oid`].
pub fn short_oid(id: Oid) -> String {
    short_id(&id.to_string()).to_string()
}

/// One line saying what a verdict means for the deployment.
pub fn verdict_line(analysis: &Analysis) -> String {
    let count = analysis.reasons.len();
    let reasons = if count == 1 {
        "1 reason".to_string()
    } else {
        format!("{count} reasons")
    };
    match analysis.shown_verdict() {
        Verdict::None if analysis.platform.builds_fresh() && count > 0 => format!(
            "none: {} builds a fresh env on every deployment{}, so this push needs nothing \
             ({reasons} that would matter elsewhere)",
            analysis.platform,
            analysis
                .platform
                .facts()
                .fresh_because
                .map(|why| format!(" ({why})"))
                .unwrap_or_default()
        ),
        Verdict::None => "none: the deployed env stays valid".to_string(),
        Verdict::Invalid => "invalid: a watched file has errors, so there is no verdict until \
                             they are fixed"
            .to_string(),
        Verdict::Rebuild if analysis.platform.rebuilds_when_requirements_change() => format!(
            "rebuild: requirements.txt, the resolved runtime or a file of its cache key changed, \
             so {} discards its cached env and builds a fresh one ({reasons})",
            analysis.platform
        ),
        Verdict::Rebuild => {
            format!("rebuild: the runtime changes, so the platform builds a fresh env ({reasons})")
        }
        Verdict::Wipe
            if analysis
                .reasons
                .iter()
                .all(|r| r.kind == ReasonKind::Forced) =>
        {
            "wipe: an Env-Wipe: force trailer asks for a fresh env".to_string()
        }
        Verdict::Wipe => format!(
            "wipe: the deployed env would keep stale packages and must be rebuilt ({reasons})"
        ),
    }
}

/// What happened, in words (`removed`, `source changed`).
fn what_happened(kind: ReasonKind) -> &'static str {
    match kind {
        ReasonKind::RequirementRemoved => "removed",
        ReasonKind::RequirementSourceChanged => "source changed",
        ReasonKind::RequirementNarrowed => "asks for less",
        ReasonKind::RequirementChanged => "changed",
        ReasonKind::RequirementsFileDeleted => "deleted",
        ReasonKind::RequirementsFileChanged => "changed",
        ReasonKind::RuntimeChanged => "runtime changed",
        ReasonKind::EnvFolderChanged => "env folder",
        ReasonKind::Forced => "forced",
    }
}

/// One reason as a line: file, package, what happened, and the commit.
pub fn describe(repo: &Repository, reason: &Reason) -> String {
    let what = what_happened(reason.kind);
    let mut line = match &reason.package {
        Some(p) => format!("{}: {p} {what}", reason.file),
        None if reason.kind == ReasonKind::Forced => "Env-Wipe: force".to_string(),
        // `env/: env folder committed`, not `committed env folder (committed)`.
        None if reason.kind == ReasonKind::EnvFolderChanged => format!(
            "{}: {what} {}",
            reason.file,
            reason.detail.as_deref().unwrap_or("changed")
        ),
        None => format!("{}: {what}", reason.file),
    };
    if let Some(detail) = &reason.detail
        && !matches!(
            reason.kind,
            ReasonKind::Forced | ReasonKind::EnvFolderChanged
        )
    {
        line.push_str(&format!(" ({detail})"));
    }
    if let Some(commit) = reason.commit {
        line.push_str(&format!(" in {}", commit_label(repo, commit)));
    }
    line
}

/// `abc1234 "subject"` for a commit id.
pub fn commit_label(repo: &Repository, commit: Oid) -> String {
    let short = short_oid(commit);
    let subject = repo
        .find_commit(commit)
        .ok()
        .and_then(|c| c.summary().ok().flatten().map(str::to_string));
    match subject {
        Some(s) => format!("{short} \"{s}\""),
        None => short,
    }
}

/// The verdict line and at most [`MAX_REASON_LINES`] reasons, indented; the rest counted.
pub fn reason_lines(repo: &Repository, analysis: &Analysis) -> Vec<String> {
    let mut lines: Vec<String> = analysis
        .reasons
        .iter()
        .take(MAX_REASON_LINES)
        .map(|r| format!("  {}", describe(repo, r)))
        .collect();
    if analysis.reasons.len() > MAX_REASON_LINES {
        lines.push(format!(
            "  ... and {} more (envguard check --format json)",
            analysis.reasons.len() - MAX_REASON_LINES
        ));
    }
    lines.extend(analysis.reasons.iter().filter_map(stop_committing_hint));
    lines
}

/// For an env folder that the tip commits: how to stop committing it.
fn stop_committing_hint(reason: &Reason) -> Option<String> {
    let removed = reason.detail.as_deref() == Some(crate::analyze::ENV_REMOVED);
    if reason.kind != ReasonKind::EnvFolderChanged || removed {
        return None;
    }
    let path = reason.file.trim_end_matches('/');
    Some(format!(
        "  stop committing the env folder: git rm -r --cached {path} && echo '/{path}/' >> \
         .gitignore && git commit -m 'Stop committing {path}'"
    ))
}

/// The reasons in one line (`requirement-removed flask-cors, env-folder-changed env/`), at
/// most five items, for commit trailers and server messages.
pub fn summarize(reasons: &[Reason]) -> String {
    let mut parts: Vec<String> = reasons
        .iter()
        .map(|r| match (&r.package, r.kind) {
            (Some(package), kind) => format!("{package} {}", what_happened(kind)),
            (None, ReasonKind::Forced) => "Env-Wipe: force".to_string(),
            (None, ReasonKind::EnvFolderChanged) => {
                format!("{} {}", r.file, r.detail.as_deref().unwrap_or("changed"))
            }
            (None, kind) => format!("{} {}", r.file, what_happened(kind)),
        })
        .collect();
    if parts.len() > 5 {
        let more = parts.len() - 4;
        parts.truncate(4);
        parts.push(format!("and {more} more"));
    }
    parts.join(", ")
}
