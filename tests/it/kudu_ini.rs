//! envguard's reading of `.deployment` against Kudu's own `IniFile` (projectkudu/kudu
//! `Kudu.Core/Infrastructure/IniFile.cs` @7e7e310, in ../shared/thirdparty/kudu), compiled
//! with Mono beside a harness of this test's own that prints what
//! `GetSectionValues("config")` holds for `project` and `command`, over generated files:
//! byte order marks (UTF-8, UTF-16 LE/BE, UTF-32), UTF-16 without one, CR, LF and CRLF line
//! ends, repeated and misspelt sections, odd spacing, empty values, case variants, comment
//! look-alikes. For each, Kudu's values must be envguard's.

use std::path::Path;
use std::process::Command;

use crate::support::{Gen, mono_program, run_ok, thirdparty};

use envguard::deployment::{Deployment, decode_as_dotnet, ini_value};
use envguard::paths::clean_dir;

const CASES: usize = 400;

/// The harness: one line per file, `project=VALUE|command=VALUE|`, each value with every
/// UTF-16 unit outside printable ASCII (and `\` and `|`) as `\uXXXX`, `<none>` when unset.
const HARNESS: &str = r#"
using System;
using System.Text;
using Kudu.Core.Infrastructure;

static class Harness
{
    static string Shown(string value)
    {
        if (value == null) return "<none>";
        var sb = new StringBuilder();
        foreach (char c in value)
        {
            if (c >= 0x20 && c < 0x7f && c != '\\' && c != '|') sb.Append(c);
            else sb.AppendFormat("\\u{0:x4}", (int)c);
        }
        return sb.ToString();
    }

    static void Main(string[] args)
    {
        foreach (var path in args)
        {
            var section = new IniFile(path).GetSectionValues("config");
            var line = new StringBuilder();
            foreach (var key in new[] { "project", "command" })
            {
                string value = null;
                if (section != null) section.TryGetValue(key, out value);
                line.Append(key).Append('=').Append(Shown(value)).Append('|');
            }
            Console.WriteLine(line.ToString());
        }
    }
}
"#;

/// The harness's line for envguard's values.
fn shown(project: Option<String>, command: Option<String>) -> String {
    let one = |value: Option<String>| match value {
        None => "<none>".to_string(),
        Some(v) => v
            .encode_utf16()
            .map(|u| match u {
                0x20..0x7f if u != u16::from(b'\\') && u != u16::from(b'|') => {
                    char::from_u32(u32::from(u)).map_or_else(String::new, String::from)
                }
                _ => format!("\\u{u:04x}"),
            })
            .collect(),
    };
    format!("project={}|command={}|", one(project), one(command))
}

/// The values of a harness line (`project=...|command=...|`).
fn unshown(line: &str) -> (Option<String>, Option<String>) {
    let value = |field: &str| -> Option<String> {
        let (_, v) = field.split_once('=')?;
        if v == "<none>" {
            return None;
        }
        let mut units = Vec::new();
        let mut rest = v;
        while !rest.is_empty() {
            match rest
                .strip_prefix("\\u")
                .and_then(|r| Some((u16::from_str_radix(r.get(..4)?, 16).ok()?, &r[4..])))
            {
                Some((unit, after)) => {
                    units.push(unit);
                    rest = after;
                }
                None => {
                    let c = rest.chars().next()?;
                    let mut buf = [0u16; 2];
                    units.extend_from_slice(c.encode_utf16(&mut buf));
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        Some(String::from_utf16_lossy(&units))
    };
    let mut fields = line.split('|');
    let project = fields.next().and_then(value);
    let command = fields.next().and_then(value);
    (project, command)
}

/// Kudu's IniFile and the harness, compiled.
fn compile(dir: &Path) -> std::path::PathBuf {
    let ini = thirdparty("kudu/src/Kudu.Core/Infrastructure/IniFile.cs");
    mono_program(dir, &[ini], HARNESS)
}

/// One generated `.deployment`, as bytes on disk.
fn generate(g: &mut Gen) -> Vec<u8> {
    let sections = [
        "[config]",
        "[config]",
        "[config]",
        "[CONFIG]",
        "[ config ]",
        "[Config]",
        "  [config]\t",
        "[other]",
        "[]",
        "[ ]",
        "[conf\u{131}g]",
        "[config",
        "config]",
        "[[config]]",
    ];
    let entries = [
        "project = src/web",
        "PROJECT=Src/Web",
        " project =  app ",
        "project =",
        "project",
        "; project = commented",
        "#command = commented",
        "command = bash deploy.sh",
        "command=deploy.sh",
        "Command=deploy.cmd",
        "command = a = b",
        "=x",
        " = y",
        "project = \u{a0}nbsp\u{a0}",
        "proj\u{e9}ct = accent",
        "project\t=\ttabbed",
        "pro ject = spaced",
        "COMMAND = \"deploy.cmd\" --flag",
        "project = \u{1d11e}/music",
        "SCM_DO_BUILD_DURING_DEPLOYMENT = true",
    ];
    let blanks = ["", "   ", "\t", "\u{3000}"];
    let mut lines: Vec<&str> = Vec::new();
    if g.chance(75) {
        lines.push(g.pick(&sections));
    }
    for _ in 0..g.below(9) + 1 {
        lines.push(match g.below(10) {
            0..=1 => g.pick(&sections),
            2 => g.pick(&blanks),
            _ => g.pick(&entries),
        });
    }
    let ends = ["\n", "\r\n", "\r"];
    let mixed = g.chance(15);
    let end = g.pick(&ends);
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        text.push_str(line);
        if i + 1 < lines.len() || g.chance(70) {
            text.push_str(if mixed { g.pick(&ends) } else { end });
        }
    }
    let utf16 = |le: bool, bom: bool| -> Vec<u8> {
        let mut bytes = match (bom, le) {
            (false, _) => Vec::new(),
            (true, true) => vec![0xFF, 0xFE],
            (true, false) => vec![0xFE, 0xFF],
        };
        for unit in text.encode_utf16() {
            bytes.extend(if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        bytes
    };
    match g.below(20) {
        0..=4 => [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
        5..=7 => utf16(true, true),
        8..=9 => utf16(false, true),
        10 => utf16(true, false),
        11 => {
            let mut bytes = vec![0xFF, 0xFE, 0, 0];
            for c in text.chars() {
                bytes.extend(u32::from(c).to_le_bytes());
            }
            bytes
        }
        _ => text.into_bytes(),
    }
}

#[test]
#[ignore = "needs mono-mcs and ../shared/thirdparty/kudu (the platforms' own code; .ci/run runs it)"]
fn deployment_is_read_as_kudus_own_ini_file_reads_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = compile(dir.path());
    let mut g = Gen::seeded(0x696e_6966);
    let files: Vec<Vec<u8>> = (0..CASES).map(|_| generate(&mut g)).collect();
    let paths: Vec<std::path::PathBuf> = files
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let path = dir.path().join(format!("{i}.deployment"));
            std::fs::write(&path, bytes).expect("write");
            path
        })
        .collect();
    let out = run_ok(Command::new("mono").arg(&exe).args(&paths));
    let theirs: Vec<&str> = out.lines().collect();
    assert_eq!(theirs.len(), CASES, "{out}");
    let mut disagreements = Vec::new();
    let (mut with_project, mut with_command) = (0, 0);
    for (bytes, kudu) in files.iter().zip(&theirs) {
        let text = decode_as_dotnet(bytes);
        let ours = shown(
            ini_value(&text, "config", "project"),
            ini_value(&text, "config", "command"),
        );
        // What envguard makes of the file, against what it makes of Kudu's values (an
        // empty value is none, as Kudu's settings take it; the project a folder).
        let read = Deployment::read(bytes);
        let (project, command) = unshown(kudu);
        let expected = Deployment {
            project: project.filter(|p| !p.is_empty()).map(|p| clean_dir(&p)),
            command: command.filter(|c| !c.is_empty()),
            // The generated files set no SCM_SCRIPT_GENERATOR_ARGS.
            script_generator_args: read.script_generator_args.clone(),
        };
        if ours != *kudu || read != expected {
            disagreements.push(format!(
                "{bytes:?}:\n  Kudu     {kudu}\n  envguard {ours}\n  read     {read:?}"
            ));
        }
        with_project += usize::from(read.project.is_some());
        with_command += usize::from(read.command.is_some());
    }
    assert!(
        disagreements.is_empty(),
        "{} of {CASES} differ:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // The generator reaches both values set and unset, or the comparison shows little.
    assert!(
        with_project > 60 && with_command > 60 && with_project < CASES - 60,
        "{with_project} with a project, {with_command} with a command"
    );
}
