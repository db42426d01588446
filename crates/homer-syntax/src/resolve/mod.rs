//! Resolution across files: imports to the files they name, and calls,
//! constructions and type uses to the definitions they mean.
//!
//! Pure, like the rest of the crate: a [`Project`] is built from every
//! file's facts (and the few manifest facts that import rules need), and
//! [`Project::resolve`] answers for one file. A reference resolves through,
//! in order: a parameter or variable of its name (which hides what is
//! outside), local scope (enclosing definitions, then the file's top level,
//! and the enclosing class's members where the language has an implicit
//! `this`), names bound by imports (followed through modules that hand
//! them on), the receiver (a module alias, a type, a `self`, or a value
//! whose type the source states: a binding, a call's declared return type,
//! a typed field; members looked up in the type, then in its bases), and
//! files whose names are visible without qualification (wildcard imports,
//! includes, the same package or namespace). Those are certain when they
//! give one answer; overloads are told apart by the number of arguments
//! (`signature.rs` reads headers) and, in Java, by the arguments' types
//! (`overloads.rs`). A file's calls are resolved after the calls they are
//! made on and passed, so a chain is typed link by link. Only then is a
//! definition of the same name elsewhere guessed, with a confidence below
//! 1 that depends on whether the name is a standard library's
//! (`library.rs`), and only among at most three candidates; anything else
//! stays unresolved. How often each answer is right is measured against
//! type checkers: `docs/ACCURACY.md`.

mod imports;
mod library;
mod overloads;
mod signature;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use string_interner::{DefaultBackend, StringInterner, Symbol};

use crate::{DefKind, FileFacts, Language, RefKind, Reference};

/// Facts from build manifests that import rules need.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifests {
    /// Go modules: (directory of `go.mod`, module path).
    pub go_modules: Vec<(String, String)>,
    /// Rust crates: (directory of `Cargo.toml`, crate name with `-` as `_`).
    pub rust_crates: Vec<(String, String)>,
    /// Rust crate roots a `Cargo.toml` places outside `src/` (`[lib]` or
    /// `[[bin]]` with a `path`, as ripgrep's `crates/core/main.rs`).
    #[serde(default)]
    pub rust_roots: Vec<String>,
    /// Swift targets a `Package.swift` places under a `path:` of its own
    /// (Alamofire's `.target(name: "Alamofire", path: "Source")`): (target
    /// name, directory from the repository root), so that `import
    /// Alamofire` reaches them. Targets under `Sources/<name>` need none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub swift_targets: Vec<(String, String)>,
}

impl Manifests {
    /// Is `path` a manifest this module reads?
    #[must_use]
    pub fn wants(path: &str) -> bool {
        matches!(file_name(path), "Cargo.toml" | "go.mod" | "Package.swift")
    }

    /// Reads what resolution needs from a manifest: a `Cargo.toml`'s
    /// package name, a `go.mod`'s module path. Anything else is ignored.
    pub fn add(&mut self, path: &str, content: &str) {
        let dir = dir_of(path).to_owned();
        match file_name(path) {
            "Cargo.toml" => {
                let mut section = "";
                let mut named = false;
                for line in content.lines().map(str::trim) {
                    if line.starts_with('[') {
                        section = line;
                        continue;
                    }
                    let value = |key: &str| {
                        let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
                        Some(rest.trim().trim_matches('"').to_owned())
                    };
                    if section == "[package]"
                        && !named
                        && let Some(name) = value("name")
                    {
                        self.rust_crates.push((dir.clone(), name.replace('-', "_")));
                        named = true;
                    } else if matches!(section, "[lib]" | "[[bin]]")
                        && let Some(root) = value("path")
                    {
                        let root = if dir.is_empty() {
                            root
                        } else {
                            format!("{dir}/{root}")
                        };
                        self.rust_roots.push(root);
                    }
                }
                self.rust_roots.sort();
                self.rust_roots.dedup();
            }
            "go.mod" => {
                if let Some(module) = content
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("module "))
                {
                    self.go_modules
                        .push((dir, module.trim().trim_matches('"').to_owned()));
                }
            }
            "Package.swift" => {
                for (name, target) in swift_targets(content) {
                    let under = match (target.trim_matches('/'), dir.is_empty()) {
                        // The package's own directory.
                        ("" | ".", _) => dir.clone(),
                        (target, true) => target.to_owned(),
                        (target, false) => format!("{dir}/{target}"),
                    };
                    self.swift_targets.push((name, under));
                }
                self.swift_targets.sort();
                self.swift_targets.dedup();
            }
            _ => {}
        }
        self.rust_crates.sort();
        self.go_modules.sort();
    }
}

/// The targets of a `Package.swift` that name a `path:` (`.target`,
/// `.testTarget`, `.executableTarget`): (name, path) as written. Read from
/// the text: a manifest is Swift code, but its targets are written as
/// these calls with string literals, and one that is not is passed over.
fn swift_targets(content: &str) -> Vec<(String, String)> {
    // The first string literal after `key:` within `call`.
    fn argument(call: &str, key: &str) -> Option<String> {
        let at = call.find(&format!("{key}:"))?;
        let rest = &call[at + key.len() + 1..];
        let rest = rest.trim_start().strip_prefix('"')?;
        Some(rest[..rest.find('"')?].to_owned())
    }
    let mut out = Vec::new();
    for kind in [".target(", ".testTarget(", ".executableTarget("] {
        let mut from = 0;
        while let Some(found) = content[from..].find(kind) {
            let start = from + found + kind.len();
            // The call's arguments, to its closing parenthesis.
            let mut depth = 1;
            let mut end = start;
            for (i, c) in content[start..].char_indices() {
                match c {
                    '(' | '[' => depth += 1,
                    ')' | ']' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = start + i;
                    break;
                }
            }
            let call = &content[start..end.max(start)];
            if let (Some(name), Some(path)) = (argument(call, "name"), argument(call, "path")) {
                out.push((name, path));
            }
            from = start;
        }
    }
    out
}

/// A definition somewhere in the project: its file and index there.
/// Equality and order are by (file, index); the facts ride along so that
/// reading the definition costs no lookup.
#[derive(Clone, Copy)]
pub struct DefRef<'p> {
    pub file: &'p str,
    pub index: u32,
    facts: &'p FileFacts,
}

impl<'p> DefRef<'p> {
    /// The definition itself.
    #[must_use]
    pub fn definition(&self) -> &'p crate::Definition {
        &self.facts.definitions[self.index as usize]
    }

    fn language(&self) -> Option<Language> {
        self.facts.language
    }

    fn key(&self) -> (&'p str, u32) {
        (self.file, self.index)
    }
}

impl PartialEq for DefRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for DefRef<'_> {}

impl PartialOrd for DefRef<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DefRef<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl std::hash::Hash for DefRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl std::fmt::Debug for DefRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.file, self.index)
    }
}

/// Where a reference leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub file: String,
    /// Index into that file's definitions.
    pub definition: u32,
    /// 1 when certain; below 1 for a guess.
    pub confidence: f32,
}

/// The resolution of one file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    /// For each import (by index), the files it names; empty when it names
    /// nothing in the project (a library, the standard library).
    pub imports: Vec<Vec<String>>,
    /// For each reference (by index), its targets: none (unresolved), one
    /// certain, or up to three guesses.
    pub references: Vec<Vec<Target>>,
    pub stats: ResolveStats,
}

/// How calls and constructions resolved (type uses are not counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveStats {
    pub certain: u32,
    pub guessed: u32,
    pub unresolved: u32,
}

/// Bumped whenever resolution changes what it produces, so stored
/// resolutions are recomputed (8: Ruby's library method names; 9:
/// Swift's).
pub const RESOLVER_VERSION: u32 = 9;

/// The most candidates a guess is spread over; more means unresolved.
const MAX_GUESSES: usize = 3;
/// The confidence of a guess by name among `n` candidates is one of these
/// divided by `n`: a name the language's standard library gives its
/// strings, collections or errors (`get`, `isEmpty`, `Error`, `unwrap`), a
/// name it does not ([`own_name_confidence`]), and a language with no such
/// list. Measured against type checkers on fifteen repositories
/// (`benches/call_accuracy.py`, every guessed edge at the sites a checker
/// answered, inside the repository or outside it; docs/ACCURACY.md): a
/// lone guess by a library name was right 24% of the time on the corpus
/// and 22% on the held-out repositories.
const GUESS_LIBRARY_NAME: f32 = 0.25;
const GUESS_CONFIDENCE: f32 = 0.5;

/// What a guess by a name the language's library does not use is worth,
/// spread over its candidates: how often a lone such guess was right on
/// the corpus repositories of the language (against its type checker),
/// drawn toward 0.8 as if 20 more guesses had been right 80% of the time,
/// and rounded to 0.05; 0.8 where the corpus holds fewer than 20 such
/// guesses.
/// Python (requests: 22 of 23), TypeScript and TSX (hono: 53 of 73) and
/// Rust (ripgrep and petgraph: 878 of 1,050); Go's was read off cobra the
/// same way (83 of 83), kept below certainty. A Go method is looked for in
/// one package and the packages it imports, where a name rarely means two
/// things; a Rust or Python name is shared by more types.
fn own_name_confidence(language: Language) -> f32 {
    match language {
        Language::Go => 0.95,
        Language::Python => 0.9,
        Language::Rust => 0.85,
        Language::TypeScript | Language::Tsx => 0.75,
        // No type checker for Ruby or Swift runs here to measure it: what
        // a guess was worth before their libraries' names were listed.
        Language::Ruby | Language::Swift => GUESS_CONFIDENCE,
        _ => 0.8,
    }
}

/// How a guess by name is made.
#[derive(Clone, Copy)]
struct ByName {
    /// Spread over the candidates.
    confidence: f32,
    /// The most candidates a guess may have.
    most: usize,
}

/// What a name bound by an import stands for.
#[derive(Clone, Debug)]
pub(crate) enum Bound<'p> {
    /// A module, package or namespace: `ns.f()` looks in these files.
    Module(Vec<&'p str>),
    /// The item `name` of these files.
    Item(Vec<&'p str>, String),
}

/// The names visible in one file.
#[derive(Debug, Default)]
pub(crate) struct Scope<'p> {
    pub bindings: HashMap<String, Vec<Bound<'p>>>,
    /// Files whose top-level names are visible unqualified.
    pub visible: BTreeSet<&'p str>,
    /// Names bound by imports of what is not in the project (a library,
    /// the standard library): a call through one is not the project's.
    pub library: BTreeSet<String>,
}

/// Every file's facts, indexed for resolution.
pub struct Project<'p> {
    files: BTreeMap<&'p str, &'p FileFacts>,
    manifests: &'p Manifests,
    /// [`Project::rust_crate_aliases`].
    rust_aliases: BTreeMap<(String, String), String>,
    /// Files by directory.
    by_dir: BTreeMap<&'p str, Vec<&'p str>>,
    /// Files by file name.
    by_file_name: HashMap<&'p str, Vec<&'p str>>,
    /// Simple names of definitions, interned: the symbol indexes
    /// `definitions`.
    names: StringInterner<DefaultBackend>,
    /// Definitions by the symbol of their simple name.
    definitions: Vec<Vec<DefRef<'p>>>,
    /// Python modules by every dotted suffix of their path.
    python_modules: HashMap<String, Vec<&'p str>>,
    /// Java packages and C# namespaces: name to the files declaring it.
    packages: HashMap<String, Vec<&'p str>>,
    /// What each file hands on, computed when first asked (owned, so that
    /// the project stays covariant in `'p`).
    handed: std::sync::Mutex<HashMap<String, std::sync::Arc<HandedScope>>>,
}

/// What a file hands on ([`Project::handed_scope`]), owned.
#[derive(Debug, Default)]
struct HandedScope {
    /// Item bindings by local name: the files bound and the item's name
    /// there.
    items: BTreeMap<String, Vec<(Vec<String>, String)>>,
    /// Files whose top-level names it sees.
    visible: Vec<String>,
}

/// What of other files one file's resolution may read
/// ([`Project::reads`]).
#[derive(Debug, Default)]
pub struct Reads<'p> {
    /// Files its imports name and files it sees: any of their definitions
    /// and imports may be read.
    pub whole: BTreeSet<&'p str>,
    /// Files reached only through what those hand on, each with what it
    /// binds under a name looked up and the files it sees, as lines.
    pub handed: BTreeMap<&'p str, Vec<String>>,
    /// The names items are imported under where they are defined, when
    /// not among the names looked up: they are looked up too.
    pub items: BTreeSet<String>,
    /// The names its imports bind to a library ([`Scope::library`]):
    /// whether an import is a library's reads the project's packages.
    pub library: BTreeSet<String>,
}

impl std::fmt::Debug for Project<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project")
            .field("files", &self.files.len())
            .finish_non_exhaustive()
    }
}

pub(crate) fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, f)| f)
}

/// Is `def` at the top level of its file (no enclosing definition, or only
/// modules and namespaces)?
fn is_top_level(facts: &FileFacts, def: u32) -> bool {
    let mut parent = facts.definitions[def as usize].parent;
    while let Some(p) = parent {
        let d = &facts.definitions[p as usize];
        if d.kind != DefKind::Module {
            return false;
        }
        parent = d.parent;
    }
    true
}

/// What members can be looked up in: types, and modules or namespaces
/// (C++ `ns::f`, Ruby `Util.g`, a Rust inline `mod`).
fn is_container(kind: DefKind) -> bool {
    is_type(kind) || kind == DefKind::Module
}

fn is_type(kind: DefKind) -> bool {
    matches!(
        kind,
        DefKind::Class
            | DefKind::Struct
            | DefKind::Enum
            | DefKind::Trait
            | DefKind::Interface
            | DefKind::TypeAlias
    )
}

/// Whether a definition can be what a reference of its kind names.
fn fits(r: &Reference, d: DefRef<'_>) -> bool {
    let kind = d.definition().kind;
    match r.kind {
        RefKind::Type | RefKind::Construct => is_type(kind),
        // A Rust type alias (`type Err = Error;` in an `impl`) is never
        // called: `Err(e)` is the prelude's. (A Go named type is: a
        // conversion.)
        RefKind::Call => {
            kind != DefKind::Module
                && !(kind == DefKind::TypeAlias && d.language() == Some(Language::Rust))
        }
    }
}

/// Languages where a module hands on what it imports: `from .models import
/// Request` in a package's `__init__.py` makes `requests.Request` mean the
/// class in `models.py`; `export { x } from './y'` and `pub use` do the same.
fn reexports(language: Option<Language>) -> bool {
    matches!(
        language,
        Some(
            Language::Python
                | Language::JavaScript
                | Language::TypeScript
                | Language::Tsx
                | Language::Rust
        )
    )
}

/// How deep types are followed through calls and fields.
const MAX_NESTING: usize = 8;

/// How many modules a name may be handed through.
const MAX_REEXPORTS: usize = 4;

/// Whether a later definition of `d`'s name beside it replaces it: where
/// the language runs the last one (or, in TypeScript, where overload
/// signatures precede the one implementation), and where the scope they
/// share is known. Python's scopes are all definitions; elsewhere only a
/// class body is certain to be one scope, since two `const f` at the "top
/// level" of a JavaScript file may sit in two different callbacks.
fn last_definition_wins(d: &DefRef<'_>, parent: Option<u32>) -> bool {
    match d.language() {
        Some(Language::Python) => true,
        Some(
            Language::JavaScript
            | Language::TypeScript
            | Language::Tsx
            | Language::Ruby
            | Language::Lua,
        ) => parent.is_some_and(|p| d.facts.definitions[p as usize].kind.holds_methods()),
        _ => false,
    }
}

/// The type a method belongs to: its class when declared in one's body,
/// else the type its qualified name holds (a Rust `impl`, a Go receiver).
fn own_type<'p>(
    file: &'p str,
    facts: &'p FileFacts,
    def: &crate::Definition,
) -> Option<TypeRef<'p>> {
    if let Some(index) = def
        .parent
        .filter(|&p| facts.definitions[p as usize].kind.holds_methods())
    {
        return Some(TypeRef::Def(DefRef { file, index, facts }));
    }
    let sep = separator(facts.language?);
    let (owner, _) = unnumbered(&def.qualified).rsplit_once(sep)?;
    Some(TypeRef::Name(
        owner.rsplit(sep).next().unwrap_or(owner).to_owned(),
    ))
}

/// The identifier words of a text: `Optional[Foo]` is `Optional`, `Foo`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| w.len() > 1 && !w.starts_with(|c: char| c.is_ascii_digit()))
}

/// Every name whose definitions a file's resolution reads directly: the
/// names it calls and constructs, and the words of its receivers, of the
/// types its bindings are given and of its own types' bases.
/// [`Project::names_behind`] leads on from them.
#[must_use]
pub fn names_read(facts: &FileFacts) -> BTreeSet<&str> {
    let mut out: BTreeSet<&str> = facts.references.iter().map(|r| r.name.as_str()).collect();
    for r in &facts.references {
        out.extend(r.receiver.as_deref().into_iter().flat_map(words));
    }
    for b in &facts.bindings {
        out.extend(words(&b.type_name));
    }
    // What an argument's text names (`TypeName.INT`, `new Foo()`): its type
    // chooses among Java overloads.
    for a in facts.references.iter().flat_map(|r| &r.arguments) {
        if let crate::Argument::Type(text) | crate::Argument::Value(text) = a {
            out.extend(words(text));
        }
    }
    if let Some(language) = facts.language {
        for d in facts.definitions.iter().filter(|d| d.kind.holds_methods()) {
            for base in signature::bases(d, language) {
                out.extend(words(base));
            }
        }
    }
    out
}

/// An expression split at its last `.` or `::` outside brackets: what
/// stands before, the name after, and whether the separator was `::` (a
/// path, not a value).
fn split_last(expr: &str) -> Option<(&str, &str, bool)> {
    let bytes = expr.as_bytes();
    let mut depth = 0i32;
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b')' | b']' | b'>' => depth += 1,
            b'(' | b'[' | b'<' => depth -= 1,
            b'.' if depth == 0 => return Some((expr[..i].trim(), expr[i + 1..].trim(), false)),
            b':' if depth == 0 && i > 0 && bytes[i - 1] == b':' => {
                return Some((expr[..i - 1].trim(), expr[i + 1..].trim(), true));
            }
            _ => {}
        }
    }
    None
}

/// A method declared in a trait or written in an `impl Trait for Type`.
fn is_trait_method(d: &DefRef<'_>) -> bool {
    let def = d.definition();
    def.of_trait.is_some()
        || def
            .parent
            .and_then(|p| d.facts.definitions.get(p as usize))
            .is_some_and(|p| p.kind == DefKind::Trait)
}

/// A Rust type whose values hand on the methods of the type they hold
/// (`Box<T>`, `Rc<T>`, `Cow<T>`, a lock's guard), or whose value is often
/// taken apart into it under the same name (`Some(prev) => prev.f()`).
fn derefs_to_argument(name: &str) -> bool {
    let simple = name.rsplit("::").next().unwrap_or(name);
    matches!(
        simple,
        "Option"
            | "Result"
            | "Box"
            | "Rc"
            | "Arc"
            | "Cow"
            | "Pin"
            | "Ref"
            | "RefMut"
            | "MutexGuard"
            | "RwLockReadGuard"
            | "RwLockWriteGuard"
            | "ManuallyDrop"
    )
}

/// Languages whose casts are written `(T) value`.
fn casts(language: Language) -> bool {
    matches!(language, Language::Java | Language::CSharp)
}

/// The type of a cast written as a receiver: `T` of `((T) x)` or `(T) x`.
fn cast_type(receiver: &str) -> Option<&str> {
    let mut text = receiver.trim();
    // `((T) x)`: the parentheses around the whole cast.
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')'))
        && inner.trim_start().starts_with('(')
    {
        text = inner.trim();
    }
    let rest = text.strip_prefix('(')?;
    let close = rest.find(')')?;
    let written = rest[..close].trim();
    let after = rest[close + 1..].trim();
    let typed = !written.is_empty()
        && written.starts_with(|c: char| c.is_ascii_uppercase())
        && written.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '_' | '.' | '<' | '>' | '[' | ']' | ',' | ' ' | '?')
        });
    (typed && !after.is_empty()).then_some(written)
}

/// A call written as text split into its callee and its last argument
/// list (`a.b` and `x, y` of `a.b(x, y)`), generic arguments left out of
/// the callee (`Foo::<T>::new`).
fn call_parts(call: &str) -> Option<(std::borrow::Cow<'_, str>, &str)> {
    let mut depth = 0i32;
    for (i, c) in call.char_indices().rev() {
        match c {
            ')' | ']' => depth += 1,
            '(' | '[' => {
                depth -= 1;
                if depth == 0 {
                    let arguments = call.get(i + 1..call.len().saturating_sub(1))?;
                    return Some((signature::without_generics(call[..i].trim_end()), arguments));
                }
            }
            _ => {}
        }
    }
    None
}

/// The reference a call written as text (`a.b(x)`, its callee `a.b`)
/// would be where `r` is, to resolve it as if written alone.
fn written_call(r: &Reference, callee: &str, args: Option<u16>) -> Option<Reference> {
    // The callee's name and what stands before it, outside brackets.
    let (receiver, name, path) = match split_last(callee) {
        Some((head, name, path)) => (Some(head), name, path),
        None => (None, callee.trim(), false),
    };
    is_identifier(name).then(|| Reference {
        name: name.to_owned(),
        receiver: receiver.filter(|x| !x.is_empty()).map(str::to_owned),
        path,
        kind: RefKind::Call,
        line: r.line,
        enclosing: r.enclosing,
        args,
        receiver_call: None,
        arguments: Vec::new(),
    })
}

/// A plain name: letters, digits, `_`, `$`.
fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// A qualified name without the `#2` that tells a repeated one apart.
fn unnumbered(qualified: &str) -> &str {
    match qualified.rsplit_once('#') {
        Some((name, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => qualified,
    }
}

/// Languages where a bare call inside a class reaches its members.
fn implicit_this(language: Language) -> bool {
    matches!(
        language,
        Language::Java
            | Language::CSharp
            | Language::Cpp
            | Language::Ruby
            | Language::Kotlin
            | Language::Swift
            | Language::Scala
            | Language::Dart
            | Language::Solidity
    )
}

fn is_self(language: Language, receiver: &str) -> bool {
    match language {
        Language::Rust => receiver == "self" || receiver == "Self",
        Language::Python => receiver == "self" || receiver == "cls",
        Language::CSharp => receiver == "this" || receiver == "base",
        Language::Ruby | Language::Swift | Language::Lua => receiver == "self",
        Language::Php => receiver == "$this" || receiver == "self" || receiver == "static",
        Language::Go | Language::C | Language::Bash => false,
        _ => receiver == "this",
    }
}

fn separator(language: Language) -> &'static str {
    match language {
        Language::Rust | Language::Cpp | Language::Ruby | Language::C | Language::Php => "::",
        _ => ".",
    }
}

impl<'p> Project<'p> {
    /// Indexes every file. `files` yields each path with its facts.
    pub fn new(
        files: impl IntoIterator<Item = (&'p str, &'p FileFacts)>,
        manifests: &'p Manifests,
    ) -> Self {
        let files: BTreeMap<&str, &FileFacts> = files.into_iter().collect();
        let mut by_dir: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut by_file_name: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut names = StringInterner::<DefaultBackend>::new();
        let mut definitions: Vec<Vec<DefRef<'_>>> = Vec::new();
        let mut python_modules: HashMap<String, Vec<&str>> = HashMap::new();
        let mut packages: HashMap<String, Vec<&str>> = HashMap::new();
        for (&path, facts) in &files {
            by_dir.entry(dir_of(path)).or_default().push(path);
            by_file_name.entry(file_name(path)).or_default().push(path);
            for (i, d) in facts.definitions.iter().enumerate() {
                let symbol = names.get_or_intern(&d.name).to_usize();
                if symbol == definitions.len() {
                    definitions.push(Vec::new());
                }
                definitions[symbol].push(DefRef {
                    file: path,
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                    facts,
                });
            }
            match facts.language {
                Some(Language::Python) => {
                    for key in imports::python_module_keys(path) {
                        python_modules.entry(key).or_default().push(path);
                    }
                }
                // A Swift module is its target's files: by its path, and by
                // its name for `import`.
                Some(Language::Swift) => {
                    let module = imports::swift_module(path);
                    packages
                        .entry(format!("swift:{module}"))
                        .or_default()
                        .push(path);
                    if let Some(name) = module.rsplit('/').next().filter(|n| !n.is_empty()) {
                        packages
                            .entry(format!("swift-module:{name}"))
                            .or_default()
                            .push(path);
                    }
                }
                Some(Language::Java | Language::Kotlin | Language::Scala | Language::Php) => {
                    if let Some(p) = &facts.package {
                        packages.entry(p.clone()).or_default().push(path);
                    }
                }
                Some(Language::CSharp) => {
                    let mut spaces: BTreeSet<String> = facts
                        .definitions
                        .iter()
                        .filter(|d| d.kind == DefKind::Module)
                        .map(|d| d.qualified.clone())
                        .collect();
                    spaces.extend(facts.package.clone());
                    for s in spaces {
                        packages.entry(s).or_default().push(path);
                    }
                }
                _ => {}
            }
        }
        // `import Alamofire` where `Package.swift` puts that target under
        // `Source/`: its Swift files under that module's name too.
        for (name, dir) in &manifests.swift_targets {
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let under: Vec<&str> = files
                .iter()
                .filter(|(p, f)| p.starts_with(&prefix) && f.language == Some(Language::Swift))
                .map(|(p, _)| *p)
                .collect();
            let module = packages.entry(format!("swift-module:{name}")).or_default();
            module.extend(under);
            module.sort_unstable();
            module.dedup();
        }
        let rust_aliases = imports::rust_crate_aliases(&files, manifests);
        Project {
            files,
            manifests,
            rust_aliases,
            by_dir,
            by_file_name,
            names,
            definitions,
            python_modules,
            packages,
            handed: std::sync::Mutex::default(),
        }
    }

    /// The workspace crates that crate roots hand on under names of their
    /// own (`pub extern crate grep_printer as printer;`): (root, name,
    /// crate). Every Rust path may go through them, so a resolution's
    /// input holds them whole, as it holds the manifests.
    #[must_use]
    pub fn rust_crate_aliases(&self) -> &BTreeMap<(String, String), String> {
        &self.rust_aliases
    }

    pub(crate) fn rust_crate_alias(&self, root: &str, name: &str) -> Option<&str> {
        self.rust_aliases
            .get(&(root.to_owned(), name.to_owned()))
            .map(String::as_str)
    }

    /// The facts of a file in the project.
    #[must_use]
    pub fn facts(&self, path: &str) -> Option<&'p FileFacts> {
        self.files.get(path).copied()
    }

    pub(crate) fn path(&self, path: &str) -> Option<&'p str> {
        self.files.get_key_value(path).map(|(k, _)| *k)
    }

    pub(crate) fn in_dir(&self, dir: &str) -> &[&'p str] {
        self.by_dir.get(dir).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn manifests(&self) -> &'p Manifests {
        self.manifests
    }

    pub(crate) fn python_module(&self, key: &str) -> &[&'p str] {
        self.python_modules.get(key).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn package(&self, name: &str) -> &[&'p str] {
        self.packages.get(name).map_or(&[], Vec::as_slice)
    }

    /// Files whose path ends with `/suffix` (or is `suffix`), sorted.
    pub(crate) fn ending_with(&self, suffix: &str) -> Vec<&'p str> {
        let file = file_name(suffix);
        self.names_by_file_name(file)
            .into_iter()
            .filter(|p| *p == suffix || p.ends_with(&format!("/{suffix}")))
            .collect()
    }

    fn names_by_file_name(&self, file: &str) -> Vec<&'p str> {
        // No file of that name: none.
        self.by_file_name.get(file).cloned().unwrap_or_default()
    }

    /// What of other files a file's resolution may read, given `names`,
    /// the names it may look up (its own, and what their definitions lead
    /// on to): every definition and import of the files its imports name
    /// and of those it sees ([`Reads::whole`]), and, of the files those
    /// hand on, only what they bind under a name looked up, and the files
    /// they see ([`Reads::handed`]). An import under another name (`import
    /// { a as b }`) is looked up by its item's name further on: those are
    /// [`Reads::items`]; those defined somewhere are added to `names`
    /// through `lead_on`, which adds what they lead on to as well. A change
    /// to anything else of those files cannot change this file's
    /// resolution (definitions by name, anywhere, are the caller's to add,
    /// for `names`).
    pub fn reads(
        &self,
        path: &str,
        names: &mut BTreeSet<&'p str>,
        lead_on: &mut dyn FnMut(&mut BTreeSet<&'p str>, Vec<&'p str>),
    ) -> Reads<'p> {
        let (Some(facts), Some(path)) = (self.facts(path), self.path(path)) else {
            return Reads::default();
        };
        let (targets, scope) = imports::scope(self, path, facts);
        let library = scope.library.clone();
        let mut whole: BTreeSet<&'p str> = targets.into_iter().flatten().collect();
        whole.extend(scope.visible.iter().copied());
        let mut items: BTreeSet<String> = BTreeSet::new();
        for bound in scope.bindings.values().flatten() {
            match bound {
                Bound::Module(files) => whole.extend(files.iter().copied()),
                Bound::Item(files, item) => {
                    whole.extend(files.iter().copied());
                    if !names.contains(item.as_str()) {
                        items.insert(item.clone());
                    }
                }
            }
        }
        // Follow what is handed on under the names looked up, as far as
        // resolution follows it; again from the start while that finds
        // new items or names (a file passed before one was known may bind
        // it).
        let mut reached: BTreeSet<&'p str> = BTreeSet::new();
        loop {
            let known = (items.len(), names.len());
            let mut seen: BTreeSet<&'p str> = whole.clone();
            let mut frontier: Vec<&'p str> = whole.iter().copied().collect();
            for _ in 0..MAX_REEXPORTS {
                let mut next = Vec::new();
                for file in frontier {
                    let handed = self.handed_scope(file);
                    let mut follow = |f: &String| {
                        if let Some(f) = self.path(f)
                            && seen.insert(f)
                        {
                            next.push(f);
                            reached.insert(f);
                        }
                    };
                    for (name, bounds) in &handed.items {
                        if !(names.contains(name.as_str()) || items.contains(name)) {
                            continue;
                        }
                        for (files, item) in bounds {
                            files.iter().for_each(&mut follow);
                            if !names.contains(item.as_str()) && !items.contains(item) {
                                items.insert(item.clone());
                            }
                        }
                    }
                    handed.visible.iter().for_each(&mut follow);
                }
                frontier = next;
            }
            let defined: Vec<&'p str> = items
                .iter()
                .filter_map(|item| self.definitions_named(item).first())
                .map(|d| d.definition().name.as_str())
                .filter(|name| !names.contains(name))
                .collect();
            if !defined.is_empty() {
                lead_on(names, defined);
            }
            if (items.len(), names.len()) == known {
                break;
            }
        }
        whole.remove(path);
        reached.remove(path);
        let handed = reached
            .into_iter()
            .map(|file| {
                let scope = self.handed_scope(file);
                let mut lines: Vec<String> = scope
                    .items
                    .iter()
                    .filter(|(name, _)| names.contains(name.as_str()) || items.contains(*name))
                    .flat_map(|(name, bounds)| {
                        bounds.iter().map(move |(files, item)| {
                            format!("{name}\0{}\0{item}", files.join("\0"))
                        })
                    })
                    .collect();
                // A path holds no NUL: the lines cannot run into each other.
                lines.push(format!("\0sees\0{}", scope.visible.join("\0")));
                (file, lines)
            })
            .collect();
        Reads {
            whole,
            handed,
            items,
            library,
        }
    }

    /// The names a definition of `name` leads resolution on to: the words
    /// of its declared return type, of its bases and of the types of the
    /// fields it declares.
    #[must_use]
    pub fn names_behind(&self, name: &str) -> BTreeSet<&'p str> {
        let mut out = BTreeSet::new();
        for d in self.definitions_named(name) {
            let def = d.definition();
            let Some(language) = d.language() else {
                continue;
            };
            out.extend(
                signature::return_type(def, language)
                    .into_iter()
                    .flat_map(words),
            );
            for base in signature::bases(def, language) {
                out.extend(words(base));
            }
            // Whether the trait a method is written for is the project's
            // decides whether a guess may take it.
            out.extend(def.of_trait.as_deref().into_iter().flat_map(words));
            // A Java overload's parameter types: whether an argument may be
            // passed to one reads their definitions and bases.
            if language == Language::Java {
                for (written, _) in signature::java_parameters(def).into_iter().flatten() {
                    out.extend(words(written));
                }
            }
            if def.kind.holds_methods() {
                for b in d
                    .facts
                    .bindings
                    .iter()
                    .filter(|b| b.enclosing == Some(d.index))
                {
                    out.extend(words(&b.type_name));
                }
            }
        }
        out
    }

    /// What `file` hands on, where its language does (else nothing): its
    /// item bindings by local name, and the files it sees; once per file.
    fn handed_scope(&self, file: &'p str) -> std::sync::Arc<HandedScope> {
        let mut cache = self
            .handed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(known) = cache.get(file) {
            return std::sync::Arc::clone(known);
        }
        std::sync::Arc::clone(cache.entry(file.to_owned()).or_insert_with(|| {
            let mut out = HandedScope::default();
            if let Some(facts) = self.facts(file).filter(|f| reexports(f.language)) {
                let (_, scope) = imports::scope(self, file, facts);
                out.visible = scope.visible.iter().map(|f| (*f).to_owned()).collect();
                for (name, bounds) in &scope.bindings {
                    let items: Vec<(Vec<String>, String)> = bounds
                        .iter()
                        .filter_map(|b| match b {
                            Bound::Item(files, item) => Some((
                                files.iter().map(|f| (*f).to_owned()).collect(),
                                item.clone(),
                            )),
                            Bound::Module(_) => None,
                        })
                        .collect();
                    if !items.is_empty() {
                        out.items.insert(name.clone(), items);
                    }
                }
            }
            std::sync::Arc::new(out)
        }))
    }

    /// Every definition named `name`, anywhere.
    #[must_use]
    pub fn definitions_named(&self, name: &str) -> &[DefRef<'p>] {
        self.names
            .get(name)
            .map_or(&[], |symbol| self.definitions[symbol.to_usize()].as_slice())
    }

    /// Resolves one file's imports and references.
    #[must_use]
    pub fn resolve(&self, path: &str) -> Resolution {
        let Some(facts) = self.facts(path) else {
            return Resolution::default();
        };
        let Some(path) = self.path(path) else {
            return Resolution::default();
        };
        let (targets, scope) = imports::scope(self, path, facts);
        let mut resolution = Resolution {
            imports: targets
                .into_iter()
                .map(|t| t.into_iter().map(str::to_owned).collect())
                .collect(),
            references: Vec::with_capacity(facts.references.len()),
            stats: ResolveStats::default(),
        };
        let mut sight: BTreeSet<&str> = resolution
            .imports
            .iter()
            .flatten()
            .filter_map(|t| self.path(t))
            .collect();
        sight.extend(scope.visible.iter().copied());
        for bound in scope.bindings.values().flatten() {
            match bound {
                Bound::Module(files) | Bound::Item(files, _) => sight.extend(files.iter().copied()),
            }
        }
        sight.insert(path);
        let ctx = FileCtx {
            project: self,
            path,
            facts,
            language: facts.language.unwrap_or(Language::C),
            scope,
            sight,
            receivers: RefCell::default(),
            inherited: RefCell::default(),
            written_types: RefCell::default(),
            arities: RefCell::default(),
            returns: RefCell::default(),
            parameters: RefCell::default(),
            scopes: RefCell::default(),
            nesting: std::cell::Cell::new(0),
            bindings: {
                let mut by_name: HashMap<&str, Vec<&crate::Binding>> = HashMap::new();
                for b in &facts.bindings {
                    by_name.entry(b.name.as_str()).or_default().push(b);
                }
                by_name
            },
            resolved: RefCell::new(vec![None; facts.references.len()]),
            top_names: facts
                .definitions
                .iter()
                .filter(|d| d.parent.is_none())
                .map(|d| d.name.as_str())
                .collect(),
        };
        // A call after the calls it is made on and passed (`a.b().c(d())`
        // after `a.b()` and `d()`): each link of a chain is typed from the
        // link before it, an overload chosen by its arguments' types.
        let refs = &facts.references;
        let mut queued = vec![false; refs.len()];
        let mut stack: Vec<(usize, bool)> = Vec::new();
        for start in 0..refs.len() {
            stack.push((start, false));
            while let Some((i, ready)) = stack.pop() {
                if ready {
                    let targets = ctx.resolve(&refs[i]);
                    ctx.resolved.borrow_mut()[i] = Some(targets);
                    continue;
                }
                if queued[i] {
                    continue;
                }
                queued[i] = true;
                stack.push((i, true));
                let r = &refs[i];
                let passed = r.arguments.iter().filter_map(|a| match a {
                    crate::Argument::Call(j) => Some(*j),
                    _ => None,
                });
                for j in r.receiver_call.into_iter().chain(passed) {
                    let j = j as usize;
                    if j < refs.len() && !queued[j] {
                        stack.push((j, false));
                    }
                }
            }
        }
        for (r, targets) in refs.iter().zip(ctx.resolved.take()) {
            let targets = targets.unwrap_or_default();
            if r.kind != RefKind::Type {
                match targets.first() {
                    None => resolution.stats.unresolved += 1,
                    Some(t) if t.confidence >= 1.0 => resolution.stats.certain += 1,
                    Some(_) => resolution.stats.guessed += 1,
                }
            }
            resolution.references.push(targets);
        }
        resolution
    }
}

/// Resolving the references of one file.
struct FileCtx<'c, 'p> {
    project: &'c Project<'p>,
    path: &'p str,
    facts: &'p FileFacts,
    language: Language,
    scope: Scope<'p>,
    /// This file and every file it imports or sees: where guesses may
    /// look. A definition in a file this one has no connection to is not a
    /// plausible target, however well its name matches.
    sight: BTreeSet<&'p str>,
    /// The members a type has or inherits under a name
    /// ([`Self::inherited_members`]), found once per file: a file calls
    /// the same methods on the same types again and again (a builder's
    /// `add`), and walking a Java class's bases for its overloads parses
    /// every candidate's parameters.
    inherited: RefCell<InheritedMembers<'p>>,
    /// The type a text names where it is written ([`Self::type_written_in`]),
    /// by file, the definition it is written in and the text: each
    /// overload's parameter types are read for every call that picks among
    /// them.
    written_types: RefCell<WrittenTypes<'p>>,
    /// [`Self::call_returns_outside`], by the call's text, `last`, the
    /// line and definition it is read at and the nesting.
    returns: RefCell<Returns<'p>>,
    /// [`Self::arity_of`], by file and definition.
    arities: RefCell<Arities<'p>>,
    /// [`Self::parameters_of`], by file and definition.
    parameters: RefCell<Parameters<'p>>,
    /// What each receiver text resolved to: a file repeats its receivers
    /// (`self.x`, `Self::new`, `io::Error`), and resolving one walks module
    /// paths.
    receivers: RefCell<HashMap<String, Option<Receiver<'p>>>>,
    /// The scopes of other files, for what they hand on.
    scopes: RefCell<HashMap<&'p str, std::rc::Rc<Scope<'p>>>>,
    /// How deep the types of nested calls are being worked out.
    nesting: std::cell::Cell<usize>,
    /// The file's bindings by name, in source order.
    bindings: HashMap<&'p str, Vec<&'p crate::Binding>>,
    /// The targets of the references resolved so far, by index: what a
    /// call made on another call's value reads its receiver's type from.
    resolved: RefCell<Vec<Option<Vec<Target>>>>,
    /// The names the file defines at its top level: they hide a library's
    /// names imported under them.
    top_names: HashSet<&'p str>,
}

impl<'p> FileCtx<'_, 'p> {
    /// A definition's arity ([`signature::arity`]), read from its header
    /// once per file: the overloads of a name are weighed at each of its
    /// calls.
    fn arity_of(&self, d: DefRef<'p>) -> Option<(u16, Option<u16>)> {
        remembered(&self.arities, (d.file, d.index), || {
            d.language()
                .and_then(|l| signature::arity(d.definition(), l))
        })
    }

    /// A Java definition's parameters ([`signature::java_parameters`]),
    /// read from its header once per file.
    pub(super) fn parameters_of(&self, d: DefRef<'p>) -> Option<Vec<(&'p str, bool)>> {
        remembered(&self.parameters, (d.file, d.index), || {
            signature::java_parameters(d.definition())
        })
    }

    fn certain(d: DefRef<'p>) -> Vec<Target> {
        vec![Target {
            file: d.file.to_owned(),
            definition: d.index,
            confidence: 1.0,
        }]
    }

    /// One candidate is certain; several are guesses among them (at most
    /// [`MAX_GUESSES`]): where the callee is one of them for certain, each
    /// 1/n; else, a guess by name, `by_name`/n.
    fn among(
        mut candidates: Vec<DefRef<'p>>,
        certain_if_one: bool,
        by_name: ByName,
    ) -> Vec<Target> {
        candidates.sort();
        candidates.dedup();
        if candidates.len() == 1 && certain_if_one {
            return Self::certain(candidates[0]);
        }
        let most = if certain_if_one {
            MAX_GUESSES
        } else {
            by_name.most
        };
        if candidates.is_empty() || candidates.len() > most {
            return Vec::new();
        }
        let base = if certain_if_one {
            1.0
        } else {
            by_name.confidence
        };
        let confidence = base / candidates.len() as f32;
        candidates
            .into_iter()
            .map(|d| Target {
                file: d.file.to_owned(),
                definition: d.index,
                confidence,
            })
            .collect()
    }

    /// Of definitions of one name in one scope, where the last one is
    /// what a call means, only the last.
    fn without_replaced(mut candidates: Vec<DefRef<'p>>) -> Vec<DefRef<'p>> {
        candidates.sort();
        candidates.dedup();
        let replaced: Vec<bool> = candidates
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let def = d.definition();
                last_definition_wins(d, def.parent)
                    && candidates[i + 1..].iter().any(|later| {
                        later.file == d.file
                            && later.definition().parent == def.parent
                            && later.definition().name == def.name
                    })
            })
            .collect();
        let mut flags = replaced.into_iter();
        candidates.retain(|_| !flags.next().unwrap_or(false));
        candidates
    }

    /// [`Self::among`], after leaving out the candidates that cannot take
    /// the call's number of arguments (overloads differ by it), when the
    /// call's count and some candidate's parameters are known.
    fn pick(
        &self,
        r: &Reference,
        candidates: Vec<DefRef<'p>>,
        certain_if_one: bool,
    ) -> Vec<Target> {
        let candidates = Self::without_replaced(candidates);
        let by_name = self.by_name_confidence(&r.name);
        let Some(args) = r.args.filter(|_| candidates.len() > 1) else {
            return Self::among(candidates, certain_if_one, by_name);
        };
        let arity = |d: &DefRef<'p>| self.arity_of(*d);
        let fitting: Vec<DefRef<'p>> = candidates
            .iter()
            .copied()
            .filter(|d| {
                arity(d).is_none_or(|(min, max)| args >= min && max.is_none_or(|m| args <= m))
            })
            .collect();
        if fitting.is_empty() {
            return Self::among(candidates, certain_if_one, by_name);
        }
        // Java: the arguments' types, where the source says them; else
        // (and where they tell nothing) a fixed-arity overload before a
        // variadic one, as Java, C# and Kotlin try them.
        let ranked = (self.language == Language::Java)
            .then(|| self.by_argument_types(r, &fitting))
            .flatten();
        let order = ranked.unwrap_or_else(|| {
            let mut fitting = fitting;
            fitting.sort_by_key(|d| arity(d).is_some_and(|(_, max)| max.is_none()));
            fitting
        });
        let mut targets = Self::among(order.clone(), certain_if_one, by_name);
        targets.sort_by_key(|t| {
            order
                .iter()
                .position(|d| d.file == t.file && d.index == t.definition)
        });
        targets
    }

    /// How a guess by `name` is made: the confidence it spreads over its
    /// candidates, and how many it may have. A library's name with
    /// several candidates in the project is no guess: such an edge was
    /// right 1-8% of the time.
    fn by_name_confidence(&self, name: &str) -> ByName {
        if !library::known(self.language) {
            ByName {
                confidence: GUESS_CONFIDENCE,
                most: MAX_GUESSES,
            }
        } else if library::is_library_method(self.language, name) {
            ByName {
                confidence: GUESS_LIBRARY_NAME,
                most: 1,
            }
        } else {
            ByName {
                confidence: own_name_confidence(self.language),
                most: MAX_GUESSES,
            }
        }
    }

    /// Where `this` is implicit, a member of the type that the innermost
    /// enclosing definition belongs to by its qualified name (`Calc.thrice`
    /// in a Swift extension, a C# partial class, a Kotlin extension
    /// function) declared beside it: in this file or a file it sees.
    fn sibling_member(&self, r: &Reference) -> Vec<DefRef<'p>> {
        if !implicit_this(self.language) {
            return Vec::new();
        }
        let Some(enclosing) = r.enclosing else {
            return Vec::new();
        };
        let sep = separator(self.language);
        let Some((owner, _)) = self.facts.definitions[enclosing as usize]
            .qualified
            .rsplit_once(sep)
        else {
            return Vec::new();
        };
        let wanted = format!("{owner}{sep}{}", r.name);
        let candidates = self.project.definitions_named(&r.name);
        let matching = |file_ok: &dyn Fn(&str) -> bool| -> Vec<DefRef<'p>> {
            candidates
                .iter()
                .filter(|d| {
                    file_ok(d.file)
                        && unnumbered(&d.definition().qualified) == wanted
                        && fits(r, **d)
                })
                .copied()
                .collect()
        };
        let here = matching(&|f| f == self.path);
        if !here.is_empty() {
            return here;
        }
        matching(&|f| self.scope.visible.contains(f))
    }

    /// Top-level definitions named `name` in `files`.
    fn top_level_in(&self, files: &[&'p str], name: &str) -> Vec<DefRef<'p>> {
        self.project
            .definitions_named(name)
            .iter()
            .filter(|d| files.contains(&d.file))
            .filter(|d| is_top_level(d.facts, d.index))
            .copied()
            .collect()
    }

    /// Definitions named `name` in files seen unqualified: their top-level
    /// ones, and where the language hands on imports, what they hand on
    /// (`use common::*` where `common` has `pub use factories::*`).
    fn visible_named(&self, visible: &[&'p str], name: &str) -> Vec<DefRef<'p>> {
        if reexports(Some(self.language)) {
            self.exported(visible, name)
        } else {
            self.top_level_in(visible, name)
        }
    }

    /// Top-level definitions named `name` in `files`, or, where those files
    /// define none and their language hands on imports, what they import
    /// under that name (or see by a wildcard), followed through at most
    /// [`MAX_REEXPORTS`] modules.
    fn exported(&self, files: &[&'p str], name: &str) -> Vec<DefRef<'p>> {
        let mut files: Vec<&'p str> = files.to_vec();
        let mut name = name.to_owned();
        for _ in 0..=MAX_REEXPORTS {
            let found = self.top_level_in(&files, &name);
            if !found.is_empty() {
                return found;
            }
            let mut next: Vec<&'p str> = Vec::new();
            let mut renamed: Option<String> = None;
            for &file in &files {
                if file == self.path {
                    continue;
                }
                let Some(facts) = self.project.facts(file).filter(|f| reexports(f.language)) else {
                    continue;
                };
                let scope = self.scope_of(file, facts);
                for b in scope.bindings.get(&name).into_iter().flatten() {
                    if let Bound::Item(targets, item) = b {
                        next.extend(targets.iter().copied());
                        renamed.get_or_insert_with(|| item.clone());
                    }
                }
                if renamed.is_none() {
                    next.extend(scope.visible.iter().copied());
                }
            }
            next.sort_unstable();
            next.dedup();
            if next.is_empty() {
                break;
            }
            files = next;
            if let Some(item) = renamed {
                name = item;
            }
        }
        Vec::new()
    }

    fn resolve(&self, r: &Reference) -> Vec<Target> {
        match r.receiver.as_deref() {
            None => self.bare(r),
            Some(receiver) => self.qualified(r, receiver),
        }
    }

    /// A name used alone.
    fn bare(&self, r: &Reference) -> Vec<Target> {
        let here = |i: usize| DefRef {
            file: self.path,
            index: u32::try_from(i).unwrap_or(u32::MAX),
            facts: self.facts,
        };
        let defs = &self.facts.definitions;
        // A parameter or variable of that name hides what is outside:
        // calling it calls whatever value it holds. Only a binding on an
        // earlier line inside a definition (a callback is no definition, so
        // a name bound in one has no scope known here), and not one that is
        // the definition or the import itself (`const f = () => …`,
        // `var x = require('x')`).
        if let Some(b) = self.binding_of(r, &r.name)
            && b.enclosing.is_some()
            && b.line < r.line
        {
            let defines = defs
                .iter()
                .any(|d| d.name == r.name && d.span.start_line == b.line);
            let imports = self.facts.imports.iter().any(|i| i.line == b.line);
            if !defines && !imports {
                return Vec::new();
            }
        }
        // Local scope: definitions inside each enclosing definition, from
        // the innermost out (members of a class only where `this` is
        // implicit), then the file's top level.
        let mut scope = r.enclosing;
        while let Some(s) = scope {
            let enclosing = &defs[s as usize];
            if !enclosing.kind.holds_methods() || implicit_this(self.language) {
                let inside: Vec<DefRef<'p>> = (0..defs.len())
                    .filter(|&i| defs[i].parent == Some(s) && defs[i].name == r.name)
                    .map(here)
                    .filter(|&d| fits(r, d))
                    .collect();
                if !inside.is_empty() {
                    return self.pick(r, inside, true);
                }
            }
            scope = enclosing.parent;
        }
        let sibling = self.sibling_member(r);
        if !sibling.is_empty() {
            return self.pick(r, sibling, true);
        }
        // A method is not called by its name alone where `this` is not
        // implicit, though it may stand at a file's top level (a Go
        // method, a Rust `impl`'s): `Set(…)` in Go is the package's
        // function, not `(*flagVar).Set`.
        let callable = |kind: DefKind| kind != DefKind::Method || implicit_this(self.language);
        // A module cannot define a name it imports: where an ES module's
        // top level seems to (an object literal's property `getPath: …`
        // passed to a call), the import is what the name means.
        if matches!(
            self.language,
            Language::JavaScript | Language::TypeScript | Language::Tsx
        ) && let Some(found) = self.imported(r)
        {
            return found;
        }
        let top: Vec<DefRef<'p>> = self
            .top_level_in(&[self.path], &r.name)
            .into_iter()
            .filter(|&d| fits(r, d) && callable(d.definition().kind))
            .collect();
        if !top.is_empty() {
            return self.pick(r, top, true);
        }
        if let Some(found) = self.imported(r) {
            return found;
        }
        if self.library_rooted(r, &r.name) {
            return Vec::new();
        }
        // Names visible without qualification.
        let visible: Vec<&'p str> = self.scope.visible.iter().copied().collect();
        let seen: Vec<DefRef<'p>> = self
            .visible_named(&visible, &r.name)
            .into_iter()
            .filter(|&d| fits(r, d) && callable(d.definition().kind))
            .collect();
        if !seen.is_empty() {
            // The tags tier sees the files beside it without knowing
            // what they export: a guess.
            return self.pick(r, seen, self.language.tier() == crate::Tier::Full);
        }
        // An ES module sees only what it defines and imports: a name it
        // does neither is a global (`Response`, `Set`) or a value bound in
        // a callback, not another module's definition of that name.
        if matches!(self.language, Language::TypeScript | Language::Tsx) {
            return Vec::new();
        }
        self.guess(r, callable)
    }

    /// Whether `expr` (a receiver, or a name called alone) starts with a
    /// name an import binds to a library (`sys.exit`, `os.environ.get`,
    /// `fmt.Println`, `Pattern.compile`, `mock.patch`), not hidden by a
    /// binding or a definition of this file: what it reaches is the
    /// library's.
    fn library_rooted(&self, r: &Reference, expr: &str) -> bool {
        if self.scope.library.is_empty() {
            return false;
        }
        let root = expr
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .next()
            .unwrap_or_default();
        !root.is_empty()
            && self.scope.library.contains(root)
            && self.binding_of(r, root).is_none()
            && !self.top_names.contains(root)
    }

    /// A name bound by an import to the project's definitions.
    fn imported(&self, r: &Reference) -> Option<Vec<Target>> {
        if let Some(bindings) = self.scope.bindings.get(&r.name) {
            let mut found = Vec::new();
            for b in bindings {
                if let Bound::Item(files, name) = b {
                    found.extend(
                        self.exported(files, name)
                            .into_iter()
                            .filter(|&d| fits(r, d)),
                    );
                    if found.is_empty() {
                        // A member imported by name (Java's static imports).
                        found.extend(
                            self.project
                                .definitions_named(name)
                                .iter()
                                .filter(|d| files.contains(&d.file) && fits(r, **d)),
                        );
                    }
                }
            }
            if !found.is_empty() {
                return Some(self.pick(r, found, true));
            }
        }
        None
    }

    /// A guess: definitions of this name in sight.
    fn guess(&self, r: &Reference, kind_ok: impl Fn(DefKind) -> bool) -> Vec<Target> {
        self.pick(r, self.in_sight(r, kind_ok), false)
    }

    /// The definitions of the reference's name in sight that it fits;
    /// none where the name is one the standard library uses and one of
    /// them is written for a library's trait (`clone` of `impl Clone for
    /// Error`, `fmt` of `impl Display for Kind`): nearly every type has
    /// one, so the name tells nothing of the receiver's type.
    fn in_sight(&self, r: &Reference, kind_ok: impl Fn(DefKind) -> bool) -> Vec<DefRef<'p>> {
        let found: Vec<DefRef<'p>> = self
            .project
            .definitions_named(&r.name)
            .iter()
            .filter(|d| self.sight.contains(d.file))
            .filter(|d| kind_ok(d.definition().kind) && fits(r, **d))
            .copied()
            .collect();
        let of_library_trait = |d: &DefRef<'p>| {
            d.definition().of_trait.as_deref().is_some_and(|t| {
                signature::type_name(t).is_some_and(|name| self.written_outside(name))
            })
        };
        if library::is_library_method(self.language, &r.name) && found.iter().any(of_library_trait)
        {
            return Vec::new();
        }
        found
    }

    /// The tags tier's guess for `receiver.name`: the definitions in a
    /// file or module named like the receiver (`shapes.total` in
    /// `shapes.zig`, `Shapes.total` in `defmodule Shapes`), else any in
    /// sight, except in Erlang, whose receivers are always modules.
    fn guess_by_receiver(&self, r: &Reference, receiver: &str) -> Vec<Target> {
        let all = self.in_sight(r, |_| true);
        let sep = separator(self.language);
        let named_like = |d: &DefRef<'p>| {
            let stem = file_name(d.file).split('.').next().unwrap_or_default();
            stem.eq_ignore_ascii_case(receiver)
                || d.definition()
                    .qualified
                    .strip_prefix(receiver)
                    .is_some_and(|rest| rest.starts_with(sep))
        };
        let narrowed: Vec<DefRef<'p>> = all.iter().copied().filter(named_like).collect();
        if !narrowed.is_empty() {
            self.pick(r, narrowed, false)
        } else if self.language == Language::Erlang {
            Vec::new()
        } else {
            self.pick(r, all, false)
        }
    }

    /// A name with a receiver: `recv.name`, `recv::name`.
    fn qualified(&self, r: &Reference, receiver: &str) -> Vec<Target> {
        if is_self(self.language, receiver) {
            if let Some(owner) = self.enclosing_type(r) {
                let (members, certain) = self.inherited_members(&owner, &r.name, 0);
                if !members.is_empty() {
                    return self.pick(r, members, certain);
                }
            }
            return self.guess(r, |kind| kind == DefKind::Method);
        }
        // A table or object of this file whose members are defined here
        // by name (Lua's `function M.f()`, JavaScript's `obj.f = function`).
        if matches!(self.language, Language::Lua | Language::JavaScript) {
            let wanted = format!("{receiver}{}{}", separator(self.language), r.name);
            let here: Vec<DefRef<'p>> = self
                .project
                .definitions_named(&r.name)
                .iter()
                .filter(|d| d.file == self.path && unnumbered(&d.definition().qualified) == wanted)
                .filter(|&&d| fits(r, d))
                .copied()
                .collect();
            if !here.is_empty() {
                return self.pick(r, here, true);
            }
        }
        if let Some(found) = self.super_member(r, receiver) {
            return found;
        }
        if let Some(found) = self.cast_member(r, receiver) {
            return found;
        }
        if let Some(found) = self.bound_member(r, receiver) {
            return found;
        }
        if let Some(found) = self.typed_receiver(r, receiver) {
            return found;
        }
        // A path that names nothing in the project (`std::fs`, a library's
        // type) is left alone: guessing a method of the same name in the
        // project would be wrong more often than right.
        // The tags tier knows no receiver's type: `shapes.total(x)` may be
        // a module's function as well as a method.
        let tags = self.language.tier() == crate::Tier::Tags;
        let unknown = |this: &Self| {
            if r.path || this.known_outside(r, receiver, false) {
                Vec::new()
            } else if tags {
                this.guess_by_receiver(r, receiver)
            } else {
                this.guess(r, |kind| kind == DefKind::Method)
            }
        };
        if self.library_rooted(r, receiver) {
            return Vec::new();
        }
        let resolved = self.receiver_cached(receiver);
        match resolved {
            Some(Receiver::Files(files)) => {
                let found: Vec<DefRef<'p>> = self
                    .exported(&files, &r.name)
                    .into_iter()
                    .filter(|&d| fits(r, d))
                    .collect();
                if !found.is_empty() {
                    return self.pick(r, found, true);
                }
                Vec::new()
            }
            Some(Receiver::Type(owner, certain)) => {
                let (members, sure) = self.inherited_members(&owner, &r.name, 0);
                if !members.is_empty() {
                    return self.pick(r, members, certain && sure);
                }
                unknown(self)
            }
            None => unknown(self),
        }
    }

    /// Whether the receiver's value is known to be a library's, so that
    /// its methods are the library's too. Only where a declared type is
    /// the type whose methods a call reaches ([`Self::types_are_declared`]:
    /// not TypeScript, whose types are structural), and in Rust not
    /// through a pointer that hands on its target's methods (`Box<T>`), nor
    /// for the name of a project trait's method (a trait may be implemented
    /// for a library's type). Known when the receiver is
    /// - a name or field declared with a type that names nothing in the
    ///   project (`Set<Modifier> modifiers`, `x: dict`, `builder.modifiers`
    ///   where the builder's field is a `List<…>`), or given the value of
    ///   a call that returns one (`v := reflect.ValueOf(a)`,
    ///   `buf := new(bytes.Buffer)`);
    /// - a call the project defines for certain that returns one
    ///   (`javaFile.toJavaFileObject().openInputStream()`), or a method of
    ///   such a value (`result.append(a).append(b)`; `returned`: its type
    ///   names no project type, as a `List<TypeName>`'s element would);
    /// - a cast to one (`((Boolean) obj).booleanValue()`);
    /// - a class Java brings in without an import (`java.lang`) that the
    ///   project does not define (`String.join`, `System.out`); not in C#
    ///   or Kotlin, where such a name is as often a property.
    ///
    /// (A value of a project type without the member, one of whose bases
    /// is a library's, is [`Self::typed_receiver`]'s to tell.)
    fn known_outside(&self, r: &Reference, receiver: &str, returned: bool) -> bool {
        if !self.types_are_declared() {
            return false;
        }
        // A Rust trait of the project may be implemented for a library's
        // type (`impl ByteVec for Vec<u8>`, a blanket `impl<T> Ext for T`):
        // where the name is a trait's method, a library's value may reach it.
        if self.language == Language::Rust
            && self
                .project
                .definitions_named(&r.name)
                .iter()
                .any(|d| is_trait_method(d))
        {
            return false;
        }
        let receiver = receiver.trim();
        if let Some(i) = r.receiver_call {
            let targets = self.resolved.borrow().get(i as usize).cloned().flatten();
            if let Some(targets) = targets {
                if !targets.is_empty() {
                    return self.returns_outside(&targets, false);
                }
                // A method of a library's value returns a library's value
                // (`result.append(a).append(b)` on a `StringBuilder`).
                let Some(link) = self.facts.references.get(i as usize) else {
                    return false;
                };
                let Some(on) = link.receiver.as_deref() else {
                    return false;
                };
                // Not in Rust, whose library methods hand back the
                // project's values they hold (`v.first()`, `x.borrow()`).
                if self.nesting.get() >= MAX_NESTING || self.language == Language::Rust {
                    return false;
                }
                self.nesting.set(self.nesting.get() + 1);
                let outside = !link.path
                    && (self.library_rooted(link, on) || self.known_outside(link, on, true));
                self.nesting.set(self.nesting.get() - 1);
                return outside;
            }
        }
        if let Some(b) = self.binding_of(r, receiver) {
            let written = b.type_name.as_str();
            let outside = if let Some(call) = written.strip_prefix(crate::extract::LAST) {
                self.call_returns_outside(r, call, true)
            } else if written.ends_with(')') && written != receiver {
                self.call_returns_outside(r, written, false)
            } else if returned {
                self.written_wholly_outside(written)
            } else {
                self.written_outside(written)
            };
            if outside {
                return true;
            }
        }
        if casts(self.language)
            && let Some(cast) = cast_type(receiver)
        {
            return self.written_outside(cast);
        }
        if self.language == Language::Java
            && is_identifier(receiver)
            && receiver.starts_with(|c: char| c.is_ascii_uppercase())
            && !self.scope.bindings.contains_key(receiver)
            && self.binding_of(r, receiver).is_none()
            && self.project.definitions_named(receiver).is_empty()
        {
            return true;
        }
        if let Some((head, field, false)) = split_last(receiver)
            && is_identifier(field)
            && !head.contains('(')
            && let Some((TypeRef::Def(d), _)) = self.type_of(r, head)
            && let Some(b) = d
                .facts
                .bindings
                .iter()
                .rev()
                .find(|b| b.enclosing == Some(d.index) && b.name == field)
        {
            return if returned {
                self.written_wholly_outside(&b.type_name)
            } else {
                self.written_outside(&b.type_name)
            };
        }
        false
    }

    /// A project type without a member `name` (nor one in its bases the
    /// project defines), one of whose bases is a library's.
    fn inherits_from_outside(&self, d: &DefRef<'p>, name: &str) -> bool {
        let Some(language) = d.language() else {
            return false;
        };
        let bases = signature::bases(d.definition(), language);
        !bases.is_empty()
            && self
                .inherited_members(&TypeRef::Def(*d), name, 0)
                .0
                .is_empty()
            && bases.iter().any(|b| self.written_outside(b))
    }

    /// Whether the one target of a call certainly resolved declares a
    /// return type that names nothing in the project (its last, for the
    /// last name of Go's `out, err := run()`).
    fn returns_outside(&self, targets: &[Target], last: bool) -> bool {
        let [target] = targets else {
            return false;
        };
        if target.confidence < 1.0 {
            return false;
        }
        let Some(facts) = self.project.facts(&target.file) else {
            return false;
        };
        let Some(def) = facts.definitions.get(target.definition as usize) else {
            return false;
        };
        facts
            .language
            .and_then(|l| signature::return_type_at(def, l, last))
            .is_some_and(|t| self.written_outside(t))
    }

    /// [`Self::returns_outside`] for a call written as text (a binding
    /// given its value, or its `last` result).
    fn call_returns_outside(&self, r: &Reference, call: &'p str, last: bool) -> bool {
        // What it reads of `r`: where it is (a binding in scope is the last
        // one before its line) and how deep the resolution already is.
        let key = (call, last, r.line, r.enclosing, self.nesting.get());
        remembered(&self.returns, key, || {
            self.call_returns_outside_uncached(r, call, last)
        })
    }

    /// [`Self::call_returns_outside`], worked out.
    fn call_returns_outside_uncached(&self, r: &Reference, call: &str, last: bool) -> bool {
        // Go's `new(bytes.Buffer)`.
        if self.language == Language::Go
            && let Some(made) = call.strip_prefix("new(").and_then(|c| c.strip_suffix(')'))
        {
            return self.written_outside(made);
        }
        let Some((callee, _)) = call_parts(call) else {
            return false;
        };
        // What a library's function returns is the library's
        // (`reflect.ValueOf(a)`).
        if self.library_rooted(r, &callee) {
            return true;
        }
        let Some(inner) = written_call(r, &callee, None) else {
            return false;
        };
        if self.nesting.get() >= MAX_NESTING {
            return false;
        }
        self.nesting.set(self.nesting.get() + 1);
        let targets = self.resolve(&inner);
        self.nesting.set(self.nesting.get() - 1);
        self.returns_outside(&targets, last)
    }

    /// A type as written that names nothing in the project and is no
    /// type parameter (`T`, `M`; not `testing.T`).
    fn written_outside(&self, written: &str) -> bool {
        let written = written.trim();
        !written.is_empty()
            && !written.ends_with(')')
            && signature::type_name(written).is_some_and(|name| {
                if self.language == Language::Rust && derefs_to_argument(name) || name == "Self" {
                    return false;
                }
                let simple = name.rsplit(['.', ':']).next().unwrap_or(name);
                let parameter = simple == name
                    && simple.len() <= 2
                    && simple.starts_with(|c: char| c.is_ascii_uppercase());
                // Any segment the project defines (`Error::WithLineNumber`,
                // a variant of the project's `Error`) may make it the
                // project's.
                !parameter
                    && name
                        .split(['.', ':'])
                        .filter(|s| !s.is_empty())
                        .all(|s| self.project.definitions_named(s).is_empty())
            })
    }

    /// `((Node) value).f()`: a member of the type cast to, where the
    /// project defines it.
    fn cast_member(&self, r: &Reference, receiver: &str) -> Option<Vec<Target>> {
        if !casts(self.language) {
            return None;
        }
        let written = cast_type(receiver)?;
        let (owner, certain) = self.type_written_in(self.path, self.facts, r.enclosing, written)?;
        let (members, sure) = self.inherited_members(&owner, &r.name, 0);
        (!members.is_empty()).then(|| self.pick(r, members, certain && sure))
    }

    /// The project traits that bound the type parameter `name` where `r`
    /// is (Rust: `Ix` of `impl<Ix: IndexType>` or `where Ix: IndexType`,
    /// `G` of `fn f<G: IntoNeighbors>(g: G)`): its bindings whose type
    /// starts with `:`, in the innermost scope that has any. `None` when
    /// `name` is no bounded type parameter there. A bound that names no
    /// trait of the project (`Copy`, a library's, one a macro declares) is
    /// left out.
    fn bounds_of(&self, r: &Reference, name: &str) -> Option<Vec<TypeRef<'p>>> {
        if self.language != Language::Rust || name == "Self" || !is_identifier(name) {
            return None;
        }
        let named = self.bindings.get(name)?;
        let mut scope = r.enclosing;
        let written: Vec<&str> = loop {
            let here: Vec<&str> = named
                .iter()
                .filter(|b| b.enclosing == scope && b.line <= r.line)
                .filter_map(|b| b.type_name.strip_prefix(':'))
                .collect();
            if !here.is_empty() {
                break here;
            }
            scope = self.facts.definitions[scope? as usize].parent;
        };
        let mut traits: Vec<DefRef<'p>> = Vec::new();
        for bound in written.iter().flat_map(|w| signature::split_bounds(w)) {
            // `for<'a> Trait<'a>` is the trait; a lifetime, `?Sized` or a
            // parenthesized bound is none of the project's.
            let bound = bound
                .strip_prefix("for<")
                .and_then(|rest| rest.split_once('>'))
                .map_or(bound, |(_, trait_)| trait_.trim());
            if bound.starts_with(['\'', '?', '(']) {
                continue;
            }
            let bound = signature::without_generics(bound);
            if let Some((TypeRef::Def(d), _)) =
                self.type_written_in(self.path, self.facts, r.enclosing, &bound)
                && d.definition().kind == DefKind::Trait
                && !traits.contains(&d)
            {
                traits.push(d);
            }
        }
        Some(traits.into_iter().map(TypeRef::Def).collect())
    }

    /// A call through a bounded type parameter (`Ix::new(x)`) or on a
    /// value of one (`g.neighbors(a)` with `g: G`, `G: IntoNeighbors`;
    /// `self.discovered.visit(a)` with a field of type `VM`): the method
    /// the bound traits (or their supertraits) declare, as rust-analyzer
    /// resolves it. Certain when one declaration has it. `None` when no
    /// bound trait of the project declares it: the usual rules go on.
    fn bound_member(&self, r: &Reference, receiver: &str) -> Option<Vec<Target>> {
        if self.language != Language::Rust {
            return None;
        }
        let parameter = if r.path {
            receiver
        } else {
            let b = self.binding_of(r, receiver).or_else(|| {
                let (head, field) = receiver.split_once('.')?;
                if !is_self(self.language, head) || !is_identifier(field) {
                    return None;
                }
                let owner = match self.enclosing_type(r)? {
                    TypeRef::Name(name) => self.type_named(&name)?.0,
                    own @ TypeRef::Def(_) => own,
                };
                let TypeRef::Def(d) = owner else {
                    return None;
                };
                d.facts
                    .bindings
                    .iter()
                    .rev()
                    .find(|b| b.enclosing == Some(d.index) && b.name == field)
            })?;
            signature::type_name(&b.type_name)?
        };
        let traits = self.bounds_of(r, parameter)?;
        let mut members: Vec<DefRef<'p>> = Vec::new();
        let mut sure = true;
        for t in &traits {
            let (found, certain) = self.inherited_members(t, &r.name, 0);
            sure &= certain || found.is_empty();
            members.extend(found);
        }
        members.sort();
        members.dedup();
        (!members.is_empty()).then(|| self.pick(r, members, sure))
    }

    /// [`Self::written_outside`], and no type it is written with names a
    /// type of the project either: what a method of a `List<TypeName>`
    /// returns may be a `TypeName`.
    fn written_wholly_outside(&self, written: &str) -> bool {
        self.written_outside(written)
            && words(written).all(|w| self.project.definitions_named(w).is_empty())
    }

    /// `super.f()` (`super().f()` in Python): a member of the enclosing
    /// type's bases, not of the type itself. `None` where there is no
    /// enclosing type to start from; no targets where every base is a
    /// library's, or the member is in none of the project's.
    fn super_member(&self, r: &Reference, receiver: &str) -> Option<Vec<Target>> {
        let is_super = match self.language {
            Language::Python => receiver == "super()",
            Language::Rust | Language::Go | Language::C | Language::Bash | Language::Lua => false,
            _ => receiver == "super",
        };
        if !is_super {
            return None;
        }
        let Some(TypeRef::Def(own)) = self.enclosing_type(r) else {
            return None;
        };
        let language = own.language()?;
        // Each base is the project's (and has the member or not), a
        // library's, or neither found nor known to be outside.
        let mut unknown = false;
        for written in signature::bases(own.definition(), language) {
            if self.written_outside(written) {
                continue;
            }
            let found = self
                .type_written_in(own.file, own.facts, own.definition().parent, written)
                .filter(|(base, _)| !matches!(base, TypeRef::Def(b) if *b == own));
            let Some((base, sure)) = found else {
                unknown = true;
                continue;
            };
            let (members, certain) = self.inherited_members(&base, &r.name, 0);
            if !members.is_empty() {
                return Some(self.pick(r, members, sure && certain));
            }
        }
        // No base of the project's has it: a library base's (Java's
        // `Object`, Python's `object` where none is written).
        (!unknown).then(Vec::new)
    }

    /// Members named `name` of a type, or, where it has none, of the first
    /// of its bases (as its header names them, followed through at most
    /// five levels) that has: an inherited method. Whether the bases were
    /// found for certain rides along.
    fn inherited_members(
        &self,
        owner: &TypeRef<'p>,
        name: &str,
        depth: usize,
    ) -> (Vec<DefRef<'p>>, bool) {
        if depth > 0 {
            return self.inherited_members_walked(owner, name, depth);
        }
        let key = (OwnerKey::of(owner), name.to_owned());
        remembered(&self.inherited, key, || {
            self.inherited_members_walked(owner, name, 0)
        })
    }

    /// [`Self::inherited_members`], walked.
    fn inherited_members_walked(
        &self,
        owner: &TypeRef<'p>,
        name: &str,
        depth: usize,
    ) -> (Vec<DefRef<'p>>, bool) {
        let mut own = self.members(owner, name);
        // Java overloads a name across a class and its bases: a call picks
        // among all of them (an override replaces its base's method).
        let overloads = self.language == Language::Java;
        if (!own.is_empty() && !overloads) || depth >= 5 {
            return (own, true);
        }
        let TypeRef::Def(d) = owner else {
            return (own, true);
        };
        let Some(language) = d.language() else {
            return (own, true);
        };
        let mut all_sure = true;
        for base in signature::bases(d.definition(), language) {
            let Some((base, sure)) =
                self.type_written_in(d.file, d.facts, d.definition().parent, base)
            else {
                continue;
            };
            if matches!(&base, TypeRef::Def(b) if b == d) {
                continue;
            }
            let (found, certain) = self.inherited_members(&base, name, depth + 1);
            if found.is_empty() {
                continue;
            }
            if !overloads {
                return (found, sure && certain);
            }
            all_sure &= sure && certain;
            let parameters = |m: &DefRef<'p>| self.parameters_of(*m);
            let mut own_parameters: Vec<_> = own.iter().map(parameters).collect();
            for m in found {
                let those = parameters(&m);
                if !own_parameters.contains(&those) {
                    own.push(m);
                    own_parameters.push(those);
                }
            }
        }
        (own, all_sure)
    }

    /// The scope of another file, computed once.
    fn scope_of(&self, file: &'p str, facts: &'p FileFacts) -> std::rc::Rc<Scope<'p>> {
        std::rc::Rc::clone(
            self.scopes
                .borrow_mut()
                .entry(file)
                .or_insert_with(|| std::rc::Rc::new(imports::scope(self.project, file, facts).1)),
        )
    }

    /// The innermost class-like definition around a reference, by index.
    fn enclosing_class(&self, r: &Reference) -> Option<u32> {
        let defs = &self.facts.definitions;
        let mut scope = r.enclosing;
        while let Some(s) = scope {
            if defs[s as usize].kind.holds_methods() {
                return Some(s);
            }
            scope = defs[s as usize].parent;
        }
        None
    }

    /// The binding that gives a receiver its type where `r` is: for a
    /// name, the last one introduced before `r` in its own scope, else in
    /// the scopes around it (a parameter, a field, a module variable); for
    /// `self.x` / `this.x`, a field of the enclosing class (declared in its
    /// body, or assigned as `self.x = Foo()` in one of its methods).
    fn binding_of(&self, r: &Reference, receiver: &str) -> Option<&'p crate::Binding> {
        let facts = self.facts;
        if facts.bindings.is_empty() {
            return None;
        }
        let named = |name: &str| self.bindings.get(name).map_or(&[][..], Vec::as_slice);
        if let Some((head, field)) = receiver.split_once('.') {
            if !is_self(self.language, head) || !is_identifier(field) {
                return None;
            }
            let class = self.enclosing_class(r)?;
            let declared = named(field)
                .iter()
                .rev()
                .find(|b| b.enclosing == Some(class));
            let assigned = named(receiver).iter().rev().find(|b| {
                b.enclosing
                    .is_some_and(|e| facts.definitions[e as usize].parent == Some(class))
            });
            return declared.or(assigned).copied();
        }
        if !is_identifier(receiver) {
            return None;
        }
        let candidates = named(receiver);
        if candidates.is_empty() {
            return None;
        }
        let mut scope = r.enclosing;
        loop {
            let here = scope == r.enclosing;
            let found = candidates
                .iter()
                .rev()
                .find(|b| b.enclosing == scope && (!here || b.line <= r.line))
                .copied();
            if found.is_some() {
                return found;
            }
            scope = facts.definitions[scope? as usize].parent;
        }
    }

    /// `x.f()` where the type of `x` is known: from a binding, or as the
    /// declared return type of the call `x` is (`builder().add()`,
    /// `Foo::new().run()`). `None` when neither says, or the type has no
    /// member of that name here (an inherited one): the usual rules go on.
    fn typed_receiver(&self, r: &Reference, receiver: &str) -> Option<Vec<Target>> {
        let linked = r.receiver_call.and_then(|i| {
            let resolved = self.resolved.borrow();
            let targets = resolved.get(i as usize)?.as_ref()?;
            self.returned_by(targets, false)
        });
        let (owner, certain) = match linked {
            Some(found) => found,
            None => self.type_of(r, receiver)?,
        };
        let (members, sure) = self.inherited_members(&owner, &r.name, 0);
        if members.is_empty() {
            // A project type without the member, with a library's base:
            // the inherited method (`self.headers.get` on a
            // `CaseInsensitiveDict(MutableMapping)`).
            return match owner {
                TypeRef::Def(d)
                    if self.types_are_declared() && self.inherits_from_outside(&d, &r.name) =>
                {
                    Some(Vec::new())
                }
                _ => None,
            };
        }
        Some(self.pick(r, members, certain && sure))
    }

    /// Whether a value's declared type is the type whose methods a call
    /// reaches ([`Self::known_outside`]).
    fn types_are_declared(&self) -> bool {
        matches!(
            self.language,
            Language::Java
                | Language::CSharp
                | Language::Kotlin
                | Language::Go
                | Language::Python
                | Language::Rust
        )
    }

    /// The type of a value expression where `r` is, when the source says:
    /// a name with a binding, a call with a declared return type, or a
    /// field (with a declared type) of either.
    fn type_of(&self, r: &Reference, expr: &str) -> Option<(TypeRef<'p>, bool)> {
        // Types nest (`a.b().c()`, `x = f(); y = x.g()`, `a.b.c`): bounded,
        // so that `x = x.next()` ends.
        if self.nesting.get() >= MAX_NESTING {
            return None;
        }
        self.nesting.set(self.nesting.get() + 1);
        let found = self.type_of_inner(r, expr);
        self.nesting.set(self.nesting.get() - 1);
        found
    }

    fn type_of_inner(&self, r: &Reference, expr: &str) -> Option<(TypeRef<'p>, bool)> {
        if let Some(b) = self.binding_of(r, expr) {
            // Each element of what a loop walks: written as types are
            // read, a Go slice's or map's type is its element's.
            if let Some(walked) = b.type_name.strip_prefix(crate::extract::EACH) {
                return (walked != expr).then(|| self.type_of(r, walked)).flatten();
            }
            // The last result of a call (`out, err := run()`).
            if let Some(call) = b.type_name.strip_prefix(crate::extract::LAST) {
                return self.call_result(r, call, true);
            }
            // Given the value of a call: what the call returns.
            if b.type_name.ends_with(')') && b.type_name != expr {
                return self.call_result(r, &b.type_name, false);
            }
            return match self.receiver_cached(signature::type_name(&b.type_name)?)? {
                Receiver::Type(owner, certain) => Some((owner, certain)),
                Receiver::Files(_) => None,
            };
        }
        // `self` where the type's body is elsewhere (a Rust `impl`, a Go
        // receiver): the type named by the method's qualified name.
        if is_self(self.language, expr) {
            return match self.enclosing_type(r)? {
                TypeRef::Name(name) => self.type_named(&name),
                own @ TypeRef::Def(_) => Some((own, true)),
            };
        }
        if expr.ends_with(')') {
            return if expr.starts_with("new ") {
                None
            } else {
                self.call_result(r, expr, false)
            };
        }
        let (head, field, _) = split_last(expr)?;
        if !is_identifier(field) {
            return None;
        }
        // A field of a value, or a static field of a type (`TypeName.INT`).
        let (owner, certain) =
            self.type_of(r, head)
                .or_else(|| match self.receiver_cached(head)? {
                    Receiver::Type(t, certain) => Some((t, certain)),
                    Receiver::Files(_) => None,
                })?;
        let TypeRef::Def(d) = owner else {
            return None;
        };
        let b = d
            .facts
            .bindings
            .iter()
            .rev()
            .find(|b| b.enclosing == Some(d.index) && b.name == field)?;
        let (t, sure) = self.type_written_in(d.file, d.facts, Some(d.index), &b.type_name)?;
        Some((t, certain && sure))
    }

    /// A type as written in `file` near its definition `near`: a type of
    /// that file, the one nearest (`CodeBlock.Builder` from inside
    /// `CodeBlock`), else as this file would name it.
    fn type_written_in(
        &self,
        file: &'p str,
        facts: &'p FileFacts,
        near: Option<u32>,
        written: &str,
    ) -> Option<(TypeRef<'p>, bool)> {
        let key = (file, near, written.to_owned());
        remembered(&self.written_types, key, || {
            self.type_written_in_uncached(file, facts, near, written)
        })
    }

    /// [`Self::type_written_in`], worked out.
    fn type_written_in_uncached(
        &self,
        file: &'p str,
        facts: &'p FileFacts,
        near: Option<u32>,
        written: &str,
    ) -> Option<(TypeRef<'p>, bool)> {
        let wanted = signature::type_name(written)?;
        if !wanted.contains(['.', ':', '\\']) {
            let here: Vec<u32> = (0..facts.definitions.len())
                .filter(|&i| {
                    let d = &facts.definitions[i];
                    d.name == wanted && is_container(d.kind)
                })
                .filter_map(|i| u32::try_from(i).ok())
                .collect();
            let mut around = Vec::new();
            let mut at = near;
            while let Some(a) = at {
                around.push(a);
                at = facts.definitions[a as usize].parent;
            }
            let best = here
                .iter()
                .copied()
                .find(|&i| {
                    facts.definitions[i as usize]
                        .parent
                        .is_none_or(|p| around.contains(&p))
                })
                .or_else(|| (here.len() == 1).then(|| here[0]));
            if let Some(index) = best {
                return self.dealias(TypeRef::Def(DefRef { file, index, facts }), true);
            }
            // What that file imports or sees under that name.
            if file != self.path {
                let scope = self.scope_of(file, facts);
                let mut found: Vec<DefRef<'p>> = Vec::new();
                for b in scope.bindings.get(wanted).into_iter().flatten() {
                    if let Bound::Item(files, item) = b {
                        found.extend(self.exported(files, item));
                    }
                }
                if found.is_empty() {
                    let visible: Vec<&'p str> = scope.visible.iter().copied().collect();
                    found = self.top_level_in(&visible, wanted);
                }
                found.retain(|d| is_container(d.definition().kind));
                found.sort();
                found.dedup();
                if let [only] = found.as_slice() {
                    return self.dealias(TypeRef::Def(*only), true);
                }
            }
        }
        match self.receiver_cached(wanted)? {
            Receiver::Type(owner, sure) => Some((owner, sure)),
            Receiver::Files(_) => None,
        }
    }

    /// The type a call expression (`a.b(x)`) returns: the call resolved as
    /// if written alone, and its one target's declared return type, looked
    /// up from the target's file (`Self` is the target's own type).
    fn call_result(&self, r: &Reference, call: &str, last: bool) -> Option<(TypeRef<'p>, bool)> {
        let (callee, arguments) = call_parts(call)?;
        let parts = signature::split_top(arguments);
        let args = (!parts
            .iter()
            .any(|p| p.starts_with('*') || p.starts_with("...")))
        .then(|| u16::try_from(parts.len()).ok())
        .flatten();
        let inner = written_call(r, &callee, args)?;
        let targets = self.resolve(&inner);
        self.returned_by(&targets, last)
    }

    /// The type a call resolved to `targets` returns: its one target's
    /// declared return type, looked up from the target's file (`Self` is
    /// the target's own type), or the class a class called as a function
    /// makes.
    fn returned_by(&self, targets: &[Target], last: bool) -> Option<(TypeRef<'p>, bool)> {
        let target = targets.first()?;
        let facts = self.project.facts(&target.file)?;
        let file = self.project.path(&target.file)?;
        let language = facts.language?;
        let def = facts.definitions.get(target.definition as usize)?;
        // A class called as a function makes one (`Session()`, `Foo()`).
        if is_container(def.kind) && targets.len() == 1 {
            let made = DefRef {
                file,
                index: target.definition,
                facts,
            };
            return Some((TypeRef::Def(made), target.confidence >= 1.0));
        }
        let returned = signature::return_type_at(def, language, last)?;
        // One target, or overloads of one member (their confidences sum to
        // one) that all return the same.
        let complete = (targets.iter().map(|t| t.confidence).sum::<f32>() - 1.0).abs() < 1e-3;
        if targets.len() > 1 {
            let same = targets.iter().all(|t| {
                t.file == target.file
                    && facts
                        .definitions
                        .get(t.definition as usize)
                        .is_some_and(|d| {
                            d.parent == def.parent
                                && signature::return_type_at(d, language, last) == Some(returned)
                        })
            });
            if !same || !complete {
                return None;
            }
        }
        let certain = complete;
        if matches!(returned, "Self" | "this" | "static" | "self" | "$this") {
            return own_type(file, facts, def).map(|t| (t, certain));
        }
        let (owner, sure) = self.type_written_in(file, facts, def.parent, returned)?;
        Some((owner, certain && sure))
    }

    /// The class-like definition (or `impl` type) a reference is in.
    fn enclosing_type(&self, r: &Reference) -> Option<TypeRef<'p>> {
        let defs = &self.facts.definitions;
        let mut scope = r.enclosing;
        while let Some(s) = scope {
            let d = &defs[s as usize];
            if d.kind.holds_methods() {
                return Some(TypeRef::Def(DefRef {
                    file: self.path,
                    index: s,
                    facts: self.facts,
                }));
            }
            let in_body = d
                .parent
                .is_some_and(|p| defs[p as usize].kind.holds_methods());
            if d.kind == DefKind::Method && !in_body {
                // A method outside its type's body (a Rust `impl`, a Go
                // receiver, C++ `A::f`): its qualified name holds the type.
                let sep = separator(self.language);
                if let Some((owner, _)) = d.qualified.rsplit_once(sep) {
                    return Some(TypeRef::Name(
                        owner.rsplit(sep).next().unwrap_or(owner).to_owned(),
                    ));
                }
            }
            scope = d.parent;
        }
        None
    }

    /// Members named `name` of a type: definitions whose parent is the
    /// type, or whose qualified name ends with `Type<sep>name` (methods in
    /// `impl` blocks, Go receivers, out-of-line C++ methods).
    fn members(&self, owner: &TypeRef<'p>, name: &str) -> Vec<DefRef<'p>> {
        let sep = separator(self.language);
        let (type_name, type_def) = match owner {
            TypeRef::Def(d) => (d.definition().name.clone(), Some(*d)),
            TypeRef::Name(n) => (n.clone(), None),
        };
        let suffix = format!("{type_name}{sep}{name}");
        let nested = format!("{sep}{suffix}");
        let mut found: Vec<DefRef<'p>> = self
            .project
            .definitions_named(name)
            .iter()
            .filter(|d| {
                let def = d.definition();
                let child =
                    type_def.is_some_and(|t| t.file == d.file && def.parent == Some(t.index));
                let qualified = unnumbered(&def.qualified);
                let by_name = qualified == suffix || qualified.ends_with(&nested);
                child || (by_name && self.same_language(**d))
            })
            .copied()
            .collect();
        // Members declared in the type's own body are the type's; only
        // without any does the qualified name decide (an `impl` block, a
        // Go receiver, an out-of-line C++ method, a C# partial class): two
        // `Builder.build` in two files are two classes' methods.
        if let Some(t) = type_def {
            let own: Vec<DefRef<'p>> = found
                .iter()
                .filter(|d| d.file == t.file && d.definition().parent == Some(t.index))
                .copied()
                .collect();
            if !own.is_empty() {
                return own;
            }
        }
        // A type's own methods before those of the traits it implements
        // (Rust looks for inherent methods first).
        if found.iter().any(|d| d.definition().of_trait.is_none())
            && found.iter().any(|d| d.definition().of_trait.is_some())
        {
            found.retain(|d| d.definition().of_trait.is_none());
        }
        // Prefer this file, then files this one depends on.
        if found.len() > 1 {
            let near: Vec<DefRef<'p>> = found
                .iter()
                .filter(|d| {
                    d.file == self.path
                        || self.scope.visible.contains(d.file)
                        || type_def.is_some_and(|t| t.file == d.file)
                })
                .copied()
                .collect();
            if !near.is_empty() {
                found = near;
            }
        }
        found
    }

    fn same_language(&self, d: DefRef<'p>) -> bool {
        d.language() == Some(self.language)
    }

    /// [`Self::receiver`], once per text in a file.
    fn receiver_cached(&self, text: &str) -> Option<Receiver<'p>> {
        if let Some(found) = self.receivers.borrow().get(text) {
            return found.clone();
        }
        let found = self.receiver(text);
        self.receivers
            .borrow_mut()
            .insert(text.to_owned(), found.clone());
        found
    }

    /// What a receiver expression names: module files, or a type.
    fn receiver(&self, receiver: &str) -> Option<Receiver<'p>> {
        let found = self.receiver_unaliased(receiver)?;
        Some(match found {
            Receiver::Type(t, certain) => {
                let (t, certain) = self.dealias(t, certain)?;
                Receiver::Type(t, certain)
            }
            files @ Receiver::Files(_) => files,
        })
    }

    /// A type alias followed to the type it stands for (`UnGraph` to
    /// `Graph`), a few steps at most; `None` when what it stands for is
    /// not found (a type parameter, a library's type): the alias has no
    /// members of its own.
    fn dealias(&self, mut t: TypeRef<'p>, mut certain: bool) -> Option<(TypeRef<'p>, bool)> {
        for _ in 0..4 {
            let TypeRef::Def(d) = &t else {
                break;
            };
            let Some(target) = signature::alias_target(d.definition()) else {
                break;
            };
            if self.nesting.get() >= MAX_NESTING {
                return None;
            }
            self.nesting.set(self.nesting.get() + 1);
            let found = self.type_written_in(d.file, d.facts, d.definition().parent, target);
            self.nesting.set(self.nesting.get() - 1);
            match found {
                Some((next, sure)) if !matches!(&next, TypeRef::Def(n) if n == d) => {
                    t = next;
                    certain &= sure;
                }
                _ => return None,
            }
        }
        Some((t, certain))
    }

    /// [`Self::receiver`] before aliases are followed; generic arguments
    /// (`Graph::<N, E>`, `new Foo<T>()`) are left out first.
    fn receiver_unaliased(&self, receiver: &str) -> Option<Receiver<'p>> {
        let receiver = signature::without_generics(receiver.trim());
        let receiver = receiver.as_ref().trim();
        if let Some(rest) = receiver.strip_prefix("new ") {
            let name = rest.split(['(', ' ']).next().unwrap_or(rest);
            return self
                .type_named(name)
                .map(|(t, certain)| Receiver::Type(t, certain));
        }
        if receiver.contains(['(', ')', '[', ']', ' ', '"', '\'']) {
            return None;
        }
        let sep = separator(self.language);
        let receiver = receiver.trim_start_matches("::");
        let segments: Vec<&str> = receiver.split(sep).filter(|s| !s.is_empty()).collect();
        let (mut current, certain, rest) =
            match imports::module_path(self.project, self.path, self.facts, &self.scope, &segments)
            {
                Some((files, n)) if n == segments.len() => return Some(Receiver::Files(files)),
                // Past the module: a type in it.
                Some((files, n)) => {
                    let name = segments[n];
                    let found = self
                        .exported(&files, name)
                        .into_iter()
                        .find(|d| is_container(d.definition().kind))?;
                    (TypeRef::Def(found), true, &segments[n + 1..])
                }
                // A type: local, imported, visible, or the only one of its name.
                None => {
                    let (t, certain) = self.type_named(segments.first()?)?;
                    (t, certain, &segments[1..])
                }
            };
        for segment in rest {
            let nested = self.members(&current, segment);
            current = TypeRef::Def(*nested.first()?);
        }
        Some(Receiver::Type(current, certain))
    }

    /// A type (or a module holding members) by name: this file, bound by
    /// an import, or visible, which is certain; or, as a guess, the only one
    /// of that name in the project (several of them: looked up by name).
    fn type_named(&self, name: &str) -> Option<(TypeRef<'p>, bool)> {
        let types = |defs: Vec<DefRef<'p>>| -> Vec<DefRef<'p>> {
            defs.into_iter()
                .filter(|d| is_container(d.definition().kind))
                .collect()
        };
        let local: Vec<DefRef<'p>> = types(
            self.project
                .definitions_named(name)
                .iter()
                .filter(|d| d.file == self.path)
                .copied()
                .collect(),
        );
        if let Some(d) = local.first() {
            return Some((TypeRef::Def(*d), true));
        }
        if let Some(bindings) = self.scope.bindings.get(name) {
            for b in bindings {
                if let Bound::Item(files, item) = b
                    && let Some(d) = types(self.exported(files, item)).first()
                {
                    return Some((TypeRef::Def(*d), true));
                }
            }
        }
        let visible: Vec<&'p str> = self.scope.visible.iter().copied().collect();
        if let Some(d) = types(self.visible_named(&visible, name)).first() {
            return Some((TypeRef::Def(*d), true));
        }
        let anywhere: Vec<DefRef<'p>> = types(
            self.project
                .definitions_named(name)
                .iter()
                .filter(|d| self.same_language(**d))
                .copied()
                .collect(),
        );
        match anywhere.as_slice() {
            [only] => Some((TypeRef::Def(*only), false)),
            // Several definitions of that name (a C++ namespace opened in
            // several files): members are looked up by name.
            [_, ..] => Some((TypeRef::Name(name.to_owned()), false)),
            [] => None,
        }
    }
}

/// A type: a definition, or just a name when several definitions share it.
#[derive(Clone, Debug)]
pub(crate) enum TypeRef<'p> {
    Def(DefRef<'p>),
    Name(String),
}

/// [`FileCtx::inherited`].
type InheritedMembers<'p> = HashMap<(OwnerKey<'p>, String), (Vec<DefRef<'p>>, bool)>;

/// [`FileCtx::returns`].
type Returns<'p> = HashMap<(&'p str, bool, u32, Option<u32>, usize), bool>;

/// What `cache` holds for `key`, worked out by `work` the first time. The
/// cache is not borrowed while `work` runs, which may ask it again (for
/// other keys: a type's bases, a call inside a call).
fn remembered<K: Eq + std::hash::Hash, V: Clone>(
    cache: &RefCell<HashMap<K, V>>,
    key: K,
    work: impl FnOnce() -> V,
) -> V {
    if let Some(found) = cache.borrow().get(&key) {
        return found.clone();
    }
    let found = work();
    cache.borrow_mut().insert(key, found.clone());
    found
}

/// [`FileCtx::arities`].
type Arities<'p> = HashMap<(&'p str, u32), Option<(u16, Option<u16>)>>;

/// [`FileCtx::parameters`].
type Parameters<'p> = HashMap<(&'p str, u32), Option<Vec<(&'p str, bool)>>>;

/// [`FileCtx::written_types`].
type WrittenTypes<'p> = HashMap<(&'p str, Option<u32>, String), Option<(TypeRef<'p>, bool)>>;

/// A [`TypeRef`] as a key: a definition by its file and index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum OwnerKey<'p> {
    Def(&'p str, u32),
    Name(String),
}

impl<'p> OwnerKey<'p> {
    fn of(owner: &TypeRef<'p>) -> Self {
        match owner {
            TypeRef::Def(d) => OwnerKey::Def(d.file, d.index),
            TypeRef::Name(n) => OwnerKey::Name(n.clone()),
        }
    }
}

/// What a receiver expression resolves to; a type with whether it was
/// found for certain.
#[derive(Clone)]
pub(crate) enum Receiver<'p> {
    Files(Vec<&'p str>),
    Type(TypeRef<'p>, bool),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Alamofire's manifest: its targets' arguments hold calls and lists
    /// of their own.
    #[test]
    fn swift_targets_with_a_path_of_their_own_are_read_from_package_swift() {
        let manifest = r#"let package = Package(name: "Alamofire",
                      products: [.library(name: "Alamofire", targets: ["Alamofire"])],
                      targets: [.target(name: "Alamofire",
                                        path: "Source",
                                        resources: [.process("PrivacyInfo.xcprivacy")],
                                        linkerSettings: [.linkedFramework("CFNetwork",
                                                                          .when(platforms: [.iOS]))]),
                                .target(name: "Plain", dependencies: [.product(name: "X", package: "Y")]),
                                .testTarget(name: "AlamofireTests",
                                            dependencies: ["Alamofire"],
                                            path: "Tests/")])"#;
        let mut manifests = Manifests::default();
        manifests.add("Package.swift", manifest);
        manifests.add(
            "sub/Package.swift",
            r#".executableTarget(name: "Tool", path: "Cli"), .target(name: "Here", path: ".")"#,
        );
        assert_eq!(
            manifests.swift_targets,
            [
                ("Alamofire".to_owned(), "Source".to_owned()),
                ("AlamofireTests".to_owned(), "Tests".to_owned()),
                ("Here".to_owned(), "sub".to_owned()),
                ("Tool".to_owned(), "sub/Cli".to_owned()),
            ]
        );
    }
}
