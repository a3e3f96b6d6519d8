//! Properties of the readers of outside input, checked on generated input (proptest):
//! nothing panics, name normalization is idempotent, and a requirements file means the same
//! after it is reformatted (reordered, commented, CRLF, re-spelled names, blank lines).

use proptest::prelude::*;

use envguard::requirements::{
    ParseCache, RequirementSet, SetDiff, TreeReader, load_closure, normalize_name, parse_file,
};

/// One file in memory as a tree.
struct OneFile(Vec<u8>);

impl TreeReader for OneFile {
    type Id = u8;
    fn lookup(&self, path: &str) -> Result<Option<u8>, envguard::Invalid> {
        Ok((path == "requirements.txt").then_some(0))
    }
    fn read(&self, _: &u8) -> Option<Vec<u8>> {
        Some(self.0.clone())
    }
}

fn set_of(bytes: Vec<u8>) -> (RequirementSet, usize) {
    let mut cache = ParseCache::with_env(Box::new(|_| None));
    let closure = load_closure(&OneFile(bytes), "requirements.txt", &mut cache);
    (RequirementSet::from_closure(&closure), closure.errors.len())
}

/// A requirement: name parts, then a specifier, extras and a marker, all valid.
fn requirement() -> impl Strategy<Value = (Vec<String>, String)> {
    let part = "[a-z][a-z0-9]{0,6}";
    let spec = prop_oneof![
        Just(String::new()),
        "(==|>=|<=|!=|~=)[1-9]\\.[0-9]{1,2}",
        Just(">=1,<3".to_string()),
    ];
    let extras = prop_oneof![Just(String::new()), Just("[socks]".to_string())];
    let marker = prop_oneof![
        Just(String::new()),
        Just(" ; python_version >= \"3\"".to_string()),
    ];
    (
        proptest::collection::vec(part, 1..3),
        (extras, spec, marker).prop_map(|(e, s, m)| format!("{e}{s}{m}")),
    )
}

/// The name parts joined one way or another, in one case or another.
fn spell(parts: &[String], style: usize) -> String {
    let sep = ["-", "_", ".", "__", "-_"][style % 5];
    let name = parts.join(sep);
    match style % 3 {
        0 => name,
        1 => name.to_uppercase(),
        _ => {
            let mut chars = name.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every line envguard prints passes the scrub and the escaping of control characters:
    /// any text, in any script, with colons, `@`, `://` and quotes where a header or a URL
    /// would be, comes out without a panic and without a raw control character.
    #[test]
    fn every_printed_text_is_scrubbed_and_escaped_without_a_panic(
        text in "[a-zA-Zàé€日\\x00-\\x1f\\u{9b}:@/?=&'\" -]{0,80}"
    ) {
        let shown = envguard::output::shown_controls(&envguard::output::secret::scrub(&text))
            .into_owned();
        prop_assert!(!shown.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{shown:?}");
    }

    #[test]
    fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_file(&bytes, &|_| None);
        envguard::fuzz::requirements_file(&bytes);
        envguard::fuzz::runtime_file(&bytes);
        envguard::fuzz::commit_message(&bytes);
        envguard::fuzz::hook_input(&bytes);
    }

    #[test]
    fn parsing_requirement_like_text_never_panics(text in "[a-zA-Z0-9_.\\-\\[\\]@;<>=!~ ,'\"()#/:\\\\\n]{0,200}") {
        let _ = parse_file(text.as_bytes(), &|_| None);
        envguard::fuzz::requirements_file(text.as_bytes());
    }

    #[test]
    fn markers_with_multibyte_characters_never_panic(tail in "[a-z0-9 ;=\"'<>()!~.,üé慡\u{ffff}⤚]{0,60}") {
        let line = format!("b ; sys_platform == {tail}");
        let _ = parse_file(line.as_bytes(), &|_| None);
        let line = format!("b[x]>=1 ; {tail}");
        let _ = parse_file(line.as_bytes(), &|_| None);
    }

    #[test]
    fn normalization_is_idempotent(name in "\\PC{0,40}") {
        let once = normalize_name(&name);
        prop_assert_eq!(normalize_name(&once), once);
    }

    #[test]
    fn normalization_ignores_case_and_separators(name in "[A-Za-z0-9._-]{0,40}") {
        prop_assert_eq!(
            normalize_name(&name.to_uppercase().replace('_', "-")),
            normalize_name(&name.to_lowercase().replace('.', "_"))
        );
    }

    #[test]
    fn reformatting_keeps_the_set(
        reqs in proptest::collection::vec(requirement(), 1..12),
        order in any::<u64>(),
        style in 0usize..30,
        crlf in any::<bool>(),
    ) {
        let plain: Vec<String> = reqs
            .iter()
            .map(|(parts, rest)| format!("{}{rest}", parts.join("-")))
            .collect();
        let original = plain.join("\n") + "\n";

        // Reordered (a rotation and a reversal picked by `order`), commented, re-spelled.
        let mut lines: Vec<String> = reqs
            .iter()
            .enumerate()
            .map(|(i, (parts, rest))| format!("  {}{rest}", spell(parts, style + i)))
            .collect();
        let n = lines.len();
        lines.rotate_left((order as usize) % n);
        if order & 1 == 1 {
            lines.reverse();
        }
        let mut reformatted = vec!["# reformatted".to_string(), String::new()];
        for (i, line) in lines.into_iter().enumerate() {
            if i % 2 == 0 {
                reformatted.push(format!("{line}   # note {i}"));
            } else {
                reformatted.push(line);
                reformatted.push(String::new());
            }
        }
        let eol = if crlf { "\r\n" } else { "\n" };
        let reformatted = reformatted.join(eol);

        let (a, errors_a) = set_of(original.into_bytes());
        let (b, errors_b) = set_of(reformatted.into_bytes());
        prop_assert_eq!(errors_a, 0);
        prop_assert_eq!(errors_b, 0);
        let names_a: Vec<&String> = a.requirements.keys().collect();
        let names_b: Vec<&String> = b.requirements.keys().collect();
        prop_assert_eq!(names_a, names_b);
        let diff = SetDiff::between(&a, &b);
        prop_assert!(diff.removed.is_empty() && diff.added.is_empty() && diff.changed.is_empty(), "{:?}", diff);
    }
}
