//! Embedding throughput: texts per second through Homer's `Embedder` at
//! several batch sizes and thread counts, on texts given as JSON lines
//! (one JSON string per line; `benches/embed_texts.py` writes a
//! repository's chunk texts that way).
//!
//!     cargo run --release -p homer-benches --bin embed_throughput -- TEXTS.jsonl [COUNT] [stage]
//!
//! With `stage`, only what the embed stage does: two threads, one text at
//! a time, in the given order.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a measurement tool"
)]

use std::time::Instant;

use homer_embed::{Embedder, ModelFiles};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: embed_throughput TEXTS.jsonl [COUNT]");
        std::process::exit(2);
    };
    let count: usize = args.next().and_then(|c| c.parse().ok()).unwrap_or(400);
    let stage_only = args.next().as_deref() == Some("stage");
    let texts: Vec<String> = std::fs::read_to_string(&path)
        .expect("readable texts")
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .take(count)
        .collect();
    let files = ModelFiles::installed().expect("the model is installed (homer model fetch)");
    let mut sorted = texts.clone();
    sorted.sort_by_key(String::len);
    println!("| threads | batch | order | texts | seconds | texts/s |");
    println!("|---|---|---|---|---|---|");
    let all = [
        (1, "as stored", &texts),
        (4, "as stored", &texts),
        (8, "as stored", &texts),
        (4, "by length", &sorted),
        (8, "by length", &sorted),
        (16, "by length", &sorted),
    ];
    let (thread_counts, configs): (&[usize], &[_]) = if stage_only {
        (&[2], &all[..1])
    } else {
        (&[1, 2], &all[..])
    };
    for &threads in thread_counts {
        let mut embedder = Embedder::load(&files, threads).expect("model loads");
        for &(batch, order, list) in configs {
            let start = Instant::now();
            for group in list.chunks(batch) {
                let refs: Vec<&str> = group.iter().map(String::as_str).collect();
                std::hint::black_box(embedder.embed(&refs).expect("embeds"));
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "| {threads} | {batch} | {order} | {} | {secs:.1} | {:.1} |",
                texts.len(),
                texts.len() as f64 / secs
            );
        }
    }
    if stage_only {
        return;
    }
    // Two models side by side, one thread each, one text at a time.
    let start = Instant::now();
    std::thread::scope(|scope| {
        for half in texts.chunks(texts.len().div_ceil(2)) {
            let files = &files;
            scope.spawn(move || {
                let mut embedder = Embedder::load(files, 1).expect("model loads");
                for t in half {
                    std::hint::black_box(embedder.embed(&[t.as_str()]).expect("embeds"));
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "| 2 × 1 (two sessions) | 1 | as stored | {} | {secs:.1} | {:.1} |",
        texts.len(),
        texts.len() as f64 / secs
    );
}
