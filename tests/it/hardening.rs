//! Trying hard to break envguard: the fuzz corpora replayed, hostile repositories and hook
//! input, faults around the toggle pair (network gone after T1, SIGKILL between T1 and T2,
//! a concurrent push), and the safety rules of `envguard wipe`. Each test states what
//! envguard must do; TESTING.md lists them all.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::support::{
    APP, Deployment, Filters, Repo, Shown, drop_cors, envguard_bin, envguard_lines,
    recorded_pushes, write_hook,
};
use crate::{cmd_snapshot, text_snapshot};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `envguard check --format json HEAD` in `repo`: (json or null, exit code, stderr).
fn check_head(repo: &Repo) -> (serde_json::Value, i32, String) {
    let out = repo.envguard(&["check", "--format", "json", "HEAD"]);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (json, out.status.code().unwrap_or(-1), stderr_of(&out))
}

fn errors(json: &serde_json::Value) -> Vec<String> {
    json["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    // `file:line: message`, or `file: message` for an error of the whole
                    // file (its `line` is null).
                    let file = e["file"].as_str().unwrap_or("");
                    let message = e["message"].as_str().unwrap_or("");
                    match &e["line"] {
                        serde_json::Value::Null => format!("{file}: {message}"),
                        line => format!("{file}:{line}: {message}"),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

// ---- Fuzz corpora ----------------------------------------------------------------------

#[test]
fn fuzz_corpora_replay_without_panics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    type Target = fn(&[u8]);
    let targets: [(&str, Target); 4] = [
        ("requirements", envguard::fuzz::requirements_file),
        ("runtime", envguard::fuzz::runtime_file),
        ("trailers", envguard::fuzz::commit_message),
        ("hook_input", envguard::fuzz::hook_input),
    ];
    for (name, run) in targets {
        let mut replayed = 0;
        for folder in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(folder).join(name)) else {
                continue;
            };
            for entry in entries.flatten() {
                let data = std::fs::read(entry.path()).expect("corpus file");
                run(&data);
                replayed += 1;
            }
        }
        assert!(replayed > 0, "no corpus for {name}");
    }
}

// ---- Hostile repositories ----------------------------------------------------------------

#[test]
fn requirements_as_a_symbolic_link_is_followed_inside_the_commit() {
    let r = Repo::new();
    r.write("base.txt", "a\nb\n")
        .write("requirements.txt", "-r base.txt\n");
    r.commit("Start");
    r.remove("requirements.txt");
    std::os::unix::fs::symlink("base.txt", r.path.join("requirements.txt")).expect("symlink");
    r.write("base.txt", "a\n");
    r.git(&["add", "-A"]);
    r.commit("Link");
    let (json, code, stderr) = check_head(&r);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["removed"], serde_json::json!(["b"]), "{json}");

    // A link out of the repository, and one to nothing, are errors naming the file.
    r.remove("requirements.txt");
    std::os::unix::fs::symlink("../../etc/passwd", r.path.join("requirements.txt"))
        .expect("symlink");
    r.git(&["add", "-A"]);
    r.commit("Link out");
    let (json, code, _) = check_head(&r);
    assert_eq!(code, 1);
    assert!(
        errors(&json)[0]
            .starts_with("requirements.txt: is a symbolic link to '../../etc/passwd', outside"),
        "{json}"
    );
    r.remove("requirements.txt");
    std::os::unix::fs::symlink("gone.txt", r.path.join("requirements.txt")).expect("symlink");
    r.git(&["add", "-A"]);
    r.commit("Dangling");
    let (json, code, _) = check_head(&r);
    assert_eq!(code, 1);
    assert_eq!(
        errors(&json),
        vec!["requirements.txt: is a symbolic link to 'gone.txt', which is not in this commit"],
        "{json}"
    );
}

#[test]
fn requirements_as_a_folder_or_a_submodule_is_an_error() {
    let r = Repo::new();
    r.write("requirements.txt", "a\n");
    r.commit("Start");
    r.remove("requirements.txt");
    r.write("requirements.txt/inner.txt", "a\n");
    r.git(&["add", "-A"]);
    r.commit("Folder");
    let (json, code, stderr) = check_head(&r);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        errors(&json),
        vec!["requirements.txt: is a folder, not a file"]
    );
    assert_eq!(json["errors"][0]["line"], serde_json::Value::Null, "{json}");
    // The JSON is the whole report: nothing else is printed.
    assert_eq!(stderr, "");

    r.git(&["rm", "-rq", "requirements.txt"]);
    let head = r.rev("HEAD");
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},requirements.txt"),
    ]);
    r.git(&["commit", "-qm", "Submodule"]);
    let (json, code, _) = check_head(&r);
    assert_eq!(code, 1);
    assert_eq!(
        errors(&json),
        vec!["requirements.txt: is a submodule, not a file"]
    );
}

#[test]
fn includes_escaping_the_repository_are_errors() {
    let r = Repo::new();
    r.write("requirements.txt", "a\n");
    r.commit("Start");
    r.write(
        "requirements.txt",
        "a\n-r ../../outside.txt\n-c /etc/constraints.txt\n",
    );
    r.commit("Escape");
    let (json, code, _) = check_head(&r);
    assert_eq!(code, 1);
    assert_eq!(
        errors(&json),
        vec![
            "requirements.txt:2: include '../../outside.txt' points outside the repository",
            "requirements.txt:3: include '/etc/constraints.txt' is an absolute path; only files inside the repository can be compared",
        ]
    );
}

#[test]
fn a_20_mb_requirements_file_is_read() {
    let r = Repo::new();
    let mut big = String::with_capacity(21 << 20);
    let mut i = 0;
    while big.len() < 20 << 20 {
        big.push_str(&format!(
            "pkg{i}==1.{i}  # a long comment to make the line longer\n"
        ));
        i += 1;
    }
    r.write("requirements.txt", &big);
    r.commit("Big");
    let removed = big.replacen("pkg7==1.7  #", "# pkg7==1.7  #", 1);
    r.write("requirements.txt", &removed);
    r.commit("Drop pkg7");
    let (json, code, stderr) = check_head(&r);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["verdict"], "wipe");
    assert_eq!(json["removed"], serde_json::json!(["pkg7"]));
}

#[test]
fn non_utf8_file_names_and_contents() {
    use std::os::unix::ffi::OsStrExt;
    let r = Repo::new();
    r.write("requirements.txt", "a\nb\n");
    r.commit("Start");
    std::fs::create_dir_all(r.path.join("env")).expect("env");
    let odd = std::ffi::OsStr::from_bytes(b"\xff\xfe-name.py");
    std::fs::write(r.path.join("env").join(odd), "x").expect("odd file");
    std::fs::write(r.path.join(odd), "x").expect("odd file");
    r.git(&["add", "-A"]);
    r.commit("Odd names");
    let (json, code, stderr) = check_head(&r);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["verdict"], "wipe", "a committed env/: {json}");

    r.write("requirements.txt", b"a\n\xff\xfe\xfdb\n".as_slice());
    r.commit("Bad bytes");
    let (json, code, _) = check_head(&r);
    assert_eq!(code, 1);
    assert!(
        errors(&json)[0].starts_with("requirements.txt:2: not valid UTF-8"),
        "{json}"
    );
}

#[test]
fn shallow_clone_whose_remote_tip_is_missing() {
    let d = Deployment::new(APP);
    let url = format!("file://{}", d.server.path.display());
    let holder = tempfile::tempdir().expect("tempdir");
    let shallow = holder.path().join("shallow");
    crate::support::run_ok(
        crate::support::command("git", holder.path())
            .args(["clone", "-q", "--depth", "1", &url])
            .arg(&shallow),
    );
    let git =
        |args: &[&str]| crate::support::run_ok(crate::support::command("git", &shallow).args(args));
    git(&["config", "envguard.remoteName", "origin"]);
    git(&["config", "envguard.mode", "warn"]);
    let out = crate::support::command(envguard_bin(), &shallow)
        .args(["hook", "install"])
        .output()
        .expect("install");
    assert!(out.status.success(), "{out:?}");
    // Someone else moves the server on; the shallow clone never fetches their commit, so
    // the old id git gives the hook is unknown here.
    let other = Repo::clone_of(&d.server);
    other.write("app.py", "print('other')\n");
    let theirs = other.commit("Elsewhere");
    other.git(&["push", "-q", "origin", "master"]);
    std::fs::write(shallow.join("requirements.txt"), "Flask==2.0.1\nrequests\n").expect("write");
    git(&["commit", "-qam", "Drop CORS"]);
    let out = crate::support::command("git", &shallow)
        .args(["push", "--force", "origin", "master"])
        .output()
        .expect("push");
    assert!(out.status.success(), "{out:?}");
    assert_ne!(d.server_rev("master"), theirs);
    let shallow_filters = Filters::new()
        .deployment(&d)
        .path(holder.path(), "SHALLOW")
        .literal(&url, "URL");
    cmd_snapshot!(shallow_filters, "hook_warn_from_a_shallow_clone", out);

    // A range reaching past the shallow boundary is an error, not a crash.
    let out = crate::support::command(envguard_bin(), &shallow)
        .args(["check", "HEAD~5..HEAD"])
        .output()
        .expect("check");
    cmd_snapshot!(shallow_filters, "check_past_shallow_boundary", out);
}

#[test]
fn ten_thousand_refs() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    let head = c.rev("HEAD");
    let mut input = String::new();
    for i in 0..10_000 {
        input.push_str(&format!("create refs/remotes/origin/feature/{i} {head}\n"));
    }
    let mut child = c
        .cmd("git")
        .args(["update-ref", "--stdin"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("update-ref");
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("refs");
    }
    assert!(child.wait().expect("wait").success());
    c.git(&["checkout", "-qb", "release"]);
    c.git(&["config", "envguard.branch", "release"]);
    let tip = drop_cors(c, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "release"]);
    assert_eq!(code, 1, "a toggle stops the outer push: {stderr}");
    assert_eq!(d.server_rev("release^^"), tip, "toggled: {stderr}");
    assert_eq!(d.server_rev("release"), c.rev("release"));
}

#[test]
fn deploy_branch_names_with_slashes() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    c.git(&["config", "envguard.branch", "release/*"]);
    c.git(&["config", "envguard.mode", "mark"]);
    c.git(&["checkout", "-qb", "release/v1.2"]);
    let tip = drop_cors(c, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "release/v1.2"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("refs/envguard/wipe/release/v1.2"), tip);
    assert_eq!(d.server_rev("release/v1.2"), tip);

    c.git(&["config", "envguard.mode", "toggle"]);
    c.write("requirements.txt", "requests\n");
    let tip = c.commit("Drop Flask");
    let (code, stderr) = d.push(&["origin", "release/v1.2"]);
    assert_eq!(code, 1, "a toggle stops the outer push: {stderr}");
    assert_eq!(d.server_rev("release/v1.2^^"), tip);
    assert_eq!(c.rev("release/v1.2"), d.server_rev("release/v1.2"));
}

#[test]
fn credentials_in_a_remote_url_are_never_printed() {
    let d = Deployment::new(APP);
    let c = &d.clone;
    let secret_url = "https://deploy:hunter2@mysite.scm.azurewebsites.net/mysite.git";
    c.git(&["remote", "add", "azure", secret_url]);
    let server = d.server.path.display().to_string();
    c.git(&["config", &format!("url.{server}.insteadOf"), secret_url]);
    // The site's API is asked on this machine only: nothing listens there.
    let api = crate::support::kudu_api::dead_url();
    c.git(&["config", "envguard.scmUrl", &api]);
    c.git(&["config", "--unset", "envguard.mode"]);
    let tip = drop_cors(c, "Drop CORS");
    let mut printed = String::new();
    let pushed = d.push(&["azure", "master"]);
    assert_eq!(pushed.0, 1, "{}", pushed.1);
    assert_eq!(d.server_rev("master^^"), tip, "toggled: {}", pushed.1);
    printed.push_str(&format!("--- git push\n{}", Shown::shown(&pushed)));
    for args in [
        &["hook", "status"][..],
        &["check", "HEAD"],
        &["wipe", "--remote", "azure", "--dry-run"],
    ] {
        let out = c.envguard(args);
        printed.push_str(&format!("--- envguard {}\n{}", args.join(" "), out.shown()));
    }
    assert!(printed.contains("https://***@mysite"), "{printed}");
    assert!(!printed.contains("hunter2"), "{printed}");
}

#[test]
fn malformed_hook_input_never_blocks_a_push() {
    let r = Repo::new();
    r.write("requirements.txt", "a\n");
    r.commit("Start");
    r.git(&["remote", "add", "origin", "/nowhere.git"]);
    r.git(&["config", "envguard.remoteName", "origin"]);
    let zero = "0".repeat(40);
    let head = r.rev("HEAD");
    for input in [
        "refs/heads/master\n".to_string(),
        format!("refs/heads/master {head} refs/heads/master\n"),
        format!("refs/heads/master nothex refs/heads/master {zero}\n"),
        format!("refs/heads/master {head}00 refs/heads/master {zero}\n"),
        format!("refs/heads/master {head} refs/heads/master {zero}"),
        "\u{0}\u{1}garbage\n\n\n".to_string(),
        String::new(),
    ] {
        let mut child = r
            .cmd(envguard_bin())
            .args(["pre-push", "origin", "/nowhere.git"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("envguard");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            let _ = stdin.write_all(input.as_bytes());
            // Dropped here: stdin closes, possibly mid-line.
        }
        let out = child.wait_with_output().expect("wait");
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(0), "{input:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        if input.contains("nothex") {
            assert!(
                stderr.contains("warning:") && stderr.contains("nothex"),
                "{stderr}"
            );
        }
    }
    // stdin closed before anything is written.
    let out = r
        .cmd(envguard_bin())
        .args(["pre-push", "origin", "/nowhere.git"])
        .stdin(Stdio::null())
        .output()
        .expect("envguard");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // The server hook too.
    let server = Repo::init(&["--bare"]);
    let mut child = server
        .cmd(envguard_bin())
        .arg("post-receive")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("envguard");
    {
        use std::io::Write;
        let _ = child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"only two\nfields here x y z\n");
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

// ---- Faults around the toggle pair -----------------------------------------------------

/// The server reached through a symbolic link, so a test can cut the "network".
fn via_link(d: &Deployment) -> PathBuf {
    let link = d.clone.scratch("net").join("server.git");
    std::os::unix::fs::symlink(&d.server.path, &link).expect("link");
    d.clone
        .git(&["remote", "set-url", "origin", &link.display().to_string()]);
    link
}

#[test]
fn network_lost_after_t1_then_resume() {
    let d = Deployment::new(APP);
    let link = via_link(&d);
    // After the first push of the toggle lands, the remote becomes unreachable.
    write_hook(
        &d.server.path.join("hooks"),
        "post-receive",
        &format!(
            "#!/bin/sh\n{{ echo '--push--'; cat; }} >> pushes.log\nrm -f '{}'\n",
            link.display()
        ),
    );
    let tip = drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0);
    let pushes = recorded_pushes(&d.server);
    assert_eq!(pushes.len(), 1, "T1 only: {pushes:?}");
    let t1 = d.server_rev("master");
    // How to finish, and no way out that would not fast-forward.
    text_snapshot!(
        Filters::new()
            .deployment(&d)
            .path(&link, "LINK")
            .commit(&t1, "T1"),
        "toggle_halfway_network_lost",
        envguard_lines(&stderr)
    );
    assert_eq!(d.server_rev("master^"), tip, "T1 sits on the tip");
    // Nothing lost: the tip is where it was; the local branch was not moved yet.
    assert_eq!(d.clone.rev("master"), tip);
    assert_eq!(d.clone.rev("refs/remotes/origin/master"), t1);

    // Still offline: resume says so and changes nothing.
    let out = d.clone.envguard(&["push", "--resume"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(d.clone.rev("master"), tip);

    std::os::unix::fs::symlink(&d.server.path, &link).expect("link again");
    let out = d.clone.envguard(&["push", "--resume"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(d.server_rev("master^^"), tip);
    assert_eq!(d.clone.rev("master"), d.server_rev("master"));
}

#[test]
fn sigkill_between_t1_and_t2_then_resume() {
    let d = Deployment::new(APP);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let (code, stderr) = d.push_with(
        &["origin", "master"],
        &[("ENVGUARD_FAULT", "kill-after-t1")],
    );
    assert_ne!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master^"), tip, "T1 landed");
    assert_eq!(d.clone.rev("master"), tip, "the local branch is untouched");
    let state = d.clone.path.join(".git/envguard/toggle.json");
    assert!(state.exists(), "the toggle state survived the kill");

    let out = d.clone.envguard(&["push", "--resume"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(d.server_rev("master^^"), tip);
    assert_eq!(d.clone.rev("master"), d.server_rev("master"));
    assert!(!state.exists());
    assert_eq!(recorded_pushes(&d.server).len(), 2, "T1, T2");

    // A damaged state file is named, and nothing is pushed.
    std::fs::write(&state, "{ not json").expect("state");
    cmd_snapshot!(
        Filters::new().deployment(&d),
        "push_resume_damaged_state",
        d.clone.envguard(&["push", "--resume"])
    );
    assert_eq!(recorded_pushes(&d.server).len(), 2);
}

#[test]
fn resume_after_the_remote_moved_elsewhere_changes_nothing() {
    let d = Deployment::new(APP);
    let tip = drop_cors(&d.clone, "Drop CORS");
    let (code, _) = d.push_with(
        &["origin", "master"],
        &[("ENVGUARD_FAULT", "kill-after-t1")],
    );
    assert_ne!(code, 0);
    let other = Repo::clone_of(&d.server);
    other.write("app.py", "print('theirs')\n");
    let theirs = other.commit("Their change");
    other.git(&["push", "-q", "origin", "master"]);

    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "push_resume_abandoned",
        d.clone.envguard(&["push", "--resume"])
    );
    assert_eq!(d.server_rev("master"), theirs);
    assert_eq!(d.clone.rev("master"), tip);
    assert!(!d.clone.path.join(".git/envguard/toggle.json").exists());
}

#[test]
fn a_push_git_will_refuse_sets_off_no_toggle() {
    let d = Deployment::new(APP);
    let other = Repo::clone_of(&d.server);
    other.write("app.py", "print('theirs')\n");
    let theirs = other.commit("Their change");
    other.git(&["push", "-q", "origin", "master"]);
    // Not fetched: git will refuse this push ("fetch first") after the hook ran.
    let tip = drop_cors(&d.clone, "Drop CORS");
    let pushed = d.push(&["origin", "master"]);
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_git_will_refuse",
        pushed
    );
    assert_eq!(d.server_rev("master"), theirs, "their commit stays");
    assert_eq!(d.clone.rev("master"), tip);
    assert!(
        recorded_pushes(&d.server).len() <= 1,
        "no toggle push reached the server"
    );

    // Forced, the user means it: the toggle goes over their commit, as the push would.
    let (code, stderr) = d.push(&["--force", "origin", "master"]);
    assert_eq!(code, 1, "a toggle stops the outer push: {stderr}");
    assert_eq!(d.server_rev("master^^"), tip);
    assert_eq!(d.clone.rev("master"), d.server_rev("master"));
}

#[test]
fn a_concurrent_push_between_analysis_and_t1() {
    let d = Deployment::new(APP);
    let other = Repo::clone_of(&d.server);
    other.write("app.py", "print('theirs')\n");
    let theirs = other.commit("Their change");
    // The hook envguard chains runs after git read the remote's refs and before envguard
    // pushes T1: the other clone pushes right then, once.
    write_hook(
        &d.clone.path.join(".git/hooks"),
        "pre-push.legacy",
        &format!(
            "#!/bin/sh\ncat >/dev/null\n[ -f '{flag}' ] && exit 0\ntouch '{flag}'\n\
             unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\ncd '{other}' && git push -q origin master\n",
            flag = d.clone.scratch("flags").join("raced").display(),
            other = other.path.display()
        ),
    );
    let tip = drop_cors(&d.clone, "Drop CORS");
    cmd_snapshot!(
        Filters::new()
            .deployment(&d)
            .repo(&other, "OTHER")
            .commit(&tip, "TIP"),
        "hook_toggle_raced_by_another_push",
        d.push(&["origin", "master"])
    );
    assert_eq!(d.server_rev("master"), theirs, "their commit is kept");
    assert_eq!(d.clone.rev("master"), tip, "ours is kept");

    // Merge theirs, push again: it converges.
    d.clone
        .git(&["pull", "-q", "--no-rebase", "--no-edit", "origin", "master"]);
    let merged = d.clone.rev("master");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 1, "a toggle stops the outer push: {stderr}");
    assert_eq!(d.server_rev("master^^"), merged);
    assert_eq!(d.clone.rev("master"), d.server_rev("master"));
}

// ---- The wipe's safety ----------------------------------------------------------------

fn venv_at(dir: &Path) {
    std::fs::create_dir_all(dir.join("bin")).expect("venv");
    std::fs::write(dir.join("pyvenv.cfg"), "home = /usr/bin\n").expect("cfg");
}

fn wipe(cwd: &Path, args: &[&str], home: &Path) -> std::process::Output {
    crate::support::command(envguard_bin(), cwd)
        .arg("wipe")
        .args(args)
        .env("HOME", home)
        .output()
        .expect("envguard wipe")
}

#[test]
fn wipe_refuses_traversal_symlinked_parents_root_and_home() {
    let holder = tempfile::tempdir().expect("tempdir");
    let base = holder.path();
    let home = base.join("home/user");
    let site = base.join("site");
    let outside = base.join("outside");
    venv_at(&outside.join("env"));
    venv_at(&site.join("env"));
    std::fs::create_dir_all(&home).expect("home");
    venv_at(&home.join("env"));
    std::os::unix::fs::symlink(&outside, site.join("linked")).expect("link");
    let t = site.display().to_string();

    let out = wipe(
        base,
        &["--target", &t, "--env-dir", "../outside/env"],
        &home,
    );
    let filters = Filters::new().path(base, "BASE");
    cmd_snapshot!(filters, "wipe_target_env_dir_traversal", out);
    let out = wipe(base, &["--target", &t, "--env-dir", "linked/env"], &home);
    cmd_snapshot!(filters, "wipe_target_env_dir_through_a_link", out);
    assert!(
        outside.join("env/pyvenv.cfg").exists(),
        "nothing outside was touched"
    );

    for (target, name) in [
        ("/", "wipe_target_root"),
        (home.to_str().expect("utf-8"), "wipe_target_home"),
        (
            base.join("home").to_str().expect("utf-8"),
            "wipe_target_above_home",
        ),
    ] {
        cmd_snapshot!(filters, name, wipe(base, &["--target", target], &home));
    }
    assert!(home.join("env/pyvenv.cfg").exists());

    // The same target, properly named, is wiped.
    let out = wipe(base, &["--target", &t], &home);
    assert!(out.status.success(), "{out:?}");
    assert!(!site.join("env").exists());

    // A traversal in the git config stops the server hook from wiping, with a warning.
    let server = Repo::init(&["--bare"]);
    venv_at(&site.join("env"));
    server.git(&["config", "envguard.target", &t]);
    server.git(&["config", "envguard.envDir", "../outside/env"]);
    let out = server
        .cmd(envguard_bin())
        .arg("post-receive")
        .stdin(Stdio::null())
        .output()
        .expect("post-receive");
    cmd_snapshot!(
        Filters::new().path(base, "BASE").repo(&server, "SERVER"),
        "server_env_dir_traversal",
        out
    );
    assert!(outside.join("env/pyvenv.cfg").exists());
    assert!(site.join("env/pyvenv.cfg").exists());
}

#[cfg(unix)]
#[test]
fn a_non_utf8_branch_name_does_not_drop_the_rest_of_the_push() {
    use std::os::unix::ffi::OsStrExt;
    let d = Deployment::new(APP);
    let c = &d.clone;
    c.git(&["config", "envguard.mode", "warn"]);
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let out = c
        .cmd("git")
        .arg("branch")
        .arg(odd)
        .output()
        .expect("git branch");
    assert!(out.status.success(), "{out:?}");
    let tip = drop_cors(c, "Drop CORS");
    let (code, output) = d.push_all(&["--all", "origin"]);
    assert_eq!(code, 0, "{output}");
    assert_eq!(d.server_rev("master"), tip);
    // master is checked: its verdict and reason are said.
    text_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_warn_beside_a_non_utf8_branch",
        envguard_lines(&output)
    );
}

#[cfg(unix)]
#[test]
fn the_server_hook_reads_past_a_non_utf8_ref_name() {
    let d = Deployment::new(APP);
    let target = d.server.scratch("target");
    std::fs::create_dir_all(target.join("env/bin")).expect("env");
    std::fs::write(target.join("env/pyvenv.cfg"), "home = /usr/bin\n").expect("cfg");
    let old = d.server.rev("master");
    let tip = drop_cors(&d.clone, "Drop CORS");
    d.clone
        .git(&["push", "--no-verify", "origin", "master:refs/heads/staging"]);
    // A line whose ref name is not UTF-8, then master's line.
    let mut odd = format!("{old} {tip} refs/heads/caf").into_bytes();
    odd.extend_from_slice(b"\xe9\n");
    odd.extend_from_slice(format!("{old} {tip} refs/heads/master\n").as_bytes());
    d.server
        .git(&["config", "envguard.target", target.to_str().expect("utf-8")]);
    // As git runs the hook: the ref is written before post-receive starts (the env predates
    // it).
    d.server.git(&["update-ref", "refs/heads/master", &tip]);
    let mut child = d
        .server
        .cmd(envguard_bin())
        .arg("post-receive")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(&odd).expect("write");
    }
    let out = child.wait_with_output().expect("wait");
    assert!(!target.join("env").exists(), "env was not wiped: {out:?}");
    // master's line is read and acted on.
    cmd_snapshot!(
        Filters::new()
            .deployment(&d)
            .commit(&old, "OLD")
            .commit(&tip, "TIP"),
        "server_past_a_non_utf8_ref_name",
        out
    );
}

#[test]
fn hook_status_into_a_closed_pipe_does_not_panic() {
    let d = Deployment::new(APP);
    // A pipe whose reading end is closed before the child starts, as `| head -0` leaves
    // it: every write of the child fails (EPIPE), from the first one on.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = d
        .clone
        .cmd(envguard_bin())
        .args(["hook", "status"])
        .stdout(writer)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Nothing to say about the closed pipe: the report had nowhere to go.
    assert_eq!(stderr, "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn post_receive_whose_pusher_went_away_still_runs_the_chained_deploy_step() {
    let d = Deployment::new(APP);
    let hooks = d.server.path.join("hooks");
    let done = d.server.scratch("deployed");
    write_hook(
        &hooks,
        "post-receive",
        &format!("#!/bin/sh\ncat >/dev/null\ntouch '{}'\n", done.display()),
    );
    let install = d.server.envguard(&["hook", "install", "--server"]);
    assert!(install.status.success(), "{install:?}");
    let old = d.server.rev("master");
    let tip = drop_cors(&d.clone, "Drop CORS");
    d.clone
        .git(&["push", "--no-verify", "origin", "master:refs/heads/other"]);
    let mut child = d
        .server
        .cmd(hooks.join("post-receive"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    drop(child.stderr.take());
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{old} {tip} refs/heads/master\n").as_bytes())
            .expect("write");
    }
    let status = child.wait().expect("wait");
    assert!(
        done.exists(),
        "the chained deploy step did not run ({status})"
    );
}

/// `envguard post-receive` in `server` with `input` on its stdin.
fn post_receive(server: &Repo, input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = server
        .cmd(envguard_bin())
        .arg("post-receive")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("post-receive");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input");
    child.wait_with_output().expect("wait")
}

/// A post-receive run by hand with ids the repository does not have says so: nothing is
/// skipped without a word, and nothing is wiped.
#[test]
fn post_receive_input_naming_no_commit_is_said() {
    let server = Repo::init(&["--bare"]);
    let target = server.scratch("target");
    server.git(&["config", "envguard.target", &target.display().to_string()]);
    let out = post_receive(
        &server,
        &format!("{} {} refs/heads/master\n", "a".repeat(40), "b".repeat(40)),
    );
    cmd_snapshot!(
        Filters::new().repo(&server, "SERVER"),
        "post_receive_unknown_commit",
        out
    );
    // An old id the repository lacks, beside a new commit it has: said too, not judged
    // against nothing.
    let clone = Repo::clone_of(&server);
    clone.write("requirements.txt", "a\n");
    let tip = clone.commit("First");
    clone.git(&["push", "-q", "--no-verify", "origin", "master"]);
    let out = post_receive(
        &server,
        &format!("{} {tip} refs/heads/master\n", "1".repeat(40)),
    );
    cmd_snapshot!(
        Filters::new().repo(&server, "SERVER"),
        "post_receive_unknown_old_commit",
        out
    );
}
