//! What the history stage keeps of each commit: the record its task
//! stores as its value. The behaviour stage reads every record for the
//! metrics; readers read one to show a commit (its author, times and
//! changed files). It is the only copy of a commit's changes in the index.

use serde::{Deserialize, Serialize};

use crate::VocabError;

/// The kind of the memo task whose value is a commit's record.
pub const COMMIT_TASK: &str = "commit";

/// What a commit task keeps for the metrics. The history stage builds it
/// with owned strings and stores it in the form of [`CommitRecord::encode`]
/// (its texts by id); the behaviour stage reads every commit's record as
/// `CommitRecord<&str>`, its strings borrowed from the texts read once
/// ([`StoredRecord::resolve`]), which spares building and freeing some
/// 300,000 strings on a 50,000-commit history.
#[derive(Clone, Debug, PartialEq)]
pub struct CommitRecord<S = String> {
    /// Committer time (seconds since the epoch), for ordering.
    pub committed: i64,
    /// Author time, for first and last change.
    pub authored: i64,
    /// The canonical author key.
    pub author: S,
    pub parents: Vec<S>,
    pub changes: Vec<ChangeRecord<S>>,
    /// Blobs the diff could not read (a partial clone), as hex ids.
    pub missing: Vec<S>,
    /// The author's name (after the mailmap): identities that share it
    /// are one person (the behaviour stage's `people`).
    pub name: S,
}

/// The id a stored record gives a text it names (a changed path, the
/// author's e-mail and name): xxh3 of the text, as a signed integer. The
/// index keeps each text once, in `record_texts`, and a record the same
/// bytes in every index.
#[must_use]
pub fn text_id(text: &str) -> i64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes()) as i64
}

impl<S: AsRef<str>> CommitRecord<S> {
    /// The stored form: postcard (compact and quick to read back: the
    /// behaviour stage reads every commit's record when HEAD moves), each
    /// path and the author by [`text_id`]; the texts go to the index
    /// beside it ([`CommitRecord::texts`]).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let stored = Stored {
            committed: self.committed,
            authored: self.authored,
            author: TextId::of(self.author.as_ref()),
            parents: self.parents.iter().map(AsRef::as_ref).collect(),
            changes: self
                .changes
                .iter()
                .map(|c| StoredChange {
                    path: TextId::of(c.path.as_ref()),
                    status: c.status,
                    added: c.added,
                    deleted: c.deleted,
                    from: c.from.as_ref().map(|f| TextId::of(f.as_ref())),
                })
                .collect(),
            missing: self.missing.iter().map(AsRef::as_ref).collect(),
            name: TextId::of(self.name.as_ref()),
        };
        // Plain data: serializing cannot fail.
        postcard::to_stdvec(&stored).expect("plain data serializes")
    }

    /// The texts the stored form names by id, with their ids.
    #[must_use]
    pub fn texts(&self) -> Vec<(i64, &str)> {
        let mut texts = vec![self.author.as_ref(), self.name.as_ref()];
        for c in &self.changes {
            texts.push(c.path.as_ref());
            if let Some(from) = &c.from {
                texts.push(from.as_ref());
            }
        }
        texts.into_iter().map(|t| (text_id(t), t)).collect()
    }
}

impl<'t> CommitRecord<&'t str> {
    /// Reads the stored record of commit `id`, its texts looked up in
    /// `texts` (the index's `record_texts`, or those of its ids).
    ///
    /// # Errors
    /// [`VocabError::BadRecord`] when the bytes are not a record or name a
    /// text `texts` lacks.
    pub fn decode(
        id: &str,
        bytes: &'t [u8],
        texts: &'t std::collections::HashMap<i64, String>,
    ) -> Result<CommitRecord<&'t str>, VocabError> {
        StoredRecord::decode(id, bytes)?.resolve(id, texts)
    }

    /// The record with owned strings.
    #[must_use]
    pub fn to_owned_record(&self) -> CommitRecord {
        CommitRecord {
            committed: self.committed,
            authored: self.authored,
            author: self.author.to_owned(),
            parents: self.parents.iter().map(|&p| p.to_owned()).collect(),
            changes: self
                .changes
                .iter()
                .map(|c| ChangeRecord {
                    path: c.path.to_owned(),
                    status: c.status,
                    added: c.added,
                    deleted: c.deleted,
                    from: c.from.map(str::to_owned),
                })
                .collect(),
            missing: self.missing.iter().map(|&m| m.to_owned()).collect(),
            name: self.name.to_owned(),
        }
    }
}

/// A text's id as a record stores it: eight bytes, little-endian (as a
/// varint a hash takes nine or ten).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct TextId([u8; 8]);

impl TextId {
    fn of(text: &str) -> TextId {
        TextId(text_id(text).to_le_bytes())
    }

    fn get(self) -> i64 {
        i64::from_le_bytes(self.0)
    }
}

/// A commit's record as stored: its texts by id.
#[derive(Debug, Serialize, Deserialize)]
struct Stored<'a> {
    committed: i64,
    authored: i64,
    author: TextId,
    #[serde(borrow)]
    parents: Vec<&'a str>,
    changes: Vec<StoredChange>,
    #[serde(borrow)]
    missing: Vec<&'a str>,
    name: TextId,
}

/// (Every field is written: postcard reads fields by position, so none
/// may be skipped.)
#[derive(Debug, Serialize, Deserialize)]
struct StoredChange {
    path: TextId,
    status: char,
    added: Option<u32>,
    deleted: Option<u32>,
    from: Option<TextId>,
}

/// A stored record read without its texts: what needs none of them (its
/// times, parents, the blobs it could not read) and the ids it names.
#[derive(Debug)]
pub struct StoredRecord<'a>(Stored<'a>);

impl<'a> StoredRecord<'a> {
    /// Reads the stored record of commit `id`.
    ///
    /// # Errors
    /// [`VocabError::BadRecord`] when the bytes are not a record.
    pub fn decode(id: &str, bytes: &'a [u8]) -> Result<StoredRecord<'a>, VocabError> {
        postcard::from_bytes(bytes)
            .map(StoredRecord)
            .map_err(|e| VocabError::BadRecord {
                what: format!("commit {id}"),
                message: e.to_string(),
            })
    }

    /// Committer and author time.
    #[must_use]
    pub fn times(&self) -> (i64, i64) {
        (self.0.committed, self.0.authored)
    }

    /// How many files the commit changed.
    #[must_use]
    pub fn change_count(&self) -> usize {
        self.0.changes.len()
    }

    /// Blobs the diff could not read, as hex ids.
    #[must_use]
    pub fn missing(&self) -> &[&'a str] {
        &self.0.missing
    }

    /// The ids of the texts it names.
    pub fn text_ids(&self) -> impl Iterator<Item = i64> + '_ {
        [self.0.author, self.0.name]
            .into_iter()
            .chain(
                self.0
                    .changes
                    .iter()
                    .flat_map(|c| std::iter::once(c.path).chain(c.from)),
            )
            .map(TextId::get)
    }

    /// The record, its texts looked up in `texts`.
    ///
    /// # Errors
    /// [`VocabError::BadRecord`] when `texts` lacks one it names.
    pub fn resolve<'t>(
        self,
        id: &str,
        texts: &'t std::collections::HashMap<i64, String>,
    ) -> Result<CommitRecord<&'t str>, VocabError>
    where
        'a: 't,
    {
        let text = |t: TextId| -> Result<&'t str, VocabError> {
            let t = t.get();
            texts
                .get(&t)
                .map(String::as_str)
                .ok_or_else(|| VocabError::BadRecord {
                    what: format!("commit {id}"),
                    message: format!("it names text {t}, which the index does not hold"),
                })
        };
        let stored = self.0;
        let mut changes = Vec::with_capacity(stored.changes.len());
        for c in &stored.changes {
            changes.push(ChangeRecord {
                path: text(c.path)?,
                status: c.status,
                added: c.added,
                deleted: c.deleted,
                from: c.from.map(text).transpose()?,
            });
        }
        Ok(CommitRecord {
            committed: stored.committed,
            authored: stored.authored,
            author: text(stored.author)?,
            parents: stored.parents,
            changes,
            missing: stored.missing,
            name: text(stored.name)?,
        })
    }
}

/// One file change of a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRecord<S = String> {
    pub path: S,
    /// `A`dded, `M`odified, `D`eleted, `R`enamed, `T`ype changed.
    pub status: char,
    /// Lines added and deleted; `None` for binary or unreadable content.
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
