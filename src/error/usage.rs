//! A command line that asks for something that cannot be ([`UsageError`]), and a setting
//! envguard cannot use as git does ([`SettingWarning`]).

/// A setting envguard reads but cannot use as git does, said as a warning (one from outside
/// the repository never refuses a push). Its wording is in [`crate::output`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingWarning {
    /// An `includeIf.hasconfig:` include (`name`), which git applies and libgit2 cannot.
    UnreadableInclude { name: String },
    /// An `envguard.*` key envguard does not know, set outside the repository: the nearest
    /// known key and the command that removes it.
    UnknownKey {
        key: String,
        value: String,
        nearest: &'static str,
        unset: String,
    },
    /// Committed settings this machine does not take without consent: the file, the keys,
    /// the digest of the content to allow, and the key that allows it.
    NoConsent {
        file: String,
        keys: Vec<String>,
        digest: String,
        consent_key: &'static str,
    },
}

/// A command line that asks for something that cannot be: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("unknown revision '{rev}': {}", .source.message())]
    UnknownRevision {
        rev: String,
        #[source]
        source: git2::Error,
    },
    #[error("'{range}': symmetric ranges are not supported; use A..B")]
    SymmetricRange { range: String },
    /// `check` without a range where no remote is a deploy remote: `example` is a remote of
    /// the repository (or `origin`), `branch` the first deploy branch.
    #[error(
        "no remote is a deploy remote (none matches envguard.remote or envguard.remoteName), \
         so pushes are not checked: name yours with `git config envguard.remoteName \
         {example}`, or give a range, e.g. `envguard check {example}/{branch}..HEAD`"
    )]
    NoDeployRemote { example: String, branch: String },
    #[error(
        "--diff shows the changes as text, in the human format; with --format json, see them \
         with `git diff A..B -- <the files in the reasons>`"
    )]
    DiffWithJson,
}
