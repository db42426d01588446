//! `homer serve` driven as an agent drives it: a child process over stdio,
//! spoken to by rmcp's own client (and, for what that client will not
//! send, by hand), its answers checked against the CLI's `--json`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use homer_fixtures::{commit_all, copy, git_stdout};
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use serde_json::{Value, json};

fn command(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_homer"));
    c.current_dir(cwd)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOMER_MODEL_DIR", "/nonexistent/homer-model");
    c
}

fn cli_json(cwd: &Path, args: &[&str]) -> Value {
    let out = command(cwd)
        .args(args)
        .arg("--json")
        .output()
        .expect("run homer");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn update(cwd: &Path) {
    let out = command(cwd).arg("update").output().expect("run homer");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn head(cwd: &Path) -> String {
    String::from_utf8(git_stdout(cwd, &["rev-parse", "HEAD"]))
        .expect("utf-8")
        .trim()
        .to_owned()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

type Client = rmcp::service::RunningService<rmcp::RoleClient, ()>;

async fn connect(cwd: &Path, extra: &[&str]) -> Client {
    let cmd = tokio::process::Command::from(command(cwd)).configure(|c| {
        c.arg("serve").args(extra);
    });
    ().serve(TokioChildProcess::new(cmd).expect("spawn homer serve"))
        .await
        .expect("initialize")
}

async fn call(client: &Client, tool: &'static str, args: Value) -> CallToolResult {
    let Value::Object(map) = args else {
        panic!("arguments are an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(map))
        .await
        .expect("a reply")
}

fn text(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}

fn structured(r: &CallToolResult) -> &Value {
    assert_ne!(r.is_error, Some(true), "{}", text(r));
    r.structured_content.as_ref().expect("structured content")
}

#[test]
#[allow(clippy::too_many_lines, reason = "one session, every tool in turn")]
fn every_tool_answers_as_the_cli_does_and_says_what_it_stands_on() {
    let repo = copy("small");
    let root = repo.path();
    update(root);
    let commit = head(root);
    runtime().block_on(async {
        let client = connect(root, &[]).await;
        let info = client.peer_info().expect("server info");
        assert_eq!(
            info.server_info.as_ref().map(|s| s.name.as_str()),
            Some("homer")
        );
        let mut names: Vec<String> = client
            .list_all_tools()
            .await
            .expect("tools")
            .into_iter()
            .map(|t| {
                assert!(t.description.as_deref().is_some_and(|d| d.len() > 40));
                assert!(t.input_schema.contains_key("properties"), "{}", t.name);
                t.name.to_string()
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "co_changes",
                "context",
                "query",
                "review",
                "search",
                "status"
            ]
        );

        let search = call(
            &client,
            "search",
            json!({"query": "multiply numbers", "mode": "text"}),
        )
        .await;
        let s = structured(&search);
        assert_eq!(s["stands_on"]["indexed_commit"], commit.as_str());
        assert_eq!(s["stands_on"]["freshness"]["state"], "up_to_date");
        let cli = cli_json(root, &["search", "multiply", "numbers", "--mode", "text"]);
        assert_eq!(s["result"]["hits"], cli["hits"]);
        assert!(text(&search).starts_with(&format!("[index at {} = HEAD]", &commit[..7])));
        // A query with nothing to search for says so in the text an agent
        // reads, not only in the structured content.
        let nothing = call(&client, "search", json!({"query": "?!"})).await;
        assert!(
            text(&nothing)
                .contains("note: the query has no letters or digits to search for\nnothing found"),
            "{}",
            text(&nothing)
        );
        let no_target = call(&client, "query", json!({"target": ""})).await;
        assert_eq!(no_target.is_error, Some(true));
        assert!(text(&no_target).contains("target is empty"));
        let no_task = call(&client, "context", json!({"task": " "})).await;
        assert_eq!(no_task.is_error, Some(true));
        assert!(text(&no_task).contains("the task has no word to go on"));

        let query = call(&client, "query", json!({"target": "src/calc.rs"})).await;
        // The CLI's answer says what it stands on beside the answer; the
        // server's in `stands_on`.
        let mut cli_query = cli_json(root, &["query", "src/calc.rs"]);
        let stamped = cli_query
            .as_object_mut()
            .and_then(|o| o.remove("indexed_commit"));
        assert_eq!(stamped, Some(Value::from(commit.as_str())));
        assert_eq!(structured(&query)["result"], cli_query);

        let co = call(&client, "co_changes", json!({"path": "src/calc.rs"})).await;
        let cli_file = cli_json(root, &["query", "src/calc.rs"]);
        let paths = |v: &Value, key: &str| -> Vec<String> {
            v.as_array()
                .expect("a list")
                .iter()
                .map(|c| c[key].as_str().expect("a path").to_owned())
                .collect()
        };
        assert_eq!(
            paths(&structured(&co)["result"]["partners"], "path"),
            paths(&cli_file["co_changes"], "path")
        );

        let context = call(
            &client,
            "context",
            json!({"task": "add a subtract function", "max_tokens": 1000}),
        )
        .await;
        let c = structured(&context);
        let budget = c["limit"].as_u64().expect("the budget used").to_string();
        let cli = cli_json(
            root,
            &[
                "render",
                "--task",
                "add a subtract function",
                "--budget",
                &budget,
            ],
        );
        assert_eq!(c["result"]["text"], cli["text"]);
        // A context fitted to a smaller budget says what it left out in its
        // own words, not as lists cut to a number of entries.
        let small = call(
            &client,
            "context",
            json!({"task": "add a subtract function", "max_tokens": 350}),
        )
        .await;
        let small_text = text(&small);
        // (350 tokens start the context at (350 - 120) * 0.9 = 207 and
        // lower it to fit the stamped answer.)
        let lowered = structured(&small)["limit"].as_u64();
        assert!(lowered.is_some_and(|l| l < 207), "{lowered:?}");
        assert!(
            small_text.contains("Left out for the budget"),
            "{small_text}"
        );
        assert!(!small_text.contains("lists cut to"), "{small_text}");
        // A max_tokens too small for the heading is an error in its own
        // terms, not a budget the caller never gave.
        let tiny = call(
            &client,
            "context",
            json!({"task": "add a subtract function", "max_tokens": 120}),
        )
        .await;
        let tiny_text = text(&tiny);
        assert_eq!(tiny.is_error, Some(true), "{tiny_text}");
        assert!(
            tiny_text.contains("max_tokens=120 cannot hold"),
            "{tiny_text}"
        );

        let status = call(&client, "status", json!({})).await;
        assert_eq!(structured(&status)["result"], cli_json(root, &["status"]));

        let review = call(&client, "review", json!({"files": ["src/calc.rs"]})).await;
        let r = structured(&review);
        assert_eq!(r["result"]["changed"][0]["path"], "src/calc.rs");
        assert_eq!(r["result"]["basis"]["indexed_commit"], commit.as_str());
        // A range: the same review as `homer review RANGE --json`.
        let review = call(&client, "review", json!({"range": "HEAD~3..HEAD"})).await;
        assert_eq!(
            structured(&review)["result"],
            cli_json(root, &["review", "HEAD~3..HEAD"])
        );

        // max_tokens is a bound, counted as `render --task` counts.
        for tool in ["search", "query", "review"] {
            let args = match tool {
                "search" => json!({"query": "add", "limit": 50, "max_tokens": 150}),
                "query" => json!({"target": "src/calc.rs", "limit": 50, "max_tokens": 150}),
                _ => {
                    json!({"files": ["src/calc.rs", "src/main.rs"], "limit": 50, "max_tokens": 150})
                }
            };
            let r = call(&client, tool, args).await;
            let t = text(&r);
            let s = r
                .structured_content
                .as_ref()
                .expect("structured")
                .to_string();
            assert!(homer_render::count_tokens(&t) <= 150, "{tool}: {t}");
            assert!(homer_render::count_tokens(&s) <= 150, "{tool}: {s}");
        }
        client.cancel().await.expect("close");
    });
}

#[test]
fn answers_say_when_head_or_the_working_tree_moved() {
    let repo = copy("small");
    let root = repo.path();
    update(root);
    let indexed = head(root);
    std::fs::write(root.join("NEWS"), "news\n").expect("write");
    commit_all(root, "One more");
    let lib = std::fs::read_to_string(root.join("src/calc.rs")).expect("read");
    std::fs::write(root.join("src/calc.rs"), format!("{lib}\n// edited\n")).expect("write");
    runtime().block_on(async {
        // Without the update before answers: the stamp says how far behind.
        let client = connect(root, &["--no-auto-update"]).await;
        let r = call(&client, "query", json!({"target": "src/calc.rs"})).await;
        let stamp = &structured(&r)["stands_on"];
        assert_eq!(stamp["indexed_commit"], indexed.as_str());
        assert_eq!(stamp["freshness"]["state"], "behind");
        assert_eq!(stamp["freshness"]["commits"], 1);
        assert_eq!(stamp["changed_in_worktree"], json!(["src/calc.rs"]));
        assert!(text(&r).starts_with("[index at "), "{}", text(&r));
        assert!(text(&r).contains("1 commit behind HEAD"), "{}", text(&r));
        client.cancel().await.expect("close");

        // With it (the default): the answer comes after the update.
        let client = connect(root, &["--update-wait", "60"]).await;
        let r = call(&client, "query", json!({"target": "src/calc.rs"})).await;
        let stamp = &structured(&r)["stands_on"];
        assert_eq!(stamp["indexed_commit"], head(root).as_str());
        assert_eq!(stamp["freshness"]["state"], "up_to_date");
        assert_eq!(stamp["update"], "ran");
        client.cancel().await.expect("close");
    });
}

#[test]
fn bad_calls_get_errors_and_the_next_call_works() {
    let repo = copy("small");
    let root = repo.path();
    update(root);
    runtime().block_on(async {
        let client = connect(root, &["--no-auto-update"]).await;
        let ok = |r: &CallToolResult| r.is_error != Some(true);
        // An unknown tool: a protocol error.
        let unknown = client
            .call_tool(CallToolRequestParams::new("no_such_tool"))
            .await;
        assert!(unknown.is_err(), "{unknown:?}");
        // Wrong argument types and missing arguments: tool errors.
        let wrong = call(&client, "query", json!({"target": 5})).await;
        assert_eq!(wrong.is_error, Some(true));
        let missing = call(&client, "search", json!({})).await;
        assert_eq!(missing.is_error, Some(true));
        // An argument the tool does not have (the CLI's name for the
        // budget): refused with the names it has, not dropped.
        // None asked for is a mistake, not an answer of nothing.
        let none = call(&client, "search", json!({"query": "add", "limit": 0})).await;
        assert_eq!(none.is_error, Some(true), "{}", text(&none));
        assert!(text(&none).contains("at least 1"), "{}", text(&none));
        let misnamed = call(&client, "context", json!({"task": "add", "budget": 500})).await;
        assert_eq!(misnamed.is_error, Some(true), "{}", text(&misnamed));
        assert!(
            text(&misnamed).contains("budget") && text(&misnamed).contains("max_tokens"),
            "{}",
            text(&misnamed)
        );
        // A huge argument is refused, not searched.
        let huge = call(&client, "search", json!({"query": "x ".repeat(1_000_000)})).await;
        assert_eq!(huge.is_error, Some(true));
        assert!(text(&huge).contains("at most"), "{}", text(&huge));
        let tiny = call(&client, "search", json!({"query": "add", "max_tokens": 3})).await;
        assert_eq!(tiny.is_error, Some(true));
        // A target nothing has: an answer that says so.
        let nothing = call(&client, "co_changes", json!({"path": "no/such/file.rs"})).await;
        assert_eq!(nothing.is_error, Some(true));
        assert!(ok(&call(
            &client,
            "query",
            json!({"target": "src/calc.rs"})
        )
        .await));

        // The index rebuilt under the server: the next answer reads the new one.
        let out = command(root)
            .args(["update", "--rebuild"])
            .output()
            .expect("rebuild");
        assert!(out.status.success());
        let after = call(&client, "search", json!({"query": "add", "mode": "text"})).await;
        assert_eq!(
            structured(&after)["stands_on"]["freshness"]["state"],
            "up_to_date"
        );
        client.cancel().await.expect("close");
    });
}

#[test]
fn without_an_index_the_tools_say_what_to_do() {
    let repo = copy("small");
    let root = repo.path();
    runtime().block_on(async {
        let client = connect(root, &["--no-auto-update"]).await;
        let r = call(&client, "status", json!({})).await;
        assert_eq!(r.is_error, Some(true));
        assert!(text(&r).contains("homer update"), "{}", text(&r));
        update(root);
        let r = call(&client, "status", json!({})).await;
        assert_ne!(r.is_error, Some(true), "{}", text(&r));
        client.cancel().await.expect("close");
    });
}

/// A newer Homer migrating the index under a running server: the server's
/// open handle, whose reads were written for the schema it opened, is not
/// used again, and the next answer says what happened instead of reading
/// the new tables with the old queries.
#[test]
fn a_schema_changed_under_the_server_is_not_read_with_the_old_handle() {
    let repo = copy("small");
    let root = repo.path();
    update(root);
    runtime().block_on(async {
        let client = connect(root, &["--no-auto-update"]).await;
        let r = call(&client, "status", json!({})).await;
        assert_ne!(r.is_error, Some(true), "{}", text(&r));
        // What a future Homer's migration does: a schema change and a
        // version this build does not know, in one transaction, while the
        // server's handle stays open.
        let conn = rusqlite::Connection::open(root.join(".homer/homer.db")).expect("open");
        conn.execute_batch(
            "BEGIN;
             CREATE TABLE from_the_future (x INTEGER) STRICT;
             PRAGMA user_version = 99;
             COMMIT;",
        )
        .expect("migrate");
        drop(conn);
        let r = call(&client, "status", json!({})).await;
        assert_eq!(r.is_error, Some(true), "{}", text(&r));
        assert!(text(&r).contains("newer Homer (schema 99"), "{}", text(&r));
        client.cancel().await.expect("close");
    });
}

/// An index an older Homer wrote is upgraded by the update the server runs
/// before it answers, as `homer update` upgrades it, rather than every
/// answer telling the agent to run `homer update`.
#[test]
fn an_index_from_an_older_homer_is_upgraded_before_the_answer() {
    let repo = copy("small");
    let root = repo.path();
    update(root);
    let db = root.join(".homer/homer.db");
    let version = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .and_then(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
            .expect("user_version")
    };
    let current = version(&db);
    // Schema 20 undone: the memo table's kinds as names again, as schema
    // 19 kept them.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         BEGIN;
         CREATE TABLE tasks_19 (
             id INTEGER NOT NULL UNIQUE, kind TEXT NOT NULL, key TEXT NOT NULL,
             input_hash INTEGER NOT NULL, output_hash INTEGER NOT NULL,
             revision INTEGER NOT NULL, value BLOB,
             packed INTEGER NOT NULL DEFAULT 0, spilled INTEGER NOT NULL DEFAULT 0,
             PRIMARY KEY (kind, key)
         ) STRICT, WITHOUT ROWID;
         INSERT INTO tasks_19
             SELECT t.id, k.name, t.key, t.input_hash, t.output_hash, t.revision, t.value,
                    t.packed, t.spilled
             FROM tasks t JOIN task_kinds k ON k.code = t.kind;
         DROP TABLE tasks;
         ALTER TABLE tasks_19 RENAME TO tasks;
         DROP TABLE task_kinds;
         CREATE TRIGGER tasks_counted AFTER INSERT ON tasks BEGIN
             INSERT INTO task_counts (kind, n) VALUES (NEW.kind, 1)
                 ON CONFLICT (kind) DO UPDATE SET n = n + 1;
         END;
         CREATE TRIGGER tasks_uncounted AFTER DELETE ON tasks BEGIN
             UPDATE task_counts SET n = n - 1 WHERE kind = OLD.kind;
         END;
         PRAGMA user_version = {};
         COMMIT;",
        current - 1
    ))
    .expect("schema 19");
    drop(conn);
    let older = command(root).arg("status").output().expect("run homer");
    assert_eq!(older.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&older.stderr).contains("older than this build's"),
        "{}",
        String::from_utf8_lossy(&older.stderr)
    );
    runtime().block_on(async {
        let client = connect(root, &[]).await;
        let r = call(&client, "status", json!({})).await;
        assert_ne!(r.is_error, Some(true), "{}", text(&r));
        assert!(text(&r).contains("up to date"), "{}", text(&r));
        let r = call(&client, "query", json!({"target": "src/calc.rs"})).await;
        assert_ne!(r.is_error, Some(true), "{}", text(&r));
        client.cancel().await.expect("close");
    });
    assert_eq!(version(&db), current, "upgraded");
}

/// What rmcp's client never sends: lines that are not JSON-RPC, and a
/// client that goes away in the middle of a call.
#[test]
fn malformed_input_and_a_vanishing_client() {
    let repo = copy("small");
    let root = repo.path();
    update(root);
    let mut child = command(root)
        .args(["serve", "--no-auto-update"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let stdin = std::cell::RefCell::new(stdin);
    let send_bytes = |line: &[u8]| {
        let mut stdin = stdin.borrow_mut();
        stdin.write_all(line).expect("write");
        stdin.write_all(b"\n").expect("write");
        stdin.flush().expect("flush");
    };
    let send = |line: &str| send_bytes(line.as_bytes());
    send(
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"by-hand","version":"0"}}}"#,
    );
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read");
    assert!(line.contains("\"serverInfo\""), "{line}");
    send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    for garbage in [
        "this is not json",
        "{\"jsonrpc\":\"2.0\",\"id\":",
        "[1,2,3]",
        "{}",
        // A request whose id can be read: its answer carries the id, so
        // the client waiting for 9 is not left waiting.
        r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":5}"#,
        "caf\u{e9} \u{fffd} and a long tail of nothing useful",
    ] {
        send(garbage);
    }
    // Bytes that are not UTF-8, and a line of 20 MB: dropped, the session
    // goes on.
    send_bytes(b"\xff\xfe\xfd");
    send_bytes(&vec![b'x'; 20 * 1024 * 1024]);
    send(
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"status","arguments":{}}}"#,
    );
    // Replies to the garbage come first, then the call's. JSON of the
    // wrong shape gets a protocol error (Invalid Request, -32600); text
    // that is not JSON has no id to answer and is ignored, as every
    // official MCP SDK ignores it (replying would let two peers echo
    // errors at each other).
    let deadline = Instant::now() + Duration::from_mins(1);
    let mut errors = Vec::new();
    loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).expect("read") > 0,
            "the server hung up"
        );
        let reply: Value = serde_json::from_str(&line).expect("replies are JSON");
        if reply["id"] == 2 {
            assert!(
                reply["result"]["structuredContent"]["stands_on"].is_object(),
                "{line}"
            );
            break;
        }
        errors.push((reply["id"].clone(), reply["error"]["code"].clone()));
        assert!(Instant::now() < deadline);
    }
    errors.sort_by_key(|(id, _)| id.to_string());
    assert_eq!(
        errors,
        vec![
            (Value::from(9), Value::from(-32600)),
            (Value::Null, Value::from(-32600)),
            (Value::Null, Value::from(-32600)),
        ]
    );
    // A call, then the client vanishes before reading the reply.
    send(
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"context","arguments":{"task":"add numbers"}}}"#,
    );
    drop(stdin);
    drop(stdout);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.code().is_some(), "exited by a signal: {status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// In a shallow clone the co-change partners count only the commits after
/// the boundary: the tool says so, in its text and its structure, as
/// `homer query` does.
#[test]
fn co_changes_in_a_shallow_clone_say_what_they_stand_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = format!("file://{}", homer_fixtures::cached("small").display());
    homer_fixtures::git(
        dir.path(),
        &["clone", "-q", "--depth", "5", &source, "shallow"],
    );
    let root = dir.path().join("shallow");
    update(&root);
    let cli = cli_json(&root, &["query", "src/calc.rs"]);
    runtime().block_on(async {
        let client = connect(&root, &["--no-auto-update"]).await;
        let r = call(&client, "co_changes", json!({"path": "src/calc.rs"})).await;
        let warnings = &structured(&r)["result"]["warnings"];
        assert_eq!(warnings, &cli["warnings"]);
        assert!(
            warnings.as_array().is_some_and(|w| w
                .iter()
                .any(|w| w.as_str().is_some_and(|w| w.starts_with("a shallow clone")))),
            "{warnings}"
        );
        assert!(text(&r).contains("! a shallow clone"), "{}", text(&r));
        // Five commits pair no file with another: the answer says where
        // the thresholds that decide it are set.
        let partners = &structured(&r)["result"]["partners"];
        assert_eq!(partners.as_array().map(Vec::len), Some(0), "{partners}");
        assert!(
            text(&r).contains("the thresholds are `[coupling]` in .homer/config.toml"),
            "{}",
            text(&r)
        );
        client.cancel().await.expect("close");
    });
}
