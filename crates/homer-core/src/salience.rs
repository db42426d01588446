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

use std::collections::BTreeMap;

use homer_dag::TaskError;
use homer_store::{Fingerprint, NodeId, NodeKind, TaskWriter, Value, WriteTx};

use crate::CoreError;
use crate::stages::behavior::names as behavior;
use crate::stages::graph::names as graph;

/// Value names written on files.
pub mod names {
    pub const SALIENCE: &str = "salience";
    pub const CLASS: &str = "salience_class";
    /// A JSON array of sentences.
    pub const REASONS: &str = "salience_reasons";
    /// `test`, `example`, `benchmark`, `generated` or `vendored`; absent
    /// for production code.
    pub const ROLE: &str = "role";
}

const HOTSPOT: f64 = 0.8;
const CENTRAL: f64 = 0.6;
const SILO_SHARE: f64 = 0.8;
const SILO_COMMITS: i64 = 5;
const QUIET: f64 = 0.5;
const PERIPHERAL: f64 = 0.3;
/// A rank from which a signal is worth a reason.
const NOTABLE: f64 = 0.75;

/// What salience reads about one parsed file.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Signals {
    pub path: String,
    pub pagerank: f64,
    pub in_degree: i64,
    pub betweenness: f64,
    pub commits: i64,
    pub last_change: i64,
    pub main_author: Option<String>,
    pub main_share: f64,
}

/// The signals of every parsed file (those the file graph ranked), sorted
/// by path, and how many authors the repository has.
#[derive(Debug, Default)]
pub(crate) struct Inputs {
    files: Vec<Signals>,
    authors: u64,
}

impl Inputs {
    pub(crate) fn read(tx: &WriteTx<'_>) -> Result<Inputs, CoreError> {
        let mut files: BTreeMap<String, (Signals, bool)> = BTreeMap::new();
        let names = [
            graph::PAGERANK,
            graph::IN_DEGREE,
            graph::BETWEENNESS,
            behavior::COMMITS,
            behavior::LAST_CHANGE,
            behavior::MAIN_AUTHOR,
            behavior::MAIN_AUTHOR_SHARE,
        ];
        for (path, name, value) in tx.node_values_named(NodeKind::File, &names)? {
            let (s, ranked) = files.entry(path.clone()).or_insert_with(|| {
                (
                    Signals {
                        path,
                        ..Signals::default()
                    },
                    false,
                )
            });
            match (name.as_str(), value) {
                (graph::PAGERANK, Value::Real(v)) => {
                    s.pagerank = v;
                    *ranked = true;
                }
                (graph::IN_DEGREE, Value::Int(v)) => s.in_degree = v,
                (graph::BETWEENNESS, Value::Real(v)) => s.betweenness = v,
                (behavior::COMMITS, Value::Int(v)) => s.commits = v,
                (behavior::LAST_CHANGE, Value::Int(v)) => s.last_change = v,
                (behavior::MAIN_AUTHOR, Value::Text(v)) => s.main_author = Some(v),
                (behavior::MAIN_AUTHOR_SHARE, Value::Real(v)) => s.main_share = v,
                _ => {}
            }
        }
        let authors = tx.current_names(NodeKind::Author)?.len() as u64;
        Ok(Inputs {
            files: files
                .into_values()
                .filter_map(|(s, ranked)| ranked.then_some(s))
                .collect(),
            authors,
        })
    }

    pub(crate) fn hash(&self, mut fp: Fingerprint) -> u64 {
        fp.push_u64(self.authors);
        for s in &self.files {
            fp.push_bytes(s.path.as_bytes());
            fp.push_u64(s.pagerank.to_bits());
            fp.push_u64(s.in_degree as u64);
            fp.push_u64(s.betweenness.to_bits());
            fp.push_u64(s.commits as u64);
            fp.push_u64(s.last_change as u64);
            fp.push_bytes(s.main_author.as_deref().unwrap_or("").as_bytes());
            fp.push_u64(s.main_share.to_bits());
        }
        fp.finish()
    }
}

/// One file's verdict.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Assessment {
    pub path: String,
    pub salience: f64,
    pub class: &'static str,
    pub reasons: Vec<String>,
    pub role: Option<&'static str>,
}

pub(crate) fn write(w: &mut TaskWriter<'_>, inputs: &Inputs) -> Result<(), TaskError> {
    for a in assess(inputs) {
        let node = NodeId::of(NodeKind::File, &a.path);
        w.value(node, names::SALIENCE, &Value::Real(a.salience))?;
        w.value(node, names::CLASS, &Value::Text(a.class.to_owned()))?;
        w.value(
            node,
            names::REASONS,
            &Value::Text(serde_json::to_string(&a.reasons)?),
        )?;
        if let Some(role) = a.role {
            w.value(node, names::ROLE, &Value::Text(role.to_owned()))?;
        }
    }
    Ok(())
}

/// Ranks of `value` against a sorted population: the share below it,
/// ties counted half, leaving the file itself out when it belongs there.
struct Population(Vec<f64>);

impl Population {
    fn new(values: impl Iterator<Item = f64>) -> Self {
        let mut v: Vec<f64> = values.collect();
        v.sort_by(f64::total_cmp);
        Population(v)
    }

    fn rank(&self, value: f64, member: bool) -> f64 {
        let below = self.0.partition_point(|p| p.total_cmp(&value).is_lt());
        let upto = self.0.partition_point(|p| p.total_cmp(&value).is_le());
        let equal = upto - below - usize::from(member);
        let others = self.0.len() - usize::from(member);
        if others == 0 {
            return 1.0;
        }
        (below as f64 + equal as f64 / 2.0) / others as f64
    }
}

pub(crate) fn assess(inputs: &Inputs) -> Vec<Assessment> {
    let roles: Vec<Option<&'static str>> = inputs.files.iter().map(|s| role_of(&s.path)).collect();
    let production: Vec<&Signals> = inputs
        .files
        .iter()
        .zip(&roles)
        .filter(|(_, r)| r.is_none())
        .map(|(s, _)| s)
        .collect();
    // With no production file at all, rank among everything.
    let population: Vec<&Signals> = if production.is_empty() {
        inputs.files.iter().collect()
    } else {
        production
    };
    let all_ranked = population.len() == inputs.files.len();
    let of = |f: fn(&Signals) -> f64| Population::new(population.iter().map(|s| f(s)));
    let pagerank = of(|s| s.pagerank);
    let in_degree = of(|s| s.in_degree as f64);
    let betweenness = of(|s| s.betweenness);
    let commits = of(|s| s.commits as f64);
    let recency = of(|s| s.last_change as f64);

    inputs
        .files
        .iter()
        .zip(roles)
        .map(|(s, role)| {
            let member = role.is_none() || all_ranked;
            let rank = Ranks {
                pagerank: pagerank.rank(s.pagerank, member),
                dependents: in_degree.rank(s.in_degree as f64, member),
                betweenness: betweenness.rank(s.betweenness, member),
                commits: commits.rank(s.commits as f64, member),
                recency: recency.rank(s.last_change as f64, member),
            };
            let structure = rank.structure();
            let salience = 0.6 * structure + 0.25 * rank.commits + 0.15 * rank.recency;
            let silo = structure >= CENTRAL
                && s.main_share >= SILO_SHARE
                && s.commits >= SILO_COMMITS
                && inputs.authors > 1;
            let class = match role {
                Some(role) => role,
                None if structure >= HOTSPOT && rank.commits >= HOTSPOT => "hotspot",
                None if silo => "knowledge silo",
                None if structure >= HOTSPOT && rank.commits < QUIET => "load-bearing and quiet",
                None if rank.commits >= HOTSPOT => "frequently changed",
                None if structure < PERIPHERAL && rank.commits < QUIET => "peripheral",
                None => "ordinary",
            };
            Assessment {
                path: s.path.clone(),
                salience,
                class,
                reasons: reasons(s, &rank, role, inputs.authors),
                role,
            }
        })
        .collect()
}

/// The facts behind a verdict, in words: always one about structure and
/// one about change, then whatever stands out.
fn reasons(s: &Signals, rank: &Ranks, role: Option<&str>, authors: u64) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(role) = role {
        reasons.push(format!("{role} code, ranked apart from production code"));
    }
    let dependents = match s.in_degree {
        0 => "no other file depends on it".to_owned(),
        1 => "1 other file depends on it".to_owned(),
        n => format!("{n} other files depend on it"),
    };
    if s.in_degree > 0 && rank.dependents >= NOTABLE {
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
    if s.betweenness > 0.0 && rank.betweenness >= NOTABLE {
        reasons.push(format!(
            "on many dependency paths (betweenness {})",
            top(rank.betweenness)
        ));
    }
    let commits = if s.commits == 1 {
        "1 commit".to_owned()
    } else {
        format!("{} commits", s.commits)
    };
    if rank.commits >= NOTABLE {
        reasons.push(format!("changed in {commits} ({})", top(rank.commits)));
    } else if rank.structure() >= HOTSPOT && rank.commits < QUIET {
        reasons.push(format!("changed in only {commits}"));
    } else {
        reasons.push(format!("changed in {commits}"));
    }
    if rank.recency >= 0.9 {
        reasons.push(format!(
            "among the most recently changed ({})",
            top(rank.recency)
        ));
    }
    if s.main_share >= SILO_SHARE
        && s.commits >= SILO_COMMITS
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

/// A file's percentile ranks among production files.
struct Ranks {
    pagerank: f64,
    dependents: f64,
    betweenness: f64,
    commits: f64,
    recency: f64,
}

impl Ranks {
    /// S: where the file stands in the dependency graph.
    fn structure(&self) -> f64 {
        0.6 * self.pagerank + 0.2 * self.dependents + 0.2 * self.betweenness
    }
}

/// "top 3%" for a percentile rank of 0.97.
fn top(rank: f64) -> String {
    // A hair below the next percent keeps 0.97 at "top 3%" despite
    // floating point (1 - 0.97 is 0.030000000000000027).
    let percent = ((1.0 - rank) * 100.0 - 1e-9).ceil().clamp(1.0, 100.0);
    format!("top {percent:.0}%")
}

/// What a path says a file is for, when it is not production code: tests,
/// examples, benchmarks, generated code and vendored code are kept out of
/// the top of rankings.
#[must_use]
pub fn role_of(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let file = parts.pop().unwrap_or("");
    let in_dir = |names: &[&str]| parts.iter().any(|p| names.contains(p));
    if in_dir(&[
        "vendor",
        "vendored",
        "third_party",
        "third-party",
        "node_modules",
    ]) {
        return Some("vendored");
    }
    let stem = file.split('.').next().unwrap_or(file);
    let generated_name = file.ends_with(".pb.go")
        || file.ends_with("_pb2.py")
        || file.ends_with("_pb2_grpc.py")
        || file.contains(".generated.")
        || file.contains(".gen.")
        || stem.ends_with("_generated");
    if generated_name || in_dir(&["generated", "__generated__"]) {
        return Some("generated");
    }
    let test_name = stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with("_spec")
        || file.contains(".test.")
        || file.contains(".spec.")
        || matches!(
            stem,
            "test" | "tests" | "conftest" | "testing" | "testutil" | "test_util"
        )
        || java_like_test(path);
    if test_name
        || in_dir(&[
            "test",
            "tests",
            "__tests__",
            "spec",
            "specs",
            "testing",
            "testdata",
            "fixtures",
            "e2e",
            "runtime-tests",
        ])
    {
        return Some("test");
    }
    // `benches`, `benchmarks`, `benchsuite`...
    if parts.iter().any(|p| p.starts_with("bench")) {
        return Some("benchmark");
    }
    if in_dir(&["examples", "example", "samples", "sample", "demo", "demos"]) {
        return Some("example");
    }
    None
}

/// A symbol (or file) that is not production code: in a file with a role
/// (test, example, benchmark, generated, vendored), or in a `tests` module
/// inside a production file (Rust's `mod tests`).
pub(crate) fn outside_production(name: &str) -> bool {
    let (path, qualified) = name.split_once("::").unwrap_or((name, ""));
    role_of(path).is_some()
        || qualified.starts_with("tests::")
        || qualified.contains("::tests::")
        || qualified == "tests"
}

/// `FooTest.java`, `FooTests.cs`, `TestFoo.kt`: the JUnit and NUnit
/// naming, in its own case (`Contest.java` is not a test).
fn java_like_test(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    matches!(ext, "java" | "cs" | "kt")
        && (stem.ends_with("Test")
            || stem.ends_with("Tests")
            || stem
                .strip_prefix("Test")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase())))
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
            pagerank,
            in_degree,
            betweenness: 0.0,
            commits,
            last_change: last,
            main_author: Some("ann@example.org".to_owned()),
            main_share: share,
        }
    }

    #[test]
    fn roles_by_path() {
        for (path, role) in [
            ("tests/util.rs", Some("test")),
            ("benchsuite/benchsuite", Some("benchmark")),
            ("src/foo_test.go", Some("test")),
            ("lib/app.test.ts", Some("test")),
            ("test_models.py", Some("test")),
            ("src/test/java/FooTest.java", Some("test")),
            ("src/main/java/Contest.java", None),
            ("spec/models/user_spec.rb", Some("test")),
            ("vendor/github.com/x/y.go", Some("vendored")),
            ("api/v1/service.pb.go", Some("generated")),
            ("benches/parse.rs", Some("benchmark")),
            ("examples/auth/index.js", Some("example")),
            ("src/latest.rs", None),
            ("src/attestation.py", None),
        ] {
            assert_eq!(role_of(path), role, "{path}");
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
        let out = assess(&Inputs { files, authors: 3 });
        let class = |p: &str| out.iter().find(|a| a.path == p).map(|a| a.class);
        assert_eq!(class("src/core.rs"), Some("hotspot"));
        assert_eq!(class("src/base.rs"), Some("load-bearing and quiet"));
        assert_eq!(class("src/leaf.rs"), Some("peripheral"));
        assert_eq!(class("tests/all.rs"), Some("test"));
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
        });
        let engine = &out[0];
        assert_eq!(engine.class, "knowledge silo");
        assert!(
            engine
                .reasons
                .iter()
                .any(|r| r.contains("95% of its added lines are by ann@example.org"))
        );
        // With a single author in the repository, it is not a silo.
        let out = assess(&Inputs { files, authors: 1 });
        assert_ne!(out[0].class, "knowledge silo");
    }

    #[test]
    fn percent_words() {
        assert_eq!(top(0.97), "top 3%");
        assert_eq!(top(1.0), "top 1%");
        assert_eq!(top(0.755), "top 25%");
    }
}
