//! The names of the checkpoints: what each stage last stored, so a stage
//! whose inputs did not move is skipped, and the commit the index describes.

use homer_store::{Store, WriteTx};

use crate::VocabError;

/// The store's revision counter: 0 before the first change.
pub fn stored_revision(store: &Store) -> Result<u64, VocabError> {
    parse_revision(store.checkpoint(&Checkpoint::Revision.name())?.as_deref())
}

/// A revision checkpoint's text as a number (0 when there is none).
pub fn parse_revision(text: Option<&str>) -> Result<u64, VocabError> {
    match text {
        None => Ok(0),
        Some(text) => text.parse().map_err(|_| VocabError::WrongValue {
            node: "the checkpoint 'revision'".to_owned(),
            name: "revision",
            expected: "a number",
        }),
    }
}

/// A named checkpoint in the `checkpoints` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Checkpoint {
    /// The commit the index describes; moves with the last stage that
    /// indexes it.
    Head,
    /// The memo engine's revision counter.
    Revision,
    /// A stage's signature: the inputs its stored outputs describe.
    Stage(&'static str),
    /// Something a stage saw that is outside its inputs and may change
    /// without them (blobs missing from a partial clone).
    Watch(&'static str),
    /// What the index holds, counted by the update that last changed it,
    /// with the revision it was counted at (`StoredCounts::read_kept`).
    Counts,
    /// How `[history]` bounds the mined history ([`BoundedHistory`]);
    /// absent when it does not.
    HistoryBound,
    /// The shallow clone's boundary commits the mined history starts at
    /// ([`ShallowHistory`]); absent when the clone is not shallow.
    Shallow,
    /// Who is who among the mined commits' authors ([`People`]).
    People,
    /// What the mined history holds besides its commits
    /// ([`HistoryCounts`]).
    HistoryCounts,
    /// What the stored parses and resolutions were made from (the source
    /// files' paths, blobs and hints, the manifests' blobs, the `[code]`
    /// settings and the kinds' versions), as a fingerprint: while it is
    /// the fingerprint of now, a code stage parses and resolves nothing.
    CodeSources,
    /// The settings the stored graph analyses were made with, set when the
    /// graph stage analyses the graphs and cleared by a code stage that
    /// changes their nodes or edges: while it holds the settings of now,
    /// the stored analyses describe the graphs as they are.
    GraphsAnalysed,
    /// The commit an update is moving the index to: set in the
    /// transaction of its first stage, cleared in the one that moves
    /// `Head`. While it is there (the update runs, or it was stopped) the
    /// index is part the `Head` commit and part this one.
    Updating,
    /// The versions of the task kinds the stored outputs were made by
    /// ([`TaskVersions`]), set with `Head`: a newer Homer whose kinds
    /// differ redoes those tasks on its next update.
    TaskVersions,
}

/// A checkpoint holding one value as JSON, absent when there is none:
/// what the history stage recorded for readers.
pub trait JsonCheckpoint: serde::Serialize + serde::de::DeserializeOwned {
    const CHECKPOINT: Checkpoint;
    /// The checkpoint in words, for an error.
    const WHAT: &'static str;

    /// The value the checkpoint holds, if any.
    fn read(store: &Store) -> Result<Option<Self>, VocabError> {
        Self::from_text(store.checkpoint(&Self::CHECKPOINT.name())?)
    }

    /// [`JsonCheckpoint::read`] inside a write transaction.
    fn read_tx(tx: &WriteTx<'_>) -> Result<Option<Self>, VocabError> {
        Self::from_text(tx.checkpoint(&Self::CHECKPOINT.name())?)
    }

    /// Records `value` for readers, or that there is none.
    fn write(tx: &WriteTx<'_>, value: Option<&Self>) -> Result<(), VocabError> {
        let name = Self::CHECKPOINT.name();
        match value {
            // Plain data: serializing cannot fail.
            Some(v) => tx.set_checkpoint(
                &name,
                &serde_json::to_string(v).expect("plain data serializes"),
            )?,
            None => tx.clear_checkpoint(&name)?,
        }
        Ok(())
    }

    /// The checkpoint's text read back.
    fn parse(text: &str) -> Result<Self, VocabError> {
        serde_json::from_str(text).map_err(|e| VocabError::BadAttrs {
            what: Self::WHAT.to_owned(),
            message: e.to_string(),
        })
    }

    /// The value of a checkpoint's text, if there is one.
    fn from_text(text: Option<String>) -> Result<Option<Self>, VocabError> {
        text.as_deref().map(Self::parse).transpose()
    }
}

impl JsonCheckpoint for BoundedHistory {
    const CHECKPOINT: Checkpoint = Checkpoint::HistoryBound;
    const WHAT: &'static str = "the history bound checkpoint";
}

/// The people behind the mined commits' author identities: identities
/// (canonical e-mails after the mailmap) that share an e-mail or a full
/// name are one person, known by the identity with the most commits.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct People {
    /// How many people authored the mined commits.
    pub people: u64,
    /// Each identity that is not the one its person is known by, and that
    /// one.
    pub aliases: std::collections::BTreeMap<String, String>,
}

impl People {
    /// How many author identities there are: the people, and the other
    /// identities each is also known by.
    #[must_use]
    pub fn identities(&self) -> u64 {
        self.people + self.aliases.len() as u64
    }

    /// The identity `author` is known by.
    #[must_use]
    pub fn known_as<'a>(&'a self, author: &'a str) -> &'a str {
        self.aliases.get(author).map_or(author, String::as_str)
    }

    /// Whether an author's name or e-mail is an automaton's
    /// (`dependabot[bot]`, `github-actions[bot]`, `renovate[bot]`: GitHub
    /// marks its apps so, in the name and in the no-reply address). It
    /// owns the lines it wrote, but it is nobody to ask about them, nor a
    /// name that says who someone is.
    #[must_use]
    pub fn is_app(author: &str) -> bool {
        author.to_ascii_lowercase().contains("[bot]")
    }
}

impl JsonCheckpoint for People {
    const CHECKPOINT: Checkpoint = Checkpoint::People;
    const WHAT: &'static str = "the people checkpoint";
}

/// What the behaviour stage counted in the mined commits' records for
/// `homer status`: the records are the only copy of the history, so these
/// are not rows to count (the author identities are [`People`]'s).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HistoryCounts {
    /// Files the counted commits changed that are not at HEAD.
    pub files_gone: u64,
}

impl JsonCheckpoint for HistoryCounts {
    const CHECKPOINT: Checkpoint = Checkpoint::HistoryCounts;
    const WHAT: &'static str = "the history counts checkpoint";
}

/// The version of each task kind (by name) the stored outputs were made
/// by. Absent in an index written before Homer recorded them.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaskVersions(pub std::collections::BTreeMap<String, u32>);

impl TaskVersions {
    /// The kinds whose stored version differs from `current`'s (or that
    /// one of them lacks), by name: what the next update redoes whole.
    #[must_use]
    pub fn differing(&self, current: &TaskVersions) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (name, version) in &current.0 {
            if self.0.get(name) != Some(version) {
                names.push(name.clone());
            }
        }
        for name in self.0.keys() {
            if !current.0.contains_key(name) {
                names.push(name.clone());
            }
        }
        names.sort();
        names
    }
}

impl JsonCheckpoint for TaskVersions {
    const CHECKPOINT: Checkpoint = Checkpoint::TaskVersions;
    const WHAT: &'static str = "the task versions checkpoint";
}

impl JsonCheckpoint for ShallowHistory {
    const CHECKPOINT: Checkpoint = Checkpoint::Shallow;
    const WHAT: &'static str = "the shallow history checkpoint";
}

/// What a bounded history left out: the settings, and how many of the
/// commits reachable from HEAD were mined.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BoundedHistory {
    pub max_commits: Option<u64>,
    /// The first day kept, `YYYY-MM-DD`.
    pub since: Option<String>,
    pub mined: u64,
    pub reachable: u64,
}

impl BoundedHistory {
    /// The settings in words: `max_commits = 500, since = "2024-01-01"`.
    #[must_use]
    pub fn setting(&self) -> String {
        let mut parts = Vec::new();
        if let Some(n) = self.max_commits {
            parts.push(format!("max_commits = {n}"));
        }
        if let Some(day) = &self.since {
            parts.push(format!("since = \"{day}\""));
        }
        parts.join(", ")
    }

    /// Whether commits were left out.
    #[must_use]
    pub fn partial(&self) -> bool {
        self.mined < self.reachable
    }

    /// What every answer that rests on the history says about it when
    /// commits were left out.
    #[must_use]
    pub fn warning(&self) -> String {
        format!(
            "history bounded by [history] {}: churn, ownership and coupling count only the {} of {} commits mined",
            self.setting(),
            self.mined,
            self.reachable
        )
    }
}

/// A shallow clone's history: it starts at boundary commits whose parents
/// the clone lacks. Git compares such a commit with an empty tree, so it
/// seems to add every file it holds; what it really changed is unknown, and
/// the behavioural metrics leave it out.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShallowHistory {
    /// The boundary commits that were mined, sorted.
    pub boundary: Vec<String>,
    /// Every commit mined, the boundary included.
    pub mined: u64,
}

impl ShallowHistory {
    /// The commits mined after the boundary: those the metrics count.
    #[must_use]
    pub fn counted(&self) -> u64 {
        self.mined.saturating_sub(self.boundary.len() as u64)
    }

    /// What every answer that rests on the history says about it.
    #[must_use]
    pub fn warning(&self) -> String {
        let at = if self.boundary.len() == 1 {
            "its boundary commit".to_owned()
        } else {
            format!("its {} boundary commits", self.boundary.len())
        };
        match self.counted() {
            0 => format!(
                "a shallow clone: what {at} changed, and all before, is unknown, so there is no churn, ownership or coupling; `git fetch --unshallow` and `homer update` for them"
            ),
            n => format!(
                "a shallow clone: history stops at {at}, so churn, ownership and coupling count only the {} after {}; `git fetch --unshallow` and `homer update` for all of it",
                if n == 1 {
                    "1 commit".to_owned()
                } else {
                    format!("{n} commits")
                },
                if self.boundary.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            ),
        }
    }
}

impl Checkpoint {
    /// The name in the `checkpoints` table.
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Checkpoint::Head => "head".to_owned(),
            Checkpoint::Revision => "revision".to_owned(),
            Checkpoint::Stage(stage) => format!("stage.{stage}"),
            Checkpoint::Watch(stage) => format!("watch.{stage}"),
            Checkpoint::Counts => "counts".to_owned(),
            Checkpoint::HistoryBound => "history.bound".to_owned(),
            Checkpoint::Shallow => "history.shallow".to_owned(),
            Checkpoint::People => "history.people".to_owned(),
            Checkpoint::HistoryCounts => "history.counts".to_owned(),
            Checkpoint::GraphsAnalysed => "graph.analysed".to_owned(),
            Checkpoint::CodeSources => "code.sources".to_owned(),
            Checkpoint::Updating => "updating".to_owned(),
            Checkpoint::TaskVersions => "task_versions".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{People, TaskVersions};

    /// A kind whose version moved, one new and one gone are each named
    /// once, in name order; the same versions name none.
    #[test]
    fn task_versions_name_the_kinds_that_differ() {
        let of = |pairs: &[(&str, u32)]| {
            TaskVersions(pairs.iter().map(|&(n, v)| (n.to_owned(), v)).collect())
        };
        let stored = of(&[("parse", 5), ("symbols", 3), ("tree", 1), ("old", 1)]);
        let current = of(&[("parse", 5), ("symbols", 4), ("tree", 1), ("new", 1)]);
        assert_eq!(stored.differing(&current), ["new", "old", "symbols"]);
        assert!(current.differing(&current).is_empty());
    }

    /// GitHub's apps are not people to ask; people whose names or
    /// addresses merely hold "bot" are.
    #[test]
    fn apps_are_not_people_to_ask() {
        for app in [
            "49699333+dependabot[bot]@users.noreply.github.com",
            "41898282+github-actions[bot]@users.noreply.github.com",
            "29139614+renovate[bot]@users.noreply.github.com",
            "dependabot[bot]",
        ] {
            assert!(People::is_app(app), "{app}");
        }
        for person in [
            "abbot@example.com",
            "talbot.jones@example.org",
            "bot@example.com",
        ] {
            assert!(!People::is_app(person), "{person}");
        }
    }
}
