//! The language fixtures: facts asserted in comments, checked against what
//! Homer extracts and resolves (see fixtures/languages/README.md).

#![allow(clippy::print_stderr, reason = "the test prints its counts")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use homer_syntax::{Extractor, FileFacts, Manifests, Project, RefKind, detect};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/languages")
}

fn files(dir: &Path, root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, root, out);
        } else {
            let relative = path
                .strip_prefix(root)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            out.push((relative, std::fs::read(&path).expect("readable")));
        }
    }
}

/// One assertion, by line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Expect {
    Def { kind: String, qualified: String },
    Call { name: String, target: String },
    Import { path: String, targets: Vec<String> },
}

fn assertions(source: &str) -> BTreeMap<u32, Vec<Expect>> {
    let mut out: BTreeMap<u32, Vec<Expect>> = BTreeMap::new();
    for (i, line) in source.lines().enumerate() {
        let line_no = u32::try_from(i + 1).expect("small");
        for part in line.split(" @").skip(1) {
            let part = part.trim().trim_end_matches("*/").trim();
            let (verb, rest) = part.split_once(' ').unwrap_or((part, ""));
            let expect = match verb {
                "def" => {
                    let (kind, qualified) = rest.split_once(' ').expect("@def <kind> <qualified>");
                    Expect::Def {
                        kind: kind.to_owned(),
                        qualified: qualified.trim().to_owned(),
                    }
                }
                "call" => {
                    let (name, target) = rest.split_once(" -> ").expect("@call <name> -> <target>");
                    Expect::Call {
                        name: name.trim().to_owned(),
                        target: target.trim().to_owned(),
                    }
                }
                "import" => {
                    let (path, targets) =
                        rest.split_once(" -> ").expect("@import <path> -> <files>");
                    let targets = targets.trim();
                    Expect::Import {
                        path: path.trim().to_owned(),
                        targets: if targets == "?" {
                            Vec::new()
                        } else {
                            targets.split(',').map(|t| t.trim().to_owned()).collect()
                        },
                    }
                }
                _ => continue,
            };
            out.entry(line_no).or_default().push(expect);
        }
    }
    out
}

#[derive(Default)]
struct Counts {
    defs: usize,
    calls: usize,
    resolved: usize,
    resolved_right: usize,
    guessed: usize,
    unresolved: usize,
    imports: usize,
}

/// One parsed fixture file and what its comments assert.
struct Checked<'a> {
    path: &'a str,
    facts: &'a FileFacts,
    expected: BTreeMap<u32, Vec<Expect>>,
    resolution: homer_syntax::Resolution,
}

fn check_language(dir: &Path, problems: &mut Vec<String>) -> Counts {
    let mut sources = Vec::new();
    files(dir, dir, &mut sources);
    let mut manifests = Manifests::default();
    let mut extractor = Extractor::new();
    let mut parsed: Vec<(String, FileFacts, String)> = Vec::new();
    for (path, bytes) in &sources {
        if Manifests::wants(path) {
            manifests.add(path, &String::from_utf8_lossy(bytes));
        }
        if let Some(language) = detect(path, bytes) {
            parsed.push((
                path.clone(),
                extractor.extract(language, bytes),
                String::from_utf8_lossy(bytes).into_owned(),
            ));
        }
    }
    let project = Project::new(parsed.iter().map(|(p, f, _)| (p.as_str(), f)), &manifests);
    let mut counts = Counts::default();
    for (path, facts, source) in &parsed {
        let file = Checked {
            path,
            facts,
            expected: assertions(source),
            resolution: project.resolve(path),
        };
        check_definitions(&file, &mut counts, problems);
        check_calls(&project, &file, &mut counts, problems);
        check_imports(&file, &mut counts, problems);
    }
    counts
}

/// Definitions: exactly the asserted ones.
fn check_definitions(file: &Checked<'_>, counts: &mut Counts, problems: &mut Vec<String>) {
    let found: BTreeSet<(u32, String, String)> = file
        .facts
        .definitions
        .iter()
        .map(|d| {
            (
                d.span.start_line,
                d.kind.name().to_owned(),
                d.qualified.clone(),
            )
        })
        .collect();
    let wanted: BTreeSet<(u32, String, String)> = file
        .expected
        .iter()
        .flat_map(|(line, list)| {
            list.iter().filter_map(move |e| match e {
                Expect::Def { kind, qualified } => Some((*line, kind.clone(), qualified.clone())),
                _ => None,
            })
        })
        .collect();
    counts.defs += wanted.len();
    for missing in wanted.difference(&found) {
        problems.push(format!(
            "{}:{}: definition {} {} not found",
            file.path, missing.0, missing.1, missing.2
        ));
    }
    for extra in found.difference(&wanted) {
        problems.push(format!(
            "{}:{}: unexpected definition {} {}",
            file.path, extra.0, extra.1, extra.2
        ));
    }
}

/// Calls: every asserted one resolves as asserted, and every call Homer
/// resolves is asserted.
fn check_calls(
    project: &Project<'_>,
    file: &Checked<'_>,
    counts: &mut Counts,
    problems: &mut Vec<String>,
) {
    let path = file.path;
    let target_of = |t: &homer_syntax::Target| -> String {
        let def = &project.facts(&t.file).expect("target file").definitions[t.definition as usize];
        format!("{}::{}", t.file, def.qualified)
    };
    for (i, r) in file.facts.references.iter().enumerate() {
        if r.kind == RefKind::Type {
            continue;
        }
        let targets = &file.resolution.references[i];
        let asserted = file
            .expected
            .get(&r.line)
            .into_iter()
            .flatten()
            .find_map(|e| match e {
                Expect::Call { name, target } if *name == r.name => Some(target.clone()),
                _ => None,
            });
        let shown: Vec<String> = targets
            .iter()
            .map(|t| {
                let prefix = if t.confidence < 1.0 { "~" } else { "" };
                format!("{prefix}{}", target_of(t))
            })
            .collect();
        let Some(want) = asserted else {
            if targets.is_empty() {
                counts.unresolved += 1;
            } else {
                problems.push(format!(
                    "{path}:{}: call {} resolved to {shown:?} without an assertion",
                    r.line, r.name
                ));
            }
            continue;
        };
        counts.calls += 1;
        let right = if want == "?" {
            targets.is_empty()
        } else if let Some(guess) = want.strip_prefix('~') {
            targets.iter().all(|t| t.confidence < 1.0)
                && targets.iter().any(|t| target_of(t) == guess)
        } else {
            targets.len() == 1 && targets[0].confidence >= 1.0 && target_of(&targets[0]) == want
        };
        match targets.first() {
            None => counts.unresolved += 1,
            Some(t) if t.confidence >= 1.0 => {
                counts.resolved += 1;
                counts.resolved_right += usize::from(right);
            }
            Some(_) => counts.guessed += 1,
        }
        if !right {
            problems.push(format!(
                "{path}:{}: call {} -> {shown:?}, expected {want}",
                r.line, r.name
            ));
        }
    }
    for (line, list) in &file.expected {
        for e in list {
            if let Expect::Call { name, .. } = e
                && !file
                    .facts
                    .references
                    .iter()
                    .any(|r| r.line == *line && r.name == *name && r.kind != RefKind::Type)
            {
                problems.push(format!("{path}:{line}: no call of {name} found"));
            }
        }
    }
}

/// Imports: each asserted one names exactly those files.
fn check_imports(file: &Checked<'_>, counts: &mut Counts, problems: &mut Vec<String>) {
    for (line, list) in &file.expected {
        for e in list {
            let Expect::Import {
                path: written,
                targets,
            } = e
            else {
                continue;
            };
            counts.imports += 1;
            let found = file
                .facts
                .imports
                .iter()
                .position(|i| i.line == *line && i.path == *written);
            let Some(i) = found else {
                problems.push(format!(
                    "{}:{line}: no import of {written} found",
                    file.path
                ));
                continue;
            };
            let mut got = file.resolution.imports[i].clone();
            got.sort();
            let mut want = targets.clone();
            want.sort();
            if got != want {
                problems.push(format!(
                    "{}:{line}: import {written} -> {got:?}, expected {want:?}",
                    file.path
                ));
            }
        }
    }
}

#[test]
fn every_language_fixture_holds() {
    let mut problems = Vec::new();
    let mut languages: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures/languages")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    languages.sort();
    assert!(languages.len() >= 10, "a fixture per language");
    let (mut resolved, mut right, mut guessed, mut unresolved) = (0, 0, 0, 0);
    eprintln!("language     defs  calls  certain  right  guessed  unresolved  imports");
    for dir in &languages {
        let c = check_language(dir, &mut problems);
        eprintln!(
            "{:12} {:4}  {:5}  {:7}  {:5}  {:7}  {:10}  {:7}",
            dir.file_name().expect("name").to_string_lossy(),
            c.defs,
            c.calls,
            c.resolved,
            c.resolved_right,
            c.guessed,
            c.unresolved,
            c.imports
        );
        resolved += c.resolved;
        right += c.resolved_right;
        guessed += c.guessed;
        unresolved += c.unresolved;
    }
    let precision = if resolved == 0 {
        0.0
    } else {
        right as f64 / resolved as f64
    };
    eprintln!(
        "all: {resolved} calls resolved certain, {right} of them right (precision {:.1}%), {guessed} guessed, {unresolved} unresolved",
        precision * 100.0
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(precision >= 0.9);
}

/// A guess by a name the language's library does not use spreads what such
/// a guess was measured to be worth in that language (docs/ACCURACY.md,
/// the fifth round) over its candidates: one candidate gets all of it, two
/// half each; a library's name (`get`) gets 0.25 where one definition is in
/// sight.
#[test]
fn a_guess_by_name_spreads_what_its_language_measured() {
    let sources = [
        (
            "a.py",
            homer_syntax::Language::Python,
            "class Jar:\n    def stow(self): pass\n    def get(self): pass\n\
             class Box:\n    def keep(self): pass\n\
             class Bag:\n    def keep(self): pass\n\
             def f(x):\n    x.stow()\n    x.keep()\n    x.get()\n",
            [0.9, 0.45, 0.25],
        ),
        (
            "b.rs",
            homer_syntax::Language::Rust,
            "struct Jar;\nimpl Jar { fn stow(&self) {} fn unwrap(&self) {} }\n\
             struct Tin;\nimpl Tin { fn keep(&self) {} }\n\
             struct Bag;\nimpl Bag { fn keep(&self) {} }\n\
             fn f() { let g = |x| { x.stow(); x.keep(); x.unwrap(); }; }\n",
            [0.85, 0.425, 0.25],
        ),
        (
            "c.ts",
            homer_syntax::Language::TypeScript,
            "class Jar { stow() {} get() {} }\nclass Box { keep() {} }\nclass Bag { keep() {} }\n\
             function f(x: any) { x.stow(); x.keep(); x.get(); }\n",
            [0.75, 0.375, 0.25],
        ),
        (
            "d.js",
            homer_syntax::Language::JavaScript,
            "class Jar { stow() {} get() {} }\nclass Box { keep() {} }\nclass Bag { keep() {} }\n\
             function f(x) { x.stow(); x.keep(); x.get(); }\n",
            [0.8, 0.4, 0.25],
        ),
        // No type checker for Ruby runs here: a guess keeps the 0.5 it had
        // before Ruby's library names were listed.
        (
            "e.rb",
            homer_syntax::Language::Ruby,
            "class Jar\n  def stow; end\n  def fetch; end\nend\n\
             class Box\n  def keep; end\nend\nclass Bag\n  def keep; end\nend\n\
             def f(x)\n  x.stow\n  x.keep\n  x.fetch\nend\n",
            [0.5, 0.25, 0.25],
        ),
        // Nor for Swift.
        (
            "f.swift",
            homer_syntax::Language::Swift,
            "class Jar {\n  func stow() {}\n  func compactMap() {}\n}\n\
             class Box {\n  func keep() {}\n}\nclass Bag {\n  func keep() {}\n}\n\
             func f(x: Any) {\n  x.stow()\n  x.keep()\n  x.compactMap()\n}\n",
            [0.5, 0.25, 0.25],
        ),
    ];
    let mut extractor = Extractor::new();
    for (path, language, text, [one, two, library]) in sources {
        let facts = extractor.extract(language, text.as_bytes());
        let manifests = Manifests::default();
        let project = Project::new([(path, &facts)], &manifests);
        let resolution = project.resolve(path);
        let spread = |name: &str| -> Vec<f32> {
            let i = facts
                .references
                .iter()
                .position(|r| r.name == name && r.receiver.as_deref() == Some("x"))
                .unwrap_or_else(|| panic!("{path}: x.{name}() is read"));
            resolution.references[i]
                .iter()
                .map(|t| t.confidence)
                .collect()
        };
        let close = |got: &[f32], want: &[f32]| {
            got.len() == want.len() && got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-6)
        };
        let got = (
            spread("stow"),
            spread("keep"),
            spread(match language {
                homer_syntax::Language::Rust => "unwrap",
                homer_syntax::Language::Ruby => "fetch",
                homer_syntax::Language::Swift => "compactMap",
                _ => "get",
            }),
        );
        assert!(close(&got.0, &[one]), "{path}: x.stow() {:?}", got.0);
        assert!(close(&got.1, &[two, two]), "{path}: x.keep() {:?}", got.1);
        assert!(
            close(&got.2, &[library]),
            "{path}: a library's name {:?}",
            got.2
        );
    }
}

/// A call by a name of Ruby's core library (`each`, `fetch`, `to_s`) on a
/// receiver of unknown type is no guess where the project defines the name
/// more than once: on sinatra, 129 calls of `each` on hashes and arrays
/// went to `Response#each`, `Stream#each` and a body's `each`.
#[test]
fn ruby_library_names_with_several_definitions_are_no_guess() {
    let text = "class Response\n  def each; end\nend\nclass Stream\n  def each; end\nend\n\
                class Jar\n  def stow; end\nend\nclass Box\n  def stow; end\nend\n\
                def f(options)\n  options.each { |k, v| k }\n  options.stow\nend\n";
    let facts = Extractor::new().extract(homer_syntax::Language::Ruby, text.as_bytes());
    let manifests = Manifests::default();
    let project = Project::new([("a.rb", &facts)], &manifests);
    let resolution = project.resolve("a.rb");
    let targets = |name: &str| {
        let i = facts
            .references
            .iter()
            .position(|r| r.name == name && r.receiver.as_deref() == Some("options"))
            .unwrap_or_else(|| panic!("options.{name} is read"));
        resolution.references[i].len()
    };
    assert_eq!(targets("each"), 0);
    assert_eq!(targets("stow"), 2);
}
