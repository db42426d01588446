//! Each language's rules for what an import names, which names it binds,
//! and which files a file sees without importing them.

use std::collections::{BTreeMap, BTreeSet};

use super::{Bound, Manifests, Project, Scope, dir_of, file_name};
use crate::{FileFacts, Import, ImportKind, Language};

/// Joins a directory and a relative path, resolving `.` and `..`; `None`
/// when `..` climbs above the repository root.
fn join(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn has_extension(path: &str, ext: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

fn stem(path: &str) -> &str {
    let name = file_name(path);
    name.split_once('.').map_or(name, |(s, _)| s)
}

/// The dotted names a Python file answers to: `py/calc/ops.py` is
/// `ops`, `calc.ops` and `py.calc.ops` (a package's `__init__.py` is the
/// package).
pub(crate) fn python_module_keys(path: &str) -> Vec<String> {
    let without = path
        .strip_suffix(".pyi")
        .or_else(|| path.strip_suffix(".py"))
        .unwrap_or(path);
    let mut parts: Vec<&str> = without.split('/').collect();
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    (0..parts.len()).map(|i| parts[i..].join(".")).collect()
}

/// Among files that answer to a module name, the one closest to the
/// importer: sharing the longest directory prefix, then the shortest path.
fn closest<'p>(from: &str, mut candidates: Vec<&'p str>) -> Option<&'p str> {
    let shared = |c: &str| {
        dir_of(from)
            .split('/')
            .zip(dir_of(c).split('/'))
            .take_while(|(a, b)| a == b)
            .count()
    };
    candidates.sort_by(|a, b| {
        shared(b)
            .cmp(&shared(a))
            .then(a.len().cmp(&b.len()))
            .then(a.cmp(b))
    });
    candidates.first().copied()
}

/// The files each import names, and the names they bind.
pub(crate) fn scope<'p>(
    project: &Project<'p>,
    path: &'p str,
    facts: &'p FileFacts,
) -> (Vec<Vec<&'p str>>, Scope<'p>) {
    let mut scope = Scope::default();
    let language = facts.language.unwrap_or(Language::C);
    let mut targets = Vec::with_capacity(facts.imports.len());
    let mut library: BTreeSet<&str> = BTreeSet::new();
    for import in &facts.imports {
        let found = match language {
            Language::Rust => rust_import(project, path, import, &mut scope),
            Language::Python => python_import(project, path, import, &mut scope),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                js_import(project, path, import, &mut scope)
            }
            Language::Go => go_import(project, import, &mut scope),
            Language::Java => java_import(project, import, &mut scope),
            Language::C | Language::Cpp => c_include(project, path, import, &mut scope),
            Language::CSharp => csharp_using(project, import, &mut scope),
            Language::Ruby => ruby_require(project, path, import, &mut scope),
            Language::Kotlin | Language::Scala => jvm_import(project, import, &mut scope),
            Language::Swift => swift_import(project, import, &mut scope),
            Language::Php => php_use(project, path, import, &mut scope),
            Language::Lua => lua_require(project, path, import, &mut scope),
            Language::Bash => bash_source(project, path, import, &mut scope),
            // The tags tier reads no imports.
            _ => {
                debug_assert_eq!(language.tier(), crate::Tier::Tags);
                Vec::new()
            }
        };
        if found.is_empty() && !may_be_the_projects(project, language, import) {
            library.extend(library_names(language, import));
        }
        targets.push(found);
    }
    // A name an import binds to nothing in the project is a library's,
    // unless another import binds it to something here.
    library.retain(|name| !scope.bindings.contains_key(*name));
    scope.library = library.into_iter().map(str::to_owned).collect();
    visible_without_import(project, path, facts, language, &mut scope);
    scope.visible.remove(path);
    (targets, scope)
}

/// Whether an import that names no file may still be the project's (a
/// miss of Homer's, not a library): its path is relative, or inside a
/// package, namespace or module the project declares (Scala's `import
/// os.PathChunk.x` in the package `os`, PHP's `use Slim\Routing\X`), a
/// Python package of the project, a Go module of the repository, a Rust
/// crate of the workspace.
fn may_be_the_projects(project: &Project<'_>, language: Language, import: &Import) -> bool {
    let path = import.path.as_str();
    // A relative path (`./x`, `.mod`, `crate::`) Homer did not follow.
    let relative = path.starts_with(['.', '/'])
        || matches!(import.kind, ImportKind::Require { relative: true })
        || ["crate::", "self::", "super::"]
            .iter()
            .any(|p| path.starts_with(p));
    if relative {
        return true;
    }
    match language {
        Language::Python => path
            .split('.')
            .next()
            .is_some_and(|first| !first.is_empty() && !project.python_module(first).is_empty()),
        Language::Go => project
            .manifests()
            .go_modules
            .iter()
            .any(|(_, module)| path == module || path.starts_with(&format!("{module}/"))),
        Language::Rust => path.split("::").next().is_some_and(|first| {
            project
                .manifests()
                .rust_crates
                .iter()
                .any(|(_, n)| n == first)
        }),
        Language::Java | Language::Kotlin | Language::Scala | Language::CSharp | Language::Php => {
            let sep = if language == Language::Php { '\\' } else { '.' };
            let path = path.trim_start_matches(sep);
            // Scala's imports are relative to the package they are in
            // (`import TestUtil.prep`): a first segment the project
            // defines may be its own.
            let first = path.split(sep).next().unwrap_or_default();
            !project.definitions_named(first).is_empty()
                || path
                    .match_indices(sep)
                    .map(|(i, _)| &path[..i])
                    .chain(std::iter::once(path))
                    .any(|prefix| !project.package(prefix).is_empty())
        }
        _ => false,
    }
}

/// The local names an import of a library binds: `sys` of `import sys`,
/// `mock` of `from unittest import mock`, `fmt` of Go's `import "fmt"`,
/// `Pattern` of `import java.util.regex.Pattern`.
fn library_names(language: Language, import: &Import) -> Vec<&str> {
    if import.wildcard || !matches!(import.kind, ImportKind::Use | ImportKind::Require { .. }) {
        return Vec::new();
    }
    if !import.names.is_empty() {
        return import
            .names
            .iter()
            .map(|n| n.alias.as_deref().unwrap_or(&n.name))
            .filter(|n| is_name(n))
            .collect();
    }
    if let Some(alias) = &import.alias {
        return if is_name(alias) {
            vec![alias.as_str()]
        } else {
            Vec::new()
        };
    }
    let name = match language {
        // `import os.path` binds `os`.
        Language::Python => import.path.split('.').next(),
        Language::Go => import.path.rsplit('/').next(),
        Language::Java | Language::Kotlin | Language::Scala => import.path.rsplit('.').next(),
        Language::Rust => import.path.rsplit("::").next(),
        Language::Php => import.path.rsplit('\\').next(),
        _ => None,
    };
    name.filter(|n| is_name(n)).into_iter().collect()
}

/// A name an import binds (not `default`, an export's slot).
fn is_name(text: &str) -> bool {
    text != "default" && super::is_identifier(text)
}

/// What a file sees without importing: its package (Go, Java, Kotlin,
/// Scala, PHP), its module (Swift), its namespaces (C#), the files beside
/// it (the tags tier).
fn visible_without_import<'p>(
    project: &Project<'p>,
    path: &'p str,
    facts: &'p FileFacts,
    language: Language,
    scope: &mut Scope<'p>,
) {
    match language {
        Language::Go => {
            let test = path.ends_with("_test.go");
            scope.visible.extend(
                project
                    .in_dir(dir_of(path))
                    .iter()
                    .filter(|f| has_extension(f, "go") && (test || !f.ends_with("_test.go")))
                    .filter(|f| project.facts(f).is_some_and(|o| o.package == facts.package)),
            );
        }
        Language::Kotlin | Language::Scala | Language::Php => {
            let ext = match language {
                Language::Kotlin => "kt",
                Language::Scala => "scala",
                _ => "php",
            };
            if let Some(p) = &facts.package {
                scope.visible.extend(project.package(p).iter().copied());
            } else {
                scope.visible.extend(
                    project
                        .in_dir(dir_of(path))
                        .iter()
                        .filter(|f| has_extension(f, ext)),
                );
            }
        }
        // A Swift module is every file of its target: `Sources/<T>/...`,
        // else the files under the same top directory.
        Language::Swift => {
            let module = format!("swift:{}", swift_module(path));
            scope
                .visible
                .extend(project.package(&module).iter().copied());
        }
        Language::Java => {
            if let Some(p) = &facts.package {
                scope.visible.extend(project.package(p).iter().copied());
            } else {
                scope.visible.extend(
                    project
                        .in_dir(dir_of(path))
                        .iter()
                        .filter(|f| has_extension(f, "java")),
                );
            }
        }
        Language::CSharp => {
            for d in facts
                .definitions
                .iter()
                .filter(|d| d.kind == crate::DefKind::Module)
            {
                scope
                    .visible
                    .extend(project.package(&d.qualified).iter().copied());
            }
            if let Some(p) = &facts.package {
                scope.visible.extend(project.package(p).iter().copied());
            }
        }
        // The tags tier: a file sees the files of its language beside it.
        _ if language.tier() == crate::Tier::Tags => {
            scope
                .visible
                .extend(project.in_dir(dir_of(path)).iter().filter(|f| {
                    project
                        .facts(f)
                        .is_some_and(|o| o.language == Some(language))
                }));
        }
        _ => {}
    }
}

fn bind<'p>(scope: &mut Scope<'p>, name: &str, bound: Bound<'p>) {
    scope
        .bindings
        .entry(name.to_owned())
        .or_default()
        .push(bound);
}

// ---------------------------------------------------------------- Rust

/// A Rust crate as the module rules see it: the directory modules are laid
/// out in, and the root file.
struct RustCrate<'p> {
    src: String,
    root: &'p str,
    /// A module shared by the test, bench or example crates that declare
    /// it (`tests/common/mod.rs`): its own file stands for the root, and
    /// its module path is where it is (`common`).
    shared: bool,
}

fn rust_is_root(path: &str) -> bool {
    let name = file_name(path);
    if matches!(name, "lib.rs" | "main.rs" | "build.rs") {
        return true;
    }
    matches!(
        file_name(dir_of(path)),
        "bin" | "tests" | "benches" | "examples"
    )
}

/// The crate a file belongs to.
fn rust_crate<'p>(project: &Project<'p>, path: &'p str) -> RustCrate<'p> {
    let manifests = project.manifests();
    // A root a manifest names outside `src/`: the files beside and below
    // it are its modules (unless a nearer `src/` claims them).
    let declared = manifests
        .rust_roots
        .iter()
        .filter_map(|root| project.path(root))
        .filter(|root| {
            let dir = dir_of(root);
            dir.is_empty() || path.starts_with(&format!("{dir}/"))
        })
        .max_by_key(|root| dir_of(root).len());
    if let Some(root) = declared
        && !path.contains("/src/")
        && !path.starts_with("src/")
    {
        return RustCrate {
            src: dir_of(root).to_owned(),
            root,
            shared: false,
        };
    }
    let owner = manifests
        .rust_crates
        .iter()
        .filter(|(dir, _)| dir.is_empty() || path.starts_with(&format!("{dir}/")))
        .max_by_key(|(dir, _)| dir.len());
    if let Some((dir, _)) = owner {
        let src = crate_src(dir);
        let in_src = path.starts_with(&format!("{src}/"));
        let in_bin = path.starts_with(&format!("{src}/bin/"));
        if in_src && !in_bin {
            let root = project
                .path(&format!("{src}/lib.rs"))
                .or_else(|| project.path(&format!("{src}/main.rs")))
                .unwrap_or(path);
            return RustCrate {
                src,
                root,
                shared: false,
            };
        }
    }
    if rust_is_root(path) {
        return RustCrate {
            src: dir_of(path).to_owned(),
            root: path,
            shared: false,
        };
    }
    // A module of a test or example crate (`tests/common/mod.rs`): its
    // crate is laid out in the nearest such directory.
    let mut dir = dir_of(path);
    while !dir.is_empty() && !matches!(file_name(dir), "src" | "tests" | "benches" | "examples") {
        dir = dir_of(dir);
    }
    RustCrate {
        src: dir.to_owned(),
        root: path,
        shared: true,
    }
}

/// A file's module path within its crate.
fn rust_module(krate: &RustCrate<'_>, path: &str) -> Vec<String> {
    if path == krate.root && !krate.shared {
        return Vec::new();
    }
    let relative = if krate.src.is_empty() {
        path
    } else {
        path.strip_prefix(&format!("{}/", krate.src))
            .unwrap_or(path)
    };
    let relative = relative.strip_suffix(".rs").unwrap_or(relative);
    let mut parts: Vec<String> = relative.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    parts
}

/// The file of a module path within a crate.
fn rust_module_file<'p>(
    project: &Project<'p>,
    krate: &RustCrate<'p>,
    module: &[String],
) -> Option<&'p str> {
    if module.is_empty() {
        return Some(krate.root);
    }
    let base = module.join("/");
    let base = if krate.src.is_empty() {
        base
    } else {
        format!("{}/{base}", krate.src)
    };
    project
        .path(&format!("{base}.rs"))
        .or_else(|| project.path(&format!("{base}/mod.rs")))
}

/// Resolves a Rust path (`crate::a::b::Item`, `super::x`, `other_crate::y`,
/// or a child module) to the deepest module file it names and the
/// segments left after it.
fn rust_path<'p, 's>(
    project: &Project<'p>,
    path: &'p str,
    segments: &'s [&'s str],
) -> Option<(&'p str, &'s [&'s str])> {
    let here = rust_crate(project, path);
    let mut krate = here;
    let mut module: Vec<String>;
    let mut i = 0;
    let first = *segments.first()?;
    match first {
        "crate" => {
            module = Vec::new();
            i = 1;
        }
        "self" => {
            module = rust_module(&krate, path);
            i = 1;
        }
        "super" => {
            module = rust_module(&krate, path);
            while segments.get(i) == Some(&"super") {
                module.pop()?;
                i += 1;
            }
        }
        name => {
            let own = rust_module(&krate, path);
            let mut child = own.clone();
            child.push(name.to_owned());
            if rust_module_file(project, &krate, &child).is_some() {
                module = own;
            } else if rust_module_file(project, &krate, &[name.to_owned()]).is_some() {
                module = Vec::new();
            } else if let Some(other) = rust_crate_named(project, name).or_else(|| {
                // A name this crate's root gives another crate.
                project
                    .rust_crate_alias(krate.root, name)
                    .and_then(|aliased| rust_crate_named(project, aliased))
            }) {
                krate = other;
                module = Vec::new();
                i = 1;
            } else {
                return None;
            }
        }
    }
    let mut file = rust_module_file(project, &krate, &module)?;
    while let Some(segment) = segments.get(i) {
        let mut next = module.clone();
        next.push((*segment).to_owned());
        if let Some(f) = rust_module_file(project, &krate, &next) {
            file = f;
            module = next;
            i += 1;
            continue;
        }
        // A crate its root hands on under a name (`pub extern crate
        // grep_printer as printer;` in a facade crate): on into its root.
        let Some(other) = project
            .rust_crate_alias(file, segment)
            .and_then(|name| rust_crate_named(project, name))
        else {
            break;
        };
        file = other.root;
        krate = other;
        module = Vec::new();
        i += 1;
    }
    Some((file, &segments[i..]))
}

/// The crates of the workspace that a crate's root hands on under a name
/// of its own (`pub extern crate grep_printer as printer;`, `pub use
/// grep_printer as printer;`): the root, the name, the crate's name.
pub(crate) fn rust_crate_aliases(
    files: &BTreeMap<&str, &FileFacts>,
    manifests: &Manifests,
) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for (dir, _) in &manifests.rust_crates {
        let src = crate_src(dir);
        for root in [format!("{src}/lib.rs"), format!("{src}/main.rs")] {
            let Some(facts) = files.get(root.as_str()) else {
                continue;
            };
            for import in &facts.imports {
                let Some(alias) = &import.alias else {
                    continue;
                };
                let names_crate = manifests.rust_crates.iter().any(|(_, n)| *n == import.path);
                if import.kind == ImportKind::Use
                    && !import.wildcard
                    && import.names.is_empty()
                    && names_crate
                {
                    out.insert((root.clone(), alias.clone()), import.path.clone());
                }
            }
        }
    }
    out
}

/// The source directory of the crate whose `Cargo.toml` is in `dir`.
fn crate_src(dir: &str) -> String {
    if dir.is_empty() {
        "src".to_owned()
    } else {
        format!("{dir}/src")
    }
}

/// The crate of the workspace a manifest names `name` (`grep_printer` for
/// the package `grep-printer`).
fn rust_crate_named<'p>(project: &Project<'p>, name: &str) -> Option<RustCrate<'p>> {
    let (dir, _) = project
        .manifests()
        .rust_crates
        .iter()
        .find(|(_, n)| n == name)?;
    let src = crate_src(dir);
    let root = project
        .path(&format!("{src}/lib.rs"))
        .or_else(|| project.path(&format!("{src}/main.rs")))?;
    Some(RustCrate {
        src,
        root,
        shared: false,
    })
}

fn rust_import<'p>(
    project: &Project<'p>,
    path: &'p str,
    import: &Import,
    scope: &mut Scope<'p>,
) -> Vec<&'p str> {
    if import.kind == ImportKind::ModDecl {
        let krate = rust_crate(project, path);
        let mut module = rust_module(&krate, path);
        module.push(import.path.clone());
        // `#[path]` aside, a child module of a non-root, non-`mod.rs` file
        // lives in a directory named after the file.
        let file = rust_module_file(project, &krate, &module).or_else(|| {
            let dir = if rust_is_root(path) || file_name(path) == "mod.rs" {
                dir_of(path).to_owned()
            } else {
                join(dir_of(path), stem(path))?
            };
            let base = join(&dir, &import.path)?;
            project
                .path(&format!("{base}.rs"))
                .or_else(|| project.path(&format!("{base}/mod.rs")))
        });
        if let Some(f) = file {
            bind(scope, &import.path, Bound::Module(vec![f]));
            return vec![f];
        }
        return Vec::new();
    }
    let segments: Vec<&str> = import.path.split("::").filter(|s| !s.is_empty()).collect();
    let Some((file, rest)) = rust_path(project, path, &segments) else {
        return Vec::new();
    };
    let local = import
        .alias
        .clone()
        .or_else(|| segments.last().map(|s| (*s).to_owned()));
    if import.wildcard {
        if rest.is_empty() {
            scope.visible.insert(file);
        }
    } else if let Some(local) = local {
        match rest.last() {
            None => bind(scope, &local, Bound::Module(vec![file])),
            Some(item) => bind(scope, &local, Bound::Item(vec![file], (*item).to_owned())),
        }
    }
    vec![file]
}

// -------------------------------------------------------------- Python

/// A dotted Python module, absolute or relative (`..pkg.mod`), to the file
/// that is the module or the package.
fn python_module<'p>(project: &Project<'p>, path: &str, dotted: &str) -> Option<&'p str> {
    let level = dotted.chars().take_while(|&c| c == '.').count();
    let rest = &dotted[level..];
    if level == 0 {
        return closest(path, project.python_module(rest).to_vec());
    }
    let mut dir = dir_of(path).to_owned();
    for _ in 1..level {
        let parent = dir_of(&dir).to_owned();
        dir = parent;
    }
    let base = if rest.is_empty() {
        dir
    } else {
        join(&dir, &rest.replace('.', "/"))?
    };
    project
        .path(&format!("{base}.py"))
        .or_else(|| project.path(&format!("{base}/__init__.py")))
        .or_else(|| project.path(&format!("{base}.pyi")))
}

fn python_import<'p>(
    project: &Project<'p>,
    path: &'p str,
    import: &Import,
    scope: &mut Scope<'p>,
) -> Vec<&'p str> {
    let mut targets = Vec::new();
    if import.names.is_empty() && !import.wildcard {
        // `import a.b.c` binds `a` (and, for qualified use, `a.b` and
        // `a.b.c`); `import a.b as m` binds `m`.
        let parts: Vec<&str> = import.path.split('.').collect();
        for n in 1..=parts.len() {
            let prefix = parts[..n].join(".");
            if let Some(file) = python_module(project, path, &prefix) {
                if n == parts.len() {
                    targets.push(file);
                    if let Some(alias) = &import.alias {
                        bind(scope, alias, Bound::Module(vec![file]));
                    }
                }
                if import.alias.is_none() {
                    bind(scope, &prefix, Bound::Module(vec![file]));
                }
            }
        }
        return targets;
    }
    let module = python_module(project, path, &import.path);
    if import.wildcard {
        if let Some(m) = module {
            scope.visible.insert(m);
            targets.push(m);
        }
        return targets;
    }
    for name in &import.names {
        let local = name.alias.as_ref().unwrap_or(&name.name);
        // `from pkg import sub` may name a submodule.
        let sub = if import.path.ends_with('.') {
            format!("{}{}", import.path, name.name)
        } else {
            format!("{}.{}", import.path, name.name)
        };
        if let Some(file) = python_module(project, path, &sub) {
            bind(scope, local, Bound::Module(vec![file]));
            targets.push(file);
        } else if let Some(m) = module {
            bind(scope, local, Bound::Item(vec![m], name.name.clone()));
            targets.push(m);
        }
    }
    targets.sort_unstable();
    targets.dedup();
    targets
}

// ----------------------------------------------- JavaScript, TypeScript

const JS_EXTENSIONS: &[&str] = &[
    ".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts",
];

/// A relative specifier to a file: as written, with an extension, as a
/// directory's index, or a `.js` specifier naming its TypeScript source.
fn js_resolve<'p>(project: &Project<'p>, path: &str, specifier: &str) -> Option<&'p str> {
    if !specifier.starts_with('.') {
        return None;
    }
    let base = join(dir_of(path), specifier)?;
    if let Some(f) = project.path(&base) {
        return Some(f);
    }
    for ext in JS_EXTENSIONS {
        if let Some(f) = project.path(&format!("{base}{ext}")) {
            return Some(f);
        }
    }
    for ext in JS_EXTENSIONS {
        if let Some(f) = project.path(&format!("{base}/index{ext}")) {
            return Some(f);
        }
    }
    for js in [".js", ".jsx", ".mjs", ".cjs"] {
        if let Some(stem) = base.strip_suffix(js) {
            for ts in [".ts", ".tsx", ".mts", ".cts"] {
                if let Some(f) = project.path(&format!("{stem}{ts}")) {
                    return Some(f);
                }
            }
        }
    }
    None
}

fn js_import<'p>(
    project: &Project<'p>,
    path: &'p str,
    import: &Import,
    scope: &mut Scope<'p>,
) -> Vec<&'p str> {
    let Some(file) = js_resolve(project, path, &import.path) else {
        return Vec::new();
    };
    if let Some(alias) = &import.alias {
        bind(scope, alias, Bound::Module(vec![file]));
    }
    for name in &import.names {
        let local = name.alias.as_ref().unwrap_or(&name.name);
        // A default import is usually named after what it imports.
        let item = if name.name == "default" {
            local.clone()
        } else {
            name.name.clone()
        };
        bind(scope, local, Bound::Item(vec![file], item));
    }
    if import.wildcard {
        scope.visible.insert(file);
    }
    vec![file]
}

// ------------------------------------------------------------------ Go

fn go_import<'p>(project: &Project<'p>, import: &Import, scope: &mut Scope<'p>) -> Vec<&'p str> {
    let module = project
        .manifests()
        .go_modules
        .iter()
        .filter(|(_, m)| import.path == *m || import.path.starts_with(&format!("{m}/")))
        .max_by_key(|(_, m)| m.len());
    let Some((dir, module)) = module else {
        return Vec::new();
    };
    let sub = import.path[module.len()..].trim_start_matches('/');
    let target = match (dir.is_empty(), sub.is_empty()) {
        (true, _) => sub.to_owned(),
        (false, true) => dir.clone(),
        (false, false) => format!("{dir}/{sub}"),
    };
    let files: Vec<&str> = project
        .in_dir(&target)
        .iter()
        .filter(|f| has_extension(f, "go") && !f.ends_with("_test.go"))
        .copied()
        .collect();
    if files.is_empty() {
        return files;
    }
    if import.wildcard {
        scope.visible.extend(files.iter().copied());
    } else if import.alias.as_deref() != Some("_") {
        let name = import
            .alias
            .clone()
            .or_else(|| files.iter().find_map(|f| project.facts(f)?.package.clone()))
            .unwrap_or_else(|| file_name(&import.path).to_owned());
        bind(scope, &name, Bound::Module(files.clone()));
    }
    files
}

// ---------------------------------------------------------------- Java

fn java_import<'p>(project: &Project<'p>, import: &Import, scope: &mut Scope<'p>) -> Vec<&'p str> {
    if import.wildcard {
        let files = project.package(&import.path).to_vec();
        scope.visible.extend(files.iter().copied());
        return files;
    }
    let Some((package, class)) = import.path.rsplit_once('.') else {
        return Vec::new();
    };
    let files: Vec<&str> = project
        .package(package)
        .iter()
        .filter(|f| stem(f) == class)
        .copied()
        .collect();
    if files.is_empty() {
        return files;
    }
    if import.names.is_empty() {
        bind(scope, class, Bound::Item(files.clone(), class.to_owned()));
    } else {
        for name in &import.names {
            bind(
                scope,
                &name.name,
                Bound::Item(files.clone(), name.name.clone()),
            );
        }
    }
    files
}

// ---------------------------------------------------------------- Kotlin, Scala

/// `import a.b.C` (Kotlin) or `import a.b.{C}` (Scala, `names`): the
/// files of package `a.b`, the one named `C` when there is one (a Kotlin
/// or Scala file need not be named for its class), binding `C`; `a.b.*`
/// makes the package visible.
fn jvm_import<'p>(project: &Project<'p>, import: &Import, scope: &mut Scope<'p>) -> Vec<&'p str> {
    if import.wildcard && import.names.is_empty() {
        let files = project.package(&import.path).to_vec();
        scope.visible.extend(files.iter().copied());
        return files;
    }
    // Kotlin's path ends with the name; Scala's names are apart.
    let (package, names): (&str, Vec<(String, String)>) = if import.names.is_empty() {
        let Some((package, name)) = import.path.rsplit_once('.') else {
            return Vec::new();
        };
        let local = import.alias.clone().unwrap_or_else(|| name.to_owned());
        (package, vec![(name.to_owned(), local)])
    } else {
        let names = import
            .names
            .iter()
            .map(|n| {
                (
                    n.name.clone(),
                    n.alias.clone().unwrap_or_else(|| n.name.clone()),
                )
            })
            .collect();
        (import.path.as_str(), names)
    };
    let in_package = project.package(package);
    let mut all = Vec::new();
    for (name, local) in names {
        let by_stem: Vec<&str> = in_package
            .iter()
            .filter(|f| stem(f) == name)
            .copied()
            .collect();
        let files = if by_stem.is_empty() {
            in_package.to_vec()
        } else {
            by_stem
        };
        if files.is_empty() {
            continue;
        }
        bind(scope, &local, Bound::Item(files.clone(), name));
        all.extend(files);
    }
    if import.wildcard {
        scope.visible.extend(in_package.iter().copied());
    }
    all.sort_unstable();
    all.dedup();
    all
}

// ---------------------------------------------------------------- Swift

/// The module a Swift file belongs to: its target directory under
/// `Sources/` (`SwiftPM`), else its top directory.
pub(crate) fn swift_module(path: &str) -> &str {
    let parts: Vec<&str> = path.split('/').collect();
    if let Some(i) = parts.iter().position(|p| *p == "Sources")
        && i + 2 < parts.len()
    {
        let end = parts[..=i + 1].iter().map(|p| p.len() + 1).sum::<usize>() - 1;
        return &path[..end];
    }
    match path.split_once('/') {
        Some((top, _)) => top,
        None => "",
    }
}

/// `import Module`: the files of the target of that name, if the
/// repository has one (`Sources/Module/`).
fn swift_import<'p>(project: &Project<'p>, import: &Import, scope: &mut Scope<'p>) -> Vec<&'p str> {
    let files = project
        .package(&format!("swift-module:{}", import.path))
        .to_vec();
    scope.visible.extend(files.iter().copied());
    files
}

// ---------------------------------------------------------------- PHP

/// `use A\B\C`: the file of namespace `A\B` named `C` (PSR-4), else any
/// file whose path ends with `B/C.php`; binds `C` (or the alias).
/// `require`/`include`: a file path, relative to the includer when it
/// says `__DIR__`.
fn php_use<'p>(
    project: &Project<'p>,
    path: &'p str,
    import: &Import,
    scope: &mut Scope<'p>,
) -> Vec<&'p str> {
    if let ImportKind::Require { relative } = import.kind {
        let file = if relative {
            join(dir_of(path), &import.path).and_then(|p| project.path(&p))
        } else {
            project
                .path(&import.path)
                .or_else(|| closest(path, project.ending_with(&import.path)))
        };
        return match file {
            Some(f) => {
                scope.visible.insert(f);
                vec![f]
            }
            None => Vec::new(),
        };
    }
    let Some((namespace, class)) = import.path.rsplit_once('\\') else {
        return Vec::new();
    };
    let mut files: Vec<&str> = project
        .package(namespace)
        .iter()
        .filter(|f| stem(f) == class)
        .copied()
        .collect();
    if files.is_empty() {
        let tail = namespace.rsplit('\\').next().unwrap_or(namespace);
        files = closest(path, project.ending_with(&format!("{tail}/{class}.php")))
            .into_iter()
            .collect();
    }
    if files.is_empty() {
        return files;
    }
    let local = import.alias.clone().unwrap_or_else(|| class.to_owned());
    bind(scope, &local, Bound::Item(files.clone(), class.to_owned()));
    files
}

// ---------------------------------------------------------------- Lua

/// `require("a.b")`: `a/b.lua` or `a/b/init.lua`, at the root or below
/// (closest first); binds the name it is assigned to.
fn lua_require<'p>(
    project: &Project<'p>,
    path: &'p str,
    import: &Import,
    scope: &mut Scope<'p>,
) -> Vec<&'p str> {
    let base = import.path.replace('.', "/");
    let file = [format!("{base}.lua"), format!("{base}/init.lua")]
        .iter()
        .find_map(|candidate| {
            project
                .path(candidate)
                .or_else(|| closest(path, project.ending_with(candidate)))
        });
    let Some(file) = file else {
        return Vec::new();
    };
    match &import.alias {
        Some(alias) => bind(scope, alias, Bound::Module(vec![file])),
        None => {
            scope.visible.insert(file);
        }
    }
    vec![file]
}

// ---------------------------------------------------------------- Bash

/// `source x.sh` / `. x.sh`: relative to the script's directory (or the
/// working directory it is run from: the root), else the closest file of
/// that path.
fn bash_source<'p>(
    project: &Project<'p>,
    path: &'p str,
    import: &Import,
    scope: &mut Scope<'p>,
) -> Vec<&'p str> {
    let relative = matches!(import.kind, ImportKind::Require { relative: true });
    let file = relative
        .then(|| join(dir_of(path), &import.path).and_then(|p| project.path(&p)))
        .flatten()
        .or_else(|| project.path(import.path.trim_start_matches("./")))
        .or_else(|| {
            closest(
                path,
                project.ending_with(import.path.trim_start_matches("./")),
            )
        });
    match file {
        Some(f) => {
            scope.visible.insert(f);
            vec![f]
        }
        None => Vec::new(),
    }
}

// ---------------------------------------------------------------- C, C++

const C_SOURCES: &[&str] = &["c", "cc", "cpp", "cxx", "c++", "m", "mm"];

/// An include to a file: next to the includer, then anywhere whose path
/// ends with it (closest first). System includes only match a repository
/// file by path suffix.
fn c_include<'p>(
    project: &Project<'p>,
    path: &'p str,
    import: &Import,
    scope: &mut Scope<'p>,
) -> Vec<&'p str> {
    let ImportKind::Include { system } = import.kind else {
        return Vec::new();
    };
    let here = if system {
        None
    } else {
        join(dir_of(path), &import.path).and_then(|p| project.path(&p))
    };
    let Some(header) = here.or_else(|| closest(path, project.ending_with(&import.path))) else {
        return Vec::new();
    };
    let mut files = vec![header];
    // The implementation beside a header: `calc.h` and `calc.c`.
    let header_stem = stem(header);
    let sources: Vec<&str> = C_SOURCES
        .iter()
        .filter_map(|ext| {
            project.path(format!("{}/{header_stem}.{ext}", dir_of(header)).trim_start_matches('/'))
        })
        .collect();
    files.extend(sources);
    files.retain(|f| *f != path);
    scope.visible.extend(files.iter().copied());
    files
}

// ------------------------------------------------------------------ C#

fn csharp_using<'p>(project: &Project<'p>, import: &Import, scope: &mut Scope<'p>) -> Vec<&'p str> {
    let files = project.package(&import.path).to_vec();
    if !files.is_empty() {
        match &import.alias {
            Some(alias) => bind(scope, alias, Bound::Module(files.clone())),
            None => scope.visible.extend(files.iter().copied()),
        }
        return files;
    }
    // `using X = Ns.Type;` names a type.
    if let (Some(alias), Some((space, class))) = (&import.alias, import.path.rsplit_once('.')) {
        let files = project.package(space).to_vec();
        if !files.is_empty() {
            bind(scope, alias, Bound::Item(files.clone(), class.to_owned()));
            return files;
        }
    }
    Vec::new()
}

// ---------------------------------------------------------------- Ruby

fn ruby_require<'p>(
    project: &Project<'p>,
    path: &'p str,
    import: &Import,
    scope: &mut Scope<'p>,
) -> Vec<&'p str> {
    let ImportKind::Require { relative } = import.kind else {
        return Vec::new();
    };
    let with_ext = if has_extension(&import.path, "rb") {
        import.path.clone()
    } else {
        format!("{}.rb", import.path)
    };
    let file = if relative {
        join(dir_of(path), &with_ext).and_then(|p| project.path(&p))
    } else {
        project
            .path(&format!("lib/{with_ext}"))
            .or_else(|| closest(path, project.ending_with(&with_ext)))
    };
    match file {
        Some(f) => {
            scope.visible.insert(f);
            vec![f]
        }
        None => Vec::new(),
    }
}

/// The module files named by the longest prefix of a receiver path (a
/// bound module alias, a Rust module path, a Java package or C#
/// namespace), and how many segments that prefix has.
pub(crate) fn module_path<'p>(
    project: &Project<'p>,
    path: &'p str,
    facts: &FileFacts,
    scope: &Scope<'p>,
    segments: &[&str],
) -> Option<(Vec<&'p str>, usize)> {
    let language = facts.language?;
    if language == Language::Rust {
        let (file, rest) = rust_path(project, path, segments)?;
        return Some((vec![file], segments.len() - rest.len()));
    }
    let joiner = match language {
        Language::Ruby | Language::Cpp => "::",
        Language::Php => "\\",
        _ => ".",
    };
    // The longest prefix bound to a module.
    for n in (1..=segments.len()).rev() {
        let prefix = segments[..n].join(joiner);
        let modules: Vec<&str> = scope
            .bindings
            .get(&prefix)
            .into_iter()
            .flatten()
            .filter_map(|b| match b {
                Bound::Module(files) => Some(files.clone()),
                Bound::Item(..) => None,
            })
            .flatten()
            .collect();
        if !modules.is_empty() {
            return Some((modules, n));
        }
        if matches!(
            language,
            Language::Java | Language::CSharp | Language::Kotlin | Language::Scala
        ) {
            let files = project.package(&prefix);
            if !files.is_empty() {
                return Some((files.to_vec(), n));
            }
        }
    }
    None
}
