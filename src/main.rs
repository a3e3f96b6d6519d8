//! The `envguard` command line: parses arguments and calls one library function per
//! subcommand. Exit codes: 0 ok, 1 refused/failed with a message, 2 usage error.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use envguard::chain::HookArgs;
use envguard::check::{self, Format};
use envguard::client;
use envguard::config::Config;
use envguard::install::{self, Side};
use envguard::platform::Platform;
use envguard::server::{self, deploy_script, wipe};
use envguard::{out, vars};

/// Keeps git-push deployments of Python apps from running on a stale virtualenv.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Log what envguard does to stderr (also ENVGUARD_LOG=debug).
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
enum EnvAction {
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
enum PlatformAction {
    /// Ask the site's Kudu API which App Service platform it runs (Windows, Linux with or
    /// without Oryx) and record it as envguard.platform in this repository.
    Detect {
        /// The deploy remote (default: the one deploy remote).
        remote: Option<String>,
    },
}

#[derive(Subcommand)]
enum HookAction {
    /// Install the hook where git reads hooks from, chaining an existing one.
    Install {
        /// Install the server's post-receive hook (in the bare repository of a self-hosted
        /// deployment) instead of the pre-push hook.
        #[arg(long)]
        server: bool,
        /// With --server: the deployment directory whose env the hook wipes.
        #[arg(long, requires = "server")]
        target: Option<PathBuf>,
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

fn main() -> ExitCode {
    // Like git itself, trust the object store on reads instead of re-hashing every object:
    // a hook may read thousands of commits and trees.
    git2::opts::strict_hash_verification(false);
    let cli = Cli::parse();
    init_logging(cli.verbose);
    log::debug!(
        "envguard {} in {}: {}",
        env!("CARGO_PKG_VERSION"),
        std::env::current_dir().map_or_else(|_| "?".to_string(), |d| d.display().to_string()),
        std::env::args().skip(1).collect::<Vec<_>>().join(" ")
    );
    let code = match cli.command {
        Command::Check {
            range,
            format,
            diff,
        } => run_check(range.as_deref(), format, diff),
        Command::PrePush { remote, url } => never_blocking("pushing", || {
            let stdin = read_hook_stdin();
            client::pre_push(&HookArgs { remote, url }, &stdin)
        }),
        Command::Push { resume, args } => client::wrapper::push(&args, resume),
        Command::Hook { action } => run_hook(action),
        Command::Env {
            action: EnvAction::Diff { env, rev },
        } => {
            let result = git2::Repository::open_from_env()
                .map_err(envguard::Error::from)
                .and_then(|repo| {
                    let config = Config::from_repo(&repo)?;
                    check::env_diff(
                        &repo,
                        &config,
                        &env,
                        rev.as_deref(),
                        &mut std::io::stdout().lock(),
                    )
                });
            result.unwrap_or_else(|e| {
                out::say(format!("cannot compare: {e}"));
                3
            })
        }
        Command::Platform { action } => print_lines(
            git2::Repository::open_from_env()
                .map_err(envguard::Error::from)
                .and_then(|repo| {
                    let config = Config::from_repo(&repo)?;
                    match action {
                        Some(PlatformAction::Detect { remote }) => {
                            envguard::remote::detect_command(&repo, &config, remote.as_deref())
                        }
                        None => envguard::remote::platform_status(&repo, &config),
                    }
                }),
        ),
        Command::PostReceive => {
            never_blocking("deploying", || server::post_receive(&read_hook_stdin()))
        }
        Command::Wipe {
            target,
            remote,
            dry_run,
            env_dir,
            force,
        } => match (target, remote) {
            (Some(target), _) => run_wipe(&target, env_dir, force),
            (None, remote) => run_remote_wipe(remote.filter(|r| !r.is_empty()), env_dir, dry_run),
        },
        Command::DeployScript { platform, force } => print_lines(
            repository_root().and_then(|root| deploy_script::write(&root, platform, force)),
        ),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// The current directory, when it is the root of a repository's worktree: `.deployment`
/// is read there by Kudu.
fn repository_root() -> envguard::Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    let repo = git2::Repository::discover(&cwd)?;
    let root = repo
        .workdir()
        .ok_or_else(|| envguard::Error::msg("a bare repository has no files to deploy"))?;
    let same = |a: &std::path::Path, b: &std::path::Path| {
        a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
    };
    if same(root, &cwd) {
        Ok(cwd)
    } else {
        Err(envguard::Error::msg(format!(
            "run it at the repository's root ({}): Kudu reads .deployment there",
            root.display()
        )))
    }
}

/// Runs a hook so that a bug in envguard (a panic) is a warning and never blocks a push.
fn never_blocking(going_on: &'static str, hook: impl FnOnce() -> i32) -> i32 {
    std::panic::set_hook(Box::new(move |info| {
        out::say(format!(
            "internal error ({info}); {going_on} without the env check"
        ));
    }));
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(hook)).unwrap_or(0)
}

fn init_logging(verbose: bool) {
    let default = if verbose { "debug" } else { "warn" };
    env_logger::Builder::from_env(env_logger::Env::new().filter_or(vars::LOG, default))
        .format_timestamp(None)
        .format_target(false)
        .init();
}

/// git's hook input; nothing when run from a terminal or by the pre-commit framework
/// (which consumes git's stdin itself and passes PRE_COMMIT_* variables).
fn read_hook_stdin() -> Vec<u8> {
    let mut text = Vec::new();
    let stdin = std::io::stdin();
    if stdin.is_terminal() || std::env::var_os(vars::PRE_COMMIT_TO_REF).is_some() {
        return text;
    }
    if let Err(e) = stdin.lock().read_to_end(&mut text) {
        log::warn!("cannot read the hook input: {e}");
    }
    text
}

fn run_check(range: Option<&str>, format: Format, diff: bool) -> i32 {
    let result = git2::Repository::open_from_env()
        .map_err(envguard::Error::from)
        .and_then(|repo| {
            let config = Config::from_repo(&repo)?;
            check::run(
                &repo,
                &config,
                range,
                format,
                diff,
                &mut std::io::stdout().lock(),
            )
        });
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(usage)) => {
            out::say(&usage.0);
            2
        }
        Err(e) => {
            out::say(format!("cannot check here: {}", cannot_run_here(&e)));
            3
        }
    }
}

/// The reason a command cannot run in this directory, in the user's words.
fn cannot_run_here(e: &envguard::Error) -> String {
    match e.git_code() {
        Some((git2::ErrorClass::Repository, git2::ErrorCode::NotFound)) => {
            "not in a git repository; run it inside your app's repository".to_string()
        }
        Some((_, git2::ErrorCode::UnbornBranch)) => {
            "the repository has no commit yet; commit first".to_string()
        }
        _ => e.to_string(),
    }
}

fn run_hook(action: HookAction) -> i32 {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            out::say(e.to_string());
            return 1;
        }
    };
    let side = |server: bool| if server { Side::Server } else { Side::Client };
    let result = match action {
        HookAction::Install {
            server,
            target,
            use_hooks_path,
        } => install::install(&cwd, side(server), use_hooks_path).and_then(|mut lines| {
            if let Some(target) = target {
                lines.push(install::set_target(&cwd, &target)?);
            }
            Ok(lines)
        }),
        HookAction::Uninstall {
            server,
            use_hooks_path,
        } => install::uninstall(&cwd, side(server), use_hooks_path),
        HookAction::Status { server } => install::status(&cwd, side(server)),
    };
    print_lines(result)
}

fn print_lines(result: envguard::Result<Vec<String>>) -> i32 {
    match result {
        Ok(lines) => {
            for line in lines {
                out::say_out(line);
            }
            0
        }
        Err(e) => {
            out::say(e.to_string());
            1
        }
    }
}

/// `envguard wipe`: the env folder name comes from the flag, else from the git config of
/// the current repository (if any), else `env`.
fn run_wipe(target: &std::path::Path, env_dir: Option<String>, force: bool) -> i32 {
    let env_dir = env_dir.unwrap_or_else(|| {
        git2::Repository::open_from_env()
            .ok()
            .and_then(|r| Config::from_repo(&r).ok())
            .map_or_else(|| "env".to_string(), |c| c.env_dir)
    });
    print_lines(wipe::wipe(target, &env_dir, force).map(|o| vec![o.describe()]))
}

/// `envguard wipe --remote [REMOTE]`: the site's env, over Kudu's REST API.
fn run_remote_wipe(remote: Option<String>, env_dir: Option<String>, dry_run: bool) -> i32 {
    let result = git2::Repository::open_from_env()
        .map_err(envguard::Error::from)
        .and_then(|repo| {
            let mut config = Config::from_repo(&repo)?;
            if let Some(dir) = env_dir {
                config.env_dir = dir;
            }
            envguard::remote::wipe_command(&repo, &config, remote.as_deref(), dry_run)
        });
    print_lines(result)
}
