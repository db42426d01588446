//! What a change touches and what it probably forgot: for the files a
//! change edits and the definitions whose lines it edits, the risk of each
//! file with reasons, the files that usually change with them but are not
//! in the change, the definitions elsewhere that call what it edits, the
//! tests that reach it, and the people who know the code. `homer review`
//! and the `review` tool of `homer serve` answer with this; `format.rs`
//! writes it as text, Markdown and SARIF.
//!
//! A review reads the index by key (no whole-index load), so it costs what
//! the change touches. It works from whatever commit the index describes:
//! at the change's base (a commit not indexed yet is its parent's index
//! plus the diff) or at its end (CI after `homer update`), each changed
//! file's definitions are found on the side of the diff whose text the
//! index holds, and the review says which.

use std::collections::{BTreeMap, BTreeSet};

use homer_git::{DiffSide, FileDiff, FileStatus, Mailmap, ObjectId, Person as GitPerson};
use homer_read::Index;
use homer_store::{EdgeKind, NodeKind, Role};
use homer_vocab::attrs::{self, CoChangeAttrs, SymbolAttrs};
use homer_vocab::salience::CHANGED_IN;
use homer_vocab::values::HistoryFigures;
use homer_vocab::{JsonCheckpoint, People, is_test, is_test_support, keys, outside_production};
use serde::Serialize;

use crate::RenderError;

/// Which change to review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewTarget {
    /// The working tree with its staged changes, against HEAD.
    WorkTree,
    /// The staged changes, against HEAD.
    Staged,
    /// `A..B` (B against where it left A), or one revision (that commit
    /// against its first parent).
    Range(String),
    /// These paths, with no diff: file-level answers only.
    Files(Vec<String>),
}

/// How risky a change is, in three steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    /// A risk at or above 0.6 is high, at or above 0.35 medium.
    #[must_use]
    pub fn of(risk: f64) -> Level {
        if risk >= 0.6 {
            Level::High
        } else if risk >= 0.35 {
            Level::Medium
        } else {
            Level::Low
        }
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// What the review stands on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Basis {
    /// The change in words: `the working tree against HEAD (1a2b3c4)`,
    /// `main..topic: 3 commits since 1a2b3c4`, `commit 5d6e7f8 against its
    /// parent 1a2b3c4`.
    pub reviewed: String,
    /// The commit the change starts from, when there is one.
    pub base: Option<String>,
    /// The commit it ends at (`None` for the working tree or the staged
    /// changes).
    pub end: Option<String>,
    /// The commit the index describes.
    pub indexed_commit: String,
    /// How the index relates to the change, in words.
    pub note: String,
    /// What the owners and the co-changes stand on, when that is less than
    /// the whole history (`[history]` bounds it, or a shallow clone); null
    /// otherwise.
    pub history: Option<String>,
}

/// A definition whose lines the change edits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangedDefinition {
    /// `path::qualified`.
    pub symbol: String,
    pub kind: String,
    /// Its lines in the text the index holds.
    pub lines: (u32, u32),
}

/// One changed file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangedFile {
    /// The path after the change (before it, for a deleted file).
    pub path: String,
    /// The path before a rename.
    pub old_path: Option<String>,
    /// `None` when the change was given as paths, without a diff.
    pub status: Option<FileStatus>,
    pub lines_added: u32,
    pub lines_deleted: u32,
    /// 0..1 (see [`file_risk`]).
    pub risk: f64,
    pub level: Level,
    pub reasons: Vec<String>,
    /// The salience class the index gives the file.
    pub class: Option<String>,
    /// Whether it is a test file.
    pub test: bool,
    /// Whether the index has the file (at either side of the change).
    pub indexed: bool,
    /// Whether its definitions could be placed: the index holds one side's
    /// text of it, and Homer parses its language.
    pub located: bool,
    pub definitions: Vec<ChangedDefinition>,
}

/// A file that usually changes with a changed file but is not in the change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Forgotten {
    pub path: String,
    /// The changed file it is coupled with most strongly.
    pub partner_of: String,
    /// Shared commits / mean commits of the two, in percent.
    pub degree: f64,
    pub shared: u64,
    /// Whether an import or a call between the two explains the coupling.
    pub explained: bool,
    /// Whether it is a test file.
    pub test: bool,
}

/// A definition in another file that calls what the change edits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Impact {
    /// `path::qualified` of the caller.
    pub symbol: String,
    pub path: String,
    pub line: Option<u32>,
    /// The changed definition it reaches.
    pub reaches: String,
    /// 1: it calls the changed definition; 2: it calls a caller of it.
    pub hops: u32,
    /// Every call on the way resolved with certainty (not a guess by name).
    pub certain: bool,
    /// The product of the calls' confidences (1 when certain).
    pub confidence: f64,
}

/// A test worth running for the change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestToRun {
    pub path: String,
    /// A test definition that reaches a changed definition through calls;
    /// `None` for a test file that changes with a changed file.
    pub symbol: Option<String>,
    pub line: Option<u32>,
    /// Why, in words: `calls Parser::parse (2 hops)`, `changes with
    /// src/parse.rs (41%)`.
    pub why: String,
    /// Whether the change itself edits the test's file.
    pub in_change: bool,
}

/// Someone who knows the changed code.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Person {
    pub author: String,
    /// Lines they added to the changed files, over their history.
    pub lines_added: u64,
    /// How many of the changed files they are among the owners of.
    pub files: usize,
}

/// A review.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Review {
    pub basis: Basis,
    /// The highest risk among the changed files, and its level.
    pub risk: f64,
    pub level: Level,
    /// The change's authors (after the mailmap), when known: for the
    /// working tree and the staged changes, the configured `user.email`.
    pub authors: Vec<String>,
    pub changed: Vec<ChangedFile>,
    pub likely_forgotten: Vec<Forgotten>,
    pub impact: Vec<Impact>,
    pub tests: Vec<TestToRun>,
    pub people: Vec<Person>,
    /// Entries left out of each list by the limit.
    pub left_out: BTreeMap<&'static str, usize>,
}

/// A change, resolved: what it is, its files and who made it.
#[derive(Clone, Debug)]
pub struct Change {
    pub reviewed: String,
    pub base: Option<ObjectId>,
    pub end: Option<ObjectId>,
    /// The diff; for [`ReviewTarget::Files`], one entry per path with no
    /// status and no lines.
    pub files: Vec<FileDiff>,
    /// Whether `files` came from a diff.
    pub diffed: bool,
    /// Author e-mails after the mailmap.
    pub authors: Vec<String>,
}

impl Change {
    /// Every path the change touches (old and new), sorted.
    #[must_use]
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .files
            .iter()
            .flat_map(|f| [f.old_path.clone(), f.new_path.clone()])
            .flatten()
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }
}

fn short(id: ObjectId) -> String {
    id.to_hex()[..7].to_owned()
}

/// Resolves a target against the repository of `index`.
pub fn change_of(index: &Index, target: &ReviewTarget) -> Result<Change, RenderError> {
    let repo = index.workspace().repository();
    let mailmap = Mailmap::from_text(&repo.mailmap_text()?)?;
    let email = |p: &GitPerson| mailmap.resolve(p).email;
    let head = || repo.resolve_commit("HEAD");
    let configured = || -> Result<Vec<String>, RenderError> {
        Ok(repo.configured_person()?.iter().map(email).collect())
    };
    Ok(match target {
        ReviewTarget::WorkTree | ReviewTarget::Staged => {
            let base = head()?;
            let (side, what) = if *target == ReviewTarget::Staged {
                (DiffSide::Staged, "the staged changes")
            } else {
                (DiffSide::WorkTree, "the working tree")
            };
            Change {
                reviewed: format!("{what} against HEAD ({})", short(base)),
                base: Some(base),
                end: None,
                files: repo.diff(Some(base), side)?,
                diffed: true,
                authors: configured()?,
            }
        }
        ReviewTarget::Range(range) => range_change(repo, range, &email)?,
        ReviewTarget::Files(paths) => {
            let mut paths: Vec<String> = paths
                .iter()
                .map(|p| p.trim_start_matches("./").to_owned())
                .collect();
            paths.sort();
            paths.dedup();
            Change {
                reviewed: format!(
                    "{} file{} as given",
                    paths.len(),
                    if paths.len() == 1 { "" } else { "s" }
                ),
                base: None,
                end: None,
                files: paths
                    .into_iter()
                    .map(|p| FileDiff {
                        old_path: Some(p.clone()),
                        new_path: Some(p),
                        status: FileStatus::Modified,
                        old_blob: None,
                        new_blob: None,
                        binary: false,
                        added: 0,
                        deleted: 0,
                        hunks: Vec::new(),
                    })
                    .collect(),
                diffed: false,
                authors: Vec::new(),
            }
        }
    })
}

/// A range `A..B` (B since it left A) or one commit (against its first
/// parent), with the authors of its commits.
fn range_change(
    repo: &homer_git::Repository,
    range: &str,
    email: &dyn Fn(&GitPerson) -> String,
) -> Result<Change, RenderError> {
    let (base, end, reviewed) = if let Some((a, b)) = range.split_once("..") {
        {
            let a_name = if a.is_empty() { "HEAD" } else { a };
            let b_name = if b.is_empty() { "HEAD" } else { b };
            let (a, b) = (repo.resolve_commit(a_name)?, repo.resolve_commit(b_name)?);
            let base = repo.merge_base(a, b)?;
            let commits = repo.walk(b, base)?.len();
            let since = base.map_or_else(
                || "with no common history".to_owned(),
                |m| format!("since {}", short(m)),
            );
            (
                base,
                b,
                format!(
                    "{a_name}..{b_name}: {commits} commit{} {since}",
                    if commits == 1 { "" } else { "s" }
                ),
            )
        }
    } else {
        let end = repo.resolve_commit(range)?;
        let base = repo.first_parent(end)?;
        let against = base.map_or_else(
            || "as a root commit".to_owned(),
            |p| format!("against its parent {}", short(p)),
        );
        (base, end, format!("commit {} {against}", short(end)))
    };
    let mut authors = BTreeSet::new();
    for id in repo.walk(end, base)? {
        let info = repo.commit_info(id)?;
        // A merge's changes are its parents'.
        if info.parents.len() <= 1 {
            authors.insert(email(&info.author));
        }
    }
    Ok(Change {
        reviewed,
        base,
        end: Some(end),
        files: repo.diff(base, DiffSide::Commit(end))?,
        diffed: true,
        authors: authors.into_iter().collect(),
    })
}

/// Which text of a changed file the index holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

/// The commit counts of the current files, ascending: where a file's own
/// count stands among them is its churn rank.
fn commit_counts(store: &homer_store::Store) -> Result<Vec<i64>, RenderError> {
    let mut counts: Vec<i64> = store
        .values_held(NodeKind::File, keys::HISTORY.name().name())?
        .iter()
        .filter_map(HistoryFigures::commits_of)
        .collect();
    if counts.is_empty() {
        // An index written before the history row holds the counts on
        // their own until its next update.
        counts = store
            .values_held(NodeKind::File, keys::COMMITS.name().name())?
            .iter()
            .filter_map(homer_store::Value::as_int)
            .collect();
    }
    counts.sort_unstable();
    Ok(counts)
}

/// Why a file's history adds to its risk: how often it changed, against
/// the share of files that changed less (`rank`). Rounded down: the most
/// changed of 300 files changed more often than 99.7% of them, not "100%".
fn churn_reason(commits: i64, rank: f64) -> String {
    format!(
        "{CHANGED_IN}{commits} commits, more often than {:.0}% of files",
        (100.0 * rank).floor()
    )
}

/// The first two of a file's salience reasons, for a review that says
/// how often the file changed itself (`churn_said`): then salience's own
/// count of commits (ranked among production files, where the review
/// ranks among all) is left out, not said twice with two percentages.
fn salience_reasons_beside(stored: Vec<String>, churn_said: bool) -> Vec<String> {
    stored
        .into_iter()
        .filter(|r| !(churn_said && r.starts_with(CHANGED_IN)))
        .take(2)
        .collect()
}

/// The file's risk for this change, 0..1: 0.45 × its salience + 0.2 ×
/// the share of files changed less often + 0.2 × the size of the change
/// (lines added and deleted, on a log scale that reaches 1 at 500) + 0.15
/// when none of the change's authors is among the file's owners. (A file
/// outside production code counts at half of it.)
#[must_use]
pub fn file_risk(salience: f64, churn_rank: f64, lines: u32, stranger: bool) -> f64 {
    let size = (f64::from(lines) + 1.0).ln() / 501f64.ln();
    let risk = (0.45 * salience.clamp(0.0, 1.0)
        + 0.2 * churn_rank.clamp(0.0, 1.0)
        + 0.2 * size.min(1.0)
        + if stranger { 0.15 } else { 0.0 })
    .clamp(0.0, 1.0);
    round3(risk)
}

/// Three decimals: what a reader can use, and the same bytes on every
/// machine that rounds the last bit of a sum differently.
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// What the risk of a change outside production code (tests, examples,
/// benchmarks, generated and vendored files) is worth.
const OUTSIDE_PRODUCTION: f64 = 0.5;
/// How many impact and test entries a walk may gather before sorting.
const WALK: usize = 200;
/// Calls followed from a changed definition to find tests.
const TEST_HOPS: u32 = 3;

/// Reviews `change` from the index, with at most `limit` entries per list.
#[allow(
    clippy::too_many_lines,
    reason = "one pass over the changed files, then each list sorted and cut"
)]
pub fn review(index: &Index, change: &Change, limit: usize) -> Result<Review, RenderError> {
    let limit = limit.max(1);
    let store = index.store();
    let indexed = index.indexed_head()?.ok_or(RenderError::NoCommit)?;
    let indexed_id = ObjectId::from_hex(&indexed);
    let in_change: BTreeSet<String> = change.paths().into_iter().collect();
    let note = basis_note(change, indexed_id, &indexed);
    // The change's authors as the owners name them: one person under
    // several e-mails is known by one.
    let people = People::read(store)?.unwrap_or_default();
    let known_authors: Vec<&str> = change.authors.iter().map(|a| people.known_as(a)).collect();

    // Every current file's commit count, sorted, read once when a changed
    // file first needs its rank (a count of the values below its own per
    // file was three quarters of a 50-file review at 75,000 files).
    let mut churn: Option<Vec<i64>> = None;
    let mut changed = Vec::new();
    let mut forgotten: BTreeMap<String, Forgotten> = BTreeMap::new();
    // (not code, author): code owners first.
    let mut owners_of: BTreeMap<(bool, String), Person> = BTreeMap::new();
    let mut seeds: Vec<(String, String)> = Vec::new(); // (symbol, its file)
    let mut file_level: Vec<String> = Vec::new(); // changed files without located definitions
    for diff in &change.files {
        let path = diff
            .new_path
            .clone()
            .or_else(|| diff.old_path.clone())
            .unwrap_or_default();
        // The side of the diff whose text the index holds, and the path
        // the index knows the file by.
        let held = |p: &Option<String>, blob: Option<ObjectId>| -> Result<bool, RenderError> {
            Ok(match (p, blob) {
                (Some(p), Some(b)) => {
                    store.content_hash(NodeKind::File, p)?.as_deref()
                        == Some(b.as_bytes().as_slice())
                }
                _ => false,
            })
        };
        let side = if !change.diffed {
            None
        } else if held(&diff.new_path, diff.new_blob)? {
            Some(Side::New)
        } else if held(&diff.old_path, diff.old_blob)? {
            Some(Side::Old)
        } else {
            None
        };
        let known = |p: &Option<String>| -> Result<Option<String>, RenderError> {
            match p {
                Some(p) if store.node(NodeKind::File, p)?.is_some_and(|n| n.current) => {
                    Ok(Some(p.clone()))
                }
                _ => Ok(None),
            }
        };
        let indexed_path = match side {
            Some(Side::New) => diff.new_path.clone(),
            Some(Side::Old) => diff.old_path.clone(),
            None => known(&diff.new_path)?.or(known(&diff.old_path)?),
        };
        let values = match &indexed_path {
            Some(p) => Some(index.values(NodeKind::File, p)?),
            None => None,
        };
        let salience = match &values {
            Some(v) => index.salience(v)?.unwrap_or(0.0),
            None => 0.0,
        };
        let class = match &values {
            Some(v) => v.get(keys::SALIENCE_CLASS)?.map(|c| c.name().to_owned()),
            None => None,
        };
        let commits = match &values {
            Some(v) => v.get(keys::COMMITS)?,
            None => None,
        };
        let churn_rank = match commits {
            Some(n) => {
                let all = match &mut churn {
                    Some(all) => all,
                    None => churn.insert(commit_counts(store)?),
                };
                let below = all.partition_point(|&c| c < n);
                if all.is_empty() {
                    0.0
                } else {
                    below as f64 / all.len() as f64
                }
            }
            None => 0.0,
        };
        let owners: Vec<(String, u64, u32)> = match &values {
            Some(v) => v.get(keys::OWNERS)?.map(|j| j.0).unwrap_or_default(),
            None => Vec::new(),
        };
        let outsider = !known_authors.is_empty()
            && !owners.is_empty()
            && !known_authors
                .iter()
                .any(|a| owners.iter().any(|(o, _, _)| o == a));
        let lines = diff.added + diff.deleted;
        let production = !outside_production(&path);
        // Tests, examples, benchmarks, generated and vendored files count
        // at half: a mistake there breaks no user.
        let risk = round3(
            file_risk(salience, churn_rank, lines, outsider)
                * if production { 1.0 } else { OUTSIDE_PRODUCTION },
        );
        let mut reasons = Vec::new();
        let churn = commits
            .filter(|_| churn_rank >= 0.75)
            .map(|n| churn_reason(n, churn_rank));
        if salience >= 0.5 {
            let stored = match &values {
                Some(v) => v
                    .get(keys::SALIENCE_REASONS)?
                    .map(|j| j.0)
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            reasons.push(format!(
                "salience {salience:.2}{}",
                class
                    .as_deref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default()
            ));
            reasons.extend(salience_reasons_beside(stored, churn.is_some()));
        }
        reasons.extend(churn);
        if lines >= 50 {
            reasons.push(format!("{lines} lines changed"));
        }
        if outsider {
            let top = owners.first().map_or("", |(o, _, _)| o.as_str());
            reasons.push(format!(
                "none of the change's authors is among its owners (main owner: {top})"
            ));
        }
        match diff.status {
            FileStatus::Added if change.diffed => reasons.push("a new file".to_owned()),
            FileStatus::Deleted => reasons.push("deleted".to_owned()),
            _ => {}
        }
        // Definitions whose lines the change edits.
        let mut definitions = Vec::new();
        let located = side.is_some() && indexed_path.is_some();
        if let (Some(side), Some(p)) = (side, &indexed_path) {
            definitions = changed_definitions(index, p, diff, side)?;
        }
        if production {
            if definitions.is_empty() {
                if let Some(p) = &indexed_path {
                    file_level.push(p.clone());
                }
            } else {
                for d in &definitions {
                    let file = d.symbol.split_once("::").map_or("", |(f, _)| f).to_owned();
                    seeds.push((d.symbol.clone(), file));
                }
            }
        }
        // Co-change partners not in the change.
        if let Some(p) = &indexed_path {
            let linked = linked_files(index, p)?;
            for edge in store.edges_of(EdgeKind::CoChange, NodeKind::File, p)? {
                let Some(other) = edge.members.iter().find(|m| m.name != *p) else {
                    continue;
                };
                if in_change.contains(&other.name) {
                    continue;
                }
                let what = || format!("the co-change edge of '{p}' and '{}'", other.name);
                let a: CoChangeAttrs = attrs::decode(what, edge.attrs.as_deref())?;
                let candidate = Forgotten {
                    path: other.name.clone(),
                    partner_of: path.clone(),
                    degree: edge.weight.unwrap_or(0.0),
                    shared: u64::from(a.shared),
                    explained: linked.contains(&other.name),
                    test: is_test(&other.name),
                };
                let stronger = forgotten.get(&other.name).is_none_or(|old| {
                    (candidate.degree, candidate.shared) > (old.degree, old.shared)
                });
                if stronger {
                    forgotten.insert(other.name.clone(), candidate);
                }
            }
        }
        // The people who know the changed code: owners of production
        // files Homer parses, else of whatever changed.
        let code = production && class.is_some();
        for (author, added, _) in owners.iter().filter(|(a, ..)| !People::is_app(a)) {
            let p = owners_of
                .entry((!code, author.clone()))
                .or_insert_with(|| Person {
                    author: author.clone(),
                    lines_added: 0,
                    files: 0,
                });
            p.lines_added += added;
            p.files += 1;
        }
        let test = is_test(&path);
        changed.push(ChangedFile {
            path,
            old_path: if diff.status == FileStatus::Renamed {
                diff.old_path.clone()
            } else {
                None
            },
            status: change.diffed.then_some(diff.status),
            lines_added: diff.added,
            lines_deleted: diff.deleted,
            risk,
            level: Level::of(risk),
            reasons,
            class,
            test,
            indexed: indexed_path.is_some(),
            located,
            definitions,
        });
    }

    let (impact, tests_by_calls) = callers(index, &seeds, &in_change)?;
    let mut impact = impact;
    // Files whose definitions could not be placed: the files that depend
    // on them stand in for their callers.
    for file in &file_level {
        for edge in store.edges_of(EdgeKind::Depends, NodeKind::File, file)? {
            if edge.member_name(Role::Target) != Some(file.as_str()) {
                continue;
            }
            let Some(from) = edge.member_name(Role::Source) else {
                continue;
            };
            if in_change.contains(from) || outside_production(from) {
                continue;
            }
            impact.push(Impact {
                symbol: from.to_owned(),
                path: from.to_owned(),
                line: None,
                reaches: file.clone(),
                hops: 1,
                certain: edge.confidence.is_none_or(|c| c >= 1.0),
                confidence: edge.confidence.unwrap_or(1.0),
            });
        }
    }
    let mut tests = tests_by_calls;
    for f in forgotten.values().filter(|f| f.test) {
        tests.push(TestToRun {
            path: f.path.clone(),
            symbol: None,
            line: None,
            why: format!("changes with {} ({:.0}%)", f.partner_of, f.degree),
            in_change: false,
        });
    }
    // Test files named for a changed production file.
    tests.extend(named_tests(index, &changed, &in_change)?);
    // Test files the change edits that change with a changed production
    // file: to run too, though the change is already in them.
    for c in &changed {
        if !is_test(&c.path) {
            continue;
        }
        let partner = changed.iter().find(|o| {
            !outside_production(&o.path) && co_changes(index, &o.path, &c.path).unwrap_or(false)
        });
        if let Some(o) = partner {
            tests.push(TestToRun {
                path: c.path.clone(),
                symbol: None,
                line: None,
                why: format!("changes with {}", o.path),
                in_change: true,
            });
        }
    }

    changed.sort_by(|a, b| b.risk.total_cmp(&a.risk).then(a.path.cmp(&b.path)));
    let mut likely_forgotten: Vec<Forgotten> = forgotten.into_values().collect();
    likely_forgotten.sort_by(|a, b| {
        b.degree
            .total_cmp(&a.degree)
            .then(b.shared.cmp(&a.shared))
            .then(a.path.cmp(&b.path))
    });
    impact.sort_by(|a, b| {
        a.hops
            .cmp(&b.hops)
            .then(b.certain.cmp(&a.certain))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(a.symbol.cmp(&b.symbol))
    });
    impact.dedup_by(|a, b| a.symbol == b.symbol);
    // One entry per test: the call path first, then co-change.
    tests.sort_by(|a, b| {
        a.path
            .cmp(&b.path)
            .then(b.symbol.is_some().cmp(&a.symbol.is_some()))
            .then(a.symbol.cmp(&b.symbol))
    });
    tests.dedup_by(|a, b| a.path == b.path && a.symbol == b.symbol);
    tests.sort_by(|a, b| {
        b.symbol
            .is_some()
            .cmp(&a.symbol.is_some())
            .then(a.path.cmp(&b.path))
            .then(a.symbol.cmp(&b.symbol))
    });
    let of_code = owners_of.keys().any(|(not_code, _)| !not_code);
    let mut people: Vec<Person> = owners_of
        .into_iter()
        .filter(|((not_code, _), _)| !of_code || !not_code)
        .map(|(_, p)| p)
        .collect();
    people.sort_by(|a, b| {
        b.files
            .cmp(&a.files)
            .then(b.lines_added.cmp(&a.lines_added))
            .then(a.author.cmp(&b.author))
    });
    let risk = changed.iter().map(|c| c.risk).fold(0.0_f64, f64::max);
    let mut left_out = BTreeMap::new();
    let mut cut = |name: &'static str, len: usize| {
        if len > limit {
            left_out.insert(name, len - limit);
        }
    };
    cut("changed", changed.len());
    cut("likely_forgotten", likely_forgotten.len());
    cut("impact", impact.len());
    cut("tests", tests.len());
    cut("people", people.len());
    changed.truncate(limit);
    likely_forgotten.truncate(limit);
    impact.truncate(limit);
    tests.truncate(limit);
    people.truncate(limit);
    Ok(Review {
        basis: Basis {
            reviewed: change.reviewed.clone(),
            base: change.base.map(|b| b.to_hex()),
            end: change.end.map(|e| e.to_hex()),
            indexed_commit: indexed,
            note,
            history: {
                let warnings = index.history_warnings()?;
                (!warnings.is_empty()).then(|| warnings.join("; "))
            },
        },
        risk,
        level: Level::of(risk),
        authors: change.authors.clone(),
        changed,
        likely_forgotten,
        impact,
        tests,
        people,
        left_out,
    })
}

/// Stems too common to tie a test to one file by name alone (`index.ts`,
/// `mod.rs`, `__init__.py`): a test named for one must share a directory
/// name with it.
const GENERIC_STEMS: &[&str] = &[
    "index",
    "mod",
    "lib",
    "main",
    "init",
    "__init__",
    "utils",
    "util",
    "helpers",
    "common",
    "types",
    "base",
    "core",
    "app",
    "config",
    "constants",
];

/// Test files named for a changed production file (`prices.py` and
/// `test_prices.py`), the ones sharing the most directory names with it
/// when several are.
fn named_tests(
    index: &Index,
    changed: &[ChangedFile],
    in_change: &BTreeSet<String>,
) -> Result<Vec<TestToRun>, RenderError> {
    let wanted: Vec<&ChangedFile> = changed
        .iter()
        .filter(|c| !outside_production(&c.path) && c.status != Some(FileStatus::Deleted))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for node in index.store().current_nodes(NodeKind::File)? {
        if let Some(name) = homer_vocab::tested_name(&node.name) {
            by_name.entry(name).or_default().push(node.name);
        }
    }
    let dirs = |path: &str| -> BTreeSet<String> {
        let mut parts: Vec<&str> = path.split('/').collect();
        parts.pop();
        parts
            .into_iter()
            .filter(|p| {
                !matches!(
                    *p,
                    "src" | "test" | "tests" | "spec" | "specs" | "__tests__" | "lib"
                )
            })
            .map(str::to_owned)
            .collect()
    };
    let mut out = Vec::new();
    for c in wanted {
        let file = c.path.rsplit('/').next().unwrap_or(&c.path);
        let stem = file
            .split('.')
            .next()
            .unwrap_or(file)
            .to_ascii_lowercase()
            .replace('-', "_");
        let Some(candidates) = by_name.get(&stem) else {
            continue;
        };
        let own = dirs(&c.path);
        let shared = |t: &String| dirs(t).intersection(&own).count();
        let best = candidates.iter().map(shared).max().unwrap_or(0);
        if best == 0 && GENERIC_STEMS.contains(&stem.as_str()) {
            continue;
        }
        for t in candidates.iter().filter(|t| shared(t) == best) {
            out.push(TestToRun {
                path: t.clone(),
                symbol: None,
                line: None,
                why: format!("named for {}", c.path),
                in_change: in_change.contains(t),
            });
        }
    }
    Ok(out)
}

/// How the indexed commit relates to the change, in words.
fn basis_note(change: &Change, indexed: Option<ObjectId>, indexed_hex: &str) -> String {
    let at = &indexed_hex[..indexed_hex.len().min(7)];
    if !change.diffed {
        return format!("the index at {at}, for the files as given (no diff: file level only)");
    }
    match (indexed, change.base, change.end) {
        (Some(i), _, Some(e)) if i == e => format!("the index at {at}, the change's end"),
        (Some(i), Some(b), Some(_)) if i == b => format!(
            "the index at {at}, the change's base: the change is not indexed yet; this is that index plus the diff"
        ),
        (Some(i), Some(b), None) if i == b => format!("the index at {at} (HEAD) plus the diff"),
        _ => format!(
            "the index at {at}, neither end of the change: a changed file whose indexed text is neither side's is reviewed without its definitions; `homer update` indexes HEAD"
        ),
    }
}

/// Files linked to `path` by an import or a call, either way.
fn linked_files(index: &Index, path: &str) -> Result<BTreeSet<String>, RenderError> {
    let mut linked = BTreeSet::new();
    for edge in index
        .store()
        .edges_of(EdgeKind::Depends, NodeKind::File, path)?
    {
        for m in &edge.members {
            linked.insert(m.name.clone());
        }
    }
    Ok(linked)
}

/// Whether `a` and `b` share a co-change edge.
fn co_changes(index: &Index, a: &str, b: &str) -> Result<bool, RenderError> {
    Ok(index
        .store()
        .edges_of(EdgeKind::CoChange, NodeKind::File, a)?
        .iter()
        .any(|e| e.members.iter().any(|m| m.name == b)))
}

/// The changed lines of one side of a diff, as closed intervals; a pure
/// insertion (or deletion) is the point between two lines: `(n, n + 1)`
/// with `between` set.
fn changed_lines(diff: &FileDiff, side: Side) -> Vec<(u32, u32, bool)> {
    diff.hunks
        .iter()
        .map(|h| {
            let (start, count) = match side {
                Side::Old => (h.old_start, h.old_lines),
                Side::New => (h.new_start, h.new_lines),
            };
            if count == 0 {
                (start, start + 1, true)
            } else {
                (start, start + count - 1, false)
            }
        })
        .collect()
}

/// The definitions of the indexed `path` that the diff's lines on `side`
/// edit: the innermost ones (a class is listed when lines of its own
/// changed, not only lines of its methods). Every definition of an added
/// or deleted file.
fn changed_definitions(
    index: &Index,
    path: &str,
    diff: &FileDiff,
    side: Side,
) -> Result<Vec<ChangedDefinition>, RenderError> {
    let mut defs: Vec<(String, SymbolAttrs)> = Vec::new();
    for (name, attrs) in
        index
            .store()
            .members_with_attrs(EdgeKind::Defines, NodeKind::File, path, Role::Target)?
    {
        let decoded = attrs::decode(|| format!("symbol '{name}'"), attrs.as_deref())?;
        defs.push((name, decoded));
    }
    let whole = matches!(diff.status, FileStatus::Added | FileStatus::Deleted);
    let lines = changed_lines(diff, side);
    let touches = |a: &SymbolAttrs, (start, end, between): (u32, u32, bool)| {
        if between {
            a.line <= start && end <= a.end
        } else {
            a.line <= end && start <= a.end
        }
    };
    let hit: Vec<usize> = (0..defs.len())
        .filter(|&i| whole || lines.iter().any(|&l| touches(&defs[i].1, l)))
        .collect();
    let inside = |outer: &SymbolAttrs, inner: &SymbolAttrs| {
        outer.line <= inner.line
            && inner.end <= outer.end
            && (outer.line, outer.end) != (inner.line, inner.end)
    };
    let mut out = Vec::new();
    for &i in &hit {
        let (name, a) = &defs[i];
        if !whole {
            // Every changed line within it also within a touched child:
            // the child is what changed.
            let children: Vec<&SymbolAttrs> = hit
                .iter()
                .filter(|&&j| j != i && inside(a, &defs[j].1))
                .map(|&j| &defs[j].1)
                .collect();
            let own = lines
                .iter()
                .filter(|&&l| touches(a, l))
                .any(|&(start, end, between)| {
                    let (lo, hi) = if between {
                        (start, end)
                    } else {
                        (start.max(a.line), end.min(a.end))
                    };
                    !children.iter().any(|c| c.line <= lo && hi <= c.end)
                });
            if !own {
                continue;
            }
        }
        out.push(ChangedDefinition {
            symbol: name.clone(),
            kind: a.kind.name().to_owned(),
            lines: (a.line, a.end),
        });
    }
    out.sort_by(|a, b| a.lines.cmp(&b.lines).then(a.symbol.cmp(&b.symbol)));
    Ok(out)
}

/// The callers of the changed definitions: production callers in other
/// files one and two calls away (the impact), and test definitions up to
/// `TEST_HOPS` calls away (the tests to run), through test fixtures and
/// helpers, which are not tests to run themselves.
fn callers(
    index: &Index,
    seeds: &[(String, String)],
    in_change: &BTreeSet<String>,
) -> Result<(Vec<Impact>, Vec<TestToRun>), RenderError> {
    let store = index.store();
    let mut impact = Vec::new();
    let mut tests = Vec::new();
    // (symbol, the changed definition it reaches, certain so far, confidence so far)
    let mut frontier: Vec<(String, String, bool, f64)> = seeds
        .iter()
        .map(|(s, _)| (s.clone(), s.clone(), true, 1.0))
        .collect();
    let mut seen: BTreeSet<String> = seeds.iter().map(|(s, _)| s.clone()).collect();
    let short_name = |s: &str| s.split_once("::").map_or(s, |(_, q)| q).to_owned();
    for hops in 1..=TEST_HOPS {
        let mut next = Vec::new();
        for (symbol, reaches, certain, confidence) in &frontier {
            for edge in store.edges_of(EdgeKind::Calls, NodeKind::Symbol, symbol)? {
                if edge.member_name(Role::Target) != Some(symbol.as_str()) {
                    continue;
                }
                let Some(caller) = edge.member_name(Role::Source) else {
                    continue;
                };
                if !seen.insert(caller.to_owned()) {
                    continue;
                }
                let c = edge.confidence.unwrap_or(1.0);
                let certain = *certain && c >= 1.0;
                let confidence = round3(confidence * c.min(1.0));
                let file = caller.split_once("::").map_or(caller, |(f, _)| f);
                let line = store
                    .node(NodeKind::Symbol, caller)?
                    .and_then(|n| n.attrs)
                    .and_then(|a| serde_json::from_str::<SymbolAttrs>(&a).ok())
                    .map(|a| a.line);
                // A fixture or helper (`conftest.py`, `test/support/`) is
                // walked through to the tests that call it.
                if is_test(caller) && !is_test_support(file) {
                    if tests.len() < WALK {
                        tests.push(TestToRun {
                            path: file.to_owned(),
                            symbol: Some(caller.to_owned()),
                            line,
                            why: format!(
                                "calls {}{}",
                                short_name(reaches),
                                if hops == 1 {
                                    String::new()
                                } else {
                                    format!(" ({hops} hops)")
                                }
                            ),
                            in_change: in_change.contains(file),
                        });
                    }
                    // A test is where a walk ends.
                    continue;
                }
                if hops <= 2
                    && !in_change.contains(file)
                    && !outside_production(caller)
                    && impact.len() < WALK
                {
                    impact.push(Impact {
                        symbol: caller.to_owned(),
                        path: file.to_owned(),
                        line,
                        reaches: reaches.clone(),
                        hops,
                        certain,
                        confidence,
                    });
                }
                next.push((caller.to_owned(), reaches.clone(), certain, confidence));
            }
        }
        // The strongest paths first, a bounded number of them.
        next.sort_by(|a, b| b.3.total_cmp(&a.3).then(a.0.cmp(&b.0)));
        next.truncate(WALK);
        frontier = next;
        if frontier.is_empty() {
            break;
        }
    }
    Ok((impact, tests))
}

#[cfg(test)]
mod tests {
    use super::{churn_reason, salience_reasons_beside};

    /// alamofire's Validation.swift said "changed in 75 commits (top 4%)"
    /// and "changed in 75 commits, more often than 97% of files".
    #[test]
    fn a_file_s_commits_are_counted_once_among_its_reasons() {
        let stored = vec![
            "1 other file depends on it".to_owned(),
            "changed in 75 commits (top 4%)".to_owned(),
            "PageRank top 12% of the dependency graph".to_owned(),
        ];
        assert_eq!(
            salience_reasons_beside(stored.clone(), true),
            [
                "1 other file depends on it",
                "PageRank top 12% of the dependency graph"
            ]
        );
        assert_eq!(
            salience_reasons_beside(stored, false),
            [
                "1 other file depends on it",
                "changed in 75 commits (top 4%)"
            ]
        );
    }

    /// The most changed file is not said to change more often than all
    /// files, itself among them.
    #[test]
    fn the_most_changed_file_is_not_more_changed_than_all_files() {
        assert_eq!(
            churn_reason(495, 599.0 / 600.0),
            "changed in 495 commits, more often than 99% of files"
        );
        assert_eq!(
            churn_reason(124, 0.984),
            "changed in 124 commits, more often than 98% of files"
        );
    }
}
