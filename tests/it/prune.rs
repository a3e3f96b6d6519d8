//! The surgical prune (`envguard.serverAction = prune`) on real virtualenvs: after a removal
//! push the env holds exactly what a fresh install of the same requirements from the same
//! wheels holds, without being recreated; and where that cannot be decided safely, a wipe.

use std::collections::BTreeSet;

use crate::support::kudu_api::{ApiSettings, KuduApi, use_api};
use crate::support::{Deployment, Filters, KuduSite, dists, envguard_lines};
use crate::{cmd_snapshot, text_snapshot};

/// The wheels of these tests, into the site's find-links folder: `web` needs `core` and,
/// with its `fast` extra, `speedups`; `gone` needs `gonedep` and `core`.
fn more_wheels(site: &KuduSite) {
    crate::support::make_wheels(
        &site.wheels,
        &[
            "web:core|speedups ; extra == \"fast\"",
            "core",
            "speedups",
            "gone:gonedep|core",
            "gonedep",
            "old",
        ],
    );
}

/// What a fresh venv gets from `requirements` and the site's wheels.
fn fresh_install(site: &KuduSite, requirements: &str) -> BTreeSet<String> {
    crate::support::fresh_install(&site.wheels, requirements)
}

/// A Kudu-like deployment whose server hook prunes `wwwroot/env`, deployed once with
/// `first` as requirements.
fn pruning_site(first: &str) -> (Deployment, KuduSite) {
    let (d, site) =
        Deployment::kudu(&[("requirements.txt", "a\n"), ("runtime.txt", "python-3.6\n")]);
    more_wheels(&site);
    d.clone.git(&["config", "envguard.mode", "off"]);
    d.clone.write("requirements.txt", first);
    d.clone.commit("The app's requirements");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    d.server.install_server_hook(&site.wwwroot);
    d.server.git(&["config", "envguard.serverAction", "prune"]);
    (d, site)
}

#[test]
fn prune_leaves_exactly_what_a_fresh_install_has_without_recreating_env() {
    let (d, site) = pruning_site("web[fast]\ngone\nold\na\n");
    let env = site.wwwroot.join("env");
    assert_eq!(
        dists(&env),
        ["a", "core", "gone", "gonedep", "old", "speedups", "web"]
            .map(String::from)
            .into()
    );
    let before = site.env_identity();
    // Drop gone, the extra fast, and `old` by a marker that excludes this Python.
    let after = "web\na\nold ; python_version < \"3\"\n";
    d.clone.write("requirements.txt", after);
    d.clone.commit("Ask for less");
    // Before the push, `env diff` tells the deployed env is stale, and with what.
    let env_arg = env.display().to_string();
    let filters = Filters::new().deployment(&d).path(&site.dir, "SITE").venv();
    cmd_snapshot!(
        filters,
        "env_diff_stale",
        d.clone.envguard(&["env", "diff", &env_arg, "HEAD"])
    );
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(filters, "server_prune", envguard_lines(&stderr));
    assert_eq!(site.env_identity(), before, "env was not recreated");
    assert_eq!(
        dists(&env),
        fresh_install(&site, after),
        "the same set as a fresh install"
    );
    assert!(
        dists(&env).contains("core"),
        "a dependency still needed by web stays"
    );
    assert!(site.imports("web") && site.imports("core") && !site.imports("gone"));
    cmd_snapshot!(
        filters,
        "env_diff_exact",
        d.clone.envguard(&["env", "diff", &env_arg])
    );
    // A revision that names no commit is a usage error, as for `check`; requirements with
    // errors give no set to compare with: said, never "exact".
    cmd_snapshot!(
        filters,
        "env_diff_unknown_revision",
        d.clone
            .envguard(&["env", "diff", &env_arg, "no-such-branch"])
    );
    d.clone
        .write("requirements.txt", "web\nalpha==\n-r missing.txt\n");
    d.clone.commit("Break the requirements");
    cmd_snapshot!(
        filters,
        "env_diff_invalid_requirements",
        d.clone.envguard(&["env", "diff", &env_arg])
    );
}

#[test]
fn a_changed_source_is_reinstalled_and_what_cannot_be_attributed_is_wiped() {
    let (d, site) = pruning_site("web\na\n");
    // `a` from a file URL instead of the index: uninstalled, then installed from there.
    let wheel = site.wheels.join("a-1.0-py3-none-any.whl");
    d.clone.write(
        "requirements.txt",
        format!("web\na @ file://{}\n", wheel.display()),
    );
    d.clone.commit("a from a file");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(site.imports("a"), "reinstalled by the deployment: {stderr}");
    let filters = Filters::new()
        .deployment(&d)
        .path(&site.dir, "SITE")
        .venv()
        .text(r"\.envguard-trash-[A-Za-z0-9._-]+", ".envguard-trash-[ID]");
    // One distribution pruned: a.
    text_snapshot!(
        filters,
        "server_prune_changed_source",
        envguard_lines(&stderr)
    );
    // A .pth file envguard cannot attribute: the env is wiped instead, saying why.
    let lib = std::fs::read_dir(site.wwwroot.join("env/lib"))
        .expect("lib")
        .flatten()
        .next()
        .expect("python dir");
    std::fs::write(lib.path().join("site-packages/custom.pth"), "/somewhere\n").expect("pth");
    let before = site.env_identity();
    d.clone.write("requirements.txt", "web\n");
    d.clone.commit("Drop a");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        filters,
        "server_prune_cannot_attribute",
        envguard_lines(&stderr)
    );
    assert_ne!(site.env_identity(), before, "wiped and rebuilt");
    assert!(!site.imports("a") && site.imports("web"));
}

/// A venv at the Linux site's `site/wwwroot/antenv`, as KuduScript's bash deployment makes
/// it (without pip here; the command API runs this machine's pip for it).
fn antenv_on(site: &KuduSite) -> std::path::PathBuf {
    let antenv = site.wwwroot.join("antenv");
    crate::support::run_ok(
        crate::support::command("python3", &site.dir)
            .args(["-m", "venv", "--without-pip"])
            .arg(&antenv),
    );
    antenv
}

/// Deploys the clone's commit (no hook), then makes the site a Linux one behind the API
/// stand-in, with the clone set to `kudu-linux` and `remote-prune`.
fn remote_pruning_linux_site(d: &Deployment, site: &KuduSite) -> KuduApi {
    d.clone
        .git(&["push", "-q", "--no-verify", "origin", "master"]);
    let api = KuduApi::start(ApiSettings {
        linux: true,
        ..ApiSettings::new(&site.wwwroot)
    });
    let settings = ApiSettings::new(&site.wwwroot);
    use_api(&d.clone, &api.url, &settings.user, &settings.password);
    d.clone.git(&["config", "envguard.platform", "kudu-linux"]);
    d.clone.git(&["config", "envguard.mode", "remote-prune"]);
    api
}

#[test]
fn remote_prune_on_a_linux_site_leaves_what_a_fresh_install_has() {
    let (d, site) =
        Deployment::kudu(&[("requirements.txt", "a\n"), ("runtime.txt", "python-3.6\n")]);
    more_wheels(&site);
    // The site's antenv, as KuduScript's bash deployment left it for `web[fast]` and `gone`.
    let antenv = antenv_on(&site);
    crate::support::run_ok(
        crate::support::command("python3", &site.dir)
            .args(["-m", "pip", "--python"])
            .arg(antenv.join("bin/python"))
            .args(["install", "--quiet", "--no-index", "--find-links"])
            .arg(&site.wheels)
            .args(["web[fast]", "gone"])
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
    );
    d.clone.write("requirements.txt", "web[fast]\ngone\n");
    d.clone.commit("The app's requirements");
    let api = remote_pruning_linux_site(&d, &site);
    d.clone.write("requirements.txt", "web\n");
    let tip = d.clone.commit("Drop gone and the extra");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(dists(&antenv), fresh_install(&site, "web\n"));
    assert_eq!(d.server_rev("master"), tip, "one ordinary push");
    assert_eq!(api.deletions(), 1, "one pip uninstall, no folder deleted");
    // The three pruned (gone, gonedep, speedups), and what a failure from here on leaves.
    let filters = Filters::new()
        .deployment(&d)
        .path(&site.dir, "SITE")
        .literal(&api.url, "API")
        .venv();
    text_snapshot!(filters, "hook_remote_prune_linux", envguard_lines(&stderr));

    // Two deploy branches in one push: the site deploys one of them, and a prune by the
    // other's requirements would uninstall what the deployed one needs. envguard asks the
    // site which one it deploys (master: no DEPLOYMENT_BRANCH) and prunes by that one's.
    d.clone
        .git(&["config", "--add", "envguard.branch", "master"]);
    d.clone
        .git(&["config", "--add", "envguard.branch", "release"]);
    d.clone.git(&["branch", "release", "master"]);
    d.clone.write("requirements.txt", "core\n");
    d.clone.commit("Only core on master");
    let (code, stderr) = d.push(&["origin", "master", "release"]);
    assert_eq!(code, 0, "{stderr}");
    // Pruned by master's requirements: web.
    text_snapshot!(
        filters,
        "hook_remote_prune_two_deploy_branches",
        envguard_lines(&stderr)
    );
    assert_eq!(dists(&antenv), fresh_install(&site, "core\n"), "{stderr}");
}

/// An upgrade in the push: `web` 1.0 needs `core`, 2.0 does not. The installed metadata is
/// 1.0's, so a prune would keep `core`; envguard says why it cannot prune and wipes, and
/// after the deployment the env is exactly a fresh install (no `core`, no `old`).
#[test]
fn an_upgrade_in_the_push_wipes_and_the_env_ends_exact() {
    let (d, site) = pruning_site("web==1.0\nold\na\n");
    crate::support::make_wheels(&site.wheels, &["web==2.0"]);
    let env = site.wwwroot.join("env");
    assert!(dists(&env).contains("core"));
    let after = "web==2.0\na\n";
    d.clone.write("requirements.txt", after);
    d.clone.commit("Upgrade web, drop old");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    // Why it cannot prune (web 1.0 installed, ==2.0 asked for), and that it wipes instead.
    text_snapshot!(
        Filters::new()
            .deployment(&d)
            .path(&site.dir, "SITE")
            .venv()
            .text(r"\.envguard-trash-[A-Za-z0-9._-]+", ".envguard-trash-[ID]"),
        "server_prune_upgrade_wipes",
        envguard_lines(&stderr)
    );
    assert_eq!(dists(&env), fresh_install(&site, after), "{stderr}");
    assert!(!dists(&env).contains("core"), "{stderr}");
    let env_arg = env.display().to_string();
    let out = d.clone.envguard(&["env", "diff", &env_arg]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

/// A distribution name read from the site's METADATA goes near the command API only when it
/// is a PEP 503 name: one named `evil;touch pwned` is never sent (nor run), and the prune
/// falls back to the wipe, saying why.
#[test]
fn a_hostile_name_on_the_site_never_reaches_the_command() {
    let (d, site) =
        Deployment::kudu(&[("requirements.txt", "a\n"), ("runtime.txt", "python-3.6\n")]);
    let antenv = antenv_on(&site);
    let site_packages = crate::support::site_packages(&antenv);
    for (folder, name) in [
        ("evil-1.0.dist-info", "evil;touch pwned"),
        ("gone-1.0.dist-info", "gone"),
    ] {
        let info = site_packages.join(folder);
        std::fs::create_dir_all(&info).expect("dist-info");
        std::fs::write(
            info.join("METADATA"),
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"),
        )
        .expect("METADATA");
        std::fs::write(info.join("RECORD"), format!("{folder}/METADATA,,\n")).expect("RECORD");
    }
    d.clone.write("requirements.txt", "gone\n");
    d.clone.commit("The app's requirements");
    let api = remote_pruning_linux_site(&d, &site);
    d.clone.write("requirements.txt", "\n");
    d.clone.commit("Drop gone");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    let sent: Vec<String> = api.seen().into_iter().map(|s| s.body).collect();
    assert!(
        sent.iter()
            .all(|body| !body.contains("evil") && !body.contains("pwned")),
        "{sent:?}"
    );
    assert!(!site.dir.join("pwned").exists() && !site.wwwroot.join("pwned").exists());
    // It cannot prune, says why, and wipes instead.
    text_snapshot!(
        Filters::new()
            .deployment(&d)
            .path(&site.dir, "SITE")
            .literal(&api.url, "API")
            .venv(),
        "hook_remote_prune_hostile_name",
        envguard_lines(&stderr)
    );
}
