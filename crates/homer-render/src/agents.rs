//! AGENTS.md and the per-directory context: what a coding agent should
//! read first, from the index and from blobs at the indexed HEAD (never
//! the working tree, never Homer's own outputs), every list sorted with
//! its ties broken, so the same index renders the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use homer_read::Index;
use homer_vocab::attrs::SymbolKind;
use homer_vocab::{
    FileRole, NAMED_BY, RECENT_KEPT, SalienceClass, community_key_files, outside_production,
};
use serde::Serialize;

use crate::RenderError;
use crate::context::count_tokens;
use crate::snapshot::{Blobs, Coupling, FileHistory, FileRow, Snapshot, SymbolRow, is_production};

mod commands;

pub use commands::BUILD_TOOLS;
use commands::commands;

/// The markers of Homer's region in a file a person may also edit.
pub(crate) const BEGIN: &str = "<!-- homer:begin -->";
pub(crate) const END: &str = "<!-- homer:end -->";

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
    /// `o200k_base` tokens of Homer's region of AGENTS.md.
    pub tokens: usize,
    /// What the documents stand on when it is not HEAD: the index behind
    /// it (the files name the commit they describe; this says it moved).
    pub warnings: Vec<String>,
}

/// Options of `homer render` (documents).
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Where AGENTS.md goes, relative to the repository root.
    pub agents_path: Option<String>,
    /// Also write `.homer/context/<dir>.md` for directories with at least
    /// five files.
    pub per_dir: bool,
    /// Tokens Homer's region of AGENTS.md may use; [`AGENTS_BUDGET`]
    /// when not given.
    pub budget: Option<usize>,
}

/// Tokens AGENTS.md may use unless asked otherwise.
pub const AGENTS_BUDGET: usize = 2_000;

/// A part of a document: a heading, what it is, entries most important
/// first, and a closing paragraph. The budget cuts entries from the end.
#[derive(Default)]
struct Section {
    title: &'static str,
    intro: Option<String>,
    entries: Vec<String>,
    outro: Option<String>,
}

impl Section {
    fn new(title: &'static str) -> Self {
        Section {
            title,
            ..Section::default()
        }
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.outro.is_none()
    }

    fn head(&self) -> String {
        match &self.intro {
            Some(intro) => format!(
                "## {}

{intro}

",
                self.title
            ),
            None => format!(
                "## {}

",
                self.title
            ),
        }
    }

    /// The whole section, with nothing cut.
    fn write(&self, s: &mut String) {
        if self.is_empty() {
            return;
        }
        s.push_str(&self.head());
        for e in &self.entries {
            let _ = writeln!(s, "{e}");
        }
        if let Some(outro) = &self.outro {
            let _ = writeln!(s, "\n{outro}");
        }
        s.push('\n');
    }
}

/// The closing line of a cut document: what was left out, how to ask
/// for it.
fn left_out(budget: usize, left: &[(&str, usize)]) -> String {
    let parts: Vec<String> = left
        .iter()
        .map(|(title, n)| format!("{n} from {title}"))
        .collect();
    format!(
        "Left out for the budget of {budget} tokens: {}. `homer render --budget N` writes a longer map, `homer query PATH` tells all about a file, `homer render --per-dir` writes a map per directory.\n\n",
        parts.join(", ")
    )
}

/// `head`, then the first `kept[i]` pieces (entries, then the closing
/// paragraph) of each section, then what was left out.
fn assemble(head: &str, sections: &[&Section], kept: &[usize], budget: usize) -> String {
    let mut out = head.to_owned();
    let mut left: Vec<(&str, usize)> = Vec::new();
    for (section, &n) in sections.iter().zip(kept) {
        let total = section.entries.len() + usize::from(section.outro.is_some());
        if n > 0 {
            out.push_str(&section.head());
            for e in section.entries.iter().take(n) {
                let _ = writeln!(out, "{e}");
            }
            if n > section.entries.len()
                && let Some(outro) = &section.outro
            {
                let _ = writeln!(out, "\n{outro}");
            }
            out.push('\n');
        }
        if n < total {
            left.push((section.title, total - n));
        }
    }
    if !left.is_empty() {
        out.push_str(&left_out(budget, &left));
    }
    out
}

/// Sections in order of importance, cut to `budget` tokens with `head`
/// before them and `tail` after: every entry that fits, in order, and a
/// last line saying what was left out and how to ask for it.
fn fit(head: &str, tail: &str, sections: &[Section], budget: usize) -> Result<String, RenderError> {
    let sections: Vec<&Section> = sections.iter().filter(|x| !x.is_empty()).collect();
    // Room for the longest line about what was left out (every section,
    // in full) and the end.
    let all: Vec<(&str, usize)> = sections
        .iter()
        .map(|x| (x.title, x.entries.len() + 1))
        .collect();
    let reserve = count_tokens(&left_out(budget, &all)) + count_tokens(tail);
    let mut used = count_tokens(head);
    if used + reserve > budget {
        return Err(RenderError::Budget {
            budget,
            needed: used + reserve,
        });
    }
    let room = budget - reserve;
    let mut kept = vec![0; sections.len()];
    for (section, n) in sections.iter().zip(&mut kept) {
        let mut cost = count_tokens(&section.head()) + 1;
        let pieces = section
            .entries
            .iter()
            .map(|e| format!("{e}\n"))
            .chain(section.outro.iter().map(|o| format!("\n{o}\n")));
        for piece in pieces {
            let c = count_tokens(&piece);
            if used + cost + c > room {
                // Entries are most important first: the rest waits for a
                // larger budget.
                break;
            }
            cost += c;
            *n += 1;
        }
        if *n > 0 {
            used += cost;
        }
    }
    // Pieces counted apart can count a token more than the whole: check
    // the whole, and drop the last piece kept until it fits.
    loop {
        let text = assemble(head, &sections, &kept, budget);
        if count_tokens(&text) + count_tokens(tail) <= budget {
            return Ok(format!("{text}{tail}"));
        }
        match kept.iter_mut().rev().find(|n| **n > 0) {
            Some(n) => *n -= 1,
            None => return Ok(format!("{text}{tail}")),
        }
    }
}

/// The region Homer owns in AGENTS.md, markers included.
fn agents_region(
    index: &Snapshot,
    blobs: &Blobs<'_>,
    name: &str,
    now: &Recent<'_>,
    budget: usize,
) -> Result<String, RenderError> {
    let mut head = String::new();
    let short = index.short_commit();
    let _ = writeln!(head, "{BEGIN}");
    let _ = writeln!(head, "# {name}: a map for coding agents\n");
    let _ = writeln!(
        head,
        "Written by `homer render` from commit {short}; everything below comes from the code and its history. Refresh with `homer update && homer render`.\n"
    );
    let hot = changing_now(index, "", now)?;
    let shown: Vec<&str> = hot.iter().map(|(f, _)| f.as_str()).collect();
    let sections = [
        what_it_is(index, blobs),
        commands(index, blobs),
        architecture(index, ""),
        load_bearing(index, "", &shown),
        danger(index, "", &hot, now),
        most_called(index, ""),
        coupling(index, ""),
        conventions(index),
    ];
    fit(&head, &format!("{END}\n"), &sections, budget)
}

fn what_it_is(index: &Snapshot, blobs: &Blobs<'_>) -> Section {
    let mut section = Section::new("What this repository is");
    if let Some((path, markup)) = crate::readme::find(index.files.keys().map(String::as_str))
        && let Some(paragraph) = blobs
            .text(path)
            .and_then(|text| crate::readme::description(&text, markup))
    {
        section.intro = Some(format!("From {path}: {paragraph}"));
    }
    for (path, what) in manifests(index, blobs) {
        section.entries.push(format!("- `{path}`: {what}"));
    }
    let mut languages: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for file in index.files.values() {
        if let Some(l) = &file.language {
            languages.entry(l.clone()).or_default().0 += 1;
        }
    }
    for sym in &index.symbols {
        let path = sym.name.split_once("::").map_or("", |(p, _)| p);
        if let Some(l) = index.files.get(path).and_then(|f| f.language.clone()) {
            languages.entry(l).or_default().1 += 1;
        }
    }
    let mut languages: Vec<(String, (u64, u64))> = languages.into_iter().collect();
    languages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let list: Vec<String> = languages
        .iter()
        .map(|(l, (files, defs))| {
            format!(
                "{} ({} file{}, {defs} definition{})",
                l,
                files,
                if *files == 1 { "" } else { "s" },
                if *defs == 1 { "" } else { "s" }
            )
        })
        .collect();
    if !list.is_empty() {
        section
            .entries
            .push(format!("- Languages: {}", list.join(", ")));
    }
    section.entries.push(format!(
        "- {} files at HEAD, {} of them parsed",
        index.files.len(),
        languages.iter().map(|(_, (f, _))| f).sum::<u64>()
    ));
    section
}

/// Manifests at the root and what they say.
fn manifests(index: &Snapshot, blobs: &Blobs<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // A manifest is the repository's text, not Homer's: one that does not
    // parse, or lacks a field, is described without it.
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
                toml_field(&t, "project", "name").unwrap_or_else(|| "without a name".to_owned()),
                toml_field(&t, "project", "description")
                    .map_or(String::new(), |d| format!(": {d}"))
            ),
            "package.json" => {
                // Not JSON: a package described without its fields.
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

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}

/// The communities of the dependency graph by their production files: a
/// community's name is where its key files are (the graph stage names
/// it), its tests are said beside it rather than counted in it.
fn architecture(index: &Snapshot, prefix: &str) -> Section {
    let mut section = Section::new("Architecture");
    let community_of: BTreeMap<&str, &str> = index
        .communities
        .iter()
        .flat_map(|(name, files)| files.iter().map(move |f| (f.as_str(), name.as_str())))
        .collect();
    let mut shown: Vec<(&str, Vec<&str>, Vec<&str>)> = index
        .communities
        .iter()
        .filter(|(_, files)| files.iter().any(|f| f.starts_with(prefix)))
        .map(|(name, files)| {
            let (production, other): (Vec<&str>, Vec<&str>) = files
                .iter()
                .map(String::as_str)
                .partition(|f| is_production(f));
            (name.as_str(), production, other)
        })
        .filter(|(_, production, _)| !production.is_empty())
        .collect();
    shown.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    for (name, production, other) in shown.iter().take(8) {
        let ranked: Vec<(&str, f64)> = production
            .iter()
            .map(|f| {
                (
                    *f,
                    index.files.get(*f).and_then(|r| r.pagerank).unwrap_or(0.0),
                )
            })
            .collect();
        let key: Vec<String> = community_key_files(&ranked)
            .iter()
            .take(NAMED_BY)
            .map(|f| format!("`{f}`"))
            .collect();
        let mut test_dirs: BTreeMap<&str, usize> = BTreeMap::new();
        for f in other {
            if FileRole::of_path(f) == Some(FileRole::Test) {
                *test_dirs.entry(dir_of(f)).or_default() += 1;
            }
        }
        let mut test_dirs: Vec<(&str, usize)> = test_dirs.into_iter().collect();
        test_dirs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let tested = if test_dirs.is_empty() {
            String::new()
        } else {
            let dirs: Vec<String> = test_dirs
                .iter()
                .take(2)
                .map(|(d, _)| format!("`{d}/`"))
                .collect();
            format!(", tested in {}", dirs.join(", "))
        };
        let mut out: BTreeMap<&str, f64> = BTreeMap::new();
        for (a, b, w) in &index.depends {
            let (Some(ca), Some(cb)) = (community_of.get(a.as_str()), community_of.get(b.as_str()))
            else {
                continue;
            };
            if ca == name && cb != ca && is_production(a) && is_production(b) {
                *out.entry(cb).or_default() += w;
            }
        }
        let mut out: Vec<(&str, f64)> = out.into_iter().collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let deps: Vec<String> = out.iter().take(3).map(|(c, _)| format!("`{c}`")).collect();
        section.entries.push(format!(
            "- **{name}** ({} file{}{tested}): key files {}{}",
            production.len(),
            if production.len() == 1 { "" } else { "s" },
            key.join(", "),
            if deps.is_empty() {
                String::new()
            } else {
                format!("; uses {}", deps.join(", "))
            }
        ));
    }
    if !section.entries.is_empty() {
        section.intro = Some(
            "Groups of source files that depend on each other more than on the rest (communities of the dependency graph), named by where their key files are; key files are the most central:".to_owned(),
        );
    }
    section
}

/// How far back "changing now" looks from the indexed commit.
const RECENT_DAYS: i64 = 90;
/// Files ranked by salience that count as central.
const CENTRAL: usize = 30;

/// When the indexed commit was made, and when the commits files name as
/// their last ones were: read from the index when first asked, once each
/// (the map's hotspots and every directory context's ask for different
/// files).
pub(crate) struct Recent<'a> {
    opened: &'a Index,
    head_time: i64,
    times: std::cell::RefCell<BTreeMap<String, Option<i64>>>,
}

impl<'a> Recent<'a> {
    fn new(opened: &'a Index, index: &Snapshot) -> Result<Self, RenderError> {
        Ok(Recent {
            opened,
            head_time: opened
                .commit_times(&index.commit)?
                .map_or(0, |(authored, _)| authored),
            times: std::cell::RefCell::default(),
        })
    }

    /// Of a file's last commits, those within [`RECENT_DAYS`] of the
    /// indexed commit.
    fn count(&self, history: &FileHistory) -> Result<usize, RenderError> {
        let since = self.head_time - RECENT_DAYS * 86_400;
        let mut n = 0;
        for id in &history.recent {
            let known = self.times.borrow().get(id).copied();
            let time = if let Some(t) = known {
                t
            } else {
                let t = self.opened.commit_times(id)?.map(|(authored, _)| authored);
                self.times.borrow_mut().insert(id.clone(), t);
                t
            };
            if time.is_some_and(|t| t >= since) {
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Central production files that changed at least twice in the last
/// [`RECENT_DAYS`] days of history, most changed first, with that count.
fn changing_now<'a>(
    index: &'a Snapshot,
    prefix: &str,
    now: &Recent<'_>,
) -> Result<Vec<(&'a String, usize)>, RenderError> {
    let mut hot: Vec<(&String, usize, f64)> = Vec::new();
    for (f, row, r) in index.ranked_files(prefix).into_iter().take(CENTRAL) {
        if let (true, Some(history)) = (row.is_code(), row.history.as_ref()) {
            let n = now.count(history)?;
            if n >= 2 {
                hot.push((f, n, r.salience));
            }
        }
    }
    hot.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(b.0)));
    hot.truncate(TOP);
    Ok(hot.into_iter().map(|(f, n, _)| (f, n)).collect())
}

/// The most salient production files, but those listed as changing now.
fn load_bearing(index: &Snapshot, prefix: &str, elsewhere: &[&str]) -> Section {
    let mut section = Section::new("Load-bearing code");
    let files: Vec<_> = index
        .ranked_files(prefix)
        .into_iter()
        .filter(|(f, _, _)| !elsewhere.contains(&f.as_str()))
        .collect();
    for (f, _, ranking) in files.iter().take(TOP) {
        let why = ranking.reasons.first().cloned().unwrap_or_default();
        // The classes that say something the reason does not.
        let class = match ranking.class {
            SalienceClass::LoadBearingQuiet => ", rarely changed",
            SalienceClass::KnowledgeSilo => ", one person knows it",
            _ => "",
        };
        section
            .entries
            .push(format!("- `{f}` ({:.2}{class}): {why}", ranking.salience));
    }
    if !section.entries.is_empty() {
        section.intro = Some(
            "The files that matter most, by salience (0-1, comparable across repositories), and why:"
                .to_owned(),
        );
    }
    // Quiet central files not in the list above.
    let quiet: Vec<String> = files
        .iter()
        .skip(TOP)
        .filter(|(_, _, r)| r.class == SalienceClass::LoadBearingQuiet)
        .map(|(f, _, _)| format!("`{f}`"))
        .take(5)
        .collect();
    if !quiet.is_empty() {
        section.outro = Some(format!(
            "Also central but rarely changed (changes here ripple, and few people remember how they work): {}.",
            quiet.join(", ")
        ));
    }
    section
}

fn most_called(index: &Snapshot, prefix: &str) -> Section {
    let mut section = Section::new("Most called definitions");
    let mut symbols: Vec<&SymbolRow> = index
        .symbols
        .iter()
        .filter(|x| {
            let path = x.name.split_once("::").map_or("", |(p, _)| p);
            path.starts_with(prefix) && !outside_production(&x.name) && x.certain_callers > 0
        })
        .collect();
    symbols.sort_by(|a, b| {
        b.certain_callers
            .cmp(&a.certain_callers)
            .then(b.pagerank.total_cmp(&a.pagerank))
            .then(a.name.cmp(&b.name))
    });
    for x in symbols.iter().take(TOP) {
        let sig = shown_signature(&x.signature);
        section.entries.push(format!(
            "- `{}` ({}, {} caller{}): `{sig}`",
            x.name,
            x.kind.name(),
            x.certain_callers,
            if x.certain_callers == 1 { "" } else { "s" }
        ));
    }
    if !section.entries.is_empty() {
        section.intro = Some("Callers in production code, resolved with certainty:".to_owned());
    }
    section
}

/// A signature as AGENTS.md lists it: at most 100 characters, and said to
/// be cut when it is (one that stops mid-word, `): Seriali`, reads as the
/// real one).
fn shown_signature(signature: &str) -> String {
    let whole = signature.trim();
    let mut sig: String = whole.chars().take(100).collect();
    if sig.len() < whole.len() {
        sig.push_str(" …");
    }
    sig
}

/// Central files changing now, and knowledge silos.
fn danger(index: &Snapshot, prefix: &str, hot: &[(&String, usize)], now: &Recent<'_>) -> Section {
    let mut section = Section::new("Hotspots and danger zones");
    for (f, n) in hot {
        let depends = index
            .files
            .get(f.as_str())
            .and_then(|r| r.ranking.as_ref())
            .and_then(|r| r.reasons.first())
            .map_or(String::new(), |why| format!("; {why}"));
        let n = if *n >= RECENT_KEPT {
            format!("{n} or more")
        } else {
            n.to_string()
        };
        section.entries.push(format!(
            "- `{f}`: changing now, {n} commits in the {RECENT_DAYS} days before this one{depends}"
        ));
    }
    let listed: BTreeSet<&str> = hot.iter().map(|(f, _)| f.as_str()).collect();
    let silos: Vec<(&String, &FileHistory)> = index
        .ranked_files(prefix)
        .iter()
        .filter(|(f, _, r)| r.class == SalienceClass::KnowledgeSilo && !listed.contains(f.as_str()))
        .filter_map(|(f, row, _)| Some((*f, row.history.as_ref()?)))
        .take(5)
        .collect();
    for (f, h) in silos {
        section.entries.push(format!(
            "- `{f}`: knowledge silo, {} wrote {:.0}% of its lines",
            h.main_author,
            100.0 * h.main_author_share
        ));
    }
    if !section.entries.is_empty() {
        section.intro = Some(
            "Central files that are changing now (review changes here with care), and files one person knows:"
                .to_owned(),
        );
    } else if now.head_time > 0 {
        section.entries.push(format!(
            "- No central file changed more than once in the {RECENT_DAYS} days before this commit."
        ));
    }
    section
}

fn coupling(index: &Snapshot, prefix: &str) -> Section {
    let mut section = Section::new("Change coupling");
    // Source files only: manifests and lockfiles change together by
    // nature, and would fill the list.
    let code = |p: &str| is_production(p) && index.files.get(p).is_some_and(FileRow::is_code);
    let pairs: Vec<&Coupling> = index
        .couplings
        .iter()
        .filter(|c| {
            (c.a.starts_with(prefix) || c.b.starts_with(prefix)) && code(&c.a) && code(&c.b)
        })
        .take(TOP)
        .collect();
    for c in pairs {
        section.entries.push(format!(
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
        ));
    }
    if !section.entries.is_empty() {
        section.intro = Some("Source files that change together in the history; the pairs that neither import nor call each other come first, since nothing in the code tells you:".to_owned());
    }
    section
}

fn conventions(index: &Snapshot) -> Section {
    let mut lines: Vec<String> = Vec::new();
    let tests: Vec<&String> = index
        .files
        .iter()
        .filter(|(p, row)| row.is_code() && FileRole::of_path(p) == Some(FileRole::Test))
        .map(|(p, _)| p)
        .collect();
    if !tests.is_empty() {
        let in_dirs = tests
            .iter()
            .filter(|p| {
                let lower = p.to_ascii_lowercase();
                let mut parts: Vec<&str> = lower.split('/').collect();
                parts.pop();
                parts.iter().any(|part| {
                    matches!(
                        *part,
                        "test" | "tests" | "__tests__" | "spec" | "specs" | "testing"
                    )
                })
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
            "- Tests: {} test files of code, {} in test directories and {} next to the code; most in {}",
            tests.len(),
            in_dirs,
            tests.len() - in_dirs,
            top.join(", ")
        ));
    }
    // Function naming per language, from the definitions.
    let mut styles: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for x in &index.symbols {
        if !matches!(x.kind, SymbolKind::Function | SymbolKind::Method) {
            continue;
        }
        let path = x.name.split_once("::").map_or("", |(p, _)| p);
        let Some(lang) = index.files.get(path).and_then(|f| f.language.clone()) else {
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
                "- {lang} functions: multi-word names are {style} ({p:.0}% of {total})"
            ));
        }
    }
    Section {
        title: "Conventions seen in the code",
        entries: lines,
        ..Section::default()
    }
}

/// Puts `region` into `existing` between the markers: replaces an old
/// region, or appends one; every byte outside it stays as it was.
#[must_use]
pub(crate) fn splice(existing: Option<&str>, region: &str) -> String {
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

fn write_if_changed(path: &Path, text: &str, out: &mut Rendered) -> Result<(), RenderError> {
    let io = |source: std::io::Error| RenderError::Write {
        path: path.to_path_buf(),
        source,
    };
    // A file that cannot be read now is written (and the write says why
    // if that fails too).
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

/// The value of the first `key = "value"` (or `key: "value"`, `key :=
/// "value"`) assignment in a build script.
fn assigned(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix(key)?;
        let rest = rest.trim_start().strip_prefix([':', '='])?;
        let rest = rest.trim_start_matches([':', '=', ' ']);
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = rest[1..].split(quote).next()?.trim();
        (!value.is_empty()).then(|| value.to_owned())
    })
}

/// The name a manifest at the root gives the project.
fn manifest_name(index: &Snapshot, blobs: &Blobs<'_>) -> Option<String> {
    let from_toml = |path: &str, table: &str| -> Option<String> {
        // A manifest that does not parse gives no name; the next one may.
        let doc: toml::Value = toml::from_str(&blobs.text(path)?).ok()?;
        doc.get(table)?.get("name")?.as_str().map(str::to_owned)
    };
    let json_name = |path: &str| -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(&blobs.text(path)?).ok()?;
        v.get("name")?.as_str().map(str::to_owned)
    };
    let at_root = |ext: &str| -> Option<String> {
        index
            .files
            .keys()
            .find(|p| !p.contains('/') && p.ends_with(ext))
            .cloned()
    };
    from_toml("Cargo.toml", "package")
        .or_else(|| from_toml("pyproject.toml", "project"))
        .or_else(|| json_name("package.json"))
        .or_else(|| {
            let module = blobs
                .text("go.mod")?
                .lines()
                .find_map(|l| l.strip_prefix("module ").map(|m| m.trim().to_owned()))?;
            // `github.com/x/y/v2` is `y`.
            module
                .rsplit('/')
                .find(|part| {
                    !(part.starts_with('v') && part[1..].chars().all(|c| c.is_ascii_digit()))
                })
                .map(str::to_owned)
        })
        .or_else(|| {
            let name = json_name("composer.json")?;
            Some(name.rsplit('/').next().unwrap_or(&name).to_owned())
        })
        .or_else(|| assigned(&blobs.text(&at_root(".gemspec")?)?, "spec.name"))
        .or_else(|| assigned(&blobs.text(&at_root(".gemspec")?)?, "s.name"))
        .or_else(|| {
            // `Package(name: "X", ...)`, on one line or several.
            let swift = blobs.text("Package.swift")?;
            let after = &swift[swift.find("Package(")? + "Package(".len()..];
            assigned(&after.replace(',', "\n"), "name")
        })
        .or_else(|| assigned(&blobs.text("settings.gradle.kts")?, "rootProject.name"))
        .or_else(|| assigned(&blobs.text("settings.gradle")?, "rootProject.name"))
        .or_else(|| {
            // The project's own artifactId, not its parent's.
            let pom = blobs.text("pom.xml")?;
            let own = match (pom.find("<parent>"), pom.find("</parent>")) {
                (Some(a), Some(b)) if a < b => format!("{}{}", &pom[..a], &pom[b..]),
                _ => pom,
            };
            let start = own.find("<artifactId>")? + "<artifactId>".len();
            let end = own[start..].find("</artifactId>")? + start;
            Some(own[start..end].trim().to_owned())
        })
        .or_else(|| assigned(&blobs.text("build.sbt")?, "name"))
        .or_else(|| assigned(&blobs.text(&at_root(".rockspec")?)?, "package"))
        .or_else(|| {
            let cmake = blobs.text("CMakeLists.txt")?;
            let line = cmake
                .lines()
                .find(|l| l.trim_start().to_ascii_lowercase().starts_with("project("))?;
            let inner = line.trim_start()["project(".len()..].trim_start();
            let name: String = inner
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .filter(|n| !n.trim().is_empty() && n.len() <= 80)
}

/// The project's name: from a manifest at the root, else the README's
/// title, else the `origin` remote's last path part, else the folder.
fn repo_name(index: &Snapshot, opened: &Index, blobs: &Blobs<'_>) -> String {
    let workspace = opened.workspace();
    manifest_name(index, blobs)
        .or_else(|| {
            let (path, markup) = crate::readme::find(index.files.keys().map(String::as_str))?;
            crate::readme::title(&blobs.text(path)?, markup)
        })
        .or_else(|| {
            let url = workspace.repository().origin_url()?;
            let last = url.trim_end_matches('/').rsplit(['/', ':']).next()?;
            let name = last
                .strip_suffix(".git")
                .or_else(|| last.strip_suffix(".bundle"))
                .unwrap_or(last);
            (!name.is_empty()).then(|| name.to_owned())
        })
        .unwrap_or_else(|| {
            workspace.root().file_name().map_or_else(
                || "repository".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
}

/// Writes AGENTS.md (and per-directory context when asked).
pub fn render(opened: &Index, options: &RenderOptions) -> Result<Rendered, RenderError> {
    let workspace = opened.workspace();
    let index = Snapshot::load(opened)?;
    let mut out = Rendered {
        written: Vec::new(),
        unchanged: Vec::new(),
        commit: index.commit.clone(),
        tokens: 0,
        warnings: opened
            .freshness_warning()?
            .into_iter()
            .chain(opened.history_warnings()?)
            .collect(),
    };
    let blobs = Blobs::new(&index, opened);
    let now = Recent::new(opened, &index)?;
    let budget = options.budget.unwrap_or(AGENTS_BUDGET);
    let region = agents_region(
        &index,
        &blobs,
        &repo_name(&index, opened, &blobs),
        &now,
        budget,
    )?;
    out.tokens = count_tokens(&region);
    let target = workspace.writable(Path::new(
        options.agents_path.as_deref().unwrap_or("AGENTS.md"),
    ))?;
    // No AGENTS.md yet is the usual case; one that exists and cannot be
    // read must not be replaced by Homer's region alone.
    let existing = match std::fs::read_to_string(&target) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(RenderError::ReadFile {
                path: target.clone(),
                source,
            });
        }
    };
    write_if_changed(&target, &splice(existing.as_deref(), &region), &mut out)?;
    if options.per_dir {
        for (dir, text) in directory_contexts(&index, &now)? {
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

fn directory_contexts(
    index: &Snapshot,
    now: &Recent<'_>,
) -> Result<Vec<(String, String)>, RenderError> {
    let mut out = Vec::new();
    for (dir, n) in &index.dirs {
        if dir.is_empty() || *n < MIN_DIR_FILES {
            continue;
        }
        let prefix = format!("{dir}/");
        if index.ranked_files(&prefix).is_empty() {
            continue;
        }
        let mut s = String::new();
        let short = index.short_commit();
        let _ = writeln!(s, "# `{dir}/`\n");
        let _ = writeln!(
            s,
            "Written by `homer render --per-dir` from commit {short}.\n"
        );
        let hot = changing_now(index, &prefix, now)?;
        let shown: Vec<&str> = hot.iter().map(|(f, _)| f.as_str()).collect();
        load_bearing(index, &prefix, &shown).write(&mut s);
        most_called(index, &prefix).write(&mut s);
        danger(index, &prefix, &hot, now).write(&mut s);
        coupling(index, &prefix).write(&mut s);
        out.push((dir.clone(), s));
    }
    Ok(out)
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
    fn a_long_signature_says_it_is_cut() {
        assert_eq!(shown_signature("  fn a(x: u8) -> u8 "), "fn a(x: u8) -> u8");
        let long = format!("fn b({}) -> Serializer", "x: u8, ".repeat(20));
        let shown = shown_signature(&long);
        assert!(
            shown.ends_with(" …") && shown.chars().count() == 102,
            "{shown}"
        );
    }

    #[test]
    fn project_names_from_build_scripts_and_readmes() {
        assert_eq!(
            assigned("rootProject.name = 'okio'\n", "rootProject.name").as_deref(),
            Some("okio")
        );
        assert_eq!(
            assigned("name := \"os-lib\"\n", "name").as_deref(),
            Some("os-lib")
        );
    }
}
