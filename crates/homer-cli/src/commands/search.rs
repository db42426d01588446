//! `homer search`.

use std::path::Path;

use anyhow::Context;
use homer_read::{Index, SearchMode, SearchOptions};

use crate::Found;
use crate::args::{ModeArg, SearchArgs};
use crate::output::Output;

pub(crate) fn run(repo: &Path, args: &SearchArgs, out: &Output) -> anyhow::Result<Found> {
    let query = args.query.join(" ");
    let options = SearchOptions {
        limit: args.limit,
        mode: match args.mode {
            ModeArg::Hybrid => SearchMode::Hybrid,
            ModeArg::Text => SearchMode::Text,
            ModeArg::Semantic => SearchMode::Semantic,
        },
        commits: args.commits,
    };
    let results = Index::open(repo)
        .and_then(|index| {
            // The whole answer from one committed state.
            let _state = index.store().read_snapshot()?;
            homer_read::search(&index, &query, &options)
        })
        .with_context(|| format!("cannot search '{}'", repo.display()))?;
    if let Some(note) = &results.note {
        eprintln!("note: {note}");
    }
    if out.json() {
        out.print_json(&results)?;
    } else {
        out.print(&homer_render::text::search(&results))?;
        out.print(&Output::stands_on(results.indexed_commit.as_deref()))?;
    }
    Ok(if results.hits.is_empty() {
        Found::Nothing
    } else {
        Found::Something
    })
}
