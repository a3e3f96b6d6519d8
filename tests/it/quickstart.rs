//! The README's quick starts, followed literally: the commands of a marked block of
//! README.md run one by one, as a newcomer would paste them, in a fresh repository. Each
//! envguard command prints at least one line, the whole transcript is snapshotted (none
//! says the push is unguarded or contradicts another), and the last one leaves the remote
//! where the platform needs it.

use crate::support::{APP, Filters, Repo, drop_cors};
use crate::text_snapshot;

/// The shell commands of the fenced block after `<!-- quickstart: NAME -->` in README.md,
/// without comments.
fn quick_start(name: &str) -> Vec<String> {
    quick_start_marked(&format!("quickstart: {name}"))
}

/// The shell commands of the fenced block after `<!-- MARK -->` in README.md, without
/// comments.
pub fn quick_start_marked(mark: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let marker = format!("<!-- {mark} -->");
    let after = readme
        .split_once(&marker)
        .unwrap_or_else(|| panic!("README.md has no {marker}"))
        .1;
    let block = after
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("a ```sh block after the marker")
        .0;
    block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Runs the quick start's commands in `app`; returns each command with its output.
fn follow(app: &Repo, commands: &[String]) -> Vec<(String, String)> {
    follow_with_path(app, commands, None)
}

/// [`follow`], with `stubs` first on PATH (stand-ins for a platform's own CLI).
fn follow_with_path(
    app: &Repo,
    commands: &[String],
    stubs: Option<&std::path::Path>,
) -> Vec<(String, String)> {
    let path = match stubs {
        Some(dir) => format!("{}:{}", dir.display(), crate::support::test_path()),
        None => crate::support::test_path(),
    };
    let mut said = Vec::new();
    for command in commands {
        let out = app
            .cmd("sh")
            .args(["-c", command])
            .env("PATH", &path)
            .output()
            .expect("sh");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "`{command}` failed:\n{text}");
        if command.starts_with("envguard") {
            assert!(!text.trim().is_empty(), "`{command}` printed nothing");
        }
        said.push((command.clone(), text));
    }
    said
}

/// Each command of a followed quick start, then what it printed.
fn transcript(said: &[(String, String)]) -> String {
    said.iter()
        .map(|(command, text)| format!("$ {command}\n{text}"))
        .collect()
}

#[test]
fn the_azure_windows_quick_start_ends_in_a_toggle() {
    let commands = quick_start("azure-windows");
    // The site as it was before: the app deployed once, on a stand-in bare repository the
    // site's URL leads to (url.insteadOf, the test's only setup beyond the README but one:
    // the site's API is asked on this machine, where nothing listens).
    let app = Repo::new();
    for (path, text) in APP {
        app.write(path, text);
    }
    app.commit("The app");
    let site = Repo::init(&["--bare"]);
    let site_path = site.path.to_string_lossy().into_owned();
    app.git(&["push", "-q", &site_path, "master"]);
    let url = commands
        .iter()
        .find_map(|c| c.strip_prefix("git remote add azure "))
        .expect("the quick start adds the remote");
    app.git(&["config", &format!("url.{site_path}.insteadOf"), url]);
    let api = crate::support::kudu_api::dead_url();
    app.git(&["config", "envguard.scmUrl", &api]);
    let tip = drop_cors(&app, "Drop CORS");

    let said = follow(&app, &commands);
    let (last, text) = said.last().expect("commands");
    assert!(last.starts_with("envguard push"), "{last}");
    assert_eq!(site.rev("master^^"), tip, "{text}");
    assert_eq!(
        site.rev("master^{tree}"),
        app.rev(&format!("{tip}^{{tree}}"))
    );
    assert_eq!(app.rev("master"), site.rev("master"));
    assert!(
        text.contains("runtime toggle for refs/heads/master"),
        "{text}"
    );
    for (command, text) in said.iter().filter(|(c, _)| c.starts_with("envguard")) {
        for bad in [
            "NOT guarded",
            "not a deploy remote",
            "not checked",
            "warning",
        ] {
            assert!(!text.contains(bad), "`{command}` says {bad:?}:\n{text}");
        }
    }
    let status = &said
        .iter()
        .find(|(c, _)| c == "envguard hook status")
        .expect("the quick start shows the status")
        .1;
    assert!(status.contains("kudu-windows"), "{status}");
    assert!(status.contains("mode toggle"), "{status}");
}

/// A deployed app with a package in an `-r` include (which the buildpack's cache key
/// misses), on `main` of a stand-in bare repository that the quick start's `url` leads to
/// (url.insteadOf, the test's only setup beyond the README), and the removal of that
/// package committed. `stub` is a program the quick start's command calls, recorded into
/// `called.log` instead of reaching a platform.
struct Buildpack {
    app: Repo,
    site: Repo,
    tip: String,
    stubs: std::path::PathBuf,
}

impl Buildpack {
    fn new(commands: &[String], remote_add: &str, stub: &str) -> Buildpack {
        let site = Repo::init(&["--bare", "-b", "main"]);
        let app = Repo::init(&["-b", "main"]);
        app.write("requirements.txt", "a\n-r more.txt\n");
        app.write("more.txt", "b\nc\n");
        app.commit("The app");
        let site_path = site.path.to_string_lossy().into_owned();
        app.git(&["push", "-q", &site_path, "main"]);
        let url = commands
            .iter()
            .find_map(|c| c.strip_prefix(remote_add))
            .expect("the quick start adds the remote");
        app.git(&["config", &format!("url.{site_path}.insteadOf"), url]);
        app.write("more.txt", "c\n");
        let tip = app.commit("Drop b");
        let stubs = app.scratch("stubs");
        let log = stubs.join("called.log");
        let script = format!("#!/bin/sh\necho \"{stub} $*\" >> '{}'\n", log.display());
        crate::support::write_hook(&stubs, stub, &script);
        Buildpack {
            app,
            site,
            tip,
            stubs,
        }
    }

    /// The filters of a snapshot of this quick start.
    fn filters(&self) -> Filters {
        Filters::new()
            .repo(&self.app, "APP")
            .repo(&self.site, "SITE")
            .commit(&self.tip, "TIP")
    }

    fn called(&self) -> String {
        std::fs::read_to_string(self.stubs.join("called.log")).unwrap_or_default()
    }
}

#[test]
fn the_heroku_quick_start_purges_on_a_push_of_main() {
    let commands = quick_start("heroku");
    let b = Buildpack::new(&commands, "git remote add heroku ", "heroku");
    let said = follow_with_path(&b.app, &commands, Some(&b.stubs));
    let (last, text) = said.last().expect("commands");
    assert_eq!(last, "git push heroku main");
    assert_eq!(
        b.called(),
        "heroku builds:cache:purge -a myapp --confirm myapp\n",
        "{text}"
    );
    assert_eq!(b.site.rev("main"), b.tip, "{text}");
    assert!(
        said.iter().any(|(c, _)| c == "envguard platform"),
        "the quick start shows the platform"
    );
    // platform: heroku from the remote's URL, deploying main and master; the push names
    // b removed from more.txt.
    text_snapshot!(b.filters(), "quick_start_heroku", transcript(&said));
}

#[test]
fn the_dokku_quick_start_purges_on_a_push_of_its_deploy_branch() {
    let commands = quick_start("dokku");
    let b = Buildpack::new(&commands, "git remote add dokku ", "ssh");
    let said = follow_with_path(&b.app, &commands, Some(&b.stubs));
    let (last, text) = said.last().expect("commands");
    assert_eq!(last, "git push dokku main");
    assert_eq!(
        b.called(),
        "ssh dokku@dokku.me repo:purge-cache myapp\n",
        "{text}"
    );
    assert_eq!(b.site.rev("main"), b.tip, "{text}");
    assert!(
        said.iter().any(|(c, _)| c == "envguard platform"),
        "the quick start shows the platform"
    );
    // platform: dokku from the remote's URL, deploying main; the push names b removed
    // from more.txt.
    text_snapshot!(b.filters(), "quick_start_dokku", transcript(&said));
}
