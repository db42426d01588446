//! Homer's view of source code: per-file facts (definitions, references,
//! imports, diagnostics) read with tree-sitter, for Rust, Python,
//! JavaScript, TypeScript (with TSX), Go, Java, C, C++, C# and Ruby.
//!
//! Pure: it reads bytes and returns values. It knows no git, no store and
//! no task; it never fails on bad source (a file that does not parse yields
//! what could be read and a diagnostic), and never recurses over a tree, so
//! any nesting depth is safe.

mod detect;
mod extract;
mod facts;
mod lang;
mod macros;
mod resolve;

pub use detect::{Language, PathHint, detect, detect_hinted, path_hint};
pub use extract::{EXTRACTOR_VERSION, Extractor};
pub use facts::{
    DefKind, Definition, Diagnostic, FileFacts, Import, ImportKind, ImportedName, RefKind,
    Reference, Span,
};
pub use lang::grammar;
pub use resolve::{DefRef, Manifests, Project, RESOLVER_VERSION, Resolution, ResolveStats, Target};
