//! Real deployments: a bare server whose post-receive runs the Kudu-like deploy step
//! (real `python3 -m venv`, real pip installing wheels built here, offline), and the wipe's
//! safety rules on real directories.

use std::path::Path;

use crate::support::{
    Deployment, Filters, KuduSite, Repo, envguard_bin, envguard_lines, server_lines,
};
use crate::{cmd_snapshot, text_snapshot};

const APP: &[(&str, &str)] = &[
    ("requirements.txt", "a\nb\nc\n"),
    ("runtime.txt", "python-3.6\n"),
    ("app.py", "print('hi')\n"),
];

fn drop_b(clone: &Repo) -> String {
    clone.write("requirements.txt", "a\nc\n");
    clone.commit("Drop b")
}

/// The filters of a snapshot of a push to a Kudu-like site.
fn site_filters(d: &Deployment, site: &KuduSite) -> Filters {
    Filters::new().deployment(d).path(&site.dir, "SITE").venv()
}

/// Installs envguard's post-receive hook in the server, wiping `wwwroot/env`.
fn install_server_hook(d: &Deployment, site: &KuduSite) {
    let out = d
        .server
        .envguard(&["hook", "install", "--server", "--target"])
        .status
        .code();
    assert_eq!(out, Some(2), "--target needs a value");
    d.server.install_server_hook(&site.wwwroot);
    assert!(d.server.path.join("hooks/post-receive.legacy").exists());
}

/// Whether the server still has the wipe marker ref of `master`.
fn has_marker(d: &Deployment) -> bool {
    d.server
        .git_output(&["rev-parse", "--verify", "-q", "refs/envguard/wipe/master"])
        .status
        .success()
}

/// Commits `envguard deploy-script --platform linux` in the clone and pushes it: the first
/// deployment through the script. Returns its output.
fn use_deploy_script(d: &Deployment) -> String {
    let out = d.clone.envguard(&["deploy-script", "--platform", "linux"]);
    assert!(out.status.success(), "{out:?}");
    d.clone.commit("Use envguard's deploy script");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    stderr
}

#[test]
fn server_hook_wipes_before_the_deploy() {
    let (d, site) = Deployment::kudu(APP);
    d.clone.git(&["config", "envguard.mode", "off"]);
    install_server_hook(&d, &site);
    drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        site_filters(&d, &site),
        "server_wipe_before_the_deploy",
        server_lines(&stderr)
    );
    assert!(!site.imports("b"));
    assert!(site.imports("a") && site.imports("c"));
}

#[test]
fn client_toggle_alone_rebuilds_env_with_two_deployments() {
    let (d, site) = Deployment::kudu(APP);
    let tip = drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0, "{stderr}");
    let deployments = site.deployments();
    assert_eq!(deployments.len(), 3, "{deployments:?}");
    assert!(
        deployments[1].ends_with("runtime=python-3.4 env=created"),
        "{deployments:?}"
    );
    assert!(
        deployments[2].ends_with("runtime=python-3.6 env=created"),
        "{deployments:?}"
    );
    assert!(!site.imports("b"));
    assert!(site.imports("a") && site.imports("c"));
    let runtime = std::fs::read_to_string(site.wwwroot.join("runtime.txt")).unwrap_or_default();
    assert_eq!(runtime, "python-3.6\n");
    assert!(site.wwwroot.join("env/azure.env.python-3.6.txt").exists());
    assert!(!site.wwwroot.join("env/azure.env.python-3.4.txt").exists());
    assert_eq!(d.server_rev("master^^"), tip);
}

#[test]
fn mark_mode_with_the_server_hook() {
    let (d, site) = Deployment::kudu(APP);
    d.clone.git(&["config", "envguard.mode", "mark"]);
    install_server_hook(&d, &site);
    drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!site.imports("b"));
    assert!(site.imports("a"));
    assert!(!has_marker(&d), "the marker ref is consumed");
}

#[test]
fn a_marker_pushed_alone_waits_for_its_branch() {
    let (d, site) = Deployment::kudu(APP);
    d.clone.git(&["config", "envguard.mode", "off"]);
    install_server_hook(&d, &site);
    let before = site.env_identity();
    d.clone.write("app.py", "print('v2')\n");
    d.clone.commit("Change the app");
    let (code, stderr) = d.push(&["origin", "HEAD:refs/envguard/wipe/master"]);
    assert_eq!(code, 0, "{stderr}");
    let filters = || Filters::new().deployment(&d).path(&site.dir, "SITE").venv();
    text_snapshot!(
        filters(),
        "server_marker_alone",
        crate::support::server_lines(&stderr)
    );
    assert_eq!(site.env_identity(), before, "nothing deployed yet");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        filters(),
        "server_marker_then_branch",
        crate::support::server_lines(&stderr)
    );
    assert_ne!(site.env_identity(), before);
    assert!(!has_marker(&d), "the marker ref is consumed");
}

#[test]
fn a_stale_marker_is_deleted_and_never_wipes_a_later_push() {
    let (d, site) = Deployment::kudu(APP);
    d.clone.git(&["config", "envguard.mode", "off"]);
    install_server_hook(&d, &site);
    // A marker for a commit that is deployed already (left over, say, by a failed push).
    let (code, stderr) = d.push(&["origin", "HEAD:refs/envguard/wipe/master"]);
    assert_eq!(code, 0, "{stderr}");
    let before = site.env_identity();
    d.clone.write("app.py", "print('much later')\n");
    d.clone.commit("An unrelated change");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        Filters::new().deployment(&d).path(&site.dir, "SITE"),
        "server_stale_marker",
        envguard_lines(&stderr)
    );
    assert_eq!(site.env_identity(), before, "env kept");
    assert!(!has_marker(&d), "the stale marker is deleted");
}

#[test]
fn a_push_without_trigger_leaves_env_alone() {
    let (d, site) = Deployment::kudu(APP);
    install_server_hook(&d, &site);
    let before = site.env_identity();
    d.clone.write("app.py", "print('v2')\n");
    d.clone.commit("Change the app");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(site.deployments().len(), 2);
    assert_eq!(site.env_identity(), before);
    assert!(site.imports("b"));
}

#[test]
fn push_option_asks_the_server_for_a_wipe() {
    let (d, site) = Deployment::kudu(APP);
    d.server
        .git(&["config", "receive.advertisePushOptions", "true"]);
    install_server_hook(&d, &site);
    let before = site.env_identity();
    d.clone.write("app.py", "print('v2')\n");
    d.clone.commit("Change the app");
    let (code, stderr) = d.push(&["-o", "envguard.wipe", "origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        site_filters(&d, &site),
        "server_wipe_by_push_option",
        server_lines(&stderr)
    );
    assert_ne!(site.env_identity(), before);
}

#[test]
fn generated_deploy_script_rebuilds_only_when_needed() {
    let (d, site) = Deployment::kudu(APP);
    d.clone.git(&["config", "envguard.mode", "off"]);
    let stderr = use_deploy_script(&d);
    assert!(stderr.contains("Create virtual environment"), "{stderr}");
    assert!(site.imports_in("antenv", "b"), "{stderr}");

    drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("a fresh virtual environment, because the requirements changed"),
        "{stderr}"
    );
    assert!(!site.imports_in("antenv", "b"));
    assert!(site.imports_in("antenv", "a") && site.imports_in("antenv", "c"));

    // KuduScript's `python -m venv antenv --copies` rewrites pyvenv.cfg of a reused env, so
    // a file of envguard's own marks the env instead.
    let sentinel = site.wwwroot.join("antenv/sentinel.txt");
    std::fs::write(&sentinel, "kept\n").expect("sentinel");
    d.clone.write("app.py", "print('v3')\n");
    d.clone.commit("Change the app");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("reusing antenv"), "{stderr}");
    assert!(sentinel.exists(), "antenv was reused");
}

#[test]
fn marker_action_hands_the_wipe_to_the_deploy_script() {
    let (d, site) = Deployment::kudu(APP);
    d.clone.git(&["config", "envguard.mode", "off"]);
    use_deploy_script(&d);
    install_server_hook(&d, &site);
    d.server.git(&["config", "envguard.serverAction", "marker"]);
    let before = site.env_identity_of("antenv");
    d.clone.write("app.py", "print('v2')\n");
    d.clone.commit("Start over\n\nEnv-Wipe: force");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        site_filters(&d, &site),
        "server_marker_for_the_deploy_script",
        server_lines(&stderr)
    );
    assert!(
        stderr.contains("a fresh virtual environment, because a wipe was requested"),
        "{stderr}"
    );
    assert_ne!(site.env_identity_of("antenv"), before);
    assert!(!site.wwwroot.join(".envguard-wipe").exists(), "consumed");
    assert!(site.imports_in("antenv", "b"));
}

#[test]
fn committed_env_is_rebuilt_not_merged() {
    let (d, site) = Deployment::kudu(APP);
    install_server_hook(&d, &site);
    d.clone.git(&["config", "envguard.mode", "off"]);
    let sentinel = site.wwwroot.join("env/lib/sentinel.txt");
    std::fs::write(&sentinel, "from the old env\n").expect("sentinel");
    d.clone.write("env/committed.py", "oops = True\n");
    d.clone.commit("Commit a venv by mistake");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        site_filters(&d, &site),
        "server_wipe_committed_env",
        server_lines(&stderr)
    );
    assert!(!sentinel.exists(), "the old env is gone");
    assert!(
        !site.wwwroot.join("env/committed.py").exists(),
        "not merged"
    );
    assert!(site.imports("a") && site.imports("b"));
}

/// A target with a virtualenv-like `env`.
fn target_with_env() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("wwwroot");
    std::fs::create_dir_all(target.join("env/lib")).expect("mkdir");
    std::fs::write(target.join("env/pyvenv.cfg"), "home = /usr/bin\n").expect("cfg");
    std::fs::write(target.join("env/lib/x.py"), "x = 1\n").expect("file");
    (dir, target)
}

fn wipe(target: &Path, extra: &[&str]) -> std::process::Output {
    crate::support::command(envguard_bin(), target)
        .arg("wipe")
        .arg("--target")
        .arg(target)
        .args(extra)
        .output()
        .expect("envguard wipe")
}

#[test]
fn wipe_deletes_a_virtualenv_and_reports_it() {
    let (_dir, target) = target_with_env();
    let out = wipe(&target, &[]);
    cmd_snapshot!(Filters::new().path(&target, "TARGET"), "wipe_target", out);
    assert!(!target.join("env").exists());
    let out = wipe(&target, &[]);
    cmd_snapshot!(
        Filters::new().path(&target, "TARGET"),
        "wipe_target_without_env",
        out
    );
}

#[test]
fn wipe_never_follows_a_symlink_out_of_the_target() {
    let (dir, target) = target_with_env();
    let outside = dir.path().join("outside-venv");
    std::fs::rename(target.join("env"), &outside).expect("move");
    std::os::unix::fs::symlink(&outside, target.join("env")).expect("symlink");
    let filters = Filters::new().path(dir.path(), "DIR");
    cmd_snapshot!(filters, "wipe_target_symlink", wipe(&target, &[]));
    assert!(outside.join("lib/x.py").exists());
    cmd_snapshot!(
        filters,
        "wipe_target_symlink_forced",
        wipe(&target, &["--force"])
    );
    assert!(
        std::fs::symlink_metadata(target.join("env")).is_err(),
        "the link is gone"
    );
    assert!(
        outside.join("lib/x.py").exists(),
        "what it pointed to is not"
    );
}

#[test]
fn wipe_refuses_what_is_not_a_virtualenv() {
    let (_dir, target) = target_with_env();
    std::fs::remove_file(target.join("env/pyvenv.cfg")).expect("rm");
    cmd_snapshot!(
        Filters::new().path(&target, "TARGET"),
        "wipe_target_not_a_virtualenv",
        wipe(&target, &[])
    );
    assert!(target.join("env/lib/x.py").exists());
    assert!(wipe(&target, &["--force"]).status.success());
    assert!(!target.join("env").exists());
}

#[test]
fn an_interrupted_wipe_leaves_no_env_and_its_trash_is_cleaned() {
    let (_dir, target) = target_with_env();
    let out = crate::support::command(envguard_bin(), &target)
        .args(["wipe", "--target"])
        .arg(&target)
        .env("ENVGUARD_FAULT", "after-rename")
        .output()
        .expect("wipe");
    assert!(!out.status.success(), "the wipe was killed");
    assert!(
        !target.join("env").exists(),
        "no env for the next deploy to reuse"
    );
    let trash: Vec<_> = std::fs::read_dir(&target)
        .expect("read")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".envguard-trash-")
        })
        .collect();
    assert_eq!(trash.len(), 1);
    cmd_snapshot!(
        Filters::new()
            .path(&target, "TARGET")
            .text(r"\.envguard-trash-[A-Za-z0-9._-]+", ".envguard-trash-[ID]"),
        "wipe_target_cleans_leftover_trash",
        wipe(&target, &[])
    );
    assert_eq!(std::fs::read_dir(&target).expect("read").count(), 0);
}
