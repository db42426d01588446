//! AGENTS.md and the per-directory context: what a coding agent should
//! read first, from the index and from blobs at the indexed HEAD (never
//! the working tree, never Homer's own outputs), every list sorted with
//! its ties broken, so the same index renders the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use homer_read::Index;
use homer_vocab::attrs::SymbolKind;
use homer_vocab::{FileRole, SalienceClass, Workspace, outside_production};
use serde::Serialize;

use crate::RenderError;
use crate::snapshot::{Blobs, Coupling, FileHistory, FileRow, Snapshot, SymbolRow, is_production};

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
}

/// Options of `homer render` (documents).
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Where AGENTS.md goes, relative to the repository root.
    pub agents_path: Option<String>,
    /// Also write `.homer/context/<dir>.md` for directories with at least
    /// five files.
    pub per_dir: bool,
}

/// The region Homer owns in AGENTS.md, markers included.
fn agents_region(index: &Snapshot, blobs: &Blobs<'_>, name: &str) -> String {
    let mut s = String::new();
    let short = index.short_commit();
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

fn what_it_is(s: &mut String, index: &Snapshot, blobs: &Blobs<'_>) {
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
                "{} ({} file{}, {defs} definitions)",
                l,
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

fn commands(s: &mut String, index: &Snapshot, blobs: &Blobs<'_>) {
    let mut lines: Vec<String> = Vec::new();
    if index.files.contains_key("Cargo.toml") {
        lines
            .push("- Cargo (`Cargo.toml`): `cargo build`, `cargo test`, `cargo clippy`".to_owned());
    }
    if let Some(t) = blobs.text("package.json") {
        // Not JSON: no scripts to list.
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

fn architecture(s: &mut String, index: &Snapshot, prefix: &str) {
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

fn load_bearing(s: &mut String, index: &Snapshot, prefix: &str) {
    let files = index.ranked_files(prefix);
    if files.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Load-bearing code\n");
    let _ = writeln!(
        s,
        "Files that matter most (salience 0-1, comparable across repositories):\n"
    );
    for (f, _, ranking) in files.iter().take(TOP) {
        let _ = writeln!(
            s,
            "- `{f}` ({:.2}, {}): {}",
            ranking.salience,
            ranking.class.name(),
            ranking
                .reasons
                .iter()
                .take(2)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    let quiet: Vec<&String> = files
        .iter()
        .filter(|(_, _, r)| r.class == SalienceClass::LoadBearingQuiet)
        .map(|(f, _, _)| *f)
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
            path.starts_with(prefix) && !outside_production(&x.name) && x.certain_callers > 0
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
            let sig = x.signature.trim();
            let sig: String = sig.chars().take(100).collect();
            let _ = writeln!(
                s,
                "- `{}` ({}, {} caller{}): `{sig}`",
                x.name,
                x.kind.name(),
                x.certain_callers,
                if x.certain_callers == 1 { "" } else { "s" }
            );
        }
    }
    s.push('\n');
}

fn danger(s: &mut String, index: &Snapshot, prefix: &str) {
    let files = index.ranked_files(prefix);
    // Hotspots and silos are classes of files with a history.
    let with_class = |class: SalienceClass| -> Vec<(&String, &FileHistory)> {
        files
            .iter()
            .filter(|(_, _, r)| r.class == class)
            .filter_map(|(f, row, _)| Some((*f, row.history.as_ref()?)))
            .take(TOP)
            .collect()
    };
    let hot = with_class(SalienceClass::Hotspot);
    let silos = with_class(SalienceClass::KnowledgeSilo);
    if hot.is_empty() && silos.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Hotspots and danger zones\n");
    for (f, h) in hot {
        let _ = writeln!(
            s,
            "- `{f}`: hotspot, central and changed in {} commits; review changes here with care",
            h.commits
        );
    }
    for (f, h) in silos {
        let _ = writeln!(
            s,
            "- `{f}`: knowledge silo, {} wrote {:.0}% of its lines",
            h.main_author,
            100.0 * h.main_author_share
        );
    }
    s.push('\n');
}

fn coupling(s: &mut String, index: &Snapshot, prefix: &str) {
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

fn conventions(s: &mut String, index: &Snapshot) {
    let mut lines: Vec<String> = Vec::new();
    let tests: Vec<&String> = index
        .files
        .keys()
        .filter(|p| FileRole::of_path(p) == Some(FileRole::Test))
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

/// The repository's name: its manifest's package name, else its root
/// directory's.
fn repo_name(workspace: &Workspace, blobs: &Blobs<'_>) -> String {
    let from_toml = |path: &str, table: &str| -> Option<String> {
        // A manifest that does not parse gives no name; the next one may.
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
pub fn render(opened: &Index, options: &RenderOptions) -> Result<Rendered, RenderError> {
    let workspace = opened.workspace();
    let index = Snapshot::load(opened)?;
    let mut out = Rendered {
        written: Vec::new(),
        unchanged: Vec::new(),
        commit: index.commit.clone(),
    };
    let blobs = Blobs::new(&index, opened);
    let region = agents_region(&index, &blobs, &repo_name(workspace, &blobs));
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
        for (dir, text) in directory_contexts(&index) {
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

fn directory_contexts(index: &Snapshot) -> Vec<(String, String)> {
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
        load_bearing(&mut s, index, &prefix);
        danger(&mut s, index, &prefix);
        coupling(&mut s, index, &prefix);
        out.push((dir.clone(), s));
    }
    out
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
