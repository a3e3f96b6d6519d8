//! Why the runtime toggle could not be built or pushed: each says where the remote branch is
//! left and how to go on.

/// A failure of the toggle.
#[derive(Debug, thiserror::Error)]
pub enum ToggleError {
    /// `envguard.toggleRuntime` selects the runtime the tip already runs.
    #[error(
        "envguard.toggleRuntime {toggle} selects the same Kudu runtime as {runtime_path}'s \
         {current}, so Kudu would keep env: set a runtime that starts with another of {}, or use \
         `git config envguard.mode remote-wipe`",
        .runtimes.join(", ")
    )]
    SameRuntime {
        toggle: String,
        runtime_path: String,
        current: String,
        runtimes: Vec<String>,
    },
    /// runtime.txt names the only runtime there is.
    #[error(
        "{runtime_path} says {current} and there is no other runtime to toggle to; set `git \
         config envguard.runtimes \"python-3.6 python-3.4\"` (the runtimes Kudu supports), or \
         use `git config envguard.mode remote-wipe`"
    )]
    NoOtherRuntime {
        runtime_path: String,
        current: String,
    },
    /// No runtime.txt and no toggle runtime.
    #[error(
        "the push needs a fresh env, but there is no {runtime_path} to toggle; use `git config \
         envguard.mode remote-wipe` (the site's deployment credentials in a credential helper), \
         or commit a {runtime_path} naming the site's runtime, or set envguard.toggleRuntime to \
         a runtime Kudu supports that the site does not run"
    )]
    NoRuntimeFile { runtime_path: String },
    /// The toggle commits must be signed and git could not sign them.
    #[error(
        "cannot sign the toggle commits ({reason}); they are signed because {}. Fix signing \
         (`git commit -S` must work), or push without the toggle",
        if *.by_config { "commit.gpgsign is set" } else { "your commit is signed" }
    )]
    Signing { reason: String, by_config: bool },
    /// No git identity for the toggle commits.
    #[error(
        "the toggle commits need your git identity: set `git config user.name` and `git config \
         user.email`"
    )]
    NoIdentity,
    /// `git var` printed an identity envguard cannot read.
    #[error("git var gave an identity envguard cannot read: {ident}")]
    UnreadableIdentity { ident: String },
    /// The runtime file's path is empty.
    #[error("the runtime file's path is empty")]
    EmptyPath,
    /// The first push failed: nothing changed.
    #[error(
        "{git}\nenvguard: the toggle did not start: {remote_ref} on {remote} is unchanged. {}",
        if *.moved {
            "Someone else pushed meanwhile: fetch and merge their commits, then push again."
        } else {
            "git's message above says why (a server hook, a signature, a push option); nothing \
             was changed."
        }
    )]
    NotStarted {
        git: String,
        remote_ref: String,
        remote: String,
        moved: bool,
    },
    /// The remote moved elsewhere since the toggle started.
    #[error(
        "{remote_ref} on {remote} moved to {} since the toggle started (someone else pushed); \
         the toggle is abandoned and nothing was changed: fetch, merge, and push again",
        .now.as_deref().unwrap_or("(deleted)")
    )]
    Abandoned {
        remote_ref: String,
        remote: String,
        /// The short id it is at now, `None` when it was deleted.
        now: Option<String>,
    },
    /// The second push failed: the remote is at T1.
    #[error(
        "{git}\nenvguard: {remote_ref} on {remote} is at the first toggle commit {t1} (its env \
         was rebuilt with the toggle runtime), not at your commit.\nenvguard: finish with \
         `envguard push --resume`, or push it by hand: git push --no-verify {remote} \
         {t2}:{remote_ref}"
    )]
    Halfway {
        git: String,
        remote_ref: String,
        remote: String,
        t1: String,
        t2: String,
    },
}
