//! Secrets never leave the machine: a distinct canary is planted in every channel that can
//! hold a secret, every command and hook path runs (with the debug log on), and no byte of
//! any canary may appear in stdout, stderr, the files envguard writes, or the commits and
//! refs it creates. The channels: the user information of a requirement URL, of an index
//! option, a `${VAR}` expanded from the environment, the push URL, the site's API URL, the
//! password a credential helper gives, and `envguard.command`.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::kudu_api::{ApiSettings, KuduApi};
use crate::support::{Deployment, Repo, envguard_bin};

const REQ: &str = "reqTOKENcanary1";
const INDEX: &str = "idxTOKENcanary2";
const VAR: &str = "varTOKENcanary3";
const PUSH: &str = "pushPWcanary4";
const API: &str = "apiPWcanary5";
const CRED: &str = "credPWcanary6";
const CMD: &str = "cmdTOKENcanary7";
const ALL: [&str; 7] = [REQ, INDEX, VAR, PUSH, API, CRED, CMD];

/// The environment every command of this test runs with: the variable the requirements
/// expand, and envguard's debug log.
const ENV: [(&str, &str); 2] = [("CANARY_TOKEN", VAR), ("ENVGUARD_LOG", "debug")];

/// Requirements whose every secret channel holds a canary; the push removes `tool`.
fn requirements(with_tool: bool) -> String {
    let mut text = format!(
        "--extra-index-url https://u:{INDEX}@pypi.corp.invalid/simple\n\
         flask==2.0.1\n\
         https://${{CANARY_TOKEN}}@files.corp.invalid/download?id=42\n\
         https://dl:{REQ}@files.corp.invalid/fetch/pkg?x=1\n"
    );
    if with_tool {
        text.push_str(&format!(
            "git+https://ci:{REQ}@git.corp.invalid/org/tool.git@v1\n"
        ));
    }
    text
}

/// Everything a process said.
fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_clean(what: &str, text: &str) {
    for canary in ALL {
        assert!(
            !text.contains(canary),
            "{what} shows the secret {canary}:\n{text}"
        );
    }
}

/// Every file under `dir` (recursively), as text, for the scan.
fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                found.push((path, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    found
}

/// The messages of every commit envguard made (the toggle pair) and every ref name, in a
/// repository.
fn envguard_commits_and_refs(repo: &Repo) -> String {
    let log = repo.git(&["log", "--all", "--format=%H%n%B%n--end--"]);
    let ours: String = log
        .split("--end--")
        .filter(|m| m.contains("Env-Wipe-By: envguard"))
        .collect();
    format!(
        "{ours}\n{}",
        repo.git(&["for-each-ref", "--format=%(refname)"])
    )
}

/// A deployment whose clone pushes to a URL with a password (rewritten by `insteadOf` to
/// the local bare repository, as a CI job's `git push https://deployer:PW@…` is), with the
/// canary requirements deployed once.
struct Scene {
    d: Deployment,
    push_url: String,
}

impl Scene {
    fn new(mode: &str) -> Scene {
        let d = Deployment::new(&[
            ("requirements.txt", &requirements(true)),
            ("runtime.txt", "python-3.6\n"),
            ("app.py", "print('hi')\n"),
        ]);
        let push_url = format!("https://deployer:{PUSH}@site.scm.example.invalid/site.git");
        d.clone.git(&[
            "config",
            &format!("url.{}.insteadOf", d.server.path.display()),
            &push_url,
        ]);
        d.clone
            .git(&["config", "envguard.remote", "*site.scm.example.invalid*"]);
        d.clone.git(&["config", "envguard.mode", mode]);
        Scene { d, push_url }
    }

    fn remove_tool(&self) {
        self.d.clone.write("requirements.txt", requirements(false));
        self.d.clone.commit("Drop tool");
    }

    fn push(&self, wrapper: bool) -> String {
        let mut cmd = if wrapper {
            let mut c = self.d.clone.cmd(envguard_bin());
            c.arg("push");
            c
        } else {
            let mut c = self.d.clone.cmd("git");
            c.arg("push");
            c
        };
        cmd.args([self.push_url.as_str(), "master"]).envs(ENV);
        said(&cmd.output().expect("push"))
    }

    fn envguard(&self, args: &[&str]) -> String {
        said(
            &self
                .d
                .clone
                .cmd(envguard_bin())
                .args(args)
                .envs(ENV)
                .output()
                .expect("envguard"),
        )
    }

    fn scan_repositories(&self, what: &str) {
        for (path, text) in files_under(&self.d.clone.path.join(".git/envguard")) {
            assert_clean(&format!("{what}: {}", path.display()), &text);
        }
        assert_clean(
            &format!("{what}: the clone's envguard commits and refs"),
            &envguard_commits_and_refs(&self.d.clone),
        );
        assert_clean(
            &format!("{what}: the server's envguard commits and refs"),
            &envguard_commits_and_refs(&self.d.server),
        );
    }
}

#[test]
fn check_in_every_format_shows_no_secret() {
    let s = Scene::new("warn");
    s.remove_tool();
    for args in [
        &["check", "HEAD~1..HEAD"][..],
        &["check", "HEAD~1..HEAD", "--format", "json"],
        &["check", "HEAD~1..HEAD", "--diff"],
        &["-v", "check", "HEAD~1..HEAD"],
        &["check", "HEAD~1..HEAD", "--format", "json", "--diff"],
        &["platform"],
        &["hook", "status"],
    ] {
        assert_clean(&format!("envguard {args:?}"), &s.envguard(args));
    }
}

#[test]
fn every_pre_push_mode_shows_and_stores_no_secret() {
    for (mode, acted) in [
        ("warn", "the deployed env keeps the old packages"),
        ("toggle", "runtime toggle for refs/heads/master"),
        ("mark", "pushed the wipe marker"),
        ("command", "envguard.command succeeded"),
    ] {
        let s = Scene::new(mode);
        s.d.clone.git(&[
            "config",
            "envguard.command",
            &format!("true -H 'Authorization: Bearer {CMD}' https://purge:{CMD}@purge.invalid/x"),
        ]);
        s.remove_tool();
        let out = s.push(false);
        assert!(out.contains(acted), "{mode}: envguard acted: {out}");
        assert!(out.contains("tool"), "{mode}: the removal is named: {out}");
        assert_clean(&format!("git push in mode {mode}"), &out);
        s.scan_repositories(mode);
    }
    // The wrapper, which pushes again after a toggle and reads the hook's report.
    let s = Scene::new("toggle");
    s.remove_tool();
    let out = s.push(true);
    assert!(out.contains("runtime toggle"), "{out}");
    assert_clean("envguard push", &out);
    s.scan_repositories("envguard push");
}

#[test]
fn an_interrupted_toggle_keeps_no_password_and_resumes_with_the_url() {
    let s = Scene::new("toggle");
    s.remove_tool();
    // The second push of the toggle fails: the state stays for the resume.
    crate::support::write_hook(
        &s.d.server.path.join("hooks"),
        "pre-receive",
        "#!/bin/sh\nwhile read old new ref; do\n  git log -1 --format=%B \"$new\" | grep -q 'switch runtime back' && exit 1\ndone\nexit 0\n",
    );
    let out = s.push(false);
    assert!(out.contains("envguard push --resume"), "{out}");
    assert_clean("the failed toggle", &out);
    s.scan_repositories("the failed toggle");
    std::fs::remove_file(s.d.server.path.join("hooks/pre-receive")).expect("unblock");
    let resumed = s.envguard(&["push", "--resume"]);
    assert!(
        resumed.contains("whose password envguard does not store"),
        "{resumed}"
    );
    assert_clean("the resume without the URL", &resumed);
    let resumed = s.envguard(&["push", "--resume", &s.push_url]);
    assert_clean("the resume with the URL", &resumed);
    assert!(
        !s.d.clone.path.join(".git/envguard/toggle.json").exists(),
        "the resume finished the toggle: {resumed}"
    );
}

#[test]
fn the_server_hook_in_every_action_shows_and_writes_no_secret() {
    for action in ["wipe", "marker", "prune"] {
        let s = Scene::new("warn");
        let target = s.d.server.scratch("target");
        let lib = target.join("env/lib/python3.11/site-packages");
        std::fs::create_dir_all(&lib).expect("env");
        std::fs::write(target.join("env/pyvenv.cfg"), "version = 3.11.7\n").expect("cfg");
        s.d.server.install_server_hook(&target);
        s.d.server.git(&["config", "envguard.serverAction", action]);
        s.remove_tool();
        let out = s.push(false);
        let acted = if action == "prune" {
            "master: the env keeps packages it no longer needs"
        } else {
            "master: fresh env needed"
        };
        assert!(out.contains(acted), "{action}: {out}");
        assert_clean(&format!("post-receive, action {action}"), &out);
        for (path, text) in files_under(&target) {
            assert_clean(&format!("{action}: {}", path.display()), &text);
        }
        s.scan_repositories(action);
        let diff = s.envguard(&["env", "diff", target.join("env").to_str().expect("utf-8")]);
        assert_clean("env diff", &diff);
    }
}

#[test]
fn the_site_api_paths_show_no_secret() {
    for mode in ["remote-wipe", "remote-prune"] {
        let s = Scene::new(mode);
        let holder = tempfile::tempdir().expect("tempdir");
        let wwwroot = holder.path().join("wwwroot");
        std::fs::create_dir_all(wwwroot.join("env/Lib/site-packages")).expect("env");
        std::fs::write(wwwroot.join("env/pyvenv.cfg"), "version = 3.6.8\n").expect("cfg");
        let settings = ApiSettings {
            password: CRED.to_string(),
            ..ApiSettings::new(&wwwroot)
        };
        let api = KuduApi::start(settings.clone());
        crate::support::kudu_api::use_api(&s.d.clone, &api.url, &settings.user, CRED);
        s.remove_tool();
        let out = s.push(false);
        assert!(
            out.contains("site/wwwroot/env"),
            "{mode}: the site was acted on: {out}"
        );
        assert_clean(&format!("git push in mode {mode}"), &out);
        s.scan_repositories(mode);
        for args in [
            &["wipe", "--remote", "--dry-run"][..],
            &["-v", "wipe", "--remote"],
            &["-v", "platform", "detect"],
        ] {
            assert_clean(&format!("envguard {args:?}"), &s.envguard(args));
        }
        // The API's URL itself with a password, and an API that refuses: the error paths.
        let with_password = api
            .url
            .replacen("http://", &format!("http://$site:{API}@"), 1);
        s.d.clone
            .git(&["config", "envguard.scmUrl", &with_password]);
        for args in [
            &["-v", "wipe", "--remote"][..],
            &["-v", "platform", "detect"],
        ] {
            assert_clean(&format!("envguard {args:?} (API URL)"), &s.envguard(args));
        }
        drop(api);
        assert_clean("a dead API", &s.envguard(&["-v", "wipe", "--remote"]));
    }
}
