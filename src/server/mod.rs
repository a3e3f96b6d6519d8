//! The server side: the post-receive hook of a self-hosted git deployment, the safe env
//! wipe, and the generated deploy scripts for platforms without envguard on the server.
//!
//! The hook runs before the deploy step (the displaced `post-receive`, kept as
//! `post-receive.legacy`, runs after it with the same input), so the deploy step finds the
//! env already gone and builds a fresh one. It never fails a push.

pub mod deploy_script;
pub mod wipe;

use git2::{Oid, Repository};

use crate::analyze::{Analyzer, Verdict};
use crate::client::{PrePushArgs, run_legacy};
use crate::config::{Config, ServerAction};
use crate::push;
use crate::{Error, Result};

/// The push option that asks for a wipe (`git push -o envguard.wipe`).
pub const WIPE_PUSH_OPTION: &str = "envguard.wipe";
/// Prefix of marker refs pushed by the client's mark mode.
pub const MARKER_PREFIX: &str = "refs/envguard/wipe/";
/// The marker file the `marker` action writes into the target for a deploy script.
pub const MARKER_FILE: &str = ".envguard-wipe";

fn say(line: impl AsRef<str>) {
    // post-receive output reaches the pusher as `remote:` lines.
    println!("envguard: {}", line.as_ref());
}

/// The post-receive hook: decides, acts, then runs the displaced hook. Returns the displaced
/// hook's exit code (git ignores it).
pub fn post_receive(stdin: &str) -> i32 {
    if std::env::var_os(crate::client::CHAINED_VAR).is_some() {
        return 0;
    }
    if std::env::var("ENVGUARD").is_ok_and(|v| v == "0") {
        say("ENVGUARD=0: deploying without the env check");
    } else if let Err(e) = post_receive_checked(stdin) {
        say(format!("warning: {e}; deploying without the env check"));
    }
    run_legacy("post-receive", &PrePushArgs::default(), stdin)
}

fn push_options() -> Vec<String> {
    let count: usize = std::env::var("GIT_PUSH_OPTION_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (0..count)
        .filter_map(|i| std::env::var(format!("GIT_PUSH_OPTION_{i}")).ok())
        .collect()
}

fn post_receive_checked(stdin: &str) -> Result<()> {
    let repo = Repository::open_from_env()?;
    let config = Config::from_repo(&repo)?;
    let updates = push::parse_receive(stdin, repo.object_format()).map_err(|e| Error(e.0))?;
    let wipe_option = push_options().iter().any(|o| o == WIPE_PUSH_OPTION);
    let mut analyzer = Analyzer::new(&repo, &config);
    for update in &updates {
        if let Some(branch) = update.remote_ref.strip_prefix(MARKER_PREFIX) {
            if update.new.is_some() && !updates.iter().any(|u| u.branch() == Some(branch)) {
                say(format!(
                    "wipe marker for {branch} received; env is rebuilt when {branch} arrives"
                ));
            }
            continue;
        }
        let (Some(new), Some(branch)) = (update.new, update.branch()) else {
            continue;
        };
        if !config.is_deploy_branch(&update.remote_ref) {
            continue;
        }
        let mut why = Vec::new();
        let base = update.old.filter(|o| repo.find_commit(*o).is_ok());
        match analyzer.analyze(base, new) {
            Ok(analysis) => {
                for e in &analysis.errors {
                    say(format!("warning: {e}"));
                }
                if analysis.verdict != Verdict::None {
                    why.push(format!(
                        "{}: {}",
                        analysis.verdict.as_str(),
                        crate::analyze::summarize(&analysis.reasons)
                    ));
                }
            }
            Err(e) => say(format!("warning: cannot analyse {branch}: {e}")),
        }
        let marker = consume_marker(&repo, branch, new);
        if marker {
            why.push("wipe marker pushed by the client".to_string());
        }
        if wipe_option {
            why.push(format!("push option {WIPE_PUSH_OPTION}"));
        }
        if why.is_empty() {
            say(format!(
                "{branch}: env kept (nothing that needs a fresh env)"
            ));
            continue;
        }
        say(format!("{branch}: fresh env needed ({})", why.join("; ")));
        act(&config, &why.join("; "));
    }
    Ok(())
}

/// Whether a marker for `branch` applies to the new tip (the marker's commit or a
/// descendant of it); a marker that applies is deleted.
fn consume_marker(repo: &Repository, branch: &str, new: Oid) -> bool {
    let name = format!("{MARKER_PREFIX}{branch}");
    let Ok(mut reference) = repo.find_reference(&name) else {
        return false;
    };
    let Some(marked) = reference.target() else {
        return false;
    };
    let applies = marked == new || repo.graph_descendant_of(new, marked).unwrap_or(false);
    if applies && let Err(e) = reference.delete() {
        say(format!("warning: cannot delete {name}: {}", e.message()));
    }
    applies
}

fn act(config: &Config, why: &str) {
    let Some(target) = &config.target else {
        say(
            "warning: envguard.target is not set, so there is no env to act on; set it with \
             `git config envguard.target /path/to/deployment`",
        );
        return;
    };
    match config.server_action {
        ServerAction::Wipe => match wipe::wipe(target, &config.env_dir, false) {
            Ok(outcome) => say(outcome.describe()),
            Err(e) => say(format!("warning: env not wiped: {e}")),
        },
        ServerAction::Marker => {
            let path = target.join(MARKER_FILE);
            match std::fs::create_dir_all(target)
                .and_then(|_| std::fs::write(&path, format!("{why}\n")))
            {
                Ok(()) => say(format!("wrote {} for the deploy script", path.display())),
                Err(e) => say(format!("warning: cannot write {}: {e}", path.display())),
            }
        }
    }
}
