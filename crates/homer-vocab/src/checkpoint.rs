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
        }
    }
}
