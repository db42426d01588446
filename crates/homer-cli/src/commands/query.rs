//! `homer query`: one target's neighbourhood.

use std::path::Path;

use anyhow::Context;
use homer_read::{Index, QueryOptions, QueryOutcome};

use crate::Found;
use crate::args::QueryArgs;
use crate::output::Output;

/// An answer with what it stands on: the commit the index stood at.
#[derive(serde::Serialize)]
struct Stamped<'a, T> {
    #[serde(flatten)]
    answer: &'a T,
    indexed_commit: Option<&'a str>,
}

pub(crate) fn run(repo: &Path, args: &QueryArgs, out: &Output) -> anyhow::Result<Found> {
    let options = QueryOptions {
        depth: args.depth,
        limit: args.limit,
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| repo.to_path_buf());
    let (outcome, indexed) = Index::open(repo)
        .and_then(|index| {
            // The whole answer from one committed state: an update
            // committing meanwhile is not half seen.
            let _state = index.store().read_snapshot()?;
            let outcome = homer_read::query(&index, &cwd, &args.target, &options)?;
            Ok((outcome, index.indexed_head()?))
        })
        .with_context(|| format!("cannot query '{}'", args.target))?;
    let found = match &outcome {
        QueryOutcome::Found { .. } => Found::Something,
        _ => Found::Nothing,
    };
    if out.json() {
        out.print_json(&Stamped {
            answer: &outcome,
            indexed_commit: indexed.as_deref(),
        })?;
    } else {
        out.print(&homer_render::text::query(&outcome))?;
        out.print(&Output::stands_on(indexed.as_deref()))?;
    }
    Ok(found)
}
