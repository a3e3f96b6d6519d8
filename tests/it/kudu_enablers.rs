//! Which builder Kudu picks for an app folder, against Kudu's own site enablers
//! (projectkudu/kudu `NodeSiteEnabler.cs`, `PythonSiteEnabler.cs` @7e7e310; KuduLite's
//! `NodeSiteEnabler.cs` @3854066; in ../shared/thirdparty), compiled with Mono beside a
//! harness of this test's own whose `FileSystemHelpers` stand-in has the file system's
//! semantics: on Windows names match without case and `*.py` matches the extension without
//! case, on Linux names match exactly. Over generated app folders (Node's files, IIS start
//! pages, requirements.txt, `.py` files, runtime.txt in several encodings, names in other
//! cases): envguard's pick (`builder::not_python`, `builder::kudulite_not_python`) must be
//! Kudu's (Node first, then Python).

use std::path::Path;
use std::process::Command;

use crate::support::{Gen, mono_program, run_ok, thirdparty};

use envguard::analyze::builder::{kudulite_not_python, not_python};

const CASES: usize = 300;

/// The stand-ins and `Main`: for each folder, `LooksLikeNode` and `LooksLikePython` as
/// `1`/`0`. The first argument says the system: `windows` or `linux`.
const HARNESS: &str = r#"
using System;
using System.IO;
using System.Linq;
using Kudu.Core.Deployment.Generator;

namespace System.IO.Abstractions { class Unused { } }

namespace Kudu.Core.Helpers
{
    static class OSDetector
    {
        public static bool IsOnWindows() { return Harness.Windows; }
    }
}

namespace Kudu.Core.Infrastructure
{
    static class FileSystemHelpers
    {
        static string Find(string path)
        {
            var dir = Path.GetDirectoryName(path);
            var name = Path.GetFileName(path);
            if (!Harness.Windows) return File.Exists(path) ? path : null;
            return Directory.GetFiles(dir).FirstOrDefault(
                f => string.Equals(Path.GetFileName(f), name, StringComparison.OrdinalIgnoreCase));
        }
        public static bool FileExists(string path) { return Find(path) != null; }
        public static string[] GetFiles(string folder, string pattern)
        {
            var ext = pattern.Substring(1);
            var comparison = Harness.Windows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            return Directory.GetFiles(folder).Where(f => Path.GetFileName(f).EndsWith(ext, comparison)).ToArray();
        }
        public static string ReadAllTextFromFile(string path) { return File.ReadAllText(Find(path)); }
    }
}

static class Harness
{
    public static bool Windows;

    static void Main(string[] args)
    {
        Windows = args[0] == "windows";
        foreach (var folder in args.Skip(1))
        {
            Console.WriteLine((NodeSiteEnabler.LooksLikeNode(folder) ? "1" : "0")
                + (Windows ? (PythonSiteEnabler.LooksLikePython(folder) ? "1" : "0") : "-"));
        }
    }
}
"#;

/// One generated app folder: its files' names and contents.
fn generate(g: &mut Gen) -> Vec<(String, Vec<u8>)> {
    let names = [
        "package.json",
        "Package.JSON",
        "server.js",
        "App.js",
        "app.js",
        "index.html",
        "Default.htm",
        "requirements.txt",
        "requirements.txt",
        "Requirements.TXT",
        "app.py",
        "main.PY",
        "tool.pyc",
        "setup.cfg",
    ];
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for _ in 0..g.below(5) {
        let name = g.pick(&names).to_string();
        if !files.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            files.push((name, b"x\n".to_vec()));
        }
    }
    if g.chance(50) {
        let text = g.pick(&[
            "python-3.6\n",
            "PYTHON-3.4",
            "3.6\n",
            "  Python\r\n",
            "node",
        ]);
        let bytes = match g.below(4) {
            0 => [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
            1 => {
                let mut bytes = vec![0xFF, 0xFE];
                text.encode_utf16()
                    .for_each(|u| bytes.extend(u.to_le_bytes()));
                bytes
            }
            _ => text.as_bytes().to_vec(),
        };
        let name = g
            .pick(&["runtime.txt", "runtime.txt", "Runtime.txt"])
            .to_string();
        files.push((name, bytes));
    }
    files
}

fn enablers(
    dir: &Path,
    system: &str,
    sources: &[std::path::PathBuf],
    folders: &[std::path::PathBuf],
) -> Vec<String> {
    let build = dir.join(system);
    std::fs::create_dir_all(&build).expect("build dir");
    let exe = mono_program(&build, sources, HARNESS);
    let out = run_ok(Command::new("mono").arg(&exe).arg(system).args(folders));
    out.lines().map(str::to_string).collect()
}

#[test]
#[ignore = "needs mono-mcs and ../shared/thirdparty (the platforms' own code; .ci/run runs it)"]
fn the_builder_is_picked_as_kudus_own_site_enablers_pick_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut g = Gen::seeded(0x656e_6162);
    let cases: Vec<Vec<(String, Vec<u8>)>> = (0..CASES).map(|_| generate(&mut g)).collect();
    let folders: Vec<std::path::PathBuf> = cases
        .iter()
        .enumerate()
        .map(|(i, files)| {
            let folder = dir.path().join(format!("app-{i}"));
            std::fs::create_dir_all(&folder).expect("app folder");
            for (name, bytes) in files {
                std::fs::write(folder.join(name), bytes).expect("file");
            }
            folder
        })
        .collect();
    let kudu = "kudu/src/Kudu.Core/Deployment/Generator";
    let windows = enablers(
        dir.path(),
        "windows",
        &[
            thirdparty(&format!("{kudu}/NodeSiteEnabler.cs")),
            thirdparty(&format!("{kudu}/PythonSiteEnabler.cs")),
        ],
        &folders,
    );
    let linux = enablers(
        dir.path(),
        "linux",
        &[
            thirdparty("kudulite/src/Kudu.Core/Deployment/Generator/NodeSiteEnabler.cs"),
            thirdparty("kudulite/src/Kudu.Core/Deployment/Generator/PythonSiteEnabler.cs"),
        ],
        &folders,
    );
    assert_eq!((windows.len(), linux.len()), (CASES, CASES));
    let mut wrong = Vec::new();
    let mut python = 0;
    for (i, files) in cases.iter().enumerate() {
        let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
        let runtime = files
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("runtime.txt"))
            .map(|(_, b)| b.as_slice());
        // Kudu on Windows builds Python when the folder is no Node site and looks like Python.
        let kudu_python = windows[i] == "01";
        let ours = not_python(&names, runtime).is_none();
        python += usize::from(ours);
        if kudu_python != ours {
            wrong.push(format!(
                "windows {names:?} {runtime:?}: Kudu {}, envguard python {ours}",
                windows[i]
            ));
        }
        // KuduLite: Node first; the rest is Python on a Python site.
        let kudulite_node = linux[i].starts_with('1');
        if kudulite_node == kudulite_not_python(&names).is_none() {
            wrong.push(format!(
                "linux {names:?}: KuduLite {}, envguard node {}",
                linux[i], !kudulite_node
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {CASES} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        python > 30 && python < CASES - 30,
        "{python} picked as Python"
    );
}
