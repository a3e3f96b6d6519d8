//! `hook status` tells the truth about a hook manager's configuration: an entry that runs
//! `envguard pre-push` on pre-push with git's input guards pushes; a mention in a comment,
//! an entry on another hook, or one without the input does not, and status says so.

use crate::cmd_snapshot;
use crate::support::{Filters, Repo};

fn status(repo: &Repo) -> String {
    String::from_utf8_lossy(&repo.envguard(&["hook", "status"]).stdout).into_owned()
}

/// Snapshots `hook status` in `repo` as `NAME`.
fn status_snapshot(repo: &Repo, name: &str) {
    cmd_snapshot!(
        Filters::new().repo(repo, "REPO"),
        name,
        repo.envguard(&["hook", "status"])
    );
}

/// A repository whose pre-push hook is lefthook's (its generated script), configured by
/// `lefthook_yml`.
fn with_lefthook(lefthook_yml: &str) -> Repo {
    let repo = Repo::new();
    repo.write("lefthook.yml", lefthook_yml);
    crate::support::write_hook(
        &repo.path.join(".git/hooks"),
        "pre-push",
        "#!/bin/sh\n# lefthook's generated hook\ncall_lefthook()\n{\n  lefthook run \"pre-push\" \"$@\"\n}\ncall_lefthook \"$@\"\n",
    );
    repo
}

#[test]
fn lefthook_entry_without_use_stdin_is_not_guarding() {
    let repo = with_lefthook(
        "pre-push:\n  commands:\n    envguard:\n      run: envguard pre-push {1} {2}\n",
    );
    status_snapshot(&repo, "hook_status_lefthook_without_stdin");
    let repo = with_lefthook(
        "pre-push:\n  commands:\n    envguard:\n      run: envguard pre-push {1} {2}\n      use_stdin: true\n",
    );
    status_snapshot(&repo, "hook_status_lefthook");
}

#[test]
fn lefthook_entry_on_pre_commit_is_not_guarding() {
    let repo = with_lefthook(
        "pre-commit:\n  commands:\n    envguard:\n      run: envguard pre-push\n      use_stdin: true\n",
    );
    status_snapshot(&repo, "hook_status_lefthook_on_pre_commit");
}

#[test]
fn a_husky_comment_is_not_an_entry() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path.join(".husky/_")).expect("husky");
    repo.write(
        ".husky/pre-push",
        "#!/bin/sh\n# envguard pre-push \"$@\" (later)\nnpm test\n",
    );
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    status_snapshot(&repo, "hook_status_husky_comment");
    repo.write(".husky/pre-push", "#!/bin/sh\nenvguard pre-push \"$@\"\n");
    status_snapshot(&repo, "hook_status_husky");
}

#[test]
fn a_hook_run_without_input_says_so() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit("a");
    let out = repo
        .cmd(crate::support::envguard_bin())
        .args(["pre-push", "origin", "/nowhere"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("envguard");
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "pre_push_without_input",
        out
    );
}

/// The server side, said without contradiction: `hook install --server --target X` sets the
/// target and does not warn that it is unset; `hook status` in a bare repository shows the
/// post-receive side (git never runs pre-push there); on piku the derived target is shown.
#[test]
fn the_server_side_is_said_without_contradiction() {
    let root = tempfile::tempdir().expect("tempdir");
    let repos = root.path().join("repos");
    std::fs::create_dir_all(&repos).expect("repos");
    let bare = Repo::adopt(root, repos.join("app"));
    crate::support::run_ok(
        crate::support::command("git", &repos).args(["init", "-q", "--bare", "app"]),
    );
    let filters = || Filters::new().repo(&bare, "ROOT");
    cmd_snapshot!(
        filters(),
        "hook_status_bare",
        bare.envguard(&["hook", "status"])
    );

    let target = bare.scratch("site");
    let target_text = target.to_str().expect("utf-8");
    cmd_snapshot!(
        filters(),
        "hook_install_server",
        bare.envguard(&["hook", "install", "--server", "--target", target_text])
    );
    assert_eq!(bare.git(&["config", "envguard.target"]).trim(), target_text);

    // piku: the hook acts on the app's venv, derived from the repository's path.
    bare.git(&["config", "--unset", "envguard.target"]);
    bare.git(&["config", "envguard.platform", "piku"]);
    cmd_snapshot!(
        filters(),
        "hook_status_server_piku",
        bare.envguard(&["hook", "status"])
    );
}

/// A target given as a relative path (to `hook install --server --target`, or set by hand)
/// is stored and used as the real absolute path: the hook runs in another directory, and
/// the prune compares real paths.
#[test]
fn a_relative_target_is_stored_and_used_as_the_real_path() {
    let server = Repo::init(&["--bare"]);
    let site = server.scratch("site");
    let real = site.canonicalize().expect("real path");
    let out = server.envguard(&["hook", "install", "--server", "--target", "../site"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        server.git(&["config", "envguard.target"]).trim(),
        real.display().to_string()
    );
    server.git(&["config", "envguard.target", "../site"]);
    let text = status(&server);
    assert!(
        text.contains(&format!("target: {}\n", real.display())),
        "{text}"
    );
}
