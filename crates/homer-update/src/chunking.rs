//! Search chunks of one file: a chunk per definition (its doc and code),
//! or, for a file without definitions (docs, configs, scripts), chunks of
//! its text. Long bodies are cut into parts at blank lines, each part
//! after the first starting with the definition's first line again, so
//! every part says what it belongs to. Pure: text in, chunks out.

use homer_syntax::{DefKind, FileFacts};

use homer_vocab::text::{identifier_parts, path_words};

/// Lines and characters a part holds at most (the model reads about 256
/// tokens, some 1,000 characters of code; the text index takes it all).
const PART_LINES: usize = 40;
const PART_CHARS: usize = 1600;
/// How far back from the limit a cut looks for a blank line.
const CUT_WINDOW: usize = 15;
/// Longer lines are cut (a minified line would fill a part alone).
const LINE_CHARS: usize = 400;

/// What a chunk is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum About {
    /// A definition of the file, by its qualified name.
    Symbol(String),
    /// The file itself.
    File,
}

/// One chunk, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChunkData {
    pub about: About,
    pub title: String,
    pub body: String,
    pub words: String,
    pub lines: (u32, u32),
}

/// Files whose text nobody searches for: lockfiles, minified code and
/// source maps, tabular data and logs, and the inputs kept for tests
/// (`tests/data/`, `testdata/`). Their text would crowd the index (a
/// benchmark's raw CSV is mostly unique numbers) and answer no question.
fn is_noise(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if matches!(
        name,
        "Cargo.lock"
            | "package-lock.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "bun.lockb"
            | "go.sum"
            | "poetry.lock"
            | "Gemfile.lock"
            | "composer.lock"
    ) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    let data_end = [
        ".lock", ".min.js", ".map", ".csv", ".tsv", ".psv", ".dat", ".log", ".jsonl", ".ndjson",
    ];
    if data_end.iter().any(|end| lower.ends_with(end)) {
        return true;
    }
    let dirs: Vec<&str> = path.split('/').collect();
    let dirs = &dirs[..dirs.len() - 1];
    dirs.iter()
        .any(|d| matches!(*d, "testdata" | "test_data" | "test-data"))
        || dirs
            .windows(2)
            .any(|w| matches!(w[0], "test" | "tests") && matches!(w[1], "data" | "fixtures"))
}

/// A 1-based line number as stored.
fn line_no(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The chunks of a file at `path` with this text and these facts (none
/// for a file Homer does not parse).
pub(crate) fn chunks(path: &str, text: &str, facts: Option<&FileFacts>) -> Vec<ChunkData> {
    if is_noise(path) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let path_words = path_words(path);
    let definitions = facts.map_or(&[][..], |f| f.definitions.as_slice());
    let mut out = Vec::new();
    if definitions.is_empty() {
        for (first, last) in parts(&lines, 1, lines.len(), None) {
            let body = join(&lines, first, last, None);
            if body.trim().is_empty() {
                continue;
            }
            out.push(ChunkData {
                about: About::File,
                title: path.to_owned(),
                words: words(path, &body, &path_words),
                body,
                lines: (line_no(first), line_no(last)),
            });
        }
        return out;
    }
    for (i, d) in definitions.iter().enumerate() {
        let start = d.span.start_line as usize;
        let mut end = (d.span.end_line as usize).min(lines.len()).max(start);
        // A class, module or trait keeps what comes before its first
        // member: the members have chunks of their own.
        if is_container(d.kind)
            // Definition indices are u32 in the facts: `i` fits.
            && let Some(child) = definitions[i + 1..]
                .iter()
                .find(|c| c.parent == u32::try_from(i).ok())
        {
            end = end.min(
                (child.span.start_line as usize)
                    .saturating_sub(1)
                    .max(start),
            );
        }
        if start == 0 || start > lines.len() {
            continue;
        }
        let head = lines[start - 1].trim_end();
        let doc = d.doc.as_deref().filter(|doc| {
            let first = doc.lines().next().unwrap_or("");
            !first.is_empty() && !join(&lines, start, end, None).contains(first)
        });
        for (n, (first, last)) in parts(&lines, start, end, Some(start))
            .into_iter()
            .enumerate()
        {
            let repeat = (n > 0).then_some(head);
            let mut body = String::new();
            if let (0, Some(doc)) = (n, doc) {
                body.push_str(doc);
                body.push('\n');
            }
            body.push_str(&join(&lines, first, last, repeat));
            out.push(ChunkData {
                about: About::Symbol(d.qualified.clone()),
                title: d.qualified.clone(),
                words: words(&d.qualified, &body, &path_words),
                body,
                lines: (line_no(first), line_no(last)),
            });
        }
    }
    out
}

fn is_container(kind: DefKind) -> bool {
    matches!(
        kind,
        DefKind::Class | DefKind::Trait | DefKind::Interface | DefKind::Module
    )
}

fn words(title: &str, body: &str, path_words: &str) -> String {
    let mut w = identifier_parts(title);
    let body_parts = identifier_parts(body);
    for part in [body_parts.as_str(), path_words] {
        if !part.is_empty() {
            if !w.is_empty() {
                w.push(' ');
            }
            w.push_str(part);
        }
    }
    w
}

/// Lines `first..=last` (1-based) as text, each cut at `LINE_CHARS`, after
/// `repeat` (a definition's first line) and an elision mark.
fn join(lines: &[&str], first: usize, last: usize, repeat: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(head) = repeat {
        s.push_str(head);
        s.push_str("\n    ...\n");
    }
    for line in &lines[first.saturating_sub(1)..last.min(lines.len())] {
        let cut: String = line.chars().take(LINE_CHARS).collect();
        s.push_str(cut.trim_end());
        s.push('\n');
    }
    s.truncate(s.trim_end().len());
    s
}

/// Cuts lines `start..=end` into parts of at most `PART_LINES` lines and
/// about `PART_CHARS` characters, preferring to cut after a blank line.
/// `head` is the line repeated at the top of later parts (it counts
/// against their size).
fn parts(lines: &[&str], start: usize, end: usize, head: Option<usize>) -> Vec<(usize, usize)> {
    let head_chars = head.map_or(0, |h| lines[h - 1].len().min(LINE_CHARS) + 9);
    let mut out = Vec::new();
    let mut first = start;
    while first <= end {
        let budget = if out.is_empty() { 0 } else { head_chars };
        let mut last = first;
        let mut chars = budget;
        while last < end {
            let next = lines[last].len().min(LINE_CHARS) + 1;
            if last + 1 - first >= PART_LINES || chars + next > PART_CHARS {
                break;
            }
            chars += next;
            last += 1;
        }
        if last < end {
            // Prefer ending the part at a blank line near the limit.
            let floor = last.saturating_sub(CUT_WINDOW).max(first);
            if let Some(blank) = (floor..last)
                .rev()
                .find(|&l| lines[l - 1].trim().is_empty())
            {
                last = blank;
            }
        }
        out.push((first, last));
        first = last + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use homer_syntax::{Extractor, Language};
    use std::fmt::Write as _;

    fn facts(language: Language, source: &str) -> FileFacts {
        Extractor::new().extract(language, source.as_bytes())
    }

    #[test]
    fn a_chunk_per_definition_with_its_doc() {
        let source = "/// Adds two numbers.\npub fn add(a: i64, b: i64) -> i64 {\n    a + b\n}\n\nstruct Point {\n    x: i64,\n}\n";
        let out = chunks("src/math.rs", source, Some(&facts(Language::Rust, source)));
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].about, About::Symbol("add".to_owned()));
        assert_eq!(
            out[0].body,
            "Adds two numbers.\npub fn add(a: i64, b: i64) -> i64 {\n    a + b\n}"
        );
        assert_eq!(out[0].lines, (2, 4));
        assert!(out[0].words.contains("src math rs"), "{}", out[0].words);
        assert_eq!(out[1].title, "Point");
    }

    #[test]
    fn a_class_keeps_its_head_and_methods_their_bodies() {
        let source = "class Jar:\n    \"\"\"Holds cookies.\"\"\"\n\n    def set(self, k, v):\n        self.d[k] = v\n";
        let out = chunks("jar.py", source, Some(&facts(Language::Python, source)));
        let titles: Vec<&str> = out.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Jar", "Jar.set"]);
        assert_eq!(out[0].lines, (1, 3));
        assert!(!out[0].body.contains("self.d"), "{}", out[0].body);
        assert!(out[1].body.contains("self.d[k] = v"));
    }

    #[test]
    fn long_bodies_split_at_blank_lines_with_the_signature_repeated() {
        let mut source = String::from("fn long() {\n");
        for i in 0..100 {
            let _ = writeln!(source, "    let v{i} = {i};");
            if i % 10 == 9 {
                source.push('\n');
            }
        }
        source.push_str("}\n");
        let out = chunks("src/l.rs", &source, Some(&facts(Language::Rust, &source)));
        assert!(out.len() >= 3, "{} parts", out.len());
        assert!(out.iter().all(|c| c.title == "long"));
        for c in &out[1..] {
            assert!(c.body.starts_with("fn long() {\n    ...\n"), "{}", c.body);
        }
        // Parts cover the body without gaps or overlaps.
        for pair in out.windows(2) {
            assert_eq!(pair[0].lines.1 + 1, pair[1].lines.0);
        }
        assert_eq!(out.last().map(|c| c.lines.1), Some(112));
        // Cuts fall after blank lines.
        for c in &out[..out.len() - 1] {
            let line = source.lines().nth(c.lines.1 as usize - 1).unwrap_or("x");
            assert!(line.trim().is_empty(), "part ends at {line:?}");
        }
    }

    #[test]
    fn data_and_test_inputs_are_not_indexed() {
        for path in [
            "Cargo.lock",
            "web/app.min.js",
            "benchsuite/runs/2016/raw.csv",
            "logs/server.log",
            "tests/data/sherlock.txt",
            "crates/x/tests/fixtures/big.json",
            "pkg/testdata/input.go",
        ] {
            assert!(chunks(path, "some text here\n", None).is_empty(), "{path}");
        }
        for path in [
            "README.md",
            "docs/data/guide.md",
            "tests/feature.rs",
            "data.rs",
        ] {
            assert!(!chunks(path, "some text here\n", None).is_empty(), "{path}");
        }
    }

    #[test]
    fn files_without_definitions_are_chunked_as_text() {
        let readme = "# Title\n\nSome words about cookies.\n";
        let out = chunks("README.md", readme, None);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].about, About::File);
        assert_eq!(out[0].title, "README.md");
        assert!(chunks("Cargo.lock", "[[package]]\n", None).is_empty());
        assert!(chunks("empty.txt", "\n\n", None).is_empty());
    }
}
