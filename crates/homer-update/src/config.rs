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
    /// Reads `config.toml` from the index directory; defaults when absent.
    pub fn load(homer_dir: &Path) -> Result<Config, UpdateError> {
        let path = homer_dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(UpdateError::ReadConfig { path, source }),
        };
        let config: Config = toml::from_str(&text).map_err(|e| UpdateError::Config {
            path: PathBuf::from(&path),
            message: e.message().to_owned(),
        })?;
        config
            .graph
            .check()
            .map_err(|message| UpdateError::Config {
                path: PathBuf::from(&path),
                message,
            })?;
        Ok(config)
    }
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
