//! Hostile input, end to end: each case runs the `homer` binary as a user
//! would, and checks the exit code (0 done, 2 an error), what it says, and
//! that the index it leaves is consistent (`PRAGMA integrity_check`, the
//! text index's own check, foreign keys) and complete (a second update has
//! nothing to do).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use homer_fixtures::{commit_all, copy, git, git_stdout};
use homer_store::{OpenMode, Store};

fn homer_in(cwd: &Path, args: &[&str], model_dir: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homer"))
        .args(args)
        .current_dir(cwd)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOMER_MODEL_DIR", model_dir)
        .output()
        .expect("run homer")
}

fn homer(cwd: &Path, args: &[&str]) -> Output {
    homer_in(cwd, args, "/nonexistent/homer-model")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `homer update --no-embed` succeeds, says `says` (when given), leaves a
/// consistent index, and a second update executes nothing.
fn indexes(repo: &Path, index: &Path, says: Option<&str>) {
    let out = homer(repo, &["update", "--no-embed"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    if let Some(text) = says {
        assert!(
            stderr(&out).contains(text),
            "expected {text:?} in:\n{}",
            stderr(&out)
        );
    }
    consistent(index);
    let again = homer(repo, &["update", "--no-embed", "--json"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    assert_eq!(report["executed"], 0, "a second update had work left");
}

fn consistent(index: &Path) {
    let store = Store::open(index, OpenMode::ReadWrite).expect("open the index");
    assert_eq!(
        store.check_integrity().expect("integrity"),
        Vec::<String>::new()
    );
}

fn db(repo: &Path) -> std::path::PathBuf {
    repo.join(".homer/homer.db")
}

fn new_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q", "-b", "main", "."]);
    dir
}

#[test]
fn not_a_repository_is_an_error_that_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = homer(dir.path(), &["update"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not in a git repository"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join(".homer").exists(), "nothing is written");
}

#[test]
fn an_empty_repository_then_its_first_commit() {
    let repo = new_repo();
    indexes(repo.path(), &db(repo.path()), Some("no commits yet"));
    std::fs::write(repo.path().join("a.py"), "def f():\n    return 1\n").expect("write");
    commit_all(repo.path(), "first");
    indexes(repo.path(), &db(repo.path()), None);
}

#[test]
fn bare_shallow_partial_and_detached_repositories() {
    let source = copy("small");
    let src = source.path().display().to_string();
    git(source.path(), &["config", "uploadpack.allowFilter", "true"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{src}");

    git(dir.path(), &["clone", "-q", "--bare", &src, "bare.git"]);
    let bare = dir.path().join("bare.git");
    indexes(&bare, &bare.join("homer/homer.db"), None);

    git(
        dir.path(),
        &["clone", "-q", "--depth", "5", &url, "shallow"],
    );
    let shallow = dir.path().join("shallow");
    indexes(&shallow, &db(&shallow), Some("shallow"));
    // Every answer resting on the history says where it stops.
    let stops = "a shallow clone: history stops at its boundary commit, so churn, ownership and coupling count only the 4 commits after it";
    let status = homer(&shallow, &["status"]);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains(stops),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
    let review = homer(&shallow, &["review", "--json", "HEAD~1..HEAD"]);
    assert_eq!(review.status.code(), Some(0), "{}", stderr(&review));
    let review: serde_json::Value = serde_json::from_slice(&review.stdout).expect("json");
    assert!(
        review["basis"]["history"]
            .as_str()
            .is_some_and(|h| h.starts_with(stops)),
        "{review}"
    );

    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            "--no-checkout",
            &url,
            "partial",
        ],
    );
    let partial = dir.path().join("partial");
    indexes(&partial, &db(&partial), Some("missing"));

    git(dir.path(), &["clone", "-q", &src, "detached"]);
    let detached = dir.path().join("detached");
    git(&detached, &["checkout", "-q", "--detach", "HEAD~3"]);
    indexes(&detached, &db(&detached), None);
}

#[test]
fn submodules_symlinks_odd_names_and_a_commit_of_10000_files() {
    // The edge_cases fixture: a submodule, a symlink, a Latin-1 file name,
    // invalid UTF-8 content, and one commit adding 10,000 files.
    let repo = copy("edge_cases");
    indexes(repo.path(), &db(repo.path()), None);
}

#[test]
fn symlink_loops_and_links_out_of_the_repository_are_not_followed() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        outside.path().join("secret.txt"),
        "the outside secret words\n",
    )
    .expect("write");
    let repo = new_repo();
    let p = repo.path();
    std::os::unix::fs::symlink("loop-b", p.join("loop-a")).expect("symlink");
    std::os::unix::fs::symlink("loop-a", p.join("loop-b")).expect("symlink");
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), p.join("leak.txt"))
        .expect("symlink");
    std::os::unix::fs::symlink(outside.path(), p.join("leak-dir")).expect("symlink");
    std::fs::write(p.join("main.py"), "def main():\n    return 0\n").expect("write");
    commit_all(p, "links");
    indexes(p, &db(p), None);
    let out = homer(
        p,
        &["search", "--mode", "text", "outside secret words", "--json"],
    );
    // 1: nothing found: the link is indexed as a link, its target unread.
    assert_eq!(
        out.status.code(),
        Some(1),
        "a symlink's target was read: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn deep_nesting_huge_minified_nul_and_non_utf8_files() {
    let repo = new_repo();
    let p = repo.path();
    let depth = 10_000;
    std::fs::write(
        p.join("deep.py"),
        format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth)),
    )
    .expect("write");
    std::fs::write(
        p.join("deep.js"),
        format!("const x = {}1{};\n", "(".repeat(depth), ")".repeat(depth)),
    )
    .expect("write");
    // 50 MB of plausible code.
    let line = "def generated_function(a, b):\n    return a + b\n";
    std::fs::write(p.join("huge.py"), line.repeat(50_000_000 / line.len())).expect("write");
    let mut minified = String::from("(function(){");
    for i in 0..20_000 {
        let _ = write!(minified, "var a{i}=function(b){{return b+{i}}};");
    }
    minified.push_str("})();");
    std::fs::write(p.join("bundle.js"), minified).expect("write");
    std::fs::write(p.join("nul.rs"), b"fn a() {}\0\0\0fn b() { a() }\n").expect("write");
    std::fs::write(
        p.join("latin1.py"),
        b"# caf\xe9\ndef f():\n    return '\xff'\n",
    )
    .expect("write");
    std::fs::write(
        p.join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"na\xefve.py")),
        "def naive():\n    pass\n",
    )
    .expect("write");
    commit_all(p, "hostile files");
    indexes(p, &db(p), Some("not parsed"));
    let out = homer(p, &["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_rewritten_history_updates_to_what_a_fresh_build_gives() {
    let repo = copy("small");
    let p = repo.path();
    indexes(p, &db(p), None);
    git(p, &["reset", "-q", "--hard", "HEAD~4"]);
    std::fs::write(p.join("rewritten.py"), "def again():\n    return 2\n").expect("write");
    commit_all(p, "a different future");
    indexes(p, &db(p), None);
    let head = git_stdout(p, &["rev-parse", "HEAD"]);
    let out = homer(p, &["status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        status["head"].as_str().map(str::as_bytes),
        Some(String::from_utf8_lossy(&head).trim().as_bytes())
    );
}

#[test]
fn a_damaged_index_says_how_to_rebuild_and_the_rebuild_works() {
    for damage in ["garbage", "truncated", "zeroed page"] {
        let repo = copy("small");
        let p = repo.path();
        indexes(p, &db(p), None);
        let bytes = std::fs::read(db(p)).expect("read");
        let damaged = match damage {
            "garbage" => b"this is not a database at all".repeat(200),
            "truncated" => bytes[..bytes.len() / 3].to_vec(),
            _ => {
                let mut b = bytes.clone();
                // Page 2 onwards: the schema page survives, tables do not.
                for x in &mut b[4096..4096 * 3] {
                    *x = 0xAB;
                }
                b
            }
        };
        std::fs::write(db(p), &damaged).expect("damage");
        let tracked_before = git_stdout(p, &["status", "--porcelain", "--ignored"]);
        for args in [
            &["update", "--no-embed"][..],
            &["query", "src/lib.rs"][..],
            &["status"][..],
        ] {
            let out = homer(p, args);
            // A damaged page that a command never reads goes unnoticed by
            // it (checking every page on each run would cost more than the
            // run); whatever does notice says how to rebuild.
            if damage == "zeroed page" && out.status.code() != Some(2) {
                continue;
            }
            assert_eq!(
                out.status.code(),
                Some(2),
                "{damage}: {args:?}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains("--rebuild"),
                "{damage}: {args:?} does not say how to rebuild:\n{}",
                stderr(&out)
            );
        }
        assert_eq!(
            git_stdout(p, &["status", "--porcelain", "--ignored"]),
            tracked_before,
            "nothing in the repository was touched"
        );
        let out = homer(p, &["update", "--no-embed", "--rebuild"]);
        assert_eq!(out.status.code(), Some(0), "{damage}: {}", stderr(&out));
        indexes(p, &db(p), None);
    }
}

#[test]
fn a_missing_or_broken_model_leaves_a_complete_index_and_says_why() {
    let repo = copy("small");
    let p = repo.path();
    let out = homer_in(p, &["update"], "/nonexistent/homer-model");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("homer model fetch"),
        "{}",
        stderr(&out)
    );
    consistent(&db(p));

    // A model directory whose files are there but not a model.
    let broken = tempfile::tempdir().expect("tempdir");
    for name in ["model.onnx", "tokenizer.json", "libonnxruntime.so"] {
        std::fs::write(broken.path().join(name), "not what it claims").expect("write");
    }
    let out = homer_in(p, &["update"], &broken.path().display().to_string());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("semantic search is off"),
        "{}",
        stderr(&out)
    );
    consistent(&db(p));
    let out = homer_in(
        p,
        &["search", "--mode", "semantic", "anything"],
        &broken.path().display().to_string(),
    );
    // 1: nothing found, and why.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("homer model fetch"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn nothing_is_written_through_a_symlink_out_of_the_repository() {
    let outside = tempfile::tempdir().expect("tempdir");
    let target = outside.path().join("victim.md");
    std::fs::write(&target, "not Homer's to change\n").expect("write");

    // AGENTS.md committed as a link to a file outside.
    let repo = copy("small");
    let p = repo.path();
    // A directory of five files, so `--per-dir` has a context to write.
    std::fs::create_dir_all(p.join("many")).expect("mkdir");
    for i in 0..5 {
        std::fs::write(
            p.join(format!("many/m{i}.py")),
            format!("def f{i}():\n    return {i}\n"),
        )
        .expect("write");
    }
    commit_all(p, "five modules");
    indexes(p, &db(p), None);
    std::os::unix::fs::symlink(&target, p.join("AGENTS.md")).expect("symlink");
    let out = homer(p, &["render"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("outside the repository"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(p.join("AGENTS.md")).expect("remove");
    // An output path that climbs out.
    let out = homer(p, &["render", "--agents", "../escape.md"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!p.join("../escape.md").exists());
    // The context directory as a link to a directory outside.
    std::os::unix::fs::symlink(outside.path(), p.join(".homer/context")).expect("symlink");
    let out = homer(p, &["render", "--per-dir"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_dir(outside.path()).expect("list").count(),
        1,
        "a file was written outside"
    );

    // `.homer` itself a link out of the repository: no index is written.
    let repo = copy("small");
    let p = repo.path();
    std::os::unix::fs::symlink(outside.path(), p.join(".homer")).expect("symlink");
    let out = homer(p, &["update", "--no-embed"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "not Homer's to change\n"
    );
    assert_eq!(std::fs::read_dir(outside.path()).expect("list").count(), 1);
}
