//! What a change touches: a revision resolved to its commit, the paths
//! that differ between a commit and another commit, the staged changes or
//! the working tree, and the lines each diff changed.

use std::cell::RefCell;

use crate::{Git2Error, GitError, ObjectId, Repository, Result, oid};

/// The newer side of a diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffSide {
    Commit(ObjectId),
    /// The index (what `git commit` would commit).
    Staged,
    /// The working tree with its staged changes (`git diff HEAD`).
    WorkTree,
}

/// What happened to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Added,
    Modified,
    Deleted,
    Renamed,
    /// A regular file became a symbolic link or the reverse.
    TypeChanged,
}

/// One run of changed lines: `old_lines` lines from `old_start` became
/// `new_lines` lines from `new_start` (1-based; a count of 0 means an
/// insertion or a deletion after the line before the start).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Hunk {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
}

/// One file of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiff {
    /// `None` for an added file.
    pub old_path: Option<String>,
    /// `None` for a deleted file.
    pub new_path: Option<String>,
    pub status: FileStatus,
    pub old_blob: Option<ObjectId>,
    /// For the working tree, the blob the file's text would make.
    pub new_blob: Option<ObjectId>,
    pub binary: bool,
    pub added: u32,
    pub deleted: u32,
    /// In order, without context lines.
    pub hunks: Vec<Hunk>,
}

impl Repository {
    /// The commit a revision names (`HEAD`, `main`, `v1.2`, `abc123^`, …).
    pub fn resolve_commit(&self, revision: &str) -> Result<ObjectId> {
        let unknown = |source: git2::Error| GitError::Revision {
            revision: revision.to_owned(),
            source: source.into(),
        };
        let object = self.repo.revparse_single(revision).map_err(unknown)?;
        let commit = object.peel_to_commit().map_err(unknown)?;
        Ok(oid(commit.id()))
    }

    /// Where `a` and `b` last shared history: what `a..b` compares `b`
    /// with (`None` when they share none).
    pub fn merge_base(&self, a: ObjectId, b: ObjectId) -> Result<Option<ObjectId>> {
        match self.repo.merge_base(a.to_git(), b.to_git()) {
            Ok(id) => Ok(Some(oid(id))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(source) => Err(GitError::Walk {
                source: source.into(),
            }),
        }
    }

    /// The first parent of a commit; `None` for a root commit.
    pub fn first_parent(&self, id: ObjectId) -> Result<Option<ObjectId>> {
        Ok(self.find_commit(id)?.parent_ids().next().map(oid))
    }

    /// The configured author (`user.name`, `user.email`), if any.
    pub fn configured_person(&self) -> Result<Option<crate::Person>> {
        let name = self.config_string("user.name")?;
        let email = self.config_string("user.email")?;
        Ok(match (name, email) {
            (None, None) => None,
            (name, email) => Some(crate::Person {
                name: name.unwrap_or_default(),
                email: email.unwrap_or_default(),
            }),
        })
    }

    /// The files that differ between commit `from` (or nothing: every file
    /// is added) and `to`, with the lines each changed, as `git diff -M
    /// --unified=0` reports them. Untracked files are not part of it.
    /// Sorted by path.
    pub fn diff(&self, from: Option<ObjectId>, to: DiffSide) -> Result<Vec<FileDiff>> {
        let diff_error = |source: git2::Error| GitError::Diff {
            id: from.unwrap_or(ObjectId::from_bytes([0; 20])),
            source: Git2Error(source),
        };
        let tree_of = |id: ObjectId| {
            self.repo
                .find_commit(id.to_git())
                .and_then(|c| c.tree())
                .map_err(|source| GitError::Commit {
                    id,
                    source: source.into(),
                })
        };
        let old = from.map(tree_of).transpose()?;
        let mut options = git2::DiffOptions::new();
        options.context_lines(0).interhunk_lines(0);
        let mut diff = match to {
            DiffSide::Commit(to) => {
                let new = tree_of(to)?;
                self.repo
                    .diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut options))
            }
            DiffSide::Staged => {
                self.repo
                    .diff_tree_to_index(old.as_ref(), None, Some(&mut options))
            }
            DiffSide::WorkTree => self
                .repo
                .diff_tree_to_workdir_with_index(old.as_ref(), Some(&mut options)),
        }
        .map_err(diff_error)?;
        let mut find = git2::DiffFindOptions::new();
        find.renames(true);
        diff.find_similar(Some(&mut find)).map_err(diff_error)?;
        let mut files = files_of(&diff).map_err(diff_error)?;

        // The working tree's files have no blob until hashed.
        if to == DiffSide::WorkTree {
            for f in &mut files {
                if f.new_blob.is_none()
                    && let Some(p) = &f.new_path
                {
                    f.new_blob = self.worktree_blob(p);
                }
            }
        }
        files.sort_by(|a, b| {
            let key = |f: &FileDiff| f.new_path.clone().or_else(|| f.old_path.clone());
            key(a).cmp(&key(b))
        });
        Ok(files)
    }
}

/// The files of a diff, each with its lines and hunks, in diff order.
fn files_of(diff: &git2::Diff<'_>) -> std::result::Result<Vec<FileDiff>, git2::Error> {
    let files: RefCell<Vec<FileDiff>> = RefCell::new(Vec::new());
    let path = |f: &git2::DiffFile<'_>| {
        f.path_bytes()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    };
    let id = |f: &git2::DiffFile<'_>| (!f.id().is_zero()).then(|| oid(f.id()));
    diff.foreach(
        &mut |delta, _| {
            let status = match delta.status() {
                git2::Delta::Added | git2::Delta::Untracked | git2::Delta::Copied => {
                    FileStatus::Added
                }
                git2::Delta::Deleted => FileStatus::Deleted,
                git2::Delta::Renamed => FileStatus::Renamed,
                git2::Delta::Typechange => FileStatus::TypeChanged,
                _ => FileStatus::Modified,
            };
            let (old_path, new_path) = match status {
                FileStatus::Added => (None, path(&delta.new_file())),
                FileStatus::Deleted => (path(&delta.old_file()), None),
                _ => (path(&delta.old_file()), path(&delta.new_file())),
            };
            files.borrow_mut().push(FileDiff {
                old_path,
                new_path,
                status,
                old_blob: id(&delta.old_file()),
                new_blob: id(&delta.new_file()),
                binary: delta.flags().is_binary(),
                added: 0,
                deleted: 0,
                hunks: Vec::new(),
            });
            true
        },
        Some(&mut |_, _| {
            if let Some(f) = files.borrow_mut().last_mut() {
                f.binary = true;
            }
            true
        }),
        Some(&mut |_, hunk| {
            if let Some(f) = files.borrow_mut().last_mut() {
                f.hunks.push(Hunk {
                    old_start: hunk.old_start(),
                    old_lines: hunk.old_lines(),
                    new_start: hunk.new_start(),
                    new_lines: hunk.new_lines(),
                });
            }
            true
        }),
        Some(&mut |_, _, line| {
            if let Some(f) = files.borrow_mut().last_mut() {
                match line.origin_value() {
                    git2::DiffLineType::Addition => f.added += 1,
                    git2::DiffLineType::Deletion => f.deleted += 1,
                    _ => {}
                }
            }
            true
        }),
    )?;
    Ok(files.into_inner())
}
