//! A team's other pre-push checks keep their veto: under real pre-commit and real lefthook,
//! with a failing check listed before and after envguard's entry, neither `git push` nor
//! `envguard push` changes the remote; with every check passing, `envguard push` deploys
//! the toggle and `git push` refuses, saying to use it. The rule: envguard deploys nothing
//! from a run that other checks could still stop.

use crate::support::{
    APP, Deployment, Filters, drop_cors, envguard_lines, recorded_pushes, run_ok,
};
use crate::{cmd_snapshot, text_snapshot};

/// Where the team's check stands relative to envguard's entry.
const POSITIONS: [&str; 2] = ["before", "after"];

/// The team's check in `.pre-commit-config.yaml`, failing.
const PRE_COMMIT_TEAM: &str = "repos:\n- repo: local\n  hooks:\n  - id: team-check\n    \
     name: team-check\n    entry: \"false\"\n    language: system\n    stages: [pre-push]\n    \
     pass_filenames: false\n    always_run: true\n";

/// The team's config with envguard's entry as `hook install` prints it (alone on stdout):
/// appended, so the team's check runs before it, or put first.
fn pre_commit_merged(team: &str, entry: &str, position: &str) -> String {
    if position == "before" {
        format!("{team}{entry}")
    } else {
        let items = team.strip_prefix("repos:\n").expect("a repos: list");
        format!("repos:\n{entry}{items}")
    }
}

/// lefthook runs commands in the order of their names: the check's name puts it before
/// or after envguard.
fn lefthook_team(position: &str) -> String {
    let name = if position == "before" {
        "a-team-check"
    } else {
        "z-team-check"
    };
    format!("pre-push:\n  commands:\n    {name}:\n      run: \"false\"\n")
}

/// `envguard push ARGS` from the clone: (exit code, stdout and stderr).
fn envguard_push(d: &Deployment, args: &[&str]) -> (i32, String) {
    let mut all = vec!["push"];
    all.extend_from_slice(args);
    let out = d.clone.envguard(&all);
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// How a manager is set up: its config file, the team's config with a failing check for
/// a position, how envguard's printed entry merges into it, and how the manager installs.
struct Manager<'a> {
    file: &'a str,
    team: &'a dyn Fn(&str) -> String,
    merge: &'a dyn Fn(&str, &str, &str) -> String,
    install: &'a dyn Fn(&Deployment),
}

/// A deployment whose clone runs envguard through a manager, set up as a user would: the
/// team's config, the manager's install, then the entry `envguard hook install` prints,
/// merged into the config as it says.
fn managed(m: &Manager, position: &str) -> Deployment {
    let d = Deployment::new(APP);
    assert!(d.clone.envguard(&["hook", "uninstall"]).status.success());
    let team = (m.team)(position);
    d.clone.write(m.file, &team);
    d.clone.commit("Team checks");
    (m.install)(&d);
    let out = d.clone.envguard(&["hook", "install"]);
    assert!(out.status.success(), "{out:?}");
    let entry = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!entry.contains("envguard: "), "plain YAML: {entry}");
    d.clone.write(m.file, (m.merge)(&team, &entry, position));
    d.clone.commit("Run envguard");
    (m.install)(&d);
    let status =
        String::from_utf8_lossy(&d.clone.envguard(&["hook", "status"]).stdout).into_owned();
    assert!(
        status.contains("its configuration runs envguard"),
        "{status}"
    );
    d
}

/// The rule, for one manager: failing team checks before and after envguard stop both
/// kinds of push with the remote unchanged; passing ones let `envguard push` toggle.
fn team_checks_keep_their_veto(m: &Manager) {
    for position in POSITIONS {
        let d = managed(m, position);
        let before = d.server_rev("master");
        let pushes = recorded_pushes(&d.server).len();
        drop_cors(&d.clone, "Drop CORS");
        let (code, output) = d.push_all(&["origin", "master"]);
        assert_ne!(code, 0, "git push, check {position}: {output}");
        assert_eq!(d.server_rev("master"), before, "git push, check {position}");
        let (code, output) = envguard_push(&d, &["origin", "master"]);
        assert_ne!(code, 0, "envguard push, check {position}: {output}");
        assert_eq!(
            d.server_rev("master"),
            before,
            "envguard push, check {position}"
        );
        assert_eq!(recorded_pushes(&d.server).len(), pushes, "{output}");

        // The team's check passes: git push still deploys nothing and says how to push;
        // envguard push runs every check, then toggles.
        let config = std::fs::read_to_string(d.clone.path.join(m.file)).expect("config");
        d.clone
            .write(m.file, config.replace("\"false\"", "\"true\""));
        let tip = d.clone.commit("Team checks pass");
        let (code, output) = d.push_all(&["origin", "master"]);
        assert_ne!(code, 0, "{output}");
        assert!(output.contains("envguard push"), "{output}");
        assert_eq!(d.server_rev("master"), before, "{output}");
        let (code, output) = envguard_push(&d, &["origin", "master"]);
        assert_eq!(code, 0, "envguard push, check {position}: {output}");
        assert_eq!(output.matches("runtime toggle for").count(), 1, "{output}");
        assert_eq!(d.server_rev("master^^"), tip, "{output}");
        assert_eq!(d.clone.rev("master"), d.server_rev("master"));
    }
}

#[test]
#[ignore = "needs pre-commit from PyPI: set ENVGUARD_TEST_PRE_COMMIT (.ci/run does)"]
fn pre_commit_team_checks_keep_their_veto() {
    let pre_commit = crate::support::pre_commit_executable();
    team_checks_keep_their_veto(&Manager {
        file: ".pre-commit-config.yaml",
        team: &|_| PRE_COMMIT_TEAM.to_string(),
        merge: &pre_commit_merged,
        install: &|d| {
            run_ok(
                d.clone
                    .cmd(&pre_commit)
                    .args(["install", "--hook-type", "pre-push"]),
            );
        },
    });
}

#[test]
#[ignore = "needs lefthook from npm: set ENVGUARD_TEST_LEFTHOOK (.ci/run does)"]
fn lefthook_team_checks_keep_their_veto() {
    let lefthook = crate::support::lefthook_executable();
    team_checks_keep_their_veto(&Manager {
        file: "lefthook.yml",
        team: &lefthook_team,
        // Printed for a file with a pre-push: commands: section: the command, to add under it.
        merge: &|team, entry, _| format!("{team}{entry}"),
        install: &|d| {
            run_ok(d.clone.cmd(&lefthook).arg("install"));
        },
    });
}

/// envguard's own hook with a displaced hook of the user's that fails: the displaced hook
/// runs first and its failure stops the push before envguard deploys anything.
#[test]
fn a_failing_displaced_hook_stops_the_toggle() {
    let d = Deployment::new(APP);
    let hooks = d.clone.path.join(".git/hooks");
    assert!(d.clone.envguard(&["hook", "uninstall"]).status.success());
    crate::support::write_hook(
        &hooks,
        "pre-push",
        "#!/bin/sh\necho team-check failed >&2\nexit 1\n",
    );
    assert!(d.clone.envguard(&["hook", "install"]).status.success());
    let before = d.server_rev("master");
    drop_cors(&d.clone, "Drop CORS");
    for (push, snapshot) in [
        (
            d.push_all(&["origin", "master"]),
            "hook_displaced_hook_fails",
        ),
        (
            envguard_push(&d, &["origin", "master"]),
            "push_wrapper_displaced_hook_fails",
        ),
    ] {
        assert_eq!(d.server_rev("master"), before, "{push:?}");
        cmd_snapshot!(Filters::new().deployment(&d), snapshot, push);
    }
}

/// README's recipe for a lefthook.yml without a `pre-push:` section, run literally: `envguard
/// hook install >> lefthook.yml` appends a working entry and writes no hook of its own (which
/// `lefthook install` would move aside); after `lefthook install`, `hook status` says
/// lefthook runs envguard, and a push that needs a fresh env is refused with the way out.
#[test]
#[ignore = "needs lefthook: set ENVGUARD_TEST_LEFTHOOK (.ci/run does)"]
fn the_lefthook_append_recipe_runs_literally() {
    let lefthook = crate::support::lefthook_executable();
    let d = Deployment::new(APP);
    let hooks = d.clone.path.join(".git/hooks");
    let _ = std::fs::remove_file(hooks.join("pre-push"));
    d.clone.write(
        "lefthook.yml",
        "pre-commit:\n  commands:\n    lint:\n      run: \"true\"\n",
    );
    let mut shell = d.clone.cmd("sh");
    shell.args(["-c", "envguard hook install >> lefthook.yml"]);
    let out = shell.output().expect("sh");
    assert!(out.status.success(), "{out:?}");
    assert!(!hooks.join("pre-push").exists(), "no hook of envguard's");
    let config = std::fs::read_to_string(d.clone.path.join("lefthook.yml")).expect("config");
    assert!(
        config.contains("pre-push:") && config.contains("envguard pre-push"),
        "{config}"
    );
    run_ok(d.clone.cmd(&lefthook).arg("install"));
    let filters = Filters::new().deployment(&d);
    cmd_snapshot!(
        filters,
        "hook_status_real_lefthook",
        d.clone.envguard(&["hook", "status"])
    );
    drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0, "{stderr}");
    text_snapshot!(
        filters,
        "hook_refuse_under_lefthook",
        envguard_lines(&stderr)
    );
    assert_eq!(recorded_pushes(&d.server).len(), 0, "nothing deployed");
}

/// prek (the pre-commit framework rewritten) keeps envguard's hook as `pre-push.legacy` and
/// runs it: `hook status` names prek and says envguard runs, and a push that needs a fresh
/// env is refused there with the way out.
#[test]
#[ignore = "needs prek: set ENVGUARD_TEST_PREK (.ci/run does)"]
fn under_prek_envguards_hook_runs_as_legacy_and_status_says_so() {
    let prek = crate::support::prek_executable();
    let d = Deployment::new(APP);
    d.clone.write(".pre-commit-config.yaml", "repos: []\n");
    d.clone.commit("prek's config");
    run_ok(
        d.clone
            .cmd(&prek)
            .args(["install", "--hook-type", "pre-push"]),
    );
    let hooks = d.clone.path.join(".git/hooks");
    assert!(
        hooks.join("pre-push.legacy").exists(),
        "prek kept envguard's"
    );
    let filters = Filters::new().deployment(&d);
    cmd_snapshot!(
        filters,
        "hook_status_prek",
        d.clone.envguard(&["hook", "status"])
    );
    drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push_all(&["origin", "master"]);
    assert_ne!(code, 0, "{stderr}");
    text_snapshot!(filters, "hook_refuse_under_prek", envguard_lines(&stderr));
    assert_eq!(recorded_pushes(&d.server).len(), 0, "nothing deployed");
}
