//! Criterion suite for the store: bulk writes through a task writer
//! (rows per second, on a file database in WAL mode as `homer update`
//! uses it) and FTS5 queries over 10,000 chunks.
//!
//!     cargo bench -p homer-benches --bench store

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use homer_store::{Chunk, EdgeKind, Embed, Member, NodeKind, OpenMode, Role, Store, TaskId, Value};

const FILES: usize = 2_000;

/// One task writing `FILES` file nodes, a value on each, and an edge
/// from each to the next: 4 × `FILES` rows.
fn write_files(store: &mut Store) {
    let tx = store.begin_write().expect("transaction");
    let owner = TaskId::of("bench", "files");
    tx.ensure_task("bench", owner, "files").expect("task");
    let mut w = tx.task_writer(owner, true);
    let mut previous = None;
    for i in 0..FILES {
        let name = format!("src/module_{:03}/file_{i:05}.rs", i % 100);
        let node = w
            .claim_node(
                NodeKind::File,
                &name,
                Some(&[0u8; 20]),
                Some(r#"{"language":"rust"}"#),
            )
            .expect("node");
        w.value(
            node,
            "commits",
            &Value::Int(i64::try_from(i).expect("small")),
        )
        .expect("value");
        if let Some(prev) = previous {
            w.edge(
                EdgeKind::Depends,
                &[
                    Member::new(prev, Role::Source),
                    Member::new(node, Role::Target),
                ],
                Some(1.0),
                None,
            )
            .expect("edge");
        }
        previous = Some(node);
    }
    w.finish(None).expect("finish");
    tx.commit().expect("commit");
}

fn bulk_insert(c: &mut Criterion) {
    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    group.throughput(Throughput::Elements((FILES * 4) as u64));
    group.bench_function("bulk_insert/2000_files", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let store =
                    Store::open(&dir.path().join("homer.db"), OpenMode::ReadWrite).expect("open");
                (dir, store)
            },
            |(dir, mut store)| {
                write_files(&mut store);
                drop(store);
                dir
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

const WORDS: [&str; 16] = [
    "parse",
    "config",
    "walk",
    "directory",
    "thread",
    "glob",
    "match",
    "ignore",
    "search",
    "buffer",
    "line",
    "printer",
    "color",
    "json",
    "cookie",
    "session",
];

fn text_query(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("homer.db"), OpenMode::ReadWrite).expect("open");
    {
        let tx = store.begin_write().expect("transaction");
        let owner = TaskId::of("bench", "chunks");
        tx.ensure_task("bench", owner, "chunks").expect("task");
        let mut w = tx.task_writer(owner, true);
        for i in 0..10_000usize {
            let title = format!("{}_{}_{i}", WORDS[i % 16], WORDS[(i / 16) % 16]);
            let body = format!(
                "fn {title}() {{ {} {} {} }}",
                WORDS[(i * 7) % 16],
                WORDS[(i * 11) % 16],
                WORDS[(i * 13) % 16]
            );
            let words = title.replace('_', " ");
            w.chunk(&Chunk {
                node: None,
                title: &title,
                body: &body,
                words: &words,
                lines: Some((1, 3)),
                lead: None,
                embed: Embed::Nothing,
                message: false,
            })
            .expect("chunk");
        }
        w.finish(None).expect("finish");
        tx.commit().expect("commit");
    }
    let mut group = c.benchmark_group("fts5");
    group.bench_function("two_words/10000_chunks", |b| {
        b.iter(|| {
            std::hint::black_box(
                store
                    .text_search(
                        "walk OR thread",
                        [4.0, 1.0, 2.0],
                        100,
                        homer_store::Searched::Code,
                    )
                    .expect("query"),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, bulk_insert, text_query);
criterion_main!(benches);
