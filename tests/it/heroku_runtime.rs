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

use envguard::runtime::{
    BuildpackFile, MISSPELLED_PYTHON_VERSION_FILE_NAMES, parse_buildpack_version,
    read_buildpack_version,
};

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
            "python-3.10",
            "python-3.14.2",
            "python-3.9",
            "python-3.15",
            "python-2.7.18",
            "python-4.0",
        ]
    } else {
        [
            "3.12",
            "3.12.4",
            "3.0",
            "10.100.1000",
            "3.10",
            "3.14.2",
            "3.9",
            "3.15",
            "2.7.18",
            "4.0",
        ]
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

/// What envguard makes of a build folder: the file the request comes from, the version and
/// the full version it resolves to, as the buildpack prints them, or `fail`.
fn ours(
    runtime_txt: Option<&[u8]>,
    python_version: Option<&[u8]>,
    misspelled: Option<&str>,
) -> Option<String> {
    let (name, file, bytes) = match (runtime_txt, python_version) {
        (Some(bytes), _) => ("runtime.txt", BuildpackFile::RuntimeTxt, bytes),
        (None, _)
            if misspelled.is_some_and(|m| MISSPELLED_PYTHON_VERSION_FILE_NAMES.contains(&m)) =>
        {
            return Some("fail".to_string());
        }
        (None, Some(bytes)) => (".python-version", BuildpackFile::PythonVersion, bytes),
        (None, None) => return None,
    };
    let read = parse_buildpack_version(name, file, bytes)
        .and_then(|line| Ok((line, read_buildpack_version(name, file, bytes)?)));
    Some(match read {
        Ok((line, full)) => format!("{name}\t{}\t{full}", line.trim_start_matches("python-")),
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
             full=$(python_version::resolve_python_version \"$requested\" \"$from\")\n\
             printf '%s\\t%s\\t%s\\n' \"$from\" \"$requested\" \"$full\"\n\
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
        // Now and then a misspelled version file beside them, or a name the buildpack does
        // not count as one.
        let misspelled = g.chance(15).then(|| {
            if g.chance(75) {
                g.pick(&MISSPELLED_PYTHON_VERSION_FILE_NAMES)
            } else {
                g.pick(&[
                    ".python-version.bak",
                    "Python-version",
                    "python.version",
                    ".PYTHON-VERSION",
                ])
            }
        });
        if let Some(name) = misspelled {
            std::fs::write(dir.join(name), "3.12\n").expect("misspelled");
        }
        cases.push((txt, version, misspelled));
        dirs.push(dir);
    }
    let theirs = buildpacks(&dirs, scratch.path());
    assert_eq!(theirs.len(), CASES, "{theirs:?}");
    let mut disagreements = Vec::new();
    let (mut read, mut failed) = (0, 0);
    for ((txt, version, misspelled), buildpack) in cases.iter().zip(&theirs) {
        let ours = ours(txt.as_deref(), version.as_deref(), *misspelled).unwrap_or_default();
        if ours == "fail" {
            failed += 1;
        } else {
            read += 1;
        }
        if ours != *buildpack {
            disagreements.push(format!(
                "runtime.txt {txt:?}, .python-version {version:?}, beside {misspelled:?}:\n  buildpack {buildpack}\n  envguard  {ours}"
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {CASES} differ:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(read > 40 && failed > 80, "{read} read, {failed} failed");
}

#[test]
fn a_python_the_buildpack_does_not_build_or_a_misspelled_version_file_is_refused_at_push() {
    let (server, app) = platform_remote(
        "heroku",
        "https://git.heroku.com/my-app.git",
        &[("requirements.txt", "a\n"), (".python-version", "3.12\n")],
    );
    let deployed = server.rev("main");
    for (case, (file, text, why)) in [
        (
            ".python-version",
            "3.9\n",
            "which has reached its end of life",
        ),
        (
            ".python-version",
            "3.15\n",
            "which the buildpack does not know",
        ),
        (
            ".python-version",
            "2.7.18\n",
            "which has reached its end of life",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        app.write(file, text);
        app.commit("Python");
        let (code, stderr) = push(&app, &["heroku", "main"]);
        assert_ne!(code, 0, "{text:?}: {stderr}");
        assert!(stderr.contains(why), "{text:?}: {stderr}");
        crate::text_snapshot!(
            Filters::new().repo(&app, "APP").repo(&server, "SERVER"),
            format!("heroku_python_refused_{case}"),
            crate::support::envguard_lines(&stderr)
        );
        assert_eq!(server.rev("main"), deployed, "{stderr}");
    }
    app.write(".python-version", "3.13\n");
    app.commit("A Python the buildpack builds");
    let (code, stderr) = push(&app, &["heroku", "main"]);
    assert_eq!(code, 0, "{stderr}");
    // A misspelled .python-version beside it fails the build (there is no runtime.txt).
    app.write("python-version.txt", "3.13\n");
    app.commit("A stray version file");
    let (code, stderr) = push(&app, &["heroku", "main"]);
    assert_ne!(code, 0, "{stderr}");
    crate::text_snapshot!(
        Filters::new().repo(&app, "APP").repo(&server, "SERVER"),
        "heroku_misspelled_python_version",
        crate::support::envguard_lines(&stderr)
    );
}
