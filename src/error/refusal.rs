//! Why envguard refuses to touch a path ([`Refusal`]), and the deploy step that would run
//! before its server hook ([`DeployStepFirst`]).

/// Why envguard refuses to touch a path, said after it (`env is a symbolic link…`).
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// A target that is not a directory.
    #[error("is not a directory, so it is no deployment target")]
    NoTarget,
    /// An env that is a symbolic link (to `points_to`), in `target`.
    #[error(
        "is a symbolic link to {points_to}; envguard never deletes through a link. Remove the \
         link yourself, or `envguard wipe --target {} --force` removes only the link",
        .target.display()
    )]
    EnvIsLink {
        points_to: String,
        target: std::path::PathBuf,
    },
    /// An env that is a file.
    #[error("is not a directory; pass --force to delete it")]
    EnvIsFile,
    /// An env folder that is no virtualenv.
    #[error(
        "is not a virtualenv (no pyvenv.cfg, bin/python or Scripts/python.exe); envguard deletes \
         only virtualenvs. Pass --force to delete it anyway"
    )]
    NotAVirtualenv,
    /// A folder on the way to the env that is a symbolic link.
    #[error("is a symbolic link; envguard never follows one out of the target")]
    LinkOnTheWay,
    /// piku's venv, of which `part` could not be moved aside and the parts moved before it
    /// could not all be put back: they are in `trash`.
    #[error(
        "could not be wiped whole: {} could not be moved aside ({source}), and the parts moved \
         before it could not all be put back; they are in {}",
        .part.display(), .trash.display()
    )]
    NotWhole {
        part: std::path::PathBuf,
        source: std::io::Error,
        trash: std::path::PathBuf,
    },
    /// A dispatch folder where a hook would run before envguard's.
    #[error("is where envguard's hook would go; nothing was installed: {0}")]
    AfterDeployStep(DeployStepFirst),
}

/// A deploy step that would run before envguard's server hook in a dispatch folder, so
/// envguard would wipe the env that step just built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployStepFirst {
    /// GitLab's single-file `custom_hooks/post-receive` (`single`), which gitaly runs before
    /// every hook of the folder `dispatch` (`envguard`: the name of envguard's hook there).
    GitlabSingleFile {
        single: std::path::PathBuf,
        dispatch: std::path::PathBuf,
        envguard: &'static str,
    },
    /// Hooks of the folder `dispatch` whose names sort before envguard's (`envguard`, the
    /// name of its hook there).
    SortsFirst {
        names: Vec<String>,
        dispatch: std::path::PathBuf,
        envguard: &'static str,
    },
}
