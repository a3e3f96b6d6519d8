//! How a command ended: [`Command`] and its wording (a command's result is its report).

use std::fmt;

use crate::output::{Line, Stream};

/// What a command says about how it ended (its results are its own lines on stdout).
#[derive(Debug, Clone)]
pub enum Command {
    /// The command line asks for something that cannot be.
    Usage {
        text: String,
    },
    CannotCheck {
        why: String,
    },
    CannotCompare {
        error: String,
    },
    Failed {
        error: String,
    },
    /// A panic inside a hook: the push or deployment goes on.
    Internal {
        info: String,
        going_on: &'static str,
    },
}

impl Line for Command {
    fn stream(&self) -> Stream {
        Stream::Messages
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Usage { text } => f.write_str(text),
            Command::CannotCheck { why } => write!(f, "cannot check here: {why}"),
            Command::CannotCompare { error } => write!(f, "cannot compare: {error}"),
            Command::Failed { error } => f.write_str(error),
            Command::Internal { info, going_on } => write!(
                f,
                "internal error ({info}); {going_on} without the env check"
            ),
        }
    }
}
