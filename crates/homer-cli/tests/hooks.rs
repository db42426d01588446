//! `homer hooks`: installed beside a hook a person already has, a pull
//! brings three commits, and the index follows in the background while
//! the old hook still runs; a second install changes nothing; uninstall
//! puts back exactly what was there.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use homer_fixtures::{commit_all, git, git_command, git_stdout};

mod common;

fn homer(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let run = common::homer(cwd, args);
    (run.code, run.stdout, run.stderr)
}

fn head(repo: &Path) -> String {
    String::from_utf8_lossy(&git_stdout(repo, &["rev-parse", "HEAD"]))
        .trim()
        .to_owned()
}

/// The commit the index describes, once it is `want` (polled: the hooks
/// update in the background), or what it was when the wait ran out.
fn indexed_eventually(repo: &Path, want: &str) -> Option<String> {
    let deadline = Instant::now() + Duration::from_mins(2);
    let mut last = None;
    while Instant::now() < deadline {
        let (_, stdout, _) = homer(repo, &["status", "--json"]);
        let status: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
        last = status["indexed_head"].as_str().map(str::to_owned);
        let running = status["update_running"].as_bool().unwrap_or(false);
        if last.as_deref() == Some(want) && !running {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    last
}

fn write_hook(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a directory")).expect("mkdir");
    std::fs::write(path, text).expect("write hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

fn upstream_and_clone(dir: &Path) -> (PathBuf, PathBuf) {
    let upstream = dir.join("upstream");
    std::fs::create_dir_all(upstream.join("src")).expect("mkdir");
    git(&upstream, &["init", "-q", "-b", "main"]);
    std::fs::write(upstream.join("src/a.py"), "def a():\n    return 1\n").expect("write");
    commit_all(&upstream, "First");
    let work = dir.join("work");
    git(dir, &["clone", "-q", "upstream", "work"]);
    (upstream, work)
}

#[test]
fn hooks_keep_the_index_at_head_after_a_pull_and_keep_the_old_hook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (upstream, work) = upstream_and_clone(dir.path());
    assert_eq!(homer(&work, &["update"]).0, 0);
    let hooks = work.join(".git/hooks");
    let old = "#!/bin/sh\necho \"old post-merge ran: $1\" >> \"$(git rev-parse --show-toplevel)/../old-hook.txt\"\n";
    write_hook(&hooks.join("post-merge"), old);

    let (code, stdout, stderr) = homer(&work, &["hooks", "install"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("post-merge     installed; the hook that was there runs first"),
        "{stdout}"
    );
    let installed: Vec<(String, Vec<u8>)> = [
        "post-commit",
        "post-merge",
        "post-checkout",
        "post-rewrite",
        "post-merge.pre-homer",
    ]
    .iter()
    .map(|h| {
        (
            (*h).to_owned(),
            std::fs::read(hooks.join(h)).expect("hook written"),
        )
    })
    .collect();
    assert_eq!(
        installed[4].1,
        old.as_bytes(),
        "the old hook kept as it was"
    );

    // Three commits upstream, then a pull.
    for n in 2..=4 {
        std::fs::write(
            upstream.join("src/a.py"),
            format!("def a():\n    return {n}\n"),
        )
        .expect("write");
        commit_all(&upstream, &format!("Change {n}"));
    }
    let pulled = git_command(&work)
        .args(["pull", "-q", "--no-rebase", "origin", "main"])
        .env("HOMER_MODEL_DIR", "/nonexistent/homer-model")
        .output()
        .expect("git pull");
    assert!(
        pulled.status.success(),
        "{}",
        String::from_utf8_lossy(&pulled.stderr)
    );
    let new_head = head(&work);
    assert_eq!(new_head, head(&upstream));
    assert_eq!(
        indexed_eventually(&work, &new_head).as_deref(),
        Some(new_head.as_str())
    );
    let ran = std::fs::read_to_string(dir.path().join("old-hook.txt")).expect("the old hook ran");
    assert_eq!(ran, "old post-merge ran: 0\n");
    let log = std::fs::read_to_string(work.join(".homer/hook.log")).expect("a hook log");
    assert!(log.contains("== post-merge at"), "{log}");

    // Installing again changes nothing.
    let (code, stdout, _) = homer(&work, &["hooks", "install"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.matches("already installed, unchanged").count(),
        4,
        "{stdout}"
    );
    for (name, bytes) in &installed {
        assert_eq!(
            &std::fs::read(hooks.join(name)).expect("still there"),
            bytes,
            "{name}"
        );
    }

    // Uninstalling leaves what was there before.
    let (code, stdout, _) = homer(&work, &["hooks", "uninstall"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("post-merge     removed; the hook kept as post-merge.pre-homer is back"),
        "{stdout}"
    );
    let mut left: Vec<String> = std::fs::read_dir(&hooks)
        .expect("hooks dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".sample"))
        .collect();
    left.sort();
    assert_eq!(left, vec!["post-merge".to_owned()]);
    assert_eq!(
        std::fs::read_to_string(hooks.join("post-merge")).expect("read"),
        old
    );
    // And `homer hooks` alone says none is Homer's (exit 1: nothing found).
    let (code, stdout, _) = homer(&work, &["hooks"]);
    assert_eq!(code, 1, "{stdout}");
}

#[test]
fn hooks_follow_core_hooks_path_and_pass_on_the_kept_hooks_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, work) = upstream_and_clone(dir.path());
    git(&work, &["config", "core.hooksPath", ".githooks"]);
    // A kept hook that fails: git ignores a post-commit's status, but the
    // status is the kept hook's, not Homer's.
    write_hook(&work.join(".githooks/post-commit"), "#!/bin/sh\nexit 3\n");
    let (code, _, stderr) = homer(&work, &["hooks", "install"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(work.join(".githooks/post-commit.pre-homer").exists());
    assert!(!work.join(".git/hooks/post-commit").exists());

    std::fs::write(work.join("src/b.py"), "def b():\n    return 2\n").expect("write");
    let commit = commit_all(&work, "Add b");
    assert_eq!(
        indexed_eventually(&work, &commit).as_deref(),
        Some(commit.as_str())
    );

    let status = Command::new(work.join(".githooks/post-commit"))
        .current_dir(&work)
        .env("HOMER_MODEL_DIR", "/nonexistent/homer-model")
        .status()
        .expect("run the hook");
    assert_eq!(status.code(), Some(3));

    // A checkout of files moves no HEAD: no update is started for it.
    let log = work.join(".homer/hook.log");
    let started = |text: &str| text.matches("== post-checkout at").count();
    git(&work, &["checkout", "--", "src/b.py"]);
    assert_eq!(started(&std::fs::read_to_string(&log).expect("log")), 0);
    // A branch checkout does.
    git(&work, &["checkout", "-q", "-b", "topic"]);
    let after = std::fs::read_to_string(&log).expect("log");
    assert_eq!(started(&after), 1, "{after}");
}

#[test]
fn a_hook_in_the_way_is_never_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, work) = upstream_and_clone(dir.path());
    let hooks = work.join(".git/hooks");
    // In the way on the third hook: the first two are not installed either.
    write_hook(&hooks.join("post-checkout"), "#!/bin/sh\necho mine\n");
    write_hook(
        &hooks.join("post-checkout.pre-homer"),
        "#!/bin/sh\necho older\n",
    );
    let (code, _, stderr) = homer(&work, &["hooks", "install"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not Homer's hook and"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(hooks.join("post-checkout")).expect("read"),
        "#!/bin/sh\necho mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("post-checkout.pre-homer")).expect("read"),
        "#!/bin/sh\necho older\n"
    );
    assert!(!hooks.join("post-commit").exists());
    assert!(!hooks.join("post-merge").exists());
}
