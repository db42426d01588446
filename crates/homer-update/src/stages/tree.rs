//! The files and directories at HEAD: one task per directory, keyed by the
//! directory's git tree id. A tree id changes exactly when something below
//! it changes, so an unchanged subtree is reused without reading it, and a
//! change costs one task per directory on its path to the root.
//!
//! Each task claims its directory node (content hash: the tree id) and its
//! files (content hash: the blob id), and writes one `contains` hyperedge
//! from the directory to its children. Submodules are not files: they are
//! listed in the directory's attributes.

use std::collections::BTreeMap;

use homer_dag::{Declared, Engine, Sweep, TaskError, TaskKind};
use homer_git::{EntryKind, ObjectId, RepoPath, Repository, TreeEntry};
use homer_store::{EdgeKind, Member, NodeKind, Role, TaskWriter, WriteTx};
use homer_vocab::attrs::{self, DirAttrs, FileAttrs, FileMode};

use crate::UpdateError;

pub(crate) const TREE: TaskKind = TaskKind::new("tree", 1);

/// The inputs of one directory task: its path and, when it must execute,
/// the entries read from git.
struct Dir {
    path: RepoPath,
    entries: Option<Vec<TreeEntry>>,
}

pub(crate) fn run(
    engine: &mut Engine,
    tx: &WriteTx<'_>,
    repo: &Repository,
    root: Option<ObjectId>,
) -> Result<(), UpdateError> {
    let stored: BTreeMap<RepoPath, u64> = tx
        .memo_rows(TREE.name)?
        .into_iter()
        .filter_map(|row| RepoPath::from_name(&row.key).map(|p| (p, row.input_hash)))
        .collect();
    let mut declared = Vec::new();
    if let Some(root) = root {
        declare(repo, &stored, RepoPath::root(), root, &mut declared)?;
    }
    engine.run_serial(tx, &TREE, &declared, Sweep::Complete, |_, w, key, dir| {
        let entries = dir
            .entries
            .as_ref()
            .ok_or_else(|| TaskError::from(format!("tree({key}) executed without its entries")))?;
        write_dir(w, &dir.path, key, entries)?;
        Ok(None)
    })?;
    Ok(())
}

fn input_hash(tree: ObjectId) -> u64 {
    TREE.input().bytes(tree.as_bytes()).finish()
}

/// Declares the task of directory `path` and of everything below it. A
/// subtree whose tree id is unchanged is declared from the memo table
/// without reading git.
fn declare(
    repo: &Repository,
    stored: &BTreeMap<RepoPath, u64>,
    path: RepoPath,
    tree: ObjectId,
    out: &mut Vec<Declared<Dir>>,
) -> Result<(), UpdateError> {
    let input = input_hash(tree);
    if stored.get(&path) == Some(&input) {
        for (p, hash) in descendants(stored, &path) {
            out.push(Declared {
                key: p.name().into_owned(),
                input_hash: *hash,
                data: Dir {
                    path: p.clone(),
                    entries: None,
                },
            });
        }
        out.push(Declared {
            key: path.name().into_owned(),
            input_hash: input,
            data: Dir {
                path,
                entries: None,
            },
        });
        return Ok(());
    }
    let entries = repo.tree(tree)?;
    for entry in &entries {
        if entry.kind == EntryKind::Tree {
            declare(repo, stored, path.join(&entry.name), entry.id, out)?;
        }
    }
    out.push(Declared {
        key: path.name().into_owned(),
        input_hash: input,
        data: Dir {
            path,
            entries: Some(entries),
        },
    });
    Ok(())
}

/// The stored directories strictly below `dir`. They are the keys from
/// `dir/` up to (not including) `dir0`, since `0` follows `/` in byte order;
/// siblings such as `dir-old` sort before `dir/` and stay out.
fn descendants<'s>(
    stored: &'s BTreeMap<RepoPath, u64>,
    dir: &RepoPath,
) -> impl Iterator<Item = (&'s RepoPath, &'s u64)> {
    use std::ops::Bound;
    let (start, end) = if dir.is_root() {
        (Bound::Excluded(RepoPath::root()), Bound::Unbounded)
    } else {
        let mut lo = dir.as_bytes().to_vec();
        lo.push(b'/');
        let mut hi = dir.as_bytes().to_vec();
        hi.push(b'0');
        (
            Bound::Included(RepoPath::from_bytes(lo)),
            Bound::Excluded(RepoPath::from_bytes(hi)),
        )
    };
    stored.range((start, end))
}

fn write_dir(
    w: &mut TaskWriter<'_>,
    path: &RepoPath,
    key: &str,
    entries: &[TreeEntry],
) -> Result<(), TaskError> {
    let submodules: Vec<String> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Submodule)
        .map(|e| path.join(&e.name).name().into_owned())
        .collect();
    let attrs = attrs::encode(&DirAttrs { submodules });
    // The directory's content hash is not its tree id: that would change
    // this task's output whenever anything below changed, and re-run every
    // dependent of every ancestor. Children are hashed by their own tasks.
    let dir = w.claim_node(NodeKind::Directory, key, None, attrs.as_deref())?;
    let mut members = vec![Member::new(dir, Role::Parent)];
    for entry in entries {
        let child = path.join(&entry.name);
        let name = child.name();
        let node = match entry.kind {
            EntryKind::File { executable } => {
                let attrs = attrs::encode(&FileAttrs {
                    mode: executable.then_some(FileMode::Executable),
                });
                w.claim_node(
                    NodeKind::File,
                    &name,
                    Some(entry.id.as_bytes()),
                    attrs.as_deref(),
                )?
            }
            EntryKind::Symlink => {
                let attrs = attrs::encode(&FileAttrs {
                    mode: Some(FileMode::Symlink),
                });
                w.claim_node(
                    NodeKind::File,
                    &name,
                    Some(entry.id.as_bytes()),
                    attrs.as_deref(),
                )?
            }
            EntryKind::Tree => w.intern_node(NodeKind::Directory, &name)?,
            EntryKind::Submodule => continue,
        };
        members.push(Member::new(node, Role::Child));
    }
    if members.len() > 1 {
        w.edge(EdgeKind::Contains, &members, None, None)?;
    }
    Ok(())
}
