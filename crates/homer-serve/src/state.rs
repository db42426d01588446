//! What the server keeps between calls: open read handles on the index
//! and the one update it may run.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use homer_read::{Freshness, Index, ReadError, WorktreeCache};

use crate::ServeOptions;

/// Read handles kept open; more calls at once open more and keep these.
const POOL: usize = 2;

/// The identity of the database file a handle reads: a rebuild publishes a
/// new file in its place, which an open handle would never see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId {
    device: u64,
    inode: u64,
}

fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| FileId {
            device: m.dev(),
            inode: m.ino(),
        })
    }
    #[cfg(not(unix))]
    {
        // Elsewhere the modification time stands in for the identity.
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| FileId {
                device: 0,
                inode: d.as_nanos() as u64,
            })
    }
}

#[derive(Debug)]
struct Reader {
    index: Index,
    file: FileId,
    /// The schema cookie the handle was opened under: a newer Homer's
    /// migration of the same file moves it, and the handle, whose reads
    /// were written for the old schema, is not used again.
    schema: i64,
}

/// What happened to the update an answer may wait for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UpdateNote {
    /// The index was not behind, or updates before answers are off.
    None,
    /// An update ran to completion before this answer.
    Ran,
    /// An update is still running; the answer is from the index before it.
    Running,
    /// The update failed; the answer is from the index as it was.
    Failed(String),
}

#[derive(Debug, Default)]
struct UpdateState {
    running: bool,
    /// Finished runs, so a waiter knows its run is over.
    finished: u64,
    /// The HEAD an update last failed at and why: not retried until HEAD
    /// moves.
    failed: Option<(Option<String>, String)>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) options: ServeOptions,
    database: OnceLock<PathBuf>,
    readers: Mutex<Vec<Reader>>,
    worktree: Arc<WorktreeCache>,
    update: Mutex<UpdateState>,
    update_done: Condvar,
}

/// A poisoned lock means a call panicked while holding it; the data it
/// guards (handles, a cache, flags) stays usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(options: ServeOptions) -> Shared {
        Shared {
            options,
            database: OnceLock::new(),
            readers: Mutex::new(Vec::new()),
            worktree: Arc::new(WorktreeCache::default()),
            update: Mutex::new(UpdateState::default()),
            update_done: Condvar::new(),
        }
    }

    pub(crate) fn repo(&self) -> &Path {
        &self.options.repo
    }

    /// Runs `f` on an open handle of the current index, after the update
    /// before answers when that is on and the index is behind HEAD. `f`
    /// gets the note on that update.
    #[allow(
        clippy::result_large_err,
        reason = "once per call, beside a database read"
    )]
    pub(crate) fn with_index<T>(
        self: &Arc<Self>,
        f: impl FnOnce(&Index, &UpdateNote) -> T,
    ) -> Result<T, (ReadError, UpdateNote)> {
        let mut reader = self.checkout();
        let mut note = UpdateNote::None;
        if self.options.auto_update {
            let (behind, head) = match &reader {
                Ok(r) => (
                    !matches!(
                        r.index.freshness(),
                        Ok(Freshness::UpToDate | Freshness::NoCommits) | Err(_)
                    ),
                    r.index.head().ok().flatten(),
                ),
                // No index yet, or one an older Homer wrote (which the
                // update upgrades): behind.
                Err(e) => (e.is_not_indexed() || e.is_older_schema(), None),
            };
            if behind || self.update_running() {
                note = self.refresh(head);
                if note == UpdateNote::Ran {
                    // A first build or a rebuild publishes a new file.
                    reader = match reader {
                        Ok(r) if Some(r.file) == self.database().and_then(|d| file_id(&d)) => Ok(r),
                        _ => self.checkout(),
                    };
                }
            }
        }
        let reader = match reader {
            Ok(r) => r,
            Err(e) => return Err((e, note)),
        };
        // One read transaction per answer: every part of it stands on the
        // same committed state, and the lock is taken once.
        let snapshot = match reader.index.store().read_snapshot() {
            Ok(s) => s,
            Err(e) => return Err((e.into(), note)),
        };
        let out = f(&reader.index, &note);
        drop(snapshot);
        let mut pool = lock(&self.readers);
        if pool.len() < POOL {
            pool.push(reader);
        }
        Ok(out)
    }

    fn update_running(&self) -> bool {
        lock(&self.update).running
    }

    /// The database path, found once (it depends only on where the
    /// repository is).
    fn database(&self) -> Option<PathBuf> {
        if let Some(path) = self.database.get() {
            return Some(path.clone());
        }
        let path = homer_read::database_path(self.repo()).ok()?;
        Some(self.database.get_or_init(|| path).clone())
    }

    /// A handle on the database file now in place: a pooled one when it
    /// still reads that file, else a new one.
    fn checkout(&self) -> Result<Reader, ReadError> {
        let now = self.database().and_then(|d| file_id(&d));
        {
            let mut pool = lock(&self.readers);
            while let Some(reader) = pool.pop() {
                if Some(reader.file) == now
                    && reader.index.store().schema_cookie().ok() == Some(reader.schema)
                {
                    return Ok(reader);
                }
            }
        }
        // Opening checks the schema's version: a newer one is refused.
        let index = Index::open(self.repo())?.with_worktree_cache(Arc::clone(&self.worktree));
        let file = file_id(index.workspace().database()).unwrap_or(FileId {
            device: 0,
            inode: 0,
        });
        let schema = index.store().schema_cookie()?;
        Ok(Reader {
            index,
            file,
            schema,
        })
    }

    /// Starts an update unless one is running (or the last one failed at
    /// this HEAD), and waits for it up to the configured time.
    fn refresh(self: &Arc<Self>, head: Option<String>) -> UpdateNote {
        let mut state = lock(&self.update);
        if !state.running {
            if let Some((failed_head, message)) = &state.failed
                && *failed_head == head
            {
                return UpdateNote::Failed(message.clone());
            }
            state.running = true;
            let shared = Arc::clone(self);
            let spawned = std::thread::Builder::new()
                .name("homer-update".to_owned())
                .spawn(move || shared.run_update(head));
            if let Err(e) = spawned {
                state.running = false;
                return UpdateNote::Failed(format!("cannot start the update: {e}"));
            }
        }
        let waiting_for = state.finished + 1;
        let deadline = Instant::now() + self.options.update_wait;
        while state.finished < waiting_for {
            let left = deadline.saturating_duration_since(Instant::now());
            if left == Duration::ZERO {
                return UpdateNote::Running;
            }
            state = self
                .update_done
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        match &state.failed {
            Some((_, message)) => UpdateNote::Failed(message.clone()),
            None => UpdateNote::Ran,
        }
    }

    fn run_update(&self, head: Option<String>) {
        let options = homer_update::UpdateOptions::default();
        let outcome = homer_update::update(self.repo(), &options, &homer_update::NoProgress);
        let mut state = lock(&self.update);
        state.running = false;
        state.finished += 1;
        state.failed = match outcome {
            Ok(_) => None,
            Err(e) => Some((head, error_chain(&e))),
        };
        self.update_done.notify_all();
    }
}

/// An error and its causes in one line.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut s = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cause = c.source();
    }
    s
}
