//! envguard's reading of runtime.txt on App Service on Windows against Kudu's own
//! `select_python_version.py` (../shared/thirdparty/kudu, run as Kudu's deploy.cmd runs it:
//! `python select_python_version.py REPO SITE TMP`), over generated runtime.txt contents:
//! case, versions and near-misses, byte order marks, leading blanks and comments, line ends,
//! trailing junk, bytes that are no UTF-8, empty files. For each, Kudu's exit code and the
//! runtime it writes must be envguard's: the runtime it selects, or an error at line 1.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Gen;

use envguard::runtime::{KUDU_RUNTIMES, parse_kudu_runtime};

const CASES: u64 = 300;

fn select_python_version() -> PathBuf {
    crate::support::thirdparty("kudu/select_python_version.py")
}

/// One generated runtime.txt.
fn generate(g: &mut Gen) -> Vec<u8> {
    let heads = [
        "python-3.6",
        "Python-3.6",
        "PYTHON-3.4",
        "python-2.7",
        "python-3.6.1",
        "python-3.61",
        "python-3.7",
        "python-3",
        "python3.6",
        "3.6",
        "python-3.4.10",
        "pYtHoN-2.7.18",
        "python -3.6",
        "",
    ];
    let mut bytes = Vec::new();
    if g.chance(10) {
        bytes.extend_from_slice(b"\xef\xbb\xbf");
    }
    match g.below(10) {
        0 => bytes.extend_from_slice(b"\n"),
        1 => bytes.extend_from_slice(b"# runtime\n"),
        2 => bytes.extend_from_slice(b"  "),
        3 => bytes.extend_from_slice(b"\t"),
        _ => {}
    }
    bytes.extend_from_slice(g.pick(&heads).as_bytes());
    let tails: [&[u8]; 8] = [
        b"",
        b"\n",
        b"\r\n",
        b" \n",
        b"\n\n",
        b"-x64\n",
        b"\xff\xfe",
        b"\npython-2.7\n",
    ];
    bytes.extend_from_slice(tails[g.below(tails.len())]);
    bytes
}

/// What Kudu's script makes of `content`: the runtime it writes, or `None` when it fails.
fn kudu(script: &Path, dir: &Path, content: &[u8]) -> Option<String> {
    let repo = dir.join("repo");
    let tmp = dir.join("tmp");
    for d in [&repo, &tmp] {
        let _ = std::fs::remove_dir_all(d);
        std::fs::create_dir_all(d).expect("dir");
    }
    std::fs::write(repo.join("runtime.txt"), content).expect("runtime.txt");
    let out = Command::new("python3")
        .arg(script)
        .arg(&repo)
        .arg(dir)
        .arg(&tmp)
        .env("PYTHONIOENCODING", "utf-8")
        // Set on every Windows worker; the script joins it into the Python path it writes.
        .env("SYSTEMDRIVE", "C:")
        .output()
        .expect("python3");
    // A file Python cannot decode makes the script fail as well (a traceback, exit 1).
    out.status
        .success()
        .then(|| std::fs::read_to_string(tmp.join("__PYTHON_RUNTIME.tmp")).expect("runtime"))
}

#[test]
#[ignore = "needs ../shared/thirdparty/kudu (the platforms' own code; .ci/run runs it)"]
fn runtime_txt_is_read_as_kudus_own_script_reads_it() {
    let script = select_python_version();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut g = Gen::seeded(0x6b75_6475);
    let mut disagreements = Vec::new();
    let (mut selected, mut failed) = (0, 0);
    for _ in 0..CASES {
        let content = generate(&mut g);
        let theirs = kudu(&script, dir.path(), &content);
        let ours = parse_kudu_runtime("runtime.txt", &content, &KUDU_RUNTIMES).ok();
        if theirs.is_some() {
            selected += 1;
        } else {
            failed += 1;
        }
        if theirs != ours {
            disagreements.push(format!("{content:?}: Kudu {theirs:?}, envguard {ours:?}"));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // The generator reaches both outcomes, or the comparison shows nothing.
    assert!(
        selected > 50 && failed > 50,
        "{selected} selected, {failed} failed"
    );
}
