//! The module layering the README's Layout section draws, checked from the
//! `crate::` paths in the source: `domain` imports nothing of ours, `store`
//! only `domain`, and `jobs`, `discord`, `payments` and `web` import each
//! other in one direction only (jobs → discord → payments → web).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level module of a file under `src/` (`src/jobs/poll.rs` → `jobs`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("file under src");
    let first = relative
        .components()
        .next()
        .expect("non-empty path")
        .as_os_str()
        .to_string_lossy()
        .to_string();
    first.trim_end_matches(".rs").to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules named after `crate::` in `text` (also inside
/// `use crate::{a::…, b::…}` groups). Comments are skipped.
fn referenced_modules(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.insert(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

fn dependency_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let module = module_of(&src, &file);
        let text = std::fs::read_to_string(&file).expect("readable source");
        let deps = graph.entry(module.clone()).or_default();
        for dep in referenced_modules(&text) {
            if dep != module {
                deps.insert(dep);
            }
        }
    }
    graph
}

#[test]
fn the_domain_imports_nothing_of_ours_and_the_store_only_the_domain() {
    let graph = dependency_graph();
    assert_eq!(
        graph["domain"],
        BTreeSet::new(),
        "domain must not import other modules"
    );
    let store: Vec<&String> = graph["store"].iter().filter(|m| *m != "domain").collect();
    assert!(store.is_empty(), "store imports {store:?}");
}

#[test]
fn jobs_discord_payments_and_web_import_each_other_one_way_only() {
    let graph = dependency_graph();
    // Higher layers may import lower ones, never the reverse.
    let order = ["jobs", "discord", "payments", "web"];
    for (i, lower) in order.iter().enumerate() {
        for higher in &order[..i] {
            assert!(
                !graph[*lower].contains(*higher),
                "{lower} imports {higher}: the README's layering says {higher} → {lower} only"
            );
        }
    }
    for layer in ["published", "metrics", "events", "chart"] {
        for upper in order {
            assert!(
                !graph[layer].contains(upper),
                "{layer} imports {upper}, which sits above it"
            );
        }
    }
}

#[test]
fn the_parser_sees_grouped_and_plain_paths() {
    let text = "use crate::{domain::money::Cents, store::x};\nlet a = crate::web::live::f(); // crate::jobs";
    let found = referenced_modules(text);
    assert_eq!(
        found,
        ["domain", "store", "web"]
            .map(String::from)
            .into_iter()
            .collect()
    );
}
