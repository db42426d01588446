//! The context for one task: the definitions most related to it, found by
//! search and the call graph around the hits, fitted to a token budget.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use homer_read::{Index, SearchMode, SearchOptions};
use homer_store::Role;
use serde::Serialize;

use crate::RenderError;
use crate::snapshot::{Coupling, Snapshot};

/// A task context, fitted to a token budget.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskContext {
    pub text: String,
    /// `o200k_base` tokens of `text`.
    pub tokens: usize,
    pub budget: usize,
    /// Symbols shown, of those ranked.
    pub symbols: usize,
    pub ranked: usize,
    /// The files whose definitions are shown, in the order shown.
    pub files: Vec<String>,
}

/// Counts tokens the way current `OpenAI` models do (`o200k_base`).
#[must_use]
pub fn count_tokens(text: &str) -> usize {
    tiktoken_rs::o200k_base_singleton()
        .encode_with_special_tokens(text)
        .len()
}

/// Seed symbols (index, weight) and the files they are in.
type Seeds = (Vec<(usize, f64)>, BTreeSet<String>);

/// Seeds for the task's personalized PageRank: the search hits (weighted
/// by rank; a file hit seeds its definitions) and the focus paths; and the
/// files they are in.
fn seeds(
    opened: &Index,
    index: &Snapshot,
    position: &BTreeMap<&str, usize>,
    task: &str,
    focus: &[String],
) -> Result<Seeds, RenderError> {
    let found = homer_read::search(
        opened,
        task,
        &SearchOptions {
            limit: 20,
            mode: SearchMode::Hybrid,
            commits: false,
        },
    )?;
    let mut seeds: Vec<(usize, f64)> = Vec::new();
    let mut seed_files: BTreeSet<String> = BTreeSet::new();
    #[allow(clippy::cast_precision_loss, reason = "ranks are small")]
    for (rank, hit) in found.hits.iter().enumerate() {
        let weight = 1.0 / (rank as f64 + 1.0);
        if let Some(p) = &hit.path {
            seed_files.insert(p.clone());
        }
        match (&hit.path, &hit.symbol) {
            (Some(p), Some(sym)) => {
                if let Some(&i) = position.get(format!("{p}::{sym}").as_str()) {
                    seeds.push((i, weight));
                }
            }
            (Some(p), None) => {
                for (i, x) in index.symbols.iter().enumerate() {
                    if x.name.starts_with(&format!("{p}::")) {
                        seeds.push((i, weight / 4.0));
                    }
                }
            }
            _ => {}
        }
    }
    for f in focus {
        let f = f.trim_end_matches('/');
        seed_files.insert(f.to_owned());
        for (i, x) in index.symbols.iter().enumerate() {
            if x.name.starts_with(&format!("{f}/")) || x.name.starts_with(&format!("{f}::")) {
                seeds.push((i, 1.0));
            }
        }
    }
    Ok((seeds, seed_files))
}

/// The heading, then the chosen symbols grouped by file (files in the
/// order of their best symbol, symbols in line order).
/// The files of the chosen symbols, in the order of their best symbol.
fn files_of(index: &Snapshot, chosen: &[usize]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for &i in chosen {
        let p = index.symbols[i]
            .name
            .split_once("::")
            .map_or("", |(p, _)| p)
            .to_owned();
        if !order.contains(&p) {
            order.push(p);
        }
    }
    order
}

fn render_symbols(index: &Snapshot, head: &str, chosen: &[usize]) -> String {
    // Grouped by file, files in the order of their best symbol.
    let order = files_of(index, chosen);
    let mut chosen: Vec<usize> = chosen.to_vec();
    chosen.sort_by_key(|&i| (index.symbols[i].line, i));
    let mut s = head.to_owned();
    for file in &order {
        let _ = writeln!(s, "## {file}\n");
        for &i in &chosen {
            let x = &index.symbols[i];
            if x.name.split_once("::").map(|(p, _)| p) != Some(file.as_str()) {
                continue;
            }
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
            if let Some(doc) = x.doc.as_deref().and_then(|d| d.lines().next()) {
                let _ = writeln!(s, "    {}", doc.trim());
            }
        }
        s.push('\n');
    }
    s
}

/// The files and symbols most relevant to `task`, within `budget` tokens.
pub fn task_context(
    opened: &Index,
    task: &str,
    budget: usize,
    focus: &[String],
) -> Result<TaskContext, RenderError> {
    // Building the tokenizer's tables costs a process more than reading the
    // snapshot and searching do (about 120 ms on 2 cores): build them
    // meanwhile. The first count waits for them.
    std::thread::spawn(tiktoken_rs::o200k_base_singleton);
    task_context_in(opened, &Snapshot::load(opened)?, task, budget, focus)
}

/// [`task_context`] from a snapshot already loaded from `opened`.
pub fn task_context_in(
    opened: &Index,
    index: &Snapshot,
    task: &str,
    budget: usize,
    focus: &[String],
) -> Result<TaskContext, RenderError> {
    let position: BTreeMap<&str, usize> = index
        .symbols
        .iter()
        .enumerate()
        .map(|(i, x)| (x.name.as_str(), i))
        .collect();
    let (seeds, seed_files) = seeds(opened, index, &position, task, focus)?;
    // Personalized PageRank over the call graph from the seeds.
    let mut edges = Vec::new();
    for edge in &index.calls {
        let (Some(a), Some(b)) = (
            edge.member_name(Role::Source),
            edge.member_name(Role::Target),
        ) else {
            continue;
        };
        if let (Some(&i), Some(&j)) = (position.get(a), position.get(b)) {
            edges.push((
                u32::try_from(i).unwrap_or(u32::MAX),
                u32::try_from(j).unwrap_or(u32::MAX),
                edge.weight.unwrap_or(1.0),
            ));
        }
    }
    let graph = homer_graph::Graph::new(index.symbols.len(), edges);
    // Nothing matched: the most depended-on definitions overall.
    let scores = if seeds.is_empty() {
        index.symbols.iter().map(|x| x.pagerank).collect()
    } else {
        homer_graph::personalized_pagerank(&graph, &homer_graph::PageRankOptions::default(), &seeds)
            .scores
    };
    let mut ranked: Vec<usize> = (0..index.symbols.len())
        .filter(|&i| scores[i] > 0.0)
        .collect();
    ranked.sort_by(|&a, &b| {
        scores[b]
            .total_cmp(&scores[a])
            .then(index.symbols[a].name.cmp(&index.symbols[b].name))
    });
    ranked.truncate(400);
    // Co-change partners of the seed files, not already among them.
    let mut partners: Vec<&Coupling> = index
        .couplings
        .iter()
        .filter(|c| seed_files.contains(&c.a) != seed_files.contains(&c.b))
        .collect();
    partners.truncate(5);

    let head = {
        let mut h = String::new();
        let short = index.short_commit();
        let _ = writeln!(h, "# Context for: {task}\n");
        let _ = writeln!(
            h,
            "From `homer render --task` at commit {short}: the definitions most related to the task (search, then the call graph around the hits), signatures and doc lines only; bodies elided.\n"
        );
        if !partners.is_empty() {
            let _ = writeln!(h, "Files that usually change with these:");
            for c in &partners {
                let (inside, other) = if seed_files.contains(&c.a) {
                    (&c.a, &c.b)
                } else {
                    (&c.b, &c.a)
                };
                let _ = writeln!(
                    h,
                    "- `{other}` (with `{inside}`, {} shared commits)",
                    c.shared
                );
            }
            h.push('\n');
        }
        h
    };
    let render_k = |k: usize| render_symbols(index, &head, &ranked[..k]);
    // The largest number of ranked symbols whose rendering fits.
    let head_tokens = count_tokens(&render_k(0));
    if head_tokens > budget {
        return Err(RenderError::Budget {
            budget,
            needed: head_tokens,
        });
    }
    let (mut lo, mut hi) = (0usize, ranked.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if count_tokens(&render_k(mid)) <= budget {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let text = render_k(lo);
    let tokens = count_tokens(&text);
    Ok(TaskContext {
        text,
        tokens,
        budget,
        symbols: lo,
        ranked: ranked.len(),
        files: files_of(index, &ranked[..lo]),
    })
}
