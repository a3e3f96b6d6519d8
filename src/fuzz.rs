//! Entry points for the fuzz targets in `fuzz/` and for the replay of their corpora in the
//! normal test suite (`tests/hardening.rs`). Each takes arbitrary bytes, runs one reader of
//! outside input, and panics only when an invariant breaks; a panic from the reader itself
//! is a bug the fuzzer reports.

use git2::ObjectFormat;

use crate::requirements::{self, Item, normalize_name};
use crate::{hook_input, runtime, trailers};

/// The requirements reader: decode, join lines, parse. Invariant: every requirement key of
/// a named requirement is normalized (normalizing it again changes nothing).
pub fn requirements_file(data: &[u8]) {
    let parsed = requirements::parse_file(data, &|_| None);
    for item in &parsed.items {
        if let Item::Requirement(r) = item {
            if r.source == requirements::Source::Index {
                assert_eq!(normalize_name(&r.key), r.key, "key of {:?}", r.text);
            }
            assert!(r.line >= 1);
        }
    }
}

/// The runtime reader (`runtime.txt`, `.python-version`) and the `.deployment` reader.
pub fn runtime_file(data: &[u8]) {
    for path in ["runtime.txt", ".python-version"] {
        if let Ok(Some(value)) = runtime::parse_runtime(path, data) {
            assert!(!value.is_empty());
        }
    }
    let _ = crate::deployment::Deployment::read(data);
}

/// The trailer parser. Invariant: the cheap pre-filter never hides a trailer the full
/// parser finds.
pub fn commit_message(data: &[u8]) {
    let _ = trailers::parse_trailers(data);
    let found = trailers::env_wipe(data);
    if matches!(found, Ok(Some(_)) | Err(_)) {
        assert!(trailers::may_have_env_wipe(data));
    }
}

/// The hook input parsers: pre-push and post-receive stdin, and the pre-commit framework's
/// variables (the input split at NUL bytes into their values); also the remote URL as git
/// passes it. Invariants: a parsed update has the id length of its object format; a
/// redacted URL never holds the password.
pub fn hook_input(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(url) = crate::url::Url::parse(&text) {
        let shown = url.redacted();
        if let Some(password) = url.password().filter(|p| !p.is_empty() && *p != "***") {
            // The part before the path: user, `***` and host (the path may hold any text).
            let authority = shown
                .split_once("://")
                .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
            assert!(!authority.contains(&format!(":{password}@")), "{shown}");
        }
        let _ = crate::url::scm_site(None, &[text.as_ref()]);
    }
    for format in [ObjectFormat::Sha1, ObjectFormat::Sha256] {
        let hex = match format {
            ObjectFormat::Sha1 => 40,
            _ => 64,
        };
        for updates in [
            hook_input::parse_pre_push(&text, format),
            hook_input::parse_receive(&text, format),
        ]
        .into_iter()
        .flatten()
        {
            for u in updates {
                for id in [u.old, u.new].into_iter().flatten() {
                    assert_eq!(id.to_string().len(), hex);
                }
            }
        }
        let values: Vec<&str> = text.split('\0').collect();
        let get = |name: &str| {
            let i = match name {
                "PRE_COMMIT_TO_REF" => 0,
                "PRE_COMMIT_FROM_REF" => 1,
                "PRE_COMMIT_REMOTE_BRANCH" => 2,
                "PRE_COMMIT_LOCAL_BRANCH" => 3,
                _ => return None,
            };
            values.get(i).map(|v| v.to_string())
        };
        let _ = hook_input::from_pre_commit_env(get, format);
    }
}
