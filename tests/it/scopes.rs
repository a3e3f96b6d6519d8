//! Configuration exactly as git sees it inside the hook: `git -c` settings (passed to hooks
//! in `GIT_CONFIG_PARAMETERS`, which libgit2 does not read) apply to that push, and a setting
//! from outside the repository (global) never refuses a push it does not concern.

use crate::cmd_snapshot;
use crate::support::{APP, Deployment, Filters, drop_cors};

#[test]
fn a_dash_c_setting_applies_to_that_push() {
    let d = Deployment::new(APP);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let out = d
        .clone
        .cmd("git")
        .args(["-c", "envguard.mode=off", "push", "origin", "master"])
        .output()
        .expect("push");
    assert_eq!(d.server_rev("master"), tip, "pushed as is: {out:?}");
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_off_by_dash_c",
        out
    );
}

#[test]
fn git_config_count_settings_apply_too() {
    let d = Deployment::new(APP);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push_with(
        &["origin", "master"],
        &[
            ("GIT_CONFIG_COUNT", "1"),
            ("GIT_CONFIG_KEY_0", "envguard.mode"),
            ("GIT_CONFIG_VALUE_0", "warn"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master"), tip);
    assert!(
        stderr.contains("the deployed env keeps the old packages"),
        "{stderr}"
    );
}

#[test]
fn global_settings_never_refuse_a_push_they_do_not_concern() {
    for (key, value) in [
        ("envguard.remoteName", "azure"),
        ("envguard.remotenmae", "azure"),
    ] {
        let d = Deployment::new(APP);
        let global = d.clone.scratch("global");
        let file = global.join("gitconfig");
        std::fs::write(&file, format!("[envguard]\n\t{} = {value}\n", &key[9..]))
            .expect("global config");
        // This repository's deploy remote is another one: origin is not a deploy remote.
        d.clone.git(&["config", "--unset", "envguard.remoteName"]);
        let tip = drop_cors(&d.clone, "Drop CORS");
        let (code, stderr) = d.push_with(
            &["origin", "master"],
            &[("GIT_CONFIG_GLOBAL", file.to_str().expect("utf-8"))],
        );
        assert_eq!(code, 0, "{key}: {stderr}");
        assert_eq!(d.server_rev("master"), tip, "{key}: {stderr}");
        // The typo's fix names the global scope, never setting the typo again.
        let name = if key.ends_with("remotenmae") {
            "hook_global_typo"
        } else {
            "hook_global_remote_name"
        };
        cmd_snapshot!(
            Filters::new().deployment(&d).commit(&tip, "TIP"),
            name,
            (code, stderr)
        );
        // `check` warns as the push does, on stderr beside its report.
        if key.ends_with("remotenmae") {
            let out = d
                .clone
                .cmd(crate::support::envguard_bin())
                .args(["check", "HEAD"])
                .env("GIT_CONFIG_GLOBAL", &file)
                .output()
                .expect("check");
            cmd_snapshot!(
                Filters::new().deployment(&d).path(&global, "GLOBAL"),
                "check_global_typo",
                out
            );
        }
    }
}

/// git reads the global and system files `GIT_CONFIG_GLOBAL`, `GIT_CONFIG_SYSTEM` and
/// `GIT_CONFIG_NOSYSTEM` name (git-config(1) "ENVIRONMENT"), not `~/.gitconfig`; `hook
/// status`, `check` and the hook read the same values `git config` prints there.
#[test]
fn the_global_file_is_the_one_git_reads() {
    let d = Deployment::new(APP);
    d.clone.git(&["config", "--unset", "envguard.mode"]);
    let holder = tempfile::tempdir().expect("tempdir");
    let home = holder.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    std::fs::write(home.join(".gitconfig"), "[envguard]\n\tmode = off\n").expect("home");
    let global = holder.path().join("global");
    std::fs::write(&global, "[envguard]\n\tmode = warn\n").expect("global");
    let system = holder.path().join("system");
    std::fs::write(&system, "[envguard]\n\tbranch = release\n").expect("system");
    let env = |cmd: &mut std::process::Command, system_too: bool| {
        cmd.env("HOME", &home).env("GIT_CONFIG_GLOBAL", &global);
        if system_too {
            cmd.env_remove("GIT_CONFIG_NOSYSTEM")
                .env("GIT_CONFIG_SYSTEM", &system);
        }
    };
    for system_too in [false, true] {
        let mut git = d.clone.cmd("git");
        env(&mut git, system_too);
        let git_says = git
            .args(["config", "--get", "envguard.mode"])
            .output()
            .expect("git config");
        assert_eq!(String::from_utf8_lossy(&git_says.stdout).trim(), "warn");
        let mut status = d.clone.cmd(crate::support::envguard_bin());
        env(&mut status, system_too);
        let out = status.args(["hook", "status"]).output().expect("status");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains(", mode warn\n"), "{said}");
        let branches = if system_too {
            "deploy branches: release"
        } else {
            "deploy branches: master"
        };
        assert!(said.contains(branches), "{said}");
    }
    // The hook too: warn, so a removal goes out as it is, with the warning.
    let tip = drop_cors(&d.clone, "Drop CORS");
    let mut push = d.clone.cmd("git");
    env(&mut push, false);
    let out = push
        .args(["push", "origin", "master"])
        .output()
        .expect("push");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(d.server_rev("master"), tip, "{stderr}");
}

/// With git's system file switched off (`GIT_CONFIG_NOSYSTEM`, as CI and this suite run
/// git) or another global file named, a conditional include still applies as git applies it.
#[test]
fn a_conditional_include_applies_as_git_applies_it() {
    let d = Deployment::new(APP);
    d.clone.git(&["config", "--unset", "envguard.mode"]);
    let holder = tempfile::tempdir().expect("tempdir");
    let included = holder.path().join("included");
    std::fs::write(&included, "[envguard]\n\tmode = off\n").expect("included");
    let global = holder.path().join("global");
    std::fs::write(&global, "[envguard]\n\tmode = warn\n").expect("global");
    // `gitdir:<worktree>/` matches the git dir inside it.
    let worktree = d.clone.path.canonicalize().expect("worktree");
    d.clone.git(&[
        "config",
        &format!("includeIf.gitdir:{}/.path", worktree.display()),
        &included.display().to_string(),
    ]);
    let mut git = d.clone.cmd("git");
    git.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", &global)
        .args(["config", "--get", "envguard.mode"]);
    let git_says = git.output().expect("git config");
    assert_eq!(String::from_utf8_lossy(&git_says.stdout).trim(), "off");
    let mut status = d.clone.cmd(crate::support::envguard_bin());
    status
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", &global)
        .args(["hook", "status"]);
    let out = status.output().expect("status");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains(", mode off\n"), "{said}");
}
