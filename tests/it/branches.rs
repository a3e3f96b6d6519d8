//! Deploy branches come from the platform when `envguard.branch` is not set: the branch a
//! self-hosted server's bare repository names in HEAD (`main` as often as `master`), on
//! the client read from the remote's HEAD; every pushed branch on piku.

use crate::cmd_snapshot;
use crate::support::{APP, Filters, Repo};

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
    let (server, clone, target) = on_main();
    clone.write("requirements.txt", "Flask==2.0.1\nrequests\n");
    clone.commit("Drop CORS");
    let out = clone
        .cmd("git")
        .args(["push", "origin", "main"])
        .output()
        .expect("push");
    assert!(out.status.success(), "{out:?}");
    assert!(!target.join("env").exists(), "wiped: {out:?}");
    // The client warns about main, and the server wipes for main.
    let filters = Filters::new().repo(&server, "SERVER").repo(&clone, "CLONE");
    cmd_snapshot!(filters, "hook_client_and_server_on_main", out);
    cmd_snapshot!(
        filters,
        "hook_status_deploy_branch_main",
        clone.envguard(&["hook", "status"])
    );
}

#[test]
fn envguard_branch_still_overrides_the_platform() {
    let (server, clone, target) = on_main();
    clone.git(&["config", "envguard.branch", "release"]);
    clone.write("requirements.txt", "Flask==2.0.1\nrequests\n");
    clone.commit("Drop CORS");
    let out = clone
        .cmd("git")
        .args(["push", "origin", "main"])
        .output()
        .expect("push");
    // The client guards release only; the server has no envguard.branch: it guards its
    // HEAD's branch.
    assert!(!target.join("env").exists(), "{out:?}");
    cmd_snapshot!(
        Filters::new().repo(&server, "SERVER").repo(&clone, "CLONE"),
        "hook_branch_override_and_server",
        out
    );
}

#[test]
fn every_push_gets_one_line_saying_what_was_checked() {
    let d = crate::support::Deployment::new(APP);
    crate::support::drop_cors(&d.clone, "Drop CORS");
    // Not a deploy remote.
    d.clone.git(&["config", "--unset", "envguard.remoteName"]);
    let filters = Filters::new().deployment(&d);
    let pushed = d.push(&["origin", "master:elsewhere"]);
    assert_eq!(pushed.0, 0, "{}", pushed.1);
    cmd_snapshot!(filters, "hook_line_not_a_deploy_remote", pushed);
    // A deploy remote in mode off.
    d.clone.git(&["config", "envguard.remoteName", "origin"]);
    d.clone.git(&["config", "envguard.mode", "off"]);
    let pushed = d.push(&["origin", "master:other"]);
    assert_eq!(pushed.0, 0, "{}", pushed.1);
    cmd_snapshot!(filters, "hook_line_mode_off", pushed);
    // A deploy remote, but no deploy branch in the push.
    d.clone.git(&["config", "envguard.mode", "warn"]);
    let pushed = d.push(&["origin", "master:third"]);
    assert_eq!(pushed.0, 0, "{}", pushed.1);
    cmd_snapshot!(filters, "hook_line_no_deploy_branch", pushed);
}

/// The app of a Heroku, Dokku or piku push: a package in an `-r` include, which the
/// buildpack's cache key misses.
const INCLUDED: &[(&str, &str)] = &[
    ("requirements.txt", "a\n-r more.txt\n"),
    ("more.txt", "b\nc\n"),
    ("runtime.txt", "python-3.11\n"),
];

fn platform_remote(name: &str, url: &str) -> (Repo, Repo) {
    crate::support::platform_remote(name, url, INCLUDED)
}

/// The filters of a platform remote's snapshots.
fn remote_filters(server: &Repo, app: &Repo) -> Filters {
    Filters::new().repo(server, "SERVER").repo(app, "APP")
}

/// `git push ARGS` in `app`, which must succeed, snapshotted as `name`.
fn push_snapshot(server: &Repo, app: &Repo, args: &[&str], name: &str) {
    let out = app
        .cmd("git")
        .arg("push")
        .args(args)
        .output()
        .expect("push");
    assert!(out.status.success(), "{out:?}");
    cmd_snapshot!(remote_filters(server, app), name, out);
}

/// `envguard ARGS` in `app`, which must succeed, snapshotted as `name`.
fn envguard_snapshot(server: &Repo, app: &Repo, args: &[&str], name: &str) {
    let out = app.envguard(args);
    assert!(out.status.success(), "{out:?}");
    cmd_snapshot!(remote_filters(server, app), name, out);
}

/// Heroku deploys pushes to `main` and to `master` (Dev Center, "Deploying with Git"); a
/// `https://git.heroku.com/APP.git` remote is a deploy remote without any setting.
#[test]
fn heroku_guards_main_and_master_on_its_own_url() {
    let (server, app) = platform_remote("heroku", "https://git.heroku.com/my-app.git");
    app.write("more.txt", "c\n");
    let tip = app.commit("Drop b");
    push_snapshot(&server, &app, &["heroku", "main"], "hook_heroku_main");
    assert_eq!(server.rev("main"), tip);
    // master is a deploy branch too; any other branch is not.
    app.write("more.txt", "");
    app.commit("Drop c");
    push_snapshot(
        &server,
        &app,
        &["heroku", "HEAD:master"],
        "hook_heroku_master",
    );
    push_snapshot(
        &server,
        &app,
        &["heroku", "HEAD:feature"],
        "hook_heroku_other_branch",
    );
    envguard_snapshot(&server, &app, &["platform"], "platform_heroku");
    envguard_snapshot(&server, &app, &["hook", "status"], "hook_status_heroku");
}

/// Dokku deploys its deploy-branch, and with none set, the first branch pushed (dokku
/// plugins/git/functions): until `envguard.branch` names it, every branch is guarded, and
/// each push says how to name it.
#[test]
fn dokku_guards_every_branch_until_its_deploy_branch_is_named() {
    let (server, app) = platform_remote("dokku", "dokku@dokku.me:shop");
    app.write("more.txt", "c\n");
    app.commit("Drop b");
    push_snapshot(
        &server,
        &app,
        &["dokku", "HEAD:first"],
        "hook_dokku_unnamed_deploy_branch",
    );
    envguard_snapshot(&server, &app, &["platform"], "platform_dokku");
    envguard_snapshot(&server, &app, &["hook", "status"], "hook_status_dokku");
    // Named: only that branch is guarded, and the push no longer asks.
    app.git(&["config", "envguard.branch", "main"]);
    app.write("more.txt", "");
    app.commit("Drop c");
    push_snapshot(
        &server,
        &app,
        &["dokku", "HEAD:other"],
        "hook_dokku_other_branch",
    );
    push_snapshot(&server, &app, &["dokku", "main"], "hook_dokku_named_branch");
}

/// piku deploys every pushed ref (piku.py `cmd_git_hook`); a `piku@HOST:APP` remote is a
/// deploy remote without any setting.
#[test]
fn a_piku_remote_guards_every_branch_on_its_own_url() {
    let (server, app) = platform_remote("piku", "piku@pi.local:blog");
    app.write("more.txt", "c\n");
    app.commit("Drop b");
    push_snapshot(
        &server,
        &app,
        &["piku", "HEAD:anything"],
        "hook_piku_any_branch",
    );
    envguard_snapshot(&server, &app, &["platform"], "platform_piku");
}

/// A Heroku remote beside an App Service one whose settings (a recorded platform, the
/// remote-wipe mode) are in the repository's config: the Heroku remote keeps its platform
/// and its default mode, so its push is checked and warned about, never refused for a mode
/// Heroku cannot run.
#[test]
fn a_heroku_remote_beside_app_service_settings_keeps_its_own_platform() {
    let (server, app) = platform_remote("heroku", "https://git.heroku.com/my-app.git");
    app.git(&[
        "remote",
        "add",
        "azure",
        "https://deployer@my-app.scm.azurewebsites.net:443/my-app.git",
    ]);
    app.git(&["config", "envguard.platform", "kudu-linux"]);
    app.git(&["config", "envguard.mode", "remote-wipe"]);
    app.write("more.txt", "c\n");
    let tip = app.commit("Drop b");
    push_snapshot(
        &server,
        &app,
        &["heroku", "main"],
        "hook_heroku_beside_app_service",
    );
    assert_eq!(server.rev("main"), tip);
    envguard_snapshot(
        &server,
        &app,
        &["platform"],
        "platform_heroku_beside_app_service",
    );
}

/// Dokku deploys a tag named as its deploy branch, and a first-pushed tag becomes the deploy
/// branch (plugins/git/functions L79-93); piku deploys every pushed ref. An annotated tag's
/// push is checked as the commit it names.
#[test]
fn tags_deploy_on_dokku_and_piku_and_are_checked() {
    let (server, app) = platform_remote("dokku", "dokku@dokku.me:shop");
    app.write("more.txt", "c\n");
    app.commit("Drop b");
    app.git(&["tag", "-a", "-m", "Release", "v1"]);
    // refs/tags/v1 is checked: b removed from more.txt.
    push_snapshot(&server, &app, &["dokku", "v1"], "hook_dokku_annotated_tag");
    // Named: a tag of the deploy branch's name deploys, another does not.
    app.git(&["config", "envguard.branch", "release"]);
    app.write("more.txt", "");
    app.commit("Drop c");
    app.git(&["tag", "v2"]);
    push_snapshot(&server, &app, &["dokku", "v2"], "hook_dokku_other_tag");
    app.git(&["tag", "release"]);
    push_snapshot(
        &server,
        &app,
        &["dokku", "refs/tags/release"],
        "hook_dokku_tag_named_as_the_deploy_branch",
    );

    let (server, app) = platform_remote("piku", "piku@pi.local:blog");
    app.write("more.txt", "c\n");
    app.commit("Drop b");
    app.git(&["tag", "-a", "-m", "Release", "v1"]);
    push_snapshot(&server, &app, &["piku", "v1"], "hook_piku_annotated_tag");
}
