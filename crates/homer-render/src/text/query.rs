//! `homer query` as text: one target's neighbourhood, in at most 80 columns
//! (but the names of an ambiguous name's candidates, which are never cut);
//! a listed name too long for its line loses its middle, never its end or
//! the numbers after it.

use std::fmt::Write;

use homer_read::{
    Call, CommitBrief, DirView, FileView, HistoryView, Link, QueryOutcome, SymbolView, View,
};

use super::plural;

const WIDTH: usize = 80;

/// The neighbourhood view as the terminal shows it.
#[must_use]
pub fn query(outcome: &QueryOutcome) -> String {
    let mut s = String::new();
    match outcome {
        QueryOutcome::Found { warnings, view } => {
            for w in warnings {
                crate::report::wrap(&mut s, &format!("! {w}"), "  ", WIDTH);
            }
            match view {
                View::File(f) => file(&mut s, f),
                View::Directory(d) => directory(&mut s, d),
                View::Symbol(v) => symbol(&mut s, v),
            }
        }
        QueryOutcome::Ambiguous { target, candidates } => {
            line(
                &mut s,
                &format!("'{target}' names {} symbols:", candidates.len()),
            );
            // Each name whole, as `homer query` takes it back: a name cut
            // to the width, or with its line glued on, would not be found.
            for c in candidates {
                let at = c.line.map_or(String::new(), |l| format!(", line {l}"));
                let _ = writeln!(s, "  {}  [{}{at}]", c.symbol, c.kind);
            }
            line(&mut s, "query one of them by its full name");
        }
        QueryOutcome::Unknown {
            target,
            suggestions,
        } => {
            line(&mut s, &format!("nothing indexed is called '{target}'"));
            if !suggestions.is_empty() {
                line(&mut s, "did you mean:");
                for n in suggestions {
                    line(&mut s, &format!("  {n}"));
                }
            }
        }
    }
    s
}

/// Appends `text` cut to the terminal width.
fn line(s: &mut String, text: &str) {
    if text.chars().count() > WIDTH {
        let cut: String = text.chars().take(WIDTH - 1).collect();
        let _ = writeln!(s, "{cut}…");
    } else {
        let _ = writeln!(s, "{text}");
    }
}

/// Appends `before`, `name` and `after` as one line, within the width: a
/// name too long for it loses its middle, not its end nor what follows
/// it (a caller's `(3×)`, a file's weight, the symbol a long path ends
/// in), which a cut at the width took.
fn entry(s: &mut String, before: &str, name: &str, after: &str) {
    let room = WIDTH.saturating_sub(before.chars().count() + after.chars().count());
    let length = name.chars().count();
    if length <= room || room < 16 {
        line(s, &format!("{before}{name}{after}"));
        return;
    }
    let head = room / 3;
    let tail = room - head - 1;
    let first: String = name.chars().take(head).collect();
    let last: String = name.chars().skip(length - tail).collect();
    line(s, &format!("{before}{first}…{last}{after}"));
}

fn heading(s: &mut String, title: &str) {
    s.push('\n');
    line(s, title);
}

fn pct(p: Option<f64>) -> String {
    p.map_or("-".to_owned(), |p| {
        format!("top {:.0}%", (100.0 * (1.0 - p)).max(1.0))
    })
}

fn number(w: f64) -> String {
    if (w - w.round()).abs() < 1e-9 {
        format!("{w:.0}")
    } else {
        format!("{w:.1}")
    }
}

fn history(s: &mut String, h: &HistoryView) {
    line(
        s,
        &format!(
            "history     {}, +{} -{} lines, {}",
            plural(u64::try_from(h.commits).unwrap_or(0), "commit", "commits"),
            h.lines_added,
            h.lines_deleted,
            plural(u64::try_from(h.authors).unwrap_or(0), "author", "authors")
        ),
    );
    let ago = |d: Option<i64>| match d {
        Some(0) => " (HEAD's day)".to_owned(),
        Some(1) => " (1 day before HEAD)".to_owned(),
        Some(d) if d < 60 => format!(" ({d} days before HEAD)"),
        #[allow(clippy::cast_precision_loss, reason = "days are small")]
        Some(d) if d < 730 => format!(" ({:.0} months before HEAD)", d as f64 / 30.44),
        #[allow(clippy::cast_precision_loss, reason = "days are small")]
        Some(d) => format!(" ({:.1} years before HEAD)", d as f64 / 365.25),
        None => String::new(),
    };
    line(
        s,
        &format!(
            "first       {}{}",
            homer_read::utc_date(h.first_change),
            ago(h.age_days)
        ),
    );
    line(
        s,
        &format!(
            "last        {}{}",
            homer_read::utc_date(h.last_change),
            ago(h.days_since_change)
        ),
    );
    if !h.owners.is_empty() {
        heading(s, "owners (share of added lines)");
        for o in &h.owners {
            line(
                s,
                &format!(
                    "  {:>4.0}%  {} ({})",
                    100.0 * o.share,
                    o.author,
                    plural(u64::from(o.commits), "commit", "commits")
                ),
            );
        }
    }
}

fn links(s: &mut String, title: &str, list: &[Link]) {
    if list.is_empty() {
        return;
    }
    heading(s, title);
    for l in list {
        let indent = "  ".repeat(l.depth);
        // An include of `net.h` imports `net.c` beside it too (its
        // definitions are what the calls reach): said, so that the list
        // does not seem to claim an `#include "net.c"`.
        let header = implemented_header(&l.path, list);
        let through = header.map_or_else(String::new, |h| format!("; implements {h}"));
        entry(
            s,
            &indent,
            &l.path,
            &format!("  ({}{through})", number(l.weight)),
        );
    }
}

/// For a C or C++ source file among a file's imports, the header beside
/// it (same directory and stem) that is imported too.
fn implemented_header<'a>(path: &str, list: &'a [Link]) -> Option<&'a str> {
    const SOURCES: [&str; 7] = ["c", "cc", "cpp", "cxx", "c++", "m", "mm"];
    const HEADERS: [&str; 5] = ["h", "hh", "hpp", "hxx", "h++"];
    let (stem, ext) = path.rsplit_once('.')?;
    if !SOURCES.contains(&ext) {
        return None;
    }
    list.iter().map(|l| l.path.as_str()).find(|other| {
        other
            .rsplit_once('.')
            .is_some_and(|(s, e)| s == stem && HEADERS.contains(&e))
    })
}

fn commits(s: &mut String, list: &[CommitBrief]) {
    if list.is_empty() {
        return;
    }
    heading(s, "last commits");
    for c in list {
        let short = &c.id[..c.id.len().min(8)];
        line(
            s,
            &format!("  {short} {} {}: {}", c.date, c.author, c.subject),
        );
    }
}

fn file(s: &mut String, f: &FileView) {
    line(
        s,
        &format!(
            "{}  [file{}]",
            f.path,
            f.language
                .as_deref()
                .map_or(String::new(), |l| format!(", {l}"))
        ),
    );
    if let Some(sal) = &f.salience {
        line(s, &format!("salience    {:.2}, {}", sal.score, sal.class));
        for r in &sal.reasons {
            line(s, &format!("            - {r}"));
        }
    }
    line(s, &format!("pagerank    {}", pct(f.pagerank_pct)));
    if let Some(c) = &f.community {
        line(s, &format!("community   {c}"));
    }
    if let Some(h) = &f.history {
        history(s, h);
    }
    if !f.defines.is_empty() {
        heading(
            s,
            &format!("defines ({} of {})", f.defines.len(), f.definitions),
        );
        for d in &f.defines {
            let at = d.lines.map_or(String::new(), |l| format!(":{}", l.0));
            let sig = d.signature.as_deref().unwrap_or(&d.symbol);
            line(s, &format!("  {at:<6} {}", sig.trim()));
        }
    }
    links(s, "imports", &f.imports);
    links(s, "imported by", &f.imported_by);
    links(s, "calls into (calls)", &f.calls_into);
    links(s, "called from (calls)", &f.called_from);
    if !f.co_changes.is_empty() {
        heading(s, "changes with (degree %, shared commits)");
        for c in &f.co_changes {
            let hidden = if c.hidden { "  hidden coupling" } else { "" };
            entry(
                s,
                "  ",
                &c.path,
                &format!("  ({:.0}%, {}){hidden}", c.degree, c.shared),
            );
        }
    }
    commits(s, &f.recent_commits);
}

fn directory(s: &mut String, d: &DirView) {
    line(s, &format!("{}/  [directory, {} files]", d.path, d.files));
    if let Some(t) = d.truck_factor {
        line(s, &format!("truck factor {t}"));
    }
    if let Some(h) = &d.history {
        history(s, h);
    }
    if !d.top_files.is_empty() {
        heading(s, "most salient files");
        for f in &d.top_files {
            entry(
                s,
                &format!("  {:.2}  ", f.salience.unwrap_or(0.0)),
                &f.path,
                &format!("  ({})", f.class.as_deref().unwrap_or("-")),
            );
        }
    }
    commits(s, &d.recent_commits);
}

fn calls(s: &mut String, title: &str, list: &[Call], total: usize) {
    if list.is_empty() {
        return;
    }
    heading(s, title);
    for c in list {
        let indent = "  ".repeat(c.depth);
        let guess = if c.confidence < 1.0 {
            format!(", guess {:.2}", c.confidence)
        } else {
            String::new()
        };
        entry(
            s,
            &indent,
            &c.symbol,
            &format!("  ({}×{guess})", number(c.count)),
        );
    }
    let shown = list.iter().filter(|c| c.depth == 1).count();
    if total > shown {
        line(
            s,
            &format!("  … and {} more (--limit to see them)", total - shown),
        );
    }
}

fn symbol(s: &mut String, v: &SymbolView) {
    let at = v.lines.map_or(String::new(), |(a, b)| format!(":{a}-{b}"));
    line(s, &format!("{}  [{}]", v.name, v.kind));
    line(s, &format!("in          {}{at}", v.path));
    if let Some(sig) = &v.signature {
        line(s, &format!("signature   {}", sig.trim()));
    }
    if let Some(doc) = &v.doc {
        let lines: Vec<&str> = doc.lines().filter(|l| !l.trim().is_empty()).collect();
        // Its first lines as one paragraph wrapped to the width: cut at the
        // width, each source line read as if a word were missing.
        let text: Vec<&str> = lines.iter().take(6).map(|l| l.trim()).collect();
        let mut wrapped = String::new();
        crate::report::wrap(&mut wrapped, &text.join(" "), "", WIDTH - 12);
        for (j, part) in wrapped.lines().enumerate() {
            let label = if j == 0 { "doc" } else { "" };
            let _ = writeln!(s, "{label:<12}{part}");
        }
    }
    line(s, &format!("pagerank    {}", pct(v.pagerank_pct)));
    line(
        s,
        &format!(
            "file        salience {}, {}",
            v.file
                .salience
                .map_or("-".to_owned(), |x| format!("{x:.2}")),
            v.file.class.as_deref().unwrap_or("-")
        ),
    );
    calls(s, "callers", &v.callers, v.callers_total);
    calls(s, "callees", &v.callees, v.callees_total);
    if !v.similar.is_empty() {
        // The cosines of one repository's static vectors bunch high: the
        // mean with every text says where "unrelated" lies on them.
        heading(
            s,
            &match v.typical_cosine {
                Some(t) => {
                    format!("similar in meaning (cosine; {t:.2} with the average text here)")
                }
                None => "similar in meaning (cosine)".to_owned(),
            },
        );
        for n in &v.similar {
            entry(s, &format!("  {:.2}  ", n.cosine), &n.name, "");
        }
    }
}

#[cfg(test)]
mod tests {
    use homer_read::{FileBrief, SymbolView};

    use super::*;

    /// hiredis.c's imports listed `net.c` as if it were included.
    #[test]
    fn an_implementation_imported_with_its_header_says_so() {
        let link = |path: &str| Link {
            path: path.to_owned(),
            weight: 1.0,
            depth: 1,
        };
        let list = [
            link("net.c"),
            link("net.h"),
            link("sds.h"),
            link("src/util.cpp"),
            link("util.hpp"),
        ];
        let mut s = String::new();
        links(&mut s, "imports", &list);
        assert_eq!(
            s.lines().collect::<Vec<_>>(),
            [
                "",
                "imports",
                "  net.c  (1; implements net.h)",
                "  net.h  (1)",
                "  sds.h  (1)",
                "  src/util.cpp  (1)",
                "  util.hpp  (1)"
            ]
        );
    }

    /// A function's view with nothing known of it but its place.
    fn bare_symbol(path: &str, name: &str) -> SymbolView {
        SymbolView {
            symbol: format!("{path}::{name}"),
            path: path.to_owned(),
            name: name.to_owned(),
            kind: "function".to_owned(),
            signature: None,
            doc: None,
            lines: None,
            pagerank_pct: None,
            callers: Vec::new(),
            callers_total: 0,
            callees: Vec::new(),
            callees_total: 0,
            file: FileBrief {
                path: path.to_owned(),
                salience: None,
                class: None,
            },
            similar: Vec::new(),
            typical_cosine: None,
        }
    }

    #[test]
    fn a_long_doc_is_wrapped_whole_within_the_width() {
        let doc = "Allows to start sending data to the client even though later parts of\n\
                   the response body have not yet been generated.\n\n\
                   The close parameter says whether the stream is closed after the block.";
        let view = SymbolView {
            signature: Some("def stream(keep_open = false)".to_owned()),
            doc: Some(doc.to_owned()),
            lines: Some((513, 526)),
            ..bare_symbol("lib/base.rb", "stream")
        };
        let mut s = String::new();
        symbol(&mut s, &view);
        assert!(s.lines().all(|l| l.chars().count() <= WIDTH), "{s}");
        assert!(!s.contains('…'), "{s}");
        let words: Vec<&str> = s
            .lines()
            .filter(|l| l.starts_with("doc ") || l.starts_with("            "))
            .flat_map(|l| l.get(12..).unwrap_or("").split_whitespace())
            .collect();
        let expected: Vec<&str> = doc.split_whitespace().collect();
        assert_eq!(words, expected, "{s}");
    }

    /// Similar definitions' cosines come with the mean over the index,
    /// the scale they are read on (0.96 means little where 0.84 is usual).
    #[test]
    fn similar_definitions_say_what_a_usual_cosine_is() {
        let mut view = SymbolView {
            similar: vec![homer_read::Similar {
                name: "a.py::retry".to_owned(),
                cosine: 0.9622,
            }],
            typical_cosine: Some(0.84),
            ..bare_symbol("s.py", "send")
        };
        let mut s = String::new();
        symbol(&mut s, &view);
        assert!(
            s.contains(
                "similar in meaning (cosine; 0.84 with the average text here)\n  0.96  a.py::retry"
            ),
            "{s}"
        );
        view.typical_cosine = None;
        let mut s = String::new();
        symbol(&mut s, &view);
        assert!(s.contains("similar in meaning (cosine)\n"), "{s}");
    }

    /// A name too long for the line loses its middle: the count after it
    /// and the symbol it ends in stay (javapoet's callers were cut to
    /// `MethodSpecTest.withP…` and `CodeBlock.Builder.add  (1…`).
    #[test]
    fn a_long_name_keeps_its_end_and_what_follows() {
        let long = "src/test/java/com/squareup/javapoet/MethodSpecTest.java::MethodSpecTest.withParameterJavaDoc";
        let list = [homer_read::Call {
            symbol: long.to_owned(),
            count: 12.0,
            confidence: 0.5,
            depth: 1,
        }];
        let mut s = String::new();
        calls(&mut s, "callers", &list, 1);
        let shown = s.lines().nth(2).expect("the caller's line");
        assert!(shown.chars().count() <= WIDTH, "{shown}");
        assert!(shown.starts_with("  src/test/java/"), "{shown}");
        assert!(
            shown.ends_with("…va::MethodSpecTest.withParameterJavaDoc  (12×, guess 0.50)"),
            "{shown}"
        );
        let mut short = String::new();
        entry(&mut short, "  ", "src/a.rs::f", "  (1×)");
        assert_eq!(short, "  src/a.rs::f  (1×)\n");
    }
}
