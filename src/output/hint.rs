//! What envguard says of a platform: what goes stale on it ([`Behaviour`]), what rebuilds
//! a stale env there ([`Fix`]), what on a site says which platform it runs ([`Evidence`])
//! and why the builder it picks leaves no env stale ([`OtherBuilder`]); and a setting envguard
//! cannot use as git does ([`SettingWarning`]).

use std::fmt;

use crate::SettingWarning;
use crate::platform::detect::{CommandFrom, Evidence};
use crate::platform::{Platform, Purge, Rebuild, Remedy};
use crate::verdict::{DokkuBuilder, DotNet, Kudu, OtherBuilder};

/// What rebuilds a stale env on a platform: its remedy, as a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub platform: Platform,
    /// The platform's build-cache purge as a shell command, where the remote's URL names
    /// the app.
    pub purge: Option<String>,
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let platform = self.platform;
        match platform.facts().remedy {
            Remedy::Toggle => f.write_str(
                "set `git config envguard.mode toggle` (no API access needed) or remote-wipe",
            ),
            Remedy::RemoteWipe => f.write_str(
                "set `git config envguard.mode remote-wipe` (the site's deployment credentials \
                 in a credential helper)",
            ),
            Remedy::Nothing => write!(
                f,
                "nothing is needed: {platform} builds a fresh env on every deployment"
            ),
            Remedy::NoBuild => write!(
                f,
                "{platform} builds nothing on deployment (SCM_DO_BUILD_DURING_DEPLOYMENT is \
                 off), so neither a toggle nor a wipe gives a fresh env: turn the build on (app \
                 setting SCM_DO_BUILD_DURING_DEPLOYMENT=true) or deploy an env built elsewhere"
            ),
            Remedy::ServerHook => f.write_str(
                "install envguard's server hook (envguard hook install --server) and set `git \
                 config envguard.mode mark`, or delete env on the server",
            ),
            Remedy::ChangeRootRequirements => write!(
                f,
                "{platform} reuses its dependency layer while the root requirements.txt's \
                 bytes and the Python version stay the same (for up to 24 hours): change the \
                 root requirements.txt in this push (a comment line will do) so the layer is \
                 rebuilt"
            ),
            Remedy::PurgeCache(purge) => {
                let needs = match purge {
                    Purge::Heroku => {
                        " (the heroku CLI's `heroku-builds` plugin: heroku plugins:install \
                         heroku-builds)"
                    }
                    // dokku `plugins/git/functions` @33896f5 L44-51: on an arm64 server
                    // without herokuish the default builder is pack, which the client cannot
                    // see.
                    Purge::Dokku => {
                        " (unless the server is arm64 without herokuish: Dokku then builds \
                         with pack, which makes the env anew, and `git config \
                         envguard.platform heroku-cnb` says so)"
                    }
                };
                match &self.purge {
                    Some(purge) => write!(
                        f,
                        "purge the build cache before the push: {purge}{needs}; or let \
                         envguard run it on every push that needs it: git config \
                         envguard.mode command && git config envguard.command '{purge}'"
                    ),
                    None => f.write_str(
                        "purge the platform's build cache, or set envguard.mode command",
                    ),
                }
            }
        }
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::LinuxGeneratorArgs => f.write_str(
                "the site runs Linux with SCM_SCRIPT_GENERATOR_ARGS: KuduLite runs KuduScript's \
                 script with them before any Oryx or no-build rule; its bash template keeps \
                 antenv in site/wwwroot and only runs pip into it",
            ),
            Evidence::LinuxCommand { script, from } => write!(
                f,
                "the site runs Linux with a deployment command ({script}, from {}): KuduLite \
                 runs it before any Oryx or no-build rule, so the script decides; KuduScript's \
                 bash script (envguard deploy-script linux writes one) keeps antenv in \
                 site/wwwroot and only runs pip into it",
                match from {
                    CommandFrom::AppSetting => "the COMMAND app setting",
                    CommandFrom::DeploymentFile => "the command of its .deployment",
                }
            ),
            Evidence::WindowsNoBuild { files_at } => write!(
                f,
                "the site runs Windows (its files are at {files_at}) with \
                 SCM_DO_BUILD_DURING_DEPLOYMENT off and no deployment command: Kudu copies the \
                 files and builds nothing, so the env is whatever is on the site"
            ),
            Evidence::Windows { files_at } => write!(
                f,
                "the site runs Windows (its files are at {files_at}); Kudu keeps env until the \
                 runtime runtime.txt selects changes"
            ),
            Evidence::LinuxNoBuild => f.write_str(
                "the site runs Linux with SCM_DO_BUILD_DURING_DEPLOYMENT off: KuduLite deploys \
                 the files and builds nothing, so the env is whatever is on the site",
            ),
            Evidence::LinuxOryxOff { value } => write!(
                f,
                "the site runs Linux with ENABLE_ORYX_BUILD={value} (not true, so no Oryx): \
                 KuduScript's bash deployment keeps antenv in site/wwwroot and only runs pip \
                 into it"
            ),
            Evidence::LinuxBuildFlagsOff => f.write_str(
                "the site runs Linux with BUILD_FLAGS=Off: Oryx builds in place and reuses \
                 antenv in site/repository and site/wwwroot",
            ),
            Evidence::OryxCompressedVenv => f.write_str(
                "the site runs Linux with Oryx, whose manifest names a compressed virtualenv \
                 (compressedVirtualEnvFile): the startup script extracts it anew on every start",
            ),
            Evidence::OryxCompressedOutput => f.write_str(
                "the site runs Linux with Oryx, whose manifest says \
                 CompressDestinationDir=\"true\": antenv is built fresh on every deployment",
            ),
            Evidence::OryxCopied => f.write_str(
                "the site runs Linux with Oryx, whose manifest has no \
                 CompressDestinationDir=\"true\": the build was copied over site/wwwroot \
                 without deleting, and wwwroot/antenv is used in place",
            ),
            Evidence::OryxDefault => f.write_str(
                "the site runs Linux and no setting switches Oryx off: Oryx (the default) \
                 builds antenv fresh on every deployment",
            ),
        }
    }
}

/// What goes stale on a platform and what rebuilds the env, in one sentence (for
/// `envguard platform`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour(pub Platform);

impl fmt::Display for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let facts = self.0.facts();
        if let Some(why) = facts.fresh_because {
            if facts.caches_install_layer {
                return write!(
                    f,
                    "fresh env on every deployment ({why}), from an install layer reused while \
                     the dependency files are unchanged: only a VCS requirement whose branch or \
                     tag moved stays at its cached revision"
                );
            }
            return write!(
                f,
                "fresh env on every deployment ({why}): nothing goes stale"
            );
        }
        f.write_str(match facts.rebuild {
            Rebuild::Always => "fresh env on every deployment: nothing goes stale",
            Rebuild::Never => "no build on deployment: the env is whatever is on the site",
            Rebuild::OnRuntimeChange => {
                "the env is kept between deployments and rebuilt only when the runtime changes: \
                 a removed requirement stays installed"
            }
            Rebuild::OnRequirementsBytes => {
                "the cached env is rebuilt when the root requirements.txt's bytes or the \
                 resolved Python version change: a removal confined to an -r include or a \
                 moved VCS ref stays"
            }
        })
    }
}

impl fmt::Display for OtherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NO_ENV: &str =
            "it builds no Python env there, so nothing in this push leaves one stale";
        match self {
            OtherBuilder::GeneratorArgs { args } => write!(
                f,
                "Kudu's deployment script is generated with SCM_SCRIPT_GENERATOR_ARGS '{args}', \
                 which builds no Python env: nothing in this push leaves one stale"
            ),
            OtherBuilder::DotNet(what) => {
                match what {
                    DotNet::Named(project) => {
                        write!(f, "PROJECT names the MSBuild project {project}")?;
                    }
                    DotNet::InAppFolder(project) => {
                        write!(f, "the app folder holds the MSBuild project {project}")?;
                    }
                    DotNet::Loose(project) => write!(
                        f,
                        "the repository holds the MSBuild project {project} and no solution"
                    )?,
                    DotNet::Solutions(solutions) => write!(
                        f,
                        "the repository holds {} solutions ({}; Kudu fails the deployment on \
                         more than one)",
                        solutions.len(),
                        solutions.join(", ")
                    )?,
                }
                f.write_str(
                    ", so Kudu builds .NET there, no Python env: nothing in this push leaves one \
                     stale",
                )
            }
            OtherBuilder::Node {
                kudu: Kudu::Kudu,
                file,
            } => write!(
                f,
                "Kudu deploys it as a Node.js app ({file} at the app root): {NO_ENV}"
            ),
            OtherBuilder::Node {
                kudu: Kudu::KuduLite,
                file,
            } => write!(
                f,
                "KuduLite deploys it as a Node.js app ({file} at the app root): {NO_ENV} (and a \
                 wipe would leave the site with none)"
            ),
            OtherBuilder::NoRequirements => write!(
                f,
                "Kudu finds no requirements.txt at the app root: {NO_ENV}"
            ),
            OtherBuilder::NoPythonFile => write!(
                f,
                "Kudu does not take it for a Python app (no .py file at the app root, and no \
                 runtime.txt that says python): {NO_ENV}"
            ),
            OtherBuilder::Dokku(builder) => write!(
                f,
                "Dokku builds this app with {} ({} at the root, no .buildpacks), which makes \
                 the env anew on every deployment, so nothing in this push leaves one stale (if \
                 the app sets BUILDPACK_URL or `dokku builder:set` picks herokuish, commit a \
                 .buildpacks file so envguard sees it)",
                match builder {
                    DokkuBuilder::Dockerfile => "its Dockerfile",
                    DokkuBuilder::Lambda => "lambda-builder",
                    DokkuBuilder::Nixpacks => "Nixpacks",
                    DokkuBuilder::Pack => "pack (Cloud Native Buildpacks)",
                    DokkuBuilder::Railpack => "Railpack",
                },
                builder.file()
            ),
        }
    }
}

impl fmt::Display for SettingWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingWarning::UnreadableInclude { name } => write!(
                f,
                "{name}: git applies this conditional include, envguard cannot evaluate it \
                 (libgit2 reads no `hasconfig:` condition); envguard.* settings belong in a file \
                 git and envguard both read"
            ),
            SettingWarning::UnknownKey {
                key,
                value,
                nearest,
                unset,
            } => write!(
                f,
                "{key} = '{value}' is no setting envguard knows (did you mean {nearest}?); remove \
                 it: `{unset}`"
            ),
            SettingWarning::NoConsent {
                file,
                keys,
                digest,
                consent_key,
            } => write!(
                f,
                "{file} sets {}, which runs code or reaches a server, so this machine does not \
                 take it from a committed file without your consent. Read the file, then allow \
                 this content: git config {consent_key} {digest}",
                keys.join(", ")
            ),
        }
    }
}
