//! The `.deployment` file at the repository root (Kudu's INI file): the `[config]`
//! section's `project` (the app's subfolder) and `command` (a custom deploy script). One
//! reader for both the analysis (which needs the app root) and `deploy-script` (which must
//! not replace another command).

use crate::paths::clean_dir;

/// What a `.deployment` file says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deployment {
    /// `project =`, as a folder of the repository (`""`: the root).
    pub project: Option<String>,
    /// `command =`, as written.
    pub command: Option<String>,
}

impl Deployment {
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
}
