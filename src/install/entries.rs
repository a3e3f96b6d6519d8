//! What a hook manager's configuration really does with envguard: the entry that runs
//! `envguard pre-push`, read from the YAML the manager reads (lefthook's hook sections with
//! `commands`, `scripts` and `jobs`; pre-commit's `repos[].hooks[]` with `stages`), and from
//! a husky script's commands (not its comments). A mention elsewhere is no entry.

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

/// envguard's entry in a manager's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// It runs on pre-push with git's input.
    Runs,
    /// It runs on pre-push but gets no input (lefthook without `use_stdin: true`): it would
    /// see no ref updates.
    WithoutInput { hook: String },
    /// It is configured for other hooks only (`pre-commit:` in lefthook, `stages` without
    /// pre-push): it never runs on a push.
    OtherStage { stages: String },
    /// No entry runs `envguard pre-push`.
    Missing,
}

/// The command that marks envguard's entry.
const COMMAND: &str = "envguard pre-push";

/// A configuration file as the manager reads it, by its extension: YAML, or lefthook's
/// JSON, JSON with comments and TOML (evilmartians/lefthook `internal/config/loader.go`),
/// as one tree. A file that does not parse holds no entry.
fn load(path: &Path) -> Vec<Yaml> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let value: Option<serde_json::Value> = match extension {
        "json" => serde_json::from_str(&text).ok(),
        "jsonc" => serde_json::from_reader(json_comments::StripComments::new(text.as_bytes())).ok(),
        "toml" => toml::from_str::<toml::Value>(&text)
            .ok()
            .and_then(|v| serde_json::to_value(v).ok()),
        _ => return YamlLoader::load_from_str(&text).unwrap_or_default(),
    };
    value.map(|v| vec![yaml_of(v)]).unwrap_or_default()
}

/// A JSON value as the YAML tree the entries are read from.
fn yaml_of(value: serde_json::Value) -> Yaml {
    use serde_json::Value;
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Boolean(b),
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Yaml::Real(n.to_string()), Yaml::Integer),
        Value::String(s) => Yaml::String(s),
        Value::Array(items) => Yaml::Array(items.into_iter().map(yaml_of).collect()),
        Value::Object(map) => Yaml::Hash(
            map.into_iter()
                .map(|(k, v)| (Yaml::String(k), yaml_of(v)))
                .collect(),
        ),
    }
}

fn runs_envguard(entry: &Yaml) -> bool {
    ["run", "entry"]
        .iter()
        .any(|key| entry[*key].as_str().is_some_and(|c| c.contains(COMMAND)))
}

/// lefthook: `<hook>: {commands: {name: {run, use_stdin}}, scripts: {...}, jobs: [...]}`.
pub fn lefthook(files: &[std::path::PathBuf]) -> Entry {
    let mut found = Entry::Missing;
    for doc in files.iter().flat_map(|f| load(f)) {
        let Some(hooks) = doc.as_hash() else { continue };
        for (hook, section) in hooks {
            let Some(hook) = hook.as_str() else { continue };
            let mut entries: Vec<&Yaml> = Vec::new();
            for key in ["commands", "scripts"] {
                if let Some(map) = section[key].as_hash() {
                    entries.extend(map.values());
                }
            }
            if let Some(jobs) = section["jobs"].as_vec() {
                entries.extend(jobs.iter());
            }
            for entry in entries.into_iter().filter(|e| runs_envguard(e)) {
                let stdin = entry["use_stdin"].as_bool().unwrap_or(false);
                let this = match (hook == "pre-push", stdin) {
                    (true, true) => Entry::Runs,
                    (true, false) => Entry::WithoutInput {
                        hook: hook.to_string(),
                    },
                    (false, _) => Entry::OtherStage {
                        stages: hook.to_string(),
                    },
                };
                found = better(found, this);
            }
        }
    }
    found
}

/// pre-commit: `repos: [{hooks: [{entry, stages}]}]`, `default_stages` at the top.
pub fn pre_commit(file: &Path) -> Entry {
    let mut found = Entry::Missing;
    for doc in load(file) {
        let defaults = stage_names(&doc["default_stages"]);
        for repo in doc["repos"].as_vec().into_iter().flatten() {
            for hook in repo["hooks"].as_vec().into_iter().flatten() {
                if !runs_envguard(hook) {
                    continue;
                }
                let stages = stage_names(&hook["stages"]).or_else(|| defaults.clone());
                let this = match stages {
                    // No stages anywhere: pre-commit runs it at every installed stage.
                    None => Entry::Runs,
                    Some(s) if s.iter().any(|x| x == "pre-push" || x == "push") => Entry::Runs,
                    Some(s) => Entry::OtherStage {
                        stages: s.join(", "),
                    },
                };
                found = better(found, this);
            }
        }
    }
    found
}

fn stage_names(value: &Yaml) -> Option<Vec<String>> {
    value.as_vec().map(|v| {
        v.iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    })
}

/// husky: a shell script; a command line that runs `envguard pre-push` (a comment is none).
pub fn husky(script: &Path) -> Entry {
    let text = std::fs::read_to_string(script).unwrap_or_default();
    let runs = text.lines().any(|line| {
        let code = line.split_once('#').map_or(line, |(code, _)| code);
        code.contains(COMMAND)
    });
    if runs { Entry::Runs } else { Entry::Missing }
}

/// The entry that tells the most: one that runs beats one without input beats one on
/// another stage beats none.
fn better(a: Entry, b: Entry) -> Entry {
    let rank = |e: &Entry| match e {
        Entry::Runs => 3,
        Entry::WithoutInput { .. } => 2,
        Entry::OtherStage { .. } => 1,
        Entry::Missing => 0,
    };
    if rank(&b) > rank(&a) { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.yml");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    #[test]
    fn lefthook_entries_by_hook_and_input() {
        let (_d, runs) = file(
            "pre-push:\n  commands:\n    envguard:\n      run: envguard pre-push {1} {2}\n      use_stdin: true\n",
        );
        assert_eq!(lefthook(&[runs]), Entry::Runs);
        let (_d, no_input) =
            file("pre-push:\n  commands:\n    envguard:\n      run: envguard pre-push {1} {2}\n");
        assert!(matches!(lefthook(&[no_input]), Entry::WithoutInput { .. }));
        let (_d, stage) = file(
            "pre-commit:\n  commands:\n    envguard:\n      run: envguard pre-push\n      use_stdin: true\n",
        );
        assert!(matches!(lefthook(&[stage]), Entry::OtherStage { .. }));
        let (_d, jobs) = file(
            "pre-push:\n  jobs:\n    - run: envguard pre-push {1} {2}\n      use_stdin: true\n",
        );
        assert_eq!(lefthook(&[jobs]), Entry::Runs);
        let (_d, comment) =
            file("# envguard pre-push\npre-push:\n  commands:\n    lint:\n      run: make lint\n");
        assert_eq!(lefthook(&[comment]), Entry::Missing);
    }

    /// lefthook reads TOML, JSON and JSON with comments as it reads YAML.
    #[test]
    fn lefthook_entries_in_every_format_it_reads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            path
        };
        let toml = write(
            "lefthook.toml",
            "[pre-push.commands.envguard]\nrun = \"envguard pre-push {1} {2}\"\nuse_stdin = true\n",
        );
        assert_eq!(lefthook(&[toml]), Entry::Runs);
        let json = write(
            "lefthook.json",
            r#"{"pre-push": {"jobs": [{"run": "envguard pre-push {1} {2}"}]}}"#,
        );
        assert!(matches!(lefthook(&[json]), Entry::WithoutInput { .. }));
        let jsonc = write(
            ".lefthook.jsonc",
            "{\n  // envguard pre-push\n  \"pre-push\": {\"commands\": {\"envguard\": {\"run\": \"envguard pre-push\", /* input */ \"use_stdin\": true}}}\n}\n",
        );
        assert_eq!(lefthook(&[jsonc]), Entry::Runs);
        let broken = write("lefthook-local.toml", "[pre-push\n");
        assert_eq!(lefthook(&[broken]), Entry::Missing);
    }

    #[test]
    fn pre_commit_entries_by_stage() {
        let entry = |stages: &str| {
            format!(
                "repos:\n- repo: local\n  hooks:\n  - id: envguard\n    name: envguard\n    entry: envguard pre-push\n    language: system\n{stages}"
            )
        };
        let (_d, runs) = file(&entry("    stages: [pre-push]\n"));
        assert_eq!(pre_commit(&runs), Entry::Runs);
        let (_d, any) = file(&entry(""));
        assert_eq!(pre_commit(&any), Entry::Runs);
        let (_d, commit) = file(&entry("    stages: [pre-commit]\n"));
        assert!(matches!(pre_commit(&commit), Entry::OtherStage { .. }));
    }

    #[test]
    fn a_husky_comment_is_no_entry() {
        let (_d, comment) = file("#!/bin/sh\n# TODO: envguard pre-push \"$@\"\nnpm test\n");
        assert_eq!(husky(&comment), Entry::Missing);
        let (_d, runs) = file("#!/bin/sh\nenvguard pre-push \"$@\"\n");
        assert_eq!(husky(&runs), Entry::Runs);
    }
}
