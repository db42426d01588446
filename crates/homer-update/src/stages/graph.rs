//! Graph analysis (stage `graph`): PageRank, degrees, betweenness and
//! communities on the file dependency graph, PageRank on the symbol call
//! graph, then the salience of every parsed file.
//!
//! A symbol's degrees and betweenness are not stored: nothing Homer ranks
//! or shows reads them, and they were three quarters of the values this
//! stage kept (a graph task that runs again reads every value it stored to
//! write only those that moved: at kernel size 1.6 million rows an update).
//! `homer export --graph symbols` computes them from the call graph it
//! exports (`homer_read::export_graph`).
//!
//! Two task kinds:
//! - `graph(files)` and `graph(symbols)`: keyed by the graph, with the
//!   graph's content (its nodes and weighted edges) and the `[graph]`
//!   settings as the input, so an edit that changes no edge runs nothing.
//!   PageRank starts from the uniform vector every time. Starting from the
//!   previous scores saved a few iterations (a millisecond or two on
//!   30,000 symbols) and cost keeping every node's name with its score as
//!   the task's value: on the 10,000-file synthetic repository, packing,
//!   writing, reading and mapping it back was a tenth of an update.
//! - `salience(files)`: from the file graph's values and the behavioral
//!   metrics, percentile ranks combined into a score, a class and reasons
//!   (see `crate::salience`).

use std::collections::BTreeMap;

use homer_dag::{Declared, Engine, Signature, Sweep, Task, TaskError, TaskKind, fingerprint};
use homer_graph::{Graph, LouvainOptions};
use homer_store::{EdgeKind, Member, NodeId, NodeKind, Role, TaskWriter, WriteTx};
use homer_vocab::values::put;
use homer_vocab::{Checkpoint, NAMED_BY, ValueName, attrs, community_key_files, keys};
use serde::{Deserialize, Serialize};

use crate::UpdateError;
use crate::config::GraphConfig;
use crate::salience;

/// One PageRank computation, for the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRankRun {
    /// `files` or `symbols`.
    pub graph: String,
    pub nodes: usize,
    pub edges: usize,
    pub iterations: u32,
    pub converged: bool,
}

/// What the stage did.
#[derive(Debug, Default)]
pub(crate) struct GraphOutcome {
    pub runs: Vec<PageRankRun>,
}

/// A node of an analysed graph: its kind and name.
type Named = (NodeKind, String);

/// A graph read from the store, nodes sorted by (kind, name).
struct NamedGraph {
    nodes: Vec<Named>,
    edges: Vec<(u32, u32, f64)>,
}

impl Serialize for NamedGraph {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let nodes: Vec<(u8, &str)> = self
            .nodes
            .iter()
            .map(|(k, n)| (k.code(), n.as_str()))
            .collect();
        (nodes, &self.edges).serialize(s)
    }
}

impl NamedGraph {
    fn new(nodes: Vec<Named>, edges: impl IntoIterator<Item = (Named, Named, f64)>) -> Self {
        // Hashed: a call graph's every edge end is looked up, and in a
        // B-tree each lookup compared names a dozen times and more.
        let index: rustc_hash::FxHashMap<&Named, u32> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n, u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        let mut list: Vec<(u32, u32, f64)> = edges
            .into_iter()
            .filter_map(|(a, b, w)| Some((*index.get(&a)?, *index.get(&b)?, w)))
            .filter(|&(a, b, w)| a != b && w.is_finite() && w > 0.0)
            .collect();
        list.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(x.2.total_cmp(&y.2)));
        NamedGraph { nodes, edges: list }
    }
}

/// One graph's analysis.
struct Analysis<'a>(std::marker::PhantomData<&'a ()>);

#[derive(Serialize)]
struct AnalysisInput<'a> {
    graph: &'a NamedGraph,
    config: &'a GraphConfig,
}

/// Every value of one analysis, by node index.
struct Analysed {
    scores: Vec<f64>,
    /// Files only, as the communities: in-degree, out-degree and
    /// betweenness of each node.
    centrality: Option<Centrality>,
    /// Files only: each node's community label, and how many there are.
    communities: Option<(Vec<u32>, usize)>,
    run: PageRankRun,
}

/// A node's degrees and betweenness, by node index.
struct Centrality {
    in_degrees: Vec<usize>,
    out_degrees: Vec<usize>,
    betweenness: Vec<f64>,
}

impl<'a> Task for Analysis<'a> {
    /// Version 9: a symbol's degrees and betweenness are no longer stored.
    const KIND: TaskKind = TaskKind::new("graph", 9);
    type Input = AnalysisInput<'a>;
    type Output = Analysed;
    type Shared = ();
    type Worker = ();

    fn worker((): &()) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute(
        (): &(),
        (): &mut (),
        key: &str,
        input: &AnalysisInput<'a>,
    ) -> Result<Analysed, TaskError> {
        Ok(analyse(key, input))
    }

    fn report(output: &Analysed) -> Option<String> {
        // Plain data: serializing cannot fail.
        Some(serde_json::to_string(&output.run).expect("plain data serializes"))
    }

    fn write(
        w: &mut TaskWriter<'_>,
        key: &str,
        input: &AnalysisInput<'a>,
        analysed: Analysed,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        write_analysis(w, key, input.graph, &analysed)?;
        Ok(None)
    }
}

/// The salience of the parsed files.
struct Salience;

impl Task for Salience {
    /// Version 7: the score is no longer stored, the populations it is
    /// read from are.
    const KIND: TaskKind = TaskKind::new("salience", 8);
    type Input = salience::Inputs;
    type Output = salience::Assessed;
    type Shared = ();
    type Worker = ();

    fn worker((): &()) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute(
        (): &(),
        (): &mut (),
        _: &str,
        input: &salience::Inputs,
    ) -> Result<Self::Output, TaskError> {
        Ok(salience::assess(input))
    }

    fn write(
        w: &mut TaskWriter<'_>,
        _: &str,
        _: &salience::Inputs,
        assessed: Self::Output,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        salience::write(w, assessed)?;
        Ok(None)
    }
}

/// The stage's signature: the code and the history it analyses, and the
/// `[graph]` settings.
#[derive(Serialize)]
pub(crate) struct StageInputs<'a> {
    pub code: Signature,
    pub behavior: Signature,
    pub config: &'a GraphConfig,
}

pub(crate) const KINDS: [TaskKind; 2] = [Analysis::KIND, Salience::KIND];

/// The graphs analysed, by their task's key: the file graph and the call
/// graph.
const GRAPHS: [&str; 2] = ["files", "symbols"];

pub(crate) fn run(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    indexed: bool,
    code: Signature,
    behavior: Signature,
    config: &GraphConfig,
) -> Result<(Signature, GraphOutcome), UpdateError> {
    let stage = engine.begin_stage(
        tx,
        &Checkpoint::Stage("graph").name(),
        &KINDS,
        &StageInputs {
            code,
            behavior,
            config,
        },
    )?;
    let mut outcome = GraphOutcome::default();
    if stage.skip() {
        return Ok((engine.end_stage(tx, stage)?, outcome));
    }
    let analysed = Checkpoint::GraphsAnalysed.name();
    if !indexed {
        // No commits: nothing to rank, and whatever was ranked goes.
        engine.run::<Analysis<'_>>(tx, &(), &[], Sweep::Complete)?;
        engine.run::<Salience>(tx, &(), &[], Sweep::Complete)?;
        tx.clear_checkpoint(&analysed)?;
        return Ok((engine.end_stage(tx, stage)?, outcome));
    }
    // When no code stage changed a node or an edge since the graphs were
    // analysed with these settings (a commit that changes no parsed file,
    // or only the history), the stored analyses stand: the graphs are not
    // read (at kernel size a million and a half rows). Verification reads
    // and analyses them, and must find the same.
    let settings = fingerprint(&(Analysis::KIND, config)).to_string();
    let kept = !stage.verifying()
        && tx.checkpoint(&analysed)?.as_deref() == Some(settings.as_str())
        && tx.task_count(Analysis::KIND.name)? == GRAPHS.len() as u64;
    let outputs = if kept {
        engine.run::<Analysis<'_>>(tx, &(), &[], Sweep::Partial)?
    } else {
        let graphs = [file_graph(tx)?, symbol_graph(tx)?];
        let declared: Vec<Declared<AnalysisInput<'_>>> = GRAPHS
            .iter()
            .zip(&graphs)
            .map(|(key, graph)| Declared::new((*key).to_owned(), AnalysisInput { graph, config }))
            .collect();
        let outputs = engine.run::<Analysis<'_>>(tx, &(), &declared, Sweep::Complete)?;
        tx.set_checkpoint(&analysed, &settings)?;
        outputs
    };
    for (key, report) in outputs.reports() {
        let run: PageRankRun = serde_json::from_str(report).map_err(|e| UpdateError::Corrupt {
            what: format!("the PageRank report of {key}"),
            message: e.to_string(),
        })?;
        outcome.runs.push(run);
    }
    let inputs = salience::Inputs::read(tx)?;
    let declared = [Declared::new("files".to_owned(), inputs)];
    engine.run::<Salience>(tx, &(), &declared, Sweep::Complete)?;
    Ok((engine.end_stage(tx, stage)?, outcome))
}

/// Parsed files, and their dependencies.
fn file_graph(tx: &WriteTx<'_>) -> Result<NamedGraph, UpdateError> {
    let nodes: Vec<Named> = tx
        .node_values_grouped(NodeKind::File, &[ValueName::Language.name()])?
        .into_iter()
        .map(|(file, _)| (NodeKind::File, file))
        .collect();
    let edges = binary_edges(tx, EdgeKind::Depends)?;
    Ok(NamedGraph::new(nodes, edges))
}

/// Symbols, and the calls between them (weighted by count × confidence).
/// A call from a file's top level comes from the file: such files are
/// nodes too, so what they call gets their weight.
fn symbol_graph(tx: &WriteTx<'_>) -> Result<NamedGraph, UpdateError> {
    let calls = tx.pair_edges(EdgeKind::Calls)?;
    let mut nodes: Vec<Named> = tx
        .current_names(NodeKind::Symbol)?
        .into_iter()
        .map(|name| (NodeKind::Symbol, name))
        .collect();
    nodes.extend(
        calls
            .iter()
            .filter(|e| e.source.0 == NodeKind::File)
            .map(|e| e.source.clone()),
    );
    nodes.sort();
    nodes.dedup();
    let edges = calls.into_iter().map(|e| {
        (
            e.source,
            e.target,
            e.weight.unwrap_or(1.0) * e.confidence.unwrap_or(1.0),
        )
    });
    Ok(NamedGraph::new(nodes, edges))
}

/// Edges of `kind` with a source and a target: (source, target, weight).
fn binary_edges(tx: &WriteTx<'_>, kind: EdgeKind) -> Result<Vec<(Named, Named, f64)>, UpdateError> {
    Ok(tx
        .pair_edges(kind)?
        .into_iter()
        .map(|e| (e.source, e.target, e.weight.unwrap_or(1.0)))
        .collect())
}

/// Runs every algorithm on one graph.
fn analyse(key: &str, input: &AnalysisInput<'_>) -> Analysed {
    let named = input.graph;
    let config = input.config;
    let graph = Graph::new(named.nodes.len(), named.edges.iter().copied());
    let pagerank = homer_graph::pagerank(&graph, &config.pagerank(), None);
    let files = key == "files";
    let centrality = files.then(|| Centrality {
        in_degrees: graph.in_degrees(),
        out_degrees: graph.out_degrees(),
        betweenness: homer_graph::betweenness(&graph, &config.betweenness()).0,
    });
    let communities = files.then(|| {
        homer_graph::louvain(
            &graph,
            &LouvainOptions {
                resolution: config.community_resolution,
                seed: config.seed,
                ..LouvainOptions::default()
            },
        )
    });
    Analysed {
        run: PageRankRun {
            graph: key.to_owned(),
            nodes: graph.len(),
            edges: graph.edge_count(),
            iterations: pagerank.iterations,
            converged: pagerank.converged,
        },
        centrality,
        communities,
        scores: pagerank.scores,
    }
}

/// Writes one analysis's values, and the communities of the file graph.
fn write_analysis(
    w: &mut TaskWriter<'_>,
    key: &str,
    named: &NamedGraph,
    a: &Analysed,
) -> Result<(), TaskError> {
    // Scores are stored as multiples of the mean: PageRank sums to 1, so a
    // graph that gains or loses nodes scales every score, and stored that
    // way every score would be rewritten. Percentiles are counted when
    // read, for the same reason.
    #[allow(clippy::cast_precision_loss, reason = "node counts far below 2^52")]
    let n = named.nodes.len() as f64;
    let rank = if key == "symbols" {
        keys::CALL_PAGERANK
    } else {
        keys::PAGERANK
    };
    let mut ranked = Vec::with_capacity(named.nodes.len());
    for (i, (kind, name)) in named.nodes.iter().enumerate() {
        // The symbol graph holds files only as callers; their values come
        // from the file graph.
        if key == "symbols" && *kind != NodeKind::Symbol {
            continue;
        }
        let node = NodeId::of(*kind, name);
        let score = a.scores[i] * n;
        ranked.push(score);
        put(w, node, rank, &score)?;
        if let Some(c) = &a.centrality {
            put(w, node, keys::IN_DEGREE, &(c.in_degrees[i] as i64))?;
            put(w, node, keys::OUT_DEGREE, &(c.out_degrees[i] as i64))?;
            put(w, node, keys::BETWEENNESS, &c.betweenness[i])?;
        }
    }
    // So that a reader finds a score's percentile without counting every
    // score (schema 0009).
    w.marks(rank.name().name(), &ranked)?;
    if let Some((labels, count)) = &a.communities {
        write_communities(w, named, labels, *count, &a.scores)?;
    }
    Ok(())
}

/// Louvain communities of the file graph, each named after its key files
/// ([`community_names`]), written as a `community` value on each file
/// and a `community` hyperedge per community of two files or more.
fn write_communities(
    w: &mut TaskWriter<'_>,
    named: &NamedGraph,
    labels: &[u32],
    count: usize,
    pagerank: &[f64],
) -> Result<(), TaskError> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, &label) in labels.iter().enumerate() {
        members[label as usize].push(i);
    }
    let paths: Vec<&str> = named.nodes.iter().map(|(_, p)| p.as_str()).collect();
    let community_names = community_names(&paths, pagerank, &members);
    for (label, files) in members.iter().enumerate() {
        let name = &community_names[label];
        for &i in files {
            let node = NodeId::of(NodeKind::File, &named.nodes[i].1);
            put(w, node, keys::COMMUNITY, name)?;
        }
        if files.len() < 2 {
            continue;
        }
        let list: Vec<Member<'_>> = files
            .iter()
            .map(|&i| Member::new(NodeId::of(NodeKind::File, &named.nodes[i].1), Role::Member))
            .collect();
        let attrs = attrs::encode(&attrs::CommunityAttrs {
            name: name.clone(),
            size: u32::try_from(files.len()).unwrap_or(u32::MAX),
        });
        w.edge(
            EdgeKind::Community,
            &list,
            Some(files.len() as f64),
            attrs.as_deref(),
        )?;
    }
    Ok(())
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}

/// Each community's name: of the directories holding its first
/// [`NAMED_BY`] key files, the one whose production files carry the most
/// of the community's PageRank (ties to the first in path order), `.` for
/// the root. So a community is never named after its tests, fixtures or
/// data files when its central code lives elsewhere, and its name is
/// where its key files are. A name that several communities share gets
/// each one's first key file in that directory, `src (hono.ts)`.
fn community_names(paths: &[&str], pagerank: &[f64], members: &[Vec<usize>]) -> Vec<String> {
    let chosen: Vec<(&str, &str)> = members
        .iter()
        .map(|files| {
            let ranked: Vec<(&str, f64)> = files.iter().map(|&i| (paths[i], pagerank[i])).collect();
            let key = community_key_files(&ranked);
            // What each candidate directory's own key-eligible files weigh.
            let mut weight: BTreeMap<&str, f64> = key
                .iter()
                .take(NAMED_BY)
                .map(|f| (dir_of(f), 0.0))
                .collect();
            let eligible: std::collections::BTreeSet<&str> = key.iter().copied().collect();
            for &(path, rank) in &ranked {
                if eligible.contains(path)
                    && let Some(w) = weight.get_mut(dir_of(path))
                {
                    *w += rank;
                }
            }
            let dir = weight
                .iter()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
                .map_or(".", |(d, _)| *d);
            // The first key file in that directory tells a shared name apart.
            let first = key.iter().find(|f| dir_of(f) == dir).copied().unwrap_or("");
            (dir, first)
        })
        .collect();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for (dir, _) in &chosen {
        *uses.entry(dir).or_default() += 1;
    }
    chosen
        .iter()
        .map(|(dir, first)| {
            if uses[dir] == 1 {
                (*dir).to_owned()
            } else {
                let file = first.rsplit('/').next().unwrap_or(first);
                format!("{dir} ({file})")
            }
        })
        .collect()
}
