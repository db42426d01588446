//! Homer's view of source code: per-file facts (definitions, references,
//! imports, diagnostics) read with tree-sitter: 16 languages in full
//! (Rust, Python, JavaScript, TypeScript with TSX, Go, Java, C, C++, C#,
//! Ruby, Kotlin, Swift, PHP, Scala, Lua, Bash) and 11 by their tags
//! (Elixir, Erlang, Haskell, Zig, Dart, R, Elm, Nix, HCL, Solidity,
//! Gleam); and a repository's `.gitattributes` linguist overrides.
//!
//! Pure: it reads bytes and returns values. It knows no git, no store and
//! no task; it never fails on bad source (a file that does not parse yields
//! what could be read and a diagnostic), and never recurses over a tree, so
//! any nesting depth is safe.

mod attributes;
mod detect;
mod extract;
mod facts;
mod lang;
mod macros;
mod resolve;
mod shell;

pub use attributes::Attributes;
pub use detect::{Language, PathHint, Tier, detect, detect_hinted, path_hint};
pub use extract::{EXTRACTOR_VERSION, Extractor};
pub use facts::{
    Argument, Binding, DefKind, Definition, Diagnostic, FileFacts, Import, ImportKind,
    ImportedName, RefKind, Reference, Span,
};
pub use lang::grammar;
pub use resolve::{
    DefRef, Manifests, Project, RESOLVER_VERSION, Reads, Resolution, ResolveStats, Target,
    names_read,
};
