//! The module graph has no loops: data flows one way (see ARCHITECTURE.md).
//!
//! Reads every file under `src/`, notes which modules it names (`crate::x`, and
//! `super::y` for a sibling), and looks for a cycle at two levels: between the
//! top-level modules, and between the files of one directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// `src/analysis/compare.rs` -> `["analysis", "compare"]`; `src/source/mod.rs` -> `["source"]`.
fn module_path(file: &Path, src: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its `#[cfg(test)]` module (tests may reach anywhere).
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
    text.lines().map(|l| l.split("//").next().unwrap()).collect::<Vec<_>>().join("\n")
}

/// The identifiers that follow `prefix` in `text`.
fn names_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .filter(|(i, _)| !text[..*i].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .map(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            &rest[..rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())]
        })
        .filter(|n| !n.is_empty())
        .collect()
}

fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(n: &str, g: &Graph, stack: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| s == n) {
            let mut c = stack[at..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for next in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_module_graph_has_no_loops() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut top = Graph::new();
    let mut siblings: BTreeMap<String, Graph> = BTreeMap::new();
    let top_modules: BTreeSet<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut files = 0;
    let sources = walkdir::WalkDir::new(&src).into_iter().map(|e| e.unwrap().into_path());
    for entry in sources.filter(|p| p.extension().is_some_and(|e| e == "rs")) {
        let path = module_path(&entry, &src);
        if path.is_empty() || path[0] == "lib" || path[0] == "main" {
            continue;
        }
        files += 1;
        let text = code(&std::fs::read_to_string(&entry).unwrap());
        let me = path[0].clone();
        for used in names_after(&text, "crate::").into_iter().filter(|n| top_modules.contains(*n)) {
            if used != me {
                top.entry(me.clone()).or_default().insert(used.to_string());
            }
        }
        // Files of one directory: `super::sibling` from a file below a `mod.rs`.
        if path.len() == 2 {
            let dir = siblings.entry(path[0].clone()).or_default();
            let children: BTreeSet<String> = std::fs::read_dir(src.join(&path[0]))
                .unwrap()
                .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
                .filter(|m| m != "mod")
                .collect();
            for used in names_after(&text, "super::").into_iter().filter(|n| children.contains(*n)) {
                if used != path[1] {
                    dir.entry(path[1].clone()).or_default().insert(used.to_string());
                }
            }
            let own = format!("crate::{}::", path[0]);
            for used in names_after(&text, &own).into_iter().filter(|n| children.contains(*n)) {
                if used != path[1] {
                    dir.entry(path[1].clone()).or_default().insert(used.to_string());
                }
            }
        }
    }
    assert!(files > 40, "read only {files} files");
    // The pipeline's order, as lib.rs states it: no stage names a later one.
    for (early, late) in
        [("source", "parse"), ("parse", "aggregate"), ("aggregate", "analysis"), ("analysis", "render")]
    {
        assert!(!top.get(early).is_some_and(|t| t.contains(late)), "{early} names {late}: {top:#?}");
    }
    if let Some(c) = cycle(&top) {
        panic!("a loop between modules: {}", c.join(" -> "));
    }
    for (dir, graph) in &siblings {
        if let Some(c) = cycle(graph) {
            panic!("a loop between the files of src/{dir}: {}", c.join(" -> "));
        }
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let g = |edges: &[(&str, &str)]| {
        let mut g = Graph::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
        }
        g
    };
    assert_eq!(cycle(&g(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(cycle(&g(&[("a", "b"), ("b", "c"), ("c", "a")])).unwrap(), ["a", "b", "c", "a"]);
    assert_eq!(names_after("use crate::aggregate::X; crate::parse::y; mycrate::no", "crate::"), ["aggregate", "parse"]);
}
