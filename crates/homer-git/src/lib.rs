//! Homer's view of a git repository: opening it, HEAD, trees, and (as the
//! history issue lands) commits and their file changes, as plain records.
//!
//! This crate knows nothing of the store, of parsing or of graphs, and no
//! git2 type crosses its boundary: callers get [`ObjectId`], [`RepoPath`]
//! and the records defined here.

mod blobs;
mod changes;
mod history;
mod path;
mod renames;

use std::fmt;
use std::path::{Path, PathBuf};

pub use changes::{DiffSide, FileDiff, FileStatus, Hunk};
pub use history::{
    Change, CommitDiff, CommitInfo, FileChange, Lines, Mailmap, Person, RenameSettings,
};
pub use path::RepoPath;

/// A libgit2 error, shown by its message alone (libgit2's own display adds
/// class and code numbers that mean nothing to a person).
#[derive(Debug)]
pub struct Git2Error(git2::Error);

impl fmt::Display for Git2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.0.message();
        f.write_str(message.strip_suffix('.').unwrap_or(message))
    }
}

impl std::error::Error for Git2Error {}

impl From<git2::Error> for Git2Error {
    fn from(e: git2::Error) -> Self {
        Git2Error(e)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("'{path}' does not exist")]
    NoSuchPath { path: PathBuf },
    #[error("'{path}' is not in a git repository")]
    NotARepository { path: PathBuf },
    #[error("cannot open the git repository at '{path}'")]
    Open {
        path: PathBuf,
        #[source]
        source: Git2Error,
    },
    #[error("cannot read HEAD")]
    Head {
        #[source]
        source: Git2Error,
    },
    #[error("cannot read tree {id}")]
    Tree {
        id: ObjectId,
        #[source]
        source: Git2Error,
    },
    #[error("cannot walk the history")]
    Walk {
        #[source]
        source: Git2Error,
    },
    #[error("cannot read commit {id}")]
    Commit {
        id: ObjectId,
        #[source]
        source: Git2Error,
    },
    #[error("cannot diff commit {id}")]
    Diff {
        id: ObjectId,
        #[source]
        source: Git2Error,
    },
    #[error("'{revision}' names no commit here")]
    Revision {
        revision: String,
        #[source]
        source: Git2Error,
    },
    #[error("cannot read the .mailmap")]
    Mailmap {
        #[source]
        source: Git2Error,
    },
    #[error("cannot read the git configuration '{name}': {message}")]
    Config { name: String, message: String },
    #[error("cannot read '{path}'")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot update '{path}'")]
    Exclude {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

type Result<T, E = GitError> = std::result::Result<T, E>;

/// A git object id (SHA-1). Serialized as its 20 bytes, so an input that
/// names an object hashes its identity.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ObjectId([u8; 20]);

impl ObjectId {
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    #[must_use]
    pub fn from_bytes(bytes: [u8; 20]) -> Self {
        ObjectId(bytes)
    }

    /// Parses 40 hex digits.
    #[must_use]
    pub fn from_hex(hex: &str) -> Option<Self> {
        // Not an id is the answer, not an error: callers check text.
        git2::Oid::from_str(hex)
            .ok()
            .filter(|_| hex.len() == 40)
            .and_then(|oid| Self::try_from(oid).ok())
    }

    #[must_use]
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// The short form shown to people.
    #[must_use]
    pub fn short(&self) -> String {
        let mut s = self.to_string();
        s.truncate(7);
        s
    }

    pub(crate) fn to_git(self) -> git2::Oid {
        git2::Oid::from_bytes(&self.0).expect("20 bytes is a valid SHA-1 object id")
    }
}

impl TryFrom<git2::Oid> for ObjectId {
    type Error = ();

    fn try_from(oid: git2::Oid) -> std::result::Result<Self, ()> {
        oid.as_bytes().try_into().map(ObjectId).map_err(|_| ())
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

/// Where HEAD points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Head {
    /// No commit yet (a new repository, or an orphan branch).
    Unborn { branch: Option<String> },
    /// A commit, on a branch or detached (`branch` is `None`).
    Commit {
        id: ObjectId,
        tree: ObjectId,
        branch: Option<String>,
    },
}

/// What a tree entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File {
        executable: bool,
    },
    Symlink,
    Tree,
    /// A gitlink: a commit of another repository. Never a file.
    Submodule,
}

/// One entry of a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    pub name: Vec<u8>,
    pub id: ObjectId,
    pub kind: EntryKind,
}

/// An open repository. Not shareable between threads; open one per thread.
pub struct Repository {
    repo: git2::Repository,
}

impl fmt::Debug for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repository")
            .field("git_dir", &self.repo.path())
            .finish()
    }
}

pub(crate) fn oid(id: git2::Oid) -> ObjectId {
    ObjectId::try_from(id).expect("git2 object ids are SHA-1 (20 bytes) in this build")
}

/// Turns off libgit2's re-hashing of every object it reads. git itself
/// verifies hashes only in `fsck`, and the check cost 45% of the history
/// stage on ripgrep (SHA-1 with collision detection, measured with perf).
/// Homer only reads, so a damaged object shows up as a diff or a read error,
/// as it would in git.
///
/// And turns off libgit2's object cache: it keeps every commit and tree
/// read (up to 256 MB) in case it is read again, and mining a history reads
/// each one once or twice: on the 10,000-file synthetic repository the
/// cache was 80 of a cold update's 330 MB, and its update took no longer
/// without it (the pack's own delta cache stays).
fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
    });
}

impl Repository {
    /// Opens the repository containing `path` (searching upwards, as git does).
    pub fn discover(path: &Path) -> Result<Self> {
        configure_libgit2();
        if !path.exists() {
            return Err(GitError::NoSuchPath {
                path: path.to_path_buf(),
            });
        }
        let repo = git2::Repository::open_ext(
            path,
            git2::RepositoryOpenFlags::empty(),
            std::iter::empty::<&std::ffi::OsStr>(),
        )
        .map_err(|source| {
            if source.code() == git2::ErrorCode::NotFound {
                GitError::NotARepository {
                    path: path.to_path_buf(),
                }
            } else {
                GitError::Open {
                    path: path.to_path_buf(),
                    source: source.into(),
                }
            }
        })?;
        Ok(Repository { repo })
    }

    /// Opens exactly the repository whose git directory is `git_dir`, for
    /// worker threads that need their own handle (a handle cannot be shared
    /// between threads).
    pub fn open_git_dir(git_dir: &Path) -> Result<Self> {
        configure_libgit2();
        let path = git_dir;
        git2::Repository::open(path)
            .map(|repo| Repository { repo })
            .map_err(|source| GitError::Open {
                path: path.to_path_buf(),
                source: source.into(),
            })
    }

    /// The working tree, `None` for a bare repository.
    #[must_use]
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// The URL of the `origin` remote; `None` without one (or when the
    /// configuration does not read).
    #[must_use]
    pub fn origin_url(&self) -> Option<String> {
        self.config_string("remote.origin.url").ok().flatten()
    }

    /// The git directory (`.git`, or the repository itself when bare).
    #[must_use]
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// Where git looks for hooks: `core.hooksPath` (a relative one from
    /// the working tree's root, or from the git directory when bare, as
    /// git reads it), else `hooks` in the common git directory (shared by
    /// linked worktrees).
    pub fn hooks_dir(&self) -> Result<PathBuf> {
        let configured = self.config_string("core.hooksPath")?;
        Ok(match configured {
            Some(path) if !path.is_empty() => {
                let path = match path.strip_prefix("~/") {
                    Some(rest) => std::env::var_os("HOME").map_or_else(
                        || PathBuf::from(&path),
                        |home| PathBuf::from(home).join(rest),
                    ),
                    None => PathBuf::from(path),
                };
                if path.is_absolute() {
                    path
                } else {
                    self.workdir().unwrap_or_else(|| self.git_dir()).join(path)
                }
            }
            _ => self.repo.commondir().join("hooks"),
        })
    }

    #[must_use]
    pub fn is_bare(&self) -> bool {
        self.repo.is_bare()
    }

    /// The commits at a shallow clone's boundary (git's `shallow` file),
    /// sorted; empty for a complete clone. `git fetch --deepen` or
    /// `--unshallow` moves them without moving HEAD.
    pub fn shallow_boundary(&self) -> Result<Vec<ObjectId>> {
        let path = self.repo.commondir().join("shallow");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(GitError::Read { path, source }),
        };
        let mut ids: Vec<ObjectId> = text
            .lines()
            .filter_map(|l| ObjectId::from_hex(l.trim()))
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    /// Whether the object database has `id` now (a partial clone fetches
    /// missing blobs later, without HEAD moving).
    #[must_use]
    pub fn has_object(&self, id: ObjectId) -> bool {
        self.repo.odb().is_ok_and(|odb| odb.exists(id.to_git()))
    }

    /// Whether objects may be missing by design: a partial clone (a
    /// promisor remote, or the `partialclone` extension).
    #[must_use]
    pub fn is_partial(&self) -> bool {
        let Ok(config) = self.repo.config() else {
            return false;
        };
        if config.get_string("extensions.partialclone").is_ok() {
            return true;
        }
        let Ok(entries) = config.entries(Some(r"remote\..*\.promisor")) else {
            return false;
        };
        let mut promisor = false;
        let _ = entries.for_each(|entry| {
            promisor |= entry.value().is_ok_and(|v| v.eq_ignore_ascii_case("true"));
        });
        promisor
    }

    pub fn head(&self) -> Result<Head> {
        let head = match self.repo.head() {
            Ok(head) => head,
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                // The branch an unborn HEAD names, when it names one.
                let branch = self
                    .repo
                    .find_reference("HEAD")
                    .ok()
                    .and_then(|r| r.symbolic_target().ok().flatten().map(short_branch));
                return Ok(Head::Unborn { branch });
            }
            Err(source) => {
                return Err(GitError::Head {
                    source: source.into(),
                });
            }
        };
        let branch = if head.is_branch() {
            // A branch name that is not UTF-8 is shown as none.
            head.shorthand().ok().map(str::to_owned)
        } else {
            None
        };
        let commit = head.peel_to_commit().map_err(|source| GitError::Head {
            source: source.into(),
        })?;
        Ok(Head::Commit {
            id: oid(commit.id()),
            tree: oid(commit.tree_id()),
            branch,
        })
    }

    /// The entries of a tree, in git's order.
    pub fn tree(&self, id: ObjectId) -> Result<Vec<TreeEntry>> {
        let tree = self
            .repo
            .find_tree(id.to_git())
            .map_err(|source| GitError::Tree {
                id,
                source: source.into(),
            })?;
        Ok(tree
            .iter()
            .filter_map(|entry| {
                let kind = match (entry.kind(), entry.filemode()) {
                    (Some(git2::ObjectType::Tree), _) => EntryKind::Tree,
                    (Some(git2::ObjectType::Commit), _) => EntryKind::Submodule,
                    (Some(git2::ObjectType::Blob), 0o120_000) => EntryKind::Symlink,
                    (Some(git2::ObjectType::Blob), mode) => EntryKind::File {
                        executable: mode == 0o100_755,
                    },
                    _ => return None,
                };
                Some(TreeEntry {
                    name: entry.name_bytes().to_vec(),
                    id: oid(entry.id()),
                    kind,
                })
            })
            .collect())
    }

    /// The content of a blob; `None` when it is not in the repository (a
    /// partial clone).
    #[must_use]
    pub fn blob(&self, id: ObjectId) -> Option<Vec<u8>> {
        // Absent is an answer here (a partial clone), as documented.
        self.repo
            .find_blob(id.to_git())
            .ok()
            .map(|b| b.content().to_vec())
    }

    /// The blob id the working tree's file at `path` (relative to the
    /// root) would have, `None` when it is missing or unreadable (a bare
    /// repository has no working tree). What git would store: a file git
    /// finds unchanged from its entry in git's index (its own check, with
    /// the entry's stat data and the checkout's filters: a file checked
    /// out with CRLF line endings, an LFS file) has that entry's blob,
    /// where hashing its bytes as they are would call it changed. A
    /// symbolic link's blob is the text of its target, not the file it
    /// points to.
    #[must_use]
    pub fn worktree_blob(&self, path: &str) -> Option<ObjectId> {
        let file = self.repo.workdir()?.join(path);
        // A file gone from the working tree has no id, as documented.
        let meta = std::fs::symlink_metadata(&file).ok()?;
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&file).ok()?;
            return git2::Oid::hash_object(git2::ObjectType::Blob, &link_text(&target))
                .ok()
                .map(oid);
        }
        let hashed = git2::Oid::hash_file(git2::ObjectType::Blob, file).ok()?;
        // Bytes that hash to a blob the repository has are that blob (the
        // usual case, and a cheap lookup). Others are changed, or checked
        // out through a filter: git's index says which, at the price of
        // reading it (tens of milliseconds at 75,000 files), paid only here.
        if self.repo.odb().is_ok_and(|odb| odb.exists(hashed)) {
            return Some(oid(hashed));
        }
        Some(self.unchanged_from_git_index(path).unwrap_or(oid(hashed)))
    }

    /// The blob of `path`'s entry in git's index, when git's status finds
    /// the working tree's file unchanged from it.
    fn unchanged_from_git_index(&self, path: &str) -> Option<ObjectId> {
        let path = Path::new(path);
        let status = self.repo.status_file(path).ok()?;
        let changed = git2::Status::WT_NEW
            | git2::Status::WT_MODIFIED
            | git2::Status::WT_DELETED
            | git2::Status::WT_TYPECHANGE
            | git2::Status::WT_RENAMED
            | git2::Status::WT_UNREADABLE
            | git2::Status::IGNORED
            | git2::Status::CONFLICTED;
        if status.intersects(changed) {
            return None;
        }
        let entry = self.repo.index().ok()?.get_path(path, 0)?;
        Some(oid(entry.id))
    }

    /// Whether the repository has a working tree (a bare one does not).
    #[must_use]
    pub fn has_worktree(&self) -> bool {
        self.repo.workdir().is_some()
    }

    /// Adds `pattern` as a line of `info/exclude` unless it is there already,
    /// so Homer's own directory never shows up as untracked. Never touches a
    /// tracked file. Returns whether the file changed.
    pub fn exclude(&self, pattern: &str) -> Result<bool> {
        let info = self.repo.commondir().join("info");
        let path = info.join("exclude");
        let err = |source| GitError::Exclude {
            path: path.clone(),
            source,
        };
        let existing = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(err(e)),
        };
        let bare = pattern.trim_start_matches('/').trim_end_matches('/');
        let present = existing.split(|&b| b == b'\n').any(|line| {
            let line = String::from_utf8_lossy(line);
            line.trim().trim_start_matches('/').trim_end_matches('/') == bare
        });
        if present {
            return Ok(false);
        }
        std::fs::create_dir_all(&info).map_err(err)?;
        let mut content = existing;
        if !content.is_empty() && !content.ends_with(b"\n") {
            content.push(b'\n');
        }
        content.extend_from_slice(pattern.as_bytes());
        content.push(b'\n');
        std::fs::write(&path, content).map_err(err)?;
        Ok(true)
    }

    /// Is `ancestor` an ancestor of (or equal to) `descendant`? `None` when
    /// either commit is not in the object database.
    #[must_use]
    pub fn is_ancestor(&self, ancestor: ObjectId, descendant: ObjectId) -> Option<bool> {
        if ancestor == descendant {
            return Some(true);
        }
        // Fails only when a commit is missing: `None`, as documented.
        self.repo
            .graph_descendant_of(descendant.to_git(), ancestor.to_git())
            .ok()
    }

    /// How many commits are reachable from `to` but not from `from`, up to
    /// `limit`; `None` when a commit is missing.
    #[must_use]
    pub fn count_between(&self, from: ObjectId, to: ObjectId, limit: usize) -> Option<usize> {
        // Fails only when a commit is missing: `None`, as documented.
        let mut walk = self.repo.revwalk().ok()?;
        walk.push(to.to_git()).ok()?;
        walk.hide(from.to_git()).ok()?;
        Some(walk.take(limit).flatten().count())
    }
}

fn short_branch(full: &str) -> String {
    full.strip_prefix("refs/heads/").unwrap_or(full).to_owned()
}

/// A symbolic link's target as git stores it in the link's blob: the
/// path's bytes (on Unix as they are; elsewhere as UTF-8, with `/`).
fn link_text(target: &std::path::Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        std::os::unix::ffi::OsStrExt::as_bytes(target.as_os_str()).to_vec()
    }
    #[cfg(not(unix))]
    {
        target.to_string_lossy().replace('\\', "/").into_bytes()
    }
}
