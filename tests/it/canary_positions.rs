//! A secret is secret because of where it stands: URL user information with any legal
//! character, every query-string value and fragment of a URL envguard did not build, the
//! HTTP client's request at any log level, the credential options of `envguard.command`.
//! One test per position, each with real git and real pushes, and a generated canary that
//! builds secrets of arbitrary legal characters for every position at once.

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine;
use proptest::prelude::*;

use crate::support::kudu_api::{ApiSettings, KuduApi, use_api};
use crate::support::{Deployment, Repo, envguard_bin};

/// Everything a process said.
fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Fails when `text` holds any of `secrets`.
fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{what} shows the secret {secret:?}:\n{text}"
        );
    }
}

/// Every file under `dir` (recursively), as text.
fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                found.push((path, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    found
}

/// Every commit message and ref name of a repository.
fn commits_and_refs(repo: &Repo) -> String {
    format!(
        "{}\n{}",
        repo.git(&["log", "--all", "--format=%H%n%B"]),
        repo.git(&["for-each-ref", "--format=%(refname)"])
    )
}

/// A deployment whose clone pushes to `push_url` (rewritten by `insteadOf` to the local
/// bare repository, as a CI job's `git push https://deployer:PW@…` is), with `before`
/// deployed and `after` committed, the push to check.
struct Scene {
    d: Deployment,
    push_url: String,
    env: Vec<(String, String)>,
}

impl Scene {
    fn new(before: &str, after: &str, push_url: &str, mode: &str) -> Scene {
        let d = Deployment::new(&[
            ("requirements.txt", before),
            ("runtime.txt", "python-3.6\n"),
            ("app.py", "print('hi')\n"),
        ]);
        d.clone.git(&[
            "config",
            &format!("url.{}.insteadOf", d.server.path.display()),
            push_url,
        ]);
        d.clone
            .git(&["config", "envguard.remote", "*site.scm.example.invalid*"]);
        d.clone.git(&["config", "envguard.mode", mode]);
        // The deploy remote names the URL too, as `hook status` and `platform` show it.
        d.clone.git(&["config", "remote.origin.pushurl", push_url]);
        d.clone.write("requirements.txt", after);
        d.clone.commit("Change the requirements");
        Scene {
            d,
            push_url: push_url.to_string(),
            env: vec![("ENVGUARD_LOG".to_string(), "debug".to_string())],
        }
    }

    fn push(&self) -> String {
        let mut cmd = self.d.clone.cmd("git");
        cmd.args(["push", self.push_url.as_str(), "master"])
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        said(&cmd.output().expect("push"))
    }

    fn envguard(&self, args: &[&str]) -> String {
        said(
            &self
                .d
                .clone
                .cmd(envguard_bin())
                .args(args)
                .envs(self.env.iter().map(|(k, v)| (k, v)))
                .output()
                .expect("envguard"),
        )
    }

    /// `check` in every format, `platform` and `hook status`: what they all said.
    fn every_report(&self) -> Vec<(String, String)> {
        [
            &["check", "HEAD~1..HEAD"][..],
            &["check", "HEAD~1..HEAD", "--format", "json"],
            &["check", "HEAD~1..HEAD", "--diff"],
            &["-v", "check", "HEAD~1..HEAD"],
            &["platform"],
            &["hook", "status"],
        ]
        .iter()
        .map(|args| (format!("envguard {args:?}"), self.envguard(args)))
        .collect()
    }

    /// The files envguard keeps in the clone and every commit and ref of both sides.
    fn assert_stores_nothing(&self, what: &str, secrets: &[String]) {
        for (path, text) in files_under(&self.d.clone.path.join(".git/envguard")) {
            assert_clean(&format!("{what}: {}", path.display()), &text, secrets);
        }
        for repo in [&self.d.clone, &self.d.server] {
            assert_clean(
                &format!("{what}: commits and refs"),
                &commits_and_refs(repo),
                secrets,
            );
        }
    }
}

/// Passwords with the characters user information may hold (sub-delimiters, `:` after the
/// first, percent escapes) and a raw `@`, each with a mark of its own.
const HOSTILE_PASSWORDS: [&str; 4] = [
    "it's;Mk1req!$(x)",
    // An option line is split as a shell would (pip does so): no raw quote in it.
    "%40Mk2idx%27*+,=!",
    "a(b)Mk3push;'$",
    "q:Mk4api~%27!",
];

#[test]
fn a_password_with_any_legal_character_is_masked_in_every_output() {
    let [req, index, push, api] = HOSTILE_PASSWORDS;
    let with_tool = format!(
        "--extra-index-url https://u:{index}@pkgs.corp.invalid/simple\n\
         flask==2.0.1\n\
         git+https://ci:{req}@git.corp.invalid/org/tool.git@v1\n"
    );
    let without =
        format!("--extra-index-url https://u:{index}@pkgs.corp.invalid/simple\nflask==2.0.1\n");
    let push_url = format!("https://deployer:{push}@site.scm.example.invalid/site.git");
    let s = Scene::new(&with_tool, &without, &push_url, "warn");
    s.d.clone.git(&[
        "config",
        "envguard.scmUrl",
        &format!("https://site:{api}@site.scm.example.invalid/"),
    ]);
    // Each password whole, and the mark inside it: a scrub that stops at one of its
    // characters shows the rest, mark and all.
    let secrets: Vec<String> = HOSTILE_PASSWORDS
        .iter()
        .chain(&["Mk1req", "Mk2idx", "Mk3push", "Mk4api"])
        .map(|s| s.to_string())
        .collect();
    for (what, text) in s.every_report() {
        assert_clean(&what, &text, &secrets);
    }
    let out = s.push();
    assert!(out.contains("tool"), "the removal is named: {out}");
    assert!(out.contains("git.corp.invalid/org/tool.git"), "{out}");
    assert_clean("the pre-push hook", &out, &secrets);
    s.assert_stores_nothing("the pre-push hook", &secrets);
}

#[test]
fn query_values_and_fragments_are_masked_with_host_path_and_name_kept() {
    let sas = "sv=2024-05-04&se=2030-01-01&sp=r&sig=SasSIGcanary%2Bx%3D";
    let s3 = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAcanaryS3%2F20260101&X-Amz-Signature=s3SIGcanary";
    let before = format!(
        "flask==2.0.1\n\
         https://acct.blob.core.windows.net/wheels/tool-1.0-py3-none-any.whl?{sas}\n\
         https://bkt.s3.example.invalid/pkgs/lib-2.0.tar.gz?{s3}\n\
         https://files.corp.invalid/dl/pkg.zip?token=tokQUERYcanary#egg=pkg&sha256=fragCANARY\n"
    );
    let s = Scene::new(
        &before,
        "flask==2.0.1\n",
        "https://site.scm.example.invalid/site.git",
        "warn",
    );
    let secrets: Vec<String> = [
        "SasSIGcanary",
        "2024-05-04",
        "AKIAcanaryS3",
        "s3SIGcanary",
        "tokQUERYcanary",
        "fragCANARY",
    ]
    .map(str::to_string)
    .to_vec();
    for (what, text) in s.every_report() {
        assert_clean(&what, &text, &secrets);
    }
    let out = s.push();
    assert_clean("the pre-push hook", &out, &secrets);
    let check = s.envguard(&["check", "HEAD~1..HEAD"]);
    for kept in [
        "acct.blob.core.windows.net/wheels/tool-1.0-py3-none-any.whl?sv=***&se=***&sp=***&sig=***",
        "bkt.s3.example.invalid/pkgs/lib-2.0.tar.gz?X-Amz-Algorithm=***",
        "X-Amz-Signature=***",
        "pkg",
    ] {
        assert!(check.contains(kept), "{kept} is shown: {check}");
    }
    s.assert_stores_nothing("the pre-push hook", &secrets);
}

/// Every `width`-character window of `text`: a secret split over two lines of a dump still
/// leaves one of them whole on a line.
fn windows(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(width.min(chars.len()))
        .map(|w| w.iter().collect())
        .collect()
}

/// A scene whose site API is the local stand-in, with `password` given by the credential
/// helper, in mode `mode`; the stand-in lives as long as the returned value.
fn site_scene(mode: &str, password: &str, log: &str) -> (Scene, KuduApi, tempfile::TempDir) {
    let mut s = Scene::new(
        "flask==2.0.1\ntool==1.0\n",
        "flask==2.0.1\n",
        "https://site.scm.example.invalid/site.git",
        mode,
    );
    s.env = vec![("ENVGUARD_LOG".to_string(), log.to_string())];
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = holder.path().join("wwwroot");
    std::fs::create_dir_all(wwwroot.join("env/Lib/site-packages")).expect("env");
    std::fs::write(wwwroot.join("env/pyvenv.cfg"), "version = 3.6.8\n").expect("cfg");
    let settings = ApiSettings {
        password: password.to_string(),
        ..ApiSettings::new(&wwwroot)
    };
    let api = KuduApi::start(settings.clone());
    use_api(&s.d.clone, &api.url, &settings.user, password);
    (s, api, holder)
}

#[test]
fn the_http_clients_wire_dump_never_reaches_the_log_at_trace() {
    let password = "wireDUMPcanary-Pa55word";
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("$site:{password}"));
    let mut secrets = vec![password.to_string(), basic.clone()];
    secrets.extend(windows(&basic, 8));
    // The filter may name the client's crates: they stay out all the same.
    for (mode, log) in [
        ("remote-wipe", "trace"),
        (
            "remote-prune",
            "trace,ureq=trace,ureq_proto=trace,rustls=trace",
        ),
    ] {
        let (s, api, _holder) = site_scene(mode, password, log);
        let out = s.push();
        assert!(out.contains("site/wwwroot/env"), "{mode}: acted: {out}");
        assert_clean(&format!("git push in mode {mode} at trace"), &out, &secrets);
        for args in [
            &["wipe", "--remote", "--dry-run"][..],
            &["platform", "detect"],
            &["wipe", "--remote"],
        ] {
            let text = s.envguard(args);
            assert_clean(&format!("envguard {args:?} at trace"), &text, &secrets);
            if args != ["wipe", "--remote", "--dry-run"] {
                // envguard's own request line stands in for the dump, masked.
                assert!(
                    text.contains(&format!(" {}/api/", api.url))
                        && text.contains("(Authorization: ***"),
                    "{args:?}: {text}"
                );
            }
        }
        assert!(!api.seen().is_empty(), "the API was asked");
    }
    // An API that never answers: the timeout's message, at trace, shows nothing either.
    let (s, _api, _holder) = site_scene("remote-wipe", password, "trace");
    let holder = tempfile::tempdir().expect("tempdir");
    let hanging = KuduApi::start(ApiSettings {
        password: password.to_string(),
        hang: true,
        ..ApiSettings::new(&holder.path().join("wwwroot"))
    });
    use_api(&s.d.clone, &hanging.url, "$site", password);
    s.d.clone.git(&["config", "envguard.remoteTimeout", "1"]);
    let text = s.envguard(&["wipe", "--remote"]);
    assert!(text.contains("no answer within 1 s"), "{text}");
    assert_clean("a wipe that timed out, at trace", &text, &secrets);
}

#[test]
fn the_configured_commands_credential_options_are_masked_when_it_runs() {
    let command = "printf '%s\\n' \"${CMD_SECRET}\" && true -uci:ATTACHEDcanary -u ci:SEPARATEcanary \
                   --user=u:USERcanary --oauth2-bearer BEARERcanary \
                   -H 'Authorization: Bearer HEADERcanary' --header 'X-Api-Token: XHEADERcanary' \
                   --data '{\"token\":\"DATAcanary\"}' -d DASHDcanary --password-file=PWFILEcanary \
                   --token TOKENcanary -p DASHPcanary https://purge.invalid/x?token=QUERYcanary \
                   -a my-app";
    let secrets: Vec<String> = [
        "ATTACHEDcanary",
        "SEPARATEcanary",
        "USERcanary",
        "BEARERcanary",
        "HEADERcanary",
        "XHEADERcanary",
        "DATAcanary",
        "DASHDcanary",
        "PWFILEcanary",
        "TOKENcanary",
        "DASHPcanary",
        "QUERYcanary",
        "VARIABLEcanary",
    ]
    .map(str::to_string)
    .to_vec();
    let mut s = Scene::new(
        "flask==2.0.1\ntool==1.0\n",
        "flask==2.0.1\n",
        "https://site.scm.example.invalid/site.git",
        "command",
    );
    s.env
        .push(("CMD_SECRET".to_string(), "VARIABLEcanary".to_string()));
    s.d.clone.git(&["config", "envguard.command", command]);
    let mut dry = s.d.clone.cmd("git");
    dry.args(["push", "--dry-run", s.push_url.as_str(), "master"])
        .envs(s.env.iter().map(|(k, v)| (k, v)));
    let dry = said(&dry.output().expect("push --dry-run"));
    assert_clean("git push --dry-run in mode command", &dry, &secrets);
    let out = s.push();
    assert!(out.contains("envguard.command succeeded"), "{out}");
    // The command is recognisable: the program, a harmless option, the header names.
    for kept in ["printf", "-a my-app", "Authorization: ***", "${CMD_SECRET}"] {
        assert!(out.contains(kept), "{kept}: {out}");
    }
    assert_clean("git push in mode command", &out, &secrets);
    s.assert_stores_nothing("mode command", &secrets);

    // A command that fails shows its output: a verbose client's request headers in it
    // are header positions too.
    s.d.clone.write("requirements.txt", "");
    s.d.clone.commit("Drop flask");
    s.d.clone.git(&[
        "config",
        "envguard.command",
        "printf '> Authorization: Basic FAILEDcanary\\n> Cookie: session=COOKIEcanary\\n' >&2; exit 3",
    ]);
    let failed = s.push();
    assert!(failed.contains("> Authorization: ***"), "{failed}");
    let secrets = ["FAILEDcanary", "COOKIEcanary"].map(str::to_string);
    assert_clean("a failed envguard.command", &failed, &secrets);
}

/// The source files of the library and the binary, relative to `src/`, with their text.
fn sources() -> Vec<(PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    files_under(&src)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
        .map(|(p, text)| (p.strip_prefix(&src).unwrap_or(&p).to_path_buf(), text))
        .collect()
}

/// Where a line may leave the process other than through the printer (`src/output`): the
/// `check` and `env diff` reports (written through `Scrubbed`), and a nested `git push`
/// whose standard output goes to stderr as git writes it (it prints nothing there but
/// with `--porcelain`, which envguard never passes).
const WAYS_OUT: &[(&str, &str, usize)] = &[("cli/mod.rs", "stdout", 2), ("gitcli.rs", "stderr", 1)];

#[test]
fn the_printer_is_the_only_way_out_and_messages_hold_urls_and_commands_in_redacting_types() {
    use syn::visit::Visit;

    #[derive(Default)]
    struct Exits(Vec<String>);
    impl<'ast> Visit<'ast> for Exits {
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if let Some(last) = mac.path.segments.last() {
                let name = last.ident.to_string();
                if ["println", "eprintln", "print", "eprint", "dbg"].contains(&name.as_str()) {
                    self.0.push(name);
                }
            }
            syn::visit::visit_macro(self, mac);
        }
        fn visit_path(&mut self, path: &'ast syn::Path) {
            let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if let [.., io, stream] = names.as_slice()
                && io == "io"
                && (stream == "stdout" || stream == "stderr")
            {
                self.0.push(stream.clone());
            }
            syn::visit::visit_path(self, path);
        }
    }

    for (path, text) in sources() {
        if path.starts_with("output") {
            continue;
        }
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut exits = Exits::default();
        exits.visit_file(&file);
        for exit in &exits.0 {
            let allowed = WAYS_OUT
                .iter()
                .find(|(f, stream, _)| path == Path::new(f) && stream == exit)
                .is_some_and(|(_, stream, n)| exits.0.iter().filter(|e| e == stream).count() <= *n);
            assert!(
                allowed,
                "{}: writes with {exit} around the printer (src/output)",
                path.display()
            );
        }
    }

    // Every message field that names a remote, a URL, a command or a header is of a type
    // whose Display masks it.
    let messages: Vec<syn::File> = sources()
        .into_iter()
        .filter(|(p, _)| p.starts_with("output"))
        .map(|(p, text)| syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    assert!(
        messages.len() >= 4,
        "src/output/ holds the messages by side"
    );
    let mut checked = 0;
    for item in messages.iter().flat_map(|file| &file.items) {
        let syn::Item::Enum(e) = item else { continue };
        for field in e.variants.iter().flat_map(|v| v.fields.iter()) {
            let Some(name) = field.ident.as_ref().map(ToString::to_string) else {
                continue;
            };
            if !["remote", "url", "command", "header", "request"].contains(&name.as_str()) {
                continue;
            }
            let ty = match &field.ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            assert!(
                matches!(
                    ty.as_deref(),
                    Some("SecretUrl" | "ShownCommand" | "ShownHeader" | "ShownRequest")
                ),
                "{}::{name} is a {ty:?}, not a redacting type",
                e.ident
            );
            checked += 1;
        }
    }
    assert!(checked >= 9, "{checked} fields checked");
}

/// Where a generated secret stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// `git+https://ci:SECRET@…` in a requirement the push removes.
    RequirementUser,
    /// `https://SECRET@…`: a lone token as a requirement URL's user information.
    RequirementToken,
    /// `https://SECRET:x-oauth-basic@…`: a token in the user's place.
    TokenAsUser,
    /// `--extra-index-url https://u:SECRET@…`.
    IndexUser,
    /// `?sv=…&sig=SECRET`: an Azure SAS signature in a requirement the push removes.
    QuerySignature,
    /// `?token=SECRET` in a requirement URL.
    QueryToken,
    /// `#egg=pkg&x=SECRET`: a requirement URL's fragment.
    Fragment,
    /// `https://${CANARY_TOKEN}@…`, the variable's value from the environment.
    Variable,
    /// `git push https://deployer:SECRET@…`.
    PushUser,
    /// The site's API password, in `envguard.scmUrl` and sent to the API.
    ApiPassword,
    /// `envguard.command`, in the position its `form` says.
    Command(usize),
    /// A variable `envguard.command` prints.
    CommandVariable,
}

/// The credential forms of a command, `{}` the secret (shell-quoted in place).
const COMMAND_FORMS: [&str; 8] = [
    "-uci:{}",
    "-u ci:{}",
    "--user=ci:{}",
    "--oauth2-bearer {}",
    "-H Authorization: Bearer {}",
    "--data {\"token\":\"{}\"}",
    "--password-file={}",
    "-p {}",
];

/// One generated secret: its position, its text as planted and the mark in its middle (a
/// scrub that stops at one of its characters shows the mark).
#[derive(Debug, Clone)]
struct Planted {
    position: Position,
    text: String,
    mark: String,
}

/// Characters and escapes that may stand in URL user information (no raw quote where pip
/// splits the line as a shell would, in an option line).
fn userinfo(quote: bool) -> BoxedStrategy<String> {
    let class = if quote {
        "[A-Za-z0-9._~!$&'()*+,;=:-]"
    } else {
        "[A-Za-z0-9._~!$&()*+,;=:-]"
    };
    piece(class)
}

/// Characters and escapes that may stand in a query value or a fragment.
fn query_value() -> BoxedStrategy<String> {
    piece("[A-Za-z0-9._~!$'()*+,;=:@/?-]")
}

fn piece(class: &'static str) -> BoxedStrategy<String> {
    let escape = prop_oneof![
        Just("%40"),
        Just("%27"),
        Just("%2F"),
        Just("%3A"),
        Just("%25"),
        Just("%20"),
        Just("%23"),
        Just("%26")
    ]
    .prop_map(str::to_string);
    proptest::collection::vec(
        prop_oneof![4 => proptest::string::string_regex(class).expect("class"), 1 => escape],
        0..6,
    )
    .prop_map(|parts| parts.concat())
    .boxed()
}

/// The API password goes through `git credential fill` as it is: no escapes.
fn api_password() -> BoxedStrategy<String> {
    "[A-Za-z0-9._~!$&'()*+,;=-]{0,6}".boxed()
}

/// Any printable text: a command word is quoted for the shell.
fn command_value() -> BoxedStrategy<String> {
    "[ -~]{0,8}".boxed()
}

/// A secret for `position`: generated text on both sides of a mark of its own.
fn planted(position: Position, side: BoxedStrategy<String>) -> BoxedStrategy<Planted> {
    (side.clone(), side)
        .prop_map(move |(before, after)| {
            let mark = format!("Zq{}", format!("{position:?}").replace(['(', ')'], ""));
            Planted {
                position,
                text: format!("{before}{mark}{after}"),
                mark,
            }
        })
        .boxed()
}

/// One case: a secret in every position, the log level, and the server hook's action.
#[derive(Debug, Clone)]
struct Case {
    secrets: Vec<Planted>,
    log: &'static str,
    action: &'static str,
    /// The mode of the second push.
    second: &'static str,
}

fn case() -> impl Strategy<Value = Case> {
    let mut secrets = vec![
        planted(Position::RequirementUser, userinfo(true)),
        planted(Position::RequirementToken, userinfo(true)),
        planted(Position::TokenAsUser, userinfo(true)),
        planted(Position::IndexUser, userinfo(false)),
        planted(Position::QuerySignature, query_value()),
        planted(Position::QueryToken, query_value()),
        planted(Position::Fragment, query_value()),
        planted(Position::Variable, userinfo(true)),
        planted(Position::PushUser, userinfo(true)),
        planted(Position::ApiPassword, api_password()),
        planted(Position::CommandVariable, command_value()),
    ];
    secrets
        .extend((0..COMMAND_FORMS.len()).map(|i| planted(Position::Command(i), command_value())));
    (
        secrets,
        prop_oneof![Just("debug"), Just("trace")],
        prop_oneof![Just("wipe"), Just("marker"), Just("prune")],
        prop_oneof![Just("toggle"), Just("mark"), Just("remote-wipe")],
    )
        .prop_map(|(secrets, log, action, second)| Case {
            secrets,
            log,
            action,
            second,
        })
}

impl Case {
    fn at(&self, position: Position) -> &str {
        self.secrets
            .iter()
            .find(|s| s.position == position)
            .map_or("", |s| s.text.as_str())
    }

    /// The requirements of each commit: 0 deployed, 1 without `tool` and the SAS download
    /// (pushed in mode command), 2 also without `pkg3` (pushed in the case's second mode).
    fn requirements(&self, stage: usize) -> String {
        let mut text = format!(
            "--extra-index-url https://u:{}@pkgs.corp.invalid/simple\n\
             flask==2.0.1\n\
             https://{}@files.corp.invalid/dl/lone.zip\n\
             git+https://{}:x-oauth-basic@git.corp.invalid/org/lib2.git@v2#egg=lib2\n\
             https://${{CANARY_TOKEN}}@files.corp.invalid/download?id=42\n",
            self.at(Position::IndexUser),
            self.at(Position::RequirementToken),
            self.at(Position::TokenAsUser),
        );
        if stage < 2 {
            text.push_str(&format!(
                "https://files.corp.invalid/dl/pkg3.zip?token={}#egg=pkg3&x={}\n",
                self.at(Position::QueryToken),
                self.at(Position::Fragment),
            ));
        }
        if stage < 1 {
            text.push_str(&format!(
                "git+https://ci:{}@git.corp.invalid/org/tool.git@v1\n\
                 https://acct.blob.core.windows.net/wheels/sas-1.0-py3-none-any.whl?sv=2024-05-04&sig={}\n",
                self.at(Position::RequirementUser),
                self.at(Position::QuerySignature),
            ));
        }
        text
    }

    /// `envguard.command`: every credential form, each with its own secret, and a line
    /// that prints a variable holding one.
    fn command(&self) -> String {
        let mut words = vec![
            "printf".to_string(),
            "'%s\\n'".to_string(),
            "\"$CMD_SECRET\"".to_string(),
            "&&".to_string(),
            "true".to_string(),
        ];
        for (i, form) in COMMAND_FORMS.iter().enumerate() {
            let secret = self.at(Position::Command(i));
            // The option and its value as the shell gets them: the value one quoted word.
            let (option, value) = match form.split_once(' ') {
                Some((option, value)) => (Some(option), value.replace("{}", secret)),
                None => (None, form.replace("{}", secret)),
            };
            if let Some(option) = option {
                words.push(option.to_string());
            }
            words.push(shlex::try_quote(&value).expect("no NUL").into_owned());
        }
        words.push("-a".to_string());
        words.push("my-app".to_string());
        words.join(" ")
    }

    /// Everything that must not be shown: each secret whole, its mark, and the site's
    /// `Authorization` header value.
    fn forbidden(&self) -> Vec<String> {
        let mut all = Vec::new();
        for secret in &self.secrets {
            all.push(secret.mark.clone());
            all.push(secret.text.clone());
            let decoded = percent_encoding::percent_decode_str(&secret.text)
                .decode_utf8_lossy()
                .into_owned();
            all.push(decoded);
        }
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("$site:{}", self.at(Position::ApiPassword)));
        all.extend(windows(&basic, 12));
        all.retain(|s| s.len() >= 4);
        all
    }
}

/// Runs every command and hook path of one case and scans every channel.
fn run_case(case: &Case) {
    let forbidden = case.forbidden();
    let push_url = format!(
        "https://deployer:{}@site.scm.example.invalid/site.git",
        case.at(Position::PushUser)
    );
    let mut s = Scene::new(
        &case.requirements(0),
        &case.requirements(1),
        &push_url,
        "warn",
    );
    s.env = vec![
        ("ENVGUARD_LOG".to_string(), case.log.to_string()),
        (
            "CANARY_TOKEN".to_string(),
            case.at(Position::Variable).to_string(),
        ),
        (
            "CMD_SECRET".to_string(),
            case.at(Position::CommandVariable).to_string(),
        ),
    ];
    s.d.clone
        .git(&["config", "envguard.command", &case.command()]);
    // The server hook acts on a target with an env.
    let target = s.d.server.scratch("target");
    std::fs::create_dir_all(target.join("env/lib/python3.11/site-packages")).expect("env");
    std::fs::write(target.join("env/pyvenv.cfg"), "version = 3.11.7\n").expect("cfg");
    s.d.server.install_server_hook(&target);
    s.d.server
        .git(&["config", "envguard.serverAction", case.action]);
    // The site API with the password in envguard.scmUrl, as the user may configure it.
    let holder = tempfile::tempdir().expect("tempdir");
    let wwwroot = holder.path().join("wwwroot");
    std::fs::create_dir_all(wwwroot.join("env/Lib/site-packages")).expect("site env");
    let password = case.at(Position::ApiPassword);
    let api = KuduApi::start(ApiSettings {
        password: password.to_string(),
        ..ApiSettings::new(&wwwroot)
    });

    let mut said_all = Vec::new();
    for (what, text) in s.every_report() {
        said_all.push((what, text));
    }
    for args in [
        &["check", "HEAD~1..HEAD", "--format", "json", "--diff"][..],
        &["check", "--no-such-flag"],
    ] {
        said_all.push((format!("envguard {args:?}"), s.envguard(args)));
    }
    let mut dry = s.d.clone.cmd("git");
    dry.args(["push", "--dry-run", push_url.as_str(), "master"])
        .envs(s.env.iter().map(|(k, v)| (k, v)));
    let warned = said(&dry.output().expect("push --dry-run"));
    assert!(
        warned.contains("tool"),
        "the warning names the removal: {warned}"
    );
    said_all.push(("the pre-push hook in mode warn".to_string(), warned));
    s.d.clone.git(&["config", "envguard.mode", "command"]);
    let pushed = s.push();
    assert!(pushed.contains("envguard.command succeeded"), "{pushed}");
    said_all.push((
        "the pre-push hook in mode command, and post-receive".to_string(),
        pushed,
    ));
    s.d.clone.git(&[
        "config",
        "envguard.scmUrl",
        &api.url
            .replacen("http://", &format!("http://$site:{password}@"), 1),
    ]);
    // The second push removes the download with a token in its query: the toggle's
    // commits, the marker ref or the site's API each carry the reasons.
    s.d.clone.write("requirements.txt", case.requirements(2));
    s.d.clone.commit("Drop pkg3");
    s.d.clone.git(&["config", "envguard.mode", case.second]);
    let pushed = s.push();
    assert!(
        pushed.contains("pkg3"),
        "{}: the removal is named: {pushed}",
        case.second
    );
    said_all.push((format!("the pre-push hook in mode {}", case.second), pushed));
    for args in [
        &["wipe", "--remote", "--dry-run"][..],
        &["wipe", "--remote"],
        &["platform", "detect"],
        &["hook", "status"],
    ] {
        said_all.push((format!("envguard {args:?}"), s.envguard(args)));
    }
    for (what, text) in &said_all {
        assert_clean(what, text, &forbidden);
    }
    for (path, text) in files_under(&target) {
        assert_clean(
            &format!("the server's {}", path.display()),
            &text,
            &forbidden,
        );
    }
    s.assert_stores_nothing("the case", &forbidden);
}

proptest! {
    // Each case is a few real pushes and a dozen commands: a handful of cases covers the
    // characters, the suite stays fast.
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_secrets_in_every_position_never_leave(case in case()) {
        run_case(&case);
    }
}

/// The user information of a remote's URL is masked in the toggle's state file too; the
/// resume finds the URL again among the remote's configured ones, so a remote whose URL
/// names a user (as App Service's git URLs do) needs none given.
#[test]
fn an_interrupted_toggle_to_a_remote_naming_a_user_resumes_from_its_configured_url() {
    let s = Scene::new(
        "flask==2.0.1\ntool==1.0\n",
        "flask==2.0.1\n",
        "https://userTOKENcanary@site.scm.example.invalid/site.git",
        "toggle",
    );
    s.d.clone.git(&[
        "remote",
        "add",
        "azure",
        "https://userTOKENcanary@site.scm.example.invalid/site.git",
    ]);
    s.d.clone.git(&["config", "envguard.remoteName", "azure"]);
    crate::support::write_hook(
        &s.d.server.path.join("hooks"),
        "pre-receive",
        "#!/bin/sh\nwhile read old new ref; do\n  git log -1 --format=%B \"$new\" | grep -q 'switch runtime back' && exit 1\ndone\nexit 0\n",
    );
    let mut push = s.d.clone.cmd("git");
    push.args(["push", "azure", "master"]);
    let out = said(&push.output().expect("push"));
    assert!(out.contains("envguard push --resume"), "{out}");
    let secrets = ["userTOKENcanary".to_string()];
    assert_clean("the failed toggle", &out, &secrets);
    s.assert_stores_nothing("the failed toggle", &secrets);
    std::fs::remove_file(s.d.server.path.join("hooks/pre-receive")).expect("unblock");
    let resumed = s.envguard(&["push", "--resume"]);
    assert_clean("the resume", &resumed, &secrets);
    assert!(
        !s.d.clone.path.join(".git/envguard/toggle.json").exists(),
        "the resume finished the toggle: {resumed}"
    );
}

/// A command that fails prints its own arguments: the values at the secret positions of the
/// configured command are masked there too, not only in envguard's own line.
#[test]
fn a_failing_commands_output_never_shows_its_secret_values() {
    let command = "sh -c 'echo \"called with: $*\" >&2; exit 1' curl -uuser:OUTPUTcanary \
                   --data token=BODYcanary -H'Authorization: Bearer HDRcanary' \
                   --oauth2-bearer OAUTHcanary";
    let secrets: Vec<String> = ["OUTPUTcanary", "BODYcanary", "HDRcanary", "OAUTHcanary"]
        .map(str::to_string)
        .to_vec();
    let s = Scene::new(
        "flask==2.0.1\ntool==1.0\n",
        "flask==2.0.1\n",
        "https://site.scm.example.invalid/site.git",
        "command",
    );
    s.d.clone.git(&["config", "envguard.command", command]);
    let out = s.push();
    assert!(out.contains("called with"), "the output is shown: {out}");
    assert_clean("a failing envguard.command", &out, &secrets);
}
