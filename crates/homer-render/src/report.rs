//! A [`Review`] for people (text that fits 100 columns, Markdown for a
//! pull-request comment) and for code-scanning services (SARIF 2.1.0).
//! The same review gives the same bytes in every format: nothing here
//! reads a clock or iterates a hash map.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::review::{ChangedFile, Level, Review};

/// Text for a terminal, lines of at most 100 columns (longer paths are
/// cut in the middle).
#[must_use]
#[allow(clippy::too_many_lines, reason = "one section after another")]
pub fn review_text(review: &Review) -> String {
    let mut s = String::new();
    let b = &review.basis;
    wrap(&mut s, &format!("review of {}", b.reviewed), "", 100);
    wrap(&mut s, &format!("from {}", b.note), "  ", 100);
    if let Some(history) = &b.history {
        wrap(&mut s, &format!("! {history}"), "  ", 100);
    }
    if review.changed.is_empty() {
        s.push_str("nothing changed\n");
        return s;
    }
    let by = if review.authors.is_empty() {
        String::new()
    } else {
        format!("; by {}", review.authors.join(", "))
    };
    wrap(
        &mut s,
        &format!("risk {:.2} ({}){by}", review.risk, review.level.name()),
        "  ",
        100,
    );
    let more = |s: &mut String, list: &str| {
        if let Some(n) = review.left_out.get(list) {
            let _ = writeln!(s, "  … {n} more left out");
        }
    };
    s.push_str("\nchanged (risk, lines +/-)\n");
    for c in &review.changed {
        let _ = writeln!(
            s,
            "  {:.2} {:<6} {}  +{} -{}{}",
            c.risk,
            c.level.name(),
            c.path,
            c.lines_added,
            c.lines_deleted,
            status_note(c)
        );
        for r in &c.reasons {
            wrap(&mut s, &format!("         - {r}"), "           ", 100);
        }
        if !c.definitions.is_empty() {
            let names: Vec<&str> = c
                .definitions
                .iter()
                .map(|d| {
                    d.symbol
                        .split_once("::")
                        .map_or(d.symbol.as_str(), |(_, q)| q)
                })
                .collect();
            wrap(
                &mut s,
                &format!("         edits {}", names.join(", ")),
                "               ",
                100,
            );
        }
    }
    more(&mut s, "changed");
    if !review.likely_forgotten.is_empty() {
        s.push_str("\nlikely forgotten (changes with, share of commits, shared commits)\n");
        for f in &review.likely_forgotten {
            let why = if f.explained {
                ""
            } else {
                "; no import or call explains it"
            };
            // Broken at spaces, never inside a path (a path cut in its
            // middle cannot be read back or opened).
            let line = format!(
                "  {}  with {} ({:.0}%, {}){why}",
                f.path, f.partner_of, f.degree, f.shared
            );
            wrap(&mut s, &line, "      ", 100);
        }
        more(&mut s, "likely_forgotten");
    }
    if !review.impact.is_empty() {
        s.push_str("\nimpact (calls what the change edits)\n");
        for i in &review.impact {
            let how = call_kind(i);
            let at = i.line.map(|l| format!(":{l}")).unwrap_or_default();
            let line = format!(
                "  {}{at}  {} hop{} to {} ({how})",
                i.symbol,
                i.hops,
                if i.hops == 1 { "" } else { "s" },
                short_symbol(&i.reaches)
            );
            wrap(&mut s, &line, "      ", 100);
        }
        more(&mut s, "impact");
    }
    if !review.tests.is_empty() {
        s.push_str("\ntests to run\n");
        for t in &review.tests {
            let what = t.symbol.as_deref().unwrap_or(&t.path);
            let at = t.line.map(|l| format!(":{l}")).unwrap_or_default();
            wrap(&mut s, &format!("  {what}{at}  {}", t.why), "      ", 100);
        }
        more(&mut s, "tests");
    }
    if !review.people.is_empty() {
        s.push_str("\npeople to ask (owner of N changed files, lines added)\n");
        for p in &review.people {
            let line = format!("  {}  ({}, {})", p.author, p.files, p.lines_added);
            wrap(&mut s, &line, "      ", 100);
        }
        more(&mut s, "people");
    }
    s
}

fn status_note(c: &ChangedFile) -> String {
    match (&c.old_path, c.indexed, c.located) {
        (Some(old), _, _) => format!("  (from {old})"),
        (None, false, _) => "  (not in the index)".to_owned(),
        _ => String::new(),
    }
}

/// `certain`, or `guessed 25%`.
fn call_kind(i: &crate::Impact) -> String {
    if i.certain {
        "certain".to_owned()
    } else {
        format!("guessed {:.0}%", 100.0 * i.confidence)
    }
}

fn short_symbol(symbol: &str) -> &str {
    symbol.split_once("::").map_or(symbol, |(_, q)| q)
}

/// Appends `text` as lines of at most `width` characters, broken at
/// spaces: the first line keeps the text's own leading spaces, the others
/// start with `indent` (a word longer than a line is cut with [`fit`]); a
/// text that fits is appended as it is.
pub(crate) fn wrap(out: &mut String, text: &str, indent: &str, width: usize) {
    // A text that fits is kept as it is, its spacing too.
    if text.chars().count() <= width {
        out.push_str(text);
        out.push('\n');
        return;
    }
    let body = text.trim_start_matches(' ');
    let mut line = text[..text.len() - body.len()].to_owned();
    let mut start = line.chars().count();
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        let len = line.chars().count();
        let gap = usize::from(len > start);
        if len > start && len + gap + word.chars().count() > width {
            out.push_str(&fit(&line, width));
            out.push('\n');
            indent.clone_into(&mut line);
            start = line.chars().count();
        } else if gap == 1 {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&fit(&line, width));
    out.push('\n');
}

/// `text` cut to `width` characters, in the middle, with `…`.
fn fit(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        return text.to_owned();
    }
    let keep = width.saturating_sub(1);
    let head: String = text.chars().take(keep / 2).collect();
    let tail: String = text.chars().skip(n - (keep - keep / 2)).collect();
    format!("{head}…{tail}")
}

/// Markdown for a pull-request comment: a summary line, then a table per
/// list.
#[must_use]
#[allow(clippy::too_many_lines, reason = "one section after another")]
pub fn review_markdown(review: &Review) -> String {
    let mut s = String::new();
    let b = &review.basis;
    let badge = match review.level {
        Level::High => "🔴 high",
        Level::Medium => "🟠 medium",
        Level::Low => "🟢 low",
    };
    let _ = writeln!(s, "### Homer review: risk {:.2} ({badge})\n", review.risk);
    let _ = writeln!(
        s,
        "Review of {}, from {}.\n",
        cell(&b.reviewed),
        cell(&b.note)
    );
    if let Some(history) = &b.history {
        let _ = writeln!(s, "⚠️ {}.\n", cell(history));
    }
    if review.changed.is_empty() {
        s.push_str("Nothing changed.\n");
        return s;
    }
    let more = |s: &mut String, list: &str| {
        if let Some(n) = review.left_out.get(list) {
            let _ = writeln!(s, "\n… {n} more left out.");
        }
    };
    s.push_str("| risk | file | lines | why |\n|---|---|---|---|\n");
    for c in &review.changed {
        let mut why = c.reasons.clone();
        if !c.definitions.is_empty() {
            let names: Vec<String> = c
                .definitions
                .iter()
                .take(8)
                .map(|d| format!("`{}`", short_symbol(&d.symbol)))
                .collect();
            why.push(format!("edits {}", names.join(", ")));
        }
        let _ = writeln!(
            s,
            "| {:.2} {} | `{}` | +{} −{} | {} |",
            c.risk,
            c.level.name(),
            cell(&c.path),
            c.lines_added,
            c.lines_deleted,
            cell(&why.join("; "))
        );
    }
    more(&mut s, "changed");
    if !review.likely_forgotten.is_empty() {
        s.push_str(
            "\n**Likely forgotten**: files that usually change with these but are not in the change\n\n",
        );
        s.push_str("| file | changes with | share | shared commits | explained by code |\n|---|---|---|---|---|\n");
        for f in &review.likely_forgotten {
            let _ = writeln!(
                s,
                "| `{}` | `{}` | {:.0}% | {} | {} |",
                cell(&f.path),
                cell(&f.partner_of),
                f.degree,
                f.shared,
                if f.explained { "yes" } else { "no" }
            );
        }
        more(&mut s, "likely_forgotten");
    }
    if !review.impact.is_empty() {
        s.push_str("\n**Impact**: definitions elsewhere that call what the change edits\n\n");
        s.push_str("| caller | reaches | hops | call |\n|---|---|---|---|\n");
        for i in &review.impact {
            let how = call_kind(i);
            let _ = writeln!(
                s,
                "| `{}` | `{}` | {} | {how} |",
                cell(&i.symbol),
                cell(short_symbol(&i.reaches)),
                i.hops
            );
        }
        more(&mut s, "impact");
    }
    if !review.tests.is_empty() {
        s.push_str("\n**Tests to run**\n\n");
        for t in &review.tests {
            let what = t.symbol.as_deref().unwrap_or(&t.path);
            let _ = writeln!(s, "- `{}`: {}", cell(what), cell(&t.why));
        }
        more(&mut s, "tests");
    }
    if !review.people.is_empty() {
        let names: Vec<String> = review
            .people
            .iter()
            .map(|p| {
                format!(
                    "{} ({} file{})",
                    cell(&p.author),
                    p.files,
                    if p.files == 1 { "" } else { "s" }
                )
            })
            .collect();
        let _ = writeln!(s, "\n**People to ask**: {}", names.join(", "));
    }
    let _ = writeln!(
        s,
        "\n<sub>`homer review` at index {}</sub>",
        &b.indexed_commit[..b.indexed_commit.len().min(12)]
    );
    s
}

/// A table cell: pipes escaped, line breaks flattened.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The rules a SARIF log of a review reports under.
const RULES: [(&str, &str, &str); 4] = [
    (
        "homer/risky-change",
        "A changed file that matters: salient, often changed, a large change, or changed by someone who has not changed it before.",
        "A change to this file deserves a careful review.",
    ),
    (
        "homer/likely-forgotten",
        "A file that usually changes together with a changed file, but is not in the change.",
        "Check whether this file needs the same change.",
    ),
    (
        "homer/impact",
        "A definition that calls a definition the change edits.",
        "Check that this caller still works with the change.",
    ),
    (
        "homer/test-to-run",
        "A test that reaches the changed code through calls, or a test file that changes with a changed file.",
        "Run this test.",
    ),
];

/// A SARIF 2.1.0 log: one result per risky changed file (error when high,
/// warning when medium, note when low), per likely forgotten file
/// (warning), per caller (note) and per test to run (note).
#[must_use]
#[allow(clippy::too_many_lines, reason = "one section after another")]
pub fn review_sarif(review: &Review) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, short, help)| {
            json!({
                "id": id,
                "shortDescription": {"text": short},
                "help": {"text": help},
            })
        })
        .collect();
    let location = |path: &str, line: Option<u32>| {
        let mut physical = json!({"artifactLocation": {"uri": path, "uriBaseId": "SRCROOT"}});
        if let Some(l) = line.filter(|&l| l > 0) {
            physical["region"] = json!({"startLine": l});
        }
        json!({"physicalLocation": physical})
    };
    let result = |rule: usize, level: &str, text: String, at: Value| {
        json!({
            "ruleId": RULES[rule].0,
            "ruleIndex": rule,
            "level": level,
            "message": {"text": text},
            "locations": [at],
        })
    };
    let mut results = Vec::new();
    for c in &review.changed {
        let level = match c.level {
            Level::High => "error",
            Level::Medium => "warning",
            Level::Low => "note",
        };
        let mut text = format!("Risk {:.2} ({})", c.risk, c.level.name());
        if !c.reasons.is_empty() {
            let _ = write!(text, ": {}", c.reasons.join("; "));
        }
        text.push('.');
        let line = c.definitions.first().map(|d| d.lines.0);
        let mut r = result(0, level, text, location(&c.path, line));
        r["properties"] = json!({"risk": c.risk});
        results.push(r);
    }
    for f in &review.likely_forgotten {
        let explained = if f.explained {
            "an import or a call links them"
        } else {
            "no import or call explains it"
        };
        let text = format!(
            "Changes with {} in {:.0}% of their commits ({} shared), but is not in this change; {explained}.",
            f.partner_of, f.degree, f.shared
        );
        results.push(result(1, "warning", text, location(&f.path, None)));
    }
    for i in &review.impact {
        let how = if i.certain {
            "a call resolved with certainty".to_owned()
        } else {
            format!("a guessed call ({:.0}%)", 100.0 * i.confidence)
        };
        let text = format!(
            "{} reaches {}, which the change edits, in {} hop{} through {how}.",
            short_symbol(&i.symbol),
            short_symbol(&i.reaches),
            i.hops,
            if i.hops == 1 { "" } else { "s" }
        );
        results.push(result(2, "note", text, location(&i.path, i.line)));
    }
    for t in &review.tests {
        let what = t.symbol.as_deref().map_or(t.path.as_str(), short_symbol);
        let text = format!("Run {what}: it {}.", t.why);
        results.push(result(3, "note", text, location(&t.path, t.line)));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "homer",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"SRCROOT": {"description": {"text": "The repository's root."}}},
            "properties": {
                "reviewed": review.basis.reviewed,
                "base": review.basis.base,
                "end": review.basis.end,
                "basis": review.basis.note,
                "history": review.basis.history,
                "indexedCommit": review.basis.indexed_commit,
                "risk": review.risk,
                "level": review.level.name(),
            },
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_wrapped_at_spaces_within_its_width() {
        let mut s = String::new();
        wrap(
            &mut s,
            "from the index at 1234567, neither end of the change: a file",
            "  ",
            24,
        );
        assert_eq!(
            s,
            "from the index at\n  1234567, neither end\n  of the change: a file\n"
        );
        for line in s.lines() {
            assert!(line.chars().count() <= 24, "{line}");
        }
        let mut s = String::new();
        wrap(&mut s, "         - short", "           ", 100);
        assert_eq!(s, "         - short\n");
    }

    #[test]
    fn a_review_line_breaks_between_paths_and_keeps_its_spacing_when_it_fits() {
        // A line that fits keeps its two-space column gap.
        let mut s = String::new();
        wrap(&mut s, "  a.rs  (2, 197)", "      ", 100);
        assert_eq!(s, "  a.rs  (2, 197)\n");
        // A longer one is broken at a space; no path is cut.
        let (a, b) = (
            "os/watch/test/src/WatchTests.scala",
            "os/watch/src/package.scala",
        );
        let line = format!("  {a}  with {b} (38%, 5); no import or call explains it");
        let mut s = String::new();
        wrap(&mut s, &line, "      ", 60);
        assert!(s.contains(a) && s.contains(b), "{s}");
        assert!(!s.contains('…'), "{s}");
        assert!(s.lines().all(|l| l.chars().count() <= 60), "{s}");
    }

    #[test]
    fn long_text_is_cut_in_the_middle_to_its_width() {
        assert_eq!(fit("short", 10), "short");
        let cut = fit("src/a/very/long/path/to/some/file.rs", 20);
        assert_eq!(cut.chars().count(), 20);
        assert!(
            cut.starts_with("src/a/ver") && cut.ends_with("/file.rs"),
            "{cut}"
        );
    }
}
