//! Failures of talking to a deployment site's API (Kudu's REST API), by what was being done:
//! finding the site's address, getting the deployment credentials from git, and the requests.
//! Each says what to do; none holds a secret (URLs are given masked, credentials never).

/// Why the site's API address cannot be taken from `envguard.scmUrl` or the remote's URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteAddress {
    /// `envguard.scmUrl` is no http(s) URL.
    #[error(
        "envguard.scmUrl = '{value}' is not an http(s) URL; set it like \
         `git config envguard.scmUrl https://<site>.scm.azurewebsites.net`"
    )]
    NotHttp { value: String },
    /// `envguard.scmUrl` is plain http to another machine.
    #[error(
        "envguard.scmUrl = '{value}' is plain http: the deployment password would cross the \
         network in clear. Use https (plain http is only for a loopback address)"
    )]
    PlainHttp { value: String },
    /// No remote URL is an App Service SCM address.
    #[error(
        "cannot tell the site's SCM address from the remote URL ({}): it is not \
         https://<site>.scm.azurewebsites.net/...; set it with \
         `git config envguard.scmUrl https://<site>.scm.<domain>`",
        .urls.join(", ")
    )]
    Unknown { urls: Vec<String> },
}

/// Why git's credential helpers gave no user name and password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialGap {
    /// `git credential fill` failed; its last line.
    #[error("`git credential fill` failed ({0})")]
    Failed(String),
    /// It answered without both.
    #[error("`git credential fill` gave no user name and password")]
    NoAnswer,
}

/// How to store the site's deployment credentials so git and envguard find them: the exact
/// commands for the URL envguard asks for (`site`: scheme and authority, no user), and where
/// the credentials come from.
pub struct StoreCredentials<'a> {
    pub site: &'a str,
    pub helpers: &'a [String],
    /// The stored ones were refused: forget them first.
    pub refused: bool,
    /// The password is written in the URL, which `git credential` hands back as it is.
    pub in_url: bool,
}

impl std::fmt::Display for StoreCredentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.in_url {
            return write!(
                f,
                "The password is written in the URL envguard uses (envguard.scmUrl or the \
                 remote's URL), and git hands it back as it is: take it out of the URL, then \
                 store the site's deployment credentials with: printf '%s\\n' 'url={}' | git \
                 credential fill | git credential approve",
                self.site
            );
        }
        // `%s`, so that a `%` in the address is no format.
        let request = format!("printf '%s\\n' 'url={}'", self.site);
        let store = format!("{request} | git credential fill | git credential approve");
        let reject = if self.refused {
            format!("{request} | git credential reject; ")
        } else {
            String::new()
        };
        if self.helpers.is_empty() {
            write!(
                f,
                "No credential helper is configured, so git keeps no password. Store the site's \
                 deployment credentials (Azure portal: the app's Deployment Center, \"Local Git/FTPS \
                 credentials\") with: git config --global credential.helper store; {store}"
            )
        } else {
            write!(
                f,
                "They come from the credential helper {}: store the site's deployment credentials \
                 (Azure portal: the app's Deployment Center, \"Local Git/FTPS credentials\") \
                 there with: {reject}{store}",
                self.helpers
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// Why `platform detect` recognised nothing (nothing is recorded then).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unrecognised {
    /// The site's API gave no Kudu file listing.
    #[error(
        "the site's API gave no Kudu file listing (an HTML page, a 404, or no JSON), so \
         envguard cannot tell which platform it runs; nothing was recorded. Set it with `git \
         config envguard.platform <kudu-windows|kudu-linux|oryx|...>`"
    )]
    NoListing,
}

/// A failure talking to the site.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// No deployment credentials from git.
    #[error(
        "no credentials for {site}: {gap}. {}",
        StoreCredentials { site, helpers, refused: false, in_url: false }
    )]
    NoCredentials {
        site: String,
        gap: CredentialGap,
        helpers: Vec<String>,
    },
    /// HTTP 401: the stored credentials are wrong.
    #[error(
        "{url}: the site refused the credentials for user '{user}' (HTTP 401){}. {}",
        shown_detail(.detail),
        StoreCredentials { site, helpers, refused: true, in_url: *in_url }
    )]
    Unauthorized {
        url: String,
        site: String,
        user: String,
        detail: String,
        helpers: Vec<String>,
        in_url: bool,
    },
    /// HTTP 403: the user may not use the API, or basic authentication is off.
    #[error(
        "{url}: forbidden (HTTP 403){}: the user '{user}' may not use the site's API, or basic \
         authentication is switched off for the SCM site (App Service setting \"SCM Basic Auth \
         Publishing Credentials\")",
        shown_detail(.detail)
    )]
    Forbidden {
        url: String,
        user: String,
        detail: String,
    },
    /// Any other error status.
    #[error("{url}: HTTP {status}{}", shown_detail(.detail))]
    Status {
        url: String,
        status: u16,
        detail: String,
    },
    /// A request that changes the site got no answer in time.
    #[error(
        "{url}: no answer within {seconds} s; the site may still be deleting env: run \
         `envguard wipe --remote` again to finish, or raise envguard.remoteTimeout"
    )]
    TimedOutActing { url: String, seconds: u64 },
    /// A question got no answer in time: nothing changed.
    #[error(
        "{url}: no answer within {seconds} s, so nothing was learnt and nothing changed on the \
         site; is it running (a stopped site or a cold start answers late)? Try again later"
    )]
    TimedOutAsking { url: String, seconds: u64 },
    /// The host name does not resolve.
    #[error("{url}: host not found; check the remote URL or envguard.scmUrl")]
    HostNotFound { url: String },
    /// The HTTP client failed otherwise.
    #[error("{url}: {source}")]
    Transport {
        url: String,
        #[source]
        source: ureq::Error,
    },
    /// Transient failures used up the tries.
    #[error(
        "{what}: {last} (tried {attempts} times{})",
        if *.checking { ", checking in between" } else { "" }
    )]
    GaveUp {
        what: String,
        last: String,
        attempts: u32,
        checking: bool,
    },
    /// The env folder to delete is not inside the app folder.
    #[error(
        "refusing to delete '{folder}' on the site: the env folder must be a folder inside the \
         app folder (envguard.envDir, envguard.sitePath)"
    )]
    FolderOutsideApp { folder: String },
    /// 404 for the env and an error for its parent: no Kudu site there.
    #[error(
        "{base} answered 404 for {folder} and {status} for {parent}: is this a Kudu site, and \
         are envguard.scmUrl and envguard.sitePath right?"
    )]
    NoSuchSite {
        base: String,
        folder: String,
        parent: String,
        status: u16,
    },
    /// Both ways of deleting left the folder in place.
    #[error(
        "{base} refused to delete {folder} (VFS API: HTTP {vfs_status}; the console: {}); a \
         running process may hold files in it: stop the site and try again",
        .console.as_deref().unwrap_or("no error, but the folder is still there")
    )]
    DeleteRefused {
        base: String,
        folder: String,
        vfs_status: u16,
        console: Option<String>,
    },
    /// The site has no settings API.
    #[error("the site {base} has no settings API, so envguard cannot tell which branch it deploys")]
    NoSettings { base: String },
    /// The settings are no JSON.
    #[error(
        "the site's settings ({base}api/settings) are no JSON ({source}), so envguard cannot \
         tell which branch it deploys"
    )]
    SettingsNotJson {
        base: String,
        #[source]
        source: serde_json::Error,
    },
    /// The site's answers fit no platform envguard knows.
    #[error("{0}")]
    Unrecognised(#[from] Unrecognised),
    /// `git credential` itself failed.
    #[error("`git credential {action}` failed: {reason}")]
    CredentialHelper {
        action: &'static str,
        reason: String,
    },
}

/// ` (first line of the reply)`, or nothing.
fn shown_detail(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}
