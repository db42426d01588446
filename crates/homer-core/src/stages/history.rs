//! Mining history: one task per commit reachable from HEAD, keyed by the
//! commit id, whose input is the commit and its canonical author (after the
//! `.mailmap` at HEAD). The task claims the commit node, writes one `commit`
//! hyperedge (the commit, its author, and every file it changed with the
//! numstat counts as member attributes) and a search chunk with the
//! message, and keeps a compact record for the metrics stage.
//!
//! The `history` checkpoint is the last mined HEAD. When it is an ancestor
//! of HEAD and the mailmap did not change, only the commits between the two
//! are declared; otherwise (a rebase, a reset, a new mailmap) every reachable
//! commit is declared and the ones no longer reachable are swept with all
//! they derived.

use std::collections::HashMap;

use homer_dag::{Declared, Engine, Sweep, TaskError, TaskKind};
use homer_git::{Change, CommitDiff, CommitInfo, Lines, Mailmap, ObjectId, Person, Repository};
use homer_store::{
    Chunk, EdgeKind, Embed, Fingerprint, Member, NodeKind, Role, TaskWriter, WriteTx,
};
use rayon::prelude::*;

use crate::CoreError;
use crate::behavior::{ChangeRecord, CommitRecord};

pub(crate) const COMMIT: TaskKind = TaskKind::new("commit", 1);

/// The last mined HEAD.
const CHECKPOINT: &str = "history";
/// What every commit's input depends on besides the commit: the task
/// version and the mailmap. When it changes, all commits are re-declared.
const INPUTS_CHECKPOINT: &str = "history.inputs";

/// What the mining stage found, for notes to the user.
#[derive(Debug, Default)]
pub(crate) struct Mined {
    pub commits: usize,
    pub unreadable_blobs: u64,
    pub shallow: bool,
}

/// A commit to mine, with its canonical author.
impl Mined {
    /// What a user should hear about the history that was mined.
    pub(crate) fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.shallow {
            notes.push(
                "this is a shallow clone: history starts at its boundary, and the metrics cover only what is there"
                    .to_owned(),
            );
        }
        if self.unreadable_blobs > 0 {
            notes.push(format!(
                "{} blobs could not be read (a partial clone?): their line counts are missing",
                self.unreadable_blobs
            ));
        }
        notes
    }
}

pub(crate) struct ToMine {
    info: CommitInfo,
    author: Person,
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

pub(crate) fn run(
    engine: &mut Engine<'_>,
    tx: &WriteTx<'_>,
    repo: &Repository,
    head: Option<(ObjectId, ObjectId)>,
) -> Result<Mined, CoreError> {
    let mut mined = Mined {
        shallow: repo.is_shallow(),
        ..Mined::default()
    };
    let Some((head, tree)) = head else {
        engine.run(
            tx,
            &COMMIT,
            &[] as &[Declared<ToMine>],
            Sweep::Complete,
            |_, _| Ok(()),
            |_, _, _, ()| Ok(None),
        )?;
        tx.clear_checkpoint(CHECKPOINT)?;
        tx.clear_checkpoint(INPUTS_CHECKPOINT)?;
        return Ok(mined);
    };
    let mailmap_text = repo.mailmap_text(tree)?.unwrap_or_default();
    // Parse it once here, so a broken .mailmap fails before any work starts.
    Mailmap::from_text(&mailmap_text)?;
    let inputs = Fingerprint::new()
        .u64(u64::from(COMMIT.version))
        .str(&mailmap_text)
        .finish()
        .to_string();
    let last = tx
        .checkpoint(CHECKPOINT)?
        .and_then(|h| ObjectId::from_hex(&h));
    let same_inputs = tx.checkpoint(INPUTS_CHECKPOINT)?.as_deref() == Some(inputs.as_str());
    if same_inputs && last == Some(head) {
        return Ok(mined);
    }
    let incremental =
        same_inputs && last.is_some_and(|last| repo.is_ancestor(last, head) == Some(true));
    let (ids, sweep) = if incremental {
        (repo.walk(head, last)?, Sweep::Partial)
    } else {
        (repo.walk(head, None)?, Sweep::Complete)
    };
    // Reading the commits is a large part of the stage: do it on the worker
    // threads too (each with its own repository handle and mailmap).
    let git_dir = repo.git_dir().to_path_buf();
    let declared = ids
        .par_iter()
        .map_init(
            || {
                Repository::open_git_dir(&git_dir)
                    .and_then(|r| Mailmap::from_text(&mailmap_text).map(|m| (r, m)))
            },
            |worker, &id| -> Result<Declared<ToMine>, CoreError> {
                let (worker, mailmap) = worker
                    .as_ref()
                    .map_err(|e| CoreError::Worker(e.to_string()))?;
                let info = worker.commit_info(id)?;
                let author = mailmap.resolve(&info.author);
                Ok(Declared {
                    key: id.to_hex(),
                    input_hash: COMMIT
                        .input()
                        .bytes(id.as_bytes())
                        .str(&author.name)
                        .str(&author.email)
                        .finish(),
                    data: ToMine { info, author },
                })
            },
        )
        .collect::<Result<Vec<_>, CoreError>>()?;
    let limit = repo.rename_limit();
    // Each commit's tree, so a diff need not read its parent commit again.
    let trees: HashMap<ObjectId, ObjectId> = declared
        .iter()
        .map(|d| (d.data.info.id, d.data.info.tree))
        .collect();
    let outputs = engine.run_with(
        tx,
        &COMMIT,
        &declared,
        sweep,
        || Repository::open_git_dir(&git_dir),
        |worker, _, commit| {
            let worker = worker
                .as_ref()
                .map_err(|e| TaskError::from(e.to_string()))?;
            let parent_tree = commit
                .info
                .parents
                .first()
                .and_then(|p| trees.get(p).copied());
            let diff = worker.diff_commit(&commit.info, parent_tree, limit)?;
            Ok(prepare(commit, &diff)?)
        },
        |w, _, commit, prepared| {
            mined.unreadable_blobs += u64::from(prepared.unreadable_blobs);
            write_commit(w, commit, prepared)
        },
    )?;
    mined.commits = outputs.executed().len();
    tx.set_checkpoint(CHECKPOINT, &head.to_hex())?;
    tx.set_checkpoint(INPUTS_CHECKPOINT, &inputs)?;
    Ok(mined)
}

fn status(change: &Change) -> (char, Role) {
    match change {
        Change::Added => ('A', Role::Added),
        Change::Modified => ('M', Role::Modified),
        Change::Deleted => ('D', Role::Deleted),
        Change::Renamed { .. } => ('R', Role::Renamed),
        Change::TypeChanged => ('T', Role::TypeChanged),
    }
}

/// One commit's rows, built on a worker thread so that the single writer
/// only runs SQL (the JSON and the record were a tenth of its time).
pub(crate) struct Prepared {
    node_attrs: String,
    author: String,
    /// Each changed file: its path, its change as a role, and the
    /// membership's attributes.
    files: Vec<(String, Role, String)>,
    /// The task's value: the commit record for the metrics.
    value: Vec<u8>,
    /// The identifier parts of the message and the changed paths' words,
    /// for the text index.
    words: String,
    unreadable_blobs: u32,
}

fn prepare(commit: &ToMine, diff: &CommitDiff) -> Result<Prepared, serde_json::Error> {
    let info = &commit.info;
    let author = author_key(&commit.author);
    let parents: Vec<String> = info.parents.iter().map(ObjectId::to_hex).collect();
    let mut attrs = serde_json::json!({
        "author": commit.author.name,
        "email": commit.author.email,
        "time": info.author_time,
        "tz": info.author_offset,
        "committed": info.committer_time,
        "parents": parents,
        "subject": info.subject(),
    });
    if diff.parent_missing {
        attrs["shallow"] = serde_json::Value::Bool(true);
    }
    let mut changes = Vec::with_capacity(diff.changes.len());
    let mut files = Vec::with_capacity(diff.changes.len());
    for change in &diff.changes {
        let path = change.path.name().into_owned();
        let (code, role) = status(&change.change);
        let (added, deleted) = match change.lines {
            Lines::Counted { added, deleted } => (Some(added), Some(deleted)),
            Lines::Binary | Lines::Unreadable => (None, None),
        };
        let mut a = match change.lines {
            Lines::Counted { added, deleted } => {
                serde_json::json!({ "added": added, "deleted": deleted })
            }
            Lines::Binary => serde_json::json!({ "binary": true }),
            Lines::Unreadable => serde_json::json!({ "unreadable": true }),
        };
        let from = match &change.change {
            Change::Renamed { from, similarity } => {
                let from = from.name().into_owned();
                a["from"] = serde_json::Value::String(from.clone());
                a["similarity"] = serde_json::Value::from(*similarity);
                Some(from)
            }
            _ => None,
        };
        files.push((path.clone(), role, a.to_string()));
        changes.push(ChangeRecord {
            path,
            status: code,
            added,
            deleted,
            from,
        });
    }
    let record = CommitRecord {
        committed: info.committer_time,
        authored: info.author_time,
        author: author.clone(),
        parents,
        changes,
    };
    let mut words = crate::text::identifier_parts(&info.message);
    for (path, _, _) in &files {
        words.push(' ');
        words.push_str(&crate::text::path_words(path));
    }
    Ok(Prepared {
        words,
        node_attrs: attrs.to_string(),
        author,
        files,
        value: serde_json::to_vec(&record)?,
        unreadable_blobs: diff.unreadable_blobs,
    })
}

fn write_commit(
    w: &mut TaskWriter<'_>,
    commit: &ToMine,
    prepared: Prepared,
) -> Result<Option<Vec<u8>>, TaskError> {
    let info = &commit.info;
    let node = w.claim_node(
        NodeKind::Commit,
        &info.id.to_hex(),
        None,
        Some(&prepared.node_attrs),
    )?;
    let author = w.intern_node(NodeKind::Author, &prepared.author)?;
    let mut members = Vec::with_capacity(prepared.files.len() + 2);
    members.push(Member::new(node, Role::Commit));
    members.push(Member::new(author, Role::Author));
    for (path, role, attrs) in &prepared.files {
        members.push(Member {
            node: w.intern_node(NodeKind::File, path)?,
            role: *role,
            attrs: Some(attrs),
        });
    }
    w.edge(EdgeKind::Commit, &members, None, None)?;
    // Commit messages are searched by text; embedding thousands of them
    // would take minutes for little (a question is seldom about a commit).
    w.chunk(&Chunk {
        node: Some(node),
        title: info.subject(),
        body: info.body(),
        words: &prepared.words,
        lines: None,
        embed: Embed::Nothing,
    })?;
    Ok(Some(prepared.value))
}
