//! The salience score, computed where it is read.
//!
//! A file's salience is a weighted sum of percentile ranks among the
//! repository's production files (`homer-update`'s `salience.rs` says
//! which and why). Stored per file, such a rank moved for most files
//! whenever a few gained a commit, so every update rewrote nearly every
//! file's score (73,171 of 75,000 on a kernel-sized repository after ten
//! commits). What is stored instead is the population each signal is
//! ranked in, whole, as marks of every value (`value_marks`, one row per
//! signal); a reader ranks a file's own signals in them. The update that
//! stores them computes its classes and reasons through the same
//! functions, so a score read here is the one the classes were made from.

use homer_store::{Marks, Store, StoreError, TaskWriter};

type StoreResult<T> = Result<T, StoreError>;

use crate::values::{ValueName, Values, keys};
use crate::{FileRole, VocabError};

/// The populations' names in `value_names` (names of marks only: no node
/// has a value of these names).
const PAGERANK: &str = "salience_population_pagerank";
const DEPENDENTS: &str = "salience_population_in_degree";
const BETWEENNESS: &str = "salience_population_betweenness";
const COMMITS: &str = "salience_population_commits";
const RECENCY: &str = "salience_population_last_change";
/// Present when no file is production code: then every file is ranked as
/// one of the population (the test files of a repository of tests).
const EVERYONE: &str = "salience_population_everyone";

/// The values of a file a score is computed from.
pub const READS: [ValueName; 6] = [
    ValueName::PageRank,
    ValueName::InDegree,
    ValueName::Betweenness,
    ValueName::Commits,
    ValueName::LastChange,
    ValueName::SalienceClass,
];

/// The numbers salience ranks of one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Signals {
    pub pagerank: f64,
    pub in_degree: i64,
    pub betweenness: f64,
    pub commits: i64,
    pub last_change: i64,
}

impl Signals {
    /// A file's signals from its values (a missing one counts 0); `None`
    /// for a file the file graph did not rank (no PageRank).
    pub fn of(values: &Values) -> Result<Option<Signals>, VocabError> {
        let Some(pagerank) = values.get(keys::PAGERANK)? else {
            return Ok(None);
        };
        Ok(Some(Signals {
            pagerank,
            in_degree: values.get(keys::IN_DEGREE)?.unwrap_or(0),
            betweenness: values.get(keys::BETWEENNESS)?.unwrap_or(0.0),
            commits: values.get(keys::COMMITS)?.unwrap_or(0),
            last_change: values.get(keys::LAST_CHANGE)?.unwrap_or(0),
        }))
    }
}

/// A file's percentile ranks (0..=1) among the population.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ranks {
    pub pagerank: f64,
    pub dependents: f64,
    pub betweenness: f64,
    pub commits: f64,
    pub recency: f64,
}

impl Ranks {
    /// S: where the file stands in the dependency graph.
    #[must_use]
    pub fn structure(&self) -> f64 {
        0.6 * self.pagerank + 0.2 * self.dependents + 0.2 * self.betweenness
    }

    /// The salience score: 0.6·S + 0.25·rank(commits) + 0.15·rank(last
    /// change).
    #[must_use]
    pub fn score(&self) -> f64 {
        0.6 * self.structure() + 0.25 * self.commits + 0.15 * self.recency
    }
}

/// The populations a file's signals are ranked in.
#[derive(Clone, Debug, PartialEq)]
pub struct Populations {
    pagerank: Marks,
    dependents: Marks,
    betweenness: Marks,
    commits: Marks,
    recency: Marks,
    /// No file is production code: every file is one of the population.
    everyone: bool,
}

impl Populations {
    /// The populations of `members`' signals; `everyone` when they are all
    /// the ranked files (none is production code).
    pub fn of<'a>(members: impl IntoIterator<Item = &'a Signals>, everyone: bool) -> Populations {
        let members: Vec<&Signals> = members.into_iter().collect();
        #[allow(
            clippy::cast_precision_loss,
            reason = "counts and seconds far below 2^52"
        )]
        let of = |f: fn(&Signals) -> f64| {
            Marks::of_every(&members.iter().map(|s| f(s)).collect::<Vec<f64>>())
        };
        Populations {
            pagerank: of(|s| s.pagerank),
            #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
            dependents: of(|s| s.in_degree as f64),
            betweenness: of(|s| s.betweenness),
            #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
            commits: of(|s| s.commits as f64),
            #[allow(clippy::cast_precision_loss, reason = "seconds far below 2^52")]
            recency: of(|s| s.last_change as f64),
            everyone,
        }
    }

    /// Stores them, owned by the task that ranked the files.
    pub fn write(&self, w: &mut TaskWriter<'_>) -> StoreResult<()> {
        for (name, marks) in self.named() {
            w.population(name, marks)?;
        }
        if self.everyone {
            w.population(EVERYONE, &Marks::of_every(&[1.0]))?;
        }
        Ok(())
    }

    /// The stored populations; `None` before the graph stage stored them
    /// (an update stopped part way through its first build).
    pub fn read(store: &Store) -> StoreResult<Option<Populations>> {
        let read = |name: &str| store.value_marks(name);
        let (Some(pagerank), Some(dependents), Some(betweenness), Some(commits), Some(recency)) = (
            read(PAGERANK)?,
            read(DEPENDENTS)?,
            read(BETWEENNESS)?,
            read(COMMITS)?,
            read(RECENCY)?,
        ) else {
            return Ok(None);
        };
        Ok(Some(Populations {
            pagerank,
            dependents,
            betweenness,
            commits,
            recency,
            everyone: read(EVERYONE)?.is_some(),
        }))
    }

    fn named(&self) -> [(&'static str, &Marks); 5] {
        [
            (PAGERANK, &self.pagerank),
            (DEPENDENTS, &self.dependents),
            (BETWEENNESS, &self.betweenness),
            (COMMITS, &self.commits),
            (RECENCY, &self.recency),
        ]
    }

    /// The ranks of the file at `path` with `signals`: among the
    /// population, leaving the file itself out when it is one of it.
    #[must_use]
    pub fn ranks(&self, path: &str, signals: &Signals) -> Ranks {
        let member = self.everyone || FileRole::of_path(path).is_none();
        #[allow(
            clippy::cast_precision_loss,
            reason = "counts and seconds far below 2^52"
        )]
        Ranks {
            pagerank: rank(&self.pagerank, signals.pagerank, member),
            dependents: rank(&self.dependents, signals.in_degree as f64, member),
            betweenness: rank(&self.betweenness, signals.betweenness, member),
            commits: rank(&self.commits, signals.commits as f64, member),
            recency: rank(&self.recency, signals.last_change as f64, member),
        }
    }

    /// The salience score of the file at `path` with `signals`.
    #[must_use]
    pub fn score(&self, path: &str, signals: &Signals) -> f64 {
        self.ranks(path, signals).score()
    }
}

/// The share of the population below `value`, ties counted half, leaving
/// the file itself out when it is a `member`; 1 when no other is there.
#[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn rank(population: &Marks, value: f64, member: bool) -> f64 {
    let place = population.place_among_every(value);
    let member = u64::from(member);
    let others = place.total.saturating_sub(member);
    if others == 0 {
        return 1.0;
    }
    let equal = place.equal.saturating_sub(member);
    (place.below as f64 + equal as f64 / 2.0) / others as f64
}

/// The score of one file read from its values, `None` for a file salience
/// did not rank (no class stored) or when no populations are stored.
pub fn score_of(
    populations: Option<&Populations>,
    path: &str,
    values: &Values,
) -> Result<Option<f64>, VocabError> {
    let Some(populations) = populations else {
        return Ok(None);
    };
    if values.get(keys::SALIENCE_CLASS)?.is_none() {
        return Ok(None);
    }
    Ok(Signals::of(values)?.map(|s| populations.score(path, &s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(pagerank: f64, in_degree: i64, commits: i64, last_change: i64) -> Signals {
        Signals {
            pagerank,
            in_degree,
            betweenness: 0.0,
            commits,
            last_change,
        }
    }

    #[test]
    fn ranks_count_ties_half_and_leave_a_member_out() {
        let files = [
            signals(0.1, 0, 1, 10),
            signals(0.2, 1, 1, 20),
            signals(0.2, 2, 5, 30),
            signals(0.9, 3, 9, 40),
        ];
        let p = Populations::of(&files, false);
        // A production file among four: three others; 0.2 ties one other.
        let r = p.ranks("src/b.rs", &files[1]);
        assert!((r.pagerank - (1.0 + 0.5) / 3.0).abs() < 1e-15);
        assert!((r.dependents - 1.0 / 3.0).abs() < 1e-15);
        assert!((r.commits - 0.5 / 3.0).abs() < 1e-15);
        // A test file is ranked against all four, itself not among them.
        let t = p.ranks("tests/b.rs", &files[1]);
        assert!((t.pagerank - (1.0 + 1.0) / 4.0).abs() < 1e-15);
        // A number no file has sits between its neighbours.
        let between = p.ranks("tests/x.rs", &signals(0.5, 9, 0, 0));
        assert!((between.pagerank - 3.0 / 4.0).abs() < 1e-15);
        assert!((between.dependents - 1.0).abs() < 1e-15);
        assert!(between.commits.abs() < 1e-15);
        // Alone: 1.
        let alone = Populations::of(&files[..1], false);
        assert!((alone.ranks("src/a.rs", &files[0]).pagerank - 1.0).abs() < 1e-15);
        // When no file is production code, a test file is a member.
        let everyone = Populations::of(&files, true);
        assert_eq!(everyone.ranks("tests/b.rs", &files[1]), r);
    }
}
