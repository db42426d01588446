//! What a change touches: a revision resolved to its commit, and the paths
//! that differ between a commit and another commit or the working tree.

use crate::{Git2Error, GitError, ObjectId, Repository, Result, oid};

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

    /// The paths (relative to the root, `/`-separated) whose content differs
    /// between commit `from` and commit `to`, or between `from` and the
    /// working tree with its staged changes when `to` is `None`. A rename
    /// counts as its old and its new path; untracked files do not count.
    /// Sorted, without repeats.
    pub fn changed_paths(&self, from: ObjectId, to: Option<ObjectId>) -> Result<Vec<String>> {
        let diff_error = |source: git2::Error| GitError::Diff {
            id: from,
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
        let old = tree_of(from)?;
        let diff = match to {
            Some(to) => {
                let new = tree_of(to)?;
                self.repo
                    .diff_tree_to_tree(Some(&old), Some(&new), None)
                    .map_err(diff_error)?
            }
            None => self
                .repo
                .diff_tree_to_workdir_with_index(Some(&old), None)
                .map_err(diff_error)?,
        };
        let mut paths: Vec<String> = diff
            .deltas()
            .flat_map(|d| [d.old_file().path_bytes(), d.new_file().path_bytes()])
            .flatten()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }
}
