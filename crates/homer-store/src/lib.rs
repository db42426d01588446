//! Homer's store: one SQLite file (`.homer/homer.db`, WAL) holding the graph
//! (nodes and ordered, role-tagged hyperedges), per-node values, the memo
//! table, checkpoints, search chunks with their FTS5 index, and embeddings.
//!
//! This crate owns every SQL statement. It knows nothing of git, tree-sitter,
//! graph algorithms or embedding models: callers hand it names, hashes and
//! attribute text, and get typed ids back.
//!
//! Invariants kept here, not by callers:
//! - `open` is the one place that sets the connection pragmas (but the
//!   journal of a new index, which `open_building` turns off); it refuses a
//!   database written by a newer schema without changing a byte of it.
//! - Every derived row has an owning task. A task that re-executes replaces
//!   exactly the rows it no longer produces ([`TaskWriter`]); a task that is
//!   deleted takes its rows with it. Nodes and edges nobody owns or
//!   references are collected at the end of every stage.

mod embeddings;
mod ids;
mod marks;
mod migrate;
mod packed;
mod read;
mod search;
mod text_totals;
mod writer;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

pub use embeddings::{PendingEmbedding, StoredVectors};
pub use ids::{EdgeId, EdgeKind, Fingerprint, NodeId, NodeKind, Role, TaskId};
pub use marks::{Marks, Place};
use migrate::latest_version;
pub use read::{
    DumpOptions, KindCount, NodeValues, PairEdge, RankCounts, StoredEdge, StoredMember, StoredNode,
    Summary,
};
pub use search::{Searched, StoredChunk};
pub use writer::{
    Chunk, Embed, Member, TaskWriter, Value, chunk_text_hash, embed_hash, embedded_text,
};

/// Errors from the store. Each says which database or which step failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "'{path}' was written by a newer Homer (schema {found}; this build knows up to {supported}); \
         upgrade Homer, or delete the .homer directory to rebuild it"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "'{path}' has schema {found}, older than this build's {supported}; run `homer update` to upgrade it"
    )]
    OlderSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("'{path}' is not a Homer database (not an SQLite file)")]
    NotSqlite { path: PathBuf },
    #[error("cannot open database '{path}'")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot read database '{path}'")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("migration {name} failed")]
    Migration {
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot {what}")]
    Sqlite {
        what: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{kind} '{name}' is claimed by two tasks")]
    DoubleClaim { kind: &'static str, name: String },
    #[error("id collision: {kind} '{name}' and {other_kind} '{other_name}' hash to the same id")]
    IdCollision {
        kind: &'static str,
        name: String,
        other_kind: String,
        other_name: String,
    },
    #[error("a task wrote the same {what} twice: {detail}")]
    Duplicate { what: &'static str, detail: String },
    #[error("two tasks store the marks of '{name}': a name's numbers have one owner")]
    MarksOwned { name: String },
    #[error("a {kind} edge cannot have a member in the role {role}")]
    WrongRole {
        kind: &'static str,
        role: &'static str,
    },
    #[error("unknown code {code} in column {column}")]
    UnknownCode { column: &'static str, code: i64 },
    #[error("{what} holds '{detail}', which Homer does not write: the index is damaged")]
    Corrupt { what: &'static str, detail: String },
}

impl StoreError {
    /// Whether the error says the database file itself is damaged (not an
    /// SQLite file, a malformed page): the way out is a rebuild from git.
    #[must_use]
    pub fn is_damage(&self) -> bool {
        let code = |e: &rusqlite::Error| {
            e.sqlite_error_code().is_some_and(|c| {
                matches!(
                    c,
                    rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
                )
            })
        };
        match self {
            StoreError::NotSqlite { .. }
            | StoreError::Corrupt { .. }
            | StoreError::UnknownCode { .. } => true,
            StoreError::Open { source, .. }
            | StoreError::Migration { source, .. }
            | StoreError::Sqlite { source, .. } => code(source),
            _ => false,
        }
    }

    pub(crate) fn sqlite(what: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        move |source| StoreError::Sqlite { what, source }
    }
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How to open the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file if needed and migrate it to the latest schema.
    ReadWrite,
    /// Only read; the file must exist and be at the latest schema.
    ReadOnly,
}

/// How long a connection waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The schema the database had when this open upgraded it.
    upgraded_from: Option<u32>,
    /// Set while a new index is written without a journal
    /// ([`Store::open_building`]): the file that says a write transaction
    /// is under way, so the database may be torn if this process dies.
    building: Option<PathBuf>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Whether an open connection reads a valid Homer database of a schema
/// this build can replace.
fn healthy(conn: &Connection) -> bool {
    conn.query_row("PRAGMA quick_check(1)", [], |row| row.get::<_, String>(0))
        .is_ok_and(|r| r == "ok")
        && migrate::user_version(conn).is_ok_and(|v| v <= latest_version())
}

/// `path` with `suffix` appended to its file name (`homer.db-wal`).
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The suffix of the packed copy [`Store::compact`] writes beside a
/// database before renaming it over it.
const PACKED: &str = "-packed";

/// The suffix of the file that marks a write transaction under way in a
/// database written without a journal ([`Store::open_building`]).
const BUILDING: &str = "-building";

/// Sets the journal mode, and fails unless SQLite says it is now `mode`
/// (it keeps the old one where it cannot switch, without an error).
fn set_journal_mode(conn: &Connection, mode: &str) -> rusqlite::Result<()> {
    let now: String = conn.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |row| {
        row.get(0)
    })?;
    if now.eq_ignore_ascii_case(mode) {
        Ok(())
    } else {
        Err(rusqlite::Error::InvalidQuery)
    }
}

/// Creates the mark of an unjournaled transaction and makes it durable
/// (the file, and where the system allows, its directory entry) before any
/// page of it is written.
fn make_mark(mark: &Path) -> Result<()> {
    std::fs::File::create(mark)
        .and_then(|f| f.sync_all())
        .map_err(|source| StoreError::Io {
            path: mark.to_path_buf(),
            source,
        })?;
    // Syncing the directory guards the entry against a power cut; some
    // systems cannot open a directory as a file (Windows) or sync one:
    // a kill, the common case, needs neither.
    if let Some(dir) = mark.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Removes a database file with its WAL and shared-memory files (and a
/// packed copy a killed [`Store::compact`] left).
pub fn remove_database(path: &Path) -> Result<()> {
    // The mark last: a database without it is taken as whole.
    for suffix in ["", "-wal", "-shm", PACKED, BUILDING] {
        remove_file(&suffixed(path, suffix))?;
    }
    Ok(())
}

/// The SQLite header: a magic string, then `user_version` at byte 60.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Reads the schema version from the file header without opening it with
/// SQLite, so a database we must refuse is not touched (not even by the
/// WAL switch, which rewrites header bytes). `None` for an empty file.
fn header_version(path: &Path) -> Result<Option<u32>> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut header = [0u8; 100];
    let mut filled = 0;
    while filled < header.len() {
        match file.read(&mut header[filled..]).map_err(io)? {
            0 => break,
            n => filled += n,
        }
    }
    if filled == 0 {
        return Ok(None);
    }
    if filled < header.len() || &header[..16] != SQLITE_MAGIC {
        return Err(StoreError::NotSqlite {
            path: path.to_path_buf(),
        });
    }
    Ok(Some(u32::from_be_bytes([
        header[60], header[61], header[62], header[63],
    ])))
}

thread_local! {
    /// Rows returned to this thread by counting connections.
    static ROWS_READ: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "the signature rusqlite's trace callback takes"
)]
fn count_row(event: rusqlite::trace::TraceEvent<'_>) {
    if let rusqlite::trace::TraceEvent::Row(_) = event {
        ROWS_READ.with(|n| n.set(n.get() + 1));
    }
}

/// Rows read and written by a store (see [`Store::rows`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub read: u64,
    pub written: u64,
}

impl std::ops::Sub for RowCounts {
    type Output = RowCounts;
    fn sub(self, earlier: RowCounts) -> RowCounts {
        RowCounts {
            read: self.read.saturating_sub(earlier.read),
            written: self.written.saturating_sub(earlier.written),
        }
    }
}

/// One read transaction on a [`Store`]; ends when dropped.
#[derive(Debug)]
pub struct ReadSnapshot<'a> {
    store: &'a Store,
}

impl Drop for ReadSnapshot<'_> {
    fn drop(&mut self) {
        // A read transaction has nothing to lose: if ending it fails, the
        // next BEGIN says so.
        let _ = self.store.conn.execute_batch("COMMIT");
    }
}

impl Store {
    /// Opens (and in [`OpenMode::ReadWrite`], creates and migrates) the
    /// database at `path`. This is the one place that sets WAL,
    /// `synchronous=NORMAL`, foreign keys, recursive triggers and the busy
    /// timeout.
    pub fn open(path: &Path, mode: OpenMode) -> Result<Self> {
        let supported = latest_version();
        let newer = |found| StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported,
        };
        if path.exists()
            && let Some(found) = header_version(path)?
            && found > supported
        {
            return Err(newer(found));
        }
        let flags = match mode {
            OpenMode::ReadWrite => {
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
            }
            OpenMode::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // The header can lag behind a WAL that was never checkpointed; the
        // pragma sees the committed truth. Reading it changes nothing.
        let found = migrate::user_version(&conn)?;
        if found > supported {
            return Err(newer(found));
        }
        if mode == OpenMode::ReadWrite {
            set_journal_mode(&conn, "WAL").map_err(open_err)?;
        }
        // A stage is one transaction; with SQLite's default 2 MB page cache
        // a large one spills pages to the WAL and reads them back (a third of
        // the history stage's writer time on requests, measured with perf).
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA recursive_triggers = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -65536;",
        )
        .map_err(open_err)?;
        // A reader reads pages through a memory map, not a read call each:
        // a process that reads a large index once (`homer render --task` on
        // 10,000 files) spends less in the kernel (those files' rows: 48 ->
        // 28 ms). Not a writer: the pages an update touches would count in
        // its resident memory (the synthetic cold build's peak 329 -> 494
        // MB).
        if mode == OpenMode::ReadOnly {
            conn.execute_batch("PRAGMA mmap_size = 1073741824;")
                .map_err(open_err)?;
        }
        let mut upgraded_from = None;
        match mode {
            OpenMode::ReadWrite if found < supported => {
                migrate::migrate(&mut conn, found)?;
                // A new database is created, not upgraded.
                upgraded_from = (found > 0).then_some(found);
            }
            OpenMode::ReadOnly if found < supported => {
                return Err(StoreError::OlderSchema {
                    path: path.to_path_buf(),
                    found,
                    supported,
                });
            }
            _ => {}
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            upgraded_from,
            building: None,
        })
    }

    /// Opens a new index that nobody reads until it is published (one
    /// built beside the index in use), to be written without a journal.
    /// A journal (the WAL) is what lets a reader see a consistent state
    /// while a writer works, and a killed write be undone; without it
    /// every page is written once instead of to the WAL and then again
    /// into the file (a seventh of a cold build at 10,000 files,
    /// docs/PERFORMANCE.md). What stays: each transaction, while it
    /// runs, is marked by a file beside the database (`-building`), made
    /// durable before the first page is written and removed after the
    /// commit has synced the file. A database found with its mark may be
    /// torn: it is deleted and `true` returned, and the build starts again;
    /// one found without it holds every transaction that committed, and
    /// the build resumes from it as before. [`Store::compact`] packs it
    /// into a copy opened in WAL mode, as every index is when read or
    /// updated ([`Store::finish_building`] switches it back in place).
    pub fn open_building(path: &Path) -> Result<(Store, bool)> {
        let mark = suffixed(path, BUILDING);
        let torn = mark.exists();
        if torn {
            remove_database(path)?;
        }
        let mut store = Store::open(path, OpenMode::ReadWrite)?;
        set_journal_mode(&store.conn, "OFF")
            .map_err(StoreError::sqlite("write the new index without a journal"))?;
        store.building = Some(mark);
        Ok((store, torn))
    }

    /// Ends [`Store::open_building`]'s unjournaled writing: the database
    /// is in WAL mode again, as every index is when read or updated.
    pub fn finish_building(&mut self) -> Result<()> {
        if self.building.is_none() {
            return Ok(());
        }
        // The switch rewrites the header: marked like a transaction.
        self.marked(|conn| {
            set_journal_mode(conn, "WAL")
                .map_err(StoreError::sqlite("switch the new index to WAL mode"))
        })?;
        self.building = None;
        Ok(())
    }

    /// Runs `write`, a write to a new index outside a stage's transaction,
    /// marked as a transaction is ([`Store::open_building`]): the mark is
    /// made before it and removed after it succeeds, and stays if it fails
    /// (it may have left pages half written).
    fn marked<T>(&self, write: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let Some(mark) = &self.building else {
            return write(&self.conn);
        };
        make_mark(mark)?;
        let done = write(&self.conn)?;
        remove_file(mark)?;
        Ok(done)
    }

    /// SQLite's schema cookie, which every change of the schema moves (a
    /// migration above all): a long-lived reader compares it to the one it
    /// opened with before it answers again.
    pub fn schema_cookie(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA schema_version", [], |r| r.get(0))
            .map_err(StoreError::sqlite("read the schema cookie"))
    }

    /// Frees the pages SQLite's cache holds and no transaction needs
    /// (`PRAGMA shrink_memory`): a stage that wrote much leaves up to the
    /// cache's 64 MiB behind, which the next stage's own data would come on
    /// top of.
    pub fn release_cache(&self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA shrink_memory")
            .map_err(StoreError::sqlite("release the page cache"))
    }

    /// A fresh in-memory database at the latest schema, for tests.
    pub fn open_in_memory() -> Result<Self> {
        let path = PathBuf::from(":memory:");
        let mut conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA recursive_triggers = ON;",
        )
        .map_err(StoreError::sqlite("configure the connection"))?;
        migrate::migrate(&mut conn, 0)?;
        Ok(Store {
            conn,
            path,
            upgraded_from: None,
            building: None,
        })
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version the database had when opening it upgraded it
    /// (`None` when it was new or already current).
    #[must_use]
    pub fn upgraded_from(&self) -> Option<u32> {
        self.upgraded_from
    }

    /// Whether the upgrade this open made emptied the index (ids or what
    /// is derived changed): the next update builds it again from git.
    #[must_use]
    pub fn upgrade_emptied(&self) -> bool {
        self.upgraded_from.is_some_and(migrate::upgrade_empties)
    }

    /// Whether the upgrade this open made deleted the mined commits (and
    /// did not empty the index): the next update mines the history again.
    #[must_use]
    pub fn upgrade_remined(&self) -> bool {
        !self.upgrade_emptied() && self.upgraded_from.is_some_and(migrate::upgrade_remines)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32> {
        migrate::user_version(&self.conn)
    }

    /// Holds one read transaction until the guard is dropped: every read
    /// through this store meanwhile sees the same committed state (an
    /// update committing beside it is seen by the next snapshot), and the
    /// shared lock is taken once instead of once per statement. Not
    /// nested: a second snapshot while one is held is an error.
    pub fn read_snapshot(&self) -> Result<ReadSnapshot<'_>> {
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(StoreError::sqlite("begin a read transaction"))?;
        Ok(ReadSnapshot { store: self })
    }

    /// Starts the write transaction of one stage. `BEGIN IMMEDIATE` takes the
    /// write lock now, so a concurrent writer waits here (busy timeout)
    /// rather than failing halfway through a stage.
    pub fn begin_write(&mut self) -> Result<WriteTx<'_>> {
        if let Some(mark) = &self.building {
            make_mark(mark)?;
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::sqlite("begin a write transaction"))?;
        Ok(WriteTx {
            tx,
            building: self.building.as_deref(),
            known_nodes: RefCell::new(HashSet::new()),
            value_codes: RefCell::default(),
            kind_codes: RefCell::default(),
            record_text_ids: RefCell::default(),
            chunk_ids: Cell::new(None),
        })
    }

    /// Reads a checkpoint outside any write transaction.
    pub fn checkpoint(&self, name: &str) -> Result<Option<String>> {
        read_checkpoint(&self.conn, name)
    }

    /// Packs the file (`VACUUM`) when more than a quarter of its pages
    /// are free, and returns its size before and after in bytes when it
    /// did. SQLite never gives pages back on its own: an update that
    /// rewrote much of the index (the first after an upgrade that changes
    /// how rows are stored, history rewritten) would leave the file that
    /// much larger for good. A reader holding the file can keep it from
    /// running; the pages are then reused by later updates, so that is no
    /// error.
    /// `packing` is called before the copy starts (seconds on a large
    /// index: a caller shows that something runs).
    pub fn pack_if_mostly_free(&self, packing: &mut dyn FnMut()) -> Result<Option<(u64, u64)>> {
        let pragma = |name: &str| -> Result<u64> {
            self.conn
                .query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0))
                .map(i64::unsigned_abs)
                .map_err(StoreError::sqlite("count the file's pages"))
        };
        let (pages, free, size) = (
            pragma("page_count")?,
            pragma("freelist_count")?,
            pragma("page_size")?,
        );
        if free * 4 <= pages {
            return Ok(None);
        }
        packing();
        if self.conn.execute_batch("VACUUM").is_err() {
            return Ok(None);
        }
        Ok(Some((pages * size, pragma("page_count")? * size)))
    }

    /// Counts, from now on, the rows this connection's queries return
    /// (SQLite's row trace), for [`Store::rows`].
    pub fn count_rows(&self) {
        self.conn.trace_v2(
            rusqlite::trace::TraceEventCodes::SQLITE_TRACE_ROW,
            Some(count_row),
        );
    }

    /// Rows read and written so far: read, the rows returned by the
    /// queries of the connections on this thread that count them
    /// ([`Store::count_rows`]); written, the rows this connection's
    /// statements inserted, updated or deleted (not those a foreign key
    /// cascade deleted). Both only grow: a caller takes differences.
    #[must_use]
    pub fn rows(&self) -> RowCounts {
        RowCounts {
            read: ROWS_READ.with(std::cell::Cell::get),
            written: self.conn.total_changes(),
        }
    }

    /// Counts of what is stored, for `homer status`.
    pub fn summary(&self) -> Result<Summary> {
        read::summary(&self.conn)
    }

    /// Every edge of `kind` as (first source, first target, weight,
    /// confidence), in edge order.
    pub fn pair_edges(&self, kind: EdgeKind) -> Result<Vec<PairEdge>> {
        read::pair_edges(&self.conn, kind)
    }

    /// Copies the vectors of `old` (another index file, opened read-only)
    /// whose texts this index has and lacks a vector for: a rebuild keeps
    /// the embeddings it would otherwise compute again for minutes.
    /// Returns how many were copied; an `old` that cannot be read gives
    /// none (it is being replaced, perhaps because it is damaged).
    pub fn adopt_embeddings(&self, old: &Path) -> usize {
        let uri = format!("file:{}?mode=ro", old.display());
        let copy = |conn: &Connection| -> rusqlite::Result<usize> {
            conn.execute("ATTACH DATABASE ?1 AS old", [&uri])?;
            let copied = conn.execute(
                "INSERT OR IGNORE INTO main.embeddings (text_hash, model, dim, vector)
                 SELECT o.text_hash, o.model, o.dim, o.vector FROM old.embeddings o
                 WHERE o.text_hash IN (SELECT embed_hash FROM main.chunks
                                       WHERE embed_hash IS NOT NULL)",
                [],
            );
            let detached = conn.execute("DETACH DATABASE old", []);
            let copied = copied?;
            detached?;
            Ok(copied)
        };
        // Written like a transaction of a new index: marked meanwhile.
        self.marked(|conn| copy(conn).map_err(StoreError::sqlite("adopt the old index's vectors")))
            .unwrap_or(0)
    }

    /// Packs a newly built index before anyone reads it, and returns it
    /// opened again: the text index merged into one segment, then every
    /// table and index written anew in key order with full pages (SQLite's
    /// `VACUUM INTO` a file beside it, which is then renamed over it). A
    /// build inserts rows in the order the stages produce them, which
    /// leaves b-tree pages part empty: hono's index is a tenth smaller
    /// packed. It costs one more write of the file (about 0.1 s for
    /// hono's 17 MB), so it is for a build from scratch, not an update.
    /// `VACUUM INTO` rather than `VACUUM`: the latter builds the copy in
    /// temporary storage (memory here) and writes it back through the WAL.
    pub fn compact(mut self) -> Result<Store> {
        let packed = suffixed(&self.path, PACKED);
        let Some(packed_name) = packed.to_str().map(str::to_owned) else {
            // SQLite takes the file name as text; a path that is not UTF-8
            // keeps its index as built.
            self.finish_building()?;
            return Ok(self);
        };
        remove_file(&packed)?;
        // A new index merges its text index without a journal too, marked
        // like its stages' transactions; the packed copy is opened in WAL.
        self.marked(|conn| {
            conn.execute(
                "INSERT INTO chunk_text (chunk_text) VALUES ('optimize')",
                [],
            )
            .map_err(StoreError::sqlite("merge the text index"))
        })?;
        self.building = None;
        // The copy reads each page once: a large page cache would only
        // grow the process (the stages' 64 MB is for their transactions).
        self.conn
            .execute_batch("PRAGMA cache_size = -4096")
            .map_err(StoreError::sqlite("shrink the page cache"))?;
        self.conn
            .execute("VACUUM INTO ?1", [&packed_name])
            .map_err(StoreError::sqlite("pack the index"))?;
        let path = self.path.clone();
        // Closing the last connection checkpoints the WAL into the file and
        // removes it; one left over would be replayed into the copy, which
        // already holds all of it. The rename replaces the file in one
        // step: killed before it, the index is the unpacked one.
        drop(self);
        for suffix in ["-wal", "-shm"] {
            remove_file(&suffixed(&path, suffix))?;
        }
        std::fs::rename(&packed, &path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        Store::open(&path, OpenMode::ReadWrite)
    }

    /// Puts this database (a complete index built beside the one in use)
    /// in the place of `target`, and returns it opened there. When
    /// `target` is a healthy index, its pages are replaced in one
    /// transaction (SQLite's backup), so a reader sees the old index or
    /// the new one and never a mix, even a reader that keeps its
    /// connection open. Otherwise (no file, or one SQLite cannot open)
    /// the file is renamed over it. This file is removed either way.
    pub fn publish(self, target: &Path) -> Result<Store> {
        let side = self.path.clone();
        let replaced = match Connection::open_with_flags(
            target,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ) {
            Ok(mut conn) if target.exists() && healthy(&conn) => {
                conn.busy_timeout(BUSY_TIMEOUT)
                    .map_err(StoreError::sqlite("wait for the index"))?;
                let backup = rusqlite::backup::Backup::new(&self.conn, &mut conn)
                    .map_err(StoreError::sqlite("start replacing the index"))?;
                // -1: every page in one step, one transaction.
                backup
                    .step(-1)
                    .map_err(StoreError::sqlite("replace the index"))?;
                drop(backup);
                drop(conn);
                true
            }
            _ => false,
        };
        if replaced {
            drop(self);
            remove_database(&side)?;
        } else {
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(StoreError::sqlite("checkpoint the new index"))?;
            drop(self);
            remove_database(target)?;
            for suffix in ["-wal", "-shm"] {
                remove_file(&suffixed(&side, suffix))?;
            }
            std::fs::rename(&side, target).map_err(|source| StoreError::Io {
                path: target.to_path_buf(),
                source,
            })?;
        }
        Store::open(target, OpenMode::ReadWrite)
    }

    /// Every edge of `kind` with its members.
    /// How many nodes have each value of the text value `name`.
    pub fn value_counts(&self, name: &str) -> Result<Vec<KindCount>> {
        read::value_counts(&self.conn, name)
    }

    /// Sums of integer values over all nodes, for those of `names` stored.
    pub fn value_sums(&self, names: &[&str]) -> Result<Vec<KindCount>> {
        read::value_sums(&self.conn, names)
    }

    /// Where `value` stands among the stored scores (reals) named `name`:
    /// how many are above it (`above`) or below it, and how many equal
    /// it; counts on the `(name, value)` index, so the side with fewer
    /// values costs less.
    pub fn rank_counts(&self, name: &str, value: f64, above: bool) -> Result<RankCounts> {
        read::rank_counts(&self.conn, name, value, above)
    }

    /// The marks a task stored for the numbers named `name` (schema
    /// 0009), when it did: [`Store::place`] reads through them.
    pub fn value_marks(&self, name: &str) -> Result<Option<Marks>> {
        marks::read(&self.conn, name)
    }

    /// Where `value` stands among the numbers named `name`, placed
    /// through their `marks`: counts at most a thousandth of them, where
    /// [`Store::rank_counts`] counts up to all.
    pub fn place(&self, name: &str, marks: &Marks, value: f64) -> Result<Place> {
        marks::place(&self.conn, name, marks, value)
    }

    /// How many nodes have a score (a real) named `name` (the count a
    /// ranking of that score divides by).
    pub fn count_scores(&self, name: &str) -> Result<u64> {
        read::count_scores(&self.conn, name)
    }

    pub fn edges(&self, kind: EdgeKind) -> Result<Vec<StoredEdge>> {
        read::edges(&self.conn, kind)
    }

    /// The edges of `kind` with the node `node_kind`/`name` among their
    /// members, each with all its members (indexed: no scan).
    pub fn edges_of(
        &self,
        kind: EdgeKind,
        node_kind: NodeKind,
        name: &str,
    ) -> Result<Vec<StoredEdge>> {
        read::edges_of(&self.conn, kind, node_kind, name)
    }

    /// The members in `role` of the `kind` edges of the node
    /// `node_kind`/`name`, each with its value `value` if stored, by name:
    /// what a file defines with each definition's rank, in one read.
    pub fn members_with_value(
        &self,
        kind: EdgeKind,
        node_kind: NodeKind,
        name: &str,
        role: Role,
        value: &str,
    ) -> Result<Vec<(String, Option<Value>)>> {
        read::members_with_value(&self.conn, kind, node_kind, name, role, value)
    }

    /// The members in `role` of the `kind` edges of the node
    /// `node_kind`/`name`, each with its node's attributes, by name: what a
    /// file defines, with each definition's lines, in one read.
    pub fn members_with_attrs(
        &self,
        kind: EdgeKind,
        node_kind: NodeKind,
        name: &str,
        role: Role,
    ) -> Result<Vec<(String, Option<String>)>> {
        read::members_with_attrs(&self.conn, kind, node_kind, name, role)
    }

    /// One node by kind and name.
    pub fn node(&self, kind: NodeKind, name: &str) -> Result<Option<StoredNode>> {
        read::node(&self.conn, kind, name)
    }

    /// The stored output value of the task `kind` `key` (a commit's
    /// record), if it has one.
    pub fn task_value(&self, kind: &str, key: &str) -> Result<Option<Vec<u8>>> {
        read_task_value(&self.conn, TaskId::of(kind, key))
    }

    /// Whether a task of `kind` is stored under `key` (a commit was
    /// mined), without reading its value.
    pub fn task_exists(&self, kind: &str, key: &str) -> Result<bool> {
        task_exists(&self.conn, TaskId::of(kind, key))
    }

    /// The stored output values of the tasks of `kind`, by key (every
    /// commit's record), as [`WriteTx::memo_values`] reads them.
    pub fn memo_values(&self, kind: &str) -> Result<MemoValues> {
        read_memo_values(&self.conn, kind)
    }

    /// The texts of `ids` that `record_texts` holds (the paths and people a
    /// commit's record names by id), by id.
    pub fn record_texts(&self, ids: &[i64]) -> Result<RecordTexts> {
        read_record_texts(&self.conn, Some(ids))
    }

    /// The title of the message chunk the task `kind` `key` wrote (a
    /// commit's subject), if it wrote one.
    pub fn message_title(&self, kind: &str, key: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT title FROM chunks WHERE owner = ?1 AND id < 0 ORDER BY key LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([TaskId::of(kind, key).raw()], |row| row.get(0))
                    .optional()
            })
            .map_err(StoreError::sqlite("read a message's title"))
    }

    /// One value of one node, if stored.
    pub fn value_of(&self, kind: NodeKind, name: &str, value: &str) -> Result<Option<Value>> {
        read::value_of(&self.conn, kind, name, value)
    }

    /// The values stored on one node, sorted by name.
    pub fn values_of(&self, kind: NodeKind, name: &str) -> Result<Vec<(String, Value)>> {
        read::values_of(&self.conn, kind, name)
    }

    /// Up to `limit` names of current nodes of `kind`, in order, from
    /// `from` on (a range of the name index).
    pub fn names_from(&self, kind: NodeKind, from: &str, limit: usize) -> Result<Vec<String>> {
        read::names_from(&self.conn, kind, from, limit)
    }

    /// The values named `value` of the current nodes of `kind`, in no
    /// order (a population to rank one node's value among), read from
    /// the value's run of its table without the nodes' names.
    pub fn values_held(&self, kind: NodeKind, value: &str) -> Result<Vec<Value>> {
        read::values_held(&self.conn, kind, value)
    }

    /// The names of the current nodes of `kind` that hold the value
    /// `value`, in the order of the value's run of its table (by node id:
    /// the same for the same index, but not by name), read from that run,
    /// not from every node of the kind.
    pub fn names_holding(&self, kind: NodeKind, value: &str) -> Result<Vec<String>> {
        read::names_holding(&self.conn, kind, value)
    }

    /// The names of the current nodes of `kind` that hold the integer
    /// value `value`, each with it, in node id order (the value's run of
    /// its table).
    pub fn names_with_ints(&self, kind: NodeKind, value: &str) -> Result<Vec<(String, i64)>> {
        read::names_with_ints(&self.conn, kind, value)
    }

    /// The names of the current nodes of `kind` that contain `needle`
    /// (ASCII letters in either case), in name order.
    pub fn names_containing(&self, kind: NodeKind, needle: &str) -> Result<Vec<String>> {
        read::names_containing(&self.conn, kind, needle)
    }

    /// Every vector of `model` keyed by the hash of its text.
    pub fn text_vectors(&self, model: &str, dim: usize) -> Result<StoredVectors> {
        embeddings::text_vectors(&self.conn, model, dim)
    }

    /// The chunks that embed the text with this hash: (chunk id, node
    /// name), by key.
    pub fn chunks_with_text(&self, text_hash: i64) -> Result<Vec<(i64, Option<String>)>> {
        embeddings::chunks_with_text(&self.conn, text_hash)
    }

    /// The vector of a node's first embedded chunk.
    pub fn vector_of(
        &self,
        model: &str,
        dim: usize,
        kind: NodeKind,
        name: &str,
    ) -> Result<Option<Vec<f32>>> {
        embeddings::vector_of(&self.conn, model, dim, kind, name)
    }

    /// The model whose vectors are stored, if any. There is never more
    /// than one: the embed stage deletes other models' vectors in its first
    /// transaction, before it stores any of its own.
    pub fn embedding_model(&self) -> Result<Option<String>> {
        embeddings::model(&self.conn)
    }

    /// Distinct chunk texts to embed, and how many have a vector.
    pub fn embedding_coverage(&self, model: &str) -> Result<(u64, u64)> {
        embeddings::coverage(&self.conn, model)
    }

    /// Chunks matching an FTS5 query, best first (BM25 with column
    /// weights title, body, words), at most `limit`, of the code, the
    /// commit messages or both.
    pub fn text_search(
        &self,
        query: &str,
        weights: [f64; 3],
        limit: usize,
        searched: Searched,
    ) -> Result<Vec<(i64, f64)>> {
        search::text(&self.conn, query, weights, limit, searched)
    }

    /// The chunks with these ids, with the node each is about.
    pub fn chunks(&self, ids: &[i64]) -> Result<Vec<StoredChunk>> {
        search::chunks(&self.conn, ids)
    }

    /// A current node's content hash (a file's blob id at HEAD).
    pub fn content_hash(&self, kind: NodeKind, name: &str) -> Result<Option<Vec<u8>>> {
        search::content_hash(&self.conn, kind, name)
    }

    /// A snippet of a chunk's body around an FTS5 query's matches, from
    /// the chunk's text (title, body, identifier words).
    pub fn snippet(&self, query: &str, text: [&str; 3]) -> Result<Option<String>> {
        search::snippet(&self.conn, query, text)
    }

    /// Every value on the current nodes of `kind`: (node name, value
    /// name, value), sorted.
    pub fn node_values(&self, kind: NodeKind) -> Result<Vec<(String, String, Value)>> {
        read::node_values(&self.conn, kind)
    }

    /// The values named `names` on the current nodes of `kind`, grouped by
    /// node (sorted by node name, each node's values by name).
    pub fn node_values_grouped<'n>(
        &self,
        kind: NodeKind,
        names: &[&'n str],
    ) -> Result<Vec<NodeValues<'n>>> {
        read::node_values_grouped(&self.conn, kind, names)
    }

    /// The current (owned) nodes of `kind`, sorted by name.
    pub fn current_nodes(&self, kind: NodeKind) -> Result<Vec<CurrentNode>> {
        read::current_nodes(&self.conn, kind)
    }

    /// The current (owned) nodes of `kind`, sorted by name, each with its
    /// value named `value` if it has one.
    pub fn current_nodes_valued(
        &self,
        kind: NodeKind,
        value: &str,
    ) -> Result<Vec<(CurrentNode, Option<Value>)>> {
        read::current_nodes_valued(&self.conn, kind, value, None)
    }

    /// The current nodes of `kind` with the highest real values named
    /// `value`, by value (highest first), then name: the first `n` in that
    /// order. Reads about that many rows of the `(name, value)` index, not
    /// every node's value.
    pub fn top_valued_nodes(
        &self,
        kind: NodeKind,
        value: &str,
        n: usize,
    ) -> Result<Vec<(CurrentNode, f64)>> {
        read::top_valued_nodes(&self.conn, kind, value, n)
    }

    /// [`Store::current_nodes_valued`] of the names `from <= name < to`
    /// only (a range of the name index).
    pub fn current_nodes_valued_between(
        &self,
        kind: NodeKind,
        value: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(CurrentNode, Option<Value>)>> {
        read::current_nodes_valued(&self.conn, kind, value, Some((from, to)))
    }

    /// The edges of `kind` whose first source is the node `node_kind`/`name`,
    /// each with its edge id (the order [`Store::pair_edges`] reads them in)
    /// and its first target.
    pub fn pair_edges_from(
        &self,
        kind: EdgeKind,
        node_kind: NodeKind,
        name: &str,
    ) -> Result<Vec<(i64, PairEdge)>> {
        read::pair_edges_at(&self.conn, kind, node_kind, name, Role::Source)
    }

    /// The edges of `kind` whose first target is the node `node_kind`/`name`,
    /// each with its edge id and its first source (the callers of a
    /// definition).
    pub fn pair_edges_to(
        &self,
        kind: EdgeKind,
        node_kind: NodeKind,
        name: &str,
    ) -> Result<Vec<(i64, PairEdge)>> {
        read::pair_edges_at(&self.conn, kind, node_kind, name, Role::Target)
    }

    /// Every stored fact as sorted lines of text, for comparing two builds.
    pub fn dump(&self, options: DumpOptions) -> Result<String> {
        read::dump(&self.conn, options)
    }

    /// Runs SQLite's own consistency checks (`integrity_check`,
    /// `foreign_key_check`, and FTS5's comparison of its index with the
    /// chunks, which needs a read-write connection); returns the problems
    /// found, empty when sound.
    pub fn check_integrity(&self) -> Result<Vec<String>> {
        let mut problems: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect())
            .map_err(StoreError::sqlite("check integrity"))?;
        problems.retain(|p| p != "ok");
        // FTS5 compares its index with the chunks table it indexes.
        if let Err(e) = self.conn.execute(
            "INSERT INTO chunk_text (chunk_text) VALUES ('integrity-check')",
            [],
        ) {
            problems.push(format!("text index: {e}"));
        }
        let fk: Vec<String> = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(format!(
                        "foreign key: {} row {} -> {}",
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?
                    ))
                })?
                .collect()
            })
            .map_err(StoreError::sqlite("check foreign keys"))?;
        problems.extend(fk);
        let orphans: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM nodes n WHERE n.owner IS NULL
                 AND NOT EXISTS (SELECT 1 FROM edge_members m WHERE m.node = n.id)",
                [],
                |r| r.get(0),
            )
            .map_err(StoreError::sqlite("check for orphan nodes"))?;
        if orphans > 0 {
            problems.push(format!("{orphans} nodes with no owner and no reference"));
        }
        Ok(problems)
    }
}

fn read_checkpoint(conn: &Connection, name: &str) -> Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM checkpoints WHERE name = ?1")
        .and_then(|mut s| s.query_row([name], |row| row.get(0)).optional())
        .map_err(StoreError::sqlite("read a checkpoint"))
}

/// A current node as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentNode {
    pub name: String,
    pub content_hash: Option<Vec<u8>>,
    pub attrs: Option<String>,
}

/// The values of one task kind, in the order they are kept (by id, schema
/// 20: the same for the same tasks, not by key): every key in one string
/// and every value in one buffer ([`WriteTx::memo_values`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoValues {
    keys: String,
    bytes: Vec<u8>,
    /// Where each (key, value) ends in `keys` and `bytes`.
    ends: Vec<(usize, usize)>,
}

impl MemoValues {
    /// (key, value) pairs, in the order they are kept.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        let mut start = (0, 0);
        self.ends.iter().map(move |&(k, v)| {
            let pair = (&self.keys[start.0..k], &self.bytes[start.1..v]);
            start = (k, v);
            pair
        })
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// One stored task: its memo row without the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoRow {
    pub id: TaskId,
    pub key: String,
    pub input_hash: u64,
    pub output_hash: u64,
    pub revision: u64,
}

/// The write transaction of one stage.
pub struct WriteTx<'c> {
    tx: rusqlite::Transaction<'c>,
    /// The mark of this transaction when the database has no journal:
    /// removed once the commit is in the file.
    building: Option<&'c Path>,
    /// Nodes known to exist in this transaction, so interning a node that is
    /// referenced many times (a file in many commits) costs one statement.
    /// Cleared whenever nodes may have been deleted.
    known_nodes: RefCell<HashSet<NodeId>>,
    /// Value names by their code in `value_names`, as looked up or added
    /// in this transaction.
    value_codes: RefCell<rustc_hash::FxHashMap<String, i64>>,
    /// Task kinds by their code in `task_kinds`, as looked up or added in
    /// this transaction.
    kind_codes: RefCell<rustc_hash::FxHashMap<String, i64>>,
    /// Ids of `record_texts` written in this transaction.
    record_text_ids: RefCell<rustc_hash::FxHashSet<i64>>,
    /// The next id a new chunk gets, and the next a new commit message's
    /// chunk gets (counting down from -1), once read in this transaction.
    chunk_ids: Cell<Option<(i64, i64)>>,
}

impl fmt::Debug for WriteTx<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WriteTx")
    }
}

impl WriteTx<'_> {
    /// Commits the stage. Garbage (nodes nobody owns or references) is
    /// collected first, so no committed state ever holds it, and the text
    /// index catches up with the chunks.
    pub fn commit(self) -> Result<()> {
        self.collect_garbage()?;
        self.apply_text_index()?;
        self.tx
            .commit()
            .map_err(StoreError::sqlite("commit a stage"))?;
        // Without a journal the commit synced the file (synchronous =
        // NORMAL) before returning: the transaction is whole on disk.
        match self.building {
            Some(mark) => remove_file(mark),
            None => Ok(()),
        }
    }

    pub fn checkpoint(&self, name: &str) -> Result<Option<String>> {
        read_checkpoint(&self.tx, name)
    }

    pub fn set_checkpoint(&self, name: &str, value: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO checkpoints (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value
                 WHERE value IS NOT excluded.value",
            )
            .and_then(|mut s| s.execute(params![name, value]))
            .map_err(StoreError::sqlite("write a checkpoint"))?;
        Ok(())
    }

    pub fn clear_checkpoint(&self, name: &str) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM checkpoints WHERE name = ?1")
            .and_then(|mut s| s.execute([name]))
            .map_err(StoreError::sqlite("clear a checkpoint"))?;
        Ok(())
    }

    /// Every stored task of `kind`, in the order they are kept (by id,
    /// schema 20): the same for the same tasks, but not by key.
    pub fn memo_rows(&self, kind: &str) -> Result<Vec<MemoRow>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT id, key, input_hash, output_hash, revision FROM tasks
                 WHERE kind = (SELECT code FROM task_kinds WHERE name = ?1)",
            )
            .map_err(StoreError::sqlite("read the memo table"))?;
        let rows: Vec<MemoRow> = stmt
            .query_map([kind], |row| {
                Ok(MemoRow {
                    id: TaskId::from_raw(row.get(0)?),
                    key: row.get(1)?,
                    input_hash: row.get::<_, i64>(2)? as u64,
                    output_hash: row.get::<_, i64>(3)? as u64,
                    revision: row.get::<_, i64>(4)? as u64,
                })
            })
            .and_then(Iterator::collect)
            .map_err(StoreError::sqlite("read the memo table"))?;
        Ok(rows)
    }

    /// The stored tasks of `kind` among `keys`, in the order of `keys`:
    /// one lookup each, for a run that declares a few tasks of a kind
    /// with many.
    pub fn memo_rows_of<'k>(
        &self,
        kind: &str,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Result<Vec<MemoRow>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT input_hash, output_hash, revision FROM tasks
                 WHERE kind = (SELECT code FROM task_kinds WHERE name = ?2) AND id = ?1
                   AND key = ?3",
            )
            .map_err(StoreError::sqlite("read the memo table"))?;
        let mut rows = Vec::new();
        for key in keys {
            let id = TaskId::of(kind, key);
            let row = stmt
                .query_row(params![id.raw(), kind, key], |row| {
                    Ok(MemoRow {
                        id,
                        key: key.to_owned(),
                        input_hash: row.get::<_, i64>(0)? as u64,
                        output_hash: row.get::<_, i64>(1)? as u64,
                        revision: row.get::<_, i64>(2)? as u64,
                    })
                })
                .optional()
                .map_err(StoreError::sqlite("read the memo table"))?;
            rows.extend(row);
        }
        Ok(rows)
    }

    /// Every stored task of `kind` that has a value, as (key, value), sorted
    /// by key, read into two buffers: tens of thousands of values (a commit
    /// record each) cost two allocations rather than two each, and what is
    /// decoded from them can borrow their strings.
    pub fn memo_values(&self, kind: &str) -> Result<MemoValues> {
        read_memo_values(&self.tx, kind)
    }

    /// Every text `record_texts` holds, by id (the behaviour stage reads
    /// every record).
    pub fn all_record_texts(&self) -> Result<RecordTexts> {
        read_record_texts(&self.tx, None)
    }

    /// Keeps each of `texts` (id, text) in `record_texts`, once: a text
    /// already there, or written before in this transaction, costs no
    /// statement.
    pub fn put_record_texts<'s>(
        &self,
        texts: impl IntoIterator<Item = (i64, &'s str)>,
    ) -> Result<()> {
        let mut known = self.record_text_ids.borrow_mut();
        let mut insert = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO record_texts (id, text) VALUES (?1, ?2)")
            .map_err(StoreError::sqlite("write a record text"))?;
        for (id, text) in texts {
            if !known.insert(id) {
                continue;
            }
            let added = insert
                .execute(params![id, text])
                .map_err(StoreError::sqlite("write a record text"))?;
            if added == 0 {
                // Kept before: the same text, unless two texts share a
                // hash, which must not pass silently.
                let kept: String = self
                    .tx
                    .prepare_cached("SELECT text FROM record_texts WHERE id = ?1")
                    .and_then(|mut s| s.query_row([id], |r| r.get(0)))
                    .map_err(StoreError::sqlite("read a record text"))?;
                if kept != text {
                    return Err(StoreError::IdCollision {
                        kind: "record text",
                        name: text.to_owned(),
                        other_kind: "record text".to_owned(),
                        other_name: kept,
                    });
                }
            }
        }
        Ok(())
    }

    /// Deletes the texts `ids` from `record_texts` (those no record names
    /// any more, after the history was rewritten), in id order.
    pub fn delete_record_texts(&self, mut ids: Vec<i64>) -> Result<()> {
        ids.sort_unstable();
        let mut delete = self
            .tx
            .prepare_cached("DELETE FROM record_texts WHERE id = ?1")
            .map_err(StoreError::sqlite("delete a record text"))?;
        for id in ids {
            delete
                .execute([id])
                .map_err(StoreError::sqlite("delete a record text"))?;
            self.record_text_ids.borrow_mut().remove(&id);
        }
        Ok(())
    }

    /// The current (owned) nodes of `kind` with their content hash and
    /// attributes, sorted by name.
    pub fn current_nodes(&self, kind: NodeKind) -> Result<Vec<CurrentNode>> {
        read::current_nodes(&self.tx, kind)
    }

    /// Chunk texts without a vector for `model`.
    pub fn pending_embeddings(&self, model: &str) -> Result<Vec<PendingEmbedding>> {
        embeddings::pending(&self.tx, model)
    }

    /// How many distinct texts the chunks hold to embed, and how many of
    /// them have a vector for `model`: the difference is what
    /// `pending_embeddings` would return, counted without reading it.
    pub fn embedding_coverage(&self, model: &str) -> Result<(u64, u64)> {
        embeddings::coverage(&self.tx, model)
    }

    /// Stores a vector for an embedded text.
    pub fn put_embedding(&self, embed_hash: i64, model: &str, vector: &[f32]) -> Result<()> {
        embeddings::put(&self.tx, embed_hash, model, vector)
    }

    /// Deletes vectors nothing uses (another model's, a vanished text's).
    pub fn prune_embeddings(&self, model: &str) -> Result<usize> {
        embeddings::prune(&self.tx, model)
    }

    /// Every edge of `kind` with its members, as written so far in this
    /// transaction.
    pub fn edges(&self, kind: EdgeKind) -> Result<Vec<StoredEdge>> {
        read::edges(&self.tx, kind)
    }

    /// Every value on the current nodes of `kind`, sorted.
    pub fn node_values(&self, kind: NodeKind) -> Result<Vec<(String, String, Value)>> {
        read::node_values(&self.tx, kind)
    }

    /// Every edge of `kind` with a source and a target, as a graph reads
    /// it (first source, first target, weight, confidence), in edge order.
    pub fn pair_edges(&self, kind: EdgeKind) -> Result<Vec<PairEdge>> {
        read::pair_edges(&self.tx, kind)
    }

    /// The values named `names` on the current nodes of `kind`, grouped by
    /// node (sorted by node name, each node's values by name).
    pub fn node_values_grouped<'n>(
        &self,
        kind: NodeKind,
        names: &[&'n str],
    ) -> Result<Vec<NodeValues<'n>>> {
        read::node_values_grouped(&self.tx, kind, names)
    }

    /// The names of the owned (current) nodes of `kind`, sorted.
    pub fn current_names(&self, kind: NodeKind) -> Result<Vec<String>> {
        self.tx
            .prepare_cached(
                "SELECT name FROM nodes WHERE kind = ?1 AND owner IS NOT NULL ORDER BY name",
            )
            .and_then(|mut s| s.query_map([kind.code()], |row| row.get(0))?.collect())
            .map_err(StoreError::sqlite("read current nodes"))
    }

    /// How many tasks of `kind` are stored (the `task_counts` the
    /// triggers keep, schema 8): one row read.
    pub fn task_count(&self, kind: &str) -> Result<u64> {
        let n: Option<i64> = self
            .tx
            .prepare_cached("SELECT n FROM task_counts WHERE kind = ?1")
            .and_then(|mut s| s.query_row([kind], |row| row.get(0)).optional())
            .map_err(StoreError::sqlite("read the task counts"))?;
        Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }

    /// The stored output value of a task, if it has one.
    pub fn memo_value(&self, id: TaskId) -> Result<Option<Vec<u8>>> {
        read_task_value(&self.tx, id)
    }

    pub fn task_exists(&self, id: TaskId) -> Result<bool> {
        task_exists(&self.tx, id)
    }

    /// Creates or replaces the memo row of a task. A value that would make
    /// the row longer than `SPILL_OVER` bytes is kept in `task_values`
    /// (schema 10: the memo table keeps its rows short, see there).
    pub fn put_memo(&self, kind: &str, row: &MemoRow, value: Option<&[u8]>) -> Result<()> {
        let (value, packed) = match value.map(packed::pack_value) {
            Some((stored, packed)) => (Some(stored), packed),
            None => (None, false),
        };
        let spilled = value
            .as_ref()
            .is_some_and(|v| v.len() + row.key.len() + kind.len() > SPILL_OVER);
        let sql = || StoreError::sqlite("write the memo table");
        let code = self.kind_code(kind)?;
        self.tx
            .prepare_cached(
                "INSERT INTO tasks (id, kind, key, input_hash, output_hash, revision, value, packed,
                                    spilled)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (id) DO UPDATE SET
                     input_hash = excluded.input_hash, output_hash = excluded.output_hash,
                     revision = excluded.revision, value = excluded.value,
                     packed = excluded.packed, spilled = excluded.spilled",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.id.raw(),
                    code,
                    row.key,
                    row.input_hash as i64,
                    row.output_hash as i64,
                    row.revision as i64,
                    if spilled { None } else { value.as_deref() },
                    packed,
                    spilled
                ])
            })
            .map_err(sql())?;
        if spilled {
            self.tx
                .prepare_cached("INSERT OR REPLACE INTO task_values (id, value) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![row.id.raw(), value.as_deref()]))
                .map_err(sql())?;
        } else {
            self.tx
                .prepare_cached("DELETE FROM task_values WHERE id = ?1")
                .and_then(|mut s| s.execute([row.id.raw()]))
                .map_err(sql())?;
        }
        Ok(())
    }

    /// Creates the memo row of a task that is about to write its first rows,
    /// so the rows' owner exists. `put_memo` fills in the hashes afterwards.
    pub fn ensure_task(&self, kind: &str, id: TaskId, key: &str) -> Result<()> {
        let code = self.kind_code(kind)?;
        self.tx
            .prepare_cached(
                "INSERT INTO tasks (id, kind, key, input_hash, output_hash, revision)
                 VALUES (?1, ?2, ?3, 0, 0, 0) ON CONFLICT (id) DO NOTHING",
            )
            .and_then(|mut s| s.execute(params![id.raw(), code, key]))
            .map_err(StoreError::sqlite("create a task"))?;
        Ok(())
    }

    /// Deletes a task and everything it derived: its edges, values and
    /// chunks go by cascade, its nodes are deleted (or, for shared kinds,
    /// released to history) first, and any edge of another task that
    /// referenced a deleted node goes with it.
    pub fn delete_task(&self, id: TaskId) -> Result<()> {
        writer::drop_owned_nodes(self, id, &HashSet::new())?;
        self.tx
            .prepare_cached("DELETE FROM tasks WHERE id = ?1")
            .and_then(|mut s| s.execute([id.raw()]))
            .map_err(StoreError::sqlite("delete a task"))?;
        Ok(())
    }

    /// Starts writing the output rows of task `id`. `fresh` says the task
    /// owns no rows yet, which skips the comparison with earlier rows.
    #[must_use]
    pub fn task_writer(&self, id: TaskId, fresh: bool) -> TaskWriter<'_> {
        TaskWriter::new(self, id, fresh, false)
    }

    /// A writer that writes nothing and only hashes what it is given: the
    /// output hash task `id` would have, to check a reused task against.
    #[must_use]
    pub fn dry_task_writer(&self, id: TaskId) -> TaskWriter<'_> {
        TaskWriter::new(self, id, true, true)
    }

    /// Deletes nodes that nobody owns and no edge references, among those
    /// that lost a reference in this transaction.
    pub(crate) fn collect_garbage(&self) -> Result<usize> {
        let deleted = self
            .tx
            .prepare_cached(
                "DELETE FROM nodes WHERE id IN (SELECT node FROM orphan_candidates)
                   AND owner IS NULL
                   AND NOT EXISTS (SELECT 1 FROM edge_members m WHERE m.node = nodes.id)",
            )
            .and_then(|mut s| s.execute([]))
            .map_err(StoreError::sqlite("collect unreferenced nodes"))?;
        self.tx
            .prepare_cached("DELETE FROM orphan_candidates")
            .and_then(|mut s| s.execute([]))
            .map_err(StoreError::sqlite("collect unreferenced nodes"))?;
        if deleted > 0 {
            self.known_nodes.borrow_mut().clear();
        }
        Ok(deleted)
    }

    /// Brings the FTS5 index in line with the chunks changed in this
    /// transaction (see `chunk_text_pending` in the schema).
    fn apply_text_index(&self) -> Result<()> {
        let pending: i64 = self
            .tx
            .query_row("SELECT count(*) FROM chunk_text_pending", [], |r| r.get(0))
            .map_err(StoreError::sqlite("read the text index queue"))?;
        if pending == 0 {
            return Ok(());
        }
        // First: FTS5 caches its totals from its first write on.
        text_totals::subtract_deleted(&self.tx)?;
        self.tx
            .execute_batch(
                "DELETE FROM chunk_text WHERE rowid IN
                     (SELECT id FROM chunk_text_pending WHERE op = 'delete');
                 INSERT INTO chunk_text (rowid, title, body, words)
                     SELECT p.id, p.title, p.body, p.words FROM chunk_text_pending p
                     WHERE p.seq IN (SELECT max(seq) FROM chunk_text_pending GROUP BY id)
                       AND p.op = 'insert'
                     ORDER BY p.id;
                 DELETE FROM chunk_text_pending;",
            )
            .map_err(StoreError::sqlite("update the text index"))
    }

    /// The code of the value name `name`, added to `value_names` when new.
    pub(crate) fn value_code(&self, name: &str) -> Result<i64> {
        self.vocabulary_code(&self.value_codes, "value_names", name)
    }

    /// The code of the task kind `kind`, added to `task_kinds` when new.
    fn kind_code(&self, kind: &str) -> Result<i64> {
        self.vocabulary_code(&self.kind_codes, "task_kinds", kind)
    }

    /// The code of `name` in the vocabulary `table` (`code`, `name`),
    /// added when new, through the transaction's `cache` of it.
    fn vocabulary_code(
        &self,
        cache: &RefCell<rustc_hash::FxHashMap<String, i64>>,
        table: &str,
        name: &str,
    ) -> Result<i64> {
        if let Some(code) = cache.borrow().get(name) {
            return Ok(*code);
        }
        let known: Option<i64> = self
            .tx
            .prepare_cached(&format!("SELECT code FROM {table} WHERE name = ?1"))
            .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
            .map_err(StoreError::sqlite("read a vocabulary"))?;
        let code = if let Some(code) = known {
            code
        } else {
            self.tx
                .prepare_cached(&format!("INSERT INTO {table} (name) VALUES (?1)"))
                .and_then(|mut s| s.execute([name]))
                .map_err(StoreError::sqlite("add to a vocabulary"))?;
            self.tx.last_insert_rowid()
        };
        cache.borrow_mut().insert(name.to_owned(), code);
        Ok(code)
    }

    /// An id for a new chunk: the next after the largest stored, or, for
    /// a commit message's, the next below the smallest (messages' ids are
    /// negative, every other chunk's is not). Small ids in the order chunks
    /// are written keep the text index small: FTS5 stores each term's
    /// documents as differences of their ids, one to three bytes apart
    /// rather than the nine a hashed id took (docs/PERFORMANCE.md). An id
    /// freed and handed out again in the same transaction is fine: the
    /// queue deletes the old text from the text index before it adds the
    /// new (`apply_text_index`).
    pub(crate) fn new_chunk_id(&self, message: bool) -> Result<i64> {
        let (code, messages) = match self.chunk_ids.get() {
            Some(next) => next,
            None => self
                .tx
                .query_row(
                    "SELECT COALESCE((SELECT max(id) FROM chunks), -1) + 1,
                            COALESCE((SELECT min(id) FROM chunks WHERE id < 0), 0) - 1",
                    [],
                    |r| Ok((r.get::<_, i64>(0)?.max(0), r.get(1)?)),
                )
                .map_err(StoreError::sqlite("read the chunk ids in use"))?,
        };
        let (id, next) = if message {
            (messages, (code, messages - 1))
        } else {
            (code, (code + 1, messages))
        };
        self.chunk_ids.set(Some(next));
        Ok(id)
    }

    /// Counts of what is stored, as seen inside this transaction.
    pub fn summary(&self) -> Result<Summary> {
        read::summary(&self.tx)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.tx
    }
}

/// The texts commit records name by id: by id, those of `ids`, or all.
pub type RecordTexts = std::collections::HashMap<i64, String>;

fn read_record_texts(conn: &rusqlite::Connection, ids: Option<&[i64]>) -> Result<RecordTexts> {
    let what = "read the record texts";
    let mut out = RecordTexts::new();
    match ids {
        None => {
            let mut stmt = conn
                .prepare_cached("SELECT id, text FROM record_texts")
                .map_err(StoreError::sqlite(what))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(StoreError::sqlite(what))?;
            for row in rows {
                let (id, text) = row.map_err(StoreError::sqlite(what))?;
                out.insert(id, text);
            }
        }
        Some(ids) => {
            let mut stmt = conn
                .prepare_cached("SELECT text FROM record_texts WHERE id = ?1")
                .map_err(StoreError::sqlite(what))?;
            for &id in ids {
                if out.contains_key(&id) {
                    continue;
                }
                if let Some(text) = stmt
                    .query_row([id], |r| r.get::<_, String>(0))
                    .optional()
                    .map_err(StoreError::sqlite(what))?
                {
                    out.insert(id, text);
                }
            }
        }
    }
    Ok(out)
}

/// Every stored task of `kind` that has a value, as (key, value), in the
/// order they are kept, read into two buffers: tens of thousands of
/// values (a commit record each) cost two allocations rather than two
/// each, and what is decoded from them can borrow their strings.
fn read_memo_values(conn: &Connection, kind: &str) -> Result<MemoValues> {
    let mut values = MemoValues::default();
    let mut stmt = conn
        .prepare_cached(concat!(
            "SELECT key, ",
            stored_value!(),
            ", packed FROM tasks t
                 WHERE kind = (SELECT code FROM task_kinds WHERE name = ?1)
                   AND (value IS NOT NULL OR spilled)"
        ))
        .map_err(StoreError::sqlite("read task values"))?;
    let mut rows = stmt
        .query([kind])
        .map_err(StoreError::sqlite("read task values"))?;
    while let Some(row) = rows
        .next()
        .map_err(StoreError::sqlite("read task values"))?
    {
        let key = row
            .get_ref(0)
            .and_then(|v| Ok(v.as_str()?))
            .map_err(StoreError::sqlite("read task values"))?;
        let value = row
            .get_ref(1)
            .and_then(|v| Ok(v.as_blob()?))
            .map_err(StoreError::sqlite("read task values"))?;
        let packed: bool = row.get(2).map_err(StoreError::sqlite("read task values"))?;
        values.keys.push_str(key);
        packed::unpack_value_onto(value, packed, &mut values.bytes).map_err(corrupt_value)?;
        values.ends.push((values.keys.len(), values.bytes.len()));
    }
    Ok(values)
}

/// The stored output value of task `id`, if it has one.
fn task_exists(conn: &Connection, id: TaskId) -> Result<bool> {
    conn.prepare_cached("SELECT 1 FROM tasks WHERE id = ?1")
        .and_then(|mut s| s.exists([id.raw()]))
        .map_err(StoreError::sqlite("read the memo table"))
}

fn read_task_value(conn: &Connection, id: TaskId) -> Result<Option<Vec<u8>>> {
    let stored: Option<(Option<Vec<u8>>, bool)> = conn
        .prepare_cached(concat!(
            "SELECT ",
            stored_value!(),
            ", packed FROM tasks t WHERE id = ?1"
        ))
        .and_then(|mut s| {
            s.query_row([id.raw()], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
        .map_err(StoreError::sqlite("read a task's value"))?;
    match stored {
        Some((Some(value), packed)) => unpack_value(value, packed).map(Some),
        _ => Ok(None),
    }
}

/// A task's stored value in SQL, wherever it is kept: in its row of
/// `tasks t`, or aside in `task_values` when the row says `spilled`.
macro_rules! stored_value {
    () => {
        "CASE WHEN t.spilled THEN (SELECT v.value FROM task_values v WHERE v.id = t.id)
              ELSE t.value END"
    };
}
pub(crate) use stored_value;

/// How many prepared statements a connection keeps for `prepare_cached`.
/// rusqlite keeps 16, least recently used first out; a task's writer alone
/// cycles through more than that (its memo row, nodes, edges, chunks,
/// values, their old rows), so every task prepared most of its statements
/// again: 7% of an incremental update of hono went to SQLite's parser.
/// The store has about a hundred statements in all.
const STATEMENT_CACHE: usize = 256;

/// The longest a memo row's value, key and kind may be together and stay
/// in the row: a table without rowid keeps at most about a quarter of a
/// 4 KiB page in a row (1,002 bytes with its header) and sends the rest to
/// overflow pages. Migration 0010 uses the same number.
const SPILL_OVER: usize = 800;

/// A task's value from its stored form; a value that does not inflate is
/// a damaged index.
fn unpack_value(stored: Vec<u8>, packed: bool) -> Result<Vec<u8>> {
    packed::unpack_value(stored, packed).map_err(corrupt_value)
}

fn corrupt_value(detail: String) -> StoreError {
    StoreError::Corrupt {
        what: "a task's value",
        detail,
    }
}

#[cfg(test)]
mod tests;
