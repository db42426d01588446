//! Commits and their file changes, as `git log --numstat -M` reports them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::blobs::{Signature, is_binary};
use crate::renames::{self, MAX_SCORE};
use crate::{GitError, ObjectId, RepoPath, Repository, Result};

/// A person as a commit records them (before or after the mailmap).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// A commit's metadata.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CommitInfo {
    pub id: ObjectId,
    /// The commit's root tree.
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    /// The author as recorded in the commit.
    pub author: Person,
    /// Seconds since the epoch, and the author's offset from UTC in minutes.
    pub author_time: i64,
    pub author_offset: i32,
    pub committer_time: i64,
    /// The whole message (not valid UTF-8 bytes replaced).
    pub message: String,
}

impl CommitInfo {
    /// The first line of the message.
    #[must_use]
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("").trim_end()
    }

    /// The message after the subject and the blank lines that follow it.
    #[must_use]
    pub fn body(&self) -> &str {
        match self.message.split_once('\n') {
            Some((_, rest)) => rest.trim_start_matches(['\n', '\r']).trim_end(),
            None => "",
        }
    }

    #[must_use]
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }
}

/// What happened to a file in a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Modified,
    Deleted,
    /// Renamed from `from`, with git's similarity percentage (100 when the
    /// content did not change). `git log -M` does not look for copies, so
    /// neither does Homer.
    Renamed {
        from: RepoPath,
        similarity: u8,
    },
    /// A regular file became a symlink or the reverse.
    TypeChanged,
}

/// Lines added and deleted, as numstat counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    Counted {
        added: u32,
        deleted: u32,
    },
    /// Either side is binary (a NUL in its first 8000 bytes): numstat shows `-`.
    Binary,
    /// A blob could not be read (a partial clone, a damaged repository).
    Unreadable,
}

/// One file touched by a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    pub path: RepoPath,
    pub change: Change,
    pub lines: Lines,
}

/// The file changes of one commit against its first parent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitDiff {
    /// Sorted by path. Empty for a merge commit, as `git log` shows it.
    pub changes: Vec<FileChange>,
    /// Blobs that could not be read (sorted); their changes have
    /// [`Lines::Unreadable`]. A partial clone may fetch them later.
    pub unreadable: Vec<ObjectId>,
    /// The first parent is not in the repository (a shallow clone's
    /// boundary): the commit was compared with an empty tree, as git does.
    pub parent_missing: bool,
}

/// How renames are detected: `git log --numstat` follows the repository's
/// `diff.renames` (with `-M` it is always on) and `diff.renameLimit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RenameSettings {
    pub detect: bool,
    /// Above this many added × deleted files, only exact renames count.
    pub limit: usize,
}

/// Resolves people through a `.mailmap` text.
pub struct Mailmap(git2::Mailmap);

impl std::fmt::Debug for Mailmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Mailmap")
    }
}

impl Mailmap {
    /// A mailmap from the text of a `.mailmap` file (empty: maps nothing).
    pub fn from_text(text: &str) -> Result<Self> {
        git2::Mailmap::from_buffer(text)
            .map(Mailmap)
            .map_err(|source| GitError::Mailmap {
                source: source.into(),
            })
    }

    /// The canonical name and e-mail of `person`.
    #[must_use]
    pub fn resolve(&self, person: &Person) -> Person {
        match git2::Signature::new(&person.name, &person.email, &git2::Time::new(0, 0))
            .and_then(|sig| self.0.resolve_signature(&sig))
        {
            Ok(sig) => Person {
                name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
                email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
            },
            // A name or e-mail git2 cannot put in a signature (a NUL, an
            // angle bracket) cannot be in the mailmap either.
            Err(_) => person.clone(),
        }
    }
}

impl Repository {
    /// Commits reachable from `head` and not from `hide`, newest first, in
    /// topological order (every commit before its parents).
    pub fn walk(&self, head: ObjectId, hide: Option<ObjectId>) -> Result<Vec<ObjectId>> {
        let walk_err = |source: git2::Error| GitError::Walk {
            source: source.into(),
        };
        let mut walk = self.repo.revwalk().map_err(walk_err)?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)
            .map_err(walk_err)?;
        walk.push(head.to_git()).map_err(walk_err)?;
        if let Some(hide) = hide {
            walk.hide(hide.to_git()).map_err(walk_err)?;
        }
        walk.map(|id| id.map(crate::oid).map_err(walk_err))
            .collect()
    }

    /// The commits reachable from `head` without passing through one that
    /// `known` says is known, children before parents (newest first among
    /// those whose children are all listed), and whether `mark` is among
    /// the known commits reached. Every ancestor of a known commit must be
    /// known (the commits mined up to a HEAD): then these are exactly the
    /// commits `walk(head, Some(mark))` lists when `mark` is reached, read
    /// one by one as far as the known ones, where hiding `mark` from a
    /// revwalk marks every ancestor it has (0.55-0.6 s at 200,000 commits
    /// for one new commit). A parent the repository lacks (a shallow
    /// clone's boundary) ends its line.
    pub fn walk_to_known(
        &self,
        head: ObjectId,
        mark: ObjectId,
        mut known: impl FnMut(ObjectId) -> bool,
    ) -> Result<(Vec<ObjectId>, bool)> {
        let mut reached = false;
        let mut found: HashMap<ObjectId, (i64, Vec<ObjectId>)> = HashMap::new();
        let mut stack = vec![head];
        let mut seen: HashSet<ObjectId> = HashSet::from([head]);
        while let Some(id) = stack.pop() {
            if known(id) {
                reached |= id == mark;
                continue;
            }
            if !self.has_object(id) {
                continue;
            }
            let commit = self.find_commit(id)?;
            let parents: Vec<ObjectId> = commit.parent_ids().map(crate::oid).collect();
            for &parent in &parents {
                if seen.insert(parent) {
                    stack.push(parent);
                }
            }
            found.insert(id, (commit.time().seconds(), parents));
        }
        // Children before parents: a commit is ready once every listed
        // child is out; among the ready, the newest first (ties by id).
        let mut children: HashMap<ObjectId, usize> = HashMap::new();
        for (_, parents) in found.values() {
            for parent in parents.iter().filter(|p| found.contains_key(p)) {
                *children.entry(*parent).or_default() += 1;
            }
        }
        let mut ready: std::collections::BinaryHeap<(i64, ObjectId)> = found
            .iter()
            .filter(|(id, _)| !children.contains_key(id))
            .map(|(id, (time, _))| (*time, *id))
            .collect();
        let mut out = Vec::with_capacity(found.len());
        while let Some((_, id)) = ready.pop() {
            out.push(id);
            for parent in &found[&id].1 {
                if let Some(n) = children.get_mut(parent) {
                    *n -= 1;
                    if *n == 0 {
                        ready.push((found[parent].0, *parent));
                    }
                }
            }
        }
        Ok((out, reached))
    }

    /// At most `limit` commits reachable from `head`, newest first by
    /// committer time, as `git log` lists them: each read as it is
    /// reached, so the cost follows `limit`, not the history behind it (a
    /// revwalk sorted by time reads every commit first).
    pub fn latest(&self, head: ObjectId, limit: usize) -> Result<Vec<ObjectId>> {
        let mut out = Vec::with_capacity(limit);
        let mut queue: std::collections::BinaryHeap<(i64, ObjectId)> =
            std::collections::BinaryHeap::new();
        let mut seen: HashSet<ObjectId> = HashSet::new();
        let time = |id: ObjectId| self.find_commit(id).map(|c| c.time().seconds());
        queue.push((time(head)?, head));
        seen.insert(head);
        while let Some((_, id)) = queue.pop() {
            if out.len() == limit {
                break;
            }
            out.push(id);
            // A parent a shallow clone lacks ends its line there.
            for parent in self.find_commit(id)?.parent_ids().map(crate::oid) {
                if seen.insert(parent)
                    && let Ok(t) = time(parent)
                {
                    queue.push((t, parent));
                }
            }
        }
        Ok(out)
    }

    /// A commit, or an error that names it.
    pub(crate) fn find_commit(&self, id: ObjectId) -> Result<git2::Commit<'_>> {
        self.repo
            .find_commit(id.to_git())
            .map_err(|source| GitError::Commit {
                id,
                source: source.into(),
            })
    }

    /// A commit's metadata.
    pub fn commit_info(&self, id: ObjectId) -> Result<CommitInfo> {
        let commit = self.find_commit(id)?;
        let author = commit.author();
        Ok(CommitInfo {
            id,
            tree: crate::oid(commit.tree_id()),
            parents: commit.parent_ids().map(crate::oid).collect(),
            author: Person {
                name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
                email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
            },
            author_time: author.when().seconds(),
            author_offset: author.when().offset_minutes(),
            committer_time: commit.time().seconds(),
            message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
        })
    }

    /// The mailmap `git log` applies, as one text: the working tree's
    /// `.mailmap` (none in a bare repository), then the blob named by
    /// `mailmap.blob` (`HEAD:.mailmap` by default in a bare repository),
    /// then the file named by `mailmap.file`, in git's order, so later
    /// entries refine earlier ones. An edit to any of them changes it
    /// without HEAD moving.
    pub fn mailmap_text(&self) -> Result<String> {
        let mut text = String::new();
        let mut add = |part: &[u8]| {
            text.push_str(&String::from_utf8_lossy(part));
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
        };
        let read_file = |path: &std::path::Path| -> Result<Option<Vec<u8>>> {
            match std::fs::read(path) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(GitError::Read {
                    path: path.to_path_buf(),
                    source,
                }),
            }
        };
        if let Some(workdir) = self.repo.workdir()
            && let Some(bytes) = read_file(&workdir.join(".mailmap"))?
        {
            add(&bytes);
        }
        let blob = self
            .config_string("mailmap.blob")?
            .or_else(|| self.is_bare().then(|| "HEAD:.mailmap".to_owned()));
        // git ignores a mailmap.blob that names no blob (HEAD:.mailmap in a
        // bare repository without one), and so does Homer.
        if let Some(spec) = blob
            && let Ok(object) = self.repo.revparse_single(&spec)
            && let Ok(blob) = object.peel_to_blob()
        {
            add(blob.content());
        }
        if let Some(file) = self.config_string("mailmap.file")? {
            let path = std::path::PathBuf::from(&file);
            let path = match (path.is_relative(), self.repo.workdir()) {
                (true, Some(workdir)) => workdir.join(path),
                _ => path,
            };
            if let Some(bytes) = read_file(&path)? {
                add(&bytes);
            }
        }
        Ok(text)
    }

    /// Rename detection as the repository's configuration asks for it
    /// (`diff.renames`, `diff.renameLimit`), with git's defaults: on, and
    /// a limit of 1000.
    pub fn rename_settings(&self) -> Result<RenameSettings> {
        let detect = match self.config_string("diff.renames")? {
            // `copies` asks for copies too: Homer follows renames only,
            // as `git log -M` does.
            Some(v) => !matches!(
                v.to_ascii_lowercase().as_str(),
                "false" | "no" | "off" | "0"
            ),
            None => true,
        };
        let limit = match self.config_string("diff.renameLimit")? {
            None => 1000,
            Some(v) => match v.trim().parse::<i64>() {
                // git reads 0 or less as its default.
                Ok(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
                Ok(_) => 1000,
                Err(_) => {
                    return Err(GitError::Config {
                        name: "diff.renameLimit".to_owned(),
                        message: format!("'{v}' is not a number"),
                    });
                }
            },
        };
        Ok(RenameSettings { detect, limit })
    }

    /// A configuration value as text; `None` when it is not set. A
    /// configuration git cannot read is an error, as it is for git.
    pub(crate) fn config_string(&self, name: &str) -> Result<Option<String>> {
        let config = self.repo.config().map_err(|source| GitError::Config {
            name: name.to_owned(),
            message: source.message().to_owned(),
        })?;
        match config.get_string(name) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(GitError::Config {
                name: name.to_owned(),
                message: e.message().to_owned(),
            }),
        }
    }

    /// The tree of a commit's first parent; `None` for a root commit, or
    /// when the parent is not in the repository (a shallow clone's
    /// boundary).
    #[must_use]
    pub fn first_parent_tree(&self, info: &CommitInfo) -> Option<ObjectId> {
        let parent = info.parents.first()?;
        // A parent the repository lacks is a shallow clone's boundary.
        let commit = self.repo.find_commit(parent.to_git()).ok()?;
        Some(crate::oid(commit.tree_id()))
    }

    /// The file changes of a commit against its first parent, exactly as
    /// `git log --numstat` lists them with the repository's rename
    /// settings (a root commit, or one whose parent is missing, against
    /// the empty tree; a merge commit: none). `parent_tree` is the first
    /// parent's tree ([`Repository::first_parent_tree`]), `None` when
    /// there is none to compare with: the diff reads nothing else.
    pub fn diff_commit(
        &self,
        info: &CommitInfo,
        parent_tree: Option<ObjectId>,
        renames: RenameSettings,
    ) -> Result<CommitDiff> {
        if info.is_merge() {
            return Ok(CommitDiff::default());
        }
        let diff_err = |source: git2::Error| GitError::Diff {
            id: info.id,
            source: source.into(),
        };
        let new_tree = self.repo.find_tree(info.tree.to_git()).map_err(diff_err)?;
        let parent_missing = !info.parents.is_empty() && parent_tree.is_none();
        let old_tree = match parent_tree {
            Some(tree) => Some(self.repo.find_tree(tree.to_git()).map_err(diff_err)?),
            None => None,
        };
        let mut listing = Listing::default();
        listing
            .diff_trees(
                &self.repo,
                old_tree.as_ref(),
                Some(&new_tree),
                &RepoPath::root(),
            )
            .map_err(diff_err)?;
        let mut reader = BlobReader {
            repo: &self.repo,
            blobs: HashMap::new(),
            signatures: HashMap::new(),
            unreadable: Vec::new(),
        };
        let mut changes: Vec<FileChange> = Vec::new();
        for (path, change, old, new) in listing.modified {
            changes.push(FileChange {
                path,
                change,
                lines: reader.count(Some(old), Some(new)),
            });
        }
        let matched = if renames.detect {
            renames::pair(
                &listing.sources,
                &listing.destinations,
                renames.limit,
                |id| reader.signature(id),
            )
        } else {
            vec![None; listing.destinations.len()]
        };
        let mut renamed_sources = vec![false; listing.sources.len()];
        for (d, dst) in listing.destinations.iter().enumerate() {
            match matched[d] {
                Some((s, score)) => {
                    renamed_sources[s] = true;
                    let src = &listing.sources[s];
                    // git's similarity index: the score as a whole percentage.
                    #[allow(
                        clippy::cast_possible_truncation,
                        reason = "a score is at most MAX_SCORE, so 0..=100"
                    )]
                    let similarity = (f64::from(score) * 100.0 / MAX_SCORE) as u8;
                    changes.push(FileChange {
                        path: dst.path.clone(),
                        change: Change::Renamed {
                            from: src.path.clone(),
                            similarity,
                        },
                        lines: reader.count(Some(src.id), Some(dst.id)),
                    });
                }
                None => changes.push(FileChange {
                    path: dst.path.clone(),
                    change: Change::Added,
                    lines: reader.count(None, Some(dst.id)),
                }),
            }
        }
        for (s, src) in listing.sources.iter().enumerate() {
            if !renamed_sources[s] {
                changes.push(FileChange {
                    path: src.path.clone(),
                    change: Change::Deleted,
                    lines: reader.count(Some(src.id), None),
                });
            }
        }
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(CommitDiff {
            changes,
            unreadable: {
                let mut ids = reader.unreadable;
                ids.sort_unstable();
                ids
            },
            parent_missing,
        })
    }
}

/// The deltas of a tree diff, sorted into rename candidates and the rest.
#[derive(Default)]
struct Listing {
    sources: Vec<renames::Side>,
    destinations: Vec<renames::Side>,
    /// Modified and type-changed files with their old and new blobs.
    modified: Vec<(RepoPath, Change, ObjectId, ObjectId)>,
}

const GITLINK: u32 = 0o160_000;
const TREE: u32 = 0o040_000;
const SYMLINK: u32 = 0o120_000;

/// A tree entry as the walk sees it.
struct Entry<'t> {
    raw: git2::TreeEntry<'t>,
    id: ObjectId,
    mode: u32,
}

impl Entry<'_> {
    fn name(&self) -> &[u8] {
        self.raw.name_bytes()
    }

    fn is_tree(&self) -> bool {
        self.mode == TREE
    }

    /// git sorts a tree's entries by name, a subtree's name as if followed
    /// by `/`.
    fn cmp_tree_order(&self, other: &Entry<'_>) -> std::cmp::Ordering {
        let a = self.name().iter().chain(self.is_tree().then_some(&b'/'));
        let b = other.name().iter().chain(other.is_tree().then_some(&b'/'));
        a.cmp(b)
    }
}

/// The entries of a tree; none for the empty side of a diff.
fn entries<'t>(tree: Option<&'t git2::Tree<'_>>) -> Vec<Entry<'t>> {
    let Some(tree) = tree else {
        return Vec::new();
    };
    tree.iter()
        .map(|raw| Entry {
            id: crate::oid(raw.id()),
            mode: u32::try_from(raw.filemode()).unwrap_or(0),
            raw,
        })
        .collect()
}

impl Listing {
    /// Compares two trees the way `git diff-tree -r` does, in its order
    /// (which is the order git's rename detection sees its candidates in):
    /// identical subtrees are skipped by id, submodules are not files, a
    /// file that turns into a symlink (or back) is a type change.
    fn diff_trees(
        &mut self,
        repo: &git2::Repository,
        old: Option<&git2::Tree<'_>>,
        new: Option<&git2::Tree<'_>>,
        dir: &RepoPath,
    ) -> std::result::Result<(), git2::Error> {
        let (old, new) = (entries(old), entries(new));
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            let order = match (old.get(i), new.get(j)) {
                (Some(a), Some(b)) => a.cmp_tree_order(b),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match order {
                std::cmp::Ordering::Less => {
                    self.one_side(repo, &old[i], dir, Side::Old)?;
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    self.one_side(repo, &new[j], dir, Side::New)?;
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let (a, b) = (&old[i], &new[j]);
                    if a.id != b.id || a.mode != b.mode {
                        if a.is_tree() {
                            let (ta, tb) = (
                                repo.find_tree(a.id.to_git())?,
                                repo.find_tree(b.id.to_git())?,
                            );
                            self.diff_trees(repo, Some(&ta), Some(&tb), &dir.join(a.name()))?;
                        } else {
                            self.both_sides(a, b, dir);
                        }
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        Ok(())
    }

    /// An entry on one side only: a file added or deleted, or a whole
    /// subtree of them.
    fn one_side(
        &mut self,
        repo: &git2::Repository,
        entry: &Entry<'_>,
        dir: &RepoPath,
        side: Side,
    ) -> std::result::Result<(), git2::Error> {
        let path = dir.join(entry.name());
        if entry.is_tree() {
            let tree = repo.find_tree(entry.id.to_git())?;
            return match side {
                Side::Old => self.diff_trees(repo, Some(&tree), None, &path),
                Side::New => self.diff_trees(repo, None, Some(&tree), &path),
            };
        }
        if entry.mode == GITLINK {
            return Ok(());
        }
        let candidate = renames::Side {
            path,
            id: entry.id,
            mode: entry.mode,
        };
        match side {
            Side::Old => self.sources.push(candidate),
            Side::New => self.destinations.push(candidate),
        }
        Ok(())
    }

    /// The same name on both sides with different content or mode.
    fn both_sides(&mut self, old: &Entry<'_>, new: &Entry<'_>, dir: &RepoPath) {
        let path = dir.join(old.name());
        match (old.mode == GITLINK, new.mode == GITLINK) {
            (true, true) => {}
            // A file replaced by a submodule is a delete, and the reverse
            // an add: submodules are not files.
            (false, true) => self.sources.push(renames::Side {
                path,
                id: old.id,
                mode: old.mode,
            }),
            (true, false) => self.destinations.push(renames::Side {
                path,
                id: new.id,
                mode: new.mode,
            }),
            (false, false) => {
                let change = if (old.mode == SYMLINK) == (new.mode == SYMLINK) {
                    Change::Modified
                } else {
                    Change::TypeChanged
                };
                self.modified.push((path, change, old.id, new.id));
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Side {
    Old,
    New,
}

/// Reads the blobs of one commit's diff, each once, and counts changed
/// lines. Blobs stay libgit2 objects: a patch between two of them needs no
/// hashing, where a patch between byte buffers hashes both (a third of the
/// stage's time, measured on ripgrep).
struct BlobReader<'r> {
    repo: &'r git2::Repository,
    blobs: HashMap<ObjectId, Option<git2::Blob<'r>>>,
    signatures: HashMap<ObjectId, Option<Arc<Signature>>>,
    unreadable: Vec<ObjectId>,
}

impl<'r> BlobReader<'r> {
    fn blob(&mut self, id: ObjectId) -> Option<&git2::Blob<'r>> {
        let repo = self.repo;
        let unreadable = &mut self.unreadable;
        self.blobs
            .entry(id)
            .or_insert_with(|| {
                // Missing (a partial clone): recorded, and its change
                // counted as unreadable.
                let blob = repo.find_blob(id.to_git()).ok();
                if blob.is_none() {
                    unreadable.push(id);
                }
                blob
            })
            .as_ref()
    }

    fn signature(&mut self, id: ObjectId) -> Option<Arc<Signature>> {
        if let Some(signature) = self.signatures.get(&id) {
            return signature.clone();
        }
        let signature = self.blob(id).map(|b| Arc::new(Signature::of(b.content())));
        self.signatures.insert(id, signature.clone());
        signature
    }

    /// numstat's counts between two blobs (`None`: the file is absent on
    /// that side).
    fn count(&mut self, old: Option<ObjectId>, new: Option<ObjectId>) -> Lines {
        // Load both first: the borrows below are shared.
        for id in [old, new].into_iter().flatten() {
            if self.blob(id).is_none() {
                return Lines::Unreadable;
            }
        }
        let old = old
            .and_then(|id| self.blobs.get(&id))
            .and_then(Option::as_ref);
        let new = new
            .and_then(|id| self.blobs.get(&id))
            .and_then(Option::as_ref);
        let empty: &[u8] = &[];
        let old_data = old.map_or(empty, git2::Blob::content);
        let new_data = new.map_or(empty, git2::Blob::content);
        // Unchanged content (a pure rename, a mode change) still shows as
        // `-` when it is binary.
        if is_binary(old_data) || is_binary(new_data) {
            return Lines::Binary;
        }
        let (Some(old), Some(new)) = (old, new) else {
            return Lines::Counted {
                added: line_count(new_data),
                deleted: line_count(old_data),
            };
        };
        if old.id() == new.id() {
            return Lines::Counted {
                added: 0,
                deleted: 0,
            };
        }
        // With no context lines a hunk holds only changed lines, so the sums
        // of its header's counts are numstat's numbers, and no line is
        // handed over one by one (a patch object builds them all).
        let mut options = git2::DiffOptions::new();
        options.context_lines(0).interhunk_lines(0);
        let (mut added, mut deleted) = (0u64, 0u64);
        let mut hunk = |_: git2::DiffDelta<'_>, h: git2::DiffHunk<'_>| {
            added += u64::from(h.new_lines());
            deleted += u64::from(h.old_lines());
            true
        };
        // Empty paths: libgit2 then skips the gitattributes lookup it would
        // do for every pair (7% of the workers' time); binary content was
        // screened above by git's own rule.
        match self.repo.diff_blobs(
            Some(old),
            Some(""),
            Some(new),
            Some(""),
            Some(&mut options),
            None,
            None,
            Some(&mut hunk),
            None,
        ) {
            Ok(()) => Lines::Counted {
                added: u32::try_from(added).unwrap_or(u32::MAX),
                deleted: u32::try_from(deleted).unwrap_or(u32::MAX),
            },
            Err(_) => Lines::Unreadable,
        }
    }
}

/// Lines as xdiff counts them: a last line without a newline still counts.
#[allow(
    clippy::naive_bytecount,
    reason = "one pass over a blob already in memory; not a hot spot in profiles"
)]
fn line_count(data: &[u8]) -> u32 {
    let newlines = data.iter().filter(|&&b| b == b'\n').count();
    let partial = usize::from(data.last().is_some_and(|&b| b != b'\n'));
    u32::try_from(newlines + partial).unwrap_or(u32::MAX)
}
