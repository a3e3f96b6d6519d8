//! The module import graph of `src/`: every `crate::` path in a module's source is an edge
//! to another top-level module. The graph must have no cycle, and no module may import from
//! a higher layer than its own (the layers are those of the crate's documentation in
//! `src/lib.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first, as `src/lib.rs` documents them.
const LAYERS: &[&[&str]] = &[
    &[
        "error",
        "exit",
        "vars",
        "output",
        "paths",
        "url",
        "hook_input",
        "message",
        "runtime",
        "trailers",
        "deployment",
        "requirements",
        "platform",
        "prune",
    ],
    &["config", "gitcli", "chain"],
    &["analyze"],
    &["report", "plan", "pending"],
    &["remote"],
    &["client", "server", "check", "install"],
    &["cli"],
    &["fuzz"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a source text names through `crate::`, including inside
/// `use crate::{a, b::c}` groups.
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
    }
    found
}

/// Edges between top-level modules of the library (crate-root items like `Result` are not
/// modules and are skipped).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let targets = edges.entry(module.clone()).or_default();
        for target in imports(&text) {
            if target != module && layer_of(&target).is_some() {
                targets.insert(target);
            }
        }
    }
    edges
}

#[test]
fn every_module_has_a_layer() {
    for module in graph().keys() {
        assert!(
            layer_of(module).is_some(),
            "src/{module}: add it to a layer in src/lib.rs and in this test"
        );
    }
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let mut upward = Vec::new();
    for (from, targets) in graph() {
        for to in targets {
            if layer_of(&to) > layer_of(&from) {
                upward.push(format!("{from} -> {to}"));
            }
        }
    }
    assert!(upward.is_empty(), "upward imports: {upward:?}");
}

#[test]
fn the_import_graph_has_no_cycle() {
    let edges = graph();
    // Depth-first search with colours: a grey node reached again closes a cycle.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        colour: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match colour.get(node) {
            Some(1) => {
                let start = path.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            Some(_) => return None,
            None => {}
        }
        colour.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, colour, path) {
                return Some(cycle);
            }
        }
        path.pop();
        colour.insert(node.to_string(), 2);
        None
    }
    let mut colour = BTreeMap::new();
    for node in edges.keys() {
        let cycle = visit(node, &edges, &mut colour, &mut Vec::new());
        assert!(
            cycle.is_none(),
            "import cycle: {}",
            cycle.unwrap().join(" -> ")
        );
    }
}

#[test]
fn the_scanner_sees_grouped_and_plain_imports() {
    let found = imports(
        "use crate::{Error, analyze::Analysis, report};\n// crate::fake\nlet x = crate::vars::LOG;",
    );
    assert!(found.contains("analyze") && found.contains("report") && found.contains("vars"));
    assert!(!found.contains("fake"));
}
