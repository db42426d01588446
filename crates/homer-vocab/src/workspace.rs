//! Where a repository's index lives.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Component, Path, PathBuf};

use homer_git::Repository;

use crate::VocabError;

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
    pub fn locate(path: &Path) -> Result<Self, VocabError> {
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
    pub fn prepare(&self) -> Result<(), VocabError> {
        // A repository can commit `.homer` (or a file in it) as a symlink
        // to anywhere; the index is never written through one.
        for path in [
            self.homer_dir.clone(),
            self.database.clone(),
            self.sibling("-wal"),
            self.sibling("-shm"),
            self.sibling(".new"),
            self.sibling(".new-wal"),
            self.sibling(".new-shm"),
            self.homer_dir.join(LOCK_FILE),
        ] {
            if is_symlink(&path) {
                return Err(VocabError::UnsafePath {
                    path,
                    reason: "it is a symbolic link, and Homer writes its index through none"
                        .to_owned(),
                });
            }
        }
        if self.homer_dir.exists() && !self.homer_dir.is_dir() {
            return Err(VocabError::NotADirectory {
                path: self.homer_dir.clone(),
            });
        }
        std::fs::create_dir_all(&self.homer_dir).map_err(|source| VocabError::CreateDir {
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

    /// Where a new index is built before it takes the place of the one
    /// readers use (`homer.db.new`, beside it).
    #[must_use]
    pub fn side_database(&self) -> PathBuf {
        self.sibling(".new")
    }

    /// Whether a `homer update` holds the update lock now (a reader can
    /// tell "being built" from "never built"). Creates nothing.
    #[must_use]
    pub fn update_running(&self) -> bool {
        let Ok(file) = File::open(self.homer_dir.join(LOCK_FILE)) else {
            return false;
        };
        matches!(file.try_lock_shared(), Err(TryLockError::WouldBlock))
    }

    /// The index, read-only, for the commands that read; an error that
    /// says to run `homer update` when there is none yet.
    pub fn open_index(&self) -> Result<homer_store::Store, VocabError> {
        if !self.database.exists() {
            return Err(VocabError::NotIndexed {
                repo: self.root().to_path_buf(),
                building: self.update_running(),
            });
        }
        Ok(homer_store::Store::open(
            &self.database,
            homer_store::OpenMode::ReadOnly,
        )?)
    }

    /// Takes the update lock (`.homer/update.lock`, an advisory lock the
    /// system releases when the process ends, however it ends), so that
    /// two updates of one index run one after the other. When another
    /// update holds it, `waiting` is told so (with its process id, when
    /// known) and this one waits.
    pub fn lock_updates(&self, waiting: &dyn Fn(&str)) -> Result<UpdateLock, VocabError> {
        let path = self.homer_dir.join(LOCK_FILE);
        let io = |source| VocabError::Lock {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let who = if holder.is_empty() {
                    String::new()
                } else {
                    format!(" (process {holder})")
                };
                waiting(&format!(
                    "another `homer update` is running on this index{who}; waiting for it to finish"
                ));
                file.lock().map_err(io)?;
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        Ok(UpdateLock { _file: file })
    }

    /// `path` (relative to the root, or absolute) as a place Homer may
    /// write: inside the working tree, and reached through no symbolic
    /// link that leads out of it.
    pub fn writable(&self, path: &Path) -> Result<PathBuf, VocabError> {
        let full = self.root.join(path);
        let refuse = |reason: String| VocabError::UnsafePath {
            path: full.clone(),
            reason,
        };
        let relative = full
            .strip_prefix(&self.root)
            .map_err(|_| refuse("it is outside the repository".to_owned()))?;
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(refuse(
                "it leaves the repository or names no file in it".to_owned(),
            ));
        }
        let root = self
            .root
            .canonicalize()
            .map_err(|e| refuse(e.to_string()))?;
        let mut at = self.root.clone();
        for part in relative.components() {
            at.push(part);
            if is_symlink(&at) {
                match at.canonicalize() {
                    Ok(target) if target.starts_with(&root) => {}
                    Ok(target) => {
                        return Err(refuse(format!(
                            "'{}' is a symbolic link to '{}', outside the repository",
                            at.display(),
                            target.display()
                        )));
                    }
                    Err(_) => {
                        return Err(refuse(format!(
                            "'{}' is a symbolic link that leads nowhere Homer can check",
                            at.display()
                        )));
                    }
                }
            }
        }
        Ok(full)
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self.database.clone().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    }

    /// Deletes an index being built beside the one in use (left behind by
    /// an update that was killed), with its WAL and shared-memory files.
    pub fn remove_side_database(&self) -> Result<(), VocabError> {
        Ok(homer_store::remove_database(&self.side_database())?)
    }
}

/// The lock file of `homer update`, in the index directory.
const LOCK_FILE: &str = "update.lock";

/// Held for the whole of an update; dropping it (or the process ending)
/// lets the next one in.
#[derive(Debug)]
pub struct UpdateLock {
    _file: File,
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn strip_trailing_separator(path: PathBuf) -> PathBuf {
    // git2 reports directories with a trailing slash; people expect none.
    match path.to_str() {
        Some(s) if s.len() > 1 && s.ends_with('/') => PathBuf::from(s.trim_end_matches('/')),
        _ => path,
    }
}
