//! What users do to `homer update` in a hurry: kill it at any moment, read
//! the index while it runs, start two at once. The index must stay
//! consistent throughout and end exactly where an undisturbed run ends.
//!
//! The repository is generated here (a few hundred commits over Python
//! and Rust files that call each other). `HOMER_KILL_REPO=PATH` runs the
//! kill test on a clone of PATH instead (a corpus repository), and
//! `HOMER_KILLS=N` sets the number of kills (default 12; the closing
//! figures use 50 on a corpus clone, in a release build).

#![allow(
    clippy::print_stderr,
    reason = "the tests print what they measured (kills per stage, reads during updates)"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use homer_fixtures::{assert_same_dump, git, git_command, git_stdout};
use homer_store::{DumpOptions, OpenMode, Store};

fn homer_command(repo: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_homer"));
    command
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOMER_MODEL_DIR", "/nonexistent/homer-model");
    command
}

fn homer(repo: &Path, args: &[&str]) -> Output {
    homer_command(repo, args).output().expect("run homer")
}

fn update(repo: &Path) -> Output {
    let out = homer(repo, &["update", "--no-embed", "--json"]);
    assert!(
        out.status.success(),
        "homer update failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn spawn_update(repo: &Path) -> Child {
    homer_command(repo, &["update", "--no-embed"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn homer update")
}

fn database(repo: &Path) -> PathBuf {
    repo.join(".homer/homer.db")
}

/// Where a new index is built before it replaces the one readers use.
fn side_database(repo: &Path) -> PathBuf {
    repo.join(".homer/homer.db.new")
}

/// The mark of a transaction under way in the side database.
fn side_mark(repo: &Path) -> PathBuf {
    repo.join(".homer/homer.db.new-building")
}

/// The index's problems (none when consistent) and its canonical dump.
fn check(repo: &Path) -> String {
    check_file(&database(repo))
}

fn check_file(path: &Path) -> String {
    let store = Store::open(path, OpenMode::ReadWrite).expect("open the index");
    assert_eq!(
        store.check_integrity().expect("integrity check"),
        Vec::<String>::new(),
        "the index is damaged"
    );
    store.dump(DumpOptions::default()).expect("dump")
}

/// A repository with `commits` commits by three authors over Python and
/// Rust files whose functions call each other, written with git
/// fast-import (fixed dates, so the same ids every time).
fn generate(dir: &Path, commits: usize, files: usize) {
    git(dir, &["init", "-q", "-b", "main", "."]);
    git(dir, &["config", "gc.auto", "0"]);
    let mut stream = String::new();
    let authors = [
        "Ann <ann@example.com>",
        "Bo <bo@example.com>",
        "Cy <cy@example.com>",
    ];
    let mut version = vec![0usize; files];
    for c in 0..commits {
        let when = 1_700_000_000 + c * 3600;
        let author = authors[c % 3];
        let _ = write!(
            stream,
            "commit refs/heads/main\nmark :{}\nauthor {author} {when} +0000\ncommitter {author} {when} +0000\n",
            c + 1
        );
        let message = format!("change {c}: touch the module of part {}\n", c % files);
        let _ = write!(stream, "data {}\n{message}", message.len());
        if c > 0 {
            let _ = writeln!(stream, "from :{c}");
        }
        // The first commit adds every file; later ones change two or three.
        let touched: Vec<usize> = if c == 0 {
            (0..files).collect()
        } else {
            vec![c % files, (c * 7 + 3) % files, (c * 13 + 5) % files]
        };
        for f in touched {
            version[f] += 1;
            let (path, text) = source(f, files, version[f]);
            let _ = write!(
                stream,
                "M 100644 inline {path}\ndata {}\n{text}\n",
                text.len()
            );
        }
    }
    let mut child = git_command(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream.as_bytes())
        .expect("write the stream");
    assert!(child.wait().expect("fast-import").success());
    git(dir, &["reset", "-q", "--hard", "main"]);
}

/// File `f` at `version`: a Python module or a Rust file calling its
/// neighbours' functions.
fn source(f: usize, files: usize, version: usize) -> (String, String) {
    let next = (f + 1) % files;
    let far = (f * 5 + 2) % files;
    if f.is_multiple_of(2) {
        let path = format!("pkg/part{f}.py");
        let mut text = format!(
            "from pkg.part{next} import run_{next}\nfrom pkg.part{far} import run_{far}\n\n"
        );
        for v in 0..version.min(6) {
            let _ = write!(
                text,
                "def helper_{f}_{v}(value):\n    \"\"\"Scales the value, step {v}.\"\"\"\n    return run_{next}(value) + {v}\n\n"
            );
        }
        let _ = write!(
            text,
            "def run_{f}(value):\n    return helper_{f}_0(value) + run_{far}(value) * {version}\n"
        );
        (path, text)
    } else {
        let path = format!("src/part{f}.rs");
        let mut text = String::from("use crate::util;\n\n");
        for v in 0..version.min(6) {
            let _ = write!(
                text,
                "/// Step {v} of part {f}.\npub fn step_{f}_{v}(x: u64) -> u64 {{\n    crate::part{next}::run_{next}(x) + {v}\n}}\n\n"
            );
        }
        let _ = write!(
            text,
            "pub fn run_{f}(x: u64) -> u64 {{\n    step_{f}_0(x) + util::scale(x, {version})\n}}\n"
        );
        (path, text)
    }
}

/// The repository under test: a clone of `HOMER_KILL_REPO`, or a
/// generated one.
fn subject(dir: &Path) -> PathBuf {
    let repo = dir.join("repo");
    if let Some(source) = std::env::var_os("HOMER_KILL_REPO") {
        let source = source.to_string_lossy().into_owned();
        git(dir, &["clone", "-q", "--no-local", &source, "repo"]);
    } else {
        std::fs::create_dir_all(&repo).expect("mkdir");
        generate(&repo, 400, 40);
    }
    repo
}

/// A small deterministic generator for the kill moments.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The stage a killed update was in: the first whose checkpoint is not
/// yet the one the finished index has.
fn stage_reached(path: &Path, finished: &[(&str, Option<String>)]) -> String {
    let Ok(store) = Store::open(path, OpenMode::ReadOnly) else {
        return "before the schema".to_owned();
    };
    for (name, value) in finished {
        if store.checkpoint(name).ok().flatten() != *value {
            return if *name == "stage.code" {
                "tree or code".to_owned()
            } else {
                (*name).to_owned()
            };
        }
    }
    "the embed stage or the report".to_owned()
}

/// The stages with a checkpoint, in order (`tree` has none: a kill there
/// shows as one in `code`).
const STAGES: [&str; 4] = [
    "stage.code",
    "stage.history",
    "stage.behavior",
    "stage.graph",
];

/// The freshness `homer status --json` reports.
fn freshness(repo: &Path) -> serde_json::Value {
    let out = homer(repo, &["status", "--json"]);
    assert!(out.status.success(), "homer status failed");
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    status["freshness"].clone()
}

/// What readers hear of an incremental update to `head` killed in
/// `stage`: behind before its first stage committed, up to date after its
/// last, and in between that the index is part way to `head` and the
/// update was stopped, however HEAD moves meanwhile.
fn readers_are_told(repo: &Path, incremental: bool, stage: &str, head: &str) {
    if !incremental {
        // A cold update builds beside: readers see no index yet.
        return;
    }
    let seen = freshness(repo);
    let said = seen["state"].as_str().unwrap_or_default();
    let allowed: &[&str] = match stage {
        "tree or code" => &["behind", "partial"],
        "the embed stage or the report" => &["up_to_date"],
        _ => &["partial"],
    };
    assert!(
        allowed.contains(&said),
        "killed in {stage}, status says {seen}"
    );
    if said == "partial" {
        assert_eq!(seen["to"], head, "{seen}");
        assert_eq!(seen["running"], false, "{seen}");
        let out = homer(repo, &["query", "pkg/part0.py"]);
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            shown.contains("was stopped part way"),
            "a query of a partial index must say so: {shown}"
        );
        // Back to the commit the index started from: still partial, not
        // "up to date" with the other commit's facts inside.
        let indexed = String::from_utf8_lossy(&git_stdout(repo, &["rev-parse", "HEAD~5"]))
            .trim()
            .to_owned();
        git(repo, &["checkout", "-q", "--detach", &indexed]);
        assert_eq!(freshness(repo)["state"], "partial");
        git(repo, &["checkout", "-q", "--detach", head]);
    }
}

/// What a killed update left: checks it and says where it was.
fn killed(
    repo: &Path,
    incremental: bool,
    finished: &[(&str, Option<String>)],
    head: &str,
) -> String {
    // A cold update builds beside the index and publishes at the end: a
    // kill before that leaves the side file to resume.
    let side = side_database(repo);
    // A new index is written without a journal: killed inside a stage, it
    // may be torn, and its mark says so. The next update must start it
    // again (checked by the caller with the dump).
    if side.exists() && side_mark(repo).exists() {
        return "killed inside a stage of a new index".to_owned();
    }
    let path = if side.exists() { side } else { database(repo) };
    if !path.exists() {
        return "killed before the database existed".to_owned();
    }
    let stage = stage_reached(&path, finished);
    let _ = check_file(&path);
    readers_are_told(repo, incremental, &stage, head);
    format!("killed in {stage}")
}

#[test]
fn an_update_killed_at_any_moment_resumes_to_the_same_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = subject(dir.path());
    let kills: usize = std::env::var("HOMER_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let head = String::from_utf8_lossy(&git_stdout(&repo, &["rev-parse", "HEAD"]))
        .trim()
        .to_owned();

    // An index of HEAD~5, kept aside: a third of the kills interrupt an
    // incremental update from it.
    git(&repo, &["reset", "-q", "--hard", "HEAD~5"]);
    update(&repo);
    let older = dir.path().join("older");
    std::fs::create_dir_all(&older).expect("mkdir");
    std::fs::copy(database(&repo), older.join("homer.db")).expect("keep the older index");
    git(&repo, &["reset", "-q", "--hard", &head]);
    std::fs::remove_dir_all(repo.join(".homer")).expect("remove the index");

    // The undisturbed run: its dump is the reference. Its time, and an
    // incremental update's, spread the kills (the fastest of two runs: the
    // first pays for a cold page cache).
    let mut cold = Duration::MAX;
    let mut incremental = Duration::MAX;
    for _ in 0..2 {
        let _ = std::fs::remove_dir_all(repo.join(".homer"));
        let started = Instant::now();
        update(&repo);
        cold = cold.min(started.elapsed());
        std::fs::copy(older.join("homer.db"), database(&repo)).expect("restore");
        let _ = std::fs::remove_file(repo.join(".homer/homer.db-wal"));
        let _ = std::fs::remove_file(repo.join(".homer/homer.db-shm"));
        let started = Instant::now();
        update(&repo);
        incremental = incremental.min(started.elapsed());
    }
    let reference = check(&repo);
    // In stage order (a map would sort them by name).
    let finished: Vec<(&str, Option<String>)> = {
        let store = Store::open(&database(&repo), OpenMode::ReadOnly).expect("open");
        STAGES
            .iter()
            .map(|s| (*s, store.checkpoint(s).expect("checkpoint")))
            .collect()
    };

    let mut random = Lcg(0x5eed);
    let mut reached: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..kills {
        let incremental_run = i % 3 == 2;
        let whole = if incremental_run { incremental } else { cold };
        let mut delay = whole.mul_f64(random.next() * 1.05);
        // An update that finished before its kill (the machine was faster
        // than when the durations were measured) is killed again sooner:
        // how busy the machine is must not decide whether kills land.
        let what = loop {
            std::fs::remove_dir_all(repo.join(".homer")).expect("remove the index");
            if incremental_run {
                std::fs::create_dir_all(repo.join(".homer")).expect("mkdir");
                std::fs::copy(older.join("homer.db"), database(&repo)).expect("restore");
            }
            let mut child = spawn_update(&repo);
            std::thread::sleep(delay);
            if child.try_wait().expect("poll").is_some() {
                if delay > Duration::from_millis(2) {
                    delay /= 2;
                    continue;
                }
                break "finished before the kill".to_owned();
            }
            child.kill().expect("SIGKILL");
            child.wait().expect("reap");
            break killed(&repo, incremental_run, &finished, &head);
        };
        eprintln!("kill {i}: after {} ms: {what}", delay.as_millis());
        *reached
            .entry(format!(
                "{} update, {what}",
                if incremental_run {
                    "incremental"
                } else {
                    "cold"
                }
            ))
            .or_default() += 1;
        update(&repo);
        assert_same_dump(&check(&repo), &reference);
    }
    eprintln!(
        "{kills} kills over a {} ms cold or {} ms incremental update: {reached:#?}",
        cold.as_millis(),
        incremental.as_millis()
    );
    let interrupted: usize = reached
        .iter()
        .filter(|(k, _)| !k.ends_with("finished before the kill"))
        .map(|(_, n)| n)
        .sum();
    assert!(
        interrupted * 2 >= kills,
        "most kills must land inside the update: {reached:?}"
    );
}

#[test]
fn reads_keep_working_while_an_update_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    generate(&repo, 400, 40);
    let head = String::from_utf8_lossy(&git_stdout(&repo, &["rev-parse", "HEAD"]))
        .trim()
        .to_owned();
    git(&repo, &["reset", "-q", "--hard", "HEAD~20"]);
    update(&repo);
    git(&repo, &["reset", "-q", "--hard", &head]);

    for rebuild in [false, true] {
        let mut child = if rebuild {
            homer_command(&repo, &["update", "--no-embed", "--rebuild"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        } else {
            spawn_update(&repo)
        };
        let mut during = 0;
        let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
        while child.try_wait().expect("poll").is_none() {
            for args in [
                &["query", "pkg/part0.py"][..],
                &["query", "run_1"][..],
                &["search", "--mode", "text", "scales value"][..],
                &["status", "--json"][..],
            ] {
                let out = homer(&repo, args);
                let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                // A rebuild is built beside the index: every read meets
                // the old index or the new one, and succeeds.
                assert!(
                    out.status.success(),
                    "`homer {}` failed during {} update: {stderr}",
                    args.join(" "),
                    if rebuild {
                        "a rebuilding"
                    } else {
                        "an incremental"
                    }
                );
                *outcomes.entry(format!("{} ok", args[0])).or_default() += 1;
                if args[0] == "status" {
                    // Behind until the update's first stage commits, part
                    // way to HEAD until its last, then up to date; a
                    // rebuild is seen only once it is whole.
                    let seen: serde_json::Value =
                        serde_json::from_slice(&out.stdout).expect("status JSON");
                    let seen = &seen["freshness"];
                    let state = seen["state"].as_str().unwrap_or_default().to_owned();
                    let allowed: &[&str] = if rebuild {
                        &["up_to_date"]
                    } else {
                        &["behind", "partial", "up_to_date"]
                    };
                    assert!(allowed.contains(&state.as_str()), "status says {seen}");
                    if state == "partial" {
                        assert_eq!(seen["to"], head.as_str(), "{seen}");
                    }
                    *outcomes.entry(format!("status {state}")).or_default() += 1;
                }
                during += 1;
            }
        }
        let status = child.wait().expect("wait");
        assert!(status.success(), "the update failed");
        eprintln!(
            "{} reads during {} update: {outcomes:?}",
            during,
            if rebuild {
                "a rebuilding"
            } else {
                "an incremental"
            }
        );
        assert!(during >= 4, "the update was too quick to read during it");
    }
}

#[test]
fn two_updates_started_together_run_one_after_the_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    generate(&repo, 300, 30);
    let first = spawn_update(&repo);
    let second = spawn_update(&repo);
    let outputs = [first, second].map(|c| c.wait_with_output().expect("wait"));
    for out in &outputs {
        assert!(
            out.status.success(),
            "an update failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let waited = outputs
        .iter()
        .filter(|o| {
            String::from_utf8_lossy(&o.stderr)
                .contains("another `homer update` is running on this index")
        })
        .count();
    assert_eq!(waited, 1, "exactly one of them waits for the other");
    // Equal to one undisturbed run on a fresh clone.
    let fresh = dir.path().join("fresh");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--no-local",
            &repo.display().to_string(),
            "fresh",
        ],
    );
    update(&fresh);
    assert_same_dump(&check(&repo), &check(&fresh));
    // And a third one has nothing to do.
    let report: serde_json::Value =
        serde_json::from_slice(&update(&repo).stdout).expect("json report");
    assert_eq!(report["executed"], 0);
}
