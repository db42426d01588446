//! Rust call sites resolved by rust-analyzer's library crates (ra_ap_* 0.0.345):
//! the reference `benches/call_accuracy.py` compares Homer's call graph with.
//! Same output as the other references (see benches/calls/).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use ra_ap_ide::{AnalysisHost, FilePosition, GotoDefinitionConfig, RaFixtureConfig};
use ra_ap_load_cargo::{LoadCargoConfig, ProcMacroServerChoice, load_workspace_at};
use ra_ap_project_model::{CargoConfig, RustLibSource};
use ra_ap_syntax::{AstNode, ast};

fn main() -> anyhow::Result<()> {
    let repo = std::fs::canonicalize(std::env::args().nth(1).expect("REPO"))?;
    let listed = std::process::Command::new("git")
        .args(["ls-files", "-z", "*.rs"])
        .current_dir(&repo)
        .output()?;
    let tracked: BTreeSet<String> = String::from_utf8_lossy(&listed.stdout)
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let cargo = CargoConfig {
        sysroot: Some(RustLibSource::Discover),
        all_targets: true,
        set_test: true,
        ..CargoConfig::default()
    };
    let load = LoadCargoConfig {
        load_out_dirs_from_check: false,
        with_proc_macro_server: ProcMacroServerChoice::None,
        prefill_caches: false,
        num_worker_threads: 2,
        proc_macro_processes: 0,
    };
    let (db, vfs, _) = load_workspace_at(&repo, &cargo, &load, &|_| {})?;
    let host = AnalysisHost::with_database(db);
    let analysis = host.analysis();
    let config = GotoDefinitionConfig { ra_fixture: RaFixtureConfig::default() };
    let relative = |file_id| -> Option<String> {
        let path = vfs.file_path(file_id).as_path()?.to_path_buf();
        let path: &Path = path.as_ref();
        let rel = path.strip_prefix(&repo).ok()?.to_string_lossy().into_owned();
        tracked.contains(&rel).then_some(rel)
    };
    let mut files: Vec<(String, ra_ap_ide::FileId)> =
        vfs.iter().filter_map(|(id, _)| Some((relative(id)?, id))).collect();
    files.sort();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (rel, file_id) in files {
        let Ok(tree) = analysis.parse(file_id) else { continue };
        let Ok(lines) = analysis.file_line_index(file_id) else { continue };
        for node in tree.syntax().descendants() {
            let (range, name) = if let Some(call) = ast::CallExpr::cast(node.clone()) {
                let Some(ast::Expr::PathExpr(path)) = call.expr() else { continue };
                let Some(name) = path.path().and_then(|p| p.segment()).and_then(|s| s.name_ref()) else { continue };
                (call.syntax().text_range(), name)
            } else if let Some(call) = ast::MethodCallExpr::cast(node.clone()) {
                let Some(name) = call.name_ref() else { continue };
                (call.syntax().text_range(), name)
            } else {
                continue;
            };
            let start = range.start();
            let line = lines.line_col(start).line + 1;
            let position = FilePosition { file_id, offset: name.syntax().text_range().start() };
            let navs = analysis.goto_definition(position, &config).ok().flatten();
            let target = match navs.as_ref().and_then(|n| n.info.first()) {
                None => serde_json::Value::Null,
                Some(nav) => match relative(nav.file_id) {
                    None => serde_json::json!("outside"),
                    Some(file) => {
                        let at = nav.focus_range.unwrap_or(nav.full_range).start();
                        let line = analysis
                            .file_line_index(nav.file_id)
                            .map(|l| l.line_col(at).line + 1)
                            .unwrap_or(0);
                        serde_json::json!({"file": file, "line": line, "name": nav.name.as_str()})
                    }
                },
            };
            let site = serde_json::json!({
                "file": rel, "language": "rust", "line": line,
                "name": name.text().to_string(), "target": target,
                "span": [u32::from(range.start()), u32::from(range.end())],
            });
            writeln!(out, "{site}")?;
        }
    }
    Ok(())
}
