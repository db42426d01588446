//! History mining throughput: every commit reachable from HEAD diffed
//! against its first parent as the history stage does it, on one thread,
//! beside the time `git log --numstat -M --no-merges` takes for the same
//! history.
//!
//!     cargo run --release -p homer-benches --bin mine_throughput -- REPO [LIMIT]
//!
//! Prints the commits mined, the seconds each side took, and a checksum of
//! the counted lines, so that two builds can be compared for the same
//! answer as well as for speed. Rounds alternate between the two sides.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a measurement tool"
)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use homer_git::{Lines, Repository};

const ROUNDS: usize = 3;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(repo_path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: mine_throughput REPO [LIMIT]");
        std::process::exit(2);
    };
    let limit: usize = args
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::MAX);
    let repo = match Repository::discover(&repo_path) {
        Ok(repo) => repo,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let head = repo.resolve_commit("HEAD").expect("HEAD");
    let renames = repo.rename_settings().expect("rename settings");
    let ids: Vec<_> = repo
        .walk(head, None)
        .expect("walk")
        .into_iter()
        .take(limit)
        .collect();
    let infos: Vec<_> = ids
        .iter()
        .map(|&id| repo.commit_info(id).expect("commit"))
        .collect();
    let mut homer = Vec::new();
    let mut git = Vec::new();
    let mut checksum = (0u64, 0u64, 0u64);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let mut sums = (0u64, 0u64, 0u64);
        for info in &infos {
            let parent = repo.first_parent_tree(info);
            let diff = repo.diff_commit(info, parent, renames).expect("diff");
            for change in &diff.changes {
                sums.2 += 1;
                if let Lines::Counted { added, deleted } = change.lines {
                    sums.0 += u64::from(added);
                    sums.1 += u64::from(deleted);
                }
            }
        }
        homer.push(start.elapsed().as_secs_f64());
        checksum = sums;
        let start = Instant::now();
        let status = Command::new("git")
            .arg("-C")
            .arg(&repo_path)
            .args(["log", "--numstat", "-M", "--no-merges", "--format=%H"])
            .arg(format!("-n{}", infos.len()))
            .stdout(std::process::Stdio::null())
            .status()
            .expect("git");
        assert!(status.success(), "git log failed");
        git.push(start.elapsed().as_secs_f64());
    }
    homer.sort_by(f64::total_cmp);
    git.sort_by(f64::total_cmp);
    println!(
        "commits {} | homer {:.2} s (min {:.2}) | git log {:.2} s (min {:.2}) | ratio {:.2} | files {} added {} deleted {}",
        infos.len(),
        homer[ROUNDS / 2],
        homer[0],
        git[ROUNDS / 2],
        git[0],
        homer[ROUNDS / 2] / git[ROUNDS / 2],
        checksum.2,
        checksum.0,
        checksum.1
    );
}
