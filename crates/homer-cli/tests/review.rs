//! `homer review` on the `review` fixture, whose answers are known: an
//! edit to `net_price` in `src/shop/prices.py` by someone who does not own
//! it leaves out `docs/pricing.md` (which changes with it in every commit,
//! with no code between them), is called by `cart.py` (one call) and
//! `invoice.py` (two), and is tested by `tests/test_prices.py`. Snapshots of
//! the four formats, the SARIF checked against the 2.1.0 schema, the
//! gate's exit codes, and the review of a commit not indexed yet.

use std::path::Path;

use homer_fixtures::{commit_all, copy, git};

mod common;
use common::homer;
use serde_json::Value;

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({ prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

/// The paths of a review's changed files.
fn changed_paths(review: &Value) -> Vec<&str> {
    review["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .filter_map(|c| c["path"].as_str())
        .collect()
}

/// The fixture, indexed, with Bob's edit of `net_price` in the working tree.
fn edited() -> tempfile::TempDir {
    let repo = copy("review");
    let root = repo.path();
    let run = homer(root, &["update"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    git(root, &["config", "user.name", "Bob Baker"]);
    git(root, &["config", "user.email", "bob@example.com"]);
    let prices = root.join("src/shop/prices.py");
    let text = std::fs::read_to_string(&prices).expect("read");
    let edited = text.replace(
        "    return amount * (1 + TAX)",
        "    return round(amount * (1 + TAX), 2)",
    );
    assert_ne!(text, edited);
    std::fs::write(&prices, edited).expect("write");
    repo
}

#[test]
fn a_review_in_four_formats_finds_the_coupling_the_callers_and_the_test() {
    let repo = edited();
    let root = repo.path();
    let text = homer(root, &["review"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    for line in text.stdout.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line}"
        );
    }
    snapshot!("review_text", text.stdout);
    let markdown = homer(root, &["review", "--format", "markdown"]);
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    snapshot!("review_markdown", markdown.stdout);
    let json = homer(root, &["review", "--json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    snapshot!("review_json", json.stdout);
    assert_eq!(
        homer(root, &["review", "--format", "json"]).stdout,
        json.stdout
    );
    let sarif = homer(root, &["review", "--format", "sarif"]);
    assert_eq!(sarif.code, 0, "{}", sarif.stderr);
    snapshot!("review_sarif", sarif.stdout);

    // What the fixture was built to show.
    let review: Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(review["level"], "high");
    let changed = &review["changed"][0];
    assert_eq!(changed["path"], "src/shop/prices.py");
    assert_eq!(
        changed["definitions"][0]["symbol"],
        "src/shop/prices.py::net_price"
    );
    assert_eq!(changed["definitions"].as_array().map(Vec::len), Some(1));
    let forgotten = review["likely_forgotten"].as_array().expect("a list");
    let docs = forgotten
        .iter()
        .find(|f| f["path"] == "docs/pricing.md")
        .expect("the docs are likely forgotten");
    assert_eq!(docs["explained"], false);
    assert_eq!(docs["shared"], 7);
    let impact = review["impact"].as_array().expect("a list");
    let cart = impact
        .iter()
        .find(|i| i["symbol"] == "src/shop/cart.py::cart_total")
        .expect("cart_total calls net_price");
    assert_eq!(
        (cart["hops"].clone(), cart["certain"].clone()),
        (Value::from(1), Value::from(true))
    );
    assert!(
        impact
            .iter()
            .any(|i| i["symbol"] == "src/shop/invoice.py::make_invoice" && i["hops"] == 2),
        "{impact:?}"
    );
    let tests = review["tests"].as_array().expect("a list");
    assert!(
        tests
            .iter()
            .any(|t| t["symbol"] == "tests/test_prices.py::test_net_price"),
        "{tests:?}"
    );
    assert_eq!(review["people"][0]["author"], "alice@example.com");

    // The SARIF log is valid SARIF 2.1.0.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/sarif/sarif-schema-2.1.0.json"),
        )
        .expect("the schema"),
    )
    .expect("schema json");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("file:///sarif-schema-2.1.0.json", schema)
        .expect("add the schema");
    let id = compiler
        .compile("file:///sarif-schema-2.1.0.json", &mut schemas)
        .expect("compile the schema");
    let log: Value = serde_json::from_str(&sarif.stdout).expect("sarif json");
    if let Err(e) = schemas.validate(&log, id) {
        panic!("not valid SARIF 2.1.0: {e}");
    }
    // And the check can fail: a log without its tool's name is not valid.
    let mut broken = log.clone();
    broken["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .expect("driver")
        .remove("name");
    assert!(schemas.validate(&broken, id).is_err());
    assert_eq!(log["runs"][0]["results"][0]["level"], "error");
}

#[test]
fn the_gate_sets_the_exit_code() {
    let repo = edited();
    let root = repo.path();
    let code = |args: &[&str]| {
        let mut all = vec!["review"];
        all.extend_from_slice(args);
        let run = homer(root, &all);
        (run.code, run.stderr)
    };
    // The change is high: every level fails it.
    for level in ["low", "medium", "high"] {
        let (c, stderr) = code(&["--fail-on", level]);
        assert_eq!(c, 1, "--fail-on {level}: {stderr}");
        assert!(stderr.contains("crosses the gate"), "{stderr}");
    }
    assert_eq!(code(&["--fail-above", "0.9"]).0, 0);
    assert_eq!(code(&["--fail-above", "0.5"]).0, 1);
    // docs/pricing.md changes with prices.py in all of its commits.
    assert_eq!(code(&["--fail-on-forgotten", "90"]).0, 1);
    assert_eq!(code(&["--fail-on-forgotten", "101"]).0, 0);
    assert_eq!(code(&[]).0, 0);
    // Errors are errors, gate or not.
    let (c, stderr) = code(&["no-such-revision", "--fail-on", "high"]);
    assert_eq!(c, 2, "{stderr}");
    assert!(stderr.contains("no-such-revision"), "{stderr}");
    assert_eq!(code(&["--fail-on", "extreme"]).0, 2);
    // Nothing changed passes any gate.
    git(root, &["checkout", "--", "."]);
    let run = homer(root, &["review", "--fail-on", "low"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("nothing changed"), "{}", run.stdout);
    // No index: an error that says what to do.
    let bare = copy("review");
    let run = homer(bare.path(), &["review"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("homer update"), "{}", run.stderr);
}

#[test]
fn a_commit_not_indexed_yet_is_reviewed_from_its_parent_plus_the_diff() {
    let repo = edited();
    let root = repo.path();
    commit_all(root, "Round prices");
    let run = homer(root, &["review", "HEAD", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let review: Value = serde_json::from_str(&run.stdout).expect("json");
    let note = review["basis"]["note"].as_str().expect("a note");
    assert!(note.contains("the change's base"), "{note}");
    assert!(note.contains("not indexed yet"), "{note}");
    assert_eq!(
        review["changed"][0]["definitions"][0]["symbol"],
        "src/shop/prices.py::net_price"
    );
    // Indexed, the same commit is reviewed from its end, with the same
    // definition found on the other side of the diff.
    assert_eq!(homer(root, &["update"]).code, 0);
    let run = homer(root, &["review", "HEAD", "--json"]);
    let review: Value = serde_json::from_str(&run.stdout).expect("json");
    let note = review["basis"]["note"].as_str().expect("a note");
    assert!(note.contains("the change's end"), "{note}");
    assert_eq!(
        review["changed"][0]["definitions"][0]["symbol"],
        "src/shop/prices.py::net_price"
    );
    // A range: the branch since it left main, whatever main did after.
    git(root, &["checkout", "-q", "-b", "topic", "HEAD~1"]);
    std::fs::write(
        root.join("src/shop/cart.py"),
        "def cart_total(items):\n    return 0\n",
    )
    .expect("write");
    commit_all(root, "Free carts");
    let run = homer(root, &["review", "main..topic", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let review: Value = serde_json::from_str(&run.stdout).expect("json");
    let paths = changed_paths(&review);
    assert_eq!(paths, vec!["src/shop/cart.py"]);
    assert!(
        review["basis"]["reviewed"]
            .as_str()
            .is_some_and(|r| r.starts_with("main..topic: 1 commit since ")),
        "{}",
        review["basis"]
    );
}

/// A test reaches the edit through a helper of the tests (`conftest.py`):
/// the test is one to run, the helper, which no test runner runs, is not.
#[test]
fn a_test_reached_through_a_helper_is_listed_and_the_helper_is_not() {
    let repo = copy("review");
    let root = repo.path();
    std::fs::write(
        root.join("tests/conftest.py"),
        "from shop.prices import net_price\n\n\ndef priced(amount):\n    return net_price(amount)\n",
    )
    .expect("write");
    std::fs::write(
        root.join("tests/test_receipts.py"),
        "from conftest import priced\n\n\ndef test_receipt_total():\n    assert priced(10) == 12\n",
    )
    .expect("write");
    commit_all(root, "Receipts");
    assert_eq!(homer(root, &["update"]).code, 0);
    let prices = root.join("src/shop/prices.py");
    let text = std::fs::read_to_string(&prices).expect("read");
    std::fs::write(
        &prices,
        text.replace(
            "    return amount * (1 + TAX)",
            "    return round(amount * (1 + TAX), 2)",
        ),
    )
    .expect("write");
    let run = homer(root, &["review", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let review: Value = serde_json::from_str(&run.stdout).expect("json");
    let tests: Vec<(&str, &str)> = review["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| {
            (
                t["path"].as_str().unwrap_or_default(),
                t["why"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        tests.contains(&("tests/test_receipts.py", "calls net_price (2 hops)")),
        "{tests:?}"
    );
    assert!(
        tests.iter().all(|(path, _)| *path != "tests/conftest.py"),
        "{tests:?}"
    );
}

#[test]
fn staged_changes_alone_are_reviewed_with_staged() {
    let repo = edited();
    let root = repo.path();
    std::fs::write(
        root.join("src/shop/cart.py"),
        "def cart_total(items):\n    return 1\n",
    )
    .expect("write");
    git(root, &["add", "src/shop/cart.py"]);
    let staged = homer(root, &["review", "--staged", "--json"]);
    assert_eq!(staged.code, 0, "{}", staged.stderr);
    let review: Value = serde_json::from_str(&staged.stdout).expect("json");
    let paths = changed_paths(&review);
    assert_eq!(paths, vec!["src/shop/cart.py"]);
    let all = homer(root, &["review", "--worktree", "--json"]);
    let review: Value = serde_json::from_str(&all.stdout).expect("json");
    assert_eq!(review["changed"].as_array().map(Vec::len), Some(2));
    assert_eq!(homer(root, &["review", "--staged", "--worktree"]).code, 2);
}

/// A changed file's churn reason gives its commits and the share of the
/// files at HEAD that changed less often, as `git log` counts them.
#[test]
fn the_churn_reason_counts_as_git_log_does() {
    // Eight files, the k-th changed in k commits (no renames: git log's
    // paths are the files' only names).
    let repo = tempfile::tempdir().expect("tempdir");
    let root = repo.path();
    git(root, &["init", "-q"]);
    for round in 1..=8 {
        for k in round..=8 {
            let file = root.join(format!("f{k}.py"));
            let mut text = std::fs::read_to_string(&file).unwrap_or_default();
            text += &["x", &round.to_string(), " = ", &round.to_string(), "\n"].concat();
            std::fs::write(&file, text).expect("write");
        }
        commit_all(root, &format!("Round {round}"));
    }
    assert_eq!(homer(root, &["update"]).code, 0);
    let at_head =
        String::from_utf8(homer_fixtures::git_stdout(root, &["ls-files"])).expect("utf-8");
    let log = String::from_utf8(homer_fixtures::git_stdout(
        root,
        &["log", "--no-merges", "-M", "--format=", "--name-only"],
    ))
    .expect("utf-8");
    let mut commits: std::collections::BTreeMap<&str, i64> =
        at_head.lines().map(|f| (f, 0)).collect();
    for path in log.lines() {
        if let Some(n) = commits.get_mut(path) {
            *n += 1;
        }
    }
    let (&busiest, &n) = commits
        .iter()
        .max_by_key(|&(path, n)| (*n, std::cmp::Reverse(*path)))
        .expect("files");
    let below = commits.values().filter(|&&c| c < n).count();
    let share = 100 * below / commits.len();
    assert!(
        share >= 75,
        "the fixture's busiest file ranks high: {share}%"
    );
    let file = root.join(busiest);
    let mut text = std::fs::read_to_string(&file).expect("read");
    text.push_str("y = 0\n");
    std::fs::write(&file, text).expect("write");
    let run = homer(root, &["review", "--json"]);
    let review: Value = serde_json::from_str(&run.stdout).expect("json");
    let entry = review["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .find(|c| c["path"] == busiest)
        .expect("the edited file");
    let wanted = format!("changed in {n} commits, more often than {share}% of files");
    assert!(
        entry["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r == wanted.as_str()),
        "{wanted}: {entry}"
    );
}
