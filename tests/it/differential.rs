//! envguard's requirements reader against pip's own: thousands of generated requirements
//! files (odd name spellings, extras, markers, URLs, VCS with `#egg=`, `-e`, continuations,
//! comments, options, includes, `${VAR}`, encodings and line ends), each read by envguard
//! and by pip's requirements-file parser (`tests/pip/pip_names.py`, run once for all of
//! them with a real pip). The normalized names must agree, and so must whether the file is
//! an error.
//!
//! pip's reading of a few odd lines changed over its versions (a requirement and an `-e`
//! on one line: the requirement wins up to pip 24, it is read as the editable one from pip
//! 25 on), so the reference is one pinned pip: `ENVGUARD_TEST_PIP_PYTHON` (set by
//! `.ci/run`), else a venv under `target/` with that pip.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Gen;

use envguard::requirements::{
    ParseCache, RequirementSet, TreeReader, load_closure, normalize_name,
};

/// Files generated and compared in one run.
const CASES: usize = 5_000;
const VAR: &str = "ENVGUARD_DIFF_VAR";
const VAR_VALUE: &str = "Var_Pkg";

const NAMES: &[&str] = &[
    "flask",
    "Flask",
    "Foo_Bar",
    "foo-bar",
    "foo.bar",
    "FOO__BAR",
    "zope.interface",
    "Django",
    "python-dateutil",
    "Python_DateUtil",
    "pkg2",
    "a",
    "b1",
    "ruamel.yaml",
    "typing_extensions",
    "Typing-Extensions",
    "x---y",
    "requests",
    "PyYAML",
    "pyyaml",
];
const SPECS: &[&str] = &[
    "",
    "==1.0",
    ">=1.2",
    ">=1,<2",
    " >= 1.0 , < 3",
    "~=1.4",
    "!=1.5.*",
    "===weird",
    "==1.0.post1",
    "(>=1.0)",
    "<=2.0a1",
    "==2.*",
];
const MARKERS: &[&str] = &[
    "python_version < \"3.8\"",
    "sys_platform == 'win32'",
    "python_version >= '3' and os_name == \"posix\"",
    "platform_machine != \"arm64\" or implementation_name == 'cpython'",
    "extra == 'test'",
];
const EXTRAS: &[&str] = &["security", "Socks", "dev_tools", "a,b", "with.dots"];
const OPTIONS: &[&str] = &[
    "--index-url https://pypi.example/simple",
    "-i https://pypi.example/simple",
    "--extra-index-url https://extra.example/simple",
    "--extra-index-url=https://extra.example/simple",
    "-f ./wheels",
    "--find-links https://wheels.example/",
    "--no-index",
    "--pre",
    "--prefer-binary",
    "--trusted-host pypi.example",
    "--only-binary :all:",
    "--no-binary :none:",
];

fn name(g: &mut Gen) -> String {
    let n = g.pick(NAMES);
    n.to_string()
}

/// One requirement line in any of its forms, and the files it needs beside it.
fn requirement(g: &mut Gen) -> String {
    let n = name(g);
    let extras = if g.chance(20) {
        format!("[{}]", g.pick(EXTRAS))
    } else {
        String::new()
    };
    let marker = if g.chance(20) {
        format!(" ; {}", g.pick(MARKERS))
    } else {
        String::new()
    };
    match g.below(10) {
        0 => format!("{n}{extras} @ https://files.example/{n}-1.0.tar.gz{marker}"),
        1 => format!("https://files.example/archive/{n}-1.0.zip#egg={n}"),
        2 => format!("git+https://git.example/{n}.git@v1.2#egg={n}"),
        3 => format!("-e git+https://git.example/{n}.git#egg={n}"),
        4 => format!("--editable=git+https://git.example/{n}.git@main#egg={n}"),
        5 => format!(
            "{n}{extras}{} --hash=sha256:{}",
            g.pick(&["==1.0", "==2.0.1"]),
            "0".repeat(64)
        ),
        _ => format!("{n}{extras}{}{marker}", g.pick(SPECS)),
    }
}

/// Lines at the edges of the format, where a reader is easily wrong.
fn edge(g: &mut Gen) -> String {
    let n = name(g);
    match g.below(14) {
        // Not a comment: `#` needs whitespace before it.
        0 => format!("{n}#not-a-comment"),
        // A comment ending in a backslash does not continue.
        1 => format!("# note \\\n{n}"),
        2 => format!("{n} \\"),
        3 => "${ENVGUARD_DIFF_UNSET}".to_string(),
        4 => format!("  -r{}", "missing.txt"),
        5 => "--no-such-option".to_string(),
        6 => format!("--Index-URL https://x.example/simple\n{n}"),
        7 => format!("{n}\t--hash=sha256:{}", "0".repeat(64)),
        8 => format!("{n} @ https://files.example/{n}.whl ; python_version >= \"3\""),
        9 => format!("{n}[]"),
        10 => format!("{n} (>=1.0 ; python_version > \"3\""),
        11 => format!("{n}=1.0"),
        12 => format!("{n} ==1.0 --hash sha256:{}", "1".repeat(64)),
        _ => format!("{n}; python_version=='3.8'"),
    }
}

/// A generated case: the files of one folder.
fn case(g: &mut Gen) -> Vec<(String, Vec<u8>)> {
    let mut lines = Vec::new();
    let mut files = Vec::new();
    let count = 1 + g.below(8);
    for _ in 0..count {
        let line = match g.below(16) {
            0 => format!("# {}", name(g)),
            1 => String::new(),
            2 => g.pick(OPTIONS).to_string(),
            3 => {
                // A continuation: the requirement split over two lines.
                let n = name(g);
                format!("{n} \\\n    {}", g.pick(&[">=1.0", "==2.0", "[socks]"]))
            }
            4 => format!("{}   # trailing comment", requirement(g)),
            5 => {
                let other = format!("{}.txt", g.pick(&["base", "dev", "sub/more"]));
                let mut nested = vec![requirement(g), requirement(g)];
                if g.chance(30) {
                    nested.push("--extra-index-url https://nested.example/simple".into());
                }
                files.push((other.clone(), nested.join("\n").into_bytes()));
                format!("{} {other}", g.pick(&["-r", "--requirement"]))
            }
            6 => {
                let constraints = [format!("{}==1.0", name(g)), format!("{}<3", name(g))];
                files.push((
                    "constraints.txt".into(),
                    constraints.join("\n").into_bytes(),
                ));
                format!("{} constraints.txt", g.pick(&["-c", "--constraint"]))
            }
            7 => format!("${{{VAR}}}{}", g.pick(&["", "==1.0", ">=2"])),
            8 => format!("\t {}  ", requirement(g)),
            9 => edge(g),
            _ => requirement(g),
        };
        lines.push(line);
    }
    let eol = if g.chance(25) { "\r\n" } else { "\n" };
    let mut text = lines.join(eol);
    if g.chance(70) {
        text.push_str(eol);
    }
    let bytes = match g.below(8) {
        0 => [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
        1 => {
            let mut b = vec![0xff, 0xfe];
            b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            b
        }
        2 => {
            let mut b = vec![0xfe, 0xff];
            b.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            b
        }
        _ => text.into_bytes(),
    };
    files.insert(0, ("requirements.txt".into(), bytes));
    files
}

/// A case folder as the requirements reader sees a tree.
struct Folder(PathBuf);

impl TreeReader for Folder {
    type Id = PathBuf;
    fn lookup(&self, path: &str) -> Result<Option<PathBuf>, envguard::Invalid> {
        let p = self.0.join(path);
        Ok(p.is_file().then_some(p))
    }
    fn read(&self, id: &PathBuf) -> Option<Vec<u8>> {
        std::fs::read(id).ok()
    }
}

/// envguard's answer for one case: the names, or that it is an error.
fn envguard_names(dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut cache = ParseCache::with_env(Box::new(|name| {
        (name == VAR).then(|| VAR_VALUE.to_string())
    }));
    let closure = load_closure(&Folder(dir.to_path_buf()), "requirements.txt", &mut cache);
    if let Some(e) = closure.errors.first() {
        return Err(e.to_string());
    }
    let set = RequirementSet::from_closure(&closure);
    Ok(set
        .requirements
        .keys()
        .filter(|k| !k.contains(['/', ':']) && normalize_name(k) == **k)
        .cloned()
        .collect())
}

/// The pip this test compares with; `.ci/run` installs the same one.
const REFERENCE_PIP: &str = "26.3";

/// A Python whose pip is [`REFERENCE_PIP`]: `ENVGUARD_TEST_PIP_PYTHON`, the path of a Python
/// executable with that pip (.ci/run installs one from PyPI). No test reaches the network.
pub fn pip_python() -> String {
    crate::support::tool(
        "ENVGUARD_TEST_PIP_PYTHON",
        &format!("python3 -m venv v && v/bin/pip install pip=={REFERENCE_PIP}; the variable is v/bin/python"),
    )
    .to_string_lossy()
    .into_owned()
}

#[test]
#[ignore = "needs pip 26.3 from PyPI: set ENVGUARD_TEST_PIP_PYTHON to a Python executable with it (.ci/run does)"]
fn names_agree_with_pips_own_parser() {
    let python = pip_python();
    let has_pip = Command::new(&python)
        .args(["-c", "import pip._internal.req.req_file"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_pip,
        "{python} cannot import pip; set ENVGUARD_TEST_PIP_PYTHON"
    );

    let root = tempfile::tempdir().expect("tempdir");
    let mut g = Gen::seeded(0x9e37_79b9_7f4a_7c15);
    let mut texts = BTreeMap::new();
    for i in 0..CASES {
        let dir = root.path().join(format!("case{i:05}"));
        for (path, bytes) in case(&mut g) {
            let file = dir.join(&path);
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(&file, &bytes).expect("write");
        }
        texts.insert(format!("case{i:05}"), dir);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pip/pip_names.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(root.path())
        .env(VAR, VAR_VALUE)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .output()
        .expect("run pip's parser");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let pip: serde_json::Value = serde_json::from_str(line).expect("json line");
        let case = pip["case"].as_str().expect("case").to_string();
        let dir = &texts[&case];
        let ours = envguard_names(dir);
        let theirs: Result<BTreeSet<String>, String> = match pip.get("error") {
            Some(e) => Err(e.as_str().unwrap_or("").to_string()),
            None => Ok(pip["names"]
                .as_array()
                .expect("names")
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()),
        };
        compared += 1;
        let agree = match (&ours, &theirs) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        };
        if !agree {
            let text = std::fs::read(dir.join("requirements.txt")).unwrap_or_default();
            disagreements.push(format!(
                "{case}: envguard {ours:?}, pip {theirs:?}\n{}",
                String::from_utf8_lossy(&text)
            ));
        }
    }
    assert_eq!(compared, CASES, "pip answered for every case");
    assert!(
        disagreements.is_empty(),
        "{} of {CASES} disagree; first ones:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n---\n")
    );
}
