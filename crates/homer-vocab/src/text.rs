//! Words for the text index: identifiers split into their parts, paths
//! into their words, and a question turned into an FTS5 query. The index
//! keeps identifiers whole (`_` is a token character); the parts added
//! here let `signing serializer` find `getSigningSerializer` and
//! `get_signing_serializer` find either.

/// The parts of every compound identifier in `text`, lowercased and
/// separated by spaces (`getSigningSerializer x_y2` gives `get signing
/// serializer x y 2`). Simple words add nothing: the index has them.
#[must_use]
pub fn identifier_parts(text: &str) -> String {
    let mut out = String::new();
    for word in identifiers(text) {
        let parts = split_identifier(word);
        if parts.len() > 1 {
            for p in parts {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&p);
            }
        }
    }
    out
}

/// A path's words: its components, their extensions and their parts
/// (`src/requests/cookies.py` gives `src requests cookies py`).
#[must_use]
pub fn path_words(path: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for word in identifiers(path) {
        out.extend(split_identifier(word));
    }
    out.join(" ")
}

/// The identifier words the text index holds for a chunk beside its title
/// and body: the parts of the compound identifiers in both, and the words
/// of its file's path (`path_words` of it). The index keeps no text, so a
/// reader that needs them again (a snippet) derives them the same way.
#[must_use]
pub fn chunk_words(title: &str, body: &str, path_words: &str) -> String {
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

/// Runs of letters, digits and `_`.
pub fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// The parts of one identifier: at `_`, at lower-to-upper case changes,
/// before the last capital of a run of capitals followed by a lowercase
/// letter (`HTTPAdapter` gives `http adapter`), and between letters and
/// digits. Lowercased.
#[must_use]
fn split_identifier(word: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for_each_part(word, &mut String::new(), |p| parts.push(p.to_owned()));
    parts
}

/// Calls `f` with each part of `word` ([`split_identifier`]'s), built
/// lowercased in `buf`: the split without a string per part.
fn for_each_part(word: &str, buf: &mut String, f: impl FnMut(&str)) {
    if word.is_ascii() {
        for_each_ascii_part(word, buf, f);
    } else {
        for_each_char_part(word, buf, f);
    }
}

/// [`for_each_part`] of an ASCII word, by bytes: the parts are slices of
/// the word lowercased once. Names and paths are nearly always ASCII, and
/// a task context splits every code file's path.
fn for_each_ascii_part(word: &str, buf: &mut String, mut f: impl FnMut(&str)) {
    buf.clear();
    buf.push_str(word);
    buf.make_ascii_lowercase();
    let bytes = word.as_bytes();
    let mut start: Option<usize> = None;
    let mut prev: Option<u8> = None;
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'_' {
            if let Some(s) = start.take() {
                f(&buf[s..i]);
            }
            prev = Some(c);
            continue;
        }
        if let Some(prev) = prev {
            let next = bytes.get(i + 1).copied();
            let boundary = (prev.is_ascii_lowercase() && c.is_ascii_uppercase())
                || (prev.is_ascii_uppercase()
                    && c.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase()))
                || (prev.is_ascii_alphabetic() && c.is_ascii_digit())
                || (prev.is_ascii_digit() && c.is_ascii_alphabetic());
            if boundary && let Some(s) = start.take() {
                f(&buf[s..i]);
            }
        }
        start.get_or_insert(i);
        prev = Some(c);
    }
    if let Some(s) = start {
        f(&buf[s..]);
    }
    buf.clear();
}

/// [`for_each_part`] of any word, by chars.
fn for_each_char_part(word: &str, buf: &mut String, mut f: impl FnMut(&str)) {
    buf.clear();
    let mut chars = word.chars().peekable();
    let mut prev: Option<char> = None;
    while let Some(c) = chars.next() {
        if c == '_' {
            if !buf.is_empty() {
                f(buf);
                buf.clear();
            }
            prev = Some(c);
            continue;
        }
        if let Some(prev) = prev {
            let next = chars.peek().copied();
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase()
                    && c.is_uppercase()
                    && next.is_some_and(char::is_lowercase))
                || (prev.is_alphabetic() && c.is_numeric())
                || (prev.is_numeric() && c.is_alphabetic());
            if boundary && !buf.is_empty() {
                f(buf);
                buf.clear();
            }
        }
        buf.extend(c.to_lowercase());
        prev = Some(c);
    }
    if !buf.is_empty() {
        f(buf);
        buf.clear();
    }
}

/// Calls `f` with each of [`naming_words`]' words of `text`, in order,
/// without making a string of each. (The update stores how many words a
/// production code file's path has, `path_words`: a change to what a
/// word is here bumps the version of the task that writes them.)
pub fn for_each_naming_word(text: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    for word in identifiers(text) {
        for_each_part(word, &mut buf, |w| {
            if w.chars().count() >= 3
                && !w.chars().all(|c| c.is_ascii_digit())
                && STOPWORDS.binary_search(&w).is_err()
            {
                f(w);
            }
        });
    }
}

/// The words of a text a path can name: identifier parts of three
/// letters or more, lowercased, without stopwords or numbers
/// (`Fix the CookieJar's domain` gives `fix cookie jar domain`).
#[must_use]
pub fn naming_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_naming_word(text, |w| out.push(w.to_owned()));
    out
}

/// Words a task says to ask for a change, not what it is about (`Fix`,
/// `change how ... works`), sorted: a chunk that happens to say `change`
/// and `works` is no nearer the subject.
const TASK_VERBS: &[&str] = &[
    "add",
    "added",
    "adds",
    "allow",
    "allows",
    "change",
    "changed",
    "changes",
    "correctly",
    "fix",
    "fixed",
    "fixes",
    "improve",
    "improved",
    "improves",
    "make",
    "makes",
    "properly",
    "refactor",
    "update",
    "updated",
    "updates",
    "work",
    "working",
    "works",
];

/// A task's text without the words that only ask for a change (what a
/// search for its subject should not look for), unless nothing else is
/// left.
#[must_use]
pub fn without_task_verbs(task: &str) -> String {
    let kept: Vec<&str> = task
        .split_whitespace()
        .filter(|w| {
            let bare = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            TASK_VERBS.binary_search(&bare.as_str()).is_err()
        })
        .collect();
    if kept.iter().any(|w| w.chars().any(char::is_alphanumeric)) {
        kept.join(" ")
    } else {
        task.to_owned()
    }
}

/// Words too common in questions to search for, sorted (searched by
/// halves).
const STOPWORDS: &[&str] = &[
    "a", "about", "all", "an", "and", "any", "are", "as", "at", "be", "been", "by", "can", "do",
    "does", "done", "each", "for", "from", "get", "gets", "got", "has", "have", "how", "i", "if",
    "in", "into", "is", "it", "its", "like", "me", "my", "of", "on", "or", "so", "such", "that",
    "the", "their", "them", "then", "there", "these", "this", "those", "to", "up", "use", "used",
    "uses", "using", "via", "was", "we", "were", "what", "when", "where", "which", "while", "who",
    "why", "will", "with", "would", "you",
];

/// Whether a question or a task holds anything to look for: a letter or
/// a digit. Empty text, blanks and punctuation (`?!`) hold nothing: the
/// text index matches none of it, and the vectors of such a text lie near
/// arbitrary code, so an answer to it would be noise that looks found.
#[must_use]
pub fn has_a_word(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// An FTS5 query for a question: every word that is not a stopword, any
/// of them (BM25 ranks chunks with more and rarer ones first), and for a
/// compound identifier either the whole or all of its parts. `None` when
/// nothing is left to search for.
#[must_use]
pub fn fts_query(question: &str) -> Option<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in identifiers(question) {
        let lower = word.to_lowercase();
        let parts = split_identifier(word);
        if parts.len() > 1 {
            let all = parts
                .iter()
                .map(|p| quote(p))
                .collect::<Vec<_>>()
                .join(" AND ");
            terms.push(format!("({} OR ({all}))", quote(&lower)));
        } else if STOPWORDS.binary_search(&lower.as_str()).is_err() {
            terms.push(quote(&lower));
        }
    }
    terms.dedup();
    (!terms.is_empty()).then(|| terms.join(" OR "))
}

/// A search's FTS5 query: [`fts_query`], or, when every word of the
/// question is a stopword, those words themselves. `homer search get`
/// looks for `get` (requests' most called function answered "nothing
/// found": every word dropped, nothing left to look for); a task context,
/// which weighs a task's words, keeps to [`fts_query`].
#[must_use]
pub fn search_query(question: &str) -> Option<String> {
    fts_query(question).or_else(|| {
        let mut terms: Vec<String> = identifiers(question)
            .map(|w| quote(&w.to_lowercase()))
            .collect();
        terms.dedup();
        (!terms.is_empty()).then(|| terms.join(" OR "))
    })
}

/// An FTS5 string: double quotes, inner ones doubled.
fn quote(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_words_drop_short_words_numbers_and_stopwords() {
        assert_eq!(
            naming_words("Fix the CookieJar's domain in v2 (#123)"),
            ["fix", "cookie", "jar", "domain"]
        );
    }

    /// The byte split of ASCII words splits as the char split does.
    #[test]
    fn ascii_words_split_by_bytes_as_by_chars() {
        let words = [
            "getSigningSerializer",
            "get_signing_serializer",
            "HTTPAdapter",
            "parseHTTPResponse2x",
            "__init__",
            "_",
            "",
            "a",
            "ABC",
            "ABCd",
            "x86_64",
            "file_63807_r31739",
            "IOError2Base64URLs",
            "snake__double_",
            "UTF8",
            "v2Beta3",
        ];
        for word in words {
            let (mut by_bytes, mut by_chars) = (Vec::new(), Vec::new());
            for_each_ascii_part(word, &mut String::new(), |p| by_bytes.push(p.to_owned()));
            for_each_char_part(word, &mut String::new(), |p| by_chars.push(p.to_owned()));
            assert_eq!(by_bytes, by_chars, "{word}");
        }
    }

    #[test]
    fn stopwords_are_sorted_for_their_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(naming_words("the while would").is_empty());
    }

    #[test]
    fn a_task_is_searched_without_the_words_that_ask_for_a_change() {
        assert!(TASK_VERBS.windows(2).all(|w| w[0] < w[1]), "sorted");
        assert_eq!(
            without_task_verbs("change how Session works"),
            "how Session"
        );
        assert_eq!(
            without_task_verbs("Fix: update the cookie jar"),
            "the cookie jar"
        );
        // Nothing else: the task as it is.
        assert_eq!(without_task_verbs("Fix it"), "it");
        assert_eq!(without_task_verbs("update"), "update");
    }

    #[test]
    fn identifiers_split_every_way() {
        let parts = |w| split_identifier(w).join(" ");
        assert_eq!(parts("getSigningSerializer"), "get signing serializer");
        assert_eq!(parts("get_signing_serializer"), "get signing serializer");
        assert_eq!(parts("HTTPAdapter"), "http adapter");
        assert_eq!(parts("parseHTTPResponse2x"), "parse http response 2 x");
        assert_eq!(parts("__init__"), "init");
        assert_eq!(parts("sha256"), "sha 256");
        assert_eq!(parts("plain"), "plain");
    }

    #[test]
    fn only_compound_identifiers_add_parts() {
        assert_eq!(
            identifier_parts("fn getSigningSerializer(x: u8) -> plain_word"),
            "get signing serializer u 8 plain word"
        );
        assert_eq!(
            path_words("src/requests/cookies.py"),
            "src requests cookies py"
        );
        assert_eq!(
            path_words("crates/ignore/src/walk.rs"),
            "crates ignore src walk rs"
        );
    }

    #[test]
    fn questions_become_fts_queries() {
        assert_eq!(
            fts_query("where are cookies signed?").as_deref(),
            Some(r#""cookies" OR "signed""#)
        );
        assert_eq!(
            fts_query("getSigningSerializer").as_deref(),
            Some(r#"("getsigningserializer" OR ("get" AND "signing" AND "serializer"))"#)
        );
        assert_eq!(fts_query("how is it?"), None);
        assert_eq!(
            search_query("how is it?").as_deref(),
            Some(r#""how" OR "is" OR "it""#)
        );
        assert_eq!(search_query("get").as_deref(), Some(r#""get""#));
        assert_eq!(
            search_query("where are cookies signed?"),
            fts_query("where are cookies signed?")
        );
        assert_eq!(search_query("?!"), None);
        assert_eq!(
            fts_query(r#"say "hi" NOT x"#).as_deref(),
            Some(r#""say" OR "hi" OR "not" OR "x""#)
        );
    }
}
