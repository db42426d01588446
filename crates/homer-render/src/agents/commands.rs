//! The build, test and lint commands AGENTS.md lists: from the manifests
//! at the root and the CI workflows' `run:` steps, only those that build,
//! test or check, never one that installs, publishes, edits files or needs
//! secrets, each with where it comes from.

use std::collections::BTreeSet;
use std::path::Path;

use super::Section;
use crate::snapshot::{Blobs, Snapshot};

/// Programs whose invocations build, test, lint or check code: a
/// command AGENTS.md lists starts with one of them.
pub const BUILD_TOOLS: &[&str] = &[
    "cargo",
    "npm",
    "pnpm",
    "yarn",
    "bun",
    "deno",
    "go",
    "pytest",
    "tox",
    "nox",
    "make",
    "gradle",
    "./gradlew",
    "mvn",
    "./mvnw",
    "dotnet",
    "swift",
    "xcodebuild",
    "bundle",
    "rake",
    "rspec",
    "composer",
    "phpunit",
    "vendor/bin/phpunit",
    "sbt",
    "mill",
    "./mill",
    "busted",
    "cmake",
    "ctest",
    "ruff",
    "mypy",
    "flake8",
    "black",
    "eslint",
    "tsc",
    "just",
    "bats",
    "shellcheck",
    "meson",
    "ninja",
    "mix",
    "python",
    "python3",
    "vendor/bin/phpcs",
    "vendor/bin/phpstan",
];

/// Words of a command line that build, test, lint or check.
const BUILD_VERBS: &[&str] = &[
    "build",
    "test",
    "tests",
    "check",
    "lint",
    "clippy",
    "vet",
    "typecheck",
    "compile",
    "spec",
    "rspec",
    "pytest",
    "phpunit",
    "busted",
    "ctest",
    "mypy",
    "ruff",
    "eslint",
    "tsc",
    "flake8",
    "shellcheck",
    "bats",
    "rake",
    "tox",
    "nox",
    "verify",
    "__.test",
    "phpcs",
    "phpstan",
    "psalm",
    "vendor/bin/phpunit",
    "vendor/bin/phpcs",
    "vendor/bin/phpstan",
];

/// What a command must not do to be listed: install, publish, edit files,
/// reach the network with credentials.
const UNSAFE: &[&str] = &[
    "install", "publish", "deploy", "release", "upload", "push", "sed ", "rm ", "mv ", "cp ",
    "--fix", "--write", " -w ", "chmod", "sudo", "curl", "wget", "secrets", "${{", "token",
    "login", "git ", " > ", ">>", "tee ", "coverage", "codecov", "bump", "version",
];

/// A build, test or lint command a CI step runs, cleaned (environment
/// assignments, `env`, `set -o pipefail`, output piped to a formatter
/// dropped); `None` for anything else.
fn build_command(step: &str) -> Option<String> {
    let mut words: Vec<&str> = step.split_whitespace().collect();
    // `env A=1 B=2 cmd`, `A=1 cmd`
    if words.first() == Some(&"env") {
        words.remove(0);
    }
    while words
        .first()
        .is_some_and(|w| w.contains('=') && !w.starts_with('-'))
    {
        words.remove(0);
    }
    // Output piped into a formatter or redirected to the terminal's.
    if let Some(pipe) = words.iter().position(|w| *w == "|") {
        words.truncate(pipe);
    }
    words.retain(|w| *w != "2>&1");
    let tool = *words.first()?;
    if !BUILD_TOOLS.contains(&tool) {
        return None;
    }
    let line = words.join(" ");
    let lower = format!(" {} ", line.to_ascii_lowercase());
    let builds = words[1..].iter().chain(std::iter::once(&tool)).any(|w| {
        // `--check` checks too.
        let w = w.to_ascii_lowercase();
        let w = w.trim_start_matches('-');
        BUILD_VERBS
            .iter()
            .any(|v| w == *v || w.starts_with(&format!("{v}:")) || w.ends_with(&format!(":{v}")))
    });
    // `lint:fix`, `format:write`, `--fix`: they edit files.
    let edits = words[1..].iter().any(|w| {
        let w = w.to_ascii_lowercase();
        w.contains("fix") || w.contains("write")
    });
    // Shell substitutions cannot be quoted in Markdown, nor run as shown.
    let substitutes = line.contains('`') || line.contains("$(");
    if !builds
        || edits
        || substitutes
        || UNSAFE.iter().any(|u| lower.contains(u))
        || line.chars().count() > 120
    {
        return None;
    }
    Some(line)
}

/// The commands of a GitHub Actions workflow's `run:` steps, one per
/// shell line or `&&` part, in order.
fn workflow_steps(text: &str) -> Vec<String> {
    let mut steps = Vec::new();
    let mut block: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if let Some(at) = block {
            if t.is_empty() {
                continue;
            }
            if indent > at {
                steps.push(t.to_owned());
                continue;
            }
            block = None;
        }
        let t = t.strip_prefix("- ").unwrap_or(t);
        let Some(run) = t.strip_prefix("run:") else {
            continue;
        };
        let run = run.trim();
        if run.starts_with('|') || run.starts_with('>') {
            block = Some(indent);
        } else if !run.is_empty() {
            steps.push(run.trim_matches(['"', '\'']).to_owned());
        }
    }
    steps
        .iter()
        .flat_map(|s| s.split("&&"))
        .flat_map(|s| s.split(';'))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && !s.starts_with('#'))
        .collect()
}

/// What the manifests at the root say to run, with the manifest.
fn manifest_commands(index: &Snapshot, blobs: &Blobs<'_>) -> Vec<(String, Vec<String>)> {
    let has = |p: &str| index.files.contains_key(p);
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |source: &str, list: Vec<String>| {
        if !list.is_empty() {
            found.push((source.to_owned(), list));
        }
    };
    let owned = |list: &[&str]| list.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    if has("Cargo.toml") {
        add(
            "Cargo.toml",
            owned(&["cargo build", "cargo test", "cargo clippy"]),
        );
    }
    if has("go.mod") {
        add(
            "go.mod",
            owned(&["go build ./...", "go test ./...", "go vet ./..."]),
        );
    }
    if let Some(scripts) = script_commands(index, blobs) {
        add("package.json", scripts);
    }
    if let Some(t) = blobs.text("pyproject.toml") {
        let tools: Vec<String> = [
            ("pytest", "pytest"),
            ("ruff", "ruff check ."),
            ("mypy", "mypy ."),
            ("black", "black --check ."),
        ]
        .iter()
        .filter(|(tool, _)| t.contains(&format!("[tool.{tool}")))
        .map(|(_, c)| (*c).to_owned())
        .collect();
        add("pyproject.toml", tools);
    }
    for (file, command) in [
        ("tox.ini", "tox"),
        ("noxfile.py", "nox"),
        (".busted", "busted"),
    ] {
        if has(file) {
            add(file, vec![command.to_owned()]);
        }
    }
    add("composer.json", composer_commands(blobs));
    if has("Package.swift") {
        add("Package.swift", owned(&["swift build", "swift test"]));
    }
    if has("pom.xml") {
        let mvn = if has("mvnw") { "./mvnw" } else { "mvn" };
        add("pom.xml", vec![format!("{mvn} verify")]);
    }
    for gradle in ["build.gradle.kts", "build.gradle"] {
        if has(gradle) {
            let g = if has("gradlew") {
                "./gradlew"
            } else {
                "gradle"
            };
            add(gradle, vec![format!("{g} build"), format!("{g} test")]);
            break;
        }
    }
    if has("build.sbt") {
        add("build.sbt", owned(&["sbt test"]));
    }
    if let Some(solution) = index.files.keys().find(|p| {
        !p.contains('/')
            && Path::new(p.as_str())
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("sln") || e.eq_ignore_ascii_case("csproj"))
    }) {
        add(solution, owned(&["dotnet build", "dotnet test"]));
    }
    if has("Gemfile") && has("Rakefile") {
        add("Rakefile", owned(&["bundle exec rake"]));
    }
    if has("CMakeLists.txt") {
        add(
            "CMakeLists.txt",
            owned(&[
                "cmake -S . -B build",
                "cmake --build build",
                "ctest --test-dir build",
            ]),
        );
    }
    for (path, targets) in make_commands(blobs) {
        add(&path, targets);
    }
    found
}

/// The build, test and check targets of a Makefile or justfile.
fn make_commands(blobs: &Blobs<'_>) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for path in ["Makefile", "makefile", "GNUmakefile", "justfile"] {
        let Some(t) = blobs.text(path) else {
            continue;
        };
        let tool = if path == "justfile" { "just" } else { "make" };
        let targets: Vec<String> = t
            .lines()
            .filter_map(|l| {
                let (name, _) = l.split_once(':')?;
                let plain = !name.is_empty()
                    && !l.starts_with(['\t', ' ', '.', '#'])
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                (plain && !l[name.len()..].starts_with(":=")).then_some(name)
            })
            .filter_map(|name| build_command(&format!("{tool} {name}")))
            .take(5)
            .collect();
        if !targets.is_empty() {
            out.push((path.to_owned(), targets));
        }
    }
    out
}

/// `composer.json`'s scripts that test or check.
fn composer_commands(blobs: &Blobs<'_>) -> Vec<String> {
    let Some(t) = blobs.text("composer.json") else {
        return Vec::new();
    };
    // Not JSON: no scripts to list.
    let v: serde_json::Value = serde_json::from_str(&t).unwrap_or_default();
    v.get("scripts")
        .and_then(|x| x.as_object())
        .into_iter()
        .flat_map(|o| o.keys())
        .filter_map(|name| build_command(&format!("composer {name}")))
        .take(5)
        .collect()
}

/// `package.json`'s scripts that build, test or check, run by the
/// package manager its lockfile names.
fn script_commands(index: &Snapshot, blobs: &Blobs<'_>) -> Option<Vec<String>> {
    let has = |p: &str| index.files.contains_key(p);
    let t = blobs.text("package.json")?;
    {
        // Not JSON: no scripts to list.
        let v: serde_json::Value = serde_json::from_str(&t).unwrap_or_default();
        let runner = if has("bun.lockb") || has("bun.lock") {
            "bun run"
        } else if has("pnpm-lock.yaml") {
            "pnpm run"
        } else if has("yarn.lock") {
            "yarn"
        } else {
            "npm run"
        };
        if let Some(scripts) = v.get("scripts").and_then(|x| x.as_object()) {
            let wanted = ["build", "test", "lint", "typecheck", "check"];
            let shown: Vec<String> = scripts
                .iter()
                .filter(|(name, body)| {
                    let body = body.as_str().unwrap_or("");
                    let base = name.split(':').next().unwrap_or(name);
                    // The name must read as a build command (no `lint:fix`,
                    // no `publish`), the script must not change things,
                    // and a watcher never ends.
                    wanted.contains(&base)
                        && !name.contains("watch")
                        && build_command(&format!("npm {name}")).is_some()
                        && !UNSAFE.iter().any(|u| format!(" {body} ").contains(u))
                })
                .take(6)
                .map(|(name, _)| format!("{runner} {name}"))
                .collect();
            return Some(shown);
        }
    }
    None
}

/// Build, test and lint commands, from the manifests at the root and the
/// CI workflows, each with where it comes from, deduplicated.
pub(super) fn commands(index: &Snapshot, blobs: &Blobs<'_>) -> Section {
    let mut found = manifest_commands(index, blobs);
    let mut workflows: Vec<&String> = index
        .files
        .keys()
        .filter(|p| {
            p.starts_with(".github/workflows/")
                && Path::new(p.as_str()).extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml")
                })
        })
        .collect();
    workflows.sort();
    for path in workflows {
        let Some(t) = blobs.text(path) else {
            continue;
        };
        let steps: Vec<String> = workflow_steps(&t)
            .iter()
            .filter_map(|step| build_command(step))
            .collect();
        if !steps.is_empty() {
            found.push((path.clone(), steps));
        }
    }
    let mut section = Section::new("Build, test, lint");
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (source, list) in found {
        let fresh: Vec<String> = list
            .into_iter()
            .filter(|c| seen.insert(c.clone()))
            .take(5)
            .map(|c| format!("`{c}`"))
            .collect();
        if !fresh.is_empty() {
            section
                .entries
                .push(format!("- {} (from `{source}`)", fresh.join(", ")));
        }
    }
    section
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_build_test_and_lint_commands_are_kept() {
        let workflow = "jobs:\n  test:\n    steps:\n      - run: |\n          sed -i 's/a/b/' Cargo.toml\n          cargo test --all\n          cargo fmt --check && cargo clippy -- -D warnings\n      - name: Lint\n        run: npm run lint:fix\n      - run: |-\n          set -o pipefail && env CI=1 xcodebuild -scheme App test 2>&1 | xcbeautify\n      - run: cargo publish --token ${{ secrets.TOKEN }}\n      - run: ctest -j `nproc`\n      - run: npm install\n";
        let kept: Vec<String> = workflow_steps(workflow)
            .iter()
            .filter_map(|s| build_command(s))
            .collect();
        assert_eq!(
            kept,
            [
                "cargo test --all",
                "cargo fmt --check",
                "cargo clippy -- -D warnings",
                "xcodebuild -scheme App test"
            ]
        );
    }
}
