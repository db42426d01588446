//! The attributes of nodes, edges and edge members: one serde struct per
//! kind, written as JSON in the `attrs` columns. Reading one that does not
//! decode is an error that names the node or edge, never a default.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::VocabError;

/// A kind of definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    Function,
    Method,
    Class,
    Struct,
    Enum,
    Trait,
    Interface,
    #[serde(rename = "type")]
    Type,
    Module,
    Macro,
}

impl SymbolKind {
    pub const ALL: &'static [SymbolKind] = &[
        SymbolKind::Function,
        SymbolKind::Method,
        SymbolKind::Class,
        SymbolKind::Struct,
        SymbolKind::Enum,
        SymbolKind::Trait,
        SymbolKind::Interface,
        SymbolKind::Type,
        SymbolKind::Module,
        SymbolKind::Macro,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SymbolKind::Function => "function",
            SymbolKind::Method => "method",
            SymbolKind::Class => "class",
            SymbolKind::Struct => "struct",
            SymbolKind::Enum => "enum",
            SymbolKind::Trait => "trait",
            SymbolKind::Interface => "interface",
            SymbolKind::Type => "type",
            SymbolKind::Module => "module",
            SymbolKind::Macro => "macro",
        }
    }

    #[must_use]
    pub fn from_name(name: &str) -> Option<SymbolKind> {
        SymbolKind::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// A symbol node. Stored as a JSON array in the field order below,
/// `[kind, name, line, end, signature, exported, doc, parent]` (absent
/// ones `null`): a symbol's attributes are the bulk of the nodes table,
/// and the keys of an object were a third of them. An object with these
/// keys, as indexes before it stored, reads too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "SymbolRow", from = "StoredSymbol")]
pub struct SymbolAttrs {
    pub kind: SymbolKind,
    /// The name as written.
    pub name: String,
    /// First and last line, 1-based.
    pub line: u32,
    pub end: u32,
    /// The declaration's first line, trimmed.
    pub signature: String,
    pub exported: bool,
    pub doc: Option<String>,
    /// The enclosing definition's qualified name.
    pub parent: Option<String>,
}

/// A symbol's attributes as stored: a JSON array.
#[derive(Serialize, Deserialize)]
struct SymbolRow(
    SymbolKind,
    String,
    u32,
    u32,
    String,
    bool,
    Option<String>,
    Option<String>,
);

/// A symbol's attributes as an index holds them: an array, or an object
/// (what indexes stored before the array).
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredSymbol {
    Row(SymbolRow),
    Object(SymbolObject),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SymbolObject {
    kind: SymbolKind,
    name: String,
    line: u32,
    end: u32,
    signature: String,
    exported: bool,
    #[serde(default)]
    doc: Option<String>,
    #[serde(default)]
    parent: Option<String>,
}

impl From<SymbolAttrs> for SymbolRow {
    fn from(a: SymbolAttrs) -> SymbolRow {
        SymbolRow(
            a.kind,
            a.name,
            a.line,
            a.end,
            a.signature,
            a.exported,
            a.doc,
            a.parent,
        )
    }
}

impl From<SymbolRow> for SymbolAttrs {
    fn from(row: SymbolRow) -> SymbolAttrs {
        let SymbolRow(kind, name, line, end, signature, exported, doc, parent) = row;
        SymbolAttrs {
            kind,
            name,
            line,
            end,
            signature,
            exported,
            doc,
            parent,
        }
    }
}

impl From<StoredSymbol> for SymbolAttrs {
    fn from(stored: StoredSymbol) -> SymbolAttrs {
        match stored {
            StoredSymbol::Row(row) => row.into(),
            StoredSymbol::Object(o) => SymbolRow(
                o.kind,
                o.name,
                o.line,
                o.end,
                o.signature,
                o.exported,
                o.doc,
                o.parent,
            )
            .into(),
        }
    }
}

/// How a file is kept in git, when it is not a plain file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileMode {
    Executable,
    Symlink,
}

/// A file node at HEAD.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAttrs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<FileMode>,
}

/// A directory node at HEAD.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirAttrs {
    /// Submodules directly inside it (paths), which are not files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub submodules: Vec<String>,
}

/// A `depends` edge from one file to another: what it is made of.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DependsAttrs {
    pub imports: u32,
    /// Σ of the calls' confidences.
    pub calls: f64,
    pub types: u32,
}

/// A `co_change` edge between two files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoChangeAttrs {
    /// Commits that changed both.
    pub shared: u32,
    /// Commits of each file, in member order.
    pub revisions: [u32; 2],
}

/// A `community` edge over the files of one community.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityAttrs {
    pub name: String,
    pub size: u32,
}

/// The JSON text of attributes, `None` when they say nothing (`{}`).
#[must_use]
pub fn encode<T: Serialize>(attrs: &T) -> Option<String> {
    // Attribute structs are plain data: serializing cannot fail.
    let text = serde_json::to_string(attrs).expect("attributes serialize");
    (text != "{}").then_some(text)
}

/// Decodes the attributes of a node or edge; `what` names it, called only
/// for the error (a read of 30,000 symbols formats no name). Absent
/// attributes decode as `{}`.
pub fn decode<T: DeserializeOwned>(
    what: impl FnOnce() -> String,
    attrs: Option<&str>,
) -> Result<T, VocabError> {
    serde_json::from_str(attrs.unwrap_or("{}")).map_err(|e| VocabError::BadAttrs {
        what: what(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_round_trip_and_empty_ones_are_absent() {
        assert_eq!(encode(&FileAttrs::default()), None);
        let exe = FileAttrs {
            mode: Some(FileMode::Executable),
        };
        assert_eq!(encode(&exe).as_deref(), Some(r#"{"mode":"executable"}"#));
        assert_eq!(
            decode::<FileAttrs>(|| "file 'x'".to_owned(), Some(r#"{"mode":"executable"}"#))
                .expect("decodes"),
            exe
        );
        assert_eq!(
            decode::<FileAttrs>(|| "file 'x'".to_owned(), None).expect("absent"),
            FileAttrs::default()
        );
    }

    #[test]
    fn attributes_that_do_not_decode_name_their_owner() {
        let err = decode::<SymbolAttrs>(
            || "symbol 'src/a.rs::f'".to_owned(),
            Some(r#"{"kind":"function"}"#),
        )
        .expect_err("fields missing");
        assert!(err.to_string().contains("symbol 'src/a.rs::f'"), "{err}");
        assert!(err.to_string().contains("rebuild"), "{err}");
    }

    /// A symbol's attributes are written as an array and read back; the
    /// object indexes stored before reads as the same attributes.
    #[test]
    fn symbol_attributes_are_an_array_and_the_old_object_reads() {
        let attrs = SymbolAttrs {
            kind: SymbolKind::Method,
            name: "get".to_owned(),
            line: 3,
            end: 9,
            signature: "def get(self, key):".to_owned(),
            exported: true,
            doc: None,
            parent: Some("Jar".to_owned()),
        };
        let text = encode(&attrs).expect("not empty");
        assert_eq!(
            text,
            r#"["method","get",3,9,"def get(self, key):",true,null,"Jar"]"#
        );
        let what = || "symbol 'a.py::Jar.get'".to_owned();
        assert_eq!(
            decode::<SymbolAttrs>(what, Some(&text)).expect("array"),
            attrs
        );
        let object = r#"{"kind":"method","name":"get","line":3,"end":9,"signature":"def get(self, key):","exported":true,"parent":"Jar"}"#;
        assert_eq!(
            decode::<SymbolAttrs>(what, Some(object)).expect("object"),
            attrs
        );
        assert!(decode::<SymbolAttrs>(what, Some(r#"["method","get",3]"#)).is_err());
    }

    #[test]
    fn symbol_kinds_round_trip() {
        for &k in SymbolKind::ALL {
            assert_eq!(SymbolKind::from_name(k.name()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).expect("serializes"),
                format!("\"{}\"", k.name())
            );
        }
    }
}
