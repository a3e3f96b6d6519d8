//! Storing the site's deployment credentials as envguard and the README say, followed
//! literally: git's own `credential fill` asks for them (through `GIT_ASKPASS`, as a terminal
//! would), `credential approve` hands them to the helper, and the API stand-in then accepts
//! what envguard sends. No secret reaches any output.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::cmd_snapshot;
use crate::support::kudu_api::{ApiSettings, KuduApi};
use crate::support::{APP, Filters, Repo};

/// A repository with an App Service-like deploy remote whose API is the stand-in, a global
/// git config of its own (empty: a stock git, no credential helper) and an askpass program
/// that answers git's prompts with `user`/`password`.
struct Machine {
    app: Repo,
    global: PathBuf,
    askpass: PathBuf,
    _holder: tempfile::TempDir,
}

impl Machine {
    fn new(api: &KuduApi, user: &str, password: &str) -> Machine {
        let app = Repo::new();
        for (path, text) in APP {
            app.write(path, text);
        }
        app.commit("App");
        let holder = tempfile::tempdir().expect("tempdir");
        let global = holder.path().join("gitconfig");
        std::fs::write(&global, "").expect("global config");
        let askpass = holder.path().join("askpass");
        std::fs::write(
            &askpass,
            format!(
                "#!/bin/sh\ncase \"$1\" in\n  Username*) echo '{user}' ;;\n  *) echo '{password}' ;;\nesac\n"
            ),
        )
        .expect("askpass");
        make_executable(&askpass);
        app.git(&["config", "envguard.scmUrl", &api.url]);
        Machine {
            app,
            global,
            askpass,
            _holder: holder,
        }
    }

    /// `sh -c command` in the repository, as this machine's user runs it at a terminal
    /// (git's prompts answered).
    fn sh(&self, command: &str) -> Output {
        self.run(command, true)
    }

    /// `sh -c command` with `prompt` or without (a hook, CI: nobody answers git's prompts).
    fn run(&self, command: &str, prompt: bool) -> Output {
        let askpass = if prompt {
            self.askpass.as_os_str()
        } else {
            std::ffi::OsStr::new("")
        };
        self.app
            .cmd("sh")
            .args(["-c", command])
            .env("GIT_CONFIG_GLOBAL", &self.global)
            .env("GIT_ASKPASS", askpass)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("HOME", self._holder.path())
            .output()
            .expect("sh")
    }

    /// The platform `platform detect` recorded in the repository's config.
    fn platform(&self) -> String {
        let out = self.app.git_output(&["config", "envguard.platform"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The filters of a snapshot on this machine: the repository, the machine's home and
    /// the API's address.
    fn filters(&self, api: &KuduApi) -> Filters {
        Filters::new()
            .repo(&self.app, "APP")
            .path(self._holder.path(), "MACHINE")
            .literal(&api.url, "API")
    }

    /// `platform detect` where nobody answers a prompt: only stored credentials count.
    fn detect(&self) -> Output {
        self.run("envguard platform detect azure", false)
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The commands envguard's message says to run: what follows "with: " on its line.
fn recipe(said: &str) -> String {
    said.lines()
        .find_map(|l| {
            l.split_once("there with: ")
                .or_else(|| l.split_once(" with: "))
        })
        .map(|(_, commands)| commands.trim().to_string())
        .unwrap_or_else(|| panic!("no recipe in:\n{said}"))
}

fn stand_in(password: &str) -> (KuduApi, tempfile::TempDir) {
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = holder.path().join("site/wwwroot");
    std::fs::create_dir_all(&wwwroot).expect("wwwroot");
    let api = KuduApi::start(ApiSettings {
        user: "deployer".into(),
        password: password.into(),
        ..ApiSettings::new(&wwwroot)
    });
    (api, holder)
}

#[test]
fn the_readme_recipe_stores_credentials_the_site_accepts() {
    let password = "Pa55-readme-canary";
    let (api, _site) = stand_in(password);
    let machine = Machine::new(&api, "deployer", password);
    let block = crate::quickstart::quick_start_marked("credentials: azure");
    // The README's lines up to `platform detect`, run as written; only the remote's URL is
    // the stand-in's (a real site's host cannot be reached from a test).
    let stand_in_remote = format!(
        "git remote add azure {}/myapp.git",
        api.url.replace("http://", "http://deployer@")
    );
    let mut ran = 0;
    for line in &block {
        let line = if line.starts_with("git remote add azure ") {
            stand_in_remote.clone()
        } else {
            line.clone()
        };
        // envguard asks where nobody answers a prompt: only stored credentials count.
        let out = machine.run(&line, !line.starts_with("envguard"));
        assert!(out.status.success(), "`{line}`:\n{}", text(&out));
        assert!(
            !text(&out).contains(password),
            "`{line}` shows the password"
        );
        ran += 1;
        if line.starts_with("envguard platform detect") {
            assert_eq!(machine.platform(), "kudu-windows", "{}", text(&out));
            break;
        }
    }
    assert_eq!(
        ran, 4,
        "the block stores the credentials before `platform detect`"
    );
    let stored = std::fs::read_to_string(machine._holder.path().join(".git-credentials"))
        .expect("the store helper's file");
    assert_eq!(stored.lines().count(), 1, "{stored}");
}

#[test]
fn without_a_helper_the_printed_commands_store_credentials_the_site_accepts() {
    let password = "Pa55-first-canary";
    let (api, _site) = stand_in(password);
    let machine = Machine::new(&api, "deployer", password);
    machine
        .app
        .git(&["remote", "add", "azure", &format!("{}/myapp.git", api.url)]);
    let out = machine.detect();
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    let commands = recipe(&said);
    // No credential helper is configured: the commands that store the credentials.
    cmd_snapshot!(
        machine.filters(&api),
        "platform_detect_without_a_helper",
        out
    );
    assert_eq!(
        commands,
        format!(
            "git config --global credential.helper store; printf '%s\\n' 'url={}' | git \
             credential fill | git credential approve",
            api.url
        )
    );
    let stored = machine.sh(&commands);
    assert!(stored.status.success(), "{}", text(&stored));
    let out = machine.detect();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(machine.platform(), "kudu-windows", "{}", text(&out));
    assert!(!text(&out).contains(password));
}

#[test]
fn refused_credentials_are_replaced_by_the_printed_commands() {
    let password = "Pa55-right-canary";
    let (api, _site) = stand_in(password);
    // The helper holds an old password; git's prompt would give the right one.
    let machine = Machine::new(&api, "deployer", password);
    machine
        .app
        .git(&["remote", "add", "azure", &format!("{}/myapp.git", api.url)]);
    let store = machine.app.scratch("secrets").join("credentials");
    std::fs::write(
        &store,
        format!(
            "{}\n",
            api.url
                .replace("http://", "http://deployer:Pa55-old-canary@")
        ),
    )
    .expect("store");
    std::fs::write(
        &machine.global,
        format!(
            "[credential]\n\thelper = store --file={}\n",
            store.display()
        ),
    )
    .expect("global config");
    let out = machine.detect();
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(!said.contains("Pa55-old-canary"), "{said}");
    let commands = recipe(&said);
    // Refused (HTTP 401): the commands that replace the stored credentials.
    cmd_snapshot!(
        machine.filters(&api).path(&store, "STORE"),
        "platform_detect_refused_credentials",
        out
    );
    assert_eq!(
        commands,
        format!(
            "printf '%s\\n' 'url={0}' | git credential reject; printf '%s\\n' 'url={0}' | git \
             credential fill | git credential approve",
            api.url
        )
    );
    let replaced = machine.sh(&commands);
    assert!(replaced.status.success(), "{}", text(&replaced));
    let out = machine.detect();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        std::fs::read_to_string(&store)
            .expect("store")
            .contains(password),
        "the helper holds the new password"
    );
}

#[test]
fn a_refused_password_written_in_the_url_is_said_to_be_there() {
    let (api, _site) = stand_in("Pa55-right-canary");
    let machine = Machine::new(&api, "deployer", "Pa55-right-canary");
    machine
        .app
        .git(&["remote", "add", "azure", &format!("{}/myapp.git", api.url)]);
    machine.app.git(&[
        "config",
        "envguard.scmUrl",
        &api.url
            .replace("http://", "http://deployer:Pa55-inurl-canary@"),
    ]);
    let out = machine.detect();
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(!said.contains("Pa55-inurl-canary"), "{said}");
    // Refused (HTTP 401), and the password is said to be written in the URL.
    cmd_snapshot!(
        machine.filters(&api),
        "platform_detect_refused_password_in_the_url",
        out
    );
}
