//! Behavioral metrics: per current file (following renames), per directory,
//! and change coupling. The history model is rebuilt in memory from the
//! commit records whenever HEAD or the configuration moved; a task executes
//! only where its inputs (the file's touches, the directory's files, the
//! file's co-change counts) changed, so new commits cost work only where
//! they landed.

use std::collections::BTreeMap;

use homer_dag::{Declared, Engine, Sweep, TaskError, TaskKind};
use homer_store::{EdgeKind, Fingerprint, Member, NodeKind, Role, TaskWriter, WriteTx};
use homer_vocab::values::put;
use homer_vocab::{Json, attrs, keys};

use crate::UpdateError;
use crate::behavior::{self, CommitRecord, History, Metrics, Pair, Touch};
use crate::config::CouplingConfig;
use crate::stages::history::COMMIT;

pub(crate) const FILE_HISTORY: TaskKind = TaskKind::new("file_history", 2);
pub(crate) const DIR_HISTORY: TaskKind = TaskKind::new("dir_history", 2);
pub(crate) const COUPLING: TaskKind = TaskKind::new("coupling", 1);

/// The HEAD, configuration and versions the stored metrics describe.
const CHECKPOINT: &str = "stage.behavior";

pub(crate) fn run(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    head: Option<&str>,
    config: &CouplingConfig,
) -> Result<(), UpdateError> {
    let signature = Fingerprint::new()
        .str(head.unwrap_or(""))
        .u64(config.fingerprint())
        .u64(u64::from(FILE_HISTORY.version))
        .u64(u64::from(DIR_HISTORY.version))
        .u64(u64::from(COUPLING.version))
        .finish()
        .to_string();
    if tx.checkpoint(CHECKPOINT)?.as_deref() == Some(signature.as_str()) {
        return Ok(());
    }
    let mut records = Vec::new();
    for (id, value) in tx.memo_values(COMMIT.name)? {
        let record: CommitRecord =
            serde_json::from_slice(&value).map_err(|e| UpdateError::Corrupt {
                what: format!("the stored record of commit {id}"),
                message: e.to_string(),
            })?;
        records.push((id, record));
    }
    let history = History::new(records);
    let files = tx.current_names(NodeKind::File)?;
    let dirs = tx.current_names(NodeKind::Directory)?;
    let lineages = history.lineages(&files);

    let file_inputs = run_files(engine, tx, &history, &lineages)?;
    run_dirs(engine, tx, &history, &lineages, &dirs, &file_inputs)?;
    run_coupling(engine, tx, &history, &lineages, config)?;
    tx.set_checkpoint(CHECKPOINT, &signature)?;
    Ok(())
}

/// The input hash of a file's metrics: everything about each touch that a
/// metric reads.
fn touch_hash(history: &History, touches: &[Touch]) -> u64 {
    let mut fp = FILE_HISTORY.input();
    for &(c, k) in touches {
        let commit = &history.commits[c];
        let change = &commit.changes[k];
        fp.push_bytes(history.ids[c].as_bytes());
        fp.push_bytes(commit.author.as_bytes());
        fp.push_u64(commit.authored as u64);
        fp.push_bytes(change.path.as_bytes());
        fp.push_u64(u64::from(change.added.map_or(u32::MAX, |a| a)));
        fp.push_u64(u64::from(change.deleted.map_or(u32::MAX, |d| d)));
    }
    fp.finish()
}

fn run_files(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    history: &History,
    lineages: &BTreeMap<String, Vec<Touch>>,
) -> Result<BTreeMap<String, u64>, UpdateError> {
    let declared: Vec<Declared<&Vec<Touch>>> = lineages
        .iter()
        .map(|(path, touches)| Declared {
            key: path.clone(),
            input_hash: touch_hash(history, touches),
            data: touches,
        })
        .collect();
    let inputs = declared
        .iter()
        .map(|d| (d.key.clone(), d.input_hash))
        .collect();
    engine.run(
        tx,
        &FILE_HISTORY,
        &declared,
        Sweep::Complete,
        |_, touches| Ok(behavior::metrics(history, touches.iter().copied())),
        |w, path, _, metrics| {
            if let Some(m) = metrics {
                let node = w.intern_node(NodeKind::File, path)?;
                write_metrics(w, node, &m)?;
            }
            Ok(None)
        },
    )?;
    Ok(inputs)
}

fn write_metrics(
    w: &mut TaskWriter<'_>,
    node: homer_store::NodeId,
    m: &Metrics,
) -> Result<(), TaskError> {
    let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    put(w, node, keys::COMMITS, &int(u64::from(m.commits)))?;
    put(w, node, keys::LINES_ADDED, &int(m.lines_added))?;
    put(w, node, keys::LINES_DELETED, &int(m.lines_deleted))?;
    put(w, node, keys::AUTHORS, &int(u64::from(m.authors)))?;
    put(w, node, keys::FIRST_CHANGE, &m.first_change)?;
    put(w, node, keys::LAST_CHANGE, &m.last_change)?;
    put(w, node, keys::MAIN_AUTHOR, &m.main_author)?;
    put(w, node, keys::MAIN_AUTHOR_SHARE, &m.main_author_share)?;
    put(w, node, keys::FRAGMENTATION, &m.fragmentation)?;
    put(w, node, keys::OWNERS, &Json(m.owners.clone()))?;
    put(w, node, keys::RECENT_COMMITS, &Json(m.recent.clone()))?;
    Ok(())
}

/// A directory's files: every current file below it.
struct DirFiles<'l> {
    files: Vec<(&'l str, &'l Vec<Touch>)>,
}

fn is_below(file: &str, dir: &str) -> bool {
    dir.is_empty()
        || (file.len() > dir.len() && file.starts_with(dir) && file.as_bytes()[dir.len()] == b'/')
}

fn run_dirs(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    history: &History,
    lineages: &BTreeMap<String, Vec<Touch>>,
    dirs: &[String],
    file_inputs: &BTreeMap<String, u64>,
) -> Result<(), UpdateError> {
    let mut declared = Vec::with_capacity(dirs.len());
    for dir in dirs {
        // Files below `dir` are contiguous in path order from `dir/`.
        let start = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let files: Vec<(&str, &Vec<Touch>)> = lineages
            .range(start..)
            .take_while(|(f, _)| is_below(f, dir))
            .map(|(f, t)| (f.as_str(), t))
            .collect();
        let mut fp = DIR_HISTORY.input();
        for (f, _) in &files {
            fp.push_bytes(f.as_bytes());
            fp.push_u64(file_inputs.get(*f).copied().unwrap_or(0));
        }
        declared.push(Declared {
            key: dir.clone(),
            input_hash: fp.finish(),
            data: DirFiles { files },
        });
    }
    engine.run(
        tx,
        &DIR_HISTORY,
        &declared,
        Sweep::Complete,
        |_, dir| {
            let mains: Vec<String> = dir
                .files
                .iter()
                .filter_map(|(_, t)| {
                    behavior::metrics(history, t.iter().copied()).map(|m| m.main_author)
                })
                .collect();
            let truck = behavior::truck_factor(mains.iter().map(String::as_str));
            let all = dir.files.iter().flat_map(|(_, t)| t.iter().copied());
            Ok((behavior::metrics(history, all), dir.files.len(), truck))
        },
        |w, dir, _, (metrics, files, truck)| {
            let node = w.intern_node(NodeKind::Directory, dir)?;
            put(
                w,
                node,
                keys::FILES,
                &i64::try_from(files).unwrap_or(i64::MAX),
            )?;
            if let Some(m) = metrics {
                write_metrics(w, node, &m)?;
                put(w, node, keys::TRUCK_FACTOR, &i64::from(truck))?;
            }
            Ok(None)
        },
    )?;
    Ok(())
}

fn run_coupling(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    history: &History,
    lineages: &BTreeMap<String, Vec<Touch>>,
    config: &CouplingConfig,
) -> Result<(), UpdateError> {
    let coupling = behavior::coupling(history, lineages, config);
    let declared: Vec<Declared<Vec<Pair>>> = coupling
        .into_iter()
        .map(|(path, (revisions, pairs))| {
            let mut fp = COUPLING
                .input()
                .u64(config.fingerprint())
                .u64(u64::from(revisions));
            for (p, _) in &pairs {
                fp.push_bytes(p.other.as_bytes());
                fp.push_u64(u64::from(p.shared));
                fp.push_u64(u64::from(p.other_revisions));
            }
            Declared {
                key: path,
                input_hash: fp.finish(),
                data: pairs
                    .into_iter()
                    .filter(|(_, keep)| *keep)
                    .map(|(p, _)| p)
                    .collect(),
            }
        })
        .collect();
    engine.run(
        tx,
        &COUPLING,
        &declared,
        Sweep::Complete,
        |_, _| Ok(()),
        |w, path, pairs, ()| {
            if pairs.is_empty() {
                return Ok(None);
            }
            let a = w.intern_node(NodeKind::File, path)?;
            for p in pairs {
                let b = w.intern_node(NodeKind::File, &p.other)?;
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
        },
    )?;
    Ok(())
}
