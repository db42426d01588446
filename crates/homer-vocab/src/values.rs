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
            values.insert(known, value);
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
    )
}

fn storage_word(storage: Storage) -> &'static str {
    match storage {
        Storage::Int => "an integer",
        Storage::Real => "a real number",
        Storage::Text => "text",
        Storage::Json => "JSON text",
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
