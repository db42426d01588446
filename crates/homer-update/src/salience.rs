//! Salience: how much a source file matters, on a scale that compares
//! across repositories, with a class and the reasons in plain words.
//!
//! Every signal becomes a percentile rank (0..=1) among the repository's
//! production files (tests, examples, benchmarks, generated and vendored
//! files are ranked against them but not part of them), so a score does not
//! shrink as a repository grows the way raw PageRank does (1/n).
//!
//! - structure S = 0.6·rank(PageRank) + 0.2·rank(files depending on it)
//!   + 0.2·rank(betweenness)
//! - change frequency F = rank(commits); recency R = rank(last change)
//! - **salience = 0.6·S + 0.25·F + 0.15·R**
//! - ownership concentration O = the main author's share of added lines
//!   (already comparable, 0..=1), used by the classes.
//!
//! Classes, the first that applies: a file's role (`test`, `example`,
//! `benchmark`, `generated`, `vendored`); *hotspot* (S ≥ 0.8 and F ≥ 0.8);
//! *knowledge silo* (S ≥ 0.6, O ≥ 0.8, at least 5 commits, in a repository
//! with more than one author); *load-bearing and quiet* (S ≥ 0.8, F < 0.5);
//! *frequently changed* (F ≥ 0.8); *peripheral* (S < 0.3 and F < 0.5);
//! otherwise *ordinary*.

use homer_dag::TaskError;
use homer_store::{NodeId, NodeKind, TaskWriter, Value, WriteTx};
use homer_vocab::JsonCheckpoint as _;
use homer_vocab::salience::{CHANGED_IN, Population, Ranks};
use homer_vocab::values::{HistoryHead, put};
use homer_vocab::{FileRole, Json, SalienceClass, ValueName, keys};

use crate::UpdateError;

const HOTSPOT: f64 = 0.8;
const CENTRAL: f64 = 0.6;
const SILO_SHARE: f64 = 0.8;
const SILO_COMMITS: i64 = 5;
const QUIET: f64 = 0.5;
const PERIPHERAL: f64 = 0.3;
/// A rank from which a signal is worth a reason.
const NOTABLE: f64 = 0.75;

/// What salience reads about one parsed file.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub(crate) struct Signals {
    pub path: String,
    /// What is ranked.
    pub numbers: homer_vocab::salience::Signals,
    pub main_author: Option<String>,
    pub main_share: f64,
}

/// The signals of every parsed file (those the file graph ranked), sorted
/// by path, and how many authors the repository has.
#[derive(Debug, Default, serde::Serialize)]
pub(crate) struct Inputs {
    files: Vec<Signals>,
    authors: u64,
}

impl Inputs {
    pub(crate) fn read(tx: &WriteTx<'_>) -> Result<Inputs, UpdateError> {
        let names = [
            ValueName::PageRank,
            ValueName::InDegree,
            ValueName::Betweenness,
            // Commits, last change, main author and their share.
            ValueName::History,
        ]
        .map(ValueName::name);
        // Sorted by path; only the files the file graph ranked.
        let mut files = Vec::new();
        for (path, values) in tx.node_values_grouped(NodeKind::File, &names)? {
            let mut s = Signals {
                path,
                ..Signals::default()
            };
            let mut ranked = false;
            for (name, value) in values {
                let n = &mut s.numbers;
                match (ValueName::from_name(name), value) {
                    (Some(ValueName::PageRank), Value::Real(v)) => {
                        n.pagerank = v;
                        ranked = true;
                    }
                    (Some(ValueName::InDegree), Value::Int(v)) => n.in_degree = v,
                    (Some(ValueName::Betweenness), Value::Real(v)) => n.betweenness = v,
                    (Some(ValueName::History), v) => {
                        // The front of the row: not the recent commits.
                        let h = HistoryHead::of(&v).ok_or_else(|| {
                            UpdateError::Vocab(homer_vocab::VocabError::WrongValue {
                                node: s.path.clone(),
                                name: ValueName::History.name(),
                                expected: "packed figures",
                            })
                        })?;
                        n.commits = h.commits;
                        n.last_change = h.last_change;
                        s.main_author = Some(h.main_author);
                        s.main_share = h.main_author_share;
                    }
                    _ => {
                        return Err(UpdateError::Vocab(homer_vocab::VocabError::WrongValue {
                            node: s.path.clone(),
                            name: ValueName::from_name(name).map_or("?", ValueName::name),
                            expected: "the type salience reads",
                        }));
                    }
                }
            }
            if ranked {
                files.push(s);
            }
        }
        // People, not e-mails: one person under several counts once.
        let authors = homer_vocab::People::read_tx(tx)?.map_or(0, |p| p.people);
        Ok(Inputs { files, authors })
    }
}

/// One file's verdict.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Assessment {
    pub path: String,
    /// Not stored: readers compute it from the populations.
    pub salience: f64,
    pub class: SalienceClass,
    pub reasons: Vec<String>,
    pub role: Option<FileRole>,
}

/// Every file's verdict, and the population they were ranked in.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Assessed {
    pub files: Vec<Assessment>,
    /// The population's members (production files, or every ranked file
    /// when none is), with their numbers.
    pub members: Vec<(String, homer_vocab::salience::Signals)>,
}

/// Stores each file's class, reasons and role, and the population its
/// score is read from (`homer_vocab::salience`): the score itself, a
/// weighted sum of ranks that moves for most files whenever a few change,
/// is not stored.
pub(crate) fn write(w: &mut TaskWriter<'_>, assessed: Assessed) -> Result<(), TaskError> {
    for a in assessed.files {
        let node = NodeId::of(NodeKind::File, &a.path);
        put(w, node, keys::SALIENCE_CLASS, &a.class)?;
        put(w, node, keys::SALIENCE_REASONS, &Json(a.reasons))?;
        if let Some(role) = a.role {
            put(w, node, keys::ROLE, &role)?;
        }
    }
    Population::write(
        w,
        assessed
            .members
            .iter()
            .map(|(path, s)| (NodeId::of(NodeKind::File, path), s)),
    )?;
    Ok(())
}

pub(crate) fn assess(inputs: &Inputs) -> Assessed {
    let roles: Vec<Option<FileRole>> = inputs
        .files
        .iter()
        .map(|s| FileRole::of_path(&s.path))
        .collect();
    let production: Vec<&Signals> = inputs
        .files
        .iter()
        .zip(&roles)
        .filter(|(_, r)| r.is_none())
        .map(|(s, _)| s)
        .collect();
    // With no production file at all, rank among everything.
    let everyone = production.is_empty();
    let population: Vec<&Signals> = if everyone {
        inputs.files.iter().collect()
    } else {
        production
    };
    let ranking = Population::of(population.iter().map(|s| &s.numbers));
    let files = inputs
        .files
        .iter()
        .zip(roles)
        .map(|(s, role)| {
            let rank = ranking.ranks(&s.numbers, everyone || role.is_none());
            let structure = rank.structure();
            let salience = rank.score();
            let silo = structure >= CENTRAL
                && s.main_share >= SILO_SHARE
                && s.numbers.commits >= SILO_COMMITS
                && inputs.authors > 1;
            let class = match role {
                Some(role) => SalienceClass::from(role),
                None if structure >= HOTSPOT && rank.commits >= HOTSPOT => SalienceClass::Hotspot,
                None if silo => SalienceClass::KnowledgeSilo,
                None if structure >= HOTSPOT && rank.commits < QUIET => {
                    SalienceClass::LoadBearingQuiet
                }
                None if rank.commits >= HOTSPOT => SalienceClass::FrequentlyChanged,
                None if structure < PERIPHERAL && rank.commits < QUIET => SalienceClass::Peripheral,
                None => SalienceClass::Ordinary,
            };
            Assessment {
                path: s.path.clone(),
                salience,
                class,
                reasons: reasons(s, &rank, role, inputs.authors),
                role,
            }
        })
        .collect();
    Assessed {
        files,
        members: population
            .iter()
            .map(|s| (s.path.clone(), s.numbers))
            .collect(),
    }
}

/// The facts behind a verdict, in words: always one about structure and
/// one about change, then whatever stands out.
fn reasons(s: &Signals, rank: &Ranks, role: Option<FileRole>, authors: u64) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(role) = role {
        reasons.push(format!("{role} code, ranked apart from production code"));
    }
    let dependents = match s.numbers.in_degree {
        0 => "no other file depends on it".to_owned(),
        1 => "1 other file depends on it".to_owned(),
        n => format!("{n} other files depend on it"),
    };
    if s.numbers.in_degree > 0 && rank.dependents >= NOTABLE {
        reasons.push(format!("{dependents} ({})", top(rank.dependents)));
    } else {
        reasons.push(dependents);
    }
    if rank.pagerank >= NOTABLE {
        reasons.push(format!(
            "PageRank {} of the dependency graph",
            top(rank.pagerank)
        ));
    }
    if s.numbers.betweenness > 0.0 && rank.betweenness >= NOTABLE {
        reasons.push(format!(
            "on many dependency paths (betweenness {})",
            top(rank.betweenness)
        ));
    }
    let commits = if s.numbers.commits == 1 {
        "1 commit".to_owned()
    } else {
        format!("{} commits", s.numbers.commits)
    };
    if s.numbers.commits == 0 {
        // A bounded history, or a shallow clone's, may hold no commit of
        // a file.
        reasons.push("no commit of it in the mined history".to_owned());
    } else if rank.commits >= NOTABLE {
        reasons.push(format!("{CHANGED_IN}{commits} ({})", top(rank.commits)));
    } else if rank.structure() >= HOTSPOT && rank.commits < QUIET {
        reasons.push(format!("{CHANGED_IN}only {commits}"));
    } else {
        reasons.push(format!("{CHANGED_IN}{commits}"));
    }
    if rank.recency >= 0.9 {
        reasons.push(format!(
            "among the most recently changed ({})",
            top(rank.recency)
        ));
    }
    if s.main_share >= SILO_SHARE
        && s.numbers.commits >= SILO_COMMITS
        && authors > 1
        && let Some(author) = &s.main_author
    {
        reasons.push(format!(
            "{:.0}% of its added lines are by {author}",
            s.main_share * 100.0
        ));
    }
    reasons
}

/// "top 3%" for a percentile rank of 0.97.
fn top(rank: f64) -> String {
    // A hair below the next percent keeps 0.97 at "top 3%" despite
    // floating point (1 - 0.97 is 0.030000000000000027).
    let percent = ((1.0 - rank) * 100.0 - 1e-9).ceil().clamp(1.0, 100.0);
    format!("top {percent:.0}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(
        path: &str,
        pagerank: f64,
        in_degree: i64,
        commits: i64,
        last: i64,
        share: f64,
    ) -> Signals {
        Signals {
            path: path.to_owned(),
            numbers: homer_vocab::salience::Signals {
                pagerank,
                in_degree,
                betweenness: 0.0,
                commits,
                last_change: last,
            },
            main_author: Some("ann@example.org".to_owned()),
            main_share: share,
        }
    }

    #[test]
    fn classes_follow_the_documented_thresholds() {
        // Ten production files: `core` is the most depended on and the
        // most changed; `base` as central and never changed since; `leaf`
        // nothing; one test file with the most commits of all.
        let mut files = vec![
            signals("src/core.rs", 0.30, 9, 90, 100, 0.3),
            signals("src/base.rs", 0.25, 8, 2, 1, 0.3),
            signals("src/leaf.rs", 0.01, 0, 1, 2, 0.3),
            signals("tests/all.rs", 0.01, 0, 200, 200, 0.3),
        ];
        for i in 0..7 {
            files.push(signals(
                &format!("src/m{i}.rs"),
                0.05,
                1,
                10 + i,
                10 + i,
                0.3,
            ));
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let out = assess(&Inputs { files, authors: 3 }).files;
        let class = |p: &str| out.iter().find(|a| a.path == p).map(|a| a.class);
        assert_eq!(class("src/core.rs"), Some(SalienceClass::Hotspot));
        assert_eq!(class("src/base.rs"), Some(SalienceClass::LoadBearingQuiet));
        assert_eq!(class("src/leaf.rs"), Some(SalienceClass::Peripheral));
        assert_eq!(class("tests/all.rs"), Some(SalienceClass::Test));
        let core = out.iter().find(|a| a.path == "src/core.rs").expect("core");
        assert!(
            core.reasons
                .iter()
                .any(|r| r.contains("9 other files depend on it"))
        );
        assert!(
            core.reasons
                .iter()
                .any(|r| r.contains("changed in 90 commits"))
        );
        // S = 0.6·1 + 0.2·1 + 0.2·0.5 (all betweenness tied); F = R = 1:
        // the test file's 200 commits do not push production files down.
        assert!(
            (core.salience - (0.6 * 0.9 + 0.25 + 0.15)).abs() < 1e-12,
            "{}",
            core.salience
        );
    }

    #[test]
    fn a_central_file_one_person_wrote_is_a_silo() {
        let mut files = vec![signals("src/engine.rs", 0.4, 5, 12, 5, 0.95)];
        for i in 0..5 {
            files.push(signals(
                &format!("src/f{i}.rs"),
                0.1,
                1,
                20 + i,
                10 + i,
                0.4,
            ));
        }
        let out = assess(&Inputs {
            files: files.clone(),
            authors: 4,
        })
        .files;
        let engine = &out[0];
        assert_eq!(engine.class, SalienceClass::KnowledgeSilo);
        assert!(
            engine
                .reasons
                .iter()
                .any(|r| r.contains("95% of its added lines are by ann@example.org"))
        );
        // With a single author in the repository, it is not a silo.
        let out = assess(&Inputs { files, authors: 1 }).files;
        assert_ne!(out[0].class, SalienceClass::KnowledgeSilo);
    }

    #[test]
    fn percent_words() {
        assert_eq!(top(0.97), "top 3%");
        assert_eq!(top(1.0), "top 1%");
        assert_eq!(top(0.755), "top 25%");
    }
}
