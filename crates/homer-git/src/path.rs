//! Paths inside a repository: bytes, as git stores them, with one text name.

use std::borrow::Cow;
use std::fmt;

/// A path relative to the repository root, as the bytes git stores (not
/// necessarily UTF-8). The root is the empty path.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepoPath(Vec<u8>);

impl RepoPath {
    #[must_use]
    pub fn root() -> Self {
        RepoPath(Vec::new())
    }

    #[must_use]
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        RepoPath(bytes)
    }

    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    #[must_use]
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path of a child entry.
    #[must_use]
    pub fn join(&self, name: &[u8]) -> Self {
        let mut bytes = Vec::with_capacity(self.0.len() + 1 + name.len());
        bytes.extend_from_slice(&self.0);
        if !bytes.is_empty() {
            bytes.push(b'/');
        }
        bytes.extend_from_slice(name);
        RepoPath(bytes)
    }

    /// The text name Homer stores and prints. A UTF-8 path without control
    /// characters, quotes or backslashes is itself; any other path is quoted
    /// as git quotes it: in double quotes with C escapes, as
    /// `core.quotePath=false` prints UTF-8 names, and with bytes that are not
    /// UTF-8 in octal, as `core.quotePath=true` prints them (the name must be
    /// text). Unquoted names never contain `"`, so the mapping is one-to-one.
    #[must_use]
    pub fn name(&self) -> Cow<'_, str> {
        match std::str::from_utf8(&self.0) {
            Ok(s) if !self.0.iter().copied().any(needs_quoting) => Cow::Borrowed(s),
            _ => Cow::Owned(quote(&self.0)),
        }
    }
}

impl RepoPath {
    /// The inverse of [`RepoPath::name`]: the path a stored name stands for.
    /// `None` for text that `name` never produces.
    #[must_use]
    pub fn from_name(name: &str) -> Option<RepoPath> {
        let Some(inner) = name.strip_prefix('"') else {
            return (!name.bytes().any(needs_quoting)).then(|| RepoPath(name.as_bytes().to_vec()));
        };
        let inner = inner.strip_suffix('"')?;
        let mut out = Vec::with_capacity(inner.len());
        let mut bytes = inner.bytes();
        while let Some(b) = bytes.next() {
            if b != b'\\' {
                out.push(b);
                continue;
            }
            let escaped = match bytes.next()? {
                b'a' => 0x07,
                b'b' => 0x08,
                b't' => b'\t',
                b'n' => b'\n',
                b'v' => 0x0b,
                b'f' => 0x0c,
                b'r' => b'\r',
                b'"' => b'"',
                b'\\' => b'\\',
                d @ b'0'..=b'3' => {
                    let (d2, d3) = (bytes.next()?, bytes.next()?);
                    if !(b'0'..=b'7').contains(&d2) || !(b'0'..=b'7').contains(&d3) {
                        return None;
                    }
                    (d - b'0') * 64 + (d2 - b'0') * 8 + (d3 - b'0')
                }
                _ => return None,
            };
            out.push(escaped);
        }
        Some(RepoPath(out))
    }
}

fn needs_quoting(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f
}

fn quote(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\x0b' => out.push_str("\\v"),
                '\x0c' => out.push_str("\\f"),
                '\r' => out.push_str("\\r"),
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 || c == '\x7f' => {
                    let _ = write!(out, "\\{:03o}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\{b:03o}");
        }
    }
    out.push('"');
    out
}

impl fmt::Display for RepoPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl fmt::Debug for RepoPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RepoPath({})", self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::RepoPath;

    #[test]
    fn join_builds_child_paths() {
        let root = RepoPath::root();
        let src = root.join(b"src");
        assert_eq!(src.name(), "src");
        assert_eq!(src.join(b"lib.rs").name(), "src/lib.rs");
        assert_eq!(root.name(), "");
    }

    #[test]
    fn from_name_inverts_name() {
        let samples: &[&[u8]] = &[
            b"src/main.rs",
            b"latin1-\xe9.txt",
            b"tab\there/\"q\"\\",
            b"\x01\x7f\xff\xfe",
            b"caf\xc3\xa9/\xe9",
            b"",
        ];
        for bytes in samples {
            let path = RepoPath::from_bytes(bytes.to_vec());
            assert_eq!(RepoPath::from_name(&path.name()).as_ref(), Some(&path));
        }
        assert_eq!(RepoPath::from_name("\"unterminated"), None);
        assert_eq!(RepoPath::from_name("\"bad\\q\""), None);
    }
}
