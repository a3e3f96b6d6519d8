//! One function per subcommand of the `envguard` command line: `main.rs` parses the
//! arguments and calls exactly one of these, which opens what the command needs, runs it
//! and says the outcome as an [`ExitStatus`]. Hooks run so that an internal error (even a
//! panic) never blocks a push.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use crate::chain::HookArgs;
use crate::check::{self, Format};
use crate::config::Config;
use crate::error::BareUse;
use crate::install::{self, Side};
use crate::output::{AfterPanic, Command};
use crate::output::{Scrubbed, emit};
use crate::platform::Platform;
use crate::server::{self, deploy_script, wipe};
use crate::{Error, ExitStatus, Result, client, output as out, vars};

mod args;

pub use args::{Cli, Command as Subcommand, EnvAction, HookAction, PlatformAction};

/// Runs one subcommand.
pub fn run(command: Subcommand) -> ExitStatus {
    // A bug is said like every other line (scrubbed, control characters escaped); the hooks
    // set their own, which says whether the push goes on.
    std::panic::set_hook(Box::new(|info| {
        emit(&Command::Internal {
            info: info.to_string(),
            then: AfterPanic::Stopped,
        });
    }));
    match command {
        Subcommand::Check {
            range,
            format,
            diff,
        } => check(range.as_deref(), format, diff),
        Subcommand::PrePush { remote, url } => pre_push(remote, url),
        Subcommand::Push { resume, args } => push(&args, resume),
        Subcommand::Hook { action } => hook(action),
        Subcommand::Env {
            action: EnvAction::Diff { env, rev },
        } => env_diff(&env, rev.as_deref()),
        Subcommand::Platform { action } => platform(action.map(|a| match a {
            PlatformAction::Detect { remote } => remote,
        })),
        Subcommand::PostReceive => post_receive(),
        Subcommand::Wipe {
            target,
            remote,
            dry_run,
            env_dir,
            force,
        } => match target {
            Some(target) => wipe_target(&target, env_dir, force),
            None => wipe_remote(remote.filter(|r| !r.is_empty()), env_dir, dry_run),
        },
        Subcommand::DeployScript { platform, force } => deploy_script(platform, force),
    }
}

/// Sets up the `log` backend: warnings by default, debug with `-v` or `ENVGUARD_LOG=debug`.
/// Only envguard's own records are written, whatever `ENVGUARD_LOG` names.
pub fn init_logging(verbose: bool) {
    let default = if verbose { "debug" } else { "warn" };
    // The log passes the same scrub as every other line: a debug line may quote a URL.
    let logger =
        env_logger::Builder::from_env(env_logger::Env::new().filter_or(vars::LOG, default))
            .format(|buf, record| {
                use std::io::Write;
                writeln!(
                    buf,
                    "[{} envguard] {}",
                    record.level(),
                    out::secret::scrub(&record.args().to_string())
                )
            })
            .build();
    let max = logger.filter();
    if log::set_boxed_logger(Box::new(OwnRecords(logger))).is_ok() {
        log::set_max_level(max);
    }
}

/// The logger with every record of another crate dropped: the HTTP client logs whole
/// requests at trace as hex and ASCII columns, an `Authorization` header split over lines
/// where no line's scrub can see it. envguard logs its own request line instead
/// ([`crate::remote::kudu`]), through the redacting types.
struct OwnRecords(env_logger::Logger);

impl OwnRecords {
    fn own(target: &str) -> bool {
        target == "envguard" || target.starts_with("envguard::")
    }
}

impl log::Log for OwnRecords {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        Self::own(metadata.target()) && self.0.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if Self::own(record.target()) {
            self.0.log(record);
        }
    }

    fn flush(&self) {
        self.0.flush();
    }
}

/// `envguard pre-push`: the client hook.
pub fn pre_push(remote: Option<String>, url: Option<String>) -> ExitStatus {
    never_blocking(AfterPanic::Pushing, || {
        let stdin = read_hook_stdin();
        client::pre_push(&HookArgs { remote, url }, &stdin)
    })
}

/// `envguard post-receive`: the server hook.
pub fn post_receive() -> ExitStatus {
    never_blocking(AfterPanic::Deploying, || {
        server::post_receive(&read_hook_stdin())
    })
}

/// `envguard push`.
pub fn push(args: &[String], resume: bool) -> ExitStatus {
    client::wrapper::push(args, resume)
}

/// `envguard check`.
pub fn check(range: Option<&str>, format: Format, diff: bool) -> ExitStatus {
    let result = open_with_config().and_then(|(repo, config)| {
        check::run(
            &repo,
            &config,
            range,
            format,
            diff,
            &mut Scrubbed::new(std::io::stdout().lock()),
        )
    });
    ended(result, |error| Command::CannotCheck { error })
}

/// How a command that may meet a usage error ended: its status, a usage error (exit 2), or
/// what keeps it from running here (exit 3), said by `cannot`.
fn ended(
    result: Result<std::result::Result<ExitStatus, crate::UsageError>>,
    cannot: impl for<'e> FnOnce(&'e Error) -> Command<'e>,
) -> ExitStatus {
    match result {
        Ok(Ok(status)) => status,
        Ok(Err(usage)) => {
            emit(&Command::Usage { error: &usage });
            ExitStatus::Usage
        }
        Err(e) => {
            emit(&cannot(&e));
            ExitStatus::CannotRun
        }
    }
}

/// `envguard env diff ENV [REV]`.
pub fn env_diff(env: &Path, rev: Option<&str>) -> ExitStatus {
    let result = open_with_config().and_then(|(repo, config)| {
        check::env_diff(
            &repo,
            &config,
            env,
            rev,
            &mut Scrubbed::new(std::io::stdout().lock()),
        )
    });
    ended(result, |error| Command::CannotCompare { error })
}

/// `envguard platform [detect [REMOTE]]`.
pub fn platform(detect: Option<Option<String>>) -> ExitStatus {
    match detect {
        Some(remote) => print_result(open_with_config().and_then(|(repo, config)| {
            crate::remote::detect_command(&repo, &config, remote.as_deref())
        })),
        None => print_result(
            open_with_config()
                .and_then(|(repo, config)| crate::remote::platform_status(&repo, &config)),
        ),
    }
}

/// `envguard deploy-script --platform P [--force]`.
pub fn deploy_script(platform: Platform, force: bool) -> ExitStatus {
    print_result(repository_root().and_then(|root| deploy_script::write(&root, platform, force)))
}

/// `envguard hook install|uninstall|status`.
pub fn hook(request: HookAction) -> ExitStatus {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            emit(&Command::Failed { error: &e });
            return ExitStatus::Failure;
        }
    };
    let side = |server: bool| if server { Side::Server } else { Side::Client };
    match request {
        HookAction::Install {
            server_wide: Some(dir),
            ..
        } => print_result(install::install_server_wide(&dir)),
        HookAction::Install {
            server,
            target,
            use_hooks_path,
            server_wide: None,
        } => match install::install(&cwd, side(server), use_hooks_path, target.as_deref()) {
            Ok(report) => print_install(&report),
            Err(e) => fail(&e),
        },
        HookAction::Uninstall {
            server,
            use_hooks_path,
        } => print_result(install::uninstall(&cwd, side(server), use_hooks_path)),
        HookAction::Status { server } => match install::status(&cwd, side(server)) {
            Ok(status) => {
                emit(&status);
                if !status.warnings.is_empty() {
                    emit(&crate::output::StatusWarnings(&status));
                }
                ExitStatus::Success
            }
            Err(e) => fail(&e),
        },
    }
}

/// What `hook install` did: its steps, and an entry to paste alone on stdout (the steps
/// then go to stderr, so `envguard hook install > entry.yml` captures only the entry).
fn print_install(report: &crate::output::InstallReport) -> ExitStatus {
    if report.steps.iter().any(|s| !s.is_warning()) {
        emit(report);
    }
    if report
        .steps
        .iter()
        .any(crate::output::InstallStep::is_warning)
    {
        emit(&crate::output::InstallWarnings(report));
    }
    if let Some(paste) = &report.paste {
        crate::output::paste(paste);
    }
    if report.failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// `envguard wipe --target DIR`: the env folder name comes from the flag, else from the git
/// config of the current repository (if any), else `env`.
pub fn wipe_target(target: &Path, env_dir: Option<String>, force: bool) -> ExitStatus {
    let env_dir = env_dir.unwrap_or_else(|| {
        open_with_config().map_or_else(|_| "env".to_string(), |(_, c)| c.env_dir)
    });
    print_result(wipe::wipe(target, &env_dir, force))
}

/// `envguard wipe --remote [REMOTE]`: the site's env, over Kudu's REST API.
pub fn wipe_remote(remote: Option<String>, env_dir: Option<String>, dry_run: bool) -> ExitStatus {
    let result = open_with_config().and_then(|(repo, mut config)| {
        if let Some(dir) = env_dir {
            config.env_dir = dir;
        }
        crate::remote::wipe_command(&repo, &config, remote.as_deref(), dry_run)
    });
    print_result(result)
}

/// The repository of the environment (`GIT_DIR` or the current directory) and its config.
fn open_with_config() -> Result<(git2::Repository, Config)> {
    let repo = git2::Repository::open_from_env().map_err(Error::opening)?;
    let config = Config::for_repository(&repo)?;
    Ok((repo, config))
}

/// The current directory, when it is the root of a repository's worktree: `.deployment`
/// is read there by Kudu.
fn repository_root() -> Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    let repo = git2::Repository::discover(&cwd).map_err(Error::opening)?;
    let root = repo.workdir().ok_or(Error::Bare(BareUse::NoFiles))?;
    let same = |a: &Path, b: &Path| {
        a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
    };
    if same(root, &cwd) {
        Ok(cwd)
    } else {
        Err(Error::NotAtRoot {
            root: root.to_path_buf(),
        })
    }
}

/// Runs a hook so that a bug in envguard (a panic) is a warning and never blocks a push.
fn never_blocking(going_on: AfterPanic, hook: impl FnOnce() -> ExitStatus) -> ExitStatus {
    let acting = crate::client::acting;
    std::panic::set_hook(Box::new(move |info| {
        emit(&Command::Internal {
            info: info.to_string(),
            then: if acting() {
                AfterPanic::Refused
            } else {
                going_on
            },
        });
    }));
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(hook)).unwrap_or_else(|_| {
        if acting() {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        }
    })
}

/// git's hook input; nothing when run from a terminal or by the pre-commit framework
/// (which consumes git's stdin itself and passes PRE_COMMIT_* variables).
fn read_hook_stdin() -> Vec<u8> {
    let mut text = Vec::new();
    let stdin = std::io::stdin();
    if stdin.is_terminal() || vars::under_pre_commit() {
        return text;
    }
    if let Err(e) = stdin.lock().read_to_end(&mut text) {
        log::warn!("cannot read the hook input: {e}");
    }
    text
}

/// Says a command's result on stdout, or its error on stderr.
fn print_result(result: Result<impl crate::output::Line>) -> ExitStatus {
    match result {
        Ok(report) => {
            emit(&report);
            ExitStatus::Success
        }
        Err(e) => fail(&e),
    }
}

/// Says a command's error on stderr: exit 3 where it cannot run (outside a repository), 1
/// where it failed.
fn fail(e: &Error) -> ExitStatus {
    emit(&Command::Failed { error: e });
    if matches!(e, Error::NotARepository) {
        ExitStatus::CannotRun
    } else {
        ExitStatus::Failure
    }
}
