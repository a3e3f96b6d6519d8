//! `runtime.txt` and `.python-version`: the runtime a deployment asks for. The effective value
//! is the trimmed first meaningful line; it must be one of the known forms `python-X.Y`,
//! `python-X.Y.Z`, `X.Y` or `X.Y.Z`.

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn numbers() {
        assert_eq!(version_numbers("python-3.6"), vec![3, 6]);
        assert_eq!(version_numbers("2.7.18"), vec![2, 7, 18]);
    }
}
