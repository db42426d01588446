//! C and C++ macros that hide declarations from the grammar.
//!
//! A parser that does not run the preprocessor sees `FMT_BEGIN_NAMESPACE`
//! as a stray word, `FMT_EXPORT template <...> class X` and `int
//! CJSON_CDECL main(void)` as syntax errors, and drops what error recovery
//! swallows. Such macros have a shape: an all-capitals name standing alone
//! on a line, or right before a keyword that starts a declaration, or
//! between a declaration's type (or `class`/`struct`) and its name, or
//! between `if` and its condition (`if FMT_CONSTEXPR20 (x)`, which the
//! grammar reads as a function, ending the class around it). Those
//! words are turned into spaces (every other byte, every line and column
//! stays where it is), and the extractor keeps whichever of the two parses
//! has fewer errors, so a word that was a type after all costs nothing.

/// Keywords a declaration can start with: a capitalised word right before
/// one is an attribute or export macro.
const STARTS_DECLARATION: &[&str] = &[
    "template",
    "class",
    "struct",
    "union",
    "enum",
    "namespace",
    "typedef",
    "inline",
    "static",
    "extern",
    "constexpr",
    "consteval",
    "const",
    "virtual",
    "explicit",
    "friend",
    "void",
    "auto",
    "int",
    "char",
    "bool",
    "unsigned",
    "signed",
    "long",
    "short",
    "float",
    "double",
    "using",
];

/// Whether a word looks like a macro: capitals, digits and underscores,
/// with an underscore or at least five characters (so that template
/// parameters such as `T` or `KEY` stay).
fn macro_like(word: &[u8]) -> bool {
    word.iter().any(u8::is_ascii_uppercase)
        && word
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
        && (word.contains(&b'_') && word.len() >= 3 || word.len() >= 5)
}

/// A token of one line: a word (identifier or keyword) or one other byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Word(usize, usize),
    Other(u8),
}

/// A source with its macro-shaped words turned into spaces, and where.
pub(crate) struct Blanked {
    pub(crate) bytes: Vec<u8>,
    /// The stretches blanked, in order: each keeps its length, so a tree
    /// of the source edited by these parses the blanked text anew only
    /// around them.
    pub(crate) edits: Vec<tree_sitter::InputEdit>,
}

impl Blanked {
    fn blank(&mut self, row: usize, line_start: usize, from: usize, to: usize) {
        for byte in &mut self.bytes[line_start + from..line_start + to] {
            *byte = b' ';
        }
        let start = tree_sitter::Point::new(row, from);
        let end = tree_sitter::Point::new(row, to);
        self.edits.push(tree_sitter::InputEdit {
            start_byte: line_start + from,
            old_end_byte: line_start + to,
            new_end_byte: line_start + to,
            start_position: start,
            old_end_position: end,
            new_end_position: end,
        });
    }
}

/// The source with macro-shaped words blanked, or `None` when there is
/// none.
pub(crate) fn blank(source: &[u8]) -> Option<Blanked> {
    let mut out: Option<Blanked> = None;
    let mut blanked = |row, line_start, from, to| {
        out.get_or_insert_with(|| Blanked {
            bytes: source.to_vec(),
            edits: Vec::new(),
        })
        .blank(row, line_start, from, to);
    };
    let mut in_block_comment = false;
    let mut continued_directive = false;
    let mut start = 0;
    let mut row = 0;
    while start < source.len() {
        let end = source[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(source.len(), |i| start + i);
        let line = &source[start..end];
        let trimmed_start = line.iter().position(|b| !b.is_ascii_whitespace());
        let directive = continued_directive || trimmed_start.is_some_and(|i| line[i] == b'#');
        continued_directive = directive && line.trim_ascii_end().ends_with(b"\\");
        if !directive {
            let tokens = tokens(line, &mut in_block_comment);
            if let Some((from, to)) = statement_macro(line, &tokens) {
                blanked(row, start, from, to);
            } else {
                for (i, token) in tokens.iter().enumerate() {
                    let Token::Word(from, to) = *token else {
                        continue;
                    };
                    if macro_like(&line[from..to]) && hides_declaration(line, &tokens, i) {
                        blanked(row, start, from, to);
                    }
                }
            }
        }
        start = end + 1;
        row += 1;
    }
    out
}

/// The end of a macro invoked as a line of its own, with no semicolon
/// after it (`FMT_PRAGMA_GCC(push_options)`, `DECLARE_TYPE(int, x)`):
/// such a line is a declaration or nothing once expanded, and the grammar
/// reads it as an unfinished statement that swallows what follows.
///
/// Also a macro at the start of a line whose arguments hold a type
/// keyword, with its semicolon (`DECLARE_KIND(unsigned char, kInteger);`):
/// no call takes a type, so this declares something.
fn statement_macro(line: &[u8], tokens: &[Token]) -> Option<(usize, usize)> {
    if let [
        Token::Word(0, b),
        Token::Other(b'('),
        inner @ ..,
        Token::Other(b')'),
        Token::Other(b';'),
    ] = tokens
        && macro_like(&line[..*b])
        && declares_with_types(line, inner)
    {
        let end = line
            .iter()
            .rposition(|&c| c == b';')
            .map_or(line.len(), |i| i + 1);
        return Some((0, end));
    }
    let [
        Token::Word(a, b),
        Token::Other(b'('),
        ..,
        Token::Other(b')'),
    ] = tokens
    else {
        return None;
    };
    if !macro_like(&line[*a..*b]) {
        return None;
    }
    // The parenthesis opened after the name closes at the last token.
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(1) {
        match token {
            Token::Other(b'(') => depth += 1,
            Token::Other(b')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 && i + 1 != tokens.len() {
                    return None;
                }
            }
            _ => {}
        }
    }
    let trimmed = line.trim_ascii_end();
    (depth == 0 && trimmed.ends_with(b")")).then_some((*a, trimmed.len()))
}

/// Whether the arguments `inner` (between a macro's parentheses) are
/// balanced and hold a type keyword outside any inner parenthesis.
fn declares_with_types(line: &[u8], inner: &[Token]) -> bool {
    const TYPES: &[&[u8]] = &[
        b"bool",
        b"char",
        b"short",
        b"int",
        b"long",
        b"float",
        b"double",
        b"void",
        b"signed",
        b"unsigned",
        b"struct",
        b"class",
        b"typename",
        b"wchar_t",
    ];
    let mut depth = 0usize;
    let mut typed = false;
    for token in inner {
        match *token {
            Token::Other(b'(') => depth += 1,
            Token::Other(b')') => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Token::Word(a, b) if depth == 0 && TYPES.contains(&&line[a..b]) => typed = true,
            _ => {}
        }
    }
    depth == 0 && typed
}

/// Whether the macro-like word at `i` stands where a declaration's
/// grammar has no room for it.
fn hides_declaration(line: &[u8], tokens: &[Token], i: usize) -> bool {
    let word = |t: Option<&Token>| match t {
        Some(Token::Word(a, b)) => Some(&line[*a..*b]),
        _ => None,
    };
    let before = i.checked_sub(1).map(|j| &tokens[j]);
    let after = tokens.get(i + 1);
    // Alone on its line, perhaps with a semicolon: `FMT_BEGIN_NAMESPACE`.
    if before.is_none() && matches!(after, None | Some(Token::Other(b';'))) {
        return tokens.len() <= 2;
    }
    let next = word(after);
    let previous = word(before);
    // Between `if` and its condition: `if FMT_CONSTEXPR20 (cond)`, C++17's
    // `if constexpr` where the compiler has it. Left in, the grammar reads
    // a function there and ends the class around it early.
    if previous == Some(b"if".as_slice()) && matches!(after, Some(Token::Other(b'('))) {
        return true;
    }
    // Before a keyword that starts a declaration (`FMT_EXPORT template`),
    // or before another macro (`FMT_CONSTEVAL FMT_INLINE fstring(...)`).
    if next.is_some_and(|w| STARTS_DECLARATION.iter().any(|k| k.as_bytes() == w) || macro_like(w))
        && before.is_none_or(|t| matches!(t, Token::Word(..)))
    {
        return true;
    }
    // First on a line that declares something with a type after it:
    // `FMT_API std::string vformat(...)`.
    if before.is_none() && next.is_some() && tokens.contains(&Token::Other(b'(')) {
        return true;
    }
    // Between `class`/`struct` (or a type) and a name followed by `{`,
    // `:` or `(`: `class FMT_API buffer {`, `int CJSON_CDECL main(void)`.
    let then = tokens.get(i + 2);
    previous.is_some() && next.is_some() && matches!(then, Some(Token::Other(b'{' | b':' | b'(')))
}

/// The tokens of one line outside comments and literals.
fn tokens(line: &[u8], in_block_comment: &mut bool) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        if *in_block_comment {
            match line[i..].windows(2).position(|w| w == b"*/") {
                Some(j) => {
                    i += j + 2;
                    *in_block_comment = false;
                }
                None => return out,
            }
            continue;
        }
        let b = line[i];
        if line[i..].starts_with(b"//") {
            return out;
        }
        if line[i..].starts_with(b"/*") {
            *in_block_comment = true;
            i += 2;
            continue;
        }
        if b == b'"' || b == b'\'' {
            // A literal: to its closing quote on this line.
            let mut j = i + 1;
            while j < line.len() && line[j] != b {
                j += if line[j] == b'\\' { 2 } else { 1 };
            }
            out.push(Token::Other(b));
            i = j + 1;
            continue;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            let start = i;
            while i < line.len() && (line[i].is_ascii_alphanumeric() || line[i] == b'_') {
                i += 1;
            }
            out.push(Token::Word(start, i));
            continue;
        }
        if !b.is_ascii_whitespace() {
            out.push(Token::Other(b));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blanked(source: &str) -> String {
        blank(source.as_bytes()).map_or_else(
            || source.to_owned(),
            |b| String::from_utf8(b.bytes).expect("utf-8"),
        )
    }

    #[test]
    fn macros_in_declaring_places_become_spaces() {
        assert_eq!(blanked("FMT_BEGIN_NAMESPACE\n"), "                   \n");
        assert_eq!(
            blanked("FMT_EXPORT template <typename T> class X {};\n"),
            "           template <typename T> class X {};\n"
        );
        assert_eq!(
            blanked("int CJSON_CDECL main(void) {\n"),
            "int             main(void) {\n"
        );
        assert_eq!(
            blanked("class FMT_API buffer : base {\n"),
            "class         buffer : base {\n"
        );
        assert_eq!(
            blanked("FMT_CONSTEXPR20 void grow(size_t n);\n"),
            "                void grow(size_t n);\n"
        );
        assert_eq!(
            blanked("  FMT_CONSTEVAL FMT_ALWAYS_INLINE fstring(const S& s) {\n"),
            "                                  fstring(const S& s) {\n"
        );
        assert_eq!(
            blanked("FMT_API std::string vformat(string_view fmt);\n"),
            "        std::string vformat(string_view fmt);\n"
        );
        assert_eq!(
            blanked("FMT_PRAGMA_MSVC(warning(disable : 4702))\n"),
            "                                        \n"
        );
        assert_eq!(
            blanked("  if FMT_CONSTEXPR20 (need_copy<T>::value) {\n"),
            "  if                 (need_copy<T>::value) {\n"
        );
        assert_eq!(
            blanked("GMOCK_DECLARE_KIND_(unsigned char, kInteger);  // NOLINT\n"),
            format!("{}// NOLINT\n", " ".repeat(47))
        );
    }

    #[test]
    fn everything_else_stays() {
        for line in [
            "#define FMT_API __attribute__((visibility(\"default\")))\n",
            "  if (FMT_CONSTEXPR20) {\n",
            "static const int MAX_SIZE = 10;\n",
            "template <typename T> T max(T a, T b);\n",
            "return NULL;\n",
            "FILE *open_file(const char *path);\n",
            "  // FMT_BEGIN_NAMESPACE in a comment\n",
            "const char *s = \"FMT_API class X {\";\n",
            "x = MAX_VALUE;\n",
            "ASSERT_EQ(a, b);\n",
            "CHECK(sizeof(int) == 4);\n",
            "  DECLARE_KIND(unsigned char, kInteger);\n",
            "FOO_BAR(a) + 1\n",
            "CHECK(x) // comment\n",
        ] {
            assert_eq!(blanked(line), line, "{line}");
        }
        // A directive continued over lines stays whole.
        let define = "#define FMT_BEGIN_NAMESPACE \\\n  namespace fmt {     \\\n  FMT_INLINE_NS\n";
        assert_eq!(blanked(define), define);
    }
}
