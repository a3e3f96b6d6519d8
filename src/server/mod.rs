//! The server side: the post-receive hook of a self-hosted git deployment, the safe env
//! wipe, and the generated deploy scripts for platforms without envguard on the server.
//!
//! The hook runs before the deploy step (the displaced `post-receive`, kept as
//! `post-receive.legacy`, runs after it with the same input), so the deploy step finds the
//! env already gone and builds a fresh one. It never fails a push.

pub mod deploy_script;
pub mod guard;
pub mod prune;
pub mod wipe;

use crate::platform::piku::{PikuApp, PythonPath};
use git2::{Oid, Repository};

use crate::analyze::{Analyzer, Reason};
use crate::chain::{self, HookArgs};
use crate::config::Config;
use crate::hook_input::{self, RefUpdate};
use crate::output::Receive;
use crate::output::emit;
use crate::output::verdict::Causes;
use crate::plan::{ReceiveInput, ServerPlan, ServerStep, plan_receive};
use crate::requirements::process_env;
use crate::{Result, vars};

/// The push option that asks for a wipe (`git push -o envguard.wipe`).
pub use crate::verdict::WIPE_PUSH_OPTION;
/// Prefix of marker refs pushed by the client's mark mode.
pub const MARKER_PREFIX: &str = "refs/envguard/wipe/";
/// The marker file the `marker` action writes into the target for a deploy script.
pub const MARKER_FILE: &str = ".envguard-wipe";

/// The post-receive hook: decides, acts, then runs the displaced hook. Returns the displaced
/// hook's exit code (git ignores it).
pub fn post_receive(stdin: &[u8]) -> crate::ExitStatus {
    if vars::chained() {
        return crate::ExitStatus::Success;
    }
    // Pushes to one repository take turns through envguard and the deploy step chained
    // after it, so one push's envguard never acts on an env another push's deploy step is
    // building. (A dispatcher's later steps run after envguard has let go.)
    let repo = Repository::open_from_env();
    let lock = repo
        .as_ref()
        .ok()
        .and_then(|repo| wipe::lock_dir_noting_wait(repo.path()).ok());
    let waited = lock
        .as_ref()
        .is_some_and(|(_, waited)| *waited)
        .then(std::time::SystemTime::now);
    if vars::disabled() {
        emit(&Receive::Disabled);
    } else if let Err(e) = repo
        .map_err(crate::Error::from)
        .and_then(|repo| post_receive_checked(&repo, stdin, waited))
    {
        log::debug!("{e:?}");
        emit(&Receive::Internal { error: e.into() });
    }
    let status = chain::run_legacy("post-receive", &HookArgs::default(), stdin);
    drop(lock);
    status
}

fn post_receive_checked(
    repo: &Repository,
    stdin: &[u8],
    waited: Option<std::time::SystemTime>,
) -> Result<()> {
    if server_wide(repo) == ServerWide::Silent {
        return Ok(());
    }
    let mut config = Config::from_repo(repo)?;
    config.target = target_of(repo, &config);
    let updates = hook_input::parse_receive(&String::from_utf8_lossy(stdin), repo.object_format())?;
    config.settle_branches(
        config.server_platform(),
        crate::config::default_branch(repo, "HEAD"),
    );
    let wipe_option = vars::push_options().iter().any(|o| o == WIPE_PUSH_OPTION);
    let platform = config.server_platform();
    let mut analyzer = Analyzer::new(repo, &config, platform, process_env());
    let pushed: Vec<&str> = updates
        .iter()
        .filter(|u| u.new.is_some())
        .map(|u| u.remote_ref.as_str())
        .collect();
    let mut guard = guard::PushGuard::new(repo.path(), &pushed);
    if let Some(at) = waited {
        emit(&Receive::WaitedForAnotherPush);
        guard.waited_until(at);
    }
    if config.server_action == crate::config::ServerAction::Prune {
        analyzer.always_read_tip_set();
    }
    // piku deploys each pushed ref in turn into one checkout and one venv: what the venv
    // holds when a ref is deployed is what the ref before it deployed.
    let mut deployed = config.on_piku().then(|| piku_deployed(repo)).flatten();
    for update in &updates {
        if let Some(branch) = update.remote_ref.strip_prefix(MARKER_PREFIX) {
            if update.new.is_some() && !updates.iter().any(|u| u.branch() == Some(branch)) {
                emit(&Receive::MarkerWaits {
                    branch: branch.to_string(),
                });
            }
            continue;
        }
        if update.new.is_some() && config.is_deploy_branch(&update.remote_ref) {
            receive_one(
                repo,
                &config,
                &mut analyzer,
                (update, deployed),
                wipe_option,
                &mut guard,
            );
            if deployed.is_some() {
                deployed = update.new.and_then(|new| peeled(repo, new));
            }
        }
    }
    // From now on a start of the env's Python shows in its pyvenv.cfg (the guard's evidence
    // on the next push).
    if let Some(target) = &config.target {
        guard::arm(&env_of(&config, target));
    }
    Ok(())
}

/// What envguard's hook does when its file is outside the repository: a server-wide folder
/// run for every repository, after each repository's own hooks (gitaly
/// `internal/gitaly/hook/custom.go`: the repository's `custom_hooks/post-receive`, then its
/// `custom_hooks/post-receive.d/*`, then `<custom_hooks_dir>/post-receive.d/*`). Where the
/// repository's own hooks ran first, the guard leaves the env when it would act
/// ([`guard::PushGuard`]).
#[derive(PartialEq, Eq)]
enum ServerWide {
    /// Act as usual (the guard still checks what ran first).
    No,
    /// A repository envguard is not set up for (no `envguard.target` in its own config, a
    /// wiki), or whose own envguard hook acted already: nothing to do or say.
    Silent,
}

fn server_wide(repo: &Repository) -> ServerWide {
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).ok();
    let (Some(hook), Some(git_dir)) = (
        vars::hook_file().and_then(|h| canonical(&h)),
        canonical(repo.path()),
    ) else {
        return ServerWide::No;
    };
    // Only envguard's own shim in a `post-receive.d` folder outside the repository; an
    // ENVGUARD_HOOK inherited from another hook (a client's pre-push whose nested push
    // reaches this server) is none.
    let in_a_dispatch_folder = hook.parent().is_some_and(|p| p.ends_with("post-receive.d"));
    if hook.starts_with(&git_dir) || !in_a_dispatch_folder || !crate::chain::is_ours(&hook) {
        return ServerWide::No;
    }
    let wiki = git_dir
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".wiki.git"));
    let own_target = repo
        .config()
        .and_then(|c| c.open_level(git2::ConfigLevel::Local))
        .is_ok_and(|c| c.get_string("envguard.target").is_ok());
    if wiki || !own_target {
        return ServerWide::Silent;
    }
    let own = crate::chain::repository_custom_hooks(&git_dir);
    if own.iter().any(|hook| crate::chain::is_ours(hook)) {
        ServerWide::Silent
    } else {
        ServerWide::No
    }
}

/// What an update is judged against: what the platform deployed last where it shows it
/// (piku), else the ref's old id; for a new branch on a platform that deploys every branch
/// into one env (piku), what the default branch deployed.
fn base_of(
    repo: &Repository,
    config: &Config,
    update: &RefUpdate,
    deployed: Option<Oid>,
    new: Oid,
) -> Option<Oid> {
    deployed
        .filter(|d| repo.find_commit(*d).is_ok())
        .or_else(|| update.old.and_then(|old| peeled(repo, old)))
        .or_else(|| {
            let every = matches!(
                config.server_platform().facts().deploy_refs,
                crate::platform::DeployRefs::Every
            );
            every
                .then(|| repo.find_reference("HEAD").ok()?.peel_to_commit().ok())
                .flatten()
                .map(|c| c.id())
                .filter(|id| *id != new)
        })
}

/// The commit an update deploys (an annotated tag's commit), when this repository has it
/// and the commit the branch held before; else says which it lacks (git never sends one it
/// does not have; a hook run by hand, or a broken store, can), since judging against
/// anything else would be a guess.
fn commits_here(
    repo: &Repository,
    update: &RefUpdate,
    deployed: Option<Oid>,
    branch: &str,
) -> Option<Oid> {
    let new = update.new.and_then(|new| peeled(repo, new));
    let missing = match new {
        None => update.new,
        Some(_) => update
            .old
            .filter(|old| deployed.is_none() && peeled(repo, *old).is_none()),
    };
    if let Some(missing) = missing {
        emit(&Receive::CannotAnalyse {
            branch: branch.to_string(),
            error: crate::Error::NoSuchCommit {
                oid: missing.to_string(),
                refname: update.remote_ref.clone(),
            }
            .into(),
        });
        return None;
    }
    new
}

/// Analyses, plans and carries out one deploy-ref update; `deployed`: the commit the env
/// was last built from, where the platform shows it (piku's app checkout).
fn receive_one(
    repo: &Repository,
    config: &Config,
    analyzer: &mut Analyzer,
    (update, deployed): (&RefUpdate, Option<Oid>),
    wipe_option: bool,
    guard: &mut guard::PushGuard,
) {
    // piku deploys tags too (piku.py `cmd_git_hook`: every line of its input).
    let Some(branch) = update
        .branch()
        .or_else(|| update.remote_ref.strip_prefix("refs/tags/"))
    else {
        return;
    };
    let Some(new) = commits_here(repo, update, deployed, branch) else {
        return;
    };
    let base = base_of(repo, config, update, deployed, new);
    // piku's poetry and uv paths install from pyproject.toml: nothing of requirements.txt
    // applies, and a wipe would leave poetry to recreate the folder that holds ENV.
    if let Some(poetry) = piku_project_path(config, repo, new, branch) {
        if poetry && piku_project_files_changed(repo, base, new) == Some(true) {
            make_piku_run_pip(config);
        }
        return;
    }
    let analysis = match analyzer.analyze(base, new) {
        Ok(analysis) => {
            for e in &analysis.errors {
                emit(&Receive::FileWarning { error: e.clone() });
            }
            Some(analysis)
        }
        Err(e) => {
            emit(&Receive::CannotAnalyse {
                branch: branch.to_string(),
                error: e.into(),
            });
            None
        }
    };
    let marker = update
        .branch()
        .is_some_and(|branch| consume_marker(repo, branch, base, new));
    let plan = plan_receive(&ReceiveInput {
        verdict: analysis.as_ref().map(|a| a.verdict),
        prunable: analysis.as_ref().is_some_and(|a| {
            a.tip_set.is_some()
                && a.errors.is_empty()
                && (a.reasons.is_empty() || a.only_requirement_changes())
        }),
        marker,
        push_option: wipe_option,
        action: config.server_action,
        has_target: config.target.is_some(),
    });
    let prune_input = (plan.step == ServerStep::Prune)
        .then(|| {
            let analysis = analysis.as_ref()?;
            Some((analysis.tip_set.clone()?, analysis.to_reinstall()))
        })
        .flatten();
    let requirements_changed = analysis
        .as_ref()
        .is_some_and(|a| !(a.removed.is_empty() && a.added.is_empty() && a.changed.is_empty()));
    let reasons = analysis.map(|a| a.reasons).unwrap_or_default();
    execute(config, branch, &plan, &reasons, prune_input.as_ref(), guard);
    if requirements_changed && plan.step != ServerStep::Wipe {
        make_piku_run_pip(config);
    }
}

/// Whether pyproject.toml or poetry.lock at the root differ between the two commits
/// (`None` where the commits cannot be read).
fn piku_project_files_changed(repo: &Repository, base: Option<Oid>, new: Oid) -> Option<bool> {
    let tree_of = |id: Oid| repo.find_commit(id).ok()?.tree().ok();
    let tip = tree_of(new)?;
    let old = base.and_then(tree_of);
    Some(["pyproject.toml", "poetry.lock"].iter().any(|name| {
        tip.get_name(name).map(|e| e.id())
            != old.as_ref().and_then(|t| t.get_name(name)).map(|e| e.id())
    }))
}

/// On piku, whether the pushed tip takes piku's poetry path (`Some(true)`) or its uv path
/// (`Some(false)`): pyproject.toml and no requirements.txt (piku.py `do_deploy` tries
/// requirements.txt, then pyproject.toml with `poetry` on the PATH, then with `uv`). Says
/// what that means for the env. piku runs `poetry install` only when pyproject.toml is newer
/// than the venv (`deploy_python_with_poetry`); `uv sync` runs on every deployment.
fn piku_project_path(config: &Config, repo: &Repository, new: Oid, branch: &str) -> Option<bool> {
    if !config.on_piku() {
        return None;
    }
    let tree = repo.find_commit(new).ok()?.tree().ok()?;
    let venv = config
        .target
        .as_deref()
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    match PythonPath::of(
        tree.get_name("requirements.txt").is_some(),
        tree.get_name("pyproject.toml").is_some(),
        crate::paths::on_path,
    ) {
        PythonPath::Poetry => {
            emit(&Receive::PikuPoetry {
                branch: branch.to_string(),
                venv,
            });
            Some(true)
        }
        PythonPath::Uv => {
            emit(&Receive::PikuUv {
                branch: branch.to_string(),
            });
            Some(false)
        }
        PythonPath::Pip | PythonPath::NotPython => None,
    }
}

/// piku runs pip only when the app's requirements.txt is newer than its venv folder
/// (piku.py `deploy_python`: `getmtime(requirements) > getmtime(virtualenv_path)`), so a
/// change confined to an `-r` file, or a prune that leaves a package to install, would
/// install nothing. Setting the venv folder's time back to the epoch makes piku run pip on
/// this deployment. (After a wipe piku makes a new venv and runs pip anyway.)
fn make_piku_run_pip(config: &Config) {
    if !config.on_piku() {
        return;
    }
    let Some(venv) = config.target.as_deref().filter(|v| v.is_dir()) else {
        return;
    };
    let set_back = std::fs::File::open(venv)
        .and_then(|dir| dir.set_modified(std::time::SystemTime::UNIX_EPOCH));
    emit(&match set_back {
        Ok(()) => Receive::PikuRunsPip {
            venv: venv.display().to_string(),
        },
        Err(e) => Receive::PikuMayNotRunPip {
            venv: venv.display().to_string(),
            error: e.into(),
        },
    });
}

type PruneInput = (crate::requirements::RequirementSet, Vec<String>);

fn execute(
    config: &Config,
    branch: &str,
    plan: &ServerPlan,
    reasons: &[Reason],
    prune_input: Option<&PruneInput>,
    guard: &mut guard::PushGuard,
) {
    let why = Causes {
        causes: plan.causes.clone(),
        reasons: reasons.to_vec(),
        prune: plan.step == ServerStep::Prune,
    };
    // A prune with no cause is the reconciliation of every update: its own line says what
    // it found.
    if plan.step != ServerStep::Keep && !plan.causes.is_empty() {
        emit(&Receive::FreshEnvNeeded {
            branch: branch.to_string(),
            why: why.clone(),
            prune: plan.step == ServerStep::Prune,
        });
    }
    match (plan.step, &config.target) {
        (ServerStep::Keep, _) => emit(&Receive::EnvKept {
            branch: branch.to_string(),
        }),
        (ServerStep::NoTarget, _) | (_, None) => emit(&Receive::NoTarget),
        (ServerStep::Prune | ServerStep::Wipe, Some(target)) => {
            // Established now, not at install: nothing of this push has deployed yet.
            let env = env_of(config, target);
            if let Some(hold) = guard.hold(&env) {
                emit(&Receive::LeftAlone {
                    env,
                    hold,
                    stale: why,
                    target: target.clone(),
                });
                return;
            }
            if plan.step == ServerStep::Prune {
                prune_or_wipe(config, target, prune_input, &why);
            } else {
                wipe_env(config, target, &why);
            }
            guard.touched(&env);
        }
        (ServerStep::WriteMarker, Some(target)) => {
            let path = target.join(MARKER_FILE);
            match std::fs::create_dir_all(target).and_then(|_| {
                std::fs::write(
                    &path,
                    format!("{}\n", crate::output::secret::scrub(&why.to_string())),
                )
            }) {
                Ok(()) => emit(&Receive::WroteMarker {
                    path: path.display().to_string(),
                }),
                Err(e) => emit(&Receive::CannotWriteMarker {
                    path: path.display().to_string(),
                    error: e.into(),
                }),
            }
        }
    }
}

/// The env a server step acts on: piku's venv is the target itself, elsewhere the env
/// folder inside the target.
fn env_of(config: &Config, target: &std::path::Path) -> std::path::PathBuf {
    if config.on_piku() {
        target.to_path_buf()
    } else {
        target.join(&config.env_dir)
    }
}

/// Prunes the env; where that cannot be decided safely, says why and wipes.
fn prune_or_wipe(
    config: &Config,
    target: &std::path::Path,
    input: Option<&PruneInput>,
    why: &Causes,
) {
    let env = env_of(config, target);
    emit(&Receive::Working {
        env: env.display().to_string(),
        prune: true,
    });
    // Concurrent prunes and wipes of one target take turns; the lock is let go before a
    // fallback wipe, which takes it itself.
    let result = match (input, wipe::lock_dir(target)) {
        (Some((set, changed)), Ok(_lock)) => {
            prune::prune_env(&env, set, changed, &config.prune_keep)
        }
        (None, _) => Err(crate::WipeInstead::NotRead),
        (_, Err(e)) => Err(e.into()),
    };
    match result {
        Ok(pruned) if pruned.removed.is_empty() => emit(&Receive::PrunedNothing {
            env: env.display().to_string(),
        }),
        Ok(pruned) => emit(&Receive::Pruned {
            env: env.display().to_string(),
            seconds: pruned.took.as_secs_f64(),
            names: pruned.removed,
        }),
        Err(cannot) => {
            emit(&Receive::CannotPrune { why: cannot.into() });
            wipe_env(config, target, why);
        }
    }
}

/// Wipes the env of `target` and says what happened: piku's venv by its own parts (its
/// folder also holds the app's settings), elsewhere the env folder inside the target.
fn wipe_env(config: &Config, target: &std::path::Path, why: &Causes) {
    let piku = config.on_piku();
    emit(&Receive::Working {
        env: env_of(config, target).display().to_string(),
        prune: false,
    });
    let wiped = if piku {
        wipe::wipe_parts(target)
    } else {
        wipe::wipe(target, &config.env_dir, false)
    };
    let leftovers: Vec<Receive> = wiped
        .iter()
        .flat_map(wipe::WipeOutcome::leftover_messages)
        .collect();
    match wiped {
        Ok(done) if piku => emit(&Receive::PikuWiped { done }),
        Ok(done) => emit(&Receive::Wiped { done }),
        Err(e) => emit(&Receive::NotWiped {
            refused: matches!(e, crate::Error::Refused { .. }),
            error: e.into(),
            stale: why.clone(),
            target: target.to_path_buf(),
        }),
    }
    for left in &leftovers {
        emit(left);
    }
}

/// Sets the guard's evidence up for the repository at `cwd` ([`guard::arm`] on its
/// target's env), as `hook install --server` leaves it.
pub fn arm_target(repo: &Repository) {
    let Ok(mut config) = Config::from_repo(repo) else {
        return;
    };
    config.target = target_of(repo, &config);
    if let Some(target) = &config.target {
        guard::arm(&env_of(&config, target));
    }
}

/// The deployment target the server hook acts on: `envguard.target`, else on piku the app's
/// venv derived from the repository's path.
pub fn target_of(repo: &Repository, config: &Config) -> Option<std::path::PathBuf> {
    // A target set by hand as a relative path is the repository's: the hook's directory.
    let real = |t: &std::path::Path| {
        let t = if t.is_relative() {
            repo.path().join(t)
        } else {
            t.to_path_buf()
        };
        t.canonicalize().unwrap_or(t)
    };
    config
        .target
        .as_deref()
        .map(real)
        .or_else(|| config.on_piku().then(|| piku_venv(repo)).flatten())
}

/// The commit `id` is or points at (through annotated tags).
fn peeled(repo: &Repository, id: Oid) -> Option<Oid> {
    Some(repo.find_object(id, None).ok()?.peel_to_commit().ok()?.id())
}

/// piku's venv of the app this repository deploys ([`PikuApp::venv`]).
fn piku_venv(repo: &Repository) -> Option<std::path::PathBuf> {
    Some(PikuApp::of_repository(&repo.path().canonicalize().ok()?)?.venv())
}

/// The commit piku deployed last, of whatever ref: the HEAD of its app checkout
/// ([`PikuApp::checkout`]), read before piku's own hook moves it.
fn piku_deployed(repo: &Repository) -> Option<Oid> {
    let app = PikuApp::of_repository(&repo.path().canonicalize().ok()?)?;
    let checkout = Repository::open(app.checkout()).ok()?;
    let head = checkout.head().ok()?.peel_to_commit().ok()?.id();
    Some(head)
}

/// Whether a marker for `branch` applies to this update: its commit arrives with it (it is
/// the new tip or an ancestor of it, and was not deployed before). A marker that applies is
/// consumed; one whose commit was deployed already is stale, so it is deleted and said, never
/// applied to a later, unrelated push.
fn consume_marker(repo: &Repository, branch: &str, old: Option<Oid>, new: Oid) -> bool {
    let name = format!("{MARKER_PREFIX}{branch}");
    let Ok(mut reference) = repo.find_reference(&name) else {
        return false;
    };
    let Some(marked) = reference.target() else {
        return false;
    };
    let contains =
        |tip: Oid| tip == marked || repo.graph_descendant_of(tip, marked).unwrap_or(false);
    let deployed_before = old.is_some_and(contains);
    let applies = contains(new) && !deployed_before;
    if deployed_before {
        emit(&Receive::StaleMarker {
            branch: branch.to_string(),
            commit: crate::output::verdict::short_oid(marked),
        });
    }
    if (applies || deployed_before)
        && let Err(e) = reference.delete()
    {
        emit(&Receive::CannotDeleteMarker {
            name,
            error: crate::Error::from(e).into(),
        });
    }
    applies
}
