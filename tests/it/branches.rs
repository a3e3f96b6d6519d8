//! Deploy branches come from the platform when `envguard.branch` is not set: the branch a
//! self-hosted server's bare repository names in HEAD (`main` as often as `master`), on
//! the client read from the remote's HEAD; every pushed branch on piku.

use crate::support::{APP, Repo};

/// A bare server whose HEAD is `main`, a clone of it with the app on `main`, envguard's
/// server hook wiping `target/env`, and the client's hook in `warn` mode.
fn on_main() -> (Repo, Repo, std::path::PathBuf) {
    let server = Repo::init(&["--bare", "-b", "main"]);
    let seed = Repo::init(&["-b", "main"]);
    for (path, contents) in APP {
        seed.write(path, contents);
    }
    seed.commit("Initial app");
    seed.git(&["push", "-q", server.path.to_str().expect("utf-8"), "main"]);
    let clone = Repo::clone_of(&server);
    clone.git(&["config", "envguard.remoteName", "origin"]);
    clone.git(&["config", "envguard.mode", "warn"]);
    let out = clone.envguard(&["hook", "install"]);
    assert!(out.status.success(), "{out:?}");
    let target = server.scratch("target");
    std::fs::create_dir_all(target.join("env/bin")).expect("env");
    std::fs::write(target.join("env/pyvenv.cfg"), "home = /usr/bin\n").expect("cfg");
    server.install_server_hook(&target);
    (server, clone, target)
}

#[test]
fn a_client_and_a_server_on_main_act_on_a_removal() {
    let (_server, clone, target) = on_main();
    clone.write("requirements.txt", "Flask==2.0.1\nrequests\n");
    clone.commit("Drop CORS");
    let out = clone
        .cmd("git")
        .args(["push", "origin", "main"])
        .output()
        .expect("push");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("envguard: refs/heads/main: wipe"),
        "the client guards main: {stderr}"
    );
    assert!(
        stderr.contains("remote: envguard: main: fresh env needed"),
        "the server guards main: {stderr}"
    );
    assert!(!target.join("env").exists(), "wiped: {stderr}");
    let status = clone.envguard(&["hook", "status"]);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("deploy branches: main"),
        "{status:?}"
    );
}

#[test]
fn envguard_branch_still_overrides_the_platform() {
    let (_server, clone, target) = on_main();
    clone.git(&["config", "envguard.branch", "release"]);
    clone.write("requirements.txt", "Flask==2.0.1\nrequests\n");
    clone.commit("Drop CORS");
    let out = clone
        .cmd("git")
        .args(["push", "origin", "main"])
        .output()
        .expect("push");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("envguard: refs/heads/main"), "{stderr}");
    // The server has no envguard.branch: it guards its HEAD's branch.
    assert!(!target.join("env").exists(), "{stderr}");
}

#[test]
fn every_push_gets_one_line_saying_what_was_checked() {
    let d = crate::support::Deployment::new(APP);
    crate::support::drop_cors(&d.clone, "Drop CORS");
    // Not a deploy remote.
    d.clone.git(&["config", "--unset", "envguard.remoteName"]);
    let (code, stderr) = d.push(&["origin", "master:elsewhere"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("origin is not a deploy remote"), "{stderr}");
    // A deploy remote in mode off.
    d.clone.git(&["config", "envguard.remoteName", "origin"]);
    d.clone.git(&["config", "envguard.mode", "off"]);
    let (code, stderr) = d.push(&["origin", "master:other"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("envguard.mode is off for origin"),
        "{stderr}"
    );
    // A deploy remote, but no deploy branch in the push.
    d.clone.git(&["config", "envguard.mode", "warn"]);
    let (code, stderr) = d.push(&["origin", "master:third"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("updates no deploy branch (master)"),
        "{stderr}"
    );
}
