//! `runtime.txt` and `.python-version`: the runtime a deployment asks for, read by two rules.
//! Kudu's own ([`kudu_select`]): the whole file, lower-cased and untrimmed, must start with
//! one of its supported runtimes (`python-2.7`, `python-3.4`, `python-3.6`), and that prefix
//! is the runtime. The generic one ([`parse_runtime`]) for deploy steps envguard does not
//! know: the trimmed first meaningful line, one of `python-X.Y`, `python-X.Y.Z`, `X.Y` or
//! `X.Y.Z`.

use crate::FileError;

/// The effective runtime value of a file's contents, validated. `Ok(None)`: the file is empty.
pub fn parse_runtime(path: &str, bytes: &[u8]) -> Result<Option<String>, FileError> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let Some((index, line)) = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i, l.trim()))
        .find(|(_, l)| !l.is_empty() && !l.starts_with('#'))
    else {
        return Ok(None);
    };
    if is_known_runtime(line) {
        Ok(Some(line.to_string()))
    } else {
        Err(FileError::new(
            path,
            Some(index + 1),
            format!(
                "unknown runtime '{line}': expected python-X.Y, python-X.Y.Z, X.Y or X.Y.Z \
                 (for example python-3.6)"
            ),
        ))
    }
}

/// The runtimes Kudu on Windows supports, in the order its `select_python_version.py` tries
/// them.
pub const KUDU_RUNTIMES: [&str; 3] = ["python-2.7", "python-3.4", "python-3.6"];

/// The runtime Kudu selects for a runtime.txt: the first of `supported` that the whole file,
/// ASCII-lower-cased, starts with (`python-3.6.1` selects `python-3.6`).
pub fn kudu_select<'a, S: AsRef<str>>(bytes: &[u8], supported: &'a [S]) -> Option<&'a str> {
    supported.iter().map(AsRef::as_ref).find(|runtime| {
        bytes.len() >= runtime.len()
            && bytes[..runtime.len()].eq_ignore_ascii_case(runtime.as_bytes())
    })
}

/// runtime.txt under Kudu's rule: the selected runtime, or an error at line 1 that says why
/// Kudu would fail the deployment ("Unsupported runtime") and what it accepts.
pub fn parse_kudu_runtime<S: AsRef<str>>(
    path: &str,
    bytes: &[u8],
    supported: &[S],
) -> Result<String, FileError> {
    // Kudu's script reads the file as text (`open(path, 'r').read()`), so bytes its Python
    // cannot decode fail the deployment with a traceback, whatever the first line says;
    // which bytes those are depends on the worker's encoding, and UTF-8 is the one text
    // every worker reads.
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
        return Err(FileError::new(
            path,
            Some(line),
            format!(
                "is not UTF-8 text (byte 0x{:02x}): Kudu's Python reads runtime.txt as text and \
                 fails the deployment on bytes it cannot decode; save it as UTF-8 (it should \
                 hold one line, such as python-3.6)",
                bytes[at]
            ),
        ));
    }
    if let Some(runtime) = kudu_select(bytes, supported) {
        return Ok(runtime.to_string());
    }
    let names: Vec<&str> = supported.iter().map(AsRef::as_ref).collect();
    let text = String::from_utf8_lossy(bytes);
    let first = text.lines().next().unwrap_or("");
    let why = if bytes.starts_with(b"\xef\xbb\xbf") {
        "starts with a byte order mark (save it as UTF-8 without BOM)".to_string()
    } else if bytes.is_empty() {
        "is empty".to_string()
    } else if first.trim().is_empty() || first.trim_start().starts_with('#') {
        "has a blank or comment line first (Kudu reads from the first byte)".to_string()
    } else if first.starts_with(char::is_whitespace) {
        "starts with whitespace (Kudu reads from the first byte)".to_string()
    } else {
        format!("says '{}'", first.trim_end())
    };
    Err(FileError::new(
        path,
        Some(1),
        format!(
            "Kudu fails every deployment of it (\"Unsupported runtime\"): the file {why}; it \
             must start with one of {}",
            names.join(", ")
        ),
    ))
}

/// Whether `value` has one of the known runtime forms (case-insensitive `python-` prefix).
pub fn is_known_runtime(value: &str) -> bool {
    let version = match value.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("python-") => &value[7..],
        _ => value,
    };
    let parts: Vec<&str> = version.split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The numeric version of a runtime value (`python-3.6` -> `[3, 6]`), for picking the nearest
/// toggle runtime.
pub fn version_numbers(value: &str) -> Vec<u32> {
    let version = value
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("python-"))
        .map_or(value, |_| &value[7..]);
    version.split('.').filter_map(|p| p.parse().ok()).collect()
}

/// Which of the Python buildpack's two version files (heroku-buildpack-python
/// `lib/python_version.sh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildpackFile {
    /// `runtime.txt`: one line `python-X.Y` or `python-X.Y.Z` (`parse_runtime_txt`).
    RuntimeTxt,
    /// `.python-version`: one line `X.Y` or `X.Y.Z` (`parse_python_version_file`).
    PythonVersion,
}

/// The version request of a runtime.txt or .python-version as Heroku's Python buildpack
/// reads it (heroku/heroku-buildpack-python `lib/python_version.sh` @b4e7e72): the lines
/// split at LF, each stripped of leading and trailing white space (`[[:space:]]` of
/// `C.UTF-8`; CR is one), blank lines and lines starting with `#` dropped; what is left must
/// be exactly one line, `python-` (lower case) and a version for runtime.txt, a bare version
/// for .python-version, a version being `N.N` or `N.N.N` without leading zeros
/// (`PYTHON_VERSION_REGEX`). Anything else, a byte order mark and UTF-16 included, fails the
/// build ("Invalid Python version in runtime.txt"), so envguard refuses it at push: the
/// error names the line and how to write it. `Ok`: the line as written.
pub fn parse_buildpack_version(
    path: &str,
    file: BuildpackFile,
    bytes: &[u8],
) -> Result<String, FileError> {
    buildpack_request(path, file, bytes).map(|(_, line)| line)
}

/// The Python 3 minor versions heroku-buildpack-python builds, and the newest patch of
/// each it resolves `3.N` to (`lib/python_version.sh` @b4e7e72:
/// `OLDEST_SUPPORTED_PYTHON_3_MINOR_VERSION=10`, `NEWEST_SUPPORTED_PYTHON_3_MINOR_VERSION=14`,
/// `LATEST_PYTHON_3_*`).
const BUILDPACK_PYTHONS: [(u32, &str); 5] = [
    (10, "3.10.21"),
    (11, "3.11.16"),
    (12, "3.12.14"),
    (13, "3.13.15"),
    (14, "3.14.7"),
];

/// The misspellings of `.python-version` that make heroku-buildpack-python fail the build
/// when there is no runtime.txt (`lib/python_version.sh` @b4e7e72,
/// `MISSPELLED_PYTHON_VERSION_FILE_NAMES`, checked in this order).
pub const MISSPELLED_PYTHON_VERSION_FILE_NAMES: [&str; 20] = [
    " .python-version",
    ". python-version",
    ".python_version.txt",
    ".python_version",
    ".python-version ",
    ",python-version",
    ".python-version.",
    ".python-version.py",
    ".python-version.rtf",
    ".python-version.txt",
    ".python-version.TXT",
    ".Python-version",
    ".python.version",
    ".pythonversion",
    "'.python-version'",
    "python_version.txt",
    "python_version",
    "python-version.",
    "python-version.txt",
    "python-version",
];

/// A version file as heroku-buildpack-python reads and then resolves it
/// (`read_requested_python_version`, `resolve_python_version`): the request must be a Python
/// the buildpack builds (3.10 to 3.14 at @b4e7e72); an older one has reached its end of life
/// and a newer one is not known to it, and either fails the build. `Ok`: the resolved full
/// version (`3.12` -> `3.12.14`; a full version as written).
pub fn read_buildpack_version(
    path: &str,
    file: BuildpackFile,
    bytes: &[u8],
) -> Result<String, FileError> {
    let (number, line) = buildpack_request(path, file, bytes)?;
    let request = line.trim_start_matches("python-");
    let parts: Vec<u32> = request.split('.').filter_map(|p| p.parse().ok()).collect();
    let (major, minor) = (parts.first().copied(), parts.get(1).copied());
    let (oldest, newest) = (BUILDPACK_PYTHONS[0].0, BUILDPACK_PYTHONS[4].0);
    let refused = |why: &str| {
        Err(FileError::new(
            path,
            Some(number),
            format!(
                "'{line}' asks for Python {}.{}, {why}: Heroku's Python buildpack builds 3.{oldest} \
                 to 3.{newest} and fails the build on any other. Ask for one of those (for \
                 example {}3.{newest})",
                major.unwrap_or_default(),
                minor.unwrap_or_default(),
                if file == BuildpackFile::RuntimeTxt {
                    "python-"
                } else {
                    ""
                }
            ),
        ))
    };
    match (major, minor) {
        (Some(major), Some(minor)) if major < 3 || (major == 3 && minor < oldest) => {
            refused("which has reached its end of life")
        }
        (Some(major), Some(minor)) if major > 3 || minor > newest => {
            refused("which the buildpack does not know")
        }
        (Some(_), Some(minor)) if parts.len() == 2 => Ok(BUILDPACK_PYTHONS
            .iter()
            .find(|(m, _)| *m == minor)
            .map_or_else(|| request.to_string(), |(_, full)| (*full).to_string())),
        _ => Ok(request.to_string()),
    }
}

/// [`parse_buildpack_version`] with the line's number.
fn buildpack_request(
    path: &str,
    file: BuildpackFile,
    bytes: &[u8],
) -> Result<(usize, String), FileError> {
    // glibc's `space` class: ASCII white space and the Unicode spaces that do not forbid a
    // line break (not U+00A0, U+2007, U+202F; not U+0085).
    let space =
        |c: char| c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{85}');
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<(usize, &str)> = text
        .split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim_matches(space)))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .collect();
    let (form, example) = match file {
        BuildpackFile::RuntimeTxt => ("python-X.Y or python-X.Y.Z", "python-3.12"),
        BuildpackFile::PythonVersion => ("X.Y or X.Y.Z", "3.12"),
    };
    let fix = format!(
        "Heroku's Python buildpack fails the build on it; it must hold exactly one line \
         {form} (for example {example}), saved as UTF-8 without a byte order mark{}",
        if file == BuildpackFile::RuntimeTxt {
            ", or replace runtime.txt with a .python-version of one line such as 3.12 (the \
             buildpack's recommendation)"
        } else {
            ""
        }
    );
    let is_version = |v: &str| {
        let parts: Vec<&str> = v.split('.').collect();
        (2..=3).contains(&parts.len())
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && (*p == "0" || !p.starts_with('0'))
            })
    };
    let valid = |line: &str| match file {
        BuildpackFile::RuntimeTxt => line.strip_prefix("python-").is_some_and(is_version),
        BuildpackFile::PythonVersion => is_version(line),
    };
    match lines.as_slice() {
        [] => Err(FileError::new(
            path,
            None,
            format!("holds no version: {fix}"),
        )),
        [(number, line)] if valid(line) => Ok((*number, (*line).to_string())),
        [(_, line), ..] if valid(line) => Err(FileError::new(
            path,
            Some(lines[1].0),
            format!("holds more than one version line: {fix}"),
        )),
        [(number, line), ..] => Err(FileError::new(
            path,
            Some(*number),
            format!(
                "'{}' is no version the buildpack reads: {fix}",
                line.escape_debug()
            ),
        )),
    }
}

/// Whether two Python version requests surely resolve to different versions on a
/// buildpack that resolves `X.Y` to the newest `X.Y.Z` it knows (heroku-buildpack-python
/// `lib/python_version.sh`, the cache key is the resolved full version): a different
/// `X.Y`, or two different full versions. `3.12` and `3.12.4` may be the same.
pub fn resolves_elsewhere(before: &str, after: &str) -> bool {
    fn parts(text: &str) -> Option<Vec<u32>> {
        let text = text.trim();
        let text = text
            .strip_prefix("python-")
            .or_else(|| text.strip_prefix("Python-"))
            .unwrap_or(text);
        let parts: Option<Vec<u32>> = text.split('.').map(|p| p.parse().ok()).collect();
        parts.filter(|p| (2..=3).contains(&p.len()))
    }
    match (parts(before), parts(after)) {
        (Some(b), Some(a)) => b[..2] != a[..2] || (b.len() == 3 && a.len() == 3 && b != a),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// heroku-buildpack-python `lib/python_version.sh`: one line, `python-` in runtime.txt
    /// only, no leading zeros; blank and `#` lines and surrounding white space ignored.
    #[test]
    fn the_buildpacks_version_files() {
        use BuildpackFile::{PythonVersion, RuntimeTxt};
        let read = |file, text: &str| parse_buildpack_version("f", file, text.as_bytes());
        assert_eq!(
            read(RuntimeTxt, "# pin\n python-3.12.4\r\n").as_deref(),
            Ok("python-3.12.4")
        );
        assert_eq!(read(PythonVersion, "\n3.13\n").as_deref(), Ok("3.13"));
        for (file, bad, line) in [
            (RuntimeTxt, "3.12\n", Some(1)),
            (RuntimeTxt, "Python-3.12\n", Some(1)),
            (RuntimeTxt, "\u{feff}python-3.12\n", Some(1)),
            (RuntimeTxt, "python-3.09\n", Some(1)),
            (RuntimeTxt, "# only a comment\n", None),
            (RuntimeTxt, "python-3.12\npython-3.11\n", Some(2)),
            (PythonVersion, "python-3.12\n", Some(1)),
            (PythonVersion, "3.12 # pinned\n", Some(1)),
        ] {
            let err = read(file, bad).expect_err(bad);
            assert_eq!(err.line, line, "{bad:?}");
        }
    }

    #[test]
    fn known_forms() {
        for ok in [
            "python-3.6",
            "Python-2.7",
            "python-3.11.4",
            "3.12",
            "3.9.18",
        ] {
            assert!(is_known_runtime(ok), "{ok}");
        }
        for bad in [
            "python3.6",
            "pyhton-3.6",
            "3",
            "3.x",
            "python-",
            "",
            "3.6.1.2",
        ] {
            assert!(!is_known_runtime(bad), "{bad}");
        }
    }

    #[test]
    fn value_is_trimmed_and_validated() {
        assert_eq!(
            parse_runtime("runtime.txt", b"  python-3.6\r\n").unwrap(),
            Some("python-3.6".to_string())
        );
        assert_eq!(parse_runtime("runtime.txt", b"\n\n").unwrap(), None);
        let err = parse_runtime("app/runtime.txt", b"\npython-banana\n").unwrap_err();
        assert_eq!(err.file, "app/runtime.txt");
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("python-banana"));
    }

    #[test]
    fn kudu_selects_by_prefix_of_the_whole_file() {
        let select = |text: &str| kudu_select(text.as_bytes(), &KUDU_RUNTIMES);
        assert_eq!(select("python-3.6.1\n"), Some("python-3.6"));
        assert_eq!(select("PYTHON-2.7.18"), Some("python-2.7"));
        assert_eq!(select("python-3.4"), Some("python-3.4"));
        for refused in [
            "3.6",
            "python-3.7",
            "\u{feff}python-3.6",
            "\npython-3.6",
            " python-3.6",
            "# x\npython-3.6",
            "",
        ] {
            assert_eq!(select(refused), None, "{refused:?}");
        }
        let err = parse_kudu_runtime("runtime.txt", b"python-3.7\n", &KUDU_RUNTIMES).unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("runtime.txt", Some(1)));
        assert!(
            err.message.contains("'python-3.7'") && err.message.contains("python-3.6"),
            "{err}"
        );
        let err = parse_kudu_runtime(
            "runtime.txt",
            "\u{feff}python-3.6".as_bytes(),
            &KUDU_RUNTIMES,
        )
        .unwrap_err();
        assert!(err.message.contains("byte order mark"), "{err}");
    }

    #[test]
    fn numbers() {
        assert_eq!(version_numbers("python-3.6"), vec![3, 6]);
        assert_eq!(version_numbers("2.7.18"), vec![2, 7, 18]);
    }

    #[test]
    fn only_a_sure_change_of_the_resolved_version_counts() {
        for (b, a) in [
            ("python-3.11", "python-3.12"),
            ("3.11.4", "3.11.9"),
            ("python-3.11.4", "3.12"),
        ] {
            assert!(resolves_elsewhere(b, a), "{b} -> {a}");
        }
        for (b, a) in [
            ("python-3.11", "python-3.11.9"),
            ("3.11.9", "3.11"),
            ("python-3.11.9", "3.11.9"),
            ("3.11", "not a version"),
        ] {
            assert!(!resolves_elsewhere(b, a), "{b} -> {a}");
        }
    }
}
