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
