//! The facts extracted from one file.

use serde::{Deserialize, Serialize};

use crate::Language;

/// What one file defines, references and imports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    pub language: Option<Language>,
    /// In source order; `parent` indices point into this list.
    pub definitions: Vec<Definition>,
    /// Calls, constructions and type uses, in source order.
    pub references: Vec<Reference>,
    /// In source order.
    pub imports: Vec<Import>,
    /// The package or namespace the file declares (Go `package`, Java
    /// `package`, C# file-scoped `namespace`), when it declares one.
    pub package: Option<String>,
    /// Where the parser had to recover from errors; the facts around them
    /// are whatever could be read.
    pub diagnostics: Vec<Diagnostic>,
    /// Variables, parameters and fields, in source order, with their type
    /// where the source states it: what a call on them (`x.f()`) resolves
    /// through, and what a bare call of a local name does not leave.
    #[serde(default)]
    pub bindings: Vec<Binding>,
}

/// A name introduced in a scope: a parameter, field or variable, with the
/// type the source gives it when it gives one (declared, or a new object:
/// `x = Foo()`, `const x = new Foo()`, `Foo x = …`, `x := &Foo{}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub name: String,
    /// The type as written (`Foo`, `pkg.Foo`, `Optional[Foo]`, `*Foo`);
    /// empty for a name whose type is not said (an untyped parameter, a
    /// destructured variable): it still shadows what is outside.
    pub type_name: String,
    pub line: u32,
    /// The innermost definition it is introduced in (its scope).
    pub enclosing: Option<u32>,
}

/// Lines are 1-based and inclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start_line: u32,
    pub end_line: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DefKind {
    Function,
    Method,
    Class,
    Struct,
    Enum,
    Trait,
    Interface,
    TypeAlias,
    Module,
    Macro,
}

impl DefKind {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            DefKind::Function => "function",
            DefKind::Method => "method",
            DefKind::Class => "class",
            DefKind::Struct => "struct",
            DefKind::Enum => "enum",
            DefKind::Trait => "trait",
            DefKind::Interface => "interface",
            DefKind::TypeAlias => "type",
            DefKind::Module => "module",
            DefKind::Macro => "macro",
        }
    }

    #[must_use]
    pub fn from_name(name: &str) -> Option<DefKind> {
        Some(match name {
            "function" => DefKind::Function,
            "method" => DefKind::Method,
            "class" => DefKind::Class,
            "struct" => DefKind::Struct,
            "enum" => DefKind::Enum,
            "trait" => DefKind::Trait,
            "interface" => DefKind::Interface,
            "type" => DefKind::TypeAlias,
            "module" => DefKind::Module,
            "macro" => DefKind::Macro,
            _ => return None,
        })
    }

    /// Kinds whose nested functions are methods.
    #[must_use]
    pub fn holds_methods(self) -> bool {
        matches!(
            self,
            DefKind::Class | DefKind::Struct | DefKind::Enum | DefKind::Trait | DefKind::Interface
        )
    }
}

/// Something the file defines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub name: String,
    /// The name within the file, joined to its enclosing definitions (and
    /// `impl` blocks, method receivers) with the language's separator:
    /// `Calc::add` in Rust, `Calc.add` in Python.
    pub qualified: String,
    pub kind: DefKind,
    pub span: Span,
    /// The header: everything before the body, on one line.
    pub signature: String,
    pub doc: Option<String>,
    /// The enclosing definition, as an index into `definitions`.
    pub parent: Option<u32>,
    /// Visible outside its file or package by the language's rules.
    pub exported: bool,
    /// A method written in an implementation of a trait for a type (Rust
    /// `impl Build for Graph`): the trait as written. A type's own methods
    /// come first when a call is resolved.
    #[serde(default)]
    pub of_trait: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RefKind {
    Call,
    /// `new X()`, `X { .. }`, `X{}`.
    Construct,
    /// A type named in a signature or an annotation.
    Type,
}

/// A use of a name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub name: String,
    /// The text before the name: `self` in `self.f()`, `crate::m` in
    /// `crate::m::f()`, `pkg` in `pkg.F()`.
    pub receiver: Option<String>,
    /// The receiver is a path (`a::b::f()` in Rust or C++), not a value:
    /// when it names nothing in the project, nothing is guessed.
    pub path: bool,
    pub kind: RefKind,
    pub line: u32,
    /// The innermost definition the reference is in.
    pub enclosing: Option<u32>,
    /// How many arguments a call or construction passes, when the source
    /// says (no spread or splat): what tells overloads apart.
    #[serde(default)]
    pub args: Option<u16>,
    /// The call (by index among the file's references) whose value this
    /// one is made on: `a.b()` for `c` in `a.b().c()`. Chains of any
    /// length are typed link by link through it, where the receiver's text
    /// is cut short.
    #[serde(default)]
    pub receiver_call: Option<u32>,
    /// What the source says of each argument's type, where overloads are
    /// told apart by it (Java): empty elsewhere, or when there are none.
    #[serde(default)]
    pub arguments: Vec<Argument>,
}

/// An argument of a call, as far as its text tells its type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Argument {
    /// The text says nothing plain (an operator, a lambda, a conditional).
    Unknown,
    /// `null`: any type but a primitive.
    Null,
    /// A type named outright: a literal's (`String`, `int`, `char`), a
    /// construction's (`new Foo(…)`), a cast's (`(Foo) x`); `Class` for
    /// `Foo.class`.
    Type(String),
    /// A name or a field path whose type the bindings tell (`x`,
    /// `this.x`, `TypeName.INT`).
    Value(String),
    /// The value of another call of the file, by its reference index.
    Call(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportKind {
    /// `use`, `import`, `using`: the usual kind.
    Use,
    /// Rust `mod name;`: a child module in another file.
    ModDecl,
    /// C/C++ `#include "x"` (`system` for `<x>`).
    Include { system: bool },
    /// `require`, `require_relative` (Ruby), `require()` (JavaScript).
    Require { relative: bool },
}

/// An import as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    /// The module path as written: `crate::calc::add`, `..pkg.mod`,
    /// `./util.js`, `example.com/calc/mathx`, `calc.h`.
    pub path: String,
    /// Names imported from the module (`from m import a, b as c`); empty
    /// when the path itself is what is imported.
    pub names: Vec<ImportedName>,
    /// The local name the module is bound to (`import x as y`, `import * as
    /// ns`, Go's `m "path"`).
    pub alias: Option<String>,
    /// Everything the module exports is brought in (`*`, Go's `.` import,
    /// C# `using`, Java `.*`).
    pub wildcard: bool,
    pub kind: ImportKind,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedName {
    pub name: String,
    pub alias: Option<String>,
}

/// A place the parser could not read as the grammar expects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub line: u32,
    pub message: String,
}
