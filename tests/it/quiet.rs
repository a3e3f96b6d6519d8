//! Quiet when all is well, and one line that says why when a watched file is new: the first
//! push of a deploy branch to a remote that holds nothing compares with nothing and says so.

use crate::support::Repo;

/// envguard's lines of a push's stderr.
fn envguard_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.starts_with("envguard: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_first_deployment_says_it_compared_with_nothing_then_a_push_of_nothing_watched_is_silent() {
    let server = Repo::init(&["--bare", "-b", "master"]);
    let app = Repo::init(&["-b", "master"]);
    app.write("requirements.txt", "flask\n")
        .write("runtime.txt", "python-3.6\n");
    app.commit("The app");
    app.git(&["remote", "add", "azure", &server.path.to_string_lossy()]);
    for (key, value) in [
        ("envguard.remoteName", "azure"),
        ("envguard.platform", "kudu-windows"),
        ("envguard.mode", "toggle"),
    ] {
        app.git(&["config", key, value]);
    }
    assert!(app.envguard(&["hook", "install"]).status.success());
    let push = |app: &Repo| {
        let out = app
            .cmd("git")
            .args(["push", "azure", "master"])
            .output()
            .expect("push");
        assert!(out.status.success(), "{out:?}");
        envguard_lines(&String::from_utf8_lossy(&out.stderr))
    };
    assert_eq!(
        push(&app),
        [
            "envguard: refs/heads/master: none (nothing known to be deployed before it, so nothing \
          to go stale: compared with an empty repository)"
        ]
    );
    app.write("app.py", "print('v2')\n");
    app.commit("Change the app");
    assert_eq!(push(&app), Vec::<String>::new());
}

/// A clone of an empty repository knows no remote HEAD: the branch a self-hosted server
/// deploys is assumed, and the push that guards nothing says so and how to read it.
#[test]
fn an_assumed_deploy_branch_is_said_to_be_assumed() {
    let server = Repo::init(&["--bare", "-b", "main"]);
    let app = Repo::init(&["-b", "main"]);
    app.write("requirements.txt", "flask\n");
    app.commit("The app");
    app.git(&["remote", "add", "origin", &server.path.to_string_lossy()]);
    app.git(&["config", "envguard.remoteName", "origin"]);
    assert!(app.envguard(&["hook", "install"]).status.success());
    let out = app
        .cmd("git")
        .args(["push", "origin", "main"])
        .output()
        .expect("push");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        envguard_lines(&String::from_utf8_lossy(&out.stderr)),
        [
            "envguard: this push to origin updates no deploy branch (master, assumed: the \
          remote's HEAD branch, which the server deploys, is not known here), so nothing is \
          checked; `git remote set-head origin --auto` reads it, or name it with `git config \
          envguard.branch NAME`"
        ]
    );
    // Once read, the branch is the remote's.
    app.git(&["remote", "set-head", "origin", "--auto"]);
    app.write("requirements.txt", "django\n");
    app.commit("Django");
    let out = app
        .cmd("git")
        .args(["push", "origin", "main"])
        .output()
        .expect("push");
    let lines = envguard_lines(&String::from_utf8_lossy(&out.stderr));
    assert!(
        lines.iter().any(|l| l.contains("refs/heads/main: wipe")),
        "{lines:?}"
    );
}
