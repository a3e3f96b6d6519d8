//! Files as Kudu reads them, on real repositories: `.deployment` in the encodings .NET's
//! `File.ReadAllLines` reads (a UTF-8 byte order mark, UTF-16 with one; projectkudu/kudu
//! `Kudu.Core/Infrastructure/IniFile.cs`), by `envguard check` and by `envguard
//! deploy-script`, and on App Service on Windows, file and folder names without case, as
//! Windows file systems find them.

use crate::cmd_snapshot;
use crate::support::{Filters, Repo};

/// `text` as Visual Studio writes it (a UTF-8 byte order mark) or PowerShell 5 does
/// (UTF-16 LE with its mark), or UTF-16 BE with its mark.
fn encoded(text: &str, how: &str) -> Vec<u8> {
    let utf16 = |bom: [u8; 2], unit: fn(u16) -> [u8; 2]| {
        let mut bytes = bom.to_vec();
        text.encode_utf16().for_each(|u| bytes.extend(unit(u)));
        bytes
    };
    match how {
        "utf-8 bom" => [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
        "utf-16le" => utf16([0xFF, 0xFE], u16::to_le_bytes),
        "utf-16be" => utf16([0xFE, 0xFF], u16::to_be_bytes),
        _ => text.as_bytes().to_vec(),
    }
}

const ENCODINGS: [&str; 3] = ["utf-8 bom", "utf-16le", "utf-16be"];

/// The app in `src/web`, named by a `.deployment` in `encoding`, then `b` removed.
fn app_in_subfolder(encoding: &str) -> Repo {
    let repo = Repo::new();
    repo.write("src/web/requirements.txt", "a\nb\n");
    repo.write("src/web/app.py", "print('hi')\n");
    repo.write("src/web/runtime.txt", "python-3.6\n");
    repo.write(
        ".deployment",
        encoded("[config]\r\nproject = src/web\r\n", encoding),
    );
    repo.commit("App in src/web");
    repo.write("src/web/requirements.txt", "a\n");
    repo.commit("Drop b");
    repo.git(&["config", "envguard.platform", "kudu-windows"]);
    repo
}

#[test]
fn a_deployment_with_a_byte_order_mark_names_the_app_folder() {
    for encoding in ENCODINGS {
        let repo = app_in_subfolder(encoding);
        let (json, _) = repo.check_json("HEAD^..HEAD");
        assert_eq!(
            json["removed"],
            serde_json::json!(["b"]),
            "{encoding}: {json}"
        );
        assert_eq!(
            json["reasons"][0]["file"], "src/web/requirements.txt",
            "{encoding}: {json}"
        );
    }
}

/// `deploy-script` keeps what a byte-order-marked `.deployment` says: its `project` goes
/// into the script, and another `command` is not replaced.
#[test]
fn deploy_script_keeps_the_settings_of_a_deployment_with_a_byte_order_mark() {
    for encoding in ENCODINGS {
        let repo = app_in_subfolder(encoding);
        let out = repo.envguard(&["deploy-script", "--platform", "kudu-windows"]);
        assert!(out.status.success(), "{encoding}: {out:?}");
        let script = std::fs::read_to_string(repo.path.join("deploy.cmd")).expect("deploy.cmd");
        assert!(
            script.contains("-f \"%DEPLOYMENT_SOURCE%\\src\\web\" -t"),
            "{encoding}: the app folder is kept: {script}"
        );

        let repo = Repo::new();
        let custom = encoded("[config]\r\ncommand = custom.cmd\r\n", encoding);
        repo.write(".deployment", &custom);
        repo.write("custom.cmd", "echo custom\r\n");
        let out = repo.envguard(&["deploy-script", "--platform", "kudu-windows"]);
        assert_eq!(out.status.code(), Some(1), "{encoding}: {out:?}");
        // The same words in every encoding.
        cmd_snapshot!(
            Filters::new().repo(&repo, "REPO"),
            "deploy_script_refused_for_a_custom_command",
            out
        );
        assert_eq!(
            std::fs::read(repo.path.join(".deployment")).expect(".deployment"),
            custom,
            "{encoding}: left as it was"
        );
    }
}

/// Kudu on Windows finds `.Deployment`, `Requirements.txt` and `Runtime.txt`, and the
/// folder `src/web` for `project = Src/Web`: NTFS ignores case. On Linux none of them is
/// the file the platform reads.
#[test]
fn on_windows_file_names_match_without_case() {
    let repo = Repo::new();
    repo.write("src/web/Requirements.txt", "a\nb\n");
    repo.write("src/web/app.py", "print('hi')\n");
    repo.write("src/web/Runtime.txt", "python-3.6\n");
    repo.write(".Deployment", "[config]\nproject = Src/Web\n");
    repo.commit("App in src/web");
    repo.write("src/web/Requirements.txt", "a\n");
    repo.commit("Drop b");
    repo.git(&["config", "envguard.platform", "kudu-windows"]);
    let (json, _) = repo.check_json("HEAD^..HEAD");
    assert_eq!(json["removed"], serde_json::json!(["b"]), "{json}");
    assert_eq!(
        json["reasons"][0]["file"], "src/web/Requirements.txt",
        "{json}"
    );
    // Runtime.txt is the runtime file there: a runtime Kudu does not support is refused.
    repo.write("src/web/Runtime.txt", "python-3.7\n");
    repo.commit("Unsupported runtime");
    let (json, code) = repo.check_json("HEAD^..HEAD");
    assert_ne!(code, 0, "{json}");
    assert!(json["errors"].to_string().contains("python-3.7"), "{json}");
    // An include written in another case is the same file there, as pip on Windows opens it.
    repo.write("src/web/Requirements.txt", "a\n-r More.txt\n");
    repo.write("src/web/more.txt", "c\nd\n");
    repo.write("src/web/Runtime.txt", "python-3.6\n");
    repo.commit("An include");
    repo.write("src/web/more.txt", "c\n");
    repo.commit("Drop d");
    let (json, _) = repo.check_json("HEAD^..HEAD");
    assert_eq!(json["removed"], serde_json::json!(["d"]), "{json}");
    // On Linux (a self-hosted server) the names are other files.
    repo.git(&["config", "envguard.platform", "self-hosted"]);
    let (json, _) = repo.check_json("HEAD~4..HEAD~3");
    assert_eq!(json["removed"], serde_json::json!([]), "{json}");
}

/// `project` as Kudu resolves it (`Path.GetFullPath` of the repository and the value):
/// doubled separators, `.` and `..` parts name the same folder, and a removal there is seen;
/// a NUL in the value names nothing and breaks nothing.
#[test]
fn a_project_path_is_resolved_as_kudu_resolves_it() {
    for project in ["src//web", "./src/./web", "src/x/../web", "/src/web/"] {
        let repo = Repo::new();
        repo.write("src/web/requirements.txt", "a\nb\n");
        repo.write("src/web/app.py", "print('hi')\n");
        repo.write(".deployment", format!("[config]\nproject = {project}\n"));
        repo.commit("App in src/web");
        repo.write("src/web/requirements.txt", "a\n");
        repo.commit("Drop b");
        repo.git(&["config", "envguard.platform", "kudu-windows"]);
        let (json, code) = repo.check_json("HEAD~1..HEAD");
        assert_eq!(code, 0, "{project}: {json}");
        assert_eq!(json["verdict"], "wipe", "{project}: {json}");
    }
    let repo = Repo::new();
    repo.write("requirements.txt", "a\n");
    repo.write(".deployment", "[config]\nproject=a\0\n");
    repo.commit("A NUL in project");
    repo.git(&["config", "envguard.platform", "kudu-windows"]);
    cmd_snapshot!(
        Filters::new().repo(&repo, "REPO"),
        "check_nul_in_the_deployment_project",
        repo.envguard(&["check", "HEAD", "--format", "json"])
    );
}
