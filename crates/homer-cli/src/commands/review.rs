//! `homer review`: what a change touches and what it probably forgot, in
//! text, JSON, Markdown or SARIF; with a threshold, a gate for CI (exit 1
//! when the change crosses it).

use std::path::Path;

use anyhow::Context;
use homer_read::Index;
use homer_render::{Level, Review, ReviewTarget};

use crate::Found;
use crate::args::{LevelArg, ReviewArgs, ReviewFormat};
use crate::output::Output;

pub(crate) fn run(repo: &Path, args: &ReviewArgs, out: &Output) -> anyhow::Result<Found> {
    let target = match (&args.range, args.staged) {
        (Some(range), _) => ReviewTarget::Range(range.clone()),
        (None, true) => ReviewTarget::Staged,
        (None, false) => ReviewTarget::WorkTree,
    };
    let index = Index::open(repo).context("cannot review without an index")?;
    // One committed state: an update committing meanwhile is not half seen.
    let state = index
        .store()
        .read_snapshot()
        .context("cannot read the index")?;
    let change = homer_render::change_of(&index, &target).context("cannot read the change")?;
    let review =
        homer_render::review(&index, &change, args.limit).context("cannot review the change")?;
    drop(state);
    let format = if out.json() {
        ReviewFormat::Json
    } else {
        args.format
    };
    match format {
        ReviewFormat::Text => out.print(&homer_render::review_text(&review))?,
        ReviewFormat::Json => out.print_json(&review)?,
        ReviewFormat::Markdown => out.print(&homer_render::review_markdown(&review))?,
        ReviewFormat::Sarif => out.print_json(&homer_render::review_sarif(&review))?,
    }
    let crossed = gate(&review, args);
    if crossed.is_empty() {
        return Ok(Found::Something);
    }
    for reason in &crossed {
        eprintln!("homer: the change crosses the gate: {reason}");
    }
    Ok(Found::Gate)
}

/// Every threshold the review crosses, in words.
fn gate(review: &Review, args: &ReviewArgs) -> Vec<String> {
    let mut crossed = Vec::new();
    if let Some(level) = args.fail_on {
        let level = match level {
            LevelArg::Low => Level::Low,
            LevelArg::Medium => Level::Medium,
            LevelArg::High => Level::High,
        };
        if !review.changed.is_empty() && review.level >= level {
            crossed.push(format!(
                "risk {:.2} is {} (--fail-on {})",
                review.risk,
                review.level.name(),
                level.name()
            ));
        }
    }
    if let Some(score) = args.fail_above
        && review.risk > score
    {
        crossed.push(format!(
            "risk {:.2} is above {score} (--fail-above)",
            review.risk
        ));
    }
    if let Some(degree) = args.fail_on_forgotten
        && let Some(f) = review.likely_forgotten.iter().find(|f| f.degree >= degree)
    {
        crossed.push(format!(
            "{} changes with {} in {:.0}% of their commits and is not in the change (--fail-on-forgotten {degree})",
            f.path, f.partner_of, f.degree
        ));
    }
    crossed
}
