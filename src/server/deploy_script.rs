//! `envguard deploy-script`: writes `.deployment` and a deploy script (the platform's
//! documented "custom deployment script" option) that rebuilds env when the requirements
//! files or the runtime differ from copies saved inside env by the last successful deploy,
//! or when a `.envguard-wipe` marker asks for it. The scripts need no envguard on the server.

use std::path::Path;

use crate::deployment::Deployment;
use crate::{Error, Result};

/// Which deploy script to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Platform {
    /// Azure App Service on Windows (Kudu): `deploy.cmd`.
    KuduWindows,
    /// A Linux deployment (Kudu on Linux, piku-like, a home-made post-receive): `deploy.sh`.
    Linux,
}

impl Platform {
    pub fn script_name(self) -> &'static str {
        match self {
            Platform::KuduWindows => "deploy.cmd",
            Platform::Linux => "deploy.sh",
        }
    }

    fn template(self) -> &'static str {
        match self {
            Platform::KuduWindows => include_str!("deploy.cmd"),
            Platform::Linux => include_str!("deploy.sh"),
        }
    }
}

/// The marker that identifies a script written by envguard.
const MARKER: &str = "envguard-deploy-script";

/// Writes the script and `.deployment` into `dir` (the repository's root). Refuses to
/// replace a custom script or a `.deployment` that runs another command unless `force`.
pub fn write(dir: &Path, platform: Platform, force: bool) -> Result<Vec<String>> {
    let script_name = platform.script_name();
    let script = dir.join(script_name);
    let deployment = dir.join(".deployment");
    if let Ok(existing) = std::fs::read_to_string(&script)
        && !existing.contains(MARKER)
        && !force
    {
        return Err(Error::msg(format!(
            "{} is a custom deploy script; envguard does not replace it. Pass --force to \
             overwrite it",
            script.display()
        )));
    }
    let old_deployment = std::fs::read_to_string(&deployment).unwrap_or_default();
    let old = Deployment::parse(&old_deployment);
    if let Some(command) = &old.command
        && command != script_name
        && !force
    {
        return Err(Error::msg(format!(
            "{} runs '{command}'; envguard does not replace another deployment command. \
             Pass --force to make it run {script_name}",
            deployment.display()
        )));
    }
    let mut text = String::from("[config]\n");
    if let Some(project) = old.project.filter(|p| !p.is_empty()) {
        text.push_str(&format!("project = {project}\n"));
    }
    text.push_str(&format!("command = {script_name}\n"));
    let mut content = platform.template().to_string();
    if platform == Platform::KuduWindows {
        content = content.replace('\n', "\r\n");
    }
    std::fs::write(&script, content)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    }
    std::fs::write(&deployment, text)?;
    Ok(vec![
        format!("wrote {}", script.display()),
        format!("wrote {} (command = {script_name})", deployment.display()),
        "commit both files; the next deployment runs the script".to_string(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".deployment"), "[config]\nproject = app\n").unwrap();
        write(dir.path(), Platform::Linux, false).unwrap();
        let deployment = std::fs::read_to_string(dir.path().join(".deployment")).unwrap();
        assert_eq!(deployment, "[config]\nproject = app\ncommand = deploy.sh\n");
        // Ours: rewriting is fine.
        write(dir.path(), Platform::Linux, false).unwrap();
        // A custom deploy.cmd, and a .deployment running deploy.sh: both refused.
        std::fs::write(dir.path().join("deploy.cmd"), "@echo custom\r\n").unwrap();
        assert!(write(dir.path(), Platform::KuduWindows, false).is_err());
        std::fs::remove_file(dir.path().join("deploy.cmd")).unwrap();
        let err = write(dir.path(), Platform::KuduWindows, false).unwrap_err();
        assert!(err.to_string().contains("runs 'deploy.sh'"), "{err}");
        write(dir.path(), Platform::KuduWindows, true).unwrap();
        let cmd = std::fs::read_to_string(dir.path().join("deploy.cmd")).unwrap();
        assert!(cmd.contains("\r\n") && cmd.contains(MARKER));
    }
}
