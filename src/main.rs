//! The `envguard` command line: parses arguments and calls one library function per
//! subcommand. Exit codes: 0 ok, 1 refused/failed with a message, 2 usage error.

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use envguard::check::{self, Format};
use envguard::config::Config;

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
    Check {
        /// `A..B`, a single commit `B` (meaning `B^..B`), or nothing: the deploy branch's
        /// remote-tracking ref `..HEAD`.
        range: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match cli.command {
        Command::Check { range, format } => {
            let format = match format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
            };
            run_check(range.as_deref(), format)
        }
    }
}

fn init_logging(verbose: bool) {
    let default = if verbose { "debug" } else { "warn" };
    env_logger::Builder::from_env(env_logger::Env::new().filter_or("ENVGUARD_LOG", default))
        .format_timestamp(None)
        .format_target(false)
        .init();
}

fn run_check(range: Option<&str>, format: Format) -> ExitCode {
    let result = git2::Repository::open_from_env()
        .map_err(envguard::Error::from)
        .and_then(|repo| {
            let config = Config::from_repo(&repo)?;
            check::run(&repo, &config, range, format, &mut std::io::stdout().lock())
        });
    match result {
        Ok(Ok(code)) => ExitCode::from(code as u8),
        Ok(Err(usage)) => {
            eprintln!("envguard: {}", usage.0);
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("envguard: {e}");
            ExitCode::from(1)
        }
    }
}
