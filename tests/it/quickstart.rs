//! The README's quick starts, followed literally: the commands of a marked block of
//! README.md run one by one, as a newcomer would paste them, in a fresh repository. Each
//! envguard command prints at least one line, none says the push is unguarded or
//! contradicts another, and the last one leaves the remote where the platform needs it.

use crate::support::{APP, Repo, drop_cors};

/// The shell commands of the fenced block after `<!-- quickstart: NAME -->` in README.md,
/// without comments.
fn quick_start(name: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let marker = format!("<!-- quickstart: {name} -->");
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
    let mut said = Vec::new();
    for command in commands {
        let out = app.cmd("sh").args(["-c", command]).output().expect("sh");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "`{command}` failed:\n{text}");
        if command.starts_with("envguard") {
            assert!(!text.trim().is_empty(), "`{command}` printed nothing");
            for bad in [
                "NOT guarded",
                "not a deploy remote",
                "not checked",
                "warning",
            ] {
                assert!(!text.contains(bad), "`{command}` says {bad:?}:\n{text}");
            }
        }
        said.push((command.clone(), text));
    }
    said
}

#[test]
fn the_azure_windows_quick_start_ends_in_a_toggle() {
    let commands = quick_start("azure-windows");
    // The site as it was before: the app deployed once, on a stand-in bare repository the
    // site's URL leads to (url.insteadOf, the test's only setup beyond the README).
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
    let tip = drop_cors(&app, "Drop CORS");

    let said = follow(&app, &commands);
    let (last, text) = said.last().expect("commands");
    assert!(last.starts_with("envguard push"), "{last}");
    assert!(
        text.contains("runtime toggle for refs/heads/master"),
        "{text}"
    );
    assert_eq!(site.rev("master^^"), tip, "{text}");
    assert_eq!(
        site.rev("master^{tree}"),
        app.rev(&format!("{tip}^{{tree}}"))
    );
    assert_eq!(app.rev("master"), site.rev("master"));
    let status = &said
        .iter()
        .find(|(c, _)| c == "envguard hook status")
        .expect("the quick start shows the status")
        .1;
    assert!(status.contains("kudu-windows"), "{status}");
    assert!(status.contains("mode toggle"), "{status}");
}
