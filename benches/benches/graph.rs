//! Criterion suite for graph analysis: PageRank (cold and personalized)
//! on random graphs of 1k, 10k and 100k nodes with five edges per node,
//! generated from a fixed seed.
//!
//!     cargo bench -p homer-benches --bench graph

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use homer_graph::{Graph, PageRankOptions, pagerank, personalized_pagerank};

/// A deterministic graph: each node links to five others chosen by a
/// 64-bit linear congruential generator, weights 1 to 4.
fn random_graph(nodes: usize) -> Graph {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let n = u64::try_from(nodes).expect("small");
    let mut edges = Vec::with_capacity(nodes * 5);
    for from in 0..nodes {
        for _ in 0..5 {
            let to = u32::try_from(next() % n).expect("fits");
            let weight = f64::from(u32::try_from(next() % 4).expect("fits") + 1);
            edges.push((u32::try_from(from).expect("fits"), to, weight));
        }
    }
    Graph::new(nodes, edges)
}

fn pageranks(c: &mut Criterion) {
    let mut group = c.benchmark_group("pagerank");
    group.sample_size(10);
    for nodes in [1_000, 10_000, 100_000] {
        let graph = random_graph(nodes);
        let options = PageRankOptions::default();
        group.throughput(Throughput::Elements(graph.edge_count() as u64));
        group.bench_function(format!("cold/{nodes}"), |b| {
            b.iter(|| std::hint::black_box(pagerank(&graph, &options, None)));
        });
        let seeds: Vec<(usize, f64)> = (0..10).map(|i| (i * (nodes / 10), 1.0)).collect();
        group.bench_function(format!("personalized/{nodes}"), |b| {
            b.iter(|| std::hint::black_box(personalized_pagerank(&graph, &options, &seeds)));
        });
    }
    group.finish();
}

criterion_group!(benches, pageranks);
criterion_main!(benches);
