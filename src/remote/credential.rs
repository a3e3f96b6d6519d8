//! Credentials the way git gets them: `git credential fill` for the site's URL, so the
//! user's configured helper (the one `git push` uses) answers. A password is kept in memory
//! only, sent only in an `Authorization` header, and never printed.

use std::process::Stdio;

use crate::error::site::{CredentialGap, SiteError};
use crate::gitcli::{GitEnv, git_in, run_with_input};
use crate::url::{Url, percent_decode};
use crate::{Error, Result};

/// A user name and password from `git credential fill`.
pub struct Credential {
    pub username: String,
    password: String,
    /// What was asked, to hand back to `git credential approve`.
    request: String,
    /// The site's scheme and authority, without user: what to store credentials for.
    pub site: String,
    /// The password came from the URL itself.
    pub in_url: bool,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// The value of an HTTP basic `Authorization` header.
    pub fn basic_auth(&self) -> String {
        use base64::Engine;
        let pair = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    /// Whether a text contains the password (for scrubbing what a server echoes back).
    pub fn leaks_into(&self, text: &str) -> bool {
        !self.password.is_empty() && text.contains(&self.password)
    }

    /// Tells the helpers the credentials worked, so a caching helper keeps them (what git
    /// does after a successful request). Failures are ignored, as git ignores them.
    pub fn approve(&self) {
        let text = format!(
            "{}username={}\npassword={}\n\n",
            self.request, self.username, self.password
        );
        let _ = run_credential("approve", &text, true);
    }
}

/// The `git credential` request for a URL: protocol, host (with the port as written, as git
/// asks for it on push), path, and the user name when the URL names one.
fn request_for(url: &Url) -> String {
    let mut text = format!("protocol={}\nhost={}\n", url.scheme, url.authority);
    if !url.path.is_empty() {
        text.push_str(&format!("path={}\n", url.path));
    }
    if let Some(user) = &url.user {
        text.push_str(&format!("username={}\n", percent_decode(user)));
    }
    // A password in the URL is used as is, as git does.
    if let Some(password) = url.password() {
        text.push_str(&format!("password={}\n", percent_decode(password)));
    }
    text
}

/// Asks git's credential helpers (and, like git, the terminal when none answers and
/// prompting is allowed) for the credentials of `url`.
pub fn fill(url: &Url) -> Result<Credential> {
    fill_with(url, false)
}

/// [`fill`] from the helpers only: never a prompt (for what envguard does on its own, like
/// detecting the platform during a push).
pub fn fill_quiet(url: &Url) -> Result<Credential> {
    fill_with(url, true)
}

fn fill_with(url: &Url, quiet: bool) -> Result<Credential> {
    let request = request_for(url);
    let gap = |gap| SiteError::NoCredentials {
        site: url.origin(),
        gap,
        helpers: helpers(),
    };
    let out = run_credential("fill", &format!("{request}\n"), quiet).map_err(|e| match e {
        Error::GitCommand { reason, .. } => gap(CredentialGap::Failed(reason)),
        other => gap(CredentialGap::Failed(other.to_string())),
    })?;
    let mut username = None;
    let mut password = None;
    for line in out.lines() {
        if let Some(v) = line.strip_prefix("username=") {
            username = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("password=") {
            password = Some(v.to_string());
        }
    }
    match (username, password) {
        (Some(username), Some(password)) => Ok({
            crate::output::secret::register_secret(&password);
            let credential = Credential {
                username,
                password,
                request,
                site: url.origin(),
                in_url: url.password().is_some(),
            };
            // The header's value too: it decodes to the password.
            if let Some(encoded) = credential.basic_auth().strip_prefix("Basic ") {
                crate::output::secret::register_secret(encoded);
            }
            credential
        }),
        _ => Err(gap(CredentialGap::NoAnswer).into()),
    }
}

fn run_credential(action: &'static str, input: &str, quiet: bool) -> Result<String> {
    let mut command = git_in(GitEnv::User(None));
    if quiet {
        command
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ASKPASS", "")
            .env("SSH_ASKPASS", "")
            .args(["-c", "credential.interactive=false"]);
    }
    command.args(["credential", action]);
    let out = run_with_input(
        command,
        input.as_bytes(),
        crate::error::Program::GitCredential,
    )?;
    if !out.status.success() {
        return Err(Error::git_command(
            crate::error::GitAsked::Credential { action },
            &out.stderr,
            out.status,
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The configured credential helpers, as `git config` lists them (values only; a helper's
/// command line holds no secret of its own in any sane setup, but only its first word is
/// shown to be safe).
pub fn helpers() -> Vec<String> {
    let Ok(out) = git_in(GitEnv::User(None))
        .args(["config", "--get-regexp", r"^credential\..*helper$"])
        .stderr(Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.split_once(' ').map(|(_, value)| value.trim()))
        .filter(|value| !value.is_empty())
        .map(|value| {
            let first = value.split_whitespace().next().unwrap_or(value);
            first.trim_start_matches('!').to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_names_host_as_written_and_user() {
        let url =
            Url::parse("https://%24site@site.scm.azurewebsites.net:443/site.git").expect("url");
        assert_eq!(
            request_for(&url),
            "protocol=https\nhost=site.scm.azurewebsites.net:443\npath=site.git\nusername=$site\n"
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let c = Credential {
            username: "u".into(),
            password: "hunter2".into(),
            request: String::new(),
            site: String::new(),
            in_url: false,
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(c.basic_auth(), "Basic dTpodW50ZXIy");
        assert!(c.leaks_into("x hunter2 y"));
    }
}
