//! Per-node values: every name the stages write, each with its type, and
//! the typed reading of a node's stored values.
//!
//! A value is written and read through a [`Key`], which carries the Rust
//! type of the value, so a metric cannot be written as an integer by one
//! stage and read as a real by a command. A stored value whose name is
//! unknown or whose type is wrong is an error that names the node: a
//! silent default would hide a damaged or mismatched index.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use homer_store::{NodeId, StoreError, TaskWriter, Value};
use serde::{Deserialize, Serialize};

use crate::VocabError;
use crate::role::{FileRole, SalienceClass, SkipReason};

/// How a value is kept in the `node_values` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    Int,
    Real,
    Text,
    /// Text holding a JSON document.
    Json,
    /// Bytes: [`HistoryFigures`], packed.
    Bytes,
}

/// A Rust type that is stored as a node value.
pub trait ValueType: Sized {
    const STORAGE: Storage;
    fn to_value(&self) -> Value;
    /// `None` when the stored value is not of this type.
    fn from_value(value: &Value) -> Option<Self>;
}

impl ValueType for i64 {
    const STORAGE: Storage = Storage::Int;
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
    fn from_value(value: &Value) -> Option<Self> {
        value.as_int()
    }
}

impl ValueType for f64 {
    const STORAGE: Storage = Storage::Real;
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Real(v) => Some(*v),
            _ => None,
        }
    }
}

impl ValueType for String {
    const STORAGE: Storage = Storage::Text;
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
    fn from_value(value: &Value) -> Option<Self> {
        value.as_text().map(str::to_owned)
    }
}

/// A value kept as the JSON text of `T`.
#[derive(Clone, Debug, PartialEq)]
pub struct Json<T>(pub T);

impl<T: Serialize + for<'de> Deserialize<'de>> ValueType for Json<T> {
    const STORAGE: Storage = Storage::Json;
    fn to_value(&self) -> Value {
        // Serializing plain data (strings, numbers, lists) cannot fail.
        Value::Text(serde_json::to_string(&self.0).expect("plain data serializes"))
    }
    fn from_value(value: &Value) -> Option<Self> {
        // Not this shape: `None`, which `Values::get` turns into an error
        // naming the node.
        serde_json::from_str(value.as_text()?).ok().map(Json)
    }
}

/// Text values with a fixed vocabulary are stored by name.
macro_rules! text_enum_value {
    ($($ty:ty),*) => {$(
        impl ValueType for $ty {
            const STORAGE: Storage = Storage::Text;
            fn to_value(&self) -> Value {
                Value::Text(self.name().to_owned())
            }
            fn from_value(value: &Value) -> Option<Self> {
                <$ty>::from_name(value.as_text()?)
            }
        }
    )*};
}
text_enum_value!(FileRole, SalienceClass, SkipReason);

/// One owner of a file or directory: (author key, added lines, commits).
pub type Owner = (String, u64, u32);

/// A file's or directory's history figures, which one task writes together
/// and readers read together: kept in one row (`history`) rather than
/// eleven, each of which cost some 28 bytes of key, owner and cell before
/// its value (since `file_history` and `dir_history` version 4; 5.5 of the
/// synthetic repository's 75 MB). A reader never sees the row:
/// [`Values::decode`] hands each figure on under its own name, as before.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryFigures {
    pub commits: i64,
    pub lines_added: i64,
    pub lines_deleted: i64,
    pub authors: i64,
    pub first_change: i64,
    pub last_change: i64,
    pub main_author: String,
    pub main_author_share: f64,
    pub fragmentation: f64,
    pub owners: Vec<Owner>,
    pub recent_commits: Vec<String>,
}

/// [`HistoryFigures`] as stored (postcard): commit ids as their bytes, the
/// main author left out when it is the first owner (it always is: both
/// rank authors by added lines, then commits, then key). The fields' order
/// is the stored format, and [`StoredHead`] and
/// [`HistoryFigures::commits_of`] read its front: a change here is a new
/// version of the tasks that write it, and of those two.
#[derive(Serialize, Deserialize)]
struct StoredFigures {
    commits: i64,
    lines_added: i64,
    lines_deleted: i64,
    authors: i64,
    first_change: i64,
    last_change: i64,
    main_author: Option<String>,
    main_author_share: f64,
    fragmentation: f64,
    owners: Vec<Owner>,
    recent_commits: Vec<StoredId>,
}

/// A commit id: its bytes when it is lowercase hex (every id git writes),
/// else its text.
#[derive(Serialize, Deserialize)]
enum StoredId {
    Hex(Vec<u8>),
    Text(String),
}

impl StoredId {
    fn of(id: &str) -> StoredId {
        let hex = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let bytes: Option<Vec<u8>> = id
            .len()
            .is_multiple_of(2)
            .then(|| {
                id.as_bytes()
                    .chunks(2)
                    .map(|p| Some(hex(p[0])? << 4 | hex(p[1])?))
                    .collect()
            })
            .flatten();
        match bytes {
            Some(b) if !b.is_empty() => StoredId::Hex(b),
            _ => StoredId::Text(id.to_owned()),
        }
    }

    fn text(self) -> String {
        match self {
            StoredId::Hex(bytes) => {
                // By table, not `write!`: salience and every file row read
                // five of these for each file (at kernel size, 2% of an
                // update's samples went to formatting them).
                const DIGITS: &[u8; 16] = b"0123456789abcdef";
                let mut text = String::with_capacity(bytes.len() * 2);
                for b in bytes {
                    text.push(char::from(DIGITS[usize::from(b >> 4)]));
                    text.push(char::from(DIGITS[usize::from(b & 0xf)]));
                }
                text
            }
            StoredId::Text(text) => text,
        }
    }
}

impl ValueType for HistoryFigures {
    const STORAGE: Storage = Storage::Bytes;
    fn to_value(&self) -> Value {
        let first_owner = self.owners.first().map(|o| o.0.as_str());
        let stored = StoredFigures {
            commits: self.commits,
            lines_added: self.lines_added,
            lines_deleted: self.lines_deleted,
            authors: self.authors,
            first_change: self.first_change,
            last_change: self.last_change,
            main_author: (first_owner != Some(self.main_author.as_str()))
                .then(|| self.main_author.clone()),
            main_author_share: self.main_author_share,
            fragmentation: self.fragmentation,
            owners: self.owners.clone(),
            recent_commits: self
                .recent_commits
                .iter()
                .map(|id| StoredId::of(id))
                .collect(),
        };
        // Plain data (numbers, strings, lists) always serializes.
        Value::Bytes(postcard::to_allocvec(&stored).expect("plain data serializes"))
    }
    fn from_value(value: &Value) -> Option<Self> {
        let Value::Bytes(bytes) = value else {
            return None;
        };
        let s: StoredFigures = postcard::from_bytes(bytes).ok()?;
        let main_author = match s.main_author {
            Some(main) => main,
            None => s.owners.first()?.0.clone(),
        };
        Some(HistoryFigures {
            commits: s.commits,
            lines_added: s.lines_added,
            lines_deleted: s.lines_deleted,
            authors: s.authors,
            first_change: s.first_change,
            last_change: s.last_change,
            main_author,
            main_author_share: s.main_author_share,
            fragmentation: s.fragmentation,
            owners: s.owners,
            recent_commits: s.recent_commits.into_iter().map(StoredId::text).collect(),
        })
    }
}

/// What salience reads of a file's history figures: read from the front of
/// the stored row, without its recent commits.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryHead {
    pub commits: i64,
    pub last_change: i64,
    pub main_author: String,
    pub main_author_share: f64,
}

/// The front of [`StoredFigures`], up to its owners (postcard reads fields
/// in order, and leaves what follows).
#[derive(Deserialize)]
struct StoredHead {
    commits: i64,
    _lines_added: i64,
    _lines_deleted: i64,
    _authors: i64,
    _first_change: i64,
    last_change: i64,
    main_author: Option<String>,
    main_author_share: f64,
    _fragmentation: f64,
    owners: Vec<Owner>,
}

impl HistoryHead {
    /// The head of a stored `history` value; `None` when it is not one.
    #[must_use]
    pub fn of(value: &Value) -> Option<HistoryHead> {
        let Value::Bytes(bytes) = value else {
            return None;
        };
        let (s, _) = postcard::take_from_bytes::<StoredHead>(bytes).ok()?;
        let main_author = match s.main_author {
            Some(main) => main,
            None => s.owners.into_iter().next()?.0,
        };
        Some(HistoryHead {
            commits: s.commits,
            last_change: s.last_change,
            main_author,
            main_author_share: s.main_author_share,
        })
    }
}

impl HistoryFigures {
    /// The commits of a stored `history` value alone, without reading the
    /// rest (they come first): what a churn rank over every file needs.
    #[must_use]
    pub fn commits_of(value: &Value) -> Option<i64> {
        let Value::Bytes(bytes) = value else {
            return None;
        };
        postcard::take_from_bytes::<i64>(bytes).ok().map(|(n, _)| n)
    }

    /// Each figure under its own name, as [`Values`] holds it.
    fn unpacked(self) -> [(ValueName, Value); 11] {
        // Plain data (strings and numbers) always serializes.
        let owners = serde_json::to_string(&self.owners).expect("plain data serializes");
        let recent = serde_json::to_string(&self.recent_commits).expect("plain data serializes");
        [
            (ValueName::Commits, Value::Int(self.commits)),
            (ValueName::LinesAdded, Value::Int(self.lines_added)),
            (ValueName::LinesDeleted, Value::Int(self.lines_deleted)),
            (ValueName::Authors, Value::Int(self.authors)),
            (ValueName::FirstChange, Value::Int(self.first_change)),
            (ValueName::LastChange, Value::Int(self.last_change)),
            (ValueName::MainAuthor, Value::Text(self.main_author)),
            (
                ValueName::MainAuthorShare,
                Value::Real(self.main_author_share),
            ),
            (ValueName::Fragmentation, Value::Real(self.fragmentation)),
            (ValueName::Owners, Value::Text(owners)),
            (ValueName::RecentCommits, Value::Text(recent)),
        ]
    }
}

macro_rules! value_names {
    ($($(#[$doc:meta])* $variant:ident = $name:literal : $ty:ty => $key:ident;)*) => {
        /// The name of a stored value.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ValueName {
            $($(#[$doc])* $variant,)*
        }

        impl ValueName {
            pub const ALL: &'static [ValueName] = &[$(ValueName::$variant,)*];

            /// The name in the `node_values` table.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(ValueName::$variant => $name,)*
                }
            }

            #[must_use]
            pub fn from_name(name: &str) -> Option<ValueName> {
                match name {
                    $($name => Some(ValueName::$variant),)*
                    _ => None,
                }
            }

            /// How the value is stored.
            #[must_use]
            pub fn storage(self) -> Storage {
                match self {
                    $(ValueName::$variant => <$ty as ValueType>::STORAGE,)*
                }
            }
        }

        /// The typed key of every value.
        pub mod keys {
            use super::*;
            $($(#[$doc])* pub const $key: Key<$ty> = Key::new(ValueName::$variant);)*
        }
    };
}

value_names! {
    /// Files: the language a parsed file is read as (a stored language
    /// name, see [`crate::language_label`]).
    Language = "language": String => LANGUAGE;
    /// Files: why a file that may hold code was not parsed.
    Skipped = "skipped": SkipReason => SKIPPED;
    /// Files: syntax errors the parser recovered from.
    ParseErrors = "parse_errors": i64 => PARSE_ERRORS;
    /// Files: how many words the path of a production code file names
    /// ([`crate::text::for_each_naming_word`]); none on other files. A
    /// task context weighs its words against all paths' words, and splits
    /// only the paths that may hold one of them, counting the others' from
    /// these.
    PathWords = "path_words": i64 => PATH_WORDS;
    /// Files: calls resolved to one definition.
    CallsCertain = "calls_certain": i64 => CALLS_CERTAIN;
    /// Files: calls resolved by name alone.
    CallsGuessed = "calls_guessed": i64 => CALLS_GUESSED;
    /// Files: calls to nothing the repository defines.
    CallsUnresolved = "calls_unresolved": i64 => CALLS_UNRESOLVED;
    /// Files and directories: commits that changed them (following renames).
    Commits = "commits": i64 => COMMITS;
    LinesAdded = "lines_added": i64 => LINES_ADDED;
    LinesDeleted = "lines_deleted": i64 => LINES_DELETED;
    Authors = "authors": i64 => AUTHORS;
    /// Author time of the first and the last change, seconds since the epoch.
    FirstChange = "first_change": i64 => FIRST_CHANGE;
    LastChange = "last_change": i64 => LAST_CHANGE;
    MainAuthor = "main_author": String => MAIN_AUTHOR;
    /// The main author's share of added lines (0..=1).
    MainAuthorShare = "main_author_share": f64 => MAIN_AUTHOR_SHARE;
    /// 1 − Σ (author's commits / commits)².
    Fragmentation = "fragmentation": f64 => FRAGMENTATION;
    /// The authors with the most added lines, most first.
    Owners = "owners": Json<Vec<Owner>> => OWNERS;
    /// The last [`RECENT_KEPT`](crate::RECENT_KEPT) commit ids, newest first.
    RecentCommits = "recent_commits": Json<Vec<String>> => RECENT_COMMITS;
    /// Files and directories: the eleven figures above (from `commits`)
    /// as stored, in one row; readers see them by their own names.
    History = "history": HistoryFigures => HISTORY;
    /// Directories: current files below.
    Files = "files": i64 => FILES;
    /// Directories: the truck factor of the files below.
    TruckFactor = "truck_factor": i64 => TRUCK_FACTOR;
    /// Files: PageRank in the dependency graph, as a multiple of the
    /// mean (1.0 is a file of average rank), so that a graph that grows by
    /// a node does not move every score by 1/n.
    PageRank = "pagerank": f64 => PAGERANK;
    /// Symbols: PageRank in the call graph, as a multiple of the mean. A
    /// name of its own, so that a symbol's percentile is counted among
    /// symbols on the `(name, value)` index when it is read.
    CallPageRank = "call_pagerank": f64 => CALL_PAGERANK;
    InDegree = "in_degree": i64 => IN_DEGREE;
    OutDegree = "out_degree": i64 => OUT_DEGREE;
    Betweenness = "betweenness": f64 => BETWEENNESS;
    /// Files: the name of their community in the dependency graph.
    Community = "community": String => COMMUNITY;
    /// Files: how much the file matters (0..=1).
    Salience = "salience": f64 => SALIENCE;
    SalienceClass = "salience_class": SalienceClass => SALIENCE_CLASS;
    /// Sentences that say why.
    SalienceReasons = "salience_reasons": Json<Vec<String>> => SALIENCE_REASONS;
    /// Files that are not production code: what they are for.
    Role = "role": FileRole => ROLE;
    /// Production files (every ranked file when none is): the numbers
    /// salience ranks, again under names of their own, so that a rank is
    /// counted among production files only on the `(name, value)` index
    /// (`crate::salience`; the score is computed when read). All reals,
    /// counts and times too: the index holds reals only (schema 16).
    PopulationPageRank = "salience_population_pagerank": f64 => POPULATION_PAGERANK;
    PopulationInDegree = "salience_population_in_degree": f64 => POPULATION_IN_DEGREE;
    PopulationBetweenness = "salience_population_betweenness": f64 => POPULATION_BETWEENNESS;
    PopulationCommits = "salience_population_commits": f64 => POPULATION_COMMITS;
    PopulationLastChange = "salience_population_last_change": f64 => POPULATION_LAST_CHANGE;
}

/// The history figures' own names: the rows an index written before
/// `file_history` version 4 holds them in, until its next update rewrites
/// them as one `history` row. Readers that ask for `history` by name ask
/// for these too, so that such an index reads as it did.
pub const HISTORY_FIGURES: [ValueName; 11] = [
    ValueName::Commits,
    ValueName::LinesAdded,
    ValueName::LinesDeleted,
    ValueName::Authors,
    ValueName::FirstChange,
    ValueName::LastChange,
    ValueName::MainAuthor,
    ValueName::MainAuthorShare,
    ValueName::Fragmentation,
    ValueName::Owners,
    ValueName::RecentCommits,
];

impl ValueName {
    /// The name of the row that holds this value: `history` for the
    /// figures packed in it ([`HistoryFigures`]), else the name itself. A
    /// reader that asks the store for a value by name asks for this one,
    /// and finds the value itself through [`Values::decode`].
    #[must_use]
    pub fn stored_as(self) -> ValueName {
        if HISTORY_FIGURES.contains(&self) {
            ValueName::History
        } else {
            self
        }
    }
}

/// The rows a reader asks the store for to read the values `names`: each
/// name's own, and for a history figure the `history` row that holds it
/// (its own row being the one an index written before holds), each once.
#[must_use]
pub fn stored_rows(names: &[ValueName]) -> Vec<&'static str> {
    let mut rows: Vec<&'static str> = Vec::with_capacity(names.len() + 1);
    for name in names {
        for row in [name.stored_as().name(), name.name()] {
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
    }
    rows
}

impl fmt::Display for ValueName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A value name together with the Rust type of its values.
pub struct Key<T> {
    name: ValueName,
    _type: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    const fn new(name: ValueName) -> Self {
        Key {
            name,
            _type: PhantomData,
        }
    }

    #[must_use]
    pub const fn name(&self) -> ValueName {
        self.name
    }
}

impl<T: ValueType> Key<T> {
    /// One stored value of this key on `node` (named in the error), as its
    /// Rust type.
    pub fn decode(self, node: &str, value: &Value) -> Result<T, VocabError> {
        T::from_value(value).ok_or_else(|| VocabError::WrongValue {
            node: node.to_owned(),
            name: self.name.name(),
            expected: storage_word(T::STORAGE),
        })
    }
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Key<T> {}
impl<T> fmt::Debug for Key<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.name.name())
    }
}

/// Writes a typed value through a task's writer.
pub fn put<T: ValueType>(
    w: &mut TaskWriter<'_>,
    node: NodeId,
    key: Key<T>,
    value: &T,
) -> Result<(), StoreError> {
    w.value(node, key.name.name(), &value.to_value())
}

/// The stored values of one node, checked against the vocabulary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Values {
    node: String,
    values: BTreeMap<ValueName, Value>,
}

impl Values {
    /// Checks the rows of one node (`node` names it in errors): every name
    /// must be known and every value of its type.
    pub fn decode<N: AsRef<str> + Into<String>>(
        node: &str,
        rows: impl IntoIterator<Item = (N, Value)>,
    ) -> Result<Values, VocabError> {
        let mut values = BTreeMap::new();
        for (name, value) in rows {
            let Some(known) = ValueName::from_name(name.as_ref()) else {
                return Err(VocabError::UnknownValue {
                    node: node.to_owned(),
                    name: name.into(),
                });
            };
            if !fits(known.storage(), &value) {
                return Err(VocabError::WrongValue {
                    node: node.to_owned(),
                    name: known.name(),
                    expected: storage_word(known.storage()),
                });
            }
            if known == ValueName::History {
                values.extend(keys::HISTORY.decode(node, &value)?.unpacked());
            } else {
                values.insert(known, value);
            }
        }
        Ok(Values {
            node: node.to_owned(),
            values,
        })
    }

    /// The node these values belong to.
    #[must_use]
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The value of `key`, `None` when the node has none.
    pub fn get<T: ValueType>(&self, key: Key<T>) -> Result<Option<T>, VocabError> {
        self.values
            .get(&key.name)
            .map(|value| key.decode(&self.node, value))
            .transpose()
    }

    /// The value of `key`, which the task that wrote `beside` always
    /// writes with it: absent beside it is a damaged index.
    pub fn require<T: ValueType>(&self, key: Key<T>, beside: ValueName) -> Result<T, VocabError> {
        self.get(key)?.ok_or_else(|| VocabError::MissingValue {
            node: self.node.clone(),
            name: key.name.name(),
            beside: beside.name(),
        })
    }

    #[must_use]
    pub fn has(&self, name: ValueName) -> bool {
        self.values.contains_key(&name)
    }

    /// Every value, by name.
    pub fn iter(&self) -> impl Iterator<Item = (ValueName, &Value)> {
        self.values.iter().map(|(k, v)| (*k, v))
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

fn fits(storage: Storage, value: &Value) -> bool {
    matches!(
        (storage, value),
        (Storage::Int, Value::Int(_))
            | (Storage::Real, Value::Real(_))
            | (Storage::Text | Storage::Json, Value::Text(_))
            | (Storage::Bytes, Value::Bytes(_))
    )
}

fn storage_word(storage: Storage) -> &'static str {
    match storage {
        Storage::Int => "an integer",
        Storage::Real => "a real number",
        Storage::Text => "text",
        Storage::Json => "JSON text",
        Storage::Bytes => "packed figures",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        let mut seen = std::collections::BTreeSet::new();
        for &name in ValueName::ALL {
            assert_eq!(ValueName::from_name(name.name()), Some(name));
            assert!(seen.insert(name.name()), "{name} twice");
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_node() {
        let values = Values::decode("src/lib.rs", [("commits".to_owned(), Value::Real(1.5))]);
        let err = values.expect_err("a real where an integer belongs");
        assert_eq!(
            err.to_string(),
            "value 'commits' of 'src/lib.rs' is not an integer: the index is damaged or was written by another Homer; `homer update --rebuild` builds it again"
        );
        let err = Values::decode("x", [("nonsense".to_owned(), Value::Int(1))])
            .expect_err("an unknown name");
        assert!(err.to_string().contains("'nonsense'"), "{err}");
    }

    #[test]
    fn history_figures_read_back_each_under_its_own_name() {
        let figures = HistoryFigures {
            commits: 12,
            lines_added: 300,
            lines_deleted: -1,
            authors: 2,
            first_change: -86_400,
            last_change: 1_700_000_000,
            main_author: "ann@x".to_owned(),
            main_author_share: 0.75,
            fragmentation: 0.375,
            owners: vec![("ann@x".to_owned(), 225, 9), ("bob@y".to_owned(), 75, 3)],
            recent_commits: vec![
                "0123456789abcdef0123456789abcdef01234567".to_owned(),
                // Not an id git writes: kept as it is.
                "ABC".to_owned(),
                "abc".to_owned(),
            ],
        };
        let stored = figures.to_value();
        let Value::Bytes(bytes) = &stored else {
            panic!("packed: {stored:?}")
        };
        // The main author is the first owner, and not stored again; a
        // hex id takes its 20 bytes.
        assert!(bytes.len() < 90, "{} bytes", bytes.len());
        assert_eq!(HistoryFigures::from_value(&stored), Some(figures.clone()));
        assert_eq!(HistoryFigures::commits_of(&stored), Some(12));
        assert_eq!(
            HistoryHead::of(&stored),
            Some(HistoryHead {
                commits: 12,
                last_change: 1_700_000_000,
                main_author: "ann@x".to_owned(),
                main_author_share: 0.75,
            })
        );
        let values = Values::decode("src/lib.rs", [("history", stored)]).expect("decodes");
        assert!(!values.has(ValueName::History));
        assert_eq!(values.get(keys::COMMITS).expect("int"), Some(12));
        assert_eq!(values.get(keys::LINES_DELETED).expect("int"), Some(-1));
        assert_eq!(values.get(keys::FIRST_CHANGE).expect("int"), Some(-86_400));
        assert_eq!(
            values.get(keys::MAIN_AUTHOR).expect("text").as_deref(),
            Some("ann@x")
        );
        assert_eq!(values.get(keys::FRAGMENTATION).expect("real"), Some(0.375));
        assert_eq!(
            values.get(keys::OWNERS).expect("json").map(|o| o.0),
            Some(figures.owners.clone())
        );
        assert_eq!(
            values.get(keys::RECENT_COMMITS).expect("json").map(|o| o.0),
            Some(figures.recent_commits.clone())
        );
        // A main author who is not the first owner is stored.
        let other = HistoryFigures {
            main_author: "bob@y".to_owned(),
            ..figures
        };
        assert_eq!(
            HistoryFigures::from_value(&other.to_value()).map(|f| f.main_author),
            Some("bob@y".to_owned())
        );
        // A reader of commits asks for the history row, and for the
        // commits' own row of an index written before it; each row once.
        assert_eq!(
            stored_rows(&[
                ValueName::Commits,
                ValueName::PageRank,
                ValueName::LastChange
            ]),
            ["history", "commits", "pagerank", "last_change"]
        );
        // Damaged bytes are an error naming the node, not a panic.
        let err = Values::decode("src/lib.rs", [("history", Value::Bytes(vec![0xff]))])
            .expect_err("damaged");
        assert!(err.to_string().contains("src/lib.rs"), "{err}");
    }

    #[test]
    fn typed_reads() {
        let values = Values::decode(
            "src/lib.rs",
            [
                ("commits".to_owned(), Value::Int(3)),
                (
                    "owners".to_owned(),
                    Value::Text(r#"[["ann@x",10,2]]"#.to_owned()),
                ),
                ("role".to_owned(), Value::Text("test".to_owned())),
            ],
        )
        .expect("decodes");
        assert_eq!(values.get(keys::COMMITS).expect("int"), Some(3));
        assert_eq!(values.get(keys::PAGERANK).expect("absent"), None);
        assert_eq!(
            values.get(keys::OWNERS).expect("json").map(|o| o.0),
            Some(vec![("ann@x".to_owned(), 10, 2)])
        );
        assert_eq!(values.get(keys::ROLE).expect("role"), Some(FileRole::Test));
    }
}
