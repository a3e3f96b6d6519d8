//! Every way envguard could stop guarding a push says so on that push: a deploy remote that
//! matches nothing, a misspelt setting, invalid files in `check`, plain-http credentials, a
//! committed env, a huge report, a refusal without its ways out. Real repositories, real
//! pushes, the hook installed by `envguard hook install`.

use crate::cmd_snapshot;
use crate::support::{APP, Deployment, Filters, Repo, drop_cors};

#[test]
fn install_without_a_deploy_remote_names_the_setting() {
    let repo = Repo::new();
    repo.write("requirements.txt", "flask\n");
    repo.commit("base");
    repo.git(&["remote", "add", "origin", "/srv/git/app.git"]);
    let filters = || Filters::new().repo(&repo, "REPO");
    cmd_snapshot!(
        filters(),
        "hook_install_no_deploy_remote",
        repo.envguard(&["hook", "install"])
    );
    // Once a remote is named, install says nothing of the kind.
    repo.git(&["config", "envguard.remoteName", "origin"]);
    cmd_snapshot!(
        filters(),
        "hook_install_again",
        repo.envguard(&["hook", "install"])
    );
}

#[test]
fn a_misspelt_mode_refuses_the_push_naming_the_key() {
    let d = Deployment::new(APP);
    d.clone.git(&["config", "envguard.mode", "togle"]);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let before = d.server_rev("master");
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_refuse_misspelt_mode",
        d.push(&["origin", "master"])
    );
    assert_eq!(d.server_rev("master"), before);
    assert_ne!(before, tip);
}

#[test]
fn check_on_an_invalid_file_never_says_stays_valid() {
    let repo = Repo::new();
    repo.write("requirements.txt", "flask\nrequests\n");
    repo.commit("base");
    repo.write("requirements.txt", "flask\nrequests==>2\n");
    repo.commit("bad line");
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "check_invalid",
        repo.envguard(&["check", "HEAD"])
    );
    let (json, code) = repo.check_json("HEAD");
    assert_eq!(code, 1);
    assert_eq!(json["verdict"], "invalid", "{json}");
}

#[test]
fn plain_http_credentials_to_a_remote_host_are_refused() {
    let d = Deployment::new(APP);
    d.clone
        .git(&["config", "envguard.scmUrl", "http://mysite.scm.example.net"]);
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "wipe_remote_plain_http",
        d.clone
            .envguard(&["wipe", "--remote", "origin", "--dry-run"])
    );
}

#[test]
fn a_committed_env_push_says_how_to_stop_committing_it() {
    let d = Deployment::new(APP);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    d.clone.write("env/pyvenv.cfg", "home = /usr/bin\n");
    d.clone.write("env/lib/site.py", "x = 1\n");
    d.clone.commit("Commit the venv");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_warn_committed_env",
        d.push(&["origin", "master"])
    );
}

#[test]
fn a_push_removing_99_packages_prints_a_short_report() {
    let many: String = (0..100).map(|i| format!("pkg{i}\n")).collect();
    let d = Deployment::new(&[("requirements.txt", &many), ("runtime.txt", "python-3.6\n")]);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    d.clone.write("requirements.txt", "pkg0\n");
    d.clone.commit("Drop 99 packages");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    let ours = stderr.lines().filter(|l| l.contains("envguard")).count();
    assert!(ours <= 30, "{ours} lines:\n{stderr}");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_warn_short_report",
        (code, stderr)
    );
}

#[test]
fn a_toggle_refusal_lists_the_ways_out() {
    let d = Deployment::new(&[
        ("requirements.txt", "Flask==2.0.1\nFlask-CORS==3.0.10\n"),
        ("app.py", "print('hi')\n"),
    ]);
    d.clone.git(&["config", "envguard.mode", "toggle"]);
    d.clone.write("requirements.txt", "Flask==2.0.1\n");
    d.clone.commit("Drop CORS");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_refuse_toggle_without_runtime_txt",
        d.push(&["origin", "master"])
    );
}

#[test]
fn settings_that_guard_nothing_refuse_the_push_naming_the_key() {
    for (key, value, snapshot) in [
        ("envguard.mdoe", "warn", "hook_refuse_misspelt_key"),
        ("envguard.appRoot", "src", "hook_refuse_missing_app_root"),
        (
            "envguard.appRoot",
            "../elsewhere",
            "hook_refuse_app_root_outside",
        ),
        ("envguard.remoteName", "azure", "hook_refuse_unknown_remote"),
    ] {
        let d = Deployment::new(APP);
        d.clone.git(&["config", key, value]);
        drop_cors(&d.clone, "Drop CORS");
        let before = d.server_rev("master");
        cmd_snapshot!(
            Filters::new().deployment(&d),
            snapshot,
            d.push(&["origin", "master"])
        );
        assert_eq!(d.server_rev("master"), before, "{key}");
    }
}

#[test]
fn hook_status_says_when_envguard_branch_replaced_master() {
    let d = Deployment::new(APP);
    d.clone
        .git(&["config", "--add", "envguard.branch", "staging"]);
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_status_branch_replaced",
        d.clone.envguard(&["hook", "status"])
    );
}

#[test]
fn check_says_what_it_compared_and_when_it_cannot_run_here() {
    let repo = Repo::new();
    repo.write("app.py", "print('hi')\n");
    let base = repo.commit("No requirements yet");
    repo.write("runtime.txt", "python-3.6\n");
    let tip = repo.commit("A runtime");
    cmd_snapshot!(
        Filters::new()
            .repo(&repo, "REPO")
            .commit(&base, "BASE")
            .commit(&tip, "TIP"),
        "check_no_requirements",
        repo.envguard(&["check", &format!("{base}..{tip}")])
    );
    // --diff and JSON: a usage error, not a silently ignored flag.
    let out = repo.envguard(&["check", "HEAD", "--diff", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--diff"),
        "{out:?}"
    );
    // Outside a repository and before the first commit: exit 3, said plainly.
    let outside = tempfile::tempdir().expect("tempdir");
    let out = crate::support::command(crate::support::envguard_bin(), outside.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            outside.path().parent().expect("parent"),
        )
        .arg("check")
        .output()
        .expect("envguard");
    cmd_snapshot!(
        Filters::new().path(outside.path(), "OUTSIDE"),
        "check_outside_a_repository",
        out
    );
    // Every command that needs a repository cannot run here: exit 3, as `check`.
    for args in [
        &["hook", "status"][..],
        &["hook", "install"],
        &["platform"],
        &["deploy-script", "--platform", "kudu-windows"],
    ] {
        let out = crate::support::command(crate::support::envguard_bin(), outside.path())
            .env(
                "GIT_CEILING_DIRECTORIES",
                outside.path().parent().expect("parent"),
            )
            .args(args)
            .output()
            .expect("envguard");
        assert_eq!(out.status.code(), Some(3), "{args:?}: {out:?}");
    }
    let empty = Repo::new();
    cmd_snapshot!(
        Filters::new().repo(&empty, "REPO"),
        "check_before_the_first_commit",
        empty.envguard(&["check"])
    );
    // Naming HEAD before the first commit says the same, not that HEAD is unknown.
    for range in ["HEAD", "origin/master..HEAD", "origin/master.."] {
        let out = empty.envguard(&["check", range]);
        assert_eq!(out.status.code(), Some(3), "{range}: {out:?}");
        assert_eq!(
            out.stderr,
            empty.envguard(&["check"]).stderr,
            "{range}: the same words as without a range"
        );
    }
    // `env diff` too, with HEAD given or implied.
    let env = empty.scratch("env").display().to_string();
    let implied = empty.envguard(&["env", "diff", &env]);
    let given = empty.envguard(&["env", "diff", &env, "HEAD"]);
    assert_eq!(implied.status.code(), Some(3), "{implied:?}");
    assert_eq!(
        (given.status.code(), &given.stderr),
        (implied.status.code(), &implied.stderr)
    );
}

#[test]
fn install_sh_answers_help_and_bad_arguments_before_building() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        crate::support::command("sh", dir.path())
            .arg(&script)
            .args(args)
            .output()
            .expect("sh install.sh")
    };
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).starts_with("usage: sh install.sh"));
    for (args, says) in [
        (&["--prefix"][..], "--prefix needs a directory"),
        (&["/nonexistent/app"], "/nonexistent/app: no such directory"),
        (&["--bogus"], "unknown option --bogus"),
    ] {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("Compiling"), "no build: {stderr}");
    }
}

#[test]
fn installs_that_would_do_nothing_say_so() {
    // A bare repository: no pre-push hook there, point at --server.
    let bare = Repo::init(&["--bare"]);
    let filters = Filters::new().repo(&bare, "BARE");
    cmd_snapshot!(
        filters,
        "hook_install_in_a_bare_repository",
        bare.envguard(&["hook", "install"])
    );
    assert!(!bare.path.join("hooks/pre-push").exists());
    // --server without a target: installed, and says it does nothing yet.
    cmd_snapshot!(
        filters,
        "hook_install_server_without_target",
        bare.envguard(&["hook", "install", "--server"])
    );
    // deploy-script from a subfolder: refused, naming the root.
    let repo = Repo::new();
    repo.write("src/app.py", "print('hi')\n");
    repo.commit("App");
    let out = crate::support::command(crate::support::envguard_bin(), &repo.path.join("src"))
        .args(["deploy-script", "--platform", "linux"])
        .output()
        .expect("envguard");
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "deploy_script_from_a_subfolder",
        out
    );
    assert!(!repo.path.join("src/.deployment").exists());
}

#[test]
fn uninstall_takes_use_hooks_path_like_install() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".hooks"]);
    let filters = Filters::new().repo(&repo, "REPO");
    cmd_snapshot!(
        filters,
        "hook_install_use_hooks_path",
        repo.envguard(&["hook", "install", "--use-hooks-path"])
    );
    assert!(repo.path.join(".hooks/pre-push").exists());
    cmd_snapshot!(
        filters,
        "hook_uninstall_use_hooks_path",
        repo.envguard(&["hook", "uninstall", "--use-hooks-path"])
    );
    assert!(!repo.path.join(".hooks/pre-push").exists());
}

#[test]
fn check_without_a_deploy_remote_names_the_setting() {
    let repo = Repo::new();
    repo.write("requirements.txt", "flask\n");
    repo.commit("base");
    // No remote at all: the example names git's usual one.
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "check_without_a_deploy_remote",
        repo.envguard(&["check"])
    );
}

/// husky's hook is `status_truth::a_husky_comment_is_not_an_entry`.
#[test]
fn hook_status_of_another_tools_hook_says_how_to_fix_it() {
    let other = Repo::new();
    crate::support::write_hook(
        &other.path.join(".git/hooks"),
        "pre-push",
        "#!/bin/sh\nexit 0\n",
    );
    cmd_snapshot!(
        Filters::new().repo(&other, "REPO"),
        "hook_status_another_tools_hook",
        other.envguard(&["hook", "status"])
    );
}

#[test]
fn a_toggle_runtime_kudu_would_not_use_is_refused_with_why() {
    for (toggle, snapshot) in [
        ("python-3.9", "hook_refuse_unsupported_toggle_runtime"),
        ("python-3.6.8", "hook_refuse_same_toggle_runtime"),
    ] {
        let d = Deployment::new(APP);
        d.clone.git(&["config", "envguard.toggleRuntime", toggle]);
        drop_cors(&d.clone, "Drop CORS");
        let before = d.server_rev("master");
        cmd_snapshot!(
            Filters::new().deployment(&d),
            snapshot,
            d.push(&["origin", "master"])
        );
        assert_eq!(d.server_rev("master"), before, "{toggle}: nothing pushed");
    }
    // Without runtime.txt, no runtime is suggested: the remote wipe is.
    let d = Deployment::new(&[
        ("requirements.txt", "Flask==2.0.1\nFlask-CORS==3.0.10\n"),
        ("app.py", "print('hi')\n"),
    ]);
    d.clone.write("requirements.txt", "Flask==2.0.1\n");
    d.clone.commit("Drop CORS");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_refuse_toggle_suggests_remote_wipe",
        d.push(&["origin", "master"])
    );
}
