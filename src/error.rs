//! The two kinds of failure envguard knows. A [`FileError`] is a problem in the user's
//! watched files (`file:line: message`): it blocks a push until fixed or skipped. An
//! [`Error`] is a failure of envguard itself or of its surroundings (git, I/O, the network,
//! the configuration): in a hook it is a warning and never blocks a push. `Error` keeps its
//! source, so a libgit2 failure still carries its class and code.

use std::fmt;

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

/// What is wrong with one line or value of a watched file or a commit message, before it is
/// placed (`file:line`) into a [`FileError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl From<String> for Invalid {
    fn from(text: String) -> Self {
        Invalid(text)
    }
}

impl From<&str> for Invalid {
    fn from(text: &str) -> Self {
        Invalid(text.to_string())
    }
}

/// Why a prune cannot end as a fresh install would, so only a wipe is safe: the env's
/// contents cannot be attributed, the site cannot be read, the uninstall failed.
#[derive(Debug, thiserror::Error)]
pub enum WipeInstead {
    /// The env (or a requirement) is something the prune cannot attribute.
    #[error("{0}")]
    Unattributable(String),
    /// Reaching or reading the site failed.
    #[error("{0}")]
    Site(#[from] Error),
    /// The uninstall ran and failed.
    #[error("{what} failed: {output}")]
    Uninstall { what: String, output: String },
}

impl From<String> for WipeInstead {
    fn from(text: String) -> Self {
        WipeInstead::Unattributable(text)
    }
}

impl From<&str> for WipeInstead {
    fn from(text: &str) -> Self {
        WipeInstead::Unattributable(text.to_string())
    }
}

impl From<Invalid> for WipeInstead {
    fn from(e: Invalid) -> Self {
        WipeInstead::Unattributable(e.0)
    }
}

/// A failure of envguard itself, as opposed to a problem in the user's files.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// libgit2 failed; the source keeps its class and code.
    #[error("{}", .0.message())]
    Git(#[from] git2::Error),
    /// An I/O failure.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// An I/O failure on a named path or process.
    #[error("{what}: {source}")]
    IoAt {
        what: String,
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
        why: String,
    },
    /// Anything else, as a sentence that says what failed and what to do.
    #[error("{0}")]
    Message(String),
}

impl Error {
    /// An error that is a sentence.
    pub fn msg(text: impl Into<String>) -> Self {
        Error::Message(text.into())
    }

    /// An I/O failure on `what` (a path or a program).
    pub fn io(what: impl fmt::Display, source: std::io::Error) -> Self {
        Error::IoAt {
            what: what.to_string(),
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

    /// A refusal to touch `path`, and why, as what follows the path (`is a symbolic link…`).
    pub fn refused(path: &std::path::Path, why: impl Into<String>) -> Self {
        Error::Refused {
            path: path.to_path_buf(),
            why: why.into(),
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

    /// The libgit2 class and code, for the debug log.
    pub fn git_code(&self) -> Option<(git2::ErrorClass, git2::ErrorCode)> {
        match self {
            Error::Git(e) => Some((e.class(), e.code())),
            _ => None,
        }
    }
}

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
