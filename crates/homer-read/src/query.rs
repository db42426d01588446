//! `homer query PATH|SYMBOL`: the neighbourhood of a file, a directory or a
//! symbol, read from the index by key (nodes by kind and name, edges
//! through the index on their members, values by node), never by scanning
//! a table, except the symbol names when a bare name has to be found.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::rc::Rc;

use homer_store::{EdgeKind, Marks, NodeKind, Place, Role, Store, StoredEdge};
use homer_vocab::attrs::{self, CoChangeAttrs, DependsAttrs, SymbolAttrs};
use homer_vocab::{
    BoundedHistory, FileRole, JsonCheckpoint, Key, ValueName, Values, keys, outside_production,
};
use serde::Serialize;

use crate::{Index, ReadError};

/// How much to show.
#[derive(Clone, Debug)]
pub struct QueryOptions {
    /// Hops of callers/callees (symbols) or dependents/dependencies
    /// (files) to follow; 1 is the direct neighbours.
    pub depth: usize,
    /// At most this many entries per list (and per hop).
    pub limit: usize,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            depth: 1,
            limit: 10,
        }
    }
}

/// The deepest `--depth` followed.
pub(crate) const MAX_DEPTH: usize = 4;

/// What a query found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum QueryOutcome {
    Found {
        /// Warnings about freshness (HEAD moved, file edited).
        warnings: Vec<String>,
        #[serde(flatten)]
        view: View,
    },
    /// Several symbols have that name.
    Ambiguous {
        target: String,
        candidates: Vec<Candidate>,
    },
    /// Nothing has that name.
    Unknown {
        target: String,
        suggestions: Vec<String>,
    },
}

/// A symbol a name could mean.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub symbol: String,
    pub kind: String,
    pub line: Option<u64>,
}

/// The view of what was found; in JSON, `"view": "file"` (or
/// `directory`, `symbol`) beside the view's fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "view", rename_all = "snake_case")]
pub enum View {
    File(Box<FileView>),
    Directory(Box<DirView>),
    Symbol(Box<SymbolView>),
}

/// Salience with its class and reasons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Salience {
    pub score: f64,
    pub class: String,
    pub reasons: Vec<String>,
}

/// The git behaviour of a file (through its renames) or a directory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryView {
    pub commits: i64,
    pub lines_added: i64,
    pub lines_deleted: i64,
    /// Author times (seconds since the epoch) of the first and last change.
    pub first_change: i64,
    pub last_change: i64,
    /// Days from the first change, and from the last, to HEAD's commit
    /// time (not the clock: the same index gives the same view).
    pub age_days: Option<i64>,
    pub days_since_change: Option<i64>,
    pub authors: i64,
    /// The authors with most added lines.
    pub owners: Vec<Owner>,
    /// Set when `[history]` left commits out: these figures count only
    /// the mined ones.
    pub partial: Option<BoundedHistory>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Owner {
    pub author: String,
    pub lines_added: u64,
    /// Share of the added lines (of commits, when no line was added).
    pub share: f64,
    pub commits: u32,
}

/// Another file and the weight of the link.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    pub path: String,
    pub weight: f64,
    /// Hops from the queried file (1: direct).
    pub depth: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoChange {
    pub path: String,
    /// Shared commits / mean commits of the two, in percent.
    pub degree: f64,
    pub shared: u64,
    /// Neither imports nor calls the other: coupling the code does not show.
    pub hidden: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CommitBrief {
    pub id: String,
    /// Author time, seconds since the epoch, and its UTC date.
    pub time: i64,
    pub date: String,
    pub author: String,
    pub subject: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SymbolBrief {
    pub symbol: String,
    pub kind: String,
    pub signature: Option<String>,
    pub lines: Option<(u64, u64)>,
    pub pagerank_pct: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileView {
    pub path: String,
    pub language: Option<String>,
    pub salience: Option<Salience>,
    pub pagerank_pct: Option<f64>,
    pub community: Option<String>,
    pub history: Option<HistoryView>,
    /// Its most important definitions (by PageRank, then line).
    pub defines: Vec<SymbolBrief>,
    pub definitions: usize,
    pub imports: Vec<Link>,
    pub imported_by: Vec<Link>,
    pub calls_into: Vec<Link>,
    pub called_from: Vec<Link>,
    pub co_changes: Vec<CoChange>,
    pub recent_commits: Vec<CommitBrief>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DirView {
    pub path: String,
    pub files: i64,
    pub truck_factor: Option<i64>,
    pub history: Option<HistoryView>,
    /// Its most salient files (tests and the like after production code).
    pub top_files: Vec<FileBrief>,
    pub recent_commits: Vec<CommitBrief>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileBrief {
    pub path: String,
    pub salience: Option<f64>,
    pub class: Option<String>,
}

/// A caller or callee.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Call {
    pub symbol: String,
    /// Calls counted in the source.
    pub count: f64,
    /// 1 when resolved to this one definition; below 1 a guess by name.
    pub confidence: f64,
    pub depth: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SymbolView {
    pub symbol: String,
    pub path: String,
    pub name: String,
    pub kind: String,
    pub signature: Option<String>,
    pub doc: Option<String>,
    pub lines: Option<(u64, u64)>,
    pub pagerank_pct: Option<f64>,
    pub callers: Vec<Call>,
    /// Direct callers in all, of which `callers` shows the first `--limit`.
    pub callers_total: usize,
    pub callees: Vec<Call>,
    /// Direct callees in all.
    pub callees_total: usize,
    /// The file it is in, in brief.
    pub file: FileBrief,
    /// The definitions and files whose text is nearest in meaning (cosine
    /// of their embeddings), when the index has embeddings.
    pub similar: Vec<Similar>,
    /// The mean cosine between this definition and every text of the
    /// index: the scale `similar`'s cosines are read on (static vectors of
    /// one repository share a direction, and most pairs score above 0.7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typical_cosine: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Similar {
    /// A symbol (`path::name`) or a file path.
    pub name: String,
    pub cosine: f64,
}

/// Answers a query about `target` in an index. `cwd` resolves relative
/// paths. Never writes.
pub fn query(
    index: &Index,
    cwd: &Path,
    target: &str,
    options: &QueryOptions,
) -> Result<QueryOutcome, ReadError> {
    if target.trim().is_empty() {
        return Err(ReadError::EmptyTarget);
    }
    let options = QueryOptions {
        depth: options.depth.clamp(1, MAX_DEPTH),
        limit: options.limit.max(1),
    };
    let head_time = match index.indexed_head()? {
        Some(id) => index.commit_times(&id)?.map(|(_, committed)| committed),
        None => None,
    };
    let reader = Reader {
        index,
        store: index.store(),
        options: &options,
        head_time,
        bound: BoundedHistory::read(index.store())?.filter(BoundedHistory::partial),
        ranked: RefCell::new(HashMap::new()),
        totals: RefCell::new(HashMap::new()),
        marks: RefCell::new(HashMap::new()),
        edges: RefCell::new(HashMap::new()),
    };
    let mut warnings: Vec<String> = index.freshness_warning()?.into_iter().collect();
    let relative = repo_relative(index.root(), cwd, target);
    let stale = |file: &str| index.changed_in_worktree(file);
    if let Some(path) = &relative {
        if reader.is_current(NodeKind::File, path)? {
            if stale(path)? {
                warnings.push(format!(
                    "{path} differs in the working tree from the indexed version"
                ));
            }
            warnings.extend(index.history_warnings()?);
            let view = View::File(Box::new(reader.file(path)?));
            return Ok(QueryOutcome::Found { warnings, view });
        }
        if reader.is_current(NodeKind::Directory, path)? {
            warnings.extend(index.history_warnings()?);
            let view = View::Directory(Box::new(reader.directory(path)?));
            return Ok(QueryOutcome::Found { warnings, view });
        }
    }
    // `PATH:LINE`, as compilers, grep and stack traces write a place: the
    // innermost definition of that file holding the line, else the file.
    let place = target
        .rsplit_once(':')
        .and_then(|(p, l)| Some((repo_relative(index.root(), cwd, p)?, l.parse::<u32>().ok()?)))
        .filter(|(_, line)| *line > 0);
    if let Some((path, line)) = place
        && reader.is_current(NodeKind::File, &path)?
    {
        if stale(&path)? {
            warnings.push(format!(
                "{path} differs in the working tree from the indexed version"
            ));
        }
        let view = if let Some(symbol) = reader.symbol_at(&path, line)? {
            View::Symbol(Box::new(reader.symbol(&symbol)?))
        } else {
            warnings.extend(index.history_warnings()?);
            View::File(Box::new(reader.file(&path)?))
        };
        return Ok(QueryOutcome::Found { warnings, view });
    }
    let candidates = reader.symbols_named(target)?;
    match candidates.len() {
        0 => Ok(QueryOutcome::Unknown {
            target: target.to_owned(),
            suggestions: reader.suggestions(target, relative.as_deref())?,
        }),
        1 => {
            let symbol = &candidates[0].symbol;
            let view = reader.symbol(symbol)?;
            if stale(&view.path)? {
                warnings.push(format!(
                    "{} differs in the working tree from the indexed version",
                    view.path
                ));
            }
            Ok(QueryOutcome::Found {
                warnings,
                view: View::Symbol(Box::new(view)),
            })
        }
        _ => Ok(QueryOutcome::Ambiguous {
            target: target.to_owned(),
            candidates,
        }),
    }
}

/// `target` as a path relative to the repository root: as given when that
/// names something under the root, else resolved against `cwd`.
fn repo_relative(root: &Path, cwd: &Path, target: &str) -> Option<String> {
    let clean = |p: &str| -> String {
        let mut parts: Vec<&str> = Vec::new();
        for part in p.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                other => parts.push(other),
            }
        }
        parts.join("/")
    };
    if root.join(target).exists() || !cwd.join(target).exists() {
        return Some(clean(target));
    }
    let absolute = cwd.join(target);
    // A target that names no existing path inside the repository is not a
    // path: it may be a symbol.
    let root = root.canonicalize().ok()?;
    let absolute = absolute.canonicalize().ok()?;
    let inside = absolute.strip_prefix(&root).ok()?;
    Some(clean(&inside.to_string_lossy().replace('\\', "/")))
}

/// What `Reader::walk` reads of an edge: its (weight, confidence), or
/// `None` to skip it.
type EdgeReading<'a> = dyn Fn(&StoredEdge) -> Result<Option<(f64, f64)>, ReadError> + 'a;

/// A node reached by `Reader::walk`.
struct Hop {
    name: String,
    weight: f64,
    confidence: f64,
    depth: usize,
}

/// Which edges of which node.
type EdgesKey = (EdgeKind, NodeKind, String);

/// A percentile rank from counts: the share of the others below, ties
/// counted half (as `homer_graph::percentile_ranks` ranks a whole list).
#[allow(clippy::cast_precision_loss, reason = "node counts far below 2^52")]
fn percentile_of(below: u64, equal: u64, total: u64) -> f64 {
    if total <= 1 {
        return 1.0;
    }
    let below = below as f64 + equal.saturating_sub(1) as f64 / 2.0;
    below / (total - 1) as f64
}

struct Reader<'a> {
    index: &'a Index,
    store: &'a Store,
    options: &'a QueryOptions,
    /// The indexed HEAD's commit time.
    head_time: Option<i64>,
    /// How the mined history was bounded, when commits were left out.
    bound: Option<BoundedHistory>,
    /// Percentiles counted for this answer, by value name and score bits,
    /// and how many nodes have each value name.
    ranked: RefCell<HashMap<(&'static str, u64), f64>>,
    totals: RefCell<HashMap<&'static str, u64>>,
    /// The marks of each value name, as read (`None`: the index has none).
    marks: RefCell<HashMap<&'static str, Option<Rc<Marks>>>>,
    /// Edges read for this answer: a file's view reads its dependencies
    /// for both directions and for hidden coupling.
    edges: RefCell<HashMap<EdgesKey, Rc<Vec<StoredEdge>>>>,
}

/// UTC date of a time in seconds since the epoch (civil from days).
#[must_use]
pub fn utc_date(time: i64) -> String {
    let days = time.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

impl Reader<'_> {
    /// The `kind` edges of one node, read once per answer.
    fn edges_of(
        &self,
        kind: EdgeKind,
        node_kind: NodeKind,
        name: &str,
    ) -> Result<Rc<Vec<StoredEdge>>, ReadError> {
        let key = (kind, node_kind, name.to_owned());
        if let Some(edges) = self.edges.borrow().get(&key) {
            return Ok(Rc::clone(edges));
        }
        let edges = Rc::new(self.store.edges_of(kind, node_kind, name)?);
        self.edges.borrow_mut().insert(key, Rc::clone(&edges));
        Ok(edges)
    }

    fn is_current(&self, kind: NodeKind, name: &str) -> Result<bool, ReadError> {
        Ok(self.store.node(kind, name)?.is_some_and(|n| n.current))
    }

    fn values(&self, kind: NodeKind, name: &str) -> Result<Values, ReadError> {
        self.index.values(kind, name)
    }

    fn salience(&self, values: &Values) -> Result<Option<Salience>, ReadError> {
        let Some(score) = self.index.salience(values)? else {
            return Ok(None);
        };
        let beside = ValueName::Salience;
        Ok(Some(Salience {
            score,
            class: values
                .require(keys::SALIENCE_CLASS, beside)?
                .name()
                .to_owned(),
            reasons: values.require(keys::SALIENCE_REASONS, beside)?.0,
        }))
    }

    fn history(&self, values: &Values) -> Result<Option<HistoryView>, ReadError> {
        let Some(commits) = values.get(keys::COMMITS)? else {
            return Ok(None);
        };
        // Every metric is written with `commits` by the same task.
        let beside = ValueName::Commits;
        let added = values.require(keys::LINES_ADDED, beside)?;
        #[allow(clippy::cast_precision_loss, reason = "line counts far below 2^52")]
        let owners = values
            .require(keys::OWNERS, beside)?
            .0
            .into_iter()
            .map(|(author, lines, n)| Owner {
                share: if added > 0 {
                    lines as f64 / added as f64
                } else if commits > 0 {
                    f64::from(n) / commits as f64
                } else {
                    0.0
                },
                author,
                lines_added: lines,
                commits: n,
            })
            .collect();
        let first_change = values.require(keys::FIRST_CHANGE, beside)?;
        let last_change = values.require(keys::LAST_CHANGE, beside)?;
        let days = |t: i64| self.head_time.map(|h| (h - t).max(0) / 86_400);
        Ok(Some(HistoryView {
            commits,
            lines_added: added,
            lines_deleted: values.require(keys::LINES_DELETED, beside)?,
            first_change,
            last_change,
            age_days: days(first_change),
            days_since_change: days(last_change),
            authors: values.require(keys::AUTHORS, beside)?,
            owners,
            partial: self.bound.clone(),
        }))
    }

    fn recent(&self, values: &Values) -> Result<Vec<CommitBrief>, ReadError> {
        // A node without history (no commit) has no recent commits.
        if !values.has(ValueName::Commits) {
            return Ok(Vec::new());
        }
        let ids = values.require(keys::RECENT_COMMITS, ValueName::Commits)?.0;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            // A commit the file's history names is one the history stage
            // stored, unless the store is damaged.
            let Some(commit) = self.index.commit(&id)? else {
                return Err(ReadError::Vocab(homer_vocab::VocabError::WrongValue {
                    node: values.node().to_owned(),
                    name: keys::RECENT_COMMITS.name().name(),
                    expected: "a list of stored commits",
                }));
            };
            out.push(CommitBrief {
                time: commit.time,
                date: utc_date(commit.time),
                author: commit.author,
                subject: commit.subject,
                id,
            });
        }
        Ok(out)
    }

    /// Files linked to `path` by `kind` edges, following `from` → `to`
    /// roles for up to `depth` hops; each hop keeps its `limit` heaviest.
    /// `weight` reads an edge's weight (None: skip the edge).
    /// Files linked to `path` by `kind` edges, hop by hop (see `walk`);
    /// `weight` reads an edge's weight (None: skip the edge).
    fn links(
        &self,
        kind: EdgeKind,
        path: &str,
        outgoing: bool,
        weight: &dyn Fn(&StoredEdge) -> Result<Option<f64>, ReadError>,
    ) -> Result<Vec<Link>, ReadError> {
        let (hops, _) = self.walk(kind, NodeKind::File, path, outgoing, &|e| {
            Ok(weight(e)?.map(|w| (w, 1.0)))
        })?;
        Ok(hops
            .into_iter()
            .map(|h| Link {
                path: h.name,
                weight: h.weight,
                depth: h.depth,
            })
            .collect())
    }

    /// Follows `kind` edges from `start` (as source when `outgoing`, else
    /// as target) for up to `--depth` hops. Each hop sums the weights and
    /// keeps the best confidence per node reached, never revisits one, and
    /// keeps its `--limit` best: production code first, then by weight ×
    /// confidence, then by name. `read` gives an edge's (weight,
    /// confidence), or None to skip it.
    fn walk(
        &self,
        kind: EdgeKind,
        node_kind: NodeKind,
        start: &str,
        outgoing: bool,
        read: &EdgeReading<'_>,
    ) -> Result<(Vec<Hop>, usize), ReadError> {
        let (own, other) = if outgoing {
            (Role::Source, Role::Target)
        } else {
            (Role::Target, Role::Source)
        };
        let production = |name: &str| !outside_production(name);
        let mut seen: BTreeSet<String> = BTreeSet::from([start.to_owned()]);
        let mut frontier = vec![start.to_owned()];
        let mut out = Vec::new();
        let mut first = 0;
        for depth in 1..=self.options.depth {
            let mut level: BTreeMap<String, (f64, f64)> = BTreeMap::new();
            for from in &frontier {
                for edge in self.edges_of(kind, node_kind, from)?.iter() {
                    if edge.member_name(own) != Some(from.as_str()) {
                        continue;
                    }
                    let (Some(to), Some((w, c))) = (edge.member_name(other), read(edge)?) else {
                        continue;
                    };
                    if !seen.contains(to) {
                        let entry = level.entry(to.to_owned()).or_insert((0.0, 0.0));
                        entry.0 += w;
                        entry.1 = entry.1.max(c);
                    }
                }
            }
            // Whether each is production code, told once per name rather
            // than once per comparison.
            let mut level: Vec<(bool, String, (f64, f64))> = level
                .into_iter()
                .map(|(name, w)| (production(&name), name, w))
                .collect();
            level.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then((b.2.0 * b.2.1).total_cmp(&(a.2.0 * a.2.1)))
                    .then(a.1.cmp(&b.1))
            });
            if depth == 1 {
                first = level.len();
            }
            level.truncate(self.options.limit);
            frontier = level.iter().map(|(_, n, _)| n.clone()).collect();
            for (_, name, (weight, confidence)) in level {
                seen.insert(name.clone());
                out.push(Hop {
                    name,
                    weight,
                    confidence,
                    depth,
                });
            }
            if frontier.is_empty() {
                break;
            }
        }
        Ok((out, first))
    }

    fn file(&self, path: &str) -> Result<FileView, ReadError> {
        let values = self.values(NodeKind::File, path)?;
        let limit = self.options.limit;

        // Ranked first by what is stored in one read; only the definitions
        // that can be among the first `limit` (ties at the cut included,
        // since lines break them) are read whole.
        let mut ranked: Vec<(f64, String)> = Vec::new();
        let score = keys::CALL_PAGERANK.name().name();
        for (symbol, value) in self.store.members_with_value(
            EdgeKind::Defines,
            NodeKind::File,
            path,
            Role::Target,
            score,
        )? {
            let rank = match value {
                Some(v) => Values::decode(&symbol, [(score.to_owned(), v)])?
                    .get(keys::CALL_PAGERANK)?
                    .unwrap_or(0.0),
                None => 0.0,
            };
            ranked.push((rank, symbol));
        }
        let definitions = ranked.len();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let cut = ranked.get(limit.saturating_sub(1)).map(|r| r.0);
        let mut defines: Vec<SymbolBrief> = Vec::new();
        for (rank, symbol) in &ranked {
            if cut.is_some_and(|c| *rank < c) {
                break;
            }
            defines.push(self.brief(symbol)?);
        }
        defines.sort_by(|a, b| {
            b.pagerank_pct
                .unwrap_or(0.0)
                .total_cmp(&a.pagerank_pct.unwrap_or(0.0))
                .then(a.lines.cmp(&b.lines))
                .then(a.symbol.cmp(&b.symbol))
        });
        defines.truncate(limit);

        let plain = |e: &StoredEdge| Ok(e.weight);
        let calls = |e: &StoredEdge| {
            let a: DependsAttrs = attrs::decode(|| edge_name(e), e.attrs.as_deref())?;
            Ok((a.calls > 0.0).then_some(a.calls))
        };
        let imports = self.links(EdgeKind::Imports, path, true, &plain)?;
        let imported_by = self.links(EdgeKind::Imports, path, false, &plain)?;
        let calls_into = self.links(EdgeKind::Depends, path, true, &calls)?;
        let called_from = self.links(EdgeKind::Depends, path, false, &calls)?;

        // Any dependency either way, to tell hidden coupling.
        let mut linked: BTreeSet<String> = BTreeSet::new();
        for edge in self
            .edges_of(EdgeKind::Depends, NodeKind::File, path)?
            .iter()
        {
            for m in &edge.members {
                linked.insert(m.name.clone());
            }
        }
        let mut co_changes = Vec::new();
        for edge in self
            .edges_of(EdgeKind::CoChange, NodeKind::File, path)?
            .iter()
        {
            let Some(other) = edge.members.iter().find(|m| m.name != path) else {
                continue;
            };
            let a: CoChangeAttrs = attrs::decode(|| edge_name(edge), edge.attrs.as_deref())?;
            co_changes.push(CoChange {
                path: other.name.clone(),
                degree: edge.weight.unwrap_or(0.0),
                shared: u64::from(a.shared),
                hidden: !linked.contains(&other.name),
            });
        }
        co_changes.sort_by(|a, b| {
            b.degree
                .total_cmp(&a.degree)
                .then(b.shared.cmp(&a.shared))
                .then(a.path.cmp(&b.path))
        });
        co_changes.dedup_by(|a, b| a.path == b.path);
        co_changes.truncate(limit);

        Ok(FileView {
            path: path.to_owned(),
            language: values.get(keys::LANGUAGE)?,
            salience: self.salience(&values)?,
            pagerank_pct: self.percentile(keys::PAGERANK, values.get(keys::PAGERANK)?)?,
            community: values.get(keys::COMMUNITY)?,
            history: self.history(&values)?,
            defines,
            definitions,
            imports,
            imported_by,
            calls_into,
            called_from,
            co_changes,
            recent_commits: self.recent(&values)?,
        })
    }

    /// The percentile rank of `score` among the stored values of `key`
    /// (0..=1, ties sharing the middle of their ranks), found when read: a
    /// stored percentile would move for every node whenever the graph
    /// gains or loses one. Placed through the marks the graph stage stores
    /// with the scores (a thousandth of them counted at most); an index
    /// without marks counts (see [`Reader::counted_place`]).
    fn percentile(&self, key: Key<f64>, score: Option<f64>) -> Result<Option<f64>, ReadError> {
        let Some(score) = score else {
            return Ok(None);
        };
        let name = key.name().name();
        // Ties are common (every leaf of a test file shares the lowest
        // score), and one answer serves them all.
        if let Some(&known) = self.ranked.borrow().get(&(name, score.to_bits())) {
            return Ok(Some(known));
        }
        let cached = self.marks.borrow().get(name).cloned();
        let marks = if let Some(marks) = cached {
            marks
        } else {
            let read = self.store.value_marks(name)?.map(Rc::new);
            self.marks.borrow_mut().insert(name, read.clone());
            read
        };
        let place = match &marks {
            Some(marks) => self.store.place(name, marks, score)?,
            None => self.counted_place(name, score)?,
        };
        let pct = percentile_of(place.below, place.equal, place.total);
        self.ranked
            .borrow_mut()
            .insert((name, score.to_bits()), pct);
        Ok(Some(pct))
    }

    /// Where `score` stands, counted on the value index. Scores are
    /// multiples of the mean and most nodes lie below it, so a score above
    /// the mean counts the few above it and one below counts those below.
    fn counted_place(&self, name: &'static str, score: f64) -> Result<Place, ReadError> {
        let known_total = self.totals.borrow().get(name).copied();
        let total = match known_total {
            Some(n) => n,
            None => self.store.count_scores(name)?,
        };
        self.totals.borrow_mut().insert(name, total);
        let above = score >= 1.0;
        let counts = self.store.rank_counts(name, score, above)?;
        let below = if above {
            total.saturating_sub(counts.beyond + counts.equal)
        } else {
            counts.beyond
        };
        Ok(Place {
            below,
            equal: counts.equal,
            total,
        })
    }

    fn symbol_attrs(&self, symbol: &str) -> Result<SymbolAttrs, ReadError> {
        self.index
            .attrs::<SymbolAttrs>(NodeKind::Symbol, symbol)?
            .ok_or_else(|| {
                ReadError::Vocab(homer_vocab::VocabError::BadAttrs {
                    what: format!("symbol '{symbol}'"),
                    message: "an edge names it, and it is not stored".to_owned(),
                })
            })
    }

    fn brief(&self, symbol: &str) -> Result<SymbolBrief, ReadError> {
        let a = self.symbol_attrs(symbol)?;
        // The one value a brief shows: a node's values are found name by
        // name, and a symbol may hold a dozen (a large file's definitions
        // were a quarter of `homer query` of it).
        let pagerank = self
            .index
            .value(NodeKind::Symbol, symbol, keys::CALL_PAGERANK)?;
        Ok(SymbolBrief {
            symbol: symbol.to_owned(),
            kind: a.kind.name().to_owned(),
            signature: Some(a.signature),
            lines: Some((u64::from(a.line), u64::from(a.end))),
            pagerank_pct: self.percentile(keys::CALL_PAGERANK, pagerank)?,
        })
    }

    fn directory(&self, path: &str) -> Result<DirView, ReadError> {
        const SCAN: usize = 2000;
        let values = self.values(NodeKind::Directory, path)?;
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        // Files below, in name order from the prefix (bounded).
        let mut top: Vec<FileBrief> = Vec::new();
        for file in self.store.names_from(NodeKind::File, &prefix, SCAN)? {
            if !file.starts_with(&prefix) {
                break;
            }
            let v = self.index.salience_values(&file)?;
            if let Some(s) = self.index.salience(&v)? {
                top.push(FileBrief {
                    path: file,
                    salience: Some(s),
                    class: v.get(keys::SALIENCE_CLASS)?.map(|c| c.name().to_owned()),
                });
            }
        }
        let production = |f: &FileBrief| FileRole::of_path(&f.path).is_none();
        top.sort_by(|a, b| {
            production(b)
                .cmp(&production(a))
                .then(
                    b.salience
                        .unwrap_or(0.0)
                        .total_cmp(&a.salience.unwrap_or(0.0)),
                )
                .then(a.path.cmp(&b.path))
        });
        top.truncate(self.options.limit);
        Ok(DirView {
            path: if path.is_empty() {
                ".".to_owned()
            } else {
                path.to_owned()
            },
            files: values.get(keys::FILES)?.unwrap_or(0),
            truck_factor: values.get(keys::TRUCK_FACTOR)?,
            history: self.history(&values)?,
            top_files: top,
            recent_commits: self.recent(&values)?,
        })
    }

    /// Symbols `target` may name: a full `path::qualified`, a qualified
    /// name (`Type::method`, `Type.method` or `Type#method`), or a bare
    /// name.
    fn symbols_named(&self, target: &str) -> Result<Vec<Candidate>, ReadError> {
        if self.is_current(NodeKind::Symbol, target)? {
            return Ok(vec![self.candidate(target)?]);
        }
        let wanted = normalize(target);
        let out = self.symbols_ending_with(&wanted)?;
        // A qualified name (`Type::method`) matching exactly beats the
        // longer names ending with it; a bare name stays ambiguous.
        let exact: Vec<&String> = out
            .iter()
            .filter(|n| split_symbol(n).is_some_and(|(_, q)| normalize(q) == wanted))
            .collect();
        let qualified = wanted.contains("::");
        let chosen: Vec<String> = if qualified && exact.len() == 1 {
            vec![exact[0].clone()]
        } else if out.is_empty() && qualified {
            self.under_unseen_namespace(&wanted)?
        } else {
            out
        };
        chosen.iter().map(|n| self.candidate(n)).collect()
    }

    /// Every current symbol whose qualified name is `wanted`, ends with
    /// `::wanted`, or whose last part is `wanted`.
    fn symbols_ending_with(&self, wanted: &str) -> Result<Vec<String>, ReadError> {
        let mut out = Vec::new();
        let suffix = format!("::{wanted}");
        self.each_name(NodeKind::Symbol, |name| {
            if let Some((_, qualified)) = split_symbol(name) {
                let q = normalize(qualified);
                let bare = q.rsplit("::").next().unwrap_or(&q);
                if q == wanted || bare == wanted || q.ends_with(&suffix) {
                    out.push(name.to_owned());
                }
            }
        })?;
        Ok(out)
    }

    /// `fmt::format` where no symbol is qualified so: a namespace opened
    /// by a macro (`FMT_BEGIN_NAMESPACE`) is not seen by the parser, and
    /// its definitions are indexed without it. The definitions named
    /// exactly by what follows the leading parts (`format`) in a file
    /// whose path names each part left out (`include/fmt/format.h`), case
    /// aside; the fewest parts left out that find any. One pass over the
    /// symbols for every way of cutting.
    fn under_unseen_namespace(&self, wanted: &str) -> Result<Vec<String>, ReadError> {
        let parts: Vec<&str> = wanted.split("::").collect();
        // What is left after cutting 1, 2, ... leading parts.
        let rests: HashMap<String, usize> = (1..parts.len())
            .map(|cut| (parts[cut..].join("::"), cut))
            .collect();
        let mut found: Vec<Vec<String>> = vec![Vec::new(); parts.len()];
        self.each_name(NodeKind::Symbol, |name| {
            let Some((path, q)) = split_symbol(name) else {
                return;
            };
            let Some(&cut) = rests.get(&normalize(q)) else {
                return;
            };
            let named: Vec<String> = path
                .split('/')
                .map(|p| p.split('.').next().unwrap_or(p).to_lowercase())
                .collect();
            if parts[..cut]
                .iter()
                .all(|w| named.iter().any(|p| *p == w.to_lowercase()))
            {
                found[cut].push(name.to_owned());
            }
        })?;
        Ok(found
            .into_iter()
            .find(|f| !f.is_empty())
            .unwrap_or_default())
    }

    /// Calls `f` with the name of every current node of `kind`, in name
    /// order, read in batches.
    fn each_name(&self, kind: NodeKind, mut f: impl FnMut(&str)) -> Result<(), ReadError> {
        let mut last = String::new();
        loop {
            let names = self.store.names_from(kind, &last, 4096)?;
            let done = names.len() < 4096;
            for name in names {
                if name != last {
                    f(&name);
                }
                last = name;
            }
            if done {
                return Ok(());
            }
        }
    }

    /// The innermost current definition of the file `path` whose lines
    /// hold `line` (the shortest; of two alike, the later one).
    fn symbol_at(&self, path: &str, line: u32) -> Result<Option<String>, ReadError> {
        // The file's symbols with their attributes in one range of the name
        // index (`path::` up to `path:;`, `;` following `:`), not one read
        // a symbol.
        let nodes = self.store.current_nodes_valued_between(
            NodeKind::Symbol,
            keys::CALL_PAGERANK.name().name(),
            &format!("{path}::"),
            &format!("{path}:;"),
        )?;
        let mut best: Option<((u32, std::cmp::Reverse<u32>), String)> = None;
        for (node, _) in nodes {
            let what = || format!("symbol '{}'", node.name);
            let a: SymbolAttrs = attrs::decode(what, node.attrs.as_deref())?;
            let end = a.end.max(a.line);
            if a.line <= line && line <= end {
                let key = (end - a.line, std::cmp::Reverse(a.line));
                if best.as_ref().is_none_or(|b| key < b.0) {
                    best = Some((key, node.name));
                }
            }
        }
        Ok(best.map(|b| b.1))
    }

    fn candidate(&self, symbol: &str) -> Result<Candidate, ReadError> {
        let brief = self.brief(symbol)?;
        Ok(Candidate {
            symbol: symbol.to_owned(),
            kind: brief.kind,
            line: brief.lines.map(|l| l.0),
        })
    }

    /// Callers (or callees) of `symbol`, hop by hop (see `walk`).
    /// The callers (or callees) of `symbol`, hop by hop, and how many
    /// there are at the first hop before `--limit` keeps the best.
    fn calls(&self, symbol: &str, outgoing: bool) -> Result<(Vec<Call>, usize), ReadError> {
        let (hops, total) =
            self.walk(EdgeKind::Calls, NodeKind::Symbol, symbol, outgoing, &|e| {
                Ok(Some((e.weight.unwrap_or(1.0), e.confidence.unwrap_or(1.0))))
            })?;
        let calls = hops
            .into_iter()
            .map(|h| Call {
                symbol: h.name,
                count: h.weight,
                confidence: h.confidence,
                depth: h.depth,
            })
            .collect();
        Ok((calls, total))
    }

    fn symbol(&self, symbol: &str) -> Result<SymbolView, ReadError> {
        let a = self.symbol_attrs(symbol)?;
        let values = self.values(NodeKind::Symbol, symbol)?;
        let (path, qualified) = split_symbol(symbol).unwrap_or((symbol, symbol));
        let file_values = self.values(NodeKind::File, path)?;
        let incoming = self.calls(symbol, false)?;
        let outgoing = self.calls(symbol, true)?;
        let (similar, typical_cosine) = self.similar(symbol)?;
        Ok(SymbolView {
            symbol: symbol.to_owned(),
            path: path.to_owned(),
            name: qualified.to_owned(),
            kind: a.kind.name().to_owned(),
            signature: Some(a.signature),
            doc: a.doc,
            lines: Some((u64::from(a.line), u64::from(a.end))),
            pagerank_pct: self.percentile(keys::CALL_PAGERANK, values.get(keys::CALL_PAGERANK)?)?,
            callers: incoming.0,
            callers_total: incoming.1,
            callees: outgoing.0,
            callees_total: outgoing.1,
            file: FileBrief {
                path: path.to_owned(),
                salience: self.index.salience(&file_values)?,
                class: file_values
                    .get(keys::SALIENCE_CLASS)?
                    .map(|c| c.name().to_owned()),
            },
            similar,
            typical_cosine,
        })
    }

    /// The nearest other definitions and files by embedding, best first,
    /// and the mean cosine with every text of the index.
    fn similar(&self, symbol: &str) -> Result<(Vec<Similar>, Option<f64>), ReadError> {
        let kind = crate::vectors_in(self.store)?;
        let Some(own) =
            self.store
                .vector_of(kind.model_id(), kind.dimensions(), NodeKind::Symbol, symbol)?
        else {
            return Ok((Vec::new(), None));
        };
        let vectors = self.index.vectors(kind)?;
        // Texts are shared by moved or copied definitions: a few more
        // than wanted leave room for this symbol's own text and for
        // duplicates.
        let (scored, mean) = crate::vectors::nearest_and_mean(&vectors, &own, 64);
        let wanted = self.options.limit.min(5);
        let mut out: Vec<Similar> = Vec::new();
        for (cosine, hash) in scored {
            for (_, name) in self.store.chunks_with_text(hash)? {
                let Some(name) = name else { continue };
                if name != symbol && !out.iter().any(|s| s.name == name) {
                    out.push(Similar {
                        name,
                        cosine: f64::from(cosine),
                    });
                }
            }
            if out.len() >= wanted {
                break;
            }
        }
        out.truncate(wanted);
        // Rounded as the cosines are shown, so that the JSON and the text
        // say the same.
        let typical = mean
            .filter(|_| !out.is_empty())
            .map(|m| (m * 100.0).round() / 100.0);
        Ok((out, typical))
    }

    /// The nearest names to an unknown target: file and directory paths
    /// and symbol names by edit distance.
    fn suggestions(&self, target: &str, path: Option<&str>) -> Result<Vec<String>, ReadError> {
        let wanted = path.unwrap_or(target);
        let mut scored: Vec<(usize, String)> = Vec::new();
        let limit = (target.chars().count() / 3).max(2);
        for kind in [NodeKind::File, NodeKind::Directory, NodeKind::Symbol] {
            self.each_name(kind, |name| {
                let key = match kind {
                    NodeKind::Symbol => split_symbol(name).map_or(name, |s| s.1),
                    _ => name,
                };
                let short = key.rsplit('/').next().unwrap_or(key);
                let d = distance(wanted, key).min(distance(target, short));
                if d <= limit {
                    scored.push((d, name.to_owned()));
                }
            })?;
        }
        scored.sort();
        scored.dedup_by(|a, b| a.1 == b.1);
        Ok(scored.into_iter().take(5).map(|(_, n)| n).collect())
    }
}

/// How an edge is named in an error about its attributes.
fn edge_name(edge: &StoredEdge) -> String {
    let members: Vec<&str> = edge.members.iter().map(|m| m.name.as_str()).collect();
    format!(
        "the edge of task '{}' between {}",
        edge.owner,
        members.join(", ")
    )
}

/// `path::qualified` split at the first `::` after the path (paths hold no
/// `::`).
fn split_symbol(name: &str) -> Option<(&str, &str)> {
    name.split_once("::")
}

/// `Type.method`, `Type#method` (an instance method in Ruby's and `JSDoc`'s docs) and
/// `Type::method` compare equal. A `#` before a digit is Homer's own
/// suffix of a repeated name (`format#4`) and stays.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        let method = c == '#' && chars.peek().is_some_and(|n| !n.is_ascii_digit());
        // PHP's namespace separator: `Slim\App::handle`.
        if c == '.' || c == '\\' || method {
            out.push_str("::");
        } else {
            out.push(c);
        }
    }
    // A fully qualified name from the root (`\Slim\App`, C++'s `::f`).
    match out.strip_prefix("::") {
        Some(rest) => rest.to_owned(),
        None => out,
    }
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_from_counts_share_ties_like_a_ranked_list() {
        let of = percentile_of;
        // Values 1, 2, 2, 5 (by hand: 0/3, 1.5/3 for both 2s, 3/3).
        assert!((of(0, 1, 4) - 0.0).abs() < 1e-12);
        assert!((of(1, 2, 4) - 0.5).abs() < 1e-12);
        assert!((of(3, 1, 4) - 1.0).abs() < 1e-12);
        // One node is its graph's top; all equal share the middle.
        assert!((of(0, 1, 1) - 1.0).abs() < 1e-12);
        assert!((of(0, 5, 5) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_735_689_600), "2025-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(-86_400), "1969-12-31");
    }

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn names_compare_across_separators() {
        assert_eq!(normalize("Calculator.add"), "Calculator::add");
        assert_eq!(normalize("Sinatra::Base#get"), "Sinatra::Base::get");
        assert_eq!(normalize("Router#handle_request"), "Router::handle_request");
        assert_eq!(normalize("formatter::format#4"), "formatter::format#4");
        assert_eq!(normalize("Slim\\App::handle"), "Slim::App::handle");
        assert_eq!(normalize("\\Slim\\App"), "Slim::App");
        assert_eq!(normalize("::main"), "main");
        assert_eq!(split_symbol("src/a.rs::T::m"), Some(("src/a.rs", "T::m")));
    }
}
