//! `Repository::diff` against git's own `git diff -M --unified=0`: the
//! same files, statuses, line counts and hunk headers, between commits,
//! for the staged changes and for the working tree.

use std::collections::BTreeMap;
use std::path::Path;

use homer_fixtures::{commit_all, git, git_stdout};
use homer_git::{DiffSide, FileDiff, Repository};

/// What git says: per new (or old, when deleted) path, the status letter,
/// the added and deleted line counts and the hunk headers.
fn git_says(repo: &Path, args: &[&str]) -> BTreeMap<String, (char, u32, u32, Vec<String>)> {
    let mut out = BTreeMap::new();
    let mut numstat_args = vec!["diff", "-M", "--numstat", "-z"];
    numstat_args.extend_from_slice(args);
    let mut status_args = vec!["diff", "-M", "--name-status"];
    status_args.extend_from_slice(args);
    let status = String::from_utf8(git_stdout(repo, &status_args)).expect("utf-8");
    let mut letters = BTreeMap::new();
    for line in status.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let letter = fields[0].chars().next().expect("a status");
        letters.insert((*fields.last().expect("a path")).to_owned(), letter);
    }
    let numstat = git_stdout(repo, &numstat_args);
    let text = String::from_utf8(numstat).expect("utf-8");
    let mut fields = text.split('\0').filter(|f| !f.is_empty());
    while let Some(head) = fields.next() {
        let mut parts = head.splitn(3, '\t');
        let added = parts.next().expect("added").parse().unwrap_or(0);
        let deleted = parts.next().expect("deleted").parse().unwrap_or(0);
        let path = if let Some(p) = parts.next().filter(|p| !p.is_empty()) {
            p.to_owned()
        } else {
            // A rename: the old path, then the new one.
            let _old = fields.next();
            fields.next().expect("new path").to_owned()
        };
        out.insert(path.clone(), (letters[&path], added, deleted, Vec::new()));
    }
    let mut patch_args = vec!["diff", "-M", "--unified=0"];
    patch_args.extend_from_slice(args);
    let patch = String::from_utf8(git_stdout(repo, &patch_args)).expect("utf-8");
    let mut current: Option<String> = None;
    for line in patch.lines() {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            current = rest.rsplit_once(" b/").map(|(_, b)| b.to_owned());
        } else if line.starts_with("@@ ")
            && let Some(path) = &current
        {
            let header = line.split(" @@").next().expect("header").to_owned();
            out.get_mut(path).expect("a numstat row").3.push(header);
        }
    }
    out
}

fn homer_says(files: &[FileDiff]) -> BTreeMap<String, (char, u32, u32, Vec<String>)> {
    files
        .iter()
        .map(|f| {
            let path = f
                .new_path
                .clone()
                .or_else(|| f.old_path.clone())
                .expect("a path");
            let letter = match f.status {
                homer_git::FileStatus::Added => 'A',
                homer_git::FileStatus::Modified => 'M',
                homer_git::FileStatus::Deleted => 'D',
                homer_git::FileStatus::Renamed => 'R',
                homer_git::FileStatus::TypeChanged => 'T',
            };
            // git prints a count of 1 without it.
            let range = |start: u32, lines: u32| {
                if lines == 1 {
                    format!("{start}")
                } else {
                    format!("{start},{lines}")
                }
            };
            let headers = f
                .hunks
                .iter()
                .map(|h| {
                    format!(
                        "@@ -{} +{}",
                        range(h.old_start, h.old_lines),
                        range(h.new_start, h.new_lines)
                    )
                })
                .collect();
            (path, (letter, f.added, f.deleted, headers))
        })
        .collect()
}

fn lines(n: usize, tag: &str) -> String {
    use std::fmt::Write;
    (1..=n).fold(String::new(), |mut s, i| {
        let _ = writeln!(s, "{tag} line {i}");
        s
    })
}

#[test]
fn diffs_match_git_between_commits_staged_and_in_the_working_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    std::fs::create_dir_all(root.join("src")).expect("mkdir");
    std::fs::write(root.join("src/a.txt"), lines(40, "a")).expect("write");
    std::fs::write(root.join("src/b.txt"), lines(30, "b")).expect("write");
    std::fs::write(root.join("src/gone.txt"), lines(5, "gone")).expect("write");
    std::fs::write(root.join("moved.txt"), lines(25, "moved")).expect("write");
    let first = commit_all(root, "First");

    // Lines changed in two places, lines only added, lines only deleted,
    // a file added, one deleted, one renamed with an edit.
    let mut a: Vec<String> = lines(40, "a").lines().map(str::to_owned).collect();
    a[2] = "changed 3".to_owned();
    a[30] = "changed 31".to_owned();
    a.insert(10, "inserted after 10".to_owned());
    std::fs::write(root.join("src/a.txt"), a.join("\n") + "\n").expect("write");
    let mut b: Vec<String> = lines(30, "b").lines().map(str::to_owned).collect();
    b.drain(5..8);
    std::fs::write(root.join("src/b.txt"), b.join("\n") + "\n").expect("write");
    std::fs::remove_file(root.join("src/gone.txt")).expect("remove");
    std::fs::write(root.join("src/new.txt"), lines(3, "new")).expect("write");
    git(root, &["mv", "moved.txt", "src/moved.txt"]);
    let mut moved: Vec<String> = lines(25, "moved").lines().map(str::to_owned).collect();
    moved[12] = "edited while moving".to_owned();
    std::fs::write(root.join("src/moved.txt"), moved.join("\n") + "\n").expect("write");
    let second = commit_all(root, "Second");

    let repo = Repository::discover(root).expect("open");
    let first_id = repo.resolve_commit(&first).expect("first");
    let second_id = repo.resolve_commit(&second).expect("second");
    let between = repo
        .diff(Some(first_id), DiffSide::Commit(second_id))
        .expect("diff");
    assert_eq!(homer_says(&between), git_says(root, &[&first, &second]));
    assert_eq!(between.len(), 5, "{between:?}");

    // Staged: one file; the working tree: that one and another.
    std::fs::write(root.join("src/b.txt"), lines(31, "b")).expect("write");
    git(root, &["add", "src/b.txt"]);
    std::fs::write(root.join("src/a.txt"), lines(41, "a")).expect("write");
    let staged = repo.diff(Some(second_id), DiffSide::Staged).expect("diff");
    assert_eq!(homer_says(&staged), git_says(root, &["--cached"]));
    let worktree = repo
        .diff(Some(second_id), DiffSide::WorkTree)
        .expect("diff");
    assert_eq!(homer_says(&worktree), git_says(root, &["HEAD"]));
    assert_eq!(worktree.len(), 2);
    // The working tree's new side carries the blob the file would make.
    let a_now = worktree
        .iter()
        .find(|f| f.new_path.as_deref() == Some("src/a.txt"))
        .expect("a.txt");
    assert_eq!(a_now.new_blob, repo.worktree_blob("src/a.txt"));

    // From nothing: every file added.
    let all = repo.diff(None, DiffSide::Commit(first_id)).expect("diff");
    assert_eq!(all.len(), 4);
    assert!(all.iter().all(|f| f.status == homer_git::FileStatus::Added));
}

#[test]
fn the_merge_base_is_where_a_branch_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    std::fs::write(root.join("a.txt"), "a\n").expect("write");
    let base = commit_all(root, "Base");
    git(root, &["checkout", "-q", "-b", "topic"]);
    std::fs::write(root.join("b.txt"), "b\n").expect("write");
    let topic = commit_all(root, "Topic");
    git(root, &["checkout", "-q", "main"]);
    std::fs::write(root.join("c.txt"), "c\n").expect("write");
    let main = commit_all(root, "Main");
    let repo = Repository::discover(root).expect("open");
    let id = |r: &str| repo.resolve_commit(r).expect("resolve");
    assert_eq!(
        repo.merge_base(id(&main), id(&topic)).expect("merge base"),
        Some(id(&base))
    );
    assert_eq!(
        repo.first_parent(id(&topic)).expect("parent"),
        Some(id(&base))
    );
    assert_eq!(repo.first_parent(id(&base)).expect("parent"), None);
}

/// A symbolic link's working-tree blob is git's: the hash of its target's
/// text (`git rev-parse HEAD:link`, `git hash-object` of the new target),
/// not of the file it points to.
#[cfg(unix)]
#[test]
fn a_symbolic_link_hashes_as_git_stores_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    std::fs::write(root.join("a.py"), lines(4, "a")).expect("write");
    std::fs::write(root.join("b.py"), lines(6, "b")).expect("write");
    std::os::unix::fs::symlink("a.py", root.join("link.py")).expect("link");
    std::os::unix::fs::symlink("/etc/hostname", root.join("outside.py")).expect("link");
    commit_all(root, "Links");
    let repo = Repository::discover(root).expect("open");
    let stored = |path: &str| {
        let id = git_stdout(root, &["rev-parse", &format!("HEAD:{path}")]);
        String::from_utf8(id).expect("utf-8").trim().to_owned()
    };
    for path in ["link.py", "outside.py", "a.py"] {
        let now = repo.worktree_blob(path).expect("a blob").to_hex();
        assert_eq!(now, stored(path), "{path}");
    }
    // Pointed elsewhere: the blob of the new target's text.
    std::fs::remove_file(root.join("link.py")).expect("remove");
    std::os::unix::fs::symlink("b.py", root.join("link.py")).expect("link");
    let hashed = {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("t"), "b.py").expect("write");
        let out = git_stdout(
            root,
            &["hash-object", &dir.path().join("t").to_string_lossy()],
        );
        String::from_utf8(out).expect("utf-8").trim().to_owned()
    };
    assert_eq!(
        repo.worktree_blob("link.py").expect("a blob").to_hex(),
        hashed
    );
    // A link to nothing still has its blob; a missing path has none.
    std::os::unix::fs::symlink("nowhere", root.join("dangling.py")).expect("link");
    assert!(repo.worktree_blob("dangling.py").is_some());
    assert!(repo.worktree_blob("missing.py").is_none());
}

/// A file checked out through git's line-ending filter (here
/// `eol=crlf`: CRLF in the working tree, LF in the blob) is the blob git
/// says it is while `git status` calls it clean, and changed once edited.
#[test]
fn a_file_checked_out_with_crlf_is_the_blob_git_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    std::fs::write(root.join(".gitattributes"), "*.py text eol=crlf\n").expect("write");
    std::fs::write(root.join("a.py"), "def f():\n    return 1\n").expect("write");
    commit_all(root, "CRLF in the working tree");
    std::fs::remove_file(root.join("a.py")).expect("remove");
    git(root, &["checkout", "-q", "a.py"]);
    let bytes = std::fs::read(root.join("a.py")).expect("read");
    assert!(
        bytes.windows(2).any(|w| w == b"\r\n"),
        "checked out with CRLF"
    );
    assert!(git_stdout(root, &["status", "--porcelain"]).is_empty());
    let stored = String::from_utf8(git_stdout(root, &["rev-parse", "HEAD:a.py"])).expect("utf-8");
    let repo = Repository::discover(root).expect("open");
    assert_eq!(
        repo.worktree_blob("a.py").expect("a blob").to_hex(),
        stored.trim()
    );
    std::fs::write(root.join("a.py"), "def f():\r\n    return 2\r\n").expect("write");
    assert_ne!(
        repo.worktree_blob("a.py").expect("a blob").to_hex(),
        stored.trim()
    );
}
