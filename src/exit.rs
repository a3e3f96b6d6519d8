//! How a process of envguard ends: [`ExitStatus`] is the only way an exit code is chosen,
//! and it is mapped to the process's code in one place.

/// The end of a command or hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done; a hook lets git go on.
    Success,
    /// Refused or failed, with a message said (for `env diff`: the env differs).
    Failure,
    /// The command line was wrong.
    Usage,
    /// The command cannot run here (not a repository, no commit, an unusable setting).
    CannotRun,
    /// Stopped by a signal (Ctrl-C, a closed terminal, a stopped job) while it must not be cut
    /// short: 128 + SIGINT, as a shell reports it.
    Interrupted,
    /// Another program's code, passed on as it is (a chained hook, `git push`).
    Passthrough(i32),
}

impl ExitStatus {
    /// The status of another program's exit code (0 is success).
    pub fn of_code(code: i32) -> ExitStatus {
        if code == 0 {
            ExitStatus::Success
        } else {
            ExitStatus::Passthrough(code)
        }
    }

    /// Failure when `failed`, else success.
    pub fn failure_if(failed: bool) -> ExitStatus {
        if failed {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        }
    }

    pub fn is_success(self) -> bool {
        self.code() == 0
    }

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::CannotRun => 3,
            ExitStatus::Interrupted => 130,
            ExitStatus::Passthrough(code) => {
                u8::try_from(code).ok().filter(|c| *c != 0).unwrap_or(1)
            }
        }
    }
}

impl ExitStatus {
    /// Ends the process now with this status, from where no `main` can be returned to (a
    /// signal's thread).
    pub fn exit_now(self) -> ! {
        std::process::exit(i32::from(self.code()))
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(ExitStatus::Success.code(), 0);
        assert_eq!(ExitStatus::Failure.code(), 1);
        assert_eq!(ExitStatus::Usage.code(), 2);
        assert_eq!(ExitStatus::CannotRun.code(), 3);
        assert_eq!(ExitStatus::of_code(0), ExitStatus::Success);
        assert_eq!(ExitStatus::of_code(7).code(), 7);
        assert_eq!(ExitStatus::of_code(-1).code(), 1);
        assert_eq!(ExitStatus::of_code(256).code(), 1);
    }
}
