//! The files and directories at HEAD: one task per directory, keyed by its
//! path, whose input is the directory's git tree id. A tree id changes
//! exactly when something below it changes, so an unchanged subtree is
//! reused without reading it, and a change costs one task per directory on
//! its path to the root.
//!
//! Each task claims its directory node and its files (content hash: the
//! blob id), and writes one `contains` hyperedge from the directory to its
//! children. Submodules are not files: they are listed in the directory's
//! attributes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use homer_dag::{Declared, Engine, Signature, Sweep, Task, TaskError, TaskKind, input_hash};
use homer_git::{EntryKind, ObjectId, RepoPath, Repository, TreeEntry};
use homer_store::{EdgeKind, Member, NodeKind, Role, TaskWriter, WriteTx};
use homer_vocab::Checkpoint;
use homer_vocab::attrs::{self, DirAttrs, FileAttrs, FileMode};
use serde::Serialize;

use crate::UpdateError;

/// One directory at HEAD.
pub(crate) struct Tree;

/// The task kinds the tree stage runs.
pub(crate) const KINDS: [TaskKind; 1] = [Tree::KIND];

#[derive(Debug, Serialize)]
pub(crate) struct TreeInput {
    tree: ObjectId,
}

impl Task for Tree {
    const KIND: TaskKind = TaskKind::new("tree", 2);
    type Input = TreeInput;
    type Output = Vec<TreeEntry>;
    /// The git directory: a tree is read by its id.
    type Shared = PathBuf;
    type Worker = Repository;

    fn worker(git_dir: &PathBuf) -> Result<Repository, TaskError> {
        Ok(Repository::open_git_dir(git_dir)?)
    }

    fn compute(
        _: &PathBuf,
        repo: &mut Repository,
        _: &str,
        input: &TreeInput,
    ) -> Result<Vec<TreeEntry>, TaskError> {
        Ok(repo.tree(input.tree)?)
    }

    fn write(
        w: &mut TaskWriter<'_>,
        key: &str,
        _: &TreeInput,
        entries: Vec<TreeEntry>,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        let path = RepoPath::from_name(key)
            .ok_or_else(|| TaskError::from(format!("'{key}' is not a path Homer writes")))?;
        write_dir(w, &path, key, &entries)?;
        Ok(None)
    }
}

pub(crate) fn run(
    engine: &mut Engine,
    tx: &WriteTx<'_>,
    repo: &Repository,
    root: Option<ObjectId>,
) -> Result<Signature, UpdateError> {
    let stage = engine.begin_stage(tx, &Checkpoint::Stage("tree").name(), &KINDS, &root)?;
    if stage.skip() {
        return Ok(engine.end_stage(tx, stage)?);
    }
    let stored: BTreeMap<RepoPath, u64> = tx
        .memo_rows(Tree::KIND.name)?
        .into_iter()
        .filter_map(|row| RepoPath::from_name(&row.key).map(|p| (p, row.input_hash)))
        .collect();
    // Only directories whose tree id moved are declared (all of them when
    // verifying); the ones that vanished are deleted by name.
    let mut declared = Vec::new();
    let mut present = BTreeSet::new();
    if let Some(root) = root {
        let walk = Walk {
            repo,
            stored: &stored,
            everything: stage.verifying(),
        };
        walk.declare(RepoPath::root(), root, &mut declared, &mut present)?;
    }
    engine.run::<Tree>(tx, &repo.git_dir().to_path_buf(), &declared, Sweep::Partial)?;
    let gone: Vec<String> = stored
        .keys()
        .filter(|p| !present.contains(*p))
        .map(|p| p.name().into_owned())
        .collect();
    engine.delete(tx, &Tree::KIND, &gone)?;
    Ok(engine.end_stage(tx, stage)?)
}

/// The walk that declares the directories that changed.
struct Walk<'a> {
    repo: &'a Repository,
    stored: &'a BTreeMap<RepoPath, u64>,
    /// Declare unchanged directories too (verification).
    everything: bool,
}

impl Walk<'_> {
    /// Declares directory `path` and what changed below it, and records in
    /// `present` every directory that exists at HEAD. A subtree whose tree
    /// id is the stored one is not read.
    fn declare(
        &self,
        path: RepoPath,
        tree: ObjectId,
        out: &mut Vec<Declared<TreeInput>>,
        present: &mut BTreeSet<RepoPath>,
    ) -> Result<(), UpdateError> {
        let input = TreeInput { tree };
        if !self.everything && self.stored.get(&path) == Some(&input_hash::<Tree>(&input)) {
            present.extend(descendants(self.stored, &path).map(|(p, _)| p.clone()));
            present.insert(path);
            return Ok(());
        }
        for entry in &self.repo.tree(tree)? {
            if entry.kind == EntryKind::Tree {
                self.declare(path.join(&entry.name), entry.id, out, present)?;
            }
        }
        out.push(Declared::new(path.name().into_owned(), input));
        present.insert(path);
        Ok(())
    }
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
