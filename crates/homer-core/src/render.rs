//! `homer render`: what a coding agent should read first (AGENTS.md, and
//! per-directory context on request), a token-budgeted context for one
//! task, and a per-file risk map. Everything is read from the index and
//! from blobs at the indexed HEAD (never from the working tree, never from
//! Homer's own outputs), and sorted with every tie broken, so the same
//! index renders the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use homer_git::ObjectId;
use homer_store::{EdgeKind, NodeKind, Role, Store, StoredEdge, Value};
use serde::Serialize;

use crate::query::{real, text};
use crate::salience::names as sal;
use crate::stages::behavior::names as metric;
use crate::stages::graph::names as graph;
use crate::{CoreError, SearchMode, SearchOptions, Workspace};

/// The markers of Homer's region in a file a person may also edit.
pub const BEGIN: &str = "<!-- homer:begin -->";
pub const END: &str = "<!-- homer:end -->";

/// How many entries a list of AGENTS.md shows.
const TOP: usize = 10;

/// What `render` wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// Files written (or left alone because they already said the same).
    pub written: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    /// The commit the text describes.
    pub commit: String,
}

/// Options of `homer render` (documents).
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Where AGENTS.md goes, relative to the repository root.
    pub agents_path: Option<String>,
    /// Also write `.homer/context/<dir>.md` for directories with at least
    /// `min_files` files.
    pub per_dir: bool,
}

/// Everything the documents are made of, loaded once.
struct Index {
    commit: String,
    calls: Vec<StoredEdge>,
    files: BTreeMap<String, BTreeMap<String, Value>>,
    symbols: Vec<SymbolRow>,
    communities: Vec<(String, Vec<String>)>,
    depends: Vec<(String, String, f64)>,
    couplings: Vec<Coupling>,
}

struct SymbolRow {
    name: String,
    kind: String,
    signature: Option<String>,
    doc: Option<String>,
    line: u64,
    pagerank: f64,
    /// Definitions (or files) of production code calling it, resolved
    /// with certainty (guesses by name and test code not counted).
    certain_callers: u32,
}

#[derive(Clone)]
struct Coupling {
    a: String,
    b: String,
    degree: f64,
    shared: u64,
    hidden: bool,
}

fn is_production(path: &str) -> bool {
    crate::salience::role_of(path).is_none()
}

/// Sets each symbol's count of production callers resolved with
/// certainty.
fn count_certain_callers(symbols: &mut [SymbolRow], calls: &[StoredEdge]) {
    let position: BTreeMap<&str, usize> = symbols
        .iter()
        .enumerate()
        .map(|(i, x)| (x.name.as_str(), i))
        .collect();
    let mut counts = vec![0u32; symbols.len()];
    for edge in calls {
        // Guessed calls carry a confidence below 1 (resolution by name).
        let guess = edge
            .attrs
            .as_deref()
            .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
            .and_then(|a| a.get("confidence")?.as_f64())
            .is_some_and(|c| c < 1.0);
        let target = edge.member_name(Role::Target).and_then(|t| position.get(t));
        let from_tests = edge
            .member_name(Role::Source)
            .is_none_or(crate::salience::outside_production);
        if let (false, false, Some(&i)) = (guess, from_tests, target) {
            counts[i] += 1;
        }
    }
    for (x, n) in symbols.iter_mut().zip(counts) {
        x.certain_callers = n;
    }
}

/// The communities, biggest first: (name, sorted member files).
fn communities(store: &Store) -> Result<Vec<(String, Vec<String>)>, CoreError> {
    let mut communities = Vec::new();
    for edge in store.edges(EdgeKind::Community)? {
        let name = edge
            .attrs
            .as_deref()
            .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
            .and_then(|v| v.get("name")?.as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut members: Vec<String> = edge.members.iter().map(|m| m.name.clone()).collect();
        members.sort();
        communities.push((name, members));
    }
    communities.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    Ok(communities)
}

impl Index {
    fn load(store: &Store) -> Result<Index, CoreError> {
        let commit = store
            .checkpoint(crate::stages::HEAD_CHECKPOINT)?
            .ok_or_else(|| CoreError::Render("the index describes no commit yet".to_owned()))?;
        let mut files: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        for node in store.current_nodes(NodeKind::File)? {
            files.entry(node.name).or_default();
        }
        for (file, name, value) in store.node_values(NodeKind::File)? {
            if let Some(v) = files.get_mut(&file) {
                v.insert(name, value);
            }
        }
        let mut symbol_values: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        for (symbol, name, value) in store.node_values(NodeKind::Symbol)? {
            symbol_values.entry(symbol).or_default().insert(name, value);
        }
        let mut symbols = Vec::new();
        for node in store.current_nodes(NodeKind::Symbol)? {
            let a: serde_json::Value = node
                .attrs
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or(serde_json::Value::Null);
            let get = |k: &str| a.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let values = symbol_values.get(&node.name);
            let value = |k: &str| values.and_then(|v| real(v, k)).unwrap_or(0.0);
            symbols.push(SymbolRow {
                kind: get("kind").unwrap_or_else(|| "symbol".to_owned()),
                signature: get("signature"),
                doc: get("doc"),
                line: a
                    .get("line")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0),
                pagerank: value(graph::PAGERANK),
                certain_callers: 0,
                name: node.name,
            });
        }
        let calls = store.edges(EdgeKind::Calls)?;
        count_certain_callers(&mut symbols, &calls);
        let communities = communities(store)?;
        let mut depends = Vec::new();
        for edge in store.edges(EdgeKind::Depends)? {
            if let (Some(a), Some(b)) = (
                edge.member_name(Role::Source),
                edge.member_name(Role::Target),
            ) {
                depends.push((a.to_owned(), b.to_owned(), edge.weight.unwrap_or(0.0)));
            }
        }
        let linked: BTreeSet<(String, String)> = depends
            .iter()
            .flat_map(|(a, b, _)| [(a.clone(), b.clone()), (b.clone(), a.clone())])
            .collect();
        let mut couplings = Vec::new();
        for edge in store.edges(EdgeKind::CoChange)? {
            if edge.members.len() != 2 {
                continue;
            }
            let (a, b) = (edge.members[0].name.clone(), edge.members[1].name.clone());
            let shared = edge
                .attrs
                .as_deref()
                .and_then(|x| serde_json::from_str::<serde_json::Value>(x).ok())
                .and_then(|v| v.get("shared")?.as_u64())
                .unwrap_or(0);
            let hidden = !linked.contains(&(a.clone(), b.clone()));
            couplings.push(Coupling {
                a,
                b,
                degree: edge.weight.unwrap_or(0.0),
                shared,
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
        Ok(Index {
            commit,
            calls,
            files,
            symbols,
            communities,
            depends,
            couplings,
        })
    }

    fn salience(&self, path: &str) -> f64 {
        self.files
            .get(path)
            .and_then(|v| real(v, sal::SALIENCE))
            .unwrap_or(0.0)
    }

    fn class(&self, path: &str) -> String {
        self.files
            .get(path)
            .and_then(|v| text(v, sal::CLASS))
            .unwrap_or_default()
    }

    fn reasons(&self, path: &str) -> Vec<String> {
        self.files
            .get(path)
            .and_then(|v| text(v, sal::REASONS))
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default()
    }

    /// Production files under `prefix` ranked by salience.
    fn ranked_files(&self, prefix: &str) -> Vec<&String> {
        let mut files: Vec<&String> = self
            .files
            .iter()
            .filter(|(p, v)| {
                p.starts_with(prefix) && is_production(p) && v.contains_key(sal::SALIENCE)
            })
            .map(|(p, _)| p)
            .collect();
        files.sort_by(|a, b| self.salience(b).total_cmp(&self.salience(a)).then(a.cmp(b)));
        files
    }
}

/// Files' texts at the indexed HEAD (README, manifests, CI), each read
/// from git once per render however many sections look at it.
struct Blobs<'a> {
    store: &'a Store,
    repo: &'a homer_git::Repository,
    read: std::cell::RefCell<BTreeMap<String, Option<String>>>,
}

impl<'a> Blobs<'a> {
    fn new(store: &'a Store, repo: &'a homer_git::Repository) -> Self {
        Blobs {
            store,
            repo,
            read: std::cell::RefCell::default(),
        }
    }

    /// The UTF-8 text of `path` at HEAD, if it is a file there.
    fn text(&self, path: &str) -> Option<String> {
        if let Some(known) = self.read.borrow().get(path) {
            return known.clone();
        }
        let text = (|| {
            let node = self.store.node(NodeKind::File, path).ok()??;
            let bytes: [u8; 20] = node.content_hash?.try_into().ok()?;
            String::from_utf8(self.repo.blob(ObjectId::from_bytes(bytes))?).ok()
        })();
        self.read.borrow_mut().insert(path.to_owned(), text.clone());
        text
    }
}

/// The region Homer owns in AGENTS.md, markers included.
fn agents_region(index: &Index, blobs: &Blobs<'_>, name: &str) -> String {
    let mut s = String::new();
    let short = &index.commit[..index.commit.len().min(12)];
    let _ = writeln!(s, "{BEGIN}");
    let _ = writeln!(s, "# {name}: a map for coding agents\n");
    let _ = writeln!(
        s,
        "Written by `homer render` from commit {short}; everything below comes from the code and its history. Refresh with `homer update && homer render`.\n"
    );
    what_it_is(&mut s, index, blobs);
    commands(&mut s, index, blobs);
    architecture(&mut s, index, "");
    load_bearing(&mut s, index, "");
    danger(&mut s, index, "");
    coupling(&mut s, index, "");
    conventions(&mut s, index);
    let _ = writeln!(s, "{END}");
    s
}

fn what_it_is(s: &mut String, index: &Index, blobs: &Blobs<'_>) {
    let _ = writeln!(s, "## What this repository is\n");
    let readme = [
        "README.md",
        "README.rst",
        "README",
        "README.txt",
        "readme.md",
    ]
    .iter()
    .find_map(|p| blobs.text(p).map(|t| (p, t)));
    if let Some((path, paragraph)) =
        readme.and_then(|(path, text)| Some((path, first_paragraph(&text)?)))
    {
        let _ = writeln!(s, "From {path}: {paragraph}\n");
    }
    for (path, what) in manifests(index, blobs) {
        let _ = writeln!(s, "- `{path}`: {what}");
    }
    let mut languages: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for values in index.files.values() {
        if let Some(l) = text(values, "language") {
            languages.entry(l).or_default().0 += 1;
        }
    }
    for sym in &index.symbols {
        let path = sym.name.split_once("::").map_or("", |(p, _)| p);
        if let Some(l) = index.files.get(path).and_then(|v| text(v, "language")) {
            languages.entry(l).or_default().1 += 1;
        }
    }
    let mut languages: Vec<(String, (u64, u64))> = languages.into_iter().collect();
    languages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let list: Vec<String> = languages
        .iter()
        .map(|(l, (files, defs))| {
            format!(
                "{} ({} file{}, {defs} definitions)",
                crate::language_label(l),
                files,
                if *files == 1 { "" } else { "s" }
            )
        })
        .collect();
    if !list.is_empty() {
        let _ = writeln!(s, "- Languages: {}", list.join(", "));
    }
    let _ = writeln!(
        s,
        "- {} files at HEAD, {} of them parsed\n",
        index.files.len(),
        languages.iter().map(|(_, (f, _))| f).sum::<u64>()
    );
}

/// The first prose paragraph of a README: no headings, badges, HTML or
/// code; at most 400 characters, cut at a sentence when it can be.
fn first_paragraph(text: &str) -> Option<String> {
    let mut para: Vec<&str> = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let skip = t.starts_with('#')
            || t.starts_with('<')
            || t.starts_with("[![")
            || t.starts_with("![")
            || t.starts_with('=')
            || t.starts_with("---")
            || t.starts_with('|')
            || t.starts_with('>')
            || t.starts_with("..");
        if t.is_empty() || skip {
            if !para.is_empty() && t.is_empty() {
                break;
            }
            continue;
        }
        para.push(t);
    }
    let joined = para.join(" ");
    if joined.is_empty() {
        return None;
    }
    if joined.chars().count() <= 400 {
        return Some(joined);
    }
    let cut: String = joined.chars().take(400).collect();
    Some(match cut.rfind(". ") {
        Some(i) if i > 100 => cut[..=i].to_owned(),
        _ => format!("{cut}…"),
    })
}

/// Manifests at the root and what they say.
fn manifests(index: &Index, blobs: &Blobs<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let toml_field = |t: &str, table: &str, key: &str| -> Option<String> {
        let doc: toml::Value = toml::from_str(t).ok()?;
        doc.get(table)?.get(key)?.as_str().map(str::to_owned)
    };
    for path in ["Cargo.toml", "pyproject.toml", "package.json", "go.mod"] {
        if !index.files.contains_key(path) {
            continue;
        }
        let Some(t) = blobs.text(path) else {
            continue;
        };
        let said = match path {
            "Cargo.toml" => {
                let members = toml::from_str::<toml::Value>(&t)
                    .ok()
                    .and_then(|d| Some(d.get("workspace")?.get("members")?.as_array()?.len()));
                match (toml_field(&t, "package", "name"), members) {
                    (Some(n), _) => format!(
                        "Rust package `{n}`{}",
                        toml_field(&t, "package", "description")
                            .map_or(String::new(), |d| format!(": {d}"))
                    ),
                    (None, Some(m)) => format!("Rust workspace of {m} members"),
                    (None, None) => "Rust".to_owned(),
                }
            }
            "pyproject.toml" => format!(
                "Python project `{}`{}",
                toml_field(&t, "project", "name").unwrap_or_default(),
                toml_field(&t, "project", "description")
                    .map_or(String::new(), |d| format!(": {d}"))
            ),
            "package.json" => {
                let v: serde_json::Value = serde_json::from_str(&t).unwrap_or_default();
                format!(
                    "npm package `{}`{}",
                    v.get("name").and_then(|x| x.as_str()).unwrap_or(""),
                    v.get("description")
                        .and_then(|x| x.as_str())
                        .map_or(String::new(), |d| format!(": {d}"))
                )
            }
            _ => t
                .lines()
                .find_map(|l| l.strip_prefix("module "))
                .map_or("Go module".to_owned(), |m| {
                    format!("Go module `{}`", m.trim())
                }),
        };
        out.push((
            path.to_owned(),
            said.split_whitespace().collect::<Vec<_>>().join(" "),
        ));
    }
    out
}

fn commands(s: &mut String, index: &Index, blobs: &Blobs<'_>) {
    let mut lines: Vec<String> = Vec::new();
    if index.files.contains_key("Cargo.toml") {
        lines
            .push("- Cargo (`Cargo.toml`): `cargo build`, `cargo test`, `cargo clippy`".to_owned());
    }
    if let Some(t) = blobs.text("package.json") {
        let v: serde_json::Value = serde_json::from_str(&t).unwrap_or_default();
        if let Some(scripts) = v.get("scripts").and_then(|x| x.as_object()) {
            let mut names: Vec<(&String, &serde_json::Value)> = scripts.iter().collect();
            names.sort_by(|a, b| a.0.cmp(b.0));
            let wanted = ["build", "test", "lint", "format", "typecheck", "check"];
            let shown: Vec<String> = names
                .iter()
                .filter(|(n, _)| wanted.iter().any(|w| n.starts_with(w)))
                .take(8)
                .map(|(n, c)| format!("`npm run {n}` (`{}`)", c.as_str().unwrap_or("")))
                .collect();
            if !shown.is_empty() {
                lines.push(format!(
                    "- npm scripts (`package.json`): {}",
                    shown.join(", ")
                ));
            }
        }
    }
    if let Some(t) = blobs.text("pyproject.toml") {
        let mut tools: Vec<&str> = ["pytest", "ruff", "mypy", "black", "tox", "coverage"]
            .into_iter()
            .filter(|tool| t.contains(&format!("[tool.{tool}")))
            .collect();
        tools.sort_unstable();
        if !tools.is_empty() {
            lines.push(format!(
                "- Python tools configured in `pyproject.toml`: {}",
                tools.join(", ")
            ));
        }
    }
    if index.files.contains_key("go.mod") {
        lines.push("- Go (`go.mod`): `go build ./...`, `go test ./...`".to_owned());
    }
    for path in ["Makefile", "makefile", "justfile"] {
        if let Some(t) = blobs.text(path) {
            let targets: Vec<&str> = t
                .lines()
                .filter_map(|l| {
                    let (name, _) = l.split_once(':')?;
                    (!name.is_empty()
                        && !l.starts_with(['\t', ' ', '.', '#'])
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .then_some(name)
                })
                .take(10)
                .collect();
            if !targets.is_empty() {
                lines.push(format!("- `{path}` targets: {}", targets.join(", ")));
            }
        }
    }
    let workflows: Vec<&String> = index
        .files
        .keys()
        .filter(|p| {
            p.starts_with(".github/workflows/")
                && Path::new(p.as_str()).extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml")
                })
        })
        .collect();
    for path in workflows.iter().take(3) {
        let Some(t) = blobs.text(path) else {
            continue;
        };
        let runs: Vec<String> = t
            .lines()
            .filter_map(|l| l.trim().strip_prefix("run:").map(|r| r.trim().to_owned()))
            .filter(|r| !r.is_empty() && r != "|" && r != ">")
            .take(5)
            .collect();
        if !runs.is_empty() {
            let shown: Vec<String> = runs.iter().map(|r| format!("`{r}`")).collect();
            lines.push(format!("- CI (`{path}`) runs {}", shown.join(", ")));
        }
    }
    section(s, "Build, test, lint", &lines);
}

fn architecture(s: &mut String, index: &Index, prefix: &str) {
    let community_of: BTreeMap<&str, &str> = index
        .communities
        .iter()
        .flat_map(|(name, files)| files.iter().map(move |f| (f.as_str(), name.as_str())))
        .collect();
    let shown: Vec<&(String, Vec<String>)> = index
        .communities
        .iter()
        .filter(|(_, files)| files.iter().any(|f| f.starts_with(prefix)))
        .take(8)
        .collect();
    if shown.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Architecture\n");
    let _ = writeln!(
        s,
        "Groups of files that depend on each other more than on the rest (communities of the dependency graph), named by their main directory:\n"
    );
    for (name, files) in shown {
        let mut key: Vec<&String> = files.iter().filter(|f| is_production(f)).collect();
        key.sort_by(|a, b| {
            index
                .salience(b)
                .total_cmp(&index.salience(a))
                .then(a.cmp(b))
        });
        let key: Vec<String> = key.iter().take(3).map(|f| format!("`{f}`")).collect();
        if key.is_empty() {
            continue;
        }
        let mut out: BTreeMap<&str, f64> = BTreeMap::new();
        for (a, b, w) in &index.depends {
            let (Some(ca), Some(cb)) = (community_of.get(a.as_str()), community_of.get(b.as_str()))
            else {
                continue;
            };
            if *ca == name && cb != ca {
                *out.entry(cb).or_default() += w;
            }
        }
        let mut out: Vec<(&str, f64)> = out.into_iter().collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let deps: Vec<String> = out.iter().take(3).map(|(c, _)| format!("`{c}`")).collect();
        let _ = writeln!(
            s,
            "- **{name}** ({} files): key files {}{}",
            files.len(),
            key.join(", "),
            if deps.is_empty() {
                String::new()
            } else {
                format!("; uses {}", deps.join(", "))
            }
        );
    }
    s.push('\n');
}

fn load_bearing(s: &mut String, index: &Index, prefix: &str) {
    let files = index.ranked_files(prefix);
    if files.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Load-bearing code\n");
    let _ = writeln!(
        s,
        "Files that matter most (salience 0-1, comparable across repositories):\n"
    );
    for f in files.iter().take(TOP) {
        let reasons = index.reasons(f);
        let _ = writeln!(
            s,
            "- `{f}` ({:.2}, {}): {}",
            index.salience(f),
            index.class(f),
            reasons
                .iter()
                .take(2)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    let quiet: Vec<&&String> = files
        .iter()
        .filter(|f| index.class(f) == "load-bearing and quiet")
        .take(5)
        .collect();
    if !quiet.is_empty() {
        let list: Vec<String> = quiet.iter().map(|f| format!("`{f}`")).collect();
        let _ = writeln!(
            s,
            "\nCentral but rarely changed (changes here ripple, and few people remember how they work): {}.",
            list.join(", ")
        );
    }
    let mut symbols: Vec<&SymbolRow> = index
        .symbols
        .iter()
        .filter(|x| {
            let path = x.name.split_once("::").map_or("", |(p, _)| p);
            path.starts_with(prefix)
                && !crate::salience::outside_production(&x.name)
                && x.certain_callers > 0
        })
        .collect();
    symbols.sort_by(|a, b| {
        b.certain_callers
            .cmp(&a.certain_callers)
            .then(b.pagerank.total_cmp(&a.pagerank))
            .then(a.name.cmp(&b.name))
    });
    if !symbols.is_empty() {
        let _ = writeln!(
            s,
            "\nMost depended-on definitions (callers in production code, resolved with certainty):\n"
        );
        for x in symbols.iter().take(TOP) {
            let sig = x.signature.as_deref().unwrap_or("").trim();
            let sig: String = sig.chars().take(100).collect();
            let _ = writeln!(
                s,
                "- `{}` ({}, {} caller{}): `{sig}`",
                x.name,
                x.kind,
                x.certain_callers,
                if x.certain_callers == 1 { "" } else { "s" }
            );
        }
    }
    s.push('\n');
}

fn danger(s: &mut String, index: &Index, prefix: &str) {
    let files = index.ranked_files(prefix);
    let hot: Vec<&&String> = files
        .iter()
        .filter(|f| index.class(f) == "hotspot")
        .take(TOP)
        .collect();
    let silos: Vec<&&String> = files
        .iter()
        .filter(|f| index.class(f) == "knowledge silo")
        .take(TOP)
        .collect();
    if hot.is_empty() && silos.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Hotspots and danger zones\n");
    for f in hot {
        let v = &index.files[f.as_str()];
        let _ = writeln!(
            s,
            "- `{f}`: hotspot, central and changed in {} commits; review changes here with care",
            real(v, metric::COMMITS).unwrap_or(0.0)
        );
    }
    for f in silos {
        let v = &index.files[f.as_str()];
        let _ = writeln!(
            s,
            "- `{f}`: knowledge silo, {} wrote {:.0}% of its lines",
            text(v, metric::MAIN_AUTHOR).unwrap_or_default(),
            100.0 * real(v, metric::MAIN_AUTHOR_SHARE).unwrap_or(0.0)
        );
    }
    s.push('\n');
}

fn coupling(s: &mut String, index: &Index, prefix: &str) {
    // Source files only: manifests and lockfiles change together by
    // nature, and would fill the list.
    let code = |p: &str| {
        is_production(p)
            && index
                .files
                .get(p)
                .is_some_and(|v| v.contains_key("language"))
    };
    let pairs: Vec<&Coupling> = index
        .couplings
        .iter()
        .filter(|c| {
            (c.a.starts_with(prefix) || c.b.starts_with(prefix)) && code(&c.a) && code(&c.b)
        })
        .take(TOP)
        .collect();
    if pairs.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Change coupling\n");
    let _ = writeln!(
        s,
        "Source files that change together in the history; the pairs that neither import nor call each other come first, since nothing in the code tells you:\n"
    );
    for c in pairs {
        let _ = writeln!(
            s,
            "- When you change `{}`, check `{}` ({} shared commits, {:.0}%){}",
            c.a,
            c.b,
            c.shared,
            c.degree,
            if c.hidden {
                ", no dependency between them"
            } else {
                ""
            }
        );
    }
    s.push('\n');
}

fn conventions(s: &mut String, index: &Index) {
    let mut lines: Vec<String> = Vec::new();
    let tests: Vec<&String> = index
        .files
        .keys()
        .filter(|p| crate::salience::role_of(p) == Some("test"))
        .collect();
    if !tests.is_empty() {
        let in_dirs = tests
            .iter()
            .filter(|p| {
                p.split('/')
                    .any(|part| matches!(part, "test" | "tests" | "__tests__" | "spec"))
            })
            .count();
        let mut dirs: BTreeMap<&str, usize> = BTreeMap::new();
        for t in &tests {
            let dir = t.rsplit_once('/').map_or(".", |(d, _)| d);
            *dirs.entry(dir).or_default() += 1;
        }
        let mut dirs: Vec<(&str, usize)> = dirs.into_iter().collect();
        dirs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = dirs
            .iter()
            .take(3)
            .map(|(d, n)| format!("`{d}/` ({n})"))
            .collect();
        lines.push(format!(
            "- Tests: {} test files, {} in test directories and {} next to the code; most in {}",
            tests.len(),
            in_dirs,
            tests.len() - in_dirs,
            top.join(", ")
        ));
    }
    // Function naming per language, from the definitions.
    let mut styles: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for x in &index.symbols {
        if !matches!(x.kind.as_str(), "function" | "method") {
            continue;
        }
        let path = x.name.split_once("::").map_or("", |(p, _)| p);
        let Some(lang) = index.files.get(path).and_then(|v| text(v, "language")) else {
            continue;
        };
        let bare = x.name.rsplit(['.', ':']).next().unwrap_or("");
        let e = styles.entry(lang).or_default();
        e.2 += 1;
        if bare.contains('_') && bare.chars().all(|c| !c.is_ascii_uppercase()) {
            e.0 += 1;
        } else if bare.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && bare.chars().any(|c| c.is_ascii_uppercase())
        {
            e.1 += 1;
        }
    }
    for (lang, (snake, camel, total)) in styles {
        if total < 10 {
            continue;
        }
        #[allow(clippy::cast_precision_loss, reason = "counts")]
        let pct = |n: usize| 100.0 * n as f64 / total as f64;
        let style = if pct(snake) >= 20.0 && pct(snake) > pct(camel) {
            Some(("snake_case", pct(snake)))
        } else if pct(camel) >= 20.0 {
            Some(("camelCase", pct(camel)))
        } else {
            None
        };
        if let Some((style, p)) = style {
            lines.push(format!(
                "- {} functions: multi-word names are {style} ({p:.0}% of {total})",
                crate::language_label(&lang)
            ));
        }
    }
    section(s, "Conventions seen in the code", &lines);
}

/// A `## title` section of one line per entry; nothing when there is none.
fn section(s: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(s, "## {title}\n");
    for l in lines {
        let _ = writeln!(s, "{l}");
    }
    s.push('\n');
}

/// Puts `region` into `existing` between the markers: replaces an old
/// region, or appends one; every byte outside it stays as it was.
#[must_use]
pub fn splice(existing: Option<&str>, region: &str) -> String {
    let Some(old) = existing else {
        return region.to_owned();
    };
    if let (Some(b), Some(e)) = (old.find(BEGIN), old.find(END))
        && b < e
    {
        // Exactly the bytes from the first marker to the end of the last
        // are Homer's; the newline after it is the person's.
        let end = e + END.len();
        let region = region.strip_suffix('\n').unwrap_or(region);
        return format!("{}{region}{}", &old[..b], &old[end..]);
    }
    let sep = if old.is_empty() || old.ends_with("\n\n") {
        ""
    } else if old.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    format!("{old}{sep}{region}")
}

fn write_if_changed(path: &Path, text: &str, out: &mut Rendered) -> Result<(), CoreError> {
    let io = |e: std::io::Error| CoreError::Render(format!("cannot write {}: {e}", path.display()));
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        out.unchanged.push(path.to_path_buf());
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    // Write beside, then rename: a killed render leaves the old file. The
    // file beside is created new (a leftover is removed first, never
    // followed), so no symbolic link planted there is written through.
    let tmp = path.with_extension("homer-tmp");
    match std::fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(io)?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io)?;
    out.written.push(path.to_path_buf());
    Ok(())
}

/// The repository's name: its manifest's package name, else its root
/// directory's.
fn repo_name(workspace: &Workspace, blobs: &Blobs<'_>) -> String {
    let from_toml = |path: &str, table: &str| -> Option<String> {
        let doc: toml::Value = toml::from_str(&blobs.text(path)?).ok()?;
        doc.get(table)?.get("name")?.as_str().map(str::to_owned)
    };
    from_toml("Cargo.toml", "package")
        .or_else(|| from_toml("pyproject.toml", "project"))
        .or_else(|| {
            let v: serde_json::Value = serde_json::from_str(&blobs.text("package.json")?).ok()?;
            v.get("name")?.as_str().map(str::to_owned)
        })
        .or_else(|| {
            let module = blobs
                .text("go.mod")?
                .lines()
                .find_map(|l| l.strip_prefix("module ").map(|m| m.trim().to_owned()))?;
            module.rsplit('/').next().map(str::to_owned)
        })
        .unwrap_or_else(|| {
            workspace.root().file_name().map_or_else(
                || "repository".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
}

/// Writes AGENTS.md (and per-directory context when asked).
pub fn render(path: &Path, options: &RenderOptions) -> Result<Rendered, CoreError> {
    let workspace = Workspace::locate(path)?;
    let store = workspace.open_index()?;
    let index = Index::load(&store)?;
    let repo = workspace.repository();
    let mut out = Rendered {
        written: Vec::new(),
        unchanged: Vec::new(),
        commit: index.commit.clone(),
    };
    let blobs = Blobs::new(&store, repo);
    let region = agents_region(&index, &blobs, &repo_name(&workspace, &blobs));
    let target = workspace.writable(Path::new(
        options.agents_path.as_deref().unwrap_or("AGENTS.md"),
    ))?;
    let existing = std::fs::read_to_string(&target).ok();
    write_if_changed(&target, &splice(existing.as_deref(), &region), &mut out)?;
    if options.per_dir {
        for (dir, text) in directory_contexts(&index, &store)? {
            let name = dir.replace('/', "__");
            let file = workspace.writable(
                &workspace
                    .homer_dir()
                    .join("context")
                    .join(format!("{name}.md")),
            )?;
            write_if_changed(&file, &text, &mut out)?;
        }
    }
    Ok(out)
}

/// Directories with at least this many files get a context file.
const MIN_DIR_FILES: i64 = 5;

fn directory_contexts(index: &Index, store: &Store) -> Result<Vec<(String, String)>, CoreError> {
    let mut out = Vec::new();
    for (dir, name, value) in store.node_values(NodeKind::Directory)? {
        if name != metric::FILES || dir.is_empty() {
            continue;
        }
        let Value::Int(n) = value else { continue };
        if n < MIN_DIR_FILES {
            continue;
        }
        let prefix = format!("{dir}/");
        if index.ranked_files(&prefix).is_empty() {
            continue;
        }
        let mut s = String::new();
        let short = &index.commit[..index.commit.len().min(12)];
        let _ = writeln!(s, "# `{dir}/`\n");
        let _ = writeln!(
            s,
            "Written by `homer render --per-dir` from commit {short}.\n"
        );
        load_bearing(&mut s, index, &prefix);
        danger(&mut s, index, &prefix);
        coupling(&mut s, index, &prefix);
        out.push((dir, s));
    }
    Ok(out)
}

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
    workspace: &Workspace,
    store: &Store,
    index: &Index,
    position: &BTreeMap<&str, usize>,
    task: &str,
    focus: &[String],
) -> Result<Seeds, CoreError> {
    let found = crate::search::search_index(
        workspace,
        store,
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
fn render_symbols(index: &Index, head: &str, chosen: &[usize]) -> String {
    let mut chosen: Vec<usize> = chosen.to_vec();
    // Grouped by file, files in the order of their best symbol.
    let mut order: Vec<String> = Vec::new();
    for &i in &chosen {
        let p = index.symbols[i]
            .name
            .split_once("::")
            .map_or("", |(p, _)| p)
            .to_owned();
        if !order.contains(&p) {
            order.push(p);
        }
    }
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
            let sig = x.signature.as_deref().unwrap_or(qualified).trim();
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
    path: &Path,
    task: &str,
    budget: usize,
    focus: &[String],
) -> Result<TaskContext, CoreError> {
    let workspace = Workspace::locate(path)?;
    let store = workspace.open_index()?;
    let index = Index::load(&store)?;
    let position: BTreeMap<&str, usize> = index
        .symbols
        .iter()
        .enumerate()
        .map(|(i, x)| (x.name.as_str(), i))
        .collect();
    let (seeds, seed_files) = seeds(&workspace, &store, &index, &position, task, focus)?;
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
        let short = &index.commit[..index.commit.len().min(12)];
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
    let render_k = |k: usize| render_symbols(&index, &head, &ranked[..k]);
    // The largest number of ranked symbols whose rendering fits.
    let head_tokens = count_tokens(&render_k(0));
    if head_tokens > budget {
        return Err(CoreError::Render(format!(
            "a budget of {budget} tokens cannot hold even the heading ({head_tokens} tokens)"
        )));
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
    })
}

/// One file's risk, for CI gates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileRisk {
    pub path: String,
    /// 0..1: 0.6 × salience + 0.2 × rank of lines changed + 0.2 × main
    /// author's share (when more than one author ever touched it).
    pub risk: f64,
    pub class: String,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskMap {
    pub commit: String,
    pub files: Vec<FileRisk>,
}

/// Per-file risk of the production files, riskiest first.
pub fn risk_map(path: &Path) -> Result<RiskMap, CoreError> {
    let store = Workspace::locate(path)?.open_index()?;
    let index = Index::load(&store)?;
    let files = index.ranked_files("");
    let churn: Vec<f64> = files
        .iter()
        .map(|f| {
            let v = &index.files[f.as_str()];
            real(v, metric::LINES_ADDED).unwrap_or(0.0)
                + real(v, metric::LINES_DELETED).unwrap_or(0.0)
        })
        .collect();
    let churn_rank = homer_graph::percentile_ranks(&churn);
    let mut out: Vec<FileRisk> = files
        .iter()
        .zip(&churn_rank)
        .map(|(f, &c)| {
            let v = &index.files[f.as_str()];
            let authors = real(v, metric::AUTHORS).unwrap_or(0.0);
            let share = if authors > 1.0 {
                real(v, metric::MAIN_AUTHOR_SHARE).unwrap_or(0.0)
            } else {
                0.0
            };
            let mut reasons = index.reasons(f);
            if c >= 0.8 {
                let lines = real(v, metric::LINES_ADDED).unwrap_or(0.0)
                    + real(v, metric::LINES_DELETED).unwrap_or(0.0);
                reasons.push(format!(
                    "{lines:.0} lines changed (top {:.0}%)",
                    (100.0 * (1.0 - c)).max(1.0)
                ));
            }
            if share >= 0.8 {
                reasons.push(format!(
                    "{} wrote {:.0}% of its lines",
                    text(v, metric::MAIN_AUTHOR).unwrap_or_default(),
                    100.0 * share
                ));
            }
            FileRisk {
                path: (*f).clone(),
                risk: 0.6 * index.salience(f) + 0.2 * c + 0.2 * share,
                class: index.class(f),
                reasons,
            }
        })
        .collect();
    out.sort_by(|a, b| b.risk.total_cmp(&a.risk).then(a.path.cmp(&b.path)));
    Ok(RiskMap {
        commit: index.commit,
        files: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_is_replaced_and_nothing_else_moves() {
        let region = format!("{BEGIN}\nnew\n{END}\n");
        let mine = format!("# Mine\n\nkeep this\n{BEGIN}\nold\n{END}\ntail\n");
        assert_eq!(
            splice(Some(&mine), &region),
            format!("# Mine\n\nkeep this\n{BEGIN}\nnew\n{END}\ntail\n")
        );
        let no_newline = format!("a{BEGIN}old{END}b");
        assert_eq!(
            splice(Some(&no_newline), &region),
            format!("a{BEGIN}\nnew\n{END}b")
        );
        assert_eq!(splice(None, &region), region);
        assert_eq!(
            splice(Some("# Mine"), &region),
            format!("# Mine\n\n{region}")
        );
    }

    #[test]
    fn readme_paragraphs_skip_badges_and_headings() {
        let text = "# Tool\n\n[![ci](x)](y)\n\nTool does\nthings well.\n\nMore.\n";
        assert_eq!(
            first_paragraph(text).as_deref(),
            Some("Tool does things well.")
        );
    }
}
