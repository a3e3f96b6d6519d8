//! The calls of Kudu's REST API that delete a directory on the site: the VFS API
//! (`DELETE /api/vfs/<path>/?recursive=true`) and, where the VFS call is refused, the command
//! API (`POST /api/command` with `rmdir /s /q` on Windows, `rm -rf` on Linux). Blocking HTTP with retries and backoff for
//! transient failures, and one plain message per failure the user can act on.

use super::credential::{Credential, helpers};
use super::retry::{Failure, RetryPolicy};
use crate::error::site::SiteError;
use crate::output::WipeRequests;
use crate::output::secret::ShownRequest;
use crate::paths::{climbs_out, is_relative_inside};
use crate::platform::Platform;
use crate::url::encode_path;
use crate::{Error, Result};

pub use crate::output::Wiped;

/// One site and one env folder to delete on it.
pub struct EnvOnSite<'a> {
    /// The API base, `https://<site>.scm.azurewebsites.net`.
    pub base: &'a str,
    /// The folder, relative to the site's home: `site/wwwroot/env`.
    pub folder: &'a str,
    /// The site's platform (the command API runs `cmd` on Windows, `bash` on Linux).
    pub platform: Platform,
}

impl EnvOnSite<'_> {
    fn vfs_url(&self, path: &str) -> String {
        format!("{}/api/vfs/{}/", self.base, encode_path(path))
    }

    /// The folder holding the env folder, and the env folder's name.
    fn parent_and_name(&self) -> (&str, &str) {
        self.folder.rsplit_once('/').unwrap_or(("", self.folder))
    }

    /// The VFS delete of the env folder.
    pub fn delete_url(&self) -> String {
        format!("{}?recursive=true", self.vfs_url(self.folder))
    }

    pub fn command_url(&self) -> String {
        format!("{}/api/command", self.base)
    }

    /// The command API's request body: the platform's delete command run in the folder
    /// holding the env (`dir` as Kudu's console writes it on that platform).
    pub fn command_body(&self) -> String {
        let (parent, name) = self.parent_and_name();
        let dir = if self.platform.is_windows() {
            parent.replace('/', "\\")
        } else {
            parent.to_string()
        };
        serde_json::json!({
            "command": self.platform.delete_command(name),
            "dir": dir,
        })
        .to_string()
    }

    /// The requests a wipe sends, for `--dry-run`.
    pub fn describe(&self) -> WipeRequests {
        WipeRequests {
            delete: self.delete_url(),
            command: self.command_url(),
            body: self.command_body(),
            check: self.vfs_url(self.folder),
        }
    }
}

struct Answer {
    status: u16,
    body: String,
}

/// A blocking client for one site's API with the user's credentials.
pub struct Client<'a> {
    agent: ureq::Agent,
    credential: &'a Credential,
    retry: RetryPolicy,
}

impl<'a> Client<'a> {
    pub fn new(credential: &'a Credential, retry: RetryPolicy) -> Client<'a> {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(retry.timeout))
            // A redirect would carry the request elsewhere; the API never redirects.
            .max_redirects(0)
            .user_agent(concat!("envguard/", env!("CARGO_PKG_VERSION")))
            // The certificates the system trusts, as git's own https does: a company's TLS
            // proxy whose root is installed there is trusted too.
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .build();
        Client {
            agent: config.into(),
            credential,
            retry,
        }
    }

    /// Deletes the env folder: the VFS API first, the command API where VFS refuses.
    pub fn wipe(&self, site: &EnvOnSite) -> Result<Wiped> {
        let (parent, name) = site.parent_and_name();
        if !is_relative_inside(name) || climbs_out(parent) || climbs_out(site.folder) {
            return Err(SiteError::FolderOutsideApp {
                folder: site.folder.to_string(),
            }
            .into());
        }
        let answer = self.delete_polling_first(site)?;
        match answer.status {
            200..=299 => Ok(Wiped::Vfs),
            404 => {
                // Either env is not there, or the site path (or the whole API) is wrong.
                let parent_url = site.vfs_url(parent);
                let check = self.with_retries("GET", &parent_url, None)?;
                if (200..300).contains(&check.status) {
                    Ok(Wiped::Absent)
                } else {
                    Err(SiteError::NoSuchSite {
                        base: site.base.to_string(),
                        folder: site.folder.to_string(),
                        parent: parent.to_string(),
                        status: check.status,
                    }
                    .into())
                }
            }
            405 | 409 | 412 | 423 => {
                log::debug!(
                    "the VFS API refused the delete ({}): {}",
                    answer.status,
                    answer.body
                );
                self.wipe_by_command(site, answer.status)
            }
            status => Err(self.status_error(status, &site.delete_url(), &answer.body)),
        }
    }

    /// The VFS delete, tried again after a transient failure only once a GET shows the
    /// folder is still there: App Service's front end answers 5xx after ~230 s while the
    /// delete may still be running, and a second delete would race the first.
    fn delete_polling_first(&self, site: &EnvOnSite) -> Result<Answer> {
        let delete_url = site.delete_url();
        let attempts = self.retry.attempts.max(1);
        let mut pause = self.retry.backoff;
        let mut last = String::new();
        for attempt in 1..=attempts {
            match self.once("DELETE", &delete_url, None) {
                Ok(answer) => return Ok(answer),
                Err(Failure::Fatal(error)) => return Err(crate::Error::Site(error)),
                Err(Failure::Transient(message)) => {
                    log::debug!("DELETE {delete_url}: {message} (try {attempt} of {attempts})");
                    last = message;
                }
            }
            std::thread::sleep(pause);
            pause = pause.saturating_mul(2);
            let check = self.with_retries("GET", &site.vfs_url(site.folder), None)?;
            if check.status == 404 {
                // The interrupted delete finished on the site.
                return Ok(Answer {
                    status: 200,
                    body: String::new(),
                });
            }
        }
        Err(SiteError::GaveUp {
            what: format!("DELETE {delete_url}"),
            last,
            attempts,
            checking: true,
        }
        .into())
    }

    /// `POST <base>/api/command`: runs `command` in `dir` (relative to the site's home) and
    /// returns its exit code and output (stdout, then stderr).
    pub fn command(&self, base: &str, command: &str, dir: &str) -> Result<(i64, String)> {
        let url = format!("{base}/api/command");
        let body = serde_json::json!({"command": command, "dir": dir}).to_string();
        let answer = self.with_retries("POST", &url, Some(&body))?;
        if !(200..300).contains(&answer.status) {
            return Err(self.status_error(answer.status, &url, &answer.body));
        }
        let reply: serde_json::Value = serde_json::from_str(&answer.body).unwrap_or_default();
        let text = |key: &str| {
            reply
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let code = reply
            .get("ExitCode")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(-1);
        Ok((code, format!("{}{}", text("Output"), text("Error"))))
    }

    /// `GET <base>/<path>`: the body, or `None` for 404. Other statuses are errors.
    pub fn get(&self, base: &str, path: &str) -> Result<Option<String>> {
        let url = format!("{base}/{path}");
        let answer = self.with_retries("GET", &url, None)?;
        match answer.status {
            200..=299 => Ok(Some(answer.body)),
            404 => Ok(None),
            status => Err(self.status_error(status, &url, &answer.body)),
        }
    }

    fn wipe_by_command(&self, site: &EnvOnSite, vfs_status: u16) -> Result<Wiped> {
        // A folder that is not there needs no command, and is not said to be deleted.
        let check_url = site.vfs_url(site.folder);
        if self.with_retries("GET", &check_url, None)?.status == 404 {
            return Ok(Wiped::Absent);
        }
        let url = site.command_url();
        let answer = self.with_retries("POST", &url, Some(&site.command_body()))?;
        if !(200..300).contains(&answer.status) {
            return Err(self.status_error(answer.status, &url, &answer.body));
        }
        let reply: serde_json::Value = serde_json::from_str(&answer.body).unwrap_or_default();
        let mut error_text = reply
            .get("Error")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .trim()
            .to_string();
        if error_text.to_ascii_lowercase().contains("timed out")
            || error_text.to_ascii_lowercase().contains("idle")
        {
            error_text.push_str(
                " (the command API aborts a command that prints nothing and uses no CPU for \
                 SCM_COMMAND_IDLE_TIMEOUT seconds, 60 by default: raise that app setting)",
            );
        }
        // Whether env is gone is what counts.
        let check = self.with_retries("GET", &check_url, None)?;
        match check.status {
            404 => Ok(Wiped::Command),
            200..=299 => Err(SiteError::DeleteRefused {
                base: site.base.to_string(),
                folder: site.folder.to_string(),
                vfs_status,
                console: Some(error_text).filter(|t| !t.is_empty()),
            }
            .into()),
            status => Err(self.status_error(status, &check_url, &check.body)),
        }
    }

    fn status_error(&self, status: u16, url: &str, body: &str) -> Error {
        let body = self.scrub(body);
        let detail = body.trim().lines().next().unwrap_or("").trim();
        let detail = truncate(detail, 200);
        let url = url.to_string();
        let user = self.credential.username.clone();
        match status {
            401 => SiteError::Unauthorized {
                url,
                site: self.credential.site.clone(),
                user,
                detail,
                helpers: helpers(),
                in_url: self.credential.in_url,
            },
            403 => SiteError::Forbidden { url, user, detail },
            _ => SiteError::Status {
                url,
                status,
                detail,
            },
        }
        .into()
    }

    /// A server's text with the password, should it echo it, blanked out.
    fn scrub(&self, text: &str) -> String {
        if self.credential.leaks_into(text) {
            "(a reply that repeats the credentials; not shown)".to_string()
        } else {
            text.to_string()
        }
    }

    fn with_retries(&self, method: &str, url: &str, body: Option<&str>) -> Result<Answer> {
        self.retry
            .run(&format!("{method} {url}"), || self.once(method, url, body))
    }

    fn once(&self, method: &str, url: &str, body: Option<&str>) -> Result<Answer, Failure> {
        let auth = self.credential.basic_auth();
        let extra: &[(&str, &str)] = match method {
            "DELETE" => &[("If-Match", "*")],
            "POST" => &[("Content-Type", "application/json")],
            _ => &[],
        };
        let mut headers = vec![("Authorization", auth.as_str())];
        headers.extend_from_slice(extra);
        // The request line envguard logs; the HTTP client's own log never reaches the
        // output (see `cli::init_logging`).
        log::debug!(
            "{}",
            ShownRequest {
                method,
                url,
                headers: &headers,
            }
        );
        let result = match method {
            "DELETE" => headers
                .iter()
                .fold(self.agent.delete(url), |r, (k, v)| r.header(*k, *v))
                .call(),
            "POST" => headers
                .iter()
                .fold(self.agent.post(url), |r, (k, v)| r.header(*k, *v))
                .send(body.unwrap_or("")),
            _ => headers
                .iter()
                .fold(self.agent.get(url), |r, (k, v)| r.header(*k, *v))
                .call(),
        };
        let mut response = result.map_err(|e| self.classify(method, url, e))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_string()
            .unwrap_or_default();
        if status == 429 || (500..600).contains(&status) {
            return Err(Failure::Transient(format!(
                "HTTP {status} {}",
                truncate(self.scrub(&body).trim(), 200)
            )));
        }
        Ok(Answer { status, body })
    }

    fn classify(&self, method: &str, url: &str, error: ureq::Error) -> Failure {
        match error {
            // Only a request that deletes may still be at work on the site; a question that
            // got no answer changed nothing there.
            ureq::Error::Timeout(_) if method != "GET" => {
                Failure::Fatal(Box::new(SiteError::TimedOutActing {
                    url: url.to_string(),
                    seconds: self.retry.timeout.as_secs(),
                }))
            }
            ureq::Error::Timeout(_) => Failure::Fatal(Box::new(SiteError::TimedOutAsking {
                url: url.to_string(),
                seconds: self.retry.timeout.as_secs(),
            })),
            ureq::Error::HostNotFound => Failure::Fatal(Box::new(SiteError::HostNotFound {
                url: url.to_string(),
            })),
            ureq::Error::ConnectionFailed | ureq::Error::Io(_) => {
                Failure::Transient(format!("cannot reach the site ({error})"))
            }
            source => Failure::Fatal(Box::new(SiteError::Transport {
                url: url.to_string(),
                source,
            })),
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_of_a_wipe() {
        let site = EnvOnSite {
            base: "https://s.scm.azurewebsites.net",
            folder: "site/wwwroot/env",
            platform: Platform::KuduWindows,
        };
        assert_eq!(
            site.delete_url(),
            "https://s.scm.azurewebsites.net/api/vfs/site/wwwroot/env/?recursive=true"
        );
        let body: serde_json::Value = serde_json::from_str(&site.command_body()).expect("json");
        assert_eq!(body["command"], "rmdir /s /q \"env\"");
        assert_eq!(body["dir"], "site\\wwwroot");
        assert_eq!(site.describe().delete, site.delete_url());
        let linux = EnvOnSite {
            folder: "site/wwwroot/antenv",
            platform: Platform::KuduLinux,
            ..site
        };
        let body: serde_json::Value = serde_json::from_str(&linux.command_body()).expect("json");
        assert_eq!(body["command"], "rm -rf -- \"antenv\"");
        assert_eq!(body["dir"], "site/wwwroot");
    }
}
