//! Every way envguard could stop guarding a push says so on that push: a deploy remote that
//! matches nothing, a misspelt setting, invalid files in `check`, plain-http credentials, a
//! committed env, a huge report, a refusal without its ways out. Real repositories, real
//! pushes, the hook installed by `envguard hook install`.

use crate::support::{APP, Deployment, Repo, drop_cors};

#[test]
fn install_without_a_deploy_remote_names_the_setting() {
    let repo = Repo::new();
    repo.write("requirements.txt", "flask\n");
    repo.commit("base");
    repo.git(&["remote", "add", "origin", "/srv/git/app.git"]);
    let out = repo.envguard(&["hook", "install"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(text.contains("no remote is a deploy remote"), "{text}");
    assert!(text.contains("its remotes: origin"), "{text}");
    assert!(
        text.contains("git config envguard.remoteName <name>"),
        "{text}"
    );
    // Once a remote is named, install says nothing of the kind.
    repo.git(&["config", "envguard.remoteName", "origin"]);
    let out = repo.envguard(&["hook", "install"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("no remote is a deploy remote"));
}

#[test]
fn a_misspelt_mode_refuses_the_push_naming_the_key() {
    let d = Deployment::new(APP);
    d.clone.git(&["config", "envguard.mode", "togle"]);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let before = d.server_rev("master");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("envguard.mode = 'togle'"), "{stderr}");
    assert!(
        stderr.contains("expected toggle, mark, warn, off, remote-wipe, command or remote-prune"),
        "{stderr}"
    );
    assert!(stderr.contains("ENVGUARD=0 git push"), "{stderr}");
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
    let out = repo.envguard(&["check", "HEAD"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(!text.contains("stays valid"), "{text}");
    assert!(text.starts_with("envguard: invalid:"), "{text}");
    let (json, code) = repo.check_json("HEAD");
    assert_eq!(code, 1);
    assert_eq!(json["verdict"], "invalid", "{json}");
}

#[test]
fn plain_http_credentials_to_a_remote_host_are_refused() {
    let d = Deployment::new(APP);
    d.clone
        .git(&["config", "envguard.scmUrl", "http://mysite.scm.example.net"]);
    let out = d
        .clone
        .envguard(&["wipe", "--remote", "origin", "--dry-run"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("plain http"), "{stderr}");
}

#[test]
fn a_committed_env_push_says_how_to_stop_committing_it() {
    let d = Deployment::new(APP);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    d.clone.write("env/pyvenv.cfg", "home = /usr/bin\n");
    d.clone.write("env/lib/site.py", "x = 1\n");
    d.clone.commit("Commit the venv");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("git rm -r --cached env"), "{stderr}");
    assert!(stderr.contains(".gitignore"), "{stderr}");
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
    assert!(
        stderr.contains("... and 87 more (envguard check --format json)"),
        "{stderr}"
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
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("no runtime.txt to toggle"), "{stderr}");
    assert!(stderr.contains("Env-Wipe: skip"), "{stderr}");
    assert!(stderr.contains("ENVGUARD=0 git push"), "{stderr}");
    assert!(stderr.contains("--no-verify"), "{stderr}");
}

#[test]
fn settings_that_guard_nothing_refuse_the_push_naming_the_key() {
    for (key, value, says) in [
        ("envguard.mdoe", "warn", "did you mean envguard.mode?"),
        ("envguard.appRoot", "src", "it has no folder 'src'"),
        (
            "envguard.appRoot",
            "../elsewhere",
            "a folder inside the repository",
        ),
        (
            "envguard.remoteName",
            "azure",
            "the name of a remote of this repository (origin)",
        ),
    ] {
        let d = Deployment::new(APP);
        d.clone.git(&["config", key, value]);
        drop_cors(&d.clone, "Drop CORS");
        let before = d.server_rev("master");
        let (code, stderr) = d.push(&["origin", "master"]);
        assert_ne!(code, 0, "{key}: {stderr}");
        assert!(
            stderr.contains(&format!("{key} = '{value}'")),
            "{key}: {stderr}"
        );
        assert!(stderr.contains(says), "{key}: {stderr}");
        assert!(stderr.contains("ENVGUARD=0 git push"), "{key}: {stderr}");
        assert_eq!(d.server_rev("master"), before, "{key}");
    }
}

#[test]
fn hook_status_says_when_envguard_branch_replaced_master() {
    let d = Deployment::new(APP);
    d.clone
        .git(&["config", "--add", "envguard.branch", "staging"]);
    let out = d.clone.envguard(&["hook", "status"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("deploy branches: staging (envguard.branch replaces the default master"),
        "{text}"
    );
}

#[test]
fn check_says_what_it_compared_and_when_it_cannot_run_here() {
    let repo = Repo::new();
    repo.write("app.py", "print('hi')\n");
    let base = repo.commit("No requirements yet");
    repo.write("runtime.txt", "python-3.6\n");
    let tip = repo.commit("A runtime");
    let out = repo.envguard(&["check", &format!("{base}..{tip}")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("compared {}..{}", &base[..7], &tip[..7])),
        "{text}"
    );
    assert!(text.contains("has no requirements.txt"), "{text}");
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
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not in a git repository"),
        "{out:?}"
    );
    let empty = Repo::new();
    let out = empty.envguard(&["check"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no commit yet"),
        "{out:?}"
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
    let out = bare.envguard(&["hook", "install"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("envguard hook install --server"));
    assert!(!bare.path.join("hooks/pre-push").exists());
    // --server without a target: installed, and says it does nothing yet.
    let out = bare.envguard(&["hook", "install", "--server"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("envguard.target is not set"), "{stdout}");
    // deploy-script from a subfolder: refused, naming the root.
    let repo = Repo::new();
    repo.write("src/app.py", "print('hi')\n");
    repo.commit("App");
    let out = crate::support::command(crate::support::envguard_bin(), &repo.path.join("src"))
        .args(["deploy-script", "--platform", "linux"])
        .output()
        .expect("envguard");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("run it at the repository's root"));
    assert!(!repo.path.join("src/.deployment").exists());
}

#[test]
fn uninstall_takes_use_hooks_path_like_install() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".hooks"]);
    let out = repo.envguard(&["hook", "install", "--use-hooks-path"]);
    assert!(out.status.success(), "{out:?}");
    assert!(repo.path.join(".hooks/pre-push").exists());
    let out = repo.envguard(&["hook", "uninstall", "--use-hooks-path"]);
    assert!(out.status.success(), "{out:?}");
    assert!(!repo.path.join(".hooks/pre-push").exists());
}

#[test]
fn check_without_a_deploy_remote_names_the_setting() {
    let repo = Repo::new();
    repo.write("requirements.txt", "flask\n");
    repo.commit("base");
    let out = repo.envguard(&["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no remote is a deploy remote"), "{stderr}");
    // No remote at all: the example names git's usual one.
    assert!(
        stderr.contains("git config envguard.remoteName origin"),
        "{stderr}"
    );
}

#[test]
fn hook_status_tells_whether_husky_runs_envguard() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    crate::support::write_hook(
        &repo.path.join(".husky/_"),
        "pre-push",
        "#!/bin/sh\n. \"$(dirname \"$0\")/h\"\n",
    );
    crate::support::write_hook(&repo.path.join(".husky"), "pre-push", "npm test\n");
    let status = |repo: &Repo| {
        String::from_utf8_lossy(&repo.envguard(&["hook", "status"]).stdout).into_owned()
    };
    let text = status(&repo);
    assert!(
        text.contains("husky's hook, without envguard: pushes are NOT guarded"),
        "{text}"
    );
    assert!(text.contains("envguard pre-push"), "the fix: {text}");
    crate::support::write_hook(
        &repo.path.join(".husky"),
        "pre-push",
        "npm test\nenvguard pre-push \"$@\"\n",
    );
    let text = status(&repo);
    assert!(
        text.contains("husky's hook; .husky/pre-push runs envguard"),
        "{text}"
    );
    // Replaced by another tool: not guarded, and how to fix it.
    let other = Repo::new();
    crate::support::write_hook(
        &other.path.join(".git/hooks"),
        "pre-push",
        "#!/bin/sh\nexit 0\n",
    );
    let text = status(&other);
    assert!(
        text.contains("another tool's hook; envguard is not installed: pushes are NOT guarded"),
        "{text}"
    );
    assert!(text.contains("envguard hook install"), "{text}");
}

#[test]
fn a_toggle_runtime_kudu_would_not_use_is_refused_with_why() {
    for (toggle, says) in [
        ("python-3.9", "a runtime Kudu supports"),
        ("python-3.6.8", "selects the same Kudu runtime"),
    ] {
        let d = Deployment::new(APP);
        d.clone.git(&["config", "envguard.toggleRuntime", toggle]);
        drop_cors(&d.clone, "Drop CORS");
        let before = d.server_rev("master");
        let (code, stderr) = d.push(&["origin", "master"]);
        assert_ne!(code, 0, "{toggle}: {stderr}");
        assert!(stderr.contains(says), "{toggle}: {stderr}");
        assert_eq!(d.server_rev("master"), before, "{toggle}: nothing pushed");
    }
    // Without runtime.txt, no runtime is suggested: the remote wipe is.
    let d = Deployment::new(&[
        ("requirements.txt", "Flask==2.0.1\nFlask-CORS==3.0.10\n"),
        ("app.py", "print('hi')\n"),
    ]);
    d.clone.write("requirements.txt", "Flask==2.0.1\n");
    d.clone.commit("Drop CORS");
    let (_, stderr) = d.push(&["origin", "master"]);
    assert!(stderr.contains("envguard.mode remote-wipe"), "{stderr}");
    assert!(!stderr.contains("toggleRuntime python-"), "{stderr}");
}
