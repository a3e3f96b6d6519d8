//! The team's committed configuration (`envguard.toml`, `[tool.envguard]` in
//! pyproject.toml) on real clones and real pushes: it guards a push with no git config at
//! all, any git config scope overrides it, what runs code needs this machine's consent for
//! that very content, and a mistake in it names the file and line.

use crate::cmd_snapshot;
use crate::support::{Deployment, Filters, envguard_lines};

const APP: &[(&str, &str)] = &[
    ("requirements.txt", "a\nb\n"),
    ("runtime.txt", "python-3.6\n"),
];

/// A clone whose envguard settings come only from the committed `file` with `text`.
fn committed(file: &str, text: &str) -> Deployment {
    let d = Deployment::new(APP);
    for key in ["envguard.remoteName", "envguard.mode", "envguard.platform"] {
        d.clone.git(&["config", "--unset", key]);
    }
    d.clone.write(file, text);
    d.clone.commit("The team's envguard settings");
    d
}

fn drop_b(d: &Deployment) -> (i32, String) {
    d.clone.write("requirements.txt", "a\n");
    d.clone.commit("Drop b");
    d.push(&["origin", "master"])
}

#[test]
fn a_committed_file_guards_a_clone_without_git_config() {
    for (file, text, name) in [
        (
            "envguard.toml",
            "remoteName = \"origin\"\nplatform = \"kudu-windows\"\nmode = \"warn\"\n",
            "envguard_toml",
        ),
        (
            "pyproject.toml",
            "[project]\nname = \"app\"\n\n[tool.envguard]\nremoteName = [\"origin\"]\nplatform = \"kudu-windows\"\nmode = \"warn\"\n",
            "pyproject_toml",
        ),
    ] {
        let d = committed(file, text);
        let filters = Filters::new().deployment(&d);
        cmd_snapshot!(
            filters,
            &format!("hook_status_committed_{name}_only"),
            d.clone.envguard(&["hook", "status"])
        );
        let (code, stderr) = drop_b(&d);
        assert_eq!(code, 0, "{file}: {stderr}");
        cmd_snapshot!(
            filters,
            &format!("hook_warn_committed_{name}_only"),
            (code, stderr)
        );
        // Any git config scope overrides the committed file.
        d.clone.git(&["config", "envguard.mode", "off"]);
        d.clone.write("requirements.txt", "");
        d.clone.commit("Drop a");
        let (code, stderr) = d.push(&["origin", "master"]);
        assert_eq!(code, 0, "{file}: {stderr}");
        assert_eq!(
            envguard_lines(&stderr),
            "envguard: envguard.mode is off for origin: this push is not checked\n",
            "{file}"
        );
    }
}

#[test]
fn a_committed_command_runs_only_with_this_machines_consent() {
    let d = committed(
        "envguard.toml",
        "remoteName = \"origin\"\nplatform = \"kudu-windows\"\nmode = \"command\"\ncommand = \"touch purged\"\n",
    );
    let (code, stderr) = drop_b(&d);
    let purged = d.clone.path.join("purged");
    assert!(!purged.exists(), "run without consent: {stderr}");
    assert_ne!(code, 0, "command mode without a command refuses: {stderr}");
    let digest = stderr
        .split("git config envguard.trustCommitted ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("the consent is named: {stderr}"))
        .to_string();
    assert_eq!(digest.len(), 64, "{stderr}");
    d.clone.git(&["config", "envguard.trustCommitted", &digest]);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(purged.exists(), "run with consent: {stderr}");
    // New content needs consent again.
    std::fs::remove_file(&purged).expect("rm");
    d.clone.write(
        "envguard.toml",
        "remoteName = \"origin\"\nplatform = \"kudu-windows\"\nmode = \"command\"\ncommand = \"touch purged; touch more\"\n",
    );
    d.clone.write("requirements.txt", "");
    d.clone.commit("Drop a, change the command");
    let (_, stderr) = d.push(&["origin", "master"]);
    assert!(!purged.exists(), "changed content, old consent: {stderr}");
}

#[test]
fn a_mistake_in_the_committed_file_names_its_line() {
    let d = committed(
        "envguard.toml",
        "remoteName = \"origin\"\nmdoe = \"warn\"\n",
    );
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_refuse_committed_misspelt_key",
        drop_b(&d)
    );
}

/// A value envguard cannot use, from the committed file, names the file and its line; a
/// remote name that is none of the repository's refuses as in git config; `hook status`
/// calls a key overridden only when git config sets it.
#[test]
fn the_committed_files_values_are_checked_and_attributed() {
    let d = committed(
        "envguard.toml",
        "remoteName = \"origin\"\nplatform = \"kudu-windows\"\nremoteTimeout = \"abc\"\n",
    );
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_refuse_committed_bad_value",
        drop_b(&d)
    );

    let d = committed(
        "envguard.toml",
        "remoteName = \"nonexistent\"\nplatform = \"kudu-windows\"\nmode = \"warn\"\n",
    );
    // Refused, naming the value (its attribution: `an_unknown_remote_in_the_committed_file_
    // names_the_file_and_line`).
    let (code, stderr) = drop_b(&d);
    assert_eq!(code, 1, "{stderr}");
    crate::text_snapshot!(
        Filters::new().deployment(&d),
        "hook_committed_unknown_remote_name",
        crate::support::envguard_lines(&stderr)
    );

    let d = committed(
        "envguard.toml",
        "remoteName = \"origin\"\nplatform = \"kudu-windows\"\nmode = \"warn\"\n",
    );
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_status_committed_toml",
        d.clone.envguard(&["hook", "status"])
    );
    d.clone.git(&["config", "envguard.mode", "off"]);
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_status_committed_toml_overridden",
        d.clone.envguard(&["hook", "status"])
    );
}

/// The committed file is the repository's own regular file: a symbolic link (to another
/// file of the machine, to a device) is refused, naming it, and never read.
#[test]
fn a_committed_file_that_is_a_link_is_refused() {
    let d = committed("app.py", "print(1)\n");
    std::os::unix::fs::symlink("/dev/zero", d.clone.path.join("envguard.toml")).expect("link");
    d.clone.commit("A link");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "check_committed_file_is_a_link",
        d.clone.envguard(&["check"])
    );
}

#[test]
fn an_unknown_remote_in_the_committed_file_names_the_file_and_line() {
    let d = committed(
        "envguard.toml",
        "remoteName = \"nonexistent\"\nplatform = \"kudu-windows\"\nmode = \"warn\"\n",
    );
    let (code, stderr) = drop_b(&d);
    assert_eq!(code, 1, "{stderr}");
    let error = stderr
        .lines()
        .find(|l| l.starts_with("envguard: error: "))
        .unwrap_or_default();
    let file = d.clone.path.join("envguard.toml");
    assert!(
        error.starts_with(&format!("envguard: error: {}:1: ", file.display())),
        "{stderr}"
    );
}
