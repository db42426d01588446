//! Shared pieces of Homer's benchmarks and measurement tools.

use std::path::Path;
use std::process::Command;

use homer_syntax::Language;
pub use homer_syntax::grammar;

/// A file Homer parses.
#[derive(Debug)]
pub struct SourceFile {
    pub path: String,
    pub language: Language,
    pub bytes: Vec<u8>,
}

/// A repository's parsed files, by name.
#[derive(Debug)]
pub struct Repo {
    pub name: String,
    pub files: Vec<SourceFile>,
}

/// The contents of `files` grouped by language.
#[must_use]
pub fn by_language(files: &[SourceFile]) -> std::collections::BTreeMap<Language, Vec<&[u8]>> {
    let mut out: std::collections::BTreeMap<Language, Vec<&[u8]>> =
        std::collections::BTreeMap::new();
    for file in files {
        out.entry(file.language).or_default().push(&file.bytes);
    }
    out
}

/// The repositories to measure: the clones in `HOMER_CORPUS` (see
/// `../shared/corpus/README`), or `fixtures/languages` when it is unset.
#[must_use]
pub fn repositories() -> Vec<Repo> {
    if let Some(corpus) = std::env::var_os("HOMER_CORPUS") {
        let mut repos: Vec<std::path::PathBuf> = std::fs::read_dir(corpus)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        repos.retain(|p| p.join(".git").exists());
        repos.sort();
        repos
            .into_iter()
            .map(|p| Repo {
                name: p
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                files: source_files(&p),
            })
            .collect()
    } else {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/languages");
        vec![Repo {
            name: "fixtures".to_owned(),
            files: files_under(&fixtures),
        }]
    }
}

/// The files under `root` that Homer parses, sorted by path.
#[must_use]
pub fn files_under(root: &Path) -> Vec<SourceFile> {
    let mut stack = vec![root.to_path_buf()];
    let mut out = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                let relative = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                if let Some(language) = homer_syntax::detect(&relative, &bytes) {
                    out.push(SourceFile {
                        path: relative,
                        language,
                        bytes,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The files git tracks in `repo` that Homer parses, with their language
/// and content (files over 1 MB left out, as Homer does by default).
#[must_use]
pub fn source_files(repo: &Path) -> Vec<SourceFile> {
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(repo)
        .output()
        .expect("git ls-files runs");
    let mut files = Vec::new();
    for path in out.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        let path = String::from_utf8_lossy(path).into_owned();
        let Ok(bytes) = std::fs::read(repo.join(&path)) else {
            continue;
        };
        if bytes.len() > 1_000_000 || bytes[..bytes.len().min(8000)].contains(&0) {
            continue;
        }
        if let Some(language) = homer_syntax::detect(&path, &bytes) {
            files.push(SourceFile {
                path,
                language,
                bytes,
            });
        }
    }
    files
}
