//! How each language writes imports, which definitions it exports, and the
//! Python docstring: the rules a query alone does not express.

use tree_sitter::Node;

use super::text;
use crate::{Import, ImportKind, ImportedName, Language};

pub(crate) type ImportReader = fn(Node<'_>, &[u8], &mut Vec<Import>);
pub(crate) type ExportRule = fn(Node<'_>, &str, &[u8]) -> bool;

pub(crate) fn reader(language: Language) -> ImportReader {
    match language {
        Language::Rust => rust_imports,
        Language::Python => python_imports,
        Language::JavaScript | Language::TypeScript | Language::Tsx => js_imports,
        Language::Go => go_imports,
        Language::Java => java_imports,
        Language::C | Language::Cpp => c_includes,
        Language::CSharp => csharp_usings,
        // Ruby's and Lua's `require` calls are captured by the query.
        Language::Ruby | Language::Lua => |_, _, _| {},
        Language::Kotlin => kotlin_imports,
        Language::Swift => swift_imports,
        Language::Php => php_imports,
        Language::Scala => scala_imports,
        Language::Bash => bash_sources,
        // The tags tier reads no imports.
        _ => {
            debug_assert_eq!(language.tier(), crate::Tier::Tags);
            |_, _, _| {}
        }
    }
}

pub(crate) fn exported_rule(language: Language) -> ExportRule {
    match language {
        Language::Rust => |node, _, _| children(node).any(|c| c.kind() == "visibility_modifier"),
        Language::Python => {
            |_, name, _| !name.starts_with('_') || (name.starts_with("__") && name.ends_with("__"))
        }
        // Exported by where they stand (`@exported`), unless private.
        Language::JavaScript | Language::TypeScript | Language::Tsx => |_, _, _| false,
        Language::Go => |_, name, _| name.chars().next().is_some_and(char::is_uppercase),
        // Interface members are exported by where they stand (`@exported`).
        Language::Java => |node, _, source| {
            children(node)
                .find(|c| c.kind() == "modifiers")
                .is_some_and(|m| {
                    let t = text(m, source);
                    t.contains("public") || t.contains("protected")
                })
        },
        Language::C | Language::Cpp => |node, _, source| {
            !children(node)
                .any(|c| c.kind() == "storage_class_specifier" && text(c, source) == "static")
        },
        // Types directly in a namespace or a file default to internal, and
        // are exported by where they stand (`@exported`).
        Language::CSharp => |node, _, source| {
            children(node).filter(|c| c.kind() == "modifier").any(|c| {
                matches!(
                    text(c, source).as_ref(),
                    "public" | "internal" | "protected"
                )
            })
        },
        Language::Ruby | Language::Bash => |_, _, _| true,
        // Public unless said otherwise.
        Language::Kotlin | Language::Scala | Language::Swift => |node, _, source| {
            !children(node)
                .filter(|c| c.kind() == "modifiers" || c.kind() == "modifier")
                .any(|m| {
                    let t = text(m, source);
                    t.contains("private") || t.contains("fileprivate")
                })
        },
        Language::Php => |node, _, source| {
            !children(node)
                .any(|c| c.kind() == "visibility_modifier" && text(c, source) == "private")
        },
        // `local function f` stays in its file.
        Language::Lua => |node, _, _| !children(node).any(|c| c.kind() == "local"),
        // The tags tier reads no visibility.
        _ => {
            debug_assert_eq!(language.tier(), crate::Tier::Tags);
            |_, _, _| true
        }
    }
}

fn children(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    (0..node.child_count()).filter_map(move |i| node.child(i))
}

fn named_children(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    // Child counts come from tree-sitter as u32: every index fits.
    (0..node.named_child_count()).filter_map(move |i| node.named_child(u32::try_from(i).ok()?))
}

fn line(node: Node<'_>) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}

fn import(path: String, kind: ImportKind, node: Node<'_>) -> Import {
    Import {
        path,
        names: Vec::new(),
        alias: None,
        wildcard: false,
        kind,
        line: line(node),
    }
}

/// Rust: `use` trees expand to one import per leaf; `mod x;` declares a
/// child module file; `extern crate` names a crate.
fn rust_imports(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    match node.kind() {
        "mod_item" => {
            if let Some(name) = node.child_by_field_name("name") {
                out.push(import(
                    text(name, source).into_owned(),
                    ImportKind::ModDecl,
                    node,
                ));
            }
        }
        "extern_crate_declaration" => {
            if let Some(name) = node.child_by_field_name("name") {
                let mut i = import(text(name, source).into_owned(), ImportKind::Use, node);
                i.alias = node
                    .child_by_field_name("alias")
                    .map(|a| text(a, source).into_owned());
                out.push(i);
            }
        }
        _ => {
            let Some(argument) = node.child_by_field_name("argument") else {
                return;
            };
            // (tree, prefix) pairs; an explicit stack keeps deep nesting off
            // the call stack.
            let mut stack = vec![(argument, String::new())];
            while let Some((tree, prefix)) = stack.pop() {
                let joined = |t: Node<'_>| format!("{prefix}{}", text(t, source));
                match tree.kind() {
                    "use_as_clause" => {
                        if let Some(path) = tree.child_by_field_name("path") {
                            let mut i = import(joined(path), ImportKind::Use, node);
                            i.alias = tree
                                .child_by_field_name("alias")
                                .map(|a| text(a, source).into_owned());
                            out.push(i);
                        }
                    }
                    "use_wildcard" => {
                        let path = named_children(tree)
                            .next()
                            .map_or_else(|| prefix.trim_end_matches("::").to_owned(), joined);
                        let mut i = import(path, ImportKind::Use, node);
                        i.wildcard = true;
                        out.push(i);
                    }
                    "scoped_use_list" => {
                        let inner = match tree.child_by_field_name("path") {
                            Some(path) => format!("{}::", joined(path)),
                            None => prefix.clone(),
                        };
                        if let Some(list) = tree.child_by_field_name("list") {
                            for child in named_children(list).collect::<Vec<_>>().into_iter().rev()
                            {
                                stack.push((child, inner.clone()));
                            }
                        }
                    }
                    "use_list" => {
                        for child in named_children(tree).collect::<Vec<_>>().into_iter().rev() {
                            stack.push((child, prefix.clone()));
                        }
                    }
                    // `self` in a list imports the list's own path.
                    "self" if !prefix.is_empty() => {
                        let mut i = import(
                            prefix.trim_end_matches("::").to_owned(),
                            ImportKind::Use,
                            node,
                        );
                        i.alias = None;
                        out.push(i);
                    }
                    "identifier" | "scoped_identifier" | "crate" | "super" | "self"
                    | "metavariable" => {
                        out.push(import(joined(tree), ImportKind::Use, node));
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Python: `import a.b as c` and `from ..a import b as c, *`.
fn python_imports(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    let name_of = |n: Node<'_>| -> (String, Option<String>) {
        if n.kind() == "aliased_import" {
            // Broken source may leave a field out: an empty name, never
            // an error (bad source is data).
            let name = n
                .child_by_field_name("name")
                .map(|x| text(x, source).into_owned())
                .unwrap_or_default();
            let alias = n
                .child_by_field_name("alias")
                .map(|x| text(x, source).into_owned());
            (name, alias)
        } else {
            (text(n, source).into_owned(), None)
        }
    };
    let mut cursor = node.walk();
    if node.kind() == "import_statement" {
        for n in node.children_by_field_name("name", &mut cursor) {
            let (path, alias) = name_of(n);
            let mut i = import(path, ImportKind::Use, node);
            i.alias = alias;
            out.push(i);
        }
        return;
    }
    let Some(module) = node.child_by_field_name("module_name") else {
        return;
    };
    let mut i = import(text(module, source).into_owned(), ImportKind::Use, node);
    for n in node.children_by_field_name("name", &mut cursor) {
        let (name, alias) = name_of(n);
        i.names.push(ImportedName { name, alias });
    }
    i.wildcard = named_children(node).any(|c| c.kind() == "wildcard_import");
    out.push(i);
}

/// The text of a string literal; empty for `""` or broken source.
fn js_string(node: Node<'_>, source: &[u8]) -> String {
    named_children(node)
        .find(|c| c.kind() == "string_fragment")
        .map(|f| text(f, source).into_owned())
        .unwrap_or_default()
}

/// JavaScript and TypeScript: `import d, {a, b as c} from "m"`, `import *
/// as ns from "m"`, `export {x} from "m"`, `export * from "m"`.
fn js_imports(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    let Some(from) = node.child_by_field_name("source") else {
        return;
    };
    let mut i = import(js_string(from, source), ImportKind::Use, node);
    // Broken source may leave the name out: empty, never an error.
    let specifier = |s: Node<'_>| ImportedName {
        name: s
            .child_by_field_name("name")
            .map(|x| text(x, source).into_owned())
            .unwrap_or_default(),
        alias: s
            .child_by_field_name("alias")
            .map(|x| text(x, source).into_owned()),
    };
    for child in named_children(node) {
        match child.kind() {
            "import_clause" => {
                for part in named_children(child) {
                    match part.kind() {
                        "identifier" => i.names.push(ImportedName {
                            name: "default".to_owned(),
                            alias: Some(text(part, source).into_owned()),
                        }),
                        "named_imports" => i.names.extend(
                            named_children(part)
                                .filter(|s| s.kind() == "import_specifier")
                                .map(specifier),
                        ),
                        "namespace_import" => {
                            i.alias = named_children(part)
                                .next()
                                .map(|n| text(n, source).into_owned());
                        }
                        _ => {}
                    }
                }
            }
            "export_clause" => i.names.extend(
                named_children(child)
                    .filter(|s| s.kind() == "export_specifier")
                    .map(specifier),
            ),
            "namespace_export" => {
                i.alias = named_children(child)
                    .next()
                    .map(|n| text(n, source).into_owned());
            }
            _ => {}
        }
    }
    if node.kind() == "export_statement" && i.names.is_empty() && i.alias.is_none() {
        // `export * from "m"`
        i.wildcard = true;
    }
    out.push(i);
}

/// Go: `import "p"`, `import m "p"`, `import . "p"`, and the grouped form.
fn go_imports(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    let mut specs = Vec::new();
    for child in named_children(node) {
        match child.kind() {
            "import_spec" => specs.push(child),
            "import_spec_list" => {
                specs.extend(named_children(child).filter(|s| s.kind() == "import_spec"));
            }
            _ => {}
        }
    }
    for spec in specs {
        let Some(path) = spec.child_by_field_name("path") else {
            continue;
        };
        let path = text(path, source)
            .trim_matches(|c| c == '"' || c == '`')
            .to_owned();
        let mut i = import(path, ImportKind::Use, spec);
        match spec.child_by_field_name("name") {
            Some(n) if n.kind() == "dot" => i.wildcard = true,
            Some(n) => i.alias = Some(text(n, source).into_owned()),
            None => {}
        }
        out.push(i);
    }
}

/// Java: `import a.b.C;`, `import a.b.*;`, `import static a.b.C.f;`.
fn java_imports(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    let Some(target) =
        named_children(node).find(|c| matches!(c.kind(), "scoped_identifier" | "identifier"))
    else {
        return;
    };
    let is_static = children(node).any(|c| c.kind() == "static");
    let wildcard = named_children(node).any(|c| c.kind() == "asterisk");
    let full = text(target, source).into_owned();
    let mut i = import(full.clone(), ImportKind::Use, node);
    i.wildcard = wildcard;
    if is_static
        && !wildcard
        && let Some((class, member)) = full.rsplit_once('.')
    {
        class.clone_into(&mut i.path);
        i.names.push(ImportedName {
            name: member.to_owned(),
            alias: None,
        });
    }
    out.push(i);
}

/// C and C++: `#include "x.h"` and `#include <x.h>`.
fn c_includes(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    let Some(path) = node.child_by_field_name("path") else {
        return;
    };
    let (file, system) = match path.kind() {
        "system_lib_string" => (
            text(path, source)
                .trim_matches(|c| c == '<' || c == '>')
                .to_owned(),
            true,
        ),
        _ => (text(path, source).trim_matches('"').to_owned(), false),
    };
    out.push(import(file, ImportKind::Include { system }, node));
}

/// C#: `using A.B;` (a namespace), `using X = A.B;`, `using static A.B;`.
fn csharp_usings(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    let alias = node
        .child_by_field_name("name")
        .map(|n| text(n, source).into_owned());
    let Some(target) = named_children(node)
        .filter(|c| {
            matches!(
                c.kind(),
                "qualified_name" | "identifier" | "generic_name" | "alias_qualified_name"
            )
        })
        .last()
    else {
        return;
    };
    let mut i = import(text(target, source).into_owned(), ImportKind::Use, node);
    match alias {
        Some(alias) if alias != i.path => i.alias = Some(alias),
        _ => i.wildcard = true,
    }
    out.push(i);
}

/// The docstring of a Python function or class: its body's first
/// statement, when that is a string.
pub(crate) fn python_docstring(node: Node<'_>, source: &[u8]) -> Option<String> {
    let body = node.child_by_field_name("body")?;
    let first = body.named_child(0)?;
    if first.kind() != "expression_statement" {
        return None;
    }
    let string = first.named_child(0).filter(|s| s.kind() == "string")?;
    let content: String = named_children(string)
        .filter(|c| c.kind() == "string_content")
        .map(|c| text(c, source).into_owned())
        .collect();
    let doc = content.trim();
    (!doc.is_empty()).then(|| doc.to_owned())
}

/// Kotlin: `import a.b.C`, `import a.b.*`, `import a.b.C as D`.
fn kotlin_imports(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    let Some(path) = named_children(node).find(|c| c.kind() == "qualified_identifier") else {
        return;
    };
    let mut i = import(text(path, source).into_owned(), ImportKind::Use, node);
    i.wildcard = children(node).any(|c| c.kind() == "*");
    i.alias = named_children(node)
        .filter(|c| c.kind() == "identifier")
        .last()
        .map(|a| text(a, source).into_owned());
    out.push(i);
}

/// Swift: `import Module` (or `import struct Module.Type`): the module.
fn swift_imports(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    if let Some(name) = named_children(node).find(|c| c.kind() == "identifier") {
        out.push(import(
            text(name, source).into_owned(),
            ImportKind::Use,
            node,
        ));
    }
}

/// Scala: `import a.b.C`, `import a.b._` (or `*`), `import a.b.{C, D => E}`.
fn scala_imports(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    let mut path = String::new();
    let mut i = import(String::new(), ImportKind::Use, node);
    for c in children(node) {
        match c.kind() {
            "identifier" => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&text(c, source));
            }
            "namespace_wildcard" => i.wildcard = true,
            "namespace_selectors" => {
                for s in named_children(c) {
                    match s.kind() {
                        "identifier" => i.names.push(ImportedName {
                            name: text(s, source).into_owned(),
                            alias: None,
                        }),
                        "arrow_renamed_identifier" | "as_renamed_identifier" => {
                            if let Some(name) = s.child_by_field_name("name") {
                                i.names.push(ImportedName {
                                    name: text(name, source).into_owned(),
                                    alias: s
                                        .child_by_field_name("alias")
                                        .map(|a| text(a, source).into_owned()),
                                });
                            }
                        }
                        "namespace_wildcard" => i.wildcard = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if path.is_empty() {
        return;
    }
    // `import a.b.C`: the last segment is the name imported.
    i.path = match path.rsplit_once('.') {
        Some((module, name)) if !i.wildcard && i.names.is_empty() => {
            i.names.push(ImportedName {
                name: name.to_owned(),
                alias: None,
            });
            module.to_owned()
        }
        _ => path,
    };
    out.push(i);
}

/// PHP: `use A\B\C;`, `use A\B\C as D;`, `use A\B\{C, D as E};` (each a
/// class path), and `require`/`include` of a file path.
fn php_imports(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    if node.kind() != "namespace_use_declaration" {
        // `require_once __DIR__ . '/x.php'`: the last string in it.
        let mut last = None;
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.kind() == "string_content" {
                last = Some(text(n, source).into_owned());
            }
            for i in (0..n.child_count()).rev() {
                if let Some(c) = n.child(i) {
                    stack.push(c);
                }
            }
        }
        if let Some(path) = last {
            let relative = text(node, source).contains("__DIR__") || path.starts_with('.');
            let path = path.trim_start_matches('/').to_owned();
            out.push(import(path, ImportKind::Require { relative }, node));
        }
        return;
    }
    let prefix = named_children(node)
        .find(|c| c.kind() == "namespace_name")
        .map(|p| text(p, source).trim_start_matches('\\').to_owned());
    let clauses: Vec<Node<'_>> = match node.child_by_field_name("body") {
        Some(group) => named_children(group)
            .filter(|c| c.kind() == "namespace_use_clause")
            .collect(),
        None => named_children(node)
            .filter(|c| c.kind() == "namespace_use_clause")
            .collect(),
    };
    for clause in clauses {
        let Some(name) =
            named_children(clause).find(|c| matches!(c.kind(), "qualified_name" | "name"))
        else {
            continue;
        };
        let name = text(name, source).trim_start_matches('\\').to_owned();
        let path = match &prefix {
            Some(p) => format!("{p}\\{name}"),
            None => name,
        };
        let mut i = import(path, ImportKind::Use, node);
        i.alias = clause
            .child_by_field_name("alias")
            .map(|a| text(a, source).into_owned());
        out.push(i);
    }
}

/// Bash: `source path` and `. path`: the file, with the script's own
/// directory (`$(dirname "$0")/x.sh`, `${BASH_SOURCE%/*}/x.sh`) read as
/// relative to it.
fn bash_sources(node: Node<'_>, source: &[u8], out: &mut Vec<Import>) {
    let Some(argument) = node.child_by_field_name("argument") else {
        return;
    };
    let raw = text(argument, source);
    let raw = raw.trim_matches(|c| c == '"' || c == '\'');
    // The part after the last expansion: what names the file.
    let tail = match raw.rfind(['}', ')']) {
        Some(i) => raw[i + 1..].trim_start_matches('/').trim_matches('"'),
        None => raw,
    };
    if tail.is_empty() || tail.contains('$') {
        return;
    }
    let relative = raw.contains("dirname") || raw.contains("BASH_SOURCE") || raw.starts_with('.');
    let path = tail.trim_start_matches("./").to_owned();
    out.push(import(path, ImportKind::Require { relative }, node));
}
