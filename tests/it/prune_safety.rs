//! The server prune deletes only what is stale: never a file outside the env (a symbolic
//! link out of it is not followed), never a file a kept distribution lists, never the
//! installer; it reads virtualenv's `version_info`; a second look after the uninstall.
//! Real venvs (`python3 -m venv`), real git pushes, envguard's real post-receive hook.

use std::path::{Path, PathBuf};

use crate::support::Deployment;

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

fn site_packages(env: &Path) -> PathBuf {
    std::fs::read_dir(env.join("lib"))
        .expect("lib")
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .expect("site-packages")
}

/// Writes an installed distribution by hand: its dist-info (METADATA, RECORD) listing
/// `files` (relative to site-packages), and the files themselves unless they exist.
fn install_by_hand(site: &Path, name: &str, files: &[&str]) {
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
    assert!(
        stderr.contains("a link out of the env") && stderr.contains("wiping instead"),
        "{stderr}"
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
    assert!(stderr.contains("pruned 1 distribution(s)"), "{stderr}");
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
    assert!(
        stderr.contains("pruned 1 distribution(s)") && stderr.contains("app-dep"),
        "{stderr}"
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
    assert!(stderr.contains("pruned 1 distribution(s)"), "{stderr}");
    assert!(
        env.join("pyvenv.cfg").exists() && site.join("kept").exists(),
        "{stderr}"
    );
}

/// The rule on generated envs and pushes: packages with generated dependencies (real wheels,
/// real pip), sometimes a second distribution listing the same files as a required one, and
/// sometimes one whose package folder is a link to a sentinel folder outside the env. After
/// the push (the server prunes, or wipes where it cannot be exact) and the deployment's pip
/// install, the env holds exactly what a fresh venv gets from the same requirements and
/// wheels, every required package imports, and the sentinel is byte for byte unchanged.
#[test]
fn after_prune_and_deploy_the_env_is_a_fresh_install_and_nothing_outside_changed() {
    const CASES: u64 = 6;
    const NAMES: [&str; 6] = ["pa", "pb", "pc", "pd", "pe", "pf"];
    // How many cases had a twin, a link out of the env, and neither (a plain prune).
    let (mut twins, mut links, mut plain) = (0, 0, 0);
    for seed in 0..CASES {
        let mut g = crate::support::Gen::seeded(0x5eed_0000 + seed);
        // Dependencies only on later names: no cycles.
        let specs: Vec<String> = NAMES
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let deps: Vec<&str> = NAMES[i + 1..]
                    .iter()
                    .copied()
                    .filter(|_| g.chance(30))
                    .collect();
                if deps.is_empty() {
                    (*name).to_string()
                } else {
                    format!("{name}:{}", deps.join("|"))
                }
            })
            .collect();
        let pick = |g: &mut crate::support::Gen| -> String {
            let chosen: Vec<&str> = NAMES.iter().copied().filter(|_| g.chance(50)).collect();
            let chosen = if chosen.is_empty() {
                vec![NAMES[0]]
            } else {
                chosen
            };
            chosen.iter().map(|n| format!("{n}\n")).collect()
        };
        let first = pick(&mut g);
        let second = pick(&mut g);
        let (d, target) = server_pruning(&first, false);
        let wheels = d.server.scratch("wheels");
        crate::support::make_wheels(&wheels, &specs);
        let env = target.join("env");
        crate::support::pip_install(&env, &wheels, &first);
        let site = site_packages(&env);
        let required: Vec<&str> = first.lines().collect();
        let twin = g.chance(50).then(|| required[g.below(required.len())]);
        if let Some(of) = twin {
            install_by_hand(&site, "twin", &[&format!("{of}/__init__.py")]);
        }
        let sentinel = d.server.scratch("sentinel");
        std::fs::create_dir_all(sentinel.join("__pycache__")).expect("pycache");
        std::fs::write(sentinel.join("__init__.py"), "precious = True\n").expect("file");
        std::fs::write(sentinel.join("__pycache__/x.pyc"), b"\x00cache").expect("pyc");
        let linked = g.chance(40);
        if linked {
            std::os::unix::fs::symlink(&sentinel, site.join("linked")).expect("link");
            install_by_hand(&site, "linked", &["linked/__init__.py"]);
        }
        let outside = snapshot(&sentinel);

        d.clone.write("requirements.txt", &second);
        d.clone.commit("New requirements");
        let (code, stderr) = d.push(&["origin", "master"]);
        let case = format!(
            "seed {seed}: {specs:?}, {first:?} -> {second:?}, twin of {twin:?}, linked {linked}"
        );
        assert_eq!(code, 0, "{case}: {stderr}");
        // The deployment: a new env when it was wiped, then pip.
        if !env.join("bin/python").exists() {
            crate::support::new_venv(&env);
        }
        crate::support::pip_install(&env, &wheels, &second);
        assert_eq!(
            snapshot(&sentinel),
            outside,
            "{case}: outside the env: {stderr}"
        );
        assert_eq!(
            crate::support::dists(&env),
            crate::support::fresh_install(&wheels, &second),
            "{case}: {stderr}"
        );
        for name in second.lines() {
            let imports = crate::support::command(env.join("bin/python"), &target)
                .args(["-c", &format!("import {name}")])
                .status()
                .expect("python");
            assert!(imports.success(), "{case}: import {name}: {stderr}");
        }
        twins += usize::from(twin.is_some());
        links += usize::from(linked);
        plain += usize::from(twin.is_none() && !linked);
    }
    // The seeds reach every kind of env, or the property shows less than it says.
    assert!(
        twins > 0 && links > 0 && plain > 0,
        "{twins} with a twin, {links} with a link, {plain} plain"
    );
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
    assert!(
        stderr.contains("note: vcspkg installs from a VCS branch or tag")
            && stderr.contains("when the branch or tag moves"),
        "{stderr}"
    );
    assert!(!stderr.contains("note: pinned"), "{stderr}");
    // pip reinstalls an editable requirement on every install: nothing to say or prune.
    assert!(!stderr.contains("note: edpkg"), "{stderr}");
    assert!(site.join("edpkg-1.0.dist-info").is_dir(), "{stderr}");
    assert!(
        stderr.contains("pruned 1 distribution(s)") && stderr.contains(": vcspkg"),
        "{stderr}"
    );
    assert!(site.join("pinned-1.0.dist-info").is_dir(), "{stderr}");
}
