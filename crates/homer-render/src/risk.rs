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
    pub commit: String,
    pub files: Vec<FileRisk>,
}

/// Per-file risk of the production files, riskiest first.
pub fn risk_map(opened: &Index) -> Result<RiskMap, RenderError> {
    let index = Snapshot::load(opened)?;
    let files = index.ranked_files("");
    let churn: Vec<f64> = files
        .iter()
        .map(|f| {
            let v = &index.files[f.as_str()];
            (v.lines_added + v.lines_deleted) as f64
        })
        .collect();
    let churn_rank = homer_graph::percentile_ranks(&churn);
    let mut out: Vec<FileRisk> = files
        .iter()
        .zip(&churn_rank)
        .map(|(f, &c)| {
            let v = &index.files[f.as_str()];
            let share = if v.authors > 1 {
                v.main_author_share
            } else {
                0.0
            };
            let mut reasons = v.reasons.clone();
            if c >= 0.8 {
                let lines = v.lines_added + v.lines_deleted;
                reasons.push(format!(
                    "{lines:.0} lines changed (top {:.0}%)",
                    (100.0 * (1.0 - c)).max(1.0)
                ));
            }
            if share >= 0.8 {
                reasons.push(format!(
                    "{} wrote {:.0}% of its lines",
                    v.main_author.as_deref().unwrap_or("one author"),
                    100.0 * share
                ));
            }
            FileRisk {
                path: (*f).clone(),
                risk: 0.6 * index.salience(f) + 0.2 * c + 0.2 * share,
                class: index
                    .class(f)
                    .map(|c| c.name().to_owned())
                    .unwrap_or_default(),
                reasons,
            }
        })
        .collect();
    out.sort_by(|a, b| b.risk.total_cmp(&a.risk).then(a.path.cmp(&b.path)));
    Ok(RiskMap {
        commit: index.commit,
        files: out,
    })
}
