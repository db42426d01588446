//! The graph stage: which edits run PageRank, and that the
//! rankings are the same bytes however the index got there.

mod common;
use common::{dump, fresh_dump, lengthen_add, rows_read, run, run_stopped_before_ranking};

use homer_fixtures::{assert_same_dump, commit_all, copy};
use homer_update::UpdateReport;

/// The graph stage's entries of the log.
fn graph_log(report: &UpdateReport) -> Vec<String> {
    report
        .log
        .iter()
        .filter(|e| matches!(e.kind.as_str(), "graph" | "salience"))
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_body_only_edit_runs_no_pagerank() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    lengthen_add(root, "Commute the addition");
    let report = run(root);
    // The new commit changes the file's history (its commits, its last
    // change), so salience is computed again; the graphs did not change.
    assert_eq!(graph_log(&report), ["executed salience(files)"]);
    assert!(report.pagerank.is_empty(), "{:?}", report.pagerank);
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

/// A commit that changes no parsed file leaves the graphs as they were:
/// the stage reads neither of them, only salience's inputs. A code
/// stage that changed them marks the stored analyses stale in its own
/// transaction, so an update stopped before its graph stage leaves the
/// next one to analyse them.
#[test]
fn a_commit_that_changes_no_code_reads_no_graph() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let calc = root.join("src/calc.rs");
    lengthen_add(root, "Commute the addition");
    let body_edit = run(root);

    let readme = root.join("README.md");
    let text = std::fs::read_to_string(&readme).expect("read");
    std::fs::write(&readme, format!("{text}\nMore words.\n")).expect("write");
    commit_all(root, "Say more");
    let report = run(root);
    // The history moved (the stage runs); no ranked file's did.
    let graph = report.stages.iter().find(|s| s.stage == "graph");
    assert!(graph.is_some_and(|s| !s.skipped), "{:?}", report.stages);
    assert!(graph_log(&report).is_empty(), "{:?}", graph_log(&report));
    assert!(report.pagerank.is_empty(), "{:?}", report.pagerank);
    assert!(
        rows_read(&report, "graph") * 2 < rows_read(&body_edit, "graph"),
        "{} rows read without a code change, {} with one",
        rows_read(&report, "graph"),
        rows_read(&body_edit, "graph")
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));

    // A new function and a call to it, stopped before the graph stage.
    let text = std::fs::read_to_string(&calc).expect("read");
    std::fs::write(
        &calc,
        format!("{text}\npub fn twice(a: i64) -> i64 {{\n    add(a, a)\n}}\n"),
    )
    .expect("write");
    commit_all(root, "Twice");
    run_stopped_before_ranking(root);
    let resumed = run(root);
    assert!(
        graph_log(&resumed).contains(&"executed graph(symbols)".to_owned()),
        "{:?}",
        graph_log(&resumed)
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

/// The salience score of `path` as a reader computes it.
fn score(root: &std::path::Path, path: &str) -> f64 {
    let index = homer_read::Index::open(root).expect("open");
    let values = index
        .values(homer_store::NodeKind::File, path)
        .expect("values");
    index
        .salience(&values)
        .expect("salience")
        .expect("a ranked file")
}

#[test]
fn a_file_changed_again_rewrites_no_other_files_salience() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let classes = dump(root).matches(" salience_class=").count();
    let before = score(root, "go/main.go");
    // The production file changed longest ago (with go/main.go) becomes
    // the most recent: every file it passes moves down in recency, so
    // each one's score moves. Stored, that was a row per file (23 rows
    // for 16 ranked files); the score is computed when read, and the
    // rows written are the populations it is read from and what changed
    // of the touched file.
    let path = root.join("go/mathx/mathx.go");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{text}// touched\n")).expect("write");
    commit_all(root, "Touch mathx");
    let report = run(root);
    let graph = report
        .stages
        .iter()
        .find(|s| s.stage == "graph")
        .expect("the graph stage ran");
    assert!(
        graph.rows_written < classes as u64,
        "{} rows written for {classes} ranked files",
        graph.rows_written
    );
    let after = score(root, "go/main.go");
    assert!(after < before, "{before} -> {after}");
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

#[test]
fn a_new_import_runs_the_file_pagerank_once_from_the_old_scores() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    // ts/src/server.ts already imports api.ts; now api.ts imports a new
    // helper: one more file and one more dependency.
    std::fs::write(
        root.join("ts/src/helper.ts"),
        "export function twice(n: number): number {\n  return 2 * n;\n}\n",
    )
    .expect("write");
    let api = std::fs::read_to_string(root.join("ts/src/api.ts")).expect("read");
    std::fs::write(
        root.join("ts/src/api.ts"),
        format!("import {{ twice }} from \"./helper\";\n\n{api}"),
    )
    .expect("write");
    commit_all(root, "A helper");
    let report = run(root);
    let log = graph_log(&report);
    assert_eq!(
        log.iter().filter(|l| *l == "executed graph(files)").count(),
        1,
        "{log:?}"
    );
    let files = report
        .pagerank
        .iter()
        .find(|r| r.graph == "files")
        .expect("the file graph was ranked");
    assert!(files.converged, "{files:?}");
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

#[test]
fn rankings_are_the_same_bytes_on_every_build() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let first = dump(root);
    assert!(first.contains(" community="), "communities are stored");
    assert!(first.contains(" salience_class="), "classes are stored");
    // A second update changes nothing, and a fresh build of the same
    // commit stores the same bytes.
    let again = run(root);
    assert_eq!(again.executed, 0);
    assert_eq!(dump(root), first);
    assert_same_dump(&fresh_dump(root, run), &first);
}

/// A symbol keeps its PageRank and nothing else of the call graph: its
/// degrees and betweenness are computed by the export when asked, and a
/// graph task that runs again reads every value it stored.
#[test]
fn a_symbol_stores_its_rank_and_a_file_its_centrality() {
    use homer_vocab::keys;
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let index = homer_read::Index::open(root).expect("open");
    let symbol = index
        .values(homer_store::NodeKind::Symbol, "src/calc.rs::add")
        .expect("values");
    assert!(symbol.get(keys::CALL_PAGERANK).expect("a real").is_some());
    assert_eq!(symbol.get(keys::IN_DEGREE).expect("an integer"), None);
    assert_eq!(symbol.get(keys::OUT_DEGREE).expect("an integer"), None);
    assert_eq!(symbol.get(keys::BETWEENNESS).expect("a real"), None);
    let file = index
        .values(homer_store::NodeKind::File, "src/calc.rs")
        .expect("values");
    assert!(file.get(keys::IN_DEGREE).expect("an integer").is_some());
    assert!(file.get(keys::BETWEENNESS).expect("a real").is_some());
}
