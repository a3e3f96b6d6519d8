//! Platforms beyond App Service, on real repositories and real pushes: Heroku and Dokku
//! remotes (their buildpack's cache rules), the command mode, piku's layout, and servers
//! that dispatch hooks from a `.d` folder (Gitea, GitLab).

mod support;

use support::{Deployment, Repo};

const APP: &[(&str, &str)] = &[
    ("requirements.txt", "a\n-r more.txt\n"),
    ("more.txt", "b\nc\n"),
    ("runtime.txt", "python-3.11\n"),
];

/// A deployment whose remote `heroku` has a Heroku URL, rewritten to the local server.
fn heroku() -> Deployment {
    let d = Deployment::new(APP);
    let url = "https://git.heroku.com/my-app.git";
    let server = d.server.path.display().to_string();
    d.clone
        .git(&["config", &format!("url.{server}.insteadOf"), url]);
    d.clone.git(&["remote", "add", "heroku", url]);
    d.clone.git(&["config", "--unset", "envguard.mode"]);
    d.clone.git(&["config", "--unset", "envguard.platform"]);
    d.clone.git(&["config", "envguard.remoteName", "heroku"]);
    d
}

#[test]
fn heroku_warns_only_for_what_its_cache_misses_and_names_the_purge() {
    let d = heroku();
    // requirements.txt's bytes change: the buildpack discards its cache by itself.
    d.clone.write("requirements.txt", "-r more.txt\n");
    d.clone.commit("Drop a");
    let (code, stderr) = d.push(&["heroku", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("rebuild: requirements.txt or the runtime changed, so heroku"),
        "{stderr}"
    );
    assert!(!stderr.contains("purge"), "{stderr}");
    // A removal in an included file only: the cache survives; say so, with the purge.
    d.clone.write("more.txt", "c\n");
    let tip = d.clone.commit("Drop b");
    let (code, stderr) = d.push(&["heroku", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("more.txt: b removed"), "{stderr}");
    assert!(
        stderr.contains("heroku builds:cache:purge -a my-app --confirm my-app"),
        "{stderr}"
    );
    assert_eq!(d.server_rev("master"), tip);
}

#[test]
fn command_mode_runs_the_command_once_and_pushes_the_commit_itself() {
    let d = heroku();
    let log = d.clone.scratch("cmd").join("ran.log");
    d.clone.git(&["config", "envguard.mode", "command"]);
    d.clone.git(&[
        "config",
        "envguard.command",
        &format!(
            "echo \"$ENVGUARD_REMOTE $ENVGUARD_BRANCH $ENVGUARD_VERDICT $ENVGUARD_URL\" >> '{}'",
            log.display()
        ),
    ]);
    d.clone.write("more.txt", "c\n");
    let tip = d.clone.commit("Drop b");
    let (code, stderr) = d.push(&["heroku", "master"]);
    assert_eq!(code, 0, "{stderr}");
    let ran = std::fs::read_to_string(&log).expect("the command ran");
    assert_eq!(ran.lines().count(), 1, "{ran}");
    assert!(ran.starts_with("heroku master wipe "), "{ran}");
    assert_eq!(
        d.server_rev("master"),
        tip,
        "the pushed commit itself, no toggle"
    );
    assert_eq!(support::recorded_pushes(&d.server).len(), 1, "one push");

    // A failing command refuses the push, with its output and the ways out.
    d.clone
        .git(&["config", "envguard.command", "echo purge denied; exit 3"]);
    d.clone.write("more.txt", "\n");
    d.clone.commit("Drop c");
    let (code, stderr) = d.push(&["heroku", "master"]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("purge denied"), "{stderr}");
    assert!(stderr.contains("envguard.command failed"), "{stderr}");
    assert!(stderr.contains("ENVGUARD=0 git push"), "{stderr}");
    assert_eq!(d.server_rev("master"), tip);
}

#[test]
fn command_mode_without_a_command_refuses_and_says_what_to_set() {
    let d = heroku();
    d.clone.git(&["config", "envguard.mode", "command"]);
    d.clone.write("more.txt", "c\n");
    d.clone.commit("Drop b");
    let (code, stderr) = d.push(&["heroku", "master"]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("envguard.command is not set"), "{stderr}");
    let _: Option<Repo> = None;
}
