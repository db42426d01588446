//! The names of the checkpoints: what each stage last stored, so a stage
//! whose inputs did not move is skipped, and the commit the index describes.

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
        }
    }
}
