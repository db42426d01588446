//! Prints the facts of one file as JSON: `cargo run -p homer-syntax
//! --example facts -- FILE`.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example"
)]

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: facts FILE");
        std::process::exit(2);
    };
    let source = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2);
    });
    let Some(language) = homer_syntax::detect(&path, &source) else {
        eprintln!("{path}: not a language Homer parses");
        std::process::exit(1);
    };
    let facts = homer_syntax::Extractor::new().extract(language, &source);
    println!(
        "{}",
        serde_json::to_string_pretty(&facts).expect("facts serialize")
    );
}
