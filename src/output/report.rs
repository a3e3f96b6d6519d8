//! What a command did, as values with their wording: `envguard wipe` ([`WipeOutcome`]),
//! `envguard deploy-script` ([`ScriptWritten`]), `envguard hook uninstall`
//! ([`Uninstalled`]). Each is one result on stdout.

use std::fmt;
use std::path::PathBuf;

use super::Receive;
use crate::output::hint::Behaviour;
use crate::output::{Line, Stream};
use crate::platform::detect::Evidence;
use crate::platform::{DeployRefs, Platform, PlatformSource};

/// What a wipe did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WipeOutcome {
    /// The env that was deleted, if there was one.
    pub removed: Option<PathBuf>,
    pub files: u64,
    pub bytes: u64,
    /// Trash folders of earlier, interrupted wipes that were deleted.
    pub stale_trash: u64,
    /// Trash that could not be deleted (this wipe's or an earlier one's), with why. It holds
    /// no env any more.
    pub leftovers: Vec<Leftover>,
    /// Part of the env itself could not be deleted after it was moved aside (it is among the
    /// leftovers).
    pub partly: bool,
}

/// A trash folder a wipe could not delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    pub path: PathBuf,
    pub error: crate::error::SharedError,
}

impl WipeOutcome {
    /// What the wipe did, in one line.
    pub fn summary(&self) -> String {
        let mut line = match &self.removed {
            Some(path) => format!(
                "{} {} ({} files, {})",
                if self.partly {
                    "moved out of the deployment's way"
                } else {
                    "deleted"
                },
                path.display(),
                self.files,
                human_bytes(self.bytes)
            ),
            None => "no env to delete".to_string(),
        };
        if self.stale_trash > 0 {
            line.push_str(&format!(
                "; cleaned {} leftover trash folder(s) of an interrupted wipe",
                self.stale_trash
            ));
        }
        line
    }

    /// One message per leftover.
    pub fn leftover_messages(&self) -> impl Iterator<Item = Receive> + '_ {
        self.leftovers.iter().map(|l| Receive::Leftover {
            path: l.path.clone(),
            error: l.error.clone(),
        })
    }
}

/// `envguard wipe`: the summary, then one line per leftover.
impl fmt::Display for WipeOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())?;
        for leftover in self.leftover_messages() {
            write!(f, "\n{leftover}")?;
        }
        Ok(())
    }
}

impl Line for WipeOutcome {
    fn stream(&self) -> Stream {
        Stream::Results
    }
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// What `envguard deploy-script` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptWritten {
    pub script: PathBuf,
    /// The app folder the script deploys (`""`: the repository root).
    pub folder: String,
    pub deployment: PathBuf,
    /// The `.deployment` command that runs the script.
    pub command: &'static str,
}

impl fmt::Display for ScriptWritten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let folder = if self.folder.is_empty() {
            "the repository root"
        } else {
            &self.folder
        };
        write!(
            f,
            "wrote {} (deploys {folder})\nwrote {} (command = {})\ncommit both files; the next \
             deployment runs the script",
            self.script.display(),
            self.deployment.display(),
            self.command
        )
    }
}

impl Line for ScriptWritten {
    fn stream(&self) -> Stream {
        Stream::Results
    }
}

/// What `envguard hook uninstall` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uninstalled {
    /// envguard's hook was removed; `restored`: the hook it had displaced is back.
    Removed { hook: PathBuf, restored: bool },
    /// envguard's hook is not there.
    NotInstalled { hook: PathBuf },
    /// Not there, and `core.hooksPath` is set: it may be where `--use-hooks-path` wrote.
    NotInHooksDir { hook: PathBuf },
}

impl fmt::Display for Uninstalled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uninstalled::Removed { hook, restored } => {
                write!(f, "removed {}", hook.display())?;
                if *restored {
                    write!(f, "\nrestored the previous hook as {}", hook.display())?;
                }
                Ok(())
            }
            Uninstalled::NotInstalled { hook } => {
                write!(f, "envguard's hook is not installed at {}", hook.display())
            }
            Uninstalled::NotInHooksDir { hook } => write!(
                f,
                "envguard's hook is not at {}; core.hooksPath is set: for the hook `install \
                 --use-hooks-path` wrote there, run `envguard hook uninstall --use-hooks-path`",
                hook.display()
            ),
        }
    }
}

impl Line for Uninstalled {
    fn stream(&self) -> Stream {
        Stream::Results
    }
}

/// The deploy branches of a remote and why they are the ones: `envguard.branch`, else the
/// platform's deploy refs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployBranches {
    pub branches: Vec<String>,
    /// Set by `envguard.branch`.
    pub set: bool,
    /// The platform whose deploy refs they are, where settled.
    pub of: Option<Platform>,
    /// The remote's HEAD branch is not known here: `master` is assumed.
    pub head_assumed: bool,
}

impl fmt::Display for DeployBranches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let listed = self.branches.join(" ");
        if self.set {
            return if self.branches.iter().any(|b| b == "master" || b == "main") {
                f.write_str(&listed)
            } else {
                write!(
                    f,
                    "{listed} (envguard.branch replaces the default master, which is not \
                     guarded; add it with `git config --add envguard.branch master`)"
                )
            };
        }
        let Some(platform) = self.of else {
            return f.write_str(&listed);
        };
        match platform.facts().deploy_refs {
            DeployRefs::Every => {
                write!(
                    f,
                    "every branch and tag ({platform} deploys each pushed ref)"
                )
            }
            DeployRefs::DeployBranchElseFirstPushed => write!(
                f,
                "every branch and tag: {platform} deploys its deploy-branch (or a tag of that \
                 name), else the first branch or tag pushed to the app, and neither is visible \
                 from here; name it with `git config envguard.branch NAME` (and pin it on the \
                 server: `dokku git:set APP deploy-branch NAME`)"
            ),
            DeployRefs::Branches(_) => write!(
                f,
                "{listed} ({platform} deploys pushes to these; envguard.branch overrides it)"
            ),
            DeployRefs::RepositoryHead if self.head_assumed => write!(
                f,
                "{listed} (assumed: the remote's HEAD branch, which a self-hosted server deploys, \
                 is not known here; `git remote set-head REMOTE --auto` reads it, envguard.branch \
                 overrides it)"
            ),
            DeployRefs::RepositoryHead => write!(
                f,
                "{listed} (the repository's default branch, which a self-hosted server deploys; \
                 envguard.branch overrides it)"
            ),
            DeployRefs::DeploymentBranch => write!(
                f,
                "{listed} (the branch the platform deploys; envguard.branch overrides it)"
            ),
        }
    }
}

/// A remote's platform and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformLabel {
    pub platform: Platform,
    pub source: PlatformSource,
}

impl fmt::Display for PlatformLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let platform = self.platform;
        match self.source {
            PlatformSource::Configured => write!(f, "{platform} (envguard.platform)"),
            PlatformSource::AssumedAppService => write!(
                f,
                "{platform} (assumed; `envguard platform detect` asks the site)"
            ),
            PlatformSource::FromUrl => write!(f, "{platform} (from the remote's URL)"),
            PlatformSource::NotAppService => write!(f, "{platform} (not an App Service remote)"),
        }
    }
}

/// `envguard platform`: each deploy remote's platform, mode, what goes stale there and its
/// deploy branches; without a deploy remote, the configured platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformReport {
    Remotes(Vec<RemotePlatform>),
    NoDeployRemote { configured: Option<Platform> },
}

/// One deploy remote in [`PlatformReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePlatform {
    pub name: String,
    pub label: PlatformLabel,
    pub mode: crate::platform::Mode,
    pub branches: DeployBranches,
}

impl fmt::Display for PlatformReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlatformReport::NoDeployRemote { configured } => {
                write!(
                    f,
                    "no deploy remote; envguard.platform = {}",
                    configured.map_or("auto", Platform::name)
                )?;
                if let Some(p) = configured {
                    write!(f, "\n  {p}: {}", Behaviour(*p))?;
                }
                Ok(())
            }
            PlatformReport::Remotes(remotes) => {
                for (i, r) in remotes.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    write!(
                        f,
                        "{}: {}, mode {}\n  {}\n  deploy branches: {}",
                        r.name,
                        r.label,
                        r.mode.name(),
                        Behaviour(r.label.platform),
                        r.branches
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl Line for PlatformReport {
    fn stream(&self) -> Stream {
        Stream::Results
    }
}

/// What a wipe on the site found and did to one folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wiped {
    /// Deleted through the VFS API.
    Vfs,
    /// Deleted through the command API after the VFS API refused.
    Command,
    /// There was no env folder on the site.
    Absent,
}

/// What `envguard wipe --remote` (or the push's remote wipe) did on the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteWipe {
    pub base: String,
    pub platform: Platform,
    /// Each env folder of the platform, relative to the site's home, and what became of it.
    pub folders: Vec<(String, Wiped)>,
}

impl fmt::Display for SiteWipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.folders.is_empty() {
            return write!(
                f,
                "{} builds a fresh env on every deployment; nothing to delete",
                self.platform
            );
        }
        let (absent, deleted): (Vec<_>, Vec<_>) = self
            .folders
            .iter()
            .partition(|(_, wiped)| *wiped == Wiped::Absent);
        let names = |list: &[&(String, Wiped)]| {
            list.iter()
                .map(|(folder, wiped)| match wiped {
                    Wiped::Command => format!("{folder} (through the command API)"),
                    _ => folder.clone(),
                })
                .collect::<Vec<_>>()
                .join(" and ")
        };
        if deleted.is_empty() {
            return write!(
                f,
                "{} does not exist; nothing to delete on {}",
                names(&absent),
                self.base
            );
        }
        write!(f, "deleted {} on {}", names(&deleted), self.base)?;
        if !absent.is_empty() {
            let were = if absent.len() == 1 { "was" } else { "were" };
            write!(f, " ({} {were} not there)", names(&absent))?;
        }
        Ok(())
    }
}

impl Line for SiteWipe {
    fn stream(&self) -> Stream {
        Stream::Results
    }
}

/// What the remote prune uninstalled from the site's env.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePrune {
    pub env: String,
    pub base: String,
    pub removed: Vec<String>,
}

impl fmt::Display for SitePrune {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.removed.is_empty() {
            write!(
                f,
                "{} on {} already holds exactly what the requirements need",
                self.env, self.base
            )
        } else {
            write!(
                f,
                "pruned {} distribution(s) from {} on {}: {}",
                self.removed.len(),
                self.env,
                self.base,
                self.removed.join(", ")
            )
        }
    }
}

/// What `envguard wipe --remote --dry-run` would send, without credentials or network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteWipeDryRun {
    pub base: String,
    pub platform: Platform,
    /// The remote as it may be shown.
    pub remote: String,
    /// The URL whose credentials `git credential fill` would give, as it may be shown.
    pub credential: String,
    /// Each env folder and the requests that would delete it.
    pub folders: Vec<(String, WipeRequests)>,
}

/// The requests a wipe of one env folder sends to the site: the VFS API's delete, and only
/// if that is refused the command API's, then a look whether the folder is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WipeRequests {
    pub delete: String,
    pub command: String,
    /// The command API's request body.
    pub body: String,
    pub check: String,
}

impl fmt::Display for WipeRequests {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DELETE {} (If-Match: *, basic auth)\nonly if the VFS API refuses (409, 412, 405, \
             423): POST {} {}, then GET {} to confirm",
            self.delete, self.command, self.body, self.check
        )
    }
}

impl fmt::Display for SiteWipeDryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.folders.iter().map(|(n, _)| n.as_str()).collect();
        write!(
            f,
            "dry run: would delete {} on {} ({}, remote {}), with credentials from `git \
             credential fill` for {}:",
            names.join(" and "),
            self.base,
            self.platform,
            self.remote,
            self.credential
        )?;
        for (_, requests) in &self.folders {
            for request in requests.to_string().lines() {
                write!(f, "\n  {request}")?;
            }
        }
        Ok(())
    }
}

impl Line for SiteWipeDryRun {
    fn stream(&self) -> Stream {
        Stream::Results
    }
}

/// `envguard wipe --remote`: what it did, or with `--dry-run` what it would send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteWipeReport {
    Done(SiteWipe),
    DryRun(SiteWipeDryRun),
}

impl fmt::Display for RemoteWipeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteWipeReport::Done(done) => done.fmt(f),
            RemoteWipeReport::DryRun(dry) => dry.fmt(f),
        }
    }
}

impl Line for RemoteWipeReport {
    fn stream(&self) -> Stream {
        Stream::Results
    }
}

/// `envguard platform detect`: what the site said and what was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectReport {
    /// The remote asked about, as it may be shown.
    pub remote: String,
    /// It was made a deploy remote (`envguard.remoteName`).
    pub made_deploy_remote: bool,
    pub platform: Platform,
    pub why: Evidence,
    pub mode: crate::platform::Mode,
    /// The site's `DEPLOYMENT_BRANCH`, and the branches set already (left as they are).
    pub branch: Option<String>,
    pub branches_set: Option<Vec<String>>,
    /// The script the site's `COMMAND` runs, recorded.
    pub command_script: Option<String>,
    pub project: SiteProject,
}

/// What became of the site's `PROJECT` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteProject {
    NotSet,
    /// Ignored while `COMMAND` is set, as Kudu does.
    IgnoredForCommand,
    /// Recorded as `envguard.siteProject` (`.`: the root).
    Recorded(String),
    /// No folder inside the repository: nothing recorded.
    Outside(String),
    /// `envguard.appRoot` is set and goes first.
    BehindAppRoot {
        project: String,
        app_root: String,
    },
}

impl fmt::Display for DetectReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.made_deploy_remote {
            writeln!(
                f,
                "recorded: envguard.remoteName = {} (a deploy remote from now on)",
                self.remote
            )?;
        }
        writeln!(f, "{}: {} ({})", self.remote, self.platform, self.why)?;
        writeln!(
            f,
            "recorded: envguard.platform = {} (in this repository's config); mode {}",
            self.platform,
            self.mode.name()
        )?;
        match (&self.branch, &self.branches_set) {
            (Some(branch), None) => write!(
                f,
                "recorded: envguard.branch = {branch} (the site's DEPLOYMENT_BRANCH setting)"
            )?,
            (Some(branch), Some(set)) => write!(
                f,
                "the site deploys {branch} (its DEPLOYMENT_BRANCH setting); envguard.branch is \
                 set already and was left as it is: {}",
                set.join(" ")
            )?,
            (None, _) => f.write_str("the site deploys master (no DEPLOYMENT_BRANCH setting)")?,
        }
        if let Some(script) = &self.command_script {
            write!(
                f,
                "\nrecorded: envguard.siteCommand = {script} (the site's COMMAND setting runs it \
                 instead of .deployment and Kudu's builders)"
            )?;
        }
        match &self.project {
            SiteProject::NotSet => Ok(()),
            SiteProject::IgnoredForCommand => f.write_str(
                "\nthe site's PROJECT setting is ignored while COMMAND is set (as Kudu does)",
            ),
            SiteProject::Recorded(root) => write!(
                f,
                "\nrecorded: envguard.siteProject = {root} (the site's PROJECT setting, over \
                 .deployment's project; a deployment command in .deployment goes first, as on \
                 Kudu)"
            ),
            SiteProject::Outside(project) => write!(
                f,
                "\nwarning: the site's PROJECT setting '{project}' is no folder inside the \
                 repository; nothing was recorded: set envguard.appRoot to the folder it deploys"
            ),
            SiteProject::BehindAppRoot { project, app_root } => write!(
                f,
                "\nthe site's PROJECT setting is {project}; envguard.appRoot is set already and \
                 was left as it is: {app_root}"
            ),
        }
    }
}

impl Line for DetectReport {
    fn stream(&self) -> Stream {
        Stream::Results
    }
}

/// What the deployment log says about the env.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvOutcome {
    /// "Creating ... virtual environment", "Deleting incompatible virtual environment".
    Created,
    /// "Found compatible virtual environment".
    Reused,
    /// The log says neither.
    Unknown,
}

/// One deployment as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentReport {
    pub succeeded: bool,
    pub env: EnvOutcome,
}

/// What the site's deployment API says of each commit a toggle or remote wipe deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployments(pub Vec<(String, Option<DeploymentReport>)>);

impl fmt::Display for Deployments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (commit, report)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match report.as_ref().map(|r| (r.succeeded, r.env)) {
                Some((true, EnvOutcome::Created)) => {
                    write!(
                        f,
                        "deployed {commit}: a new virtual environment was created"
                    )?;
                }
                Some((true, EnvOutcome::Reused)) => write!(
                    f,
                    "warning: deployed {commit}, but the platform reused the old virtual \
                     environment"
                )?,
                Some((true, EnvOutcome::Unknown)) => write!(
                    f,
                    "deployed {commit}; its log does not say whether the env was created anew"
                )?,
                Some((false, _)) => write!(
                    f,
                    "warning: the deployment of {commit} failed on the site; see its log in the \
                     portal (Deployment Center) or at /api/deployments/{commit}/log"
                )?,
                None => write!(f, "warning: the site reports no deployment of {commit}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(2048), "2.0 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 + 1), "5.0 MiB");
    }

    #[test]
    fn deploy_branches_say_why_they_are_the_ones() {
        let branches = |set, of| DeployBranches {
            branches: vec!["release".into()],
            set,
            of,
            head_assumed: false,
        };
        assert_eq!(
            branches(true, None).to_string(),
            "release (envguard.branch replaces the default master, which is not guarded; add \
             it with `git config --add envguard.branch master`)"
        );
        assert_eq!(
            branches(false, Some(Platform::Piku)).to_string(),
            "every branch and tag (piku deploys each pushed ref)"
        );
        assert_eq!(branches(false, None).to_string(), "release");
    }
}
