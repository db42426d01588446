//! AGENTS.md read back as an agent reads it, on real repositories: every
//! corpus clone is copied, indexed from scratch and rendered with the
//! defaults, and the file is checked against what the checkout says (the
//! directories, the file roles, a tokenizer of its own). Runs when
//! `HOMER_CORPUS` names a directory of clones of `../shared/corpus`.

mod common;

use std::path::Path;
use std::process::Command;

use common::homer;

/// Programs a build, test or lint command may start with: the issue's
/// list (cargo, npm, pnpm, yarn, go, pytest, tox, make, gradle, mvn,
/// dotnet) and the other languages' usual runners, written here rather
/// than taken from Homer.
const KNOWN_TOOLS: &str = "cargo npm pnpm yarn bun deno go pytest tox nox make gradle ./gradlew \
    mvn ./mvnw dotnet swift xcodebuild bundle rake rspec composer phpunit vendor/bin/phpunit \
    vendor/bin/phpcs vendor/bin/phpstan sbt mill ./mill busted cmake ctest ruff mypy black \
    eslint tsc just bats shellcheck python python3";

/// Directory names that hold tests, fixtures, data or translations.
const NOT_CODE_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "testdata",
    "fixtures",
    "fixture",
    "data",
    "locale",
    "locales",
    "i18n",
    "runtime-tests",
    "e2e",
];

/// The lines of one `## title` section.
fn section<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
    let head = format!("## {title}");
    text.lines()
        .skip_while(|l| *l != head)
        .skip(1)
        .take_while(|l| !l.starts_with("## ") && !l.starts_with("Left out"))
        .collect()
}

/// The backticked parts of a line, in order.
fn ticked(line: &str) -> Vec<&str> {
    line.split('`').skip(1).step_by(2).collect()
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}

/// The paths a list starts its entries with (a dash, then the path in
/// backticks).
fn listed(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix("- `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

fn tracked(repo: &Path) -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files"])
        .current_dir(repo)
        .output()
        .expect("git ls-files");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Checks one rendered AGENTS.md; returns what it found wrong.
fn problems(text: &str, files: &[String]) -> Vec<String> {
    let mut wrong = Vec::new();
    // Communities: named where a key file is, never after a test, fixture,
    // data or locale directory while a key file is production code.
    for line in section(text, "Architecture") {
        let Some(rest) = line.strip_prefix("- **") else {
            continue;
        };
        let name = rest.split("**").next().unwrap_or("");
        let dir = name.split(" (").next().unwrap_or(name);
        let keys_part = line.split("key files ").nth(1).unwrap_or("");
        let keys_part = keys_part.split("; uses").next().unwrap_or("");
        let keys = ticked(keys_part);
        if keys.is_empty() {
            wrong.push(format!("community {name} lists no key files"));
        }
        for key in &keys {
            if !files.iter().any(|f| f == key) {
                wrong.push(format!(
                    "community {name}: key file {key} is not in the checkout"
                ));
            }
        }
        if !keys.iter().any(|k| dir_of(k) == dir) {
            wrong.push(format!(
                "community {name}: no key file in {dir}/ ({keys:?})"
            ));
        }
        let dir_is_not_code = dir
            .to_ascii_lowercase()
            .split('/')
            .any(|part| NOT_CODE_DIRS.contains(&part));
        let production_key = keys.iter().any(|k| {
            !k.to_ascii_lowercase()
                .split('/')
                .any(|part| NOT_CODE_DIRS.contains(&part))
        });
        if dir_is_not_code && production_key {
            wrong.push(format!("community {name} is named after tests or data"));
        }
    }
    let mut names: Vec<&str> = section(text, "Architecture")
        .iter()
        .filter_map(|l| l.strip_prefix("- **"))
        .filter_map(|l| l.split("**").next())
        .collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    if names.len() != count {
        wrong.push("two communities share a name".to_owned());
    }
    // Hotspots and load-bearing code never list the same file.
    let load = listed(&section(text, "Load-bearing code"));
    let hot = listed(&section(text, "Hotspots and danger zones"));
    for f in &hot {
        if load.contains(f) {
            wrong.push(format!("{f} is both a hotspot and load-bearing"));
        }
    }
    for f in load.iter().chain(&hot) {
        if !files.contains(f) {
            wrong.push(format!("{f} is listed but not in the checkout"));
        }
    }
    // Commands start with a build, test or lint tool.
    for line in section(text, "Build, test, lint") {
        let Some(commands) = line
            .strip_prefix("- ")
            .and_then(|l| l.split(" (from").next())
        else {
            continue;
        };
        for command in ticked(commands) {
            let tool = command.split_whitespace().next().unwrap_or("");
            if !KNOWN_TOOLS.split_whitespace().any(|known| known == tool) {
                wrong.push(format!(
                    "command `{command}` does not start with a known tool"
                ));
            }
            for bad in [
                "sed -i", "rm ", "--fix", "--write", "secrets", "publish", "install",
            ] {
                if command.contains(bad) {
                    wrong.push(format!("command `{command}` may change things ({bad})"));
                }
            }
        }
    }
    wrong
}

/// Homer's region of the file: from its first marker to its last.
fn region(text: &str) -> &str {
    let begin = text.find("<!-- homer:begin -->").expect("begin marker");
    let end = text.find("<!-- homer:end -->").expect("end marker") + "<!-- homer:end -->".len();
    &text[begin..end]
}

#[test]
#[allow(clippy::print_stderr, reason = "reports what it checked")]
fn agents_md_reads_right_on_every_corpus_repository() {
    let Some(dirs) = homer_fixtures::corpus_clones() else {
        return;
    };
    let tokenizer = tiktoken_rs::o200k_base().expect("the o200k_base tokenizer");
    let mut wrong = Vec::new();
    for dir in dirs {
        let work = tempfile::tempdir().expect("tempdir");
        let repo = work.path().join("repo");
        let status = Command::new("git")
            .args(["clone", "-q", "--no-local"])
            .arg(&dir)
            .arg(&repo)
            .status()
            .expect("git clone");
        assert!(status.success(), "clone {}", dir.display());
        let update = homer(&repo, &["update", "--no-embed"]);
        assert_eq!(update.code, 0, "{}: {}", dir.display(), update.stderr);
        // A person's text around the region stays as written.
        let mine = "# Notes of ours\n\nKeep this paragraph.\n";
        std::fs::write(repo.join("AGENTS.md"), mine).expect("write AGENTS.md");
        let first = homer(&repo, &["render"]);
        assert_eq!(first.code, 0, "{}: {}", dir.display(), first.stderr);
        let text = std::fs::read_to_string(repo.join("AGENTS.md")).expect("AGENTS.md");
        assert!(
            text.starts_with(mine),
            "{}: the person's text moved",
            dir.display()
        );
        // The same index renders the same bytes.
        let again = homer(&repo, &["render"]);
        assert!(
            again.stdout.contains("unchanged"),
            "{}: {}",
            dir.display(),
            again.stdout
        );
        assert_eq!(
            std::fs::read_to_string(repo.join("AGENTS.md")).expect("AGENTS.md"),
            text
        );
        let tokens = tokenizer.encode_with_special_tokens(region(&text)).len();
        if tokens > 2_000 {
            wrong.push(format!("{}: {tokens} tokens, over 2000", dir.display()));
        }
        let found = problems(&text, &tracked(&repo));
        eprintln!(
            "{}: {tokens} tokens, {} communities, {} problems",
            dir.display(),
            section(&text, "Architecture")
                .iter()
                .filter(|l| l.starts_with("- **"))
                .count(),
            found.len()
        );
        wrong.extend(found.into_iter().map(|p| format!("{}: {p}", dir.display())));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The checks themselves catch what they are for.
#[test]
fn the_checks_catch_a_misleading_file() {
    let files: Vec<String> = ["src/core.rs", "src/lib.rs", "tests/core.rs", "build.rs"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let bad = "## Build, test, lint\n\n- `sed -i s/a/b/ Cargo.toml`, `cargo test --fix` (from `ci.yml`)\n\n## Architecture\n\n- **tests** (2 files): key files `src/core.rs`, `src/lib.rs`\n- **tests** (1 file): key files `build.rs`\n\n## Load-bearing code\n\n- `src/core.rs` (0.9): x\n\n## Hotspots and danger zones\n\n- `src/core.rs`: changing now\n";
    let found = problems(bad, &files);
    for expected in [
        "does not start with a known tool",
        "may change things (--fix)",
        "no key file in tests/",
        "named after tests or data",
        "two communities share a name",
        "both a hotspot and load-bearing",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "{expected} not caught: {found:?}"
        );
    }
    let good = "## Build, test, lint\n\n- `cargo test` (from `Cargo.toml`)\n\n## Architecture\n\n- **src** (2 files, tested in `tests/`): key files `src/core.rs`, `src/lib.rs`\n\n## Load-bearing code\n\n- `src/lib.rs` (0.9): x\n\n## Hotspots and danger zones\n\n- `src/core.rs`: changing now\n";
    assert_eq!(problems(good, &files), Vec::<String>::new());
}
