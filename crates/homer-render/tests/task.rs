//! The task context `homer render --task` plans from what the task reaches
//! in the database against the one planned from the full snapshot that
//! `homer serve` keeps.

use homer_read::Index;
use homer_render::{Snapshot, task_context, task_context_in};
use homer_update::{NoProgress, UpdateOptions, update};

#[test]
fn a_task_reads_the_same_from_the_database_as_from_the_snapshot() {
    let repo = homer_fixtures::copy("small");
    let options = UpdateOptions {
        no_embed: true,
        ..UpdateOptions::default()
    };
    update(repo.path(), &options, &NoProgress).expect("update");
    let index = Index::open(repo.path()).expect("open the index");
    let full = Snapshot::load(&index).expect("full snapshot");
    let mut compared = 0;
    for (text, budget, focus) in [
        ("add two numbers", 4_000, &[][..]),
        ("change how subtraction works", 300, &[][..]),
        ("fix the parser", 1_000, &["src".to_owned()][..]),
        ("tests for the calculator", 2_000, &[][..]),
        // Tasks that name files by their paths' words (the file order
        // takes in such files: read from each file's language).
        ("change the mathx package", 4_000, &[][..]),
        ("update the api server and its ops", 4_000, &[][..]),
        ("fix the web page", 4_000, &[][..]),
        ("rename things in main", 4_000, &[][..]),
        // Nothing matches: the most called definitions overall.
        ("zebra", 4_000, &[][..]),
        ("zebra", 4_000, &["src/".to_owned()][..]),
    ] {
        let a = task_context_in(&index, &full, text, budget, focus).expect("full");
        let b = task_context(&index, text, budget, focus).expect("task");
        assert_eq!(a.text, b.text, "{text}");
        assert_eq!(a.files, b.files, "{text}");
        compared += usize::from(!a.files.is_empty());
    }
    assert!(compared >= 3, "{compared} tasks found files");
}
