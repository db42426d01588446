//! Shell functions in stretches the Bash grammar could not read.
//!
//! zsh scripts and completions are read with the Bash grammar, and zsh's
//! own syntax (`(( $+functions[_x] )) || _x() {`, parameter flags such as
//! `${(f)"..."}`, `emulate` blocks) puts whole stretches of them into
//! error nodes, headers included. A function header is unambiguous on its
//! own line (`name() {`, `function name {`), which is how universal-ctags
//! reads every shell file; here such lines are read only inside the
//! stretches the parser gave up on, so what the grammar read stays as it
//! read it.

use tree_sitter::Node;

/// A function found by its header line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub name: String,
    /// Byte offset of the name in the source.
    pub name_start: usize,
    /// Bytes of the definition: from its line's first byte to the end of
    /// the line that closes it.
    pub start: usize,
    pub end: usize,
    /// 1-based lines.
    pub start_line: u32,
    pub end_line: u32,
    /// The header without its opening brace: `_rg_types()`.
    pub signature: String,
}

/// The longest name read (zsh allows odd names, not paragraphs).
const MAX_NAME: usize = 120;

/// Functions whose header line lies inside an error node of `root`.
pub(crate) fn unread_functions(root: Node<'_>, source: &[u8]) -> Vec<Header> {
    let rows = error_rows(root);
    if rows.is_empty() {
        return Vec::new();
    }
    let lines = line_starts(source);
    let mut out = Vec::new();
    for &(first, last) in &rows {
        for row in first..=last.min(lines.len().saturating_sub(1)) {
            let start = lines[row];
            let end = lines.get(row + 1).copied().unwrap_or(source.len());
            let Some((name, offset, signature)) = header(&source[start..end]) else {
                continue;
            };
            let (end_row, end_byte) = closing(source, &lines, row);
            out.push(Header {
                name,
                name_start: start + offset,
                start,
                end: end_byte,
                start_line: u32::try_from(row + 1).unwrap_or(u32::MAX),
                end_line: u32::try_from(end_row + 1).unwrap_or(u32::MAX),
                signature,
            });
        }
    }
    out.sort_by_key(|h| h.start);
    out.dedup_by_key(|h| h.start);
    out
}

/// Row ranges (0-based, inclusive) of the outermost error nodes, without
/// recursion.
fn error_rows(root: Node<'_>) -> Vec<(usize, usize)> {
    let mut rows = Vec::new();
    if !root.has_error() {
        return rows;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let down = if node.is_error() {
            rows.push((node.start_position().row, node.end_position().row));
            false
        } else {
            node.has_error() && cursor.goto_first_child()
        };
        if !down && !crate::extract::advance(&mut cursor) {
            return rows;
        }
    }
}

fn line_starts(source: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            source
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .filter(|&i| i < source.len())
        .collect()
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.' | b'+' | b'@')
}

/// `name() {`, `name ()`, `function name {`, `function name() {` at the
/// start of a line (after indentation), with nothing but an opening brace
/// or parenthesis, or the end of the line, after it: the name, its offset
/// in the line, and the header as a signature.
fn header(line: &[u8]) -> Option<(String, usize, String)> {
    let text = std::str::from_utf8(line).ok()?;
    let indent = text.len() - text.trim_start().len();
    let mut rest = &text[indent..];
    let keyword = rest.starts_with("function ") || rest.starts_with("function\t");
    if keyword {
        rest = rest["function".len()..].trim_start();
    }
    let name_len = rest.bytes().take_while(|b| is_name_byte(*b)).count();
    if name_len == 0 || name_len > MAX_NAME {
        return None;
    }
    let name = &rest[..name_len];
    // A name starts with a letter or `_` (zsh's `+x` or `-x` are options).
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let offset = text.len() - rest.len();
    let mut after = rest[name_len..].trim_start();
    let parens = after.starts_with("()");
    if parens {
        after = after[2..].trim_start();
    } else if let Some(inner) = after.strip_prefix('(') {
        // `name ( )`
        let inner = inner.trim_start();
        if !inner.starts_with(')') {
            return None;
        }
        after = inner[1..].trim_start();
    } else if !keyword {
        return None;
    }
    let after = after.trim_end();
    if !(after.is_empty() || after.starts_with('{') || after.starts_with('(')) {
        return None;
    }
    let header = text[indent..].trim_end();
    let signature = header
        .find('{')
        .map_or(header, |i| &header[..i])
        .trim_end()
        .to_owned();
    Some((name.to_owned(), offset, signature))
}

/// Where the function whose header is on `row` ends: the first later line
/// that starts (after indentation no deeper than the header's) with the
/// closing brace, or the header line itself when braces balance on it or
/// nothing closes it. Returns the row and the byte after that line.
fn closing(source: &[u8], lines: &[usize], row: usize) -> (usize, usize) {
    let line_end = |r: usize| lines.get(r + 1).copied().unwrap_or(source.len());
    let text = |r: usize| &source[lines[r]..line_end(r)];
    let indent = |bytes: &[u8]| {
        bytes
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count()
    };
    let head = text(row);
    let (opens, closes) = head.iter().fold((0, 0), |(o, c), b| match b {
        b'{' => (o + 1, c),
        b'}' => (o, c + 1),
        _ => (o, c),
    });
    if opens > 0 && opens == closes {
        return (row, line_end(row));
    }
    let depth = indent(head);
    for r in row + 1..lines.len() {
        let line = text(r);
        let i = indent(line);
        if line.get(i) == Some(&b'}') && i <= depth {
            return (r, line_end(r));
        }
    }
    (row, line_end(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_in_their_shell_forms() {
        let read = |line: &str| header(line.as_bytes());
        for (line, name, offset, signature) in [
            ("_rg_types() {\n", "_rg_types", 0, "_rg_types()"),
            ("  function deploy {\n", "deploy", 11, "function deploy"),
            ("function deploy() {\n", "deploy", 9, "function deploy()"),
            ("main ()\n", "main", 0, "main ()"),
        ] {
            let expected = (name.to_owned(), offset, signature.to_owned());
            assert_eq!(read(line), Some(expected), "{line:?}");
        }
        // Calls, assignments, tests and arrays are not headers.
        for line in [
            "main \"$@\"\n",
            "COMPREPLY=()\n",
            "(( $+functions[_rg_types] )) ||\n",
            "local -a specs=( x )\n",
            "echo() is not a header here\n",
            "-x() {\n",
            "function\n",
        ] {
            assert_eq!(read(line), None, "{line:?}");
        }
    }

    #[test]
    fn a_function_ends_at_the_brace_that_closes_it() {
        let source = b"f() {\n  if x; then\n    y\n  }\n}\ng() { a; }\n";
        let lines = line_starts(source);
        assert_eq!(closing(source, &lines, 0).0, 4);
        assert_eq!(closing(source, &lines, 5).0, 5);
    }
}
