//! The wording of verdicts and reasons, for `check`, the hooks, the toggle commits' trailers
//! and the server's `remote:` lines: [`VerdictLine`], [`ReasonList`], [`Summary`] and the
//! commit ids they name ([`ShortId`], [`CommitLabel`]).

use std::fmt;

use git2::Oid;

use crate::platform::Platform;
use crate::verdict::{Cause, ENV_REMOVED, Reason, ReasonKind, Verdict, WIPE_PUSH_OPTION};

/// At most this many reason lines in a report; the rest are counted.
pub const MAX_REASON_LINES: usize = 12;

/// The characters of a commit id shown in messages.
pub const SHORT_ID_LEN: usize = 7;

/// The first characters of a commit id, for messages.
pub fn short_id(id: &str) -> &str {
    id.get(..SHORT_ID_LEN).unwrap_or(id)
}

/// A commit id as messages show it: its first [`SHORT_ID_LEN`] characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShortId(pub Oid);

impl fmt::Display for ShortId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(short_id(&self.0.to_string()))
    }
}

/// A commit as messages name it: `abc1234 "subject"` (the id alone when the commit is not
/// in the repository or has no subject).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitLabel {
    pub id: Oid,
    pub subject: Option<String>,
}

impl fmt::Display for CommitLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.subject {
            Some(subject) => write!(f, "{} \"{subject}\"", ShortId(self.id)),
            None => write!(f, "{}", ShortId(self.id)),
        }
    }
}

/// What a verdict means for the deployment, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictLine {
    /// The verdict shown (`invalid` when a watched file has errors).
    pub verdict: Verdict,
    /// The platform whose rules gave it.
    pub platform: Platform,
    /// How many reasons it has.
    pub reasons: usize,
    /// Whether every reason is an `Env-Wipe: force` trailer.
    pub only_forced: bool,
}

impl fmt::Display for VerdictLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.reasons;
        let reasons = if count == 1 {
            "1 reason".to_string()
        } else {
            format!("{count} reasons")
        };
        let platform = self.platform;
        match self.verdict {
            Verdict::None if platform.builds_fresh() && count > 0 => {
                write!(f, "none: {platform} builds a fresh env on every deployment")?;
                if let Some(why) = platform.facts().fresh_because {
                    write!(f, " ({why})")?;
                }
                write!(
                    f,
                    ", so this push needs nothing ({reasons} that would matter elsewhere)"
                )
            }
            Verdict::None => f.write_str("none: the deployed env stays valid"),
            Verdict::Invalid => f.write_str(
                "invalid: a watched file has errors, so there is no verdict until they are fixed",
            ),
            Verdict::Rebuild if platform.rebuilds_when_requirements_change() => write!(
                f,
                "rebuild: requirements.txt, the resolved runtime or a file of its cache key \
                 changed, so {platform} discards its cached env and builds a fresh one \
                 ({reasons})"
            ),
            Verdict::Rebuild => write!(
                f,
                "rebuild: the runtime changes, so the platform builds a fresh env ({reasons})"
            ),
            Verdict::Wipe if self.only_forced => {
                f.write_str("wipe: an Env-Wipe: force trailer asks for a fresh env")
            }
            Verdict::Wipe => write!(
                f,
                "wipe: the deployed env would keep stale packages and must be rebuilt ({reasons})"
            ),
        }
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

/// One reason as a line: file, package, what happened, and the commit that introduced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonLine {
    pub reason: Reason,
    pub commit: Option<CommitLabel>,
}

impl fmt::Display for ReasonLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = &self.reason;
        let what = what_happened(reason.kind);
        match (&reason.package, reason.kind) {
            (Some(p), _) => write!(f, "{}: {p} {what}", reason.file)?,
            (None, ReasonKind::Forced) => f.write_str("Env-Wipe: force")?,
            // `env/: env folder committed`, not `committed env folder (committed)`.
            (None, ReasonKind::EnvFolderChanged) => write!(
                f,
                "{}: {what} {}",
                reason.file,
                reason.detail.as_deref().unwrap_or("changed")
            )?,
            (None, _) => write!(f, "{}: {what}", reason.file)?,
        }
        if let Some(detail) = &reason.detail
            && !matches!(
                reason.kind,
                ReasonKind::Forced | ReasonKind::EnvFolderChanged
            )
        {
            write!(f, " ({detail})")?;
        }
        if let Some(commit) = &self.commit {
            write!(f, " in {commit}")?;
        }
        Ok(())
    }
}

/// The reasons of a verdict, indented: at most [`MAX_REASON_LINES`], the rest counted, then
/// how to stop committing an env folder the tip commits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReasonList(pub Vec<ReasonLine>);

impl fmt::Display for ReasonList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut line = |f: &mut fmt::Formatter<'_>, text: &dyn fmt::Display| {
            let sep = if first { "" } else { "\n" };
            first = false;
            write!(f, "{sep}  {text}")
        };
        for reason in self.0.iter().take(MAX_REASON_LINES) {
            line(f, reason)?;
        }
        if self.0.len() > MAX_REASON_LINES {
            let more = self.0.len() - MAX_REASON_LINES;
            line(
                f,
                &format_args!("... and {more} more (envguard check --format json)"),
            )?;
        }
        for reason in self.0.iter().map(|r| &r.reason) {
            let removed = reason.detail.as_deref() == Some(ENV_REMOVED);
            if reason.kind == ReasonKind::EnvFolderChanged && !removed {
                let path = reason.file.trim_end_matches('/');
                line(
                    f,
                    &format_args!(
                        "stop committing the env folder: git rm -r --cached {path} && echo \
                         '/{path}/' >> .gitignore && git commit -m 'Stop committing {path}'"
                    ),
                )?;
            }
        }
        Ok(())
    }
}

impl ReasonList {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The reasons in one line (`flask-cors removed, env/ env folder`), at most five items, for
/// commit trailers and server messages.
#[derive(Debug, Clone, Copy)]
pub struct Summary<'a>(pub &'a [Reason]);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.0.len() > 5 { 4 } else { self.0.len() };
        for (i, r) in self.0.iter().take(shown).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match (&r.package, r.kind) {
                (Some(package), kind) => write!(f, "{package} {}", what_happened(kind))?,
                (None, ReasonKind::Forced) => f.write_str("Env-Wipe: force")?,
                (None, ReasonKind::EnvFolderChanged) => {
                    write!(f, "{} {}", r.file, r.detail.as_deref().unwrap_or("changed"))?
                }
                (None, kind) => write!(f, "{} {}", r.file, what_happened(kind))?,
            }
        }
        if self.0.len() > 5 {
            write!(f, ", and {} more", self.0.len() - 4)?;
        }
        Ok(())
    }
}

/// [`ShortId`] as a string, for a message's field.
pub fn short_oid(id: Oid) -> String {
    ShortId(id).to_string()
}

/// Why the server gives an env a fresh start, for its `remote:` lines and the marker file:
/// each cause, the verdict's with its reasons summed up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Causes {
    pub causes: Vec<Cause>,
    pub reasons: Vec<Reason>,
    /// The env is pruned: its line names the changes only (a prune is no wipe).
    pub prune: bool,
}

impl fmt::Display for Causes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, cause) in self.causes.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            let reasons = Summary(&self.reasons);
            match cause {
                Cause::Verdict(_) if self.prune => write!(f, "{reasons}")?,
                Cause::Verdict(v) => write!(f, "{}: {reasons}", v.as_str())?,
                Cause::Marker => f.write_str("wipe marker pushed by the client")?,
                Cause::PushOption => write!(f, "push option {WIPE_PUSH_OPTION}")?,
            }
        }
        Ok(())
    }
}
