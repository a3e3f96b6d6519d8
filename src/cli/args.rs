//! The command line's types, parsed by clap: every subcommand, its options and their help.
//! `main.rs` parses them; [`super::run`] calls one function per subcommand.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::check::Format;
use crate::platform::Platform;

/// Keeps git-push deployments of Python apps from running on a stale virtualenv.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    /// Log what envguard does to stderr (also ENVGUARD_LOG=debug).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Explain what a push of RANGE would need: none, rebuild or wipe, and why.
    ///
    /// Exit codes: 0 the check ran (whatever the verdict), 1 a watched file is invalid (the
    /// push would be refused), 2 a usage error, 3 the check cannot run here (not in a git
    /// repository, no commit yet, a setting envguard cannot use, objects it cannot read).
    Check {
        /// `A..B`, a single commit `B` (meaning `B^..B`), or nothing: the deploy branch's
        /// remote-tracking ref `..HEAD`.
        range: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also show the changes of the watched files as unified diffs (human format only).
        #[arg(long)]
        diff: bool,
    },
    /// The pre-push hook: reads git's pre-push input on stdin (or the pre-commit
    /// framework's PRE_COMMIT_* variables) and acts per envguard.mode.
    PrePush {
        /// The remote's name (or URL when pushing to a URL).
        remote: Option<String>,
        /// The remote's URL.
        url: Option<String>,
    },
    /// `git push` with the env check; exits 0 when a runtime toggle deployed the push.
    Push {
        /// Finish a runtime toggle whose second push failed.
        #[arg(long)]
        resume: bool,
        /// Arguments for `git push`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// The post-receive hook of a self-hosted git server: reads `<old> <new> <ref>` lines,
    /// wipes the deployment's env (or writes a marker) when a push needs a fresh one.
    PostReceive,
    /// Safely delete the env folder of a deployment directory (--target), or of the site
    /// behind a deploy remote over Kudu's REST API (--remote).
    #[command(group(clap::ArgGroup::new("where").required(true).args(["target", "remote"])))]
    Wipe {
        /// The deployment directory holding the env folder.
        #[arg(long, conflicts_with = "remote")]
        target: Option<PathBuf>,
        /// Delete env on the Kudu site of this deploy remote (default: the one deploy
        /// remote), with the credentials `git credential fill` gives for its URL.
        #[arg(long, value_name = "REMOTE", num_args = 0..=1, default_missing_value = "")]
        remote: Option<String>,
        /// With --remote: show the requests without sending any.
        #[arg(long, requires = "remote")]
        dry_run: bool,
        /// The env folder's name inside the target (default: envguard.envDir, else env).
        #[arg(long)]
        env_dir: Option<String>,
        /// Also delete something that is not a virtualenv (a symbolic link: only the link).
        #[arg(long)]
        force: bool,
    },
    /// Write .deployment and a deploy script that rebuilds env when requirements or the
    /// runtime change, for platforms without envguard on the server.
    DeployScript {
        /// The platform the script is for: kudu-windows (deploy.cmd, env), or kudu-linux
        /// (also `linux`) or self-hosted (deploy.sh, antenv; App Service on Linux without
        /// Oryx, or any Linux server).
        #[arg(long, value_enum)]
        platform: Platform,
        /// Replace an existing custom deploy script or deployment command.
        #[arg(long)]
        force: bool,
    },
    /// Compare a deployed env with what the requirements need (`env diff`).
    Env {
        #[command(subcommand)]
        action: EnvAction,
    },
    /// Show the platform of each deploy remote, or detect it (`platform detect`).
    Platform {
        #[command(subcommand)]
        action: Option<PlatformAction>,
    },
    /// Install, remove or inspect envguard's git hook in this repository.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
}

#[derive(Subcommand)]
pub enum EnvAction {
    /// List the distributions of ENV that a fresh install of REV's requirements would not
    /// have (orphans) and those it lacks (missing): whether a deployed env is stale. Exit
    /// code 0 when exact, 1 when different, 3 when it cannot tell.
    Diff {
        /// The virtualenv folder (a deployment's `env`, a copy of the site's).
        env: PathBuf,
        /// The commit whose requirements count (default: HEAD).
        rev: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum PlatformAction {
    /// Ask the site's Kudu API which App Service platform it runs (Windows, Linux with or
    /// without Oryx) and record it as envguard.platform in this repository.
    Detect {
        /// The deploy remote (default: the one deploy remote).
        remote: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum HookAction {
    /// Install the hook where git reads hooks from, chaining an existing one.
    Install {
        /// Install the server's post-receive hook (in the bare repository of a self-hosted
        /// deployment) instead of the pre-push hook.
        #[arg(long)]
        server: bool,
        /// With --server: the deployment directory whose env the hook wipes.
        #[arg(long, requires = "server")]
        target: Option<PathBuf>,
        /// With --server: install once for every repository of a GitLab server, into
        /// `<DIR>/post-receive.d` (gitaly's `custom_hooks_dir`). It acts only for
        /// repositories whose own config sets envguard.target, and never after a
        /// repository's own post-receive hooks.
        #[arg(long, value_name = "DIR", requires = "server", conflicts_with_all = ["target", "use_hooks_path"])]
        server_wide: Option<PathBuf>,
        /// Write into the core.hooksPath directory (a hook manager's) when it is set.
        #[arg(long)]
        use_hooks_path: bool,
    },
    /// Remove the hook and restore the one it displaced.
    Uninstall {
        /// The server's post-receive hook instead of pre-push.
        #[arg(long)]
        server: bool,
        /// Remove it from the core.hooksPath directory (where `install --use-hooks-path`
        /// wrote it).
        #[arg(long)]
        use_hooks_path: bool,
    },
    /// Show where the hook is, whether pushes are guarded, what it chains, and which
    /// platform and mode apply.
    Status {
        /// The server's post-receive hook instead of pre-push.
        #[arg(long)]
        server: bool,
    },
}
