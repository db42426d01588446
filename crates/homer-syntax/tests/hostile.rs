//! Input that must not crash, hang or lose what can be read.

use homer_syntax::{Extractor, FileFacts, Language};

/// The doc of the definition named `name` in `facts` (the first, if
/// several have the name).
fn doc_of(facts: &FileFacts, name: &str) -> Option<String> {
    facts
        .definitions
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("a definition {name}"))
        .doc
        .clone()
}

/// Source nested `depth` levels deep, in each language's own way, with a
/// definition at the top so there is something to find.
fn nested(language: Language, depth: usize) -> String {
    let open_close =
        |open: &str, close: &str| format!("{}{}", open.repeat(depth), close.repeat(depth));
    match language {
        Language::Rust => format!("fn top() {{ let x = {}; }}\n", open_close("(", ")")),
        Language::Python => format!("def top():\n    x = {}\n", open_close("[", "]")),
        Language::JavaScript | Language::TypeScript | Language::Tsx => {
            format!(
                "function top() {{ {} }}\n",
                open_close("function f() {", "}")
            )
        }
        Language::Go => format!(
            "package p\nfunc top() {{ x := {}1{} }}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        Language::Java => format!(
            "class Top {{ int f() {{ return {}1{}; }} }}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        // Nested `if` blocks: bare `{{}}` is an initializer list to C++.
        Language::C | Language::Cpp => format!(
            "int top(void) {{ {} return 0; }}\n",
            open_close("if (1) {", "}")
        ),
        Language::CSharp => format!(
            "class Top {{ int F() {{ return {}1{}; }} }}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        Language::Ruby => format!("def top\n  x = {}\nend\n", open_close("[", "]")),
        Language::Kotlin => format!(
            "fun top(): Int {{\n    return {}1{}\n}}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        Language::Swift => format!(
            "func top() -> Int {{\n    return {}1{}\n}}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        Language::Php => format!(
            "<?php\nfunction top() {{ return {}1{}; }}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        Language::Scala => format!(
            "object Top {{\n  def top(): Int = {}1{}\n}}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        Language::Lua => format!(
            "function top()\n  return {}1{}\nend\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        Language::Bash => format!(
            "top() {{\n  {} true {}\n}}\n",
            "{ ".repeat(depth),
            "; }".repeat(depth)
        ),
        Language::Elixir => format!("def top do\n  x = {}\nend\n", open_close("(", "1)")),
        Language::Erlang => format!("top() -> {}.\n", open_close("(", "1)")),
        Language::Haskell => format!("top = {}\n", open_close("(", "1)")),
        Language::Zig => format!("fn top() i32 {{ return {}; }}\n", open_close("(", "1)")),
        Language::Dart => format!("int top() {{ return {}; }}\n", open_close("(", "1)")),
        Language::R => format!("top <- function() {}\n", open_close("(", "1)")),
        Language::Elm => format!("top =\n    {}\n", open_close("(", "1)")),
        Language::Nix => format!("{{ top = x: {}; }}\n", open_close("(", "1)")),
        Language::Hcl => format!(
            "resource \"a\" \"top\" {{\n  x = {}\n}}\n",
            open_close("(", "1)")
        ),
        Language::Solidity => format!(
            "contract Top {{ function f() public {{ uint x = {}; }} }}\n",
            open_close("(", "1)")
        ),
        Language::Gleam => format!("fn top() {{ {} }}\n", open_close("{ ", "1 }")),
    }
}

#[test]
fn ten_thousand_levels_of_nesting_are_read_without_overflow() {
    // The test thread gets the default 2 MiB stack: any recursion over the
    // tree would overflow it long before 10,000 levels.
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut extractor = Extractor::new();
            for &language in Language::ALL {
                let source = nested(language, 10_000);
                let facts = extractor.extract(language, source.as_bytes());
                // Four grammars do not read this deep: the Haskell, R and
                // HCL ones stop with a syntax error (Haskell's past a few
                // hundred levels), the Dart one runs out of its time
                // budget. Read safely, with a diagnostic.
                if matches!(
                    language,
                    Language::Haskell | Language::R | Language::Hcl | Language::Dart
                ) {
                    assert!(!facts.diagnostics.is_empty(), "{}", language.name());
                    continue;
                }
                assert!(
                    facts
                        .definitions
                        .iter()
                        .any(|d| d.name == "top" || d.name == "Top"),
                    "{}: {:?}",
                    language.name(),
                    facts.definitions.first()
                );
            }
        })
        .expect("spawn");
    handle.join().expect("no overflow");
}

#[test]
fn ten_thousand_nested_definitions_keep_names_short() {
    let source = nested(Language::JavaScript, 10_000);
    let facts = Extractor::new().extract(Language::JavaScript, source.as_bytes());
    assert_eq!(facts.definitions.len(), 10_001);
    assert!(facts.definitions.iter().all(|d| d.qualified.len() < 600));
}

#[test]
fn bytes_that_are_not_utf8_nuls_crlf_and_a_bom_are_handled() {
    let mut extractor = Extractor::new();
    let mut source = b"\xEF\xBB\xBF".to_vec();
    source
        .extend_from_slice(b"/// Caf\xe9.\r\nfn caf\xe9() {}\r\nfn nul() { let s = \"\0\"; }\r\n");
    let facts = extractor.extract(Language::Rust, &source);
    let names: Vec<&str> = facts.definitions.iter().map(|d| d.name.as_str()).collect();
    assert!(names.contains(&"nul"), "{names:?}");
    let first = &facts.definitions[0];
    assert_eq!(first.span.start_line, 2, "the BOM does not move lines");
    assert!(!first.signature.contains('\r'));
    assert!(
        first
            .doc
            .as_deref()
            .is_some_and(|d| d.starts_with("Caf") && !d.contains('\r'))
    );
}

#[test]
fn a_file_that_does_not_parse_yields_what_it_can_and_a_diagnostic() {
    let source = b"def good():\n    return 1\n\ndef broken(:\n    pass\n\nclass Fine:\n    def m(self): pass\n";
    let facts = Extractor::new().extract(Language::Python, source);
    assert!(!facts.diagnostics.is_empty());
    let names: Vec<&str> = facts.definitions.iter().map(|d| d.name.as_str()).collect();
    assert!(
        names.contains(&"good") && names.contains(&"Fine"),
        "{names:?}"
    );
}

#[test]
fn empty_and_garbage_input() {
    let mut extractor = Extractor::new();
    for &language in Language::ALL {
        let facts = extractor.extract(language, b"");
        assert!(facts.definitions.is_empty());
        let garbage: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let _ = extractor.extract(language, &garbage);
    }
}

/// What error recovery makes of a stretch it cannot read is not a
/// definition: tree-sitter-typescript 0.23 cannot read an interface of
/// generic call signatures without separators (as in hono's
/// `src/helper/factory/index.ts`), and reads the class after it as
/// "methods" named `const` and `if`.
#[test]
fn definitions_inside_an_unreadable_stretch_are_dropped() {
    let source = r"export interface Steps<A extends Base, B extends string> {
  <X extends Item = {}, Y extends Out<any> = any, A2 extends Base = A>(
    first: S<A2, B, X, Y>
  ): [S<A2, B, X, Y>]

  // two steps
  <
    X extends Item = {},
    X2 extends Item = X,
    Y extends Out<any> = any,
    Y2 extends Out<any> = any,
    A2 extends Base = A,
    A3 extends Base = Merge<[A, A2]>,
  >(
    first: S<A2, B, X, Y>,
    second: S<A3, B, X2, Y2>
  ): [S<A2, B, X, Y>, S<A3, B, X2, Y2>]

  // three steps
  <
    X extends Item = {},
    X2 extends Item = X,
    Y extends Out<any> = any,
    A2 extends Base = A,
  >(
    first: S<A2, B, X, Y>,
    second: S<A2, B, X2, Y>,
    third: S<A2, B, X2, Y>
  ): [S<A2, B, X, Y>, S<A2, B, X2, Y>, S<A2, B, X2, Y>]
}

export class Builder<A extends Base = Base> {
  private start?: Start<A>

  constructor(init?: { start?: Start<A> }) {
    this.start = init?.start
  }

  build = (options?: Options<A>): Thing<A> => {
    const thing = new Thing<A>(options)
    if (this.start) {
      this.start(thing)
    }
    return thing
  }
}
";
    let facts = Extractor::new().extract(Language::TypeScript, source.as_bytes());
    assert!(!facts.diagnostics.is_empty(), "the sample must not parse");
    let names: Vec<&str> = facts.definitions.iter().map(|d| d.name.as_str()).collect();
    assert!(names.contains(&"Steps"), "{names:?}");
    for keyword in ["const", "if", "return"] {
        assert!(
            !names.contains(&keyword),
            "{keyword} read as a definition: {names:?}"
        );
    }
}

/// Inputs the fuzzer (`fuzz/`, target `extract`) found, kept as they came.
#[test]
fn fuzzer_findings_stay_fixed() {
    // C#: error recovery inserted a missing method name, and the method
    // became a definition named "" (qualified `Fx.Calc.Calc.`).
    let source = include_bytes!("../../../fixtures/fuzz/csharp-missing-name.cs");
    let facts = Extractor::new().extract(Language::CSharp, source);
    assert!(
        facts.definitions.iter().all(|d| !d.name.trim().is_empty()),
        "{:?}",
        facts.definitions
    );
    assert!(facts.definitions.iter().any(|d| d.name == "Calc"));
}

/// A file of `count` small functions named `f0`, `f1`, … in `language`,
/// each line of the body carrying `filler` (a comment's text) so that
/// bad bytes can be put where every grammar allows anything.
fn functions(language: Language, count: usize, filler: &[u8]) -> Vec<u8> {
    let (prelude, postlude): (&str, &str) = match language {
        Language::Go => ("package p\n", ""),
        Language::Php => ("<?php\n", ""),
        Language::Java | Language::CSharp => ("class Big {\n", "}\n"),
        Language::Solidity => ("contract Big {\n", "}\n"),
        Language::Nix => ("{\n", "}\n"),
        _ => ("", ""),
    };
    let comment: &[u8] = match language {
        Language::Python
        | Language::Ruby
        | Language::Bash
        | Language::Elixir
        | Language::R
        | Language::Nix
        | Language::Hcl => b"#",
        Language::Lua | Language::Haskell | Language::Elm => b"--",
        Language::Erlang => b"%",
        _ => b"//",
    };
    let mut out = prelude.as_bytes().to_vec();
    for i in 0..count {
        let head = match language {
            Language::Rust | Language::Gleam => format!("fn f{i}() {{\n"),
            Language::Python => format!("def f{i}():\n"),
            Language::JavaScript | Language::TypeScript | Language::Tsx | Language::Php => {
                format!("function f{i}() {{\n")
            }
            Language::Go | Language::Swift => format!("func f{i}() {{\n"),
            Language::Java | Language::CSharp | Language::C | Language::Cpp => {
                format!("int f{i}() {{\n")
            }
            Language::Ruby => format!("def f{i}\n"),
            Language::Kotlin => format!("fun f{i}() {{\n"),
            Language::Scala => format!("def f{i}(): Int = {{\n"),
            Language::Lua => format!("function f{i}()\n"),
            Language::Bash => format!("f{i}() {{\n"),
            Language::Elixir => format!("def f{i} do\n"),
            Language::Erlang => format!("f{i}() ->\n"),
            Language::Haskell | Language::Elm => format!("f{i} =\n"),
            Language::Zig => format!("fn f{i}() void {{\n"),
            Language::Dart => format!("void f{i}() {{\n"),
            Language::R => format!("f{i} <- function() {{\n"),
            Language::Nix => format!("f{i} = x:\n"),
            Language::Hcl => format!("resource \"t\" \"f{i}\" {{\n"),
            Language::Solidity => format!("function f{i}() public {{\n"),
        };
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(b"  ");
        out.extend_from_slice(comment);
        out.push(b' ');
        out.extend_from_slice(filler);
        out.extend_from_slice(b"\r\n");
        let tail = match language {
            Language::Python => "  return 1\n",
            Language::Ruby | Language::Elixir => "  1\nend\n",
            Language::Lua => "  return 1\nend\n",
            Language::Bash => "  true\n}\n",
            Language::Java | Language::CSharp | Language::C | Language::Cpp => "  return 1;\n}\n",
            Language::Scala | Language::R | Language::Gleam => "  1\n}\n",
            Language::Erlang => "  1.\n",
            Language::Haskell | Language::Elm => "  1\n",
            Language::Nix => "  x;\n",
            _ => "}\n",
        };
        out.extend_from_slice(tail.as_bytes());
    }
    out.extend_from_slice(postlude.as_bytes());
    out
}

#[test]
fn bad_bytes_nuls_and_crlf_in_every_language_lose_no_definition() {
    let mut extractor = Extractor::new();
    // Latin-1, a lone continuation byte, a NUL, an overlong encoding.
    let filler = b"caf\xe9 \x80 \0 \xc0\xaf end";
    for &language in Language::ALL {
        let mut source = b"\xEF\xBB\xBF".to_vec();
        source.extend(functions(language, 3, filler));
        let facts = extractor.extract(language, &source);
        let names: Vec<&str> = facts.definitions.iter().map(|d| d.name.as_str()).collect();
        assert!(
            ["f0", "f1", "f2"].iter().all(|n| names.contains(n)),
            "{}: {names:?}",
            language.name()
        );
        let f2 = facts
            .definitions
            .iter()
            .find(|d| d.name == "f2")
            .expect("f2");
        assert!(!f2.signature.contains('\r'), "{}", language.name());
        assert!(
            f2.span.start_line >= 7,
            "{}: lines counted from the BOM on ({})",
            language.name(),
            f2.span.start_line
        );
    }
}

/// The code stage skips files over 1 MB; everything up to it is read in
/// full, in every language.
#[test]
fn a_file_of_a_megabyte_is_read_in_every_language() {
    let mut extractor = Extractor::new();
    for &language in Language::ALL {
        let mut count = 1_000;
        let mut source = functions(language, count, b"x");
        while source.len() < 1_000_000 {
            count *= 2;
            source = functions(language, count, b"x");
        }
        let facts = extractor.extract(language, &source);
        let found = facts
            .definitions
            .iter()
            .filter(|d| {
                d.name
                    .strip_prefix('f')
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            })
            .count();
        assert_eq!(found, count, "{}", language.name());
    }
}

/// Lines of what no grammar reads (words, closers, operators, an open
/// string): every line is a new error.
fn garbage_lines(count: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..count {
        out.extend_from_slice(format!("x{i} ) ] = {{ 1 + ; end \" fi\n").as_bytes());
    }
    out
}

/// Error recovery in the Kotlin and Lua grammars grows with the square of
/// the errors (230 kB of garbage took 6 and 8 s, a megabyte minutes): a
/// parse has a time budget, and the parser is ready for the next file
/// after running out of it.
#[test]
fn a_parse_that_runs_out_of_time_gives_a_diagnostic_and_the_parser_recovers() {
    let mut extractor = Extractor::with_parse_budget(std::time::Duration::from_millis(50));
    for language in [Language::Kotlin, Language::Lua] {
        let facts = extractor.extract(language, &garbage_lines(8_000));
        assert!(facts.definitions.is_empty());
        assert!(
            facts
                .diagnostics
                .iter()
                .any(|d| d.message.contains("ran out of time")),
            "{}: {:?}",
            language.name(),
            facts.diagnostics
        );
        let good = functions(language, 2, b"fine");
        let facts = extractor.extract(language, &good);
        let names: Vec<&str> = facts.definitions.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["f0", "f1"], "{}", language.name());
    }
}

#[test]
fn garbage_in_every_language_returns() {
    let mut extractor = Extractor::new();
    let source = garbage_lines(4_000);
    for &language in Language::ALL {
        let facts = extractor.extract(language, &source);
        assert!(facts.definitions.len() < 4_000, "{}", language.name());
    }
}

/// Receivers and bindings that resolution must read without panicking or
/// looping: non-ASCII names around separators, unbalanced brackets, a
/// binding given its own call (`x = x.next()`), a class that is its own
/// base, a chain of a hundred calls.
#[test]
fn odd_receivers_and_bindings_resolve_without_a_panic_or_a_loop() {
    let chain: String = (0..100).map(|_| ".step()").collect();
    let sources: Vec<(&str, Language, String)> = vec![
        (
            "a.py",
            Language::Python,
            format!(
                "class Loop(Loop):\n    def step(self) -> 'Loop':\n        return self\n\n\
                 def run(x: Loop):\n    x = x.step()\n    x.step()\n    ü = Loop()\n    \
                 ü.step()\n    é(ü).ß().step()\n    (((x).step()\n    Loop(){chain}\n"
            ),
        ),
        (
            "b.ts",
            Language::TypeScript,
            format!(
                "class Ä extends Ä {{ ß(): Ä {{ return this; }} }}\n\
                 function f(x: Ä) {{ const y = x.ß(); y.ß(); new Ä(){chain}; ((y).ß(; }}\n"
            ),
        ),
        (
            "C.java",
            Language::Java,
            format!(
                "class C extends C {{ C step() {{ return this; }}\n  \
                 void m(C c) {{ var d = c.step(); d.step(); new C(){chain}; }} }}\n"
            ),
        ),
        (
            "d.rs",
            Language::Rust,
            format!(
                "struct S {{ s: S }}\nimpl S {{ fn step(&self) -> Self {{ Self {{ s: self.s }} }}\n  \
                 fn m(&self) {{ let x = S::step(self); x.s.s.step(); self.s{chain}; }} }}\n"
            ),
        ),
    ];
    let mut extractor = Extractor::new();
    let facts: Vec<(String, homer_syntax::FileFacts)> = sources
        .iter()
        .map(|(path, language, text)| {
            (
                (*path).to_owned(),
                extractor.extract(*language, text.as_bytes()),
            )
        })
        .collect();
    let manifests = homer_syntax::Manifests::default();
    let project =
        homer_syntax::Project::new(facts.iter().map(|(p, f)| (p.as_str(), f)), &manifests);
    let mut resolved = 0;
    for (path, file) in &facts {
        let resolution = project.resolve(path);
        assert_eq!(resolution.references.len(), file.references.len(), "{path}");
        resolved += resolution
            .references
            .iter()
            .filter(|t| !t.is_empty())
            .count();
    }
    // The calls on the plainly typed receivers still resolve around the
    // odd ones (`ü.step()`, `y.ß()`, `d.step()`, `x.s.s.step()`).
    let python = project.resolve("a.py");
    let step = facts[0]
        .1
        .references
        .iter()
        .position(|r| r.receiver.as_deref() == Some("ü"))
        .expect("ü.step() is read");
    assert_eq!(
        python.references[step].len(),
        1,
        "{:?}",
        python.references[step]
    );
    assert!(resolved >= 4, "{resolved}");
    // `new C().step()…` a hundred times over: a hundred calls, the last
    // typed link by link from the first, though its receiver's text is
    // cut short.
    let java = &facts[2].1;
    let links: Vec<usize> = (0..java.references.len())
        .filter(|&i| {
            let r = &java.references[i];
            r.name == "step"
                && r.receiver
                    .as_deref()
                    .is_some_and(|t| t.starts_with("new C()"))
        })
        .collect();
    assert_eq!(links.len(), 100);
    let resolution = project.resolve("C.java");
    let last = links
        .iter()
        .copied()
        .max_by_key(|&i| java.references[i].receiver.as_ref().map(String::len))
        .expect("links");
    assert!(
        resolution.references[last]
            .first()
            .is_some_and(|t| t.confidence >= 1.0),
        "{:?}",
        resolution.references[last]
    );
}

/// Each case's definition `name`, extracted from `source`, has the
/// signature `want`.
fn assert_signatures(cases: &[(Language, &str, &str, &str)]) {
    let mut extractor = Extractor::new();
    for &(language, source, name, want) in cases {
        let facts = extractor.extract(language, source.as_bytes());
        let def = facts
            .definitions
            .iter()
            .find(|d| d.name == name)
            .unwrap_or_else(|| panic!("{name} in {}", language.name()));
        assert_eq!(def.signature, want, "{}", language.name());
    }
}

/// A comment between a definition's first token and its body (Ruby's doc
/// inside `module`, a Python comment after the colon, a C++ parameter's
/// note, an eslint directive in an arrow's parameters) is not part of its
/// signature; the code around it is.
#[test]
fn comments_inside_a_header_are_left_out_of_the_signature() {
    let cases: [(Language, &str, &str, &str); 4] = [
        (
            Language::Ruby,
            "module Protection\n  # Prevented attack:: Cookie Tossing\n  # More infos:: x\n  class Cookie\n  end\nend\n",
            "Protection",
            "module Protection",
        ),
        (
            Language::Python,
            "def check(version: str) -> None:  # older ones\n    # really\n    return None\n",
            "check",
            "def check(version: str) -> None",
        ),
        (
            Language::Cpp,
            "int write(char* out, // the buffer\n          int n) { return n; }\n",
            "write",
            "int write(char* out, int n)",
        ),
        (
            Language::TypeScript,
            "export const handle = (\n  // eslint-disable-next-line\n  app: number\n) => { return app }\n",
            "handle",
            "handle = (app: number)",
        ),
    ];
    assert_signatures(&cases);
}

/// A header laid out an item a line reads as a formatter would print it on
/// one line: no space inside the brackets, no trailing comma; brackets on
/// one line keep the author's spaces.
#[test]
fn a_header_laid_out_an_item_a_line_closes_up_its_brackets() {
    let cases: [(Language, &str, &str, &str); 8] = [
        (
            Language::Python,
            "def invoke(\n    __self,\n    *args: int,\n) -> None:\n    pass\n",
            "invoke",
            "def invoke(__self, *args: int) -> None",
        ),
        (
            Language::TypeScript,
            "export async function resolve<\n  TRouter extends AnyRouter,\n  TRequest,\n>(\n  opts: Options<TRouter>,\n): Promise<void> {\n  return;\n}\n",
            "resolve",
            "async function resolve<TRouter extends AnyRouter, TRequest>(opts: Options<TRouter>): Promise<void>",
        ),
        (
            Language::Rust,
            "pub fn open(\n    path: &Path,\n    options: [u8; 2],\n) -> Result<Self, Error> {\n    todo!()\n}\n",
            "open",
            "pub fn open(path: &Path, options: [u8; 2]) -> Result<Self, Error>",
        ),
        (
            Language::Go,
            "package p\n\nfunc (r *Repo) Open(\n\tpath string,\n\tmode int,\n) error {\n\treturn nil\n}\n",
            "Open",
            "func (r *Repo) Open(path string, mode int) error",
        ),
        (
            Language::TypeScript,
            "type Options<\n  TRouter,\n  TRequest,\n> = Base<TRouter> & {\n  a: string;\n};\n",
            "Options",
            "type Options<TRouter, TRequest> = Base<TRouter> &",
        ),
        (
            Language::TypeScript,
            "export function handle<\n  T extends Router,\n>(\n  opts: Options<T>,\n): Promise<void>;\nexport function handle(opts: unknown) { return opts; }\n",
            "handle",
            "function handle<T extends Router>(opts: Options<T>): Promise<void>",
        ),
        (
            Language::Rust,
            "pub type Callbacks = Vec<\n    Box<dyn Fn()>,\n>;\n",
            "Callbacks",
            "pub type Callbacks = Vec<",
        ),
        (
            Language::Python,
            "def spaced( a, b ):\n    pass\n",
            "spaced",
            "def spaced( a, b )",
        ),
    ];
    assert_signatures(&cases);
}

/// A C# XML documentation comment reads as text: the first line says what
/// the definition does, not `<summary>`.
#[test]
fn xml_doc_comments_read_as_text() {
    let source = r#"namespace Scrutor;
public static class Extensions
{
    /// <summary>
    /// Decorates all registered services of type <typeparamref name="TService"/>
    /// using the specified type <see cref="T:Scrutor.Decorator"/>.
    /// </summary>
    /// <param name="services">The services to add to.</param>
    /// <exception cref="DecorationException">If no service is registered.</exception>
    /// <returns>The <c>services</c>.</returns>
    public static int Decorate<TService>(this int services) => services;

    /// <inheritdoc/>
    public static int Other() => 1;
}
"#;
    let facts = Extractor::new().extract(Language::CSharp, source.as_bytes());
    let doc = |name: &str| doc_of(&facts, name).unwrap_or_else(|| panic!("a doc of {name}"));
    assert_eq!(
        doc("Decorate"),
        "Decorates all registered services of type TService\n\
         using the specified type Scrutor.Decorator.\n\
         services: The services to add to.\n\
         DecorationException: If no service is registered.\n\
         The services."
    );
    assert_eq!(doc("Other"), "(inherited)");
}

/// A template header that shares its line with the class it heads does not
/// hand the class's doc to the first member (fmt's `args.h`: `~node` read
/// the comment above `struct node`); one on a line of its own, as a
/// decorator is, leads to the comment above it.
#[test]
fn a_header_on_the_line_of_its_class_is_not_above_the_next_line() {
    let source = "// node is defined outside dynamic_arg_list.
template <typename = void> struct node {
  virtual ~node() = default;
};

// Sums two values.
template <typename T>
T add(T a, T b) { return a + b; }
";
    let facts = Extractor::new().extract(Language::Cpp, source.as_bytes());
    let doc = |name: &str| doc_of(&facts, name);
    assert_eq!(
        doc("node").as_deref(),
        Some("node is defined outside dynamic_arg_list.")
    );
    assert_eq!(doc("~node"), None);
    assert_eq!(doc("add").as_deref(), Some("Sums two values."));
}
