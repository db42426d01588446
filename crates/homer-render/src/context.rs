//! The context for one task: the files it will most likely edit, first
//! things first (the search's files and the call graph's around its hits,
//! fused), with their most related definitions, fitted to a token budget.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use homer_read::{Index, SearchMode, SearchOptions};
use homer_vocab::quote::KeptFile;
use homer_vocab::{FileRole, role_of_name};
use serde::Serialize;

use crate::RenderError;
use crate::around::Around;
use crate::snapshot::{Coupling, Snapshot, SymbolRow};
use crate::usage::{Region, Usage, region, render_region, render_usages, usages_of};

/// A task context, fitted to a token budget.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskContext {
    /// The commit the index stood at when the context was made (the one
    /// the text names): what the answer stands on.
    pub indexed_commit: String,
    pub text: String,
    /// `o200k_base` tokens of `text`.
    pub tokens: usize,
    pub budget: usize,
    /// Symbols shown, of those ranked.
    pub symbols: usize,
    pub ranked: usize,
    /// The files whose definitions are shown, in the order shown.
    pub files: Vec<String>,
    /// What the context stands on when it is not the working tree: the
    /// index behind HEAD, shown files edited since the last update. Filled
    /// by [`task_context`]; `homer serve` stamps its answers itself.
    pub warnings: Vec<String>,
    /// Why each file of `files` stands where it does, in the same order.
    pub why: Vec<FileWhy>,
    /// The files whose lines the context quotes (where its leading
    /// definitions are called), as the index holds them: a reader warns
    /// when one differs in the working tree, as for `files`.
    pub quoted: Vec<String>,
}

/// Where a file of a task context stands in each ranking the file order
/// fuses (1-based places, `None` where a ranking does not hold it), and
/// what puts a file ahead of every ranking.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileWhy {
    pub file: String,
    /// The search's files (by their hits).
    pub search: Option<usize>,
    /// The call graph's walk from the hits (files by their best definition).
    pub walk: Option<usize>,
    /// The files like past commits changed.
    pub history: Option<usize>,
    /// The files the latest commits changed.
    pub latest: Option<usize>,
    /// The files whose paths name the task's words.
    pub path_words: Option<usize>,
    /// Spelled out by the task (`fix src/url.ts`), or under `--focus`.
    pub focus: bool,
    /// A test, example, benchmark, generated, vendored or documentation
    /// file the task did not ask for: after production code.
    pub outside_production: bool,
}

/// Tokens a task context may use unless asked otherwise.
pub const TASK_BUDGET: usize = 4_000;

pub use crate::tokens::count_tokens;

/// Search hits that seed the call-graph walk.
const SEED_HITS: usize = 20;
/// Search hits whose files are ranked (more than seed: a file with many
/// matching definitions further down is still likely to be edited).
const FILE_HITS: usize = 50;
/// The reciprocal-rank constant with which a file sums its hits: small, so
/// the first hits count most.
const HIT_K: f64 = 3.0;
/// The reciprocal-rank constant with which the two file rankings (the
/// search's and the call-graph walk's) are fused.
const FUSE_K: f64 = 10.0;
/// Definitions a file shows before the next file's are shown.
const PER_FILE: usize = 6;
/// What the files whose paths name the task's words weigh in the file
/// order, against 1 for the order of the search and the walk. Chosen on
/// the tuning half of `benches/task_eval.py` (0.2 and 0.1 built and run;
/// 0.05-0.5 in an offline re-fusion), then checked on the held-out half
/// (docs/PERFORMANCE.md): about a place near the top.
const NAMED_WEIGHT: f64 = 0.1;
/// Past commits whose messages match the task best, whose files say which
/// ones it will touch. Chosen on the tuning half of `benches/task_eval.py`
/// (10, 20 and 40 run at weight 1: MRR 0.774, 0.779, 0.772).
const SIMILAR_COMMITS: usize = 20;
/// What the files those commits changed weigh in the file order, against
/// 1 for the order of the search and the walk. Chosen on the tuning half
/// (0.5, 1 and 2 run: recall@5 0.867, 0.872, 0.857; MRR 0.770, 0.779,
/// 0.762), then checked on the held-out half (docs/PERFORMANCE.md).
const HISTORY_WEIGHT: f64 = 1.0;
/// The latest commits, whose files say where work is going on: the next
/// change is often made where the last ones were. Chosen on the tuning
/// half of `benches/task_eval.py --commits 200` (1,308 commits; 10 and 20
/// run at weight 0.5: recall@5 0.851 and 0.854, MRR 0.758 and 0.758,
/// against 0.844 and 0.753 without), then checked on the held-out half
/// (docs/PERFORMANCE.md).
const LATEST_COMMITS: usize = 20;
/// A commit that changed more files than this (an import, a sweep across
/// the tree) says nothing of where a task's change is: its files are not
/// weighed, and not read (a generated repository's first commit adds
/// 75,000: looking each up was 0.2 s of a task context).
const BULK_FILES: usize = 100;
/// What the files those commits changed weigh in the file order, against
/// 1 for the order of the search and the walk. Chosen on the tuning half
/// of `benches/task_eval.py --commits 60` (0.5 and 1 run: recall@5 0.876
/// and 0.881, MRR 0.782 and 0.767, against 0.869 and 0.779 without; a
/// re-fusion of the 200-a-repository run's lists agreed).
const LATEST_WEIGHT: f64 = 0.5;
/// Files of the fused order, from the first, that show their definitions
/// even when the walk ranked none of them (a file only its path named).
const NAMED_SHOWN: usize = 10;
/// Co-change partners are listed for this many of the first files.
const PARTNERS_OF: usize = 3;
/// The first files whose leading definition (the one most likely edited)
/// is shown in detail, before anything else is given budget: all its doc
/// lines and where it is called.
const DETAILED_FILES: usize = 3;
/// Doc lines a detailed definition shows.
const DOC_LINES: usize = 6;
/// Search hits between definitions quoted, in all and in one file, and
/// the lines each quotes.
const REGIONS: usize = 4;
/// The definitions a plan ranks, at most.
const RANKED: usize = 400;
const REGIONS_PER_FILE: usize = 2;
const REGION_LINES: usize = 6;

/// What planning a task's context reads of the index. A loaded
/// [`Snapshot`] answers from memory (`homer serve` keeps one); [`Around`]
/// reads only what the task reaches (`homer render --task`, one context a
/// process). Both answer alike: a test holds the two plans equal.
pub(crate) trait TaskSource {
    /// The commit the index describes.
    fn commit(&self) -> &str;
    /// The words of production code files' paths, as far as BM25 over
    /// them reads for `wanted` words, and the paths that end with each
    /// file name of `spelled` (lowercase).
    fn path_words(
        &self,
        wanted: &BTreeSet<String>,
        spelled: &[String],
    ) -> Result<PathWords, RenderError>;
    /// Whether `path` is a current file Homer parsed as code.
    fn is_code(&self, path: &str) -> Result<bool, RenderError>;
    /// The current symbol named `name`.
    fn symbol(&mut self, name: &str) -> Result<Option<usize>, RenderError>;
    /// The current symbols whose names start with `prefix`, by name.
    fn symbols_under(&mut self, prefix: &str) -> Result<Vec<usize>, RenderError>;
    fn row(&self, i: usize) -> &SymbolRow;
    /// Personalized PageRank over the call graph from `seeds` (not empty):
    /// each symbol with a positive score.
    fn walk(&mut self, seeds: &[(usize, f64)]) -> Result<Vec<(usize, f64)>, RenderError>;
    /// The symbols with a positive PageRank over the whole call graph:
    /// at least the `n` highest and every one tied with the `n`th (a plan
    /// keeps the first `n` by score, then name).
    fn ranked_overall(&mut self, n: usize) -> Result<Vec<(usize, f64)>, RenderError>;
    /// The co-change pairs with a file of `files`, in the order of
    /// [`Snapshot`]'s.
    fn couplings_of(&mut self, files: &BTreeSet<&str>) -> Result<Vec<Coupling>, RenderError>;
    /// The callers of the symbol `name` (symbols, or files calling it from
    /// their top level), each with the confidence of its call edge (1 when
    /// certain), in edge order.
    fn callers(&mut self, name: &str) -> Result<Vec<(String, f64)>, RenderError>;
}

/// A loaded snapshot as a task's source.
struct Loaded<'a> {
    snapshot: &'a Snapshot,
    position: BTreeMap<&'a str, usize>,
}

impl<'a> Loaded<'a> {
    fn new(snapshot: &'a Snapshot) -> Self {
        let position = snapshot
            .symbols
            .iter()
            .enumerate()
            .map(|(i, x)| (x.name.as_str(), i))
            .collect();
        Loaded { snapshot, position }
    }
}

impl TaskSource for Loaded<'_> {
    fn commit(&self) -> &str {
        &self.snapshot.commit
    }

    fn path_words(
        &self,
        wanted: &BTreeSet<String>,
        spelled: &[String],
    ) -> Result<PathWords, RenderError> {
        let mut counter = PathCounter::new(wanted, spelled);
        for (path, words) in self.snapshot.path_words() {
            counter.path(path, |f| words.iter().for_each(|w| f(w)));
        }
        Ok(counter.finish())
    }

    fn is_code(&self, path: &str) -> Result<bool, RenderError> {
        Ok(self
            .snapshot
            .files
            .get(path)
            .is_some_and(super::snapshot::FileRow::is_code))
    }

    fn symbol(&mut self, name: &str) -> Result<Option<usize>, RenderError> {
        Ok(self.position.get(name).copied())
    }

    fn symbols_under(&mut self, prefix: &str) -> Result<Vec<usize>, RenderError> {
        Ok(self
            .position
            .range(prefix..)
            .take_while(|(name, _)| name.starts_with(prefix))
            .map(|(_, &i)| i)
            .collect())
    }

    fn row(&self, i: usize) -> &SymbolRow {
        &self.snapshot.symbols[i]
    }

    fn walk(&mut self, seeds: &[(usize, f64)]) -> Result<Vec<(usize, f64)>, RenderError> {
        let mut edges = Vec::new();
        for edge in &self.snapshot.calls {
            let (a, b) = (edge.source.1.as_str(), edge.target.1.as_str());
            if let (Some(&i), Some(&j)) = (self.position.get(a), self.position.get(b)) {
                edges.push((i, j, edge.weight.unwrap_or(1.0)));
            }
        }
        let places: Vec<usize> = (0..self.snapshot.symbols.len()).collect();
        Ok(walk_from(&places, &edges, seeds))
    }

    fn ranked_overall(&mut self, _: usize) -> Result<Vec<(usize, f64)>, RenderError> {
        Ok(by_pagerank(&self.snapshot.symbols))
    }

    fn callers(&mut self, name: &str) -> Result<Vec<(String, f64)>, RenderError> {
        Ok(self
            .snapshot
            .calls
            .iter()
            .filter(|e| e.target.0 == homer_store::NodeKind::Symbol && e.target.1 == name)
            .map(|e| (e.source.1.clone(), e.confidence.unwrap_or(1.0)))
            .collect())
    }

    fn couplings_of(&mut self, files: &BTreeSet<&str>) -> Result<Vec<Coupling>, RenderError> {
        Ok(self
            .snapshot
            .couplings
            .iter()
            .filter(|c| files.contains(c.a.as_str()) || files.contains(c.b.as_str()))
            .cloned()
            .collect())
    }
}

/// Personalized PageRank from `seeds` over the graph of `places` (the
/// symbols' places in their source, in the order the whole call graph
/// gives them: by name) and `edges` between places (in edge order): each
/// place with a positive score.
pub(crate) fn walk_from(
    places: &[usize],
    edges: &[(usize, usize, f64)],
    seeds: &[(usize, f64)],
) -> Vec<(usize, f64)> {
    // Each place's node in the graph (`u32::MAX`: not in it).
    let mut local = vec![u32::MAX; places.iter().max().map_or(0, |&m| m + 1)];
    for (k, &i) in places.iter().enumerate() {
        local[i] = u32::try_from(k).unwrap_or(u32::MAX);
    }
    let node = |i: usize| local.get(i).copied().filter(|&k| k != u32::MAX);
    let graph = homer_graph::Graph::new(
        places.len(),
        edges
            .iter()
            .filter_map(|&(a, b, w)| Some((node(a)?, node(b)?, w))),
    );
    let seeds: Vec<(usize, f64)> = seeds
        .iter()
        .filter_map(|&(i, w)| Some((node(i)? as usize, w)))
        .collect();
    let scores = homer_graph::personalized_pagerank(
        &graph,
        &homer_graph::PageRankOptions::default(),
        &seeds,
    )
    .scores;
    places
        .iter()
        .zip(scores)
        .filter(|&(_, s)| s > 0.0)
        .map(|(&i, s)| (i, s))
        .collect()
}

/// Each of `rows` with a positive PageRank over the whole call graph, by
/// its place.
pub(crate) fn by_pagerank(rows: &[SymbolRow]) -> Vec<(usize, f64)> {
    rows.iter()
        .enumerate()
        .filter(|(_, x)| x.pagerank > 0.0)
        .map(|(i, x)| (i, x.pagerank))
        .collect()
}

/// Seed symbols (index, weight), and the files the search found, most
/// relevant first.
struct Seeds {
    symbols: Vec<(usize, f64)>,
    searched: Vec<String>,
    /// The hits among the seeding ones outside any definition: (file,
    /// first line, last line), best first.
    between: Vec<(String, u32, u32)>,
    /// Whether some indexed text holds a word of the task.
    words_found: bool,
}

/// Seeds for the task's personalized PageRank: the first `SEED_HITS`
/// search hits (weighted by rank; a file hit seeds its definitions) and
/// the focus paths. And the files of the first `FILE_HITS` hits, ranked by
/// the sum of 1/(`HIT_K` + rank) over their hits.
fn seeds(
    opened: &Index,
    source: &mut impl TaskSource,
    task: &str,
    focus: &[String],
) -> Result<Seeds, RenderError> {
    let found = homer_read::search(
        opened,
        &homer_vocab::text::without_task_verbs(task),
        &SearchOptions {
            limit: FILE_HITS,
            mode: SearchMode::Hybrid,
            commits: false,
        },
    )?;
    let mut seeds: Vec<(usize, f64)> = Vec::new();
    let mut between = Vec::new();
    let mut by_file: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    #[allow(clippy::cast_precision_loss, reason = "ranks are small")]
    for (rank, hit) in found.hits.iter().enumerate() {
        if let Some(p) = &hit.path {
            let entry = by_file.entry(p.as_str()).or_insert((0.0, rank));
            entry.0 += 1.0 / (HIT_K + rank as f64 + 1.0);
        }
    }
    let mut searched: Vec<(&str, (f64, usize))> = by_file.into_iter().collect();
    searched.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
    let searched: Vec<String> = searched.into_iter().map(|(p, _)| p.to_owned()).collect();
    #[allow(clippy::cast_precision_loss, reason = "ranks are small")]
    for (rank, hit) in found.hits.iter().take(SEED_HITS).enumerate() {
        let weight = 1.0 / (rank as f64 + 1.0);
        match (&hit.path, &hit.symbol) {
            (Some(p), Some(sym)) => {
                if let Some(i) = source.symbol(&format!("{p}::{sym}"))? {
                    seeds.push((i, weight));
                }
            }
            (Some(p), None) => {
                for i in source.symbols_under(&format!("{p}::"))? {
                    seeds.push((i, weight / 4.0));
                }
                if let Some((first, last)) = hit.lines {
                    between.push((p.clone(), first, last));
                }
            }
            _ => {}
        }
    }
    for f in focus {
        let f = f.trim_end_matches('/');
        let mut under = source.symbols_under(&format!("{f}/"))?;
        under.extend(source.symbols_under(&format!("{f}::"))?);
        under.sort_by(|&a, &b| source.row(a).name.cmp(&source.row(b).name));
        seeds.extend(under.into_iter().map(|i| (i, 1.0)));
    }
    Ok(Seeds {
        symbols: seeds,
        searched,
        between,
        words_found: found.words_found,
    })
}

/// The file of a symbol's name (`path::qualified`).
fn file_of(name: &str) -> &str {
    name.split_once("::").map_or("", |(p, _)| p)
}

/// The files to show, most likely edited first: the search's file ranking
/// and the walk's (files by their best symbol) fused by reciprocal rank,
/// then production code before tests, examples, benchmarks, generated,
/// vendored and documentation files unless the task asks for them (a task
/// is mostly done in production code, and tests of it mention its words
/// as often); the files under a focus path come first.
fn file_order(
    rankings: &[(&[String], f64)],
    named: &[String],
    asked: &[FileRole],
    focus: &[String],
) -> Vec<String> {
    let focused = |f: &str| under_focus(f, focus);
    // Sorted by (not focused, outside production, score, path), each
    // told once.
    let sorted = |score: BTreeMap<&str, f64>| -> Vec<String> {
        let mut order: Vec<(bool, bool, f64, &str)> = score
            .into_iter()
            .map(|(f, s)| (!focused(f), unasked(f, asked), s, f))
            .collect();
        order.sort_by(|a, b| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then(b.2.total_cmp(&a.2))
                .then(a.3.cmp(b.3))
        });
        order.into_iter().map(|(.., f)| f.to_owned()).collect()
    };
    // The search's, the walk's and the history's files, then that order
    // with the files the task's words name.
    let first = sorted(fuse(rankings));
    if named.is_empty() {
        return first;
    }
    let score = fuse(&[(&first, 1.0), (named, NAMED_WEIGHT)]);
    sorted(score)
}

/// The code files that past commits like the task changed, most likely
/// first: the commits whose messages the task's words match best, each
/// file scored by the reciprocal rank of the commits that changed it, a
/// commit's share divided among its code files (by the root of their
/// count: a commit that touched forty files says little of each). A task
/// is often done where a like task was ("ignore: …" in ripgrep's
/// `ignore` crate; a revert where the reverted commit was).
fn history_files(
    opened: &Index,
    source: &impl TaskSource,
    task: &str,
) -> Result<Vec<String>, RenderError> {
    let similar = opened.similar_commits(
        &homer_vocab::text::without_task_verbs(task),
        SIMILAR_COMMITS,
        BULK_FILES,
    )?;
    by_commits(source, similar.iter().map(|(_, paths)| paths.as_slice()))
}

/// The code files the latest commits changed, most recently changed
/// first: work in progress is where the next change is likely made.
fn latest_files(opened: &Index, source: &impl TaskSource) -> Result<Vec<String>, RenderError> {
    let latest = opened.latest_commits(LATEST_COMMITS, BULK_FILES)?;
    by_commits(source, latest.iter().map(Vec::as_slice))
}

/// Code files scored by the reciprocal rank of the commits (best first)
/// that changed them, a commit's share divided among its code files (by
/// the root of their count: a commit that touched forty files says little
/// of each), best first.
fn by_commits<'p>(
    source: &impl TaskSource,
    commits: impl Iterator<Item = &'p [String]>,
) -> Result<Vec<String>, RenderError> {
    let mut score: BTreeMap<String, f64> = BTreeMap::new();
    #[allow(clippy::cast_precision_loss, reason = "ranks and counts are small")]
    for (rank, paths) in commits.enumerate() {
        let mut code = Vec::new();
        for p in paths {
            if source.is_code(p)? {
                code.push(p);
            }
        }
        if code.is_empty() {
            continue;
        }
        let share = 1.0 / (HIT_K + rank as f64 + 1.0) / (code.len() as f64).sqrt();
        for p in code {
            *score.entry(p.clone()).or_default() += share;
        }
    }
    let mut ranked: Vec<(String, f64)> = score.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(ranked.into_iter().map(|(p, _)| p).collect())
}

/// The walk's file order with the searched code files it cannot rank (no
/// definition of theirs is in the call graph: a script, a table of
/// messages) placed where the search placed them. The walk has no view
/// of such a file, and fused without one a file the search ranked first
/// fell behind every file both ranked (busted's `runner.lua` for "exit
/// when cli specified helper fails": first hit, sixth file).
fn with_unwalkable(
    source: &mut impl TaskSource,
    mut walked: Vec<String>,
    searched: &[String],
) -> Result<Vec<String>, RenderError> {
    let known: BTreeSet<String> = walked.iter().cloned().collect();
    for (rank, f) in searched.iter().enumerate() {
        if known.contains(f)
            || !source.is_code(f)?
            || !source.symbols_under(&format!("{f}::"))?.is_empty()
        {
            continue;
        }
        walked.insert(rank.min(walked.len()), f.clone());
    }
    Ok(walked)
}

/// Why each of `files` stands where it does: its place in each of the
/// rankings fused (`lists`: the search's, the walk's, the history's and
/// the path words'), and the two overrides.
fn file_whys(
    files: &[String],
    lists: [&[String]; 5],
    focus: &[String],
    asked: &[FileRole],
) -> Vec<FileWhy> {
    // Each list's places by file, once (a file order holds hundreds).
    let [in_search, in_walk, in_history, in_latest, in_paths] = lists.map(|list| {
        let mut at: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, f) in list.iter().enumerate() {
            at.entry(f.as_str()).or_insert(i + 1);
        }
        at
    });
    files
        .iter()
        .map(|f| FileWhy {
            file: f.clone(),
            search: in_search.get(f.as_str()).copied(),
            walk: in_walk.get(f.as_str()).copied(),
            history: in_history.get(f.as_str()).copied(),
            latest: in_latest.get(f.as_str()).copied(),
            path_words: in_paths.get(f.as_str()).copied(),
            focus: under_focus(f, focus),
            outside_production: unasked(f, asked),
        })
        .collect()
}

/// Whether `f` is a focus path or under one.
fn under_focus(f: &str, focus: &[String]) -> bool {
    focus.iter().any(|d| {
        let d = d.trim_end_matches('/');
        f == d || f.strip_prefix(d).is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Whether `name` is outside production code in a role the task did not
/// ask for (a task about docs does not ask for tests).
fn unasked(name: &str, asked: &[FileRole]) -> bool {
    role_of_name(name).is_some_and(|role| !asked.contains(&role))
}

/// Reciprocal-rank fusion of weighted file lists.
fn fuse<'a>(lists: &[(&'a [String], f64)]) -> BTreeMap<&'a str, f64> {
    let mut score: BTreeMap<&str, f64> = BTreeMap::new();
    for (list, weight) in lists {
        #[allow(clippy::cast_precision_loss, reason = "ranks are small")]
        for (rank, f) in list.iter().enumerate() {
            *score.entry(f.as_str()).or_default() += weight / (FUSE_K + rank as f64 + 1.0);
        }
    }
    score
}

/// What BM25 over the words of production code files' paths reads for
/// some wanted words: how many files there are, how many words their paths
/// have in all, and each path that has a wanted word, with how many words
/// it has and how often it has each wanted word (in the wanted words'
/// order); a path with none scores nothing.
pub(crate) struct PathWords {
    pub files: usize,
    pub words: usize,
    pub candidates: Vec<(String, usize, Vec<u32>)>,
    /// For each spelled file name, the paths that end with it.
    pub spelled: Vec<Vec<String>>,
}

/// Makes [`PathWords`] path by path: counts each path's words and how
/// often it has each wanted word, keeping no word.
pub(crate) struct PathCounter<'w> {
    /// Sorted.
    wanted: Vec<&'w str>,
    spelled: &'w [String],
    counts: Vec<u32>,
    holds: bool,
    made: PathWords,
}

impl<'w> PathCounter<'w> {
    pub(crate) fn new(wanted: &'w BTreeSet<String>, spelled: &'w [String]) -> Self {
        let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
        PathCounter {
            counts: vec![0; wanted.len()],
            wanted,
            spelled,
            holds: false,
            made: PathWords {
                files: 0,
                words: 0,
                candidates: Vec::new(),
                spelled: vec![Vec::new(); spelled.len()],
            },
        }
    }

    /// One path, whose words `words` calls its argument with.
    pub(crate) fn path(&mut self, path: &str, words: impl FnOnce(&mut dyn FnMut(&str))) {
        for (name, found) in self.spelled.iter().zip(&mut self.made.spelled) {
            if ends_with_name(path, name) {
                found.push(path.to_owned());
            }
        }
        let mut own = 0;
        words(&mut |w| {
            own += 1;
            if let Ok(i) = self.wanted.binary_search(&w) {
                self.counts[i] += 1;
                self.holds = true;
            }
        });
        self.made.files += 1;
        self.made.words += own;
        if std::mem::take(&mut self.holds) {
            let fresh = vec![0; self.wanted.len()];
            let counts = std::mem::replace(&mut self.counts, fresh);
            self.made.candidates.push((path.to_owned(), own, counts));
        }
    }

    /// One path known to hold no wanted word and to end with no spelled
    /// name, of `words` words.
    pub(crate) fn counted(&mut self, words: usize) {
        self.made.files += 1;
        self.made.words += words;
    }

    /// Whether `path` may hold a wanted word or end with a spelled name,
    /// as far as its letters say: a path of ASCII only holds a word when
    /// its lowercase holds the word's letters (`lower` is a buffer).
    pub(crate) fn may_name(&self, path: &str, lower: &mut String) -> bool {
        if !path.is_ascii() {
            return true;
        }
        lower.clear();
        lower.push_str(path);
        lower.make_ascii_lowercase();
        self.wanted.iter().any(|w| lower.contains(w))
            || self.spelled.iter().any(|name| ends_with_name(path, name))
    }

    pub(crate) fn finish(self) -> PathWords {
        self.made
    }
}

/// Whether `path` is the file `name` (lowercase: a file name, or the end
/// of a path) names, whatever the case of its letters.
fn ends_with_name(path: &str, name: &str) -> bool {
    path.len() >= name.len()
        && path.is_char_boundary(path.len() - name.len())
        && path[path.len() - name.len()..].eq_ignore_ascii_case(name)
        && (path.len() == name.len() || path.as_bytes()[path.len() - name.len() - 1] == b'/')
}

/// The file names a task spells out (`Clean up index.php`, `fix
/// src/utils/url.ts`), lowercase, in the task's order: words with an
/// extension (letters first, at most eight) after a name of two letters
/// or more, quotes, brackets and a sentence's punctuation around them
/// dropped. Not a version (`py3.12`), an address, `e.g.` or a path to a
/// folder.
fn spelled_file_names(task: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in task.split_whitespace() {
        // Quotes and brackets around it, a sentence's punctuation after it
        // (not the `.` of a leading `./`).
        let quote = |c: char| "`'\"()[]{}<>".contains(c);
        let word = word
            .trim_start_matches(quote)
            .trim_end_matches(|c: char| quote(c) || ",;:!?.".contains(c));
        let word = word.strip_prefix("./").unwrap_or(word);
        if word.contains("://") || word.contains('@') || word.contains("..") {
            continue;
        }
        let Some((stem, extension)) = word.rsplit_once('.') else {
            continue;
        };
        let file = stem.rsplit('/').next().unwrap_or(stem);
        let extension_like = (1..=8).contains(&extension.len())
            && extension.starts_with(|c: char| c.is_ascii_alphabetic())
            && extension.chars().all(|c| c.is_ascii_alphanumeric());
        // Two letters of name at least: `e.g.` is no file.
        if extension_like && file.chars().count() >= 2 {
            let name = word.to_ascii_lowercase();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// Files a task names: by their names spelled out (the files ending with
/// each, where at most `SPELLED_AT_MOST` do), and production source files
/// whose paths name its words, best first: BM25 over the words of each
/// path (`src/utils/cookie.ts` is `src utils cookie`), as a person looks
/// for a file named after what they change.
struct Named {
    spelled: Vec<String>,
    by_words: Vec<String>,
}

/// Files a spelled name may stand for before it is taken as too common to
/// say which (`mod.rs`, `index.ts`).
const SPELLED_AT_MOST: usize = 3;

fn named_files(source: &impl TaskSource, task: &str) -> Result<Named, RenderError> {
    let wanted: BTreeSet<String> = homer_vocab::text::naming_words(task).into_iter().collect();
    let names = spelled_file_names(task);
    if wanted.is_empty() && names.is_empty() {
        return Ok(Named {
            spelled: Vec::new(),
            by_words: Vec::new(),
        });
    }
    let PathWords {
        files,
        words,
        candidates,
        spelled,
    } = source.path_words(&wanted, &names)?;
    let mut spelled_files: Vec<String> = Vec::new();
    for mut found in spelled {
        if (1..=SPELLED_AT_MOST).contains(&found.len()) {
            found.sort();
            for f in found {
                if !spelled_files.contains(&f) {
                    spelled_files.push(f);
                }
            }
        }
    }
    #[allow(clippy::cast_precision_loss, reason = "counts are small")]
    let (n, average) = {
        let n = files as f64;
        (n, (words as f64 / n.max(1.0)).max(1.0))
    };
    // Each wanted word's document frequency: the candidates holding it.
    let mut df = vec![0.0f64; wanted.len()];
    for (_, _, counts) in &candidates {
        for (d, &c) in df.iter_mut().zip(counts) {
            if c > 0 {
                *d += 1.0;
            }
        }
    }
    let (k1, b) = (1.2, 0.75);
    let mut scored: Vec<(f64, &str)> = Vec::new();
    for (path, length, counts) in &candidates {
        #[allow(clippy::cast_precision_loss, reason = "counts are small")]
        let length = *length as f64;
        let mut score = 0.0;
        for (&d, &tf) in df.iter().zip(counts) {
            if tf > 0 {
                let tf = f64::from(tf);
                // Robertson and Spärck Jones' weight, never below 0: a word
                // in most paths (`src`, an extension) names no file.
                let idf = ((n - d + 0.5) / (d + 0.5)).ln().max(0.0);
                score += idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * length / average));
            }
        }
        if score > 0.0 {
            scored.push((score, path.as_str()));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    Ok(Named {
        spelled: spelled_files,
        by_words: scored.into_iter().map(|(_, p)| p.to_owned()).collect(),
    })
}

/// The files near the top that the walk ranked nothing of (their paths
/// named the task): their most called definitions, to be shown, and
/// those of them with no definition at all (a script run top to bottom, a
/// table of messages, a manifest), shown by name where they stand.
fn unwalked(
    source: &mut impl TaskSource,
    files: &[String],
    ranked: &[usize],
    spelled: &[String],
) -> Result<(Vec<usize>, Vec<String>), RenderError> {
    let walked: BTreeSet<String> = ranked
        .iter()
        .map(|&i| file_of(&source.row(i).name).to_owned())
        .collect();
    let mut extra = Vec::new();
    let mut bare = Vec::new();
    for f in files
        .iter()
        .take(NAMED_SHOWN)
        .filter(|f| !walked.contains(f.as_str()))
    {
        let mut own = source.symbols_under(&format!("{f}::"))?;
        if own.is_empty() && !spelled.contains(f) && source.is_code(f)? {
            bare.push(f.clone());
        }
        own.sort_by(|&a, &b| {
            let (a, b) = (source.row(a), source.row(b));
            b.pagerank.total_cmp(&a.pagerank).then(a.line.cmp(&b.line))
        });
        extra.extend(own.into_iter().take(PER_FILE));
    }
    Ok((extra, bare))
}

/// The lines between definitions that the seeding search hits found, in
/// code files: at most [`REGIONS`] of them, [`REGIONS_PER_FILE`] in a file,
/// each quoting its [`REGION_LINES`] lines that name the most of the task's
/// words. Sinatra's sessions are switched on by `set :sessions, false` in
/// `Sinatra::Base`'s body, outside any method: a definition's line would
/// never show it.
fn regions_of(
    opened: &Index,
    source: &impl TaskSource,
    task: &str,
    between: &[(String, u32, u32)],
    texts: &mut BTreeMap<String, Option<KeptFile>>,
) -> Result<BTreeMap<String, Vec<Region>>, RenderError> {
    let words = homer_vocab::text::naming_words(&homer_vocab::text::without_task_verbs(task));
    let mut out: BTreeMap<String, Vec<Region>> = BTreeMap::new();
    let mut shown = 0;
    for (path, first, last) in between {
        if shown == REGIONS {
            break;
        }
        if out.get(path).is_some_and(|r| r.len() == REGIONS_PER_FILE) || !source.is_code(path)? {
            continue;
        }
        if !texts.contains_key(path) {
            texts.insert(path.clone(), opened.indexed_text(path)?.map(KeptFile::new));
        }
        let Some(file) = &texts[path] else {
            continue;
        };
        if let Some(r) = region(&file.lines(), *first, *last, &words, REGION_LINES) {
            out.entry(path.clone()).or_default().push(r);
            shown += 1;
        }
    }
    Ok(out)
}

/// The ranked symbols in the order they are given budget: the first
/// `PER_FILE` of each file in file order, then the rest in rank order.
fn budget_order(source: &impl TaskSource, ranked: &[usize], files: &[String]) -> Vec<usize> {
    let place: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let mut per_file: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    let mut rest = Vec::new();
    for &i in ranked {
        match place.get(file_of(&source.row(i).name)) {
            Some(&f) if per_file[f].len() < PER_FILE => per_file[f].push(i),
            _ => rest.push(i),
        }
    }
    per_file.into_iter().flatten().chain(rest).collect()
}

/// The budget order with the leading definition of each of the first
/// [`DETAILED_FILES`] files that have one moved to its head, in file
/// order: the definitions most likely edited are shown in detail before
/// anything else is. A file's leading definition is its search hit that
/// seeds the walk most, or else its first in the budget order (the walk's
/// best: what the hits call gathers rank, but the task is about the hit).
fn detailed_first(
    source: &impl TaskSource,
    order: Vec<usize>,
    files: &[String],
    seeds: &[(usize, f64)],
) -> (Vec<usize>, usize) {
    let mut lead: Vec<usize> = Vec::new();
    for file in files {
        if lead.len() == DETAILED_FILES {
            break;
        }
        let in_file = |i: usize| file_of(&source.row(i).name) == file;
        let mut hit: Option<(usize, f64)> = None;
        for &(i, weight) in seeds {
            if in_file(i) && order.contains(&i) && hit.is_none_or(|(_, w)| weight > w) {
                hit = Some((i, weight));
            }
        }
        if let Some(i) = hit
            .map(|(i, _)| i)
            .or_else(|| order.iter().copied().find(|&i| in_file(i)))
        {
            lead.push(i);
        }
    }
    let leading = lead.len();
    let rest = order.into_iter().filter(|i| !lead.contains(i));
    (lead.iter().copied().chain(rest).collect(), leading)
}

/// The files of the symbols named `names`, in the order of their first
/// symbol.
fn files_of<'n>(names: impl IntoIterator<Item = &'n str>) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for name in names {
        let p = file_of(name).to_owned();
        if !order.contains(&p) {
            order.push(p);
        }
    }
    order
}

/// The files of `rows`, in the order of their first symbol.
fn files_of_rows(rows: &[SymbolRow]) -> Vec<String> {
    files_of(rows.iter().map(|x| x.name.as_str()))
}

/// The context's heading: the task, what the context is, and the co-change
/// partners of the files most likely edited.
fn heading(
    source: &mut impl TaskSource,
    task: &str,
    files: &[String],
    asked: &[FileRole],
    unfound: bool,
) -> Result<String, RenderError> {
    // Co-change partners of the files most likely edited, where the
    // context does not show them already: what a change there usually
    // drags along. Partners of every file the search touched were mostly
    // partners of files the task is not about.
    let likely: BTreeSet<&str> = files.iter().take(PARTNERS_OF).map(String::as_str).collect();
    let couplings = source.couplings_of(&likely)?;
    let partners = partners(&couplings, files, asked);

    let mut h = String::new();
    let commit = source.commit();
    let short = &commit[..commit.len().min(12)];
    let _ = writeln!(h, "# Context for: {task}\n");
    let _ = writeln!(
        h,
        "From `homer render --task` at commit {short}: the files most likely to be edited first (search, the call graph around its hits, and what like past commits changed), their most related definitions with signatures and doc lines, and where the leading ones are called; bodies elided.\n"
    );
    if unfound {
        // Vectors put some texts nearest any words, and the walk has
        // definitions to rank without a seed: say that nothing matched.
        let _ = writeln!(
            h,
            "No indexed text holds a word of the task: the files below are only nearest to it in meaning, or hold the most called definitions.\n"
        );
    }
    if !partners.is_empty() {
        let _ = writeln!(h, "Files that usually change with these:");
        for (inside, other, c) in &partners {
            let _ = writeln!(
                h,
                "- `{other}` (with `{inside}`, {} shared commits)",
                c.shared
            );
        }
        h.push('\n');
    }
    Ok(h)
}

/// The co-change partners the heading lists, as (file of the context,
/// partner, pair), at most five: partners of the first files (the pairs
/// `couplings` holds, strongest first) that the context does not show
/// among its first ten and whose role the task asked for, each once, with
/// its first (strongest) pair.
fn partners<'c>(
    couplings: &'c [Coupling],
    files: &[String],
    asked: &[FileRole],
) -> Vec<(&'c str, &'c str, &'c Coupling)> {
    let likely: BTreeSet<&str> = files.iter().take(PARTNERS_OF).map(String::as_str).collect();
    let shown_early: BTreeSet<&str> = files.iter().take(10).map(String::as_str).collect();
    let mut listed: BTreeSet<&str> = BTreeSet::new();
    couplings
        .iter()
        .filter_map(|c| {
            let (inside, other) = if likely.contains(c.a.as_str()) {
                (c.a.as_str(), c.b.as_str())
            } else if likely.contains(c.b.as_str()) {
                (c.b.as_str(), c.a.as_str())
            } else {
                return None;
            };
            let wanted =
                !shown_early.contains(other) && !unasked(other, asked) && listed.insert(other);
            wanted.then_some((inside, other, c))
        })
        .take(5)
        .collect()
}

/// The closing line: what the budget left out, and how to ask for it.
fn left_out(shown: &[SymbolRow], rest: &[SymbolRow]) -> String {
    if rest.is_empty() {
        return String::new();
    }
    let shown_files = files_of_rows(shown);
    let more_files = files_of_rows(rest)
        .into_iter()
        .filter(|f| !shown_files.contains(f))
        .count();
    let files = match more_files {
        0 => String::new(),
        1 => ", 1 in a file not shown".to_owned(),
        n => format!(", {n} files not shown"),
    };
    format!(
        "Left out for the budget: {} more related definitions{files}. `homer query PATH` or `homer query SYMBOL` shows one; a larger `--budget` shows more.\n",
        rest.len()
    )
}

/// The files a context lists, in the order of `files`: those with a
/// chosen definition, those the task spells out and those that define
/// nothing.
fn listed<'f>(
    files: &'f [String],
    spelled: &[String],
    bare: &[String],
    chosen: &[SymbolRow],
) -> Vec<&'f String> {
    let shown = files_of_rows(chosen);
    files
        .iter()
        .filter(|f| shown.contains(f) || spelled.contains(f) || bare.contains(f))
        .collect()
}

/// The heading, then the chosen symbols grouped by file (files in the
/// order of `files`, symbols in line order).
fn render_symbols(
    head: &str,
    files: &[String],
    spelled: &[String],
    bare: &[String],
    chosen: &[SymbolRow],
    usages: &BTreeMap<String, Vec<Usage>>,
    regions: &BTreeMap<String, Vec<Region>>,
) -> String {
    let order = listed(files, spelled, bare, chosen);
    let mut chosen: Vec<&SymbolRow> = chosen.iter().collect();
    // In a file, its detailed definition (the one most likely edited)
    // first, then the others in file order: a large file's leading
    // definition is read before a hundred lines of its neighbours.
    chosen.sort_by(|a, b| {
        let plain = |x: &SymbolRow| !usages.contains_key(&x.name);
        (plain(a), a.line, &a.name).cmp(&(plain(b), b.line, &b.name))
    });
    let mut s = head.to_owned();
    for file in order {
        let _ = writeln!(s, "## {file}\n");
        let mut any = false;
        for r in regions.get(file.as_str()).into_iter().flatten() {
            render_region(&mut s, r);
        }
        for x in &chosen {
            if file_of(&x.name) != file.as_str() {
                continue;
            }
            symbol_lines(&mut s, x, usages);
            any = true;
        }
        // A file the task names is shown even with nothing of it to show
        // (a manifest without definitions; a budget spent elsewhere).
        if !any && spelled.contains(file) {
            let _ = writeln!(
                s,
                "(named in the task; no definition of it shown here: `homer query {file}`)"
            );
        } else if !any {
            let _ = writeln!(s, "(no definition in it to show: `homer query {file}`)");
        }
        s.push('\n');
    }
    s
}

/// A definition's lines in the context: line, signature (with the
/// qualified name when the signature does not say it), first doc line; a
/// detailed definition (one `usages` has) its doc lines and its calls.
fn symbol_lines(s: &mut String, x: &SymbolRow, usages: &BTreeMap<String, Vec<Usage>>) {
    let qualified = x.name.split_once("::").map_or(x.name.as_str(), |(_, q)| q);
    let sig = if x.signature.trim().is_empty() {
        qualified
    } else {
        x.signature.trim()
    };
    if sig.contains(qualified) {
        let _ = writeln!(s, "{}: {sig} …", x.line);
    } else {
        let _ = writeln!(s, "{}: [{qualified}] {sig} …", x.line);
    }
    let detailed = usages.get(&x.name);
    let doc_lines = if detailed.is_some() { DOC_LINES } else { 1 };
    let doc = x.doc.as_deref().unwrap_or_default();
    for line in doc.lines().filter(|l| !l.trim().is_empty()).take(doc_lines) {
        let _ = writeln!(s, "    {}", line.trim());
    }
    if let Some(calls) = detailed {
        render_usages(s, calls);
    }
}

/// How many of `order`'s definitions a rendering of about `budget` tokens
/// holds, and one of about `wider` tokens, counted piece by piece (each
/// definition's lines, each file's heading): a piece's tokens do not
/// merge with the next one's much, so the sum is close to the whole
/// text's count and rarely below it. What the fit searches around instead
/// of counting whole renderings from zero.
fn estimate(
    order: &[SymbolRow],
    usages: &BTreeMap<String, Vec<Usage>>,
    regions: &BTreeMap<String, Vec<Region>>,
    fixed: usize,
    budget: usize,
    wider: usize,
) -> (usize, usize) {
    let mut used = fixed;
    let mut within = None;
    let mut files: BTreeSet<&str> = BTreeSet::new();
    let mut piece = String::new();
    for (k, x) in order.iter().enumerate() {
        piece.clear();
        let file = file_of(&x.name);
        if files.insert(file) {
            let _ = writeln!(piece, "## {file}\n");
            for r in regions.get(file).into_iter().flatten() {
                render_region(&mut piece, r);
            }
            piece.push('\n');
        }
        symbol_lines(&mut piece, x, usages);
        used += count_tokens(&piece);
        if used > budget && within.is_none() {
            within = Some(k);
        }
        if used > wider {
            return (within.unwrap_or(k), k);
        }
    }
    (within.unwrap_or(order.len()), order.len())
}

/// The files and symbols most relevant to `task`, within `budget` tokens.
pub fn task_context(
    opened: &Index,
    task: &str,
    budget: usize,
    focus: &[String],
) -> Result<TaskContext, RenderError> {
    // Every read of the plan from one committed state: an update that
    // commits meanwhile is not half seen.
    let _state = opened.store().read_snapshot()?;
    let mut context = plan(opened, &mut Around::new(opened)?, task, focus)?.fit(budget)?;
    context.warnings.extend(opened.freshness_warning()?);
    context.warnings.extend(opened.history_warnings()?);
    // The files shown and those whose lines it quotes, each once.
    let quoted_apart = context.quoted.iter().filter(|f| !context.files.contains(f));
    let read: Vec<String> = context.files.iter().chain(quoted_apart).cloned().collect();
    for file in &read {
        if opened.changed_in_worktree(file)? {
            context.warnings.push(format!(
                "{file} differs in the working tree from the indexed version"
            ));
        }
    }
    Ok(context)
}

/// [`task_context`] from a snapshot already loaded from `opened`.
pub fn task_context_in(
    opened: &Index,
    index: &Snapshot,
    task: &str,
    budget: usize,
    focus: &[String],
) -> Result<TaskContext, RenderError> {
    task_plan(opened, index, task, focus)?.fit(budget)
}

/// What a task context shows, in order, before it is fitted to a budget:
/// the search and the call-graph walk run once, and [`TaskPlan::fit`]
/// renders as much as a budget holds (`homer serve` fits one plan to a
/// smaller budget when its stamped answer is too long).
#[derive(Debug)]
pub struct TaskPlan {
    /// The commit the index described when the plan was made.
    commit: String,
    head: String,
    files: Vec<String>,
    /// Files the task spells out, shown whatever the budget leaves of them.
    spelled: Vec<String>,
    /// Files near the top of the order that define nothing, shown by name.
    bare: Vec<String>,
    /// The definitions in the order they are given budget.
    ranked: Vec<SymbolRow>,
    /// The detailed definitions (the first files' leading ones, first in
    /// `ranked`), by name, with where they are called.
    usages: BTreeMap<String, Vec<Usage>>,
    /// The lines between definitions that the search found, by file.
    regions: BTreeMap<String, Vec<Region>>,
    /// Why each file stands where it does, in the order of `files`.
    why: Vec<FileWhy>,
}

/// Plans the context of `task` (see [`TaskPlan`]) reading only what the
/// task reaches, as `homer render --task` does; the caller holds a read
/// transaction for it ([`homer_store::Store::read_snapshot`]).
pub fn task_plan_reading(
    opened: &Index,
    task: &str,
    focus: &[String],
) -> Result<TaskPlan, RenderError> {
    plan(opened, &mut Around::new(opened)?, task, focus)
}

/// Plans the context of `task` (see [`TaskPlan`]) from a loaded snapshot.
pub fn task_plan(
    opened: &Index,
    index: &Snapshot,
    task: &str,
    focus: &[String],
) -> Result<TaskPlan, RenderError> {
    plan(opened, &mut Loaded::new(index), task, focus)
}

/// Plans the context of `task` from what `source` reads.
fn plan(
    opened: &Index,
    source: &mut impl TaskSource,
    task: &str,
    focus: &[String],
) -> Result<TaskPlan, RenderError> {
    // Without a word and without a focus, nothing says where to look: a
    // context of whatever ranks first would look found.
    if !homer_vocab::text::has_a_word(task) && focus.is_empty() {
        return Err(RenderError::NoTask);
    }
    // A file the task spells out is a focus, as if given with `--focus`:
    // its definitions seed the walk and it comes first.
    let named = named_files(source, task)?;
    let spelled = named.spelled;
    let mut focus = focus.to_vec();
    for f in &spelled {
        if !focus.contains(f) {
            focus.push(f.clone());
        }
    }
    let focus = &focus[..];
    let Seeds {
        symbols: seeds,
        searched,
        between,
        words_found,
    } = seeds(opened, source, task, focus)?;
    // Personalized PageRank over the call graph from the seeds; nothing
    // matched: the most depended-on definitions overall.
    let scored = if seeds.is_empty() {
        source.ranked_overall(RANKED)?
    } else {
        source.walk(&seeds)?
    };
    let mut ranked: Vec<(usize, f64)> = scored;
    ranked.sort_by(|&(a, x), &(b, y)| {
        y.total_cmp(&x)
            .then(source.row(a).name.cmp(&source.row(b).name))
    });
    ranked.truncate(RANKED);
    let ranked: Vec<usize> = ranked.into_iter().map(|(i, _)| i).collect();
    let asked = homer_read::asked_roles_in(opened, task)?;
    let walked_files = with_unwalkable(
        source,
        files_of(ranked.iter().map(|&i| source.row(i).name.as_str())),
        &searched,
    )?;
    let history = history_files(opened, source, task)?;
    let latest = latest_files(opened, source)?;
    let mut files = file_order(
        &[
            (&searched, 1.0),
            (&walked_files, 1.0),
            (&history, HISTORY_WEIGHT),
            (&latest, LATEST_WEIGHT),
        ],
        &named.by_words,
        &asked,
        focus,
    );
    // Spelled files first, in the task's order, even one nothing else
    // found (no definition, no hit).
    files.retain(|f| !spelled.contains(f));
    files.splice(0..0, spelled.iter().cloned());
    let why = file_whys(
        &files,
        [&searched, &walked_files, &history, &latest, &named.by_words],
        focus,
        &asked,
    );
    let (extra, bare) = unwalked(source, &files, &ranked, &spelled)?;
    let ranked: Vec<usize> = ranked.into_iter().chain(extra).collect();
    let order = budget_order(source, &ranked, &files);
    let (ranked, leading) = detailed_first(source, order, &files, &seeds);
    let mut texts = BTreeMap::new();
    let regions = regions_of(opened, source, task, &between, &mut texts)?;
    let mut usages = BTreeMap::new();
    for &i in &ranked[..leading] {
        let name = source.row(i).name.clone();
        let calls = usages_of(opened, source, &name, &mut texts)?;
        usages.insert(name, calls);
    }
    // Said of a task with words to look for and nothing else to go on (a
    // focus, a file it spells out, says what it is about).
    let unfound = !words_found && homer_vocab::text::has_a_word(task) && focus.is_empty();
    let head = heading(source, task, &files, &asked, unfound)?;
    Ok(TaskPlan {
        commit: source.commit().to_owned(),
        head,
        files,
        spelled,
        bare,
        ranked: ranked.into_iter().map(|i| source.row(i).clone()).collect(),
        usages,
        regions,
        why,
    })
}

impl TaskPlan {
    /// The rendering with the first `k` ranked definitions; `lean`, without
    /// what yields first to a budget too small for the rest of the
    /// heading: the lines between definitions and the files shown only by
    /// name.
    fn render(&self, k: usize, lean: bool) -> String {
        let (shown, rest) = self.ranked.split_at(k);
        let none = BTreeMap::new();
        let mut text = render_symbols(
            &self.head,
            &self.files,
            &self.spelled,
            if lean { &[] } else { &self.bare },
            shown,
            &self.usages,
            if lean { &none } else { &self.regions },
        );
        text.push_str(&left_out(shown, rest));
        text
    }

    /// The least budget a context of this plan fits in: its heading, the
    /// files it names whatever the budget, and the line saying what was
    /// left out.
    #[must_use]
    pub fn least_budget(&self) -> usize {
        count_tokens(&self.render(0, true))
    }

    /// The context within `budget` tokens: the largest prefix of the
    /// ranked definitions whose rendering fits.
    pub fn fit(&self, budget: usize) -> Result<TaskContext, RenderError> {
        let TaskPlan {
            files,
            spelled,
            bare,
            ranked,
            usages,
            regions,
            why,
            ..
        } = self;
        // The largest number of ranked symbols whose rendering fits,
        // lean when the whole heading does not.
        let mut lean = false;
        let mut head_tokens = count_tokens(&self.render(0, false));
        if head_tokens > budget {
            lean = true;
            head_tokens = count_tokens(&self.render(0, true));
        }
        let render_k = |k: usize| self.render(k, lean);
        let (bare, regions) = if lean {
            (&[][..], &BTreeMap::new())
        } else {
            (&bare[..], regions)
        };
        if head_tokens > budget {
            return Err(RenderError::Budget {
                budget,
                needed: head_tokens,
            });
        }
        // The largest prefix that fits, searched for by whole counts between
        // the piecewise estimates for the budget and for a tenth more (a few
        // counts instead of nine), widened when an estimate is off.
        let fits = |k: usize| count_tokens(&render_k(k)) <= budget;
        let (mut lo, mut hi) = {
            let (low, high) = estimate(
                ranked,
                usages,
                regions,
                head_tokens,
                budget,
                budget + budget / 10,
            );
            let high = high.max(low + 1).min(ranked.len());
            if !fits(low) {
                (0, low.saturating_sub(1))
            } else if high > low && fits(high) {
                (high, ranked.len())
            } else {
                (low, high)
            }
        };
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let text = render_k(lo);
        let tokens = count_tokens(&text);
        let shown = listed(files, spelled, bare, &ranked[..lo]);
        let mut quoted: Vec<String> = Vec::new();
        for x in &ranked[..lo] {
            for u in usages.get(&x.name).into_iter().flatten() {
                if !quoted.contains(&u.path) {
                    quoted.push(u.path.clone());
                }
            }
        }
        Ok(TaskContext {
            indexed_commit: self.commit.clone(),
            text,
            tokens,
            budget,
            symbols: lo,
            ranked: ranked.len(),
            files: shown.iter().map(|f| (*f).clone()).collect(),
            warnings: Vec::new(),
            why: shown
                .iter()
                .filter_map(|f| why.iter().find(|w| &w.file == *f).cloned())
                .collect(),
            quoted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|&x| x.to_owned()).collect()
    }

    #[test]
    fn files_are_fused_from_both_rankings_production_first() {
        let searched = owned(&["tests/cookie.rs", "src/cookie.rs", "src/jar.rs"]);
        let walked = owned(&["src/jar.rs", "src/util.rs", "src/cookie.rs"]);
        // src/cookie.rs: 1/12 + 1/13; src/jar.rs: 1/13 + 1/11; the test file
        // is first in the search but after production code.
        assert_eq!(
            file_order(&[(&searched, 1.0), (&walked, 1.0)], &[], &[], &[]),
            [
                "src/jar.rs",
                "src/cookie.rs",
                "src/util.rs",
                "tests/cookie.rs"
            ]
        );
        // A task that asks for tests ranks them by their place; one that
        // asks for documentation does not.
        let tests = [FileRole::Test];
        assert_eq!(
            file_order(&[(&searched, 1.0), (&walked, 1.0)], &[], &tests, &[])[..2],
            ["src/jar.rs", "src/cookie.rs"]
        );
        assert_eq!(
            file_order(&[(&searched, 1.0), (&walked, 1.0)], &[], &tests, &[])[2],
            "tests/cookie.rs"
        );
        assert_eq!(
            file_order(
                &[(&searched, 1.0), (&walked, 1.0)],
                &[],
                &[FileRole::Documentation],
                &[]
            )[3],
            "tests/cookie.rs"
        );
        // Files under a focus path come first, a directory or a file.
        assert_eq!(
            file_order(
                &[(&searched, 1.0), (&walked, 1.0)],
                &[],
                &[],
                &owned(&["src/util.rs"])
            )[0],
            "src/util.rs"
        );
        assert_eq!(
            file_order(
                &[(&searched, 1.0), (&walked, 1.0)],
                &[],
                &[],
                &owned(&["tests/"])
            )[0],
            "tests/cookie.rs"
        );
        // `src/u` is not a directory of `src/util.rs`.
        assert_eq!(
            file_order(
                &[(&searched, 1.0), (&walked, 1.0)],
                &[],
                &[],
                &owned(&["src/u"])
            )[0],
            "src/jar.rs"
        );
    }

    /// A partner of two of the first files is listed once, with its
    /// strongest pair; partners the context shows early, partners in a
    /// role the task did not ask for, and pairs of other files are not.
    #[test]
    fn a_co_change_partner_is_listed_once() {
        let pair = |a: &str, b: &str, shared: u32| Coupling {
            a: a.to_owned(),
            b: b.to_owned(),
            degree: 0.5,
            shared,
            hidden: false,
        };
        let couplings = [
            pair("src/a.rs", "src/version.rs", 9),
            pair("src/b.rs", "src/version.rs", 7),
            pair("src/a.rs", "src/b.rs", 6),
            pair("tests/a.rs", "src/a.rs", 5),
            pair("src/other.rs", "src/far.rs", 4),
            pair("src/lib.rs", "src/b.rs", 3),
        ];
        let files = owned(&["src/a.rs", "src/b.rs"]);
        let listed: Vec<(&str, &str, u32)> = partners(&couplings, &files, &[])
            .into_iter()
            .map(|(inside, other, c)| (inside, other, c.shared))
            .collect();
        assert_eq!(
            listed,
            [
                ("src/a.rs", "src/version.rs", 9),
                ("src/b.rs", "src/lib.rs", 3)
            ]
        );
        // A task about tests lists the test file too.
        let listed = partners(&couplings, &files, &[FileRole::Test]);
        assert!(listed.iter().any(|(_, other, _)| *other == "tests/a.rs"));
    }

    #[test]
    fn a_file_the_task_names_moves_up_and_a_new_one_joins() {
        let searched = owned(&["src/a.rs", "src/b.rs", "src/c.rs"]);
        let walked = owned(&["src/a.rs", "src/b.rs", "src/c.rs"]);
        // b: 1/12 + 0.1/11 = 0.0924 against a's 1/11 = 0.0909.
        let named = owned(&["src/b.rs"]);
        assert_eq!(
            file_order(&[(&searched, 1.0), (&walked, 1.0)], &named, &[], &[]),
            owned(&["src/b.rs", "src/a.rs", "src/c.rs"])
        );
        // A file neither ranking had is added, behind them.
        let named = owned(&["src/cookie.rs"]);
        let order = file_order(&[(&searched, 1.0), (&walked, 1.0)], &named, &[], &[]);
        assert_eq!(order.len(), 4);
        assert_eq!(order[0], "src/a.rs");
        assert!(order.contains(&"src/cookie.rs".to_owned()));
    }

    #[test]
    fn files_are_named_by_the_words_of_their_paths() {
        let mut files = BTreeMap::new();
        for (path, code) in [
            ("src/cookie.rs", true),
            ("src/cookie_jar.rs", true),
            ("src/session.rs", true),
            ("src/router.rs", true),
            ("src/request.rs", true),
            ("src/response.rs", true),
            ("tests/cookie.rs", true),
            ("docs/cookie.md", false),
        ] {
            files.insert(
                path.to_owned(),
                crate::snapshot::FileRow {
                    language: code.then(|| "Rust".to_owned()),
                    ..crate::snapshot::FileRow::default()
                },
            );
        }
        let index = Snapshot {
            commit: "0".repeat(40),
            calls: Vec::new(),
            files,
            symbols: Vec::new(),
            communities: Vec::new(),
            couplings: Vec::new(),
            depends: Vec::new(),
            dirs: Vec::new(),
            path_words: std::sync::OnceLock::new(),
        };
        // The shorter path that says `cookie` first; tests and prose never.
        assert_eq!(
            named_files(&Loaded::new(&index), "Fix the cookie parsing")
                .expect("named")
                .by_words,
            owned(&["src/cookie.rs", "src/cookie_jar.rs"])
        );
        assert_eq!(
            named_files(&Loaded::new(&index), "store the CookieJar")
                .expect("named")
                .by_words,
            owned(&["src/cookie_jar.rs", "src/cookie.rs"])
        );
        assert!(
            named_files(&Loaded::new(&index), "fix it")
                .expect("named")
                .by_words
                .is_empty()
        );
        // A word in most paths names none of them.
        assert!(
            named_files(&Loaded::new(&index), "move src around")
                .expect("named")
                .by_words
                .is_empty()
        );
        // A file spelled out, whatever its case; a name too many files
        // end with says none of them.
        let spelled = |task: &str| {
            named_files(&Loaded::new(&index), task)
                .expect("named")
                .spelled
        };
        assert_eq!(spelled("Clean up `Cookie.rs`."), owned(&["src/cookie.rs"]));
        assert_eq!(
            spelled("fix src/response.rs and lib.rs"),
            owned(&["src/response.rs"])
        );
        assert!(spelled("bump to py3.12, see https://x.org/a.html").is_empty());
    }

    #[test]
    fn a_task_spells_file_names_with_their_extensions() {
        assert_eq!(
            spelled_file_names(
                "Update Package.swift (and ./src/Index.PHP), not e.g. v1.2 or a.b@c.d"
            ),
            ["package.swift", "src/index.php"]
        );
        assert!(spelled_file_names("Move test projects into `os/test/` folder.").is_empty());
        assert!(ends_with_name("Package.swift", "package.swift"));
        assert!(ends_with_name("a/b/index.php", "b/index.php"));
        assert!(!ends_with_name("a/bindex.php", "index.php"));
    }
}
