//! `homer export`: a graph as JSON lines, GraphML or DOT.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use anyhow::Context;
use homer_read::{GraphChoice, GraphExport, Index};

use crate::Found;
use crate::args::{ExportArgs, FormatArg, GraphArg};
use crate::output::Output;

pub(crate) fn run(repo: &Path, args: &ExportArgs, out: &Output) -> anyhow::Result<Found> {
    let choice = match args.graph {
        GraphArg::Files => GraphChoice::Files,
        GraphArg::Symbols => GraphChoice::Symbols,
    };
    let cannot = || {
        format!(
            "cannot export the {} graph of '{}'",
            choice.name(),
            repo.display()
        )
    };
    let index = Index::open(repo).with_context(cannot)?;
    // The symbol graph's betweenness is computed now, with the settings
    // an update would use; the file graph's is in the index, and its
    // export does not read the configuration.
    let betweenness = if choice == GraphChoice::Symbols {
        homer_update::betweenness_settings(index.workspace().homer_dir())?
    } else {
        homer_read::BetweennessOptions::default()
    };
    let graph = index
        .store()
        .read_snapshot()
        .map_err(homer_read::ReadError::from)
        .and_then(|_state| {
            // One committed state: an update committing meanwhile is not
            // half seen.
            homer_read::export_graph(&index, choice, &betweenness)
        })
        .with_context(cannot)?;
    // Not in the GraphML or DOT text, which tools read: said where a
    // person sees it, as every other command does.
    for warning in &graph.warnings {
        eprintln!("! {warning}");
    }
    let text = match args.format {
        FormatArg::Jsonl => jsonl(&graph)?,
        FormatArg::Graphml => graphml(&graph),
        FormatArg::Dot => dot(&graph),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write '{}'", path.display()))?,
        None => out.print(&text)?,
    }
    Ok(if graph.nodes.is_empty() {
        Found::Nothing
    } else {
        Found::Something
    })
}

/// A header line, then one line per node and per edge.
fn jsonl(graph: &GraphExport) -> anyhow::Result<String> {
    let mut s = String::new();
    let header = serde_json::json!({
        "type": "graph",
        "graph": graph.graph,
        "head": graph.head,
        "warnings": graph.warnings,
        "nodes": graph.nodes.len(),
        "edges": graph.edges.len(),
    });
    writeln!(s, "{header}")?;
    for n in &graph.nodes {
        let line =
            serde_json::json!({ "type": "node", "id": n.id, "kind": n.kind, "attrs": n.attrs });
        writeln!(s, "{line}")?;
    }
    for e in &graph.edges {
        let line = serde_json::json!({
            "type": "edge",
            "source": e.source,
            "target": e.target,
            "weight": e.weight,
            "attrs": e.attrs,
        });
        writeln!(s, "{line}")?;
    }
    Ok(s)
}

/// GraphML's attribute type for a set of values: boolean when all are,
/// long when all are integers, double when all are numbers, string
/// otherwise.
fn graphml_type<'a>(values: impl Iterator<Item = &'a serde_json::Value>) -> &'static str {
    let mut kind = None;
    for v in values {
        let this = match v {
            serde_json::Value::Bool(_) => "boolean",
            serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => "long",
            serde_json::Value::Number(_) => "double",
            _ => return "string",
        };
        kind = match (kind, this) {
            (None, t) => Some(t),
            (Some(k), t) if k == t => Some(k),
            (Some("long" | "double"), "long" | "double") => Some("double"),
            _ => return "string",
        };
    }
    kind.unwrap_or("string")
}

fn graphml_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => xml_escape(s),
        other => xml_escape(&other.to_string()),
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Declares a GraphML key for every attribute name in `attrs` (ids
/// `{prefix}0`, `{prefix}1`, ...) and returns the id of each name.
fn graphml_keys<'a>(
    s: &mut String,
    domain: &str,
    prefix: &str,
    attrs: impl Iterator<Item = &'a BTreeMap<String, serde_json::Value>>,
) -> BTreeMap<&'a str, String> {
    let mut values: BTreeMap<&str, Vec<&serde_json::Value>> = BTreeMap::new();
    for map in attrs {
        for (k, v) in map {
            values.entry(k.as_str()).or_default().push(v);
        }
    }
    let mut ids = BTreeMap::new();
    for (i, (name, values)) in values.iter().enumerate() {
        let id = format!("{prefix}{i}");
        let _ = writeln!(
            s,
            "  <key id=\"{id}\" for=\"{domain}\" attr.name=\"{}\" attr.type=\"{}\"/>",
            xml_escape(name),
            graphml_type(values.iter().copied())
        );
        ids.insert(*name, id);
    }
    ids
}

fn graphml(graph: &GraphExport) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    // `kind` among the attributes is a symbol's own kind (function,
    // class...); the node's kind (file, symbol) is `node_kind`.
    s.push_str(
        "  <key id=\"node_kind\" for=\"node\" attr.name=\"node_kind\" attr.type=\"string\"/>\n",
    );
    let node_keys = graphml_keys(&mut s, "node", "n", graph.nodes.iter().map(|n| &n.attrs));
    s.push_str("  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n");
    let edge_keys = graphml_keys(&mut s, "edge", "e", graph.edges.iter().map(|e| &e.attrs));
    let _ = writeln!(
        s,
        "  <graph id=\"{}\" edgedefault=\"directed\">",
        graph.graph
    );
    for n in &graph.nodes {
        let _ = writeln!(s, "    <node id=\"{}\">", xml_escape(&n.id));
        let _ = writeln!(s, "      <data key=\"node_kind\">{}</data>", n.kind);
        for (k, v) in &n.attrs {
            let _ = writeln!(
                s,
                "      <data key=\"{}\">{}</data>",
                node_keys[k.as_str()],
                graphml_value(v)
            );
        }
        s.push_str("    </node>\n");
    }
    for e in &graph.edges {
        let _ = writeln!(
            s,
            "    <edge source=\"{}\" target=\"{}\">",
            xml_escape(&e.source),
            xml_escape(&e.target)
        );
        let _ = writeln!(s, "      <data key=\"weight\">{}</data>", e.weight);
        for (k, v) in &e.attrs {
            let _ = writeln!(
                s,
                "      <data key=\"{}\">{}</data>",
                edge_keys[k.as_str()],
                graphml_value(v)
            );
        }
        s.push_str("    </edge>\n");
    }
    s.push_str("  </graph>\n</graphml>\n");
    s
}

fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dot(graph: &GraphExport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph {} {{", dot_quote(graph.graph));
    for n in &graph.nodes {
        let mut attrs = vec![format!("node_kind={}", dot_quote(n.kind))];
        for (k, v) in &n.attrs {
            let text = match v {
                serde_json::Value::String(t) => t.clone(),
                other => other.to_string(),
            };
            attrs.push(format!("{}={}", dot_quote(k), dot_quote(&text)));
        }
        let _ = writeln!(s, "  {} [{}];", dot_quote(&n.id), attrs.join(", "));
    }
    for e in &graph.edges {
        let _ = writeln!(
            s,
            "  {} -> {} [weight={}];",
            dot_quote(&e.source),
            dot_quote(&e.target),
            e.weight
        );
    }
    s.push_str("}\n");
    s
}
