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
//! - `@call` with `@call.name` and an optional `@call.receiver` (or
//!   `@call.path`, and `@call.args` when the call is read from tokens);
//!   `@construct` with `@construct.name` (and `@call.receiver`);
//!   `@type.name` on a type used by name;
//! - `@bind` with `@bind.name` and `@bind.type` on a parameter, field or
//!   variable introduced with a type (declared, or the class it is given a
//!   new object of);
//! - `@import` on an import statement (read by the language's import rule),
//!   `@require` with `@require.path` on a `require("x")` call;
//! - `@package` on the package or namespace a file declares;
//! - `@comment` on comments, `@attribute` on what may stand between a doc
//!   comment and its definition (attributes, decorators, a template
//!   header), `@exported` on definitions exported by where they stand;
//! - `@keyword` on a node captured only for a predicate to test.
//!
//! Everything positional comes from captures, not from walking the tree:
//! a tree-sitter node has no parent pointer, so `parent()` and
//! `prev_sibling()` cost time in proportion to the depth of the tree, and
//! per definition that is quadratic on deeply nested code (25 seconds for
//! 10,000 nested JavaScript functions, measured).

mod imports;
mod pattern;
mod queries;
mod tags;

use std::sync::OnceLock;

use tree_sitter::Node;

pub(crate) use pattern::{Capture, Patterns};

use crate::{Import, Language};

/// What a capture name means to the extractor (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Def(crate::DefKind),
    Slot(Slot),
}

/// The captures a match holds at most one node of, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    Name,
    Qualifier,
    Scope,
    ScopeName,
    Call,
    CallName,
    CallReceiver,
    CallPath,
    /// The arguments of a call read from tokens (a Rust macro body): the
    /// extractor checks that nothing but a separator stands between.
    CallArgs,
    Construct,
    ConstructName,
    TypeName,
    Import,
    Require,
    RequireFn,
    RequirePath,
    RequireAlias,
    Package,
    Comment,
    Attribute,
    Exported,
    /// A name introduced with a type (`@bind`, `@bind.name`, `@bind.type`).
    Bind,
    BindName,
    BindType,
    /// What a loop walks, whose elements the bound name takes in turn
    /// (`@bind.each`: Go's `for _, c := range cmd.Commands()`).
    BindEach,
    /// A call whose last result the bound name is given (`@bind.last`:
    /// Go's `out, err := run()`).
    BindLast,
    /// A node captured only for a predicate to test its text (the `def`
    /// of an Elixir `def f(x)`).
    Keyword,
}

impl Slot {
    pub(crate) const COUNT: usize = Slot::Keyword as usize + 1;
}

impl Role {
    /// The role of a capture name, `None` for a name the extractor does
    /// not know (a test keeps the queries free of those).
    pub(crate) fn of(name: &str) -> Option<Role> {
        if let Some(kind) = name.strip_prefix("def.") {
            return crate::DefKind::from_name(kind).map(Role::Def);
        }
        Some(Role::Slot(match name {
            "name" => Slot::Name,
            "qualifier" => Slot::Qualifier,
            "scope" => Slot::Scope,
            "scope.name" => Slot::ScopeName,
            "call" => Slot::Call,
            "call.name" => Slot::CallName,
            "call.receiver" => Slot::CallReceiver,
            "call.path" => Slot::CallPath,
            "call.args" => Slot::CallArgs,
            "construct" => Slot::Construct,
            "construct.name" => Slot::ConstructName,
            "type.name" => Slot::TypeName,
            "import" => Slot::Import,
            "require" => Slot::Require,
            "require.fn" => Slot::RequireFn,
            "require.path" => Slot::RequirePath,
            "require.alias" => Slot::RequireAlias,
            "package" => Slot::Package,
            "comment" => Slot::Comment,
            "attribute" => Slot::Attribute,
            "exported" => Slot::Exported,
            "keyword" => Slot::Keyword,
            "bind" => Slot::Bind,
            "bind.name" => Slot::BindName,
            "bind.type" => Slot::BindType,
            "bind.each" => Slot::BindEach,
            "bind.last" => Slot::BindLast,
            _ => return None,
        }))
    }
}

/// Reads a doc from inside a definition (a Python docstring).
pub(crate) type InnerDoc = fn(Node<'_>, &[u8]) -> Option<String>;

/// Everything the extractor needs for one language.
pub(crate) struct Spec {
    pub grammar: tree_sitter::Language,
    pub patterns: Patterns,
    /// The role of each capture, by capture index.
    pub roles: Vec<Option<Role>>,
    /// Joins a definition to its enclosing ones in a qualified name.
    pub separator: &'static str,
    /// Reads one `@import` node.
    pub imports: fn(Node<'_>, &[u8], &mut Vec<Import>),
    /// Whether a definition is visible outside its file or package.
    pub exported: fn(Node<'_>, &str, &[u8]) -> bool,
    /// The doc of a definition that keeps it inside its body (Python).
    pub inner_doc: Option<InnerDoc>,
    /// A function is written as several clauses in a row (Elixir, Erlang,
    /// Haskell with its type signature): one definition.
    pub merges_clauses: bool,
    /// A definition the parser read in full inside a stretch it could
    /// not read is still one: a shell function (`name() { … }`) is
    /// unambiguous, and zsh files read with the Bash grammar stumble
    /// around their functions, not in their headers.
    pub definitions_survive_errors: bool,
    /// Declaration macros are blanked before the tree is read (C, C++:
    /// `macros.rs`).
    pub blanks_macros: bool,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("separator", &self.separator)
            .finish_non_exhaustive()
    }
}

/// The tree-sitter grammar Homer parses `language` with (also what the
/// benchmarks compare Homer's extraction against).
#[must_use]
pub fn grammar(language: Language) -> tree_sitter::Language {
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
        Language::Kotlin => tree_sitter_kotlin_ng::LANGUAGE.into(),
        Language::Swift => tree_sitter_swift::LANGUAGE.into(),
        Language::Php => tree_sitter_php::LANGUAGE_PHP.into(),
        Language::Scala => tree_sitter_scala::LANGUAGE.into(),
        Language::Lua => tree_sitter_lua::LANGUAGE.into(),
        Language::Bash => tree_sitter_bash::LANGUAGE.into(),
        Language::Elixir => tree_sitter_elixir::LANGUAGE.into(),
        Language::Erlang => tree_sitter_erlang::LANGUAGE.into(),
        Language::Haskell => tree_sitter_haskell::LANGUAGE.into(),
        Language::Zig => tree_sitter_zig::LANGUAGE.into(),
        Language::Dart => tree_sitter_dart::LANGUAGE.into(),
        Language::R => tree_sitter_r::LANGUAGE.into(),
        Language::Elm => tree_sitter_elm::LANGUAGE.into(),
        Language::Nix => tree_sitter_nix::LANGUAGE.into(),
        Language::Hcl => tree_sitter_hcl::LANGUAGE.into(),
        Language::Solidity => tree_sitter_solidity::LANGUAGE.into(),
        Language::Gleam => tree_sitter_gleam::LANGUAGE.into(),
    }
}

fn build(language: Language) -> Spec {
    let grammar = grammar(language);
    let source = queries::source(language);
    let patterns = Patterns::new(&grammar, &source)
        .unwrap_or_else(|e| panic!("the {} query does not compile: {e}", language.name()));
    let separator = match language {
        Language::Rust | Language::C | Language::Cpp | Language::Ruby | Language::Php => "::",
        _ => ".",
    };
    let roles = patterns
        .capture_names()
        .iter()
        .map(|n| Role::of(n))
        .collect();
    Spec {
        grammar,
        patterns,
        roles,
        separator,
        imports: imports::reader(language),
        exported: imports::exported_rule(language),
        inner_doc: (language == Language::Python)
            .then_some(imports::python_docstring as fn(Node<'_>, &[u8]) -> Option<String>),
        merges_clauses: matches!(
            language,
            Language::Elixir | Language::Erlang | Language::Haskell
        ),
        definitions_survive_errors: language == Language::Bash,
        blanks_macros: matches!(language, Language::C | Language::Cpp),
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
            let spec = spec(language);
            for (name, role) in spec.patterns.capture_names().iter().zip(&spec.roles) {
                assert!(
                    role.is_some(),
                    "{}: unknown capture @{name}",
                    language.name()
                );
            }
        }
    }

    /// One match, comparable across engines: the pattern and each capture
    /// as (name, byte range, kind).
    type Key = (usize, Vec<(String, usize, usize, u16)>);

    fn tree_sitter_matches(
        language: Language,
        tree: &tree_sitter::Tree,
        source: &[u8],
    ) -> Vec<Key> {
        use tree_sitter::StreamingIterator;
        let query = tree_sitter::Query::new(&grammar(language), &queries::source(language))
            .expect("the query compiles in tree-sitter");
        let names = query.capture_names();
        let mut cursor = tree_sitter::QueryCursor::new();
        let mut matches = cursor.matches(&query, tree.root_node(), source);
        let mut out = Vec::new();
        while let Some(m) = matches.next() {
            let mut captures: Vec<_> = m
                .captures()
                .iter()
                .map(|c| {
                    let n = c.node;
                    (
                        names[c.index as usize].to_owned(),
                        n.start_byte(),
                        n.end_byte(),
                        n.kind_id(),
                    )
                })
                .collect();
            captures.sort();
            out.push((m.pattern_index, captures));
        }
        out.sort();
        out
    }

    fn homer_matches(language: Language, tree: &tree_sitter::Tree, source: &[u8]) -> Vec<Key> {
        let patterns = &spec(language).patterns;
        let names = patterns.capture_names();
        let mut out = Vec::new();
        patterns.for_each_match(tree.root_node(), source, &mut |pattern, captures, _| {
            let mut captures: Vec<_> = captures
                .iter()
                .map(|(c, n)| {
                    (
                        names[usize::from(*c)].clone(),
                        n.start_byte(),
                        n.end_byte(),
                        n.kind_id(),
                    )
                })
                .collect();
            captures.sort();
            out.push((pattern, captures));
        });
        out.sort();
        out
    }

    /// Compares the two engines on one file; returns a description of the
    /// first differences.
    fn compare(path: &str, language: Language, source: &[u8]) -> Option<String> {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&grammar(language))
            .expect("the grammar loads");
        let tree = parser.parse(source, None)?;
        let expected = tree_sitter_matches(language, &tree, source);
        let actual = homer_matches(language, &tree, source);
        if expected == actual {
            return None;
        }
        let missing: Vec<_> = expected
            .iter()
            .filter(|m| !actual.contains(m))
            .take(3)
            .collect();
        let extra: Vec<_> = actual
            .iter()
            .filter(|m| !expected.contains(m))
            .take(3)
            .collect();
        Some(format!(
            "{path}: tree-sitter {} matches, Homer {}\n  only tree-sitter: {missing:?}\n  only Homer: {extra:?}",
            expected.len(),
            actual.len()
        ))
    }

    fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                files_under(&path, out);
            } else {
                out.push(path);
            }
        }
    }

    fn check_files(root: &std::path::Path, paths: &[std::path::PathBuf]) -> (usize, Vec<String>) {
        let mut checked = 0;
        let mut problems = Vec::new();
        for path in paths {
            let Ok(source) = std::fs::read(path) else {
                continue;
            };
            let relative = path
                .strip_prefix(root)
                .unwrap_or(path)
                .to_string_lossy()
                .into_owned();
            if source.len() > 1_000_000 {
                continue;
            }
            let Some(language) = crate::detect(&relative, &source) else {
                continue;
            };
            checked += 1;
            problems.extend(compare(&relative, language, &source));
        }
        (checked, problems)
    }

    /// The matcher finds exactly what tree-sitter's query engine finds,
    /// on every fixture file.
    #[test]
    fn the_matcher_agrees_with_tree_sitter_on_the_fixtures() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/languages");
        let mut paths = Vec::new();
        files_under(&root, &mut paths);
        let (checked, problems) = check_files(&root, &paths);
        assert!(
            checked >= 10,
            "only {checked} fixture files found under {}",
            root.display()
        );
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// The same on every file of the corpus repositories, when
    /// `HOMER_CORPUS` names a directory of clones.
    #[test]
    #[allow(clippy::print_stdout, reason = "reports what it compared")]
    fn the_matcher_agrees_with_tree_sitter_on_the_corpus() {
        let Some(corpus) = std::env::var_os("HOMER_CORPUS") else {
            return;
        };
        let corpus = std::path::PathBuf::from(corpus);
        let mut total = 0;
        let mut problems = Vec::new();
        let mut repos: Vec<_> = std::fs::read_dir(&corpus)
            .expect("HOMER_CORPUS is a directory")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join(".git").exists())
            .collect();
        repos.sort();
        for repo in repos {
            let out = std::process::Command::new("git")
                .args(["ls-files", "-z"])
                .current_dir(&repo)
                .output()
                .expect("git runs");
            let paths: Vec<_> = out
                .stdout
                .split(|&b| b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| repo.join(String::from_utf8_lossy(p).as_ref()))
                .collect();
            let (checked, found) = check_files(&repo, &paths);
            println!("{}: {checked} files", repo.display());
            total += checked;
            problems.extend(found);
        }
        println!("{total} files compared, {} differ", problems.len());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
