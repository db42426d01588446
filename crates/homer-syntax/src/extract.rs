//! From source bytes to [`FileFacts`]: one parse, one query pass, and
//! linear passes over the matches. Nothing here recurses over the tree, so
//! any nesting depth is safe, and nothing fails: bytes that are not UTF-8
//! are replaced in names, and a file that does not parse yields what could
//! be read plus diagnostics.

use std::collections::{HashMap, HashSet};

use tree_sitter::{Node, Parser, TreeCursor};

use crate::lang::{Capture, Role, Slot, Spec, spec, text};
use crate::{
    Argument, DefKind, Definition, Diagnostic, FileFacts, Import, ImportKind, Language, RefKind,
    Reference, Span,
};

/// Bumped whenever extraction changes what it produces, so stored facts
/// are recomputed (24: a signature laid out an item a line closes up its
/// brackets).
pub const EXTRACTOR_VERSION: u32 = 24;

/// The longest signature, doc and receiver text kept, in bytes.
const MAX_SIGNATURE: usize = 300;
const MAX_DOC: usize = 2000;
const MAX_RECEIVER: usize = 120;
/// The longest argument text kept for its type (`TypeName.INT`, `x`).
const MAX_ARGUMENT: usize = 80;
/// Diagnostics kept per file.
const MAX_DIAGNOSTICS: usize = 10;
/// A qualified name longer than this (pathologically deep nesting) keeps
/// only its last part, so names stay linear in the nesting depth.
const MAX_QUALIFIED: usize = 512;

/// How long one parse may take: a second plus two per megabyte. A
/// megabyte parses in about a tenth of a second, but the error recovery
/// of some grammars (Kotlin, Lua) grows with the square of the errors, and
/// a megabyte of what is not that language would take minutes.
const PARSE_BUDGET_BASE: std::time::Duration = std::time::Duration::from_secs(1);
const PARSE_BUDGET_PER_MB: std::time::Duration = std::time::Duration::from_secs(2);

/// Reusable parsing state; keep one per thread.
pub struct Extractor {
    parser: Parser,
    language: Option<Language>,
    /// The parse budget's fixed part (a test may shorten it).
    budget_base: std::time::Duration,
}

impl std::fmt::Debug for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extractor")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

impl Extractor {
    #[must_use]
    pub fn new() -> Self {
        Extractor {
            parser: Parser::new(),
            language: None,
            budget_base: PARSE_BUDGET_BASE,
        }
    }

    /// An extractor whose parses may take `base` plus two seconds per
    /// megabyte, instead of one second plus two per megabyte.
    #[must_use]
    pub fn with_parse_budget(base: std::time::Duration) -> Self {
        Extractor {
            budget_base: base,
            ..Extractor::new()
        }
    }

    /// `source` parsed (from `old`, edited to match, when given), or
    /// `None` when the parse ran out of its time budget. The only input
    /// that runs out is pathological (a megabyte of errors); its facts
    /// are a diagnostic saying so.
    fn parse(
        &mut self,
        source: &[u8],
        old: Option<&tree_sitter::Tree>,
    ) -> Option<tree_sitter::Tree> {
        let megabytes = u32::try_from(source.len() / 1_000_000).unwrap_or(u32::MAX);
        let budget = self.budget_base + PARSE_BUDGET_PER_MB * megabytes;
        let start = std::time::Instant::now();
        let mut check = |_: &tree_sitter::ParseState| {
            if start.elapsed() > budget {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        };
        let len = source.len();
        let tree = self.parser.parse_with_options(
            &mut |i, _| if i < len { &source[i..] } else { &[] },
            old,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut check)),
        );
        if tree.is_none() {
            // A cancelled parse would otherwise resume on the next call.
            self.parser.reset();
        }
        tree
    }

    /// The facts of one file.
    pub fn extract(&mut self, language: Language, source: &[u8]) -> FileFacts {
        let spec = spec(language);
        let mut facts = FileFacts {
            language: Some(language),
            ..FileFacts::default()
        };
        // A byte order mark is not code; lines are unaffected by dropping it.
        let source = source.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(source);
        // The Kotlin and Ruby lexers end a comment (and lose the rest of
        // the file) at a NUL: read as a space, it moves no offset.
        let without_nuls;
        let source = if source.contains(&0) {
            without_nuls = source
                .iter()
                .map(|&b| if b == 0 { b' ' } else { b })
                .collect::<Vec<u8>>();
            &without_nuls[..]
        } else {
            source
        };
        if self.language != Some(language) {
            if self.parser.set_language(&spec.grammar).is_err() {
                facts.diagnostics.push(Diagnostic {
                    line: 1,
                    message: format!("the {} grammar cannot be loaded", language.name()),
                });
                return facts;
            }
            self.language = Some(language);
        }
        let Some(mut tree) = self.parse(source, None) else {
            facts.diagnostics.push(Diagnostic {
                line: 1,
                message: "not read: the parser's error recovery ran out of time (is this file \
                          really that language?)"
                    .to_owned(),
            });
            return facts;
        };
        // C and C++ read without their declaration macros unless that
        // parses worse (a macro the grammar takes for a type or a
        // declarator parses without an error, and wrongly): the text
        // (names, signatures) still comes from the source.
        // The blanked text is parsed anew only around what changed.
        if spec.blanks_macros
            && let Some(blanked) = crate::macros::blank(source)
        {
            let mut edited = tree.clone();
            for edit in &blanked.edits {
                edited.edit(edit);
            }
            if let Some(other) = self.parse(&blanked.bytes, Some(&edited))
                && error_count(other.root_node()) <= error_count(tree.root_node())
            {
                tree = other;
            }
        }
        let root = tree.root_node();

        let mut found = Found::default();
        spec.patterns
            .for_each_match(root, source, &mut |pattern, captures, in_error| {
                found.read(pattern, captures, in_error, spec, source);
            });
        let docs = Docs::new(found.comments, found.attributes);
        let impls = impl_headers(&found.scopes);
        let mut nested = nest(
            spec,
            source,
            &docs,
            &found.exported,
            found.defs,
            found.scopes,
        );
        complete(&mut nested, language, root, source, spec);
        facts.references = attach(found.refs, &nested);
        facts.bindings = attach_bindings(found.bindings, &nested, &impls);
        facts.definitions = nested.definitions;
        for node in found.imports {
            (spec.imports)(node, source, &mut facts.imports);
        }
        // A bound `const x = require("m")` and the bare call inside it are
        // one import: keep the bound one.
        found.requires.sort_by(|a, b| {
            a.0.start_byte()
                .cmp(&b.0.start_byte())
                .then(b.3.is_some().cmp(&a.3.is_some()))
        });
        let mut seen_lines = HashSet::new();
        for (node, function, path, alias) in found.requires {
            if !seen_lines.insert((line_of(node), path.clone())) {
                continue;
            }
            let relative = function == "require_relative" || path.starts_with('.');
            facts.imports.push(Import {
                path,
                names: Vec::new(),
                alias,
                wildcard: false,
                kind: ImportKind::Require { relative },
                line: line_of(node),
            });
        }
        facts.imports.sort_by_key(|i| i.line);
        facts.package = found.package;
        if root.has_error() {
            facts.diagnostics = diagnostics(root);
        }
        facts
    }
}

fn line_of(node: Node<'_>) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}

fn end_line_of(node: Node<'_>) -> u32 {
    u32::try_from(node.end_position().row + 1).unwrap_or(u32::MAX)
}

/// Whitespace runs become one space; the result is cut at `max` bytes on a
/// character boundary.
fn one_line(s: &str, max: usize) -> String {
    joined(s, max, false)
}

/// A header on one line: whitespace runs become one space, except where a
/// line break follows an opening bracket or comes before a closing one (a
/// list laid out an item a line), which closes up, the list's trailing
/// comma dropped: `def f(\n    a,\n    b,\n)` reads `def f(a, b)`, as a
/// formatter would print it on one line. Cut at `max` bytes on a character
/// boundary.
fn signature_line(s: &str, max: usize) -> String {
    joined(s, max, true)
}

/// The words of `s` joined by single spaces, cut at `max` bytes on a
/// character boundary; with `close_up`, as [`signature_line`] lays a list
/// out.
fn joined(s: &str, max: usize, close_up: bool) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    let mut rest = s;
    loop {
        let word_at = rest.trim_start();
        if word_at.is_empty() {
            break;
        }
        let broken = close_up && rest[..rest.len() - word_at.len()].contains('\n');
        let end = word_at.find(char::is_whitespace).unwrap_or(word_at.len());
        let word = &word_at[..end];
        rest = &word_at[end..];
        if !out.is_empty() {
            if broken && word.starts_with([')', ']', '>']) {
                if out.ends_with(',') {
                    out.pop();
                }
            } else if !(broken && out.ends_with(['(', '[', '<'])) {
                out.push(' ');
            }
        }
        out.push_str(word);
        if out.len() >= max {
            let mut cut = max;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            break;
        }
    }
    out
}

/// A definition as the query found it, before nesting is known.
struct RawDef<'t> {
    node: Node<'t>,
    kind: DefKind,
    name: String,
    name_start: usize,
    qualifier: Option<String>,
    pattern: usize,
}

struct RawRef {
    byte: usize,
    /// Where the call or construction ends: with `byte`, the node.
    end: usize,
    /// Where the receiver is, when a receiver was captured: a call there is
    /// the call this one is made on (`a.b().c()`).
    receiver_span: Option<(usize, usize)>,
    line: u32,
    name: String,
    receiver: Option<String>,
    path: bool,
    kind: RefKind,
    args: Option<u16>,
    arguments: Vec<RawArgument>,
}

/// An argument before the calls of the file are numbered.
enum RawArgument {
    Read(Argument),
    /// A call, by where it is.
    Call(usize, usize),
}

/// Java calls (`method_invocation`): what each argument's text says of its
/// type, which is what tells Java's overloads apart. Other languages: none.
fn typed_arguments(call: Node<'_>, source: &[u8]) -> Vec<RawArgument> {
    if call.kind() != "method_invocation" {
        return Vec::new();
    }
    let Some(arguments) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut cursor = arguments.walk();
    arguments
        .named_children(&mut cursor)
        .filter(|a| !a.kind().contains("comment"))
        .map(|a| java_argument(a, source))
        .collect()
}

fn java_argument(node: Node<'_>, source: &[u8]) -> RawArgument {
    let named = |t: &str| RawArgument::Read(Argument::Type(t.to_owned()));
    let short = |n: Node<'_>| {
        let t = text(n, source);
        (t.len() <= MAX_ARGUMENT && !t.contains('\n')).then(|| t.into_owned())
    };
    match node.kind() {
        "string_literal" | "text_block" => named("String"),
        "character_literal" => named("char"),
        "true" | "false" => named("boolean"),
        "null_literal" => RawArgument::Read(Argument::Null),
        "decimal_integer_literal"
        | "hex_integer_literal"
        | "octal_integer_literal"
        | "binary_integer_literal" => {
            if text(node, source).ends_with(['l', 'L']) {
                named("long")
            } else {
                named("int")
            }
        }
        "decimal_floating_point_literal" | "hex_floating_point_literal" => {
            if text(node, source).ends_with(['f', 'F']) {
                named("float")
            } else {
                named("double")
            }
        }
        "class_literal" => named("Class"),
        "object_creation_expression" | "cast_expression" => node
            .child_by_field_name("type")
            .and_then(short)
            .map_or(RawArgument::Read(Argument::Unknown), |t| {
                RawArgument::Read(Argument::Type(t))
            }),
        "identifier" | "field_access" | "this" => short(node)
            .map_or(RawArgument::Read(Argument::Unknown), |t| {
                RawArgument::Read(Argument::Value(t))
            }),
        "method_invocation" => RawArgument::Call(node.start_byte(), node.end_byte()),
        "parenthesized_expression" => node
            .named_child(0)
            .map_or(RawArgument::Read(Argument::Unknown), |inner| {
                java_argument(inner, source)
            }),
        _ => RawArgument::Read(Argument::Unknown),
    }
}

/// A name introduced with a type, before its scope is known.
struct RawBinding {
    byte: usize,
    line: u32,
    name: String,
    type_name: String,
}

impl RawBinding {
    /// Without `@bind.type`, or with one that says nothing (`var`): a name
    /// whose type is not said.
    fn new(node: Node<'_>, name: String, type_name: Option<String>) -> Self {
        let type_name = one_line(&type_name.unwrap_or_default(), MAX_RECEIVER);
        RawBinding {
            byte: node.start_byte(),
            line: line_of(node),
            name,
            type_name: if says_nothing(&type_name) {
                String::new()
            } else {
                type_name
            },
        }
    }
}

/// How many arguments a call or construction node passes: the named
/// children of its `arguments` field, none of them a spread or splat, and
/// comments not counted. `None` when the grammar has no such field there
/// or an argument's count is not known.
fn argument_count(call: Node<'_>) -> Option<u16> {
    let arguments = call.child_by_field_name("arguments")?;
    let mut cursor = arguments.walk();
    let mut n: u16 = 0;
    for child in arguments.named_children(&mut cursor) {
        let kind = child.kind();
        if kind.contains("comment") {
            continue;
        }
        if kind.contains("spread") || kind.contains("splat") {
            return None;
        }
        n = n.saturating_add(1);
    }
    Some(n)
}

/// How a binding's type says it holds each element of what a loop walks
/// (`each c.commands`).
pub const EACH: &str = "each ";

/// How a binding's type says it is given the last result of a call (`last
/// run()` for Go's `out, err := run()`).
pub const LAST: &str = "last ";

/// Type texts that say nothing about the type (`var x = …`).
fn says_nothing(type_name: &str) -> bool {
    matches!(
        type_name,
        "var" | "val" | "let" | "auto" | "dynamic" | "any" | "Any" | "object"
    )
}

/// A comment, by rows and bytes.
struct Comment {
    start_row: usize,
    end_row: usize,
    range: std::ops::Range<usize>,
    /// Nothing but whitespace before it on its line: a comment that ends a
    /// line of code is not the doc of what follows.
    starts_line: bool,
}

/// What the query matches yielded.
#[derive(Default)]
struct Found<'t> {
    defs: Vec<RawDef<'t>>,
    scopes: Vec<(Node<'t>, String)>,
    refs: Vec<RawRef>,
    bindings: Vec<RawBinding>,
    imports: Vec<Node<'t>>,
    /// `require("x")` calls: (node, function, path, bound name).
    requires: Vec<(Node<'t>, String, String, Option<String>)>,
    package: Option<String>,
    comments: Vec<Comment>,
    /// Attributes, decorators and template headers.
    attributes: Vec<Attribute>,
    /// Definitions exported by where they stand.
    exported: HashSet<usize>,
}

impl<'t> Found<'t> {
    /// Reads one match. A definition inside a stretch the parser could not
    /// read (`in_error`) is dropped: error recovery there turns statements
    /// into "methods" named `if` or `return`, and a wrong symbol misleads
    /// more than a missing one. References there are kept: they are only
    /// names, and resolution does not trust a name alone.
    #[allow(clippy::too_many_lines, reason = "one branch per kind of capture")]
    fn read(
        &mut self,
        pattern: usize,
        captures: &[Capture<'t>],
        in_error: bool,
        spec: &Spec,
        source: &[u8],
    ) {
        let mut def: Option<(Node<'t>, DefKind)> = None;
        let mut slots: [Option<Node<'t>>; Slot::COUNT] = [None; Slot::COUNT];
        for &(index, node) in captures {
            match spec.roles.get(usize::from(index)).copied().flatten() {
                Some(Role::Def(kind)) => def = Some((node, kind)),
                Some(Role::Slot(slot)) => slots[slot as usize] = Some(node),
                None => {}
            }
        }
        let get = |slot: Slot| slots[slot as usize];
        let text_of = |slot: Slot| get(slot).map(|n| text(n, source).into_owned());
        let path = get(Slot::CallPath).is_some();
        let receiver = || {
            text_of(Slot::CallReceiver)
                .or_else(|| text_of(Slot::CallPath))
                .map(|r| one_line(&r, MAX_RECEIVER))
        };
        if let Some((node, kind)) = def {
            if (!in_error || spec.definitions_survive_errors)
                && let Some((name_node, name)) = def_name(get(Slot::Name), source)
            {
                self.defs.push(RawDef {
                    node,
                    kind,
                    name: name.into_owned(),
                    name_start: name_node.start_byte(),
                    qualifier: text_of(Slot::Qualifier),
                    pattern,
                });
            }
        } else if let (Some(scope), Some(name)) = (get(Slot::Scope), text_of(Slot::ScopeName)) {
            self.scopes.push((scope, name));
        } else if let (Some(call), Some(name)) = (get(Slot::Call), text_of(Slot::CallName)) {
            if !tokens_adjacent(&slots, source) {
                return;
            }
            self.refs.push(RawRef {
                byte: call.start_byte(),
                end: call.end_byte(),
                receiver_span: get(Slot::CallReceiver).map(|n| (n.start_byte(), n.end_byte())),
                line: line_of(call),
                name,
                receiver: receiver(),
                path,
                kind: RefKind::Call,
                args: if get(Slot::CallArgs).is_some() {
                    None
                } else {
                    argument_count(call)
                },
                arguments: typed_arguments(call, source),
            });
        } else if let (Some(node), Some(name)) =
            (get(Slot::Construct), text_of(Slot::ConstructName))
        {
            self.refs.push(RawRef {
                byte: node.start_byte(),
                end: node.end_byte(),
                receiver_span: None,
                line: line_of(node),
                name,
                receiver: receiver(),
                path,
                kind: RefKind::Construct,
                args: argument_count(node),
                arguments: Vec::new(),
            });
        } else if let Some(node) = get(Slot::TypeName) {
            self.refs.push(RawRef {
                byte: node.start_byte(),
                end: node.end_byte(),
                receiver_span: None,
                line: line_of(node),
                name: text(node, source).into_owned(),
                receiver: None,
                path: false,
                kind: RefKind::Type,
                args: None,
                arguments: Vec::new(),
            });
        } else if let (Some(node), Some(name)) = (get(Slot::Bind), text_of(Slot::BindName)) {
            // A type as written, or what resolution works it out from:
            // `each <expression>` for an element of what a loop walks,
            // `last <call>` for the last result of a call.
            let type_name = text_of(Slot::BindType)
                .or_else(|| text_of(Slot::BindEach).map(|walked| format!("{EACH}{walked}")))
                .or_else(|| text_of(Slot::BindLast).map(|call| format!("{LAST}{call}")));
            self.bindings.push(RawBinding::new(node, name, type_name));
        } else if let Some(node) = get(Slot::Import) {
            self.imports.push(node);
        } else if let (Some(node), Some(function), Some(path)) = (
            get(Slot::Require),
            text_of(Slot::RequireFn),
            text_of(Slot::RequirePath),
        ) {
            self.requires
                .push((node, function, path, text_of(Slot::RequireAlias)));
        } else if let Some(package) = text_of(Slot::Package) {
            self.package.get_or_insert(package);
        } else if let Some(node) = get(Slot::Comment) {
            let line_start = source[..node.start_byte()]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            // Some grammars end a line comment after its newline, at
            // column 0 of the next row: the comment is on the row before.
            let (start, end) = (node.start_position(), node.end_position());
            let end_row = if end.column == 0 && end.row > start.row {
                end.row - 1
            } else {
                end.row
            };
            self.comments.push(Comment {
                start_row: start.row,
                end_row,
                range: node.byte_range(),
                starts_line: source[line_start..node.start_byte()]
                    .iter()
                    .all(u8::is_ascii_whitespace),
            });
        } else if let Some(node) = get(Slot::Attribute) {
            // `template <typename T> struct node {` ends its line with the
            // definition it heads: it is not above the next row's.
            let rest = &source[node.end_byte()..];
            let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            self.attributes.push(Attribute {
                start_row: node.start_position().row,
                end_row: node.end_position().row,
                ends_line: rest[..line_end].iter().all(u8::is_ascii_whitespace),
            });
        } else if let Some(node) = get(Slot::Exported) {
            self.exported.insert(node.id());
        }
    }
}

/// For a call read from tokens (`@call.args`): whether the name, its
/// receiver or path, and the arguments stand next to each other with
/// nothing but `.`, `::` and spaces between (`a.b(x)`, not `a, b, (x)`).
/// Calls read from expressions always pass.
fn tokens_adjacent(slots: &[Option<Node<'_>>; Slot::COUNT], source: &[u8]) -> bool {
    let (Some(args), Some(name)) = (
        slots[Slot::CallArgs as usize],
        slots[Slot::CallName as usize],
    ) else {
        return true;
    };
    let gap = |from: usize, to: usize, separator: &[u8]| {
        source
            .get(from..to)
            .is_some_and(|between| between.trim_ascii() == separator)
    };
    let before = slots[Slot::CallReceiver as usize]
        .map(|r| (r, &b"."[..]))
        .or_else(|| slots[Slot::CallPath as usize].map(|p| (p, &b"::"[..])));
    gap(name.end_byte(), args.start_byte(), b"")
        && before.is_none_or(|(node, separator)| gap(node.end_byte(), name.start_byte(), separator))
}

/// Definitions in source order with what the reference pass needs.
struct Nested {
    definitions: Vec<Definition>,
    /// Byte range of each definition.
    ranges: Vec<(usize, usize)>,
    /// Where definition names start: a type reference there is the
    /// definition itself.
    name_starts: HashSet<usize>,
}

impl Nested {
    fn with_capacity(n: usize) -> Nested {
        Nested {
            definitions: Vec::with_capacity(n),
            ranges: Vec::with_capacity(n),
            name_starts: HashSet::with_capacity(n),
        }
    }
}

/// A definition or a scope, in position order.
enum Item {
    Def(usize),
    /// A scope's name, and the trait it implements.
    Scope(String, Option<String>),
}

/// A definition or scope whose range is still open during nesting.
struct Open {
    end: usize,
    qualified: String,
    def: Option<u32>,
    holds_methods: bool,
    /// The definition binds a name to a value (`x = function …`), which
    /// may name the same function again.
    binds_value: bool,
    /// A scope implementing this trait (Rust `impl Trait for Type`).
    of_trait: Option<String>,
}

/// Definitions and scopes by where they start, the outer first; a scope
/// with the trait it implements (Rust `impl Trait for Type`).
fn items_in_order(
    defs: &[RawDef<'_>],
    scopes: Vec<(Node<'_>, String)>,
    source: &[u8],
) -> Vec<(usize, usize, Item)> {
    let mut items: Vec<(usize, usize, Item)> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.node.start_byte(), d.node.end_byte(), Item::Def(i)))
        .chain(scopes.into_iter().map(|(n, name)| {
            let of_trait = n
                .child_by_field_name("trait")
                .map(|t| one_line(&text(t, source), MAX_RECEIVER));
            (n.start_byte(), n.end_byte(), Item::Scope(name, of_trait))
        }))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    items
}

/// Orders definitions and scopes by position, nests them (a stack: ranges
/// in a tree never partly overlap), qualifies names, and turns functions
/// held by class-like definitions or scopes into methods.
fn nest<'t>(
    spec: &Spec,
    source: &[u8],
    docs: &Docs,
    exported: &HashSet<usize>,
    mut defs: Vec<RawDef<'t>>,
    scopes: Vec<(Node<'t>, String)>,
) -> Nested {
    // Several patterns may match one node: the first pattern wins.
    defs.sort_by_key(|d| (d.node.id(), d.pattern));
    defs.dedup_by_key(|d| d.node.id());

    let items = items_in_order(&defs, scopes, source);

    let mut stack: Vec<Open> = Vec::new();
    let mut nested = Nested::with_capacity(defs.len());
    let join = |prefix: Option<&str>, local: &str| match prefix {
        Some(p) if !p.is_empty() && p.len() + local.len() < MAX_QUALIFIED => {
            format!("{p}{}{local}", spec.separator)
        }
        Some(p) if !p.is_empty() => format!("…{}{local}", spec.separator),
        _ => local.to_owned(),
    };
    for (start, end, item) in items {
        while stack.last().is_some_and(|open| open.end <= start) {
            stack.pop();
        }
        let prefix = stack.last().map(|open| open.qualified.as_str());
        let parent = stack.iter().rev().find_map(|open| open.def);
        match item {
            Item::Scope(name, of_trait) => {
                let qualified = join(prefix, &name);
                stack.push(Open {
                    end,
                    qualified,
                    def: parent,
                    holds_methods: true,
                    binds_value: false,
                    of_trait,
                });
            }
            Item::Def(i) => {
                let raw = &defs[i];
                // A named function given as a value names one thing twice
                // (`res.send = function send() {}`): keep the outer one.
                if let Some(open) = stack.last()
                    && open.binds_value
                    && let Some(outer) = open.def
                    && is_same_definition(&nested.definitions[outer as usize], raw)
                {
                    continue;
                }
                // The next clause of the function just read.
                if spec.merges_clauses
                    && let Some(open) = merge_clause(&mut nested, raw, parent, start, end)
                {
                    stack.push(open);
                    continue;
                }
                let local = match &raw.qualifier {
                    Some(q) => format!("{q}{}{}", spec.separator, raw.name),
                    None => raw.name.clone(),
                };
                let qualified = join(prefix, &local);
                let mut kind = raw.kind;
                if kind == DefKind::Function && stack.last().is_some_and(|open| open.holds_methods)
                {
                    kind = DefKind::Method;
                }
                let index = u32::try_from(nested.definitions.len()).unwrap_or(u32::MAX);
                nested.definitions.push(Definition {
                    name: raw.name.clone(),
                    qualified: qualified.clone(),
                    kind,
                    span: Span {
                        start_line: line_of(raw.node),
                        end_line: end_line_of(raw.node),
                    },
                    signature: signature(raw.node, source, docs),
                    doc: spec
                        .inner_doc
                        .and_then(|inner| inner(raw.node, source))
                        .or_else(|| docs.above(raw.node, source))
                        .map(|doc| cap(xml_doc_text(doc))),
                    parent,
                    exported: (spec.exported)(raw.node, &raw.name, source)
                        || (exported.contains(&raw.node.id()) && !raw.name.starts_with('#')),
                    of_trait: stack.last().and_then(|open| open.of_trait.clone()),
                });
                nested.ranges.push((start, end));
                nested.name_starts.insert(raw.name_start);
                stack.push(Open {
                    end,
                    qualified,
                    def: Some(index),
                    holds_methods: kind.holds_methods(),
                    binds_value: matches!(
                        raw.node.kind(),
                        "assignment_expression" | "variable_declarator" | "pair"
                    ),
                    of_trait: None,
                });
            }
        }
    }
    nested
}

/// What follows nesting: the shell functions the grammar could not read,
/// then numbered repeats.
fn complete(nested: &mut Nested, language: Language, root: Node<'_>, source: &[u8], spec: &Spec) {
    if language == Language::Bash {
        add_unread_functions(nested, crate::shell::unread_functions(root, source), spec);
    }
    number_repeats(&mut nested.definitions);
}

/// Adds the shell functions read from their header lines in stretches the
/// parser could not read (`crate::shell`), in position order: parents are
/// found anew by containment (shell has no scopes, so that is how `nest`
/// found them too).
fn add_unread_functions(nested: &mut Nested, headers: Vec<crate::shell::Header>, spec: &Spec) {
    let known: HashSet<(u32, &str)> = nested
        .definitions
        .iter()
        .map(|d| (d.span.start_line, d.name.as_str()))
        .collect();
    let headers: Vec<crate::shell::Header> = headers
        .into_iter()
        .filter(|h| !known.contains(&(h.start_line, h.name.as_str())))
        .collect();
    if headers.is_empty() {
        return;
    }
    let old = std::mem::replace(nested, Nested::with_capacity(0));
    let mut entries: Vec<(usize, usize, Definition)> = old
        .ranges
        .into_iter()
        .zip(old.definitions)
        .map(|((start, end), d)| (start, end, d))
        .collect();
    nested.name_starts = old.name_starts;
    for h in headers {
        nested.name_starts.insert(h.name_start);
        entries.push((
            h.start,
            h.end,
            Definition {
                qualified: h.name.clone(),
                name: h.name,
                kind: DefKind::Function,
                span: Span {
                    start_line: h.start_line,
                    end_line: h.end_line,
                },
                signature: signature_line(&h.signature, MAX_SIGNATURE),
                doc: None,
                parent: None,
                // Shell functions are visible to whatever sources the file.
                exported: true,
                of_trait: None,
            },
        ));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut open: Vec<(usize, u32)> = Vec::new();
    for (start, end, mut d) in entries {
        while open.last().is_some_and(|&(e, _)| e <= start) {
            open.pop();
        }
        d.parent = open.last().map(|&(_, i)| i);
        if let Some(parent) = d.parent
            && d.qualified == d.name
        {
            let prefix = &nested.definitions[parent as usize].qualified;
            d.qualified = format!("{prefix}{}{}", spec.separator, d.name);
        }
        let index = u32::try_from(nested.definitions.len()).unwrap_or(u32::MAX);
        open.push((end, index));
        nested.definitions.push(d);
        nested.ranges.push((start, end));
    }
}

/// `raw` as one more clause of the definition read last (`area(square)`
/// then `area(circle)`, or a Haskell signature then its equations), when
/// it is one: the definition is extended over it.
fn merge_clause(
    nested: &mut Nested,
    raw: &RawDef<'_>,
    parent: Option<u32>,
    start: usize,
    end: usize,
) -> Option<Open> {
    let index = u32::try_from(nested.definitions.len().checked_sub(1)?).ok()?;
    let last = nested.definitions.last_mut()?;
    let range = nested.ranges.last_mut()?;
    if last.name != raw.name || last.parent != parent || range.1 > start {
        return None;
    }
    last.span.end_line = end_line_of(raw.node);
    range.1 = end;
    nested.name_starts.insert(raw.name_start);
    Some(Open {
        end,
        qualified: last.qualified.clone(),
        def: Some(index),
        holds_methods: false,
        binds_value: false,
        of_trait: None,
    })
}

/// The header of a definition without a body (an overload, a type alias,
/// a constant): its first line, and the lines after it while a bracket
/// opened before any `=` is open (`type Options<\n  T,\n> = Base<T>`,
/// an overload's parameters an item a line), but not the value after an
/// `=` (a constant's array).
fn header_lines(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut assigned = false;
    for (i, &b) in bytes.iter().enumerate() {
        let before = if i > 0 { bytes[i - 1] } else { b' ' };
        let after = bytes.get(i + 1).copied().unwrap_or(b' ');
        match b {
            b'(' | b'[' | b'<' if !(assigned || b == b'<' && after == b'=') => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'>' if !matches!(before, b'=' | b'-') && after != b'=' => {
                depth = depth.saturating_sub(1);
            }
            b'=' if depth == 0
                && !matches!(before, b'=' | b'!' | b'<' | b'>')
                && after != b'='
                && after != b'>' =>
            {
                assigned = true;
            }
            b'\n' if depth == 0 || assigned => return &text[..i],
            _ => {}
        }
    }
    text
}

/// The same qualified name twice (overloads, two `impl` blocks with the
/// same method): later ones get `#2`, `#3`, in source order.
fn number_repeats(definitions: &mut [Definition]) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for d in definitions {
        let n = seen.entry(d.qualified.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            d.qualified = format!("{}#{n}", d.qualified);
        }
    }
}

/// Is `inner` the same definition as its enclosing `outer`, seen twice: the
/// same name, starting on the same line?
fn is_same_definition(outer: &Definition, inner: &RawDef<'_>) -> bool {
    outer.name == inner.name && outer.span.start_line == line_of(inner.node)
}

/// The header of a definition: its text up to the body, on one line,
/// without the comments in it (Ruby's `module M` with its doc comment
/// inside, before the first statement of the body).
fn signature(node: Node<'_>, source: &[u8], docs: &Docs) -> String {
    let body = node.child_by_field_name("body").or_else(|| {
        node.child_by_field_name("value")
            .and_then(|v| v.child_by_field_name("body"))
    });
    let start = node.start_byte();
    let end = body
        .map_or(node.end_byte(), |b| b.start_byte())
        .clamp(start, start + 4 * MAX_SIGNATURE)
        .min(source.len());
    let mut text: Vec<u8> = Vec::with_capacity(end.saturating_sub(start));
    let mut at = start;
    for range in docs.comments_within(node.start_position().row, start..end) {
        text.extend_from_slice(&source[at..range.start]);
        text.push(b' ');
        at = range.end;
    }
    text.extend_from_slice(&source[at.min(end)..end]);
    let raw = String::from_utf8_lossy(&text);
    let raw = if body.is_some() {
        raw.as_ref()
    } else {
        header_lines(&raw)
    };
    let mut s = signature_line(raw, MAX_SIGNATURE);
    loop {
        let trimmed = s
            .trim_end()
            .trim_end_matches("=>")
            .trim_end_matches(['{', ':', '=', ';'])
            .trim_end()
            .len();
        if trimmed == s.len() {
            break;
        }
        s.truncate(trimmed);
    }
    s
}

/// The rows of an attribute, a decorator or a template header.
#[derive(Clone, Copy, Debug)]
struct Attribute {
    start_row: usize,
    end_row: usize,
    /// Nothing but spaces follows it on its last row.
    ends_line: bool,
}

/// Comments and attributes by row, to find the doc comment of a
/// definition without walking the tree.
struct Docs {
    /// Sorted by end row.
    comments: Vec<Comment>,
    /// Sorted by end row.
    attributes: Vec<Attribute>,
}

impl Docs {
    fn new(mut comments: Vec<Comment>, mut attributes: Vec<Attribute>) -> Self {
        comments.sort_by_key(|c| (c.end_row, c.range.start));
        attributes.sort_by_key(|a| (a.end_row, a.start_row));
        Docs {
            comments,
            attributes,
        }
    }

    /// The comments wholly inside `range` (bytes; it starts on `row`), in
    /// order.
    fn comments_within(
        &self,
        row: usize,
        range: std::ops::Range<usize>,
    ) -> Vec<std::ops::Range<usize>> {
        let from = self.comments.partition_point(|c| c.end_row < row);
        let mut inside: Vec<std::ops::Range<usize>> = self.comments[from..]
            .iter()
            .take_while(|c| c.range.start < range.end)
            .filter(|c| c.range.start >= range.start && c.range.end <= range.end)
            .map(|c| c.range.clone())
            .collect();
        inside.sort_by_key(|r| r.start);
        inside
    }

    /// The block of comments right above `node` (each starting its own
    /// line, with no blank line between), skipping attributes between.
    fn above(&self, node: Node<'_>, source: &[u8]) -> Option<String> {
        let mut expected = node.start_position().row;
        let mut parts: Vec<String> = Vec::new();
        loop {
            // An attribute ending its line right above (or on the same
            // row, before).
            let attribute = self
                .attributes
                .partition_point(|a| a.end_row <= expected)
                .checked_sub(1)
                .map(|i| self.attributes[i])
                .filter(|a| {
                    a.start_row < expected
                        && (a.end_row == expected || a.end_row + 1 == expected && a.ends_line)
                });
            if let Some(a) = attribute {
                expected = a.start_row;
                continue;
            }
            let comment = self
                .comments
                .partition_point(|c| c.end_row < expected)
                .checked_sub(1)
                .map(|i| &self.comments[i])
                .filter(|c| c.end_row + 1 == expected && c.starts_line);
            let Some(c) = comment else { break };
            parts.push(strip_comment(&String::from_utf8_lossy(
                &source[c.range.clone()],
            )));
            expected = c.start_row;
        }
        parts.reverse();
        let doc = parts.join("\n");
        let doc = doc.trim();
        (!doc.is_empty()).then(|| doc.to_owned())
    }
}

fn cap(mut s: String) -> String {
    if s.len() > MAX_DOC {
        let mut cut = MAX_DOC;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// A C#-style XML documentation comment as text (any other doc as it is):
/// `<summary>` and the like dropped, `<see cref="X"/>` and
/// `<paramref name="x"/>` as the name they refer to, `<param name="x">`
/// and `<exception cref="X">` opening a line `x: `, and lines left empty
/// dropped. Readers show a doc's first line: `<summary>` said nothing.
fn xml_doc_text(doc: String) -> String {
    const TAGS: [&str; 6] = [
        "<summary",
        "<remarks",
        "<param ",
        "<returns",
        "<typeparam ",
        "<inheritdoc",
    ];
    if !TAGS.iter().any(|t| doc.contains(t)) {
        return doc;
    }
    let mut out = String::with_capacity(doc.len());
    let mut rest = doc.as_str();
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        // The value of the tag's `cref` or `name` attribute, if any
        // (`T:System.String` without its kind prefix).
        let attribute = ["cref=\"", "name=\""].iter().find_map(|a| {
            let at = tag.find(a)? + a.len();
            let value = &tag[at..at + tag[at..].find('"')?];
            Some(value.split_once(':').map_or(value, |(_, v)| v))
        });
        match (name, tag.starts_with('/'), attribute) {
            ("param" | "typeparam" | "exception", false, Some(v)) => {
                out.push('\n');
                out.push_str(v);
                out.push_str(": ");
            }
            ("inheritdoc", _, _) => out.push_str("(inherited)"),
            (_, false, Some(v)) if tag.ends_with('/') => out.push_str(v),
            ("para" | "br" | "returns" | "remarks" | "example", _, _) => out.push('\n'),
            _ => {}
        }
    }
    out.push_str(rest);
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A comment without its markers: `///`, `//!`, `//`, `/** */`, `#`, and
/// the `*` that starts lines inside block comments.
fn strip_comment(comment: &str) -> String {
    let body = comment.trim();
    let body = body
        .strip_prefix("/**")
        .or_else(|| body.strip_prefix("/*"))
        .map_or(body, |b| b.strip_suffix("*/").unwrap_or(b));
    body.lines()
        .map(|line| {
            let l = line.trim();
            let l = l
                .strip_prefix("///")
                .or_else(|| l.strip_prefix("//!"))
                .or_else(|| l.strip_prefix("//"))
                .or_else(|| l.strip_prefix('#'))
                .or_else(|| l.strip_prefix('*'))
                .unwrap_or(l);
            l.trim()
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// References in source order, each with its innermost enclosing
/// definition. A name matched twice at one place is one reference (the
/// reading with a receiver wins), and a type use that is a definition's own
/// name is dropped.
fn attach(mut refs: Vec<RawRef>, nested: &Nested) -> Vec<Reference> {
    // A total order, so the facts do not depend on the order matches came
    // in; readings of one name at one place are adjacent, the preferred
    // first (a call or construction over a type use, with a receiver over
    // without).
    refs.sort_by(|a, b| {
        a.byte
            .cmp(&b.byte)
            .then_with(|| a.name.cmp(&b.name))
            .then((a.kind == RefKind::Type).cmp(&(b.kind == RefKind::Type)))
            .then(a.receiver.is_none().cmp(&b.receiver.is_none()))
            .then_with(|| a.receiver.cmp(&b.receiver))
            .then(a.path.cmp(&b.path))
            .then(a.kind.cmp(&b.kind))
    });
    let mut out: Vec<Reference> = Vec::with_capacity(refs.len());
    // The calls kept by where they are, and the receivers to link to them.
    let mut calls: HashMap<(usize, usize), u32> = HashMap::new();
    let mut receivers: Vec<(usize, (usize, usize))> = Vec::new();
    let mut arguments: Vec<(usize, Vec<RawArgument>)> = Vec::new();
    // The place and name read last, and where each call kept there ends:
    // the links of a chain start at one place (`b.add(x).add(y)`) and are
    // told apart by where they end.
    let mut last: Option<(usize, String)> = None;
    let mut ends: Vec<usize> = Vec::new();
    for r in refs {
        // A definition's own name read as a use of it (a type name, or
        // an Elixir `def f(x)` whose head is a call).
        if nested.name_starts.contains(&r.byte) {
            continue;
        }
        if last
            .as_ref()
            .is_some_and(|(b, n)| *b == r.byte && *n == r.name)
        {
            if r.receiver.is_none() || r.kind == RefKind::Type || ends.contains(&r.end) {
                continue;
            }
        } else {
            ends.clear();
        }
        last = Some((r.byte, r.name.clone()));
        ends.push(r.end);
        let Ok(index) = u32::try_from(out.len()) else {
            break;
        };
        if r.kind == RefKind::Call {
            calls.entry((r.byte, r.end)).or_insert(index);
        }
        if let Some(span) = r.receiver_span {
            receivers.push((out.len(), span));
        }
        if !r.arguments.is_empty() {
            arguments.push((out.len(), r.arguments));
        }
        out.push(Reference {
            enclosing: enclosing(nested, r.byte),
            name: r.name,
            receiver: r.receiver,
            path: r.path,
            kind: r.kind,
            line: r.line,
            args: r.args,
            receiver_call: None,
            arguments: Vec::new(),
        });
    }
    for (at, span) in receivers {
        out[at].receiver_call = calls.get(&span).copied();
    }
    for (at, list) in arguments {
        out[at].arguments = list
            .into_iter()
            .map(|a| match a {
                RawArgument::Read(a) => a,
                RawArgument::Call(start, end) => calls
                    .get(&(start, end))
                    .map_or(Argument::Unknown, |&i| Argument::Call(i)),
            })
            .collect();
    }
    out
}

/// Where each Rust `impl` block starts, where its body starts, and where
/// it ends: what lies between the first two is its header (its type
/// parameters and `where` clause).
fn impl_headers(scopes: &[(Node<'_>, String)]) -> Vec<(usize, usize, usize)> {
    scopes
        .iter()
        .filter(|(n, _)| n.kind() == "impl_item")
        .filter_map(|(n, _)| {
            let body = n.child_by_field_name("body")?;
            Some((n.start_byte(), body.start_byte(), n.end_byte()))
        })
        .collect()
}

/// Bindings in source order, each with its scope; one per name and place.
/// An `impl` block is no definition: the bounds its header gives a type
/// parameter (a binding whose type starts with `:`) are given to each
/// definition of its body instead, at the definition's first line, so
/// that they are in scope there and nowhere else.
fn attach_bindings(
    mut bindings: Vec<RawBinding>,
    nested: &Nested,
    impls: &[(usize, usize, usize)],
) -> Vec<crate::Binding> {
    let header = |byte: usize| {
        impls
            .iter()
            .find(|&&(start, body, _)| start <= byte && byte < body)
            .copied()
    };
    // (definition's start, name) → its line and the bounds, joined by `+`
    // (`impl<G: A> … where G: B` bounds `G` by both).
    let mut handed: std::collections::BTreeMap<(usize, String), (u32, String)> =
        std::collections::BTreeMap::new();
    bindings.retain(|b| {
        if !b.type_name.starts_with(':') {
            return true;
        }
        let Some((_, body, end)) = header(b.byte) else {
            return true;
        };
        for (i, &(start, _)) in nested.ranges.iter().enumerate() {
            if body <= start && start < end {
                let line = nested.definitions[i].span.start_line;
                handed
                    .entry((start, b.name.clone()))
                    .and_modify(|(_, bounds)| {
                        bounds.push_str(" +");
                        bounds.push_str(&b.type_name[1..]);
                    })
                    .or_insert_with(|| (line, b.type_name.clone()));
            }
        }
        false
    });
    bindings.extend(
        handed
            .into_iter()
            .map(|((byte, name), (line, type_name))| RawBinding {
                byte,
                line,
                name,
                type_name,
            }),
    );
    // A stated type first, so that it is the one kept.
    bindings.sort_by(|a, b| {
        (a.byte, &a.name, a.type_name.is_empty(), &a.type_name).cmp(&(
            b.byte,
            &b.name,
            b.type_name.is_empty(),
            &b.type_name,
        ))
    });
    bindings.dedup_by(|b, a| a.byte == b.byte && a.name == b.name);
    bindings
        .into_iter()
        .map(|b| crate::Binding {
            enclosing: enclosing(nested, b.byte),
            name: b.name,
            type_name: b.type_name,
            line: b.line,
        })
        .collect()
}

/// The innermost definition containing `byte`: an ancestor of the last
/// definition that starts at or before it.
fn enclosing(nested: &Nested, byte: usize) -> Option<u32> {
    let after = nested.ranges.partition_point(|r| r.0 <= byte);
    // None before the first definition; indices are u32 in the facts.
    let mut candidate = u32::try_from(after.checked_sub(1)?).ok()?;
    loop {
        let (start, end) = nested.ranges[candidate as usize];
        if start <= byte && byte < end {
            return Some(candidate);
        }
        candidate = nested.definitions[candidate as usize].parent?;
    }
}

/// Moves `cursor` to the next node after the current one's subtree, in
/// document order; false at the end of the tree.
pub(crate) fn advance(cursor: &mut TreeCursor<'_>) -> bool {
    loop {
        if cursor.goto_next_sibling() {
            return true;
        }
        if !cursor.goto_parent() {
            return false;
        }
    }
}

/// How many error and missing nodes a tree has (counted up to a bound),
/// without descending into subtrees that hold none.
fn error_count(root: Node<'_>) -> usize {
    const BOUND: usize = 100_000;
    let mut count = 0;
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            count += 1;
        }
        // Into a child only where an error is below.
        let down = node.has_error() && cursor.goto_first_child();
        if !down && !advance(&mut cursor) {
            return count;
        }
        if count >= BOUND {
            return count;
        }
    }
}

/// Errors and missing nodes, found without recursion and without
/// descending into subtrees that hold none.
fn diagnostics(root: Node<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            out.push(Diagnostic {
                line: line_of(node),
                message: if node.is_missing() {
                    format!("missing {}", node.kind())
                } else {
                    "syntax error".to_owned()
                },
            });
            if out.len() >= MAX_DIAGNOSTICS || !advance(&mut cursor) {
                break;
            }
        } else if !(node.has_error() && cursor.goto_first_child() || advance(&mut cursor)) {
            break;
        }
    }
    out
}

/// A definition's name node and text. Error recovery can insert a
/// missing (zero-width) name: a definition needs a real name to be one
/// (found by fuzzing C#).
fn def_name<'t, 's>(
    node: Option<Node<'t>>,
    source: &'s [u8],
) -> Option<(Node<'t>, std::borrow::Cow<'s, str>)> {
    node.filter(|n| !n.is_missing())
        .map(|n| {
            let name = text(n, source);
            match n.kind() {
                "operator_name" => (n, std::borrow::Cow::Owned(operator_name(&name))),
                // `operator bool() const`: named to its parameter list.
                "operator_cast" => {
                    let head = name.split('(').next().unwrap_or_default();
                    (n, std::borrow::Cow::Owned(operator_name(head)))
                }
                _ => (n, name),
            }
        })
        .filter(|(_, t)| !t.trim().is_empty())
}

/// A C++ operator's name as one writes it to look it up: `operator==`,
/// `operator()`, `operator new[]`, whatever the spacing in the source.
fn operator_name(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for word in source.split_whitespace() {
        let joins = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if joins(out.chars().last()) && joins(word.chars().next()) {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
