//! Times extraction of deeply nested input per language (a diagnostic tool).

#![allow(clippy::print_stdout, reason = "a command-line example")]

use homer_syntax::{Extractor, Language};

fn main() {
    let depth: usize = std::env::args()
        .nth(1)
        .and_then(|d| d.parse().ok())
        .unwrap_or(10_000);
    let mut extractor = Extractor::new();
    for &language in Language::ALL {
        let open_close =
            |open: &str, close: &str| format!("{}{}", open.repeat(depth), close.repeat(depth));
        let source = match language {
            Language::Rust => format!("fn top() {{ let x = {}; }}\n", open_close("(", ")")),
            Language::Python => format!("def top():\n    x = {}\n", open_close("[", "]")),
            Language::JavaScript | Language::TypeScript | Language::Tsx => format!(
                "function top() {{ {} }}\n",
                open_close("function f() {", "}")
            ),
            Language::Go => format!(
                "package p\nfunc top() {{ x := {}1{} }}\n",
                "(".repeat(depth),
                ")".repeat(depth)
            ),
            Language::Java => format!(
                "class Top {{ int f() {{ return {}1{}; }} }}\n",
                "(".repeat(depth),
                ")".repeat(depth)
            ),
            Language::C | Language::Cpp => format!(
                "int top(void) {{ {} return 0; }}\n",
                open_close("if (1) {", "}")
            ),
            Language::CSharp => format!(
                "class Top {{ int F() {{ return {}1{}; }} }}\n",
                "(".repeat(depth),
                ")".repeat(depth)
            ),
            Language::Ruby => format!("def top\n  x = {}\nend\n", open_close("[", "]")),
        };
        let start = std::time::Instant::now();
        let facts = extractor.extract(language, source.as_bytes());
        let mut parser = tree_sitter::Parser::new();
        println!(
            "{:12} {:>8.1} ms  defs {:5} first {:?} diag {}",
            language.name(),
            start.elapsed().as_secs_f64() * 1000.0,
            facts.definitions.len(),
            facts.definitions.first().map(|d| d.name.clone()),
            facts.diagnostics.len()
        );
        parser.reset();
    }
}
