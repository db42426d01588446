//! Parse throughput: raw tree-sitter parsing next to Homer's extraction of
//! the same files, one thread, per language.
//!
//!     cargo run --release -p homer-benches --bin parse_throughput -- REPO...
//!
//! "raw" is `Parser::parse` alone; "homer" is `Extractor::extract` (the
//! parse, the query pass, and the facts). The two are timed in turn for 15
//! rounds and each keeps its fastest round, so a busy moment of the
//! machine (a shared VM here) does not fall on one side only.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a measurement tool"
)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use homer_benches::{by_language, grammar, source_files};
use homer_syntax::Extractor;

const ROUNDS: usize = 15;

fn main() {
    let repos: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if repos.is_empty() {
        eprintln!("usage: parse_throughput REPO...");
        std::process::exit(2);
    }
    println!(
        "| repository | language | files | MB | raw parse | Homer extract | extract / raw | Homer files/s | Homer MB/s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for repo in repos {
        let files = source_files(&repo);
        for (language, sources) in by_language(&files) {
            let bytes: usize = sources.iter().map(|s| s.len()).sum();
            let mut parser = tree_sitter::Parser::new();
            parser
                .set_language(&grammar(language))
                .expect("grammar loads");
            let mut extractor = Extractor::new();
            // Warm the query compilation out of the timing.
            let _ = extractor.extract(language, b"");
            let (mut raw, mut homer) = (Duration::MAX, Duration::MAX);
            for _ in 0..ROUNDS {
                let start = Instant::now();
                for s in &sources {
                    std::hint::black_box(parser.parse(s, None));
                }
                raw = raw.min(start.elapsed());
                let start = Instant::now();
                for s in &sources {
                    std::hint::black_box(extractor.extract(language, s));
                }
                homer = homer.min(start.elapsed());
            }
            let mb = bytes as f64 / 1e6;
            println!(
                "| {} | {} | {} | {:.2} | {:.0} ms | {:.0} ms | {:.2} | {:.0} | {:.2} |",
                repo.file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                language.name(),
                sources.len(),
                mb,
                raw.as_secs_f64() * 1000.0,
                homer.as_secs_f64() * 1000.0,
                homer.as_secs_f64() / raw.as_secs_f64(),
                sources.len() as f64 / homer.as_secs_f64(),
                mb / homer.as_secs_f64(),
            );
        }
    }
}
