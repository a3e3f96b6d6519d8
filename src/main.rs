//! The `envguard` command line: parses arguments ([`envguard::cli::Cli`]) and runs the
//! subcommand ([`envguard::cli::run`]). Exit codes: 0 ok, 1 refused/failed with a message, 2
//! usage error, 3 cannot run here.

use std::process::ExitCode;

use clap::Parser;

use envguard::cli::{self, Cli};

/// `envguard pre-push [REMOTE [URL]]` exactly, with no option anywhere: the remote and URL.
fn hook_call() -> Option<(Option<String>, Option<String>)> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != "pre-push" {
        return None;
    }
    let rest: Vec<String> = args
        .map(|a| a.into_string().ok())
        .collect::<Option<Vec<_>>>()?;
    if rest.len() > 2 || rest.iter().any(|a| a.starts_with('-')) {
        return None;
    }
    let mut rest = rest.into_iter();
    Some((rest.next(), rest.next()))
}

fn main() -> ExitCode {
    // Like git itself, trust the object store on reads instead of re-hashing every object:
    // a hook may read thousands of commits and trees.
    git2::opts::strict_hash_verification(false);
    // The global and system files git reads here, before any configuration is opened.
    envguard::config::scope::use_git_config_files();
    // The hook's own call (`envguard pre-push <remote> <url>`, as the shim and git make it)
    // runs on every push: it skips building the whole command line's parser.
    if let Some((remote, url)) = hook_call() {
        cli::init_logging(false);
        return ExitCode::from(cli::pre_push(remote, url));
    }
    let cli = Cli::parse();
    cli::init_logging(cli.verbose);
    log::debug!(
        "envguard {} in {}: {}",
        env!("CARGO_PKG_VERSION"),
        std::env::current_dir().map_or_else(|_| "?".to_string(), |d| d.display().to_string()),
        std::env::args().skip(1).collect::<Vec<_>>().join(" ")
    );
    let status = cli::run(cli.command);
    ExitCode::from(status)
}
