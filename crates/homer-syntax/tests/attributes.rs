//! `.gitattributes` as Homer reads it, against git's own reading
//! (`git check-attr`) of the same file and paths.

use std::process::Command;

use homer_syntax::{Attributes, Language, PathHint};

#[test]
fn linguist_attributes_match_git_check_attr() {
    let rules = "\
*.min.js linguist-generated
docs/** linguist-generated
build/ linguist-generated
/top.c linguist-generated
src/*.pb.go linguist-generated
**/vendor/** linguist-generated
vendor/ours/** -linguist-generated
gen/keep.go linguist-generated=false
gen/*.go linguist-generated=true
file?.rs linguist-generated
*.[ch]pp linguist-generated
a/**/b.py linguist-generated
";
    let paths = [
        "app.min.js",
        "web/app.min.js",
        "docs/index.js",
        "docs/js/deep/a.js",
        "src/docs/a.js",
        "build/x.js",
        "top.c",
        "sub/top.c",
        "src/api.pb.go",
        "src/x/api.pb.go",
        "vendor/lib/x.c",
        "third/vendor/lib/x.c",
        "vendor/ours/x.c",
        "gen/keep.go",
        "gen/api.go",
        "file1.rs",
        "file12.rs",
        "x.cpp",
        "x.hpp",
        "x.opp",
        "a/b.py",
        "a/x/y/b.py",
        "main.rs",
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    git(&["init", "-q"]);
    std::fs::write(dir.path().join(".gitattributes"), rules).expect("written");
    let mut args = vec!["check-attr", "linguist-generated", "--"];
    args.extend(paths);
    let answer = git(&args);
    let attributes = Attributes::parse(rules);
    let mut checked = 0;
    for line in answer.lines() {
        let (path, value) = line
            .split_once(": linguist-generated: ")
            .expect("path: attr: value");
        let git_says = value == "set" || value == "true";
        // Whatever the path alone says, the attribute makes it not code.
        let as_code = PathHint::Language(Language::C);
        let homer_says = attributes.hint(path, as_code) == PathHint::NotCode;
        assert_eq!(homer_says, git_says, "{path}: git says {value}");
        checked += 1;
    }
    assert_eq!(checked, paths.len());
}
