//! Each platform's own rules, on real repositories and real pushes: Kudu's runtime selection
//! by prefix (the local Kudu deployment follows it too), the toggle to another selected
//! runtime, verdicts that follow the platform, KuduScript's deploy scripts, and detection of
//! the platform through the (stand-in) Kudu API, with what each platform then does.

use std::path::Path;

use crate::support::kudu_api::{ApiSettings, KuduApi, use_api};
use crate::support::{Deployment, Filters, Repo, envguard_lines, reason_kinds};
use crate::{cmd_snapshot, text_snapshot};

/// Wheels `a`, `b`, `c` (the Kudu site's), with a Kudu runtime given per test.
fn app(runtime: &'static str) -> [(&'static str, &'static str); 3] {
    [
        ("requirements.txt", "a\nb\nc\n"),
        ("runtime.txt", runtime),
        ("app.py", "print('hi')\n"),
    ]
}

fn drop_b(clone: &Repo) -> String {
    clone.write("requirements.txt", "a\nc\n");
    clone.commit("Drop b")
}

/// `envguard check --format json RANGE` on a repository with `envguard.platform`.
fn check_on(platform: &str, repo: &Repo, range: &str) -> (serde_json::Value, i32) {
    repo.git(&["config", "envguard.platform", platform]);
    repo.check_json(range)
}

#[test]
fn toggle_from_a_patch_runtime_selects_another_kudu_runtime() {
    let (d, site) = Deployment::kudu(&app("python-3.6.1\n"));
    assert_eq!(
        site.deployments(),
        vec![format!(
            "deploy {} runtime=python-3.6 env=created",
            d.server_rev("master")
        )],
        "Kudu selects python-3.6 for python-3.6.1"
    );
    drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 1, "the toggle stops git's own push: {stderr}");
    let t2 = d.server_rev("master");
    let t1 = d.server_rev("master^");
    let t1_runtime = d.server.git(&["show", &format!("{t1}:runtime.txt")]);
    assert!(
        ["python-3.4", "python-2.7"].contains(&t1_runtime.trim()),
        "T1 must select another Kudu runtime than python-3.6: {t1_runtime}"
    );
    assert_eq!(
        d.server.git(&["show", &format!("{t2}:runtime.txt")]),
        "python-3.6.1\n",
        "T2 restores the file byte for byte"
    );
    let log = site.deployments();
    assert_eq!(
        log[1..],
        [
            format!("deploy {t1} runtime={} env=created", t1_runtime.trim()),
            format!("deploy {t2} runtime=python-3.6 env=created"),
        ],
        "{stderr}"
    );
    assert!(!site.imports("b") && site.imports("a"), "{stderr}");
}

#[test]
fn a_runtime_that_selects_the_same_kudu_runtime_does_not_rebuild() {
    let repo = Repo::new();
    for (path, text) in app("python-3.6\n") {
        repo.write(path, text);
    }
    let base = repo.commit("App");
    repo.write("runtime.txt", "python-3.6.8\n");
    repo.write(".python-version", "3.11\n");
    drop_b(&repo);
    let range = format!("{base}..HEAD");
    let (json, code) = check_on("kudu-windows", &repo, &range);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["verdict"], "wipe", "{json}");
    assert_eq!(json["platform"], "kudu-windows");
    assert_eq!(reason_kinds(&json), vec!["requirement-removed"], "{json}");
    // A deploy step envguard does not know reads both files: a runtime change.
    let (json, _) = check_on("self-hosted", &repo, &range);
    assert_eq!(json["verdict"], "rebuild", "{json}");
    // A change of the selected runtime rebuilds on Kudu.
    repo.write("runtime.txt", "python-3.4\n");
    repo.commit("Python 3.4");
    let (json, _) = check_on("kudu-windows", &repo, &range);
    assert_eq!(json["verdict"], "rebuild", "{json}");
}

#[test]
fn runtimes_kudu_refuses_are_errors_at_runtime_txt_line_1() {
    let repo = Repo::new();
    for (path, text) in app("python-3.6\n") {
        repo.write(path, text);
    }
    let base = repo.commit("App");
    repo.git(&["config", "envguard.platform", "kudu-windows"]);
    let filters = Filters::new().repo(&repo, "REPO").commit(&base, "BASE");
    for (bad, name) in [
        ("python-3.7\n", "check_kudu_runtime_unsupported"),
        ("3.6\n", "check_kudu_runtime_without_prefix"),
        ("\u{feff}python-3.6\n", "check_kudu_runtime_with_a_bom"),
        (
            "# runtime\npython-3.6\n",
            "check_kudu_runtime_after_a_comment",
        ),
    ] {
        repo.write("runtime.txt", bad);
        repo.commit("Another runtime");
        let out = repo.envguard(&["check", &format!("{base}..HEAD")]);
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {out:?}");
        cmd_snapshot!(filters, name, out);
    }
    // Linux platforms do not read runtime.txt: nothing to refuse there.
    repo.git(&["config", "envguard.platform", "kudu-linux"]);
    let out = repo.envguard(&["check", &format!("{base}..HEAD")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

/// Lines of a script with Windows line ends removed and trailing blanks trimmed.
fn script_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Writes the Windows deploy script of `envguard deploy-script` for `.deployment`'s
/// `project = src/web`; returns the repository.
fn windows_script_for_subfolder() -> Repo {
    let repo = Repo::new();
    repo.write("src/web/requirements.txt", "a\n");
    repo.write(".deployment", "[config]\nproject = src/web\n");
    repo.commit("App in src/web");
    let out = repo.envguard(&["deploy-script", "--platform", "kudu-windows"]);
    assert!(out.status.success(), "{out:?}");
    repo
}

#[test]
fn windows_deploy_script_bakes_in_the_app_folder_and_keeps_kudus_steps() {
    let repo = windows_script_for_subfolder();
    let deployment = std::fs::read_to_string(repo.path.join(".deployment")).expect(".deployment");
    assert_eq!(deployment, "[config]\ncommand = deploy.cmd\n");
    let script = std::fs::read_to_string(repo.path.join("deploy.cmd")).expect("deploy.cmd");
    let lines = script_lines(&script);
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(has("-f \"%DEPLOYMENT_SOURCE%\\src\\web\" -t"), "{script}");
    assert!(
        has("call %KUDU_SELECT_PYTHON_VERSION_CMD% \"%DEPLOYMENT_SOURCE%\\src\\web\""),
        "unquoted select call: {script}"
    );
    // The analysis reads the app folder from the script, since Kudu ignores `project` now.
    repo.commit("Use the deploy script");
    repo.write("src/web/requirements.txt", "c\n");
    repo.commit("Swap a for c");
    let (json, _) = repo.check_json("HEAD^..HEAD");
    assert_eq!(json["removed"], serde_json::json!(["a"]), "{json}");
}

/// The real `deploy.cmd` of KuduScript for `-p src/web`: every one of its lines appears in
/// envguard's script, in the same order (envguard only adds lines).
#[test]
#[ignore = "needs `kuduscript` from npm: set ENVGUARD_TEST_KUDUSCRIPT (.ci/run does)"]
fn windows_deploy_script_is_kuduscripts_own_plus_envguards_steps() {
    let kuduscript =
        crate::support::tool("ENVGUARD_TEST_KUDUSCRIPT", "npm install kuduscript@1.0.17");
    let real = Repo::new();
    real.write("src/web/requirements.txt", "a\n");
    crate::support::run_ok(
        crate::support::command(&kuduscript, &real.path)
            .args(["-y", "--python", "-r", ".", "-p", "src/web"]),
    );
    let real_deployment =
        std::fs::read_to_string(real.path.join(".deployment")).expect("real .deployment");
    let real_script =
        std::fs::read_to_string(real.path.join("deploy.cmd")).expect("real deploy.cmd");

    let ours = windows_script_for_subfolder();
    let our_deployment = std::fs::read_to_string(ours.path.join(".deployment")).expect("ours");
    assert_eq!(
        our_deployment.replace("\r\n", "\n").trim(),
        real_deployment.replace("\r\n", "\n").trim()
    );
    let our_script = std::fs::read_to_string(ours.path.join("deploy.cmd")).expect("ours");
    let ours = script_lines(&our_script);
    let mut at = 0;
    for line in script_lines(&real_script) {
        match ours[at..].iter().position(|l| *l == line) {
            Some(offset) => at += offset + 1,
            None => panic!("KuduScript's line is missing (or out of order) in envguard's:\n{line}"),
        }
    }
    for step in [
        "call %KUDU_SELECT_PYTHON_VERSION_CMD%",
        "-f \"%DEPLOYMENT_SOURCE%\\src\\web\"",
        "copy /y \"%DEPLOYMENT_SOURCE%\\src\\web\\web.%PYTHON_VER%.config\"",
        "manage.py collectstatic --noinput --clear",
    ] {
        assert!(real_script.contains(step), "the real script has {step}");
    }
}

#[test]
fn linux_deploy_script_deploys_the_subfolder_into_antenv() {
    let (d, site) = Deployment::kudu(&app("python-3.6\n"));
    let repo = &d.clone;
    repo.write("src/web/requirements.txt", "a\nc\n");
    repo.write("src/web/app.py", "print('web')\n");
    repo.write(".deployment", "[config]\nproject = src/web\n");
    repo.commit("App in src/web");
    let out = repo.envguard(&["deploy-script", "--platform", "linux"]);
    assert!(out.status.success(), "{out:?}");
    let deployment = std::fs::read_to_string(repo.path.join(".deployment")).expect(".deployment");
    assert_eq!(deployment, "[config]\ncommand = bash deploy.sh\n");

    let target = repo.scratch("wwwroot");
    let out = crate::support::command("bash", &repo.path)
        .arg("deploy.sh")
        .env("DEPLOYMENT_SOURCE", &repo.path)
        .env("DEPLOYMENT_TARGET", &target)
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", &site.wheels)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env_remove("KUDU_SYNC_CMD")
        .output()
        .expect("bash deploy.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(target.join("app.py").is_file(), "the subfolder is deployed");
    assert!(!target.join("src").exists(), "not the repository root");
    let python = target.join("antenv/bin/python");
    for (module, present) in [("a", true), ("c", true), ("b", false)] {
        let imports = std::process::Command::new(&python)
            .args(["-c", &format!("import {module}")])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert_eq!(imports, present, "{module} in antenv: {stdout}");
    }
}

/// An App Service site whose API is the stand-in, for a deployment whose remote is not an
/// App Service URL: `envguard.scmUrl` makes it one, the platform is left to `auto`.
fn app_service(d: &Deployment, settings: ApiSettings) -> KuduApi {
    let api = KuduApi::start(settings.clone());
    use_api(&d.clone, &api.url, &settings.user, &settings.password);
    d.clone.git(&["config", "--unset", "envguard.mode"]);
    d.clone.git(&["config", "--unset", "envguard.platform"]);
    api
}

/// The filters of a test on an App Service stand-in: the deployment, the site's folder
/// and the API's address.
fn site_filters(d: &Deployment, holder: &Path, api: &KuduApi) -> Filters {
    Filters::new()
        .deployment(d)
        .path(holder, "SITE")
        .literal(&api.url, "API")
}

/// A site folder with `wwwroot`, for the API stand-in.
fn site_dir(holder: &Path) -> std::path::PathBuf {
    let wwwroot = holder.join("site/wwwroot");
    std::fs::create_dir_all(&wwwroot).expect("wwwroot");
    wwwroot
}

#[test]
fn an_oryx_site_is_detected_and_a_removal_goes_through_as_one_push() {
    let d = Deployment::new(&app("python-3.6\n"));
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = site_dir(holder.path());
    std::fs::write(
        wwwroot.join("oryx-manifest.toml"),
        "PlatformName=\"python\"\nCompressDestinationDir=\"true\"\nvirtualEnvName=\"antenv\"\n",
    )
    .expect("manifest");
    let api = app_service(
        &d,
        ApiSettings {
            linux: true,
            ..ApiSettings::new(&wwwroot)
        },
    );
    let tip = drop_b(&d.clone);
    cmd_snapshot!(
        site_filters(&d, holder.path(), &api).commit(&tip, "TIP"),
        "hook_oryx_detected",
        d.push(&["origin", "master"])
    );
    assert_eq!(
        d.server_rev("master"),
        tip,
        "the pushed commit itself, no toggle"
    );
    assert_eq!(
        crate::support::recorded_pushes(&d.server).len(),
        1,
        "one ordinary push"
    );
    assert_eq!(d.clone.git(&["config", "envguard.platform"]).trim(), "oryx");
    assert_eq!(api.deletions(), 0);
}

#[test]
fn a_linux_site_without_oryx_is_detected_and_its_antenv_wiped() {
    let d = Deployment::new(&app("python-3.6\n"));
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = site_dir(holder.path());
    std::fs::create_dir_all(wwwroot.join("antenv/lib")).expect("antenv");
    std::fs::write(wwwroot.join("antenv/pyvenv.cfg"), "home = /usr/bin\n").expect("cfg");
    let api = app_service(
        &d,
        ApiSettings {
            linux: true,
            app_settings: vec![("ENABLE_ORYX_BUILD".into(), "false".into())],
            ..ApiSettings::new(&wwwroot)
        },
    );
    // Asked by hand first: what it prints and records.
    let filters = site_filters(&d, holder.path(), &api);
    cmd_snapshot!(
        filters,
        "platform_detect_kudu_linux",
        d.clone.envguard(&["platform", "detect", "origin"])
    );
    cmd_snapshot!(
        filters,
        "platform_kudu_linux",
        d.clone.envguard(&["platform"])
    );
    drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    cmd_snapshot!(filters, "hook_remote_wipe_kudu_linux", (code, stderr));
    assert!(!wwwroot.join("antenv").exists());
    let deletes: Vec<String> = api
        .seen()
        .iter()
        .filter(|s| s.method == "DELETE")
        .map(|s| s.path.clone())
        .collect();
    assert_eq!(
        deletes,
        [
            "/api/vfs/site/wwwroot/antenv/?recursive=true",
            "/api/vfs/site/wwwroot/antenv3.6/?recursive=true"
        ]
    );
}

#[test]
fn a_toggle_on_a_platform_that_ignores_runtime_txt_is_refused() {
    let d = Deployment::new(&app("python-3.6\n"));
    d.clone.git(&["config", "envguard.platform", "kudu-linux"]);
    d.clone.git(&["config", "envguard.mode", "toggle"]);
    let before = d.server_rev("master");
    drop_b(&d.clone);
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "hook_refuse_toggle_on_kudu_linux",
        d.push(&["origin", "master"])
    );
    assert_eq!(d.server_rev("master"), before);
}

#[test]
fn an_undetected_app_service_site_is_assumed_windows_and_says_so() {
    let d = Deployment::new(&app("python-3.6\n"));
    // An App Service remote, but no credentials for its API: nothing may prompt.
    let url = crate::support::kudu_api::dead_url();
    d.clone.git(&["config", "envguard.scmUrl", &url]);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    d.clone.git(&["config", "--unset", "envguard.platform"]);
    drop_b(&d.clone);
    let (code, stderr) = d.push_with(&["origin", "master"], &[("GIT_TERMINAL_PROMPT", "0")]);
    assert_eq!(code, 0, "{stderr}");
    cmd_snapshot!(
        Filters::new().deployment(&d).literal(&url, "API"),
        "hook_platform_assumed",
        (code, stderr)
    );
}

#[test]
fn a_toggle_is_verified_through_the_deployment_api() {
    let (d, site) = Deployment::kudu(&app("python-3.6\n"));
    let settings = ApiSettings::new(&site.wwwroot);
    let api = KuduApi::start(settings.clone());
    use_api(&d.clone, &api.url, &settings.user, &settings.password);
    drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 1, "{stderr}");
    let t1 = d.server_rev("master^");
    let t2 = d.server_rev("master");
    text_snapshot!(
        Filters::new()
            .deployment(&d)
            .path(&site.dir, "SITE")
            .literal(&api.url, "API")
            .commit(&t1, "T1")
            .commit(&t2, "T2"),
        "hook_toggle_verified",
        envguard_lines(&stderr)
    );
}

#[test]
fn on_linux_the_command_fallback_is_bash_not_cmd() {
    let d = Deployment::new(&app("python-3.6\n"));
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = site_dir(holder.path());
    std::fs::create_dir_all(wwwroot.join("antenv/lib")).expect("antenv");
    let api = app_service(
        &d,
        ApiSettings {
            linux: true,
            vfs_refuses: Some(409),
            ..ApiSettings::new(&wwwroot)
        },
    );
    d.clone.git(&["config", "envguard.platform", "kudu-linux"]);
    let out = d.clone.envguard(&["wipe", "--remote", "origin"]);
    assert!(out.status.success(), "{out:?}");
    // antenv deleted by the command; the runtime's antenv3.6, never there, is said so, not
    // said to be deleted.
    cmd_snapshot!(
        site_filters(&d, holder.path(), &api),
        "remote_wipe_linux_command_fallback",
        out
    );
    assert!(!wwwroot.join("antenv").exists());
    assert_eq!(api.deletions(), 1, "the command API's rm -rf");
}

#[test]
fn an_api_without_a_kudu_listing_records_nothing() {
    for answer in [
        (200, "<html><body>Microsoft Azure App Service</body></html>"),
        (404, "Not Found"),
    ] {
        let d = Deployment::new(&app("python-3.6\n"));
        let holder = tempfile::tempdir().expect("tempdir");
        let wwwroot = site_dir(holder.path());
        let api = app_service(
            &d,
            ApiSettings {
                linux: true,
                listing_answer: Some(answer),
                ..ApiSettings::new(&wwwroot)
            },
        );
        let out = d.clone.envguard(&["platform", "detect", "origin"]);
        assert_ne!(out.status.code(), Some(0), "{answer:?}: {out:?}");
        cmd_snapshot!(
            site_filters(&d, holder.path(), &api),
            format!("platform_detect_without_a_kudu_listing_{}", answer.0),
            out
        );
        assert!(
            d.clone
                .git_output(&["config", "envguard.platform"])
                .stdout
                .is_empty(),
            "{answer:?}: no platform recorded"
        );
    }
}

#[test]
fn an_uncompressed_oryx_output_is_detected_and_its_antenv_wiped() {
    let d = Deployment::new(&app("python-3.6\n"));
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = site_dir(holder.path());
    std::fs::write(
        wwwroot.join("oryx-manifest.toml"),
        "PlatformName=\"python\"\nvirtualEnvName=\"antenv\"\n",
    )
    .expect("manifest");
    std::fs::create_dir_all(wwwroot.join("antenv/lib")).expect("antenv");
    std::fs::write(wwwroot.join("antenv/pyvenv.cfg"), "home = /usr/bin\n").expect("cfg");
    let api = app_service(
        &d,
        ApiSettings {
            linux: true,
            app_settings: vec![("BUILD_FLAGS".into(), "UseTempDirectory".into())],
            ..ApiSettings::new(&wwwroot)
        },
    );
    let out = d.clone.envguard(&["platform", "detect", "origin"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        d.clone.git(&["config", "envguard.platform"]).trim(),
        "oryx-copied"
    );
    let tip = drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!wwwroot.join("antenv").exists(), "{stderr}");
    assert_eq!(d.server_rev("master"), tip, "one push, no toggle");
    text_snapshot!(
        site_filters(&d, holder.path(), &api).commit(&tip, "TIP"),
        "hook_oryx_copied_remote_wipe",
        envguard_lines(&stderr)
    );
}

/// Kudu on Windows picks the builder by the app folder's files, Node before Python
/// (SiteBuilderFactory.ResolveNonAspProject): with a package.json at the root it builds no
/// Python env, so a removal needs nothing and the push says why; a `.deployment` command
/// replaces the pick, and then the removal is acted on again.
#[test]
fn kudu_builds_no_python_env_for_a_node_app() {
    let repo = Repo::new();
    repo.write("requirements.txt", "a\nb\n");
    repo.write("runtime.txt", "python-3.6\n");
    repo.write("app.py", "print(1)\n");
    repo.write("package.json", "{}\n");
    repo.commit("A Node app with Python beside it");
    drop_b(&repo);
    let (json, code) = check_on("kudu-windows", &repo, "HEAD");
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["verdict"], "none", "{json}");
    text_snapshot!(
        Filters::new(),
        "check_warnings_kudu_windows_node_app",
        warnings(&json)
    );
    // KuduLite without Oryx picks Node first too (its ResolveNonAspProject): no Python env
    // there, and a remote wipe would leave the site with none.
    let (json, code) = check_on("kudu-linux", &repo, "HEAD");
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["verdict"], "none", "{json}");
    text_snapshot!(
        Filters::new(),
        "check_warnings_kudu_linux_node_app",
        warnings(&json)
    );
    // Where the builder is not picked by files, the removal is acted on.
    let (json, _) = check_on("self-hosted", &repo, "HEAD");
    assert_eq!(json["verdict"], "wipe", "{json}");
    // A custom command replaces Kudu's pick.
    repo.write(".deployment", "[config]\ncommand = deploy.cmd\n");
    repo.write("deploy.cmd", "@echo off\n");
    repo.commit("A custom deployment");
    drop_b_again(&repo);
    let (json, _) = check_on("kudu-windows", &repo, "HEAD");
    assert_eq!(json["verdict"], "wipe", "{json}");
    let (json, _) = check_on("kudu-linux", &repo, "HEAD");
    assert_eq!(json["verdict"], "wipe", "{json}");
}

/// The warnings of a JSON report, pretty-printed: what the report says and where.
fn warnings(json: &serde_json::Value) -> String {
    serde_json::to_string_pretty(&json["warnings"]).unwrap_or_default() + "\n"
}

fn drop_b_again(repo: &Repo) {
    repo.write("requirements.txt", "c\n");
    repo.commit("Drop a");
}

/// Kudu on Windows builds .NET where it finds MSBuild projects (projectkudu/kudu
/// `SiteBuilderFactory.CreateBuilder` @7e7e310): a loose project anywhere without a solution,
/// more than one solution, or a project at the top of the `PROJECT` folder; one solution
/// decides by its projects (not read: the app is taken for Python), and `node_modules` is
/// never searched.
#[test]
fn kudu_builds_dotnet_where_it_finds_msbuild_projects() {
    let verdict = |extra: &[(&str, &str)], deployment: Option<&str>| {
        let repo = Repo::new();
        repo.write("requirements.txt", "a\nb\n");
        repo.write("runtime.txt", "python-3.6\n");
        repo.write("app.py", "print(1)\n");
        for (path, text) in extra {
            repo.write(path, text);
        }
        if let Some(text) = deployment {
            repo.write(".deployment", text);
        }
        repo.commit("The app");
        drop_b(&repo);
        let (json, code) = check_on("kudu-windows", &repo, "HEAD");
        assert_eq!(code, 0, "{json}");
        (
            json["verdict"].as_str().unwrap_or("").to_string(),
            warnings(&json),
        )
    };
    let (v, why) = verdict(&[("tools/Tool/Tool.CsProj", "<Project/>\n")], None);
    assert_eq!(v, "none", "{why}");
    text_snapshot!(
        Filters::new(),
        "check_warnings_kudu_loose_msbuild_project",
        why
    );
    let (v, why) = verdict(&[("a.sln", ""), ("b/b.SLN", "")], None);
    assert_eq!(v, "none", "{why}");
    text_snapshot!(Filters::new(), "check_warnings_kudu_two_solutions", why);
    // One solution: its projects decide (a Python tools solution deploys as Python).
    let (v, _) = verdict(&[("App.sln", ""), ("App.pyproj", "")], None);
    assert_eq!(v, "wipe");
    let (v, _) = verdict(&[("node_modules/x/x.csproj", "")], None);
    assert_eq!(v, "wipe");
    // With a PROJECT folder only its top counts.
    let (v, _) = verdict(
        &[("tools/Tool.csproj", ""), ("web/app.py", "")],
        Some("[config]\nproject = .\n"),
    );
    assert_eq!(v, "wipe");
    let (v, why) = verdict(&[("Site.vbproj", "")], Some("[config]\nproject = .\n"));
    assert_eq!(v, "none", "{why}");
    text_snapshot!(
        Filters::new(),
        "check_warnings_kudu_msbuild_project_in_the_app_folder",
        why
    );
    // A PROJECT that names the project file itself: its folder is the app's.
    let repo = Repo::new();
    repo.write("web/Web.csproj", "<Project/>\n")
        .write("web/requirements.txt", "a\nb\n")
        .write("web/app.py", "")
        .write(".deployment", "[config]\nproject = web/Web.csproj\n");
    repo.commit("A .NET project");
    repo.write("web/requirements.txt", "a\n");
    repo.commit("Drop b");
    let (json, code) = check_on("kudu-windows", &repo, "HEAD");
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["verdict"], "none", "{json}");
    text_snapshot!(
        Filters::new(),
        "check_warnings_kudu_project_names_an_msbuild_project",
        warnings(&json)
    );
    // KuduScript's arguments pick the builder before any project file counts.
    let (v, _) = verdict(
        &[("a.csproj", "")],
        Some("[config]\nSCM_SCRIPT_GENERATOR_ARGS = --python\n"),
    );
    assert_eq!(v, "wipe");
    let (v, why) = verdict(&[], Some("[config]\nSCM_SCRIPT_GENERATOR_ARGS = --node\n"));
    assert_eq!(v, "none", "{why}");
    text_snapshot!(
        Filters::new(),
        "check_warnings_kudu_generator_args_node",
        why
    );
}

/// Kudu deploys the branch of its `DEPLOYMENT_BRANCH` app setting (master unless set):
/// `platform detect` reads it over the API and records it as `envguard.branch`, so a
/// removal pushed on `main` is acted on; a branch the user set is left as it is.
#[test]
fn detection_records_the_branch_the_site_deploys() {
    let d = Deployment::new(&app("python-3.6\n"));
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = site_dir(holder.path());
    let api = app_service(
        &d,
        ApiSettings {
            app_settings: vec![("DEPLOYMENT_BRANCH".into(), "main".into())],
            ..ApiSettings::new(&wwwroot)
        },
    );
    let filters = site_filters(&d, holder.path(), &api);
    d.clone.git(&["checkout", "-q", "-b", "main"]);
    d.clone
        .git(&["push", "-q", "--no-verify", "origin", "main"]);
    cmd_snapshot!(
        filters,
        "platform_detect_records_the_branch",
        d.clone.envguard(&["platform", "detect", "origin"])
    );
    assert_eq!(d.clone.git(&["config", "envguard.branch"]).trim(), "main");
    let tip = drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "main"]);
    assert_ne!(code, 0, "{stderr}");
    // The toggle on main: the commit, then the two toggle commits.
    assert_eq!(d.server_rev("main^^"), tip, "{stderr}");
    assert_ne!(
        d.server_rev("main^:runtime.txt"),
        d.server_rev("main:runtime.txt")
    );

    // Set by the user: detection says what the site deploys and changes nothing.
    d.clone.git(&["config", "envguard.branch", "release"]);
    cmd_snapshot!(
        filters,
        "platform_detect_leaves_the_users_branch",
        d.clone.envguard(&["platform", "detect", "origin"])
    );
    assert_eq!(
        d.clone.git(&["config", "envguard.branch"]).trim(),
        "release"
    );
}

/// Kudu's `PROJECT` and `COMMAND` app settings override `.deployment`
/// (projectkudu/kudu `SettingsProvidersPriority`): `platform detect` records them, and the
/// analysis reads the folder and the builder they name, not the file's.
#[test]
fn detection_records_the_sites_project_and_command_over_deployment() {
    let d = Deployment::new(&app("python-3.6\n"));
    d.clone.write("web/requirements.txt", "a\nb\n");
    d.clone.write("web/runtime.txt", "python-3.6\n");
    d.clone.write("web/app.py", "print(1)\n");
    d.clone.write(".deployment", "[config]\nproject = .\n");
    d.clone.commit("A second app in web/");
    d.clone
        .git(&["push", "-q", "--no-verify", "origin", "master"]);
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = site_dir(holder.path());
    let settings = |pairs: &[(&str, &str)]| ApiSettings {
        app_settings: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..ApiSettings::new(&wwwroot)
    };
    let api = app_service(&d, settings(&[("PROJECT", "web")]));
    let out = d.clone.envguard(&["platform", "detect", "origin"]);
    assert!(out.status.success(), "{out:?}");
    cmd_snapshot!(
        site_filters(&d, holder.path(), &api),
        "platform_detect_records_the_sites_project",
        out
    );
    assert_eq!(
        d.clone.git(&["config", "envguard.siteProject"]).trim(),
        "web"
    );
    // A removal in the root app is no change of the deployed one; in web/ it is.
    drop_b(&d.clone);
    let (json, _) = d.clone.check_json("HEAD");
    assert_eq!(json["verdict"], "none", "{json}");
    d.clone.write("web/requirements.txt", "a\n");
    d.clone.commit("Drop b from web");
    let (json, _) = d.clone.check_json("HEAD");
    assert_eq!(json["verdict"], "wipe", "{json}");
    drop(api);

    // A deployment command in the pushed .deployment goes before PROJECT, as on Kudu
    // (SiteBuilderFactory.cs: COMMAND first): the script deploys the root, where b went.
    d.clone
        .write(".deployment", "[config]\ncommand = build.cmd\n");
    d.clone
        .write("build.cmd", "pip install -r requirements.txt\n");
    d.clone.commit("A deployment script of our own");
    d.clone.write("requirements.txt", "a\n");
    d.clone.commit("Drop c");
    let (json, _) = d.clone.check_json("HEAD");
    assert_eq!(
        json["verdict"], "wipe",
        "the command's folder, not PROJECT's: {json}"
    );
    d.clone.write(".deployment", "[config]\nproject = .\n");
    d.clone.remove("build.cmd");
    d.clone.write("requirements.txt", "a\nc\n");
    d.clone.commit("Back to .deployment's project");

    // COMMAND: the site runs its own script, so Kudu's Node-before-Python pick does not
    // apply, and PROJECT is ignored; only the script's path is recorded.
    d.clone.write("package.json", "{}\n");
    d.clone.write("deploy.sh", "#!/bin/bash\n");
    d.clone.commit("A package.json and a deploy script");
    d.clone.write("requirements.txt", "a\n");
    d.clone.commit("Drop c");
    let (json, _) = d.clone.check_json("HEAD");
    assert_eq!(json["verdict"], "none", "Kudu would pick Node: {json}");
    d.clone.git(&["config", "envguard.mode", "toggle"]);
    d.clone
        .git(&["config", "envguard.platform", "kudu-windows"]);
    let api = app_service(
        &d,
        settings(&[
            ("COMMAND", "bash deploy.sh --token s3cret"),
            ("PROJECT", "web"),
        ]),
    );
    let out = d.clone.envguard(&["platform", "detect", "origin"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let config = std::fs::read_to_string(d.clone.path.join(".git/config")).expect("config");
    assert!(
        !stdout.contains("s3cret") && !config.contains("s3cret"),
        "{stdout}\n{config}"
    );
    assert_eq!(
        d.clone.git(&["config", "envguard.siteCommand"]).trim(),
        "deploy.sh"
    );
    // It records the script's path and says that PROJECT is ignored.
    cmd_snapshot!(
        site_filters(&d, holder.path(), &api),
        "platform_detect_records_the_sites_command",
        out
    );
    let (json, _) = d.clone.check_json("HEAD");
    assert_eq!(
        json["verdict"], "wipe",
        "the site's command decides: {json}"
    );
    for key in ["envguard.appRoot", "envguard.siteProject"] {
        assert!(
            d.clone.git_output(&["config", key]).stdout.is_empty(),
            "{key}"
        );
    }
}

/// KuduLite runs a deployment command before any Oryx or no-build rule
/// (SiteBuilderFactory.cs, L34-38): a Linux site whose last `.deployment` (saved with a byte
/// order mark) runs `bash deploy.sh` is kudu-linux although Oryx's manifest is there, and
/// so is one with the `COMMAND` app setting.
#[test]
fn a_linux_site_with_a_deployment_command_is_the_scripts() {
    for command_setting in [false, true] {
        let d = Deployment::new(&app("python-3.6\n"));
        let holder = tempfile::tempdir().expect("tempdir");
        let wwwroot = site_dir(holder.path());
        std::fs::write(
            wwwroot.join("oryx-manifest.toml"),
            "PlatformName=\"python\"\nCompressDestinationDir=\"true\"\n",
        )
        .expect("manifest");
        let app_settings = if command_setting {
            vec![("COMMAND".to_string(), "bash deploy.sh".to_string())]
        } else {
            let repository = holder.path().join("site/repository");
            std::fs::create_dir_all(&repository).expect("repository");
            std::fs::write(
                repository.join(".deployment"),
                b"\xef\xbb\xbf[config]\r\ncommand = bash deploy.sh\r\n",
            )
            .expect(".deployment");
            Vec::new()
        };
        let api = app_service(
            &d,
            ApiSettings {
                linux: true,
                app_settings,
                ..ApiSettings::new(&wwwroot)
            },
        );
        let out = d.clone.envguard(&["platform", "detect", "origin"]);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            d.clone.git(&["config", "envguard.platform"]).trim(),
            "kudu-linux"
        );
        // Says the script decides, and advises the remote wipe.
        let setting = if command_setting { "setting" } else { "file" };
        cmd_snapshot!(
            site_filters(&d, holder.path(), &api),
            format!("platform_detect_linux_deployment_command_{setting}"),
            out
        );
    }
}

/// Oryx in place names the env `antenv3.6` on a Python 3.6 site (KuduLite
/// AppServiceOryxArguments.cs, L99-111): the remote wipe deletes that one too, in
/// site/repository and in wwwroot.
#[test]
fn the_remote_wipe_of_oryx_in_place_takes_antenv36_too() {
    let d = Deployment::new(&app("python-3.6\n"));
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = site_dir(holder.path());
    let repository = holder.path().join("site/repository");
    for env in [wwwroot.join("antenv3.6"), repository.join("antenv3.6")] {
        std::fs::create_dir_all(env.join("lib")).expect("antenv3.6");
        std::fs::write(env.join("pyvenv.cfg"), "home = /usr/bin\n").expect("cfg");
    }
    let _api = app_service(
        &d,
        ApiSettings {
            linux: true,
            ..ApiSettings::new(&wwwroot)
        },
    );
    d.clone
        .git(&["config", "envguard.platform", "oryx-in-place"]);
    let out = d.clone.envguard(&["wipe", "--remote", "origin"]);
    assert!(out.status.success(), "{out:?}");
    assert!(!wwwroot.join("antenv3.6").exists(), "{out:?}");
    assert!(!repository.join("antenv3.6").exists(), "{out:?}");
}

/// App Service on Windows with SCM_DO_BUILD_DURING_DEPLOYMENT off and no deployment
/// command: Kudu builds nothing (SiteBuilderFactory.cs, L72-76), so a toggle would rebuild
/// nothing: detected as kudu-windows-no-build, and a removal is a warning that says how to
/// turn the build on, with no toggle pushed.
#[test]
fn a_windows_site_without_a_build_gets_no_toggle() {
    let d = Deployment::new(&app("python-3.6\n"));
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = site_dir(holder.path());
    let api = app_service(
        &d,
        ApiSettings {
            app_settings: vec![("SCM_DO_BUILD_DURING_DEPLOYMENT".into(), "false".into())],
            ..ApiSettings::new(&wwwroot)
        },
    );
    let filters = site_filters(&d, holder.path(), &api);
    cmd_snapshot!(
        filters,
        "platform_detect_kudu_windows_no_build",
        d.clone.envguard(&["platform", "detect", "origin"])
    );
    let tip = drop_b(&d.clone);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    cmd_snapshot!(filters, "hook_kudu_windows_no_build", (code, stderr));
    assert_eq!(
        d.server_rev("master"),
        tip,
        "the commit itself, no toggle pair"
    );
}
