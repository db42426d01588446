//! `homer status`.

use std::path::Path;

use anyhow::Context;

use crate::Found;
use crate::output::Output;

pub(crate) fn run(repo: &Path, out: &Output) -> anyhow::Result<Found> {
    let status = homer_read::status(repo)
        .with_context(|| format!("cannot read the status of '{}'", repo.display()))?
        .against(&homer_update::task_versions());
    let found = if status.stored.is_some() {
        Found::Something
    } else {
        Found::Nothing
    };
    if out.json() {
        out.print_json(&status)?;
    } else {
        out.print(&homer_render::text::status(&status))?;
    }
    Ok(found)
}
