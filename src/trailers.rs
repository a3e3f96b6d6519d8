//! Commit-message trailers, by git's rules: the last paragraph of the message (never the
//! subject), ended early by a `---` line, holding `Key: value` lines (key of letters, digits
//! and `-`, matched case-insensitively); indented lines continue the previous value.

/// What an `Env-Wipe` trailer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvWipe {
    Skip,
    Force,
}

/// The trailers of a message, as (key, value) in order.
pub fn parse_trailers(message: &str) -> Vec<(String, String)> {
    let body: Vec<&str> = message
        .lines()
        .take_while(|l| !l.starts_with("---"))
        .filter(|l| !l.starts_with('#'))
        .collect();
    // Drop trailing blank lines, then take the last paragraph.
    let end = body
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |i| i + 1);
    let body = &body[..end];
    let start = body
        .iter()
        .rposition(|l| l.trim().is_empty())
        .map_or(0, |i| i + 1);
    if start == 0 {
        // The only paragraph holds the subject: no trailers.
        return Vec::new();
    }
    let mut trailers: Vec<(String, String)> = Vec::new();
    let mut trailer_lines = 0;
    let mut other_lines = 0;
    let mut has_git_trailer = false;
    for line in &body[start..] {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = trailers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        match split_trailer(line) {
            Some((key, value)) => {
                trailer_lines += 1;
                has_git_trailer |= key.eq_ignore_ascii_case("Signed-off-by");
                trailers.push((key.to_string(), value.to_string()));
            }
            None => {
                other_lines += 1;
                has_git_trailer |= line.starts_with("(cherry picked from commit ");
            }
        }
    }
    // git accepts a block where every line is a trailer, or one with a git-generated
    // trailer where at least a quarter of the lines are trailers.
    let accepted = trailer_lines > 0
        && (other_lines == 0 || (has_git_trailer && trailer_lines * 3 >= other_lines));
    if accepted { trailers } else { Vec::new() }
}

fn split_trailer(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim_end();
    let valid = !key.is_empty()
        && !key.starts_with('-')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    valid.then(|| (key, value.trim()))
}

/// The `Env-Wipe` request of a message, if any: the last valid one wins. `Err` carries an
/// unknown value.
pub fn env_wipe(message: &str) -> Result<Option<EnvWipe>, String> {
    let mut found = None;
    for (key, value) in parse_trailers(message) {
        if !key.eq_ignore_ascii_case("Env-Wipe") {
            continue;
        }
        found = Some(match value.to_ascii_lowercase().as_str() {
            "skip" => EnvWipe::Skip,
            "force" => EnvWipe::Force,
            _ => {
                return Err(format!(
                    "unknown 'Env-Wipe: {value}' trailer (expected skip or force)"
                ));
            }
        });
    }
    Ok(found)
}

/// A cheap test before parsing: whether the message can hold an `Env-Wipe` trailer at all.
pub fn may_have_env_wipe(message: &[u8]) -> bool {
    message
        .windows(8)
        .any(|w| w.eq_ignore_ascii_case(b"env-wipe"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_paragraph_only() {
        let msg = "Drop cors\n\nEnv-Wipe: skip\n\nSome text after.\n";
        assert_eq!(env_wipe(msg), Ok(None));
        let msg = "Drop cors\n\nWhy we do it.\n\nenv-wipe: SKIP\nSigned-off-by: A <a@b>\n";
        assert_eq!(env_wipe(msg), Ok(Some(EnvWipe::Skip)));
    }

    #[test]
    fn subject_is_never_a_trailer() {
        assert_eq!(env_wipe("Env-Wipe: force\n"), Ok(None));
    }

    #[test]
    fn mixed_paragraph_needs_a_git_trailer() {
        let msg = "s\n\nplain words\nEnv-Wipe: force\n";
        assert_eq!(env_wipe(msg), Ok(None));
        let msg = "s\n\nplain words\nEnv-Wipe: force\nSigned-off-by: x <x@y>\n";
        assert_eq!(env_wipe(msg), Ok(Some(EnvWipe::Force)));
    }

    #[test]
    fn dashes_end_the_message() {
        let msg = "s\n\nEnv-Wipe: force\n---\nnotes\n\nEnv-Wipe: skip\n";
        assert_eq!(env_wipe(msg), Ok(Some(EnvWipe::Force)));
    }

    #[test]
    fn continuation_and_unknown_value() {
        let t = parse_trailers("s\n\nKey: a\n  b\nOther : c\n");
        assert_eq!(
            t,
            vec![("Key".into(), "a b".into()), ("Other".into(), "c".into())]
        );
        assert!(env_wipe("s\n\nEnv-Wipe: maybe\n").is_err());
    }

    #[test]
    fn cheap_prefilter() {
        assert!(may_have_env_wipe(b"x\n\nENV-WIPE: skip"));
        assert!(!may_have_env_wipe(b"x\n\nnothing"));
    }
}
