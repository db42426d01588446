//! The memo engine. Every derived fact in Homer is the output of a task: a
//! kind and a key whose declared input the engine hashes. A task executes
//! only when that hash differs from the stored one; its output (the rows it
//! writes plus an optional value) is hashed, and when that hash comes out
//! the same as before the task is *backdated*: its stored revision stays,
//! and dependents, whose inputs name this output by its hash, see nothing
//! new and do not execute. Tasks that are no longer declared are deleted
//! together with everything they derived.
//!
//! Correctness does not rest on care. A task kind ([`Task`]) declares the
//! type of its input, and the engine hashes the whole value (its serde
//! serialization): a field the computation reads is a field the hash
//! covers. The computation is a function of that input and of what the
//! kind declares as shared (a repository to read objects by id, a parser),
//! never of captured state, and it reads its own previous output only
//! through the engine. A stage's checkpoint signature ([`Engine::begin_stage`])
//! is derived from its upstream signatures, its configuration and the
//! versions of its task kinds. In verification mode ([`Engine::verify`])
//! every reused task is computed again and its output compared with the
//! stored one, and a stage whose signature did not move must change
//! nothing: an input missing from a hash fails loudly there.
//!
//! The engine decides what runs and records what happened (an execution log
//! and per-kind counters). It knows nothing of git, source code or graphs:
//! the pipeline in homer-update declares tasks and implements [`Task`]. All
//! SQL lives in homer-store.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use homer_store::{Fingerprint, MemoRow, StoreError, TaskId, TaskWriter, WriteTx};
use serde::Serialize;

/// An error from a task's own code, carried with the task that raised it.
pub type TaskError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum DagError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("task {kind}({key}) failed")]
    Task {
        kind: &'static str,
        key: String,
        #[source]
        source: TaskError,
    },
    #[error("task {kind}({key}) was declared twice")]
    DuplicateKey { kind: &'static str, key: String },
    #[error(
        "task {kind}({key}) was reused, but computed again it writes something else: its declared input misses something it reads"
    )]
    Unstable { kind: &'static str, key: String },
    #[error(
        "stage {stage} was skipped by its signature, but running it changed {changed}: its signature misses an input"
    )]
    StageMoved { stage: String, changed: String },
}

type Result<T, E = DagError> = std::result::Result<T, E>;

/// A kind of task. Bumping `version` re-executes every task of the kind
/// (its input hashes all change) and moves the signature of every stage
/// that runs it, which is how a fix to the code behind a kind reaches
/// stored outputs and everything derived from them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TaskKind {
    pub name: &'static str,
    pub version: u32,
}

impl TaskKind {
    #[must_use]
    pub const fn new(name: &'static str, version: u32) -> Self {
        TaskKind { name, version }
    }
}

/// The hash of a value: xxh3 of its serialization (postcard's compact,
/// deterministic encoding). Inputs must not contain hash maps, whose order
/// changes from run to run (a no-op update would then execute everything,
/// which the tests would see).
#[must_use]
pub fn fingerprint<T: Serialize + ?Sized>(value: &T) -> u64 {
    // Serializing plain data into a hash cannot fail: the flavor never
    // runs out of room, and every type here has a known length.
    postcard::serialize_with_flavor(value, Hashing::default()).expect("plain data serializes")
}

/// Feeds serialized bytes to xxh3 through a small buffer.
#[derive(Default)]
struct Hashing {
    fingerprint: Fingerprint,
    buffer: Vec<u8>,
}

impl postcard::ser_flavors::Flavor for Hashing {
    type Output = u64;

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.buffer.push(data);
        if self.buffer.len() >= 4096 {
            self.fingerprint.push_raw(&self.buffer);
            self.buffer.clear();
        }
        Ok(())
    }

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        if self.buffer.len() + data.len() > 4096 {
            self.fingerprint.push_raw(&self.buffer);
            self.buffer.clear();
            self.fingerprint.push_raw(data);
        } else {
            self.buffer.extend_from_slice(data);
        }
        Ok(())
    }

    fn finalize(mut self) -> postcard::Result<u64> {
        self.fingerprint.push_raw(&self.buffer);
        Ok(self.fingerprint.finish())
    }
}

/// The output of an upstream task, as an input of a downstream one: the
/// computation reads the value, and the input hash covers it by the
/// upstream task's output hash (which the engine computed from everything
/// that task wrote), so the value is not hashed again.
#[derive(Debug)]
pub struct Upstream<'a, T> {
    hash: u64,
    value: &'a T,
}

impl<'a, T> Upstream<'a, T> {
    /// `value` is the stored output of a task whose output hash is `hash`.
    #[must_use]
    pub fn new(hash: u64, value: &'a T) -> Self {
        Upstream { hash, value }
    }

    #[must_use]
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

impl<T> Clone for Upstream<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Upstream<'_, T> {}

impl<T> std::ops::Deref for Upstream<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value
    }
}

impl<T> Serialize for Upstream<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.hash)
    }
}

/// A kind of task: what it is given, what it may share with the other
/// executions, how it computes and how it writes. The functions take no
/// `self`, so there is no state to capture: a computation sees its input,
/// the shared resources and its worker's, and nothing else.
pub trait Task {
    const KIND: TaskKind;
    /// Everything the computation reads that is not shared: the engine
    /// hashes it whole.
    type Input: Serialize + Sync;
    type Output: Send;
    /// What every execution may read besides its input: resources whose
    /// reads are content-addressed (a git object database read by id) or
    /// summarized in each input (an index of the project's names, of which
    /// a file's input names the parts it reads). Verification mode catches
    /// a read that escapes.
    type Shared: Sync + ?Sized;
    /// One per worker thread: a repository handle, a parser.
    type Worker;

    /// Whether the workers leave a core to the writer: true for a kind
    /// whose computations contend for something shared besides the cores
    /// (libgit2 reads one pack file behind a lock), where a third thread
    /// on two cores costs more than it computes.
    const SPARE_A_CORE: bool = false;

    fn worker(shared: &Self::Shared) -> Result<Self::Worker, TaskError>;

    fn compute(
        shared: &Self::Shared,
        worker: &mut Self::Worker,
        key: &str,
        input: &Self::Input,
    ) -> Result<Self::Output, TaskError>;

    /// A line about this execution for the update's report (not stored,
    /// so it may say how the output was reached: the iterations).
    fn report(output: &Self::Output) -> Option<String> {
        let _ = output;
        None
    }

    /// Writes the output's rows; returns the task's value, if it keeps one.
    fn write(
        w: &mut TaskWriter<'_>,
        key: &str,
        input: &Self::Input,
        output: Self::Output,
    ) -> Result<Option<Vec<u8>>, TaskError>;
}

/// The input hash of a task of kind `T`: its kind, version and input.
#[must_use]
pub fn input_hash<T: Task>(input: &T::Input) -> u64 {
    Fingerprint::new()
        .str(T::KIND.name)
        .u64(u64::from(T::KIND.version))
        .u64(fingerprint(input))
        .finish()
}

/// A task the pipeline wants to exist in this run.
#[derive(Debug)]
pub struct Declared<I> {
    pub key: String,
    pub input: I,
    /// Execute even if the input hash is unchanged: something the last
    /// execution saw outside its input (a blob missing from a partial
    /// clone) has changed since.
    pub force: bool,
}

impl<I> Declared<I> {
    #[must_use]
    pub fn new(key: String, input: I) -> Self {
        Declared {
            key,
            input,
            force: false,
        }
    }
}

/// What happens to stored tasks of a kind that were not declared this run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sweep {
    /// The declared keys are every task of the kind: delete the rest.
    Complete,
    /// Only some keys were declared; leave the others as they are.
    Partial,
}

/// What a task did in this run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Executed, and its output changed (or it is new).
    Executed,
    /// Executed, and its output came out the same: dependents stay valid.
    Backdated,
    /// No longer declared: deleted with everything it derived.
    Deleted,
}

impl Event {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Event::Executed => "executed",
            Event::Backdated => "backdated",
            Event::Deleted => "deleted",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LogEntry {
    pub kind: &'static str,
    pub key: String,
    pub event: Event,
}

impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}({})", self.event.name(), self.kind, self.key)
    }
}

/// Counters for one kind of task over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct KindStats {
    /// Executed, whatever the outcome (includes `backdated`).
    pub executed: u64,
    /// Executed with an unchanged output.
    pub backdated: u64,
    /// Declared with an unchanged input hash: not executed.
    pub reused: u64,
    pub deleted: u64,
    /// Reused tasks computed again and found to write the same output
    /// (verification mode only).
    pub verified: u64,
    /// Wall time spent planning, executing and writing this kind.
    pub millis: u64,
}

/// The output hashes of every declared task of a kind after a run, for
/// the inputs of dependent tasks.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    hashes: BTreeMap<String, u64>,
    /// Keys that executed in this run (their output may have changed).
    executed: Vec<String>,
    /// What executed tasks reported ([`Task::report`]), sorted by key.
    reports: Vec<(String, String)>,
}

impl Outputs {
    #[must_use]
    pub fn get(&self, key: &str) -> Option<u64> {
        self.hashes.get(key).copied()
    }

    /// Every declared key with its output hash, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.hashes.iter().map(|(k, h)| (k.as_str(), *h))
    }

    /// Keys executed in this run, sorted.
    #[must_use]
    pub fn executed(&self) -> &[String] {
        &self.executed
    }

    /// The reports of the tasks executed in this run, sorted by key.
    #[must_use]
    pub fn reports(&self) -> &[(String, String)] {
        &self.reports
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }
}

/// Watches a run, for progress reports. Called from the writing thread.
pub trait Observer {
    /// `executing` tasks of `kind` are about to execute.
    fn planned(&self, kind: &TaskKind, executing: usize);
    /// One more task of `kind` has executed and been written.
    fn executed(&self, kind: &TaskKind);
}

/// The signature of a stage running task `kinds` on `inputs`: what
/// [`Engine::begin_stage`] computes and stores.
#[must_use]
pub fn signature<C: Serialize + ?Sized>(kinds: &[TaskKind], inputs: &C) -> Signature {
    Signature(
        Fingerprint::new()
            .u64(fingerprint(kinds))
            .u64(fingerprint(inputs))
            .finish(),
    )
}

/// A stage's signature: a hash of what its stored outputs describe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Signature(u64);

impl Signature {
    #[must_use]
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

/// A stage begun with [`Engine::begin_stage`].
#[derive(Debug)]
pub struct Stage {
    checkpoint: String,
    /// The signature stored when the stage began.
    stored: Option<String>,
    signature: Signature,
    /// The stored signature equals this one.
    unchanged: bool,
    forced: bool,
    verify: bool,
}

impl Stage {
    /// Whether the stage has nothing to do: its signature is the stored
    /// one (never in verification mode, nor when forced).
    #[must_use]
    pub fn skip(&self) -> bool {
        self.unchanged && !self.forced && !self.verify
    }

    /// Runs the stage even if its signature did not move.
    pub fn force(&mut self) {
        self.forced = true;
    }

    /// States the stage's inputs again once it has run, for a stage part
    /// of whose input is only known then: what it found missing (blobs a
    /// partial clone lacks). The stored signature is the one of what the
    /// stage saw, so the next run compares with that.
    pub fn restate<C: Serialize + ?Sized>(&mut self, kinds: &[TaskKind], inputs: &C) {
        self.signature = signature(kinds, inputs);
    }

    #[must_use]
    pub fn signature(&self) -> Signature {
        self.signature
    }

    /// Whether the engine verifies reused tasks: a stage that declares
    /// only what changed declares everything then.
    #[must_use]
    pub fn verifying(&self) -> bool {
        self.verify
    }
}

/// The memo engine for one `update`: it spans several stage transactions
/// and accumulates the log and counters of all of them.
pub struct Engine<'o> {
    revision: u64,
    stage_changed: bool,
    changed: bool,
    verify: bool,
    /// Stages skipped on their signatures, by checkpoint, in order.
    skipped: Vec<String>,
    log: Vec<LogEntry>,
    stats: BTreeMap<&'static str, KindStats>,
    observer: Option<&'o dyn Observer>,
}

impl fmt::Debug for Engine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("revision", &self.revision)
            .field("changed", &self.changed)
            .finish_non_exhaustive()
    }
}

/// The checkpoint the engine keeps its revision counter in.
pub const REVISION_CHECKPOINT: &str = "revision";

/// Computed outputs held for the writer at most: in the channel, and in
/// the batches the workers are computing.
const IN_FLIGHT: usize = 64;

/// Tasks whose outputs travel to the writer together, at most.
const BATCH: usize = 16;

/// A task to compute: to execute, or (verification mode) to check.
struct Job<'d, I> {
    key: &'d str,
    input_hash: u64,
    input: &'d I,
    previous: Option<&'d MemoRow>,
    /// A reused task computed again to compare its output.
    check: bool,
}

impl<'o> Engine<'o> {
    /// Starts a run. Its revision is one past the last stored one; it is
    /// stored only by stages that change something.
    pub fn start(tx: &WriteTx<'_>) -> Result<Engine<'o>> {
        let last = match tx.checkpoint(REVISION_CHECKPOINT)? {
            None => 0,
            Some(text) => text.parse::<u64>().map_err(|_| StoreError::Corrupt {
                what: "the revision checkpoint",
                detail: text,
            })?,
        };
        Ok(Engine {
            revision: last + 1,
            stage_changed: false,
            changed: false,
            verify: false,
            skipped: Vec::new(),
            log: Vec::new(),
            stats: BTreeMap::new(),
            observer: None,
        })
    }

    /// Reports planned and executed tasks to `observer` from now on.
    pub fn observe(&mut self, observer: &'o dyn Observer) {
        self.observer = Some(observer);
    }

    /// Verification mode: every reused task is computed again and must
    /// write exactly what it wrote before, and a stage whose signature did
    /// not move runs anyway and must change nothing. For tests: it costs a
    /// build from scratch.
    pub fn verify(&mut self, on: bool) {
        self.verify = on;
    }

    /// Whether this run verifies.
    #[must_use]
    pub fn verifies(&self) -> bool {
        self.verify
    }

    /// The revision this run writes into the outputs it changes.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Did any task execute or get deleted in this run?
    #[must_use]
    pub fn changed(&self) -> bool {
        self.changed
    }

    #[must_use]
    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }

    /// The stages skipped on their signatures so far (their checkpoint
    /// names), in order.
    #[must_use]
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    #[must_use]
    pub fn stats(&self) -> &BTreeMap<&'static str, KindStats> {
        &self.stats
    }

    /// Begins a stage whose signature checkpoint is `checkpoint`. The
    /// signature hashes `inputs` (the upstream signatures and the
    /// configuration the stage reads) with the names and versions of the
    /// task `kinds` it runs; [`Stage::skip`] says whether the stored
    /// outputs already describe it.
    pub fn begin_stage<C: Serialize + ?Sized>(
        &mut self,
        tx: &WriteTx<'_>,
        checkpoint: &str,
        kinds: &[TaskKind],
        inputs: &C,
    ) -> Result<Stage> {
        let signature = signature(kinds, inputs);
        let stored = tx.checkpoint(checkpoint)?;
        Ok(Stage {
            checkpoint: checkpoint.to_owned(),
            unchanged: stored.as_deref() == Some(signature.0.to_string().as_str()),
            stored,
            signature,
            forced: false,
            verify: self.verify,
        })
    }

    /// Ends a stage in its transaction: stores its signature, and this
    /// run's revision if the stage changed anything, so the checkpoints on
    /// disk always match the outputs on disk.
    pub fn end_stage(&mut self, tx: &WriteTx<'_>, stage: Stage) -> Result<Signature> {
        if stage.unchanged && !stage.forced && self.stage_changed {
            let changed: Vec<String> = self
                .log
                .iter()
                .rev()
                .take(3)
                .map(ToString::to_string)
                .collect();
            return Err(DagError::StageMoved {
                stage: stage.checkpoint,
                changed: changed.join(", "),
            });
        }
        if stage.skip() {
            self.skipped.push(stage.checkpoint.clone());
        }
        let signature = stage.signature.0.to_string();
        if stage.stored.as_deref() != Some(signature.as_str()) {
            tx.set_checkpoint(&stage.checkpoint, &signature)?;
        }
        if self.stage_changed {
            tx.set_checkpoint(REVISION_CHECKPOINT, &self.revision.to_string())?;
            self.stage_changed = false;
        }
        Ok(stage.signature)
    }

    /// Brings the stored tasks of kind `T` in line with `declared`: tasks
    /// whose input hash changed (or that are new, or forced) are computed
    /// in parallel and written on this thread, one at a time; unchanged
    /// ones are reused (and, in verification mode, computed again and
    /// compared); with [`Sweep::Complete`], stored tasks not declared are
    /// deleted.
    pub fn run<T: Task>(
        &mut self,
        tx: &WriteTx<'_>,
        shared: &T::Shared,
        declared: &[Declared<T::Input>],
        sweep: Sweep,
    ) -> Result<Outputs> {
        let kind = &T::KIND;
        let started = Instant::now();
        let log_start = self.log.len();
        // A partial run leaves the tasks it does not declare alone: only
        // the declared ones are read, so declaring 10 commits of 50,000
        // reads 10 rows.
        let stored = match sweep {
            Sweep::Complete => tx.memo_rows(kind.name)?,
            Sweep::Partial => {
                tx.memo_rows_of(kind.name, declared.iter().map(|d| d.key.as_str()))?
            }
        };
        let (jobs, outputs) = self.plan::<T>(tx, declared, &stored, sweep)?;
        let mut executed = Vec::with_capacity(jobs.len());
        let mut reports = Vec::new();
        let mut finish =
            |engine: &mut Self, job: &Job<'_, T::Input>, output: T::Output| -> Result<()> {
                if job.check {
                    engine.check::<T>(tx, job, output)
                } else {
                    if let Some(report) = T::report(&output) {
                        reports.push((job.key.to_owned(), report));
                    }
                    executed.push(engine.record::<T>(tx, job, output)?);
                    Ok(())
                }
            };
        if jobs.len() <= 1 {
            for job in &jobs {
                let mut worker = T::worker(shared).map_err(task_error(kind, job.key))?;
                let output = T::compute(shared, &mut worker, job.key, job.input)
                    .map_err(task_error(kind, job.key))?;
                finish(self, job, output)?;
            }
        } else {
            let cancel = AtomicBool::new(false);
            // Outputs go to the writer in batches: one message, and at
            // most one wake-up of a waiting thread, per batch rather than
            // per task (a wake-up is a futex call and a context switch:
            // 10% of a cold update's samples went to them). Small runs
            // keep batches of one, so that every worker gets work. The
            // workers run on rayon's pool, as many as it has threads, one
            // fewer when the kind spares a core for the writer (a pool of
            // their own for the fewer held memory the later stages could
            // not reuse: the synthetic repository's peak rose 241 -> 254
            // MiB).
            let threads = rayon::current_num_threads();
            let workers = if T::SPARE_A_CORE {
                threads.saturating_sub(1).max(1)
            } else {
                threads
            };
            let batch = (jobs.len() / (workers * 16)).clamp(1, BATCH);
            // As many outputs held at once as with one a message: those
            // in the channel and the batch each worker is computing.
            let slots = (IN_FLIGHT / batch).saturating_sub(workers).max(1);
            let (sender, receiver) = mpsc::sync_channel::<Batch<T::Output>>(slots);
            std::thread::scope(|scope| -> Result<()> {
                let jobs = &jobs;
                let cancel = &cancel;
                scope.spawn(move || {
                    compute_batches::<T>(shared, jobs, batch, workers, cancel, &sender);
                });
                let mut result = Ok(());
                'batches: for outputs in &receiver {
                    for (i, output) in outputs {
                        let job = &jobs[i];
                        let done = output
                            .map_err(task_error(kind, job.key))
                            .and_then(|output| finish(self, job, output));
                        if let Err(e) = done {
                            cancel.store(true, Ordering::Relaxed);
                            result = Err(e);
                            break 'batches;
                        }
                    }
                }
                drop(receiver);
                result
            })?;
        }
        let mut outputs = self.finish_kind(kind, outputs, executed, log_start, started);
        reports.sort_unstable();
        outputs.reports = reports;
        Ok(outputs)
    }

    /// Deletes the named tasks of `kind` (and everything they derived), for
    /// inputs known to have vanished without declaring the whole kind.
    pub fn delete(&mut self, tx: &WriteTx<'_>, kind: &TaskKind, keys: &[String]) -> Result<()> {
        let started = Instant::now();
        let mut deleted = Vec::new();
        for key in keys {
            let id = TaskId::of(kind.name, key);
            if tx.task_exists(id)? {
                tx.delete_task(id)?;
                deleted.push(key.clone());
            }
        }
        deleted.sort_unstable();
        let stats = self.stats.entry(kind.name).or_default();
        stats.deleted += deleted.len() as u64;
        stats.millis += millis(started.elapsed());
        if !deleted.is_empty() {
            self.mark_changed();
        }
        self.log.extend(deleted.into_iter().map(|key| LogEntry {
            kind: kind.name,
            key,
            event: Event::Deleted,
        }));
        // With the kind's run just before, one sorted run of entries.
        let start = self.log.len()
            - self
                .log
                .iter()
                .rev()
                .take_while(|e| e.kind == kind.name)
                .count();
        self.log[start..].sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.event.cmp(&b.event)));
        Ok(())
    }

    fn mark_changed(&mut self) {
        self.stage_changed = true;
        self.changed = true;
    }

    /// Compares the declared tasks with the stored ones: returns the jobs
    /// (tasks to execute, and in verification mode reused ones to check)
    /// and the output hashes of the reused ones, and deletes stored tasks
    /// that a complete declaration left out.
    fn plan<'d, T: Task>(
        &mut self,
        tx: &WriteTx<'_>,
        declared: &'d [Declared<T::Input>],
        stored: &'d [MemoRow],
        sweep: Sweep,
    ) -> Result<(Vec<Job<'d, T::Input>>, Outputs)> {
        let kind = &T::KIND;
        let by_key: HashMap<&str, &MemoRow> = stored.iter().map(|r| (r.key.as_str(), r)).collect();
        let mut outputs = Outputs::default();
        let mut jobs = Vec::new();
        let mut executing = 0;
        let mut reused = 0u64;
        let mut seen = HashSet::with_capacity(declared.len());
        for d in declared {
            if !seen.insert(d.key.as_str()) {
                return Err(DagError::DuplicateKey {
                    kind: kind.name,
                    key: d.key.clone(),
                });
            }
            let input_hash = input_hash::<T>(&d.input);
            let previous = by_key.get(d.key.as_str()).copied();
            let reuse = previous.is_some_and(|row| row.input_hash == input_hash && !d.force);
            if reuse {
                reused += 1;
                if let Some(row) = previous {
                    outputs.hashes.insert(d.key.clone(), row.output_hash);
                }
            } else {
                executing += 1;
            }
            if !reuse || self.verify {
                jobs.push(Job {
                    key: &d.key,
                    input_hash,
                    input: &d.input,
                    previous,
                    check: reuse,
                });
            }
        }
        let mut deleted = Vec::new();
        if sweep == Sweep::Complete {
            // Stored tasks come in id order: deleted in key order, as
            // the log lists them.
            let mut gone: Vec<&MemoRow> = stored
                .iter()
                .filter(|row| !seen.contains(row.key.as_str()))
                .collect();
            gone.sort_unstable_by(|a, b| a.key.cmp(&b.key));
            for row in gone {
                tx.delete_task(row.id)?;
                deleted.push(row.key.clone());
            }
        }
        if let Some(observer) = self.observer {
            observer.planned(kind, executing);
        }
        let stats = self.stats.entry(kind.name).or_default();
        stats.reused += reused;
        stats.deleted += deleted.len() as u64;
        if !deleted.is_empty() {
            self.mark_changed();
        }
        self.log.extend(deleted.into_iter().map(|key| LogEntry {
            kind: kind.name,
            key,
            event: Event::Deleted,
        }));
        Ok((jobs, outputs))
    }

    /// Writes one executed task's output and memo row; returns its key and
    /// output hash.
    fn record<T: Task>(
        &mut self,
        tx: &WriteTx<'_>,
        job: &Job<'_, T::Input>,
        output: T::Output,
    ) -> Result<(String, u64)> {
        let kind = &T::KIND;
        let id = TaskId::of(kind.name, job.key);
        if job.previous.is_none() {
            tx.ensure_task(kind.name, id, job.key)?;
        }
        let mut writer = tx.task_writer(id, job.previous.is_none());
        let value =
            T::write(&mut writer, job.key, job.input, output).map_err(task_error(kind, job.key))?;
        let output_hash = writer.finish(value.as_deref())?;
        let backdated = job.previous.is_some_and(|p| p.output_hash == output_hash);
        let revision = match job.previous {
            Some(p) if backdated => p.revision,
            _ => self.revision,
        };
        tx.put_memo(
            kind.name,
            &MemoRow {
                id,
                key: job.key.to_owned(),
                input_hash: job.input_hash,
                output_hash,
                revision,
            },
            value.as_deref(),
        )?;
        if let Some(observer) = self.observer {
            observer.executed(kind);
        }
        let stats = self.stats.entry(kind.name).or_default();
        stats.executed += 1;
        stats.backdated += u64::from(backdated);
        self.mark_changed();
        self.log.push(LogEntry {
            kind: kind.name,
            key: job.key.to_owned(),
            event: if backdated {
                Event::Backdated
            } else {
                Event::Executed
            },
        });
        Ok((job.key.to_owned(), output_hash))
    }

    /// Verification: the output a reused task computes now must hash to
    /// the stored output hash.
    fn check<T: Task>(
        &mut self,
        tx: &WriteTx<'_>,
        job: &Job<'_, T::Input>,
        output: T::Output,
    ) -> Result<()> {
        let kind = &T::KIND;
        let id = TaskId::of(kind.name, job.key);
        let mut writer = tx.dry_task_writer(id);
        let value =
            T::write(&mut writer, job.key, job.input, output).map_err(task_error(kind, job.key))?;
        let output_hash = writer.finish(value.as_deref())?;
        if job.previous.is_some_and(|p| p.output_hash != output_hash) {
            return Err(DagError::Unstable {
                kind: kind.name,
                key: job.key.to_owned(),
            });
        }
        self.stats.entry(kind.name).or_default().verified += 1;
        Ok(())
    }

    /// Completes a kind's run: adds the executed tasks' output hashes to
    /// `outputs`, sorts the log entries this run added (they arrive in
    /// completion order from parallel workers) and adds the elapsed time.
    fn finish_kind(
        &mut self,
        kind: &TaskKind,
        mut outputs: Outputs,
        mut executed: Vec<(String, u64)>,
        log_start: usize,
        started: Instant,
    ) -> Outputs {
        executed.sort_unstable();
        for (key, hash) in &executed {
            outputs.hashes.insert(key.clone(), *hash);
        }
        outputs.executed = executed.into_iter().map(|(k, _)| k).collect();
        self.log[log_start..]
            .sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.event.cmp(&b.event)));
        self.stats.entry(kind.name).or_default().millis += millis(started.elapsed());
        outputs
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// One batch's outputs, each with its job's index.
type Batch<O> = Vec<(usize, Result<O, TaskError>)>;

/// Computes `jobs` on rayon's pool with `workers` workers, each taking the
/// next `batch` jobs in turn and sending their outputs as one message,
/// until the jobs run out, `cancel` is set or the writer hangs up.
fn compute_batches<T: Task>(
    shared: &T::Shared,
    jobs: &[Job<'_, T::Input>],
    batch: usize,
    workers: usize,
    cancel: &AtomicBool,
    sender: &mpsc::SyncSender<Batch<T::Output>>,
) {
    let next = AtomicUsize::new(0);
    let next = &next;
    rayon::scope(|pool| {
        for _ in 0..workers {
            let sender = sender.clone();
            pool.spawn(move |_| {
                let mut worker = T::worker(shared);
                loop {
                    let start = next.fetch_add(1, Ordering::Relaxed) * batch;
                    if start >= jobs.len() || cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let chunk = &jobs[start..(start + batch).min(jobs.len())];
                    let outputs = chunk
                        .iter()
                        .enumerate()
                        .map(|(j, job)| {
                            let output = match &mut worker {
                                Ok(worker) => T::compute(shared, worker, job.key, job.input),
                                Err(e) => Err(e.to_string().into()),
                            };
                            (start + j, output)
                        })
                        .collect();
                    // A closed channel means the writer stopped on an
                    // error; the rest is dropped.
                    if sender.send(outputs).is_err() {
                        break;
                    }
                }
            });
        }
    });
}

fn task_error(kind: &TaskKind, key: &str) -> impl FnOnce(TaskError) -> DagError {
    let kind = kind.name;
    let key = key.to_owned();
    move |source| DagError::Task { kind, key, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Input<'a> {
        name: &'a str,
        n: u32,
        up: Upstream<'a, String>,
    }

    #[test]
    fn every_field_of_an_input_moves_its_hash_and_an_upstream_hashes_as_its_output() {
        let text = "a long upstream value".to_owned();
        let other = "another value".to_owned();
        let base = fingerprint(&Input {
            name: "x",
            n: 1,
            up: Upstream::new(7, &text),
        });
        for changed in [
            Input {
                name: "y",
                n: 1,
                up: Upstream::new(7, &text),
            },
            Input {
                name: "x",
                n: 2,
                up: Upstream::new(7, &text),
            },
            Input {
                name: "x",
                n: 1,
                up: Upstream::new(8, &text),
            },
        ] {
            assert_ne!(fingerprint(&changed), base);
        }
        // The value behind an upstream is covered by its hash alone.
        let same = fingerprint(&Input {
            name: "x",
            n: 1,
            up: Upstream::new(7, &other),
        });
        assert_eq!(same, base);
    }

    #[test]
    fn fingerprints_are_stable_across_the_buffer() {
        // Longer than the buffer, and split differently by the encoder.
        let long: Vec<String> = (0..3000).map(|i| format!("item {i}")).collect();
        assert_eq!(fingerprint(&long), fingerprint(&long.clone()));
        let mut changed = long.clone();
        changed[2999].push('!');
        assert_ne!(fingerprint(&long), fingerprint(&changed));
    }
}
