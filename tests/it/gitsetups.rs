//! The ways people push with git, tried on real repositories and real pushes: secrets in
//! requirement files, partial clones, pushes forced by configuration, remotes with several
//! push URLs, the flags of the user's push on the toggle commits, interrupted toggles, and
//! exactly what moved after a toggle.

use crate::support::{Deployment, Filters, Repo, Shown, recorded_pushes};
use crate::{cmd_snapshot, text_snapshot};

fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn credentials_in_requirements_are_never_printed() {
    const TOKEN: &str = "tok-9f8e7d6c5b4a";
    let d = Deployment::new(&[
        (
            "requirements.txt",
            "--index-url https://reader:idx-Pa55@packages.internal/simple\n\
             a\n\
             private @ git+https://ci:${DEPLOY_TOKEN}@git.internal/private.git@v1\n\
             wheelpkg @ https://user:whl-Pa55@files.internal/wheelpkg-1.0-py3-none-any.whl\n\
             tokpkg @ git+https://${DEPLOY_TOKEN}@git.internal/tokpkg.git\n",
        ),
        ("runtime.txt", "python-3.6\n"),
    ]);
    let c = &d.clone;
    c.git(&["config", "envguard.mode", "warn"]);
    c.write(
        "requirements.txt",
        "--index-url https://reader:idx-Pa55@packages.internal/other\na\n",
    );
    c.commit("Drop the private packages");
    let env = [("DEPLOY_TOKEN", TOKEN)];
    let mut printed = String::new();
    let pushed = d.push_with(&["origin", "master"], &env);
    assert_eq!(pushed.0, 0, "{}", pushed.1);
    printed.push_str(&format!("--- git push\n{}", Shown::shown(&pushed)));
    for args in [
        &["check", "HEAD"][..],
        &["check", "HEAD", "--diff"],
        &["check", "HEAD", "--format", "json"],
    ] {
        let out = c
            .cmd(crate::support::envguard_bin())
            .args(args)
            .env("DEPLOY_TOKEN", TOKEN)
            .output()
            .expect("envguard check");
        printed.push_str(&format!("--- envguard {}\n{}", args.join(" "), out.shown()));
    }
    for secret in [TOKEN, "idx-Pa55", "whl-Pa55"] {
        assert!(!printed.contains(secret), "{secret} printed:\n{printed}");
    }
    // The removals are named, their URLs shown with the credentials masked.
    text_snapshot!(
        Filters::new().deployment(&d),
        "credentials_in_requirements_masked",
        printed
    );
}

/// A clone made with `--filter` of a server that allows it.
fn partial_clone(server: &Repo, filter: &str) -> Repo {
    server.git(&["config", "uploadpack.allowFilter", "true"]);
    server.git(&["config", "uploadpack.allowAnySHA1InWant", "true"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("partial");
    crate::support::run_ok(
        crate::support::command("git", dir.path())
            .args(["clone", "-q", &format!("--filter={filter}")])
            .arg(format!("file://{}", server.path.display()))
            .arg(&path),
    );
    Repo::adopt(dir, path)
}

#[test]
fn a_blobless_clone_finds_the_same_removals_as_a_full_clone() {
    let d = Deployment::new(&[
        ("requirements.txt", "a\nb\n-r more.txt\n"),
        ("more.txt", "c\nd\n"),
        ("runtime.txt", "python-3.6\n"),
    ]);
    // The deployed commit is an old one: its files were never checked out in a partial clone
    // made later (a deploy remote that lags behind origin).
    let deployed = d.server_rev("master");
    d.clone.write("requirements.txt", "a\nb\ne\n-r more.txt\n");
    d.clone.write("more.txt", "c\nd\nf\n");
    d.clone.commit("Add e and f");
    d.clone
        .git(&["push", "-q", "--no-verify", "origin", "master"]);
    for filter in ["blob:none", "tree:0"] {
        let partial = partial_clone(&d.server, filter);
        let missing = partial.git(&["rev-list", "--objects", "--missing=print", &deployed]);
        assert!(
            missing.lines().any(|l| l.starts_with('?')),
            "{filter}: nothing is missing"
        );
        partial.write("requirements.txt", "a\ne\n-r more.txt\n");
        partial.write("more.txt", "c\nf\n");
        partial.commit("Drop b and d");
        let range = format!("{deployed}..HEAD");
        let (partial_json, code) = partial.check_json(&range);
        assert_eq!(code, 0, "{filter}: {partial_json}");
        let full = Repo::clone_of(&d.server);
        full.git(&["fetch", "-q", &partial.path.display().to_string(), "master"]);
        let (full_json, _) = full.check_json(&format!("{deployed}..FETCH_HEAD"));
        assert_eq!(partial_json["removed"], full_json["removed"], "{filter}");
        assert_eq!(
            partial_json["removed"],
            serde_json::json!(["b", "d"]),
            "{filter}"
        );
        assert_eq!(partial_json["verdict"], "wipe", "{filter}");
    }
}

#[test]
fn a_partial_clone_that_cannot_fetch_warns_and_never_blames_the_file() {
    let d = Deployment::new(&[
        ("requirements.txt", "a\nb\n"),
        ("runtime.txt", "python-3.6\n"),
    ]);
    let deployed = d.server_rev("master");
    d.clone.write("requirements.txt", "a\nb\nc\n");
    d.clone.commit("Add c");
    d.clone
        .git(&["push", "-q", "--no-verify", "origin", "master"]);
    let partial = partial_clone(&d.server, "blob:none");
    partial.write("requirements.txt", "a\nc\n");
    partial.commit("Drop b");
    // The promisor remote is gone: the old blob cannot be fetched.
    partial.git(&["remote", "set-url", "origin", "/nonexistent/server.git"]);
    cmd_snapshot!(
        Filters::new()
            .repo(&d.server, "SERVER")
            .repo(&partial, "PARTIAL")
            .commit(&deployed, "DEPLOYED"),
        "check_partial_clone_without_its_promisor",
        partial.envguard(&["check", &format!("{deployed}..HEAD")])
    );
}

fn drop_b(clone: &Repo) -> String {
    clone.write("requirements.txt", "a\nc\n");
    clone.commit("Drop b")
}

const ABC: &[(&str, &str)] = &[
    ("requirements.txt", "a\nb\nc\n"),
    ("runtime.txt", "python-3.6\n"),
];

/// Someone else pushes a commit this clone never fetches.
fn diverge(d: &Deployment) -> String {
    let other = Repo::clone_of(&d.server);
    let theirs_after = d.server_rev("master");
    other.write("theirs.txt", format!("after {theirs_after}\n"));
    let theirs = other.commit("Their change");
    other.git(&["push", "-q", "origin", "master"]);
    theirs
}

#[test]
fn a_push_forced_by_configuration_is_toggled_like_a_forced_push() {
    for (key, value, args, name) in [
        (
            "remote.origin.push",
            "+refs/heads/master:refs/heads/master",
            &["origin"][..],
            "hook_toggle_forced_by_a_push_refspec",
        ),
        // git maps a refspec without a destination through the configured one, `+` and all.
        (
            "remote.origin.push",
            "+refs/heads/master:refs/heads/master",
            &["origin", "master"],
            "hook_toggle_forced_by_a_mapped_refspec",
        ),
        (
            "remote.origin.mirror",
            "true",
            &["origin"],
            "hook_toggle_forced_by_a_mirror",
        ),
    ] {
        let d = Deployment::new(ABC);
        d.clone.git(&["config", key, value]);
        diverge(&d);
        let tip = drop_b(&d.clone);
        // No --force on the command line: git forces by configuration.
        let pushed = d.push(args);
        assert_eq!(d.server_rev("master^^"), tip, "{key}: {pushed:?}");
        cmd_snapshot!(
            Filters::new().deployment(&d).commit(&tip, "TIP"),
            name,
            pushed
        );
    }
    // A command-line refspec naming its destination is not mapped: git refuses it.
    let d = Deployment::new(ABC);
    d.clone.git(&[
        "config",
        "remote.origin.push",
        "+refs/heads/master:refs/heads/master",
    ]);
    let theirs = diverge(&d);
    drop_b(&d.clone);
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_refspec_with_destination_not_forced",
        d.push(&["origin", "master:master"])
    );
    assert_eq!(d.server_rev("master"), theirs);
}

#[test]
fn a_remote_with_two_push_urls_gets_the_same_toggle_on_each() {
    let d = Deployment::new(ABC);
    let second = Repo::init(&["--bare"]);
    d.server
        .git(&["push", "-q", &second.path.display().to_string(), "master"]);
    let first = d.server.path.display().to_string();
    d.clone
        .git(&["config", "--add", "remote.origin.pushurl", &first]);
    d.clone.git(&[
        "config",
        "--add",
        "remote.origin.pushurl",
        &second.path.display().to_string(),
    ]);
    let tip = drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    // The second URL's line about the branch is wrong today:
    // `the_second_push_url_says_where_the_branch_is`.
    cmd_snapshot!(
        Filters::new()
            .deployment(&d)
            .repo(&second, "SECOND")
            .commit(&tip, "TIP"),
        "hook_toggle_two_push_urls",
        (code, stderr.clone())
    );
    let t2 = d.server_rev("master");
    assert_eq!(
        second.rev("master"),
        t2,
        "both sites end on the same T2: {stderr}"
    );
    assert_eq!(second.rev("master^^"), tip);
    assert_eq!(d.clone.rev("master"), t2);
    assert_eq!(d.clone.rev("origin/master"), t2);
}

#[test]
fn the_second_push_url_says_where_the_branch_is() {
    let d = Deployment::new(ABC);
    let second = Repo::init(&["--bare"]);
    d.server
        .git(&["push", "-q", &second.path.display().to_string(), "master"]);
    let first = d.server.path.display().to_string();
    d.clone
        .git(&["config", "--add", "remote.origin.pushurl", &first]);
    d.clone.git(&[
        "config",
        "--add",
        "remote.origin.pushurl",
        &second.path.display().to_string(),
    ]);
    drop_b(&d.clone);
    let (_, stderr) = d.push(&["origin", "master"]);
    // Both URLs' toggles end with master at T2 (moved by the first): none says no branch
    // moved.
    let no_branch_moved: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("envguard: no branch was moved"))
        .collect();
    assert_eq!(no_branch_moved, Vec::<&str>::new(), "{stderr}");
    assert_eq!(d.clone.rev("master"), d.server_rev("master"));
}

#[test]
fn an_interrupted_toggle_is_named_first_until_it_is_resumed() {
    let d = Deployment::new(ABC);
    drop_b(&d.clone);
    let (code, stderr) = d.push_with(
        &["origin", "master"],
        &[("ENVGUARD_FAULT", "interrupt-after-t1")],
    );
    assert_ne!(code, 0, "{stderr}");
    let t1 = d.server_rev("master");
    // The signal handler says how to finish.
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&t1, "T1"),
        "hook_toggle_interrupted",
        (code, stderr)
    );
    // The next push, check and hook status all say it first.
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0, "git refuses: the remote is at T1");
    let filters = Filters::new().deployment(&d).commit(&t1, "T1");
    cmd_snapshot!(filters, "hook_toggle_not_finished", (code, stderr));
    for (args, name) in [
        (&["hook", "status"][..], "hook_status_toggle_not_finished"),
        (&["check", "HEAD"], "check_toggle_not_finished"),
    ] {
        cmd_snapshot!(filters, name, d.clone.envguard(args));
    }
    let out = d.clone.envguard(&["push", "--resume"]);
    assert!(out.status.success(), "{out:?}");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_status_after_resume",
        d.clone.envguard(&["hook", "status"])
    );
    assert_eq!(d.clone.rev("master"), d.server_rev("master"));
}

#[test]
fn a_toggle_from_a_detached_head_says_that_no_branch_moved() {
    let d = Deployment::new(ABC);
    let tip = drop_b(&d.clone);
    d.clone.git(&["checkout", "-q", "--detach"]);
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_toggle_from_a_detached_head",
        d.push(&["origin", "HEAD:master"])
    );
    assert_eq!(d.clone.rev("HEAD"), tip, "HEAD did not move");
    assert_eq!(d.clone.rev("master"), tip, "nor did master");
    // `envguard push` of a tag: exit 0, since the toggle deployed everything pushed.
    let d = Deployment::new(ABC);
    drop_b(&d.clone);
    d.clone.git(&["tag", "v1"]);
    let out = d
        .clone
        .envguard(&["push", "origin", "v1:refs/heads/master"]);
    assert!(out.status.success(), "{}", output_text(&out));
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "push_wrapper_toggle_of_a_tag",
        out
    );
}

#[test]
fn the_users_push_options_and_upstream_carry_over_to_the_toggle() {
    let d = Deployment::new(ABC);
    d.server
        .git(&["config", "receive.advertisePushOptions", "true"]);
    crate::support::write_hook(
        &d.server.path.join("hooks"),
        "pre-receive",
        "#!/bin/sh\ncat >/dev/null\necho \"${GIT_PUSH_OPTION_COUNT:-0} ${GIT_PUSH_OPTION_0:-}\" >> options.log\n",
    );
    d.clone.git(&["branch", "--unset-upstream"]);
    let tip = drop_b(&d.clone);
    let (code, stderr) = d.push(&["-u", "-o", "ci.skip", "origin", "master"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(d.server_rev("master^^"), tip, "toggled: {stderr}");
    assert_eq!(d.clone.rev("master"), d.server_rev("master"));
    let options = std::fs::read_to_string(d.server.path.join("options.log")).expect("log");
    assert_eq!(options, "1 ci.skip\n1 ci.skip\n", "T1 and T2 carry -o");
    assert_eq!(
        d.clone.git(&["config", "branch.master.remote"]).trim(),
        "origin"
    );
    assert_eq!(
        d.clone.git(&["config", "branch.master.merge"]).trim(),
        "refs/heads/master"
    );
}

/// Signs commits of `repo` with a new ssh key (git's `gpg.format = ssh`).
fn sign_with_ssh(repo: &Repo) -> std::path::PathBuf {
    let key = repo.scratch("keys").join("id_ed25519");
    crate::support::run_ok(
        crate::support::command("ssh-keygen", &repo.path)
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
            .arg(&key),
    );
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", &key.display().to_string()]);
    repo.git(&["config", "commit.gpgsign", "true"]);
    key
}

#[test]
fn toggle_commits_are_signed_like_the_users_and_a_signing_failure_is_clear() {
    let d = Deployment::new(ABC);
    let key = sign_with_ssh(&d.clone);
    let tip = drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(d.server_rev("master^^"), tip, "toggled: {stderr}");
    for rev in ["master", "master^"] {
        let raw = d.server.git(&["cat-file", "commit", rev]);
        assert!(
            raw.contains("-----BEGIN SSH SIGNATURE-----"),
            "{rev} unsigned:\n{raw}"
        );
    }
    // A key that is gone: the toggle stops before pushing anything, and says why.
    std::fs::remove_file(&key).expect("remove key");
    let before = d.server_rev("master");
    d.clone.write("requirements.txt", "a\n");
    d.clone
        .git(&["-c", "commit.gpgsign=false", "commit", "-qam", "Drop c"]);
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_toggle_cannot_sign",
        d.push(&["origin", "master"])
    );
    assert_eq!(d.server_rev("master"), before);
}

#[test]
fn a_refusal_by_a_server_hook_is_not_blamed_on_someone_else() {
    let d = Deployment::new(ABC);
    crate::support::write_hook(
        &d.server.path.join("hooks"),
        "pre-receive",
        "#!/bin/sh\ncat >/dev/null\necho 'policy: no pushes today' >&2\nexit 1\n",
    );
    drop_b(&d.clone);
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_toggle_refused_by_a_server_hook",
        d.push(&["origin", "master"])
    );
}

/// An atomic push of two branches, one needing the toggle: the toggle would deploy before
/// git's all-or-nothing push of the rest, so it is refused, naming `envguard push`, and the
/// remote keeps what it had; the deploy branch pushed alone toggles, and an atomic push that
/// needs no toggle goes through.
#[test]
fn an_atomic_push_of_two_branches_that_needs_a_toggle_is_refused() {
    let d = Deployment::new(ABC);
    d.clone.git(&["branch", "feature"]);
    drop_b(&d.clone);
    let before = d.server_rev("master");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_refuse_atomic_toggle",
        d.push(&["--atomic", "origin", "master", "feature"])
    );
    assert_eq!(d.server_rev("master"), before);
    assert!(
        d.server
            .git_output(&["rev-parse", "--verify", "-q", "refs/heads/feature"])
            .stdout
            .is_empty()
    );
    let out = d.clone.envguard(&["push", "origin", "master"]);
    assert!(out.status.success(), "{}", output_text(&out));
    d.clone.write("app.py", "print('v2')\n");
    d.clone.commit("Change the app");
    let out = d
        .clone
        .envguard(&["push", "--atomic", "origin", "master", "feature"]);
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(d.server_rev("feature"), d.clone.rev("feature"));
    assert_eq!(d.server_rev("master"), d.clone.rev("master"));
}

#[test]
fn deleting_the_deploy_branch_or_pushing_to_a_url_is_handled() {
    let d = Deployment::new(ABC);
    // A push to the URL itself: git passes the URL as the remote's name.
    let url = d.server.path.display().to_string();
    d.clone
        .git(&["config", "envguard.remote", &format!("{url}*")]);
    let tip = drop_b(&d.clone);
    let (code, stderr) = d.push(&[&url, "master"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(d.server_rev("master^^"), tip, "toggled: {stderr}");
    // Deleting the deploy branch deploys nothing: no check, no toggle; the branch is gone
    // and no toggle commit was made. (The server lets its current branch be deleted, as
    // hosting services do.)
    d.server
        .git(&["config", "receive.denyDeleteCurrent", "ignore"]);
    let local = d.clone.rev("master");
    let pushes = recorded_pushes(&d.server).len();
    let deleted = d.push(&["origin", "--delete", "master"]);
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_delete_the_deploy_branch",
        deleted
    );
    assert_eq!(deleted.0, 0);
    let gone = d
        .server
        .git_output(&["rev-parse", "--verify", "-q", "refs/heads/master"]);
    assert!(!gone.status.success(), "master is deleted on the server");
    assert_eq!(
        d.clone.rev("master"),
        local,
        "the local branch did not move"
    );
    let new_pushes = &recorded_pushes(&d.server)[pushes..];
    assert_eq!(
        new_pushes.len(),
        1,
        "one push, the deletion: {new_pushes:?}"
    );
    assert!(
        new_pushes[0][0].ends_with(" 0000000000000000000000000000000000000000 refs/heads/master"),
        "{new_pushes:?}"
    );
}

#[test]
fn without_a_git_identity_the_toggle_says_how_to_set_one() {
    let d = Deployment::new(ABC);
    drop_b(&d.clone);
    let before = d.server_rev("master");
    let out = d
        .clone
        .cmd("git")
        .args(["push", "origin", "master"])
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .output()
        .expect("git push");
    assert!(!out.status.success());
    assert_eq!(d.server_rev("master"), before, "nothing pushed");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_toggle_without_a_git_identity",
        out
    );
}

#[test]
#[ignore = "needs lefthook from npm: set ENVGUARD_TEST_LEFTHOOK (.ci/run does)"]
fn lefthooks_hook_is_left_in_place_and_its_entry_guards_the_push() {
    let lefthook = crate::support::lefthook_executable();
    let d = Deployment::new(ABC);
    let c = &d.clone;
    assert!(c.envguard(&["hook", "uninstall"]).status.success());
    c.git(&["config", "envguard.mode", "warn"]);
    c.write(
        "lefthook.yml",
        "pre-push:\n  commands:\n    lint:\n      run: \"true\"\n",
    );
    c.commit("Use lefthook");
    crate::support::run_ok(c.cmd(&lefthook).arg("install"));
    let hook = c.path.join(".git/hooks/pre-push");
    let theirs = std::fs::read(&hook).expect("lefthook's hook");
    let out = c.envguard(&["hook", "install"]);
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("lefthook's hook; envguard left it in place"),
        "{text}"
    );
    assert!(text.contains("run: envguard pre-push {1} {2}"), "{text}");
    assert!(text.contains("use_stdin: true"), "{text}");
    assert_eq!(std::fs::read(&hook).expect("hook"), theirs, "left in place");
    let status = output_text(&c.envguard(&["hook", "status"]));
    assert!(
        status.contains("lefthook's hook, without envguard: pushes are NOT guarded"),
        "{status}"
    );
    // The printed entry, merged into lefthook.yml: the push is guarded.
    c.write(
        "lefthook.yml",
        "pre-push:\n  commands:\n    envguard:\n      run: envguard pre-push {1} {2}\n      use_stdin: true\n",
    );
    c.commit("Run envguard from lefthook");
    crate::support::run_ok(c.cmd(&lefthook).arg("install"));
    let status = output_text(&c.envguard(&["hook", "status"]));
    assert!(
        status.contains("lefthook's hook; its configuration runs envguard"),
        "{status}"
    );
    drop_b(c);
    let (code, stderr) = d.push_all(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("b removed"),
        "envguard ran inside lefthook: {stderr}"
    );
}
