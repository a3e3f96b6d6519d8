//! The pre-push hook end to end: real `git push` from a clone into a bare remote, with the
//! hook installed by `envguard hook install`.

use crate::support::{
    APP, Deployment, Filters, Repo, drop_cors, envguard_lines, recorded_pushes, write_hook,
};
use crate::{cmd_snapshot, text_snapshot};

fn show(repo: &Repo, spec: &str) -> String {
    repo.git(&["show", spec])
}

#[test]
fn toggle_pushes_two_deployments_and_moves_the_branch() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    // Local state that must survive: a stash, a staged change and an unstaged one.
    c.write("app.py", "print('stashed')\n");
    c.git(&["stash", "-q"]);
    let tip = drop_cors(c, "Drop CORS");
    c.write("staged.txt", "staged\n");
    c.git(&["add", "staged.txt"]);
    c.write("app.py", "print('work in progress')\n");
    let stash_before = c.git(&["stash", "list", "--format=%H"]);
    let status_before = c.git(&["status", "--porcelain"]);

    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0, "the outer push is stopped: {stderr}");

    let t2 = d.server_rev("master");
    let t1 = d.server_rev("master^");
    let filters = Filters::new()
        .deployment(&d)
        .commit(&tip, "TIP")
        .commit(&t1, "T1")
        .commit(&t2, "T2");
    cmd_snapshot!(filters, "client_toggle_two_deployments", (code, stderr));
    assert_eq!(d.server_rev("master^^"), tip);
    assert_ne!(t1, tip);
    assert_eq!(
        show(&d.server, &format!("{t1}:runtime.txt")),
        "python-3.4\n"
    );
    assert_eq!(
        d.server_rev(&format!("{t2}^{{tree}}")),
        c.rev(&format!("{tip}^{{tree}}"))
    );
    assert_eq!(c.rev("master"), t2);
    assert_eq!(c.rev("refs/remotes/origin/master"), t2);
    assert_eq!(c.git(&["stash", "list", "--format=%H"]), stash_before);
    assert_eq!(c.git(&["status", "--porcelain"]), status_before);
    assert_eq!(
        std::fs::read_to_string(c.path.join("app.py")).unwrap_or_default(),
        "print('work in progress')\n"
    );
    let message = c.git(&["log", "-1", "--format=%B", &t1]);
    assert!(message.contains("Env-Wipe-By: envguard"), "{message}");
    text_snapshot!(filters, "client_toggle_commit_message", message);
    assert_eq!(
        c.git(&["log", "-1", "--format=%an <%ae>", &t1]).trim(),
        "Test Author <author@example.invalid>"
    );

    let pushes = recorded_pushes(&d.server);
    assert_eq!(pushes.len(), 2, "T1, then T2: {pushes:?}");
    assert_eq!(pushes[0].len(), 1, "{pushes:?}");
    assert!(
        pushes[0][0].ends_with(&format!("{t1} refs/heads/master")),
        "{pushes:?}"
    );
    assert_eq!(pushes[1], [format!("{t1} {t2} refs/heads/master")]);

    // Pushing again: nothing left to do, and no new toggle.
    let (code, _) = d.push(&["origin", "master"]);
    assert_eq!(code, 0);
    assert_eq!(recorded_pushes(&d.server).len(), 2);
}

#[test]
fn dry_run_changes_nothing() {
    let d = Deployment::new(APP);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let old = d.server_rev("master");
    let (code, stderr) = d.push(&["--dry-run", "origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_toggle_dry_run",
        (code, stderr)
    );
    assert_eq!(d.server_rev("master"), old);
    assert_eq!(d.clone.rev("master"), tip);
    assert!(recorded_pushes(&d.server).is_empty());
}

#[test]
fn a_push_without_trigger_is_a_normal_push() {
    let d = Deployment::new(APP);
    d.clone.write("app.py", "print('new')\n");
    let tip = d.clone.commit("Change app");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master"), tip);
    assert_eq!(envguard_lines(&stderr), "", "quiet: {stderr}");
    assert_eq!(recorded_pushes(&d.server).len(), 1);
}

#[test]
fn skip_trailer_pushes_normally_and_force_toggles() {
    let d = Deployment::new(APP);
    let tip = drop_cors(&d.clone, "Drop CORS\n\nEnv-Wipe: skip");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master"), tip);

    d.clone.write("app.py", "print('x')\n");
    let forced = d.clone.commit("Rebuild the env\n\nEnv-Wipe: force");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0);
    assert_eq!(d.server_rev("master^^"), forced);
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&forced, "FORCED"),
        "hook_toggle_forced_by_the_trailer",
        (code, stderr)
    );
}

#[test]
fn mark_mode_pushes_the_marker_before_the_branch() {
    let d = Deployment::new(APP);
    d.clone.git(&["config", "envguard.mode", "mark"]);
    write_hook(
        &d.server.path.join("hooks"),
        "pre-receive",
        "#!/bin/sh\nwhile read old new ref; do\n  if [ \"$ref\" = refs/heads/master ]; then\n    \
         git rev-parse -q --verify refs/envguard/wipe/master > marker-at-update || echo missing > marker-at-update\n  \
         fi\ndone\n",
    );
    let tip = drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master"), tip);
    let seen = std::fs::read_to_string(d.server.path.join("marker-at-update")).unwrap_or_default();
    assert_eq!(seen.trim(), tip);
}

#[test]
fn warn_mode_reports_and_pushes() {
    let d = Deployment::new(APP);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0);
    assert_eq!(d.server_rev("master"), tip);
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "client_warn_mode_reports_and_pushes",
        (code, stderr)
    );
}

#[test]
fn multi_ref_push_acts_only_on_the_deploy_branch() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    c.git(&["push", "-q", "origin", "master:old"]);
    c.git(&["branch", "topic"]);
    c.git(&["checkout", "-q", "topic"]);
    drop_cors(c, "topic drops CORS too");
    c.git(&["checkout", "-q", "master"]);
    let tip = drop_cors(c, "Drop CORS");
    c.git(&["tag", "v1"]);
    let args = ["origin", "master", "topic", "v1", ":old"];
    let (code, stderr) = d.push(&args);
    assert_ne!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master^^"), tip);
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_toggle_in_a_multi_ref_push",
        (code, stderr)
    );
    // The same push again pushes the rest, without another toggle.
    let (code, stderr) = d.push(&args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master^^"), tip);
    assert_eq!(d.server_rev("topic"), c.rev("topic"));
    assert_eq!(d.server_rev("v1"), tip);
    assert!(
        !d.server
            .git_output(&["rev-parse", "--verify", "-q", "old"])
            .status
            .success()
    );
}

#[test]
fn a_new_deploy_branch_is_analysed_against_what_the_remote_has() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    c.git(&["config", "envguard.mode", "warn"]);
    c.git(&["config", "--add", "envguard.branch", "master"]);
    c.git(&["config", "--add", "envguard.branch", "release"]);
    c.git(&["checkout", "-q", "-b", "release"]);
    drop_cors(c, "Drop CORS on release");
    let (code, stderr) = d.push(&["origin", "release"]);
    assert_eq!(code, 0);
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_warn_new_deploy_branch",
        (code, stderr)
    );

    c.git(&["checkout", "-q", "-b", "release2", "origin/master"]);
    c.write("app.py", "x\n");
    c.commit("unrelated");
    c.git(&["config", "--add", "envguard.branch", "release2"]);
    let (code, stderr) = d.push(&["origin", "release2"]);
    assert_eq!(code, 0);
    // Nothing watched changed: quiet.
    assert_eq!(envguard_lines(&stderr), "", "{stderr}");
}

#[test]
fn sha256_repositories_work() {
    let d = Deployment::with_init(APP, &["--object-format=sha256"]);
    let tip = drop_cors(&d.clone, "Drop CORS");
    assert_eq!(tip.len(), 64);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0);
    assert_eq!(d.server_rev("master^^"), tip);
    assert_eq!(d.clone.rev("master"), d.server_rev("master"));
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_toggle_sha256",
        (code, stderr)
    );
}

#[test]
fn failed_second_push_is_resumable() {
    let d = Deployment::new(APP);
    write_hook(
        &d.server.path.join("hooks"),
        "pre-receive",
        "#!/bin/sh\nwhile read old new ref; do\n  \
         if [ -f refuse-restore ] && git log -1 --format=%s \"$new\" | grep -q '^envguard: switch runtime back'; then\n    \
         rm refuse-restore; echo 'refusing the restore commit'; exit 1\n  fi\ndone\n",
    );
    std::fs::write(d.server.path.join("refuse-restore"), "").expect("flag");
    let tip = drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0);
    assert_eq!(d.server_rev("master^"), tip);
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_toggle_second_push_refused",
        (code, stderr)
    );
    assert_eq!(
        d.clone.rev("master"),
        tip,
        "the local branch waits for the resume"
    );

    let out = d.clone.envguard(&["push", "--resume"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(d.server_rev("master^^"), tip);
    assert_eq!(d.clone.rev("master"), d.server_rev("master"));
    let out = d.clone.envguard(&["push", "--resume"]);
    assert!(out.status.success());
}

#[test]
fn envguard_push_wrapper_exits_zero_after_a_toggle() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    c.git(&["branch", "topic"]);
    let tip = drop_cors(c, "Drop CORS");
    let out = c.envguard(&["push", "origin", "master", "topic"]);
    assert!(out.status.success(), "{out:?}");
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "push_wrapper_toggle",
        out
    );
    assert_eq!(d.server_rev("master^^"), tip);
    assert_eq!(d.server_rev("topic"), c.rev("topic"));
}

#[test]
fn envguard_push_works_without_an_installed_hook() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    assert!(c.envguard(&["hook", "uninstall"]).status.success());
    let tip = drop_cors(c, "Drop CORS");
    let out = c.envguard(&["push", "origin", "master"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(d.server_rev("master^^"), tip);
}

#[test]
fn foreign_hook_is_kept_chained_and_restored() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    assert!(c.envguard(&["hook", "uninstall"]).status.success());
    let hooks = c.path.join(".git/hooks");
    // Hooks run in the worktree's top directory; the hook keeps its records in .git.
    let foreign = "#!/bin/sh\necho \"$1 $2\" > .git/legacy-args\ncat >> .git/legacy-stdin\n\
                   [ -f .git/veto ] && { echo vetoed >&2; exit 3; }\nexit 0\n";
    write_hook(&hooks, "pre-push", foreign);
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_install_chains_a_hook",
        c.envguard(&["hook", "install"])
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push.legacy")).unwrap_or_default(),
        foreign
    );
    let before = std::fs::read(hooks.join("pre-push")).unwrap_or_default();
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_install_again_with_a_chained_hook",
        c.envguard(&["hook", "install"])
    );
    assert_eq!(
        std::fs::read(hooks.join("pre-push")).unwrap_or_default(),
        before
    );

    c.write("app.py", "print(2)\n");
    let tip = c.commit("change");
    let old = d.server_rev("master");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    let stdin = std::fs::read_to_string(c.path.join(".git/legacy-stdin")).unwrap_or_default();
    assert_eq!(
        stdin,
        format!("refs/heads/master {tip} refs/heads/master {old}\n")
    );
    let args = std::fs::read_to_string(c.path.join(".git/legacy-args")).unwrap_or_default();
    assert!(args.starts_with("origin "), "{args}");

    std::fs::write(c.path.join(".git/veto"), "").expect("veto");
    c.write("app.py", "print(3)\n");
    c.commit("vetoed change");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_chained_hook_vetoes",
        d.push(&["origin", "master"])
    );
    assert_eq!(d.server_rev("master"), tip);

    // A toggle runs the chained hook once, for the outer push only.
    std::fs::remove_file(c.path.join(".git/veto")).expect("unveto");
    drop_cors(c, "Drop CORS");
    std::fs::remove_file(c.path.join(".git/legacy-stdin")).expect("rm");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0, "{stderr}");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_toggle_with_a_chained_hook",
        (code, stderr)
    );
    let stdin = std::fs::read_to_string(c.path.join(".git/legacy-stdin")).unwrap_or_default();
    assert_eq!(stdin.lines().count(), 1, "{stdin}");

    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_uninstall_restores_the_chained_hook",
        c.envguard(&["hook", "uninstall"])
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap_or_default(),
        foreign
    );
    assert!(!hooks.join("pre-push.legacy").exists());
}

#[test]
fn hooks_path_is_respected() {
    let repo = Repo::new();
    repo.write(".husky/_/placeholder", "");
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    let out = repo.envguard(&["hook", "install"]);
    // The line to add, alone on stdout.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "envguard pre-push \"$@\"\n"
    );
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "hook_install_under_husky",
        out
    );
    assert!(!repo.path.join(".husky/_/pre-push").exists());
    assert!(!repo.path.join(".git/hooks/pre-push").exists());

    let out = repo.envguard(&["hook", "install", "--use-hooks-path"]);
    assert!(out.status.success(), "{out:?}");
    assert!(repo.path.join(".husky/_/pre-push").exists());
}

/// The advice for a `core.hooksPath` is decided by what is in that folder: a shared folder
/// is no husky's because the worktree holds a `.husky/`.
#[test]
fn a_shared_hooks_folder_is_advised_as_itself() {
    let repo = Repo::new();
    repo.write(".husky/pre-push", "npm test\n");
    let shared = repo.scratch("shared-hooks");
    std::fs::create_dir_all(&shared).expect("shared folder");
    repo.git(&["config", "core.hooksPath", &shared.display().to_string()]);
    let filters = Filters::new().repo(&repo, "REPO").path(&shared, "SHARED");
    cmd_snapshot!(
        filters,
        "hook_install_shared_hooks_folder",
        repo.envguard(&["hook", "install"])
    );
    // A manager's hook there is that manager's.
    std::fs::write(
        shared.join("pre-push"),
        "#!/bin/sh\n# File generated by pre-commit: https://pre-commit.com\n",
    )
    .expect("hook");
    let out = repo.envguard(&["hook", "install"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    cmd_snapshot!(filters, "hook_install_shared_hooks_folder_pre_commit", out);
    // Another tool's hook that is not UTF-8 text is a hook all the same, whatever manager's
    // configuration the worktree holds: the advice is the folder's, with nothing to paste.
    repo.write(".pre-commit-config.yaml", "repos: []\n");
    std::fs::write(
        shared.join("pre-push"),
        b"#!/bin/sh\n# V\xe9rification\nexec ./ci/check.sh\n",
    )
    .expect("hook");
    let out = repo.envguard(&["hook", "install"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty(), "nothing to paste: {out:?}");
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO").path(&shared, "SHARED"),
        "hook_install_shared_hooks_folder",
        out
    );
    // `hook status` says what `hook install` does, in each arrangement of the folder: that
    // hook; nothing there and a manager's configuration in the worktree; a dangling link.
    let status = |name: &str| {
        cmd_snapshot!(
            Filters::new().repo(&repo, "REPO").path(&shared, "SHARED"),
            name,
            repo.envguard(&["hook", "status"])
        );
    };
    status("hook_status_shared_hooks_folder_other_hook");
    std::fs::remove_file(shared.join("pre-push")).expect("remove");
    status("hook_status_shared_hooks_folder_manager_configuration");
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO").path(&shared, "SHARED"),
        "hook_install_shared_hooks_folder_manager_configuration",
        repo.envguard(&["hook", "install"])
    );
    std::os::unix::fs::symlink(shared.join("gone"), shared.join("pre-push")).expect("link");
    status("hook_status_shared_hooks_folder_dangling_link");
    // husky in a subproject: its folder is the subproject's.
    std::fs::remove_file(shared.join("pre-push")).expect("remove");
    repo.write("frontend/.husky/_/placeholder", "");
    repo.git(&["config", "core.hooksPath", "frontend/.husky/_"]);
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "hook_install_husky_in_a_subproject",
        repo.envguard(&["hook", "install"])
    );
    status("hook_status_husky_in_a_subproject");
}

#[test]
fn linked_worktree_and_submodule_use_the_real_hooks_dir() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    assert!(c.envguard(&["hook", "uninstall"]).status.success());
    let wt = c.scratch("wt");
    std::fs::remove_dir(&wt).expect("rmdir");
    c.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "wtbranch",
        wt.to_str().unwrap_or_default(),
    ]);
    let out = crate::support::command(crate::support::envguard_bin(), &wt)
        .args(["hook", "install"])
        .output()
        .expect("envguard");
    assert!(out.status.success(), "{out:?}");
    assert!(c.path.join(".git/hooks/pre-push").exists());
    // The hook really runs for a push from the linked worktree.
    crate::support::run_ok(crate::support::command("git", &wt).args([
        "config",
        "envguard.mode",
        "warn",
    ]));
    std::fs::write(wt.join("requirements.txt"), "Flask==2.0.1\n").expect("write");
    crate::support::run_ok(
        crate::support::command("git", &wt).args(["commit", "-qam", "drop two"]),
    );
    let out = crate::support::command("git", &wt)
        .args(["push", "origin", "wtbranch:master"])
        .output()
        .expect("push");
    assert!(out.status.success(), "{out:?}");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_warn_from_a_linked_worktree",
        out
    );

    let sub_origin = Repo::new();
    sub_origin.write("x", "x\n");
    sub_origin.commit("x");
    let sub_url = sub_origin.path.to_string_lossy().into_owned();
    c.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        &sub_url,
        "sub",
    ]);
    let out = crate::support::command(crate::support::envguard_bin(), &c.path.join("sub"))
        .args(["hook", "install"])
        .output()
        .expect("envguard");
    assert!(out.status.success(), "{out:?}");
    assert!(c.path.join(".git/modules/sub/hooks/pre-push").exists());
}

#[test]
fn invalid_requirements_refuse_the_push_with_a_way_out() {
    let d = Deployment::new(APP);
    d.clone
        .write("requirements.txt", "Flask==2.0.1\nFlask-CORS==>3\n");
    d.clone.commit("typo");
    let old = d.server_rev("master");
    let filters = Filters::new().deployment(&d);
    cmd_snapshot!(
        filters,
        "hook_invalid_requirement_line",
        d.push(&["origin", "master"])
    );
    assert_eq!(d.server_rev("master"), old);

    let (code, stderr) = d.push_with(&["origin", "master"], &[("ENVGUARD", "0")]);
    assert_eq!(code, 0, "{stderr}");
    cmd_snapshot!(filters, "hook_disabled_by_envguard_0", (code, stderr));
}

#[test]
fn non_deploy_remotes_are_left_alone() {
    let d = Deployment::new(APP);
    d.clone.git(&["config", "--unset", "envguard.remoteName"]);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master"), tip);
}

#[test]
fn missing_envguard_warns_and_pushes() {
    let d = Deployment::new(APP);
    let hook = d.clone.path.join(".git/hooks/pre-push");
    let shim = std::fs::read_to_string(&hook).unwrap_or_default();
    // The shim with an install-time fallback path that no longer exists.
    let moved: String = shim
        .lines()
        .map(|l| {
            if l.starts_with("bin=") {
                "bin='/nonexistent/envguard'".to_string()
            } else {
                l.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect();
    assert_ne!(moved, shim);
    std::fs::write(&hook, moved).expect("write");
    assert!(shim.contains("# envguard-hook:"));
    let tip = drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push_with(
        &["origin", "master"],
        &[("PATH", "/usr/bin:/bin:/usr/local/bin")],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master"), tip);
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_without_envguard_on_path",
        (code, stderr)
    );
}

#[test]
fn pre_commit_framework_variables_are_understood() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    c.git(&["config", "envguard.mode", "warn"]);
    let old = c.rev("origin/master");
    let tip = drop_cors(c, "Drop CORS");
    let out = c
        .cmd(crate::support::envguard_bin())
        .arg("pre-push")
        .env("PRE_COMMIT_FROM_REF", &old)
        .env("PRE_COMMIT_TO_REF", &tip)
        .env("PRE_COMMIT_REMOTE_NAME", "origin")
        .env(
            "PRE_COMMIT_REMOTE_URL",
            d.server.path.to_string_lossy().as_ref(),
        )
        .env("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/master")
        .env("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/master")
        .output()
        .expect("envguard");
    assert!(out.status.success(), "{out:?}");
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_warn_from_pre_commit_variables",
        out
    );
}

/// With `core.hooksPath` set, the entry for the manager that owns it is printed alone on
/// stdout as plain YAML that merges into the file as it is: appended where the file lacks
/// the section, or as the item to add under the section the file has, indented as that
/// file indents its items. Each merged file is read back by envguard's own reading of the
/// manager's configuration (`hook status`); the pre-commit and lefthook tests in `managers`
/// merge it the same way and run the real tools on it.
#[test]
fn hooks_path_entries_are_plain_yaml_that_merges() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".hooks"]);
    let cases: [(&str, &str); 5] = [
        (
            "lefthook.yml",
            "pre-commit:\n  commands:\n    lint:\n      run: make lint\n",
        ),
        (
            "lefthook.yml",
            "pre-push:\n  commands:\n    test:\n      run: make test\n",
        ),
        (
            "lefthook.yml",
            "pre-push:\n    commands:\n        test:\n            run: make test\n",
        ),
        (
            ".pre-commit-config.yaml",
            "repos:\n- repo: local\n  hooks:\n  - id: a\n    name: a\n    entry: 'true'\n    language: system\n",
        ),
        (
            ".pre-commit-config.yaml",
            "default_stages: [pre-push]\nrepos:\n  - repo: local\n    hooks:\n      - id: a\n        name: a\n        entry: 'true'\n        language: system\n",
        ),
    ];
    let filters = Filters::new().repo(&repo, "REPO");
    for (n, (file, existing)) in cases.into_iter().enumerate() {
        for other in ["lefthook.yml", ".pre-commit-config.yaml"] {
            let _ = std::fs::remove_file(repo.path.join(other));
        }
        repo.write(file, existing);
        let out = repo.envguard(&["hook", "install"]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let entry = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(entry.starts_with("# "), "{entry}");
        repo.write(file, format!("{existing}{entry}"));
        let text = std::fs::read_to_string(repo.path.join(file)).expect("merged");
        let docs = yaml_rust2::YamlLoader::load_from_str(&text);
        assert!(docs.is_ok(), "{file} after merging is YAML:\n{text}");
        // The install's whole output (the entry alone on stdout), the merged file, and
        // hook status reading that the merged file runs envguard on pre-push.
        let status = repo.envguard(&["hook", "status"]);
        text_snapshot!(
            filters,
            format!("hook_install_entry_merged_{n}"),
            format!(
                "{}--- {file} merged\n{text}--- hook status\n{}",
                crate::support::Shown::shown(&out),
                crate::support::Shown::shown(&status)
            )
        );
    }
}

#[test]
fn toggle_without_runtime_txt_needs_a_toggle_runtime() {
    let files = [
        (
            "requirements.txt",
            "Flask==2.0.1\nFlask-CORS==3.0.10\nrequests\n",
        ),
        ("app.py", "print('hi')\n"),
    ];
    let d = Deployment::new(&files);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let old = d.server_rev("master");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 1, "{stderr}");
    // It names envguard.toggleRuntime; App Service runs no server hook: the other advice
    // is the remote wipe, not mark.
    let filters = Filters::new().deployment(&d).commit(&tip, "TIP");
    cmd_snapshot!(filters, "hook_toggle_without_runtime_txt", (code, stderr));
    assert_eq!(d.server_rev("master"), old);

    d.clone
        .git(&["config", "envguard.toggleRuntime", "python-3.6"]);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0, "{stderr}");
    cmd_snapshot!(
        filters,
        "hook_toggle_with_the_configured_toggle_runtime",
        (code, stderr)
    );
    let t1 = d.server_rev("master^");
    assert_eq!(
        show(&d.server, &format!("{t1}:runtime.txt")),
        "python-3.6\n"
    );
    assert_eq!(
        d.server_rev("master^{tree}"),
        d.clone.rev(&format!("{tip}^{{tree}}"))
    );
}

#[test]
#[ignore = "needs pre-commit from PyPI: set ENVGUARD_TEST_PRE_COMMIT (.ci/run does)"]
fn runs_as_a_pre_commit_framework_hook() {
    let pre_commit = crate::support::pre_commit_executable();
    let d = Deployment::new(APP);
    let c = &d.clone;
    assert!(c.envguard(&["hook", "uninstall"]).status.success());
    c.git(&["config", "envguard.mode", "warn"]);
    c.write(
        ".pre-commit-config.yaml",
        "repos:\n- repo: local\n  hooks:\n  - id: envguard\n    name: envguard\n    entry: envguard pre-push\n    \
         language: system\n    stages: [pre-push]\n    pass_filenames: false\n    always_run: true\n    \
         verbose: true\n",
    );
    c.commit("Add pre-commit");
    crate::support::run_ok(
        c.cmd(&pre_commit)
            .args(["install", "--hook-type", "pre-push"]),
    );
    let tip = drop_cors(c, "Drop CORS");
    let (code, output) = d.push_all(&["origin", "master"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("flask-cors removed"), "{output}");
    assert_eq!(d.server_rev("master"), tip);

    // In toggle mode the entry deploys nothing from inside pre-commit (a hook after it could
    // still fail): it refuses and names `envguard push`, which runs pre-commit's checks
    // first and then toggles.
    c.git(&["config", "envguard.mode", "toggle"]);
    c.write("requirements.txt", "Flask==2.0.1\n");
    let tip = c.commit("Drop requests");
    let before = d.server_rev("master");
    let (code, output) = d.push_all(&["origin", "master"]);
    assert_ne!(code, 0, "{output}");
    // pre-commit prints its hooks' output, with its own status lines around it.
    text_snapshot!(
        Filters::new().deployment(&d),
        "hook_refuse_under_pre_commit",
        envguard_lines(&output)
    );
    assert_eq!(d.server_rev("master"), before);
    let out = c.envguard(&["push", "origin", "master"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(d.server_rev("master^^"), tip);
}

#[test]
fn a_pre_commit_hook_is_not_displaced() {
    let repo = Repo::new();
    let hooks = repo.path.join(".git/hooks");
    let script =
        "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nexit 0\n";
    write_hook(&hooks, "pre-push", script);
    // A success (install.sh REPO goes on), with the entry to paste.
    let filters = Filters::new().repo(&repo, "REPO");
    cmd_snapshot!(
        filters,
        "hook_install_under_pre_commit",
        repo.envguard(&["hook", "install"])
    );
    cmd_snapshot!(
        filters,
        "hook_status_pre_commit_without_envguard",
        repo.envguard(&["hook", "status"])
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap_or_default(),
        script
    );
    assert!(!hooks.join("pre-push.legacy").exists());
}

#[test]
#[ignore = "needs pre-commit from PyPI: set ENVGUARD_TEST_PRE_COMMIT (.ci/run does)"]
fn pre_commit_installed_after_envguard_runs_it_once() {
    let pre_commit = crate::support::pre_commit_executable();
    let d = Deployment::new(APP);
    let c = &d.clone;
    c.write(".pre-commit-config.yaml", "repos: []\n");
    c.commit("Add pre-commit");
    // pre-commit keeps envguard's hook as pre-push.legacy and runs it first.
    crate::support::run_ok(
        c.cmd(&pre_commit)
            .args(["install", "--hook-type", "pre-push"]),
    );
    let hooks = c.path.join(".git/hooks");
    assert!(
        std::fs::read_to_string(hooks.join("pre-push.legacy"))
            .is_ok_and(|t| t.contains("# envguard-hook:"))
    );
    let tip = drop_cors(c, "Drop CORS");
    // pre-commit's hooks run after the kept one: envguard deploys nothing from there.
    let before = d.server_rev("master");
    let (code, output) = d.push_all(&["origin", "master"]);
    assert_ne!(code, 0, "{output}");
    assert!(
        output.contains("pre-push.legacy by another hook"),
        "{output}"
    );
    assert_eq!(d.server_rev("master"), before);
    let out = c.envguard(&["push", "origin", "master"]);
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{output}");
    assert_eq!(output.matches("runtime toggle for").count(), 1, "{output}");
    assert_eq!(d.server_rev("master^^"), tip);
    assert_eq!(recorded_pushes(&d.server).len(), 2);
    // hook status tells the arrangement: pre-commit's hook running envguard's as .legacy.
    let status = c.envguard(&["hook", "status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("the pre-commit framework's hook, which runs envguard's hook kept as"),
        "{text}"
    );
}

#[test]
fn a_crash_of_envguard_never_blocks_a_push() {
    let d = Deployment::new(APP);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push_with(&["origin", "master"], &[("ENVGUARD_FAULT", "panic")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master"), tip);
    // The panic's place in the source follows the source, not the hook's words.
    cmd_snapshot!(
        Filters::new()
            .deployment(&d)
            .commit(&tip, "TIP")
            .text(r"src/[a-z_/]+\.rs:[0-9]+:[0-9]+", "[SOURCE]"),
        "hook_internal_error_pushes",
        (code, stderr)
    );
}

#[test]
fn an_azure_remote_toggles_with_no_configuration() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    c.git(&["config", "--unset", "envguard.remoteName"]);
    c.git(&["config", "--unset", "envguard.mode"]);
    // The remote as Azure gives it; pushes really go to the local bare repository.
    let azure = "https://me@mysite.scm.azurewebsites.net:443/mysite.git";
    c.git(&["remote", "add", "azure", azure]);
    let server = d.server.path.to_string_lossy().into_owned();
    c.git(&["config", &format!("url.{server}.insteadOf"), azure]);
    // The site's API is asked on this machine only: nothing listens there.
    let api = crate::support::kudu_api::dead_url();
    c.git(&["config", "envguard.scmUrl", &api]);
    c.git(&["fetch", "-q", "azure"]);
    let tip = drop_cors(c, "Drop CORS");
    let (code, stderr) = d.push(&["azure", "master"]);
    assert_ne!(code, 0, "{stderr}");
    // The toggle: two deployments, the first with the other runtime.
    assert_eq!(d.server_rev("master^^"), tip);
    assert_eq!(recorded_pushes(&d.server).len(), 2, "{stderr}");
    assert_eq!(show(&d.server, "master^:runtime.txt"), "python-3.4\n");
    assert_eq!(c.rev("refs/remotes/azure/master"), d.server_rev("master"));
}

#[test]
fn hook_status_reads_the_runtime_of_the_deployment_project() {
    let d = Deployment::new(&[
        (".deployment", "[config]\nproject = app\n"),
        ("app/requirements.txt", "Flask==2.0.1\n"),
        ("app/runtime.txt", "python-3.4\n"),
        ("app/app.py", "print('hi')\n"),
    ]);
    let out = d.clone.envguard(&["hook", "status"]);
    assert!(out.status.success(), "{out:?}");
    // The toggle: python-3.4 -> python-3.6 -> python-3.4, read from app/runtime.txt.
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_status_deployment_project_runtime",
        out
    );
}

#[test]
fn hook_status_names_an_outdated_shim_and_install_renews_it() {
    let d = Deployment::new(APP);
    let hook = d.clone.path.join(".git/hooks/pre-push");
    let text = std::fs::read_to_string(&hook).expect("hook");
    assert!(text.contains("# envguard-hook-version: "), "{text}");
    // A shim from before versions: no version line.
    let old: String = text
        .lines()
        .filter(|l| !l.starts_with("# envguard-hook-version"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&hook, old).expect("write");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_status_outdated_shim",
        d.clone.envguard(&["hook", "status"])
    );
    let install = d.clone.envguard(&["hook", "install"]);
    assert!(install.status.success(), "{install:?}");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_status_after_reinstall",
        d.clone.envguard(&["hook", "status"])
    );
}
