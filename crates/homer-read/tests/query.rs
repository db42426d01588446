//! `homer query` against git: the commits, lines and co-change partners a
//! file view shows equal what `git log --numstat` gives for the fixture.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[path = "../../homer-update/tests/common/mod.rs"]
mod common;
use common::{run, run_stopped_before_ranking};

use homer_fixtures::{copy, git_numstat, git_stdout};
use homer_read::{Index, QueryOptions, QueryOutcome, View, query};

fn file_view(root: &Path, path: &str) -> homer_read::FileView {
    let options = QueryOptions {
        depth: 1,
        limit: 100,
    };
    match query(&Index::open(root).expect("open"), root, path, &options).expect("query succeeds") {
        QueryOutcome::Found {
            view: View::File(f),
            warnings,
        } => {
            assert_eq!(warnings, Vec::<String>::new());
            *f
        }
        other => panic!("{path}: not a file view: {other:?}"),
    }
}

#[test]
fn file_views_match_git_numstat() {
    let repo = copy("small");
    let root = repo.path();
    std::fs::create_dir_all(root.join(".homer")).expect("mkdir");
    std::fs::write(
        root.join(".homer/config.toml"),
        "[coupling]\nmin_revisions = 2\nmin_shared = 2\nmin_degree = 30\n",
    )
    .expect("config");
    run(root);

    // The reference, from git alone. The fixture's one rename is mapped to
    // the current name by hand, as `git log --follow` would.
    let renames: BTreeMap<&str, &str> = [("src/lib.rs", "src/calc.rs")].into_iter().collect();
    let current: BTreeSet<String> = String::from_utf8(git_stdout(root, &["ls-files"]))
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect();
    let mut per_commit: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut commits: BTreeMap<String, u64> = BTreeMap::new();
    let mut lines: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (sha, path, added, deleted) in git_numstat(root) {
        let path = String::from_utf8(path).expect("utf-8");
        let path = renames
            .get(path.as_str())
            .map_or(path.clone(), |r| (*r).to_owned());
        *commits.entry(path.clone()).or_default() += 1;
        let entry = lines.entry(path.clone()).or_default();
        entry.0 += added.parse::<i64>().unwrap_or(0);
        entry.1 += deleted.parse::<i64>().unwrap_or(0);
        per_commit.entry(sha).or_default().insert(path);
    }
    let mut revs: BTreeMap<&str, u32> = BTreeMap::new();
    let mut shared: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for files in per_commit.values().filter(|f| f.len() <= 30) {
        let files: Vec<&str> = files
            .iter()
            .map(String::as_str)
            .filter(|f| current.contains(*f))
            .collect();
        for a in &files {
            *revs.entry(a).or_default() += 1;
            for b in &files {
                if a != b {
                    *shared.entry((a, b)).or_default() += 1;
                }
            }
        }
    }

    let mut checked_partners = 0;
    for path in current.iter().filter(|p| commits.contains_key(*p)) {
        let view = file_view(root, path);
        let history = view.history.expect("a history");
        assert_eq!(history.commits as u64, commits[path], "{path}: commits");
        assert_eq!(
            (history.lines_added, history.lines_deleted),
            lines[path],
            "{path}: lines"
        );
        let mut expected: Vec<(String, u32, String)> = shared
            .iter()
            .filter(|((a, _), _)| *a == path.as_str())
            .filter_map(|((_, b), n)| {
                let mean = f64::from(revs[path.as_str()] + revs[b]) / 2.0;
                let degree = f64::from(*n) / mean * 100.0;
                (mean >= 2.0 && *n >= 2 && degree >= 30.0)
                    .then(|| ((*b).to_owned(), *n, format!("{degree:.4}")))
            })
            .collect();
        expected.sort();
        let mut ours: Vec<(String, u32, String)> = view
            .co_changes
            .iter()
            .map(|c| {
                (
                    c.path.clone(),
                    u32::try_from(c.shared).expect("small"),
                    format!("{:.4}", c.degree),
                )
            })
            .collect();
        ours.sort();
        assert_eq!(ours, expected, "{path}: co-change partners");
        checked_partners += ours.len();
    }
    assert!(checked_partners > 0, "the fixture has co-changing files");
}

/// What an answer stands on: a HEAD that names an annotated tag object of
/// the indexed commit is that commit (up to date), and a HEAD one commit
/// further is one behind.
#[test]
fn freshness_reads_heads_commit_through_a_tag_and_past_the_index() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let index = Index::open(root).expect("open");
    let indexed = index.indexed_head().expect("read").expect("indexed");
    let up_to_date = || {
        assert_eq!(
            index.head().expect("head").as_deref(),
            Some(indexed.as_str())
        );
        assert_eq!(
            index.freshness().expect("freshness"),
            homer_read::Freshness::UpToDate
        );
    };
    up_to_date();
    // HEAD detached at an annotated tag object of the indexed commit.
    let branch = String::from_utf8(git_stdout(root, &["symbolic-ref", "HEAD"])).expect("utf-8");
    homer_fixtures::git(
        root,
        &[
            "-c",
            "user.name=Test Author",
            "-c",
            "user.email=test@example.com",
            "tag",
            "-a",
            "v-test",
            "-m",
            "a tag",
        ],
    );
    let tag = String::from_utf8(git_stdout(root, &["rev-parse", "v-test"])).expect("utf-8");
    let tag = tag.trim();
    assert_ne!(tag, indexed, "the tag is an object of its own");
    std::fs::write(root.join(".git/HEAD"), format!("{tag}\n")).expect("write HEAD");
    up_to_date();
    // One commit past the index.
    std::fs::write(root.join(".git/HEAD"), format!("ref: {}\n", branch.trim()))
        .expect("write HEAD");
    let next = homer_fixtures::commit_all(root, "one more");
    assert_eq!(index.head().expect("head").as_deref(), Some(next.as_str()));
    assert_eq!(
        index.freshness().expect("freshness"),
        homer_read::Freshness::Behind {
            commits: 1,
            at_least: false
        }
    );
}

/// An update stopped after some of its stages committed leaves an index
/// that is part one commit and part another: every reader says so (not
/// "behind", and not "up to date" when HEAD goes back to the old commit),
/// nothing keeps that state as settled, and the next update ends it.
#[test]
fn an_update_stopped_part_way_is_reported_as_partial_until_one_finishes() {
    use homer_read::Freshness;
    let repo = copy("small");
    let root = repo.path();
    let head = String::from_utf8(git_stdout(root, &["rev-parse", "HEAD"])).expect("utf-8");
    let head = head.trim().to_owned();
    homer_fixtures::git(root, &["checkout", "-q", "--detach", "HEAD~3"]);
    run(root);
    let older = Index::open(root)
        .expect("open")
        .indexed_head()
        .expect("read")
        .expect("indexed");
    homer_fixtures::git(root, &["checkout", "-q", "--detach", &head]);

    // The graph stage ranks last: the code and history stages committed.
    run_stopped_before_ranking(root);

    let partial = Freshness::Partial {
        to: head.clone(),
        running: false,
    };
    let index = Index::open(root).expect("open");
    assert_eq!(index.indexed_head().expect("read"), Some(older.clone()));
    assert_eq!(index.freshness().expect("freshness"), partial);
    assert_eq!(index.settled_revision().expect("revision"), None);
    let warning = index
        .freshness_warning()
        .expect("warning")
        .expect("a warning");
    assert!(
        warning.starts_with(&format!("an update to {} was stopped part way", &head[..7])),
        "{warning}"
    );
    assert_eq!(homer_read::status(root).expect("status").freshness, partial);
    // HEAD back at the commit the index started from: its files now hold
    // the other commit's facts, so it is not up to date.
    homer_fixtures::git(root, &["checkout", "-q", "--detach", &older]);
    assert_eq!(index.freshness().expect("freshness"), partial);
    homer_fixtures::git(root, &["checkout", "-q", "--detach", &head]);

    run(root);
    assert_eq!(index.freshness().expect("freshness"), Freshness::UpToDate);
    assert!(index.settled_revision().expect("revision").is_some());
}

/// Search ranks files by a score read from only the values it is computed
/// from (`Index::file_salience`); it must be the score computed from all
/// of a file's values, as `homer query` shows it. (It read the commits and
/// the last change by their own names after they moved into the `history`
/// row, and ranked every file as if it had never changed.)
#[test]
fn a_files_salience_read_alone_is_the_one_its_values_give() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let index = Index::open(root).expect("open");
    let mut scored = BTreeSet::new();
    for path in &homer_fixtures::git_lines(root, &["ls-files"]) {
        let values = index
            .values(homer_store::NodeKind::File, path)
            .expect("values");
        let whole = index.salience(&values).expect("score");
        assert_eq!(index.file_salience(path).expect("score"), whole, "{path}");
        if let Some(score) = whole {
            scored.insert(score.to_bits());
        }
    }
    assert!(scored.len() > 3, "few scores: {scored:?}");
}
