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
    /// `SCM_SCRIPT_GENERATOR_ARGS =`: the arguments Kudu's script generator (KuduScript)
    /// runs with, which pick the builder before Kudu looks at the files
    /// (`SiteBuilderFactory.CreateBuilder`: after `COMMAND`, before `PROJECT`).
    pub script_generator_args: Option<String>,
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

    /// Reads a `.deployment` file's bytes as Kudu does: decoded as .NET's
    /// `File.ReadAllLines` decodes ([`decode_as_dotnet`]: a UTF-8 byte order mark dropped,
    /// UTF-16 and UTF-32 with theirs read), then [`Deployment::parse`].
    pub fn read(bytes: &[u8]) -> Deployment {
        Deployment::parse(&decode_as_dotnet(bytes))
    }

    /// Reads the `[config]` section as Kudu's `IniFile` does (projectkudu/kudu
    /// `Kudu.Core/Infrastructure/IniFile.cs` @7e7e310): lines end at CR, LF or CRLF, are
    /// trimmed and blank ones skipped; a line `[name]` longer than two characters opens the
    /// section `name` (trimmed, compared without ASCII case), and a repeated
    /// section replaces the earlier one; lines before any section are ignored; in a section,
    /// `key = value` up to the first `=` sets the key (trimmed, without case) to the trimmed
    /// value, the last occurrence winning. There are no comments: `; project = x` sets a key
    /// named `; project`. An empty value counts as unset, as Kudu's `String.IsNullOrEmpty`
    /// check does (Kudu.Core/Settings/DeploymentSettingsManager.cs).
    pub fn parse(text: &str) -> Deployment {
        let value = |key: &str| ini_value(text, "config", key).filter(|v| !v.is_empty());
        Deployment {
            project: value("project").map(|p| clean_dir(&p)),
            command: value("command"),
            script_generator_args: value("SCM_SCRIPT_GENERATOR_ARGS"),
        }
    }
}

/// The value `IniFile.GetSectionValues(section)[key]` has in Kudu for this text (see
/// [`Deployment::parse`]); `Some("")` for a key set to nothing.
pub fn ini_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut found: Option<Option<String>> = None;
    let mut in_section = false;
    for line in dotnet_lines(text) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.chars().count() > 2 && line.starts_with('[') && line.ends_with(']') {
            let name = line[1..line.len() - 1].trim();
            if !name.is_empty() {
                in_section = ordinal_ignore_case_eq(name, section);
                if in_section {
                    found = Some(None);
                }
            }
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if in_section && !k.is_empty() && ordinal_ignore_case_eq(k.trim(), key) {
            found = Some(Some(v.trim().to_string()));
        }
    }
    found.flatten()
}

/// The lines of `text` as .NET's `StreamReader.ReadLine` gives them: each ends at CR, LF or
/// CRLF.
fn dotnet_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(['\r', '\n']) {
            Some(at) => {
                let skip = if current[at..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = Some(&current[at + skip..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                (!current.is_empty()).then_some(current)
            }
        }
    })
}

/// .NET's `StringComparer.OrdinalIgnoreCase` as it decides for the names Kudu looks up
/// (`config`, `project`, `command`, all ASCII): ASCII letters without case; no other
/// character folds to one of them (`[conf\u{131}g]` with a dotless i is another section, as
/// Mono's run of Kudu's IniFile shows).
fn ordinal_ignore_case_eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Text as .NET's `File.ReadAllLines` decodes a file (UTF-8 unless a byte order mark says
/// otherwise; `StreamReader` with `detectEncodingFromByteOrderMarks`): `EF BB BF` is UTF-8
/// and dropped, `FF FE` UTF-16 LE (`FF FE 00 00` UTF-32 LE), `FE FF` UTF-16 BE,
/// `00 00 FE FF` UTF-32 BE. Bytes that are not valid in the encoding become U+FFFD.
pub fn decode_as_dotnet(bytes: &[u8]) -> String {
    fn units<const N: usize>(bytes: &[u8], each: fn([u8; N]) -> u32) -> Vec<u32> {
        bytes
            .chunks(N)
            .map(|c| <[u8; N]>::try_from(c).map_or(u32::MAX, each))
            .collect()
    }
    fn utf16(units: &[u32]) -> String {
        // An odd last byte is no whole code unit: U+FFFD.
        let code_units = units.iter().map(|&u| u16::try_from(u).unwrap_or(0xFFFD));
        char::decode_utf16(code_units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    }
    fn utf32(units: Vec<u32>) -> String {
        units
            .into_iter()
            .map(|u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    }
    match bytes {
        [0xFF, 0xFE, 0, 0, rest @ ..] => utf32(units(rest, u32::from_le_bytes)),
        [0, 0, 0xFE, 0xFF, rest @ ..] => utf32(units(rest, u32::from_be_bytes)),
        [0xFF, 0xFE, rest @ ..] => utf16(&units(rest, |b| u32::from(u16::from_le_bytes(b)))),
        [0xFE, 0xFF, rest @ ..] => utf16(&units(rest, |b| u32::from(u16::from_be_bytes(b)))),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
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

    /// .NET's `File.ReadAllLines`, which Kudu's IniFile reads with: a byte order mark is
    /// dropped (UTF-8) or decides the encoding (UTF-16, UTF-32); CR alone ends a line too.
    #[test]
    fn read_as_dotnet_decodes_it() {
        let text = "[config]\r\nproject = src/web\r\ncommand = bash deploy.sh\r\n";
        let utf16 = |be: bool| -> Vec<u8> {
            let bom: &[u8] = if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] };
            let mut bytes = bom.to_vec();
            for unit in text.encode_utf16() {
                bytes.extend(if be {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                });
            }
            bytes
        };
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(text.as_bytes());
        for bytes in [
            bom,
            utf16(false),
            utf16(true),
            text.replace("\r\n", "\r").into_bytes(),
        ] {
            let d = Deployment::read(&bytes);
            assert_eq!(d.project.as_deref(), Some("src/web"), "{bytes:?}");
            assert_eq!(d.command.as_deref(), Some("bash deploy.sh"), "{bytes:?}");
        }
        assert_eq!(Deployment::read(b"\xef\xbb\xbf"), Deployment::default());
        assert_eq!(
            Deployment::read(b"[conf\xc4\xb1g]\nproject = a\n")
                .project
                .as_deref(),
            None,
            "the dotless i is no i, also without case"
        );
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
                command: Some(command.into()),
                ..Deployment::default()
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
