//! `.homer/config.toml`: settings a user may change. Every setting has a
//! default; the file is optional, and unknown keys are an error rather than
//! silently ignored.

use std::path::{Path, PathBuf};

use crate::UpdateError;

/// The file name inside the index directory.
pub const CONFIG_FILE: &str = "config.toml";

#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub history: HistoryConfig,
    /// `history` checked, when `load` read it.
    #[serde(skip)]
    history_bound: Option<HistoryBound>,
    pub coupling: CouplingConfig,
    pub code: CodeConfig,
    pub graph: GraphConfig,
    pub embed: EmbedConfig,
}

/// Which vectors semantic search gets.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbedConfig {
    pub vectors: homer_embed::EncoderKind,
}

/// Graph analysis: PageRank, betweenness, communities.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraphConfig {
    /// PageRank's probability of following an edge rather than jumping.
    pub damping: f64,
    /// PageRank stops when an iteration changes the scores by less than
    /// this in total (L1).
    pub tolerance: f64,
    pub max_iterations: u32,
    /// Betweenness is exact up to this many nodes, and sampled above.
    pub betweenness_exact_up_to: usize,
    /// Sources sampled above that size.
    pub betweenness_samples: usize,
    /// Louvain's resolution: above 1, smaller communities.
    pub community_resolution: f64,
    /// Seeds the betweenness sample and the order Louvain visits nodes in.
    pub seed: u64,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            damping: 0.85,
            tolerance: 1e-10,
            max_iterations: 1000,
            betweenness_exact_up_to: 4000,
            betweenness_samples: 500,
            community_resolution: 1.0,
            seed: 42,
        }
    }
}

impl GraphConfig {
    /// Settings that cannot work, said in words.
    fn check(&self) -> Result<(), String> {
        if !(self.damping > 0.0 && self.damping < 1.0) {
            return Err(format!(
                "[graph] damping must be between 0 and 1, not {}",
                self.damping
            ));
        }
        if !(self.tolerance > 0.0 && self.tolerance.is_finite()) {
            return Err(format!(
                "[graph] tolerance must be positive, not {}",
                self.tolerance
            ));
        }
        if self.max_iterations == 0 {
            return Err("[graph] max_iterations must be at least 1".to_owned());
        }
        if !(self.community_resolution > 0.0 && self.community_resolution.is_finite()) {
            return Err(format!(
                "[graph] community_resolution must be positive, not {}",
                self.community_resolution
            ));
        }
        Ok(())
    }

    /// Betweenness as the index keeps it: raw sums (normalized ones move
    /// for every node whenever the graph gains or loses one; salience
    /// ranks them, nothing reads them as numbers), sampled above
    /// `betweenness_exact_up_to` nodes.
    #[must_use]
    pub fn betweenness(&self) -> homer_graph::BetweennessOptions {
        homer_graph::BetweennessOptions {
            exact_up_to: self.betweenness_exact_up_to,
            samples: self.betweenness_samples,
            seed: self.seed,
            normalized: false,
        }
    }

    pub(crate) fn pagerank(&self) -> homer_graph::PageRankOptions {
        homer_graph::PageRankOptions {
            damping: self.damping,
            tolerance: self.tolerance,
            max_iterations: self.max_iterations,
        }
    }
}

/// Which files are parsed.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CodeConfig {
    /// Larger files are skipped (recorded as too large).
    pub max_file_bytes: u64,
    /// Files whose lines average more than this many bytes are skipped as
    /// minified or generated.
    pub max_average_line: u64,
}

impl Default for CodeConfig {
    fn default() -> Self {
        CodeConfig {
            max_file_bytes: 1_000_000,
            max_average_line: 1000,
        }
    }
}

/// How much history is mined: all of it unless bounded. For very large
/// histories, where mining every commit is more than the metrics need.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryConfig {
    /// Only the newest this many commits reachable from HEAD (in git's
    /// topological order, newest first).
    pub max_commits: Option<u64>,
    /// Only commits committed on or after this day (`YYYY-MM-DD`, UTC).
    pub since: Option<String>,
}

impl HistoryConfig {
    /// The bound these settings set, or the reason they cannot work.
    pub(crate) fn bound(&self) -> Result<Option<HistoryBound>, String> {
        if self.max_commits == Some(0) {
            return Err("[history] max_commits must be at least 1".to_owned());
        }
        let since = match &self.since {
            None => None,
            Some(day) => Some(epoch_day(day).ok_or_else(|| {
                format!("[history] since must be a day as YYYY-MM-DD, not '{day}'")
            })?),
        };
        Ok(
            (self.max_commits.is_some() || since.is_some()).then(|| HistoryBound {
                max_commits: self.max_commits,
                since,
                since_day: self.since.clone(),
            }),
        )
    }
}

/// A bound on the mined history, checked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct HistoryBound {
    pub max_commits: Option<u64>,
    /// Seconds since the epoch of the first day kept (UTC midnight).
    pub since: Option<i64>,
    /// That day as the settings say it.
    pub since_day: Option<String>,
}

/// `YYYY-MM-DD` as seconds since the epoch at UTC midnight.
fn epoch_day(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[usize::try_from(m - 1).ok()?] {
        return None;
    }
    // Days from 1970-01-01 to the civil date (proleptic Gregorian).
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some((era * 146_097 + day_of_era - 719_468) * 86_400)
}

/// Change coupling, as code-maat defines it.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CouplingConfig {
    /// Commits touching more files than this are ignored (bulk edits,
    /// reformatting, imports of vendored code).
    pub max_files_per_commit: u32,
    /// A pair is reported when the mean of its two files' commit counts is
    /// at least this...
    pub min_revisions: u32,
    /// ...they changed together at least this often...
    pub min_shared: u32,
    /// ...and the shared commits are at least this percentage of the mean.
    pub min_degree: f64,
}

impl Default for CouplingConfig {
    fn default() -> Self {
        CouplingConfig {
            max_files_per_commit: 30,
            min_revisions: 5,
            min_shared: 5,
            min_degree: 30.0,
        }
    }
}

impl Config {
    /// How `[history]` bounds the mined history (checked when loaded).
    pub(crate) fn history_bound(&self) -> Option<&HistoryBound> {
        self.history_bound.as_ref()
    }

    /// Reads `config.toml` from the index directory; defaults when absent.
    pub fn load(homer_dir: &Path) -> Result<Config, UpdateError> {
        let path = homer_dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(UpdateError::ReadConfig { path, source }),
        };
        let mut config: Config = toml::from_str(&text).map_err(|e| UpdateError::Config {
            path: PathBuf::from(&path),
            message: located(&text, e.span(), e.message()),
        })?;
        config.history_bound = config
            .graph
            .check()
            .and_then(|()| config.history.bound())
            .map_err(|message| UpdateError::Config {
                path: PathBuf::from(&path),
                message,
            })?;
        Ok(config)
    }
}

/// A TOML error's message with where it is (`line 2, column 14: ...`),
/// counted from 1, as an editor shows it.
fn located(text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> String {
    let Some(at) = span.map(|s| s.start.min(text.len())) else {
        return message.to_owned();
    };
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_file_gives_the_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(Config::load(dir.path()).expect("load"), Config::default());
    }

    #[test]
    fn settings_override_defaults_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(CONFIG_FILE), "[coupling]\nmin_shared = 2\n")
            .expect("write");
        let config = Config::load(dir.path()).expect("load");
        assert_eq!(config.coupling.min_shared, 2);
        assert_eq!(config.coupling.min_revisions, 5);
        std::fs::write(dir.path().join(CONFIG_FILE), "[coupling]\nmin_shard = 2\n").expect("write");
        let err = Config::load(dir.path()).expect_err("typo");
        assert!(err.to_string().contains("config.toml"), "{err}");
        assert!(format!("{err}").contains("min_shard"), "{err}");
        // Where the mistake is, counted as an editor counts.
        assert!(err.to_string().contains("line 2, column 1: "), "{err}");
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "# tuned\n[coupling]\nmin_shared = \"three\"\n",
        )
        .expect("write");
        let err = Config::load(dir.path()).expect_err("not a number");
        assert!(err.to_string().contains("line 3, column 14: "), "{err}");
        std::fs::write(dir.path().join(CONFIG_FILE), "[coupling\n").expect("write");
        let err = Config::load(dir.path()).expect_err("not TOML");
        assert!(err.to_string().contains("line 1, column 10: "), "{err}");
    }

    #[test]
    fn history_bounds_read_as_days_and_counts() {
        let bound = |max_commits, since: Option<&str>| {
            HistoryConfig {
                max_commits,
                since: since.map(str::to_owned),
            }
            .bound()
        };
        assert_eq!(bound(None, None), Ok(None));
        // `date -u -d 2024-03-01 +%s`
        assert_eq!(
            bound(Some(500), Some("2024-03-01")),
            Ok(Some(HistoryBound {
                max_commits: Some(500),
                since: Some(1_709_251_200),
                since_day: Some("2024-03-01".to_owned()),
            }))
        );
        assert_eq!(
            bound(None, Some("1970-01-01")).map(|b| b.and_then(|b| b.since)),
            Ok(Some(0))
        );
        assert_eq!(
            bound(None, Some("2000-02-29")).map(|b| b.and_then(|b| b.since)),
            Ok(Some(951_782_400))
        );
        for wrong in [
            "2023-02-29",
            "2024-13-01",
            "24-01-01",
            "2024-1-01",
            "yesterday",
            "",
        ] {
            assert!(bound(None, Some(wrong)).is_err(), "{wrong}");
        }
        assert!(bound(Some(0), None).is_err());
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(CONFIG_FILE), "[history]\nsince = \"May\"\n")
            .expect("write");
        let err = Config::load(dir.path()).expect_err("not a day");
        assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
    }

    #[test]
    fn graph_settings_that_cannot_work_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(CONFIG_FILE), "[graph]\ndamping = 1.5\n").expect("write");
        let err = Config::load(dir.path()).expect_err("damping above 1");
        assert!(
            err.to_string().contains("damping must be between 0 and 1"),
            "{err}"
        );
        std::fs::write(dir.path().join(CONFIG_FILE), "[graph]\ndamping = 0.5\n").expect("write");
        let damping = Config::load(dir.path()).expect("load").graph.damping;
        assert!((damping - 0.5).abs() < f64::EPSILON);
    }
}
