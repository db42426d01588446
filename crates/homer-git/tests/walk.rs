//! The commits since a mined HEAD, read from the head as far as the mined
//! ones, against `git rev-list`.

use std::collections::BTreeSet;

use homer_fixtures::{cached, git_lines};
use homer_git::{Head, ObjectId, Repository};

fn rev_list(path: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["rev-list"];
    all.extend_from_slice(args);
    git_lines(path, &all)
}

/// From every commit of the fixture's history (a branch and a merge) as
/// the last mined HEAD, with its ancestors as the mined commits: the walk
/// lists what `git rev-list LAST..HEAD` lists, each commit before its
/// parents, and says it reached the last HEAD.
#[test]
fn the_new_commits_are_those_rev_list_finds() {
    let path = cached("small");
    let repo = Repository::discover(&path).expect("open");
    let Head::Commit { id: head, .. } = repo.head().expect("head") else {
        panic!("the fixture has commits");
    };
    for last in rev_list(&path, &["HEAD"]) {
        let mined: BTreeSet<String> = rev_list(&path, &[&last]).into_iter().collect();
        let last_id = ObjectId::from_hex(&last).expect("hex");
        let (new, reached) = repo
            .walk_to_known(head, last_id, |id| mined.contains(&id.to_hex()))
            .expect("walk");
        let listed: Vec<String> = new.iter().map(ObjectId::to_hex).collect();
        let want: BTreeSet<String> = rev_list(&path, &[&format!("{last}..HEAD")])
            .into_iter()
            .collect();
        assert!(reached, "{last}");
        assert_eq!(
            listed.iter().cloned().collect::<BTreeSet<_>>(),
            want,
            "{last}"
        );
        assert_eq!(listed.len(), want.len(), "{last}: listed once each");
        for (i, commit) in listed.iter().enumerate() {
            for parent in rev_list(&path, &["--parents", "-n", "1", commit])[0]
                .split(' ')
                .skip(1)
            {
                if let Some(j) = listed.iter().position(|c| c == parent) {
                    assert!(i < j, "{commit} comes before its parent {parent}");
                }
            }
        }
    }
}
