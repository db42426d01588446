//! `homer search`: the text index (FTS5, BM25) and the vectors, each
//! ranking chunks, fused by reciprocal rank with a small prior for salient
//! files; one result per definition or file.

use std::collections::{BTreeMap, HashMap, HashSet};

use homer_embed::{EncoderKind, ModelFiles};
use homer_store::{NodeKind, Searched, Store, StoredChunk};
use homer_vocab::attrs::{self, SymbolAttrs};
use homer_vocab::text::{chunk_words, identifiers, path_words, search_query};
use homer_vocab::{FileRole, SkipReason, keys, outside_production};
use serde::Serialize;

use crate::phrase::Phrase;
use crate::{Index, ReadError};

/// Which rankings to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    /// Text and vectors, fused.
    Hybrid,
    /// The text index alone.
    Text,
    /// The vectors alone.
    Semantic,
}

/// How to search.
#[derive(Clone, Debug)]
pub struct SearchOptions {
    pub limit: usize,
    pub mode: SearchMode,
    /// Include commit messages.
    pub commits: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            mode: SearchMode::Hybrid,
            commits: false,
        }
    }
}

/// One result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    /// The file, for a definition or a file.
    pub path: Option<String>,
    /// The qualified name of a definition.
    pub symbol: Option<String>,
    /// `function`, `method`, `class`..., `file`, or `commit`.
    pub kind: String,
    /// First and last line in the file.
    pub lines: Option<(u32, u32)>,
    pub score: f64,
    /// A line or two of the chunk.
    pub snippet: String,
    /// The working tree's copy of the file differs from what was indexed.
    pub stale: bool,
    /// A commit's id, for a commit message.
    pub commit: Option<String>,
}

/// What a search found, and how.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchResults {
    pub query: String,
    /// The commit the index describes (what the hits stand on).
    pub indexed_commit: Option<String>,
    /// How far that is from HEAD, when it is not HEAD.
    pub warnings: Vec<String>,
    /// The rankings used (a semantic search without vectors falls back to
    /// text).
    pub mode: SearchMode,
    /// Why semantic search was not used, when it was asked for, why
    /// nothing was searched (a query without a letter or a digit), or
    /// that no indexed text holds a word of the query, so that the hits
    /// are only near it in meaning ([`NO_WORD_FOUND`]).
    pub note: Option<String>,
    pub hits: Vec<SearchHit>,
    /// Whether the words of the query were searched and some indexed text
    /// holds one (false too when only the vectors were searched).
    #[serde(skip)]
    pub words_found: bool,
}

/// The note of a hybrid search whose words no indexed text holds: its
/// hits are the texts nearest in meaning, which any query has.
pub const NO_WORD_FOUND: &str =
    "no indexed text holds a word of the query: these hits are only nearest in meaning";

/// Candidates taken from each ranking before fusing.
const DEPTH: usize = 100;
/// Reciprocal rank fusion's constant (the common choice; see
/// docs/PERFORMANCE.md for what was measured).
const RRF_K: f64 = 60.0;
/// How much a file's salience (0..1) adds to a fused score: at most about
/// what a rank difference of a few places is worth near the top.
const SALIENCE_PRIOR: f64 = 0.002;
/// What a hit in a test, example, benchmark, generated or vendored file
/// keeps of its score, unless the question asks for such files: they
/// mention what production code does (a test of `res.cookie` says
/// "set-cookie" more often than `res.cookie` itself) without being it.
const OUTSIDE_PRODUCTION: f64 = 0.75;
/// What the best semantic candidate adds to a fused score, as a share of
/// what a first place in the text ranking adds. Measured on the tuning
/// repositories of benches/search/questions.json (0.1-1.0 tried; 0.2 best
/// pooled), then checked on the held-out ones.
const SEMANTIC_WEIGHT: f64 = 0.2;
/// What a hit in a prose file (Markdown, reStructuredText, plain text)
/// keeps of its score unless the question asks for documentation: prose
/// explains what the code does in the words a question uses, and the
/// semantic side likes it for that, but the code is what is asked for.
const PROSE: f64 = 0.5;
/// Question words that ask for documentation.
const ASKS_PROSE: &[&str] = &[
    "doc",
    "docs",
    "documentation",
    "readme",
    "guide",
    "changelog",
    "tutorial",
];
/// What a string literal of production code that spells the question in
/// order (pasted text, `phrase`) adds, plus up to as much again by how
/// much of the question it spells: more than any fused score, so the
/// place that emits a pasted message comes first. Tests and prose get
/// nothing from it unless asked for: their literals are descriptions ("it
/// should set a cookie on the response") and asserted messages, not where
/// a message comes from.
const PHRASE: f64 = 1.0;
/// BM25 weights of the title, the body and the identifier words.
pub(crate) const WEIGHTS: [f64; 3] = [4.0, 1.0, 2.0];

/// The vectors an index holds, and so the encoder a query needs (the
/// `[embed] vectors` of the update that made them); static when there are
/// none, or none of a model this build knows.
pub fn vectors_in(store: &Store) -> Result<EncoderKind, ReadError> {
    Ok(store
        .embedding_model()?
        .and_then(|id| EncoderKind::of_model_id(&id))
        .unwrap_or(EncoderKind::Static))
}

/// Searches an index. Never writes.
pub fn search(
    index: &Index,
    query: &str,
    options: &SearchOptions,
) -> Result<SearchResults, ReadError> {
    let store = index.store();
    if !homer_vocab::text::has_a_word(query) {
        let note = "the query has no letters or digits to search for".to_owned();
        return answered(index, query, options.mode, Some(note), Vec::new());
    }
    let fts = search_query(query);
    let Rankings {
        mode,
        note,
        text,
        semantic,
        cosines,
    } = rankings(index, query, fts.as_deref(), options)?;
    let words_found = !text.is_empty();
    let note = match note {
        None if mode == SearchMode::Hybrid && !words_found && !semantic.is_empty() => {
            Some(NO_WORD_FOUND.to_owned())
        }
        note => note,
    };
    // Text by reciprocal rank; the vectors by their cosine, scaled so
    // that the best semantic candidate is worth SEMANTIC_WEIGHT of a first
    // place in the text ranking and the hundredth nothing. The semantic
    // side reorders and completes what the words found rather than
    // outvoting them (docs/PERFORMANCE.md, "Search quality").
    let mut fused: HashMap<i64, f64> = HashMap::new();
    for (rank, id) in text.iter().enumerate() {
        *fused.entry(*id).or_default() += 1.0 / (RRF_K + rank as f64 + 1.0);
    }
    let semantic_weight = if text.is_empty() {
        1.0
    } else {
        SEMANTIC_WEIGHT
    };
    if let (Some(&best), Some(&last)) = (cosines.first(), cosines.last()) {
        let span = f64::from(best - last).max(1e-9);
        for (id, &cosine) in semantic.iter().zip(&cosines) {
            let scaled = f64::from(cosine - last) / span;
            *fused.entry(*id).or_default() += semantic_weight * scaled / (RRF_K + 1.0);
        }
    }
    let rules = Rules::of(index, query)?;
    let ids: Vec<i64> = fused.keys().copied().collect();
    // Their text is quoted from the files (`Index::make_whole`) where it
    // is read: by the phrase rule, and for the hits' snippets.
    let mut chunks = store.chunks(&ids)?;
    if rules.phrase.is_some() {
        index.make_whole(&mut chunks)?;
    }
    let salience = file_salience(index, &chunks)?;
    let foreign = marked_foreign(index, &chunks)?;
    // One result per definition or file: its best chunk.
    let mut best: BTreeMap<String, (f64, &StoredChunk)> = BTreeMap::new();
    for chunk in &chunks {
        let prior = chunk_path(chunk)
            .and_then(|f| salience.get(f))
            .copied()
            .unwrap_or(0.0);
        let marked = chunk_path(chunk).is_some_and(|f| foreign.contains(f));
        let relevance = rules.apply(fused[&chunk.id] + SALIENCE_PRIOR * prior, chunk, marked);
        let key = chunk
            .node
            .clone()
            .unwrap_or_else(|| format!("#{}", chunk.key));
        let entry = best.entry(key).or_insert((relevance, chunk));
        let better = relevance
            .total_cmp(&entry.0)
            .then(entry.1.key.cmp(&chunk.key))
            .is_gt();
        if better {
            *entry = (relevance, chunk);
        }
    }
    let mut ranked: Vec<(f64, &StoredChunk)> = best.into_values().collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.key.cmp(&b.1.key)));
    ranked.truncate(options.limit);
    let (relevances, mut shown): (Vec<f64>, Vec<StoredChunk>) =
        ranked.into_iter().map(|(r, c)| (r, c.clone())).unzip();
    index.make_whole(&mut shown)?;
    // Hashing a working-tree file once per file, not once per hit in it.
    let mut stale: HashMap<&str, bool> = HashMap::new();
    let mut hits = Vec::with_capacity(shown.len());
    for (relevance, chunk) in relevances.into_iter().zip(&shown) {
        let changed = match chunk_path(chunk) {
            Some(path) => {
                if !stale.contains_key(path) {
                    stale.insert(path, index.changed_in_worktree(path)?);
                }
                stale[path]
            }
            None => false,
        };
        hits.push(hit(store, fts.as_deref(), relevance, chunk, changed)?);
    }
    Ok(SearchResults {
        words_found,
        ..answered(index, query, mode, note, hits)?
    })
}

/// Hits with what they stand on: the index's commit and how far HEAD is
/// from it.
fn answered(
    index: &Index,
    query: &str,
    mode: SearchMode,
    note: Option<String>,
    hits: Vec<SearchHit>,
) -> Result<SearchResults, ReadError> {
    Ok(SearchResults {
        query: query.to_owned(),
        indexed_commit: index.indexed_head()?,
        warnings: index.freshness_warning()?.into_iter().collect(),
        mode,
        note,
        hits,
        words_found: false,
    })
}

/// What the question's own words change in a chunk's relevance.
struct Rules {
    /// The question names documentation...
    asks_prose: bool,
    /// ...or tests, examples, benchmarks.
    asks_outside: bool,
    /// The question as a phrase to find in string literals.
    phrase: Option<Phrase>,
}

/// Whether a question names one of `list`'s words.
fn asks_for(query: &str, list: &[&str]) -> bool {
    identifiers(query).any(|w| list.contains(&w.to_lowercase().as_str()))
}

/// Whether a question or task asks for tests, examples, benchmarks,
/// generated or vendored code (`tests of the cookie parser`), which
/// otherwise rank after production code.
#[must_use]
pub fn asks_outside_production(query: &str) -> bool {
    !asked_roles(query).is_empty()
}

/// [`asked_roles`] in this repository: "spec" and "specs" ask for tests
/// only where a test file is named a spec (`user_spec.rb`, `spec/`,
/// `parse.spec.ts`). In fmt, "support `std::optional` with a custom format
/// spec" asked for tests, and its test files and vendored googletest
/// outranked `include/fmt/std.h`.
pub fn asked_roles_in(index: &Index, query: &str) -> Result<Vec<FileRole>, ReadError> {
    let mut roles = asked_roles(query);
    let only_spec = roles.contains(&FileRole::Test)
        && identifiers(query).all(|w| {
            let w = w.to_lowercase();
            !TEST_WORDS.contains(&w.as_str()) || SPEC_WORDS.contains(&w.as_str())
        });
    if only_spec && !index.has_spec_tests()? {
        roles.retain(|r| *r != FileRole::Test);
    }
    Ok(roles)
}

/// The words that ask for tests; of them, those that ask for tests only
/// where tests are specs.
const TEST_WORDS: &[&str] = &[
    "test", "tests", "testing", "spec", "specs", "fixture", "fixtures", "mock", "mocks",
];
const SPEC_WORDS: &[&str] = &["spec", "specs"];

/// Which of the roles outside production code a task's words ask for,
/// each by its own words: "add tests for X" asks for tests, "fix the doc
/// of X" for documentation and not for tests.
#[must_use]
pub fn asked_roles(query: &str) -> Vec<FileRole> {
    let mut roles: Vec<FileRole> = identifiers(query)
        .filter_map(|w| match w.to_lowercase().as_str() {
            w if TEST_WORDS.contains(&w) => Some(FileRole::Test),
            "example" | "examples" => Some(FileRole::Example),
            "bench" | "benchmark" | "benchmarks" => Some(FileRole::Benchmark),
            "generated" => Some(FileRole::Generated),
            "vendor" | "vendored" => Some(FileRole::Vendored),
            "doc" | "docs" | "documentation" => Some(FileRole::Documentation),
            _ => None,
        })
        .collect();
    roles.sort_unstable();
    roles.dedup();
    roles
}

impl Rules {
    fn of(index: &Index, query: &str) -> Result<Rules, ReadError> {
        Ok(Rules {
            asks_prose: asks_for(query, ASKS_PROSE),
            asks_outside: !asked_roles_in(index, query)?.is_empty(),
            phrase: Phrase::new(query),
        })
    }

    /// `marked`: the chunk's file said it is generated or vendored (and
    /// was not parsed), which its path may not say.
    fn apply(&self, mut relevance: f64, chunk: &StoredChunk, marked: bool) -> f64 {
        let prose = !self.asks_prose && chunk_path(chunk).is_some_and(is_prose);
        if prose {
            relevance *= PROSE;
        }
        // By the chunk's node, not only its file: a Rust `mod tests` sits
        // in a production file.
        let outside =
            !self.asks_outside && (marked || chunk.node.as_deref().is_some_and(outside_production));
        if outside {
            relevance *= OUTSIDE_PRODUCTION;
        }
        let code = !(prose || outside) && chunk.commit.is_none();
        if code && let Some(coverage) = self.phrase.as_ref().and_then(|p| p.best_in(&chunk.body)) {
            relevance += PHRASE * (1.0 + coverage.min(1.0));
        }
        relevance
    }
}

/// What the words and the vectors found, each best first, and the mode
/// that ran (text, when the vectors are off, with a note saying why).
struct Rankings {
    mode: SearchMode,
    note: Option<String>,
    text: Vec<i64>,
    semantic: Vec<i64>,
    cosines: Vec<f32>,
}

/// Searches the words while the query is encoded (in hybrid mode; in
/// semantic mode the words only when the vectors are off).
fn rankings(
    index: &Index,
    query: &str,
    fts: Option<&str>,
    options: &SearchOptions,
) -> Result<Rankings, ReadError> {
    let text_search = || -> Result<Vec<i64>, ReadError> {
        match fts {
            Some(q) => Ok(index
                .store()
                .text_search(
                    q,
                    WEIGHTS,
                    DEPTH,
                    if options.commits {
                        Searched::CodeAndCommits
                    } else {
                        Searched::Code
                    },
                )?
                .into_iter()
                .map(|(id, _)| id)
                .collect()),
            None => Ok(Vec::new()),
        }
    };
    let mut out = Rankings {
        mode: options.mode,
        note: None,
        text: Vec::new(),
        semantic: Vec::new(),
        cosines: Vec::new(),
    };
    if options.mode == SearchMode::Text {
        out.text = text_search()?;
        return Ok(out);
    }
    let hybrid = options.mode == SearchMode::Hybrid;
    let (ranking, text) = semantic_ranking(index, query, || {
        if hybrid {
            text_search()
        } else {
            Ok(Vec::new())
        }
    });
    out.text = text?;
    match ranking {
        Ok(ranking) => (out.semantic, out.cosines) = ranking.into_iter().unzip(),
        Err(why) => {
            out.note = Some(format!("semantic search is off: {why}"));
            out.mode = SearchMode::Text;
            if !hybrid {
                out.text = text_search()?;
            }
        }
    }
    Ok(out)
}

/// Said both when the index was built with `--no-embed` and when the model
/// was missing: `homer update` fills the vectors in either case, once the
/// model is there.
const NO_VECTORS: &str = "no chunk has a vector yet; `homer update` without `--no-embed` computes them (the model, if missing: `homer model fetch`)";

/// Chunk ids by cosine similarity to the query, best first, and what
/// `beside` gave, run while the query was encoded.
fn semantic_ranking<R>(
    index: &Index,
    query: &str,
    beside: impl FnOnce() -> R,
) -> (Result<Vec<(i64, f32)>, String>, R) {
    let store = index.store();
    // No vector at all (an index built with --no-embed): said before any
    // encoder is loaded.
    let kind = match store.embedding_model() {
        Ok(Some(id)) => EncoderKind::of_model_id(&id).unwrap_or(EncoderKind::Static),
        Ok(None) => return (Err(NO_VECTORS.to_owned()), beside()),
        Err(e) => return (Err(e.to_string()), beside()),
    };
    let Some(files) = ModelFiles::installed() else {
        let off = "the embedding model is not installed; run `homer model fetch`";
        return (Err(off.to_owned()), beside());
    };
    let (encoded, (vectors, other)) =
        index.embed_query_beside(kind, &files, query, || (index.vectors(kind), beside()));
    let ranking = vectors
        .map_err(|e| e.to_string())
        .and_then(|vectors| nearest_chunks(store, kind, &vectors, encoded));
    (ranking, other)
}

/// The chunks nearest the query's vector `encoded`, best first.
fn nearest_chunks(
    store: &homer_store::Store,
    kind: homer_embed::EncoderKind,
    vectors: &homer_store::StoredVectors,
    encoded: Result<Option<Vec<f32>>, homer_embed::EmbedError>,
) -> Result<Vec<(i64, f32)>, String> {
    let dimensions = kind.dimensions();
    if vectors.keys.is_empty() {
        return Err(NO_VECTORS.to_owned());
    }
    let q = encoded
        .map_err(|e| e.to_string())?
        .ok_or("the model gave no vector for the query")?;
    if q.len() != dimensions {
        return Err(format!(
            "the model gave {} numbers, not {dimensions}",
            q.len()
        ));
    }
    // Texts are scored once; a text several chunks share (a moved or
    // copied definition) ranks each of them.
    let mut ranking = Vec::with_capacity(DEPTH);
    for (cosine, hash) in crate::vectors::nearest(vectors, &q, DEPTH) {
        let chunks = store.chunks_with_text(hash).map_err(|e| e.to_string())?;
        ranking.extend(chunks.into_iter().map(|(id, _)| (id, cosine)));
        if ranking.len() >= DEPTH {
            break;
        }
    }
    ranking.truncate(DEPTH);
    Ok(ranking)
}

/// Prose files: documentation, read by people rather than run.
fn is_prose(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        ext.to_ascii_lowercase().as_str(),
        "md" | "markdown" | "rst" | "txt" | "adoc" | "asciidoc"
    )
}

/// The salience of the files the candidate chunks are in (read by key:
/// six values of a few hundred files, not every file's values).
fn file_salience(index: &Index, chunks: &[StoredChunk]) -> Result<HashMap<String, f64>, ReadError> {
    let mut out = HashMap::new();
    for file in chunks.iter().filter_map(chunk_path) {
        if out.contains_key(file) {
            continue;
        }
        if let Some(v) = index.file_salience(file)? {
            out.insert(file.to_owned(), v);
        }
    }
    Ok(out)
}

/// The files of text chunks (a symbol's file was parsed) that were not
/// parsed because their first lines say a generator wrote them or another
/// project did (hiredis's vendored `ffc.h`): outside production code as
/// much as a file under `vendor/`.
fn marked_foreign<'c>(
    index: &Index,
    chunks: &'c [StoredChunk],
) -> Result<HashSet<&'c str>, ReadError> {
    let mut out = HashSet::new();
    let mut seen = HashSet::new();
    for chunk in chunks
        .iter()
        .filter(|c| c.node_kind == Some(NodeKind::File))
    {
        let Some(file) = chunk_path(chunk) else {
            continue;
        };
        if !seen.insert(file) {
            continue;
        }
        let skipped = index.value(NodeKind::File, file, keys::SKIPPED)?;
        if skipped.is_some_and(SkipReason::is_marked_foreign) {
            out.insert(file);
        }
    }
    Ok(out)
}

/// The file a chunk is in: a file's own path, or a symbol's.
pub(crate) fn chunk_path(chunk: &StoredChunk) -> Option<&str> {
    homer_vocab::quote::file_of(chunk.node_kind?, chunk.node.as_deref()?)
}

fn hit(
    store: &Store,
    fts: Option<&str>,
    relevance: f64,
    chunk: &StoredChunk,
    stale: bool,
) -> Result<SearchHit, ReadError> {
    let path = chunk_path(chunk).map(str::to_owned);
    let (kind, symbol, commit) = match chunk.node_kind {
        _ if chunk.commit.is_some() => ("commit".to_owned(), None, chunk.commit.clone()),
        Some(NodeKind::Symbol) => {
            let what = || format!("symbol '{}'", chunk.title);
            let attrs: SymbolAttrs = attrs::decode(what, chunk.node_attrs.as_deref())?;
            (
                attrs.kind.name().to_owned(),
                Some(chunk.title.clone()),
                None,
            )
        }
        _ => ("file".to_owned(), None, None),
    };
    // A commit is best told by its subject line; code by the matching
    // words, else its first line.
    let snippet = if commit.is_some() {
        first_lines(&chunk.title)
    } else {
        match fts {
            Some(q) => {
                let words = chunk_words(
                    &chunk.title,
                    &chunk.body,
                    &path_words(path.as_deref().unwrap_or("")),
                );
                store.snippet(q, [&chunk.title, &chunk.body, &words])?
            }
            None => None,
        }
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| first_lines(&chunk.body))
    };
    Ok(SearchHit {
        path,
        symbol,
        kind,
        lines: chunk.lines,
        score: relevance,
        snippet,
        stale,
        commit,
    })
}

/// The first non-blank line of a chunk (a signature, a heading), cut to a
/// readable length.
fn first_lines(body: &str) -> String {
    let line = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let cut: String = line.chars().take(160).collect();
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_asks_for_each_role_by_its_own_words() {
        assert_eq!(asked_roles("Fix doc typo"), [FileRole::Documentation]);
        assert_eq!(asked_roles("Add ETag http cache tests"), [FileRole::Test]);
        assert_eq!(
            asked_roles("docs(combine): close quote in JSDoc example; specs"),
            [FileRole::Test, FileRole::Example, FileRole::Documentation]
        );
        assert_eq!(asked_roles("Make os.home a def"), Vec::<FileRole>::new());
        // A word that only contains one does not ask (`testify`, `docstring`).
        assert_eq!(asked_roles("use testify docstring"), Vec::<FileRole>::new());
    }
}
