//! The salience score, computed where it is read.
//!
//! A file's salience is a weighted sum of percentile ranks among the
//! repository's production files (`homer-update`'s `salience.rs` says
//! which and why). Stored per file, such a rank moved for most files
//! whenever a few gained a commit, so every update rewrote nearly every
//! file's score (73,171 of 75,000 on a kernel-sized repository after ten
//! commits). What is stored instead is the population: each production
//! file's five numbers again, under names of their own
//! (`salience_population_*`, so that only production files are counted),
//! with their marks. A number changes only when the file's own does, and
//! a reader ranks a file's numbers among them as any percentile is found,
//! from the marks and a count in the `(name, value)` index of at most a
//! thousandth of them. The update ranks the files it assesses in memory,
//! through the same function, so a score read here is the one its classes
//! and reasons were made from.

use homer_store::{Marks, NodeId, Place, Store, StoreError, TaskWriter};

use crate::VocabError;
use crate::values::{ValueName, Values, keys, put};

type StoreResult<T> = Result<T, StoreError>;

/// How a reason about a file's commits begins (`changed in 12 commits`,
/// `changed in only 2 commits`): salience's reasons say it, and a review
/// that says how often a file changed itself leaves salience's out rather
/// than saying it twice.
pub const CHANGED_IN: &str = "changed in ";

/// The values of a file a score is computed from (its population value
/// says whether it is one of the population); a reader asks the store for
/// their rows, [`crate::values::stored_rows`].
pub const READS: [ValueName; 7] = [
    ValueName::PageRank,
    ValueName::InDegree,
    ValueName::Betweenness,
    ValueName::Commits,
    ValueName::LastChange,
    ValueName::SalienceClass,
    ValueName::PopulationPageRank,
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

    /// The five numbers, in the order of [`NAMES`].
    #[allow(
        clippy::cast_precision_loss,
        reason = "counts and seconds far below 2^52"
    )]
    fn numbers(&self) -> [f64; 5] {
        [
            self.pagerank,
            self.in_degree as f64,
            self.betweenness,
            self.commits as f64,
            self.last_change as f64,
        ]
    }
}

/// The population's value names, in the order of [`Signals::numbers`].
const NAMES: [ValueName; 5] = [
    ValueName::PopulationPageRank,
    ValueName::PopulationInDegree,
    ValueName::PopulationBetweenness,
    ValueName::PopulationCommits,
    ValueName::PopulationLastChange,
];

/// Whether `name` is one of the population's: a file's own numbers
/// again, which a listing of its values leaves out.
#[must_use]
pub fn is_population(name: ValueName) -> bool {
    NAMES.contains(&name)
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

    /// The ranks of a file whose numbers stand at `places` in the
    /// population, leaving the file itself out when it is a `member`.
    fn of(places: [Place; 5], member: bool) -> Ranks {
        let [pagerank, dependents, betweenness, commits, recency] = places.map(|p| rank(p, member));
        Ranks {
            pagerank,
            dependents,
            betweenness,
            commits,
            recency,
        }
    }
}

/// The share of the population below a number at `place`, ties counted
/// half, leaving the file itself out when it is a `member`; 1 when no
/// other is there.
#[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn rank(place: Place, member: bool) -> f64 {
    let member = u64::from(member);
    let others = place.total.saturating_sub(member);
    if others == 0 {
        return 1.0;
    }
    let equal = place.equal.saturating_sub(member);
    (place.below as f64 + equal as f64 / 2.0) / others as f64
}

/// The population in memory, as the update that ranks every file holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    /// Each number's marks of every value: places found without counting.
    marks: [Marks; 5],
}

impl Population {
    /// The population of `members`' signals.
    pub fn of<'a>(members: impl IntoIterator<Item = &'a Signals>) -> Population {
        let numbers: Vec<[f64; 5]> = members.into_iter().map(Signals::numbers).collect();
        Population {
            marks: std::array::from_fn(|i| {
                Marks::of_every(&numbers.iter().map(|n| n[i]).collect::<Vec<f64>>())
            }),
        }
    }

    /// The ranks of a file with `signals`, one of the population when
    /// `member`.
    #[must_use]
    pub fn ranks(&self, signals: &Signals, member: bool) -> Ranks {
        let numbers = signals.numbers();
        let places = std::array::from_fn(|i| self.marks[i].place_among_every(numbers[i]));
        Ranks::of(places, member)
    }

    /// Stores the population: each member's five numbers under the
    /// population's names (a number is written again only when it
    /// changed; that a file has them is what makes it a member for a
    /// reader), and their marks.
    pub fn write<'a>(
        w: &mut TaskWriter<'_>,
        members: impl IntoIterator<Item = (NodeId, &'a Signals)>,
    ) -> StoreResult<()> {
        let mut numbers: [Vec<f64>; 5] = Default::default();
        for (node, s) in members {
            // As the reals they are ranked as (`Signals::numbers`): the
            // `(name, value)` index, in which a reader counts between two
            // marks, holds reals only.
            let ranked = s.numbers();
            let keys = [
                keys::POPULATION_PAGERANK,
                keys::POPULATION_IN_DEGREE,
                keys::POPULATION_BETWEENNESS,
                keys::POPULATION_COMMITS,
                keys::POPULATION_LAST_CHANGE,
            ];
            for (key, n) in keys.into_iter().zip(ranked) {
                put(w, node, key, &n)?;
            }
            for (all, n) in numbers.iter_mut().zip(ranked) {
                all.push(n);
            }
        }
        for (name, all) in NAMES.iter().zip(&numbers) {
            w.marks(name.name(), all)?;
        }
        Ok(())
    }
}

/// The stored population, as a reader ranks in it: the marks of each
/// number (at most 1,025 each), places counted between them in the index.
#[derive(Clone, Debug, PartialEq)]
pub struct Populations {
    marks: [Marks; 5],
}

impl Populations {
    /// The stored marks; `None` before the graph stage stored them (an
    /// update stopped part way through its first build).
    pub fn read(store: &Store) -> StoreResult<Option<Populations>> {
        let mut marks = Vec::with_capacity(NAMES.len());
        for name in NAMES {
            match store.value_marks(name.name())? {
                Some(m) => marks.push(m),
                None => return Ok(None),
            }
        }
        Ok(<[Marks; 5]>::try_from(marks)
            .ok()
            .map(|marks| Populations { marks }))
    }

    /// The ranks of a file with `signals`, one of the population when
    /// `member`.
    pub fn ranks(&self, store: &Store, signals: &Signals, member: bool) -> StoreResult<Ranks> {
        let numbers = signals.numbers();
        let mut places = [Place {
            below: 0,
            equal: 0,
            total: 0,
        }; 5];
        for (i, place) in places.iter_mut().enumerate() {
            *place = store.place(NAMES[i].name(), &self.marks[i], numbers[i])?;
        }
        Ok(Ranks::of(places, member))
    }
}

/// The score of one file read from its values, `None` for a file salience
/// did not rank (no class stored) or when no population is stored. The
/// file is one of the population when it has a population value of its
/// own (production code, or every file when none is).
pub fn score_of(
    store: &Store,
    populations: Option<&Populations>,
    values: &Values,
) -> Result<Option<f64>, VocabError> {
    let Some(populations) = populations else {
        return Ok(None);
    };
    if values.get(keys::SALIENCE_CLASS)?.is_none() {
        return Ok(None);
    }
    let Some(signals) = Signals::of(values)? else {
        return Ok(None);
    };
    let member = values.get(keys::POPULATION_PAGERANK)?.is_some();
    Ok(Some(populations.ranks(store, &signals, member)?.score()))
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
        let p = Population::of(&files);
        // A member among four: three others; 0.2 ties one other.
        let r = p.ranks(&files[1], true);
        assert!((r.pagerank - (1.0 + 0.5) / 3.0).abs() < 1e-15);
        assert!((r.dependents - 1.0 / 3.0).abs() < 1e-15);
        assert!((r.commits - 0.5 / 3.0).abs() < 1e-15);
        // A file not of the population (a test file) is ranked against all
        // four.
        let t = p.ranks(&files[1], false);
        assert!((t.pagerank - (1.0 + 1.0) / 4.0).abs() < 1e-15);
        // A number no file has sits between its neighbours.
        let between = p.ranks(&signals(0.5, 9, 0, 0), false);
        assert!((between.pagerank - 3.0 / 4.0).abs() < 1e-15);
        assert!((between.dependents - 1.0).abs() < 1e-15);
        assert!(between.commits.abs() < 1e-15);
        // Alone: 1.
        let alone = Population::of(&files[..1]);
        assert!((alone.ranks(&files[0], true).pagerank - 1.0).abs() < 1e-15);
    }

    /// A reader ranks a file among the stored population as the update
    /// ranked it in memory, however many files there are: past 1,024 the
    /// stored marks skip values and the numbers between two marks are
    /// counted in the index, integers (commits, times) as well as reals.
    #[test]
    fn a_stored_population_ranks_as_the_one_in_memory() {
        use homer_store::{NodeId, NodeKind, Store, TaskId};
        let files: Vec<Signals> = (0..3000_i64)
            .map(|i| Signals {
                pagerank: (i % 997) as f64 / 997.0,
                in_degree: i % 37,
                betweenness: (i % 101) as f64,
                commits: (i * 7) % 1009,
                last_change: 1_600_000_000 + i * 3_607,
            })
            .collect();
        let mut store = Store::open_in_memory().expect("open");
        let tx = store.begin_write().expect("tx");
        let owner = TaskId::of("salience", "");
        tx.ensure_task("salience", owner, "").expect("task row");
        let mut w = tx.task_writer(owner, true);
        let nodes: Vec<NodeId> = (0..files.len())
            .map(|i| {
                w.intern_node(NodeKind::File, &format!("f{i}.rs"))
                    .expect("node")
            })
            .collect();
        Population::write(&mut w, nodes.iter().copied().zip(&files)).expect("write");
        w.finish(None).expect("finish");
        tx.commit().expect("commit");
        let memory = Population::of(&files);
        let stored = Populations::read(&store).expect("read").expect("stored");
        for i in [0, 1, 17, 1234, 2999] {
            let want = memory.ranks(&files[i], true);
            let got = stored.ranks(&store, &files[i], true).expect("ranks");
            assert_eq!(got, want, "file {i}");
        }
        let outside = signals(0.5, 20, 500, 1_605_000_000);
        assert_eq!(
            stored.ranks(&store, &outside, false).expect("ranks"),
            memory.ranks(&outside, false)
        );
    }
}
