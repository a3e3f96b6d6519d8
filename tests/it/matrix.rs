//! The state matrix: every push form × repository state × remote state below, each a real
//! git run whose assertion is the invariant, not a listed outcome:
//! - the remote ends deployed on a fresh env (its deploy branch holds the user's files, and
//!   when the push removed a requirement, a toggle commit with another runtime was deployed
//!   right before it), or the push is refused with a reason on stderr and the remote keeps
//!   what it had;
//! - the user's worktree, index, stash, untracked files and any operation in progress are
//!   exactly as before, and no ref but the pushed branch (moved only to a commit with the
//!   same files, and never while a merge or rebase owns it) changed.

use crate::support::{APP, Deployment, Filters, drop_cors, recorded_pushes};
use crate::text_snapshot;

/// How the user pushes.
const PUSH_FORMS: &[(&str, &[&str])] = &[
    ("git push origin master", &["push", "origin", "master"]),
    (
        "git push origin HEAD:master",
        &["push", "origin", "HEAD:master"],
    ),
    (
        "git push origin refs/heads/master:refs/heads/master",
        &["push", "origin", "refs/heads/master:refs/heads/master"],
    ),
    (
        "git push --atomic origin master",
        &["push", "--atomic", "origin", "master"],
    ),
    (
        "git push --force origin master",
        &["push", "--force", "origin", "master"],
    ),
    ("git push (upstream)", &["push"]),
    (
        "envguard push origin master",
        &["envguard-push", "origin", "master"],
    ),
];

/// What the user's repository holds besides the commits.
const REPO_STATES: &[&str] = &[
    "clean",
    "modified",
    "staged",
    "stashed",
    "untracked",
    "merging",
    "rebasing",
];

/// What the remote has.
const REMOTE_STATES: &[&str] = &[
    "at base",
    "ahead (someone pushed)",
    "branch deleted (the push re-creates it)",
    "no change needed",
];

/// The remote's master, if it has one.
fn server_master(d: &Deployment) -> Option<String> {
    let out = d
        .server
        .git_output(&["rev-parse", "-q", "--verify", "refs/heads/master"]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Everything of the user's repository the push must not change.
fn user_state(d: &Deployment) -> Vec<String> {
    let c = &d.clone;
    vec![
        c.git(&["status", "--porcelain=v1", "--untracked-files=all"]),
        c.git(&["stash", "list", "--format=%H %s"]),
        c.git(&["diff"]),
        c.git(&["diff", "--cached"]),
        String::from_utf8_lossy(&c.git_output(&["symbolic-ref", "-q", "HEAD"]).stdout).into_owned(),
        // A detached HEAD never moves; a branch's HEAD may move to T2 (checked below).
        if c.git_output(&["symbolic-ref", "-q", "HEAD"])
            .status
            .success()
        {
            String::new()
        } else {
            c.git(&["rev-parse", "HEAD"])
        },
        String::from_utf8_lossy(
            &c.git_output(&["rev-parse", "-q", "--verify", "MERGE_HEAD"])
                .stdout,
        )
        .into_owned(),
        format!(
            "rebase in progress: {}",
            c.path.join(".git/rebase-merge").exists()
        ),
        c.git(&[
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/tags",
            "refs/stash",
        ]),
    ]
}

fn set_repo_state(d: &Deployment, state: &str) {
    let c = &d.clone;
    match state {
        "modified" => {
            c.write("app.py", "print('work in progress')\n");
        }
        "staged" => {
            c.write("notes.txt", "staged\n");
            c.git(&["add", "notes.txt"]);
        }
        "stashed" => {
            c.write("app.py", "print('stashed')\n");
            c.git(&["stash", "-q"]);
            c.write("app.py", "print('after the stash')\n");
        }
        "untracked" => {
            c.write("scratch.txt", "untracked\n");
        }
        "merging" => {
            // A merge stopped before its commit: MERGE_HEAD, HEAD still on master.
            c.git(&["checkout", "-q", "-b", "side", "HEAD~1"]);
            c.write("side.txt", "side\n");
            c.commit("Side work");
            c.git(&["checkout", "-q", "master"]);
            c.git(&["merge", "-q", "--no-commit", "--no-ff", "side"]);
        }
        "rebasing" => {
            // An interactive rebase stopped at the tip: HEAD detached, master owned by it.
            let out = c
                .cmd("git")
                .args(["rebase", "-i", "HEAD~1"])
                .env("GIT_SEQUENCE_EDITOR", "sed -i 1s/^pick/edit/")
                .output()
                .expect("rebase");
            assert!(out.status.success(), "{out:?}");
        }
        _ => {}
    }
}

fn run_case(form: &[&str], repo_state: &str, remote_state: &str) -> Result<String, String> {
    let d = Deployment::new(APP);
    let c = &d.clone;
    c.git(&["branch", "-q", "--set-upstream-to=origin/master"]);
    let removal = remote_state != "no change needed";
    let tip = if removal {
        drop_cors(c, "Drop CORS")
    } else {
        c.write("app.py", "print('v2')\n");
        c.commit("Change the app")
    };
    if remote_state.starts_with("ahead") {
        let other = crate::support::Repo::clone_of(&d.server);
        other.write("other.txt", "theirs\n");
        other.commit("Someone else's commit");
        other.git(&["push", "-q", "--no-verify", "origin", "master"]);
    }
    if remote_state.starts_with("branch deleted") {
        // The deployed branch was deleted (a reset of the site's repository); the user's
        // remote-tracking ref still names the old tip.
        d.server
            .git(&["branch", "-q", "-m", "master", "old-master"]);
    }
    set_repo_state(&d, repo_state);
    let before = user_state(&d);
    let tip_tree = c.rev(&format!("{tip}^{{tree}}"));
    let server_before = server_master(&d);
    let pushes_before = recorded_pushes(&d.server).len();
    let out = if form[0] == "envguard-push" {
        c.cmd(crate::support::envguard_bin())
            .arg("push")
            .args(&form[1..])
            .output()
    } else {
        c.cmd("git").args(form).output()
    }
    .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let fail = |why: &str| Err(format!("{why}\n--- stderr\n{stderr}"));

    if user_state(&d) != before {
        return fail("the user's worktree, index, stash or refs changed");
    }
    let local = c.rev("master");
    if local != tip && c.rev("master^{tree}") != tip_tree {
        return fail("the branch moved to a commit with other files");
    }
    // An operation in progress owns the branch: git moves it when the operation ends.
    if matches!(repo_state, "merging" | "rebasing") && local != tip {
        return fail("the branch moved under an operation in progress");
    }
    let server_after = server_master(&d);
    let deployed = server_after != server_before;
    if !deployed {
        // Refused: with a reason, and the remote keeps what it had.
        if out.status.success() {
            return fail("the push succeeded but the remote did not change");
        }
        // envguard's own reason (even where git refuses the push itself, envguard says
        // why it did nothing), or git's own refusal to start the push before any hook ran
        // (a refspec it cannot resolve). git's closing "failed to push some refs" is no
        // reason: a hook that failed silently ends with it too.
        let reason = stderr.lines().find(|l| {
            l.starts_with("envguard: ")
                || l.starts_with("fatal: ")
                || (l.starts_with("error: ") && !l.starts_with("error: failed to push some refs"))
        });
        return match reason {
            Some(line) => Ok(format!("refused: {line}")),
            None => fail("refused without envguard's reason"),
        };
    }
    if d.server.rev("master^{tree}") != tip_tree {
        return fail("the remote deploys other files than the user's commit");
    }
    if removal {
        // A fresh env: the deployment before the last one ran another runtime.
        let pushes = recorded_pushes(&d.server);
        let new: Vec<&Vec<String>> = pushes[pushes_before..].iter().collect();
        let toggled = new.len() >= 2
            && d.server.git(&["show", "master~1:runtime.txt"]).trim() != "python-3.6";
        if !toggled {
            return fail("a removal was deployed without a fresh env");
        }
        return Ok("deployed after a runtime toggle".to_string());
    }
    Ok("deployed".to_string())
}

#[test]
fn every_push_form_in_every_repository_and_remote_state_keeps_the_invariant() {
    let mut failures = Vec::new();
    let mut outcomes = String::new();
    for (name, form) in PUSH_FORMS {
        for repo_state in REPO_STATES {
            for remote_state in REMOTE_STATES {
                let case = format!("{name} | {repo_state} | {remote_state}");
                match run_case(form, repo_state, remote_state) {
                    Ok(outcome) => outcomes.push_str(&format!("{case}: {outcome}\n")),
                    Err(why) => failures.push(format!("{case}: {why}")),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases broke the invariant:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // Which cases deploy and which are refused, and why: the invariant holds either way,
    // so the outcome of each case is recorded.
    text_snapshot!(Filters::new(), "matrix_outcomes", outcomes);
}
