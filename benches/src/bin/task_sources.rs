//! Holds the two ways of planning a task context together on a real
//! index: from the whole snapshot `homer serve` keeps, and from what the
//! task reaches in the database (`homer render --task`). Tasks are read
//! from standard input, one a line; each context is rendered both ways at
//! the given budget and any difference is printed.
//!
//!     git -C REPO log --format=%s -200 | \
//!         cargo run --release -p homer-benches --bin task_sources -- REPO 4000
//!
//! Exits with 1 when a task's two contexts differ, 2 on an error.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a measurement tool"
)]

use std::io::BufRead as _;
use std::path::PathBuf;
use std::time::Instant;

use homer_read::Index;
use homer_render::{Snapshot, task_context, task_context_in};

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(repo), budget) = (args.next().map(PathBuf::from), args.next()) else {
        eprintln!("usage: task_sources REPO [BUDGET] < tasks");
        return std::process::ExitCode::from(2);
    };
    let budget: usize = budget.and_then(|b| b.parse().ok()).unwrap_or(4_000);
    let index = match Index::open(&repo) {
        Ok(index) => index,
        Err(e) => {
            eprintln!("cannot open the index of {}: {e}", repo.display());
            return std::process::ExitCode::from(2);
        }
    };
    let full = match Snapshot::load(&index) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot load the snapshot: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let (mut same, mut differ, mut failed) = (0, 0, 0);
    let (mut from_snapshot, mut from_database) = (0.0, 0.0);
    for task in std::io::stdin().lock().lines() {
        let Ok(task) = task else { break };
        let task = task.trim();
        if task.is_empty() {
            continue;
        }
        let started = Instant::now();
        let a = task_context_in(&index, &full, task, budget, &[]);
        from_snapshot += started.elapsed().as_secs_f64();
        let started = Instant::now();
        let b = task_context(&index, task, budget, &[]);
        from_database += started.elapsed().as_secs_f64();
        match (a, b) {
            (Ok(a), Ok(b)) if a.text == b.text && a.files == b.files => same += 1,
            (Ok(a), Ok(b)) => {
                differ += 1;
                println!(
                    "DIFFERS: {task}\n--- snapshot\n{}\n--- database\n{}",
                    a.text, b.text
                );
            }
            (a, b) => {
                failed += 1;
                println!("ERROR: {task}: {:?} / {:?}", a.err(), b.err());
            }
        }
    }
    println!(
        "{same} equal, {differ} different, {failed} failed; planning and fitting {:.1} ms a task from the snapshot, {:.1} ms from the database (search included in both)",
        from_snapshot * 1000.0 / f64::from(same + differ + failed).max(1.0),
        from_database * 1000.0 / f64::from(same + differ + failed).max(1.0),
    );
    if differ + failed > 0 {
        std::process::ExitCode::from(1)
    } else {
        std::process::ExitCode::SUCCESS
    }
}
