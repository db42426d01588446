//! What an index holds, counted: for `homer status` and the update report.

use std::collections::BTreeMap;

use homer_store::{KindCount, NodeKind, Store, WriteTx};
use serde::{Deserialize, Serialize};

use crate::history::COMMIT_TASK;
use crate::values::ValueName;
use crate::{
    Checkpoint, HistoryCounts, JsonCheckpoint, People, SalienceClass, SkipReason, VocabError,
};

/// Counts of stored rows, by kind (sorted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCounts {
    /// Nodes that exist at HEAD (files, directories, symbols), and the
    /// mined commits and their authors.
    pub current: BTreeMap<String, u64>,
    /// Nodes kept only because history references them (files deleted since).
    pub history_only: BTreeMap<String, u64>,
    pub edges: BTreeMap<String, u64>,
    pub tasks: BTreeMap<String, u64>,
    pub chunks: u64,
    pub embeddings: u64,
    /// Distinct chunk texts meant to have a vector for the current model,
    /// and how many have one (semantic search sees only those).
    pub texts_to_embed: u64,
    pub texts_embedded: u64,
    pub code: CodeCounts,
    /// Parsed files by salience class.
    pub classes: BTreeMap<SalienceClass, u64>,
}

/// What the code stage found at HEAD.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCounts {
    /// Parsed files by language.
    pub languages: BTreeMap<String, u64>,
    /// Files that look like code but were not parsed, by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// Calls resolved to one definition.
    pub calls_certain: u64,
    /// Calls resolved by name alone, to the most likely definition.
    pub calls_guessed: u64,
    /// Calls to nothing the repository defines (the standard library,
    /// dependencies, dynamic dispatch Homer cannot follow).
    pub calls_unresolved: u64,
    /// Syntax errors the parser recovered from.
    pub parse_errors: u64,
}

/// The counts as an update kept them: valid while the index stays at
/// `revision` (every change moves it) and for the model they were
/// counted for.
#[derive(Serialize, Deserialize)]
struct Kept {
    revision: u64,
    model: String,
    counts: StoredCounts,
}

impl StoredCounts {
    /// The counts the last update kept, when nothing changed since and
    /// they were counted for `model`; otherwise counted now. Counting
    /// reads every node, edge and task (a third of a second at 100,000
    /// nodes), so `homer status` and an update with nothing to do read the
    /// kept copy instead.
    pub fn read_kept(store: &Store, model: &str) -> Result<StoredCounts, VocabError> {
        match StoredCounts::kept(store, model)? {
            Some(counts) => Ok(counts),
            None => StoredCounts::read(store, model),
        }
    }

    /// The counts the last update kept, when the index has not changed
    /// since and they were counted for `model`.
    pub fn kept(store: &Store, model: &str) -> Result<Option<StoredCounts>, VocabError> {
        let revision = crate::stored_revision(store)?;
        let kept = store.checkpoint(&Checkpoint::Counts.name())?;
        Ok(kept
            .as_deref()
            .and_then(|k| Kept::valid(k, revision, model)))
    }

    /// Keeps these counts, counted at `revision` for `model`, for the
    /// readers that come before the next change.
    pub fn keep(&self, tx: &WriteTx<'_>, revision: u64, model: &str) -> Result<(), VocabError> {
        let kept = Kept {
            revision,
            model: model.to_owned(),
            counts: self.clone(),
        };
        // Plain data: serializing cannot fail.
        let text = serde_json::to_string(&kept).expect("plain data serializes");
        tx.set_checkpoint(&Checkpoint::Counts.name(), &text)?;
        Ok(())
    }

    /// Counts what `store` holds; `model` names the embedding model whose
    /// coverage is counted.
    pub fn read(store: &Store, model: &str) -> Result<StoredCounts, VocabError> {
        StoredCounts::read_covered(store, model, None)
    }

    /// [`StoredCounts::read`], with the embedding coverage (texts to
    /// embed, texts embedded) when the caller has just counted it.
    pub fn read_covered(
        store: &Store,
        model: &str,
        coverage: Option<(u64, u64)>,
    ) -> Result<StoredCounts, VocabError> {
        let summary = store.summary()?;
        let map = |list: &[KindCount]| -> BTreeMap<String, u64> {
            list.iter().map(|k| (k.kind.clone(), k.count)).collect()
        };
        let mut current = map(&summary.current_nodes);
        let mut history_only = map(&summary.historical_nodes);
        // The history is kept as records, not nodes: a commit is its task,
        // and its authors and the files it changed that are gone were
        // counted when it was mined.
        let commits = summary
            .tasks
            .iter()
            .find(|k| k.kind == COMMIT_TASK)
            .map_or(0, |k| k.count);
        if commits > 0 {
            current.insert("commit".to_owned(), commits);
        }
        if let Some(people) = People::read(store)? {
            current.insert("author".to_owned(), people.identities());
        }
        if let Some(counts) = HistoryCounts::read(store)?
            && counts.files_gone > 0
        {
            history_only.insert(NodeKind::File.name().to_owned(), counts.files_gone);
        }
        let mut skipped = BTreeMap::new();
        for k in store.value_counts(ValueName::Skipped.name())? {
            let reason = SkipReason::from_name(&k.kind).ok_or_else(|| VocabError::WrongValue {
                node: format!("a file skipped as '{}'", k.kind),
                name: ValueName::Skipped.name(),
                expected: "a skip reason",
            })?;
            skipped.insert(reason, k.count);
        }
        let mut classes = BTreeMap::new();
        for k in store.value_counts(ValueName::SalienceClass.name())? {
            let class =
                SalienceClass::from_name(&k.kind).ok_or_else(|| VocabError::WrongValue {
                    node: format!("a file classed '{}'", k.kind),
                    name: ValueName::SalienceClass.name(),
                    expected: "a salience class",
                })?;
            classes.insert(class, k.count);
        }
        let totals = map(&store.value_sums(&[
            ValueName::CallsCertain.name(),
            ValueName::CallsGuessed.name(),
            ValueName::CallsUnresolved.name(),
            ValueName::ParseErrors.name(),
        ])?);
        let total = |name: ValueName| totals.get(name.name()).copied().unwrap_or(0);
        let (texts_to_embed, texts_embedded) = match coverage {
            Some(known) => known,
            None => store.embedding_coverage(model)?,
        };
        Ok(StoredCounts {
            current,
            history_only,
            edges: map(&summary.edges),
            tasks: map(&summary.tasks),
            chunks: summary.chunks,
            embeddings: summary.embeddings,
            texts_to_embed,
            texts_embedded,
            classes,
            code: CodeCounts {
                languages: map(&store.value_counts(ValueName::Language.name())?),
                skipped,
                calls_certain: total(ValueName::CallsCertain),
                calls_guessed: total(ValueName::CallsGuessed),
                calls_unresolved: total(ValueName::CallsUnresolved),
                parse_errors: total(ValueName::ParseErrors),
            },
        })
    }
}

impl Kept {
    /// The counts in `text` when they were kept at `revision` for
    /// `model`. A copy that does
    /// not read is no copy: the counts are counted again.
    fn valid(text: &str, revision: u64, model: &str) -> Option<StoredCounts> {
        let kept: Kept = serde_json::from_str(text).ok()?;
        (kept.revision == revision && kept.model == model).then_some(kept.counts)
    }
}
