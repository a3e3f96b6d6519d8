//! The wording of envguard's output, snapshot-tested with `insta` on real git: the hook's
//! verdicts, the toggle, refusals, the server hook, `check`, `hook status` and `platform`.
//! Temporary paths are filtered; commit ids are the same in every run (fixed dates in the
//! test support), but are filtered too so a change of a fixture's text does not churn
//! every snapshot.

use crate::support::{APP, Deployment, Filters, Repo, drop_cors};
use crate::{cmd_snapshot, text_snapshot};

/// The push's stderr, keeping only envguard's lines and git's verdict lines.
fn hook_lines(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| l.starts_with("envguard: ") || l.starts_with("error: failed to push"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn deployment(mode: &str) -> Deployment {
    let d = Deployment::new(APP);
    d.clone.git(&["config", "envguard.mode", mode]);
    d
}

#[test]
fn hook_says_nothing_is_needed_for_an_app_change() {
    let d = deployment("warn");
    d.clone.write("app.py", "print('v2')\n");
    d.clone.commit("Change the app");
    let (code, stderr) = d.push(&["origin", "master"]);
    // Quiet when all is well; `ENVGUARD_LOG=info` (or `-v`) says it.
    text_snapshot!(
        Filters::new().deployment(&d),
        "hook_none",
        format!("exit: {code}\n{}", hook_lines(&stderr))
    );
    d.clone.write("app.py", "print('v3')\n");
    d.clone.commit("Change the app again");
    let (code, stderr) = d.push_with(&["origin", "master"], &[("ENVGUARD_LOG", "info")]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "hook_none_verbose",
        format!("exit: {code}\n{}", hook_lines(&stderr))
    );
}

#[test]
fn hook_warns_about_a_removed_requirement() {
    let d = deployment("warn");
    drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "hook_warn",
        format!("exit: {code}\n{}", hook_lines(&stderr))
    );
}

#[test]
fn hook_refuses_an_invalid_requirements_file() {
    let d = deployment("warn");
    d.clone
        .write("requirements.txt", "Flask==2.0.1\nflask==>2\n");
    d.clone.commit("Break the file");
    let (code, stderr) = d.push(&["origin", "master"]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "hook_invalid",
        format!("exit: {code}\n{}", hook_lines(&stderr))
    );
}

#[test]
fn hook_toggles_the_runtime() {
    let d = deployment("toggle");
    drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "hook_toggle",
        format!("exit: {code}\n{}", hook_lines(&stderr))
    );
}

#[test]
fn hook_refuses_a_toggle_where_runtime_txt_is_not_read() {
    let d = deployment("toggle");
    d.clone.git(&["config", "envguard.platform", "self-hosted"]);
    drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "hook_refuse_mode",
        format!("exit: {code}\n{}", hook_lines(&stderr))
    );
}

#[test]
fn hook_refuses_command_mode_without_a_command() {
    let d = deployment("command");
    drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "hook_command_unset",
        format!("exit: {code}\n{}", hook_lines(&stderr))
    );
}

#[test]
fn hook_marks_for_the_server() {
    let d = deployment("mark");
    drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "hook_mark",
        format!("exit: {code}\n{}", hook_lines(&stderr))
    );
}

#[test]
fn hook_skips_with_the_trailer() {
    let d = deployment("toggle");
    drop_cors(&d.clone, "Drop CORS\n\nEnv-Wipe: skip");
    let (code, stderr) = d.push(&["origin", "master"]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "hook_skip",
        format!("exit: {code}\n{}", hook_lines(&stderr))
    );
}

/// A server repository whose post-receive hook is envguard's, wiping `target/env`.
fn server_with_target() -> (Deployment, std::path::PathBuf) {
    let d = deployment("warn");
    let target = d.server.scratch("target");
    std::fs::create_dir_all(target.join("env/bin")).expect("env");
    std::fs::write(target.join("env/pyvenv.cfg"), "home = /usr/bin\n").expect("cfg");
    d.server.install_server_hook(&target);
    (d, target)
}

fn remote_lines(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| l.starts_with("remote: envguard: "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn server_wipes_after_a_removal() {
    let (d, _target) = server_with_target();
    drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "server_wipe",
        format!("exit: {code}\n{}", remote_lines(&stderr))
    );
}

#[test]
fn server_keeps_the_env_for_an_app_change() {
    let (d, _target) = server_with_target();
    d.clone.write("app.py", "print('v2')\n");
    d.clone.commit("Change the app");
    let (code, stderr) = d.push(&["origin", "master"]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "server_keep",
        format!("exit: {code}\n{}", remote_lines(&stderr))
    );
}

#[test]
fn server_says_when_no_target_is_set() {
    let d = deployment("warn");
    let out = d.server.envguard(&["hook", "install", "--server"]);
    assert!(out.status.success(), "{out:?}");
    drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    text_snapshot!(
        Filters::new().deployment(&d),
        "server_no_target",
        format!("exit: {code}\n{}", remote_lines(&stderr))
    );
}

fn app_with_removal() -> (Repo, String) {
    let repo = Repo::new();
    for (path, contents) in APP {
        repo.write(path, contents);
    }
    repo.commit("Initial app");
    let tip = drop_cors(&repo, "Drop CORS");
    (repo, tip)
}

fn check_filters(repo: &Repo, tip: &str) -> Filters {
    Filters::new().repo(repo, "REPO").commit(tip, "TIP")
}

#[test]
fn check_explains_a_removal() {
    let (repo, tip) = app_with_removal();
    cmd_snapshot!(
        check_filters(&repo, &tip),
        "check_human",
        repo.envguard(&["check", "HEAD~1..HEAD"])
    );
}

#[test]
fn check_explains_a_removal_as_json() {
    let (repo, tip) = app_with_removal();
    cmd_snapshot!(
        check_filters(&repo, &tip),
        "check_json",
        repo.envguard(&["check", "HEAD~1..HEAD", "--format", "json"])
    );
}

#[test]
fn check_shows_the_diff() {
    let (repo, tip) = app_with_removal();
    cmd_snapshot!(
        check_filters(&repo, &tip),
        "check_diff",
        repo.envguard(&["check", "HEAD~1..HEAD", "--diff"])
    );
}

#[test]
fn check_usage_error() {
    let (repo, tip) = app_with_removal();
    cmd_snapshot!(
        check_filters(&repo, &tip),
        "check_usage",
        repo.envguard(&["check", "HEAD~1..HEAD", "--diff", "--format", "json"])
    );
}

#[test]
fn hook_status_of_an_installed_hook() {
    let d = deployment("toggle");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_status",
        d.clone.envguard(&["hook", "status"])
    );
}

#[test]
fn hook_status_of_a_server() {
    let (d, _target) = server_with_target();
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_status_server",
        d.server.envguard(&["hook", "status", "--server"])
    );
}

#[test]
fn platform_lists_the_deploy_remotes() {
    let d = deployment("toggle");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "platform",
        d.clone.envguard(&["platform"])
    );
}

/// A repository with the app and a commit, without envguard's hook.
fn app_repo() -> Repo {
    let repo = Repo::new();
    for (path, contents) in APP {
        repo.write(path, contents);
    }
    repo.commit("Initial app");
    repo
}

#[test]
fn usage_errors_name_what_is_wrong() {
    let repo = app_repo();
    let filters = Filters::new().repo(&repo, "REPO");
    for (args, name) in [
        (&["frobnicate"][..], "usage_unknown_command"),
        (&["wipe"], "usage_wipe_without_where"),
        (&["deploy-script"], "usage_deploy_script_without_platform"),
        (&["check", "--format", "yaml"], "usage_check_unknown_format"),
        (
            &["hook", "install", "--target", "x"],
            "usage_target_without_server",
        ),
    ] {
        let out = repo.envguard(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        cmd_snapshot!(filters, name, out);
    }
}

#[test]
fn deploy_script_writes_the_files_and_keeps_a_custom_one() {
    let repo = app_repo();
    let filters = Filters::new().repo(&repo, "REPO");
    cmd_snapshot!(
        filters,
        "deploy_script_kudu_windows",
        repo.envguard(&["deploy-script", "--platform", "kudu-windows"])
    );
    assert!(repo.path.join(".deployment").is_file());
    assert!(repo.path.join("deploy.cmd").is_file());
    // Again: the script is envguard's own, so it is written anew.
    cmd_snapshot!(
        filters,
        "deploy_script_again",
        repo.envguard(&["deploy-script", "--platform", "kudu-windows"])
    );
    // A custom script of the user's: kept, and only --force replaces it.
    repo.write("deploy.cmd", "@echo off\nrem the team's own deployment\n");
    cmd_snapshot!(
        filters,
        "deploy_script_keeps_a_custom_script",
        repo.envguard(&["deploy-script", "--platform", "kudu-windows"])
    );
    assert_eq!(
        std::fs::read_to_string(repo.path.join("deploy.cmd")).expect("deploy.cmd"),
        "@echo off\nrem the team's own deployment\n"
    );
    let other = app_repo();
    cmd_snapshot!(
        Filters::new().repo(&other, "REPO"),
        "deploy_script_linux",
        other.envguard(&["deploy-script", "--platform", "linux"])
    );
    assert!(other.path.join("deploy.sh").is_file());
}

#[test]
fn hook_install_and_uninstall_in_a_fresh_repository() {
    let repo = app_repo();
    let filters = Filters::new().repo(&repo, "REPO");
    cmd_snapshot!(
        filters,
        "hook_uninstall_nothing_installed",
        repo.envguard(&["hook", "uninstall"])
    );
    cmd_snapshot!(
        filters,
        "hook_status_no_hook",
        repo.envguard(&["hook", "status"])
    );
    cmd_snapshot!(filters, "hook_install", repo.envguard(&["hook", "install"]));
    assert!(repo.path.join(".git/hooks/pre-push").is_file());
    cmd_snapshot!(
        filters,
        "hook_uninstall",
        repo.envguard(&["hook", "uninstall"])
    );
    assert!(!repo.path.join(".git/hooks/pre-push").exists());
    cmd_snapshot!(
        filters,
        "platform_without_a_deploy_remote",
        repo.envguard(&["platform"])
    );
}

#[test]
fn hook_uninstall_on_a_server_restores_its_hook() {
    let (d, _target) = server_with_target();
    let hooks = d.server.path.join("hooks");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_uninstall_server",
        d.server.envguard(&["hook", "uninstall", "--server"])
    );
    // The recording hook the deployment had before is back in place.
    let restored = std::fs::read_to_string(hooks.join("post-receive")).expect("hook");
    assert!(restored.ends_with(">> pushes.log\n"), "{restored}");
    assert!(!hooks.join("post-receive.legacy").exists());
}
