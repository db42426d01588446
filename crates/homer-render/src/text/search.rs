//! `homer search` as text.

use std::fmt::Write;

use homer_read::SearchResults;

/// Ranked hits as the terminal shows them, warnings first.
#[must_use]
pub fn search(results: &SearchResults) -> String {
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
