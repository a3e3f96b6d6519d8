//! The `.deployment` file at the repository root (Kudu's INI file): the `[config]`
//! section's `project` (the app's subfolder) and `command` (a custom deploy script). One
//! reader for both the analysis (which needs the app root) and `deploy-script` (which must
//! not replace another command). Kudu ignores `project` when `command` is set; a script
//! `envguard deploy-script` wrote names its app folder in an [`APP_ROOT_LINE`] line.

use crate::paths::clean_dir;

/// What a `.deployment` file says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deployment {
    /// `project =`, as a folder of the repository (`""`: the root).
    pub project: Option<String>,
    /// `command =`, as written.
    pub command: Option<String>,
}

/// The line of a generated deploy script that names the app folder it deploys.
pub const APP_ROOT_LINE: &str = "envguard-app-root:";

impl Deployment {
    /// The script file `command` runs, as a path in the repository (`bash deploy.sh` ->
    /// `deploy.sh`).
    pub fn command_script(&self) -> Option<String> {
        let command = self.command.as_deref()?;
        let last = command.split_whitespace().last()?;
        let path = last.trim_matches('"').replace('\\', "/");
        Some(path.trim_start_matches("./").to_string())
    }

    /// The app folder a deployment deploys, as Kudu decides it: with `command`, whatever the
    /// script deploys (`script` gives its text; an envguard script names its folder), else
    /// `project`, else the repository root (`""`).
    pub fn app_root(&self, script: impl FnOnce(&str) -> Option<String>) -> String {
        if let Some(path) = self.command_script() {
            return script(&path)
                .and_then(|text| {
                    text.lines().find_map(|line| {
                        let (_, value) = line.split_once(APP_ROOT_LINE)?;
                        Some(clean_dir(value.trim()))
                    })
                })
                .unwrap_or_default();
        }
        self.project.clone().unwrap_or_default()
    }

    /// Reads the `[config]` section; keys are case-insensitive, `;` and `#` start comments,
    /// the first occurrence of a key wins.
    pub fn parse(text: &str) -> Deployment {
        let mut found = Deployment::default();
        let mut in_config = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_config = line.eq_ignore_ascii_case("[config]");
                continue;
            }
            if !in_config || line.starts_with([';', '#']) {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            if key.eq_ignore_ascii_case("project") && found.project.is_none() {
                found.project = Some(clean_dir(value));
            } else if key.eq_ignore_ascii_case("command") && found.command.is_none() {
                found.command = Some(value.trim().to_string());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_and_command() {
        let d = Deployment::parse("[config]\nproject = app/\n");
        assert_eq!(d.project.as_deref(), Some("app"));
        assert_eq!(d.command, None);
        let d = Deployment::parse("[other]\nproject=x\n[CONFIG]\nPROJECT=./src\\web\n");
        assert_eq!(d.project.as_deref(), Some("src/web"));
        let d = Deployment::parse("[config]\n; project = no\ncommand = deploy.cmd\n");
        assert_eq!(d.project, None);
        assert_eq!(d.command.as_deref(), Some("deploy.cmd"));
        assert_eq!(
            Deployment::parse("[config]\nproject = .\n")
                .project
                .as_deref(),
            Some("")
        );
    }

    #[test]
    fn command_wins_over_project() {
        let d = Deployment::parse("[config]\nproject = src/web\ncommand = bash deploy.sh\n");
        assert_eq!(d.command_script().as_deref(), Some("deploy.sh"));
        assert_eq!(d.app_root(|_| None), "");
        let script = |path: &str| {
            assert_eq!(path, "deploy.sh");
            Some("#!/bin/bash\n# envguard-app-root: src/web\n".to_string())
        };
        assert_eq!(d.app_root(script), "src/web");
        let d = Deployment::parse("[config]\nproject = src/web\n");
        assert_eq!(d.app_root(|_| None), "src/web");
    }
}
