//! An open index: the repository, its database opened read-only, and what
//! every answer stands on (the indexed commit and how far HEAD has moved).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use homer_embed::{Encoder, EncoderKind};
use homer_git::{Head, ObjectId};
use homer_store::{NodeKind, Store, StoredChunk, StoredVectors};
use homer_vocab::attrs;
use homer_vocab::history::{COMMIT_TASK, CommitRecord, CommitSummary, StoredRecord};
use homer_vocab::quote::{ChunkTexts, StoredText};
use homer_vocab::salience::{self, Populations};
use homer_vocab::values::ValueType;
use homer_vocab::{
    BoundedHistory, Checkpoint, JsonCheckpoint, Key, ShallowHistory, Values, Workspace,
};
use serde::de::DeserializeOwned;

use crate::ReadError;
use crate::status::Freshness;

/// How many commits freshness counts before it says "at least".
const BEHIND_LIMIT: usize = 10_000;

/// The index of one repository, open for reading.
#[derive(Debug)]
pub struct Index {
    workspace: Workspace,
    store: Store,
    /// What a long-lived reader (`homer serve`) keeps between answers.
    warm: Mutex<Warm>,
    worktree: Option<Arc<WorktreeCache>>,
}

/// Loaded once per handle and kept while the index's revision stays: the
/// query encoder (its tokenizer takes longer to load than a search takes)
/// and the stored vectors.
#[derive(Default)]
struct Warm {
    encoder: Option<(EncoderKind, Encoder)>,
    vectors: Option<(u64, EncoderKind, Arc<StoredVectors>)>,
    populations: Option<(u64, Option<Arc<Populations>>)>,
    spec_tests: Option<(u64, bool)>,
}

impl std::fmt::Debug for Warm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Warm")
            .field("encoder", &self.encoder.as_ref().map(|(k, _)| k))
            .field(
                "vectors",
                &self.vectors.as_ref().map(|(r, k, v)| (r, k, v.keys.len())),
            )
            .field(
                "populations",
                &self.populations.as_ref().map(|(r, p)| (r, p.is_some())),
            )
            .field("spec_tests", &self.spec_tests)
            .finish()
    }
}

/// Blob ids of working-tree files, remembered with the file's size,
/// modification time and inode, so a file unchanged since it was hashed
/// is not read again. Only files last modified well before they were
/// hashed are remembered: a write in the same clock tick as the hashing
/// would leave the same stat behind (git's "racily clean" entries).
#[derive(Debug, Default)]
pub struct WorktreeCache {
    entries: Mutex<HashMap<String, (FileStat, Option<ObjectId>)>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileStat {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

/// How much older than the hashing a file's modification must be for its
/// hash to be remembered.
const RACY: Duration = Duration::from_secs(2);

impl FileStat {
    fn of(path: &Path) -> Option<FileStat> {
        // The link itself, as its blob is (`Repository::worktree_blob`).
        let meta = std::fs::symlink_metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(FileStat {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        })
    }
}

impl WorktreeCache {
    fn blob(&self, repo: &homer_git::Repository, root: &Path, path: &str) -> Option<ObjectId> {
        let Some(stat) = FileStat::of(&root.join(path)) else {
            // Gone (or unreadable): nothing to remember.
            return repo.worktree_blob(path);
        };
        let lock = || self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((seen, blob)) = lock().get(path)
            && *seen == stat
        {
            return *blob;
        }
        let blob = repo.worktree_blob(path);
        let settled = stat
            .modified
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age > RACY);
        if settled {
            lock().insert(path.to_owned(), (stat, blob));
        }
        blob
    }
}

impl Index {
    /// Opens the index of the repository containing `path`: an error that
    /// says to run `homer update` when there is none yet.
    pub fn open(path: &Path) -> Result<Index, ReadError> {
        let workspace = Workspace::locate(path)?;
        let store = workspace.open_index()?;
        Ok(Index {
            workspace,
            store,
            warm: Mutex::new(Warm::default()),
            worktree: None,
        })
    }

    /// Remembers working-tree hashes in `cache` (shared by the handles of
    /// one long-lived reader) instead of hashing every file each time.
    #[must_use]
    pub fn with_worktree_cache(mut self, cache: Arc<WorktreeCache>) -> Index {
        self.worktree = Some(cache);
        self
    }

    /// Embeds a query with the encoder of `kind`, loaded once per handle,
    /// on a thread of its own while `beside` runs on this one (loading the
    /// encoder, the tokenizer's vocabulary above all, takes longer than a
    /// text search: the two overlap).
    pub(crate) fn embed_query_beside<R>(
        &self,
        kind: EncoderKind,
        files: &homer_embed::ModelFiles,
        query: &str,
        beside: impl FnOnce() -> R,
    ) -> (Result<Option<Vec<f32>>, homer_embed::EmbedError>, R) {
        // Taken out while in use, put back after: the lock is not held
        // while the encoder loads.
        let warm = self
            .warm
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .encoder
            .take()
            .filter(|(k, _)| *k == kind)
            .map(|(_, encoder)| encoder);
        let (encoded, other) = std::thread::scope(|scope| {
            let encoding = scope.spawn(move || {
                let mut encoder = match warm {
                    Some(encoder) => encoder,
                    None => Encoder::for_queries(kind, files)?,
                };
                let vector = encoder.embed(&[query])?.pop();
                Ok::<_, homer_embed::EmbedError>((encoder, vector))
            });
            let other = beside();
            let encoded = encoding
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (encoded, other)
        });
        let vector = encoded.map(|(encoder, vector)| {
            self.warm
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .encoder = Some((kind, encoder));
            vector
        });
        (vector, other)
    }

    /// The stored vectors of `kind`, read once per revision of the index.
    pub(crate) fn vectors(&self, kind: EncoderKind) -> Result<Arc<StoredVectors>, ReadError> {
        let revision = self.settled_revision()?;
        let mut warm = self.warm.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((r, k, vectors)) = &warm.vectors
            && Some(*r) == revision
            && *k == kind
        {
            return Ok(Arc::clone(vectors));
        }
        let vectors = Arc::new(
            self.store
                .text_vectors(kind.model_id(), kind.dimensions())?,
        );
        warm.vectors = revision.map(|r| (r, kind, Arc::clone(&vectors)));
        Ok(vectors)
    }

    /// The populations salience ranks files in, read once per revision of
    /// the index; `None` before a graph stage stored them.
    pub fn salience_populations(&self) -> Result<Option<Arc<Populations>>, ReadError> {
        let revision = self.settled_revision()?;
        let mut warm = self.warm.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((r, populations)) = &warm.populations
            && Some(*r) == revision
        {
            return Ok(populations.clone());
        }
        let populations = Populations::read(&self.store)?.map(Arc::new);
        warm.populations = revision.map(|r| (r, populations.clone()));
        Ok(populations)
    }

    /// The salience score of a file from its `values` (its PageRank,
    /// dependents, betweenness, commits and last change ranked among the
    /// population); `None` for a file salience did not rank.
    pub fn salience(&self, values: &Values) -> Result<Option<f64>, ReadError> {
        let populations = self.salience_populations()?;
        Ok(salience::score_of(
            &self.store,
            populations.as_deref(),
            values,
        )?)
    }

    /// The salience score of the file at `path`, reading only the values
    /// it is computed from (a search ranks hundreds of files by it).
    pub fn file_salience(&self, path: &str) -> Result<Option<f64>, ReadError> {
        let Some(populations) = self.salience_populations()? else {
            return Ok(None);
        };
        let values = self.salience_values(path)?;
        Ok(salience::score_of(
            &self.store,
            Some(&populations),
            &values,
        )?)
    }

    /// The values of the file at `path` that its salience score and class
    /// are read from, and no others (a node's values are found name by
    /// name).
    pub fn salience_values(&self, path: &str) -> Result<Values, ReadError> {
        let mut rows = Vec::with_capacity(salience::READS.len());
        for name in homer_vocab::values::stored_rows(&salience::READS) {
            if let Some(value) = self.store.value_of(NodeKind::File, path, name)? {
                rows.push((name, value));
            }
        }
        Ok(Values::decode(path, rows)?)
    }

    #[must_use]
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The working tree root (or the git directory of a bare repository).
    #[must_use]
    pub fn root(&self) -> &Path {
        self.workspace.root()
    }

    /// The database, for the readers of this crate and homer-render.
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The commit the index describes, `None` before the first commit.
    pub fn indexed_head(&self) -> Result<Option<String>, ReadError> {
        Ok(self.store.checkpoint(&Checkpoint::Head.name())?)
    }

    /// The commit HEAD points to now, `None` before the first commit.
    pub fn head(&self) -> Result<Option<String>, ReadError> {
        Ok(match self.workspace.repository().head()? {
            Head::Commit { id, .. } => Some(id.to_hex()),
            Head::Unborn { .. } => None,
        })
    }

    /// The store's revision counter: it moves with every update that
    /// changed something; 0 before the first.
    pub fn revision(&self) -> Result<u64, ReadError> {
        crate::status::revision(&self.store)
    }

    /// The revision, when what is stored may be kept by a reader until it
    /// moves: `None` while an update is part way (between the transaction
    /// of its first stage and that of its last, the revision stays while
    /// every stage commits more of the new commit).
    pub fn settled_revision(&self) -> Result<Option<u64>, ReadError> {
        if self
            .store
            .checkpoint(&Checkpoint::Updating.name())?
            .is_some()
        {
            return Ok(None);
        }
        self.revision().map(Some)
    }

    /// How far the index is from HEAD.
    pub fn freshness(&self) -> Result<Freshness, ReadError> {
        let repo = self.workspace.repository();
        let head = match repo.head()? {
            Head::Commit { id, .. } => Some(id),
            Head::Unborn { .. } => None,
        };
        freshness_in(&self.workspace, &self.store, head)
    }

    /// What an answer resting on the history should say when the mined
    /// history is not all of it: `[history]` left commits out, or the
    /// clone is shallow (its history stops at a boundary). Empty otherwise.
    pub fn history_warnings(&self) -> Result<Vec<String>, ReadError> {
        let bound = BoundedHistory::read(&self.store)?.filter(BoundedHistory::partial);
        let shallow = ShallowHistory::read(&self.store)?;
        Ok(bound
            .map(|b| b.warning())
            .into_iter()
            .chain(shallow.map(|s| s.warning()))
            .collect())
    }

    /// What a reader should hear about how far the index is from HEAD:
    /// nothing when it describes HEAD, else one sentence saying what to do.
    pub fn freshness_warning(&self) -> Result<Option<String>, ReadError> {
        Ok(match self.freshness()? {
            Freshness::UpToDate => None,
            Freshness::Partial { to, running } => Some(format!(
                "an update to {} {} part way: some answers describe that commit, others {}; {}",
                &to[..to.len().min(7)],
                if running { "is" } else { "was stopped" },
                self.indexed_head()?
                    .as_deref()
                    .map_or("none", |c| &c[..c.len().min(7)]),
                if running {
                    "they agree when it finishes"
                } else {
                    "run `homer update`"
                }
            )),
            Freshness::Behind { commits, .. } => Some(format!(
                "the index is {commits} commit{} behind HEAD; run `homer update`",
                if commits == 1 { "" } else { "s" }
            )),
            other => Some(format!(
                "the index does not describe HEAD ({}); run `homer update`",
                other.describe()
            )),
        })
    }

    /// The chunks with these ids, each body whole: the lines a chunk of
    /// code quotes are read from its file's blob at the indexed commit. A
    /// chunk whose lines cannot be read again, or are not what it was
    /// indexed with, keeps only what its row stores (see
    /// [`homer_vocab::quote::ChunkTexts::whole`]).
    pub fn chunks(&self, ids: &[i64]) -> Result<Vec<StoredChunk>, ReadError> {
        let mut chunks = self.store.chunks(ids)?;
        self.make_whole(&mut chunks)?;
        Ok(chunks)
    }

    /// Makes whole the bodies of chunks read as stored ([`Self::chunks`]).
    pub fn make_whole(&self, chunks: &mut [StoredChunk]) -> Result<(), ReadError> {
        let mut texts = ChunkTexts::new(self.workspace.repository());
        for chunk in chunks.iter_mut().filter(|c| c.file_lines) {
            let Some(path) = crate::search::chunk_path(chunk) else {
                continue;
            };
            let stored = StoredText {
                path,
                title: &chunk.title,
                body: &chunk.body,
                file_lines: chunk.file_lines,
                lines: chunk.lines,
                text_hash: chunk.text_hash,
            };
            if let Some(whole) = texts.whole(&self.store, &stored)? {
                chunk.body = whole;
                chunk.file_lines = false;
            }
        }
        Ok(())
    }

    /// The text of `path` at the indexed commit (see
    /// [`homer_vocab::quote::indexed_text`]).
    pub fn indexed_text(&self, path: &str) -> Result<Option<String>, ReadError> {
        Ok(homer_vocab::quote::indexed_text(
            &self.store,
            self.workspace.repository(),
            path,
        )?)
    }

    /// Whether the working tree's copy of `path` differs from the indexed
    /// blob (or is gone). False without a working tree (a bare repository).
    pub fn changed_in_worktree(&self, path: &str) -> Result<bool, ReadError> {
        let repo = self.workspace.repository();
        let indexed = self.store.content_hash(NodeKind::File, path)?;
        let now = match &self.worktree {
            Some(cache) => cache.blob(repo, self.root(), path),
            None => repo.worktree_blob(path),
        };
        Ok(match (indexed, now) {
            (Some(indexed), Some(now)) => indexed != now.as_bytes(),
            (Some(_), None) => repo.has_worktree(),
            _ => false,
        })
    }

    /// The values stored on one node, typed.
    pub fn values(&self, kind: NodeKind, name: &str) -> Result<Values, ReadError> {
        Ok(Values::decode(name, self.store.values_of(kind, name)?)?)
    }

    /// One typed value of one node.
    pub fn value<T: ValueType>(
        &self,
        kind: NodeKind,
        name: &str,
        key: Key<T>,
    ) -> Result<Option<T>, ReadError> {
        // A history figure is read from the row that holds them all (or
        // from its own, in an index written before that row).
        let (stored, own) = (key.name().stored_as().name(), key.name().name());
        let found = match self.store.value_of(kind, name, stored)? {
            Some(value) => Some((stored, value)),
            None if stored != own => self.store.value_of(kind, name, own)?.map(|v| (own, v)),
            None => None,
        };
        match found {
            Some(row) => Ok(Values::decode(name, [row])?.get(key)?),
            None => Ok(None),
        }
    }

    /// The attributes of one node, `None` when there is no such node.
    pub fn attrs<T: DeserializeOwned>(
        &self,
        kind: NodeKind,
        name: &str,
    ) -> Result<Option<T>, ReadError> {
        let Some(node) = self.store.node(kind, name)? else {
            return Ok(None);
        };
        let what = || format!("{} '{name}'", kind.name());
        Ok(Some(attrs::decode(what, node.attrs.as_deref())?))
    }

    /// What a reader shows of a mined commit, `None` for a commit the
    /// history did not mine: its record (the history stage's task value)
    /// and its subject (its message's chunk).
    pub fn commit(&self, id: &str) -> Result<Option<CommitSummary>, ReadError> {
        let Some(record) = self.record(id)? else {
            return Ok(None);
        };
        let subject = self
            .store
            .message_title(COMMIT_TASK, id)?
            .unwrap_or_default();
        Ok(Some(CommitSummary {
            author: record.name,
            time: record.authored,
            committed: record.committed,
            subject,
        }))
    }

    /// The commits whose messages the words of `text` match best (BM25
    /// over subjects and bodies, as `homer search --commits` ranks them),
    /// best first, at most `limit`, each with the paths it changed (a
    /// rename's new path): none for one that changed more than
    /// `most_files`, which keeps its place.
    pub fn similar_commits(
        &self,
        text: &str,
        limit: usize,
        most_files: usize,
    ) -> Result<Vec<(String, Vec<String>)>, ReadError> {
        let Some(query) = homer_vocab::text::fts_query(text) else {
            return Ok(Vec::new());
        };
        let found = self.store.text_search(
            &query,
            crate::search::WEIGHTS,
            limit,
            homer_store::Searched::Commits,
        )?;
        let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
        let mut out = Vec::with_capacity(ids.len());
        for chunk in self.store.chunks(&ids)? {
            let Some(id) = chunk.commit else {
                continue;
            };
            let Some(paths) = self.changed_paths(&id, most_files)? else {
                continue;
            };
            out.push((id, paths));
        }
        Ok(out)
    }

    /// Whether a test file at HEAD is named a spec (`user_spec.rb`,
    /// `spec/`, `parse.spec.ts`, `ParserSpec.scala`): where none is, "spec"
    /// means a specification, not a test. Scans every file's name, so only
    /// a question with the word asks, once per revision of the index (a
    /// task context asks for its search and for its file order).
    pub fn has_spec_tests(&self) -> Result<bool, ReadError> {
        let revision = self.settled_revision()?;
        if let Some((r, has)) = self
            .warm
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .spec_tests
            && Some(r) == revision
        {
            return Ok(has);
        }
        let has = self
            .store
            .names_containing(NodeKind::File, "spec")?
            .iter()
            .any(|p| homer_vocab::FileRole::of_path(p) == Some(homer_vocab::FileRole::Test));
        self.warm
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .spec_tests = revision.map(|r| (r, has));
        Ok(has)
    }

    /// The paths each of the indexed commit's latest mined commits changed
    /// (a rename's new path), newest first: at most `limit` of them, found
    /// among twice as many commits (a merge is not mined); none for one
    /// that changed more than `most_files`. Empty before the first update.
    pub fn latest_commits(
        &self,
        limit: usize,
        most_files: usize,
    ) -> Result<Vec<Vec<String>>, ReadError> {
        let Some(head) = self.indexed_head()?.and_then(|h| ObjectId::from_hex(&h)) else {
            return Ok(Vec::new());
        };
        // The indexed commit gone from the repository (history rewritten
        // and collected): no latest commits to tell of, not an error for
        // a reader that only weighs them.
        let Ok(latest) = self.workspace.repository().latest(head, 2 * limit) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(limit);
        for id in latest {
            if out.len() == limit {
                break;
            }
            if let Some(paths) = self.changed_paths(&id.to_hex(), most_files)? {
                out.push(paths);
            }
        }
        Ok(out)
    }

    /// The paths a mined commit changed (a rename's new path), none for a
    /// commit that changed more than `most_files` (an import, a sweep
    /// across the tree: not read, a kernel-sized repository's first commit
    /// names 75,000 paths); `None` for a commit the history did not mine.
    fn changed_paths(&self, id: &str, most_files: usize) -> Result<Option<Vec<String>>, ReadError> {
        let Some(bytes) = self.store.task_value(COMMIT_TASK, id)? else {
            return Ok(None);
        };
        let stored = StoredRecord::decode(id, &bytes)?;
        if stored.change_count() > most_files {
            return Ok(Some(Vec::new()));
        }
        let record = self.resolved(id, stored)?;
        Ok(Some(record.changes.into_iter().map(|c| c.path).collect()))
    }

    /// A mined commit's record with its texts (the history stage's task
    /// value), `None` for a commit the history did not mine.
    fn record(&self, id: &str) -> Result<Option<CommitRecord>, ReadError> {
        let Some(bytes) = self.store.task_value(COMMIT_TASK, id)? else {
            return Ok(None);
        };
        Ok(Some(self.resolved(id, StoredRecord::decode(id, &bytes)?)?))
    }

    /// A stored record with the texts it names read.
    fn resolved(&self, id: &str, stored: StoredRecord<'_>) -> Result<CommitRecord, ReadError> {
        let ids: Vec<i64> = stored.text_ids().collect();
        let texts = self.store.record_texts(&ids)?;
        Ok(stored.resolve(id, &texts)?.to_owned_record())
    }

    /// A mined commit's author and committer times, from its record alone
    /// (no subject to look up): `None` for a commit the history did not
    /// mine.
    pub fn commit_times(&self, id: &str) -> Result<Option<(i64, i64)>, ReadError> {
        let Some(bytes) = self.store.task_value(COMMIT_TASK, id)? else {
            return Ok(None);
        };
        let (committed, authored) = StoredRecord::decode(id, &bytes)?.times();
        Ok(Some((authored, committed)))
    }
}

/// Where the index of the repository containing `path` lives (whether or
/// not it exists yet).
pub fn database_path(path: &Path) -> Result<std::path::PathBuf, ReadError> {
    Ok(Workspace::locate(path)?.database().to_path_buf())
}

/// Freshness from HEAD and the checkpoints of `store`: an update that
/// began writing and has not finished says so above all else, since its
/// answers mix two commits whatever HEAD is.
pub(crate) fn freshness_in(
    workspace: &Workspace,
    store: &Store,
    head: Option<ObjectId>,
) -> Result<Freshness, ReadError> {
    if let Some(to) = store.checkpoint(&Checkpoint::Updating.name())? {
        return Ok(Freshness::Partial {
            to,
            running: workspace.update_running(),
        });
    }
    let indexed = store.checkpoint(&Checkpoint::Head.name())?;
    Ok(freshness_of(
        workspace.repository(),
        head,
        indexed.as_deref(),
    ))
}

/// Freshness from HEAD and the indexed commit.
pub(crate) fn freshness_of(
    repo: &homer_git::Repository,
    head: Option<ObjectId>,
    indexed: Option<&str>,
) -> Freshness {
    match (head, indexed.and_then(ObjectId::from_hex)) {
        (None, None) => Freshness::NoCommits,
        (None, Some(_)) => Freshness::HeadGone,
        (Some(_), None) => Freshness::NotIndexed,
        (Some(head), Some(indexed)) if head == indexed => Freshness::UpToDate,
        (Some(head), Some(indexed)) => match repo.is_ancestor(indexed, head) {
            None => Freshness::IndexedCommitMissing,
            Some(false) => Freshness::Diverged,
            Some(true) => match repo.count_between(indexed, head, BEHIND_LIMIT) {
                Some(n) => Freshness::Behind {
                    commits: n as u64,
                    at_least: n >= BEHIND_LIMIT,
                },
                // The walk failed halfway (a missing object): the commits
                // are at least one, since HEAD moved.
                None => Freshness::Behind {
                    commits: 1,
                    at_least: true,
                },
            },
        },
    }
}
