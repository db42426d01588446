//! The house rules that a reader of the code cannot check at a glance: no
//! crate depends on one that docs/ARCHITECTURE.md says it must not know,
//! and every crate is in that table.

#![allow(
    clippy::print_stderr,
    reason = "the test lists the forbidden edges it checked"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// The rows of the table between the tidy markers: crate → forbidden.
fn rules(architecture: &str) -> BTreeMap<String, BTreeSet<String>> {
    let begin = architecture
        .find("<!-- tidy:begin -->")
        .expect("ARCHITECTURE.md has a tidy table");
    let end = architecture[begin..]
        .find("<!-- tidy:end -->")
        .expect("the tidy table ends")
        + begin;
    let mut out = BTreeMap::new();
    for line in architecture[begin..end].lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | crate | forbidden, ... |  →  ["", crate, forbidden, ""]
        if cells.len() != 4 || !cells[1].starts_with("homer-") {
            continue;
        }
        let forbidden = cells[2]
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        out.insert(cells[1].to_owned(), forbidden);
    }
    out
}

/// The crate names in a manifest's `[dependencies]` and
/// `[build-dependencies]` (dev-dependencies are for tests, which may use
/// any crate).
fn dependencies(manifest: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_section = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = matches!(line, "[dependencies]" | "[build-dependencies]");
            continue;
        }
        if !in_section || line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((name, _)) = line.split_once('=') {
            out.insert(name.trim().trim_end_matches(".workspace").to_owned());
        }
    }
    out
}

#[test]
fn no_crate_depends_on_what_the_architecture_forbids() {
    let root = root();
    let architecture =
        std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let rules = rules(&architecture);
    let mut crates = BTreeSet::new();
    let mut violations = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("crates")).expect("crates/") {
        let dir = entry.expect("an entry").path();
        let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let name = dir
            .file_name()
            .expect("a crate directory")
            .to_string_lossy()
            .into_owned();
        let deps = dependencies(&manifest);
        if deps.contains("homer-fixtures") {
            violations.push(format!("{name} depends on homer-fixtures (dev-only)"));
        }
        crates.insert(name.clone());
        if name == "homer-fixtures" {
            continue;
        }
        let Some(forbidden) = rules.get(&name) else {
            violations.push(format!(
                "{name} has no row in the tidy table of docs/ARCHITECTURE.md"
            ));
            continue;
        };
        for f in forbidden {
            checked += 1;
            if deps.contains(f) {
                violations.push(format!("{name} depends on {f}"));
            }
        }
    }
    for name in rules.keys() {
        if !crates.contains(name) {
            violations.push(format!(
                "the tidy table names {name}, which is not in crates/"
            ));
        }
    }
    eprintln!(
        "{checked} forbidden edges checked over {} crates",
        crates.len()
    );
    assert_eq!(violations, Vec::<String>::new());
}

#[test]
fn the_table_parser_reads_what_it_must() {
    let table = "x\n<!-- tidy:begin -->\n| crate | must not |\n|---|---|\n| homer-a | homer-b, homer-c |\n<!-- tidy:end -->\n";
    let rules = rules(table);
    assert_eq!(
        rules["homer-a"],
        BTreeSet::from(["homer-b".to_owned(), "homer-c".to_owned()])
    );
    let manifest = "[package]\nname = \"x\"\n[dependencies]\nhomer-b.workspace = true\nserde = \"1\"\n[dev-dependencies]\nhomer-c.workspace = true\n";
    assert_eq!(
        dependencies(manifest),
        BTreeSet::from(["homer-b".to_owned(), "serde".to_owned()])
    );
}
