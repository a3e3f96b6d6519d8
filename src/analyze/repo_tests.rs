//! The analysis in-process, on temporary repositories made with libgit2: each test commits
//! file sets and asserts the analysis of the update between them by value (verdict, reason
//! kinds and files, the commit a reason is attributed to, skipped reasons, errors).

use git2::{Oid, Repository, Signature};

use super::{Analysis, Analyzer, ReasonKind, Verdict};
use crate::config::Config;
use crate::platform::Platform;

/// A temporary repository and the commits made in it.
struct Repo {
    _dir: tempfile::TempDir,
    repo: Repository,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        Repo { _dir: dir, repo }
    }

    /// A commit holding exactly `files` (path, contents) on top of `parent`.
    fn commit(&self, parent: Option<Oid>, files: &[(&str, &str)], message: &str) -> Oid {
        let mut index = git2::Index::new().expect("index");
        for (path, text) in files {
            let id = self.repo.blob(text.as_bytes()).expect("blob");
            index
                .add(&git2::IndexEntry {
                    ctime: git2::IndexTime::new(0, 0),
                    mtime: git2::IndexTime::new(0, 0),
                    dev: 0,
                    ino: 0,
                    mode: 0o100_644,
                    uid: 0,
                    gid: 0,
                    file_size: 0,
                    id,
                    flags: 0,
                    flags_extended: 0,
                    path: path.as_bytes().to_vec(),
                })
                .expect("add");
        }
        let tree = index.write_tree_to(&self.repo).expect("tree");
        let tree = self.repo.find_tree(tree).expect("find tree");
        let who = Signature::new("T", "t@example.invalid", &git2::Time::new(1_700_000_000, 0))
            .expect("signature");
        let parents: Vec<git2::Commit> = parent
            .map(|p| self.repo.find_commit(p).expect("parent"))
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        self.repo
            .commit(None, &who, &who, message, &tree, &parents)
            .expect("commit")
    }

    fn analyze(&self, platform: Platform, base: Option<Oid>, tip: Oid) -> Analysis {
        let config = Config {
            platform: Some(platform),
            ..Config::default()
        };
        Analyzer::new(&self.repo, &config, platform, Box::new(|_| None))
            .analyze(base, tip)
            .expect("analysis")
    }
}

fn kinds(analysis: &Analysis) -> Vec<(ReasonKind, String)> {
    analysis
        .reasons
        .iter()
        .map(|r| (r.kind, r.file.clone()))
        .collect()
}

#[test]
fn a_removed_requirement_is_a_wipe_attributed_to_its_commit() {
    let r = Repo::new();
    let base = r.commit(None, &[("requirements.txt", "flask\nrequests\n")], "App");
    let app = r.commit(
        Some(base),
        &[("requirements.txt", "flask\nrequests\n"), ("app.py", "")],
        "Code",
    );
    let tip = r.commit(
        Some(app),
        &[("requirements.txt", "flask\n"), ("app.py", "")],
        "Drop requests",
    );
    let analysis = r.analyze(Platform::KuduWindows, Some(base), tip);
    assert_eq!(analysis.verdict, Verdict::Wipe);
    assert_eq!(
        kinds(&analysis),
        [(
            ReasonKind::RequirementRemoved,
            "requirements.txt".to_string()
        )]
    );
    assert_eq!(analysis.reasons[0].package.as_deref(), Some("requests"));
    assert_eq!(
        analysis.reasons[0].commit,
        Some(tip),
        "the commit that removed it"
    );
    assert_eq!(analysis.removed, ["requests"]);
}

#[test]
fn an_added_requirement_or_an_app_change_needs_nothing() {
    let r = Repo::new();
    let base = r.commit(None, &[("requirements.txt", "flask\n")], "App");
    let added = r.commit(
        Some(base),
        &[("requirements.txt", "flask\ngunicorn\n")],
        "Add",
    );
    let analysis = r.analyze(Platform::KuduWindows, Some(base), added);
    assert_eq!(analysis.verdict, Verdict::None);
    assert_eq!(analysis.added, ["gunicorn"]);
    assert!(analysis.reasons.is_empty());
    let code = r.commit(
        Some(added),
        &[
            ("requirements.txt", "flask\ngunicorn\n"),
            ("app.py", "x = 1\n"),
        ],
        "Code",
    );
    let analysis = r.analyze(Platform::KuduWindows, Some(added), code);
    assert_eq!(analysis.verdict, Verdict::None);
    assert!(
        analysis.added.is_empty() && analysis.removed.is_empty() && analysis.changed.is_empty()
    );
}

#[test]
fn a_removal_in_an_include_is_a_wipe_even_where_the_root_file_keys_the_cache() {
    let r = Repo::new();
    let files = |more: &'static str| {
        [
            ("requirements.txt", "-r more.txt\n"),
            ("more.txt", more),
            ("runtime.txt", "python-3.12\n"),
        ]
    };
    let base = r.commit(None, &files("a\nb\n"), "App");
    let tip = r.commit(Some(base), &files("a\n"), "Drop b");
    for platform in [Platform::KuduWindows, Platform::Heroku] {
        let analysis = r.analyze(platform, Some(base), tip);
        assert_eq!(analysis.verdict, Verdict::Wipe, "{platform}");
        assert_eq!(
            kinds(&analysis),
            [(ReasonKind::RequirementRemoved, "more.txt".to_string())]
        );
    }
    // On Heroku a change of the root file's bytes rebuilds the cached env.
    let rooted = r.commit(
        Some(tip),
        &[
            ("requirements.txt", "-r more.txt\n# rebuild\n"),
            ("more.txt", "a\n"),
            ("runtime.txt", "python-3.12\n"),
        ],
        "Touch the root",
    );
    assert_eq!(
        r.analyze(Platform::Heroku, Some(base), rooted).verdict,
        Verdict::Rebuild
    );
}

#[test]
fn a_runtime_change_rebuilds_on_kudu_and_an_unreadable_runtime_is_an_error_with_its_line() {
    let r = Repo::new();
    let base = r.commit(
        None,
        &[
            ("requirements.txt", "a\nb\n"),
            ("runtime.txt", "python-3.6\n"),
        ],
        "App",
    );
    let tip = r.commit(
        Some(base),
        &[("requirements.txt", "a\n"), ("runtime.txt", "python-3.4\n")],
        "Drop b, new runtime",
    );
    let analysis = r.analyze(Platform::KuduWindows, Some(base), tip);
    assert_eq!(analysis.verdict, Verdict::Rebuild);
    let bad = r.commit(
        Some(base),
        &[("requirements.txt", "a\nb\n"), ("runtime.txt", "3.6\n")],
        "A runtime Kudu does not read",
    );
    let analysis = r.analyze(Platform::KuduWindows, Some(base), bad);
    assert_eq!(analysis.errors.len(), 1, "{:?}", analysis.errors);
    assert_eq!(analysis.errors[0].file, "runtime.txt");
    assert_eq!(analysis.errors[0].line, Some(1));
}

#[test]
fn a_skip_trailer_drops_the_reasons_of_its_commit() {
    let r = Repo::new();
    let base = r.commit(
        None,
        &[("requirements.txt", "a\nb\n"), ("app.py", "")],
        "App",
    );
    let tip = r.commit(
        Some(base),
        &[("requirements.txt", "a\n"), ("app.py", "")],
        "Drop b\n\nEnv-Wipe: skip\n",
    );
    let analysis = r.analyze(Platform::KuduWindows, Some(base), tip);
    assert_eq!(analysis.verdict, Verdict::None);
    assert!(analysis.reasons.is_empty());
    assert_eq!(analysis.skipped.len(), 1);
    assert_eq!(analysis.skipped[0].skipped_by, tip);
    assert_eq!(
        analysis.skipped[0].reason.kind,
        ReasonKind::RequirementRemoved
    );
}

#[test]
fn a_committed_env_folder_is_a_reason_and_a_first_deployment_compares_with_nothing() {
    let r = Repo::new();
    let base = r.commit(None, &[("requirements.txt", "a\n"), ("app.py", "")], "App");
    let tip = r.commit(
        Some(base),
        &[
            ("requirements.txt", "a\n"),
            ("app.py", ""),
            ("env/pyvenv.cfg", "home = /usr\n"),
        ],
        "Commit the env",
    );
    let analysis = r.analyze(Platform::KuduWindows, Some(base), tip);
    assert_eq!(
        kinds(&analysis),
        [(ReasonKind::EnvFolderChanged, "env/".to_string())]
    );
    let first = r.analyze(Platform::KuduWindows, None, base);
    assert_eq!(first.verdict, Verdict::None);
    assert!(first.reasons.is_empty());
}
