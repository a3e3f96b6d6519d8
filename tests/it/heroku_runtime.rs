//! runtime.txt and .python-version as Heroku's Python buildpack reads them
//! (heroku/heroku-buildpack-python `lib/python_version.sh` @b4e7e72): a file the buildpack
//! cannot read fails the build, so envguard refuses it at push, naming the line. The
//! differential test sources the buildpack's own `python_version.sh` (in
//! ../shared/thirdparty) with stand-ins for its output and build-data helpers and compares
//! `python_version::read_requested_python_version` with envguard's reading on generated
//! build folders: either file or both, versions and near-misses, case, leading zeros, byte
//! order marks, UTF-16, blank and comment lines, CR, Unicode spaces, NUL, several lines.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd_snapshot;
use crate::support::{Filters, Gen, platform_remote, thirdparty};

use envguard::runtime::{BuildpackFile, parse_buildpack_version};

const CASES: usize = 400;

fn push(app: &crate::support::Repo, args: &[&str]) -> (i32, String) {
    let out = app
        .cmd("git")
        .arg("push")
        .args(args)
        .output()
        .expect("push");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_runtime_txt_the_buildpack_cannot_read_is_refused_at_push() {
    let (server, app) = platform_remote(
        "heroku",
        "https://git.heroku.com/my-app.git",
        &[
            ("requirements.txt", "a\n"),
            ("runtime.txt", "python-3.12\n"),
        ],
    );
    let deployed = server.rev("main");
    let filters = Filters::new().repo(&server, "SERVER").repo(&app, "APP");
    for (runtime, name) in [
        ("3.12\n", "hook_refuse_heroku_runtime_without_prefix"),
        (
            "# pinned\nPython-3.12\n",
            "hook_refuse_heroku_runtime_on_line_2",
        ),
        (
            "\u{feff}python-3.12\n",
            "hook_refuse_heroku_runtime_with_a_bom",
        ),
    ] {
        app.write("runtime.txt", runtime);
        app.commit("Runtime");
        let pushed = push(&app, &["heroku", "main"]);
        assert_eq!(server.rev("main"), deployed, "{pushed:?}");
        cmd_snapshot!(filters, name, pushed);
    }
    app.write("runtime.txt", "python-3.13\n");
    app.commit("A runtime.txt the buildpack reads");
    let (code, stderr) = push(&app, &["heroku", "main"]);
    assert_eq!(code, 0, "{stderr}");
    // A .python-version with the prefix runtime.txt needs is no version there.
    app.remove("runtime.txt");
    app.write(".python-version", "python-3.13\n");
    app.commit("Move to .python-version");
    cmd_snapshot!(
        filters,
        "hook_refuse_heroku_python_version_with_prefix",
        push(&app, &["heroku", "main"])
    );
}

/// One generated version file, for runtime.txt (`txt`) or .python-version: half of them
/// start from a version that file takes.
fn generate(g: &mut Gen, txt: bool) -> Vec<u8> {
    let good = if txt {
        [
            "python-3.12",
            "python-3.12.4",
            "python-3.0",
            "python-10.100.1000",
        ]
    } else {
        ["3.12", "3.12.4", "3.0", "10.100.1000"]
    };
    let heads = [
        "python-3.12",
        "python-3.12.4",
        "python-3.0",
        "python-10.100.1000",
        "Python-3.12",
        "PYTHON-3.13",
        "3.12",
        "3.12.4",
        "3.0",
        "python-3.09",
        "python-03.12",
        "3.012",
        "python-3",
        "3",
        "python-3.12.4.1",
        "python3.12",
        "python- 3.12",
        "python-3.12 # pinned",
        "pypy-3.10",
        "3.x",
        "",
        "python-3.12\u{0}",
    ];
    let leads = ["", "", "", " ", "\t", "\u{3000}", "\u{a0}", "\r"];
    let befores = [
        "",
        "",
        "\n",
        "# version\n",
        "  # note\n",
        "\r\n\r\n",
        "#\n \n",
    ];
    let tails = [
        "",
        "\n",
        "\r\n",
        " \n",
        "\t\r\n",
        "\n# comment\n",
        "\npython-3.11\n",
        "\n3.11\n",
        "\n\n",
        "\u{2003}\n",
        "\u{a0}\n",
        "\u{0}",
    ];
    let mut text = String::new();
    text.push_str(g.pick(&befores));
    text.push_str(g.pick(&leads));
    text.push_str(if g.chance(50) {
        g.pick(&good)
    } else {
        g.pick(&heads)
    });
    text.push_str(if g.chance(50) {
        g.pick(&["", "\n", "\r\n"])
    } else {
        g.pick(&tails)
    });
    match g.below(20) {
        0..=1 => [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
        2 => {
            let mut bytes = vec![0xFF, 0xFE];
            text.encode_utf16()
                .for_each(|u| bytes.extend(u.to_le_bytes()));
            bytes
        }
        3 => [text.as_bytes(), b"\xff"].concat(),
        _ => text.into_bytes(),
    }
}

/// What envguard makes of a build folder: the file the request comes from and the version,
/// as the buildpack prints them, or `fail`.
fn ours(runtime_txt: Option<&[u8]>, python_version: Option<&[u8]>) -> Option<String> {
    let (name, file, bytes) = match (runtime_txt, python_version) {
        (Some(bytes), _) => ("runtime.txt", BuildpackFile::RuntimeTxt, bytes),
        (None, Some(bytes)) => (".python-version", BuildpackFile::PythonVersion, bytes),
        (None, None) => return None,
    };
    Some(match parse_buildpack_version(name, file, bytes) {
        Ok(line) => format!("{name}\t{}", line.trim_start_matches("python-")),
        Err(_) => "fail".to_string(),
    })
}

/// The buildpack's own reading of each folder: one line per folder, `ORIGIN\tVERSION` or
/// `fail`.
fn buildpacks(dirs: &[PathBuf], scratch: &Path) -> Vec<String> {
    let lib = thirdparty("heroku-buildpack-python/lib/python_version.sh");
    let script = scratch.join("read.sh");
    std::fs::write(
        &script,
        "source \"$1\"\n\
         output::error() { cat >/dev/null; }\n\
         build_data::set_string() { :; }\n\
         shift\n\
         for dir in \"$@\"; do\n\
           set +e\n\
           (\n\
             set -euo pipefail\n\
             cd \"$dir\"\n\
             python_version::read_requested_python_version \"$dir\" pip \"\" requested from\n\
             printf '%s\\t%s\\n' \"$from\" \"$requested\"\n\
           )\n\
           [ \"$?\" -eq 0 ] || echo fail\n\
         done\n",
    )
    .expect("read.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(&lib)
        .args(dirs)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("bash");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
#[ignore = "needs ../shared/thirdparty/heroku-buildpack-python (the platforms' own code; .ci/run runs it)"]
fn version_files_are_read_as_the_buildpacks_own_code_reads_them() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut g = Gen::seeded(0x6865_726f);
    let mut cases = Vec::new();
    let mut dirs = Vec::new();
    for i in 0..CASES {
        let dir = scratch.path().join(format!("build-{i}"));
        std::fs::create_dir_all(&dir).expect("build dir");
        let (txt, version) = match g.below(20) {
            0..=9 => (Some(generate(&mut g, true)), None),
            10..=16 => (None, Some(generate(&mut g, false))),
            _ => (Some(generate(&mut g, true)), Some(generate(&mut g, false))),
        };
        if let Some(bytes) = &txt {
            std::fs::write(dir.join("runtime.txt"), bytes).expect("runtime.txt");
        }
        if let Some(bytes) = &version {
            std::fs::write(dir.join(".python-version"), bytes).expect(".python-version");
        }
        cases.push((txt, version));
        dirs.push(dir);
    }
    let theirs = buildpacks(&dirs, scratch.path());
    assert_eq!(theirs.len(), CASES, "{theirs:?}");
    let mut disagreements = Vec::new();
    let (mut read, mut failed) = (0, 0);
    for ((txt, version), buildpack) in cases.iter().zip(&theirs) {
        let ours = ours(txt.as_deref(), version.as_deref()).unwrap_or_default();
        if ours == "fail" {
            failed += 1;
        } else {
            read += 1;
        }
        if ours != *buildpack {
            disagreements.push(format!(
                "runtime.txt {txt:?}, .python-version {version:?}:\n  buildpack {buildpack}\n  envguard  {ours}"
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {CASES} differ:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(read > 80 && failed > 80, "{read} read, {failed} failed");
}
