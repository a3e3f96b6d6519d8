//! Remote URLs: the parts envguard needs (scheme, user, host, path), the Kudu SCM site a
//! deploy remote belongs to, and redaction, so that no password in a URL is ever printed.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::Result;
use crate::error::site::SiteAddress;

/// A URL of the form `scheme://[user[:password]@]host[:port][/path]`. Its `Debug` and
/// [`Url::redacted`] never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    /// The user name as written (percent-encoded).
    pub user: Option<String>,
    pub has_password: bool,
    /// The password as written (percent-encoded), for `git credential` only.
    password: Option<String>,
    /// Host and port exactly as written (`host`, `host:443`, `[::1]:8080`).
    pub authority: String,
    /// The path without its leading `/`.
    pub path: String,
}

impl Url {
    /// Parses a URL with a scheme; `None` for anything else (scp-like `user@host:path`,
    /// local paths).
    pub fn parse(text: &str) -> Option<Url> {
        // The WHATWG parser of the `url` crate, which git's URLs all satisfy; it does not
        // take scp-like `user@host:path` (no `://`), which git reads as ssh.
        let text = text.trim();
        if !text.contains("://") {
            return None;
        }
        let parsed = ::url::Url::parse(text).ok()?;
        parsed.host_str().filter(|h| !h.is_empty())?;
        // Host and port as written: the parser drops a default port, which `git credential`
        // keeps in its `host=` line.
        let rest = text.split_once("://")?.1;
        let written = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        let authority = written
            .rsplit_once('@')
            .map_or(written, |(_, h)| h)
            .to_string();
        let path = parsed.path().trim_start_matches('/');
        let path = match parsed.query() {
            Some(query) => format!("{path}?{query}"),
            None => path.to_string(),
        };
        Some(Url {
            scheme: parsed.scheme().to_string(),
            user: Some(parsed.username().to_string()).filter(|u| !u.is_empty()),
            has_password: parsed.password().is_some(),
            password: parsed.password().map(str::to_string),
            authority,
            path,
        })
    }

    /// The password written in the URL, percent-encoded as written.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The host name without port or brackets, lowercased.
    pub fn host(&self) -> String {
        let a = self.authority.as_str();
        let host = if let Some(rest) = a.strip_prefix('[') {
            rest.split(']').next().unwrap_or(rest)
        } else {
            a.rsplit_once(':')
                .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
                .map_or(a, |(h, _)| h)
        };
        host.to_ascii_lowercase()
    }

    /// `scheme://authority`, without user or path.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    /// The URL as it may be shown: user information masked, every query-string value
    /// masked, no fragment.
    pub fn redacted(&self) -> String {
        let (path, query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        let mut shown = self.with_user_masked(path);
        if !query.is_empty() {
            shown.push('?');
            shown.push_str(&mask_pairs(query, false));
        }
        shown
    }

    /// `scheme://` with the user information masked, the authority and `/path` as given.
    fn with_user_masked(&self, path: &str) -> String {
        let userinfo = match (&self.user, self.has_password) {
            (Some(user), false) => user.clone(),
            (None, false) => String::new(),
            (_, true) => "***".to_string(),
        };
        let authority = if userinfo.is_empty() {
            self.authority.clone()
        } else {
            mask_authority(&format!("{userinfo}@{}", self.authority))
        };
        let path = if path.is_empty() {
            String::new()
        } else {
            format!("/{path}")
        };
        format!("{}://{authority}{path}", self.scheme)
    }
}

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Url({})", self.redacted())
    }
}

/// A remote URL or path for messages: its user information masked ([`Url::redacted`]), and
/// every query-string value and fragment masked.
pub fn redact(text: &str) -> String {
    match Url::parse(text) {
        Some(url) => url.redacted(),
        None => redact_urls_in(text),
    }
}

/// A URL with its user information masked but its path and query kept: what identifies a
/// requirement's source (two downloads that differ in `?id=` are two things). Never shown
/// as it is: every line out passes [`redact_urls_in`].
pub fn without_password(text: &str) -> String {
    match Url::parse(text) {
        Some(url) => url.with_user_masked(&url.path),
        None => text.to_string(),
    }
}

/// The URL among `given` whose redacted form is `saved` (a URL saved without its user
/// information or query values), or `saved` itself when it lost nothing.
pub fn unredact(saved: &str, given: &[String]) -> Option<String> {
    // Redaction leaves `***` where it took something away.
    if !saved.contains("***") {
        return Some(saved.to_string());
    }
    given.iter().find(|g| redact(g) == saved).cloned()
}

/// Query-string pairs envguard writes itself, shown as they are: nothing secret in them.
const OWN_QUERY: &[&str] = &["recursive=true"];

/// Characters that cannot stand in a URL (RFC 3986 has no place for them): where a URL in
/// running text ends.
fn ends_url(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '<' | '>' | '`')
}

/// A query string or fragment (without its `?` or `#`) with every value masked:
/// `sv=2024&sig=abc` -> `sv=***&sig=***`; a part without `=` is all value. In a fragment,
/// `egg=NAME` keeps a package name (it names the thing, and says nothing secret).
fn mask_pairs(pairs: &str, fragment: bool) -> String {
    pairs
        .split('&')
        .map(|pair| {
            // In running text the punctuation after a URL (`…?recursive=true: forbidden`)
            // is read with its last pair.
            let own = pair.trim_end_matches([':', ',', ';', '.', ')']);
            if pair.is_empty() || OWN_QUERY.contains(&own) {
                return pair.to_string();
            }
            match pair.split_once('=') {
                _ if already_masked(pair.split_once('=').map_or(pair, |(_, v)| v)) => {
                    pair.to_string()
                }
                // In running text the punctuation after it (`#egg=x')`) is read with it.
                Some(("egg", name))
                    if fragment
                        && is_package_name(
                            name.trim_end_matches([')', '\'', '"', ',', ';', '.', ':']),
                        ) =>
                {
                    pair.to_string()
                }
                Some((name, _)) if is_parameter_name(name) => format!("{name}=***"),
                _ => "***".to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A value masked before (a message names a URL already shown masked, and the line passes
/// the scrub again): `***`, and the punctuation of the sentence after it, kept.
fn already_masked(value: &str) -> bool {
    value.strip_prefix("***").is_some_and(|rest| {
        rest.chars()
            .all(|c| matches!(c, ')' | ']' | ',' | '.' | ';' | ':' | '\''))
    })
}

/// A name that is only a name (`sig`, `X-Amz-Signature`, `response-content-type`), so it
/// can be shown: anything else is masked with the value.
fn is_parameter_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A distribution name as pip reads it in `#egg=` (extras allowed).
fn is_package_name(name: &str) -> bool {
    let bare = name.split_once('[').map_or(name, |(n, _)| n);
    is_parameter_name(bare)
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '[' | ']' | ','))
}

/// The part of a URL after its authority (`/path?query#fragment`) with every query value
/// and the fragment masked; the path is kept.
fn mask_after_authority(rest: &str) -> String {
    let (before_fragment, fragment) = match rest.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (rest, None),
    };
    let mut out = match before_fragment.split_once('?') {
        Some((path, query)) => format!("{path}?{}", mask_pairs(query, false)),
        None => before_fragment.to_string(),
    };
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(&mask_pairs(fragment, true));
    }
    out
}

/// The user information of a URL's authority masked whole: `***@host`, whether it is a
/// user and a password, a lone token (`https://<token>@host`) or a token in the user's place
/// (`https://<token>:x-oauth-basic@host`); only ssh's conventional `git@` stays. Any
/// character may stand in the user information: the host follows the last `@`.
fn mask_authority(authority: &str) -> String {
    match authority.rfind('@') {
        Some(user_end) if &authority[..user_end] == "git" => authority.to_string(),
        Some(user_end) => format!("***{}", &authority[user_end..]),
        None => authority.to_string(),
    }
}

/// `text` with every URL in it masked: the user information ([`mask_authority`]), every
/// query-string value and the fragment. A URL runs from its `://` to the first character
/// that cannot stand in a URL (white space, `"`, `<`, `>`, a backtick); its authority to
/// the first `/`, `?` or `#` after the last `@`.
pub fn redact_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let mut end = after.find(ends_url).unwrap_or(after.len());
        // A URL quoted in a message (`'https://…'`) keeps its closing quote; a quote
        // anywhere else belongs to the URL.
        let scheme = before[..at]
            .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if scheme.ends_with('\'') && after[..end].ends_with('\'') {
            end -= 1;
        }
        // The user information holds `/`, `?` and `#` only percent-encoded, and any other
        // character (a raw `@` too: the host follows the last one, as git reads it), even
        // one that cannot stand in a URL (a quote, a space, `<`): an `@` before the first
        // `/`, `?` or `#` of the line ends user information that must not be shown.
        let line_end = after.find(['\n', '\r']).unwrap_or(after.len());
        let span_end = after[..line_end].find(['/', '?', '#']).unwrap_or(line_end);
        if let Some(user_end) = after[..span_end].rfind('@')
            && user_end >= end
        {
            end = user_end
                + 1
                + after[user_end + 1..]
                    .find(ends_url)
                    .unwrap_or(after.len() - user_end - 1);
        }
        let url = &after[..end];
        let authority_end = url.find(['/', '?', '#']).unwrap_or(url.len());
        out.push_str(&mask_authority(&url[..authority_end]));
        out.push_str(&mask_after_authority(&url[authority_end..]));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The Kudu site behind a deploy remote: where its REST API is, and what to ask `git
/// credential` for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScmSite {
    /// `https://<site>.scm.azurewebsites.net` (or `envguard.scmUrl`), no trailing `/`.
    pub base: String,
    /// The URL whose credentials authenticate against the API: the remote's own URL (so the
    /// helper answers as it does for `git push`), or `envguard.scmUrl`.
    pub credential: Url,
}

/// Whether a host name is a Kudu SCM host: a `scm` label after the site's name, as in
/// `site.scm.azurewebsites.net`, `site-slot.scm.azurewebsites.us` or
/// `site.scm.myase.appserviceenvironment.net`.
fn is_scm_host(host: &str) -> bool {
    host.split('.').skip(1).any(|label| label == "scm")
}

/// Whether a host is this machine: `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The SCM site of a deploy remote. `scm_url` (`envguard.scmUrl`) wins, for custom domains
/// and for tests; else the first of `remote_urls` on a Kudu SCM host gives it.
pub fn scm_site(scm_url: Option<&str>, remote_urls: &[&str]) -> Result<ScmSite> {
    if let Some(configured) = scm_url {
        let url = Url::parse(configured)
            .filter(|u| u.scheme == "https" || u.scheme == "http")
            .ok_or_else(|| SiteAddress::NotHttp {
                value: redact(configured),
            })?;
        if url.scheme == "http" && !is_loopback(&url.host()) {
            return Err(SiteAddress::PlainHttp {
                value: redact(configured),
            }
            .into());
        }
        // Credentials go in headers, never in the request URL; nor does a query string,
        // which the API paths would follow.
        let path = url.path.split('?').next().unwrap_or_default();
        let base = format!("{}/{path}", url.origin())
            .trim_end_matches('/')
            .to_string();
        return Ok(ScmSite {
            base,
            credential: url,
        });
    }
    for text in remote_urls {
        let Some(url) = Url::parse(text) else {
            continue;
        };
        if (url.scheme == "https" || url.scheme == "http") && is_scm_host(&url.host()) {
            return Ok(ScmSite {
                base: url.origin(),
                credential: url,
            });
        }
    }
    Err(SiteAddress::Unknown {
        urls: remote_urls.iter().map(|u| redact(u)).collect(),
    }
    .into())
}

/// Decodes `%XX` escapes; anything else, including a malformed escape, is kept as is.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// What a path segment keeps unencoded: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment (everything but RFC 3986's unreserved characters).
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// Percent-encodes a `/`-separated path, segment by segment.
pub fn encode_path(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_information_with_characters_no_url_holds_is_masked() {
        for odd in ["\"", " ", "`", "<", ">", "' ;"] {
            let text = format!(
                "('p1 @ https://user:ab{odd}SECRETcanary@files.example.com/p1.whl' is gone)"
            );
            let shown = redact_urls_in(&text);
            assert!(!shown.contains("SECRETcanary"), "{odd:?}: {shown}");
            assert!(
                shown.contains("files.example.com/p1.whl"),
                "{odd:?}: {shown}"
            );
        }
    }

    fn base(url: &str) -> String {
        scm_site(None, &[url]).map(|s| s.base).unwrap_or_default()
    }

    #[test]
    fn scm_base_from_real_world_remote_urls() {
        let want = "https://mysite.scm.azurewebsites.net";
        assert_eq!(
            base("https://mysite.scm.azurewebsites.net/mysite.git"),
            want
        );
        assert_eq!(
            base("https://mysite.scm.azurewebsites.net:443/mysite.git"),
            "https://mysite.scm.azurewebsites.net:443"
        );
        assert_eq!(
            base("https://$mysite@mysite.scm.azurewebsites.net:443/mysite.git"),
            "https://mysite.scm.azurewebsites.net:443"
        );
        assert_eq!(
            base("https://deployer@mysite.scm.azurewebsites.net/mysite"),
            want
        );
        assert_eq!(base("https://MySite.SCM.AzureWebsites.net/MySite.git"), {
            "https://MySite.SCM.AzureWebsites.net"
        });
        // Deployment slots, unique default host names, sovereign clouds, ASE.
        assert_eq!(
            base("https://mysite-staging.scm.azurewebsites.net/mysite.git"),
            "https://mysite-staging.scm.azurewebsites.net"
        );
        assert_eq!(
            base("https://mysite-a1b2c3.westeurope-01.scm.azurewebsites.net/mysite.git"),
            "https://mysite-a1b2c3.westeurope-01.scm.azurewebsites.net"
        );
        assert_eq!(
            base("https://mysite.scm.chinacloudsites.cn/mysite.git"),
            "https://mysite.scm.chinacloudsites.cn"
        );
        assert_eq!(
            base("https://mysite.scm.myase.appserviceenvironment.net/mysite.git"),
            "https://mysite.scm.myase.appserviceenvironment.net"
        );
        // The password never reaches the base URL.
        assert_eq!(
            base("https://u:secret@mysite.scm.azurewebsites.net/mysite.git"),
            want
        );
    }

    #[test]
    fn not_an_scm_remote() {
        for url in [
            "git@github.com:me/app.git",
            "https://github.com/me/app.git",
            "/srv/git/app.git",
            "ssh://git@mysite.scm.azurewebsites.net/mysite.git",
            "https://scm.example.com/app.git",
        ] {
            let e = scm_site(None, &[url]).expect_err(url);
            assert!(e.to_string().contains("envguard.scmUrl"), "{e}");
        }
        let e = scm_site(None, &["https://u:hunter2@example.com/a.git"]).expect_err("x");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn configured_scm_url_wins() {
        let site = scm_site(
            Some("https://deploy.example.com/"),
            &["https://mysite.scm.azurewebsites.net/mysite.git"],
        )
        .expect("site");
        assert_eq!(site.base, "https://deploy.example.com");
        assert_eq!(site.credential.host(), "deploy.example.com");
        let site = scm_site(Some("http://127.0.0.1:8080/kudu/"), &[]).expect("site");
        assert_eq!(site.base, "http://127.0.0.1:8080/kudu");
        let site = scm_site(Some("https://me:pw@x.example/"), &[]).expect("site");
        assert_eq!(site.base, "https://x.example");
        let site = scm_site(Some("https://x.example/kudu?code=abc"), &[]).expect("site");
        assert_eq!(site.base, "https://x.example/kudu");
        assert!(scm_site(Some("ftp://x.example"), &[]).is_err());
        assert!(scm_site(Some("x.example"), &[]).is_err());
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            assert!(scm_site(Some(ok), &[]).is_ok(), "{ok}");
        }
        let e = scm_site(Some("http://site.scm.example.net"), &[]).unwrap_err();
        assert!(e.to_string().contains("plain http"), "{e}");
        assert!(scm_site(Some("https://site.scm.example.net"), &[]).is_ok());
    }

    #[test]
    fn urls_inside_text_lose_their_secrets() {
        assert_eq!(
            redact_urls_in("pkg @ git+https://ci:s3cret@host/x.git@v1 ; python_version>'3'"),
            "pkg @ git+https://***@host/x.git@v1 ; python_version>'3'"
        );
        assert_eq!(
            redact_urls_in("-i https://u:p@a/simple --extra-index-url https://tok@b/s"),
            "-i https://***@a/simple --extra-index-url https://***@b/s"
        );
        assert_eq!(
            redact_urls_in("git+ssh://git@github.com/o/r.git"),
            "git+ssh://git@github.com/o/r.git"
        );
        assert_eq!(redact_urls_in("flask==2.0"), "flask==2.0");
    }

    #[test]
    fn user_information_with_any_legal_character_is_masked() {
        for password in [
            "pa'ss",
            "a;b",
            "p%40w",
            "bang!",
            "d$llar",
            "(paren)",
            "a*b+c,d=e",
            "x:y:z",
            "~-._",
            "p@ss",
            "it's;$(x)!",
        ] {
            let url = format!("https://ci:{password}@git.corp/org/tool.git@v1");
            for shown in [
                redact_urls_in(&format!("tool @ git+{url} ; python_version>'3'")),
                redact_urls_in(&format!("'{url}'")),
                redact(&url),
            ] {
                assert!(!shown.contains(password), "{password}: {shown}");
                assert!(shown.contains("git.corp/org/tool.git@v1"), "{shown}");
            }
        }
        assert_eq!(
            redact_urls_in("x https://it's;s3cret@h/p y"),
            "x https://***@h/p y"
        );
        assert_eq!(
            redact_urls_in("('https://h/x.whl?sig=it's' is gone)"),
            "('https://h/x.whl?sig=***' is gone)"
        );
    }

    #[test]
    fn query_values_and_fragments_are_masked_names_kept() {
        assert_eq!(
            redact_urls_in(
                "https://acct.blob.core.windows.net/c/pkg.whl?sv=2024-01-01&se=2030&sig=Ab%2Bc%3D"
            ),
            "https://acct.blob.core.windows.net/c/pkg.whl?sv=***&se=***&sig=***"
        );
        assert_eq!(
            redact_urls_in(
                "b https://bkt.s3.amazonaws.com/p/x.tar.gz?X-Amz-Credential=AK%2F1&X-Amz-Signature=f00 e"
            ),
            "b https://bkt.s3.amazonaws.com/p/x.tar.gz?X-Amz-Credential=***&X-Amz-Signature=*** e"
        );
        assert_eq!(
            redact_urls_in("git+https://h/org/tool.git@v1#egg=tool&subdirectory=s"),
            "git+https://h/org/tool.git@v1#egg=tool&subdirectory=***"
        );
        assert_eq!(
            redact_urls_in("https://h/x?tok'en&a="),
            "https://h/x?***&a=***"
        );
        // Masked once, a URL keeps the sentence around it when the line is scrubbed again.
        let once = format!("origin ({}), mode warn", redact("https://h/x?sig=abc"));
        assert_eq!(
            redact_urls_in(&once),
            "origin (https://h/x?sig=***), mode warn"
        );
        assert_eq!(
            redact_urls_in("DELETE https://s/api/vfs/env/?recursive=true"),
            "DELETE https://s/api/vfs/env/?recursive=true"
        );
        // Followed by a colon in running text, as an error says it; a secret so followed
        // is masked all the same.
        assert_eq!(
            redact_urls_in("https://s/api/vfs/env/?recursive=true: forbidden"),
            "https://s/api/vfs/env/?recursive=true: forbidden"
        );
        assert_eq!(
            redact_urls_in("('git+https://h/x.git@main#egg=x') stays"),
            "('git+https://h/x.git@main#egg=x') stays"
        );
        assert_eq!(
            redact_urls_in("https://s/x?sig=abc: forbidden"),
            "https://s/x?sig=*** forbidden"
        );
        assert_eq!(
            redact("https://u:p@h/x?token=abc"),
            "https://***@h/x?token=***"
        );
        assert_eq!(
            without_password("https://u:p@h/x?id=42"),
            "https://***@h/x?id=42"
        );
        assert_eq!(
            unredact(
                "https://h/x?token=***",
                &["https://h/x?token=abc".to_string()]
            )
            .as_deref(),
            Some("https://h/x?token=abc")
        );
    }

    #[test]
    fn a_saved_url_is_found_again_among_the_known_ones() {
        let known = [
            "/srv/app.git".to_string(),
            "https://$site@h/site.git".to_string(),
        ];
        assert_eq!(
            unredact("https://***@h/site.git", &known).as_deref(),
            Some("https://$site@h/site.git")
        );
        assert_eq!(unredact("https://***@other/site.git", &known), None);
        assert_eq!(unredact("azure", &[]).as_deref(), Some("azure"));
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact("https://me:secret@h.example:443/a.git"),
            "https://***@h.example:443/a.git"
        );
        assert_eq!(redact("https://me@h.example/a"), "https://***@h.example/a");
        assert_eq!(redact("/srv/app.git"), "/srv/app.git");
        let u = Url::parse("https://me:secret@h.example/a").expect("url");
        assert!(!format!("{u:?}").contains("secret"));
        assert_eq!(u.password(), Some("secret"));
        let u = Url::parse("http://[::1]:8080/x").expect("url");
        assert_eq!(u.host(), "::1");
        assert_eq!(u.authority, "[::1]:8080");
    }

    #[test]
    fn path_encoding() {
        assert_eq!(encode_path("site/wwwroot/my env"), "site/wwwroot/my%20env");
        assert_eq!(encode_path("/a//b/"), "a/b");
        assert_eq!(encode_segment("ä?#"), "%C3%A4%3F%23");
    }
}
