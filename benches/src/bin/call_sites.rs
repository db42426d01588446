//! Homer's call graph, one line per call site: what `benches/call_accuracy.py`
//! compares with a type checker's answer.
//!
//!     cargo run --release -p homer-benches --bin call_sites -- REPO > homer.jsonl
//!
//! A line `{"definition": {"file", "start", "end", "name", "qualified"}}`
//! for each definition Homer found (to place the checker's answers), then
//! a line `{"file", "line", "name", "receiver", "kind", "targets"}` for a
//! call or construction of a file git tracks at REPO's working tree, where
//! `targets` lists what Homer resolved it to (`file`, the definition's
//! `start`/`end` lines and `qualified` name, `confidence`: 1 when certain),
//! empty when unresolved. The files, manifests and resolution are the code
//! stage's; only the files are read from the working tree instead of git's
//! objects.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a measurement tool"
)]

use std::io::Write as _;
use std::path::PathBuf;

use homer_benches::source_files;
use homer_syntax::{Extractor, FileFacts, Manifests, Project, RefKind};

fn main() {
    let Some(repo) = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .filter(|r| r.is_dir())
    else {
        eprintln!("usage: call_sites REPO (a git working tree)");
        std::process::exit(2);
    };
    let files = source_files(&repo);
    let mut manifests = Manifests::default();
    let listed = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(&repo)
        .output()
        .expect("git ls-files runs");
    for path in listed.stdout.split(|&b| b == 0) {
        let path = String::from_utf8_lossy(path);
        if Manifests::wants(&path)
            && let Ok(content) = std::fs::read_to_string(repo.join(path.as_ref()))
        {
            manifests.add(&path, &content);
        }
    }
    let mut extractor = Extractor::new();
    let facts: Vec<(String, FileFacts)> = files
        .iter()
        .map(|f| (f.path.clone(), extractor.extract(f.language, &f.bytes)))
        .collect();
    let project = Project::new(facts.iter().map(|(p, f)| (p.as_str(), f)), &manifests);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (path, file) in &facts {
        for d in &file.definitions {
            let line = serde_json::json!({"definition": {
                "file": path,
                "start": d.span.start_line,
                "end": d.span.end_line,
                "name": d.name,
                "qualified": d.qualified,
            }});
            let _ = writeln!(out, "{line}");
        }
    }
    for (path, file) in &facts {
        let resolution = project.resolve(path);
        for (reference, targets) in file.references.iter().zip(&resolution.references) {
            let kind = match reference.kind {
                RefKind::Call => "call",
                RefKind::Construct => "construct",
                RefKind::Type => continue,
            };
            let targets: Vec<serde_json::Value> = targets
                .iter()
                .filter_map(|t| {
                    let d = project
                        .facts(&t.file)?
                        .definitions
                        .get(t.definition as usize)?;
                    Some(serde_json::json!({
                        "file": t.file,
                        "start": d.span.start_line,
                        "end": d.span.end_line,
                        "qualified": d.qualified,
                        "confidence": t.confidence,
                    }))
                })
                .collect();
            let line = serde_json::json!({
                "file": path,
                "line": reference.line,
                "name": reference.name,
                "receiver": reference.receiver,
                "kind": kind,
                "language": file.language.map(homer_syntax::Language::name),
                "targets": targets,
            });
            let _ = writeln!(out, "{line}");
        }
    }
}
