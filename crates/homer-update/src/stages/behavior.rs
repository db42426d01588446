//! Behavioral metrics: per current file (following renames), per directory,
//! and change coupling. The history model is rebuilt in memory from the
//! commit records whenever the history or the files at HEAD moved; a task
//! executes only where its input (the facts of the file's touches, the
//! touches of the files below a directory, a file's co-change counts)
//! changed, so new commits cost work only where they landed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use homer_dag::{
    Declared, Engine, Signature, Sweep, Task, TaskError, TaskKind, Upstream, fingerprint,
};
use homer_store::{EdgeKind, Member, NodeKind, Role, TaskWriter, WriteTx};
use homer_vocab::values::put;
use homer_vocab::{Checkpoint, HistoryCounts, JsonCheckpoint, People, ShallowHistory, attrs, keys};
use rustc_hash::FxHashSet;
use serde::Serialize;

use crate::UpdateError;
use crate::behavior::{self, CommitRecord, History, Metrics, Pair, TouchFact};
use crate::config::CouplingConfig;
use crate::stages::history::Commit;
use homer_vocab::history::StoredRecord;

/// The stage's signature: the mined history, the files at HEAD and the
/// coupling settings.
#[derive(Serialize)]
pub(crate) struct StageInputs<'a> {
    pub history: Signature,
    pub tree: Signature,
    pub config: &'a CouplingConfig,
    /// A shallow clone's boundary commits, which the metrics leave out;
    /// left out when there are none, so a full history's signature is the
    /// one it had before.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub shallow: &'a BTreeSet<String>,
}

pub(crate) const KINDS: [TaskKind; 3] = [FileHistory::KIND, DirHistory::KIND, Coupling::KIND];

pub(crate) fn run(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    history_signature: Signature,
    tree: Signature,
    config: &CouplingConfig,
) -> Result<Signature, UpdateError> {
    // A shallow clone's boundary commit is compared with an empty tree:
    // it seems to add every file, and what it changed is unknown.
    let boundary: BTreeSet<String> = ShallowHistory::read_tx(tx)?
        .map(|s| s.boundary.into_iter().collect())
        .unwrap_or_default();
    let stage = engine.begin_stage(
        tx,
        &Checkpoint::Stage("behavior").name(),
        &KINDS,
        &StageInputs {
            history: history_signature,
            tree,
            config,
            shallow: &boundary,
        },
    )?;
    if stage.skip() {
        return Ok(engine.end_stage(tx, stage)?);
    }
    let stored = tx.memo_values(Commit::KIND.name)?;
    let texts = tx.all_record_texts()?;
    let mut records = Vec::with_capacity(stored.len());
    // The texts some record names: the others were named by commits the
    // history no longer has (rewritten), and go.
    let mut named = FxHashSet::with_capacity_and_hasher(texts.len(), rustc_hash::FxBuildHasher);
    for (id, value) in stored.iter() {
        let record = StoredRecord::decode(id, value)?;
        named.extend(record.text_ids());
        if boundary.contains(id) {
            continue;
        }
        records.push((id, record.resolve(id, &texts)?));
    }
    let unnamed: Vec<i64> = texts
        .keys()
        .filter(|id| !named.contains(id))
        .copied()
        .collect();
    if !unnamed.is_empty() {
        tx.delete_record_texts(unnamed)?;
    }
    // One person under several e-mails counts once, under the e-mail
    // they committed most with.
    let known = behavior::people(records.iter().map(|(_, r)| (r.author, r.name)));
    for (_, record) in &mut records {
        record.author = known[record.author];
    }
    People::write(tx, (!known.is_empty()).then(|| people_of(&known)).as_ref())?;
    let files = tx.current_names(NodeKind::File)?;
    HistoryCounts::write(tx, Some(&history_counts(&records, &files)))?;
    let history = History::new(records);
    let dirs = tx.current_names(NodeKind::Directory)?;
    let lineages = history.lineages(&files);
    let facts: BTreeMap<&str, Vec<TouchFact<'_>>> = lineages
        .iter()
        .map(|(path, touches)| (path.as_str(), history.facts(touches)))
        .collect();
    let digested: BTreeMap<&str, Upstream<'_, Vec<TouchFact<'_>>>> = facts
        .iter()
        .map(|(path, facts)| (*path, Upstream::new(fingerprint(facts), facts)))
        .collect();

    run_files(engine, tx, &digested)?;
    run_dirs(engine, tx, &digested, &dirs)?;
    run_coupling(engine, tx, &history, &lineages, config)?;
    Ok(engine.end_stage(tx, stage)?)
}

/// What `homer status` says of the history besides its people: the files
/// its commits changed that HEAD no longer has (`files` is sorted).
fn history_counts(records: &[(&str, CommitRecord<&str>)], files: &[String]) -> HistoryCounts {
    // Hashed, not ordered: at kernel size 800,000 changes name 75,000
    // paths, and a B-tree of them took a tenth of the stage.
    let changed: FxHashSet<&str> = records
        .iter()
        .flat_map(|(_, r)| r.changes.iter().map(|c| c.path))
        .collect();
    let gone = changed
        .into_iter()
        .filter(|p| files.binary_search_by(|f| f.as_str().cmp(p)).is_err())
        .count();
    HistoryCounts {
        files_gone: gone as u64,
    }
}

/// The people checkpoint of an identity map.
fn people_of(known: &BTreeMap<&str, &str>) -> People {
    People {
        people: known.iter().filter(|(k, v)| k == v).count() as u64,
        aliases: known
            .iter()
            .filter(|(k, v)| k != v)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// A current file's metrics, over its lineage.
struct FileHistory<'a>(std::marker::PhantomData<&'a ()>);

#[derive(Serialize)]
struct FileInput<'a> {
    /// In history order; a fingerprint of them all stands for them.
    touches: Upstream<'a, Vec<TouchFact<'a>>>,
}

impl<'a> Task for FileHistory<'a> {
    const KIND: TaskKind = TaskKind::new("file_history", 4);
    type Input = FileInput<'a>;
    type Output = Option<Metrics>;
    type Shared = ();
    type Worker = ();

    fn worker((): &()) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute(
        (): &(),
        (): &mut (),
        _: &str,
        input: &FileInput<'a>,
    ) -> Result<Option<Metrics>, TaskError> {
        Ok(behavior::metrics(input.touches.iter()))
    }

    fn write(
        w: &mut TaskWriter<'_>,
        path: &str,
        _: &FileInput<'a>,
        metrics: Option<Metrics>,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        if let Some(m) = metrics {
            let node = w.intern_node(NodeKind::File, path)?;
            put(w, node, keys::HISTORY, &m)?;
        }
        Ok(None)
    }
}

fn run_files(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    touches: &BTreeMap<&str, Upstream<'_, Vec<TouchFact<'_>>>>,
) -> Result<(), UpdateError> {
    let mut declared: Vec<Declared<FileInput<'_>>> = touches
        .iter()
        .map(|(path, touches)| Declared::new((*path).to_owned(), FileInput { touches: *touches }))
        .collect();
    // Written in the order of the files' node ids: each task writes its
    // file's values, keyed by (name, node), so in this order every name's
    // rows go in one after another (in path order they land at random
    // places: node ids are hashes).
    declared.sort_by_cached_key(|d| homer_store::NodeId::of(NodeKind::File, &d.key));
    engine.run::<FileHistory<'_>>(tx, &(), &declared, Sweep::Complete)?;
    Ok(())
}

/// A directory's metrics, over every current file below it.
struct DirHistory<'a>(std::marker::PhantomData<&'a ()>);

/// Each current file's main author, found once for all the directories
/// above it that run (a file's is read by each, for the truck factor).
struct MainAuthors<'a>(BTreeMap<&'a str, OnceLock<Option<String>>>);

impl MainAuthors<'_> {
    fn of(&self, path: &str, touches: &[TouchFact<'_>]) -> Option<&str> {
        // The map is built from the same files as the directories' inputs:
        // every file below a directory is in it.
        debug_assert!(self.0.contains_key(path), "{path} has no entry");
        self.0
            .get(path)?
            .get_or_init(|| behavior::main_author(touches).map(str::to_owned))
            .as_deref()
    }
}

#[derive(Serialize)]
struct DirInput<'a> {
    files: Vec<(&'a str, Upstream<'a, Vec<TouchFact<'a>>>)>,
}

impl<'a> Task for DirHistory<'a> {
    const KIND: TaskKind = TaskKind::new("dir_history", 4);
    type Input = DirInput<'a>;
    type Output = (Option<Metrics>, usize, u32);
    type Shared = MainAuthors<'a>;
    type Worker = ();

    fn worker(_: &MainAuthors<'a>) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute(
        mains: &MainAuthors<'a>,
        (): &mut (),
        _: &str,
        input: &DirInput<'a>,
    ) -> Result<Self::Output, TaskError> {
        let truck =
            behavior::truck_factor(input.files.iter().filter_map(|(path, t)| mains.of(path, t)));
        let all = input.files.iter().flat_map(|(_, t)| t.iter());
        Ok((behavior::metrics(all), input.files.len(), truck))
    }

    fn write(
        w: &mut TaskWriter<'_>,
        dir: &str,
        _: &DirInput<'a>,
        (metrics, files, truck): Self::Output,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        let node = w.intern_node(NodeKind::Directory, dir)?;
        put(
            w,
            node,
            keys::FILES,
            &i64::try_from(files).unwrap_or(i64::MAX),
        )?;
        if let Some(m) = metrics {
            put(w, node, keys::HISTORY, &m)?;
            put(w, node, keys::TRUCK_FACTOR, &i64::from(truck))?;
        }
        Ok(None)
    }
}

fn is_below(file: &str, dir: &str) -> bool {
    dir.is_empty()
        || (file.len() > dir.len() && file.starts_with(dir) && file.as_bytes()[dir.len()] == b'/')
}

fn run_dirs<'a>(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    touches: &BTreeMap<&'a str, Upstream<'a, Vec<TouchFact<'_>>>>,
    dirs: &[String],
) -> Result<(), UpdateError> {
    let mut declared = Vec::with_capacity(dirs.len());
    for dir in dirs {
        // Files below `dir` are contiguous in path order from `dir/`.
        let start = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let files: Vec<(&str, Upstream<'_, Vec<TouchFact<'_>>>)> = touches
            .range::<str, _>((
                std::ops::Bound::Included(start.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(f, _)| is_below(f, dir))
            .map(|(f, t)| (*f, *t))
            .collect();
        declared.push(Declared::new(dir.clone(), DirInput { files }));
    }
    let mains = MainAuthors(
        touches
            .keys()
            .map(|path| (*path, OnceLock::new()))
            .collect(),
    );
    engine.run::<DirHistory<'_>>(tx, &mains, &declared, Sweep::Complete)?;
    Ok(())
}

/// A file's co-change partners after it in path order.
struct Coupling<'a>(std::marker::PhantomData<&'a ()>);

#[derive(Serialize)]
struct CouplingInput<'a> {
    config: &'a CouplingConfig,
    /// The file's commits, among those coupling counts.
    revisions: u32,
    /// Every file sharing a counted commit with it, with the numbers.
    pairs: Vec<Pair<'a>>,
}

impl<'a> Task for Coupling<'a> {
    const KIND: TaskKind = TaskKind::new("coupling", 2);
    type Input = CouplingInput<'a>;
    type Output = ();
    type Shared = ();
    type Worker = ();

    fn worker((): &()) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute((): &(), (): &mut (), _: &str, _: &CouplingInput<'a>) -> Result<(), TaskError> {
        Ok(())
    }

    fn write(
        w: &mut TaskWriter<'_>,
        path: &str,
        input: &CouplingInput<'a>,
        (): (),
    ) -> Result<Option<Vec<u8>>, TaskError> {
        let kept: Vec<&Pair<'_>> = input
            .pairs
            .iter()
            .filter(|p| behavior::passes(p, input.config))
            .collect();
        if kept.is_empty() {
            return Ok(None);
        }
        let a = w.intern_node(NodeKind::File, path)?;
        for p in kept {
            let b = w.intern_node(NodeKind::File, p.other)?;
            let attrs = attrs::encode(&attrs::CoChangeAttrs {
                shared: p.shared,
                revisions: [p.revisions, p.other_revisions],
            });
            w.edge(
                EdgeKind::CoChange,
                &[Member::new(a, Role::Member), Member::new(b, Role::Member)],
                Some(p.degree),
                attrs.as_deref(),
            )?;
        }
        Ok(None)
    }
}

fn run_coupling(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    history: &History<&str>,
    lineages: &BTreeMap<String, Vec<behavior::Touch>>,
    config: &CouplingConfig,
) -> Result<(), UpdateError> {
    let declared: Vec<Declared<CouplingInput<'_>>> = behavior::coupling(history, lineages, config)
        .into_iter()
        .map(|(path, (revisions, pairs))| {
            Declared::new(
                path.to_owned(),
                CouplingInput {
                    config,
                    revisions,
                    pairs,
                },
            )
        })
        .collect();
    engine.run::<Coupling<'_>>(tx, &(), &declared, Sweep::Complete)?;
    Ok(())
}
