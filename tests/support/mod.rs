//! The one fixture builder of the integration tests: real repositories in temporary
//! directories, real commits, real `git push` into real bare remotes, and the built
//! `envguard` binary. Every git and envguard process gets an environment isolated from the
//! user's own git configuration.
#![allow(dead_code)]

pub mod kudu_api;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// The app most tests deploy: three requirements, a Kudu runtime, one module.
pub const APP: &[(&str, &str)] = &[
    (
        "requirements.txt",
        "Flask==2.0.1\nFlask-CORS==3.0.10\nrequests\n",
    ),
    ("runtime.txt", "python-3.6\n"),
    ("app.py", "print('hi')\n"),
];

/// Commits the removal of Flask-CORS from [`APP`]'s requirements; returns the commit id.
pub fn drop_cors(clone: &Repo, message: &str) -> String {
    clone.write("requirements.txt", "Flask==2.0.1\nrequests\n");
    clone.commit(message)
}

/// The one seeded generator of the tests (xorshift64): the same seed gives the same
/// cases, so a failure can be regenerated.
pub struct Gen(u64);

impl Gen {
    /// A generator from a non-zero seed.
    pub fn seeded(seed: u64) -> Gen {
        Gen(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// The `envguard` binary under test.
pub fn envguard_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_envguard"))
}

/// A directory on PATH holding only `envguard`, put first so hooks find the binary under
/// test.
pub fn test_path() -> String {
    let bin_dir = envguard_bin()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The HOME of every process the tests start: one empty folder for this test process,
/// so nothing under the user's own home (git, pip, pre-commit and piku settings) is read.
pub fn test_home() -> &'static Path {
    static HOME: std::sync::OnceLock<TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("home-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("test HOME")
    })
    .path()
}

/// The global git configuration of every process the tests start: an empty file in
/// [`test_home`].
pub fn test_global_config() -> &'static Path {
    static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let path = test_home().join("gitconfig");
        std::fs::write(&path, "").expect("the tests' global git config");
        path
    })
}

/// Variables of the outer environment a child still gets: where temporary files go, and
/// where a coverage run writes its profiles. Nothing else passes (`env_clear`).
const PASSED_THROUGH: &[&str] = &["TMPDIR", "LLVM_PROFILE_FILE"];

/// The whole environment of every process the tests start, besides what a test adds:
/// PATH (the binary under test first), a HOME of the tests' own, the C locale (git's
/// messages in English), git isolated from the user's and the system's configuration, a
/// fixed identity and fixed dates (the same commits have the same ids in every run).
pub fn base_env() -> Vec<(&'static str, std::ffi::OsString)> {
    let mut env: Vec<(&'static str, std::ffi::OsString)> = vec![
        ("PATH", test_path().into()),
        ("HOME", test_home().as_os_str().to_owned()),
        ("LC_ALL", "C".into()),
        ("LANG", "C".into()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        // An empty file of the tests' own rather than /dev/null: a write through a bug
        // lands there, never on the machine's /dev/null (the suite may run as root).
        (
            "GIT_CONFIG_GLOBAL",
            test_global_config().as_os_str().to_owned(),
        ),
        ("GIT_AUTHOR_NAME", "Test Author".into()),
        ("GIT_AUTHOR_EMAIL", "author@example.invalid".into()),
        ("GIT_COMMITTER_NAME", "Test Committer".into()),
        ("GIT_COMMITTER_EMAIL", "committer@example.invalid".into()),
        ("GIT_AUTHOR_DATE", "2026-01-01T00:00:00+00:00".into()),
        ("GIT_COMMITTER_DATE", "2026-01-01T00:00:00+00:00".into()),
        ("GIT_TERMINAL_PROMPT", "0".into()),
    ];
    for name in PASSED_THROUGH {
        if let Some(value) = std::env::var_os(name) {
            env.push((name, value));
        }
    }
    env
}

/// A command with the isolated environment: [`base_env`] and nothing else.
pub fn command(program: impl AsRef<std::ffi::OsStr>, cwd: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(cwd)
        .env_clear()
        .envs(base_env())
        .stdin(Stdio::null());
    cmd
}

/// Runs a command, panicking with its output when it fails.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A git repository in a temporary directory.
pub struct Repo {
    _dir: TempDir,
    pub path: PathBuf,
}

impl Repo {
    /// A new repository with branch `master`.
    pub fn new() -> Repo {
        Repo::init(&[])
    }

    /// A new repository, `git init` given extra arguments (`--bare`,
    /// `--object-format=sha256`).
    pub fn init(args: &[&str]) -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).expect("mkdir");
        let repo = Repo { _dir: dir, path };
        let mut init = vec!["init", "-q", "-b", "master"];
        init.extend_from_slice(args);
        repo.git(&init);
        repo
    }

    /// A clone of `origin` (a path), as a user would make it.
    pub fn clone_of(origin: &Repo) -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("clone");
        run_ok(
            command("git", dir.path())
                .args(["clone", "-q"])
                .arg(&origin.path)
                .arg(&path),
        );
        Repo { _dir: dir, path }
    }

    /// A repository made by hand at `path`, inside `dir` (which it keeps alive).
    pub fn adopt(dir: TempDir, path: PathBuf) -> Repo {
        Repo { _dir: dir, path }
    }

    /// A scratch directory that lives as long as the repository.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let p = self._dir.path().join(name);
        std::fs::create_dir_all(&p).expect("mkdir scratch");
        p
    }

    pub fn cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        command(program, &self.path)
    }

    /// Runs git, asserting success; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        run_ok(self.cmd("git").args(args))
    }

    /// Runs git and returns its output whatever the status.
    pub fn git_output(&self, args: &[&str]) -> Output {
        self.cmd("git").args(args).output().expect("spawn git")
    }

    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev]).trim().to_string()
    }

    pub fn write(&self, path: &str, contents: impl AsRef<[u8]>) -> &Self {
        let full = self.path.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(full, contents).expect("write");
        self
    }

    pub fn remove(&self, path: &str) -> &Self {
        self.git(&["rm", "-rq", path]);
        self
    }

    /// Stages everything and commits; returns the new commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.rev("HEAD")
    }

    /// `envguard hook install --server --target TARGET` in this (server) repository,
    /// asserting that it succeeded.
    pub fn install_server_hook(&self, target: &Path) {
        let out = self
            .cmd(envguard_bin())
            .args(["hook", "install", "--server", "--target"])
            .arg(target)
            .output()
            .expect("envguard hook install --server");
        assert!(out.status.success(), "{out:?}");
    }

    /// Runs envguard in the repository.
    pub fn envguard(&self, args: &[&str]) -> Output {
        self.cmd(envguard_bin())
            .args(args)
            .output()
            .expect("spawn envguard")
    }

    /// `envguard check RANGE --format json`: the parsed report and the exit code.
    pub fn check_json(&self, range: &str) -> (serde_json::Value, i32) {
        let out = self.envguard(&["check", range, "--format", "json"]);
        let code = out.status.code().unwrap_or(-1);
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "check printed no JSON ({e}); exit {code}\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (json, code)
    }
}

/// The string values of a JSON array field.
pub fn strings(json: &serde_json::Value, field: &str) -> Vec<String> {
    json[field]
        .as_array()
        .unwrap_or_else(|| panic!("{field} is not an array in {json}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// The `kind` of every reason.
pub fn reason_kinds(json: &serde_json::Value) -> Vec<String> {
    json["reasons"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["kind"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Writes an executable hook script into a repository's hooks directory.
pub fn write_hook(hooks_dir: &Path, name: &str, script: &str) {
    std::fs::create_dir_all(hooks_dir).expect("hooks dir");
    let path = hooks_dir.join(name);
    std::fs::write(&path, script).expect("write hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// A deployment: a bare "server" repository seeded with `files`, whose post-receive hook
/// records every push, and a user's clone of it with envguard's hook installed.
pub struct Deployment {
    pub server: Repo,
    pub clone: Repo,
}

/// What a server's recording post-receive hook saw: one entry per push, each the
/// `<old> <new> <ref>` lines of that push.
pub fn recorded_pushes(server: &Repo) -> Vec<Vec<String>> {
    let log = std::fs::read_to_string(server.path.join("pushes.log")).unwrap_or_default();
    log.split("--push--\n")
        .filter(|p| !p.is_empty())
        .map(|p| p.lines().map(str::to_string).collect())
        .collect()
}

impl Deployment {
    pub fn new(files: &[(&str, &str)]) -> Deployment {
        Deployment::with_init(files, &[])
    }

    /// `init_args` go to both `git init`s (`--object-format=sha256`).
    pub fn with_init(files: &[(&str, &str)], init_args: &[&str]) -> Deployment {
        Deployment::build(files, init_args, None)
    }

    /// A deployment whose server runs the Kudu-like deploy of
    /// `examples/local-deploy/kudu-deploy.sh` on every push, with real virtualenvs and pip
    /// installing the wheels `a`, `b` and `c` built here. Fails, naming the tool, when
    /// `python3 -m venv` does not work here: no test passes without running.
    pub fn kudu(files: &[(&str, &str)]) -> (Deployment, KuduSite) {
        require_venv();
        let holder = tempfile::tempdir().expect("tempdir");
        let site = KuduSite::new(holder);
        let d = Deployment::build(files, &[], Some(&site));
        let site_log = site.deployments();
        assert_eq!(
            site_log.len(),
            1,
            "the seed push deployed once: {site_log:?}"
        );
        (d, site)
    }

    fn build(files: &[(&str, &str)], init_args: &[&str], site: Option<&KuduSite>) -> Deployment {
        let mut bare_args = vec!["--bare"];
        bare_args.extend_from_slice(init_args);
        let server = Repo::init(&bare_args);
        let seed = Repo::init(init_args);
        for (path, contents) in files {
            seed.write(path, contents);
        }
        seed.commit("Initial app");
        let recorder = "{ echo '--push--'; cat; } >> pushes.log\n";
        if let Some(site) = site {
            let script = format!(
                "#!/bin/sh\ninput=$(cat)\nprintf '%s\\n' \"$input\" | {recorder}\
                 tip=$(printf '%s\\n' \"$input\" | while read old new ref; do\n  \
                 [ \"$ref\" = refs/heads/master ] && case \"$new\" in *[!0]*) echo \"$new\" ;; esac\n\
                 done)\n[ -n \"$tip\" ] || exit 0\nsh '{}' \"$PWD\" '{}' \"$tip\"\n",
                kudu_deploy_script().display(),
                site.dir.display()
            );
            write_hook(&server.path.join("hooks"), "post-receive", &script);
        }
        let url = server.path.to_string_lossy().into_owned();
        seed.git(&["push", "-q", &url, "master"]);
        if site.is_none() {
            write_hook(
                &server.path.join("hooks"),
                "post-receive",
                &format!("#!/bin/sh\n{recorder}"),
            );
        }
        let clone = Repo::clone_of(&server);
        clone.git(&["config", "envguard.remoteName", "origin"]);
        clone.git(&["config", "envguard.mode", "toggle"]);
        // The local deployment stands in for App Service on Windows.
        clone.git(&["config", "envguard.platform", "kudu-windows"]);
        let out = clone.envguard(&["hook", "install"]);
        assert!(out.status.success(), "hook install: {out:?}");
        Deployment { server, clone }
    }

    /// `git push ARGS` from the clone: (exit code, stderr).
    pub fn push(&self, args: &[&str]) -> (i32, String) {
        self.push_with(args, &[])
    }

    /// `git push ARGS` from the clone with extra environment variables: (exit code, stderr).
    pub fn push_with(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
        let out = self.push_output(args, env);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `git push ARGS` from the clone: (exit code, stdout and stderr). A hook's stdout goes
    /// to git's stdout, and the pre-commit framework prints its hooks' output there.
    pub fn push_all(&self, args: &[&str]) -> (i32, String) {
        let out = self.push_output(args, &[]);
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }

    fn push_output(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.clone.cmd("git");
        cmd.arg("push").args(args);
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.output().expect("spawn git push")
    }

    pub fn server_rev(&self, rev: &str) -> String {
        self.server.rev(rev)
    }
}

/// Fails the test, naming what is missing, when `python3 -m venv` (with ensurepip) does not
/// work here: a test that needs a real venv never passes without one.
pub fn require_venv() {
    assert!(
        venv_available(),
        "this test needs `python3 -m venv` with ensurepip (Debian: python3-venv); the python3 \
         on PATH cannot make one"
    );
}

/// Whether `python3 -m venv` works here.
pub fn venv_available() -> bool {
    Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The Kudu-like deployment step shared with the demo.
pub fn kudu_deploy_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/local-deploy/kudu-deploy.sh")
}

/// A Kudu-like site: `repository/` (the checkout), `wwwroot/` (the app and its `env`), a
/// `deployments.log` line per deployment, and wheels `a`, `b`, `c` for offline pip.
pub struct KuduSite {
    _holder: TempDir,
    pub dir: PathBuf,
    pub wwwroot: PathBuf,
    /// The wheels `a`, `b`, `c` (PIP_FIND_LINKS of the site).
    pub wheels: PathBuf,
}

impl KuduSite {
    fn new(holder: TempDir) -> KuduSite {
        let dir = holder.path().join("site");
        let wheels = holder.path().join("wheels");
        std::fs::create_dir_all(&dir).expect("site dir");
        make_wheels(&wheels, &["a", "b", "c"]);
        std::fs::write(
            dir.join("site.env"),
            format!("PIP_NO_INDEX=1\nPIP_FIND_LINKS={}\n", wheels.display()),
        )
        .expect("site.env");
        KuduSite {
            wwwroot: dir.join("wwwroot"),
            dir,
            wheels,
            _holder: holder,
        }
    }

    /// One line per deployment: `deploy <commit> runtime=<r> env=created|reused`.
    pub fn deployments(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("deployments.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Whether the deployed env's Python can import `module`.
    pub fn imports(&self, module: &str) -> bool {
        self.imports_in("env", module)
    }

    /// Whether the Python of the env folder `env` in wwwroot can import `module`.
    pub fn imports_in(&self, env: &str, module: &str) -> bool {
        Command::new(self.wwwroot.join(env).join("bin/python"))
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// (inode, mtime in ns) of `env/pyvenv.cfg`: changes when env is recreated.
    pub fn env_identity(&self) -> (u64, i128) {
        self.env_identity_of("env")
    }

    /// [`Self::env_identity`] of the env folder `env` in wwwroot.
    pub fn env_identity_of(&self, env: &str) -> (u64, i128) {
        use std::os::unix::fs::MetadataExt;
        let meta =
            std::fs::metadata(self.wwwroot.join(env).join("pyvenv.cfg")).expect("pyvenv.cfg");
        (
            meta.ino(),
            meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
        )
    }
}

/// An outside tool a test needs: the environment variable `var` holds the path of its
/// executable (`.ci/run` installs each one and sets the variable). The tests that need one
/// are `#[ignore]`d, so `cargo test` lists them as ignored; run with `--ignored`, they fail
/// with this message, not a backtrace, when the variable is unset or names no executable.
pub fn tool(var: &str, install: &str) -> std::ffi::OsString {
    let help = format!(
        "{var} must be the path of an executable file ({install}; .ci/run installs it and sets \
         {var}); see README.md, \"Tests\""
    );
    let Some(path) = std::env::var_os(var) else {
        eprintln!("{help}");
        std::panic::resume_unwind(Box::new(format!("{var} is not set")));
    };
    let p = Path::new(&path);
    if !p.is_file() {
        eprintln!("{help}");
        std::panic::resume_unwind(Box::new(format!("{var}={} is no file", p.display())));
    }
    path
}

/// The pre-commit executable (`ENVGUARD_TEST_PRE_COMMIT`).
pub fn pre_commit_executable() -> std::ffi::OsString {
    tool("ENVGUARD_TEST_PRE_COMMIT", "pip install pre-commit")
}

/// The lefthook executable (`ENVGUARD_TEST_LEFTHOOK`).
pub fn lefthook_executable() -> std::ffi::OsString {
    tool("ENVGUARD_TEST_LEFTHOOK", "npm install lefthook@2.2.2")
}

/// The distributions in an env's site-packages (normalized names).
pub fn dists(env: &Path) -> std::collections::BTreeSet<String> {
    let mut found = std::collections::BTreeSet::new();
    for lib in std::fs::read_dir(env.join("lib")).expect("lib").flatten() {
        let site_packages = lib.path().join("site-packages");
        for entry in std::fs::read_dir(site_packages)
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".dist-info") {
                let dist = stem.rsplit_once('-').map_or(stem, |(n, _)| n);
                found.insert(dist.to_lowercase().replace('_', "-"));
            }
        }
    }
    found
}

/// Installs `requirements` (a requirements file's text) into the venv `env` with pip, from
/// the wheels in `wheels` only (offline).
pub fn pip_install(env: &Path, wheels: &Path, requirements: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("requirements.txt"), requirements).expect("requirements");
    run_ok(
        command("python3", dir.path())
            .args(["-m", "pip", "--python"])
            .arg(env.join("bin/python"))
            .args(["install", "--quiet", "--no-index", "--find-links"])
            .arg(wheels)
            .args(["-r", "requirements.txt"])
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
    );
}

/// A new venv without pip at `env`.
pub fn new_venv(env: &Path) {
    let parent = env.parent().expect("parent");
    run_ok(
        command("python3", parent)
            .args(["-m", "venv", "--without-pip"])
            .arg(env),
    );
}

/// What a fresh venv gets from `requirements` and the same wheels.
pub fn fresh_install(wheels: &Path, requirements: &str) -> std::collections::BTreeSet<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = dir.path().join("fresh");
    new_venv(&env);
    pip_install(&env, wheels, requirements);
    dists(&env)
}

/// Builds the small offline wheels `specs` describe into `out`, with
/// `examples/local-deploy/make-wheels.py` (`NAME`, `NAME==VERSION`, `NAME:dep|dep`).
pub fn make_wheels<S: AsRef<std::ffi::OsStr>>(out: &Path, specs: &[S]) {
    std::fs::create_dir_all(out).expect("wheels dir");
    run_ok(
        command("python3", out)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/local-deploy/make-wheels.py"))
            .arg(out)
            .args(specs),
    );
}

/// A file of the platforms' own code in `../shared/thirdparty` (beside the project, as CI
/// has it; see its README), failing the test when it is missing.
pub fn thirdparty(path: &str) -> PathBuf {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/thirdparty")
        .join(path);
    assert!(
        full.is_file(),
        "{} is missing: the platforms' own code is at ../shared/thirdparty (see its README)",
        full.display()
    );
    full
}

/// The `site-packages` folder of a venv (`lib/python3.X/site-packages`).
pub fn site_packages(env: &Path) -> PathBuf {
    std::fs::read_dir(env.join("lib"))
        .expect("lib")
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .expect("site-packages")
}

/// An app of `files` on `main` whose remote `name` has a platform's own `url` (rewritten by
/// `url.insteadOf` to a local bare repository that already has the app), with envguard's
/// hook installed and no `envguard.*` setting at all. Returns (server, app).
pub fn platform_remote(name: &str, url: &str, files: &[(&str, &str)]) -> (Repo, Repo) {
    let server = Repo::init(&["--bare", "-b", "main"]);
    let app = Repo::init(&["-b", "main"]);
    for (path, contents) in files {
        app.write(path, contents);
    }
    app.commit("The app");
    let server_path = server.path.to_string_lossy().into_owned();
    app.git(&["config", &format!("url.{server_path}.insteadOf"), url]);
    app.git(&["remote", "add", name, url]);
    app.git(&["push", "-q", name, "main"]);
    let out = app.envguard(&["hook", "install"]);
    assert!(out.status.success(), "{out:?}");
    (server, app)
}

/// Platform C# (Kudu's, KuduLite's) compiled with Mono beside a harness of the test's own
/// (`harness`, a C# file's text with a `Main`), into `dir/harness.exe`: run it with `mono`.
/// Fails naming the package when `mcs` or `mono` is missing (.ci/run installs mono-mcs).
pub fn mono_program(dir: &Path, sources: &[PathBuf], harness: &str) -> PathBuf {
    for program in ["mcs", "mono"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "`{program}` is not on PATH: this test compiles the platform's own C# with Mono \
             (apt-get install -y mono-mcs; .ci/run installs it)"
        );
    }
    let source = dir.join("Harness.cs");
    std::fs::write(&source, harness).expect("harness");
    let exe = dir.join("harness.exe");
    run_ok(
        Command::new("mcs")
            .arg(format!("-out:{}", exe.display()))
            .args(sources)
            .arg(&source),
    );
    exe
}

/// The prek executable (`ENVGUARD_TEST_PREK`).
pub fn prek_executable() -> std::ffi::OsString {
    tool("ENVGUARD_TEST_PREK", "pip install prek")
}

// ---- Snapshots of a command's output ------------------------------------------------------

/// The text a snapshot records of a finished process: its exit code, stdout and stderr.
pub trait Shown {
    fn shown(&self) -> String;
}

impl Shown for Output {
    fn shown(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.status
                .code()
                .map_or("none".to_string(), |c| c.to_string()),
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(&self.stderr)
        )
    }
}

/// A push's `(exit code, stderr)`, as [`Deployment::push`] gives it.
impl Shown for (i32, String) {
    fn shown(&self) -> String {
        format!("exit: {}\n--- output\n{}", self.0, self.1)
    }
}

/// The filters of one snapshot: the test's own folders and commits by name, then any
/// other commit id and the measured seconds. Build it from the test's fixtures:
/// `Filters::new().deployment(&d).commit(&tip, "TIP")`. A temporary path left unnamed
/// fails the snapshot, naming it.
pub struct Filters {
    /// (literal path, replacement), replaced longest first.
    paths: Vec<(String, String)>,
    /// (regex, replacement), applied by insta after the paths.
    regexes: Vec<(String, String)>,
}

impl Default for Filters {
    fn default() -> Self {
        Filters::new()
    }
}

impl Filters {
    /// The filters every snapshot has: the test HOME, the binary's folder and the
    /// project's folder.
    pub fn new() -> Filters {
        let bin_dir = envguard_bin()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Filters {
            paths: Vec::new(),
            regexes: Vec::new(),
        }
        .path(test_home(), "HOME")
        .path(&bin_dir, "BIN")
        .path(Path::new(env!("CARGO_MANIFEST_DIR")), "PROJECT")
    }

    /// `path` (as given and canonical) shown as `[NAME]`.
    pub fn path(mut self, path: &Path, name: &str) -> Filters {
        let mut forms = vec![path.to_string_lossy().into_owned()];
        if let Ok(canonical) = path.canonicalize() {
            forms.push(canonical.to_string_lossy().into_owned());
        }
        for form in forms {
            if !form.is_empty() {
                self.paths.push((form, format!("[{name}]")));
            }
        }
        self
    }

    /// The folder holding `repo` (and its scratch folders) shown as `[NAME]`: the
    /// repository itself is then `[NAME]/repo` (or `[NAME]/clone`).
    pub fn repo(self, repo: &Repo, name: &str) -> Filters {
        let holder = repo._dir.path().to_path_buf();
        self.path(&holder, name)
    }

    /// Any other text of the run (a stand-in's URL with its port) shown as `[NAME]`.
    pub fn literal(mut self, text: &str, name: &str) -> Filters {
        self.paths.push((text.to_string(), format!("[{name}]")));
        self
    }

    /// Both repositories of a deployment: `[SERVER]` and `[CLONE]`.
    pub fn deployment(self, d: &Deployment) -> Filters {
        self.repo(&d.server, "SERVER").repo(&d.clone, "CLONE")
    }

    /// A commit id, in full and abbreviated, shown as `[NAME]`.
    pub fn commit(mut self, oid: &str, name: &str) -> Filters {
        self.regexes
            .push((format!(r"\b{}[0-9a-f]*\b", &oid[..7]), format!("[{name}]")));
        self
    }

    /// What a real venv made here adds: the Python version (`Python 3.X.Y`, `python3.X`
    /// in paths) and the size of what pip installed, which follow the machine's Python and
    /// pip, not envguard.
    pub fn venv(self) -> Filters {
        self.text(r"Python 3\.[0-9]+\.[0-9]+", "Python [VERSION]")
            .text(r"python3\.[0-9]+", "python3.[X]")
            .text(
                r"\([0-9]+ files, [0-9.]+ (B|KiB|MiB)\)",
                "([N] files, [SIZE])",
            )
    }

    /// Any other text matching `regex` shown as `replacement`.
    pub fn text(mut self, regex: &str, replacement: &str) -> Filters {
        self.regexes
            .push((regex.to_string(), replacement.to_string()));
        self
    }

    /// `text` with the named paths replaced, longest first (a folder inside another is
    /// named by the inner one). Panics when a temporary path is left.
    pub fn paths_replaced(&self, text: &str) -> String {
        let mut paths = self.paths.clone();
        paths.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
        let mut text = text.to_string();
        for (path, name) in &paths {
            text = text.replace(path.as_str(), name);
        }
        for temp in [
            std::env::temp_dir(),
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")),
        ] {
            let temp = format!("{}/", temp.to_string_lossy().trim_end_matches('/'));
            assert!(
                !text.contains(&temp),
                "the snapshot shows a temporary path the test did not name (add it to the \
                 Filters):\n{text}"
            );
        }
        text
    }

    /// The regex filters in the order they apply: the named commits, then any other
    /// commit id, then the seconds a run took.
    pub fn regexes(&self) -> Vec<(String, String)> {
        let mut rules = self.regexes.clone();
        rules.push((r"\b[0-9a-f]{64}\b".into(), "[OID]".into()));
        rules.push((r"\b[0-9a-f]{40}\b".into(), "[OID]".into()));
        rules.push((r"\b[0-9a-f]{7,12}\b".into(), "[SHORT]".into()));
        rules.push((r"in [0-9]+\.[0-9]+ s\b".into(), "in [SECONDS] s".into()));
        rules
    }
}

/// Snapshots what a finished process showed (anything [`Shown`]: an `Output`, or a
/// push's `(exit code, stderr)`), with the filters of `$filters` ([`Filters`]).
/// The snapshot is `tests/it/snapshots/NAME.snap`.
#[macro_export]
macro_rules! cmd_snapshot {
    ($filters:expr, $name:expr, $shown:expr $(,)?) => {{
        let text = $crate::support::Shown::shown(&$shown);
        $crate::text_snapshot!($filters, $name, text);
    }};
}

/// Snapshots `text` with the filters of `$filters` ([`Filters`]).
#[macro_export]
macro_rules! text_snapshot {
    ($filters:expr, $name:expr, $text:expr $(,)?) => {{
        let filters: &$crate::support::Filters = &$filters;
        let name: &str = &$name;
        let text = filters.paths_replaced(&$text);
        let mut settings = insta::Settings::clone_current();
        for (regex, replacement) in filters.regexes() {
            settings.add_filter(&regex, replacement);
        }
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name, text));
    }};
}

/// The lines of a push's output that envguard wrote, on the client (`envguard: `) and on
/// the server (`remote: envguard: `, git's padding trimmed): what a snapshot of a push
/// through a real deployment keeps, leaving out pip's and the deploy step's own output.
pub fn envguard_lines(output: &str) -> String {
    output
        .lines()
        .filter(|l| l.starts_with("envguard: ") || l.starts_with("remote: envguard: "))
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

/// The lines of a push's output that envguard's server hook wrote (`remote: envguard: `,
/// git's padding trimmed).
pub fn server_lines(output: &str) -> String {
    output
        .lines()
        .filter(|l| l.starts_with("remote: envguard: "))
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}
