//! `homer render`.

use std::fmt::Write;
use std::path::Path;

use anyhow::Context;

use crate::Found;
use crate::args::{RenderArgs, RenderFormat};
use crate::output::Output;

pub(crate) fn run(repo: &Path, args: &RenderArgs, out: &Output) -> anyhow::Result<Found> {
    if let Some(task) = &args.task {
        let context = homer_read::Index::open(repo)
            .map_err(homer_render::RenderError::from)
            .and_then(|index| {
                homer_render::task_context(
                    &index,
                    task,
                    args.budget.unwrap_or(homer_render::TASK_BUDGET),
                    &args.focus,
                )
            })
            .context("cannot render the task context")?;
        if out.json() || args.format == RenderFormat::Json {
            out.print_json(&context)?;
        } else {
            for warning in &context.warnings {
                out.print(&format!("! {warning}\n"))?;
            }
            out.print(&context.text)?;
            eprintln!(
                "{} tokens of {} (o200k_base); {} of {} ranked definitions",
                context.tokens, context.budget, context.symbols, context.ranked
            );
        }
        return Ok(Found::Something);
    }
    if args.format == RenderFormat::Json {
        let risk = homer_read::Index::open(repo)
            .map_err(homer_render::RenderError::from)
            .and_then(|index| {
                let _state = index.store().read_snapshot()?;
                homer_render::risk_map(&index)
            })
            .context("cannot compute the risk map")?;
        for warning in &risk.warnings {
            eprintln!("! {warning}");
        }
        out.print_json(&risk)?;
        return Ok(Found::Something);
    }
    let options = homer_render::RenderOptions {
        agents_path: Some(args.agents.clone()),
        per_dir: args.per_dir,
        budget: args.budget,
    };
    let rendered = homer_read::Index::open(repo)
        .map_err(homer_render::RenderError::from)
        .and_then(|index| {
            // One committed state for every file written: an update
            // committing meanwhile is not half seen.
            let _state = index.store().read_snapshot()?;
            homer_render::render(&index, &options)
        })
        .context("cannot render")?;
    if out.json() {
        out.print_json(&rendered)?;
        return Ok(Found::Something);
    }
    let mut s = String::new();
    for warning in &rendered.warnings {
        let _ = writeln!(s, "! {warning}");
    }
    for path in &rendered.written {
        let _ = writeln!(s, "wrote {}", path.display());
    }
    for path in &rendered.unchanged {
        let _ = writeln!(s, "unchanged {}", path.display());
    }
    out.print(&s)?;
    Ok(Found::Something)
}
