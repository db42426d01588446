//! What a definition's one-line header says about calling it: how many
//! arguments it takes and the type it returns. Read from the text, per
//! language, loosely: `None` whenever the header does not say plainly.

use crate::{DefKind, Definition, Language};

/// The text between the bracket opening at `open` and its match.
fn bracketed(text: &str, open: usize) -> Option<(&str, usize)> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in text[open..].char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&text[open + 1..open + i], open + i + 1));
                }
            }
            // `<` and `>` nest only as generics: `->` and `=>` are arrows.
            '>' if !matches!(text[..open + i].chars().last(), Some('-' | '=')) => {
                depth -= 1;
                if depth == 0 {
                    return Some((&text[open + 1..open + i], open + i + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// `text` split at its commas outside brackets and quotes.
pub(crate) fn split_top(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut previous = ' ';
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else {
            match c {
                '"' | '\'' | '`' => quote = Some(c),
                '(' | '[' | '{' | '<' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                '>' if !matches!(previous, '-' | '=') => depth -= 1,
                ',' if depth == 0 => {
                    out.push(text[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
        }
        previous = c;
    }
    let last = text[start..].trim();
    if !last.is_empty() || !out.is_empty() {
        out.push(last);
    }
    out.retain(|p| !p.is_empty());
    out
}

/// Where the parameter list starts: the first `(` after the definition's
/// name (a Go method's receiver comes before its name).
fn parameters_at(definition: &Definition) -> Option<usize> {
    let sig = &definition.signature;
    let after = sig
        .find(definition.name.as_str())
        .map_or(0, |i| i + definition.name.len());
    sig[after..].find('(').map(|i| after + i)
}

/// The fewest and most arguments a call of `definition` passes (`None`:
/// no most), or `None` when its header does not say.
pub(crate) fn arity(definition: &Definition, language: Language) -> Option<(u16, Option<u16>)> {
    if !matches!(definition.kind, DefKind::Function | DefKind::Method) {
        return None;
    }
    let open = parameters_at(definition)?;
    let (inside, _) = bracketed(&definition.signature, open)?;
    let mut min: u16 = 0;
    let mut max: Option<u16> = Some(0);
    for (i, part) in split_top(inside).into_iter().enumerate() {
        let word = part
            .trim_start_matches(['&', ' '])
            .trim_start_matches("mut ");
        let receiver = match language {
            Language::Python => i == 0 && matches!(part, "self" | "cls") || part == "/",
            Language::Rust => i == 0 && word.starts_with("self"),
            Language::TypeScript | Language::Tsx => {
                part.starts_with("this:") || part.starts_with("this :")
            }
            _ => false,
        };
        // A bare `*` in Python only marks the keyword-only parameters.
        if receiver || (language == Language::Python && part == "*") {
            continue;
        }
        let variadic = part.starts_with('*')
            || part.contains("...")
            || part.starts_with("params ")
            || part.starts_with("vararg ");
        let name_part = part.split(':').next().unwrap_or(part);
        let optional = part.contains('=') || name_part.trim_end().ends_with('?');
        if variadic {
            max = None;
        } else if optional {
            max = max.map(|m| m.saturating_add(1));
        } else {
            min = min.saturating_add(1);
            max = max.map(|m| m.saturating_add(1));
        }
    }
    Some((min, max))
}

/// A Java parameter's type as written (`Map<K, V>`, `String[]`) and
/// whether it takes any number of arguments (`Object...`, then the
/// element's type).
pub(crate) fn java_parameters(definition: &Definition) -> Option<Vec<(&str, bool)>> {
    if !matches!(definition.kind, DefKind::Function | DefKind::Method) {
        return None;
    }
    let open = parameters_at(definition)?;
    let (inside, _) = bracketed(&definition.signature, open)?;
    let mut out = Vec::new();
    for part in split_top(inside) {
        let mut rest = part.trim();
        // Annotations and `final` say nothing of the type.
        loop {
            if let Some(after) = rest.strip_prefix("final ") {
                rest = after.trim_start();
            } else if rest.starts_with('@') {
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '(')
                    .unwrap_or(rest.len());
                rest = if rest[end..].starts_with('(') {
                    bracketed(rest, end).map_or("", |(_, after)| &rest[after..])
                } else {
                    &rest[end..]
                }
                .trim_start();
            } else {
                break;
            }
        }
        let (written, _name) = rest.rsplit_once(char::is_whitespace)?;
        let written = written.trim();
        match written.strip_suffix("...") {
            Some(element) => out.push((element.trim(), true)),
            None => out.push((written, false)),
        }
    }
    Some(out)
}

/// The names a Java header declares as type parameters (`<T, R extends
/// X>`), before the definition's name.
pub(crate) fn type_parameters(definition: &Definition) -> Vec<&str> {
    let sig = definition.signature.as_str();
    let at = if definition.kind.holds_methods() {
        // `class Foo<T>`: after the name.
        sig.find(definition.name.as_str())
            .map(|i| i + definition.name.len())
            .filter(|&i| sig[i..].starts_with('<'))
    } else {
        sig.find(definition.name.as_str())
            .and_then(|end| sig[..end].find('<'))
    };
    let Some(open) = at else {
        return Vec::new();
    };
    bracketed(sig, open).map_or_else(Vec::new, |(inside, _)| {
        split_top(inside)
            .into_iter()
            .filter_map(|p| p.split_whitespace().next())
            .collect()
    })
}

/// The bounds of a type parameter as written after its `:` (`IndexType +
/// Copy`, `IntoNeighbors<NodeId = N> + 'a`), split at the `+` outside
/// brackets, trimmed.
pub(crate) fn split_bounds(written: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut previous = ' ';
    for (i, c) in written.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            // `->` is an arrow (`Fn(A) -> B`), not a closing bracket.
            '>' if previous != '-' => depth -= 1,
            ')' | ']' => depth -= 1,
            '+' if depth == 0 => {
                out.push(written[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        previous = c;
    }
    out.push(written[start..].trim());
    out.retain(|b| !b.is_empty());
    out
}

/// What a type alias stands for, as written: `Graph<N, E, Undirected>`
/// for `type UnGraph<N, E, Ix = u32> = Graph<N, E, Undirected>;`.
pub(crate) fn alias_target(definition: &Definition) -> Option<&str> {
    if definition.kind != DefKind::TypeAlias {
        return None;
    }
    let sig = definition.signature.as_str();
    let after = sig
        .find(definition.name.as_str())
        .map_or(0, |i| i + definition.name.len());
    // The `=` outside the alias's own generic parameters (their defaults).
    let mut depth = 0i32;
    for (i, c) in sig[after..].char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            '=' if depth == 0 => {
                let target = sig[after + i + 1..].trim().trim_end_matches(';').trim();
                return (!target.is_empty()).then_some(target);
            }
            _ => {}
        }
    }
    None
}

/// A path with its generic arguments left out: `Graph::new` for
/// `Graph::<i32, ()>::new`, `Vec` for `Vec<u8>`.
pub(crate) fn without_generics(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('<') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut depth = 0u32;
    let mut previous = ' ';
    for c in text.chars() {
        match c {
            // `->` and `=>` are arrows, not the end of generics.
            '>' if depth > 0 && !matches!(previous, '-' | '=') => depth -= 1,
            '<' => {
                if depth == 0 && out.ends_with("::") {
                    out.truncate(out.len() - 2);
                }
                depth += 1;
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
        previous = c;
    }
    std::borrow::Cow::Owned(out)
}

/// The type a call of `definition` returns, as written (`Builder`,
/// `Self`, `*Command`), when its header states one.
pub(crate) fn return_type(definition: &Definition, language: Language) -> Option<&str> {
    return_type_at(definition, language, false)
}

/// [`return_type`], or with `last` the last of the types a Go function
/// returns (`error` of `(T, error)`): what the last name of `x, err :=
/// f()` is given.
pub(crate) fn return_type_at(
    definition: &Definition,
    language: Language,
    last: bool,
) -> Option<&str> {
    if !matches!(definition.kind, DefKind::Function | DefKind::Method) {
        return None;
    }
    let sig = definition.signature.as_str();
    let open = parameters_at(definition)?;
    let out = match language {
        // `public static Builder builder(…)`: the word before the name.
        Language::Java | Language::CSharp | Language::C | Language::Cpp | Language::Dart => {
            let before = sig[..open].trim_end();
            let before = before.strip_suffix(definition.name.as_str())?.trim_end();
            let word = before.rsplit([' ', '\t']).next()?;
            word.trim_start_matches(['*', '&'])
        }
        _ => {
            let (_, after) = bracketed(sig, open)?;
            let rest = sig[after..].trim_start();
            let rest = rest
                .strip_prefix("->")
                .or_else(|| rest.strip_prefix(':'))
                .or_else(|| (language == Language::Go).then_some(rest))?
                .trim_start();
            let end = rest
                .find(|c: char| {
                    matches!(c, '{' | '=' | ';') || c == ':' && language == Language::Python
                })
                .unwrap_or(rest.len());
            let ty = rest[..end].trim();
            // Rust's `-> Self where G: Default`: the bounds are no type.
            let ty = ty.strip_suffix("where").unwrap_or(ty).trim();
            let ty = ty.split(" where ").next().unwrap_or(ty).trim();
            // Go's `(T, error)`: the first, or the last; a named result
            // (`cmd *Command`, `err error`) by its type.
            match ty.strip_prefix('(') {
                Some(inner) if language == Language::Go => {
                    let parts = split_top(inner.strip_suffix(')').unwrap_or(inner));
                    let part = if last { parts.last() } else { parts.first() };
                    let part = part.copied()?.trim();
                    match part.split_once(' ') {
                        Some((name, written)) if super::is_identifier(name) => written.trim(),
                        _ => part,
                    }
                }
                _ => ty,
            }
        }
    };
    (!out.is_empty() && out != "void").then_some(out)
}

/// The types a class-like definition names as its bases, as written:
/// `extends`/`implements` (Java, TypeScript, PHP, Scala's `with`), the
/// parenthesized list of a Python class, what follows `:` (C#, Kotlin,
/// Swift) or `<` (Ruby).
pub(crate) fn bases(definition: &Definition, language: Language) -> Vec<&str> {
    if !definition.kind.holds_methods() {
        return Vec::new();
    }
    let sig = definition.signature.as_str();
    let after_name = sig
        .find(definition.name.as_str())
        .map_or(sig, |i| &sig[i + definition.name.len()..]);
    // Generic parameters of the class itself are not bases.
    let after_name = match after_name.trim_start().strip_prefix('<') {
        Some(_) => {
            let start = after_name.find('<').unwrap_or(0);
            bracketed(after_name, start).map_or(after_name, |(_, end)| &after_name[end..])
        }
        None => after_name,
    };
    let list = match language {
        Language::Python => {
            let Some(open) = after_name.find('(') else {
                return Vec::new();
            };
            bracketed(after_name, open).map_or("", |(inside, _)| inside)
        }
        Language::Ruby => after_name.trim_start().strip_prefix('<').unwrap_or(""),
        Language::CSharp | Language::Kotlin | Language::Swift => {
            // Kotlin's primary constructor stands between the name and `:`.
            let rest = match after_name.trim_start().strip_prefix('(') {
                Some(_) => {
                    let open = after_name.find('(').unwrap_or(0);
                    bracketed(after_name, open).map_or(after_name, |(_, end)| &after_name[end..])
                }
                None => after_name,
            };
            rest.trim_start().strip_prefix(':').unwrap_or("")
        }
        _ => {
            let Some(at) = after_name
                .find(" extends ")
                .or_else(|| after_name.find(" implements "))
            else {
                return Vec::new();
            };
            &after_name[at..]
        }
    };
    let list = list.split(['{', '\n']).next().unwrap_or(list);
    let list = list.split(" where ").next().unwrap_or(list);
    let mut out = Vec::new();
    for part in split_top(list) {
        for piece in part.split(" implements ").flat_map(|p| p.split(" with ")) {
            let piece = piece.trim();
            let piece = piece
                .strip_prefix("extends ")
                .or_else(|| piece.strip_prefix("implements "))
                .unwrap_or(piece)
                .trim()
                .trim_end_matches(':')
                .trim();
            if piece.contains('=') || matches!(piece, "object" | "Object" | "") {
                continue;
            }
            out.push(piece);
        }
    }
    out
}

/// A type as written, reduced to the name of the type to look members up
/// in: `&mut Foo<T>` and `*pkg.Foo` to `Foo` and `pkg.Foo`,
/// `Optional[Foo]` and `Foo | None` to `Foo`; `None` when what is left is
/// not a name.
pub(crate) fn type_name(written: &str) -> Option<&str> {
    let mut t = written.trim();
    loop {
        let before = t;
        t = t.trim_start_matches(['&', '*', '?']).trim_start();
        for prefix in ["mut ", "dyn ", "impl ", "const ", "readonly "] {
            t = t.strip_prefix(prefix).unwrap_or(t).trim_start();
        }
        if let Some(inner) = t
            .strip_prefix("Optional[")
            .and_then(|x| x.strip_suffix(']'))
        {
            t = inner.trim();
        }
        // Go's slices, arrays and maps, whose elements are what a value
        // taken from them is: `[]*Command`, `[4]int`, `map[string]*Flag`.
        if let Some(rest) = t.strip_prefix('[')
            && let Some(close) = rest.find(']')
            && rest[..close].chars().all(|c| c.is_ascii_digit())
        {
            t = rest[close + 1..].trim_start();
        } else if t.starts_with("map[")
            && let Some((_, end)) = bracketed(t, 3)
        {
            t = t[end..].trim_start();
        }
        if t == before {
            break;
        }
    }
    let t = t
        .split('|')
        .map(str::trim)
        .find(|p| !matches!(*p, "None" | "null" | "undefined" | "nil"))?;
    let t = t
        .split(['<', '[', '('])
        .next()?
        .trim()
        .trim_end_matches(['?', '!']);
    let t = t.trim_matches(|c| c == '"' || c == '\'');
    (!t.is_empty()
        && !t.starts_with(|c: char| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '\\')))
    .then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn def(kind: DefKind, name: &str, signature: &str) -> Definition {
        Definition {
            name: name.to_owned(),
            qualified: name.to_owned(),
            kind,
            span: Span::default(),
            signature: signature.to_owned(),
            doc: None,
            parent: None,
            exported: true,
            of_trait: None,
        }
    }

    #[test]
    fn arity_reads_each_language_s_parameters() {
        let cases = [
            (
                Language::Java,
                "public static TypeName get(TypeMirror mirror)",
                "get",
                Some((1, Some(1))),
            ),
            (
                Language::Java,
                "public Builder add(String format, Object... args)",
                "add",
                Some((1, None)),
            ),
            (
                Language::Python,
                "def send(self, request, stream=False, **kwargs):",
                "send",
                Some((1, None)),
            ),
            (
                Language::Python,
                "def f(a, /, b, *, c=1) -> int:",
                "f",
                Some((2, Some(3))),
            ),
            (
                Language::TypeScript,
                "get(path: string, handler?: H, ...rest: H[]): Hono",
                "get",
                Some((1, None)),
            ),
            (
                Language::Rust,
                "pub fn new(&mut self, x: Vec<(u8, u8)>) -> Self",
                "new",
                Some((1, Some(1))),
            ),
            (
                Language::Go,
                "func (c *Command) AddCommand(cmds ...*Command)",
                "AddCommand",
                Some((0, None)),
            ),
            (
                Language::Go,
                "func Run(a, b int) error",
                "Run",
                Some((2, Some(2))),
            ),
            (
                Language::Kotlin,
                "fun plant(tree: Tree, vararg more: Tree)",
                "plant",
                Some((1, None)),
            ),
        ];
        for (language, sig, name, want) in cases {
            assert_eq!(
                arity(&def(DefKind::Method, name, sig), language),
                want,
                "{sig}"
            );
        }
        assert_eq!(
            arity(&def(DefKind::Class, "A", "class A(B):"), Language::Python),
            None
        );
    }

    #[test]
    fn return_types_are_read_where_the_header_states_them() {
        let cases = [
            (
                Language::Java,
                "public static Builder builder()",
                "builder",
                Some("Builder"),
            ),
            (
                Language::Java,
                "public <T> List<T> all(Class<T> c)",
                "all",
                Some("List<T>"),
            ),
            (Language::Java, "void run()", "run", None),
            (
                Language::Python,
                "def prepare(self) -> PreparedRequest:",
                "prepare",
                Some("PreparedRequest"),
            ),
            (Language::Python, "def f(x):", "f", None),
            (
                Language::TypeScript,
                "route(path: string): Hono<E, S>",
                "route",
                Some("Hono<E, S>"),
            ),
            (
                Language::Rust,
                "pub fn build(&self) -> Result<Searcher, Error>",
                "build",
                Some("Result<Searcher, Error>"),
            ),
            (
                Language::Rust,
                "pub fn new() -> Self where G: Default,",
                "new",
                Some("Self"),
            ),
            (Language::Rust, "fn new() -> Self", "new", Some("Self")),
            (
                Language::Go,
                "func (c *Command) Root() *Command",
                "Root",
                Some("*Command"),
            ),
            (
                Language::Go,
                "func New(x int) (*Thing, error)",
                "New",
                Some("*Thing"),
            ),
            (
                Language::Go,
                "func (c *Command) ExecuteC() (cmd *Command, err error)",
                "ExecuteC",
                Some("*Command"),
            ),
            (Language::Kotlin, "fun tree(): Tree =", "tree", Some("Tree")),
        ];
        for (language, sig, name, want) in cases {
            assert_eq!(
                return_type(&def(DefKind::Method, name, sig), language),
                want,
                "{sig}"
            );
        }
        // The last result, for the last name of `out, err := run()`.
        for (sig, name, want) in [
            ("func New(x int) (*Thing, error)", "New", "error"),
            (
                "func (c *Command) ExecuteC() (cmd *Command, err error)",
                "ExecuteC",
                "error",
            ),
        ] {
            assert_eq!(
                return_type_at(&def(DefKind::Method, name, sig), Language::Go, true),
                Some(want),
                "{sig}"
            );
        }
    }

    #[test]
    fn java_parameters_and_type_parameters_are_read() {
        let get = def(
            DefKind::Method,
            "get",
            "public static <T extends Foo, R> TypeVariableName get(final @Nullable(\"x\") String name, Map<K, V> m, TypeName... bounds)",
        );
        assert_eq!(
            java_parameters(&get),
            Some(vec![
                ("String", false),
                ("Map<K, V>", false),
                ("TypeName", true)
            ])
        );
        assert_eq!(type_parameters(&get), ["T", "R"]);
        let class = def(
            DefKind::Class,
            "Box",
            "public final class Box<E> implements List<E>",
        );
        assert_eq!(type_parameters(&class), ["E"]);
        let none = def(DefKind::Method, "run", "void run()");
        assert_eq!(java_parameters(&none), Some(vec![]));
        assert!(type_parameters(&none).is_empty());
    }

    #[test]
    fn aliases_and_generic_arguments_are_read() {
        let alias = def(
            DefKind::TypeAlias,
            "UnGraph",
            "pub type UnGraph<N, E, Ix = DefaultIx> = Graph<N, E, Undirected, Ix>;",
        );
        assert_eq!(alias_target(&alias), Some("Graph<N, E, Undirected, Ix>"));
        assert_eq!(without_generics("UnGraph::<&str, ()>::new"), "UnGraph::new");
        assert_eq!(
            without_generics("Acyclic::<DiGraph<usize, ()>>::new"),
            "Acyclic::new"
        );
        assert_eq!(without_generics("Vec<Box<dyn Fn() -> u8>>"), "Vec");
        assert_eq!(without_generics("a.b"), "a.b");
    }

    #[test]
    fn bases_are_read_from_class_headers() {
        let cases = [
            (
                Language::Java,
                "public final class ClassName extends TypeName implements Comparable<ClassName>",
                "ClassName",
                vec!["TypeName", "Comparable<ClassName>"],
            ),
            (
                Language::Python,
                "class Session(SessionRedirectMixin, metaclass=Meta):",
                "Session",
                vec!["SessionRedirectMixin"],
            ),
            (
                Language::TypeScript,
                "export class Hono<E extends Env = Env> extends HonoBase<E>",
                "Hono",
                vec!["HonoBase<E>"],
            ),
            (
                Language::Kotlin,
                "class Tree(val x: Int) : Forest(), Plant",
                "Tree",
                vec!["Forest()", "Plant"],
            ),
            (
                Language::CSharp,
                "public class Scanner : IScanner, IDisposable",
                "Scanner",
                vec!["IScanner", "IDisposable"],
            ),
            (
                Language::Ruby,
                "class Base < Sinatra::Base",
                "Base",
                vec!["Sinatra::Base"],
            ),
            (Language::Java, "class Plain", "Plain", vec![]),
        ];
        for (language, sig, name, want) in cases {
            assert_eq!(
                bases(&def(DefKind::Class, name, sig), language),
                want,
                "{sig}"
            );
        }
    }

    #[test]
    fn type_names_keep_only_what_to_look_members_up_in() {
        for (written, want) in [
            ("&mut Foo<T>", Some("Foo")),
            ("*pkg.Foo", Some("pkg.Foo")),
            ("Optional[Session]", Some("Session")),
            ("Session | None", Some("Session")),
            ("Context<E> | undefined", Some("Context")),
            ("\"Response\"", Some("Response")),
            ("(a: string) => void", None),
            ("{ x: number }", None),
            // Go's containers: what is taken from them.
            ("[]*Command", Some("Command")),
            ("[4]int", Some("int")),
            ("map[string]*pflag.Flag", Some("pflag.Flag")),
            ("Command[]", Some("Command")),
            ("[T; 4]", None),
        ] {
            assert_eq!(type_name(written), want, "{written}");
        }
    }

    #[test]
    fn bounds_are_split_at_the_plus_outside_brackets() {
        assert_eq!(split_bounds(" IndexType"), ["IndexType"]);
        assert_eq!(
            split_bounds(" IntoNeighbors<NodeId = N> + Visitable + 'a + ?Sized"),
            ["IntoNeighbors<NodeId = N>", "Visitable", "'a", "?Sized"]
        );
        assert_eq!(
            split_bounds(" Fn(A) -> Option<B> + Send"),
            ["Fn(A) -> Option<B>", "Send"]
        );
        assert_eq!(
            split_bounds(" for<'a> Walk<'a> + Clone"),
            ["for<'a> Walk<'a>", "Clone"]
        );
        assert!(split_bounds(" ").is_empty());
    }
}
