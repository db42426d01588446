//! Marks: where a number stands among the numbers of its name, found
//! without counting them all (schema 0009, `value_marks`).
//!
//! The values of a name, sorted, are cut every `total / MARKS` places;
//! each cut is a mark: its value, how many values lie below it and how
//! many equal it. A value that is a mark is placed from the mark alone;
//! any other lies strictly between two marks, and only what lies between
//! them is counted in the `(name, value)` index: fewer than
//! `total / MARKS` entries, however the values tie.

use rusqlite::{Connection, params};

use crate::{Result, StoreError};

/// How many marks a name's values get at most.
const MARKS: usize = 1024;

/// Bytes of one mark: the value, and the two counts.
const MARK_BYTES: usize = 24;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Mark {
    value: f64,
    below: u64,
    equal: u64,
}

/// The marks of one name's values.
#[derive(Clone, Debug, PartialEq)]
pub struct Marks {
    total: u64,
    /// Ascending by value, no two equal.
    marks: Vec<Mark>,
}

/// Where a value stands among the values of one name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub below: u64,
    pub equal: u64,
    pub total: u64,
}

impl Marks {
    /// The marks of `values` (in any order; none may be NaN, as SQLite
    /// stores none).
    pub(crate) fn of(values: &[f64]) -> Marks {
        Marks::cut(values, |n| n.div_ceil(MARKS).max(1))
    }

    /// Marks of every value: each distinct value is a mark, so
    /// [`Marks::place_among_every`] places any number without counting
    /// (a population held in memory, as salience ranks its files).
    #[must_use]
    pub fn of_every(values: &[f64]) -> Marks {
        Marks::cut(values, |_| 1)
    }

    /// The marks of `values` sorted and cut every `step(n)` places.
    fn cut(values: &[f64], step: impl Fn(usize) -> usize) -> Marks {
        let mut sorted = values.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        let n = sorted.len();
        let step = step(n);
        let mut marks: Vec<Mark> = Vec::new();
        let cuts = (0..n).step_by(step).chain(n.checked_sub(1));
        for i in cuts {
            let value = sorted[i];
            if marks.last().is_some_and(|m| m.value >= value) {
                continue;
            }
            // Compared as SQLite compares numbers (0.0 equals -0.0).
            let below = sorted.partition_point(|&x| x < value);
            let through = sorted.partition_point(|&x| x <= value);
            marks.push(Mark {
                value,
                below: below as u64,
                equal: (through - below) as u64,
            });
        }
        Marks {
            total: n as u64,
            marks,
        }
    }

    #[must_use]
    pub fn total(&self) -> u64 {
        self.total
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.marks.len() * MARK_BYTES);
        for m in &self.marks {
            out.extend_from_slice(&m.value.to_le_bytes());
            out.extend_from_slice(&m.below.to_le_bytes());
            out.extend_from_slice(&m.equal.to_le_bytes());
        }
        out
    }

    /// The marks stored as `blob`, or `None` when it is not a whole number
    /// of ascending marks (a reader then counts, as without marks).
    pub(crate) fn decode(total: i64, blob: &[u8]) -> Option<Marks> {
        if !blob.len().is_multiple_of(MARK_BYTES) {
            return None;
        }
        let word = |b: &[u8]| -> [u8; 8] { b.try_into().unwrap_or_default() };
        let marks: Vec<Mark> = blob
            .chunks_exact(MARK_BYTES)
            .map(|b| Mark {
                value: f64::from_le_bytes(word(&b[0..8])),
                below: u64::from_le_bytes(word(&b[8..16])),
                equal: u64::from_le_bytes(word(&b[16..24])),
            })
            .collect();
        let ascending = marks.windows(2).all(|w| w[0].value < w[1].value);
        Some(Marks {
            total: u64::try_from(total).ok()?,
            marks,
        })
        .filter(|_| ascending)
    }

    /// Where `value` stands: from its mark, or from the mark below it and
    /// `count`, which counts the stored values strictly between two
    /// numbers (`Between`) or equal to one (`Equal`).
    pub(crate) fn place(
        &self,
        value: f64,
        mut count: impl FnMut(Count) -> Result<u64>,
    ) -> Result<Place> {
        let total = self.total;
        let at = self.marks.partition_point(|m| m.value <= value);
        let Some(mark) = at.checked_sub(1).map(|i| self.marks[i]) else {
            // Below the smallest value: nothing is below, and nothing
            // equal but what the marks do not know of.
            return Ok(Place {
                below: 0,
                equal: count(Count::Equal(value))?,
                total,
            });
        };
        // Exactly: SQLite compares stored numbers so.
        #[allow(
            clippy::float_cmp,
            reason = "the stored value itself, not a computed one"
        )]
        if mark.value == value {
            return Ok(Place {
                below: mark.below,
                equal: mark.equal,
                total,
            });
        }
        let between = count(Count::Between(mark.value, value))?;
        Ok(Place {
            below: mark.below + mark.equal + between,
            equal: count(Count::Equal(value))?,
            total,
        })
    }
}

impl Marks {
    /// Where `value` stands among marks of every value
    /// ([`Marks::of_every`]): from the mark at or below it, counting
    /// nothing. On marks that skip values it would miss those between.
    #[must_use]
    pub fn place_among_every(&self, value: f64) -> Place {
        // Between two marks of every value there is none, and a number
        // that is not a mark equals none.
        self.place(value, |_| Ok(0)).unwrap_or(Place {
            below: 0,
            equal: 0,
            total: self.total,
        })
    }
}

/// What [`Marks::place`] asks to be counted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Count {
    /// Values strictly between the two.
    Between(f64, f64),
    Equal(f64),
}

macro_rules! scores_of_name {
    () => {
        concat!(
            "FROM node_values WHERE name = (SELECT code FROM value_names WHERE name = ?1) AND ",
            crate::read::scores_only!()
        )
    };
}

/// The marks stored for the numbers named `name`.
pub(crate) fn read(conn: &Connection, name: &str) -> Result<Option<Marks>> {
    let row = conn
        .prepare_cached(
            "SELECT total, marks FROM value_marks
             WHERE name = (SELECT code FROM value_names WHERE name = ?1)",
        )
        .and_then(|mut s| {
            let mut rows = s.query([name])?;
            match rows.next()? {
                Some(row) => Ok(Some((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))),
                None => Ok(None),
            }
        })
        .map_err(StoreError::sqlite("read the marks of a value name"))?;
    Ok(row.and_then(|(total, blob)| Marks::decode(total, &blob)))
}

/// Where `value` stands among the numbers named `name`, through `marks`.
pub(crate) fn place(conn: &Connection, name: &str, marks: &Marks, value: f64) -> Result<Place> {
    marks.place(value, |what| {
        let n: i64 = match what {
            Count::Between(lo, hi) => conn
                .prepare_cached(concat!(
                    "SELECT count(*) ",
                    scores_of_name!(),
                    " AND value > ?2 AND value < ?3"
                ))
                .and_then(|mut s| s.query_row(params![name, lo, hi], |r| r.get(0))),
            Count::Equal(v) => conn
                .prepare_cached(concat!(
                    "SELECT count(*) ",
                    scores_of_name!(),
                    " AND value = ?2"
                ))
                .and_then(|mut s| s.query_row(params![name, v], |r| r.get(0))),
        }
        .map_err(StoreError::sqlite("count the values between two marks"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    })
}

#[cfg(test)]
#[allow(
    clippy::float_cmp,
    clippy::cast_possible_truncation,
    reason = "counting as SQLite counts: exact comparison of stored numbers"
)]
mod tests {
    use super::*;

    /// Counts by going through every value, as a reader without marks
    /// would.
    fn counted(values: &[f64], value: f64) -> Place {
        Place {
            below: values.iter().filter(|&&x| x < value).count() as u64,
            equal: values.iter().filter(|&&x| x == value).count() as u64,
            total: values.len() as u64,
        }
    }

    fn placed(marks: &Marks, values: &[f64], value: f64, asked: &mut u64) -> Place {
        marks
            .place(value, |what| {
                let n = match what {
                    Count::Between(lo, hi) => values.iter().filter(|&&x| x > lo && x < hi).count(),
                    Count::Equal(v) => values.iter().filter(|&&x| x == v).count(),
                };
                *asked = (*asked).max(n as u64);
                Ok(n as u64)
            })
            .expect("counts")
    }

    #[test]
    fn marks_place_every_value_as_counting_does_and_count_little() {
        // 20,000 values: a third tied at the lowest score, runs of ties
        // across many cuts, and distinct values between them.
        let mut values: Vec<f64> = Vec::new();
        values.extend(std::iter::repeat_n(0.15, 7_000));
        values.extend((0..6_000).map(|i| 0.2 + f64::from(i) * 1e-4));
        values.extend(std::iter::repeat_n(1.0, 3_000));
        values.extend((0..4_000).map(|i| 1.5 + f64::from(i % 1_000) * 0.01));
        // Deterministic shuffle: marks must not depend on the order given.
        let mut shuffled = values.clone();
        let mut x: u64 = 1;
        for i in (1..shuffled.len()).rev() {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            shuffled.swap(i, (x >> 33) as usize % (i + 1));
        }
        let marks = Marks::of(&shuffled);
        assert_eq!(marks, Marks::of(&values));
        assert_eq!(marks.total(), 20_000);
        assert!(marks.marks.len() <= MARKS + 1);
        let step = 20_000usize.div_ceil(MARKS) as u64;
        let mut asked = 0;
        let probes = values.iter().copied().chain([0.1, 0.17, 0.9, 1.2, 1e9]);
        for v in probes {
            assert_eq!(
                placed(&marks, &values, v, &mut asked),
                counted(&values, v),
                "{v}"
            );
        }
        assert!(asked < step, "counted {asked} values between two marks");
        let round = Marks::decode(20_000, &marks.encode()).expect("decodes");
        assert_eq!(round, marks);
    }

    #[test]
    fn marks_of_every_value_place_any_number_without_counting() {
        let mut values: Vec<f64> = Vec::new();
        values.extend(std::iter::repeat_n(0.0, 500));
        values.extend((0..3_000).map(|i| f64::from(i % 700) * 0.5));
        values.extend(std::iter::repeat_n(9.0, 40));
        let marks = Marks::of_every(&values);
        let distinct: std::collections::BTreeSet<u64> =
            values.iter().map(|v| v.to_bits()).collect();
        assert_eq!(marks.marks.len(), distinct.len());
        let probes = values
            .iter()
            .copied()
            .chain([-1.0, 0.25, 100.5, 8.99, 9.0, 1e9]);
        for v in probes {
            assert_eq!(marks.place_among_every(v), counted(&values, v), "{v}");
        }
        assert_eq!(
            Marks::of_every(&[]).place_among_every(1.0),
            Place {
                below: 0,
                equal: 0,
                total: 0
            }
        );
    }

    #[test]
    fn few_values_are_all_marks_and_none_is_empty() {
        let values = [3.0, 1.0, 2.0, 2.0];
        let marks = Marks::of(&values);
        let mut asked = 0;
        for v in [1.0, 2.0, 3.0] {
            assert_eq!(placed(&marks, &values, v, &mut asked), counted(&values, v));
        }
        let none = Marks::of(&[]);
        assert_eq!(
            placed(&none, &[], 1.0, &mut asked),
            Place {
                below: 0,
                equal: 0,
                total: 0
            }
        );
        assert_eq!(Marks::decode(4, &[0; 5]), None);
        let descending: Vec<u8> = [2.0f64, 1.0]
            .iter()
            .flat_map(|v| {
                let mut b = v.to_le_bytes().to_vec();
                b.extend([0; 16]);
                b
            })
            .collect();
        assert_eq!(Marks::decode(2, &descending), None);
    }
}
