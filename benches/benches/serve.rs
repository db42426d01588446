//! How `homer serve` reaches SQLite from async code: a hop onto a blocking
//! thread with a connection from a small pool (what it does) against
//! tokio-rusqlite, which keeps a connection on a thread of its own and
//! sends it closures. A point read, a 1,000-row read, and four reads at
//! once, on a file database of 100,000 rows in WAL mode.
//!
//!     cargo bench -p homer-benches --bench serve

use std::sync::{Arc, Mutex};

use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, OpenFlags};

const ROWS: i64 = 100_000;
const POINT: &str = "SELECT name FROM t WHERE id = ?1";
const RANGE: &str = "SELECT name FROM t WHERE id >= ?1 ORDER BY id LIMIT 1000";

fn database(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("bench.db");
    let conn = Connection::open(&path).expect("create");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
    )
    .expect("schema");
    let tx = conn.unchecked_transaction().expect("tx");
    {
        let mut insert = tx
            .prepare("INSERT INTO t (id, name) VALUES (?1, ?2)")
            .expect("prepare");
        for i in 0..ROWS {
            insert
                .execute(rusqlite::params![i, format!("src/file_{i}.rs")])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
    path
}

fn read(conn: &Connection, sql: &str, at: i64) -> usize {
    let mut statement = conn.prepare_cached(sql).expect("prepare");
    let rows = statement
        .query_map([at], |row| row.get::<_, String>(0))
        .expect("query");
    rows.map(|r| r.expect("row").len()).sum()
}

/// The server's way: a pool of read-only connections, each read on a
/// blocking thread.
#[derive(Clone)]
struct Pool(Arc<Mutex<Vec<Connection>>>);

impl Pool {
    fn open(path: &std::path::Path, n: usize) -> Pool {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conns = (0..n)
            .map(|_| Connection::open_with_flags(path, flags).expect("open"))
            .collect();
        Pool(Arc::new(Mutex::new(conns)))
    }

    async fn read(&self, sql: &'static str, at: i64) -> usize {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool.0.lock().expect("lock").pop().expect("a connection");
            let n = read(&conn, sql, at);
            pool.0.lock().expect("lock").push(conn);
            n
        })
        .await
        .expect("join")
    }
}

async fn tokio_rusqlite_read(
    conn: &tokio_rusqlite::Connection,
    sql: &'static str,
    at: i64,
) -> usize {
    conn.call(move |c| Ok::<_, rusqlite::Error>(read(c, sql, at)))
        .await
        .expect("call")
}

fn dispatch(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = database(dir.path());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // Four connections: four reads at once never wait for one.
    let pool = Pool::open(&path, 4);
    let single = runtime.block_on(async {
        tokio_rusqlite::Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .await
            .expect("open")
    });
    let mut group = c.benchmark_group("serve_dispatch");
    for (name, sql) in [("point", POINT), ("range_1000", RANGE)] {
        group.bench_function(format!("pool/{name}"), |b| {
            let mut at = 0;
            b.iter(|| {
                at = (at + 7919) % (ROWS - 1000);
                runtime.block_on(pool.read(sql, at))
            });
        });
        group.bench_function(format!("tokio_rusqlite/{name}"), |b| {
            let mut at = 0;
            b.iter(|| {
                at = (at + 7919) % (ROWS - 1000);
                runtime.block_on(tokio_rusqlite_read(&single, sql, at))
            });
        });
    }
    group.bench_function("pool/four_ranges_at_once", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let reads = (0..4).map(|i| {
                    let pool = pool.clone();
                    async move { pool.read(RANGE, i * 20_000).await }
                });
                futures_sum(reads).await
            })
        });
    });
    group.bench_function("tokio_rusqlite/four_ranges_at_once", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let reads = (0..4).map(|i| {
                    let conn = single.clone();
                    async move { tokio_rusqlite_read(&conn, RANGE, i * 20_000).await }
                });
                futures_sum(reads).await
            })
        });
    });
    group.finish();
}

/// Runs the reads concurrently and adds their row counts.
async fn futures_sum<F: std::future::Future<Output = usize> + Send + 'static>(
    reads: impl Iterator<Item = F>,
) -> usize {
    let handles: Vec<_> = reads.map(tokio::spawn).collect();
    let mut total = 0;
    for h in handles {
        total += h.await.expect("join");
    }
    total
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
