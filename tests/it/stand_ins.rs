//! Tests of the stand-ins, not of envguard: each runs with `envguard.mode off` and checks
//! that the local Kudu-like deployment (`examples/local-deploy/kudu-deploy.sh`) behaves as
//! the platform does, so that the tests of envguard on it mean what they say. They are the
//! controls: what happens on the platform without envguard.

use crate::support::{Deployment, Repo};

/// Wheels `a`, `b`, `c` (the Kudu site's) on Kudu's Python 3.6.
const APP: &[(&str, &str)] = &[
    ("requirements.txt", "a\nb\nc\n"),
    ("runtime.txt", "python-3.6\n"),
    ("app.py", "print('hi')\n"),
];

fn drop_b(clone: &Repo) -> String {
    clone.write("requirements.txt", "a\nc\n");
    clone.commit("Drop b")
}

#[test]
fn control_without_envguard_the_removed_package_stays() {
    let (d, site) = Deployment::kudu(APP);
    d.clone.git(&["config", "envguard.mode", "off"]);
    assert!(site.imports("b"));
    drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(site.deployments().len(), 2);
    assert!(site.imports("b"), "pip never uninstalls: b is still there");
}

#[test]
fn the_local_kudu_fails_an_unsupported_runtime_before_touching_env() {
    let (d, site) = Deployment::kudu(APP);
    d.clone.git(&["config", "envguard.mode", "off"]);
    let before = site.env_identity();
    d.clone.write("runtime.txt", "python-3.7\n");
    drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(
        code, 0,
        "a failed deployment does not fail the push: {stderr}"
    );
    assert!(
        stderr.contains("Unsupported runtime: python-3.7"),
        "{stderr}"
    );
    assert!(site.deployments()[1].contains("failed: unsupported runtime"));
    assert_eq!(site.env_identity(), before, "env is untouched");
    assert!(site.imports("b"));
}

/// The environment every process of the tests gets stands in for a clean machine: exactly
/// the variables of `support::base_env`, whatever the outer environment holds (PIKU_ROOT,
/// GIT_PUSH_OPTION_*, PRE_COMMIT_*, proxies), with HOME a folder of the tests' own.
#[test]
fn child_processes_get_only_the_base_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = crate::support::run_ok(&mut crate::support::command("env", dir.path()));
    let mut names: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_once('=').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    let mut expected: Vec<&str> = crate::support::base_env()
        .iter()
        .map(|(name, _)| *name)
        .collect();
    expected.sort_unstable();
    assert_eq!(names, expected, "{out}");
    let home = format!("HOME={}", crate::support::test_home().display());
    assert!(out.lines().any(|l| l == home), "{out}");
    assert!(out.lines().any(|l| l == "LC_ALL=C"), "{out}");
}
