//! Where a repository's index lives.

use std::path::{Path, PathBuf};

use homer_git::Repository;

use crate::CoreError;

/// The directory name of Homer's index inside a working tree.
pub const HOMER_DIR: &str = ".homer";

/// A repository and the place of its index: `.homer/` at the root of the
/// working tree, or `homer/` inside a bare repository's git directory.
#[derive(Debug)]
pub struct Workspace {
    repo: Repository,
    root: PathBuf,
    homer_dir: PathBuf,
    database: PathBuf,
}

impl Workspace {
    /// Finds the repository containing `path`.
    pub fn locate(path: &Path) -> Result<Self, CoreError> {
        let repo = Repository::discover(path)?;
        let (root, homer_dir) = match repo.workdir() {
            Some(workdir) => (workdir.to_path_buf(), workdir.join(HOMER_DIR)),
            None => (repo.git_dir().to_path_buf(), repo.git_dir().join("homer")),
        };
        let root = strip_trailing_separator(root);
        let database = homer_dir.join("homer.db");
        Ok(Workspace {
            repo,
            root,
            homer_dir,
            database,
        })
    }

    /// Creates the index directory and keeps it out of `git status` (through
    /// `info/exclude`, never a tracked file).
    pub fn prepare(&self) -> Result<(), CoreError> {
        if self.homer_dir.exists() && !self.homer_dir.is_dir() {
            return Err(CoreError::NotADirectory {
                path: self.homer_dir.clone(),
            });
        }
        std::fs::create_dir_all(&self.homer_dir).map_err(|source| CoreError::CreateDir {
            path: self.homer_dir.clone(),
            source,
        })?;
        if !self.repo.is_bare() {
            self.repo.exclude(&format!("{HOMER_DIR}/"))?;
        }
        Ok(())
    }

    #[must_use]
    pub fn repository(&self) -> &Repository {
        &self.repo
    }

    /// The working tree root (or the git directory of a bare repository).
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The index directory (`.homer/`).
    #[must_use]
    pub fn homer_dir(&self) -> &Path {
        &self.homer_dir
    }

    #[must_use]
    pub fn database(&self) -> &Path {
        &self.database
    }

    /// The index, read-only, for the commands that read; an error that
    /// says to run `homer update` when there is none yet.
    pub fn open_index(&self) -> Result<homer_store::Store, CoreError> {
        if !self.database.exists() {
            return Err(CoreError::NotIndexed {
                repo: self.root().to_path_buf(),
            });
        }
        Ok(homer_store::Store::open(
            &self.database,
            homer_store::OpenMode::ReadOnly,
        )?)
    }

    /// Deletes the index database (with its WAL and shared-memory files),
    /// keeping the configuration, for a rebuild from git.
    pub fn remove_index(&self) -> Result<(), CoreError> {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = self.database.clone().into_os_string();
            name.push(suffix);
            let path = PathBuf::from(name);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(CoreError::RemoveIndex { path, source }),
            }
        }
        Ok(())
    }
}

fn strip_trailing_separator(path: PathBuf) -> PathBuf {
    // git2 reports directories with a trailing slash; people expect none.
    match path.to_str() {
        Some(s) if s.len() > 1 && s.ends_with('/') => PathBuf::from(s.trim_end_matches('/')),
        _ => path,
    }
}
