//! Path names are checked against git's own quoting, not against a list
//! written by hand.

use homer_fixtures::{git, git_stdout};
use homer_git::RepoPath;
use std::os::unix::ffi::OsStrExt;

#[test]
fn names_match_git_ls_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let names: &[&[u8]] = &[
        b"plain.rs",
        "caf\u{e9}.txt".as_bytes(),
        b"latin1-\xe9.txt",
        b"tab\there",
        b"quote\"d",
        b"back\\slash",
        b"ctl\x01x",
        b"del\x7fx",
        b"sp ace",
    ];
    for name in names {
        std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(name)), "x").expect("write");
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    for quote_path in ["false", "true"] {
        let listed = git_stdout(
            dir.path(),
            &[
                "-c",
                &format!("core.quotePath={quote_path}"),
                "ls-files",
                "-z",
            ],
        );
        let quoted = git_stdout(
            dir.path(),
            &["-c", &format!("core.quotePath={quote_path}"), "ls-files"],
        );
        let raw: Vec<&[u8]> = listed
            .split(|&b| b == 0)
            .filter(|s| !s.is_empty())
            .collect();
        let shown: Vec<&[u8]> = quoted
            .split(|&b| b == b'\n')
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(raw.len(), names.len());
        for (raw, shown) in raw.iter().zip(shown) {
            let utf8 = std::str::from_utf8(raw).is_ok();
            // quotePath=false is the reference for UTF-8 names; for names
            // that are not UTF-8, quotePath=true (octal escapes).
            let reference = if utf8 { "false" } else { "true" };
            if quote_path == reference {
                let ours = RepoPath::from_bytes(raw.to_vec()).name().into_owned();
                assert_eq!(
                    ours.as_bytes(),
                    shown,
                    "for {:?}",
                    String::from_utf8_lossy(raw)
                );
            }
        }
    }
}
