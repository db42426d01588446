//! Everything the documents are made of, read from the index once and
//! decoded through the vocabulary: a value that does not decode stops the
//! render with an error naming its node, before a line is written.

use std::collections::{BTreeMap, BTreeSet};

use homer_git::ObjectId;
use homer_read::Index;
use homer_store::{EdgeKind, NodeKind, NodeValues, PairEdge, Store, StoredEdge};
use homer_vocab::attrs::{self, CoChangeAttrs, CommunityAttrs, SymbolAttrs, SymbolKind};
use homer_vocab::salience::{self, Populations};
use homer_vocab::values::stored_rows;
use homer_vocab::{FileRole, SalienceClass, ValueName, Values, keys, outside_production};

use crate::RenderError;

/// What the documents say about one current file.
#[derive(Debug, Default)]
pub(crate) struct FileRow {
    /// The blob at HEAD.
    pub blob: Option<ObjectId>,
    pub language: Option<String>,
    /// Parsed files: salience, written with its class and reasons.
    pub ranking: Option<Ranking>,
    /// Parsed files: PageRank in the dependency graph (multiple of the
    /// mean).
    pub pagerank: Option<f64>,
    /// Files a non-merge commit touched: the metrics written together.
    pub history: Option<FileHistory>,
}

/// Salience's verdict on a file.
#[derive(Debug)]
pub(crate) struct Ranking {
    pub salience: f64,
    pub class: SalienceClass,
    pub reasons: Vec<String>,
}

/// A file's behavioural metrics.
#[derive(Debug)]
pub(crate) struct FileHistory {
    pub lines_added: i64,
    pub lines_deleted: i64,
    pub authors: i64,
    pub main_author: String,
    pub main_author_share: f64,
    /// The last commits that changed it, newest first (a few).
    pub recent: Vec<String>,
}

impl FileRow {
    /// The values [`FileRow::read`] reads: the only ones loaded (a file
    /// has twice as many), from the rows [`stored_rows`] names.
    const READS: [ValueName; 15] = [
        ValueName::SalienceClass,
        ValueName::SalienceReasons,
        ValueName::Commits,
        ValueName::LinesAdded,
        ValueName::LinesDeleted,
        ValueName::Authors,
        ValueName::MainAuthor,
        ValueName::MainAuthorShare,
        ValueName::RecentCommits,
        ValueName::Language,
        // With the class and the commits, what the salience score is
        // computed from.
        ValueName::PageRank,
        ValueName::InDegree,
        ValueName::Betweenness,
        ValueName::LastChange,
        ValueName::PopulationPageRank,
    ];

    fn read(
        store: &Store,
        values: &Values,
        populations: Option<&Populations>,
    ) -> Result<FileRow, RenderError> {
        let ranking = match salience::score_of(store, populations, values)? {
            None => None,
            Some(salience) => Some(Ranking {
                salience,
                class: values.require(keys::SALIENCE_CLASS, ValueName::Salience)?,
                reasons: values
                    .require(keys::SALIENCE_REASONS, ValueName::Salience)?
                    .0,
            }),
        };
        let beside = ValueName::Commits;
        let history = match values.get(keys::COMMITS)? {
            None => None,
            Some(_commits) => Some(FileHistory {
                lines_added: values.require(keys::LINES_ADDED, beside)?,
                lines_deleted: values.require(keys::LINES_DELETED, beside)?,
                authors: values.require(keys::AUTHORS, beside)?,
                main_author: values.require(keys::MAIN_AUTHOR, beside)?,
                main_author_share: values.require(keys::MAIN_AUTHOR_SHARE, beside)?,
                recent: values.require(keys::RECENT_COMMITS, beside)?.0,
            }),
        };
        Ok(FileRow {
            blob: None,
            language: values.get(keys::LANGUAGE)?,
            pagerank: values.get(keys::PAGERANK)?,
            ranking,
            history,
        })
    }

    /// A parsed source file (one with a language).
    pub fn is_code(&self) -> bool {
        self.language.is_some()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SymbolRow {
    pub name: String,
    pub kind: SymbolKind,
    pub signature: String,
    pub doc: Option<String>,
    pub line: u32,
    /// The definition's last line.
    pub end: u32,
    pub pagerank: f64,
    /// Definitions (or files) of production code calling it, resolved
    /// with certainty (guesses by name and test code not counted).
    pub certain_callers: u32,
}

impl SymbolRow {
    /// A current symbol node and its call-graph PageRank, if stored.
    pub(crate) fn read(
        node: homer_store::CurrentNode,
        pagerank: Option<&homer_store::Value>,
    ) -> Result<SymbolRow, RenderError> {
        let what = || format!("symbol '{}'", node.name);
        let a: SymbolAttrs = attrs::decode(what, node.attrs.as_deref())?;
        let pagerank = match pagerank {
            Some(value) => keys::CALL_PAGERANK.decode(&node.name, value)?,
            None => 0.0,
        };
        Ok(SymbolRow {
            kind: a.kind,
            signature: a.signature,
            doc: a.doc,
            line: a.line,
            end: a.end,
            pagerank,
            certain_callers: 0,
            name: node.name,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Coupling {
    pub a: String,
    pub b: String,
    pub degree: f64,
    pub shared: u32,
    pub hidden: bool,
}

/// Everything the documents are made of, loaded once: a long-lived
/// reader (`homer serve`) keeps one per revision of the index and renders
/// from it ([`crate::task_context_in`], [`crate::risk_map_of`]).
pub struct Snapshot {
    pub(crate) commit: String,
    pub(crate) calls: Vec<PairEdge>,
    pub(crate) files: BTreeMap<String, FileRow>,
    pub(crate) symbols: Vec<SymbolRow>,
    pub(crate) communities: Vec<(String, Vec<String>)>,
    pub(crate) couplings: Vec<Coupling>,
    /// File dependencies: (from, to, weight).
    pub(crate) depends: Vec<(String, String, f64)>,
    /// Directories with the number of current files below them.
    pub(crate) dirs: Vec<(String, i64)>,
    /// Production code files with the words of their paths, split when a
    /// task first asks (`homer serve` answers many from one snapshot).
    pub(crate) path_words: std::sync::OnceLock<Vec<(String, Vec<String>)>>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("commit", &self.commit)
            .field("files", &self.files.len())
            .field("symbols", &self.symbols.len())
            .finish_non_exhaustive()
    }
}

pub(crate) fn is_production(path: &str) -> bool {
    FileRole::of_path(path).is_none()
}

/// Sets each symbol's count of production callers resolved with
/// certainty.
fn count_certain_callers(symbols: &mut [SymbolRow], calls: &[PairEdge]) {
    let position: BTreeMap<&str, usize> = symbols
        .iter()
        .enumerate()
        .map(|(i, x)| (x.name.as_str(), i))
        .collect();
    let mut counts = vec![0u32; symbols.len()];
    for edge in calls {
        // Guessed calls carry a confidence below 1 (resolution by name).
        let guess = edge.confidence.is_some_and(|c| c < 1.0);
        let target = position.get(edge.target.1.as_str());
        let from_tests = outside_production(&edge.source.1);
        if let (false, false, Some(&i)) = (guess, from_tests, target) {
            counts[i] += 1;
        }
    }
    for (x, n) in symbols.iter_mut().zip(counts) {
        x.certain_callers = n;
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

/// The communities, biggest first: (name, sorted member files).
fn communities(store: &Store) -> Result<Vec<(String, Vec<String>)>, RenderError> {
    let mut communities = Vec::new();
    for edge in store.edges(EdgeKind::Community)? {
        let a: CommunityAttrs = attrs::decode(|| edge_name(&edge), edge.attrs.as_deref())?;
        let mut members: Vec<String> = edge.members.iter().map(|m| m.name.clone()).collect();
        members.sort();
        communities.push((a.name, members));
    }
    communities.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    Ok(communities)
}

/// The co-change pairs, each once: hidden ones (no dependency either
/// way) first, then by degree.
fn couplings(
    store: &Store,
    depends: &[(String, String, f64)],
) -> Result<Vec<Coupling>, RenderError> {
    let linked: BTreeSet<(&str, &str)> = depends
        .iter()
        .map(|(a, b, _)| (a.as_str(), b.as_str()))
        .collect();
    couplings_of(store.edges(EdgeKind::CoChange)?, &linked)
}

/// The co-change pairs of `edges`, each once, in the order of
/// [`Snapshot::couplings`]; `linked` holds the (source, target) pairs of
/// the dependency edges between their files.
pub(crate) fn couplings_of(
    edges: impl IntoIterator<Item = StoredEdge>,
    linked: &BTreeSet<(&str, &str)>,
) -> Result<Vec<Coupling>, RenderError> {
    let mut couplings = Vec::new();
    for edge in edges {
        if edge.members.len() != 2 {
            continue;
        }
        let (a, b) = (edge.members[0].name.clone(), edge.members[1].name.clone());
        let attrs: CoChangeAttrs = attrs::decode(|| edge_name(&edge), edge.attrs.as_deref())?;
        let hidden = !linked.contains(&(a.as_str(), b.as_str()))
            && !linked.contains(&(b.as_str(), a.as_str()));
        couplings.push(Coupling {
            a,
            b,
            degree: edge.weight.unwrap_or(0.0),
            shared: attrs.shared,
            hidden,
        });
    }
    // A pair is stored from each side: keep one.
    couplings.retain(|c| c.a < c.b);
    couplings.sort_by(|x, y| {
        y.hidden
            .cmp(&x.hidden)
            .then(y.degree.total_cmp(&x.degree))
            .then(y.shared.cmp(&x.shared))
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    couplings.dedup_by(|x, y| x.a == y.a && x.b == y.b);
    Ok(couplings)
}

/// The blob a current file node holds at HEAD.
fn blob_of(node: &homer_store::CurrentNode) -> Result<Option<ObjectId>, RenderError> {
    let Some(hash) = node.content_hash.as_deref() else {
        return Ok(None);
    };
    let id = <[u8; 20]>::try_from(hash).map_err(|_| homer_vocab::VocabError::BadAttrs {
        what: format!("file '{}'", node.name),
        message: "its content hash is not a git object id".to_owned(),
    })?;
    Ok(Some(ObjectId::from_bytes(id)))
}

/// Each node's values, decoded.
fn grouped(nodes: Vec<NodeValues<'_>>) -> Result<BTreeMap<String, Values>, RenderError> {
    let mut out = BTreeMap::new();
    for (node, rows) in nodes {
        let values = Values::decode(&node, rows)?;
        out.insert(node, values);
    }
    Ok(out)
}

impl Snapshot {
    /// Reads what the documents are made of from the index.
    pub fn load(index: &Index) -> Result<Snapshot, RenderError> {
        Self::read(index)
    }

    fn read(index: &Index) -> Result<Snapshot, RenderError> {
        let store = index.store();
        let commit = index.indexed_head()?.ok_or(RenderError::NoCommit)?;
        // Kept as stored and decoded one file at a time: decoded, a file's
        // history row holds its owners and commits as text, which all the
        // files together would hold at once (23 MB more at kernel size).
        let mut file_values: BTreeMap<String, _> = store
            .node_values_grouped(NodeKind::File, &stored_rows(&FileRow::READS))?
            .into_iter()
            .collect();
        let populations = index.salience_populations()?;
        let mut files = BTreeMap::new();
        for node in store.current_nodes(NodeKind::File)? {
            let mut row = match file_values.remove(&node.name) {
                Some(rows) => {
                    let values = Values::decode(&node.name, rows)?;
                    FileRow::read(store, &values, populations.as_deref())?
                }
                None => FileRow::default(),
            };
            row.blob = blob_of(&node)?;
            files.insert(node.name, row);
        }
        // Of a symbol's values only its PageRank, read with the symbols; of
        // a directory's only its file count.
        let mut symbols = Vec::new();
        for (node, value) in
            store.current_nodes_valued(NodeKind::Symbol, keys::CALL_PAGERANK.name().name())?
        {
            symbols.push(SymbolRow::read(node, value.as_ref())?);
        }
        let calls = store.pair_edges(EdgeKind::Calls)?;
        count_certain_callers(&mut symbols, &calls);
        let communities = communities(store)?;
        let depends: Vec<(String, String, f64)> = store
            .pair_edges(EdgeKind::Depends)?
            .into_iter()
            .map(|e| (e.source.1, e.target.1, e.weight.unwrap_or(0.0)))
            .collect();
        let couplings = couplings(store, &depends)?;
        let mut dirs = Vec::new();
        for (dir, values) in
            grouped(store.node_values_grouped(NodeKind::Directory, &[keys::FILES.name().name()])?)?
        {
            if let Some(n) = values.get(keys::FILES)? {
                dirs.push((dir, n));
            }
        }
        Ok(Snapshot {
            commit,
            calls,
            files,
            symbols,
            communities,
            couplings,
            depends,
            dirs,
            path_words: std::sync::OnceLock::new(),
        })
    }

    /// Production code files with the words of their paths
    /// (`src/utils/cookie.ts` is `src utils cookie`), split once.
    pub(crate) fn path_words(&self) -> &[(String, Vec<String>)] {
        self.path_words.get_or_init(|| {
            self.files
                .iter()
                .filter(|(p, row)| row.is_code() && !outside_production(p))
                .map(|(p, _)| (p.clone(), homer_vocab::text::naming_words(p)))
                .collect()
        })
    }

    /// Production files under `prefix` with their ranking, most salient
    /// first.
    pub(crate) fn ranked_files(&self, prefix: &str) -> Vec<(&String, &FileRow, &Ranking)> {
        let mut files: Vec<(&String, &FileRow, &Ranking)> = self
            .files
            .iter()
            .filter(|(p, _)| p.starts_with(prefix) && is_production(p))
            .filter_map(|(p, f)| Some((p, f, f.ranking.as_ref()?)))
            .collect();
        files.sort_by(|a, b| b.2.salience.total_cmp(&a.2.salience).then(a.0.cmp(b.0)));
        files
    }

    /// The first 12 digits of the commit.
    pub(crate) fn short_commit(&self) -> &str {
        &self.commit[..self.commit.len().min(12)]
    }
}

/// Files' texts at the indexed HEAD (README, manifests, CI), each read
/// from git once per render however many sections look at it.
pub(crate) struct Blobs<'a> {
    snapshot: &'a Snapshot,
    repo: &'a homer_git::Repository,
    read: std::cell::RefCell<BTreeMap<String, Option<String>>>,
}

impl<'a> Blobs<'a> {
    pub fn new(snapshot: &'a Snapshot, index: &'a Index) -> Self {
        Blobs {
            snapshot,
            repo: index.workspace().repository(),
            read: std::cell::RefCell::default(),
        }
    }

    /// The UTF-8 text of `path` at HEAD; `None` when it is not a file
    /// there, its blob is missing (a partial clone) or it is not UTF-8
    /// (a README in another encoding is not quoted).
    pub fn text(&self, path: &str) -> Option<String> {
        if let Some(known) = self.read.borrow().get(path) {
            return known.clone();
        }
        let text = self
            .snapshot
            .files
            .get(path)
            .and_then(|f| f.blob)
            .and_then(|blob| self.repo.blob(blob))
            // Text in another encoding is not quoted, as documented.
            .and_then(|bytes| String::from_utf8(bytes).ok());
        self.read.borrow_mut().insert(path.to_owned(), text.clone());
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homer_store::Value;
    use homer_vocab::values::{HISTORY_FIGURES, HistoryFigures, Storage, ValueType};

    /// A file row read from only the values it lists is the row read from
    /// all of them: a value `FileRow::read` reads but `FileRow::READS`
    /// does not list would read as absent, and the rows would differ.
    #[test]
    fn a_file_row_reads_only_the_values_it_lists() {
        let valid: BTreeMap<&str, Value> = [
            (keys::SALIENCE_CLASS.name(), Value::Text("hotspot".into())),
            (
                keys::SALIENCE_REASONS.name(),
                Value::Text("[\"why\"]".into()),
            ),
            (
                keys::HISTORY.name(),
                HistoryFigures {
                    commits: 3,
                    lines_added: 10,
                    lines_deleted: 2,
                    authors: 2,
                    first_change: 1_600_000_000,
                    last_change: 1_700_000_000,
                    main_author: "ann".into(),
                    main_author_share: 0.75,
                    fragmentation: 0.5,
                    owners: vec![("ann".into(), 10, 2), ("bob".into(), 0, 1)],
                    recent_commits: vec!["c1".into()],
                }
                .to_value(),
            ),
            (keys::LANGUAGE.name(), Value::Text("Rust".into())),
            (keys::PAGERANK.name(), Value::Real(1.5)),
            (keys::IN_DEGREE.name(), Value::Int(4)),
            (keys::BETWEENNESS.name(), Value::Real(0.5)),
            (keys::POPULATION_PAGERANK.name(), Value::Real(1.5)),
        ]
        .into_iter()
        .map(|(name, value)| (name.name(), value))
        .collect();
        let rows = stored_rows(&FileRow::READS);
        assert_eq!(
            valid.keys().copied().collect::<BTreeSet<_>>(),
            rows.iter()
                .copied()
                .filter(|n| !HISTORY_FIGURES.iter().any(|f| f.name() == *n))
                .collect::<BTreeSet<_>>(),
            "the test gives a value to each row read"
        );
        // Every other value a node may hold, of its type but of no meaning
        // (the history figures are held by the `history` row).
        let all: Vec<(String, Value)> = ValueName::ALL
            .iter()
            .filter(|name| name.stored_as() == **name)
            .map(|name| {
                let value =
                    valid
                        .get(name.name())
                        .cloned()
                        .unwrap_or_else(|| match name.storage() {
                            Storage::Int => Value::Int(7),
                            Storage::Real => Value::Real(0.25),
                            Storage::Text => Value::Text("unlisted".into()),
                            Storage::Json => Value::Text("[]".into()),
                            Storage::Bytes => unreachable!("every packed value is listed"),
                        });
                (name.name().to_owned(), value)
            })
            .collect();
        let listed: Vec<(String, Value)> = all
            .iter()
            .filter(|(name, _)| rows.contains(&name.as_str()))
            .cloned()
            .collect();
        let (store, populations) = ranked_among_three();
        let read = |rows: Vec<(String, Value)>| {
            let values = Values::decode("a.rs", rows).expect("values of their types");
            format!("{:?}", FileRow::read(&store, &values, Some(&populations)))
        };
        let from_listed = read(listed);
        assert!(from_listed.contains("Hotspot"), "{from_listed}");
        // 0.6·(0.6·0.5 + 0.2·0.5 + 0.2·0.5) + 0.25·0.5 + 0.15·0.5
        assert!(from_listed.contains("salience: 0.5,"), "{from_listed}");
        assert_eq!(read(all), from_listed);
        // An index written before the history row holds its figures on
        // their own rows: read from those the file row is the same.
        let Value::Bytes(_) = &valid[keys::HISTORY.name().name()] else {
            panic!("packed")
        };
        let unpacked = Values::decode("a.rs", listed_packed(&valid)).expect("values");
        let old_rows: Vec<(String, Value)> = unpacked
            .iter()
            .filter(|(name, _)| HISTORY_FIGURES.contains(name))
            .map(|(name, value)| (name.name().to_owned(), value.clone()))
            .chain(
                valid
                    .iter()
                    .filter(|(name, _)| **name != keys::HISTORY.name().name())
                    .map(|(name, value)| ((*name).to_owned(), value.clone())),
            )
            .filter(|(name, _)| rows.contains(&name.as_str()))
            .collect();
        assert!(old_rows.iter().any(|(n, _)| n == "recent_commits"));
        assert_eq!(read(old_rows), from_listed);
    }

    /// Salience's population stored as an update stores it: three files,
    /// the row read in the middle on every number (so the score depends on
    /// each one it is computed from).
    fn ranked_among_three() -> (Store, Populations) {
        let others = [
            salience::Signals::default(),
            salience::Signals {
                pagerank: 1.5,
                in_degree: 4,
                betweenness: 0.5,
                commits: 3,
                last_change: 1_700_000_000,
            },
            salience::Signals {
                pagerank: 3.0,
                in_degree: 9,
                betweenness: 1.0,
                commits: 9,
                last_change: 1_800_000_000,
            },
        ];
        // Stored as an update stores them.
        let mut store = Store::open_in_memory().expect("open");
        let tx = store.begin_write().expect("tx");
        let task = homer_store::TaskId::of("salience", "files");
        tx.ensure_task("salience", task, "files").expect("task row");
        let mut w = tx.task_writer(task, true);
        let members = others.iter().enumerate().map(|(i, s)| {
            (
                homer_store::NodeId::of(NodeKind::File, &format!("f{i}.rs")),
                s,
            )
        });
        salience::Population::write(&mut w, members).expect("written");
        w.finish(None).expect("finish");
        tx.commit().expect("commit");
        let populations = Populations::read(&store).expect("read").expect("stored");
        (store, populations)
    }

    fn listed_packed(valid: &BTreeMap<&str, Value>) -> Vec<(String, Value)> {
        valid
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }
}
