//! Typed ids, the vocabularies behind the integer codes, and the stable hash they derive from.

use std::fmt;

use xxhash_rust::xxh3::Xxh3;

/// A streaming xxh3 hash whose parts are length-prefixed, so `("ab", "c")`
/// and `("a", "bc")` never hash alike. Every id and every memo hash in Homer
/// is built with it.
#[derive(Clone, Default)]
pub struct Fingerprint(Xxh3);

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Fingerprint")
    }
}

impl Fingerprint {
    #[must_use]
    pub fn new() -> Self {
        Self(Xxh3::new())
    }

    #[must_use]
    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        self.push_bytes(bytes);
        self
    }

    #[must_use]
    pub fn str(self, s: &str) -> Self {
        self.bytes(s.as_bytes())
    }

    #[must_use]
    pub fn u64(mut self, v: u64) -> Self {
        self.push_u64(v);
        self
    }

    #[must_use]
    pub fn i64(self, v: i64) -> Self {
        self.u64(v as u64)
    }

    pub(crate) fn push_bytes(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    pub(crate) fn push_u64(&mut self, v: u64) {
        self.0.update(&v.to_le_bytes());
    }

    /// Feeds bytes with no length prefix: for a stream that delimits its
    /// own parts (a serialization), fed in chunks of any size.
    pub fn push_raw(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub(crate) fn push_opt_bytes(&mut self, bytes: Option<&[u8]>) {
        match bytes {
            None => self.0.update(&[0]),
            Some(b) => {
                self.0.update(&[1]);
                self.push_bytes(b);
            }
        }
    }

    #[must_use]
    pub fn finish(&self) -> u64 {
        self.0.digest()
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(i64);

        impl $name {
            /// The id as SQLite stores it.
            #[must_use]
            pub fn raw(self) -> i64 {
                self.0
            }

            #[must_use]
            pub(crate) fn from_raw(raw: i64) -> Self {
                Self(raw)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:016x})"), self.0 as u64)
            }
        }
    };
}

id_type!(
    /// A memoized task: the hash of its kind and key.
    TaskId
);
id_type!(
    /// A node: the hash of its kind and stable name.
    NodeId
);
id_type!(
    /// A hyperedge: the hash of its owner, kind and members.
    EdgeId
);

/// The bits of an id that its group gives: the top 16. SQLite keeps rows
/// in id order, so the rows of one group (a file's symbols, a task's chunks
/// and edges, a path's tasks) lie on neighbouring pages, and an update that
/// rewrites one file's rows writes a few pages instead of one page per row
/// (docs/PERFORMANCE.md). The other 48 bits come from the hash of the
/// whole: two rows of different groups share an id with probability
/// 2^-64, as with a plain hash, two of one group (or of two groups whose
/// hashes share their top bits) 2^-48: the largest group seen, 2,068 calls
/// of one file, has a chance of about 10^-8 of holding two equal ids.
const GROUP_BITS: u64 = 0xFFFF_0000_0000_0000;

/// An id from the hash of its group and the hash of the whole.
pub(crate) fn grouped(group: u64, whole: u64) -> i64 {
    ((group & GROUP_BITS) | (whole & !GROUP_BITS)) as i64
}

impl TaskId {
    /// Grouped by key: the tasks of one path (its symbols, chunks,
    /// resolution, history) are neighbours.
    #[must_use]
    pub fn of(kind: &str, key: &str) -> Self {
        Self(grouped(
            Fingerprint::new().str("task").str(key).finish(),
            Fingerprint::new().str("task").str(kind).str(key).finish(),
        ))
    }
}

impl NodeId {
    /// Grouped by the name up to its first `::` (all of it when it has
    /// none): a file and the symbols named `path::qualified` in it are
    /// neighbours.
    #[must_use]
    pub fn of(kind: NodeKind, name: &str) -> Self {
        let group = name.split_once("::").map_or(name, |(head, _)| head);
        Self(grouped(
            Fingerprint::new().str("node").str(group).finish(),
            Fingerprint::new()
                .str("node")
                .u64(u64::from(kind.code()))
                .str(name)
                .finish(),
        ))
    }
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal, $text:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The integer code stored in the database.
            #[must_use]
            pub fn code(self) -> u8 {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            #[must_use]
            pub(crate) fn from_code(code: i64) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The name used in the vocabulary table and in output.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

vocabulary!(
    /// What a node stands for (table `node_kinds`).
    NodeKind {
        File = 1, "file";
        Directory = 2, "directory";
        Symbol = 3, "symbol";
        // 4 "commit" and 5 "author": written until schema 15; a commit is
        // its task (its record, its message's chunk) since. The codes stay
        // taken.
    }
);

vocabulary!(
    /// What a hyperedge stands for (table `edge_kinds`).
    EdgeKind {
        Contains = 1, "contains";
        // 2 "commit": a commit's changed files as one hyperedge, until
        // schema 15 (the commit's record, the task value, is the one copy).
        Defines = 3, "defines";
        Imports = 4, "imports";
        Calls = 5, "calls";
        Depends = 6, "depends";
        CoChange = 7, "co_change";
        Community = 8, "community";
    }
);

vocabulary!(
    /// The part a node plays in a hyperedge (table `roles`).
    Role {
        Parent = 1, "parent";
        Child = 2, "child";
        Source = 3, "source";
        Target = 4, "target";
        Member = 5, "member";
        // 6-12 (commit, author, added, modified, deleted, renamed,
        // type_changed): the roles of commit edges until schema 15.
    }
);

impl EdgeKind {
    /// The roles members of an edge of this kind take. The writer refuses
    /// any other, so a read can look a node's edges of one kind up by
    /// these roles (the `(node, role)` index) instead of visiting every
    /// edge the node is in (a file is in one per commit that touched it).
    #[must_use]
    pub fn roles(self) -> &'static [Role] {
        match self {
            EdgeKind::Contains => &[Role::Parent, Role::Child],
            EdgeKind::Defines | EdgeKind::Imports | EdgeKind::Calls | EdgeKind::Depends => {
                &[Role::Source, Role::Target]
            }
            EdgeKind::CoChange | EdgeKind::Community => &[Role::Member],
        }
    }

    /// [`EdgeKind::roles`] as an SQL list of codes, `(3,4)`.
    pub(crate) fn role_codes(self) -> String {
        let codes: Vec<String> = self.roles().iter().map(|r| r.code().to_string()).collect();
        format!("({})", codes.join(","))
    }
}

impl NodeKind {
    /// Shared kinds can outlive the task that claimed them: a file removed at
    /// HEAD stays as long as an edge references it. A symbol exists only
    /// while its owner claims it.
    #[must_use]
    pub(crate) fn is_shared(self) -> bool {
        matches!(self, NodeKind::File | NodeKind::Directory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_parts_are_length_prefixed() {
        let a = Fingerprint::new().str("ab").str("c").finish();
        let b = Fingerprint::new().str("a").str("bc").finish();
        assert_ne!(a, b);
    }

    #[test]
    fn ids_are_stable_across_builds() {
        // Pinned: ids are stored, so changing how they are derived silently
        // invalidates every database. Change this only with a migration.
        assert_eq!(
            format!("{:?}", NodeId::of(NodeKind::File, "src/main.rs")),
            "NodeId(16cc07f5b1e242e2)"
        );
        assert_eq!(
            format!("{:?}", TaskId::of("tree", "")),
            "TaskId(cd55b3cfa818c347)"
        );
        assert_ne!(
            NodeId::of(NodeKind::File, "src"),
            NodeId::of(NodeKind::Directory, "src")
        );
    }

    #[test]
    fn the_rows_of_one_file_are_neighbours() {
        let group = |raw: i64| (raw as u64) & GROUP_BITS;
        let file = NodeId::of(NodeKind::File, "src/main.rs").raw();
        let symbol = NodeId::of(NodeKind::Symbol, "src/main.rs::Config::new").raw();
        let other = NodeId::of(NodeKind::Symbol, "src/lib.rs::Config::new").raw();
        assert_eq!(group(file), group(symbol));
        assert_ne!(group(symbol), group(other));
        assert_ne!(file, symbol);
        // The tasks of one path, whatever their kind.
        let chunk = TaskId::of("chunk", "src/main.rs").raw();
        let resolve = TaskId::of("resolve", "src/main.rs").raw();
        assert_eq!(group(chunk), group(resolve));
        assert_ne!(chunk, resolve);
        assert_ne!(group(chunk), group(TaskId::of("chunk", "src/lib.rs").raw()));
    }
}
