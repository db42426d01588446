//! The property that cannot be fooled by care: after any sequence of what
//! people do to a repository, the incremental index equals a build from
//! scratch of the same state, by canonical dump.
//!
//! A seeded generator applies random steps to a repository (a partial
//! clone of a generated source, so that fetching blobs is one of them):
//! adding, modifying, deleting, renaming and moving files (Python, Rust
//! and JavaScript that call each other), deleting a file and creating it
//! again, merging a branch, changing `.homer/config.toml`, git's rename
//! settings and the `.mailmap` (committed or only in the working tree),
//! rewriting history, and fetching some of the blobs the clone lacks.
//! After each step the index is updated, and compared with a fresh build
//! made in the same repository state (the incremental index moved aside).
//!
//! `HOMER_PROPERTY_STEPS` sets the number of steps (default 200),
//! `HOMER_PROPERTY_SEED` the seed; `HOMER_PROPERTY_CORPUS=DIR` runs the
//! steps on a clone of every repository in DIR instead (real histories,
//! opt-in: it takes long), spreading the steps over them
//! (`HOMER_PROPERTY_REPOS=a,b` keeps only those).

#![allow(
    clippy::print_stderr,
    reason = "the test prints its seed and what each step did, to reproduce a failure"
)]

mod common;
use common::{dump, missing_blobs};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use homer_fixtures::{assert_same_dump, git, git_command, git_stdout};
use homer_update::{NoProgress, UpdateOptions, update};

/// SplitMix64: a seeded sequence, the same on every machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).expect("small")
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

const AUTHORS: [(&str, &str); 4] = [
    ("Ann Archer", "ann@example.com"),
    ("Bo Baker", "bo@example.com"),
    ("Bo Baker", "bo@old.example.org"),
    ("Cy Chen", "cy@example.com"),
];

/// The repository under test and the clock of its commits.
struct Repo {
    root: PathBuf,
    /// The generated source the partial clone fetches from.
    source: PathBuf,
    time: u64,
    counter: usize,
}

impl Repo {
    fn commit(&mut self, random: &mut Random, message: &str) {
        self.time += 3600 + random.next() % 7200;
        let (name, email) = AUTHORS[random.below(AUTHORS.len())];
        git(&self.root, &["add", "-A"]);
        let date = format!("@{} +0000", self.time);
        let out = git_command(&self.root)
            .args(["commit", "-q", "--allow-empty", "-m", message])
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", email)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("git commit");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Tracked files, sorted.
    /// The tracked regular files: not symbolic links (requests tracks
    /// links to directories, which an edit would write through) nor
    /// submodules.
    fn files(&self) -> Vec<String> {
        let listing = git_stdout(&self.root, &["ls-files", "-s"]);
        let mut files: Vec<String> = String::from_utf8(listing)
            .expect("utf-8 paths")
            .lines()
            .filter_map(|line| {
                let (meta, path) = line.split_once('\t')?;
                let mode = meta.split(' ').next()?;
                matches!(mode, "100644" | "100755").then(|| path.to_owned())
            })
            .filter(|f| f != ".mailmap")
            .collect();
        files.sort();
        files.dedup();
        files
    }

    fn fresh_name(&mut self, random: &mut Random) -> String {
        self.counter += 1;
        let dir = ["", "src/", "src/core/", "lib/", "lib/util/", "tests/"][random.below(6)];
        let ext = ["py", "rs", "js"][random.below(3)];
        format!("{dir}m{}.{ext}", self.counter)
    }
}

/// Source text that defines two functions and calls one in another file
/// of its language, imported the way the language imports (a Python
/// module path, a relative JavaScript path), so that resolution has
/// imports and calls across files to follow, and to lose when the callee
/// moves.
fn source_text(path: &str, random: &mut Random, known: &[String]) -> String {
    let stem = |p: &str| {
        Path::new(p)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("m")
            .to_owned()
    };
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("py");
    let same: Vec<&String> = known
        .iter()
        .filter(|k| k.as_str() != path && k.ends_with(&format!(".{ext}")))
        .collect();
    let callee = same
        .get(random.below(same.len().max(1)))
        .map(|s| s.as_str());
    let me = stem(path);
    let salt = random.below(1000);
    let mut text = String::new();
    match ext {
        "py" => {
            let target = match callee {
                Some(c) => {
                    let module = c.trim_end_matches(".py").replace('/', ".");
                    let name = stem(c);
                    let _ = writeln!(text, "from {module} import {name}_run\n");
                    format!("{name}_run")
                }
                None => format!("{me}_helper"),
            };
            let _ = writeln!(text, "def {me}_run(x):\n    return {target}(x) + {salt}\n");
            let _ = writeln!(text, "def {me}_helper(y):\n    return y * 2");
        }
        "js" => {
            let target = match callee {
                Some(c) => {
                    let name = stem(c);
                    let _ = writeln!(
                        text,
                        "import {{ {name}_run }} from '{}';\n",
                        relative(path, c)
                    );
                    format!("{name}_run")
                }
                None => format!("{me}_helper"),
            };
            let _ = writeln!(
                text,
                "export function {me}_run(x) {{\n  return {target}(x) + {salt};\n}}\n"
            );
            let _ = writeln!(
                text,
                "export function {me}_helper(y) {{\n  return y * 2;\n}}"
            );
        }
        _ => {
            // Rust files build another file's type by its name
            // (`Tm3::make()`): resolved through every definition of
            // `make` whose qualified name ends with that type's.
            let target = callee.map_or_else(|| format!("T{me}"), |c| format!("T{}", stem(c)));
            let _ = writeln!(text, "pub struct T{me};\n");
            let _ = writeln!(
                text,
                "impl T{me} {{\n    pub fn make() -> Self {{\n        T{me}\n    }}\n}}\n"
            );
            let _ = writeln!(
                text,
                "pub fn {me}_run(x: i64) -> i64 {{\n    let _t = {target}::make();\n    x + {salt}\n}}"
            );
        }
    }
    text
}

/// `to` relative to the directory of `from`, as a JavaScript import path.
fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> =
        from.split('/').collect::<Vec<_>>()[..from.split('/').count() - 1].to_vec();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..from_dir.len() {
        parts.push("..".to_owned());
    }
    parts.extend(to_parts[common..].iter().map(|p| (*p).to_owned()));
    let joined = parts.join("/");
    if joined.starts_with("..") {
        joined
    } else {
        format!("./{joined}")
    }
}

/// One random step; returns what it did, for the log.
#[allow(
    clippy::too_many_lines,
    reason = "one arm per kind of step reads best as one match"
)]
fn step(repo: &mut Repo, random: &mut Random) -> String {
    let files = repo.files();
    let root = repo.root.clone();
    match random.below(14) {
        0 | 1 => {
            let path = repo.fresh_name(random);
            let text = source_text(&path, random, &files);
            write(&root, &path, &text);
            repo.commit(random, &format!("add {path}"));
            format!("add {path}")
        }
        2..=4 => {
            let Some(path) = random.pick(&files).cloned() else {
                return step(repo, random);
            };
            let mut text = std::fs::read_to_string(root.join(&path)).unwrap_or_default();
            if random.below(3) == 0 {
                // A body-only edit: resolution should not move.
                text.push('\n');
            } else {
                text = source_text(&path, random, &files);
            }
            write(&root, &path, &text);
            repo.commit(random, &format!("edit {path}"));
            format!("modify {path}")
        }
        5 => {
            let Some(path) = random.pick(&files).cloned() else {
                return step(repo, random);
            };
            git(&root, &["rm", "-q", &path]);
            repo.commit(random, &format!("delete {path}"));
            format!("delete {path}")
        }
        6 | 7 => {
            let Some(from) = random.pick(&files).cloned() else {
                return step(repo, random);
            };
            let ext = Path::new(&from)
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("py")
                .to_owned();
            let mut to = repo.fresh_name(random);
            to.truncate(to.rfind('.').expect("an extension"));
            to.push('.');
            to.push_str(&ext);
            if let Some(parent) = Path::new(&to).parent() {
                std::fs::create_dir_all(root.join(parent)).expect("mkdir");
            }
            git(&root, &["mv", &from, &to]);
            if random.below(2) == 0 {
                let mut text = std::fs::read_to_string(root.join(&to)).unwrap_or_default();
                text.push_str("# moved\n");
                write(&root, &to, &text);
            }
            repo.commit(random, &format!("move {from} to {to}"));
            format!("rename {from} -> {to}")
        }
        8 => {
            // Delete, then create the same path again with other text.
            let Some(path) = random.pick(&files).cloned() else {
                return step(repo, random);
            };
            git(&root, &["rm", "-q", &path]);
            repo.commit(random, &format!("drop {path}"));
            let text = source_text(&path, random, &files);
            write(&root, &path, &text);
            repo.commit(random, &format!("bring back {path}"));
            format!("delete and recreate {path}")
        }
        9 => {
            // A branch that adds a file, merged without fast-forward.
            let path = repo.fresh_name(random);
            git(&root, &["checkout", "-q", "-b", "side"]);
            write(&root, &path, &source_text(&path, random, &files));
            repo.commit(random, &format!("side: add {path}"));
            git(&root, &["checkout", "-q", "main"]);
            if let Some(other) = random.pick(&files).cloned() {
                let mut text = std::fs::read_to_string(root.join(&other)).unwrap_or_default();
                text.push('\n');
                write(&root, &other, &text);
                repo.commit(random, &format!("main: touch {other}"));
            }
            repo.time += 60;
            let date = format!("@{} +0000", repo.time);
            let out = git_command(&root)
                .args(["merge", "-q", "--no-ff", "-m", "merge side", "side"])
                .env("GIT_AUTHOR_NAME", "Ann Archer")
                .env("GIT_AUTHOR_EMAIL", "ann@example.com")
                .env("GIT_AUTHOR_DATE", &date)
                .env("GIT_COMMITTER_NAME", "Ann Archer")
                .env("GIT_COMMITTER_EMAIL", "ann@example.com")
                .env("GIT_COMMITTER_DATE", &date)
                .output()
                .expect("git merge");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            git(&root, &["branch", "-q", "-D", "side"]);
            format!("branch and merge adding {path}")
        }
        10 => {
            let settings = [
                "",
                "[coupling]\nmin_shared = 2\nmin_revisions = 2\nmin_degree = 10.0\n",
                "[code]\nmax_file_bytes = 120\n",
                "[graph]\ndamping = 0.8\n",
            ];
            let chosen = settings[random.below(settings.len())];
            write(&root, ".homer/config.toml", chosen);
            let renames = ["true", "false"][random.below(2)];
            git(&root, &["config", "diff.renames", renames]);
            format!("settings {chosen:?}, diff.renames={renames}")
        }
        11 => {
            let line = "Bo Baker <bo@example.com> <bo@old.example.org>\n";
            let mut mailmap = std::fs::read_to_string(root.join(".mailmap")).unwrap_or_default();
            if mailmap.contains(line) {
                mailmap = mailmap.replace(line, "");
            } else {
                mailmap.push_str(line);
            }
            write(&root, ".mailmap", &mailmap);
            if random.below(2) == 0 {
                repo.commit(random, "mailmap");
                "mailmap, committed".to_owned()
            } else {
                "mailmap, in the working tree only".to_owned()
            }
        }
        12 => {
            // Rewrite history: drop the last commits, make new ones.
            let count: usize =
                String::from_utf8(git_stdout(&root, &["rev-list", "--count", "HEAD"]))
                    .expect("utf-8")
                    .trim()
                    .parse()
                    .expect("a count");
            let back = (1 + random.below(3)).min(count.saturating_sub(1));
            if back == 0 {
                return step(repo, random);
            }
            let worktree_mailmap = std::fs::read_to_string(root.join(".mailmap")).ok();
            git(&root, &["reset", "-q", "--hard", &format!("HEAD~{back}")]);
            // The reset must not undo an uncommitted mailmap step's intent
            // silently: keep whatever the working tree had.
            if let Some(text) = worktree_mailmap {
                write(&root, ".mailmap", &text);
            }
            let path = repo.fresh_name(random);
            write(&root, &path, &source_text(&path, random, &repo.files()));
            repo.commit(random, &format!("rewritten: add {path}"));
            format!("rewrite the last {back} commits")
        }
        _ => {
            // Fetch some of the blobs the partial clone lacks.
            let missing = missing_blobs(&root);
            if missing.is_empty() {
                return step(repo, random);
            }
            let take = 1 + random.below(missing.len());
            let mut args = vec!["fetch", "-q", "origin"];
            args.extend(missing.iter().take(take).map(String::as_str));
            git(&root, &args);
            format!("fetch {take} of {} missing blobs", missing.len())
        }
    }
}

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(full, text).expect("write");
}

fn index(root: &Path) {
    let options = UpdateOptions {
        no_embed: true,
        ..UpdateOptions::default()
    };
    update(root, &options, &NoProgress).expect("update");
}

/// A build from scratch of exactly this repository state (working tree,
/// git configuration, fetched objects), with the same settings: the
/// incremental index is moved aside while it is made.
fn fresh_dump(root: &Path) -> String {
    let homer = root.join(".homer");
    let aside = root.join(".homer-incremental");
    std::fs::rename(&homer, &aside).expect("move the index aside");
    std::fs::create_dir_all(&homer).expect("mkdir");
    if let Ok(config) = std::fs::read(aside.join("config.toml")) {
        std::fs::write(homer.join("config.toml"), config).expect("copy the settings");
    }
    index(root);
    let fresh = dump(root);
    std::fs::remove_dir_all(&homer).expect("remove the fresh index");
    std::fs::rename(&aside, &homer).expect("bring the index back");
    fresh
}

/// A generated source repository and a partial clone of it.
fn generated(dir: &Path, random: &mut Random) -> Repo {
    let source = dir.join("source");
    std::fs::create_dir_all(&source).expect("mkdir");
    git(&source, &["init", "-q", "-b", "main"]);
    git(&source, &["config", "uploadpack.allowFilter", "true"]);
    git(
        &source,
        &["config", "uploadpack.allowAnySHA1InWant", "true"],
    );
    let mut repo = Repo {
        root: source.clone(),
        source: source.clone(),
        time: 1_700_000_000,
        counter: 0,
    };
    for i in 0..12 {
        let path = repo.fresh_name(random);
        let text = source_text_for(&repo, &path, random);
        write(&source, &path, &text);
        if i % 3 == 2 {
            repo.commit(random, &format!("start {i}"));
        }
    }
    for _ in 0..10 {
        let files = repo.files();
        if let Some(path) = random.pick(&files).cloned() {
            write(&source, &path, &source_text(&path, random, &files));
            repo.commit(random, &format!("edit {path}"));
        }
    }
    let url = format!("file://{}", source.display());
    git(dir, &["clone", "-q", "--filter=blob:none", &url, "work"]);
    let work = dir.join("work");
    git(&work, &["config", "gc.auto", "0"]);
    repo.root = work;
    repo
}

fn source_text_for(repo: &Repo, path: &str, random: &mut Random) -> String {
    source_text(path, random, &repo.files())
}

fn steps_wanted() -> usize {
    std::env::var("HOMER_PROPERTY_STEPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

fn seed() -> u64 {
    std::env::var("HOMER_PROPERTY_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x00c0_ffee)
}

/// Runs `steps` random steps on `repo`, comparing after each.
fn walk(repo: &mut Repo, random: &mut Random, steps: usize, label: &str) {
    index(&repo.root);
    assert_same_dump(&dump(&repo.root), &fresh_dump(&repo.root));
    for i in 0..steps {
        let did = step(repo, random);
        eprintln!("{label} step {i}: {did}");
        index(&repo.root);
        let incremental = dump(&repo.root);
        let fresh = fresh_dump(&repo.root);
        if incremental != fresh {
            eprintln!(
                "{label}: after step {i} ({did}) the incremental index differs from a fresh build (seed {})",
                seed()
            );
        }
        assert_same_dump(&incremental, &fresh);
    }
    let _ = &repo.source;
}

#[test]
fn every_sequence_of_changes_ends_equal_to_a_fresh_build() {
    let mut random = Random(seed());
    let steps = steps_wanted();
    if let Ok(corpus) = std::env::var("HOMER_PROPERTY_CORPUS") {
        let mut repos: Vec<PathBuf> = std::fs::read_dir(&corpus)
            .expect("the corpus directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join(".git").exists())
            .collect();
        repos.sort();
        // `HOMER_PROPERTY_REPOS=a,b` runs on those clones only (to resume
        // a long run, or to reproduce one repository's failure).
        if let Ok(only) = std::env::var("HOMER_PROPERTY_REPOS") {
            let only: Vec<&str> = only.split(',').collect();
            repos.retain(|r| {
                r.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| only.contains(&n))
            });
        }
        let per_repo = steps.div_ceil(repos.len().max(1));
        for source in repos {
            let dir = tempfile::tempdir().expect("tempdir");
            git(
                dir.path(),
                &["clone", "-q", &source.display().to_string(), "work"],
            );
            let work = dir.path().join("work");
            git(&work, &["config", "gc.auto", "0"]);
            git(&work, &["checkout", "-q", "-B", "main"]);
            let mut repo = Repo {
                root: work,
                source: source.clone(),
                time: 1_800_000_000,
                counter: 0,
            };
            let name = source
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            walk(&mut repo, &mut random, per_repo, &name);
        }
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut repo = generated(dir.path(), &mut random);
    walk(&mut repo, &mut random, steps, "generated");
}
