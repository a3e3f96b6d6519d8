//! `envguard check --format json` on real repositories: the analysis engine end to end.

use crate::support::{Filters, Repo, reason_kinds, strings};
use crate::{cmd_snapshot, text_snapshot};

const BASE_REQUIREMENTS: &str = "Flask==2.0.1\nFlask-CORS==3.0.10\nrequests>=2.25\n";

/// A repository with requirements.txt and runtime.txt committed once.
fn app() -> Repo {
    let repo = Repo::new();
    repo.write("requirements.txt", BASE_REQUIREMENTS)
        .write("runtime.txt", "python-3.6\n")
        .write("app.py", "print('hi')\n");
    repo.commit("Initial app");
    repo
}

#[test]
fn removing_a_package_is_a_wipe() {
    let repo = app();
    repo.write("requirements.txt", "Flask==2.0.1\nrequests>=2.25\n");
    let tip = repo.commit("Drop CORS");
    let (json, code) = repo.check_json("HEAD~1..HEAD");
    assert_eq!(code, 0);
    assert_eq!(json["schema"], 1);
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(strings(&json, "removed"), ["flask-cors"]);
    assert_eq!(json["reasons"][0]["kind"], "requirement-removed");
    assert_eq!(json["reasons"][0]["package"], "flask-cors");
    assert_eq!(json["reasons"][0]["file"], "requirements.txt");
    assert_eq!(json["reasons"][0]["commit"], tip.as_str());
    assert_eq!(json["new"], tip.as_str());
}

#[test]
fn a_respelled_name_is_not_a_removal() {
    let repo = Repo::new();
    repo.write("requirements.txt", "Foo_Bar==1.0\nother\n");
    repo.commit("base");
    repo.write("requirements.txt", "foo-bar==1.0\nother\n");
    repo.commit("respell");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "none");
    assert_eq!(strings(&json, "removed"), Vec::<String>::new());
}

#[test]
fn removal_inside_an_included_file() {
    let repo = Repo::new();
    repo.write("requirements.txt", "-r requirements/base.txt\nflask\n")
        .write("requirements/base.txt", "requests\nsix\n");
    repo.commit("base");
    repo.write("requirements/base.txt", "requests\n");
    repo.commit("drop six");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(strings(&json, "removed"), ["six"]);
    assert_eq!(json["reasons"][0]["file"], "requirements/base.txt");
}

#[test]
fn dropping_the_include_line_removes_its_names_unless_required_elsewhere() {
    let repo = Repo::new();
    repo.write("requirements.txt", "-r base.txt\nflask\nrequests\n")
        .write("base.txt", "requests\nsix\n");
    repo.commit("base");
    repo.write("requirements.txt", "flask\nrequests\n");
    repo.commit("drop include");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(strings(&json, "removed"), ["six"]);
}

#[test]
fn cosmetic_edits_are_none() {
    let repo = app();
    repo.write(
        "requirements.txt",
        "# web\r\n\r\n  requests>=2.25   \r\nFlask-CORS==3.0.10 # cors\r\n\r\nFlask==2.0.1\r\n",
    );
    repo.commit("reorder, comment, CRLF");
    let (json, code) = repo.check_json("HEAD");
    assert_eq!(code, 0);
    assert_eq!(json["verdict"], "none", "{json}");
    assert!(json["reasons"].as_array().is_some_and(|r| r.is_empty()));
}

#[test]
fn version_pin_change_depends_on_policy() {
    let repo = app();
    repo.write(
        "requirements.txt",
        "Flask==2.0.2\nFlask-CORS==3.0.10\nrequests>=2.25\n",
    );
    repo.commit("bump flask");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "none");
    assert_eq!(strings(&json, "changed"), ["flask"]);
    repo.git(&["config", "envguard.policy", "changes"]);
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(reason_kinds(&json), ["requirement-changed"]);
}

#[test]
fn any_byte_policy_wipes_on_a_comment_change() {
    let repo = app();
    repo.write(
        "requirements.txt",
        format!("# a comment\n{BASE_REQUIREMENTS}"),
    );
    repo.commit("comment");
    repo.git(&["config", "envguard.policy", "any-byte"]);
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(reason_kinds(&json), ["requirements-file-changed"]);
}

#[test]
fn invalid_policy_is_a_clear_error() {
    let repo = app();
    repo.git(&["config", "envguard.policy", "sometimes"]);
    let out = repo.envguard(&["check", "HEAD"]);
    // Exit 3: the check cannot run with this setting (1 is for invalid watched files).
    assert_eq!(out.status.code(), Some(3));
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "check_invalid_policy",
        out
    );
}

#[test]
fn runtime_change_is_a_rebuild() {
    let repo = app();
    repo.write("runtime.txt", "python-3.4\n");
    repo.commit("older python");
    let (json, code) = repo.check_json("HEAD");
    assert_eq!(code, 0);
    assert_eq!(json["verdict"], "rebuild");
    assert_eq!(reason_kinds(&json), ["runtime-changed"]);
    assert_eq!(json["reasons"][0]["detail"], "python-3.6 -> python-3.4");
}

#[test]
fn unknown_runtime_is_an_error_with_file_and_line() {
    let repo = app();
    repo.write("runtime.txt", "\npyhton-3.6\n");
    repo.commit("typo");
    let (json, code) = repo.check_json("HEAD");
    assert_eq!(code, 1);
    assert_eq!(json["errors"][0]["file"], "runtime.txt");
    assert_eq!(json["errors"][0]["line"], 2);
    // The human report names the file, the line and the runtime.
    cmd_snapshot!(
        Filters::new(),
        "check_unknown_runtime",
        repo.envguard(&["check", "HEAD"])
    );
}

#[test]
fn committed_env_folder_added_changed_deleted() {
    let repo = app();
    repo.write("env/pyvenv.cfg", "home = /usr/bin\n");
    repo.commit("commit env");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(reason_kinds(&json), ["env-folder-changed"]);
    assert_eq!(json["reasons"][0]["file"], "env/");

    repo.write("env/lib/site.py", "x = 1\n");
    repo.commit("change env");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(reason_kinds(&json), ["env-folder-changed"]);

    repo.remove("env");
    repo.commit("remove env");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(reason_kinds(&json), ["env-folder-changed"]);
}

#[test]
fn committed_venv_elsewhere_is_a_warning() {
    let repo = app();
    repo.write(".venv/pyvenv.cfg", "home = /usr/bin\n")
        .write("requirements.txt", format!("{BASE_REQUIREMENTS}gunicorn\n"));
    repo.commit("oops, venv");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "none");
    assert_eq!(json["warnings"][0]["file"], ".venv/");
}

#[test]
fn requirements_deleted_is_a_wipe_and_created_is_none() {
    let repo = Repo::new();
    repo.write("app.py", "x\n");
    repo.commit("no requirements yet");
    repo.write("requirements.txt", "flask\n");
    repo.commit("add requirements");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "none");
    assert_eq!(strings(&json, "added"), ["flask"]);

    repo.remove("requirements.txt");
    repo.commit("delete requirements");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(reason_kinds(&json), ["requirements-file-deleted"]);
    assert_eq!(strings(&json, "removed"), ["flask"]);
}

#[test]
fn utf16_and_utf8_bom_files_are_read() {
    let repo = Repo::new();
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "Flask==2.0\r\nsix\r\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    repo.write("requirements.txt", &utf16);
    repo.commit("utf-16 file, as PowerShell writes it");
    repo.write("requirements.txt", b"\xEF\xBB\xBFflask==2.0\n");
    repo.commit("utf-8 with BOM, six dropped");
    let (json, code) = repo.check_json("HEAD");
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(strings(&json, "removed"), ["six"]);
    assert!(strings(&json, "changed").is_empty(), "{json}");
}

#[test]
fn deployment_project_moves_the_watched_files() {
    let repo = Repo::new();
    repo.write(".deployment", "[config]\nproject = app\n")
        .write("requirements.txt", "decoy\n")
        .write("app/requirements.txt", "flask\nsix\n");
    repo.commit("base");
    repo.write("requirements.txt", "")
        .write("app/requirements.txt", "flask\n");
    repo.commit("drop six in app, decoy in root");
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(strings(&json, "removed"), ["six"]);
    assert_eq!(json["reasons"][0]["file"], "app/requirements.txt");

    repo.git(&["config", "envguard.appRoot", "."]);
    let (json, _) = repo.check_json("HEAD");
    assert_eq!(strings(&json, "removed"), ["decoy"]);
}

#[test]
fn skip_trailer_on_the_tip_drops_reasons() {
    let repo = app();
    repo.write("requirements.txt", "Flask==2.0.1\nrequests>=2.25\n");
    let tip = repo.commit("Drop CORS\n\nEnv-Wipe: skip");
    let (json, code) = repo.check_json("HEAD");
    assert_eq!(code, 0);
    assert_eq!(json["verdict"], "none");
    assert_eq!(json["skipped"][0]["kind"], "requirement-removed");
    assert_eq!(json["skipped"][0]["package"], "flask-cors");
    assert_eq!(json["skipped"][0]["skipped_by"], tip.as_str());
}

#[test]
fn skip_trailer_on_an_earlier_commit_drops_only_its_reasons() {
    let repo = app();
    repo.write("requirements.txt", "Flask==2.0.1\nrequests>=2.25\n");
    repo.commit("Drop CORS\n\nEnv-Wipe: skip");
    repo.write("requirements.txt", "Flask==2.0.1\n");
    let tip = repo.commit("Drop requests");
    let (json, _) = repo.check_json("HEAD~2..HEAD");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(json["reasons"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["reasons"][0]["package"], "requests");
    assert_eq!(json["reasons"][0]["commit"], tip.as_str());
    assert_eq!(json["skipped"][0]["package"], "flask-cors");
}

#[test]
fn force_trailer_wipes_without_a_trigger() {
    let repo = app();
    repo.write("app.py", "print('changed')\n");
    repo.commit("Rebuild please\n\nEnv-Wipe: force");
    repo.write("app.py", "print('again')\n");
    repo.commit("later commit");
    let (json, _) = repo.check_json("HEAD~2..HEAD");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(reason_kinds(&json), ["forced"]);
    assert_eq!(json["reasons"][0]["commit"], repo.rev("HEAD~1").as_str());
}

#[test]
fn a_long_range_attributes_the_one_changing_commit() {
    let repo = app();
    let base = repo.rev("HEAD");
    // 2,000 commits through fast-import; only commit 1,234 touches requirements.txt.
    let mut stream = String::new();
    for i in 1..=2000 {
        stream.push_str(&format!(
            "commit refs/heads/master\nmark :{i}\ncommitter T <t@example.invalid> {} +0000\ndata <<EOM\ncommit {i}\nEOM\n",
            1_700_000_000 + i
        ));
        if i == 1 {
            stream.push_str(&format!("from {base}\n"));
        }
        stream.push_str(&format!("M 644 inline counter.txt\ndata <<EOM\n{i}\nEOM\n"));
        if i == 1234 {
            stream.push_str(
                "M 644 inline requirements.txt\ndata <<EOM\nFlask==2.0.1\nrequests>=2.25\nEOM\n",
            );
        }
        stream.push('\n');
    }
    let mut child = repo
        .cmd("git")
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("fast-import");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream.as_bytes())
        .expect("write stream");
    assert!(child.wait().expect("wait").success());
    repo.git(&["reset", "-q", "--hard", "master"]);
    let changing = repo.git(&["log", "--format=%H", "-1", "--grep=^commit 1234$"]);
    let (json, _) = repo.check_json(&format!("{base}..master"));
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(strings(&json, "removed"), ["flask-cors"]);
    assert_eq!(json["reasons"][0]["commit"], changing.trim());
}

#[test]
fn a_change_merged_from_a_branch_is_attributed_to_the_branch_commit() {
    let repo = app();
    let base = repo.rev("HEAD");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("requirements.txt", "Flask==2.0.1\nrequests>=2.25\n");
    let feature = repo.commit("Drop CORS on the feature branch");
    repo.git(&["checkout", "-q", "master"]);
    repo.write("app.py", "print('master moved on')\n");
    repo.commit("Master work");
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"]);
    let (json, _) = repo.check_json(&format!("{base}..master"));
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(strings(&json, "removed"), ["flask-cors"]);
    assert_eq!(json["reasons"][0]["commit"], feature.as_str());
}

#[test]
fn an_amended_tip_is_compared_with_the_commit_it_replaces() {
    let repo = app();
    repo.write("app.py", "print('first try')\n");
    let first = repo.commit("First try");
    repo.write("requirements.txt", "Flask==2.0.1\nrequests>=2.25\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--amend", "-m", "Second try, without CORS"]);
    let amended = repo.rev("HEAD");
    let (json, _) = repo.check_json(&format!("{first}..{amended}"));
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(strings(&json, "removed"), ["flask-cors"]);
    assert_eq!(json["reasons"][0]["commit"], amended.as_str());
}

#[test]
fn an_unparseable_line_is_an_error_with_file_and_line() {
    let repo = Repo::new();
    repo.write("requirements.txt", "-r base.txt\n")
        .write("base.txt", "flask\n");
    repo.commit("base");
    repo.write("base.txt", "flask\n\n# ok\nrequests==>2\n");
    repo.commit("bad line");
    let (json, code) = repo.check_json("HEAD");
    assert_eq!(code, 1);
    assert_eq!(json["errors"][0]["file"], "base.txt");
    assert_eq!(json["errors"][0]["line"], 4);
    // The message quotes the line.
    text_snapshot!(
        Filters::new(),
        "check_json_unparseable_line_errors",
        serde_json::to_string_pretty(&json["errors"]).unwrap_or_default() + "\n"
    );
}

#[test]
fn include_cycle_is_an_error() {
    let repo = Repo::new();
    repo.write("requirements.txt", "flask\n");
    repo.commit("base");
    repo.write("requirements.txt", "flask\n-r more.txt\n")
        .write("more.txt", "-r requirements.txt\n");
    repo.commit("cycle");
    let (json, code) = repo.check_json("HEAD");
    assert_eq!(code, 1);
    assert_eq!(json["errors"][0]["file"], "more.txt");
    assert_eq!(json["errors"][0]["line"], 1);
}

#[test]
fn human_report_is_short_with_verdict_first() {
    let repo = app();
    repo.write("requirements.txt", "Flask==2.0.1\nrequests>=2.25\n");
    let tip = repo.commit("Drop CORS");
    // Three lines: the verdict, the range compared, the reason with its commit.
    cmd_snapshot!(
        Filters::new().commit(&tip, "TIP"),
        "check_human_report",
        repo.envguard(&["check", "HEAD"])
    );
}

#[test]
fn diff_shows_the_changed_watched_files() {
    let repo = Repo::new();
    repo.write("requirements.txt", "-r base.txt\nflask\n")
        .write("base.txt", "requests\nsix\n")
        .write("runtime.txt", "python-3.6\n");
    repo.commit("base");
    repo.write("base.txt", "requests\n");
    repo.commit("drop six");
    // Only base.txt changed: requirements.txt's diff is not shown.
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "check_diff_of_an_include",
        repo.envguard(&["check", "HEAD", "--diff"])
    );
}

#[test]
fn default_range_is_the_remote_tracking_ref_to_head() {
    let origin = Repo::init(&["--bare"]);
    let repo = app();
    let url = origin.path.to_string_lossy().into_owned();
    repo.git(&["remote", "add", "deploy", &url]);
    repo.git(&["config", "envguard.remoteName", "deploy"]);
    repo.git(&["push", "-q", "deploy", "master"]);
    repo.write("requirements.txt", "Flask==2.0.1\n");
    repo.commit("drop two");
    repo.write("app.py", "x\n");
    repo.commit("unrelated");
    let out = repo.envguard(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["old"], repo.rev("deploy/master").as_str());
    assert_eq!(json["new"], repo.rev("HEAD").as_str());
    assert_eq!(strings(&json, "removed"), ["flask-cors", "requests"]);
}

#[test]
fn usage_errors_exit_2() {
    let repo = app();
    let out = repo.envguard(&["check", "nonexistent..HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    let out = repo.envguard(&["check"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no remote-tracking ref: a range is needed"
    );
    let out = repo.envguard(&["check", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_dropped_extra_or_a_narrowing_marker_is_like_a_removal() {
    for (after, detail) in [
        (
            "uvicorn\nflask\n",
            "extra [standard] no longer asked for: what it installed stays \
             ('uvicorn[standard]' -> 'uvicorn')",
        ),
        (
            "uvicorn[standard]\nflask ; python_version < \"3\"\n",
            "now only where python_full_version < '3': where that is false it stays \
             installed ('flask ; python_version < \"3\"')",
        ),
    ] {
        let repo = Repo::new();
        repo.write("requirements.txt", "uvicorn[standard]\nflask\n");
        let base = repo.commit("Start");
        repo.write("requirements.txt", after);
        repo.commit("Ask for less");
        let (json, code) = repo.check_json(&format!("{base}..HEAD"));
        assert_eq!(code, 0, "{json}");
        assert_eq!(json["verdict"], "wipe", "{after}: {json}");
        assert_eq!(reason_kinds(&json), vec!["requirement-narrowed"], "{json}");
        assert_eq!(json["reasons"][0]["detail"], detail, "{json}");
        assert_eq!(json["removed"], serde_json::json!([]));
    }
    // Asking for more is no reason.
    let repo = Repo::new();
    repo.write(
        "requirements.txt",
        "uvicorn\nflask ; python_version < \"3\"\n",
    );
    let base = repo.commit("Start");
    repo.write("requirements.txt", "uvicorn[standard]\nflask\n");
    repo.commit("Ask for more");
    let (json, _) = repo.check_json(&format!("{base}..HEAD"));
    assert_eq!(json["verdict"], "none", "{json}");
}

#[test]
fn a_vcs_url_replaced_by_its_package_is_a_source_change_not_a_removal() {
    let repo = Repo::new();
    repo.write(
        "requirements.txt",
        "Django==4.2\ngit+https://ci:t0ken@github.example/django-haystack/django-haystack.git@0123456789abcdef0123456789abcdef01234567\n",
    );
    repo.commit("Haystack from git");
    repo.write("requirements.txt", "Django==4.2\ndjango-haystack==3.0\n");
    repo.commit("Haystack from the index");
    let (json, code) = repo.check_json("HEAD~1..HEAD");
    assert_eq!(code, 0, "{json}");
    assert!(strings(&json, "removed").is_empty(), "{json}");
    assert!(
        reason_kinds(&json).contains(&"requirement-source-changed".to_string()),
        "{json}"
    );
    assert!(!json.to_string().contains("t0ken"), "{json}");
    // An unnamed URL that goes is a change of source, never a removed name.
    repo.write(
        "requirements.txt",
        "Django==4.2\ndjango-haystack==3.0\nhttps://dl:pw@files.example/download?id=42\n",
    );
    repo.commit("An unnamed archive");
    repo.write("requirements.txt", "Django==4.2\ndjango-haystack==3.0\n");
    repo.commit("Without it");
    let (json, _) = repo.check_json("HEAD~1..HEAD");
    assert!(strings(&json, "removed").is_empty(), "{json}");
    assert_eq!(json["verdict"], "wipe", "{json}");
    assert!(!json.to_string().contains("pw@"), "{json}");
}

#[test]
fn on_heroku_python_version_beside_runtime_txt_is_not_read() {
    let repo = Repo::new();
    repo.write("requirements.txt", "flask\n")
        .write("runtime.txt", "python-3.11.7\n")
        .write(".python-version", "3.11\n");
    repo.commit("App");
    repo.git(&["config", "envguard.platform", "heroku"]);
    repo.write(".python-version", "3.12\n");
    repo.commit("Another .python-version");
    let (json, _) = repo.check_json("HEAD~1..HEAD");
    assert_eq!(
        json["verdict"], "none",
        "runtime.txt wins on Heroku: {json}"
    );
    // Without runtime.txt, .python-version is the one read.
    repo.remove("runtime.txt");
    repo.commit("No runtime.txt");
    repo.write(".python-version", "3.13\n");
    repo.commit("Python 3.13");
    let (json, _) = repo.check_json("HEAD~1..HEAD");
    assert_eq!(json["verdict"], "rebuild", "{json}");
}

/// Before the first deployment: `check` with no range, and the README's `check
/// azure/master..HEAD` while the remote has nothing yet, compare with nothing and say so;
/// without a deploy remote the suggested range names the repository's own remote.
#[test]
fn before_the_first_deployment_check_compares_with_nothing() {
    let repo = app();
    repo.git(&[
        "remote",
        "add",
        "azure",
        "https://deployer@myapp.scm.azurewebsites.net:443/myapp.git",
    ]);
    for (args, name) in [
        (&["check"][..], "check_first_deployment_without_a_range"),
        (
            &["check", "azure/master..HEAD"][..],
            "check_first_deployment_range",
        ),
    ] {
        let out = repo.envguard(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        // A first deployment: nothing deployed yet.
        cmd_snapshot!(Filters::new().repo(&repo, "REPO"), name, out);
    }
    repo.git(&["remote", "rename", "azure", "production"]);
    repo.git(&[
        "remote",
        "set-url",
        "production",
        "https://example.invalid/app.git",
    ]);
    let out = repo.envguard(&["check"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // It names envguard.remoteName production and the range production/master..HEAD.
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "check_without_a_deploy_remote_names_the_range",
        out
    );
}

/// A range naming a branch a fetched remote does not have is a typo, not a first deployment.
#[test]
fn a_mistyped_remote_branch_is_an_error_not_a_first_deployment() {
    let server = Repo::init(&["--bare"]);
    let repo = app();
    repo.git(&[
        "remote",
        "add",
        "origin",
        &server.path.display().to_string(),
    ]);
    repo.git(&["push", "-q", "origin", "HEAD:main"]);
    repo.git(&["fetch", "-q", "origin"]);
    let out = repo.envguard(&["check", "origin/mian..HEAD"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// Text from the repository (a commit subject) reaches the terminal with its control
/// characters written as escapes: no cursor moves, no screen is cleared, whatever a commit
/// says.
#[test]
fn control_characters_in_a_subject_are_shown_escaped() {
    let repo = app();
    repo.write("requirements.txt", "Flask==2.0.1\nrequests>=2.25\n");
    repo.commit("\u{1b}[2J\u{1b}[HDrop\u{7} CORS\r");
    let out = repo.envguard(&["check", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{stdout:?}"
    );
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "check_subject_with_control_characters",
        out
    );
}

/// A subject in another script with a colon in it (where a header's name would end) is a
/// subject like any other.
#[test]
fn a_subject_with_accents_and_a_colon_is_reported() {
    let repo = app();
    repo.write("requirements.txt", "Flask==2.0.1\nrequests>=2.25\n");
    repo.commit("Mise à jour des dépendances: retire flask-cors");
    let out = repo.envguard(&["check", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (json, code) = repo.check_json("HEAD");
    assert_eq!((json["verdict"].as_str(), code), (Some("wipe"), 0));
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "check_subject_with_accents_and_a_colon",
        out
    );
}
