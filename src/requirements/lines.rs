//! pip's pre-processing of a requirements file: `\` continuations, `#` comments (at the start
//! of a line or after whitespace), `${VAR}` expansion, and CRLF/CR line ends.

/// One logical line: what pip hands to its option/requirement parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicalLine {
    /// 1-based number of the physical line the logical line starts on.
    pub number: usize,
    pub text: String,
    /// The `${NAME}` expansions made in it: (name, value).
    pub expanded: Vec<(String, String)>,
}

impl LogicalLine {
    /// `text` (or a message about it) fit to print: every expanded value back as its
    /// `${NAME}`, and the user information of every URL masked.
    pub fn shown(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (name, value) in &self.expanded {
            if !value.is_empty() {
                text = text.replace(value.as_str(), &format!("${{{name}}}"));
            }
        }
        crate::url::redact_urls_in(&text)
    }
}

/// Splits `text` into logical lines. `env` looks up `${VAR}` values; unset ones stay literal,
/// as pip leaves them.
pub fn logical_lines(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Vec<LogicalLine> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (index, raw) in physical_lines(text).enumerate() {
        let number = index + 1;
        let comment = is_comment_line(raw);
        if raw.ends_with('\\') && !comment {
            let piece = raw.trim_matches('\\');
            match &mut pending {
                Some((_, joined)) => joined.push_str(piece),
                None => pending = Some((number, piece.to_string())),
            }
            continue;
        }
        // A comment inside a continuation gets a leading space so that it is still
        // recognised (and dropped) as a comment after joining, as pip does.
        let piece = if comment {
            format!(" {raw}")
        } else {
            raw.to_string()
        };
        let (start, joined) = match pending.take() {
            Some((start, mut joined)) => {
                joined.push_str(&piece);
                (start, joined)
            }
            None => (number, piece),
        };
        push_line(&mut out, start, &joined, env);
    }
    if let Some((start, joined)) = pending {
        push_line(&mut out, start, &joined, env);
    }
    out
}

fn push_line(
    out: &mut Vec<LogicalLine>,
    number: usize,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) {
    let text = strip_comment(text).trim();
    if !text.is_empty() {
        let (text, expanded) = expand_vars(text, env);
        out.push(LogicalLine {
            number,
            text,
            expanded,
        });
    }
}

/// Physical lines as Python's `str.splitlines` gives them for the line ends that occur in
/// practice: `\n`, `\r\n` and a lone `\r`.
fn physical_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find(['\n', '\r']) {
            None => {
                let line = rest;
                rest = "";
                Some(line)
            }
            Some(at) => {
                let line = &rest[..at];
                let skip = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[at + skip..];
                Some(line)
            }
        }
    })
}

/// pip's `COMMENT_RE.match`: optional leading whitespace, then `#`.
fn is_comment_line(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// pip's `COMMENT_RE.sub("", line)`: cut at the first `#` that starts the line or follows
/// whitespace, together with that whitespace. A `#` inside a token (`url#egg=x`) stays.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (at, &b) in bytes.iter().enumerate() {
        if b != b'#' {
            continue;
        }
        if at == 0 {
            return "";
        }
        if bytes[at - 1].is_ascii_whitespace() {
            return line[..at].trim_end();
        }
    }
    line
}

/// Replaces `${NAME}` (NAME of `A-Z`, `0-9`, `_`) with its value where it is set; also
/// returns the expansions made.
fn expand_vars(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> (String, Vec<(String, String)>) {
    let mut expanded = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let closed = after[name_len..].starts_with('}');
        match (closed && !name.is_empty()).then(|| env(name)).flatten() {
            Some(value) => {
                crate::secrets::register_expansion(name, &value);
                out.push_str(&value);
                expanded.push((name.to_string(), value));
                rest = &after[name_len + 1..];
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, expanded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn texts(text: &str) -> Vec<(usize, String)> {
        logical_lines(text, &no_env)
            .into_iter()
            .map(|l| (l.number, l.text))
            .collect()
    }

    #[test]
    fn comments_blank_lines_and_crlf() {
        let got = texts("# top\r\n\r\nflask==2.0  # pinned\r\n   \r\nrequests\r\n");
        assert_eq!(got, vec![(3, "flask==2.0".into()), (5, "requests".into())]);
    }

    #[test]
    fn hash_inside_a_token_is_kept() {
        let got = texts("git+https://x/y.git#egg=y\n");
        assert_eq!(got, vec![(1, "git+https://x/y.git#egg=y".into())]);
    }

    #[test]
    fn continuations_join_and_keep_the_first_line_number() {
        let got = texts("a\nflask \\\n  >=2.0 \\\n  ,<3\nb\n");
        assert_eq!(
            got,
            vec![
                (1, "a".into()),
                (2, "flask   >=2.0   ,<3".into()),
                (5, "b".into())
            ]
        );
    }

    #[test]
    fn trailing_backslash_at_end_of_file() {
        assert_eq!(texts("flask \\"), vec![(1, "flask".into())]);
    }

    #[test]
    fn lone_cr_line_ends() {
        assert_eq!(texts("a\rb\r"), vec![(1, "a".into()), (2, "b".into())]);
    }

    #[test]
    fn env_vars_expand_when_set() {
        let env = |name: &str| (name == "TOKEN").then(|| "s3cret".to_string());
        let got = logical_lines("pkg @ https://${TOKEN}@h/p.whl\nx${UNSET}y\n", &env);
        assert_eq!(got[0].text, "pkg @ https://s3cret@h/p.whl");
        assert_eq!(got[1].text, "x${UNSET}y");
    }
}
