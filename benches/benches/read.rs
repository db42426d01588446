//! Criterion suite for the read side in-process: brute-force scoring of
//! 100,000 int8 vectors of 384 numbers, and `query` and `search` on the small
//! fixture's index (built once, without embeddings).
//!
//!     cargo bench -p homer-benches --bench read

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use homer_read::{Index, QueryOptions, SearchMode, SearchOptions, nearest, query, search};
use homer_update::{NoProgress, UpdateOptions, update};

fn vectors(c: &mut Criterion) {
    const N: usize = 100_000;
    const DIM: usize = 384;
    let mut state: u32 = 12_345;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        f32::from(u16::try_from(state % 2001).expect("small")) / 1000.0 - 1.0
    };
    // Int8 numbers with one scale a vector, as the store keeps them.
    #[allow(clippy::cast_possible_truncation, reason = "within ±127")]
    let numbers: Vec<i8> = (0..N * DIM).map(|_| (next() * 127.0) as i8).collect();
    let vectors = homer_store::StoredVectors {
        dim: DIM,
        keys: (0..i64::try_from(N).expect("small")).collect(),
        scales: vec![1.0 / 127.0; N],
        numbers,
    };
    let q: Vec<f32> = (0..DIM).map(|_| next()).collect();
    let mut group = c.benchmark_group("vectors");
    group.sample_size(20);
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("nearest_100/100000x384", |b| {
        b.iter(|| std::hint::black_box(nearest(&vectors, &q, 100)));
    });
    group.finish();
}

fn commands(c: &mut Criterion) {
    let repo = homer_fixtures::copy("small");
    let root = repo.path();
    let options = UpdateOptions {
        no_embed: true,
        ..UpdateOptions::default()
    };
    update(root, &options, &NoProgress).expect("update");
    let mut group = c.benchmark_group("commands");
    let q = QueryOptions::default();
    // Each iteration opens the index, as a command does.
    let open = || Index::open(root).expect("open");
    group.bench_function("query/file", |b| {
        b.iter(|| std::hint::black_box(query(&open(), root, "src/calc.rs", &q).expect("query")));
    });
    group.bench_function("query/symbol", |b| {
        b.iter(|| {
            std::hint::black_box(query(&open(), root, "src/calc.rs::mul", &q).expect("query"))
        });
    });
    let text = SearchOptions {
        mode: SearchMode::Text,
        ..SearchOptions::default()
    };
    group.bench_function("search/text", |b| {
        b.iter(|| {
            std::hint::black_box(search(&open(), "multiply two numbers", &text).expect("search"))
        });
    });
    group.finish();
}

criterion_group!(benches, vectors, commands);
criterion_main!(benches);
