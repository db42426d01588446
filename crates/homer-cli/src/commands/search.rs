//! `homer search`.

use std::fmt::Write;
use std::path::Path;

use anyhow::Context;
use homer_read::{Index, SearchMode, SearchOptions, SearchResults};

use crate::Found;
use crate::args::{ModeArg, SearchArgs};
use crate::output::Output;

pub(crate) fn run(repo: &Path, args: &SearchArgs, out: &Output) -> anyhow::Result<Found> {
    let query = args.query.join(" ");
    let options = SearchOptions {
        limit: args.limit,
        mode: match args.mode {
            ModeArg::Hybrid => SearchMode::Hybrid,
            ModeArg::Text => SearchMode::Text,
            ModeArg::Semantic => SearchMode::Semantic,
        },
        commits: args.commits,
    };
    let results = Index::open(repo)
        .and_then(|index| homer_read::search(&index, &query, &options))
        .with_context(|| format!("cannot search '{}'", repo.display()))?;
    if let Some(note) = &results.note {
        eprintln!("note: {note}");
    }
    if out.json() {
        out.print_json(&results)?;
    } else {
        out.print(&render(&results))?;
    }
    Ok(if results.hits.is_empty() {
        Found::Nothing
    } else {
        Found::Something
    })
}

fn render(results: &SearchResults) -> String {
    let mut s = String::new();
    for w in &results.warnings {
        let _ = writeln!(s, "! {w}");
    }
    if results.hits.is_empty() {
        s.push_str("nothing found\n");
        return s;
    }
    for (i, hit) in results.hits.iter().enumerate() {
        let place = match (&hit.path, hit.lines, &hit.commit) {
            (Some(path), Some((a, b)), _) if a == b => format!("{path}:{a}"),
            (Some(path), Some((a, b)), _) => format!("{path}:{a}-{b}"),
            (Some(path), None, _) => path.clone(),
            (None, _, Some(commit)) => format!("commit {}", &commit[..commit.len().min(10)]),
            _ => String::new(),
        };
        let name = hit
            .symbol
            .as_deref()
            .map_or(String::new(), |s| format!("  {s}"));
        let stale = if hit.stale {
            "  (changed since the last update)"
        } else {
            ""
        };
        let _ = writeln!(s, "{:>2}. {place}{name}  [{}]{stale}", i + 1, hit.kind);
        let snippet: String = hit.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
        let _ = writeln!(s, "    {snippet}");
    }
    s
}
