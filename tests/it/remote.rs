//! The env wipe on the platform itself: `envguard wipe --remote` and the pre-push hook's
//! `remote-wipe` mode, against a local stand-in of Kudu's REST API (basic auth, a real
//! directory deleted on disk) and real pushes into a bare remote.

use std::path::{Path, PathBuf};

use crate::support::kudu_api::{ApiSettings, KuduApi, dead_url};
use crate::support::{Deployment, Filters, Repo, envguard_lines};
use crate::{cmd_snapshot, text_snapshot};

const APP: &[(&str, &str)] = &[
    ("requirements.txt", "a\nb\nc\n"),
    ("runtime.txt", "python-3.6\n"),
    ("app.py", "print('hi')\n"),
];

/// A deployment in `remote-wipe` mode whose site (`wwwroot`, holding an `env`) is served by
/// the stand-in API, and whose server records, when a push's ref updates arrive, whether
/// `env` still existed.
pub(crate) struct Site {
    pub(crate) d: Deployment,
    pub(crate) wwwroot: PathBuf,
    _holder: tempfile::TempDir,
}

impl Site {
    pub(crate) fn new() -> Site {
        let d = Deployment::new(APP);
        let holder = tempfile::tempdir().expect("tempdir");
        let wwwroot = holder.path().join("wwwroot");
        std::fs::create_dir_all(wwwroot.join("env/lib/b")).expect("env");
        std::fs::write(wwwroot.join("env/pyvenv.cfg"), "home = /usr/bin\n").expect("cfg");
        std::fs::write(wwwroot.join("env/lib/b/__init__.py"), "").expect("b");
        crate::support::write_hook(
            &d.server.path.join("hooks"),
            "pre-receive",
            &format!(
                "#!/bin/sh\ncat >/dev/null\nif [ -d '{0}/env' ]; then echo present; else echo absent; fi >> envstate.log\n",
                wwwroot.display()
            ),
        );
        d.clone.git(&["config", "envguard.mode", "remote-wipe"]);
        d.clone.git(&["config", "envguard.remoteAttempts", "2"]);
        Site {
            d,
            wwwroot,
            _holder: holder,
        }
    }

    /// Points envguard at `url` with credentials kept by git's `store` helper.
    pub(crate) fn use_api(&self, url: &str, user: &str, password: &str) {
        crate::support::kudu_api::use_api(&self.d.clone, url, user, password);
    }

    pub(crate) fn env(&self) -> PathBuf {
        self.wwwroot.join("env")
    }

    /// What the server's pre-receive saw of env, one word per push that reached it.
    fn env_states(&self) -> Vec<String> {
        std::fs::read_to_string(self.d.server.path.join("envstate.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The filters of a snapshot on this site, with the API at `url`.
    pub(crate) fn filters(&self, url: &str) -> Filters {
        Filters::new()
            .deployment(&self.d)
            .path(self._holder.path(), "SITE")
            .literal(url, "API")
    }

    pub(crate) fn drop_b(&self) -> String {
        self.d.clone.write("requirements.txt", "a\nc\n");
        self.d.clone.commit("Drop b")
    }
}

fn assert_no_secret(output: &str, settings: &ApiSettings) {
    assert!(
        !output.contains(&settings.password) && !output.contains("wrong-Pa55"),
        "a password was printed:\n{output}"
    );
}

#[test]
fn remote_wipe_push_deletes_env_once_before_the_branch_update() {
    let site = Site::new();
    let settings = ApiSettings::new(&site.wwwroot);
    let api = KuduApi::start(settings.clone());
    site.use_api(&api.url, &settings.user, &settings.password);
    let old_server = site.d.server_rev("master");
    let tip = site.drop_b();

    let (code, stderr) = site.d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert_no_secret(&stderr, &settings);
    cmd_snapshot!(
        site.filters(&api.url).commit(&tip, "TIP"),
        "hook_remote_wipe",
        (code, stderr)
    );
    assert!(!site.env().exists(), "env is gone");
    assert_eq!(api.deletions(), 1, "{:?}", api.seen());
    let deletes: Vec<_> = api
        .seen()
        .into_iter()
        .filter(|s| s.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert_eq!(deletes[0].path, "/api/vfs/site/wwwroot/env/?recursive=true");
    // The pre-receive of this push already found env gone: the wipe came first.
    assert_eq!(site.env_states(), vec!["absent"]);
    // A plain push: the tip itself, no toggle commits.
    assert_eq!(site.d.server_rev("master"), tip);
    assert_ne!(old_server, tip);

    // A push without a trigger sends nothing to the API.
    std::fs::create_dir_all(site.env()).expect("env again");
    let before = api.seen().len();
    site.d.clone.write("app.py", "print('hello')\n");
    site.d.clone.commit("Greet");
    let (code, stderr) = site.d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        envguard_lines(&stderr),
        "",
        "quiet when all is well: {stderr}"
    );
    assert_eq!(api.seen().len(), before);
    assert!(site.env().exists());
}

#[test]
fn wrong_credentials_refuse_the_push_and_name_the_helper() {
    let site = Site::new();
    let settings = ApiSettings::new(&site.wwwroot);
    let api = KuduApi::start(settings.clone());
    site.use_api(&api.url, &settings.user, "wrong-Pa55");
    let old_server = site.d.server_rev("master");
    site.drop_b();

    let (code, stderr) = site.d.push(&["origin", "master"]);
    assert_no_secret(&stderr, &settings);
    cmd_snapshot!(
        site.filters(&api.url),
        "hook_remote_wipe_wrong_credentials",
        (code, stderr)
    );
    assert!(site.env().join("pyvenv.cfg").exists(), "env untouched");
    assert_eq!(api.deletions(), 0);
    assert_eq!(site.d.server_rev("master"), old_server, "nothing pushed");
    assert!(
        site.env_states().is_empty(),
        "the push never reached the server"
    );
}

#[test]
fn server_down_refuses_the_push_and_deletes_nothing() {
    let site = Site::new();
    let settings = ApiSettings::new(&site.wwwroot);
    let url = dead_url();
    site.use_api(&url, &settings.user, &settings.password);
    let old_server = site.d.server_rev("master");
    site.drop_b();

    let (code, stderr) = site.d.push(&["origin", "master"]);
    assert_no_secret(&stderr, &settings);
    cmd_snapshot!(
        site.filters(&url),
        "hook_remote_wipe_site_down",
        (code, stderr)
    );
    assert!(site.env().join("pyvenv.cfg").exists());
    assert_eq!(site.d.server_rev("master"), old_server);
}

#[test]
fn a_refused_vfs_delete_falls_back_to_the_command_api() {
    let site = Site::new();
    let settings = ApiSettings {
        vfs_refuses: Some(409),
        ..ApiSettings::new(&site.wwwroot)
    };
    let api = KuduApi::start(settings.clone());
    site.use_api(&api.url, &settings.user, &settings.password);
    site.drop_b();

    cmd_snapshot!(
        site.filters(&api.url),
        "hook_remote_wipe_command_api",
        site.d.push(&["origin", "master"])
    );
    assert!(!site.env().exists());
    let seen = api.seen();
    let summary: Vec<String> = seen
        .iter()
        .map(|s| format!("{} {} {}", s.method, s.path, s.status))
        .collect();
    assert_eq!(
        summary,
        vec![
            // Which branch the site deploys, asked when acting.
            "GET /api/settings 200",
            "DELETE /api/vfs/site/wwwroot/env/?recursive=true 409",
            // Is it there? A folder that is not needs no command.
            "GET /api/vfs/site/wwwroot/env/ 200",
            "POST /api/command 200",
            "GET /api/vfs/site/wwwroot/env/ 404",
        ],
        "{seen:?}"
    );
    assert_eq!(api.deletions(), 1);
    assert_eq!(site.env_states(), vec!["absent"]);
}

#[test]
fn transient_errors_are_retried() {
    let site = Site::new();
    let settings = ApiSettings {
        transient_failures: 1,
        ..ApiSettings::new(&site.wwwroot)
    };
    let api = KuduApi::start(settings.clone());
    site.use_api(&api.url, &settings.user, &settings.password);
    let requests = |api: &KuduApi| {
        api.seen()
            .iter()
            .map(|s| format!("{} {}", s.method, s.status))
            .collect::<Vec<_>>()
    };
    let out = site.d.clone.envguard(&["wipe", "--remote", "origin"]);
    assert!(out.status.success(), "{out:?}");
    // After a 5xx the delete may still run on the site: a GET first, then a second delete
    // only because the folder is still there.
    assert_eq!(requests(&api), vec!["DELETE 503", "GET 200", "DELETE 200"]);
    assert!(!site.env().exists());
}

#[test]
fn a_delete_cut_off_by_the_front_end_is_checked_not_resent() {
    let site = Site::new();
    let settings = ApiSettings {
        gateway_timeout_after_delete: true,
        ..ApiSettings::new(&site.wwwroot)
    };
    let api = KuduApi::start(settings.clone());
    site.use_api(&api.url, &settings.user, &settings.password);
    let out = site.d.clone.envguard(&["wipe", "--remote", "origin"]);
    assert!(out.status.success(), "{out:?}");
    let requests: Vec<String> = api
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.status))
        .collect();
    assert_eq!(requests, vec!["DELETE 502", "GET 404"]);
    assert!(!site.env().exists());
}

#[test]
fn no_answer_is_a_timeout_with_a_clear_message() {
    let site = Site::new();
    let settings = ApiSettings {
        hang: true,
        ..ApiSettings::new(&site.wwwroot)
    };
    let api = KuduApi::start(settings.clone());
    site.use_api(&api.url, &settings.user, &settings.password);
    site.d.clone.git(&["config", "envguard.remoteTimeout", "1"]);
    site.drop_b();
    cmd_snapshot!(
        site.filters(&api.url),
        "hook_remote_wipe_timeout",
        site.d.push(&["origin", "master"])
    );
    assert!(site.env().exists());
}

#[test]
fn wipe_command_dry_run_and_missing_env() {
    let site = Site::new();
    let settings = ApiSettings::new(&site.wwwroot);
    let api = KuduApi::start(settings.clone());
    site.use_api(&api.url, &settings.user, &settings.password);
    let clone: &Repo = &site.d.clone;

    let filters = site.filters(&api.url);
    cmd_snapshot!(
        filters,
        "hook_status_remote_wipe",
        clone.envguard(&["hook", "status"])
    );
    cmd_snapshot!(
        filters,
        "wipe_remote_dry_run",
        clone.envguard(&["wipe", "--remote", "--dry-run"])
    );
    assert!(api.seen().is_empty(), "a dry run sends nothing");
    assert!(site.env().exists());

    cmd_snapshot!(
        filters,
        "wipe_remote",
        clone.envguard(&["wipe", "--remote"])
    );
    assert!(!site.env().exists());
    cmd_snapshot!(
        filters,
        "wipe_remote_nothing_to_delete",
        clone.envguard(&["wipe", "--remote", "origin"])
    );
    assert_eq!(api.deletions(), 1);

    // A wrong site path is not mistaken for a missing env.
    clone.git(&["config", "envguard.sitePath", "site/elsewhere"]);
    cmd_snapshot!(
        filters,
        "wipe_remote_wrong_site_path",
        clone.envguard(&["wipe", "--remote", "origin"])
    );

    // Neither a traversal in the env folder nor an unknown remote is sent anywhere.
    clone.git(&["config", "--unset", "envguard.sitePath"]);
    let before = api.seen().len();
    cmd_snapshot!(
        filters,
        "wipe_remote_traversal",
        clone.envguard(&["wipe", "--remote", "origin", "--env-dir", "../.."])
    );
    let out = clone.envguard(&["wipe", "--remote", "nosuch"]);
    cmd_snapshot!(filters, "wipe_remote_unknown_remote", out);
    assert_eq!(api.seen().len(), before);
    assert_no_secret(&String::from_utf8_lossy(&out.stderr), &settings);
}

#[test]
fn remote_wipe_gives_a_real_deployment_a_fresh_env() {
    let (d, kudu) = Deployment::kudu(APP);
    assert!(kudu.imports("b"));
    let settings = ApiSettings::new(&kudu.wwwroot);
    let api = KuduApi::start(settings.clone());
    let site = Site {
        d,
        wwwroot: kudu.wwwroot.clone(),
        _holder: tempfile::tempdir().expect("tempdir"),
    };
    site.d
        .clone
        .git(&["config", "envguard.mode", "remote-wipe"]);
    site.use_api(&api.url, &settings.user, &settings.password);
    let tip = site.drop_b();
    // `envguard push`: git's push, then what the deployment did, from the deployment API.
    let out = site.d.clone.envguard(&["push", "origin", "master"]);
    assert!(out.status.success(), "{out:?}");
    // The deployment of the tip created a new virtual environment (envguard's lines: the
    // deployment's own output follows pip).
    text_snapshot!(
        site.filters(&api.url)
            .path(&kudu.dir, "KUDU")
            .venv()
            .commit(&tip, "TIP"),
        "push_wrapper_remote_wipe_deployed",
        envguard_lines(&String::from_utf8_lossy(&out.stderr))
    );
    assert_eq!(api.deletions(), 1);
    let log = kudu.deployments();
    assert_eq!(log.len(), 2, "one deployment for the push: {log:?}");
    assert!(log[1].contains("env=created"), "{log:?}");
    assert!(!kudu.imports("b"), "b is gone");
    assert!(kudu.imports("a") && kudu.imports("c"));
    let _: &Path = &site.wwwroot;
}

#[test]
fn forbidden_names_the_sites_basic_auth_setting() {
    let site = Site::new();
    let settings = ApiSettings {
        vfs_refuses: Some(403),
        ..ApiSettings::new(&site.wwwroot)
    };
    let api = KuduApi::start(settings.clone());
    site.use_api(&api.url, &settings.user, &settings.password);
    let out = site.d.clone.envguard(&["wipe", "--remote", "origin"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_no_secret(&stderr, &settings);
    cmd_snapshot!(site.filters(&api.url), "remote_wipe_forbidden", out);
    assert!(site.env().exists());
    assert_eq!(api.seen().len(), 1, "no fallback after a 403");
}

#[test]
fn a_push_git_will_refuse_wipes_nothing() {
    let site = Site::new();
    let settings = ApiSettings::new(&site.wwwroot);
    let api = KuduApi::start(settings.clone());
    site.use_api(&api.url, &settings.user, &settings.password);
    let other = Repo::clone_of(&site.d.server);
    other.write("app.py", "print('theirs')\n");
    other.commit("Their change");
    other.git(&["push", "-q", "origin", "master"]);
    let tip = site.drop_b();
    let (code, stderr) = site.d.push(&["origin", "master"]);
    assert_ne!(
        code, 0,
        "git refuses a push that is not a fast-forward: {stderr}"
    );
    assert!(api.seen().is_empty(), "nothing was sent: {:?}", api.seen());
    cmd_snapshot!(
        site.filters(&api.url).commit(&tip, "TIP"),
        "hook_remote_wipe_not_a_fast_forward",
        (code, stderr)
    );
    assert!(site.env().join("pyvenv.cfg").exists());
}

#[test]
fn a_locked_env_is_refused_by_both_apis_with_the_reason() {
    let site = Site::new();
    let settings = ApiSettings {
        vfs_refuses: Some(409),
        command_fails: true,
        ..ApiSettings::new(&site.wwwroot)
    };
    let api = KuduApi::start(settings.clone());
    site.use_api(&api.url, &settings.user, &settings.password);
    let tip = site.drop_b();
    let (code, stderr) = site.d.push(&["origin", "master"]);
    assert_ne!(code, 0, "{stderr}");
    assert!(site.env().join("pyvenv.cfg").exists());
    // Both refusals, the VFS API's HTTP 409 and the command's "being used by another
    // process", and the advice to stop the site and try again.
    cmd_snapshot!(
        site.filters(&api.url).commit(&tip, "TIP"),
        "hook_remote_wipe_env_locked",
        (code, stderr)
    );
    assert!(
        site.env_states().is_empty(),
        "the push never reached the server"
    );
}
