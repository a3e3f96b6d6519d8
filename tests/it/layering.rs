//! The module import graph of `src/`: every `crate::` path in a module's source is an edge
//! to another top-level module. The graph must have no cycle, and no module may import from
//! a higher layer than its own (the layers are those of the crate's documentation in
//! `src/lib.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first, read from the numbered list of `src/lib.rs`'s documentation
/// (the one place they are written): each item `N. [`module`], ...`, its continuation lines
/// included, holds the modules named in `[`...`]` links.
fn layers() -> Vec<Vec<String>> {
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs"))
        .expect("src/lib.rs");
    let mut layers: Vec<Vec<String>> = Vec::new();
    for line in lib.lines().filter_map(|l| l.strip_prefix("//!")) {
        let text = line.trim_start();
        let numbered = text
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if numbered {
            layers.push(Vec::new());
        } else if !line.starts_with("    ") {
            // The list ends where a line is neither an item nor its continuation.
            if !layers.is_empty() && !text.is_empty() {
                break;
            }
            continue;
        }
        let Some(layer) = layers.last_mut() else {
            continue;
        };
        for link in text.split("[`").skip(1) {
            if let Some((name, _)) = link.split_once("`]") {
                layer.push(name.split("::").next().unwrap_or(name).to_string());
            }
        }
    }
    layers
}

fn layer_of(module: &str) -> Option<usize> {
    layers()
        .iter()
        .position(|layer| layer.iter().any(|m| m == module))
}

#[test]
fn the_layers_name_every_module_of_lib_rs_once() {
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs"))
        .expect("src/lib.rs");
    let declared: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect();
    let layered: Vec<String> = layers().concat();
    let unique: BTreeSet<String> = layered.iter().cloned().collect();
    assert_eq!(
        layered.len(),
        unique.len(),
        "a module in two layers: {layered:?}"
    );
    assert_eq!(
        unique, declared,
        "src/lib.rs's layers and its modules differ"
    );
    assert!(layers().len() >= 7, "{:?}", layers());
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

/// The top-level modules a source file names: every path through `crate::` (in `use` trees,
/// nested groups and renames included, and in expressions, types and macros' paths), and
/// every `super::` path that climbs out of the file's own top-level module. `module_path` is
/// the file's module path below the crate root (`["analyze", "tree"]`). Parsed with `syn`,
/// so comments, strings and formatting cannot hide or fake an import.
fn imports(text: &str, module_path: &[String]) -> BTreeSet<String> {
    use syn::visit::Visit;

    struct Finder<'a> {
        module_path: &'a [String],
        found: BTreeSet<String>,
    }

    impl Finder<'_> {
        /// A path's segments, resolved from `crate` or `super`s to the top-level module.
        fn resolve(&mut self, segments: &[String]) {
            let Some(first) = segments.first() else {
                return;
            };
            if first == "crate" {
                if let Some(top) = segments.get(1) {
                    self.found.insert(top.clone());
                }
                return;
            }
            let supers = segments.iter().take_while(|s| *s == "super").count();
            if supers == 0 {
                return;
            }
            let depth = self.module_path.len();
            if supers >= depth
                && let Some(top) = segments.get(supers)
            {
                self.found.insert(top.clone());
            }
        }

        fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
            match tree {
                syn::UseTree::Path(p) => {
                    prefix.push(p.ident.to_string());
                    self.use_tree(prefix, &p.tree);
                    prefix.pop();
                }
                syn::UseTree::Name(n) => {
                    prefix.push(n.ident.to_string());
                    self.resolve(&prefix.clone());
                    prefix.pop();
                }
                syn::UseTree::Rename(r) => {
                    prefix.push(r.ident.to_string());
                    self.resolve(&prefix.clone());
                    prefix.pop();
                }
                syn::UseTree::Glob(_) => self.resolve(&prefix.clone()),
                syn::UseTree::Group(g) => {
                    for item in &g.items {
                        self.use_tree(prefix, item);
                    }
                }
            }
        }
    }

    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
            self.use_tree(&mut Vec::new(), &item.tree);
        }

        fn visit_path(&mut self, path: &'ast syn::Path) {
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            self.resolve(&segments);
            syn::visit::visit_path(self, path);
        }

        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            // A macro's tokens are not parsed as Rust; look for `crate :: x` in them.
            let tokens: Vec<String> = mac
                .tokens
                .clone()
                .into_iter()
                .map(|t| t.to_string())
                .collect();
            for (i, token) in tokens.iter().enumerate() {
                if token == "crate"
                    && tokens.get(i + 1).is_some_and(|t| t == ":")
                    && let Some(top) = tokens.get(i + 3)
                {
                    self.found.insert(top.clone());
                }
            }
            syn::visit::visit_macro(self, mac);
        }
    }

    let file = syn::parse_file(text).expect("src/ parses as Rust");
    let mut finder = Finder {
        module_path,
        found: BTreeSet::new(),
    };
    finder.visit_file(&file);
    finder.found
}

/// The module path of a source file below `src/` (`analyze/mod.rs` -> `["analyze"]`).
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
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
        for target in imports(&text, &module_path(relative)) {
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
            "src/{module}: add it to a layer in src/lib.rs's documentation"
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
fn the_scanner_sees_every_form_of_import() {
    let at = |path: &[&str]| path.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let found = imports(
        "use crate::{Error, analyze::Analysis, report};\n// crate::fake\n\
         fn f() { let x = crate::vars::LOG; let y = \"crate::string\"; }",
        &at(&["paths"]),
    );
    assert!(found.contains("analyze") && found.contains("report") && found.contains("vars"));
    assert!(
        !found.contains("fake") && !found.contains("string"),
        "{found:?}"
    );
    let nested = imports(
        "use crate::{error::{Error as _E}, client::wrapper};",
        &at(&["paths"]),
    );
    assert!(
        nested.contains("client") && nested.contains("error"),
        "{nested:?}"
    );
    let climbing = imports(
        "use super::super::client::wrapper;",
        &at(&["analyze", "tree"]),
    );
    assert!(climbing.contains("client"), "{climbing:?}");
    let inside = imports("use super::types::Analysis;", &at(&["analyze", "tree"]));
    assert!(inside.is_empty(), "{inside:?}");
    let in_macro = imports(
        "fn f() { format!(\"{}\", crate::client::X); }",
        &at(&["paths"]),
    );
    assert!(in_macro.contains("client"), "{in_macro:?}");
}
