//! Fuzzes the per-file extractor: the first byte picks the language (all
//! of them, Rust, Python, JavaScript, TypeScript, Go and the others), the
//! rest is the file. Nothing may panic, and the facts must hold together:
//! spans inside the file, parents that are other definitions of the
//! file, names that are not empty.

#![no_main]

use std::cell::RefCell;

use homer_syntax::{Extractor, Language};
use libfuzzer_sys::fuzz_target;

thread_local! {
    static EXTRACTOR: RefCell<Extractor> = RefCell::new(Extractor::new());
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, source)) = data.split_first() else {
        return;
    };
    let language = Language::ALL[usize::from(pick) % Language::ALL.len()];
    let facts = EXTRACTOR.with(|e| e.borrow_mut().extract(language, source));
    let lines = u32::try_from(source.split(|&b| b == b'\n').count()).unwrap_or(u32::MAX);
    for (i, d) in facts.definitions.iter().enumerate() {
        assert!(!d.name.is_empty(), "a definition without a name");
        assert!(
            1 <= d.span.start_line && d.span.start_line <= d.span.end_line && d.span.end_line <= lines,
            "span {:?} outside a file of {lines} lines",
            d.span
        );
        if let Some(p) = d.parent {
            // A parent can sit anywhere in the file (a Go method's
            // receiver type, a Rust impl's type), but it is a definition
            // of this file, and not the definition itself.
            assert!((p as usize) < facts.definitions.len() && p as usize != i, "parent {p} of {i}");
        }
    }
});
