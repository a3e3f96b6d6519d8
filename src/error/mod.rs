//! The two kinds of failure envguard knows. A [`FileError`] is a problem in the user's
//! watched files (`file:line: message`): it blocks a push until fixed or skipped. An
//! [`Error`] is a failure of envguard itself or of its surroundings (git, I/O, the network,
//! the configuration): in a hook it is a warning and never blocks a push. `Error` keeps its
//! source, so a libgit2 failure still carries its class and code.

use std::fmt;

mod process;
mod refusal;
pub mod site;
pub mod toggle;
mod usage;

pub use process::{GitAsked, Program, PushFailure, PushRefused, RunStep};
pub use refusal::{DeployStepFirst, Refusal};
pub use usage::{SettingWarning, UsageError};

/// A problem in a watched file, located as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl FileError {
    pub fn new(file: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        FileError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) if line > 0 => write!(f, "{}:{}: {}", self.file, line, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for FileError {}

/// What is wrong with one line or value of a watched file or a commit message, before it is
/// placed (`file:line`) into a [`FileError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("unknown option '{name}'")]
    UnknownOption { name: String },
    #[error("option '{name}' needs a value")]
    OptionNeedsValue { name: String },
    #[error("option '{name}' takes no value")]
    OptionTakesNoValue { name: String },
    #[error("an unclosed quote or a trailing backslash")]
    UnclosedQuote,
    #[error(
        "invalid requirement '{text}': not a name, and a path with spaces; one requirement per \
         line (a line ending in '\\' continues on the next)"
    )]
    PathWithSpaces { text: String },
    #[error("'{text}' is not a valid editable requirement: use a path or a VCS URL")]
    NotEditable { text: String },
    /// The PEP 508 parser's message, and the column (from 1).
    #[error("invalid requirement '{text}': {message} (at column {column})")]
    Pep508 {
        text: String,
        message: String,
        column: usize,
    },
    #[error(
        "invalid requirement '{text}': non-ASCII character '{character}' at column {column}; \
         only quoted marker values may hold one"
    )]
    NonAscii {
        text: String,
        character: char,
        column: usize,
    },
    #[error(
        "invalid requirement '{text}': the {what} '{identifier}' must end with a letter or \
         digit, not '{end}'"
    )]
    NameEnd {
        text: String,
        what: &'static str,
        identifier: String,
        end: char,
    },
    #[error(
        "include '{target}' is an absolute path; only files inside the repository can be \
         compared"
    )]
    AbsoluteInclude { target: String },
    #[error("include '{target}' points outside the repository")]
    IncludeOutside { target: String },
    #[error("unknown 'Env-Wipe: {value}' trailer (expected skip or force)")]
    Trailer { value: String },
    #[error("cannot read the symbolic link: {message}")]
    UnreadableLink { message: String },
    #[error("is a symbolic link to '{target}', outside the repository")]
    LinkOutside { target: String },
    #[error("is a symbolic link to '{target}', which is not in this commit")]
    DanglingLink { target: String },
    #[error("is a submodule, not a file")]
    Submodule,
    #[error("is a folder, not a file")]
    Folder,
    #[error("is not a regular file (mode {mode:o})")]
    NotRegular { mode: i32 },
    #[error("is a chain of more than {max} symbolic links")]
    LinkChain { max: usize },
}

/// Why a prune cannot end as a fresh install would, so only a wipe is safe: the env's
/// contents cannot be attributed, the site cannot be read, the uninstall failed.
#[derive(Debug, thiserror::Error)]
pub enum WipeInstead {
    /// An egg install in site-packages, whose files cannot be listed.
    #[error("{name}: an egg install, whose files envguard cannot list")]
    Egg { name: String },
    /// A `.pth` file of neither virtualenv nor setuptools.
    #[error("{name}: a .pth file (an editable install?) envguard cannot attribute")]
    Pth { name: String },
    /// A requirement from a URL or path whose distribution is not installed under its name.
    #[error(
        "the requirement '{text}' installs from a URL or path, and no installed distribution is \
         named {name}"
    )]
    UnnamedSource { text: String, name: String },
    /// A distribution's METADATA has a requirement line that cannot be read.
    #[error("{dist}'s metadata has a line envguard cannot read: {line}")]
    UnreadableMetadata { dist: String, line: String },
    /// The push asks for another version of an installed distribution.
    #[error(
        "{name} {installed} is installed and the pushed requirements ask for {spec}: the \
         deployment installs another version, whose dependencies this env's metadata does not \
         show"
    )]
    VersionReplaced {
        name: String,
        installed: String,
        spec: String,
    },
    /// A kept distribution lacks a file, or lists one through a link.
    #[error("{flaw}; only a wipe makes it a fresh install")]
    Flawed { flaw: String },
    /// The uninstall left what it was to remove.
    #[error("{env} still holds {} after the uninstall", .left.join(", "))]
    StillHolds { env: String, left: Vec<String> },
    /// The uninstall broke a kept distribution.
    #[error("after the uninstall, {flaw}")]
    FlawedAfter { flaw: String },
    /// A distribution without a RECORD, or one that is no CSV.
    #[error("{} has no readable RECORD{}", .dist_info.display(), .why.as_deref().map(|w| format!(" ({w})")).unwrap_or_default())]
    NoRecord {
        dist_info: std::path::PathBuf,
        why: Option<String>,
    },
    /// A RECORD lists a path outside the env, or through a link out of it.
    #[error(
        "{} lists {relative}, {}",
        .dist_info.display(),
        if *.through_link { "whose folder is a link out of the env" } else { "outside the env" }
    )]
    RecordOutside {
        dist_info: std::path::PathBuf,
        relative: String,
        through_link: bool,
    },
    /// The env lacks a part every env has.
    #[error("{env} has no {what}")]
    EnvLacks { env: String, what: &'static str },
    /// pyvenv.cfg names no Python version.
    #[error("{cfg} names no Python version")]
    NoPythonVersion { cfg: String },
    /// The env's Python version has no marker environment.
    #[error("cannot read the Python version '{version}'")]
    UnknownPython { version: String },
    /// A distribution without METADATA.
    #[error("{name} has no METADATA")]
    NoMetadata { name: String },
    /// A distribution whose METADATA names nothing.
    #[error("{name}/METADATA names nothing")]
    MetadataNamesNothing { name: String },
    /// The uninstall on the site failed.
    #[error("`{command}` failed ({code}): {output}")]
    CommandFailed {
        command: String,
        code: i64,
        output: String,
    },
    /// A distribution name that is no package name: it never reaches a command line.
    #[error(
        "the site's env has a distribution named {name:?}, which is no package name; it is never \
         put on a command line"
    )]
    HostileName { name: String },
    /// The pushed requirements were not read.
    #[error("the pushed requirements were not read")]
    NotRead,
    /// The platform keeps no env to prune.
    #[error("the platform keeps no env")]
    NoEnv,
    /// A requirement the prune must read is invalid.
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// Reaching or reading the site, or a file-system step of the prune, failed.
    #[error("{0}")]
    Failed(#[from] Error),
    /// The uninstall ran and failed.
    #[error("{what} failed: {output}")]
    Uninstall { what: String, output: String },
}

/// A failure of envguard itself, as opposed to a problem in the user's files, by the
/// operation that failed; each variant keeps what it was working on and its source.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// libgit2 failed; the source keeps its class and code.
    #[error("{}", .0.message())]
    Git(#[from] git2::Error),
    /// An I/O failure.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A program that could not be started (`Start`), given its input (`Input`) or waited
    /// for (`Wait`).
    #[error(
        "{}{program}: {source}",
        match .step { RunStep::Start => "cannot run ", RunStep::Input => "cannot talk to ", RunStep::Wait => "" }
    )]
    Run {
        program: Program,
        step: RunStep,
        #[source]
        source: std::io::Error,
    },
    /// A git-config value envguard cannot use.
    #[error(
        "invalid git config {key} = '{value}': expected {expected} (fix it with `git config {key} ...`)"
    )]
    Config {
        key: String,
        value: String,
        expected: String,
    },
    /// An `envguard.*` key envguard does not know (a typo), set in this repository.
    #[error(
        "{key} = '{value}' is no setting envguard knows (did you mean {nearest}?): remove it \
         with `{unset}` and set {nearest} instead"
    )]
    UnknownKey {
        key: String,
        value: String,
        nearest: &'static str,
        unset: String,
    },
    /// A git-config value that could not be read at all.
    #[error("cannot read git config {key}: {}", .source.message())]
    ReadConfig {
        key: String,
        #[source]
        source: git2::Error,
    },
    /// The committed configuration file (`envguard.toml`, `[tool.envguard]`) is wrong.
    #[error(
        "{}{}: {message} (fix the file, or override the setting with `git config envguard.<key> ...`)",
        .path.display(),
        .line.map(|l| format!(":{l}")).unwrap_or_default()
    )]
    CommittedConfig {
        path: std::path::PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// git's hook input could not be read.
    #[error("{0}")]
    HookInput(#[from] crate::hook_input::InputError),
    /// A watched file of the pushed tip is wrong where envguard must read it to act.
    #[error("{0}")]
    WatchedFile(#[from] FileError),
    /// A file-system step on a named path failed: what was being done, where, and why.
    #[error("cannot {action} {}: {source}", .path.display())]
    Fs {
        action: &'static str,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// envguard refuses to touch a path (a destructive step it cannot prove safe): the path,
    /// why, and what to do instead.
    #[error("{} {why}", .path.display())]
    Refused {
        path: std::path::PathBuf,
        why: Refusal,
    },
    /// A server-side wipe was pointed at a folder no deployment owns.
    #[error(
        "refusing to wipe in {} ({}): it is {what}; the target must be the deployment's own \
         folder (envguard.target, --target)",
        .target.display(), .resolved.display()
    )]
    UnsafeTarget {
        target: std::path::PathBuf,
        resolved: std::path::PathBuf,
        what: &'static str,
    },
    /// `envguard.envDir` leaves the target.
    #[error(
        "env folder '{env_dir}' must be a relative path inside the target, without `..` \
         (envguard.envDir, --env-dir)"
    )]
    EnvDirOutside { env_dir: String },
    /// A remote name that git does not know.
    #[error("no remote named '{name}' (see `git remote -v`)")]
    NoRemote { name: String },
    /// A command that needs one deploy remote found none, or several.
    #[error(
        "{}; name one: envguard {command} --remote NAME",
        if .found.is_empty() {
            "no deploy remote here (none matches envguard.remote or envguard.remoteName)".to_string()
        } else {
            format!("several deploy remotes ({})", .found.join(", "))
        }
    )]
    DeployRemote {
        command: &'static str,
        found: Vec<String>,
    },
    /// `envguard.scmUrl` or the remote's URL gives no site address to use.
    #[error("{0}")]
    SiteAddress(#[from] site::SiteAddress),
    /// Talking to the site's API failed.
    #[error("{0}")]
    Site(Box<site::SiteError>),
    /// The toggle could not be built or pushed.
    #[error("{0}")]
    Toggle(Box<toggle::ToggleError>),
    /// A nested push git refused.
    #[error("{0}")]
    Push(#[from] PushRefused),
    /// A nested `git` command failed: what envguard asked and git's last line.
    #[error("{what} failed: {reason}")]
    GitCommand {
        what: GitAsked,
        /// git's last line (or its exit status).
        reason: String,
    },
    /// A commit of the remote's branch is missing here and could not be fetched.
    #[error(
        "{remote_ref} on {remote} is at {oid}, a commit this repository does not have and could \
         not fetch from it just now (pushed from elsewhere), so envguard cannot tell what the \
         site runs. Push again once `git fetch {remote}` gets it"
    )]
    UnfetchableRemoteCommit {
        remote_ref: String,
        /// The remote as it may be shown (its secrets masked by the caller).
        remote: String,
        oid: String,
    },
    /// A deploy branch the remote does not have, whose last commit there (by envguard's
    /// record) is missing here and could not be fetched.
    #[error(
        "{remote_ref} is not on {remote}; when envguard last saw it there it was at {oid}, a \
         commit this repository does not have and could not fetch, so envguard cannot tell \
         what the site runs"
    )]
    UnfetchableLastDeployed {
        remote_ref: String,
        /// The remote as it may be shown (its secrets masked by the caller).
        remote: String,
        oid: String,
    },
    /// A deploy branch the remote does not have, whose record of what it held cannot be read.
    #[error(
        "{remote_ref} is not on the remote, and envguard's record of what it held there ({}) \
         cannot be read, so envguard cannot tell what the site runs; remove that file to \
         judge the push as a first deployment",
        .path.display()
    )]
    UnreadableRecord {
        remote_ref: String,
        path: std::path::PathBuf,
    },
    /// A partial clone's promisor remote did not give the objects the analysis needs.
    #[error(
        "the repository lacks {} (a partial clone whose promisor remote did not provide it), so \
         the push could not be checked",
        .wanted.join(", ")
    )]
    MissingObjects { wanted: Vec<String> },
    /// The pre-push hook ran without the remote git passes it.
    #[error("pre-push needs the remote name and URL (git passes them to the hook)")]
    NoPushTarget,
    /// `check` in a repository without a commit.
    #[error("the repository has no commit yet; commit first")]
    NoCommitYet,
    /// `envguard push` went to a URL with a password: envguard keeps none, so it cannot ask
    /// that URL again.
    #[error("the push went to a URL with a password, which envguard does not keep")]
    PasswordUrlNotKept,
    /// The requirements an env is compared with have errors: no set to compare with.
    #[error(
        "the requirements are invalid, so there is no set to compare the env with (fix the \
         file; `envguard check REV` shows the same):{}",
        .errors.iter().map(|e| format!("\n  {e}")).collect::<String>()
    )]
    InvalidRequirements { errors: Vec<FileError> },
    /// A hook's input names an object this repository does not have as a commit.
    #[error("{oid} (given for {refname}) names no commit of this repository")]
    NoSuchCommit { oid: String, refname: String },
    /// Not in a git repository.
    #[error("not a git repository (or git is missing)")]
    NotARepository,
    /// A command that needs a worktree ran in a bare repository.
    #[error("{0}")]
    Bare(BareUse),
    /// A command that reads the repository's root ran elsewhere.
    #[error("run it at the repository's root ({}): Kudu reads .deployment there", .root.display())]
    NotAtRoot { root: std::path::PathBuf },
    /// Installing the hook would overwrite a hook of the user's.
    #[error(
        "{} exists and so does {}; envguard would have to overwrite one of them. Move one away, \
         then run `envguard hook install` again",
        .hook.display(), .legacy.display()
    )]
    HookAndLegacy {
        hook: std::path::PathBuf,
        legacy: std::path::PathBuf,
    },
    /// `deploy-script` for a platform that runs none, or over the user's own script.
    #[error("{0}")]
    DeployScript(Box<DeployScriptError>),
    /// The toggle's saved state cannot be written or read.
    #[error("{}: {source}", .path.display())]
    ToggleState {
        path: std::path::PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// A resumed toggle's URL lost its password, and none given matches it.
    #[error(
        "the toggle was pushed to {saved}, whose password envguard does not store; finish it \
         with `envguard push --resume <that URL with its password>`"
    )]
    ResumeNeedsUrl { saved: String },
    /// `check --format json` could not serialise the analysis.
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// An env `env diff` cannot compare with the requirements (unreadable, or holding what
    /// cannot be attributed).
    #[error("{0}")]
    EnvNotComparable(Box<WipeInstead>),
    /// An env's Python version has no marker environment.
    #[error("cannot read Python {version}")]
    UnknownPython { version: String },
    /// A fault injected by the tests (`ENVGUARD_TEST_FAULT`).
    #[error("injected internal failure")]
    Injected,
}

/// Where a command that needs files ran in a bare repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BareUse {
    /// `deploy-script`.
    #[error("a bare repository has no files to deploy")]
    NoFiles,
    /// `hook install` without `--server`.
    #[error(
        "this is a bare repository (a server's): git never runs a pre-push hook here. For the \
         server side: envguard hook install --server --target <deployment directory>"
    )]
    PrePush,
}

/// Why `envguard deploy-script` writes nothing.
#[derive(Debug, thiserror::Error)]
pub enum DeployScriptError {
    /// The platform runs no script of the repository's.
    #[error(
        "{platform} runs no deployment script of the repository's; deploy scripts are for \
         kudu-windows (deploy.cmd) and kudu-linux or a Linux server (deploy.sh)"
    )]
    NoScript { platform: String },
    /// The script there is the user's own.
    #[error(
        "{} is a custom deploy script; envguard does not replace it. Pass --force to overwrite it",
        .script.display()
    )]
    Custom { script: std::path::PathBuf },
    /// `.deployment` runs another command.
    #[error(
        "{} runs '{command}'; envguard does not replace another deployment command. Pass \
         --force to make it run {script}",
        .deployment.display()
    )]
    OtherCommand {
        deployment: std::path::PathBuf,
        command: String,
        script: &'static str,
    },
}

impl From<site::SiteError> for Error {
    fn from(e: site::SiteError) -> Self {
        Error::Site(Box::new(e))
    }
}

impl From<toggle::ToggleError> for Error {
    fn from(e: toggle::ToggleError) -> Self {
        Error::Toggle(Box::new(e))
    }
}

impl From<DeployScriptError> for Error {
    fn from(e: DeployScriptError) -> Self {
        Error::DeployScript(Box::new(e))
    }
}

impl Error {
    /// A repository that could not be opened: [`Error::NotARepository`] where there is none.
    pub fn opening(e: git2::Error) -> Self {
        if e.code() == git2::ErrorCode::NotFound && e.class() == git2::ErrorClass::Repository {
            Error::NotARepository
        } else {
            e.into()
        }
    }

    /// A program that failed to run at `step`.
    pub fn run(program: Program, step: RunStep, source: std::io::Error) -> Self {
        Error::Run {
            program,
            step,
            source,
        }
    }

    /// A file-system step on `path` that failed.
    pub fn fs(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Fs {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// A refusal to touch `path`, and why.
    pub fn refused(path: &std::path::Path, why: Refusal) -> Self {
        Error::Refused {
            path: path.to_path_buf(),
            why,
        }
    }

    /// A git-config value that is not one of what `expected` says.
    pub fn config(key: &str, value: &str, expected: &str) -> Self {
        Error::Config {
            key: key.to_string(),
            value: value.to_string(),
            expected: expected.to_string(),
        }
    }

    /// A nested git command that failed, with the last line git printed (or its status).
    pub fn git_command(what: GitAsked, stderr: &[u8], status: std::process::ExitStatus) -> Self {
        let stderr = String::from_utf8_lossy(stderr);
        let last = stderr.lines().rev().map(str::trim).find(|l| !l.is_empty());
        Error::GitCommand {
            what,
            reason: last.map_or_else(|| format!("exit status {status}"), str::to_string),
        }
    }

    /// The libgit2 class and code, for the debug log.
    pub fn git_code(&self) -> Option<(git2::ErrorClass, git2::ErrorCode)> {
        match self {
            Error::Git(e) => Some((e.class(), e.code())),
            _ => None,
        }
    }
}

/// An error a message carries, its source kept: shared, so the message stays a plain value
/// that can be cloned, and shown as the error itself.
#[derive(Debug, Clone)]
pub struct SharedError(pub std::sync::Arc<dyn std::error::Error + Send + Sync>);

impl<E: std::error::Error + Send + Sync + 'static> From<E> for SharedError {
    fn from(error: E) -> Self {
        SharedError(std::sync::Arc::new(error))
    }
}

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl PartialEq for SharedError {
    /// Two errors are the same message when they say the same.
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for SharedError {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_errors_keep_class_and_code() {
        let e = Error::from(git2::Error::new(
            git2::ErrorCode::NotFound,
            git2::ErrorClass::Reference,
            "no such ref",
        ));
        assert_eq!(e.to_string(), "no such ref");
        assert_eq!(
            e.git_code(),
            Some((git2::ErrorClass::Reference, git2::ErrorCode::NotFound))
        );
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn config_errors_name_key_value_and_expectation() {
        let e = Error::config("envguard.mode", "togle", "toggle, mark, warn or off");
        assert!(e.to_string().contains("envguard.mode = 'togle'"));
        assert!(e.to_string().contains("expected toggle"));
    }
}
