//! The build caches of the buildpack platforms, as their code keys them (PLATFORM.md "Other
//! git-push platforms"): Heroku's resolved Python version and package manager, Google's
//! root requirements.txt, Dokku's builder pick, and the platforms that build fresh. Each
//! verdict is envguard's own, from `envguard check` on real commits.

use crate::support::{Deployment, Repo};

/// An app whose requirements include `more.txt`, with `runtime` as runtime.txt.
fn app(runtime: &str) -> Repo {
    let repo = Repo::new();
    repo.write("requirements.txt", "flask\n-r more.txt\n")
        .write("more.txt", "gunicorn\nrequests\n")
        .write("runtime.txt", runtime)
        .write("app.py", "print(1)\n");
    repo.commit("App");
    repo
}

fn verdict(repo: &Repo) -> String {
    let (json, code) = repo.check_json("HEAD~1..HEAD");
    assert_eq!(code, 0, "{json}");
    json["verdict"].as_str().unwrap_or_default().to_string()
}

fn check_text(repo: &Repo) -> String {
    let out = repo.envguard(&["check", "HEAD~1..HEAD"]);
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// heroku-buildpack-python `lib/cache.sh`: the cached env is discarded when the RESOLVED
/// full version changes; `3.11` resolves to the newest 3.11.x, which may be `3.11.9`.
#[test]
fn on_heroku_only_a_change_of_the_resolved_version_rebuilds() {
    let repo = app("python-3.11\n");
    repo.git(&["config", "envguard.platform", "heroku"]);
    repo.write("runtime.txt", "python-3.11.9\n")
        .write("more.txt", "gunicorn\n");
    repo.commit("Pin the patch release, drop requests");
    assert_eq!(verdict(&repo), "wipe", "3.11 may already be 3.11.9");
    repo.write("runtime.txt", "python-3.11.4\n")
        .write("more.txt", "\n");
    repo.commit("Another patch release, drop gunicorn");
    assert_eq!(verdict(&repo), "rebuild", "two full versions that differ");
    repo.write("runtime.txt", "python-3.12\n")
        .write("more.txt", "requests\n");
    repo.commit("Python 3.12");
    repo.write("more.txt", "\n");
    repo.commit("Drop requests");
    assert_eq!(verdict(&repo), "wipe", "the runtime is unchanged here");
    repo.write("runtime.txt", "python-3.13\n")
        .write("more.txt", "gunicorn\n");
    repo.commit("Python 3.13 and gunicorn");
    repo.write("more.txt", "\n");
    repo.write("runtime.txt", "python-3.12\n");
    repo.commit("Back to 3.12, drop gunicorn");
    assert_eq!(verdict(&repo), "rebuild", "another minor version");
}

/// heroku-buildpack-python `lib/package_manager.sh` and `cache::restore`: a change of the
/// package manager (its lock file) discards the cache.
#[test]
fn on_heroku_a_new_package_manager_rebuilds() {
    let repo = app("python-3.12\n");
    repo.git(&["config", "envguard.platform", "heroku"]);
    repo.remove("requirements.txt")
        .remove("more.txt")
        .write("uv.lock", "version = 1\n");
    repo.commit("Move to uv");
    assert_eq!(verdict(&repo), "rebuild");
    // The same removal without a new package manager leaves the cached env.
    let repo = app("python-3.12\n");
    repo.git(&["config", "envguard.platform", "heroku"]);
    repo.write("more.txt", "gunicorn\n");
    repo.commit("Drop requests");
    assert_eq!(verdict(&repo), "wipe");
}

/// GoogleCloudPlatform/buildpacks `pkg/python/python.go`: the dependency layer's key is the
/// root requirements.txt, the installed Python version and the installer.
#[test]
fn google_buildpacks_key_on_the_root_requirements_and_python_version() {
    let repo = app("python-3.11\n");
    repo.write(".python-version", "3.11\n");
    repo.commit("A .python-version");
    repo.git(&["config", "envguard.platform", "google-buildpacks"]);
    repo.write("more.txt", "gunicorn\n");
    repo.commit("Drop requests from the include");
    assert_eq!(verdict(&repo), "wipe", "a cache hit keeps requests");
    repo.write("requirements.txt", "flask\n-r more.txt\n# rebuilt\n")
        .write("more.txt", "\n");
    repo.commit("Drop gunicorn, change the root file");
    assert_eq!(verdict(&repo), "rebuild");
    // runtime.txt is not read; .python-version is.
    repo.write("runtime.txt", "python-3.12\n")
        .write("more.txt", "requests\n");
    repo.commit("runtime.txt, add requests");
    repo.write("more.txt", "\n");
    repo.commit("Drop requests");
    assert_eq!(verdict(&repo), "wipe");
    repo.write(".python-version", "3.12\n")
        .write("more.txt", "gunicorn\n");
    repo.commit("3.12 and gunicorn");
    repo.write(".python-version", "3.13\n")
        .write("more.txt", "\n");
    repo.commit("3.13, drop gunicorn");
    assert_eq!(verdict(&repo), "rebuild");
}

/// dokku/dokku `plugins/git/functions` and `plugins/builder-*/builder-detect`: the builder
/// comes from the files; only herokuish keeps the env.
#[test]
fn on_dokku_the_builder_decides() {
    for (file, builder) in [
        ("project.toml", "pack (Cloud Native Buildpacks)"),
        ("Dockerfile", "its Dockerfile"),
        ("nixpacks.toml", "Nixpacks"),
        ("railpack.json", "Railpack"),
    ] {
        let repo = app("python-3.12\n");
        repo.git(&["config", "envguard.platform", "dokku"]);
        repo.write(file, "\n").write("more.txt", "gunicorn\n");
        repo.commit("Drop requests");
        assert_eq!(verdict(&repo), "none", "{file}");
        let text = check_text(&repo);
        assert!(
            text.contains(&format!("Dokku builds this app with {builder} ({file}")),
            "{text}"
        );
        // A .buildpacks file makes it herokuish again: the removal is stale.
        repo.write(
            ".buildpacks",
            "https://github.com/heroku/heroku-buildpack-python\n",
        )
        .write("more.txt", "\n");
        repo.commit("Buildpacks, drop gunicorn");
        assert_eq!(verdict(&repo), "wipe", "{file}");
    }
}

/// Dokku's `build-dir` (plugins/builder/triggers.go `TriggerCorePostExtract`) moves
/// builder detection into the app's subfolder, which envguard.appRoot names: a Dockerfile
/// there builds fresh, one at the root beside a herokuish subfolder is not the builder.
#[test]
fn on_dokku_the_builder_is_picked_in_the_build_dir() {
    let repo = Repo::new();
    repo.write("web/requirements.txt", "flask\n-r more.txt\n")
        .write("web/more.txt", "gunicorn\nrequests\n")
        .write("web/app.py", "print(1)\n")
        .write("Dockerfile", "FROM scratch\n");
    repo.commit("App in web/, a Dockerfile at the root");
    repo.git(&["config", "envguard.platform", "dokku"]);
    repo.git(&["config", "envguard.appRoot", "web"]);
    repo.write("web/more.txt", "gunicorn\n");
    repo.commit("Drop requests");
    assert_eq!(verdict(&repo), "wipe", "herokuish builds web/");
    repo.write("web/Dockerfile", "FROM scratch\n")
        .write("web/more.txt", "\n");
    repo.commit("A Dockerfile in web/, drop gunicorn");
    assert_eq!(verdict(&repo), "none");
    crate::text_snapshot!(
        crate::support::Filters::new().repo(&repo, "REPO"),
        "check_dokku_dockerfile_in_the_app_root",
        check_text(&repo)
    );
}

#[test]
fn platforms_that_build_fresh_say_why_and_need_nothing() {
    for (platform, why) in [
        ("heroku-cnb", "venv layer is not cached"),
        ("railpack", "Railpack makes the venv"),
        ("nixpacks", "Nixpacks makes the venv"),
        ("oryx", "temporary folder"),
    ] {
        let repo = app("python-3.12\n");
        repo.git(&["config", "envguard.platform", platform]);
        repo.write("more.txt", "gunicorn\n");
        repo.commit("Drop requests");
        assert_eq!(verdict(&repo), "none", "{platform}");
        let text = check_text(&repo);
        assert!(
            text.contains(&format!("{platform} builds a fresh env")) && text.contains(why),
            "{platform}: {text}"
        );
    }
}

#[test]
fn envguard_platform_says_what_goes_stale_there() {
    let repo = app("python-3.12\n");
    for (platform, says) in [
        ("heroku", "a removal confined to an -r include"),
        ("google-buildpacks", "a removal confined to an -r include"),
        (
            "railpack",
            "only a VCS requirement whose branch or tag moved",
        ),
        ("kudu-windows", "rebuilt only when the runtime changes"),
        ("kudu-linux-no-build", "no build on deployment"),
    ] {
        repo.git(&["config", "envguard.platform", platform]);
        let out = repo.envguard(&["platform"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(platform) && text.contains(says),
            "{platform}: {text}"
        );
    }
}

/// The push names the remedy Google's buildpacks offer: a change of the key file.
#[test]
fn a_push_to_google_buildpacks_names_the_key_file() {
    let d = Deployment::new(&[
        ("requirements.txt", "a\n-r more.txt\n"),
        ("more.txt", "b\nc\n"),
    ]);
    d.clone
        .git(&["config", "envguard.platform", "google-buildpacks"]);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    d.clone.write("more.txt", "c\n");
    let tip = d.clone.commit("Drop b");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    crate::text_snapshot!(
        crate::support::Filters::new()
            .deployment(&d)
            .commit(&tip, "TIP"),
        "hook_google_buildpacks_key_file",
        crate::support::envguard_lines(&stderr)
    );
    assert_eq!(d.server_rev("master"), tip);
}

/// Railpack installs in an image layer whose inputs are only the dependency files
/// (railwayapp/railpack core/providers/python/python.go @b5e8058 `copyInstallFiles`): BuildKit
/// reuses it while they are unchanged, so a VCS requirement on a branch keeps the revision
/// of the cached layer. The push says so, as it does where the env is kept; Nixpacks'
/// install is not known to be cached that way and says nothing.
#[test]
fn railpack_keeps_a_vcs_branch_at_the_cached_layers_revision() {
    for (platform, noted) in [("railpack", true), ("nixpacks", false)] {
        let (server, app) = crate::support::platform_remote(
            "origin",
            "https://example.invalid/app.git",
            &[(
                "requirements.txt",
                "flask\npkg @ git+https://example.invalid/pkg.git@main\n",
            )],
        );
        for (key, value) in [
            ("envguard.remoteName", "origin"),
            ("envguard.platform", platform),
            ("envguard.branch", "main"),
        ] {
            app.git(&["config", key, value]);
        }
        app.write("app.py", "print(2)\n");
        app.commit("Change the app");
        let out = app
            .cmd("git")
            .args(["push", "origin", "main"])
            .output()
            .expect("push");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(server.rev("main"), app.rev("HEAD"));
        let note = "note: pkg installs from a VCS branch or tag \
                    ('pkg @ git+https://example.invalid/pkg.git@main'); railpack keeps the \
                    installed revision until a dependency file the build copies";
        assert_eq!(stderr.contains(note), noted, "{platform}: {stderr}");
    }
}
