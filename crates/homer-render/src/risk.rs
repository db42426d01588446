//! The per-file risk map, for CI gates.

use homer_read::Index;
use serde::Serialize;

use crate::RenderError;
use crate::snapshot::Snapshot;

/// One file's risk, for CI gates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileRisk {
    pub path: String,
    /// 0..1: 0.6 × salience + 0.2 × rank of lines changed + 0.2 × main
    /// author's share (when more than one author ever touched it).
    pub risk: f64,
    pub class: String,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskMap {
    /// The commit the map describes.
    pub commit: String,
    /// How far that is from HEAD when it is not HEAD (a gate reading a
    /// map of an older commit should know it).
    pub warnings: Vec<String>,
    pub files: Vec<FileRisk>,
}

/// Per-file risk of the production files, riskiest first.
pub fn risk_map(opened: &Index) -> Result<RiskMap, RenderError> {
    let mut map = risk_map_of(&Snapshot::load(opened)?);
    map.warnings.extend(opened.freshness_warning()?);
    Ok(map)
}

/// [`risk_map`] from a loaded snapshot.
#[must_use]
pub fn risk_map_of(index: &Snapshot) -> RiskMap {
    let files = index.ranked_files("");
    // A file no non-merge commit touched has no history: no churn, and no
    // single author.
    let churn: Vec<f64> = files
        .iter()
        .map(|(_, row, _)| {
            row.history
                .as_ref()
                .map_or(0.0, |h| (h.lines_added + h.lines_deleted) as f64)
        })
        .collect();
    let churn_rank = homer_graph::percentile_ranks(&churn);
    let mut out: Vec<FileRisk> = files
        .iter()
        .zip(&churn_rank)
        .map(|((f, row, ranking), &c)| {
            let history = row.history.as_ref();
            let share = match history {
                Some(h) if h.authors > 1 => h.main_author_share,
                _ => 0.0,
            };
            let mut reasons = ranking.reasons.clone();
            if c >= 0.8
                && let Some(h) = history
            {
                let lines = h.lines_added + h.lines_deleted;
                reasons.push(format!(
                    "{lines:.0} lines changed (top {:.0}%)",
                    (100.0 * (1.0 - c)).max(1.0)
                ));
            }
            if share >= 0.8
                && let Some(h) = history
            {
                reasons.push(format!(
                    "{} wrote {:.0}% of its lines",
                    h.main_author,
                    100.0 * share
                ));
            }
            FileRisk {
                path: (*f).clone(),
                risk: 0.6 * ranking.salience + 0.2 * c + 0.2 * share,
                class: ranking.class.name().to_owned(),
                reasons,
            }
        })
        .collect();
    out.sort_by(|a, b| b.risk.total_cmp(&a.risk).then(a.path.cmp(&b.path)));
    RiskMap {
        commit: index.commit.clone(),
        warnings: Vec::new(),
        files: out,
    }
}
