//! Remote URLs: the parts envguard needs (scheme, user, host, path), the Kudu SCM site a
//! deploy remote belongs to, and redaction, so that no password in a URL is ever printed.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{Error, Result};

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

    /// The URL with its user name but never its password.
    pub fn redacted(&self) -> String {
        let user = match (&self.user, self.has_password) {
            (Some(u), true) => format!("{u}:***@"),
            (Some(u), false) => format!("{u}@"),
            (None, true) => "***@".to_string(),
            (None, false) => String::new(),
        };
        let path = if self.path.is_empty() {
            String::new()
        } else {
            format!("/{}", self.path)
        };
        format!("{}://{user}{}{path}", self.scheme, self.authority)
    }
}

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Url({})", self.redacted())
    }
}

/// A remote URL or path for messages: any password in it is replaced by `***`.
pub fn redact(text: &str) -> String {
    match Url::parse(text) {
        Some(url) => url.redacted(),
        None => text.to_string(),
    }
}

/// The URL among `given` whose redacted form is `saved` (a URL saved without its password),
/// or `saved` itself when it lost nothing.
pub fn unredact(saved: &str, given: &[String]) -> Option<String> {
    if Url::parse(saved).is_none_or(|u| !u.has_password) {
        return Some(saved.to_string());
    }
    given.iter().find(|g| redact(g) == saved).cloned()
}

/// `text` with the user information of every URL in it masked: `user:***@` where a password
/// follows the user name, `***@` for a lone token (`https://<token>@host`); `git@` stays.
pub fn redact_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '\'' | '"'))
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(user_end) => {
                let userinfo = &authority[..user_end];
                match userinfo.split_once(':') {
                    Some((user, _)) => out.push_str(&format!("{user}:***")),
                    None if userinfo == "git" => out.push_str(userinfo),
                    None => out.push_str("***"),
                }
                out.push_str(&authority[user_end..]);
            }
            None => out.push_str(authority),
        }
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
            .ok_or_else(|| {
                Error::msg(format!(
                    "envguard.scmUrl = '{}' is not an http(s) URL; set it like \
                     `git config envguard.scmUrl https://<site>.scm.azurewebsites.net`",
                    redact(configured)
                ))
            })?;
        if url.scheme == "http" && !is_loopback(&url.host()) {
            return Err(Error::msg(format!(
                "envguard.scmUrl = '{}' is plain http: the deployment password would cross \
                 the network in clear. Use https (plain http is only for a loopback address)",
                redact(configured)
            )));
        }
        // Credentials go in headers, never in the request URL.
        let base = format!("{}/{}", url.origin(), url.path)
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
    let shown: Vec<String> = remote_urls.iter().map(|u| redact(u)).collect();
    Err(Error::msg(format!(
        "cannot tell the site's SCM address from the remote URL ({}): it is not \
         https://<site>.scm.azurewebsites.net/...; set it with \
         `git config envguard.scmUrl https://<site>.scm.<domain>`",
        shown.join(", ")
    )))
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
            "pkg @ git+https://ci:***@host/x.git@v1 ; python_version>'3'"
        );
        assert_eq!(
            redact_urls_in("-i https://u:p@a/simple --extra-index-url https://tok@b/s"),
            "-i https://u:***@a/simple --extra-index-url https://***@b/s"
        );
        assert_eq!(
            redact_urls_in("git+ssh://git@github.com/o/r.git"),
            "git+ssh://git@github.com/o/r.git"
        );
        assert_eq!(redact_urls_in("flask==2.0"), "flask==2.0");
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact("https://me:secret@h.example:443/a.git"),
            "https://me:***@h.example:443/a.git"
        );
        assert_eq!(redact("https://me@h.example/a"), "https://me@h.example/a");
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
