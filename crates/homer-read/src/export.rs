//! `homer export`: a graph with its node values and edge weights, as plain
//! data the CLI writes out as JSON lines, GraphML or DOT.

use std::collections::BTreeMap;

use homer_graph::{BetweennessOptions, Graph};
use homer_store::{EdgeKind, NodeKind, Role, Store, Value};
use homer_vocab::attrs::{self, DependsAttrs, SymbolAttrs};
use homer_vocab::salience::{self, Populations};
use homer_vocab::values::Storage;
use homer_vocab::{ValueName, Values};
use serde::Serialize;

use crate::{Index, ReadError};

/// Which graph to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphChoice {
    /// Parsed files and their dependencies (`depends` edges).
    Files,
    /// Symbols and the calls between them (plus files whose top level
    /// calls something).
    Symbols,
}

impl GraphChoice {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            GraphChoice::Files => "files",
            GraphChoice::Symbols => "symbols",
        }
    }
}

/// A node: its name (a path, or `path::qualified`), kind, and attributes
/// (the node's stored attributes and every value on it), sorted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportNode {
    pub id: String,
    pub kind: &'static str,
    pub attrs: BTreeMap<String, serde_json::Value>,
}

/// An edge with the weight PageRank used: for files the dependency weight
/// (imports + Σ call confidence + 0.5 × type uses), for symbols the call
/// count × confidence. Self-calls are left out, as PageRank leaves them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportEdge {
    pub source: String,
    pub target: String,
    pub weight: f64,
    pub attrs: BTreeMap<String, serde_json::Value>,
}

/// A graph: nodes sorted by id, edges by (source, target).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphExport {
    pub graph: &'static str,
    /// The commit the index describes.
    pub head: Option<String>,
    /// How far that is from HEAD when it is not HEAD.
    pub warnings: Vec<String>,
    pub nodes: Vec<ExportNode>,
    pub edges: Vec<ExportEdge>,
}

/// Reads a graph from an index. Never writes. The symbol graph's degrees
/// and betweenness are computed here (`betweenness`: the `[graph]`
/// settings), as the update computes the file graph's: the index does not
/// keep them for symbols.
pub fn export_graph(
    index: &Index,
    choice: GraphChoice,
    betweenness: &BetweennessOptions,
) -> Result<GraphExport, ReadError> {
    let store = index.store();
    let head = index.indexed_head()?;
    let (nodes, edges) = match choice {
        GraphChoice::Files => {
            let populations = index.salience_populations()?;
            let file_values = grouped(
                store.node_values(NodeKind::File)?,
                Some((store, populations.as_deref())),
            )?;
            // Moved, not copied: at 75,000 files a copy of every file's
            // values was half of the export's memory.
            let nodes: Vec<ExportNode> = file_values
                .into_iter()
                .filter(|(_, values)| values.contains_key(ValueName::Language.name()))
                .map(|(name, values)| ExportNode {
                    id: name,
                    kind: NodeKind::File.name(),
                    attrs: values,
                })
                .collect();
            (nodes, binary_edges(store, EdgeKind::Depends, false)?.0)
        }
        GraphChoice::Symbols => {
            let symbol_values = grouped(store.node_values(NodeKind::Symbol)?, None)?;
            let mut nodes: Vec<ExportNode> = Vec::new();
            for n in store.current_nodes(NodeKind::Symbol)? {
                let what = || format!("symbol '{}'", n.name);
                let symbol: SymbolAttrs = attrs::decode(what, n.attrs.as_deref())?;
                let mut attrs = json_object(&symbol);
                if let Some(values) = symbol_values.get(&n.name) {
                    attrs.extend(values.clone());
                }
                nodes.push(ExportNode {
                    id: n.name,
                    kind: NodeKind::Symbol.name(),
                    attrs,
                });
            }
            let (edges, file_callers) = binary_edges(store, EdgeKind::Calls, true)?;
            for name in file_callers {
                nodes.push(ExportNode {
                    id: name,
                    kind: NodeKind::File.name(),
                    attrs: BTreeMap::new(),
                });
            }
            nodes.sort_by(|a, b| a.id.cmp(&b.id));
            add_centrality(&mut nodes, &edges, betweenness);
            (nodes, edges)
        }
    };
    Ok(GraphExport {
        graph: choice.name(),
        head,
        warnings: index.freshness_warning()?.into_iter().collect(),
        nodes,
        edges,
    })
}

/// Each symbol's `in_degree`, `out_degree` and `betweenness` in the call
/// graph `edges` make, its nodes numbered in their export order (which
/// seeds a sampled betweenness). Files, callers only here, get none, as
/// they got none when the index kept them.
fn add_centrality(nodes: &mut [ExportNode], edges: &[ExportEdge], options: &BetweennessOptions) {
    let place: std::collections::HashMap<&str, u32> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    // `Graph::new` leaves out what is no edge (a weight not positive).
    let graph = Graph::new(
        nodes.len(),
        edges.iter().filter_map(|e| {
            Some((
                *place.get(e.source.as_str())?,
                *place.get(e.target.as_str())?,
                e.weight,
            ))
        }),
    );
    let (ins, outs) = (graph.in_degrees(), graph.out_degrees());
    let (between, _) = homer_graph::betweenness(&graph, options);
    for (i, node) in nodes.iter_mut().enumerate() {
        if node.kind != NodeKind::Symbol.name() {
            continue;
        }
        node.attrs
            .insert(ValueName::InDegree.name().to_owned(), ins[i].into());
        node.attrs
            .insert(ValueName::OutDegree.name().to_owned(), outs[i].into());
        node.attrs
            .insert(ValueName::Betweenness.name().to_owned(), between[i].into());
    }
}

/// Plain data as a JSON object's fields.
fn json_object<T: Serialize>(value: &T) -> BTreeMap<String, serde_json::Value> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => map.into_iter().collect(),
        _ => BTreeMap::new(),
    }
}

/// Each node's values as JSON, checked against the vocabulary (a value
/// kept as JSON text is exported as the JSON it holds); files' with the
/// salience score they are read with, from `populations`.
fn grouped(
    values: Vec<(String, String, Value)>,
    salience: Option<(&Store, Option<&Populations>)>,
) -> Result<BTreeMap<String, BTreeMap<String, serde_json::Value>>, ReadError> {
    let mut rows: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
    for (node, name, value) in values {
        rows.entry(node).or_default().push((name, value));
    }
    let mut out = BTreeMap::new();
    for (node, rows) in rows {
        let values = Values::decode(&node, rows)?;
        let mut json = BTreeMap::new();
        // The population salience ranks in repeats a file's own numbers;
        // a path's word count is the task context's tally, not a fact.
        for (name, value) in values
            .iter()
            .filter(|(n, _)| !salience::is_population(*n) && *n != ValueName::PathWords)
        {
            let v = match (name.storage(), value) {
                (_, Value::Int(i)) => serde_json::Value::from(*i),
                (_, Value::Real(r)) => serde_json::Value::from(*r),
                (Storage::Json, Value::Text(t)) => {
                    serde_json::from_str(t).map_err(|e| homer_vocab::VocabError::BadAttrs {
                        what: format!("value '{name}' of '{node}'"),
                        message: e.to_string(),
                    })?
                }
                (_, Value::Text(t)) => serde_json::Value::String(t.clone()),
                // Packed figures reach `Values` unpacked, each under its
                // own name: none is left to show.
                (_, Value::Bytes(_)) => continue,
            };
            json.insert(name.name().to_owned(), v);
        }
        if let Some((store, populations)) = salience
            && let Some(score) = salience::score_of(store, populations, &values)?
        {
            json.insert(
                ValueName::Salience.name().to_owned(),
                serde_json::Value::from(score),
            );
        }
        out.insert(node, json);
    }
    Ok(out)
}

/// Source → target edges of `kind`, and the files among the sources; for
/// calls the weight is count × confidence and both are attributes.
fn binary_edges(
    store: &Store,
    kind: EdgeKind,
    calls: bool,
) -> Result<(Vec<ExportEdge>, std::collections::BTreeSet<String>), ReadError> {
    let mut files = std::collections::BTreeSet::new();
    let mut out: Vec<ExportEdge> = Vec::new();
    for e in store.edges(kind)? {
        let (Some(source), Some(target)) = (e.member(Role::Source), e.member(Role::Target)) else {
            continue;
        };
        // A function calling itself says nothing about what else matters:
        // PageRank leaves self-calls out, and so does this.
        if source.name == target.name && source.kind == target.kind {
            continue;
        }
        if source.kind == NodeKind::File {
            files.insert(source.name.clone());
        }
        let stored = e.weight.unwrap_or(1.0);
        let (weight, attrs) = if calls {
            let confidence = e.confidence.unwrap_or(1.0);
            let mut attrs = BTreeMap::from([
                ("confidence".to_owned(), serde_json::Value::from(confidence)),
                ("count".to_owned(), serde_json::Value::from(stored)),
            ]);
            if confidence < 1.0 {
                attrs.insert("guess".to_owned(), serde_json::Value::Bool(true));
            }
            (stored * confidence, attrs)
        } else {
            let what = || format!("the {} edge from '{}'", kind.name(), source.name);
            let depends: DependsAttrs = attrs::decode(what, e.attrs.as_deref())?;
            (stored, json_object(&depends))
        };
        out.push(ExportEdge {
            source: source.name.clone(),
            target: target.name.clone(),
            weight,
            attrs,
        });
    }
    out.sort_by(|a, b| (&a.source, &a.target).cmp(&(&b.source, &b.target)));
    Ok((out, files))
}
