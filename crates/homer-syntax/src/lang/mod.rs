//! What Homer knows of each language: its grammar, the query that finds
//! definitions, references and imports, and the rules that a query cannot
//! express (how imports are written, what is exported, where docs sit).
//!
//! Capture names understood by the extractor:
//! - `@def.<kind>` on a definition (kind: function, method, class, struct,
//!   enum, trait, interface, type, module, macro), `@name` on its name, and
//!   `@qualifier` on a name to put in front of it (a Go receiver type);
//! - `@scope` on a block that qualifies what it holds without being a
//!   definition (a Rust `impl`), with `@scope.name`;
//! - `@call` with `@call.name` and an optional `@call.receiver`;
//!   `@construct` with `@construct.name` (and `@call.receiver`);
//!   `@type.name` on a type used by name;
//! - `@import` on an import statement (read by the language's import rule),
//!   `@require` with `@require.path` on a `require("x")` call;
//! - `@package` on the package or namespace a file declares;
//! - `@comment` on comments, `@attribute` on what may stand between a doc
//!   comment and its definition (attributes, decorators, a template
//!   header), `@exported` on definitions exported by where they stand.
//!
//! Everything positional comes from captures, not from walking the tree:
//! a tree-sitter node has no parent pointer, so `parent()` and
//! `prev_sibling()` cost time in proportion to the depth of the tree, and
//! per definition that is quadratic on deeply nested code (25 seconds for
//! 10,000 nested JavaScript functions, measured).

mod imports;
mod queries;

use std::sync::OnceLock;

use tree_sitter::Node;

use crate::{Import, Language};

/// Reads a doc from inside a definition (a Python docstring).
pub(crate) type InnerDoc = fn(Node<'_>, &[u8]) -> Option<String>;

/// Everything the extractor needs for one language.
pub(crate) struct Spec {
    pub grammar: tree_sitter::Language,
    pub query: tree_sitter::Query,
    /// Joins a definition to its enclosing ones in a qualified name.
    pub separator: &'static str,
    /// Reads one `@import` node.
    pub imports: fn(Node<'_>, &[u8], &mut Vec<Import>),
    /// Whether a definition is visible outside its file or package.
    pub exported: fn(Node<'_>, &str, &[u8]) -> bool,
    /// The doc of a definition that keeps it inside its body (Python).
    pub inner_doc: Option<InnerDoc>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("separator", &self.separator)
            .finish_non_exhaustive()
    }
}

fn grammar(language: Language) -> tree_sitter::Language {
    match language {
        Language::Rust => tree_sitter_rust::LANGUAGE.into(),
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Language::Go => tree_sitter_go::LANGUAGE.into(),
        Language::Java => tree_sitter_java::LANGUAGE.into(),
        Language::C => tree_sitter_c::LANGUAGE.into(),
        Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
        Language::CSharp => tree_sitter_c_sharp::LANGUAGE.into(),
        Language::Ruby => tree_sitter_ruby::LANGUAGE.into(),
    }
}

fn build(language: Language) -> Spec {
    let grammar = grammar(language);
    let source = queries::source(language);
    let query = tree_sitter::Query::new(&grammar, &source)
        .unwrap_or_else(|e| panic!("the {} query does not compile: {e}", language.name()));
    let separator = match language {
        Language::Rust | Language::C | Language::Cpp | Language::Ruby => "::",
        _ => ".",
    };
    Spec {
        grammar,
        query,
        separator,
        imports: imports::reader(language),
        exported: imports::exported_rule(language),
        inner_doc: (language == Language::Python)
            .then_some(imports::python_docstring as fn(Node<'_>, &[u8]) -> Option<String>),
    }
}

/// The spec of a language, built on first use (compiling a query takes
/// tens of milliseconds; a repository seldom needs all of them).
pub(crate) fn spec(language: Language) -> &'static Spec {
    static SPECS: [OnceLock<Spec>; Language::ALL.len()] =
        [const { OnceLock::new() }; Language::ALL.len()];
    let index = Language::ALL
        .iter()
        .position(|&l| l == language)
        .expect("every language is in Language::ALL");
    SPECS[index].get_or_init(|| build(language))
}

/// The text of a node, with bytes that are not UTF-8 replaced.
pub(crate) fn text<'s>(node: Node<'_>, source: &'s [u8]) -> std::borrow::Cow<'s, str> {
    String::from_utf8_lossy(&source[node.byte_range()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_compiles() {
        for &language in Language::ALL {
            let _ = spec(language);
        }
    }
}
