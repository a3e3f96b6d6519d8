//! envguard's reading of App Service on Linux's build settings against KuduLite's own code
//! (Azure-App-Service/KuduLite @3854066, in ../shared/thirdparty/kudulite):
//! `StringUtils.IsTrueLike` (`ENABLE_ORYX_BUILD`, `SCM_DO_BUILD_DURING_DEPLOYMENT`) and
//! `BuildFlagsHelper.Parse` (`BUILD_FLAGS`, .NET's `Enum.Parse`), compiled with Mono beside
//! a harness of this test's own, over generated values: case, spaces around and inside,
//! numbers with signs and leading zeros, comma lists, out-of-range numbers, near-miss names.

use std::process::Command;

use crate::support::{Gen, mono_program, run_ok, thirdparty};

use envguard::platform::detect::{build_flags_off, true_like};

const CASES: usize = 400;

/// One line per value (given as UTF-16 units in hex, `-` for the empty value):
/// `IsTrueLike` and whether `BuildFlagsHelper.Parse` is `Off`, as `1`/`0`.
const HARNESS: &str = r#"
using System;
using System.IO;
using System.Text;
using Kudu.Contracts.Infrastructure;
using Kudu.Core.Deployment;

static class Harness
{
    static void Main(string[] args)
    {
        foreach (var line in File.ReadAllLines(args[0]))
        {
            var value = new StringBuilder();
            if (line != "-")
            {
                for (int i = 0; i < line.Length; i += 4)
                    value.Append((char)Convert.ToInt32(line.Substring(i, 4), 16));
            }
            var v = value.ToString();
            var off = BuildFlagsHelper.Parse(v) == BuildOptimizationsFlags.Off;
            Console.WriteLine((StringUtils.IsTrueLike(v) ? "1" : "0") + (off ? "1" : "0"));
        }
    }
}
"#;

fn generate(g: &mut Gen) -> String {
    let words = [
        "Off",
        "off",
        "OFF",
        "None",
        "CompressModules",
        "UseTempDirectory",
        "DeploymentV2",
        "0",
        "00",
        "+0",
        "-0",
        "1",
        "01",
        "-1",
        "5",
        "6",
        "99999999999",
        "true",
        "True",
        "TRUE",
        "false",
        "yes",
        "",
        "0x0",
        "Of f",
    ];
    let spaces = ["", "", "", " ", "\t", "  ", "\u{a0}"];
    let mut value = String::new();
    for i in 0..=g.below(3).saturating_sub(1) {
        if i > 0 {
            value.push_str(g.pick(&[",", ", ", " ,", ";"]));
        }
        value.push_str(g.pick(&spaces));
        value.push_str(g.pick(&words));
        value.push_str(g.pick(&spaces));
    }
    value
}

#[test]
#[ignore = "needs mono-mcs and ../shared/thirdparty/kudulite (the platforms' own code; .ci/run runs it)"]
fn build_settings_are_read_as_kudulites_own_code_reads_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = mono_program(
        dir.path(),
        &[
            thirdparty("kudulite/src/Kudu.Contracts/Infrastructure/StringUtils.cs"),
            thirdparty("kudulite/src/Kudu.Core/Deployment/Oryx/BuildFlags.cs"),
        ],
        HARNESS,
    );
    let mut g = Gen::seeded(0x6b75_6c74);
    let values: Vec<String> = (0..CASES).map(|_| generate(&mut g)).collect();
    let encoded: Vec<String> = values
        .iter()
        .map(|v| {
            if v.is_empty() {
                "-".to_string()
            } else {
                v.encode_utf16().map(|u| format!("{u:04x}")).collect()
            }
        })
        .collect();
    let input = dir.path().join("values.txt");
    std::fs::write(&input, encoded.join("\n")).expect("values");
    let out = run_ok(Command::new("mono").arg(&exe).arg(&input));
    let theirs: Vec<&str> = out.lines().collect();
    assert_eq!(theirs.len(), CASES, "{out}");
    let mut disagreements = Vec::new();
    let (mut off, mut true_likes) = (0, 0);
    for (value, kudulite) in values.iter().zip(&theirs) {
        let ours = format!(
            "{}{}",
            u8::from(true_like(value)),
            u8::from(build_flags_off(value))
        );
        off += usize::from(build_flags_off(value));
        true_likes += usize::from(true_like(value));
        if ours != *kudulite {
            disagreements.push(format!("{value:?}: KuduLite {kudulite}, envguard {ours}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {CASES} differ (IsTrueLike, Parse == Off):\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(
        off > 30 && true_likes > 10,
        "{off} off, {true_likes} true-like"
    );
}
