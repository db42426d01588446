//! `homer export`: a graph with its node values and edge weights, as plain
//! data the CLI writes out as JSON lines, GraphML or DOT.

use std::collections::BTreeMap;
use std::path::Path;

use homer_store::{EdgeKind, NodeKind, Role, Store, Value};
use serde::Serialize;

use crate::{CoreError, Workspace};

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
    pub nodes: Vec<ExportNode>,
    pub edges: Vec<ExportEdge>,
}

/// Reads a graph from the index of the repository containing `path`.
/// Never writes.
pub fn export_graph(path: &Path, choice: GraphChoice) -> Result<GraphExport, CoreError> {
    let workspace = Workspace::locate(path)?;
    let store = workspace.open_index()?;
    let head = store.checkpoint(crate::stages::HEAD_CHECKPOINT)?;
    let file_values = grouped(store.node_values(NodeKind::File)?);
    let (nodes, edges) = match choice {
        GraphChoice::Files => {
            let nodes: Vec<ExportNode> = file_values
                .iter()
                .filter(|(_, values)| values.contains_key("language"))
                .map(|(name, values)| ExportNode {
                    id: name.clone(),
                    kind: NodeKind::File.name(),
                    attrs: values.clone(),
                })
                .collect();
            (nodes, binary_edges(&store, EdgeKind::Depends, false)?.0)
        }
        GraphChoice::Symbols => {
            let symbol_values = grouped(store.node_values(NodeKind::Symbol)?);
            let mut nodes: Vec<ExportNode> = store
                .current_nodes(NodeKind::Symbol)?
                .into_iter()
                .map(|n| {
                    let mut attrs: BTreeMap<String, serde_json::Value> = n
                        .attrs
                        .as_deref()
                        .and_then(|a| serde_json::from_str(a).ok())
                        .unwrap_or_default();
                    if let Some(values) = symbol_values.get(&n.name) {
                        attrs.extend(values.clone());
                    }
                    ExportNode {
                        id: n.name,
                        kind: NodeKind::Symbol.name(),
                        attrs,
                    }
                })
                .collect();
            let (edges, file_callers) = binary_edges(&store, EdgeKind::Calls, true)?;
            for name in file_callers {
                nodes.push(ExportNode {
                    id: name,
                    kind: NodeKind::File.name(),
                    attrs: BTreeMap::new(),
                });
            }
            nodes.sort_by(|a, b| a.id.cmp(&b.id));
            (nodes, edges)
        }
    };
    Ok(GraphExport {
        graph: choice.name(),
        head,
        nodes,
        edges,
    })
}

fn grouped(
    values: Vec<(String, String, Value)>,
) -> BTreeMap<String, BTreeMap<String, serde_json::Value>> {
    let mut out: BTreeMap<String, BTreeMap<String, serde_json::Value>> = BTreeMap::new();
    for (node, name, value) in values {
        let json = match value {
            Value::Int(i) => serde_json::Value::from(i),
            Value::Real(r) => serde_json::Value::from(r),
            // Reasons are stored as a JSON array: export them as one.
            Value::Text(t) if name == crate::salience::names::REASONS => {
                serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t))
            }
            Value::Text(t) => serde_json::Value::String(t),
        };
        out.entry(node).or_default().insert(name, json);
    }
    out
}

/// Source → target edges of `kind`, and the files among the sources; for
/// calls the weight is count × confidence and both are attributes.
fn binary_edges(
    store: &Store,
    kind: EdgeKind,
    calls: bool,
) -> Result<(Vec<ExportEdge>, std::collections::BTreeSet<String>), CoreError> {
    let mut files = std::collections::BTreeSet::new();
    let mut out: Vec<ExportEdge> = store
        .edges(kind)?
        .into_iter()
        .filter_map(|e| {
            let source = e.member(Role::Source)?;
            let target = e.member(Role::Target)?;
            // A function calling itself says nothing about what else
            // matters: PageRank leaves self-calls out, and so does this.
            if source.name == target.name && source.kind == target.kind {
                return None;
            }
            let mut attrs: BTreeMap<String, serde_json::Value> = e
                .attrs
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_default();
            if source.kind == NodeKind::File {
                files.insert(source.name.clone());
            }
            let stored = e.weight.unwrap_or(1.0);
            let weight = if calls {
                let confidence = attrs
                    .get("confidence")
                    .and_then(serde_json::Value::as_f64)
                    .unwrap_or(1.0);
                attrs.insert("count".to_owned(), serde_json::Value::from(stored));
                stored * confidence
            } else {
                stored
            };
            Some(ExportEdge {
                source: source.name.clone(),
                target: target.name.clone(),
                weight,
                attrs,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.source, &a.target).cmp(&(&b.source, &b.target)));
    Ok((out, files))
}
