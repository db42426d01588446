//! `homer query`: one target's neighbourhood.

use std::path::Path;

use anyhow::Context;
use homer_read::{Index, QueryOptions, QueryOutcome};

use crate::Found;
use crate::args::QueryArgs;
use crate::output::Output;

pub(crate) fn run(repo: &Path, args: &QueryArgs, out: &Output) -> anyhow::Result<Found> {
    let options = QueryOptions {
        depth: args.depth,
        limit: args.limit,
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| repo.to_path_buf());
    let outcome = Index::open(repo)
        .and_then(|index| {
            // The whole answer from one committed state: an update
            // committing meanwhile is not half seen.
            let _state = index.store().read_snapshot()?;
            homer_read::query(&index, &cwd, &args.target, &options)
        })
        .with_context(|| format!("cannot query '{}'", args.target))?;
    let found = match &outcome {
        QueryOutcome::Found { .. } => Found::Something,
        _ => Found::Nothing,
    };
    if out.json() {
        out.print_json(&outcome)?;
    } else {
        out.print(&homer_render::text::query(&outcome))?;
    }
    Ok(found)
}
