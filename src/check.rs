//! `envguard check`: explain what a push of a range would need, in a short human report
//! ([`CheckReport`]) or in the stable JSON schema; and `envguard env diff`
//! ([`EnvDiffReport`]).

use std::io::Write;

use git2::{Oid, Repository};

use crate::analyze::commit_label;
use crate::analyze::{Analysis, Analyzer};
use crate::config::Config;
use crate::output::check::{CheckReport, EnvDiffReport};
use crate::output::verdict::ReasonLine;
use crate::requirements::process_env;
use crate::{Error, Result, UsageError};

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// The base and tip a range names: `A..B`; `B` alone is `B^..B`; none is the deploy
/// branch's remote-tracking ref `..HEAD`.
pub fn resolve_range(
    repo: &Repository,
    config: &Config,
    range: Option<&str>,
) -> std::result::Result<(Option<Oid>, Oid), UsageError> {
    let commit = |rev: &str| commit_id(repo, rev);
    match range {
        Some(r) if r.contains("...") => Err(UsageError::SymmetricRange {
            range: r.to_string(),
        }),
        Some(r) if r.contains("..") => {
            let (a, b) = r.split_once("..").unwrap_or((r, ""));
            let a = if a.is_empty() { "HEAD" } else { a };
            let b = if b.is_empty() { "HEAD" } else { b };
            // `azure/master..HEAD` before the first deployment: the remote has nothing yet,
            // so the push is compared with nothing (the report says so).
            if commit(a).is_err() && names_a_remote_with_nothing_yet(repo, a) {
                return Ok((None, commit(b)?));
            }
            Ok((Some(commit(a)?), commit(b)?))
        }
        Some(rev) => {
            let tip = commit(rev)?;
            let base = repo.find_commit(tip).ok().and_then(|c| c.parent_id(0).ok());
            Ok((base, tip))
        }
        None => {
            let tip = commit("HEAD")?;
            if let Some(base) = deployed_tip(repo, config) {
                return Ok((Some(base), tip));
            }
            // A deploy remote with nothing known of it yet: a first deployment.
            if crate::config::deploy_remotes(repo, config).is_ok_and(|remotes| {
                !remotes.is_empty() && remotes.iter().all(|r| knows_nothing_of(repo, &r.name))
            }) {
                return Ok((None, tip));
            }
            let example = repo
                .remotes()
                .ok()
                .and_then(|r| r.iter().flatten().flatten().next().map(str::to_string))
                .unwrap_or_else(|| "origin".to_string());
            let branch = config
                .branches
                .first()
                .filter(|b| *b != "*")
                .cloned()
                .unwrap_or_else(|| "master".to_string());
            Err(UsageError::NoDeployRemote { example, branch })
        }
    }
}

/// The commit `rev` names; a usage error when it names none.
fn commit_id(repo: &Repository, rev: &str) -> std::result::Result<Oid, UsageError> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id())
        .map_err(|source| UsageError::UnknownRevision {
            rev: rev.to_string(),
            source,
        })
}

/// Whether `rev` is `REMOTE/BRANCH` for a remote of this repository of which nothing is
/// known yet (no remote-tracking ref at all: never fetched, nothing pushed). A remote with
/// refs but not this one is a typo, not a first deployment.
fn names_a_remote_with_nothing_yet(repo: &Repository, rev: &str) -> bool {
    rev.split_once('/').is_some_and(|(remote, branch)| {
        !branch.is_empty() && repo.find_remote(remote).is_ok() && knows_nothing_of(repo, remote)
    })
}

/// Whether this repository has no remote-tracking ref of `remote` at all.
fn knows_nothing_of(repo: &Repository, remote: &str) -> bool {
    repo.references_glob(&format!("refs/remotes/{remote}/*"))
        .is_ok_and(|mut refs| refs.next().is_none())
}

/// What the deploy remote has of a deploy branch, by its remote-tracking ref, or what
/// envguard last saw it hold (a branch deleted there since); else HEAD's upstream.
fn deployed_tip(repo: &Repository, config: &Config) -> Option<Oid> {
    for remote in crate::config::deploy_remotes(repo, config).ok()? {
        for branch in &config.branches {
            let name = &remote.name;
            if let Ok(r) = repo.find_reference(&format!("refs/remotes/{name}/{branch}"))
                && let Ok(c) = r.peel_to_commit()
            {
                return Some(c.id());
            }
            let url = repo.find_remote(name).ok().and_then(|r| {
                let push_url = r.pushurl().ok().flatten();
                push_url.or_else(|| r.url().ok()).map(str::to_string)
            });
            if let Some(last) =
                url.and_then(|url| crate::client::deployed::last(repo, &url, branch))
            {
                return Some(last);
            }
        }
    }
    let head = repo.head().ok()?;
    let branch = git2::Branch::wrap(head);
    let upstream = branch.upstream().ok()?;
    upstream.get().peel_to_commit().ok().map(|c| c.id())
}

/// Runs `check` and returns its exit code (0, or 1 when a watched file is invalid).
pub fn run(
    repo: &Repository,
    config: &Config,
    range: Option<&str>,
    format: Format,
    diff: bool,
    out: &mut dyn Write,
) -> Result<std::result::Result<crate::ExitStatus, UsageError>> {
    if let Some(notice) = crate::pending::pending_notice(repo) {
        crate::output::emit(&crate::output::Hook::Pending { notice });
    }
    // What the push would warn about, `check` says too (on stderr, beside its report).
    for warning in &config.warnings {
        crate::output::emit(&crate::output::Hook::SettingWarning {
            warning: warning.clone(),
        });
    }
    if diff && format == Format::Json {
        return Ok(Err(UsageError::DiffWithJson));
    }
    // A range that names HEAD (or leaves it implied) before the first commit.
    let names_head =
        range.is_none_or(|r| r.split("..").any(|part| part.is_empty() || part == "HEAD"));
    if repo
        .head()
        .is_err_and(|e| e.code() == git2::ErrorCode::UnbornBranch)
        && names_head
    {
        return Err(Error::NoCommitYet);
    }
    let (base, tip) = match resolve_range(repo, config, range) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let platform = crate::config::platform_here(repo, config);
    log::debug!(
        "check {base:?}..{tip} on {platform}, policy {:?}",
        config.policy
    );
    let mut analyzer = Analyzer::new(repo, config, platform, process_env()).fetch_missing_with(
        crate::gitcli::fetcher(repo.path()),
        &crate::config::open(repo)?,
    );
    let analysis = analyzer.analyze(base, tip)?;
    match format {
        Format::Json => {
            // An invalid push has no verdict a consumer could act on.
            let mut shown = analysis.clone();
            shown.verdict = analysis.shown_verdict();
            let json = serde_json::to_string_pretty(&shown)?;
            writeln!(out, "{json}")?;
        }
        Format::Human => {
            let report = human_report(repo, &analysis);
            crate::output::write_report(out, &report)?;
            if diff {
                write_diffs(repo, &mut analyzer, base, tip, out)?;
            }
        }
    }
    Ok(Ok(crate::ExitStatus::failure_if(
        !analysis.errors.is_empty(),
    )))
}

/// Unified diffs of the watched files that differ between base and tip.
fn write_diffs(
    repo: &Repository,
    analyzer: &mut Analyzer,
    base: Option<Oid>,
    tip: Oid,
    out: &mut dyn Write,
) -> Result<()> {
    let before = match base {
        Some(b) => analyzer.watched_files(b)?,
        None => Vec::new(),
    };
    let after = analyzer.watched_files(tip)?;
    let mut paths: Vec<&String> = before.iter().chain(&after).map(|(p, _)| p).collect();
    paths.sort();
    paths.dedup();
    let text = |files: &[(String, Oid)], path: &str| -> String {
        files
            .iter()
            .find(|(p, _)| p == path)
            .and_then(|(_, id)| repo.find_blob(*id).ok())
            .map(|b| crate::url::redact_urls_in(&String::from_utf8_lossy(b.content())))
            .unwrap_or_default()
    };
    for path in paths {
        let (old, new) = (text(&before, path), text(&after, path));
        if old == new {
            continue;
        }
        let diff = similar::TextDiff::from_lines(&old, &new);
        write!(
            out,
            "{}",
            diff.unified_diff()
                .context_radius(2)
                .header(&format!("a/{path}"), &format!("b/{path}"))
        )?;
    }
    Ok(())
}

/// The human report of an analysis.
fn human_report(repo: &Repository, analysis: &Analysis) -> CheckReport {
    CheckReport {
        verdict: analysis.verdict_line(),
        base: analysis.old,
        tip: analysis.new,
        platform: analysis.platform,
        no_requirements: (!has_requirements(repo, analysis))
            .then(|| crate::paths::join(&analysis.app_root, "requirements.txt")),
        reasons: analysis.reason_list(repo),
        skipped: analysis
            .skipped
            .iter()
            .map(|skipped| {
                let reason = ReasonLine {
                    reason: skipped.reason.clone(),
                    commit: skipped.reason.commit.map(|id| commit_label(repo, id)),
                };
                (commit_label(repo, skipped.skipped_by), reason)
            })
            .collect(),
        warnings: analysis.warnings.clone(),
        errors: analysis.errors.clone(),
    }
}

/// Whether the analysed tip has a requirements.txt in its app root.
fn has_requirements(repo: &Repository, analysis: &Analysis) -> bool {
    let path = crate::paths::join(&analysis.app_root, "requirements.txt");
    repo.find_commit(analysis.new)
        .and_then(|c| c.tree())
        .is_ok_and(|t| t.get_path(std::path::Path::new(&path)).is_ok())
}

/// `envguard env diff ENV [REV]`: what the env at `env` holds that a fresh install of REV's
/// requirements (default HEAD) would not, and what it lacks. Exit code: 0 exact, 1
/// different (like diff(1)).
pub fn env_diff(
    repo: &Repository,
    config: &Config,
    env: &std::path::Path,
    rev: Option<&str>,
    out: &mut dyn Write,
) -> Result<std::result::Result<crate::ExitStatus, UsageError>> {
    let unborn = || {
        repo.head()
            .is_err_and(|e| e.code() == git2::ErrorCode::UnbornBranch)
    };
    let tip = match rev {
        Some(rev) => match commit_id(repo, rev) {
            Ok(tip) => tip,
            Err(_) if rev == "HEAD" && unborn() => return Err(Error::NoCommitYet),
            Err(usage) => return Ok(Err(usage)),
        },
        None => match repo.head().and_then(|h| h.peel_to_commit()) {
            Ok(commit) => commit.id(),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {
                return Err(Error::NoCommitYet);
            }
            Err(e) => return Err(e.into()),
        },
    };
    let platform = crate::config::platform_here(repo, config);
    let mut analyzer = Analyzer::new(repo, config, platform, process_env());
    let errors = analyzer.requirement_errors(tip)?;
    if !errors.is_empty() {
        return Err(Error::InvalidRequirements { errors });
    }
    let set = analyzer.requirement_set(tip)?;
    let contents =
        crate::server::prune::read_env(env).map_err(|e| Error::EnvNotComparable(Box::new(e)))?;
    let marker_env =
        crate::prune::marker_environment(&contents.python_version).ok_or_else(|| {
            Error::UnknownPython {
                version: contents.python_version.clone(),
            }
        })?;
    let installed: Vec<crate::prune::Installed> =
        contents.dists.iter().map(|(d, _)| d.clone()).collect();
    let prune = crate::prune::plan(&set, &installed, &marker_env, &[], &config.prune_keep)
        .map_err(|e| Error::EnvNotComparable(Box::new(e)))?;
    // An env whose files are not what its metadata says is never exact.
    let flaws = crate::server::prune::flaws(env, &contents);
    let report = EnvDiffReport {
        env: env.to_path_buf(),
        python: contents.python_version.clone(),
        tip,
        orphans: prune
            .orphans
            .iter()
            .map(|name| {
                let version = installed
                    .iter()
                    .find(|d| &d.name == name)
                    .map_or("", |d| d.version.as_str());
                (name.clone(), version.to_string())
            })
            .collect(),
        missing: prune.missing.clone(),
        broken: flaws.clone(),
    };
    crate::output::write_report(out, &report)?;
    Ok(Ok(crate::ExitStatus::failure_if(
        !prune.orphans.is_empty() || !prune.missing.is_empty() || !flaws.is_empty(),
    )))
}
