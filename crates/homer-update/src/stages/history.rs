//! Mining history: one task per commit reachable from HEAD, keyed by the
//! commit id, whose input is the commit, its canonical author (after the
//! mailmap), its first parent's tree and the rename settings. The task
//! claims the commit node, writes one `commit` hyperedge (the commit, its
//! author, and every file it changed with the numstat counts as member
//! attributes) and a search chunk with the message, and keeps a compact
//! record for the metrics stage.
//!
//! What every commit's input shares (the mailmap, the rename settings,
//! the shallow boundary, the task version) is the *base*. When the base is
//! the one last mined and the last mined HEAD is still in the repository,
//! wherever HEAD went from there (a pull, a reset, a checkout of an older
//! commit or another branch, a rebase), only the commits HEAD reaches and
//! the last HEAD did not are declared, and those the last HEAD reached
//! and HEAD does not are deleted with all they derived: the cost follows
//! what moved, not the length of the history. Otherwise (a new mailmap,
//! new rename settings, a deepened shallow clone, a bounded history, the
//! last HEAD gone after a rewrite) every reachable commit is declared, and
//! the ones no longer reachable are swept. Commits whose blobs a partial
//! clone lacked are watched, and run again once the blobs are there.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use homer_dag::{Declared, Engine, Signature, Sweep, Task, TaskError, TaskKind, fingerprint};
use homer_git::{
    Change, CommitDiff, CommitInfo, Lines, Mailmap, ObjectId, Person, RenameSettings, Repository,
};
use homer_store::{Chunk, Embed, OpenMode, Store, TaskId, TaskWriter, WriteTx};
use homer_vocab::{BoundedHistory, Checkpoint, JsonCheckpoint, ShallowHistory};
use rayon::prelude::*;
use serde::Serialize;

/// The task kinds the history stage runs.
pub(crate) const KINDS: [TaskKind; 1] = [Commit::KIND];

use crate::UpdateError;
use crate::behavior::{ChangeRecord, CommitRecord};
use crate::config::HistoryBound;
use homer_vocab::history::StoredRecord;

/// What every commit's input shares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Base {
    pub mailmap: String,
    pub renames: RenameSettings,
    pub shallow: Vec<ObjectId>,
    /// `[history]`'s bound; left out when there is none, so an unbounded
    /// base hashes as it did before bounds existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<HistoryBound>,
    /// The commit task's version: records kept by another version are
    /// not read back, so a new version declares every commit again (the
    /// module's comment always said the base held it; it did not, and
    /// changing the record's form showed it).
    pub task_version: u32,
}

/// What the mining stage found, for notes to the user.
#[derive(Debug, Default)]
pub(crate) struct Mined {
    pub commits: usize,
    pub unreadable_blobs: usize,
    /// The shallow clone's boundary among the mined commits, if any.
    pub shallow: Option<ShallowHistory>,
    pub bounded: Option<BoundedHistory>,
}

impl Mined {
    /// What a user should hear about the history that was mined.
    pub(crate) fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        notes.extend(self.shallow.as_ref().map(ShallowHistory::warning));
        notes.extend(
            self.bounded
                .as_ref()
                .filter(|b| b.partial())
                .map(BoundedHistory::warning),
        );
        if self.unreadable_blobs > 0 {
            notes.push(format!(
                "{} blobs could not be read (a partial clone?): their line counts are missing",
                self.unreadable_blobs
            ));
        }
        notes
    }
}

/// The key of an author: the canonical e-mail, lower-cased, or the name
/// when there is no e-mail.
pub(crate) fn author_key(person: &Person) -> String {
    let email = person.email.trim().to_lowercase();
    if email.is_empty() {
        format!("name:{}", person.name.trim())
    } else {
        email
    }
}

/// One commit's file changes and records.
pub(crate) struct Commit;

#[derive(Debug, Serialize)]
pub(crate) struct CommitInput {
    info: CommitInfo,
    /// After the mailmap.
    author: Person,
    /// The first parent's tree; `None` for a root commit or a parent the
    /// repository lacks (a shallow clone's boundary).
    parent_tree: Option<ObjectId>,
    renames: RenameSettings,
}

impl Task for Commit {
    /// 5: paths and people by the id of their text (schema 17).
    const KIND: TaskKind = TaskKind::new(homer_vocab::history::COMMIT_TASK, 5);
    /// Diffs read trees and blobs through libgit2, which serializes reads
    /// of a pack file behind a lock every worker takes: on two cores one
    /// worker beside the writer mined the synthetic repository's 50,000
    /// commits in 3.2-3.3 s, two in 4.9-5.2 s (interleaved pairs).
    const SPARE_A_CORE: bool = true;
    type Input = CommitInput;
    type Output = Prepared;
    type Shared = Mining;
    type Worker = Repository;

    fn worker(mining: &Mining) -> Result<Repository, TaskError> {
        Ok(Repository::open_git_dir(&mining.git_dir)?)
    }

    fn compute(
        mining: &Mining,
        repo: &mut Repository,
        _: &str,
        input: &CommitInput,
    ) -> Result<Prepared, TaskError> {
        if let Some(done) = mining.take(input) {
            return Ok(done);
        }
        mine(repo, input)
    }

    /// How many blobs the diff could not read, when any.
    fn report(prepared: &Prepared) -> Option<String> {
        (prepared.unreadable > 0).then(|| prepared.unreadable.to_string())
    }

    fn write(
        w: &mut TaskWriter<'_>,
        _: &str,
        input: &CommitInput,
        prepared: Prepared,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        write_commit(w, &input.info, prepared)
    }
}

/// The stage's signature: HEAD, the base, and the commits whose blobs a
/// partial clone lacks (known before the stage from the last run, and
/// stated again from what the stage found).
#[derive(Serialize)]
pub(crate) struct StageInputs<'a> {
    pub head: Option<ObjectId>,
    pub base: &'a Option<Base>,
    pub missing: &'a BTreeMap<String, Vec<String>>,
}

pub(crate) fn run(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    repo: &Repository,
    head: Option<ObjectId>,
    bound: Option<&HistoryBound>,
    ahead: Option<Ahead>,
) -> Result<(Signature, Mined), UpdateError> {
    let mut mined = Mined::default();
    let base = match head {
        Some(_) => Some(base_of(repo, bound)?),
        None => None,
    };
    let watched = Watch::read(tx)?;
    let fetched: BTreeSet<String> = watched.fetched(repo);
    let expected: BTreeMap<String, Vec<String>> = watched
        .0
        .iter()
        .filter(|(id, _)| !fetched.contains(*id))
        .map(|(id, blobs)| (id.clone(), blobs.clone()))
        .collect();
    let mut stage = engine.begin_stage(
        tx,
        &Checkpoint::Stage("history").name(),
        &KINDS,
        &StageInputs {
            head,
            base: &base,
            missing: &expected,
        },
    )?;
    if stage.skip() {
        mined.unreadable_blobs = watched.blobs();
        mined.bounded = BoundedHistory::read_tx(tx)?;
        mined.shallow = ShallowHistory::read_tx(tx)?;
        return Ok((engine.end_stage(tx, stage)?, mined));
    }
    let (Some(head), Some(base_now)) = (head, &base) else {
        engine.run::<Commit>(tx, &Mining::default(), &[], Sweep::Complete)?;
        tx.clear_checkpoint(&mined_name())?;
        BoundedHistory::write(tx, None)?;
        ShallowHistory::write(tx, None)?;
        Watch::default().write(tx)?;
        stage.restate(
            &KINDS,
            &StageInputs {
                head,
                base: &base,
                missing: &BTreeMap::new(),
            },
        );
        return Ok((engine.end_stage(tx, stage)?, mined));
    };
    let base_print = fingerprint(base_now).to_string();
    let last = last_mined(tx.checkpoint(&mined_name())?.as_deref(), &base_print);
    // Verification declares every commit.
    let from = PlanFrom {
        head,
        base: base_print,
        last: last.filter(|_| !stage.verifying()),
        fetched: fetched.clone(),
    };
    // The plan and the first diffs made ahead are used when they were made
    // from what this stage finds; otherwise they are dropped.
    let early = ahead.and_then(Ahead::finish).filter(|e| e.from == from);
    let (mut plan, done) = match early {
        Some(early) => (early.plan, early.done),
        None => (
            plan(repo, &from, base_now, Declaring::Parallel, &|id| {
                tx.task_exists(TaskId::of(Commit::KIND.name, &id.to_hex()))
                    .unwrap_or(false)
            })?,
            Done::default(),
        ),
    };
    mined.bounded = apply_bound(
        tx,
        base_now.bound.as_ref(),
        &mut plan.declared,
        plan.reachable,
    )?;
    let shared = Mining {
        git_dir: repo.git_dir().to_path_buf(),
        done,
    };
    let outputs = engine.run::<Commit>(tx, &shared, &plan.declared, plan.sweep)?;
    drop(shared);
    let (sweep, gone) = (plan.sweep, plan.gone);
    engine.delete(tx, &Commit::KIND, &gone)?;
    mined.commits = outputs.executed().len();
    let watch = settle(tx, repo, &watched, &outputs, sweep, &gone, &mut mined)?;
    watch.write(tx)?;
    mined.shallow = record_shallow(tx, &base_now.shallow)?;
    tx.set_checkpoint(&mined_name(), &format!("{} {}", head.to_hex(), from.base))?;
    stage.restate(
        &KINDS,
        &StageInputs {
            head: Some(head),
            base: &base,
            missing: &watch.0,
        },
    );
    Ok((engine.end_stage(tx, stage)?, mined))
}

/// Records which mined commits are at the shallow boundary, for the
/// behaviour stage (which leaves them out) and for readers; writes only
/// what changed.
fn record_shallow(
    tx: &WriteTx<'_>,
    boundary: &[ObjectId],
) -> Result<Option<ShallowHistory>, UpdateError> {
    let now = shallow_history(tx, boundary)?;
    if ShallowHistory::read_tx(tx)? != now {
        ShallowHistory::write(tx, now.as_ref())?;
    }
    Ok(now)
}

/// The shallow boundary's commits among those mined, with the count of all
/// mined; `None` when no mined commit is at a boundary.
fn shallow_history(
    tx: &WriteTx<'_>,
    boundary: &[ObjectId],
) -> Result<Option<ShallowHistory>, UpdateError> {
    let mut mined_boundary = Vec::new();
    for id in boundary {
        let hex = id.to_hex();
        if tx.task_exists(TaskId::of(Commit::KIND.name, &hex))? {
            mined_boundary.push(hex);
        }
    }
    if mined_boundary.is_empty() {
        return Ok(None);
    }
    mined_boundary.sort();
    let mined = tx
        .summary()?
        .tasks
        .iter()
        .find(|k| k.kind == Commit::KIND.name)
        .map_or(0, |k| k.count);
    Ok(Some(ShallowHistory {
        boundary: mined_boundary,
        mined,
    }))
}

/// The commits only `head` reaches and those only `last` reaches, newest
/// first; `None` when either walk fails (the last mined HEAD is gone from
/// the repository after a rewrite, or a commit is missing), and then every
/// commit is declared again.
///
/// When `last` is an ancestor of `head` (a pull, a commit), the new
/// commits are read from `head` as far as the mined ones (`mined`: the
/// commits a commit task was stored for, every ancestor of `last`), and
/// none is gone; otherwise two revwalks each hide the other end, which
/// marks every ancestor of the hidden commit. A commit `mined` cannot
/// answer for (the index unreadable) counts as not mined: the walk goes
/// on past it, does not reach `last` as mined, and the revwalks decide.
fn between(
    repo: &Repository,
    last: ObjectId,
    head: ObjectId,
    mined: &dyn Fn(ObjectId) -> bool,
) -> Option<(Vec<ObjectId>, Vec<ObjectId>)> {
    if !repo.has_object(last) {
        return None;
    }
    if let Ok((new, true)) = repo.walk_to_known(head, last, mined) {
        return Some((new, Vec::new()));
    }
    Some((
        repo.walk(head, Some(last)).ok()?,
        repo.walk(last, Some(head)).ok()?,
    ))
}

/// Keeps the declared commits within `bound` (those committed since its
/// day; the walk was cut at its count already), and records what it left
/// out for readers.
fn apply_bound(
    tx: &WriteTx<'_>,
    bound: Option<&HistoryBound>,
    declared: &mut Vec<Declared<CommitInput>>,
    reachable: usize,
) -> Result<Option<BoundedHistory>, UpdateError> {
    let Some(b) = bound else {
        BoundedHistory::write(tx, None)?;
        return Ok(None);
    };
    if let Some(since) = b.since {
        declared.retain(|task| task.input.info.committer_time >= since);
    }
    let bounded = BoundedHistory {
        max_commits: b.max_commits,
        since: b.since_day.clone(),
        mined: declared.len() as u64,
        reachable: reachable as u64,
    };
    BoundedHistory::write(tx, Some(&bounded))?;
    Ok(Some(bounded))
}

/// What every commit's input shares, read from the repository.
fn base_of(repo: &Repository, bound: Option<&HistoryBound>) -> Result<Base, UpdateError> {
    let mailmap = repo.mailmap_text()?;
    // Parsed once here, so a broken mailmap fails before any work.
    Mailmap::from_text(&mailmap)?;
    Ok(Base {
        mailmap,
        renames: repo.rename_settings()?,
        shallow: repo.shallow_boundary()?,
        bound: bound.cloned(),
        task_version: Commit::KIND.version,
    })
}

/// The watch after a run, and the count of blobs that could not be read.
/// Only a partial clone fetches what it lacks: only there are the commits
/// with missing blobs read back and watched. Elsewhere a missing blob is
/// damage, and the executed commits' reports count it.
fn settle(
    tx: &WriteTx<'_>,
    repo: &Repository,
    watched: &Watch,
    outputs: &homer_dag::Outputs,
    sweep: Sweep,
    gone: &[String],
    mined: &mut Mined,
) -> Result<Watch, UpdateError> {
    if repo.is_partial() {
        let watch = Watch::after(tx, watched, outputs.executed(), sweep, gone)?;
        mined.unreadable_blobs = watch.blobs();
        return Ok(watch);
    }
    mined.unreadable_blobs = outputs
        .reports()
        .iter()
        // A report is the count the task wrote: it always parses.
        .filter_map(|(_, n)| n.parse::<usize>().ok())
        .sum();
    Ok(Watch::default())
}

/// The checkpoint holding the last mined HEAD and its base's fingerprint.
fn mined_name() -> String {
    Checkpoint::Stage("history.mined").name()
}

/// The last mined HEAD, when it was mined with the base printed `print`.
fn last_mined(checkpoint: Option<&str>, print: &str) -> Option<ObjectId> {
    let (head, stored) = checkpoint?.split_once(' ')?;
    (stored == print)
        .then(|| ObjectId::from_hex(head))
        .flatten()
}

/// What a plan is made from: two plans made from equal ones are equal.
#[derive(Debug, PartialEq)]
struct PlanFrom {
    head: ObjectId,
    /// The base's fingerprint.
    base: String,
    /// The last HEAD mined with this base, unless every commit is to be
    /// declared (verification).
    last: Option<ObjectId>,
    /// Watched commits whose missing blobs are there now.
    fetched: BTreeSet<String>,
}

/// The commits to mine: their tasks, whether they are the whole history,
/// and those HEAD no longer reaches.
struct Plan {
    declared: Vec<Declared<CommitInput>>,
    sweep: Sweep,
    gone: Vec<String>,
    /// How many commits HEAD reaches, before a bound's count.
    reachable: usize,
}

/// Whether commits are read on the pool's threads or on the caller's.
#[derive(Clone, Copy)]
enum Declaring<'s> {
    Parallel,
    /// On the thread that mines ahead, beside a stage that has the pool;
    /// given up when the flag is set (the stage began first, and plans
    /// faster on the whole pool).
    Here(&'s AtomicBool),
}

/// From the last mined HEAD (with the same base) to this one, whichever
/// way HEAD moved (a pull, a reset, a checkout of an older commit or of
/// another branch, a rebase whose old commits are still there), what
/// changed is the commits reachable from one and not the other: those
/// only HEAD reaches are declared, those only the last HEAD reached are
/// deleted, and the rest stay as they are (a commit's task does not
/// depend on HEAD). A bounded history is a window that slides as HEAD
/// moves: what falls out of it is swept, so the whole window is declared.
fn plan(
    repo: &Repository,
    from: &PlanFrom,
    base: &Base,
    declaring: Declaring<'_>,
    mined: &dyn Fn(ObjectId) -> bool,
) -> Result<Plan, UpdateError> {
    let moved = match from.last {
        Some(last) if base.bound.is_none() => between(repo, last, from.head, mined),
        _ => None,
    };
    let (mut ids, sweep, gone) = match moved {
        Some((new, gone)) => (new, Sweep::Partial, gone),
        None => (repo.walk(from.head, None)?, Sweep::Complete, Vec::new()),
    };
    let reachable = ids.len();
    if let Some(max) = base.bound.as_ref().and_then(|b| b.max_commits) {
        ids.truncate(usize::try_from(max).unwrap_or(usize::MAX));
    }
    let gone: Vec<String> = gone.iter().map(ObjectId::to_hex).collect();
    if sweep == Sweep::Partial {
        // Commits run again for blobs fetched since, beside the new ones
        // (not those HEAD no longer reaches: they were just deleted).
        let new: BTreeSet<ObjectId> = ids.iter().copied().collect();
        let gone: BTreeSet<&str> = gone.iter().map(String::as_str).collect();
        ids.extend(
            from.fetched
                .iter()
                .filter(|id| !gone.contains(id.as_str()))
                .filter_map(|id| ObjectId::from_hex(id))
                .filter(|id| !new.contains(id)),
        );
    }
    Ok(Plan {
        declared: declare(repo, &ids, base, &from.fetched, declaring)?,
        sweep,
        gone,
        reachable,
    })
}

/// What the commit tasks share: where the repository is, and the diffs
/// mined ahead of the stage.
#[derive(Debug, Default)]
pub(crate) struct Mining {
    git_dir: PathBuf,
    done: Done,
}

impl Mining {
    /// The output mined ahead for this commit, if it was mined from this
    /// very input.
    fn take(&self, input: &CommitInput) -> Option<Prepared> {
        let &(hash, start, end) = self.done.at.get(&input.info.id)?;
        if hash != homer_dag::input_hash::<Commit>(input) {
            return None;
        }
        postcard::from_bytes(self.done.bytes.get(start..end)?).ok()
    }
}

/// Outputs mined ahead, encoded one after the other in one buffer of
/// [`AHEAD_BYTES`], which is more than glibc's largest threshold for
/// mapping an allocation apart: it is mapped when made and unmapped when
/// dropped, whatever was allocated and freed meanwhile. The outputs
/// themselves, small and many, were freed by the writer into the arena of
/// the thread that made them, and that memory stayed resident at the
/// later stages' peak (the synthetic repository's rose 243 -> 254 MB).
#[derive(Debug, Default)]
struct Done {
    bytes: Vec<u8>,
    /// By commit: the input hash each was mined from, and where it is.
    at: HashMap<ObjectId, (u64, usize, usize)>,
}

fn mine(repo: &Repository, input: &CommitInput) -> Result<Prepared, TaskError> {
    let diff = repo.diff_commit(&input.info, input.parent_tree, input.renames)?;
    Ok(prepare(input, &diff))
}

/// How many bytes of outputs mining ahead holds at most: some 120,000
/// commits (about 350 bytes a commit encoded, on the synthetic and the
/// kernel-sized repositories).
const AHEAD_BYTES: usize = 40 << 20;

/// History mined ahead of its stage, on one of rayon's threads, while the
/// code stage runs. The code stage keeps one core busy writing (its
/// parsers take a fraction of the other), and mining is one worker's reads
/// of the object database (a second contends for libgit2's pack lock): on
/// two cores the stages in turn leave a core idle for most of the update.
/// Ahead of its stage the job plans as the stage would (the same
/// function, from the same checkpoints) and diffs the first commits of the
/// plan, up to [`AHEAD_BYTES`] of outputs; the stage stops it, takes the
/// plan if it was made from what the stage finds, and each commit task
/// takes its output if it was mined from the same input. It runs only when
/// every planned commit is new: a first build, or the commits since the
/// last mined HEAD.
pub(crate) struct Ahead {
    stop: Arc<AtomicBool>,
    /// Whether the stage stops it (else it is waited for).
    stopped_by_stage: bool,
    made: Option<mpsc::Receiver<Option<Early>>>,
}

/// What mining ahead made.
pub(crate) struct Early {
    from: PlanFrom,
    plan: Plan,
    done: Done,
}

impl Ahead {
    pub(crate) fn start(
        store: &Store,
        repo: &Repository,
        head: Option<ObjectId>,
        bound: Option<&HistoryBound>,
        stopped_by_stage: bool,
    ) -> Option<Ahead> {
        let head = head?;
        if bound.is_some() {
            return None;
        }
        let checkpoint = store.checkpoint(&mined_name()).ok()?;
        // Mined up to this HEAD already (every no-op update): nothing new
        // to mine, and a base changed since is the stage's to judge.
        if checkpoint
            .as_deref()
            .and_then(|text| text.split_once(' '))
            .is_some_and(|(mined, _)| mined == head.to_hex())
        {
            return None;
        }
        // Stopped by the stage, it holds one of the pool's threads until
        // the history stage, and the code stage needs another (waited for,
        // it ends on its own, and the code stage runs after it). Asked only
        // here: asking starts the pool, which a no-op update never needs.
        if stopped_by_stage && rayon::current_num_threads() < 2 {
            return None;
        }
        let watched = Watch::parse(store.checkpoint(&Watch::name()).ok()?).ok()?;
        let git_dir = repo.git_dir().to_path_buf();
        let database = store.path().to_path_buf();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let (sender, made) = mpsc::sync_channel(1);
        // On the pool rather than a thread of its own: what it allocates
        // is then in an arena the later stages' workers reuse (a thread of
        // its own left 25-30 MB more resident at the synthetic
        // repository's peak).
        rayon::spawn(move || {
            let early = early(
                &git_dir,
                &database,
                head,
                checkpoint.as_deref(),
                &watched,
                &stopped,
            );
            let _ = sender.send(early);
        });
        Some(Ahead {
            stop,
            stopped_by_stage,
            made: Some(made),
        })
    }

    /// Stops the mining (or waits for its end); what it made.
    fn finish(mut self) -> Option<Early> {
        if self.stopped_by_stage {
            self.stop.store(true, Ordering::Relaxed);
        }
        self.made.take()?.recv().ok().flatten()
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(made) = self.made.take() {
            let _ = made.recv();
        }
    }
}

/// The job's work: the plan, then diffs in its order until stopped or
/// full. Any error leaves the work to the stage, which reports it.
fn early(
    git_dir: &std::path::Path,
    database: &std::path::Path,
    head: ObjectId,
    checkpoint: Option<&str>,
    watched: &Watch,
    stop: &AtomicBool,
) -> Option<Early> {
    let repo = Repository::open_git_dir(git_dir).ok()?;
    let base = base_of(&repo, None).ok()?;
    let print = fingerprint(&base).to_string();
    let last = last_mined(checkpoint, &print);
    // Mined before with another base: most commits keep their outputs,
    // which only the stage knows.
    if checkpoint.is_some() && last.is_none() {
        return None;
    }
    let from = PlanFrom {
        head,
        base: print,
        last,
        fetched: watched.fetched(&repo),
    };
    // The commits mined, as the last update stored them: read beside the
    // code stage's transaction (the index is in WAL mode), only when there
    // is a last mined HEAD to read up to.
    let stored = match from.last {
        Some(_) => Some(Store::open(database, OpenMode::ReadOnly).ok()?),
        None => None,
    };
    let mined = |id: ObjectId| {
        stored.as_ref().is_some_and(|s| {
            s.task_exists(Commit::KIND.name, &id.to_hex())
                .unwrap_or(false)
        })
    };
    let plan = plan(&repo, &from, &base, Declaring::Here(stop), &mined).ok()?;
    let mut done = Done {
        bytes: Vec::with_capacity(AHEAD_BYTES),
        at: HashMap::new(),
    };
    for task in &plan.declared {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let Ok(prepared) = mine(&repo, &task.input) else {
            break;
        };
        let Ok(encoded) = postcard::to_stdvec(&prepared) else {
            break;
        };
        let start = done.bytes.len();
        if start + encoded.len() > done.bytes.capacity() {
            break;
        }
        done.bytes.extend_from_slice(&encoded);
        let hash = homer_dag::input_hash::<Commit>(&task.input);
        done.at
            .insert(task.input.info.id, (hash, start, done.bytes.len()));
    }
    Some(Early { from, plan, done })
}

/// Reads the commits and declares their tasks. Reading is a large part of
/// the stage: it runs on the worker threads too (each with its own
/// repository handle and mailmap).
fn declare(
    repo: &Repository,
    ids: &[ObjectId],
    base: &Base,
    fetched: &BTreeSet<String>,
    declaring: Declaring<'_>,
) -> Result<Vec<Declared<CommitInput>>, UpdateError> {
    let git_dir = repo.git_dir().to_path_buf();
    let read = |worker: &Result<(Repository, Mailmap), homer_git::GitError>,
                id: ObjectId|
     -> Result<(CommitInfo, Person), UpdateError> {
        let (worker, mailmap) = worker
            .as_ref()
            .map_err(|e| UpdateError::Worker(e.to_string()))?;
        let info = worker.commit_info(id)?;
        let author = mailmap.resolve(&info.author);
        Ok((info, author))
    };
    let open = || {
        Repository::open_git_dir(&git_dir)
            .and_then(|r| Mailmap::from_text(&base.mailmap).map(|m| (r, m)))
    };
    let infos = match declaring {
        Declaring::Parallel => ids
            .par_iter()
            .map_init(open, |worker, &id| read(worker, id))
            .collect::<Result<Vec<_>, UpdateError>>()?,
        Declaring::Here(stop) => {
            let worker = open();
            ids.iter()
                .map(|&id| {
                    if stop.load(Ordering::Relaxed) {
                        return Err(UpdateError::Worker(
                            "stopped before its plan was made".into(),
                        ));
                    }
                    read(&worker, id)
                })
                .collect::<Result<Vec<_>, UpdateError>>()?
        }
    };
    // Each commit's tree, so the parent's tree is looked up only for the
    // commits just past the last mined HEAD.
    let trees: HashMap<ObjectId, ObjectId> =
        infos.iter().map(|(info, _)| (info.id, info.tree)).collect();
    Ok(infos
        .into_iter()
        .map(|(info, author)| {
            let parent_tree = match info.parents.first() {
                Some(parent) => trees
                    .get(parent)
                    .copied()
                    .or_else(|| repo.first_parent_tree(&info)),
                None => None,
            };
            let key = info.id.to_hex();
            let force = fetched.contains(&key);
            let mut task = Declared::new(
                key,
                CommitInput {
                    info,
                    author,
                    parent_tree,
                    renames: base.renames,
                },
            );
            task.force = force;
            task
        })
        .collect())
}

/// Commits whose diff could not read some blobs, with those blobs: a
/// partial clone may fetch them later, without HEAD moving.
#[derive(Debug, Default, PartialEq)]
struct Watch(BTreeMap<String, Vec<String>>);

impl Watch {
    fn name() -> String {
        Checkpoint::Watch("history").name()
    }

    fn read(tx: &WriteTx<'_>) -> Result<Watch, UpdateError> {
        Self::parse(tx.checkpoint(&Self::name())?)
    }

    fn parse(text: Option<String>) -> Result<Watch, UpdateError> {
        let Some(text) = text else {
            return Ok(Watch::default());
        };
        serde_json::from_str(&text)
            .map(Watch)
            .map_err(|e| UpdateError::Corrupt {
                what: "the list of commits with missing blobs".to_owned(),
                message: e.to_string(),
            })
    }

    fn write(&self, tx: &WriteTx<'_>) -> Result<(), UpdateError> {
        if self.0.is_empty() {
            tx.clear_checkpoint(&Self::name())?;
        } else {
            let text = serde_json::to_string(&self.0).map_err(|e| UpdateError::Corrupt {
                what: "the list of commits with missing blobs".to_owned(),
                message: e.to_string(),
            })?;
            tx.set_checkpoint(&Self::name(), &text)?;
        }
        Ok(())
    }

    /// The watched commits some of whose blobs are there now.
    fn fetched(&self, repo: &Repository) -> BTreeSet<String> {
        self.0
            .iter()
            .filter(|(_, blobs)| {
                blobs
                    .iter()
                    .filter_map(|b| ObjectId::from_hex(b))
                    .any(|b| repo.has_object(b))
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    fn blobs(&self) -> usize {
        self.0.values().map(Vec::len).sum()
    }

    /// The watch after a run in a partial clone: the executed commits'
    /// missing blobs (read from their records) replace what was known of
    /// them.
    fn after(
        tx: &WriteTx<'_>,
        old: &Watch,
        executed: &[String],
        sweep: Sweep,
        gone: &[String],
    ) -> Result<Watch, UpdateError> {
        let mut watch = if sweep == Sweep::Complete {
            BTreeMap::new()
        } else {
            old.0.clone()
        };
        for id in gone {
            watch.remove(id);
        }
        for id in executed {
            watch.remove(id);
            let Some(value) = tx.memo_value(homer_store::TaskId::of(Commit::KIND.name, id))? else {
                continue;
            };
            let record = StoredRecord::decode(id, &value)?;
            if !record.missing().is_empty() {
                let missing = record.missing().iter().map(|&m| m.to_owned()).collect();
                watch.insert(id.clone(), missing);
            }
        }
        if sweep == Sweep::Complete {
            // Commits executed in an earlier run keep their place.
            for (id, value) in tx.memo_values(Commit::KIND.name)?.iter() {
                if watch.contains_key(id)
                    || executed.binary_search_by(|e| e.as_str().cmp(id)).is_ok()
                {
                    continue;
                }
                let record = StoredRecord::decode(id, value)?;
                if !record.missing().is_empty() {
                    let missing = record.missing().iter().map(|&m| m.to_owned()).collect();
                    watch.insert(id.to_owned(), missing);
                }
            }
        }
        Ok(Watch(watch))
    }
}

/// A change's letter, as `git log --name-status` prints it.
fn status(change: &Change) -> char {
    match change {
        Change::Added => 'A',
        Change::Modified => 'M',
        Change::Deleted => 'D',
        Change::Renamed { .. } => 'R',
        Change::TypeChanged => 'T',
    }
}

/// One commit's rows, built on a worker thread so that the single writer
/// only runs SQL.
#[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
pub(crate) struct Prepared {
    /// The task's value: the commit record, the index's one copy of what
    /// the commit changed.
    value: Vec<u8>,
    /// The identifier parts of the message and the changed paths' words,
    /// for the text index.
    words: String,
    /// The texts the record names by id (paths, the author's e-mail and
    /// name), for `record_texts`.
    texts: Vec<(i64, String)>,
    /// Blobs the diff could not read.
    unreadable: usize,
}

fn prepare(commit: &CommitInput, diff: &CommitDiff) -> Prepared {
    let info = &commit.info;
    let parents: Vec<String> = info.parents.iter().map(ObjectId::to_hex).collect();
    let mut changes = Vec::with_capacity(diff.changes.len());
    for change in &diff.changes {
        let (added, deleted) = match change.lines {
            Lines::Counted { added, deleted } => (Some(added), Some(deleted)),
            Lines::Binary | Lines::Unreadable => (None, None),
        };
        let from = match &change.change {
            Change::Renamed { from, .. } => Some(from.name().into_owned()),
            _ => None,
        };
        changes.push(ChangeRecord {
            path: change.path.name().into_owned(),
            status: status(&change.change),
            added,
            deleted,
            from,
        });
    }
    let record = CommitRecord {
        committed: info.committer_time,
        authored: info.author_time,
        author: author_key(&commit.author),
        parents,
        changes,
        missing: diff.unreadable.iter().map(ObjectId::to_hex).collect(),
        name: commit.author.name.trim().to_owned(),
    };
    let mut words = homer_vocab::text::identifier_parts(&info.message);
    for change in &record.changes {
        words.push(' ');
        words.push_str(&homer_vocab::text::path_words(&change.path));
    }
    Prepared {
        words,
        texts: record
            .texts()
            .into_iter()
            .map(|(id, text)| (id, text.to_owned()))
            .collect(),
        unreadable: diff.unreadable.len(),
        value: record.encode(),
    }
}

fn write_commit(
    w: &mut TaskWriter<'_>,
    info: &CommitInfo,
    prepared: Prepared,
) -> Result<Option<Vec<u8>>, TaskError> {
    // Commit messages are searched by text; embedding thousands of them
    // would take minutes for little (a question is seldom about a commit).
    w.chunk(&Chunk {
        // A commit is its task: the message's chunk is known by its owner,
        // and what the commit changed, by whom and when, is the record
        // (the task's value, read by `homer_read::Index::commit`).
        node: None,
        title: info.subject(),
        body: info.body(),
        words: &prepared.words,
        lines: None,
        lead: None,
        embed: Embed::Nothing,
        message: true,
    })?;
    w.record_texts(prepared.texts.iter().map(|(id, text)| (*id, text.as_str())))?;
    Ok(Some(prepared.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every commit mined ahead reads back as mining it in the stage
    /// gives, and only for the input it was mined from.
    #[test]
    fn a_commit_mined_ahead_reads_back_as_mined_in_its_stage() {
        let dir = homer_fixtures::copy("small");
        let repo = Repository::discover(dir.path()).expect("repository");
        let head = match repo.head().expect("head") {
            homer_git::Head::Commit { id, .. } => id,
            homer_git::Head::Unborn { .. } => panic!("the fixture has commits"),
        };
        let never = AtomicBool::new(false);
        let mut made = early(
            repo.git_dir(),
            Path::new("none.db"),
            head,
            None,
            &Watch::default(),
            &never,
        )
        .expect("a first build plans every commit");
        assert_eq!(made.plan.sweep, Sweep::Complete);
        assert!(
            made.plan.declared.len() > 20,
            "{}",
            made.plan.declared.len()
        );
        // The plan is the one the stage makes.
        let from = PlanFrom {
            head,
            base: made.from.base.clone(),
            last: None,
            fetched: BTreeSet::new(),
        };
        assert_eq!(made.from, from);
        let base = base_of(&repo, None).expect("base");
        let stage = plan(&repo, &from, &base, Declaring::Parallel, &|_| false).expect("plan");
        assert_eq!(
            keys_and_hashes(&made.plan.declared),
            keys_and_hashes(&stage.declared)
        );
        assert_eq!(made.done.at.len(), made.plan.declared.len());
        let mining = Mining {
            git_dir: repo.git_dir().to_path_buf(),
            done: std::mem::take(&mut made.done),
        };
        for task in &made.plan.declared {
            let ahead = mining.take(&task.input).expect("mined ahead");
            assert_eq!(
                ahead,
                mine(&repo, &task.input).expect("mined"),
                "{}",
                task.key
            );
        }
        // Another input for the same commit (other rename settings) is
        // not the one mined.
        let mut other = made.plan.declared.swap_remove(0).input;
        other.renames.limit += 1;
        assert_eq!(mining.take(&other), None);
        // Stopped before its plan is made, it gives the plan up.
        let stopped = AtomicBool::new(true);
        assert!(
            early(
                repo.git_dir(),
                Path::new("none.db"),
                head,
                None,
                &Watch::default(),
                &stopped
            )
            .is_none()
        );
        // Mined before under another base: the stage decides.
        let other_base = format!("{} 1", head.to_hex());
        assert!(
            early(
                repo.git_dir(),
                Path::new("none.db"),
                head,
                Some(&other_base),
                &Watch::default(),
                &never
            )
            .is_none()
        );
    }

    fn keys_and_hashes(declared: &[Declared<CommitInput>]) -> Vec<(String, u64, bool)> {
        declared
            .iter()
            .map(|d| {
                (
                    d.key.clone(),
                    homer_dag::input_hash::<Commit>(&d.input),
                    d.force,
                )
            })
            .collect()
    }
}
