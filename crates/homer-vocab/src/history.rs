//! What the history stage keeps of each commit: the record its task
//! stores as its value. The behaviour stage reads every record for the
//! metrics; readers read one to show a commit (its author, times and
//! changed files). It is the only copy of a commit's changes in the index.

use serde::{Deserialize, Serialize};

use crate::VocabError;

/// The kind of the memo task whose value is a commit's record.
pub const COMMIT_TASK: &str = "commit";

/// What a commit task keeps for the metrics (its stored value). The
/// history stage writes it with owned strings; the behaviour stage reads
/// every commit's record with strings borrowed from the stored bytes
/// (`CommitRecord<&str>`: the same encoding), which spares building and
/// freeing some 300,000 strings on a 50,000-commit history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommitRecord<S = String> {
    /// Committer time (seconds since the epoch), for ordering.
    #[serde(rename = "t")]
    pub committed: i64,
    /// Author time, for first and last change.
    #[serde(rename = "at")]
    pub authored: i64,
    /// The canonical author key.
    #[serde(rename = "a")]
    pub author: S,
    #[serde(rename = "p")]
    pub parents: Vec<S>,
    #[serde(rename = "c")]
    pub changes: Vec<ChangeRecord<S>>,
    /// Blobs the diff could not read (a partial clone), as hex ids.
    #[serde(rename = "m")]
    pub missing: Vec<S>,
    /// The author's name (after the mailmap): identities that share it
    /// are one person (the behaviour stage's `people`).
    #[serde(rename = "n")]
    pub name: S,
}

impl<S: Serialize> CommitRecord<S> {
    /// The stored form: postcard, compact and quick to read back (the
    /// behaviour stage reads every commit's record when HEAD moves; as
    /// JSON that was a third of its time on 50,000 commits).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        // Plain data: serializing cannot fail.
        postcard::to_stdvec(self).expect("plain data serializes")
    }
}

impl<'a, S: Deserialize<'a>> CommitRecord<S> {
    /// Reads the stored record of commit `id`.
    ///
    /// # Errors
    /// [`VocabError::BadRecord`] when the bytes are not a record.
    pub fn decode(id: &str, bytes: &'a [u8]) -> Result<CommitRecord<S>, VocabError> {
        postcard::from_bytes(bytes).map_err(|e| VocabError::BadRecord {
            what: format!("commit {id}"),
            message: e.to_string(),
        })
    }
}

/// One file change of a commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord<S = String> {
    pub path: S,
    /// `A`dded, `M`odified, `D`eleted, `R`enamed, `T`ype changed.
    pub status: char,
    /// Lines added and deleted; `None` for binary or unreadable content.
    /// (Every field is written: postcard, the stored form, reads fields
    /// by position, so none may be skipped.)
    pub added: Option<u32>,
    pub deleted: Option<u32>,
    /// The old path of a rename.
    pub from: Option<S>,
}

/// What a reader shows of a commit: from its record, and its subject
/// from its message's chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitSummary {
    /// The author's name, after the mailmap.
    pub author: String,
    /// Author time, seconds since the epoch.
    pub time: i64,
    /// Committer time.
    pub committed: i64,
    pub subject: String,
}
