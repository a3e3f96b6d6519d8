//! Commit-message trailers, by git's rules (read by libgit2): the last paragraph of the
//! message (never the subject), ended early by a `---` line, holding `Key: value` lines
//! (matched case-insensitively here); indented lines continue the previous value. A cheap
//! byte scan comes first, so messages without `Env-Wipe` are never parsed.

/// What an `Env-Wipe` trailer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvWipe {
    Skip,
    Force,
}

/// The trailers of a message, as (key, value) in order, by libgit2's port of git's own
/// trailer rules (the same as `git interpret-trailers --parse`).
pub fn parse_trailers(message: &[u8]) -> Vec<(String, String)> {
    let Ok(trailers) = git2::message_trailers_bytes(message) else {
        return Vec::new();
    };
    trailers
        .iter()
        .map(|(key, value)| {
            let value = String::from_utf8_lossy(value);
            // A continuation line keeps its line break and indent; the value is one line.
            let value: Vec<&str> = value.lines().map(str::trim).collect();
            (String::from_utf8_lossy(key).into_owned(), value.join(" "))
        })
        .collect()
}

/// The `Env-Wipe` request of a message, if any: the last valid one wins. `Err` carries an
/// unknown value.
pub fn env_wipe(message: &[u8]) -> Result<Option<EnvWipe>, crate::Invalid> {
    let mut found = None;
    for (key, value) in parse_trailers(message) {
        if !key.eq_ignore_ascii_case("Env-Wipe") {
            continue;
        }
        found = Some(match value.to_ascii_lowercase().as_str() {
            "skip" => EnvWipe::Skip,
            "force" => EnvWipe::Force,
            _ => {
                return Err(crate::Invalid::Trailer {
                    value: value.to_string(),
                });
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
        assert_eq!(env_wipe(msg.as_bytes()), Ok(None));
        let msg = "Drop cors\n\nWhy we do it.\n\nenv-wipe: SKIP\nSigned-off-by: A <a@b>\n";
        assert_eq!(env_wipe(msg.as_bytes()), Ok(Some(EnvWipe::Skip)));
    }

    #[test]
    fn subject_is_never_a_trailer() {
        assert_eq!(env_wipe(b"Env-Wipe: force\n"), Ok(None));
    }

    #[test]
    fn mixed_paragraph_needs_a_git_trailer() {
        let msg = "s\n\nplain words\nEnv-Wipe: force\n";
        assert_eq!(env_wipe(msg.as_bytes()), Ok(None));
        let msg = "s\n\nplain words\nEnv-Wipe: force\nSigned-off-by: x <x@y>\n";
        assert_eq!(env_wipe(msg.as_bytes()), Ok(Some(EnvWipe::Force)));
    }

    #[test]
    fn dashes_end_the_message() {
        let msg = "s\n\nEnv-Wipe: force\n---\nnotes\n\nEnv-Wipe: skip\n";
        assert_eq!(env_wipe(msg.as_bytes()), Ok(Some(EnvWipe::Force)));
    }

    #[test]
    fn continuation_and_unknown_value() {
        let t = parse_trailers(b"s\n\nKey: a\n  b\nOther: c\n");
        assert_eq!(
            t,
            vec![("Key".into(), "a b".into()), ("Other".into(), "c".into())]
        );
        assert!(env_wipe(b"s\n\nEnv-Wipe: maybe\n").is_err());
    }

    #[test]
    fn cheap_prefilter() {
        assert!(may_have_env_wipe(b"x\n\nENV-WIPE: skip"));
        assert!(!may_have_env_wipe(b"x\n\nnothing"));
    }
}
