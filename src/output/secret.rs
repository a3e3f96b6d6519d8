//! Values that may hold a secret, and the scrub every output passes. A URL's user
//! information, a `${VAR}` value expanded from the environment, a credential helper's
//! password and a configured command are held in types whose `Display`, `Debug` and
//! `Serialize` show them redacted ([`SecretUrl`], [`ShownCommand`], [`ShownHeader`],
//! [`ShownRequest`]); and every line the
//! printer, the logger, the JSON writer or a commit message writer emits goes through
//! [`scrub`], so a secret that reached a string some other way is masked there too.

use std::fmt;

pub use crate::secrets::{register_expansion, register_secret};

/// `text` fit to leave the process: every URL's user information masked and every
/// registered value replaced.
pub fn scrub(text: &str) -> String {
    crate::secrets::replace_known(mask_header_values(&crate::url::redact_urls_in(text)))
}

/// A URL (a remote's, a requirement's source, an index option's, a site's API) that may
/// carry user information: shown with it masked.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn new(url: impl Into<String>) -> Self {
        SecretUrl(url.into())
    }

    /// The URL itself, for the one place that must use it (a network call, a git push).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&scrub(&crate::url::redact(&self.0)))
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({self})")
    }
}

impl serde::Serialize for SecretUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// A configured shell command (`envguard.command`): it may carry a token, so it is shown
/// with every word that may hold one masked by its position
/// ([`super::command_line::shown`]).
#[derive(Clone, PartialEq, Eq)]
pub struct ShownCommand(String);

impl ShownCommand {
    /// The command; the values at its secret positions are registered, so that they are
    /// masked wherever they show up later (the command's own output, an error).
    pub fn new(command: impl Into<String>) -> Self {
        let command = command.into();
        for value in super::command_line::secret_values(&command) {
            register_secret(&value);
        }
        ShownCommand(command)
    }

    /// The command itself, for the one place that runs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ShownCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&scrub(&super::command_line::shown(&self.0)))
    }
}

impl fmt::Debug for ShownCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShownCommand({self})")
    }
}

/// Whether a header carries a credential by its name: `Authorization`, `Cookie`, and the
/// `X-…` headers that name a token, key, secret, signature or auth.
fn is_credential_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "api-key"
    ) || (lower.starts_with("x-")
        && [
            "token",
            "key",
            "secret",
            "signature",
            "auth",
            "session",
            "password",
        ]
        .iter()
        .any(|w| lower.contains(w)))
}

/// A header line in free text (another program's output, `curl -v`'s `> Authorization: …`)
/// with the value of a credential header masked to the end of its line.
fn mask_header_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&mask_header_line(line));
    }
    out
}

fn mask_header_line(line: &str) -> String {
    let mut searched = 0;
    while let Some(colon) = line[searched..].find(':').map(|c| c + searched) {
        let before = &line[..colon];
        let name_start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let name = &before[name_start..];
        let value = line[colon + 1..].trim_start();
        if is_credential_header(name) && !value.is_empty() && !value.starts_with("***") {
            // A quoted header (`'Authorization: Bearer ***' && next`): its value ends at the
            // closing quote; already masked there, it stays, else only it is masked.
            let quote = before[..name_start]
                .chars()
                .last()
                .filter(|q| matches!(q, '\'' | '"'));
            let end = quote.and_then(|q| line[colon + 1..].find(q).map(|e| colon + 1 + e));
            match end {
                Some(end)
                    if matches!(
                        line[colon + 1..end].trim().split_once(' '),
                        Some((_, "***"))
                    ) || line[colon + 1..end].trim() == "***" => {}
                Some(end) => {
                    return format!("{}: ***{}", &line[..colon], mask_header_line(&line[end..]));
                }
                None => return format!("{}: ***", &line[..colon]),
            }
        }
        searched = colon + 1;
    }
    line.to_string()
}

/// Headers whose values never carry a credential: shown as they are. Every other header's
/// value (`Authorization`, `Cookie`, `X-…-Token`, anything a user configured) is `***`.
const PLAIN_HEADERS: &[&str] = &[
    "accept",
    "content-length",
    "content-type",
    "if-match",
    "user-agent",
];

/// An HTTP header as it may be shown: `If-Match: *`, `Authorization: ***`.
pub struct ShownHeader<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

impl fmt::Display for ShownHeader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if PLAIN_HEADERS.contains(&self.name.to_ascii_lowercase().as_str()) {
            write!(f, "{}: {}", self.name, scrub(self.value))
        } else {
            write!(f, "{}: ***", self.name)
        }
    }
}

/// An HTTP request as the log shows it: method, URL through [`SecretUrl`], headers through
/// [`ShownHeader`]; never the body.
pub struct ShownRequest<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
}

impl fmt::Display for ShownRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, SecretUrl::new(self.url))?;
        for (i, (name, value)) in self.headers.iter().enumerate() {
            let sep = if i == 0 { " (" } else { ", " };
            write!(f, "{sep}{}", ShownHeader { name, value })?;
        }
        if !self.headers.is_empty() {
            f.write_str(")")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_commands_and_registered_values_are_masked() {
        assert_eq!(
            SecretUrl::new("https://ci:hunter22@git.corp/x.git").to_string(),
            "https://***@git.corp/x.git"
        );
        let command = ShownCommand::new(
            "curl -H 'Authorization: Bearer tok123' https://u:pw9876@api.example/purge?key=abc",
        );
        let shown = command.to_string();
        assert!(!shown.contains("tok123") && !shown.contains("pw9876") && !shown.contains("abc"));
        assert!(shown.starts_with("curl -H 'Authorization: ***'"), "{shown}");
        register_expansion("ENVGUARD_TEST_SECRET_NAME", "value-of-the-variable");
        register_secret("from-the-credential-helper");
        assert_eq!(
            scrub("a value-of-the-variable and from-the-credential-helper"),
            "a ${ENVGUARD_TEST_SECRET_NAME} and ***"
        );
        assert_eq!(
            scrub("> Authorization: Basic dXNlcjpwdw==\n> X-Api-Token:tok\n> Accept: */*"),
            "> Authorization: ***\n> X-Api-Token: ***\n> Accept: */*"
        );
        assert_eq!(
            scrub("GET https://h/x (Authorization: ***, If-Match: *)"),
            "GET https://h/x (Authorization: ***, If-Match: *)"
        );
    }
}
