//! The memo engine. Every derived fact in Homer is the output of a task: a
//! (kind, key) pair whose declared inputs hash to an input hash. A task
//! executes only when its input hash differs from the stored one; its output
//! (the rows it writes plus an optional value) is hashed, and when that hash
//! comes out the same as before the task is *backdated*: its stored revision
//! stays, and dependents, whose input hashes are built from this output
//! hash, see nothing new and do not execute. Tasks that are no longer
//! declared are deleted together with everything they derived.
//!
//! The engine decides what runs and records what happened (an execution log
//! and per-kind counters). It knows nothing of git, source code or graphs:
//! the pipeline in homer-update declares tasks and supplies the functions that
//! compute and write their outputs. All SQL lives in homer-store.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use homer_store::{Fingerprint, MemoRow, StoreError, TaskId, TaskWriter, WriteTx};
use rayon::prelude::*;

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
}

type Result<T, E = DagError> = std::result::Result<T, E>;

/// A kind of task. Bumping `version` re-executes every task of the kind
/// (its input hashes all change), which is how a fix to the code behind a
/// kind reaches stored outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskKind {
    pub name: &'static str,
    pub version: u32,
}

impl TaskKind {
    #[must_use]
    pub const fn new(name: &'static str, version: u32) -> Self {
        TaskKind { name, version }
    }

    /// Starts an input hash for a task of this kind, seeded with the kind's
    /// name and version. Add every input the task reads, in a fixed order.
    #[must_use]
    pub fn input(&self) -> Fingerprint {
        Fingerprint::new()
            .str(self.name)
            .u64(u64::from(self.version))
    }
}

/// A task the pipeline wants to exist in this run: its key, the hash of its
/// inputs, and whatever the task's code needs to compute its output.
#[derive(Debug)]
pub struct Declared<D> {
    pub key: String,
    pub input_hash: u64,
    pub data: D,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Event {
    /// Executed, and its output changed (or it is new).
    Executed,
    /// Executed, and its output came out the same: dependents stay valid.
    Backdated,
    /// No longer declared: deleted with everything it derived.
    Deleted,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LogEntry {
    pub kind: &'static str,
    pub key: String,
    pub event: Event,
}

impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.event {
            Event::Executed => "executed",
            Event::Backdated => "backdated",
            Event::Deleted => "deleted",
        };
        write!(f, "{verb} {}({})", self.kind, self.key)
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
    /// Wall time spent planning, executing and writing this kind.
    pub millis: u64,
}

/// The output hashes of every declared task of a kind after a run, for
/// building the input hashes of dependent tasks.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    hashes: BTreeMap<String, u64>,
    /// Keys that executed in this run (their output may have changed).
    executed: Vec<String>,
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

/// The memo engine for one `update`: it spans several stage transactions
/// and accumulates the log and counters of all of them.
pub struct Engine<'o> {
    revision: u64,
    stage_changed: bool,
    changed: bool,
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

const REVISION: &str = "revision";

/// A task chosen to execute.
struct Planned<'d, D> {
    key: &'d str,
    input_hash: u64,
    data: &'d D,
    previous: Option<&'d MemoRow>,
}

impl<'o> Engine<'o> {
    /// Starts a run. Its revision is one past the last stored one; it is
    /// stored only by stages that change something.
    pub fn start(tx: &WriteTx<'_>) -> Result<Engine<'o>> {
        let last = tx
            .checkpoint(REVISION)?
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        Ok(Engine {
            revision: last + 1,
            stage_changed: false,
            changed: false,
            log: Vec::new(),
            stats: BTreeMap::new(),
            observer: None,
        })
    }

    /// Reports planned and executed tasks to `observer` from now on.
    pub fn observe(&mut self, observer: &'o dyn Observer) {
        self.observer = Some(observer);
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

    #[must_use]
    pub fn stats(&self) -> &BTreeMap<&'static str, KindStats> {
        &self.stats
    }

    /// Brings the stored tasks of `kind` in line with `declared`: tasks whose
    /// input hash changed (or that are new) are computed with `compute` in
    /// parallel and written by `write` on this thread, one at a time;
    /// unchanged ones are reused; with [`Sweep::Complete`], stored tasks not
    /// declared are deleted. `write` returns the task's optional output value.
    pub fn run<D, T, C, W>(
        &mut self,
        tx: &WriteTx<'_>,
        kind: &TaskKind,
        declared: &[Declared<D>],
        sweep: Sweep,
        compute: C,
        write: W,
    ) -> Result<Outputs>
    where
        D: Sync,
        T: Send,
        C: Fn(&str, &D) -> Result<T, TaskError> + Sync,
        W: FnMut(&mut TaskWriter<'_>, &str, &D, T) -> Result<Option<Vec<u8>>, TaskError>,
    {
        self.run_with(
            tx,
            kind,
            declared,
            sweep,
            || (),
            |(), key, data| compute(key, data),
            write,
        )
    }

    /// Like [`Engine::run`], with per-worker state: `init` makes one `S` for
    /// each worker thread (a repository handle, a cache) and `compute` gets
    /// it with each task.
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is one part of a task kind's run"
    )]
    pub fn run_with<D, T, S, I, C, W>(
        &mut self,
        tx: &WriteTx<'_>,
        kind: &TaskKind,
        declared: &[Declared<D>],
        sweep: Sweep,
        init: I,
        compute: C,
        mut write: W,
    ) -> Result<Outputs>
    where
        D: Sync,
        T: Send,
        I: Fn() -> S + Sync,
        C: Fn(&mut S, &str, &D) -> Result<T, TaskError> + Sync,
        W: FnMut(&mut TaskWriter<'_>, &str, &D, T) -> Result<Option<Vec<u8>>, TaskError>,
    {
        let started = Instant::now();
        let log_start = self.log.len();
        let stored = tx.memo_rows(kind.name)?;
        let (plan, outputs) = self.plan(tx, kind, declared, &stored, sweep)?;
        let mut executed = Vec::with_capacity(plan.len());
        if plan.len() <= 1 {
            let mut state = init();
            for task in &plan {
                let value =
                    compute(&mut state, task.key, task.data).map_err(task_error(kind, task.key))?;
                executed
                    .push(self.record(tx, kind, task, |w| write(w, task.key, task.data, value))?);
            }
        } else {
            let cancel = AtomicBool::new(false);
            let (sender, receiver) = mpsc::sync_channel::<(usize, Result<T, TaskError>)>(64);
            std::thread::scope(|scope| -> Result<()> {
                let plan = &plan;
                let cancel = &cancel;
                let compute = &compute;
                let init = &init;
                scope.spawn(move || {
                    plan.par_iter().enumerate().for_each_init(
                        || (sender.clone(), init()),
                        |(sender, state), (i, task)| {
                            if cancel.load(Ordering::Relaxed) {
                                return;
                            }
                            // A closed channel means the writer stopped on an
                            // error; the remaining work is simply dropped.
                            let _ = sender.send((i, compute(state, task.key, task.data)));
                        },
                    );
                    drop(sender);
                });
                let mut result = Ok(());
                for (i, value) in &receiver {
                    let task = &plan[i];
                    let recorded = value.map_err(task_error(kind, task.key)).and_then(|value| {
                        self.record(tx, kind, task, |w| write(w, task.key, task.data, value))
                    });
                    match recorded {
                        Ok(entry) => executed.push(entry),
                        Err(e) => {
                            cancel.store(true, Ordering::Relaxed);
                            result = Err(e);
                            break;
                        }
                    }
                }
                drop(receiver);
                result
            })?;
        }
        Ok(self.finish_kind(kind, outputs, executed, log_start, started))
    }

    /// Like [`Engine::run`], but each changed task is computed and written in
    /// one call on this thread, with access to the transaction, for tasks
    /// that read stored data as they go.
    pub fn run_serial<D, F>(
        &mut self,
        tx: &WriteTx<'_>,
        kind: &TaskKind,
        declared: &[Declared<D>],
        sweep: Sweep,
        mut execute: F,
    ) -> Result<Outputs>
    where
        F: FnMut(&WriteTx<'_>, &mut TaskWriter<'_>, &str, &D) -> Result<Option<Vec<u8>>, TaskError>,
    {
        let started = Instant::now();
        let log_start = self.log.len();
        let stored = tx.memo_rows(kind.name)?;
        let (plan, outputs) = self.plan(tx, kind, declared, &stored, sweep)?;
        let mut executed = Vec::with_capacity(plan.len());
        for task in &plan {
            executed.push(self.record(tx, kind, task, |w| execute(tx, w, task.key, task.data))?);
        }
        Ok(self.finish_kind(kind, outputs, executed, log_start, started))
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
        Ok(())
    }

    /// Ends a stage: stores this run's revision if the stage changed
    /// anything, in the stage's own transaction, so the revision on disk
    /// always matches the outputs on disk.
    pub fn end_stage(&mut self, tx: &WriteTx<'_>) -> Result<()> {
        if self.stage_changed {
            tx.set_checkpoint(REVISION, &self.revision.to_string())?;
            self.stage_changed = false;
        }
        Ok(())
    }

    /// Reads the stored output value of a task.
    pub fn value(&self, tx: &WriteTx<'_>, kind: &TaskKind, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(tx.memo_value(TaskId::of(kind.name, key))?)
    }

    fn mark_changed(&mut self) {
        self.stage_changed = true;
        self.changed = true;
    }

    /// Compares the declared tasks with the stored ones: returns the tasks to
    /// execute and the output hashes of the reused ones, and deletes stored
    /// tasks that a complete declaration left out.
    fn plan<'d, D>(
        &mut self,
        tx: &WriteTx<'_>,
        kind: &TaskKind,
        declared: &'d [Declared<D>],
        stored: &'d [MemoRow],
        sweep: Sweep,
    ) -> Result<(Vec<Planned<'d, D>>, Outputs)> {
        let by_key: HashMap<&str, &MemoRow> = stored.iter().map(|r| (r.key.as_str(), r)).collect();
        let mut outputs = Outputs::default();
        let mut plan = Vec::new();
        let mut reused = 0u64;
        let mut seen = std::collections::HashSet::with_capacity(declared.len());
        for d in declared {
            if !seen.insert(d.key.as_str()) {
                return Err(DagError::DuplicateKey {
                    kind: kind.name,
                    key: d.key.clone(),
                });
            }
            let previous = by_key.get(d.key.as_str()).copied();
            match previous {
                Some(row) if row.input_hash == d.input_hash => {
                    reused += 1;
                    outputs.hashes.insert(d.key.clone(), row.output_hash);
                }
                _ => plan.push(Planned {
                    key: &d.key,
                    input_hash: d.input_hash,
                    data: &d.data,
                    previous,
                }),
            }
        }
        let mut deleted = Vec::new();
        if sweep == Sweep::Complete {
            for row in stored {
                if !seen.contains(row.key.as_str()) {
                    tx.delete_task(row.id)?;
                    deleted.push(row.key.clone());
                }
            }
        }
        if let Some(observer) = self.observer {
            observer.planned(kind, plan.len());
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
        Ok((plan, outputs))
    }

    /// Writes one executed task's output and memo row; returns its key and
    /// output hash.
    fn record<D>(
        &mut self,
        tx: &WriteTx<'_>,
        kind: &TaskKind,
        task: &Planned<'_, D>,
        write: impl FnOnce(&mut TaskWriter<'_>) -> Result<Option<Vec<u8>>, TaskError>,
    ) -> Result<(String, u64)> {
        let id = TaskId::of(kind.name, task.key);
        if task.previous.is_none() {
            tx.ensure_task(kind.name, id, task.key)?;
        }
        let mut writer = tx.task_writer(id, task.previous.is_none());
        let value = write(&mut writer).map_err(task_error(kind, task.key))?;
        let output_hash = writer.finish(value.as_deref())?;
        let backdated = task.previous.is_some_and(|p| p.output_hash == output_hash);
        let revision = match task.previous {
            Some(p) if backdated => p.revision,
            _ => self.revision,
        };
        tx.put_memo(
            kind.name,
            &MemoRow {
                id,
                key: task.key.to_owned(),
                input_hash: task.input_hash,
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
            key: task.key.to_owned(),
            event: if backdated {
                Event::Backdated
            } else {
                Event::Executed
            },
        });
        Ok((task.key.to_owned(), output_hash))
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

fn task_error(kind: &TaskKind, key: &str) -> impl FnOnce(TaskError) -> DagError {
    let kind = kind.name;
    let key = key.to_owned();
    move |source| DagError::Task { kind, key, source }
}
