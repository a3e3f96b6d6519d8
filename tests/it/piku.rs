//! envguard on a real piku: piku's own `piku.py` (../shared/thirdparty/piku) makes the app's
//! repository and its post-receive hook, deploys every push into its own virtualenv with
//! real `virtualenv` and pip, and envguard's server hook runs before it. After each push the
//! venv holds exactly the pushed requirements: a removal from an `-r` file (requirements.txt
//! unchanged, which alone never makes piku run pip), on branch `main`, wiped and then pruned.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Repo, command, dists, make_wheels, run_ok, test_path, thirdparty};

/// piku.py, beside the project as CI has it.
fn piku_py() -> PathBuf {
    thirdparty("piku/piku.py")
}

/// A piku server in a temporary folder: `PIKU_ROOT`, and the environment piku's hook needs
/// (a python with click and virtualenv first on PATH, after envguard; offline pip).
struct Piku {
    dir: tempfile::TempDir,
    root: PathBuf,
    path: String,
    wheels: PathBuf,
}

impl Piku {
    fn new() -> Piku {
        let python = crate::support::tool(
            "ENVGUARD_TEST_PIKU_PYTHON",
            "python3 -m venv v && v/bin/pip install click virtualenv; the variable is v/bin/python",
        );
        let tools = Path::new(&python).parent().expect("bin").to_path_buf();
        let (envguard_dir, rest) = test_path()
            .split_once(':')
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .expect("PATH");
        let dir = tempfile::tempdir().expect("tempdir");
        let piku = Piku {
            root: dir.path().join("piku"),
            wheels: dir.path().join("wheels"),
            path: format!("{envguard_dir}:{}:{rest}", tools.display()),
            dir,
        };
        run_ok(
            piku.cmd("python3", piku.dir.path())
                .arg(piku_py())
                .arg("setup"),
        );
        let repos = piku.root.join("repos");
        std::fs::create_dir_all(&repos).expect("repos");
        // Makes the bare repository and piku's post-receive; the receive itself gets no input.
        let _ = piku
            .cmd("python3", &repos)
            .arg(piku_py())
            .args(["git-receive-pack", "app"])
            .output();
        assert!(repos.join("app/hooks/post-receive").is_file());
        make_wheels(&piku.wheels, &["alpha", "beta", "gamma", "delta"]);
        piku
    }

    fn cmd(&self, program: impl AsRef<std::ffi::OsStr>, cwd: &Path) -> Command {
        let mut cmd = command(program, cwd);
        cmd.env("PATH", &self.path)
            .env("PIKU_ROOT", &self.root)
            .env("HOME", self.dir.path())
            .env("USER", "piku")
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", &self.wheels)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        cmd
    }

    fn repo(&self) -> PathBuf {
        self.root.join("repos/app")
    }

    /// The app's packages in piku's venv (without the installer's own).
    fn installed(&self) -> Vec<String> {
        dists(&self.root.join("envs/app"))
            .into_iter()
            .filter(|d| !["pip", "setuptools", "wheel"].contains(&d.as_str()))
            .collect()
    }

    /// `git push` of `main` from `clone`: (exit code, all output).
    fn push(&self, clone: &Repo) -> (i32, String) {
        self.push_ref(clone, "main")
    }

    /// `git push` of `refspec` from `clone`: (exit code, all output).
    fn push_ref(&self, clone: &Repo, refspec: &str) -> (i32, String) {
        let out = self
            .cmd("git", &clone.path)
            .arg("push")
            .arg(self.repo())
            .arg(refspec)
            .output()
            .expect("git push");
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }
}

#[test]
#[ignore = "needs ../shared/thirdparty/piku and a python with click and virtualenv: set ENVGUARD_TEST_PIKU_PYTHON (.ci/run does)"]
fn on_real_piku_the_venv_is_exactly_the_pushed_requirements() {
    let piku = Piku::new();
    let server = piku.repo();
    run_ok(
        piku.cmd("git", &server)
            .args(["config", "envguard.platform", "piku"]),
    );
    let out = run_ok(
        piku.cmd("envguard", &server)
            .args(["hook", "install", "--server"]),
    );
    assert!(
        out.contains("piku's post-receive runs after envguard's"),
        "{out}"
    );
    let status = run_ok(piku.cmd("envguard", &server).args(["hook", "status"]));
    assert!(
        status.contains("/envs/app (piku's venv of this app"),
        "the target from the repository's path, with no PIKU_ROOT in envguard's config: {status}"
    );

    let clone = Repo::new();
    clone.git(&["checkout", "-q", "-b", "main"]);
    clone.write("requirements.txt", "-r base.txt\n");
    clone.write("base.txt", "alpha\nbeta\n");
    clone.write("Procfile", "web: python3 -m http.server\n");
    clone.commit("The app");
    let (code, output) = piku.push(&clone);
    assert_eq!(code, 0, "{output}");
    assert_eq!(piku.installed(), ["alpha", "beta"], "{output}");

    // A removal from the -r file only, on main: envguard wipes the venv, piku builds a new one.
    clone.write("base.txt", "alpha\ngamma\n");
    clone.commit("beta out, gamma in");
    let (code, output) = piku.push(&clone);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("main: fresh env needed"), "{output}");
    assert_eq!(piku.installed(), ["alpha", "gamma"], "{output}");

    // The same with the prune: gamma is uninstalled, and piku runs pip for delta although
    // requirements.txt did not change.
    run_ok(
        piku.cmd("git", &server)
            .args(["config", "envguard.serverAction", "prune"]),
    );
    clone.write("base.txt", "alpha\ndelta\n");
    clone.commit("gamma out, delta in");
    let (code, output) = piku.push(&clone);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("pruned 1 distribution(s)"), "{output}");
    assert_eq!(piku.installed(), ["alpha", "delta"], "{output}");
    assert!(
        output.contains("so that piku installs the changed requirements"),
        "{output}"
    );
}

/// piku deploys every pushed ref, tags too, into the one checkout and venv (piku.py
/// `cmd_git_hook`, `do_deploy`: `git reset --hard {newrev}`): each push is judged against
/// what piku deployed last, of whatever ref, which its app checkout shows.
#[test]
#[ignore = "needs ../shared/thirdparty/piku and a python with click and virtualenv: set ENVGUARD_TEST_PIKU_PYTHON (.ci/run does)"]
fn on_real_piku_every_ref_is_judged_against_what_was_deployed_last() {
    let piku = Piku::new();
    let server = piku.repo();
    run_ok(
        piku.cmd("git", &server)
            .args(["config", "envguard.platform", "piku"]),
    );
    run_ok(
        piku.cmd("envguard", &server)
            .args(["hook", "install", "--server"]),
    );
    let clone = Repo::new();
    clone.git(&["checkout", "-q", "-b", "main"]);
    clone.write("requirements.txt", "alpha\n");
    clone.write("Procfile", "web: python3 -m http.server\n");
    clone.commit("The app");
    clone.git(&["tag", "v1"]);
    clone.write("requirements.txt", "alpha\nbeta\n");
    clone.commit("Beta");
    let (code, output) = piku.push(&clone);
    assert_eq!(code, 0, "{output}");
    assert_eq!(piku.installed(), ["alpha", "beta"], "{output}");

    // Another branch, deployed into the same venv: beta out, gamma in.
    clone.git(&["checkout", "-q", "-b", "feature"]);
    clone.write("requirements.txt", "alpha\ngamma\n");
    clone.commit("Try gamma");
    let (code, output) = piku.push_ref(&clone, "feature");
    assert_eq!(code, 0, "{output}");
    assert_eq!(piku.installed(), ["alpha", "gamma"], "{output}");

    // main again, its requirements as they were on main: against what piku deployed last
    // (feature), gamma goes stale.
    clone.git(&["checkout", "-q", "main"]);
    clone.write("app.py", "print('v2')\n");
    clone.commit("Change the app");
    let (code, output) = piku.push(&clone);
    assert_eq!(code, 0, "{output}");
    assert_eq!(piku.installed(), ["alpha", "beta"], "{output}");

    // A tag deploys too (of a commit piku's checkout fetches: one in main's history).
    let (code, output) = piku.push_ref(&clone, "v1");
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("v1: fresh env needed"), "{output}");
    assert_eq!(piku.installed(), ["alpha"], "{output}");

    // An annotated tag deploys the commit it points at.
    clone.write("app.py", "print('v3')\n");
    clone.commit("Change the app again");
    let (code, output) = piku.push(&clone);
    assert_eq!(code, 0, "{output}");
    assert_eq!(piku.installed(), ["alpha", "beta"], "{output}");
    clone.git(&[
        "tag",
        "-a",
        "-m",
        "the first release again",
        "v1-annotated",
        "v1",
    ]);
    let (code, output) = piku.push_ref(&clone, "v1-annotated");
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains("cannot analyse"), "{output}");
    assert!(
        output.contains("v1-annotated: fresh env needed"),
        "{output}"
    );
    assert_eq!(piku.installed(), ["alpha"], "{output}");
}
