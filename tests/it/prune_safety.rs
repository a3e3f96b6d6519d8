//! The server prune deletes only what is stale: never a file outside the env (a symbolic
//! link out of it is not followed), never a file a kept distribution lists, never the
//! installer; it reads virtualenv's `version_info`; a second look after the uninstall.
//! Real venvs (`python3 -m venv`), real git pushes, envguard's real post-receive hook.

use std::path::{Path, PathBuf};

use crate::support::{Deployment, Filters, envguard_lines, site_packages};
use crate::text_snapshot;

/// A deployment whose server prunes `target/env` (made by `python3 -m venv`, with pip when
/// `with_pip`) for the requirements `first`.
fn server_pruning(first: &str, with_pip: bool) -> (Deployment, PathBuf) {
    crate::support::require_venv();
    let d = Deployment::new(&[("requirements.txt", first), ("app.py", "print(1)\n")]);
    d.clone.git(&["config", "envguard.mode", "off"]);
    let target = d.server.scratch("target");
    let mut venv = crate::support::command("python3", &target);
    venv.args(["-m", "venv"]);
    if !with_pip {
        venv.arg("--without-pip");
    }
    crate::support::run_ok(venv.arg(target.join("env")));
    d.server.install_server_hook(&target);
    d.server.git(&["config", "envguard.serverAction", "prune"]);
    (d, target)
}

/// Writes an installed distribution by hand: its dist-info (METADATA, RECORD) listing
/// `files` (relative to site-packages), and the files themselves unless they exist.
pub(crate) fn install_by_hand(site: &Path, name: &str, files: &[&str]) {
    let info = site.join(format!("{}-1.0.dist-info", name.replace('-', "_")));
    std::fs::create_dir_all(&info).expect("dist-info");
    std::fs::write(
        info.join("METADATA"),
        format!("Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"),
    )
    .expect("METADATA");
    let mut record = String::new();
    for file in files {
        let path = site.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("package");
        }
        if !path.exists() {
            std::fs::write(&path, format!("NAME = {name:?}\n")).expect("file");
        }
        record.push_str(&format!("{file},,\n"));
    }
    let dist_info = info
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    record.push_str(&format!("{dist_info}/METADATA,,\n{dist_info}/RECORD,,\n"));
    std::fs::write(info.join("RECORD"), record).expect("RECORD");
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                all.push((path.clone(), std::fs::read(&path).expect("file")));
            }
        }
    }
    all.sort();
    all
}

#[test]
fn a_link_out_of_the_env_is_never_followed() {
    let (d, target) = server_pruning("linked\nkept\n", false);
    let site = site_packages(&target.join("env"));
    // `linked`'s package folder is a link to a folder outside the env: the sentinel.
    let sentinel = d.server.scratch("sentinel");
    std::fs::create_dir_all(sentinel.join("__pycache__")).expect("pycache");
    std::fs::write(sentinel.join("__init__.py"), "precious = True\n").expect("file");
    std::fs::write(sentinel.join("__pycache__/x.pyc"), b"\x00cache").expect("pyc");
    std::os::unix::fs::symlink(&sentinel, site.join("linked")).expect("link");
    install_by_hand(&site, "linked", &["linked/__init__.py"]);
    install_by_hand(&site, "kept", &["kept/__init__.py"]);
    let before = snapshot(&sentinel);
    d.clone.write("requirements.txt", "kept\n");
    d.clone.commit("Drop linked");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        snapshot(&sentinel),
        before,
        "outside the env, nothing changed: {stderr}"
    );
    text_snapshot!(
        Filters::new().deployment(&d).path(&target, "TARGET").venv(),
        "server_prune_link_out_wipes",
        envguard_lines(&stderr)
    );
}

#[test]
fn files_a_kept_distribution_lists_stay() {
    let (d, target) = server_pruning("cvlib\ncvlib-headless\n", true);
    let env = target.join("env");
    let site = site_packages(&env);
    // Two distributions of one package folder, as opencv's variants are.
    install_by_hand(&site, "cvlib", &["cv2/__init__.py", "cv2/core.py"]);
    install_by_hand(&site, "cvlib-headless", &["cv2/__init__.py", "cv2/core.py"]);
    d.clone.write("requirements.txt", "cvlib-headless\n");
    d.clone.commit("Headless only");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        Filters::new().deployment(&d).path(&target, "TARGET").venv(),
        "server_prune_kept_distribution_files",
        envguard_lines(&stderr)
    );
    let imports = crate::support::command(env.join("bin/python"), &target)
        .args(["-c", "import cv2.core"])
        .status()
        .expect("python");
    assert!(
        imports.success(),
        "the kept distribution still imports: {stderr}"
    );
    assert!(!site.join("cvlib-1.0.dist-info").exists(), "{stderr}");
    let diff = d
        .clone
        .envguard(&["env", "diff", env.to_str().expect("utf-8")]);
    assert_eq!(diff.status.code(), Some(0), "{diff:?}");
}

#[test]
fn prune_keep_adds_to_the_installer_and_keeps_what_it_requires() {
    let (d, target) = server_pruning("app-dep\n", true);
    let env = target.join("env");
    let site = site_packages(&env);
    install_by_hand(&site, "gunicorn", &["gunicorn/__init__.py"]);
    install_by_hand(&site, "packaging-x", &["packaging_x/__init__.py"]);
    install_by_hand(&site, "app-dep", &["app_dep/__init__.py"]);
    // gunicorn requires packaging-x.
    let meta = site.join("gunicorn-1.0.dist-info/METADATA");
    let text = std::fs::read_to_string(&meta).expect("METADATA");
    std::fs::write(&meta, format!("{text}Requires-Dist: packaging-x\n")).expect("METADATA");
    d.server.git(&["config", "envguard.pruneKeep", "gunicorn"]);
    d.clone.write("requirements.txt", "\n");
    d.clone.commit("Nothing required");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        Filters::new().deployment(&d).path(&target, "TARGET").venv(),
        "server_prune_keep_option",
        envguard_lines(&stderr)
    );
    let pip = crate::support::command(env.join("bin/python"), &target)
        .args(["-m", "pip", "--version"])
        .status()
        .expect("python");
    assert!(pip.success(), "pip still works: {stderr}");
    assert!(
        site.join("packaging_x-1.0.dist-info").exists(),
        "gunicorn's dependency stays"
    );
}

#[test]
fn a_virtualenv_made_env_is_pruned_not_wiped() {
    let (d, target) = server_pruning("gone\nkept\n", false);
    let env = target.join("env");
    // virtualenv (piku's) writes version_info instead of version.
    let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).expect("cfg");
    let version = cfg
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .expect("version")
        .to_string();
    let rewritten: String = cfg
        .lines()
        .filter(|l| !l.starts_with("version = "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(
        env.join("pyvenv.cfg"),
        format!("{rewritten}version_info = {version}.final.0\n"),
    )
    .expect("cfg");
    let site = site_packages(&env);
    install_by_hand(&site, "gone", &["gone/__init__.py"]);
    install_by_hand(&site, "kept", &["kept/__init__.py"]);
    d.clone.write("requirements.txt", "kept\n");
    d.clone.commit("Drop gone");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        Filters::new().deployment(&d).path(&target, "TARGET").venv(),
        "server_prune_virtualenv_made_env",
        envguard_lines(&stderr)
    );
    assert!(
        env.join("pyvenv.cfg").exists() && site.join("kept").exists(),
        "{stderr}"
    );
}

/// What a generated case puts beside the required packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Beside {
    /// A second distribution listing the files of a required one (`twin`).
    Twin,
    /// A distribution whose package folder links to a sentinel folder outside the env.
    Link,
    /// Nothing: a plain prune.
    Nothing,
}

/// One generated case: the dependency graph of the six packages (an edge from each name to
/// a later one, so no cycles), the requirements before and after the push, and which
/// required package the twin copies.
#[derive(Debug, Clone)]
struct PruneCase {
    edges: Vec<bool>,
    first: Vec<bool>,
    second: Vec<bool>,
    twin_of: usize,
}

const NAMES: [&str; 6] = ["pa", "pb", "pc", "pd", "pe", "pf"];

impl PruneCase {
    fn strategy() -> impl proptest::strategy::Strategy<Value = PruneCase> {
        use proptest::prelude::*;
        let pairs = NAMES.len() * (NAMES.len() - 1) / 2;
        (
            proptest::collection::vec(proptest::bool::weighted(0.3), pairs),
            proptest::collection::vec(any::<bool>(), NAMES.len()),
            proptest::collection::vec(any::<bool>(), NAMES.len()),
            0..NAMES.len(),
        )
            .prop_map(|(edges, first, second, twin_of)| PruneCase {
                edges,
                first,
                second,
                twin_of,
            })
    }

    /// `name:dep|dep` specs for `make-wheels.py`.
    fn specs(&self) -> Vec<String> {
        let mut edge = self.edges.iter();
        NAMES
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let deps: Vec<&str> = NAMES[i + 1..]
                    .iter()
                    .copied()
                    .filter(|_| edge.next().copied().unwrap_or(false))
                    .collect();
                if deps.is_empty() {
                    (*name).to_string()
                } else {
                    format!("{name}:{}", deps.join("|"))
                }
            })
            .collect()
    }

    /// A requirements file of the chosen names (the first name when none is chosen).
    fn requirements(chosen: &[bool]) -> String {
        let names: Vec<&str> = NAMES
            .iter()
            .zip(chosen)
            .filter_map(|(n, c)| c.then_some(*n))
            .collect();
        let names = if names.is_empty() {
            vec![NAMES[0]]
        } else {
            names
        };
        names.iter().map(|n| format!("{n}\n")).collect()
    }
}

/// The rule on generated envs and pushes (proptest, with shrinking): packages with generated
/// dependencies (real wheels, real pip), with a second distribution listing the same files
/// as a required one, or one whose package folder is a link to a sentinel folder outside the
/// env, or neither. After the push (the server prunes, or wipes where it cannot be exact)
/// and the deployment's pip install, the env holds exactly what a fresh venv gets from the
/// same requirements and wheels, every required package imports, and the sentinel is byte
/// for byte unchanged. Each kind runs its own cases, so every kind is always covered; the
/// runner's generator is seeded, so a run is repeatable.
#[test]
fn after_prune_and_deploy_the_env_is_a_fresh_install_and_nothing_outside_changed() {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    for beside in [Beside::Twin, Beside::Link, Beside::Nothing] {
        let config = Config {
            cases: 2,
            max_shrink_iters: 16,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
        let result = runner.run(&PruneCase::strategy(), |case| {
            prune_and_deploy(&case, beside).map_err(proptest::test_runner::TestCaseError::fail)
        });
        if let Err(e) = result {
            panic!("{beside:?}: {e}");
        }
    }
}

/// One case of the rule: `Err` says what differs.
fn prune_and_deploy(case: &PruneCase, beside: Beside) -> Result<(), String> {
    let specs = case.specs();
    let first = PruneCase::requirements(&case.first);
    let second = PruneCase::requirements(&case.second);
    let (d, target) = server_pruning(&first, false);
    let wheels = d.server.scratch("wheels");
    crate::support::make_wheels(&wheels, &specs);
    let env = target.join("env");
    crate::support::pip_install(&env, &wheels, &first);
    let site = site_packages(&env);
    let required: Vec<&str> = first.lines().collect();
    let of = required[case.twin_of % required.len()];
    if beside == Beside::Twin {
        install_by_hand(&site, "twin", &[&format!("{of}/__init__.py")]);
    }
    let sentinel = d.server.scratch("sentinel");
    std::fs::create_dir_all(sentinel.join("__pycache__")).expect("pycache");
    std::fs::write(sentinel.join("__init__.py"), "precious = True\n").expect("file");
    std::fs::write(sentinel.join("__pycache__/x.pyc"), b"\x00cache").expect("pyc");
    if beside == Beside::Link {
        std::os::unix::fs::symlink(&sentinel, site.join("linked")).expect("link");
        install_by_hand(&site, "linked", &["linked/__init__.py"]);
    }
    let outside = snapshot(&sentinel);

    d.clone.write("requirements.txt", &second);
    d.clone.commit("New requirements");
    let (code, stderr) = d.push(&["origin", "master"]);
    let case = format!("{specs:?}, {first:?} -> {second:?}, {beside:?} (of {of})");
    if code != 0 {
        return Err(format!("{case}: the push failed: {stderr}"));
    }
    // The deployment: a new env when it was wiped, then pip.
    if !env.join("bin/python").exists() {
        crate::support::new_venv(&env);
    }
    crate::support::pip_install(&env, &wheels, &second);
    if snapshot(&sentinel) != outside {
        return Err(format!("{case}: outside the env changed: {stderr}"));
    }
    let (have, fresh) = (
        crate::support::dists(&env),
        crate::support::fresh_install(&wheels, &second),
    );
    if have != fresh {
        return Err(format!(
            "{case}: {have:?} is no fresh install {fresh:?}: {stderr}"
        ));
    }
    for name in second.lines() {
        let imports = crate::support::command(env.join("bin/python"), &target)
            .args(["-c", &format!("import {name}")])
            .status()
            .expect("python");
        if !imports.success() {
            return Err(format!("{case}: import {name} fails: {stderr}"));
        }
    }
    Ok(())
}

/// A requirement from a VCS branch: pip keeps the installed revision however far the branch
/// moved, on every platform that reuses the env. The client names it on the push; the server
/// prune uninstalls it on every update, so the deployment installs the branch's revision of
/// now (a pinned commit id is left alone).
#[test]
fn a_vcs_branch_requirement_is_reinstalled_by_the_prune() {
    let requirements = "vcspkg @ git+https://example.invalid/vcspkg@main\npinned @ git+https://example.invalid/pinned@0123456789abcdef0123456789abcdef01234567\n-e git+https://example.invalid/edpkg@main#egg=edpkg\n";
    let (d, target) = server_pruning(requirements, false);
    let site = site_packages(&target.join("env"));
    install_by_hand(&site, "vcspkg", &["vcspkg/__init__.py"]);
    install_by_hand(&site, "pinned", &["pinned/__init__.py"]);
    install_by_hand(&site, "edpkg", &["edpkg/__init__.py"]);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    d.clone.git(&["config", "envguard.platform", "self-hosted"]);
    d.clone.write("app.py", "print(2)\n");
    d.clone.write(
        "requirements.txt",
        format!("{requirements}# the app changed\n"),
    );
    d.clone.commit("Only the app");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    // Named: the branch requirement only; pip reinstalls an editable requirement on every
    // install (nothing to say or prune), and a pinned commit never moves.
    text_snapshot!(
        Filters::new().deployment(&d).path(&target, "TARGET").venv(),
        "server_prune_vcs_branch",
        envguard_lines(&stderr)
    );
    assert!(site.join("edpkg-1.0.dist-info").is_dir(), "{stderr}");
    assert!(
        stderr.contains("pruned 1 distribution(s)") && stderr.contains(": vcspkg"),
        "{stderr}"
    );
    assert!(site.join("pinned-1.0.dist-info").is_dir(), "{stderr}");
}
