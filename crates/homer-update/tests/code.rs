//! The code stage: exactly which tasks an edit executes, and that what is
//! stored after it equals a fresh build.

mod common;
use common::{
    answers, dump, fresh_dump, fresh_dump_and_answers, lengthen_add, open, rows_read, run,
};

use std::path::Path;

use homer_fixtures::{assert_same_dump, commit_all, copy, git, git_stdout};
use homer_store::{DumpOptions, EdgeKind, NodeKind};
use homer_update::{LogEntry, LogEvent, UpdateReport};

/// The log entries of the code stage's task kinds, without the parse keys'
/// blob ids (they change with every edit).
fn code_log(report: &UpdateReport) -> Vec<String> {
    report
        .log
        .iter()
        .filter(|e| matches!(e.kind.as_str(), "parse" | "symbols" | "resolve"))
        .map(|e| match (e.kind.as_str(), e.key.split_once(':')) {
            ("parse", Some((_, hint))) => LogEntry::new(e.event, "parse", hint).to_string(),
            _ => e.to_string(),
        })
        .collect()
}

/// Did the task run (with a new output, or the same one: backdated)?
fn ran(log: &[String], task: &str) -> bool {
    log.iter()
        .any(|l| l == &format!("executed {task}") || l == &format!("backdated {task}"))
}

fn blob(repo: &Path, path: &str) -> String {
    String::from_utf8(git_stdout(repo, &["rev-parse", &format!("HEAD:{path}")]))
        .expect("hex")
        .trim()
        .to_owned()
}

#[test]
fn a_body_edit_reparses_one_file_and_re_resolves_only_it() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let old = blob(root, "src/calc.rs");
    lengthen_add(root, "Commute the addition");
    let new = blob(root, "src/calc.rs");
    let report = run(root);
    let mut log: Vec<String> = report
        .log
        .iter()
        .filter(|e| matches!(e.kind.as_str(), "parse" | "symbols" | "resolve"))
        .map(ToString::to_string)
        .collect();
    log.sort_unstable();
    let mut expected = vec![
        format!("deleted parse({old}:rust)"),
        format!("executed parse({new}:rust)"),
        // The file's own resolution runs again; its calls are the same, so it
        // is backdated and nothing depending on it runs.
        "backdated resolve(src/calc.rs)".to_owned(),
        "executed symbols(src/calc.rs)".to_owned(),
    ];
    expected.sort_unstable();
    assert_eq!(log, expected);
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

/// An edit that moves no file's interface (what other files' resolution
/// reads of it: its definitions' headers, its imports, its types' fields)
/// declares the edited file's resolution alone: the other files' inputs,
/// which read the definitions of every name they use, are not computed,
/// and their tasks are kept (not counted as reused). An edit of an
/// interface declares every file's again. Both end equal to a fresh build.
#[test]
fn a_body_edit_declares_only_the_edited_files_resolution() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let resolve = |report: &homer_update::UpdateReport| {
        let k = &report.kinds["resolve"];
        (k.executed, k.reused)
    };
    let path = root.join("src/calc.rs");
    lengthen_add(root, "Name the sum");
    assert_eq!(resolve(&run(root)), (1, 0));
    assert_same_dump(&dump(root), &fresh_dump(root, run));

    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("pub fn rem(", "pub fn remainder(")).expect("write");
    commit_all(root, "Rename rem");
    let (executed, reused) = resolve(&run(root));
    assert!(
        executed >= 2 && reused > 0,
        "{executed} executed, {reused} reused"
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));

    // A file renamed: as many files as before, not the same ones.
    homer_fixtures::git(root, &["mv", "py/calc/ops.py", "py/calc/arith.py"]);
    commit_all(root, "Rename ops");
    let (_, reused) = resolve(&run(root));
    assert!(reused > 0, "{reused} reused");
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

/// A commit that changes no source file (documentation added, changed
/// and removed) parses, reads symbols of and resolves nothing: only the
/// changed text files are chunked again (or their chunks deleted). Each
/// step ends equal to a fresh build; a source edit after them takes the
/// whole way again.
#[test]
fn a_commit_that_changes_no_source_parses_and_resolves_nothing() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let untouched = |report: &UpdateReport| {
        ["parse", "symbols", "resolve"].iter().all(|k| {
            report
                .kinds
                .get(*k)
                .is_none_or(|s| s.executed + s.reused == 0)
        })
    };
    let chunk_log = |report: &UpdateReport| -> Vec<String> {
        report
            .log
            .iter()
            .filter(|e| e.kind == "chunk")
            .map(ToString::to_string)
            .collect()
    };
    std::fs::write(
        root.join("NOTES.md"),
        "# Notes\n\nHow the calculator rounds.\n",
    )
    .expect("write");
    commit_all(root, "Notes");
    let added = run(root);
    assert!(untouched(&added), "{:?}", added.kinds);
    assert_eq!(chunk_log(&added), ["executed chunk(NOTES.md)"]);
    assert_same_dump(&dump(root), &fresh_dump(root, run));

    git(root, &["rm", "-q", "NOTES.md"]);
    commit_all(root, "No notes");
    let removed = run(root);
    assert!(untouched(&removed), "{:?}", removed.kinds);
    assert_eq!(chunk_log(&removed), ["deleted chunk(NOTES.md)"]);
    assert_same_dump(&dump(root), &fresh_dump(root, run));

    lengthen_add(root, "Name the sum");
    let edited = run(root);
    assert_eq!(edited.kinds["parse"].executed, 1, "{:?}", edited.kinds);
    // The whole way reads every source's parse, symbols and resolution.
    assert!(
        rows_read(&added, "code") * 2 < rows_read(&edited, "code"),
        "{} rows read for the notes, {} for the edit",
        rows_read(&added, "code"),
        rows_read(&edited, "code")
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

#[test]
fn renaming_an_exported_function_re_resolves_its_importers() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let text = std::fs::read_to_string(root.join("src/calc.rs")).expect("read");
    std::fs::write(
        root.join("src/calc.rs"),
        text.replace("pub fn rem(", "pub fn remainder("),
    )
    .expect("write");
    commit_all(root, "Rename rem");
    let report = run(root);
    let log = code_log(&report);
    assert!(ran(&log, "resolve(src/calc.rs)"), "{log:#?}");
    // main.rs imports and calls `rem`: its resolution changes.
    assert!(
        log.contains(&"executed resolve(src/main.rs)".to_owned()),
        "{log:#?}"
    );
    // Files that neither import calc.rs nor use either name are left alone.
    assert!(!log.iter().any(|l| l.contains("resolve(py/")), "{log:#?}");
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

#[test]
fn a_package_handing_on_another_name_re_resolves_its_importers() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    // `from calc import add` reaches `ops.add` through `calc/__init__.py`.
    assert!(
        callees(root, "py/app.py").contains(&"py/calc/ops.py::add".to_owned()),
        "{:?}",
        callees(root, "py/app.py")
    );
    // The package now hands on `mul` under the name `add`: app.py's text
    // and every definition are unchanged, only the package's import is not.
    std::fs::write(
        root.join("py/calc/__init__.py"),
        "\"\"\"A tiny calculator package.\"\"\"\nfrom .ops import mul as add\n",
    )
    .expect("write");
    commit_all(root, "Hand on mul as add");
    let report = run(root);
    let log = code_log(&report);
    assert!(
        log.contains(&"executed resolve(py/app.py)".to_owned()),
        "{log:#?}"
    );
    let now = callees(root, "py/app.py");
    assert!(now.contains(&"py/calc/ops.py::mul".to_owned()), "{now:?}");
    assert!(!now.contains(&"py/calc/ops.py::add".to_owned()), "{now:?}");
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

/// Writes `files` (path, text) into `root` and commits them.
fn write_and_commit(root: &Path, files: &[(&str, &str)], message: &str) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    commit_all(root, message);
}

/// One step of history: `files` written and committed, the index
/// updated and held equal to a fresh build; the code stages' log.
fn step(root: &Path, files: &[(&str, &str)], message: &str) -> Vec<String> {
    write_and_commit(root, files, message);
    let log = code_log(&run(root));
    assert_same_dump(&dump(root), &fresh_dump(root, run));
    log
}

/// A module reached only through what another hands on is read under
/// the names looked up there: a new import of something else in it
/// re-resolves none of its importers' importers; handing on the name they
/// use from elsewhere, under another name, does, and so does a change to
/// that other definition.
#[test]
fn what_a_module_hands_on_under_other_names_re_resolves_nobody() {
    let repo = copy("small");
    let root = repo.path();
    write_and_commit(
        root,
        &[
            (
                "web/leaf.ts",
                "export function greet(n: string): string {\n  return n\n}\n",
            ),
            (
                "web/util.ts",
                "export function hi(n: string): string {\n  return n\n}\n\nexport const helper = () => 1\n",
            ),
            ("web/index.ts", "export { greet } from './leaf'\n"),
            (
                "web/app.ts",
                "import { greet } from './index'\n\nexport function run(): string {\n  return greet('x')\n}\n",
            ),
        ],
        "A web module",
    );
    run(root);
    assert_eq!(callees(root, "web/app.ts"), ["web/leaf.ts::greet"]);

    // leaf.ts, handed on by index.ts, imports a name app.ts never uses.
    let log = step(
        root,
        &[(
            "web/leaf.ts",
            "import { helper } from './util'\n\nexport function greet(n: string): string {\n  return n + helper()\n}\n",
        )],
        "Greet with help",
    );
    assert!(ran(&log, "resolve(web/leaf.ts)"), "{log:#?}");
    assert!(!ran(&log, "resolve(web/app.ts)"), "{log:#?}");

    // leaf.ts now hands on util's `hi` as `greet`.
    let log = step(
        root,
        &[(
            "web/leaf.ts",
            "import { hi as greet } from './util'\n\nexport { greet }\n",
        )],
        "Greet is hi",
    );
    assert!(
        log.contains(&"executed resolve(web/app.ts)".to_owned()),
        "{log:#?}"
    );
    assert_eq!(callees(root, "web/app.ts"), ["web/util.ts::hi"]);

    // `hi` is looked up by its own name two modules away: moving it to
    // another file there moves app.ts's call.
    let log = step(
        root,
        &[
            (
                "web/util.ts",
                "export { hi } from './deep'\n\nexport const helper = () => 1\n",
            ),
            (
                "web/deep.ts",
                "export function hi(n: string): string {\n  return n\n}\n",
            ),
        ],
        "Hi from deep",
    );
    assert!(ran(&log, "resolve(web/app.ts)"), "{log:#?}");
    assert_eq!(callees(root, "web/app.ts"), ["web/deep.ts::hi"]);

    // What resolution reads of `hi` is read by that name too.
    let log = step(
        root,
        &[(
            "web/deep.ts",
            "export function hi(n: string, m = 1): string {\n  return n + m\n}\n",
        )],
        "Hi takes two",
    );
    assert!(ran(&log, "resolve(web/app.ts)"), "{log:#?}");

    // Two modules define `hey`; deep.ts hands one on as `hi`, then the
    // other: no definition changes, only what is bound under an item's
    // name three modules away.
    let hey = "export function hey(n: string): string {\n  return n\n}\n";
    write_and_commit(
        root,
        &[
            ("web/deep.ts", "export { hey as hi } from './deeper'\n"),
            ("web/deeper.ts", hey),
            ("web/deeper2.ts", hey),
        ],
        "Hi is hey",
    );
    run(root);
    assert_eq!(callees(root, "web/app.ts"), ["web/deeper.ts::hey"]);
    let log = step(
        root,
        &[("web/deep.ts", "export { hey as hi } from './deeper2'\n")],
        "Hi is the other hey",
    );
    assert!(ran(&log, "resolve(web/app.ts)"), "{log:#?}");
    assert_eq!(callees(root, "web/app.ts"), ["web/deeper2.ts::hey"]);
}

/// What a definition means to files that do not import its file is read
/// through the imports that bind a name its header writes: a new import
/// of something else leaves them alone; a new source for a type the
/// header names re-resolves them.
#[test]
fn a_definitions_file_gaining_an_unrelated_import_re_resolves_nobody_else() {
    let repo = copy("small");
    let root = repo.path();
    write_and_commit(
        root,
        &[
            (
                "py/sizes.py",
                "class Size:\n    def grow(self):\n        return 1\n",
            ),
            (
                "py/sizes2.py",
                "class Size:\n    def grow(self):\n        return 2\n",
            ),
            ("py/extra.py", "def other():\n    return 3\n"),
            (
                "py/boxes.py",
                "from sizes import Size\n\n\nclass Box:\n    def measure(self) -> Size:\n        return Size()\n",
            ),
            // Calls `measure` without importing boxes.py.
            ("py/caller.py", "def run(b):\n    return b.measure()\n"),
        ],
        "Boxes",
    );
    run(root);
    let log = step(
        root,
        &[(
            "py/boxes.py",
            "from sizes import Size\nfrom extra import other\n\n\nclass Box:\n    def measure(self) -> Size:\n        return Size()\n",
        )],
        "Boxes import something else",
    );
    assert!(ran(&log, "resolve(py/boxes.py)"), "{log:#?}");
    assert!(!ran(&log, "resolve(py/caller.py)"), "{log:#?}");

    let log = step(
        root,
        &[(
            "py/boxes.py",
            "from sizes2 import Size\nfrom extra import other\n\n\nclass Box:\n    def measure(self) -> Size:\n        return Size()\n",
        )],
        "Boxes measure in other sizes",
    );
    assert!(ran(&log, "resolve(py/caller.py)"), "{log:#?}");
}

/// The callees of calls from `file`, by name.
fn callees(root: &Path, file: &str) -> Vec<String> {
    let mut out: Vec<String> = open(root)
        .edges(EdgeKind::Calls)
        .expect("edges")
        .iter()
        .filter(|e| e.members[0].name.starts_with(file))
        .map(|e| e.members[1].name.clone())
        .collect();
    out.sort_unstable();
    out
}

#[test]
fn a_changed_return_type_or_field_type_re_resolves_the_calls_through_it() {
    let repo = copy("small");
    let root = repo.path();
    std::fs::write(
        root.join("py/shapes.py"),
        "class Left:\n    def size(self):\n        return 1\n\n\n\
         class Right:\n    def size(self):\n        return 2\n\n\n\
         class Box:\n    inner: Left\n\n    def size(self):\n        return 3\n\n\n\
         class Bag:\n    def size(self):\n        return 4\n\n\n\
         def make() -> Box:\n    return Box()\n",
    )
    .expect("write");
    // Names neither `Bag` nor `Right`: what it calls follows from the
    // headers and fields in shapes.py.
    std::fs::write(
        root.join("py/use.py"),
        "from shapes import make\n\n\ndef run():\n    make().size()\n    return make().inner.size()\n",
    )
    .expect("write");
    commit_all(root, "Shapes");
    run(root);
    assert_eq!(
        callees(root, "py/use.py"),
        [
            "py/shapes.py::Box.size",
            "py/shapes.py::Left.size",
            "py/shapes.py::make"
        ],
    );
    let text = std::fs::read_to_string(root.join("py/shapes.py")).expect("read");
    let edited = text
        .replace("def make() -> Box:", "def make() -> Bag:")
        .replace("inner: Left", "inner: Right");
    std::fs::write(root.join("py/shapes.py"), edited).expect("write");
    commit_all(root, "Make a bag");
    let report = run(root);
    let log = code_log(&report);
    assert!(
        log.contains(&"executed resolve(py/use.py)".to_owned()),
        "{log:#?}"
    );
    // `make()` is a Bag now, which has no `inner`: that call is unresolved.
    assert_eq!(
        callees(root, "py/use.py"),
        ["py/shapes.py::Bag.size", "py/shapes.py::make"],
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

/// Updates, and checks that the update resolved `path` again.
fn update_re_resolves(root: &Path, path: &str) {
    let report = run(root);
    let log = code_log(&report);
    assert!(
        log.contains(&format!("executed resolve({path})")),
        "{log:#?}"
    );
}

#[test]
fn a_trait_becoming_a_type_elsewhere_re_resolves_calls_on_a_library_value() {
    let repo = copy("small");
    let root = repo.path();
    std::fs::create_dir_all(root.join("rsx/src")).expect("mkdir");
    let write = |path: &str, text: &str| std::fs::write(root.join(path), text).expect("write");
    write(
        "rsx/Cargo.toml",
        "[package]\nname = \"rsx\"\nversion = \"0.1.0\"\n",
    );
    write(
        "rsx/src/lib.rs",
        "pub mod near;\npub mod far;\npub mod caller;\n",
    );
    write(
        "rsx/src/near.rs",
        "pub struct Near;\n\nimpl Near {\n    pub fn push_text(&mut self) {}\n}\n\npub fn helper() {}\n",
    );
    // A trait of the project may be implemented for `Vec<u8>`: a call on a
    // `Vec<u8>` may reach a `push_text`, so the one in sight is guessed.
    write(
        "rsx/src/far.rs",
        "pub trait Far {\n    fn push_text(&mut self) {}\n}\n\nimpl Far for Vec<u8> {}\n",
    );
    // Names neither `Far` nor anything in far.rs, which it does not import.
    write(
        "rsx/src/caller.rs",
        "use crate::near::helper;\n\npub fn run(v: &mut Vec<u8>) {\n    helper();\n    v.push_text();\n}\n",
    );
    commit_all(root, "Traits");
    run(root);
    assert_eq!(
        callees(root, "rsx/src/caller.rs"),
        [
            "rsx/src/near.rs::Near::push_text",
            "rsx/src/near.rs::helper"
        ],
    );
    // The same method, now a type's own: no project method is reachable on
    // a `Vec<u8>`.
    write(
        "rsx/src/far.rs",
        "pub struct Far;\n\nimpl Far {\n    fn push_text(&mut self) {}\n}\n",
    );
    commit_all(root, "No trait");
    update_re_resolves(root, "rsx/src/caller.rs");
    assert_eq!(
        callees(root, "rsx/src/caller.rs"),
        ["rsx/src/near.rs::helper"]
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

#[test]
fn a_crate_handed_on_under_another_name_re_resolves_the_paths_through_it() {
    let repo = copy("small");
    let root = repo.path();
    for dir in ["ws/inner/src", "ws/facade/src", "ws/app/src"] {
        std::fs::create_dir_all(root.join(dir)).expect("mkdir");
    }
    let write = |path: &str, text: &str| std::fs::write(root.join(path), text).expect("write");
    let manifest = |name: &str| format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
    write("ws/inner/Cargo.toml", &manifest("inner"));
    write("ws/facade/Cargo.toml", &manifest("facade"));
    write("ws/app/Cargo.toml", &manifest("app"));
    write(
        "ws/inner/src/lib.rs",
        "pub struct Engine;\n\nimpl Engine {\n    pub fn new() -> Engine {\n        Engine\n    }\n\n    pub fn start(&self) -> bool {\n        true\n    }\n}\n",
    );
    write(
        "ws/facade/src/lib.rs",
        "pub extern crate inner as engine;\n",
    );
    // A path through the facade's name for `inner`; no `use` of the facade.
    write(
        "ws/app/src/lib.rs",
        "pub fn go() -> bool {\n    facade::engine::Engine::new().start()\n}\n",
    );
    commit_all(root, "Workspace");
    run(root);
    assert_eq!(
        callees(root, "ws/app/src/lib.rs"),
        [
            "ws/inner/src/lib.rs::Engine::new",
            "ws/inner/src/lib.rs::Engine::start"
        ],
    );
    write("ws/facade/src/lib.rs", "pub extern crate inner as motor;\n");
    commit_all(root, "Rename");
    update_re_resolves(root, "ws/app/src/lib.rs");
    assert!(
        !callees(root, "ws/app/src/lib.rs")
            .contains(&"ws/inner/src/lib.rs::Engine::new".to_owned())
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

#[test]
fn an_import_becoming_possibly_the_projects_re_resolves_the_names_it_binds() {
    let repo = copy("small");
    let root = repo.path();
    std::fs::create_dir_all(root.join("sc")).expect("mkdir");
    let write = |path: &str, text: &str| std::fs::write(root.join(path), text).expect("write");
    write(
        "sc/Tools.scala",
        "package fx\n\nobject Tools {\n  def prep(): Int = 1\n}\n",
    );
    // `Util` names nothing in the project: the import is a library's, and
    // so is `prep` here.
    write(
        "sc/Use.scala",
        "package fx\n\nimport Util.prep\n\nobject Use {\n  def go(): Int = prep()\n}\n",
    );
    commit_all(root, "Scala");
    run(root);
    assert!(callees(root, "sc/Use.scala").is_empty());
    // A `Util` of the project's own, in a package `Use.scala` does not see
    // (and without `prep`): the import may be the project's, so `prep` is
    // guessed among the definitions in sight.
    write(
        "sc/Util.scala",
        "package elsewhere\n\nobject Util {\n  def other(): Int = 2\n}\n",
    );
    commit_all(root, "Util");
    update_re_resolves(root, "sc/Use.scala");
    assert_eq!(
        callees(root, "sc/Use.scala"),
        ["sc/Tools.scala::Tools.prep"]
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

#[test]
fn a_changed_class_hierarchy_re_chooses_the_java_overloads_passed_its_values() {
    let repo = copy("small");
    let root = repo.path();
    let write = |path: &str, text: &str| std::fs::write(root.join(path), text).expect("write");
    write("java/Base.java", "class Base {}\n");
    write("java/Leaf.java", "class Leaf extends Base {}\n");
    write(
        "java/Node.java",
        "class Node {\n  void put(String s) {}\n  void put(Base b) {}\n}\n",
    );
    // Names neither `Base` nor `String`: which `put` takes a `Leaf`
    // follows from Leaf.java's header.
    write(
        "java/Use.java",
        "class Use {\n  void run(Node n, Leaf l) {\n    n.put(l);\n  }\n}\n",
    );
    commit_all(root, "Overloads");
    run(root);
    assert_eq!(
        callees(root, "java/Use.java"),
        ["java/Node.java::Node.put#2"]
    );
    // A Leaf is no Base any more: neither overload takes it for certain.
    write("java/Leaf.java", "class Leaf {}\n");
    commit_all(root, "Leaf stands alone");
    let report = run(root);
    let log = code_log(&report);
    assert!(
        log.contains(&"executed resolve(java/Use.java)".to_owned()),
        "{log:#?}"
    );
    assert_eq!(
        callees(root, "java/Use.java"),
        ["java/Node.java::Node.put", "java/Node.java::Node.put#2"],
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

#[test]
fn deleting_a_file_removes_its_symbols_and_every_edge_to_them() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let before = open(root);
    let calls_into_calc = before
        .edges(EdgeKind::Calls)
        .expect("edges")
        .iter()
        .filter(|e| e.members[1].name.starts_with("src/calc.rs::"))
        .count();
    assert!(
        calls_into_calc > 0,
        "main.rs calls into calc.rs before the delete"
    );
    drop(before);

    git(root, &["rm", "-q", "src/calc.rs"]);
    commit_all(root, "Drop the library");
    let report = run(root);
    let log = code_log(&report);
    assert!(
        log.contains(&"deleted symbols(src/calc.rs)".to_owned()),
        "{log:#?}"
    );
    assert!(
        log.contains(&"deleted resolve(src/calc.rs)".to_owned()),
        "{log:#?}"
    );
    assert!(
        log.contains(&"executed resolve(src/main.rs)".to_owned()),
        "{log:#?}"
    );

    let store = open(root);
    let dump = store.dump(DumpOptions::default()).expect("dump");
    assert!(
        !dump
            .lines()
            .any(|l| l.starts_with("node symbol") && l.contains("\"src/calc.rs::")),
        "no symbol of the deleted file remains"
    );
    for kind in [
        EdgeKind::Calls,
        EdgeKind::Defines,
        EdgeKind::Imports,
        EdgeKind::Depends,
    ] {
        for edge in store.edges(kind).expect("edges") {
            assert!(
                !edge
                    .members
                    .iter()
                    .any(|m| m.kind == NodeKind::Symbol && m.name.starts_with("src/calc.rs::")),
                "{kind:?} edge to a deleted symbol: {edge:?}"
            );
            // The file itself lives on in history, but nothing current
            // points at it.
            if kind != EdgeKind::Defines {
                assert!(
                    !edge.members.iter().skip(1).any(|m| m.name == "src/calc.rs"),
                    "{kind:?} edge to the deleted file: {edge:?}"
                );
            }
        }
    }
    assert_same_dump(&self::dump(root), &fresh_dump(root, run));
}

#[test]
fn a_rename_parses_nothing() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    git(root, &["mv", "py/calc/ops.py", "py/calc/operations.py"]);
    commit_all(root, "Rename ops");
    let report = run(root);
    let log = code_log(&report);
    assert!(
        !log.iter().any(|l| l.contains(" parse(")),
        "same blob, no parse: {log:#?}"
    );
    assert!(log.contains(&"executed symbols(py/calc/operations.py)".to_owned()));
    assert!(log.contains(&"deleted symbols(py/calc/ops.py)".to_owned()));
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

#[test]
fn symbols_and_calls_are_stored() {
    let repo = copy("small");
    run(repo.path());
    let store = open(repo.path());
    let dump = store.dump(DumpOptions::default()).expect("dump");
    assert!(dump.contains("node symbol \"src/calc.rs::add\""), "{dump}");
    let calls = store.edges(EdgeKind::Calls).expect("calls");
    assert!(
        calls
            .iter()
            .any(|e| e.members[0].name == "src/main.rs::main"
                && e.members[1].name == "src/calc.rs::add"),
        "main calls add"
    );
    let imports = store.edges(EdgeKind::Imports).expect("imports");
    assert!(
        imports
            .iter()
            .any(|e| e.members[0].name == "src/main.rs" && e.members[1].name == "src/calc.rs")
    );
}

/// A file whose first lines say a generator wrote it or that it was
/// copied from another project is not parsed, as `linguist-generated` and
/// `linguist-vendored` would have it: its definitions are not the
/// project's, and a call into it is a call into a library. A file about
/// vendoring is the project's own.
#[test]
fn files_marked_as_generated_or_vendored_are_not_parsed() {
    let repo = copy("small");
    let root = repo.path();
    let skipped = |path: &str| {
        open(root)
            .values_of(NodeKind::File, path)
            .expect("values")
            .into_iter()
            .find(|(name, _)| name == "skipped")
            .map(|(_, v)| format!("{v:?}"))
    };
    step(
        root,
        &[
            (
                "c/ffc.h",
                "// SPDX-License-Identifier: MIT\n//\n// ffc - a single-header float parser.\n\
                 // Vendored into hiredis under the MIT License.\n\
                 double ffc_parse(const char *s) { return 0; }\n",
            ),
            (
                "c/main.c",
                "#include \"ffc.h\"\nint main(void) { ffc_parse(\"1\"); return 0; }\n",
            ),
            (
                "c/Nullable.cs",
                "// Copied from https://github.com/dotnet/runtime/blob/main/Nullable.cs\n\
                 namespace X { public class NotNullAttribute {} }\n",
            ),
            (
                "go/api.go",
                "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage api\n\nfunc Get() {}\n",
            ),
            (
                "py/vendoring.py",
                "\"\"\"Copies dependencies into a vendored directory.\"\"\"\n\n\ndef vendor():\n    pass\n",
            ),
        ],
        "marked files",
    );
    assert_eq!(
        skipped("c/ffc.h").as_deref(),
        Some(r#"Text("marked_vendored")"#)
    );
    assert_eq!(
        skipped("c/Nullable.cs").as_deref(),
        Some(r#"Text("marked_vendored")"#)
    );
    assert_eq!(
        skipped("go/api.go").as_deref(),
        Some(r#"Text("marked_generated")"#)
    );
    assert_eq!(skipped("py/vendoring.py"), None);
    assert_eq!(skipped("c/main.c"), None);
    let dump = dump(root);
    assert!(
        dump.contains("node symbol \"py/vendoring.py::vendor\""),
        "{dump}"
    );
    assert!(!dump.contains("c/ffc.h::ffc_parse"), "{dump}");
    assert!(!dump.contains("go/api.go::Get"), "{dump}");
    assert_eq!(callees(root, "c/main.c"), Vec::<String>::new());
}

/// On real repositories: index an older commit, move HEAD forward through
/// real history, update, and compare with a fresh build of the new HEAD;
/// then move it back and compare again. Every stage takes part, the code
/// stage most (real edits, renames, deletions, new files). With
/// `HOMER_CORPUS` naming a directory of clones of `../shared/corpus`, on
/// each of them (40 first-parent commits back, 10, the tip, back to 25);
/// without it, on the fixture repository with the longest history, in
/// shorter strides, so that it never passes by skipping.
#[test]
#[allow(clippy::print_stderr, reason = "reports what it compared")]
fn stepping_through_real_history_equals_a_fresh_build() {
    let fixture;
    let (dirs, [first, second, back]) = if let Some(dirs) = homer_fixtures::corpus_clones() {
        (dirs, [40, 10, 25])
    } else {
        fixture = copy("small");
        (vec![fixture.path().to_path_buf()], [16, 6, 12])
    };
    for dir in dirs {
        let work = tempfile::tempdir().expect("tempdir");
        let source = dir.display().to_string();
        git(work.path(), &["clone", "-q", "--no-local", &source, "repo"]);
        let repo = work.path().join("repo");
        let tip = String::from_utf8(git_stdout(&repo, &["rev-parse", "HEAD"]))
            .expect("hex")
            .trim()
            .to_owned();
        let mut parsed = Vec::new();
        for rev in [
            format!("{tip}~{first}"),
            format!("{tip}~{second}"),
            tip.clone(),
        ] {
            git(&repo, &["reset", "-q", "--hard", &rev]);
            let report = run(&repo);
            parsed.push(
                report
                    .log
                    .iter()
                    .filter(|e| e.kind == "parse" && e.event == LogEvent::Executed)
                    .count(),
            );
        }
        let (fresh, fresh_answers) = fresh_dump_and_answers(&repo, run);
        assert_same_dump(&dump(&repo), &fresh);
        assert!(!fresh_answers.is_empty(), "the questions find something");
        assert_eq!(answers(&repo), fresh_answers, "searches answer alike");
        // And back: the commits HEAD no longer reaches are deleted, the
        // files go back to what they were.
        git(&repo, &["reset", "-q", "--hard", &format!("{tip}~{back}")]);
        let report = run(&repo);
        let deleted = report
            .log
            .iter()
            .filter(|e| e.kind == "commit" && e.event == LogEvent::Deleted)
            .count();
        assert!(
            deleted >= back,
            "{deleted} commits deleted going back {back}"
        );
        let (fresh, fresh_answers) = fresh_dump_and_answers(&repo, run);
        assert_same_dump(&dump(&repo), &fresh);
        assert_eq!(answers(&repo), fresh_answers, "searches answer alike");
        eprintln!(
            "{}: incremental equals fresh, forward and back ({} search hits alike); files parsed per step: {parsed:?}; commits deleted going back: {deleted}",
            dir.display(),
            fresh_answers.lines().count()
        );
    }
}
