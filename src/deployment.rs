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
    /// `deploy.sh`, `cmd /c deploy.cmd` -> `deploy.cmd`): the first word that is neither an
    /// interpreter nor an option. The arguments after it are never part of it.
    pub fn command_script(&self) -> Option<String> {
        script_of(self.command.as_deref()?)
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

    /// Reads the `[config]` section as Kudu's `IniFile` does (projectkudu/kudu
    /// `Kudu.Core/Infrastructure/IniFile.cs`): lines are trimmed and blank ones skipped; a
    /// line `[name]` longer than two characters opens the section `name` (trimmed, compared
    /// without case), and a repeated section replaces the earlier one; lines before any
    /// section are ignored; in a section, `key = value` up to the first `=` sets the key
    /// (trimmed, without case) to the trimmed value, the last occurrence winning. There are
    /// no comments: `; project = x` sets a key named `; project`. An empty value counts as
    /// unset, as Kudu's `String.IsNullOrEmpty` check does.
    pub fn parse(text: &str) -> Deployment {
        let mut config: Option<Vec<(String, String)>> = None;
        let mut in_config = false;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if line.len() > 2 && line.starts_with('[') && line.ends_with(']') {
                let name = line[1..line.len() - 1].trim();
                if !name.is_empty() {
                    in_config = name.eq_ignore_ascii_case("config");
                    if in_config {
                        config = Some(Vec::new());
                    }
                }
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if in_config && !key.is_empty() {
                config
                    .get_or_insert_with(Vec::new)
                    .push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        let last = |name: &str| {
            config
                .iter()
                .flatten()
                .rev()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .filter(|value| !value.is_empty())
        };
        Deployment {
            project: last("project").map(|p| clean_dir(&p)),
            command: last("command"),
        }
    }
}

/// The script file a deployment command runs, as a path in the repository (see
/// [`Deployment::command_script`]).
pub fn script_of(command: &str) -> Option<String> {
    const INTERPRETERS: [&str; 9] = [
        "bash",
        "sh",
        "cmd",
        "cmd.exe",
        "python",
        "python3",
        "node",
        "powershell",
        "pwsh",
    ];
    let word = command
        .split_whitespace()
        .map(|w| w.trim_matches('"'))
        .find(|w| {
            !w.is_empty()
                && !w.starts_with(['-', '/'])
                && !INTERPRETERS.iter().any(|i| w.eq_ignore_ascii_case(i))
        })?;
    let path = word.replace('\\', "/");
    Some(path.trim_start_matches("./").to_string())
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

    /// Kudu's `IniFile` rules: the last occurrence of a key wins, a repeated `[config]`
    /// replaces the earlier one, section names are trimmed, there are no comments, and an
    /// empty value is no value.
    #[test]
    fn read_as_kudus_ini_file_reads_it() {
        let d = Deployment::parse("[config]\nproject = a\nproject = b\n");
        assert_eq!(d.project.as_deref(), Some("b"));
        let d =
            Deployment::parse("[config]\nproject = a\ncommand = x.cmd\n[config]\nproject = c\n");
        assert_eq!(d.project.as_deref(), Some("c"));
        assert_eq!(d.command, None, "the second [config] replaced the first");
        let d = Deployment::parse("[ config ]\nproject = d\n");
        assert_eq!(d.project.as_deref(), Some("d"));
        let d = Deployment::parse("project = top\n[config]\n#project = e\nproject =\n");
        assert_eq!(d.project, None);
        let d = Deployment::parse("[config]\nproject = f\n[]\nproject = g\n");
        assert_eq!(d.project.as_deref(), Some("g"), "[] opens no section");
    }

    #[test]
    fn command_wins_over_project() {
        let d = Deployment::parse("[config]\nproject = src/web\ncommand = bash deploy.sh\n");
        assert_eq!(d.command_script().as_deref(), Some("deploy.sh"));
        for (command, script) in [
            ("bash deploy.sh --token s3cret", "deploy.sh"),
            ("cmd /c .\\deploy.cmd", "deploy.cmd"),
            ("deploy.cmd", "deploy.cmd"),
            ("\"deploy.cmd\"", "deploy.cmd"),
        ] {
            let d = Deployment {
                project: None,
                command: Some(command.into()),
            };
            assert_eq!(d.command_script().as_deref(), Some(script), "{command}");
        }
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
