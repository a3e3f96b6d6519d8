//! What a push needs and why, as values: the [`Verdict`] of one ref update and the
//! [`Reason`]s for it, each attributed to the commit that introduced it. The analysis
//! ([`crate::analyze`]) gives them; their wording is [`crate::output::verdict`].

use git2::Oid;
use serde::Serialize;

/// The detail of an `env-folder-changed` reason whose folder left the repository.
pub const ENV_REMOVED: &str = "removed from the repository";

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
    pub(crate) fn new(
        kind: ReasonKind,
        file: &str,
        package: Option<&str>,
        detail: Option<String>,
    ) -> Self {
        Reason {
            kind,
            file: file.to_string(),
            package: package.map(str::to_string),
            commit: None,
            detail,
        }
    }

    /// Whether two reasons name the same change (ignoring attribution and detail).
    pub(crate) fn same_change(&self, other: &Reason) -> bool {
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

/// Why the server acts on a received update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The analysis of the update says so (`wipe`, or `rebuild`).
    Verdict(Verdict),
    /// A wipe marker ref pushed by the client's mark mode applies to the new tip.
    Marker,
    /// The push option [`WIPE_PUSH_OPTION`].
    PushOption,
}

/// The builder a platform picks for the app when it is not the one that keeps a Python env:
/// why nothing in a push leaves an env stale there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtherBuilder {
    /// Kudu's deployment script generated with `SCM_SCRIPT_GENERATOR_ARGS` without
    /// `--python`.
    GeneratorArgs { args: String },
    /// Kudu on Windows builds .NET.
    DotNet(DotNet),
    /// Kudu (or KuduLite) deploys a Node.js app: `file` at the app root says so.
    Node { kudu: Kudu, file: &'static str },
    /// Kudu finds no requirements.txt at the app root.
    NoRequirements,
    /// Kudu does not take the app for Python: no `.py` file at its root, and no runtime.txt
    /// that says python.
    NoPythonFile,
    /// Dokku builds the app with a builder that makes the env anew.
    Dokku(DokkuBuilder),
}

/// Which Kudu picks the builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kudu {
    /// Kudu on Windows.
    Kudu,
    /// KuduLite (App Service on Linux without Oryx).
    KuduLite,
}

/// What makes Kudu build .NET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DotNet {
    /// `PROJECT` names an MSBuild project.
    Named(String),
    /// The app folder holds an MSBuild project.
    InAppFolder(String),
    /// The repository holds an MSBuild project and no solution.
    Loose(String),
    /// The repository holds these solutions (more than one: Kudu fails the deployment).
    Solutions(Vec<String>),
}

/// A Dokku builder that makes the env anew on every deployment, by the file that picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DokkuBuilder {
    Dockerfile,
    Lambda,
    Nixpacks,
    Pack,
    Railpack,
}

impl DokkuBuilder {
    /// The file at the app's root that makes Dokku's `builder-detect` pick it.
    pub fn file(self) -> &'static str {
        match self {
            DokkuBuilder::Dockerfile => "Dockerfile",
            DokkuBuilder::Lambda => "lambda.yml",
            DokkuBuilder::Nixpacks => "nixpacks.toml",
            DokkuBuilder::Pack => "project.toml",
            DokkuBuilder::Railpack => "railpack.json",
        }
    }
}

/// The push option that asks the server hook for a fresh env (`git push -o envguard.wipe`).
pub const WIPE_PUSH_OPTION: &str = "envguard.wipe";

/// A commit id in JSON: its hex string.
pub(crate) fn serialize_oid<S: serde::Serializer>(id: &Oid, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(id)
}

/// An optional commit id in JSON: its hex string, or null.
pub(crate) fn serialize_opt_oid<S: serde::Serializer>(
    id: &Option<Oid>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match id {
        Some(id) => s.collect_str(id),
        None => s.serialize_none(),
    }
}
