//! `envguard deploy-script`: writes `.deployment` and a deploy script (the platform's
//! documented "custom deployment script" option). The scripts are KuduScript's own Python
//! templates (the `deploy.cmd` that `kuduscript -y --python -r . -p <app folder>` 1.0.17
//! generates, kept line for line, and its bash template for Linux, without its Node.js and
//! unconditional KuduSync steps and with pip's failure checked), plus envguard's steps:
//! env gets a fresh start when the requirements files or the runtime differ from copies saved
//! inside env by the last successful deployment, or when a `.envguard-wipe` marker asks for
//! it. The app folder is baked into the script, since Kudu ignores `project` when `command` is
//! set. The scripts need no envguard on the server.

use std::path::Path;

use crate::Result;
use crate::deployment::Deployment;
use crate::error::DeployScriptError;
use crate::output::ScriptWritten;
use crate::platform::{Platform, ScriptKind};

/// The deploy script of a [`ScriptKind`].
trait Script {
    fn script_name(self) -> &'static str;
    fn command(self) -> &'static str;
    fn template(self) -> &'static str;
    fn render(self, app_root: &str) -> String;
}

impl Script for ScriptKind {
    fn script_name(self) -> &'static str {
        match self {
            ScriptKind::Batch => "deploy.cmd",
            ScriptKind::Bash => "deploy.sh",
        }
    }

    /// The `command =` of `.deployment`: Linux Kudu runs it through PATH, where the
    /// repository is not, so the script goes to bash.
    fn command(self) -> &'static str {
        match self {
            ScriptKind::Batch => "deploy.cmd",
            ScriptKind::Bash => "bash deploy.sh",
        }
    }

    fn template(self) -> &'static str {
        match self {
            ScriptKind::Batch => include_str!("deploy.cmd"),
            ScriptKind::Bash => include_str!("deploy.sh"),
        }
    }

    /// The script for the app folder `app_root` (`""`: the repository root).
    fn render(self, app_root: &str) -> String {
        let site_path = match (app_root.is_empty(), self) {
            (true, _) => String::new(),
            (false, ScriptKind::Batch) => format!("\\{}", app_root.replace('/', "\\")),
            (false, ScriptKind::Bash) => format!("/{app_root}"),
        };
        let project = if app_root.is_empty() { "." } else { app_root };
        let text = self
            .template()
            .replace("{SitePath}", &site_path)
            .replace("{AppRoot}", app_root)
            .replace("{Project}", project);
        match self {
            ScriptKind::Batch => text.replace('\n', "\r\n"),
            ScriptKind::Bash => text,
        }
    }
}

/// The marker that identifies a script written by envguard.
const MARKER: &str = "envguard-deploy-script";

/// Writes the script and `.deployment` into `dir` (the repository's root). The app folder
/// is `.deployment`'s `project`, or the one a script envguard wrote before names. Refuses to
/// replace a custom script or a `.deployment` that runs another command unless `force`.
pub fn write(dir: &Path, platform: Platform, force: bool) -> Result<ScriptWritten> {
    let Some(kind) = platform.facts().deploy_script else {
        return Err(DeployScriptError::NoScript {
            platform: platform.to_string(),
        }
        .into());
    };
    let script_name = kind.script_name();
    let script = dir.join(script_name);
    // On Windows `.Deployment` is the same file as `.deployment`: keep its spelling, and its
    // settings.
    let deployment = if platform.is_windows() {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(".deployment"))
            })
            .unwrap_or_else(|| dir.join(".deployment"))
    } else {
        dir.join(".deployment")
    };
    if let Ok(existing) = std::fs::read_to_string(&script)
        && !existing.contains(MARKER)
        && !force
    {
        return Err(DeployScriptError::Custom { script }.into());
    }
    let old = Deployment::read(&std::fs::read(&deployment).unwrap_or_default());
    let ours = |path: &str| {
        std::fs::read_to_string(dir.join(path))
            .ok()
            .filter(|text| text.contains(MARKER))
    };
    if let Some(path) = old.command_script()
        && ours(&path).is_none()
        && !force
    {
        return Err(DeployScriptError::OtherCommand {
            deployment,
            command: old.command.clone().unwrap_or_default(),
            script: script_name,
        }
        .into());
    }
    // Kudu ignores `project` once `command` is set, so the folder moves into the script.
    let app_root = match old.command_script() {
        Some(_) => old.app_root(|path| ours(path)),
        None => old.project.clone().unwrap_or_default(),
    };
    std::fs::write(&script, kind.render(&app_root))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    }
    let command = kind.command();
    std::fs::write(&deployment, format!("[config]\ncommand = {command}\n"))?;
    Ok(ScriptWritten {
        script,
        folder: app_root,
        deployment,
        command,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On Windows `.Deployment` is `.deployment`: its project is kept, under its own name.
    #[test]
    fn on_windows_a_deployment_file_spelt_otherwise_is_the_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("b")).expect("b");
        std::fs::write(dir.path().join(".Deployment"), "[config]\nproject = b\n").expect("w");
        write(dir.path(), Platform::KuduWindows, false).expect("written");
        assert!(
            !dir.path().join(".deployment").exists(),
            "no second spelling"
        );
        let script = std::fs::read_to_string(dir.path().join("deploy.cmd")).expect("script");
        assert!(script.contains("envguard-app-root: b"), "{script}");
    }

    #[test]
    fn writes_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".deployment"), "[config]\nproject = app\n").unwrap();
        write(dir.path(), Platform::KuduLinux, false).unwrap();
        let deployment = std::fs::read_to_string(dir.path().join(".deployment")).unwrap();
        assert_eq!(deployment, "[config]\ncommand = bash deploy.sh\n");
        let script = std::fs::read_to_string(dir.path().join("deploy.sh")).unwrap();
        assert!(script.contains("-f \"$DEPLOYMENT_SOURCE/app\""), "{script}");
        // Ours: rewriting is fine, and keeps the app folder the script names.
        write(dir.path(), Platform::KuduLinux, false).unwrap();
        let script = std::fs::read_to_string(dir.path().join("deploy.sh")).unwrap();
        assert!(script.contains("# envguard-app-root: app\n"), "{script}");
        // A custom deploy.cmd, and a .deployment running deploy.sh: both refused.
        std::fs::write(dir.path().join("deploy.cmd"), "@echo custom\r\n").unwrap();
        assert!(write(dir.path(), Platform::KuduWindows, false).is_err());
        std::fs::remove_file(dir.path().join("deploy.cmd")).unwrap();
        std::fs::write(dir.path().join("deploy.sh"), "echo custom\n").unwrap();
        let err = write(dir.path(), Platform::KuduWindows, false).unwrap_err();
        assert!(err.to_string().contains("runs 'bash deploy.sh'"), "{err}");
        write(dir.path(), Platform::KuduWindows, true).unwrap();
        let cmd = std::fs::read_to_string(dir.path().join("deploy.cmd")).unwrap();
        assert!(cmd.contains("\r\n") && cmd.contains(MARKER));
        // The custom script that ran before names no app folder: the repository root.
        assert!(cmd.contains("-f \"%DEPLOYMENT_SOURCE%\" -t"), "{cmd}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".deployment"),
            "[config]\nproject = src/web\n",
        )
        .unwrap();
        write(dir.path(), Platform::KuduWindows, false).unwrap();
        let cmd = std::fs::read_to_string(dir.path().join("deploy.cmd")).unwrap();
        assert!(
            cmd.contains("-f \"%DEPLOYMENT_SOURCE%\\src\\web\" -t"),
            "{cmd}"
        );
    }
}
