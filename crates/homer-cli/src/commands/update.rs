//! `homer update`.

use std::fmt::Write;
use std::path::Path;

use anyhow::Context;

use crate::Found;
use crate::args::UpdateArgs;
use crate::output::Output;
use crate::progress::Bars;
use homer_render::text::{code_line, count, plural};

pub(crate) fn run(repo: &Path, args: &UpdateArgs, out: &Output) -> anyhow::Result<Found> {
    let bars = Bars::default();
    let started = std::time::Instant::now();
    let options = homer_update::UpdateOptions {
        rebuild: args.rebuild,
        no_embed: args.no_embed,
        verify: args.verify,
        ..homer_update::UpdateOptions::default()
    };
    let report = homer_update::update(repo, &options, &bars)
        .with_context(|| format!("cannot update the index of '{}'", repo.display()))?;
    if out.json() {
        out.print_json(&report)?;
        return Ok(Found::Something);
    }
    let mut text = String::new();
    match &report.head {
        None => text.push_str("nothing indexed: the repository has no commits\n"),
        Some(head) => {
            let short = &head[..head.len().min(7)];
            let files = count(&report.stored.current, "file");
            let dirs = count(&report.stored.current, "directory");
            if report.changed {
                let authors = report
                    .people
                    .unwrap_or_else(|| count(&report.stored.current, "author"));
                let _ = writeln!(
                    text,
                    "indexed {short}: {} in {}, {} by {}",
                    plural(files, "file", "files"),
                    plural(dirs, "directory", "directories"),
                    plural(count(&report.stored.current, "commit"), "commit", "commits"),
                    plural(authors, "author", "authors"),
                );
                let _ = writeln!(text, "code: {}", code_line(&report.stored));
            } else {
                let _ = writeln!(text, "up to date at {short}: nothing changed");
            }
        }
    }
    for run in &report.pagerank {
        let _ = writeln!(
            text,
            "pagerank: {} ({} nodes, {} edges) in {} iterations{}",
            run.graph,
            run.nodes,
            run.edges,
            run.iterations,
            if run.converged { "" } else { ", not converged" }
        );
    }
    if report.embedded > 0 {
        let _ = writeln!(
            text,
            "embeddings: {} embedded",
            plural(report.embedded, "chunk", "chunks")
        );
    }
    let memoized: Vec<_> = report
        .stages
        .iter()
        .filter(|s| !matches!(s.stage, "embed" | "publish"))
        .collect();
    let unchanged = memoized.iter().filter(|s| s.skipped).count();
    let _ = writeln!(
        text,
        "tasks: {} executed, {} reused, {} deleted; {unchanged} of {} stages unchanged; in {:.2} s",
        report.executed,
        report.reused,
        report.deleted,
        memoized.len(),
        started.elapsed().as_secs_f64()
    );
    out.print(&text)?;
    Ok(Found::Something)
}
