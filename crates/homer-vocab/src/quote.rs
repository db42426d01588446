//! A file's lines as a search chunk quotes them, and a stored chunk's text
//! made whole again. A chunk of code stores only what its file does not
//! hold (a doc comment the parser found elsewhere, a definition's first
//! line repeated above a later part); its lines are read from the file's
//! blob at the indexed commit when a reader needs them. Both sides quote
//! with [`FileLines::quote`], so the text a reader gets back is the text
//! the index was built from, and the chunk's text hash says so.

use std::collections::HashMap;

use homer_git::{ObjectId, Repository};
use homer_store::{NodeKind, Store, StoreError, chunk_text_hash};

use crate::text::{chunk_words, path_words};

/// Longer lines are cut when quoted (a minified line would fill a part
/// alone).
pub const LINE_CHARS: usize = 400;

/// A file's text as lines, without a byte-order mark (no text of the
/// first line).
#[derive(Debug)]
pub struct FileLines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> FileLines<'a> {
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        FileLines {
            lines: text.lines().collect(),
        }
    }

    /// The lines, the first at index 0.
    #[must_use]
    pub fn lines(&self) -> &[&'a str] {
        &self.lines
    }

    /// Lines `first..=last` (1-based; past the end is nothing) as a chunk
    /// holds them: each cut at [`LINE_CHARS`] characters and trimmed at
    /// its end, joined by newlines, trailing blank lines dropped.
    #[must_use]
    pub fn quote(&self, first: usize, last: usize) -> String {
        quote_lines(
            self.lines[span(self.lines.len(), first, last)]
                .iter()
                .copied(),
        )
    }
}

/// The indices of lines `first..=last` (1-based) among `len` lines.
fn span(len: usize, first: usize, last: usize) -> std::ops::Range<usize> {
    let from = first.saturating_sub(1).min(len);
    from..last.min(len).max(from)
}

/// [`FileLines::quote`] of these lines.
fn quote_lines<'x>(lines: impl Iterator<Item = &'x str>) -> String {
    let mut s = String::new();
    for line in lines {
        let cut: String = line.chars().take(LINE_CHARS).collect();
        s.push_str(cut.trim_end());
        s.push('\n');
    }
    s.truncate(s.trim_end().len());
    s
}

/// A file's text kept with where each of its lines is (as
/// [`FileLines::new`] splits them), so that quoting many chunks of it, or
/// many calls in it, splits it once.
#[derive(Debug)]
pub struct KeptFile {
    text: String,
    lines: Vec<(usize, usize)>,
}

impl KeptFile {
    #[must_use]
    pub fn new(text: String) -> Self {
        let base = text.as_ptr() as usize;
        let lines = FileLines::new(&text)
            .lines()
            .iter()
            .map(|l| {
                let start = l.as_ptr() as usize - base;
                (start, start + l.len())
            })
            .collect();
        KeptFile { text, lines }
    }

    /// The lines, the first at index 0.
    #[must_use]
    pub fn lines(&self) -> Vec<&str> {
        self.lines.iter().map(|&(a, b)| &self.text[a..b]).collect()
    }

    fn quote(&self, first: usize, last: usize) -> String {
        quote_lines(
            self.lines[span(self.lines.len(), first, last)]
                .iter()
                .map(|&(a, b)| &self.text[a..b]),
        )
    }
}

/// The file a chunk about this node is in: a file's own path, a symbol's
/// up to its first `::`; none for a directory.
#[must_use]
pub fn file_of(kind: NodeKind, name: &str) -> Option<&str> {
    match kind {
        NodeKind::File => Some(name),
        NodeKind::Symbol => name.split_once("::").map(|(path, _)| path),
        NodeKind::Directory => None,
    }
}

/// The text of the file `path` as the index holds it: its blob at the
/// indexed commit (the file node's content hash), decoded lossily. `None`
/// when the index has no such file or the repository lacks the blob (a
/// partial clone, history rewritten and collected).
pub fn indexed_text(
    store: &Store,
    repo: &Repository,
    path: &str,
) -> Result<Option<String>, StoreError> {
    Ok(store
        .content_hash(NodeKind::File, path)?
        .and_then(|id| <[u8; 20]>::try_from(id.as_slice()).ok())
        .and_then(|id| repo.blob(ObjectId::from_bytes(id)))
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
}

/// Makes stored chunks whole: reads each file's blob at the indexed commit
/// once (its id is the file node's content hash) and quotes its lines.
#[derive(Debug)]
pub struct ChunkTexts<'a> {
    repo: &'a Repository,
    /// A file's text by path; `None` when its blob cannot be read. Cleared
    /// when it holds [`KEPT_FILES`] files: a reader that goes through
    /// every chunk (the embed stage) does not keep every file.
    files: HashMap<String, Option<KeptFile>>,
}

/// Files whose text [`ChunkTexts`] keeps at once.
const KEPT_FILES: usize = 256;

/// What of a stored chunk [`ChunkTexts::whole`] needs.
#[derive(Clone, Copy, Debug)]
pub struct StoredText<'s> {
    /// The file the chunk is in.
    pub path: &'s str,
    pub title: &'s str,
    /// The stored body: the whole text, or what precedes the file's lines.
    pub body: &'s str,
    /// Whether the file's lines follow `body`.
    pub file_lines: bool,
    pub lines: Option<(u32, u32)>,
    pub text_hash: i64,
}

impl<'a> ChunkTexts<'a> {
    #[must_use]
    pub fn new(repo: &'a Repository) -> Self {
        ChunkTexts {
            repo,
            files: HashMap::new(),
        }
    }

    /// The whole body of a stored chunk. `None` when it quotes lines of a
    /// file whose blob this repository lacks (a partial clone, history
    /// rewritten and collected) or whose lines are not what the chunk was
    /// indexed with (the index is not the one of this file's blob): a
    /// reader then has the title and what the row stores, never a text
    /// that looks right and is not.
    pub fn whole(
        &mut self,
        store: &Store,
        chunk: &StoredText<'_>,
    ) -> Result<Option<String>, StoreError> {
        if !chunk.file_lines {
            return Ok(Some(chunk.body.to_owned()));
        }
        let Some((first, last)) = chunk.lines else {
            return Ok(None);
        };
        if !self.files.contains_key(chunk.path) {
            if self.files.len() >= KEPT_FILES {
                self.files.clear();
            }
            let text = indexed_text(store, self.repo, chunk.path)?.map(KeptFile::new);
            self.files.insert(chunk.path.to_owned(), text);
        }
        let Some(file) = &self.files[chunk.path] else {
            return Ok(None);
        };
        let mut body = chunk.body.to_owned();
        body.push_str(&file.quote(first as usize, last as usize));
        let words = chunk_words(chunk.title, &body, &path_words(chunk.path));
        Ok((chunk_text_hash(chunk.title, &body, &words) == chunk.text_hash).then_some(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_quoted_cut_and_trimmed() {
        let long = "x".repeat(LINE_CHARS + 10);
        let text = format!("\u{feff}fn a() {{   \n{long}\n\n}}\n\n\n");
        let file = FileLines::new(&text);
        assert_eq!(file.lines().len(), 6);
        assert_eq!(file.quote(1, 1), "fn a() {");
        assert_eq!(file.quote(2, 2).len(), LINE_CHARS);
        // Blank lines inside stay, trailing ones go.
        assert_eq!(file.quote(3, 4), "\n}");
        assert_eq!(file.quote(4, 6), "}");
        // Past the end, or backwards, is nothing.
        assert_eq!(file.quote(7, 9), "");
        assert_eq!(file.quote(3, 2), "");
        // Kept, split once, it quotes the same.
        let kept = KeptFile::new(text.clone());
        for (first, last) in [(1, 1), (2, 2), (3, 4), (4, 6), (7, 9), (3, 2), (1, 6)] {
            assert_eq!(kept.quote(first, last), file.quote(first, last));
        }
    }
}
