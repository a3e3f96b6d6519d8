//! The server checks the world when it acts, not when it was installed. On real pushes into
//! real bare repositories whose dispatchers run a real deploy step (a venv made by `python3
//! -m venv` and `pip install` of the pushed requirements, offline from wheels the test
//! builds), the rule: after envguard and the deployment the env is a fresh install of the
//! deployed requirements, or envguard left it alone and said which hook or change made it
//! do so; the env the deployment built is never deleted.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::support::{
    Deployment, Filters, dists, envguard_lines, fresh_install, make_wheels, pip_install,
    server_lines, site_packages,
};
use crate::{cmd_snapshot, text_snapshot};

const FIRST: &str = "alpha\nbeta\n";
const SECOND: &str = "alpha\n";

/// A deploy step as a server runs it: the pushed requirements, installed with pip into the
/// target's env (made when missing), as a piku or home-made deploy does.
fn deploy_step(target: &Path, wheels: &Path) -> String {
    format!(
        "#!/bin/sh\nwhile read old new ref; do tip=$new; done\n\
         git show \"$tip:requirements.txt\" > '{t}/req.txt' || exit 1\n\
         [ -d '{t}/env' ] || python3 -m venv --without-pip '{t}/env' || exit 1\n\
         PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip --python '{t}/env/bin/python' install \
         -q --no-index --find-links '{w}' -r '{t}/req.txt' || exit 1\n\
         echo deployed >> '{t}/deployed.log'\n",
        t = target.display(),
        w = wheels.display()
    )
}

/// A deployment of FIRST with its env installed at `target/env`, and the wheels.
fn deployed(d: &Deployment) -> (PathBuf, PathBuf) {
    crate::support::require_venv();
    let wheels = d.server.scratch("wheels");
    make_wheels(&wheels, &["alpha", "beta"]);
    let target = d.server.scratch("target");
    std::fs::create_dir_all(&target).expect("target");
    crate::support::new_venv(&target.join("env"));
    pip_install(&target.join("env"), &wheels, FIRST);
    d.clone.git(&["config", "envguard.mode", "off"]);
    (target, wheels)
}

/// Pushes SECOND (beta removed): (exit code, stderr).
fn push_removal(d: &Deployment) -> (i32, String) {
    d.clone.write("requirements.txt", SECOND);
    d.clone.commit("Drop beta");
    d.push(&["origin", "master"])
}

/// The invariant: the env the deployment ended with exists and either is a fresh install of
/// SECOND, or envguard said it left it alone, naming `why`.
fn fresh_or_left_alone(target: &Path, wheels: &Path, stderr: &str, why: &str) -> bool {
    let env = target.join("env");
    assert!(
        env.join("pyvenv.cfg").is_file(),
        "the deployed env is gone: {stderr}"
    );
    let have = dists(&env);
    let fresh = fresh_install(wheels, SECOND);
    assert!(
        fresh.is_subset(&have),
        "the deployment's packages are missing: {have:?}\n{stderr}"
    );
    if have == fresh {
        return true;
    }
    assert!(
        stderr.contains("left") && stderr.contains("as it is") && stderr.contains(why),
        "stale env {have:?} and no reason naming {why}: {stderr}"
    );
    false
}

/// Gitea's dispatcher runs `post-receive.d` in name order. A deploy step added after
/// `hook install --server`, under any name (also names that are not UTF-8), with the wipe or
/// the prune: a step that runs before envguard's hook has deployed, so envguard leaves its
/// env and names it; a step after it finds the env wiped or pruned and builds it fresh.
#[test]
fn a_deploy_step_added_after_install_is_judged_when_the_hook_runs() {
    let names: [(&[u8], bool); 6] = [
        (b"-deploy", true),
        (b"0-deploy", true),
        (b"00-deploy", true),
        (b"-\xffdeploy", true),
        (b"50-deploy", false),
        (b"\xfe\xffdeploy", false),
    ];
    let mut cases: Vec<(&[u8], bool, &str)> = names
        .iter()
        .map(|(n, first)| (*n, *first, "wipe"))
        .collect();
    cases.push((b"0-deploy", true, "prune"));
    cases.push((b"50-deploy", false, "prune"));
    for (name, runs_first, action) in cases {
        let name = OsStr::from_bytes(name);
        let d = Deployment::new(&[("requirements.txt", FIRST)]);
        let (target, wheels) = deployed(&d);
        let hooks = d.server.path.join("hooks");
        crate::support::write_hook(&hooks, "post-receive", crate::beyond::GITEA_DISPATCHER);
        d.server.install_server_hook(&target);
        d.server.git(&["config", "envguard.serverAction", action]);
        // Added after the install, which saw no deploy step.
        let step = hooks.join("post-receive.d").join(name);
        std::fs::write(&step, deploy_step(&target, &wheels)).expect("step");
        std::fs::set_permissions(&step, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        let (code, stderr) = push_removal(&d);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            target.join("deployed.log").is_file(),
            "{name:?}: the step ran: {stderr}"
        );
        let shown = name.to_string_lossy();
        let fresh = fresh_or_left_alone(&target, &wheels, &stderr, &shown);
        assert_eq!(
            fresh, !runs_first,
            "{name:?} ({action}): runs first = {runs_first}, fresh = {fresh}: {stderr}"
        );
        let status = d.server.envguard(&["hook", "status", "--server"]);
        let status = String::from_utf8_lossy(&status.stdout).into_owned();
        assert!(
            status.contains(shown.as_ref()),
            "status lists {shown}: {status}"
        );
    }
}

/// gitaly runs a repository's single-file `custom_hooks/post-receive` before its
/// `post-receive.d` folder. Added after envguard's install in the folder, it deploys first:
/// envguard leaves the env it built and names it.
#[test]
fn a_gitlab_single_file_hook_added_after_install_keeps_its_env() {
    let d = Deployment::new(&[("requirements.txt", FIRST)]);
    let (target, wheels) = deployed(&d);
    let custom = d.server.path.join("custom_hooks");
    std::fs::create_dir_all(custom.join("post-receive.d")).expect("custom_hooks");
    d.server.install_server_hook(&target);
    assert!(custom.join("post-receive.d/00-envguard").is_file());
    let nowhere = d.server.scratch("no-server-wide");
    crate::support::write_hook(
        &d.server.path.join("hooks"),
        "post-receive",
        &crate::beyond::gitaly_dispatcher(&nowhere),
    );
    crate::support::write_hook(&custom, "post-receive", &deploy_step(&target, &wheels));
    let (code, stderr) = push_removal(&d);
    assert_eq!(code, 0, "{stderr}");
    assert!(!fresh_or_left_alone(
        &target,
        &wheels,
        &stderr,
        "custom_hooks/post-receive"
    ));
}

/// A post-receive of the user's own that deploys and then calls envguard: no dispatcher
/// order to read. A deploy that builds a new env leaves it younger than the pushed ref; one
/// that only runs pip, installing nothing (a removal), leaves the env's Python started after
/// it. Either way a deployment of this push used the env: envguard leaves it and says why.
#[test]
fn an_env_a_deployment_of_this_push_used_is_never_deleted() {
    for (rebuild, name) in [
        (true, "server_held_env_built_by_this_push"),
        (false, "server_held_env_whose_python_ran"),
    ] {
        let d = Deployment::new(&[("requirements.txt", FIRST)]);
        let (target, wheels) = deployed(&d);
        d.server.install_server_hook(&target);
        let hooks = d.server.path.join("hooks");
        let script = format!(
            "#!/bin/sh\ninput=$(cat)\n{rm}printf '%s\\n' \"$input\" | {step}\nprintf '%s\\n' \"$input\" | env -u ENVGUARD_HOOK '{bin}' post-receive\n",
            rm = if rebuild {
                format!("rm -rf '{}/env'\n", target.display())
            } else {
                String::new()
            },
            step = hooks.join("deploy-step").display(),
            bin = crate::support::envguard_bin().display()
        );
        crate::support::write_hook(&hooks, "deploy-step", &deploy_step(&target, &wheels));
        crate::support::write_hook(&hooks, "post-receive", &script);
        let (code, stderr) = push_removal(&d);
        assert_eq!(code, 0, "{stderr}");
        // The evidence envguard names is the first it finds: a rebuilt env's Python ran
        // too, and that is checked before the env's age.
        text_snapshot!(
            Filters::new()
                .deployment(&d)
                .venv()
                .text(r"[0-9]+\.[0-9]+ s after", "[SECONDS] s after"),
            name,
            server_lines(&stderr)
        );
        let have = dists(&target.join("env"));
        if rebuild {
            assert_eq!(have, fresh_install(&wheels, SECOND));
        } else {
            assert_eq!(have, fresh_install(&wheels, FIRST), "left as deployed");
        }
    }
}

/// Two pushes at once through envguard's chained deploy step (a slow one): the second
/// push's envguard waits for the first push's deployment to finish, never wiping an env
/// while it is being built, and the env ends a fresh install of the last push.
#[test]
fn two_pushes_at_once_take_turns_through_envguard_and_the_deploy() {
    let d = Deployment::new(&[("requirements.txt", FIRST)]);
    let (target, wheels) = deployed(&d);
    let hooks = d.server.path.join("hooks");
    let slow = deploy_step(&target, &wheels).replacen("[ -d", "sleep 3\n[ -d", 1);
    crate::support::write_hook(&hooks, "post-receive", &slow);
    d.server.install_server_hook(&target);
    d.clone.write("requirements.txt", "alpha\nbeta\n\n");
    let first = d.clone.commit("Touch the requirements");
    d.clone.write("requirements.txt", SECOND);
    let second = d.clone.commit("Drop beta");
    let background = d
        .clone
        .cmd("git")
        .args([
            "push",
            "-q",
            "origin",
            &format!("{first}:refs/heads/master"),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("first push");
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let (code, stderr) = d.push(&["origin", &format!("{second}:refs/heads/master")]);
    let first_out = background.wait_with_output().expect("first push");
    assert!(first_out.status.success(), "{first_out:?}");
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        Filters::new()
            .deployment(&d)
            .venv()
            .text(r"waited [0-9.]+ s", "waited [SECONDS] s"),
        "server_waited_for_another_push",
        server_lines(&stderr)
    );
    assert_eq!(
        dists(&target.join("env")),
        fresh_install(&wheels, SECOND),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(target.join("deployed.log")).expect("log"),
        "deployed\ndeployed\n"
    );
}

/// A file nobody can delete (immutable: `chattr +i`, as root) inside the env: the wipe moves
/// the env aside, the deployment builds a fresh one, and the file is reported as left over
/// with the command that removes it, never as a failed wipe. The next wipe is not stopped by
/// that leftover.
#[test]
fn a_file_the_wipe_cannot_delete_is_left_over_and_never_blocks_a_later_wipe() {
    let d = Deployment::new(&[("requirements.txt", FIRST)]);
    let (target, wheels) = deployed(&d);
    let hooks = d.server.path.join("hooks");
    crate::support::write_hook(&hooks, "post-receive", crate::beyond::GITEA_DISPATCHER);
    d.server.install_server_hook(&target);
    crate::support::write_hook(
        &hooks.join("post-receive.d"),
        "50-deploy",
        &deploy_step(&target, &wheels),
    );
    let stuck = site_packages(&target.join("env")).join("beta/stuck.py");
    std::fs::write(&stuck, "x = 1\n").expect("stuck");
    let _unstick = Immutable::set(&stuck);
    let filters = Filters::new()
        .deployment(&d)
        .venv()
        .text(r"\.envguard-trash-[A-Za-z0-9._-]+", ".envguard-trash-[ID]");
    let (code, stderr) = push_removal(&d);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(filters, "server_leftover", envguard_lines(&stderr));
    assert_eq!(dists(&target.join("env")), fresh_install(&wheels, SECOND));

    // The next removal wipes again although the leftover is still there.
    d.clone.write("requirements.txt", "");
    d.clone.commit("Drop alpha");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(filters, "server_leftover_again", envguard_lines(&stderr));
    assert_eq!(dists(&target.join("env")), fresh_install(&wheels, ""));
}

/// An env folder that cannot be moved (immutable itself): nothing is deleted, the deployment
/// installs into it as before, and the push says so.
#[test]
fn an_env_that_cannot_be_moved_is_left_whole_and_said() {
    let d = Deployment::new(&[("requirements.txt", FIRST)]);
    let (target, _) = deployed(&d);
    d.server.install_server_hook(&target);
    let before = dists(&target.join("env"));
    let _unstick = Immutable::set(&target.join("env"));
    let (code, stderr) = push_removal(&d);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        Filters::new()
            .deployment(&d)
            .venv()
            .text(r"\.envguard-trash-[A-Za-z0-9._-]+", ".envguard-trash-[ID]"),
        "server_env_not_wiped",
        envguard_lines(&stderr)
    );
    assert_eq!(dists(&target.join("env")), before);
}

/// `chattr +i` on a path for a test's length.
struct Immutable(PathBuf);

impl Immutable {
    fn set(path: &Path) -> Immutable {
        let out = std::process::Command::new("chattr")
            .arg("+i")
            .arg(path)
            .output()
            .expect("chattr (e2fsprogs) runs");
        assert!(
            out.status.success(),
            "chattr +i needs root and a file system that has it: {out:?}"
        );
        Immutable(path.to_path_buf())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .stderr(std::process::Stdio::null())
            .status();
        // The leftover trash holds the path under another name.
        if let Some(target) = self.0.ancestors().find(|p| p.ends_with("target")) {
            let _ = std::process::Command::new("chattr")
                .args(["-R", "-i"])
                .arg(target)
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

/// An orphan whose package folder is a link to a kept package's folder: the prune never
/// deletes through the link (it wipes instead, and says why), the kept package imports after
/// the deployment, and `env diff` calls such an env not exact before.
#[test]
fn a_prune_never_deletes_through_a_link_inside_the_env() {
    let d = Deployment::new(&[("requirements.txt", "alpha\nbeta\norphan\n")]);
    let (target, wheels) = deployed(&d);
    let hooks = d.server.path.join("hooks");
    crate::support::write_hook(&hooks, "post-receive", crate::beyond::GITEA_DISPATCHER);
    d.server.install_server_hook(&target);
    d.server.git(&["config", "envguard.serverAction", "prune"]);
    crate::support::write_hook(
        &hooks.join("post-receive.d"),
        "50-deploy",
        &deploy_step(&target, &wheels),
    );
    let env = target.join("env");
    let site = site_packages(&env);
    std::os::unix::fs::symlink(site.join("alpha"), site.join("orphan")).expect("link");
    crate::prune_safety::install_by_hand(&site, "orphan", &["orphan/__init__.py"]);
    let diff = d
        .server
        .envguard(&["env", "diff", &env.display().to_string(), "master"]);
    let filters = Filters::new()
        .deployment(&d)
        .venv()
        .text(r"\.envguard-trash-[A-Za-z0-9._-]+", ".envguard-trash-[ID]");
    cmd_snapshot!(filters, "env_diff_through_a_link", diff);

    d.clone.write("requirements.txt", "alpha\nbeta\n");
    d.clone.commit("Drop orphan");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        filters,
        "server_prune_through_a_link",
        server_lines(&stderr)
    );
    assert_eq!(dists(&env), fresh_install(&wheels, "alpha\nbeta\n"));
    let imports = crate::support::command(env.join("bin/python"), &target)
        .args(["-c", "import alpha"])
        .status()
        .expect("python");
    assert!(imports.success(), "alpha imports after the deployment");
}

/// `env diff` never calls an env exact whose kept distribution lost a file.
#[test]
fn env_diff_calls_a_broken_env_not_exact() {
    let d = Deployment::new(&[("requirements.txt", FIRST)]);
    let (target, _) = deployed(&d);
    let env = target.join("env");
    let args = ["env", "diff", &env.display().to_string(), "master"];
    let exact = d.server.envguard(&args);
    assert_eq!(exact.status.code(), Some(0), "{exact:?}");
    let module = std::fs::read_dir(site_packages(&env).join("alpha"))
        .expect("alpha")
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "py"))
        .expect("a module");
    std::fs::remove_file(module.path()).expect("rm");
    let broken = d.server.envguard(&args);
    cmd_snapshot!(
        Filters::new().deployment(&d).venv(),
        "env_diff_broken_distribution",
        broken
    );
}

/// `envguard.branch` lists master and staging (set by hand); the site deploys master (its
/// DEPLOYMENT_BRANCH, unset: master). A push of staging alone deploys nothing on the site,
/// so neither the remote wipe nor the remote prune touches the site's env; a push of master
/// does. The site is asked when envguard acts, not when it was set up.
#[test]
fn a_push_of_a_branch_the_site_does_not_deploy_never_touches_its_env() {
    use crate::support::kudu_api::{ApiSettings, KuduApi};
    for mode in ["remote-wipe", "remote-prune"] {
        let site = crate::remote::Site::new();
        let settings = ApiSettings::new(&site.wwwroot);
        let api = KuduApi::start(settings.clone());
        site.use_api(&api.url, &settings.user, &settings.password);
        site.d.clone.git(&["config", "envguard.mode", mode]);
        site.d.clone.git(&["config", "envguard.branch", "master"]);
        site.d
            .clone
            .git(&["config", "--add", "envguard.branch", "staging"]);
        site.drop_b();
        let (code, stderr) = site.d.push(&["origin", "master:staging"]);
        assert_eq!(code, 0, "{mode}: {stderr}");
        text_snapshot!(
            site.filters(&api.url),
            format!("site_deploys_another_branch_{mode}"),
            envguard_lines(&stderr)
        );
        assert!(site.env().join("pyvenv.cfg").is_file(), "{mode}: {stderr}");
        assert_eq!(api.deletions(), 0, "{mode}: {:?}", api.seen());

        let (code, stderr) = site.d.push(&["origin", "master"]);
        assert_eq!(code, 0, "{mode}: {stderr}");
        assert!(
            !site.env().join("lib/b").exists(),
            "{mode}: master deploys, so its stale env is acted on: {stderr}"
        );
    }
}

/// In a mode that acts, an internal failure refuses the push and names the bypass; in warn
/// mode it never blocks. Both a returned error and a panic, after the mode is known.
#[test]
fn an_internal_failure_refuses_where_envguard_acts_and_never_where_it_advises() {
    for fault in ["internal-after-mode", "panic-after-mode"] {
        for (mode, refused) in [("toggle", true), ("warn", false)] {
            let d = Deployment::new(&[
                ("requirements.txt", "a\nb\n"),
                ("runtime.txt", "python-3.6\n"),
            ]);
            d.clone.git(&["config", "envguard.mode", mode]);
            d.clone.write("requirements.txt", "a\n");
            let tip = d.clone.commit("Drop b");
            let before = d.server_rev("master");
            let (code, stderr) = d.push_with(&["origin", "master"], &[("ENVGUARD_FAULT", fault)]);
            if refused {
                assert_ne!(code, 0, "{fault} {mode}: {stderr}");
                assert_eq!(d.server_rev("master"), before, "{fault}: nothing pushed");
            } else {
                assert_eq!(code, 0, "{fault} {mode}: {stderr}");
                assert_eq!(d.server_rev("master"), tip);
            }
            // Refused naming the bypass (ENVGUARD=0 git push), or pushed without the env
            // check. The panic's place in the source follows the source.
            cmd_snapshot!(
                Filters::new()
                    .deployment(&d)
                    .commit(&tip, "TIP")
                    .text(r"src/[a-z_/]+\.rs:[0-9]+:[0-9]+", "[SOURCE]"),
                format!("hook_{fault}_in_{mode}_mode"),
                (code, stderr)
            );
        }
    }
}

/// The base of a comparison is what the remote last held, from git's own hook input, not
/// a remote-tracking ref: a deploy branch deleted on the remote and pushed again with a
/// removal is judged against what the site still runs, never as a first deployment.
#[test]
fn a_deploy_branch_deleted_and_pushed_again_is_judged_against_what_was_deployed() {
    let d = Deployment::new(&[("requirements.txt", "a\nb\n"), ("app.py", "x = 1\n")]);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    d.clone.write("app.py", "x = 2\n");
    d.clone.commit("Change the app");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    d.server
        .git(&["config", "receive.denyDeleteCurrent", "ignore"]);
    let (code, stderr) = d.push(&["origin", ":master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        d.clone
            .git_output(&["rev-parse", "--verify", "-q", "refs/remotes/origin/master"])
            .stdout
            .is_empty(),
        "git dropped the remote-tracking ref"
    );
    d.clone.write("requirements.txt", "a\n");
    let tip = d.clone.commit("Drop b");
    let pushed = d.push(&["origin", "master"]);
    assert_eq!(pushed.0, 0, "{}", pushed.1);
    // Judged against the deleted branch's last tip: master, wipe, b removed.
    cmd_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_warn_branch_deleted_and_pushed_again",
        pushed
    );
}

/// The record of what a deploy branch holds follows the pushes themselves: after pushes of
/// c1, c2 and c3 (which adds b), the branch deleted on the server (not through this clone)
/// and pushed again with b dropped is judged against c3, the last push git confirmed, not
/// against what the branch held before it.
#[test]
fn a_branch_deleted_on_the_server_is_judged_against_the_last_confirmed_push() {
    let d = Deployment::new(&[("requirements.txt", "a\n"), ("app.py", "x = 1\n")]);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    for (file, text) in [("app.py", "x = 2\n"), ("requirements.txt", "a\nb\n")] {
        d.clone.write(file, text);
        d.clone.commit("Next");
        let (code, stderr) = d.push(&["origin", "master"]);
        assert_eq!(code, 0, "{stderr}");
    }
    let c3 = d.clone.rev("HEAD");
    d.server
        .git(&["symbolic-ref", "HEAD", "refs/heads/elsewhere"]);
    d.server.git(&["update-ref", "-d", "refs/heads/master"]);
    d.clone.write("requirements.txt", "a\n");
    let tip = d.clone.commit("Drop b");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    text_snapshot!(
        Filters::new()
            .deployment(&d)
            .commit(&tip, "TIP")
            .commit(&c3, "C3"),
        "hook_warn_branch_deleted_on_the_server",
        envguard_lines(&stderr)
    );
}

/// However this clone learnt what landed last (a remote-tracking ref since pruned, a remote
/// without a fetch refspec, a push to the remote's URL), a deploy branch deleted on the
/// server and pushed again with b dropped needs a fresh env: mark mode pushes the marker.
/// Where envguard cannot tell which of the commits it knows landed, it judges by the one
/// that leaves the env staler.
#[test]
fn whatever_this_clone_knows_of_the_last_push_a_removal_after_a_deletion_is_caught() {
    for setup in [
        "pruned",
        "no-fetch-refspec",
        "url",
        "dry-run-first",
        "url-spelt-otherwise",
    ] {
        let d = Deployment::new(&[("requirements.txt", "a\n"), ("app.py", "x = 1\n")]);
        d.clone.git(&["config", "envguard.platform", "self-hosted"]);
        d.clone.git(&["config", "envguard.mode", "mark"]);
        let server = d.server.path.display().to_string();
        if setup == "no-fetch-refspec" {
            d.clone
                .git(&["config", "--unset-all", "remote.origin.fetch"]);
        }
        if setup.starts_with("url") {
            // The URL names the deploy remote, as for a remote given by URL.
            d.clone
                .git(&["config", "envguard.remote", &format!("*{server}*")]);
        }
        let target = if setup == "url" {
            server.as_str()
        } else {
            "origin"
        };
        d.clone.write("requirements.txt", "a\nb\n");
        d.clone.commit("Add b");
        let (code, stderr) = d.push(&[target, "master"]);
        assert_eq!(code, 0, "{setup}: {stderr}");
        d.server
            .git(&["symbolic-ref", "HEAD", "refs/heads/elsewhere"]);
        d.server.git(&["update-ref", "-d", "refs/heads/master"]);
        if setup == "pruned" || setup == "dry-run-first" {
            d.clone.git(&["fetch", "-q", "--prune", "origin"]);
        }
        d.clone.write("requirements.txt", "a\n");
        d.clone.commit("Drop b");
        // The same server, by its URL spelt another way.
        let spelt = format!("file://{server}/");
        let target = if setup == "url-spelt-otherwise" {
            spelt.as_str()
        } else {
            target
        };
        if setup == "dry-run-first" {
            // A dry run (and a push git refuses) deploys nothing: what the site may run stays.
            let (code, stderr) = d.push(&["--dry-run", target, "master"]);
            assert_eq!(code, 0, "{setup}: {stderr}");
        }
        let (code, stderr) = d.push(&[target, "master"]);
        assert_eq!(code, 0, "{setup}: {stderr}");
        assert!(
            !d.server
                .git_output(&["rev-parse", "--verify", "-q", "refs/envguard/wipe/master"])
                .stdout
                .is_empty(),
            "{setup}: the marker for a fresh env: {stderr}"
        );
    }
}

/// What never landed is no base: a first push envguard refused (an invalid file), then the
/// fixed one, is a first deployment; a remote pointed at a new, empty server keeps nothing of
/// the old one's record.
#[test]
fn a_push_that_never_landed_raises_no_alarm() {
    let d = Deployment::new(&[("requirements.txt", "a\nb\n"), ("app.py", "x = 1\n")]);
    d.clone.git(&["config", "envguard.platform", "self-hosted"]);
    d.clone.git(&["config", "envguard.mode", "mark"]);
    // A new server, never deployed to.
    let prod = crate::support::Repo::init(&["--bare"]);
    d.clone
        .git(&["remote", "add", "prod", &prod.path.display().to_string()]);
    d.clone.git(&["config", "envguard.remoteName", "prod"]);
    d.clone.write("requirements.txt", "a\nb\nbroken===\n");
    d.clone.commit("Break the file");
    let (code, stderr) = d.push(&["prod", "master"]);
    assert_ne!(code, 0, "refused: {stderr}");
    d.clone.write("requirements.txt", "a\n");
    d.clone.commit("Fix it, without b");
    let (code, stderr) = d.push(&["prod", "master"]);
    assert_eq!(code, 0, "{stderr}");
    let marked = |server: &crate::support::Repo| {
        !server
            .git_output(&["rev-parse", "--verify", "-q", "refs/envguard/wipe/master"])
            .stdout
            .is_empty()
    };
    assert!(!marked(&prod), "a first deployment: {stderr}");
    // The remote pointed at another new, empty server.
    let other = crate::support::Repo::init(&["--bare"]);
    d.clone.git(&[
        "remote",
        "set-url",
        "prod",
        &other.path.display().to_string(),
    ]);
    d.clone
        .git(&["update-ref", "-d", "refs/remotes/prod/master"]);
    d.clone.write("requirements.txt", "\n");
    d.clone.commit("Nothing required");
    let (code, stderr) = d.push(&["prod", "master"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!marked(&other), "nothing deployed there: {stderr}");
}

/// A record of what a deleted deploy branch held that cannot be read is no empty record:
/// warn mode says the push goes unchecked, mark mode refuses it.
#[test]
fn an_unreadable_record_is_said_or_refuses() {
    let d = Deployment::new(&[("requirements.txt", "a\nb\n"), ("app.py", "x = 1\n")]);
    d.clone.git(&["config", "envguard.platform", "self-hosted"]);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    d.clone.write("app.py", "x = 2\n");
    d.clone.commit("Next");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    d.server
        .git(&["symbolic-ref", "HEAD", "refs/heads/elsewhere"]);
    d.server.git(&["update-ref", "-d", "refs/heads/master"]);
    d.clone.git(&["fetch", "-q", "--prune", "origin"]);
    let records = d.clone.path.join(".git/envguard/deployed");
    let record = std::fs::read_dir(&records)
        .expect("records")
        .flatten()
        .map(|server| server.path().join("master"))
        .find(|p| p.is_file())
        .expect("the record of master");
    std::fs::write(&record, "garbage\n").expect("corrupt");
    d.clone.write("requirements.txt", "a\n");
    d.clone.commit("Drop b");
    let (code, stderr) = d.push(&["--dry-run", "origin", "master"]);
    assert_eq!(code, 0, "warn mode goes on: {stderr}");
    text_snapshot!(
        Filters::new().deployment(&d).path(&record, "RECORD"),
        "hook_warn_unreadable_record",
        envguard_lines(&stderr)
    );
    d.clone.git(&["config", "envguard.mode", "mark"]);
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0, "mark mode refuses: {stderr}");
    assert!(
        d.server
            .git_output(&["rev-parse", "--verify", "-q", "refs/heads/master"])
            .stdout
            .is_empty(),
        "nothing deployed: {stderr}"
    );
}

/// Mark mode acts: when the marker cannot be pushed the server would keep the stale env, so
/// the push is refused and the branch stays where it was.
#[test]
fn a_marker_the_server_refuses_refuses_the_push() {
    let d = Deployment::new(&[("requirements.txt", "a\nb\n"), ("app.py", "x = 1\n")]);
    d.clone.git(&["config", "envguard.platform", "self-hosted"]);
    d.clone.git(&["config", "envguard.mode", "mark"]);
    crate::support::write_hook(
        &d.server.path.join("hooks"),
        "pre-receive",
        "#!/bin/sh\nwhile read o n r; do case $r in refs/envguard/*) exit 1;; esac; done\n",
    );
    let before = d.server_rev("master");
    d.clone.write("requirements.txt", "a\n");
    let tip = d.clone.commit("Drop b");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_ne!(code, 0, "{stderr}");
    assert_eq!(d.server_rev("master"), before, "nothing deployed: {stderr}");
    text_snapshot!(
        Filters::new().deployment(&d).commit(&tip, "TIP"),
        "hook_mark_marker_refused",
        envguard_lines(&stderr)
    );
}

/// The remote's branch was moved from elsewhere (another clone's push, not fetched here),
/// and the user forces over it: envguard fetches what the remote holds and judges the push
/// against it (the site runs their commit, which added c), never against a stale
/// remote-tracking ref.
#[test]
fn a_branch_moved_from_elsewhere_is_judged_against_what_the_remote_holds() {
    let d = Deployment::new(&[
        ("requirements.txt", "a\nb\n"),
        ("runtime.txt", "python-3.6\n"),
    ]);
    let other = crate::support::Repo::clone_of(&d.server);
    other.write("requirements.txt", "a\nb\nc\n");
    other.commit("Add c");
    other.git(&["push", "-q", "origin", "master"]);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    d.clone.write("app.py", "x = 1\n");
    let tip = d.clone.commit("Change the app");
    let pushed = d.push(&["--force", "origin", "master"]);
    assert_eq!(pushed.0, 0, "{}", pushed.1);
    // master, wipe: c removed (their commit added it).
    cmd_snapshot!(
        Filters::new()
            .deployment(&d)
            .repo(&other, "OTHER")
            .commit(&tip, "TIP"),
        "hook_warn_forced_over_a_branch_moved_from_elsewhere",
        pushed
    );
}

/// The remote's branch was moved from elsewhere and its commit cannot be fetched (the fetch
/// URL is not the push URL, and unreachable): the forced push is never judged against a
/// guess. An advising mode says, on every such push, that it goes unchecked and why; a mode
/// that acts refuses it.
#[test]
fn a_forced_push_over_a_commit_that_cannot_be_fetched_is_said_or_refused() {
    let d = Deployment::new(&[
        ("requirements.txt", "a\nb\n"),
        ("runtime.txt", "python-3.6\n"),
    ]);
    let other = crate::support::Repo::clone_of(&d.server);
    other.write("requirements.txt", "a\nb\nc\n");
    other.commit("Add c");
    other.git(&["push", "-q", "origin", "master"]);
    let server = d.server.path.display().to_string();
    let dead = d.clone.scratch("gone").join("nothing.git");
    d.clone
        .git(&["config", "remote.origin.url", &dead.display().to_string()]);
    d.clone.git(&["config", "remote.origin.pushurl", &server]);
    d.clone.git(&["config", "envguard.remoteName", "origin"]);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    for attempt in ["first", "second"] {
        let moved = d.server.rev("master");
        d.clone.write("app.py", format!("x = '{attempt}'\n"));
        d.clone.commit("Change the app");
        let (code, stderr) = d.push(&["--force", "origin", "master"]);
        assert_eq!(code, 0, "{stderr}");
        text_snapshot!(
            Filters::new()
                .deployment(&d)
                .path(&dead, "DEAD")
                .commit(&moved, "THEIRS"),
            format!("forced_over_unfetchable_warn_{attempt}"),
            format!("exit: {code}\n{}", envguard_lines(&stderr))
        );
        // What was pushed is on the server: the push went on.
        assert_eq!(d.server.rev("master"), d.clone.rev("HEAD"));
        // Moved from elsewhere again for the second push.
        other.write("requirements.txt", format!("a\nb\nc\n# {attempt}\n"));
        other.commit("Move again");
        other.git(&["push", "-q", "--force", "origin", "master"]);
    }
    d.clone.git(&["config", "envguard.mode", "toggle"]);
    let before = d.server.rev("master");
    let (code, stderr) = d.push(&["--force", "origin", "master"]);
    assert_ne!(code, 0, "{stderr}");
    assert_eq!(d.server.rev("master"), before, "refused: {stderr}");
}

/// A deploy branch deleted on a Kudu site and pushed again (envguard bypassed for the
/// deletion, so it kept no record, and git dropped the remote-tracking ref): the site's own
/// record, its active deployment, is what the push is judged against, not a first deployment.
#[test]
fn a_recreated_branch_is_judged_against_the_sites_active_deployment() {
    use crate::support::kudu_api::{ApiSettings, KuduApi, use_api};
    let (d, site) = Deployment::kudu(&[
        ("requirements.txt", "a\nb\n"),
        ("runtime.txt", "python-3.6\n"),
    ]);
    let api = KuduApi::start(ApiSettings::new(&site.wwwroot));
    let settings = ApiSettings::new(&site.wwwroot);
    use_api(&d.clone, &api.url, &settings.user, &settings.password);
    d.clone.git(&["config", "envguard.mode", "warn"]);
    d.server
        .git(&["config", "receive.denyDeleteCurrent", "ignore"]);
    d.clone
        .git(&["push", "-q", "--no-verify", "origin", ":master"]);
    d.clone.write("requirements.txt", "a\n");
    let tip = d.clone.commit("Drop b");
    let (code, stderr) = d.push(&["origin", "master"]);
    assert_eq!(code, 0, "{stderr}");
    // master, wipe: b removed (envguard's lines: the deployment's own output follows pip).
    text_snapshot!(
        Filters::new()
            .deployment(&d)
            .path(&site.dir, "SITE")
            .literal(&api.url, "API")
            .commit(&tip, "TIP"),
        "hook_warn_recreated_branch_judged_against_the_active_deployment",
        envguard_lines(&stderr)
    );
}
