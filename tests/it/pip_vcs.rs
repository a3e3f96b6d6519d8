//! pip's own handling of a VCS requirement whose branch moves, beside envguard's model of it
//! (`RequirementSet::unpinned_vcs`, which decides the push's note and the server prune): the
//! reference pip installs from a local `git+file://` repository, the branch moves without a
//! version change, and pip installs the same requirements again into the same venv. What pip
//! keeps at the old revision must be exactly what envguard names; what it takes anew
//! (an editable requirement) or cannot move (a commit id) it must not name.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use envguard::requirements::{ParseCache, RequirementSet, TreeReader, load_closure};

use crate::support::{Repo, run_ok};

/// One requirements.txt as a tree for envguard's reader.
struct OneFile(HashMap<String, String>);

impl TreeReader for OneFile {
    type Id = String;
    fn lookup(&self, path: &str) -> Result<Option<String>, envguard::Invalid> {
        Ok(self.0.get(path).map(|_| path.to_string()))
    }
    fn read(&self, id: &String) -> Option<Vec<u8>> {
        self.0.get(id).map(|text| text.as_bytes().to_vec())
    }
}

/// The names envguard says stay at their installed revision.
fn envguard_keeps(requirements: &str) -> Vec<String> {
    let tree = OneFile(HashMap::from([(
        "requirements.txt".to_string(),
        requirements.to_string(),
    )]));
    let mut cache = ParseCache::with_env(Box::new(|_| None));
    let closure = load_closure(&tree, "requirements.txt", &mut cache);
    let set = RequirementSet::from_closure(&closure);
    let mut names: Vec<String> = set
        .unpinned_vcs()
        .into_iter()
        .map(|(name, _)| name.clone())
        .collect();
    names.sort();
    names
}

/// A PEP 517 build backend in the package's own tree (no setuptools, nothing to download):
/// a wheel of the one module, and for an editable install a wheel whose `.pth` points at
/// the checkout (PEP 660).
const BACKEND: &str = r#"import base64, hashlib, os, zipfile

NAME = open(os.path.join(os.path.dirname(__file__), "NAME")).read().strip()
ROOT = os.path.dirname(os.path.abspath(__file__))
INFO = NAME + "-1.0.dist-info"
META = "Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n" % NAME
WHEEL = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _wheel(directory, files):
    name = NAME + "-1.0-py3-none-any.whl"
    files = dict(files)
    files[INFO + "/METADATA"] = META.encode()
    files[INFO + "/WHEEL"] = WHEEL.encode()
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
    record.append(INFO + "/RECORD,,")
    files[INFO + "/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open(os.path.join(ROOT, NAME + ".py"), "rb") as f:
        return _wheel(wheel_directory, {NAME + ".py": f.read()})


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {"_" + NAME + ".pth": (ROOT + "\n").encode()})
"#;

/// A git repository holding the distribution `name` (one module whose `REV` is 1).
fn package(dir: &Path, name: &str) -> Repo {
    let repo = Repo::adopt(tempfile::tempdir_in(dir).expect("tempdir"), dir.join(name));
    std::fs::create_dir_all(&repo.path).expect("package dir");
    repo.git(&["init", "-q", "-b", "main"]);
    repo.write(
        "pyproject.toml",
        "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
    );
    repo.write("backend.py", BACKEND);
    repo.write("NAME", format!("{name}\n"));
    repo.write(&format!("{name}.py"), "REV = 1\n");
    repo.commit("Revision 1");
    repo
}

#[test]
#[ignore = "needs pip 26.3 from PyPI: set ENVGUARD_TEST_PIP_PYTHON to a Python executable with it (.ci/run does)"]
fn what_pip_keeps_at_a_moved_branch_is_what_envguard_names() {
    let pip = crate::differential::pip_python();
    let scratch = tempfile::tempdir().expect("tempdir");
    let names = ["branchpkg", "editpkg", "pinnedpkg", "tagpkg"];
    let repos: Vec<Repo> = names.iter().map(|n| package(scratch.path(), n)).collect();
    repos[3].git(&["tag", "v1"]);
    let pinned = repos[2].rev("HEAD");
    let url = |repo: &Repo| format!("git+file://{}", repo.path.display());
    let requirements = format!(
        "branchpkg @ {}@main\n-e {}@main#egg=editpkg\npinnedpkg @ {}@{pinned}\ntagpkg @ {}@v1\n",
        url(&repos[0]),
        url(&repos[1]),
        url(&repos[2]),
        url(&repos[3]),
    );
    let file = scratch.path().join("requirements.txt");
    std::fs::write(&file, &requirements).expect("requirements");
    let venv = scratch.path().join("venv");
    run_ok(Command::new("python3").arg("-m").arg("venv").arg(&venv));
    let python = venv.join("bin/python");
    let install = || {
        let out = Command::new(&pip)
            .args(["-m", "pip", "--python"])
            .arg(&python)
            .args([
                "install",
                "--no-index",
                "--no-build-isolation",
                "--disable-pip-version-check",
                "-q",
                "-r",
            ])
            .arg(&file)
            .env("PIP_NO_INPUT", "1")
            .output()
            .expect("pip");
        assert!(out.status.success(), "{out:?}");
    };
    install();
    // Every branch and tag moves on without a version change; the commit id cannot.
    for repo in &repos {
        repo.write(
            &format!(
                "{}.py",
                repo.path.file_name().unwrap_or_default().to_string_lossy()
            ),
            "REV = 2\n",
        );
        repo.commit("Revision 2");
    }
    repos[3].git(&["tag", "-f", "v1"]);
    install();
    let revision = |name: &str| {
        let out = Command::new(&python)
            .args(["-c", &format!("import {name}; print({name}.REV)")])
            // Not beside the repositories, whose folders would import as namespaces.
            .current_dir(&venv)
            .output()
            .expect("python");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let kept_by_pip: Vec<String> = ["branchpkg", "editpkg", "tagpkg"]
        .into_iter()
        .filter(|name| revision(name) == "1")
        .map(str::to_string)
        .collect();
    assert_eq!(
        revision("editpkg"),
        "2",
        "pip takes an editable requirement anew"
    );
    assert_eq!(revision("pinnedpkg"), "1", "a commit id does not move");
    assert_eq!(kept_by_pip, envguard_keeps(&requirements), "{requirements}");
}
