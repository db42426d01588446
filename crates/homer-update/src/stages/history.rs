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
use homer_vocab::attrs::{self, ChangeAttrs, CommitAttrs};
use rayon::prelude::*;

use crate::UpdateError;
use crate::behavior::{ChangeRecord, CommitRecord};

pub(crate) const COMMIT: TaskKind = TaskKind::new("commit", 1);

/// The last mined HEAD.
const CHECKPOINT: &str = "stage.history";
/// What every commit's input depends on besides the commit: the task
/// version and the mailmap. When it changes, all commits are re-declared.
const INPUTS_CHECKPOINT: &str = "stage.history.inputs";

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
) -> Result<Mined, UpdateError> {
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
            |worker, &id| -> Result<Declared<ToMine>, UpdateError> {
                let (worker, mailmap) = worker
                    .as_ref()
                    .map_err(|e| UpdateError::Worker(e.to_string()))?;
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
        .collect::<Result<Vec<_>, UpdateError>>()?;
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
    node_attrs: Option<String>,
    author: String,
    /// Each changed file: its path, its change as a role, and the
    /// membership's attributes.
    files: Vec<(String, Role, Option<String>)>,
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
    let attrs = CommitAttrs {
        author: commit.author.name.clone(),
        email: commit.author.email.clone(),
        time: info.author_time,
        tz: info.author_offset,
        committed: info.committer_time,
        parents: parents.clone(),
        subject: info.subject().to_owned(),
        shallow: diff.parent_missing,
    };
    let mut changes = Vec::with_capacity(diff.changes.len());
    let mut files = Vec::with_capacity(diff.changes.len());
    for change in &diff.changes {
        let path = change.path.name().into_owned();
        let (code, role) = status(&change.change);
        let (added, deleted) = match change.lines {
            Lines::Counted { added, deleted } => (Some(added), Some(deleted)),
            Lines::Binary | Lines::Unreadable => (None, None),
        };
        let (from, similarity) = match &change.change {
            Change::Renamed { from, similarity } => {
                (Some(from.name().into_owned()), Some(*similarity))
            }
            _ => (None, None),
        };
        let a = ChangeAttrs {
            added,
            deleted,
            binary: change.lines == Lines::Binary,
            unreadable: change.lines == Lines::Unreadable,
            from: from.clone(),
            similarity,
        };
        files.push((path.clone(), role, attrs::encode(&a)));
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
    let mut words = homer_vocab::text::identifier_parts(&info.message);
    for (path, _, _) in &files {
        words.push(' ');
        words.push_str(&homer_vocab::text::path_words(path));
    }
    Ok(Prepared {
        words,
        node_attrs: attrs::encode(&attrs),
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
        prepared.node_attrs.as_deref(),
    )?;
    let author = w.intern_node(NodeKind::Author, &prepared.author)?;
    let mut members = Vec::with_capacity(prepared.files.len() + 2);
    members.push(Member::new(node, Role::Commit));
    members.push(Member::new(author, Role::Author));
    for (path, role, attrs) in &prepared.files {
        members.push(Member {
            node: w.intern_node(NodeKind::File, path)?,
            role: *role,
            attrs: attrs.as_deref(),
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
