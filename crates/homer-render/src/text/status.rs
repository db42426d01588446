//! `homer status` as text, and the counts `homer update` prints.

use std::collections::BTreeMap;
use std::fmt::Write;

use homer_read::{Freshness, Status};

#[must_use]
pub fn count(map: &BTreeMap<String, u64>, kind: &str) -> u64 {
    map.get(kind).copied().unwrap_or(0)
}

#[must_use]
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn short(id: &str) -> &str {
    &id[..id.len().min(7)]
}

/// How `[history]` bounds the mined history, in words.
fn bound_line(bound: &homer_vocab::BoundedHistory) -> String {
    let scope = if bound.partial() {
        format!(
            "{} of {} commits reachable from HEAD mined, so churn, coupling and ownership cover only those",
            bound.mined, bound.reachable
        )
    } else {
        "every commit reachable from HEAD is within it".to_owned()
    };
    format!("bounded by [history] {}: {scope}", bound.setting())
}

/// How fresh the indexed commit is, in a few words and what to do.
fn freshness(freshness: &Freshness) -> String {
    match freshness {
        Freshness::UpToDate => "up to date".to_owned(),
        Freshness::NotIndexed => "HEAD not indexed yet; run `homer update`".to_owned(),
        Freshness::NoCommits => "empty (no commits)".to_owned(),
        Freshness::Behind { commits, at_least } => format!(
            "{}{} behind HEAD; run `homer update`",
            if *at_least { "at least " } else { "" },
            plural(*commits, "commit", "commits")
        ),
        Freshness::Diverged => {
            "HEAD no longer contains it (history rewritten or branch switched); run `homer update`"
                .to_owned()
        }
        Freshness::IndexedCommitMissing => {
            "that commit is gone from the repository; run `homer update`".to_owned()
        }
        Freshness::HeadGone => "the repository has no commits now; run `homer update`".to_owned(),
        Freshness::Partial { to, running } => format!(
            "an update to {} {} part way: some figures describe that commit{}",
            short(to),
            if *running { "is" } else { "was stopped" },
            if *running { "" } else { "; run `homer update`" }
        ),
    }
}

/// What is indexed and how fresh, as the terminal shows it.
#[must_use]
pub fn status(status: &Status) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "repository  {}", status.repository.display());
    let head = match (&status.head, &status.branch) {
        (Some(id), Some(branch)) => format!("{} on {branch}", short(id)),
        (Some(id), None) => format!("{} (detached)", short(id)),
        (None, Some(branch)) => format!("no commits yet on {branch}"),
        (None, None) => "no commits yet".to_owned(),
    };
    let _ = writeln!(s, "HEAD        {head}");
    let Some(stored) = &status.stored else {
        if status.update_running {
            let _ = writeln!(
                s,
                "index       none yet; a running `homer update` is building it"
            );
        } else {
            let _ = writeln!(s, "index       none yet; run `homer update`");
        }
        return s;
    };
    if status.update_running {
        let _ = writeln!(
            s,
            "update      a `homer update` is running; these figures move as it commits"
        );
    }
    let indexed = status.indexed_head.as_deref().map_or("nothing", short);
    let freshness = freshness(&status.freshness);
    let _ = writeln!(
        s,
        "index       {} (schema {}, revision {})",
        status.database.display(),
        status.schema.unwrap_or(0),
        status.revision
    );
    let _ = writeln!(s, "indexed     {indexed}: {freshness}");
    if !status.outdated_tasks.is_empty() {
        let _ = writeln!(
            s,
            "            made by another version of Homer: the next `homer update` redoes every {} task",
            status.outdated_tasks.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "at HEAD     {} in {}",
        plural(count(&stored.current, "file"), "file", "files"),
        plural(
            count(&stored.current, "directory"),
            "directory",
            "directories"
        ),
    );
    let history_files = count(&stored.history_only, "file");
    let gone = if history_files > 0 {
        format!(
            "; {} no longer at HEAD",
            plural(history_files, "file", "files")
        )
    } else {
        String::new()
    };
    let addresses = count(&stored.current, "author");
    let authors = match status.people {
        Some(people) if people != addresses => format!(
            "{} ({})",
            plural(people, "author", "authors"),
            plural(addresses, "e-mail address", "e-mail addresses")
        ),
        _ => plural(addresses, "author", "authors"),
    };
    let _ = writeln!(
        s,
        "history     {} by {authors}{gone}",
        plural(count(&stored.current, "commit"), "commit", "commits"),
    );
    if let Some(bound) = &status.history_bound {
        let _ = writeln!(s, "            {}", bound_line(bound));
    }
    if let Some(shallow) = &status.shallow {
        let _ = writeln!(s, "            {}", shallow.warning());
    }
    let _ = writeln!(s, "code        {}", code_line(stored));
    if let Some(line) = classes_line(stored) {
        let _ = writeln!(s, "salience    {line}");
    }
    let _ = writeln!(
        s,
        "search      {}",
        search_line(stored, status.vectors.unwrap_or("static"))
    );
    let tasks: u64 = stored.tasks.values().sum();
    let edges: u64 = stored.edges.values().sum();
    let _ = writeln!(
        s,
        "stored      {}, {}",
        plural(edges, "edge", "edges"),
        plural(tasks, "memoized task", "memoized tasks")
    );
    s
}

/// "N chunks; semantic search on (...)" or why it is off.
fn search_line(stored: &homer_vocab::StoredCounts, vectors: &str) -> String {
    let chunks = plural(stored.chunks, "chunk", "chunks");
    let (want, have) = (stored.texts_to_embed, stored.texts_embedded);
    if want == 0 {
        format!("{chunks}; nothing to embed")
    } else if have == want {
        format!(
            "{chunks}; text, semantic and hybrid search on ({want} texts embedded, {vectors} vectors)"
        )
    } else if have == 0 {
        format!(
            "{chunks}; text search on, semantic and hybrid off (no text embedded yet: `homer model fetch`, then `homer update`)"
        )
    } else {
        format!(
            "{chunks}; text search on, semantic and hybrid partial ({have} of {want} texts embedded, {vectors} vectors; `homer update` resumes)"
        )
    }
}

/// "N symbols in M files (Rust 40, Python 2); calls: ..." for status and
/// update.
#[must_use]
pub fn code_line(stored: &homer_vocab::StoredCounts) -> String {
    let code = &stored.code;
    let files: u64 = code.languages.values().sum();
    let mut languages: Vec<(&String, &u64)> = code.languages.iter().collect();
    // Most files first; ties by name (the map is sorted by name already).
    languages.sort_by(|a, b| b.1.cmp(a.1));
    let languages = languages
        .iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut line = format!(
        "{} in {}",
        plural(count(&stored.current, "symbol"), "symbol", "symbols"),
        plural(files, "parsed file", "parsed files"),
    );
    if !languages.is_empty() {
        let _ = write!(line, " ({languages})");
    }
    let calls = code.calls_certain + code.calls_guessed + code.calls_unresolved;
    if calls > 0 {
        // What no definition of the repository answers is mostly a
        // library's or a builtin (`printf`, `assert.equal`): measured
        // against type checkers, 85-99% of the calls into the repository
        // are found (docs/ACCURACY.md). "Unresolved" read as failure.
        let _ = write!(
            line,
            "; {}: {} resolved, {} guessed, {} to libraries or unknown",
            plural(calls, "call", "calls"),
            code.calls_certain,
            code.calls_guessed,
            code.calls_unresolved
        );
    }
    let skipped: u64 = code
        .skipped
        .iter()
        .filter(|(reason, _)| reason.is_notable())
        .map(|(_, n)| n)
        .sum();
    if skipped > 0 {
        let _ = write!(line, "; {} skipped", plural(skipped, "file", "files"));
    }
    line
}

/// "113 files ranked: 8 hotspot, 2 knowledge silo, ..." in a fixed order,
/// production classes first.
fn classes_line(stored: &homer_vocab::StoredCounts) -> Option<String> {
    use homer_vocab::SalienceClass as C;
    // Exhaustive: a new class must be given its place.
    let place = |c: C| match c {
        C::Hotspot => 0,
        C::KnowledgeSilo => 1,
        C::LoadBearingQuiet => 2,
        C::FrequentlyChanged => 3,
        C::Ordinary => 4,
        C::Peripheral => 5,
        C::Test => 6,
        C::Example => 7,
        C::Benchmark => 8,
        C::Generated => 9,
        C::Vendored => 10,
        C::Documentation => 11,
    };
    let total: u64 = stored.classes.values().sum();
    if total == 0 {
        return None;
    }
    let mut counted: Vec<(&C, &u64)> = stored.classes.iter().collect();
    counted.sort_by_key(|(c, _)| place(**c));
    let parts: Vec<String> = counted.iter().map(|(c, n)| format!("{n} {c}")).collect();
    Some(format!(
        "{} ranked: {}",
        plural(total, "file", "files"),
        parts.join(", ")
    ))
}
