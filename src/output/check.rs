//! What `envguard check` and `envguard env diff` report, in their human format:
//! [`CheckReport`] and [`EnvDiffReport`].

use std::fmt;
use std::path::PathBuf;

use git2::Oid;

use crate::FileError;
use crate::output::verdict::{CommitLabel, ReasonLine, ReasonList, ShortId, VerdictLine};
use crate::platform::Platform;
use crate::prune::{Flaw, FlawKind};

/// `envguard check`'s human report of one range.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub verdict: VerdictLine,
    /// The base compared (`None`: a first deployment, compared with nothing).
    pub base: Option<Oid>,
    pub tip: Oid,
    pub platform: Platform,
    /// The requirements.txt the tip lacks, when it has none.
    pub no_requirements: Option<String>,
    pub reasons: ReasonList,
    /// The reasons dropped by `Env-Wipe: skip`, each with the commit whose trailer did.
    pub skipped: Vec<(CommitLabel, ReasonLine)>,
    pub warnings: Vec<FileError>,
    pub errors: Vec<FileError>,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n  compared ", self.verdict)?;
        match self.base {
            Some(base) => write!(f, "{}..{}", ShortId(base), ShortId(self.tip))?,
            None => write!(
                f,
                "{} (a first deployment: nothing deployed yet)",
                ShortId(self.tip)
            )?,
        }
        write!(f, " for {}", self.platform)?;
        if let Some(path) = &self.no_requirements {
            write!(
                f,
                "\n  note: {} has no {path}; only runtime and committed env changes count",
                ShortId(self.tip)
            )?;
        }
        if !self.reasons.is_empty() {
            write!(f, "\n{}", self.reasons)?;
        }
        for (by, reason) in &self.skipped {
            write!(f, "\n  skipped by Env-Wipe: skip in {by}: {reason}")?;
        }
        for warning in &self.warnings {
            write!(f, "\nwarning: {warning}")?;
        }
        for error in &self.errors {
            write!(f, "\nerror: {error}")?;
        }
        if !self.errors.is_empty() {
            f.write_str(
                "\nFix the file, or push anyway with an `Env-Wipe: skip` trailer on the tip commit.",
            )?;
        }
        Ok(())
    }
}

/// `envguard env diff`: what an env holds that a fresh install of a commit's requirements
/// would not, and what it lacks.
#[derive(Debug, Clone)]
pub struct EnvDiffReport {
    pub env: PathBuf,
    pub python: String,
    pub tip: Oid,
    /// Installed, and not required: (name, version).
    pub orphans: Vec<(String, String)>,
    /// Required, and not installed.
    pub missing: Vec<String>,
    /// Files that are not what the env's metadata says.
    pub broken: Vec<Flaw>,
}

impl fmt::Display for EnvDiffReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (Python {}) against the requirements of {}: {} orphan(s), {} missing",
            self.env.display(),
            self.python,
            ShortId(self.tip),
            self.orphans.len(),
            self.missing.len()
        )?;
        for (name, version) in &self.orphans {
            write!(
                f,
                "\n  orphan: {name} {version} (a fresh install would not have it)"
            )?;
        }
        for name in &self.missing {
            write!(f, "\n  missing: {name}")?;
        }
        for flaw in &self.broken {
            write!(f, "\n  broken: {flaw}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Flaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            FlawKind::Missing => write!(
                f,
                "{} is broken: {} is missing",
                self.dist,
                self.path.display()
            ),
            FlawKind::ThroughLink => write!(
                f,
                "{}'s file {} is reached through a symbolic link",
                self.dist,
                self.path.display()
            ),
        }
    }
}
