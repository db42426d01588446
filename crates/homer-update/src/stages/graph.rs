//! Graph analysis (stage `graph`): PageRank, degrees, betweenness and
//! communities on the file dependency graph and the symbol call graph,
//! then the salience of every parsed file.
//!
//! Two task kinds:
//! - `graph(files)` and `graph(symbols)`: keyed by the graph, with the
//!   graph's content (its nodes and weighted edges) as the input, so an edit
//!   that changes no edge runs nothing. When a graph did change, PageRank
//!   starts from the previous scores (kept as the task's value).
//! - `salience(files)`: from the file graph's values and the behavioral
//!   metrics, percentile ranks combined into a score, a class and reasons
//!   (see `crate::salience`).

use std::collections::BTreeMap;

use homer_dag::{Declared, Engine, Sweep, TaskError, TaskKind};
use homer_graph::{BetweennessOptions, Graph, LouvainOptions};
use homer_store::{
    EdgeKind, Fingerprint, Member, NodeId, NodeKind, Role, TaskId, TaskWriter, WriteTx,
};
use homer_vocab::values::put;
use homer_vocab::{ValueName, attrs, keys};
use serde::{Deserialize, Serialize};

use crate::UpdateError;
use crate::config::GraphConfig;
use crate::salience;

pub(crate) const GRAPH: TaskKind = TaskKind::new("graph", 1);
pub(crate) const SALIENCE: TaskKind = TaskKind::new("salience", 2);

/// The code and history the stored analysis describes, and the settings.
const CHECKPOINT: &str = "stage.graph";

/// One PageRank computation, for the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PageRankRun {
    /// `files` or `symbols`.
    pub graph: String,
    pub nodes: usize,
    pub edges: usize,
    pub iterations: u32,
    /// Started from the previous scores.
    pub warm_start: bool,
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

impl NamedGraph {
    fn new(nodes: Vec<Named>, edges: impl IntoIterator<Item = (Named, Named, f64)>) -> Self {
        let index: BTreeMap<&Named, u32> = nodes
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

    fn input_hash(&self, config: &GraphConfig) -> u64 {
        let mut fp = GRAPH.input().u64(config.fingerprint());
        for (kind, name) in &self.nodes {
            fp.push_u64(u64::from(kind.code()));
            fp.push_bytes(name.as_bytes());
        }
        for &(a, b, w) in &self.edges {
            fp.push_u64(u64::from(a));
            fp.push_u64(u64::from(b));
            fp.push_u64(w.to_bits());
        }
        fp.finish()
    }
}

/// What a graph task keeps for the next run: the scores to start from.
#[derive(Serialize, Deserialize)]
struct Kept {
    nodes: Vec<(u8, String)>,
    scores: Vec<f64>,
}

pub(crate) fn run(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    indexed: bool,
    config: &GraphConfig,
) -> Result<GraphOutcome, UpdateError> {
    if !indexed {
        // No commits: nothing to rank, and whatever was ranked goes.
        for kind in [&GRAPH, &SALIENCE] {
            engine.run_serial(
                tx,
                kind,
                &[] as &[Declared<()>],
                Sweep::Complete,
                |_, _, _, ()| Ok(None),
            )?;
        }
        tx.clear_checkpoint(CHECKPOINT)?;
        return Ok(GraphOutcome::default());
    }
    let signature = Fingerprint::new()
        .str(&tx.checkpoint("stage.code")?.unwrap_or_default())
        .str(&tx.checkpoint("stage.behavior")?.unwrap_or_default())
        .u64(config.fingerprint())
        .u64(u64::from(GRAPH.version))
        .u64(u64::from(SALIENCE.version))
        .finish()
        .to_string();
    let mut outcome = GraphOutcome::default();
    if tx.checkpoint(CHECKPOINT)?.as_deref() == Some(signature.as_str()) {
        return Ok(outcome);
    }
    let graphs = [("files", file_graph(tx)?), ("symbols", symbol_graph(tx)?)];
    let declared: Vec<Declared<&NamedGraph>> = graphs
        .iter()
        .map(|(key, graph)| Declared {
            key: (*key).to_owned(),
            input_hash: graph.input_hash(config),
            data: graph,
        })
        .collect();
    engine.run_serial(
        tx,
        &GRAPH,
        &declared,
        Sweep::Complete,
        |tx, w, key, graph| {
            let run = analyse(tx, w, key, graph, config)?;
            outcome.runs.push(run.0);
            Ok(Some(run.1))
        },
    )?;

    let inputs = salience::Inputs::read(tx)?;
    let declared = [Declared {
        key: "files".to_owned(),
        input_hash: inputs.hash(SALIENCE.input()),
        data: &inputs,
    }];
    engine.run_serial(
        tx,
        &SALIENCE,
        &declared,
        Sweep::Complete,
        |_, w, _, inputs| {
            salience::write(w, inputs)?;
            Ok(None)
        },
    )?;
    tx.set_checkpoint(CHECKPOINT, &signature)?;
    Ok(outcome)
}

/// Parsed files, and their dependencies.
fn file_graph(tx: &WriteTx<'_>) -> Result<NamedGraph, UpdateError> {
    let nodes: Vec<Named> = tx
        .node_values_named(NodeKind::File, &[ValueName::Language.name()])?
        .into_iter()
        .map(|(file, _, _)| (NodeKind::File, file))
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
        .current_nodes(NodeKind::Symbol)?
        .into_iter()
        .map(|n| (NodeKind::Symbol, n.name))
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

/// Runs every algorithm on one graph and writes the values; returns the
/// PageRank run and the value to keep.
fn analyse(
    tx: &WriteTx<'_>,
    w: &mut TaskWriter<'_>,
    key: &str,
    named: &NamedGraph,
    config: &GraphConfig,
) -> Result<(PageRankRun, Vec<u8>), TaskError> {
    let graph = Graph::new(named.nodes.len(), named.edges.iter().copied());
    let start = previous_scores(tx, key, named)?;
    let pagerank = homer_graph::pagerank(&graph, &config.pagerank(), start.as_deref());
    let percentiles = homer_graph::percentile_ranks(&pagerank.scores);
    let in_degrees = graph.in_degrees();
    let out_degrees = graph.out_degrees();
    let (betweenness, _) = homer_graph::betweenness(
        &graph,
        &BetweennessOptions {
            exact_up_to: config.betweenness_exact_up_to,
            samples: config.betweenness_samples,
            seed: config.seed,
        },
    );
    for (i, (kind, name)) in named.nodes.iter().enumerate() {
        // The symbol graph holds files only as callers; their values come
        // from the file graph.
        if key == "symbols" && *kind != NodeKind::Symbol {
            continue;
        }
        let node = NodeId::of(*kind, name);
        put(w, node, keys::PAGERANK, &pagerank.scores[i])?;
        put(w, node, keys::PAGERANK_PCT, &percentiles[i])?;
        put(w, node, keys::IN_DEGREE, &(in_degrees[i] as i64))?;
        put(w, node, keys::OUT_DEGREE, &(out_degrees[i] as i64))?;
        put(w, node, keys::BETWEENNESS, &betweenness[i])?;
    }
    if key == "files" {
        write_communities(w, named, &graph, config)?;
    }
    let kept = Kept {
        nodes: named
            .nodes
            .iter()
            .map(|(k, n)| (k.code(), n.clone()))
            .collect(),
        scores: pagerank.scores,
    };
    let run = PageRankRun {
        graph: key.to_owned(),
        nodes: graph.len(),
        edges: graph.edge_count(),
        iterations: pagerank.iterations,
        warm_start: start.is_some(),
        converged: pagerank.converged,
    };
    Ok((run, serde_json::to_vec(&kept)?))
}

/// The previous run's scores, mapped onto this graph's nodes (a new node
/// starts at the mean), when there was a previous run.
fn previous_scores(
    tx: &WriteTx<'_>,
    key: &str,
    named: &NamedGraph,
) -> Result<Option<Vec<f64>>, TaskError> {
    let Some(bytes) = tx.memo_value(TaskId::of(GRAPH.name, key))? else {
        return Ok(None);
    };
    let Ok(kept) = serde_json::from_slice::<Kept>(&bytes) else {
        return Ok(None);
    };
    let old: BTreeMap<(u8, &str), f64> = kept
        .nodes
        .iter()
        .zip(&kept.scores)
        .map(|((k, n), s)| ((*k, n.as_str()), *s))
        .collect();
    if old.is_empty() || named.nodes.is_empty() {
        return Ok(None);
    }
    let mean = 1.0 / named.nodes.len() as f64;
    Ok(Some(
        named
            .nodes
            .iter()
            .map(|(k, n)| old.get(&(k.code(), n.as_str())).copied().unwrap_or(mean))
            .collect(),
    ))
}

/// Louvain communities of the file graph, each named by the directory
/// most of its files are in, written as a `community` value on each file
/// and a `community` hyperedge per community of two files or more.
fn write_communities(
    w: &mut TaskWriter<'_>,
    named: &NamedGraph,
    graph: &Graph,
    config: &GraphConfig,
) -> Result<(), TaskError> {
    let (labels, count) = homer_graph::louvain(
        graph,
        &LouvainOptions {
            resolution: config.community_resolution,
            seed: config.seed,
            ..LouvainOptions::default()
        },
    );
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, &label) in labels.iter().enumerate() {
        members[label as usize].push(i);
    }
    let community_names = community_names(named, &members);
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

/// Each community's name: the directory most of its files sit in (ties to
/// the first in path order), `.` for the root; a name used twice gets
/// ` #2`, ` #3` in label order.
fn community_names(named: &NamedGraph, members: &[Vec<usize>]) -> Vec<String> {
    let mut used: BTreeMap<String, u32> = BTreeMap::new();
    members
        .iter()
        .map(|files| {
            let mut dirs: BTreeMap<&str, usize> = BTreeMap::new();
            for &i in files {
                let path = named.nodes[i].1.as_str();
                let dir = path.rsplit_once('/').map_or(".", |(d, _)| d);
                *dirs.entry(dir).or_default() += 1;
            }
            let best = dirs
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map_or(".", |(d, _)| *d)
                .to_owned();
            let n = used.entry(best.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                best
            } else {
                format!("{best} #{n}")
            }
        })
        .collect()
}
