//! How an App Service site is recognised from what its Kudu API answers: Windows or Linux
//! from the paths of the VFS listing, and on Linux the builder KuduLite picks from the app
//! settings, and what Oryx's manifest says of its output. Pure: `remote::detect` asks the
//! API and hands the answers here.
//!
//! Sources: Azure-App-Service/KuduLite `Kudu.Core/Deployment/Generator/SiteBuilderFactory.cs`
//! @3854066 (a deployment command first, L34-38; Oryx only when `ENABLE_ORYX_BUILD` is true-like; `SCM_DO_BUILD_DURING_DEPLOYMENT` not
//! true-like: `BasicBuilder`, no build), `BuildFlagsHelper.cs` (`BUILD_FLAGS` parsed with
//! the case-sensitive `Enum.Parse`, so `Off` and not `off`), microsoft/Oryx
//! `src/BuildScriptGenerator/Python` and the startup script (only a manifest with
//! `CompressDestinationDir="true"` is extracted fresh; otherwise the output was copied over
//! wwwroot without `--delete` and `wwwroot/antenv` is used in place).

use super::Platform;

/// What the site's API answered.
#[derive(Debug, Default, Clone)]
pub struct Clues {
    /// The `path` of the first entry of the home folder's VFS listing, when the API answered
    /// with Kudu's JSON listing (an HTML page or a 404 is no listing).
    pub home_entry_path: Option<String>,
    /// The app settings (`GET /api/settings`), as the API spells them.
    pub settings: Vec<(String, String)>,
    /// `site/wwwroot/oryx-manifest.toml`, if there is one.
    pub oryx_manifest: Option<String>,
    /// `site/repository/.deployment`, the one the site deployed last, if there is one.
    pub deployment_file: Option<String>,
}

/// What on a site says which platform it runs: its operating system, settings and Oryx's
/// build manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// Linux, with `SCM_SCRIPT_GENERATOR_ARGS` and no deployment command.
    LinuxGeneratorArgs,
    /// Linux, with a deployment command: the path of its script, and where it is set.
    LinuxCommand { script: String, from: CommandFrom },
    /// Windows (its files at `files_at`), `SCM_DO_BUILD_DURING_DEPLOYMENT` off and no
    /// deployment command.
    WindowsNoBuild { files_at: String },
    /// Windows (its files at `files_at`).
    Windows { files_at: String },
    /// Linux, `SCM_DO_BUILD_DURING_DEPLOYMENT` off.
    LinuxNoBuild,
    /// Linux, `ENABLE_ORYX_BUILD` set to `value`, which is not true.
    LinuxOryxOff { value: String },
    /// Linux, `BUILD_FLAGS=Off`.
    LinuxBuildFlagsOff,
    /// Oryx, whose manifest names a compressed virtualenv.
    OryxCompressedVenv,
    /// Oryx, whose manifest says `CompressDestinationDir="true"`.
    OryxCompressedOutput,
    /// Oryx, whose manifest does not compress its output.
    OryxCopied,
    /// Linux, and nothing switches Oryx off.
    OryxDefault,
}

/// Where a site's deployment command is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandFrom {
    /// The `COMMAND` app setting.
    AppSetting,
    /// The `command` of the `.deployment` it deployed last.
    DeploymentFile,
}

/// A recognised platform and the clue it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub platform: Platform,
    /// What on the site says so.
    pub why: Evidence,
    /// Kudu's `DEPLOYMENT_BRANCH` app setting, when the site sets it: the branch it deploys
    /// (projectkudu/kudu `DeploymentManager`: `master` unless set).
    pub deployment_branch: Option<String>,
    /// Kudu's `PROJECT` app setting (the app's folder), when set: it overrides
    /// `.deployment`'s `project` (projectkudu/kudu `SettingsProvidersPriority`: the
    /// environment's priority 10 over the per-deployment file's 5).
    pub project: Option<String>,
    /// The script Kudu's `COMMAND` app setting runs (its last word, as a repository path),
    /// when set: it overrides `.deployment`'s `command` the same way. Only the script's path
    /// is kept, never the command line.
    pub command_script: Option<String>,
}

impl Detected {
    fn of(platform: Platform, why: Evidence, clues: &Clues) -> Detected {
        Detected {
            platform,
            why,
            deployment_branch: clues.deployment_branch(),
            project: clues.project(),
            command_script: clues.command_script(),
        }
    }
}

pub use crate::error::site::Unrecognised;

impl Clues {
    /// Whether the listing says Linux (`/home/...`); `None` without a Kudu listing.
    pub fn linux(&self) -> Option<bool> {
        self.home_entry_path.as_deref().map(|p| p.starts_with('/'))
    }

    /// Kudu's `DEPLOYMENT_BRANCH` app setting, when set.
    pub fn deployment_branch(&self) -> Option<String> {
        self.setting("DEPLOYMENT_BRANCH")
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(|b| b.trim_start_matches("refs/heads/").to_string())
    }

    /// Kudu's `PROJECT` app setting, when set and not empty.
    pub fn project(&self) -> Option<String> {
        self.setting("PROJECT")
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().to_string())
    }

    /// The script of Kudu's `COMMAND` app setting, when set and not empty.
    pub fn command_script(&self) -> Option<String> {
        let command = self.setting("COMMAND").filter(|v| !v.trim().is_empty())?;
        crate::deployment::script_of(command)
    }

    /// The script of the site's deployment command: the `COMMAND` app setting, else the
    /// `command` of the `.deployment` it deployed last (app settings rank above the file).
    /// Only the script's path, never the command line.
    fn deployment_command(&self) -> Option<(String, CommandFrom)> {
        if let Some(script) = self.command_script() {
            return Some((script, CommandFrom::AppSetting));
        }
        let file = self.deployment_file.as_deref()?;
        let script = crate::deployment::Deployment::read(file.as_bytes()).command_script()?;
        Some((script, CommandFrom::DeploymentFile))
    }

    fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// A setting that is set, not empty (Kudu's settings take an empty value for none) and
    /// not true-like: `SCM_DO_BUILD_DURING_DEPLOYMENT` off (Kudu's
    /// `DoBuildDuringDeployment`: `value == null || StringUtils.IsTrueLike(value)`).
    fn set_and_false(&self, key: &str) -> bool {
        self.setting(key)
            .is_some_and(|v| !v.is_empty() && !true_like(v))
    }
}

/// KuduLite's `StringUtils.IsTrueLike` (Kudu.Contracts/Infrastructure/StringUtils.cs
/// @3854066): exactly `1`, or `true` in any case; nothing is trimmed (` true` is not).
pub fn true_like(value: &str) -> bool {
    value == "1" || value.eq_ignore_ascii_case("true")
}

/// Whether KuduLite's `BuildFlagsHelper.Parse(BUILD_FLAGS)` is `Off`
/// (Kudu.Core/Deployment/Oryx/BuildFlags.cs @3854066): .NET's `Enum.Parse`, case-sensitive,
/// on the value trimmed; a number is the member of that value (`0` is `Off`, the first), a
/// comma list the members OR-ed (`Off,None` is `None`); anything it cannot parse is the
/// default `None`.
pub fn build_flags_off(value: &str) -> bool {
    const MEMBERS: [&str; 6] = [
        "Off",
        "None",
        "CompressModules",
        "UseExpressBuild",
        "UseTempDirectory",
        "DeploymentV2",
    ];
    let value = value.trim();
    match value.chars().next() {
        None => false,
        Some(c) if c.is_ascii_digit() || c == '-' || c == '+' => value.parse::<i32>() == Ok(0),
        Some(_) => {
            let mut flags = 0;
            for name in value.split(',') {
                match MEMBERS.iter().position(|m| *m == name.trim()) {
                    Some(bits) => flags |= bits,
                    None => return false,
                }
            }
            flags == 0
        }
    }
}

/// A Linux site with a deployment command: KuduLite SiteBuilderFactory.cs @3854066 L34-38
/// returns a CustomBuilder for it (the COMMAND app setting, or `.deployment`'s `command`)
/// before any no-build or Oryx rule is looked at.
fn custom_builder(clues: &Clues) -> Option<Detected> {
    // SCM_SCRIPT_GENERATOR_ARGS comes next (L41-45): KuduScript's script with those
    // arguments, the bash template keeping antenv.
    if clues.deployment_command().is_none()
        && clues
            .setting("SCM_SCRIPT_GENERATOR_ARGS")
            .is_some_and(|v| !v.is_empty())
    {
        return Some(Detected::of(
            Platform::KuduLinux,
            Evidence::LinuxGeneratorArgs,
            clues,
        ));
    }
    let (script, from) = clues.deployment_command()?;
    Some(Detected::of(
        Platform::KuduLinux,
        Evidence::LinuxCommand { script, from },
        clues,
    ))
}

/// A Windows site: Kudu's deploy.cmd keeps env, unless the site builds nothing
/// (projectkudu/kudu SiteBuilderFactory.cs @7e7e310: a deployment command, then
/// SCM_SCRIPT_GENERATOR_ARGS, come before `DoBuildDuringDeployment`, L34-76).
fn windows(clues: &Clues) -> Detected {
    let files_at = clues.home_entry_path.clone().unwrap_or_default();
    let custom = clues.deployment_command().is_some()
        || clues
            .setting("SCM_SCRIPT_GENERATOR_ARGS")
            .is_some_and(|v| !v.is_empty());
    if !custom && clues.set_and_false("SCM_DO_BUILD_DURING_DEPLOYMENT") {
        return Detected::of(
            Platform::KuduWindowsNoBuild,
            Evidence::WindowsNoBuild { files_at },
            clues,
        );
    }
    Detected::of(Platform::KuduWindows, Evidence::Windows { files_at }, clues)
}

/// The platform the clues point to.
pub fn decide(clues: &Clues) -> Result<Detected, Unrecognised> {
    let detected = |platform, why| Ok(Detected::of(platform, why, clues));
    match clues.linux() {
        None => {
            return Err(Unrecognised::NoListing);
        }
        Some(false) => return Ok(windows(clues)),
        Some(true) => {}
    }
    if let Some(detected) = custom_builder(clues) {
        return Ok(detected);
    }
    if clues.set_and_false("SCM_DO_BUILD_DURING_DEPLOYMENT") {
        return detected(Platform::KuduLinuxNoBuild, Evidence::LinuxNoBuild);
    }
    if let Some(value) = clues.setting("ENABLE_ORYX_BUILD").filter(|v| !true_like(v)) {
        return Ok(Detected::of(
            Platform::KuduLinux,
            Evidence::LinuxOryxOff {
                value: value.to_string(),
            },
            clues,
        ));
    }
    if clues.setting("BUILD_FLAGS").is_some_and(build_flags_off) {
        return detected(Platform::OryxInPlace, Evidence::LinuxBuildFlagsOff);
    }
    match &clues.oryx_manifest {
        // KUDU_BUILD_VERSION=0.0.1 makes KuduLite pass `compress_virtualenv=tar-gz`
        // (OryxArgumentsHelper.cs L36-44): the manifest then names the venv's archive,
        // which Oryx's startup script deletes and extracts anew (startupscriptgenerator
        // src/python/scriptgenerator.go @d91d836 L212-241).
        Some(m) if m.contains("compressedVirtualEnvFile=") => {
            detected(Platform::Oryx, Evidence::OryxCompressedVenv)
        }
        Some(m) if m.contains("CompressDestinationDir=\"true\"") => {
            detected(Platform::Oryx, Evidence::OryxCompressedOutput)
        }
        Some(_) => detected(Platform::OryxCopied, Evidence::OryxCopied),
        None => detected(Platform::Oryx, Evidence::OryxDefault),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clues(path: Option<&str>, settings: &[(&str, &str)], manifest: Option<&str>) -> Clues {
        Clues {
            home_entry_path: path.map(str::to_string),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            oryx_manifest: manifest.map(str::to_string),
            deployment_file: None,
        }
    }

    /// KuduLite runs a deployment command before every other rule: the app setting, or the
    /// `.deployment` the site deployed (with a byte order mark, as Visual Studio writes it).
    #[test]
    fn a_deployment_command_decides_before_oryx() {
        let linux = Some("/home/site");
        let compressed = "CompressDestinationDir=\"true\"\n";
        for settings in [
            vec![("COMMAND", "bash deploy.sh")],
            vec![("COMMAND", "bash deploy.sh"), ("ENABLE_ORYX_BUILD", "true")],
            vec![
                ("COMMAND", "bash deploy.sh"),
                ("SCM_DO_BUILD_DURING_DEPLOYMENT", "false"),
            ],
            vec![("COMMAND", "bash deploy.sh"), ("BUILD_FLAGS", "Off")],
        ] {
            let detected = decide(&clues(linux, &settings, Some(compressed)));
            assert_eq!(
                detected.as_ref().map(|d| d.platform),
                Ok(Platform::KuduLinux),
                "{settings:?}"
            );
            assert_eq!(
                detected.map(|d| d.why),
                Ok(Evidence::LinuxCommand {
                    script: "deploy.sh".into(),
                    from: CommandFrom::AppSetting
                }),
                "{settings:?}"
            );
        }
        let mut from_file = clues(linux, &[], Some(compressed));
        from_file.deployment_file = Some("\u{feff}[config]\r\ncommand = bash deploy.sh\r\n".into());
        let detected = decide(&from_file).expect("detected");
        assert_eq!(detected.platform, Platform::KuduLinux);
        assert_eq!(
            detected.why,
            Evidence::LinuxCommand {
                script: "deploy.sh".into(),
                from: CommandFrom::DeploymentFile
            }
        );
        from_file.deployment_file = Some("[config]\nproject = src\n".into());
        assert_eq!(decide(&from_file).map(|d| d.platform), Ok(Platform::Oryx));
        // An empty COMMAND is no command (Kudu's IsNullOrEmpty).
        assert_eq!(
            decide(&clues(linux, &[("COMMAND", " ")], Some(compressed))).map(|d| d.platform),
            Ok(Platform::Oryx)
        );
    }

    #[test]
    fn the_detection_table() {
        let linux = Some("/home/site");
        let compressed = "Frameworks=\"python\"\nCompressDestinationDir=\"true\"\n";
        let copied = "Frameworks=\"python\"\n";
        let on =
            |s: &[(&str, &str)], m: Option<&str>| decide(&clues(linux, s, m)).map(|d| d.platform);
        assert_eq!(
            decide(&clues(
                Some("D:\\home\\site"),
                &[("BUILD_FLAGS", "Off")],
                None
            ))
            .map(|d| d.platform),
            Ok(Platform::KuduWindows)
        );
        for value in ["0", "no", "false", "False"] {
            assert_eq!(
                on(&[("ENABLE_ORYX_BUILD", value)], None),
                Ok(Platform::KuduLinux)
            );
        }
        for value in ["1", "true", "TRUE"] {
            assert_eq!(
                on(&[("ENABLE_ORYX_BUILD", value)], Some(compressed)),
                Ok(Platform::Oryx)
            );
        }
        assert_eq!(
            on(&[("BUILD_FLAGS", "Off")], None),
            Ok(Platform::OryxInPlace)
        );
        assert_eq!(
            on(&[("BUILD_FLAGS", "off")], Some(compressed)),
            Ok(Platform::Oryx),
            "Enum.Parse is case-sensitive: `off` is the compressed default"
        );
        assert_eq!(on(&[], Some(copied)), Ok(Platform::OryxCopied));
        let venv_archive =
            "CompressDestinationDir=\"false\"\ncompressedVirtualEnvFile=\"antenv.tar.gz\"\n";
        assert_eq!(on(&[], Some(venv_archive)), Ok(Platform::Oryx));
        assert_eq!(
            on(&[("BUILD_FLAGS", "UseTempDirectory")], Some(copied)),
            Ok(Platform::OryxCopied)
        );
        assert_eq!(
            on(&[("SCM_DO_BUILD_DURING_DEPLOYMENT", "false")], None),
            Ok(Platform::KuduLinuxNoBuild)
        );
        assert!(
            decide(&clues(None, &[], None)).is_err(),
            "no listing: nothing recorded"
        );
        // Windows without a build, unless a command or generator arguments come first.
        let windows = |s: &[(&str, &str)]| {
            decide(&clues(Some("D:\\home\\site"), s, None)).map(|d| d.platform)
        };
        let off = ("SCM_DO_BUILD_DURING_DEPLOYMENT", "false");
        assert_eq!(windows(&[off]), Ok(Platform::KuduWindowsNoBuild));
        assert_eq!(
            windows(&[off, ("COMMAND", "deploy.cmd")]),
            Ok(Platform::KuduWindows)
        );
        assert_eq!(
            windows(&[off, ("SCM_SCRIPT_GENERATOR_ARGS", "--python")]),
            Ok(Platform::KuduWindows)
        );
        assert_eq!(
            windows(&[("SCM_DO_BUILD_DURING_DEPLOYMENT", "true")]),
            Ok(Platform::KuduWindows)
        );
        // .NET's Enum.Parse: a number, a comma list, spaces around.
        for off in ["0", " Off ", "Off,Off", "+0", "00"] {
            assert_eq!(
                on(&[("BUILD_FLAGS", off)], Some(compressed)),
                Ok(Platform::OryxInPlace),
                "{off:?}"
            );
        }
        for not_off in ["Off,None", "1", "off", "Off;", ""] {
            assert_eq!(
                on(&[("BUILD_FLAGS", not_off)], Some(compressed)),
                Ok(Platform::Oryx),
                "{not_off:?}"
            );
        }
        // IsTrueLike trims nothing; an empty SCM_DO_BUILD_DURING_DEPLOYMENT is none.
        assert_eq!(
            on(&[("ENABLE_ORYX_BUILD", " true")], None),
            Ok(Platform::KuduLinux)
        );
        assert_eq!(
            on(&[("SCM_DO_BUILD_DURING_DEPLOYMENT", "")], Some(compressed)),
            Ok(Platform::Oryx)
        );
        assert_eq!(
            on(
                &[("SCM_SCRIPT_GENERATOR_ARGS", "--python")],
                Some(compressed)
            ),
            Ok(Platform::KuduLinux)
        );
    }
}
