//! Which language a file is written in: by extension, then by well-known
//! file name, then by the shebang line.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Language {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
    C,
    Cpp,
    CSharp,
    Ruby,
    Kotlin,
    Swift,
    Php,
    Scala,
    Lua,
    Bash,
    Elixir,
    Erlang,
    Haskell,
    Zig,
    Dart,
    R,
    Elm,
    Nix,
    Hcl,
    Solidity,
    Gleam,
}

impl Language {
    pub const ALL: &'static [Language] = &[
        Language::Rust,
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Go,
        Language::Java,
        Language::C,
        Language::Cpp,
        Language::CSharp,
        Language::Ruby,
        Language::Kotlin,
        Language::Swift,
        Language::Php,
        Language::Scala,
        Language::Lua,
        Language::Bash,
        Language::Elixir,
        Language::Erlang,
        Language::Haskell,
        Language::Zig,
        Language::Dart,
        Language::R,
        Language::Elm,
        Language::Nix,
        Language::Hcl,
        Language::Solidity,
        Language::Gleam,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Go => "go",
            Language::Java => "java",
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::CSharp => "csharp",
            Language::Ruby => "ruby",
            Language::Kotlin => "kotlin",
            Language::Swift => "swift",
            Language::Php => "php",
            Language::Scala => "scala",
            Language::Lua => "lua",
            Language::Bash => "bash",
            Language::Elixir => "elixir",
            Language::Erlang => "erlang",
            Language::Haskell => "haskell",
            Language::Zig => "zig",
            Language::Dart => "dart",
            Language::R => "r",
            Language::Elm => "elm",
            Language::Nix => "nix",
            Language::Hcl => "hcl",
            Language::Solidity => "solidity",
            Language::Gleam => "gleam",
        }
    }

    /// The name people write.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Language::Rust => "Rust",
            Language::Python => "Python",
            Language::JavaScript => "JavaScript",
            Language::TypeScript => "TypeScript",
            Language::Tsx => "TSX",
            Language::Go => "Go",
            Language::Java => "Java",
            Language::C => "C",
            Language::Cpp => "C++",
            Language::CSharp => "C#",
            Language::Ruby => "Ruby",
            Language::Kotlin => "Kotlin",
            Language::Swift => "Swift",
            Language::Php => "PHP",
            Language::Scala => "Scala",
            Language::Lua => "Lua",
            Language::Bash => "Bash",
            Language::Elixir => "Elixir",
            Language::Erlang => "Erlang",
            Language::Haskell => "Haskell",
            Language::Zig => "Zig",
            Language::Dart => "Dart",
            Language::R => "R",
            Language::Elm => "Elm",
            Language::Nix => "Nix",
            Language::Hcl => "HCL",
            Language::Solidity => "Solidity",
            Language::Gleam => "Gleam",
        }
    }

    /// How much Homer reads of the language: everything (definitions
    /// with signatures and docs, imports resolved to files, calls resolved
    /// by scope), or its definitions and calls only, the calls guessed
    /// among the files of the same directory.
    #[must_use]
    pub fn tier(self) -> Tier {
        match self {
            Language::Elixir
            | Language::Erlang
            | Language::Haskell
            | Language::Zig
            | Language::Dart
            | Language::R
            | Language::Elm
            | Language::Nix
            | Language::Hcl
            | Language::Solidity
            | Language::Gleam => Tier::Tags,
            _ => Tier::Full,
        }
    }

    #[must_use]
    pub fn from_name(name: &str) -> Option<Language> {
        Language::ALL.iter().copied().find(|l| l.name() == name)
    }
}

/// How much Homer reads of a language (see [`Language::tier`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Full,
    Tags,
}

/// What a path alone says about a file's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathHint {
    /// The path decides.
    Language(Language),
    /// The content decides: a C or C++ header (`"h"`), or a file without
    /// an extension that may be a script with a shebang (`"script"`).
    Content(&'static str),
    /// Not something Homer parses (a README, a lock file, an image).
    NotCode,
}

impl PathHint {
    /// The hint as a short name (a language's name, `h`, `script`), for a
    /// task key; `None` for a path that is not code.
    #[must_use]
    pub fn name(self) -> Option<&'static str> {
        match self {
            PathHint::Language(language) => Some(language.name()),
            PathHint::Content(hint) => Some(hint),
            PathHint::NotCode => None,
        }
    }

    /// The hint a [`PathHint::name`] stands for.
    #[must_use]
    pub fn from_name(name: &str) -> PathHint {
        match name {
            "h" => PathHint::Content("h"),
            "script" => PathHint::Content("script"),
            other => Language::from_name(other).map_or(PathHint::NotCode, PathHint::Language),
        }
    }
}

/// The language a path implies, by extension or well-known file name.
#[must_use]
pub fn path_hint(path: &str) -> PathHint {
    let file = path.rsplit('/').next().unwrap_or(path);
    match file {
        "Rakefile" | "Gemfile" | "Guardfile" | "Vagrantfile" | "Capfile" | "Podfile" => {
            return PathHint::Language(Language::Ruby);
        }
        "SConstruct" | "SConscript" => return PathHint::Language(Language::Python),
        ".bashrc" | ".bash_profile" | ".bash_login" | ".bash_logout" | ".profile" | ".zshrc"
        | ".zshenv" | ".zprofile" | "PKGBUILD" | "APKBUILD" => {
            return PathHint::Language(Language::Bash);
        }
        _ => {}
    }
    let Some((_, ext)) = file.rsplit_once('.').filter(|(stem, _)| !stem.is_empty()) else {
        // No extension (a dotfile counts as none): maybe a script.
        return if file.starts_with('.') {
            PathHint::NotCode
        } else {
            PathHint::Content("script")
        };
    };
    let language = match ext.to_ascii_lowercase().as_str() {
        "rs" => Language::Rust,
        "py" | "pyi" | "pyw" => Language::Python,
        "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
        "ts" | "mts" | "cts" => Language::TypeScript,
        "tsx" => Language::Tsx,
        "go" => Language::Go,
        "java" => Language::Java,
        "c" => Language::C,
        "h" => return PathHint::Content("h"),
        "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" | "ipp" | "tcc" => {
            Language::Cpp
        }
        "cs" => Language::CSharp,
        "rb" | "rake" | "gemspec" | "ru" => Language::Ruby,
        "kt" | "kts" => Language::Kotlin,
        "swift" => Language::Swift,
        "php" | "phtml" | "php3" | "php4" | "php5" | "phps" => Language::Php,
        "scala" | "sc" => Language::Scala,
        "lua" | "rockspec" => Language::Lua,
        "sh" | "bash" | "zsh" | "ksh" | "bats" => Language::Bash,
        "ex" | "exs" => Language::Elixir,
        "erl" | "hrl" | "escript" => Language::Erlang,
        "hs" => Language::Haskell,
        "zig" => Language::Zig,
        "dart" => Language::Dart,
        "r" => Language::R,
        "elm" => Language::Elm,
        "nix" => Language::Nix,
        "hcl" | "tf" | "tfvars" => Language::Hcl,
        "sol" => Language::Solidity,
        "gleam" => Language::Gleam,
        _ => return PathHint::NotCode,
    };
    PathHint::Language(language)
}

/// The language of the file at `path` (a repository path) whose content
/// starts with `head`, or `None` for anything Homer does not parse.
#[must_use]
pub fn detect(path: &str, head: &[u8]) -> Option<Language> {
    detect_hinted(path_hint(path), head)
}

/// The language of a file whose path gives `hint` and whose content starts
/// with `head`: everything `detect` reads of the path is in the hint.
#[must_use]
pub fn detect_hinted(hint: PathHint, head: &[u8]) -> Option<Language> {
    match hint {
        PathHint::Language(language) => Some(language),
        PathHint::Content("h") => Some(if looks_like_cpp(head) {
            Language::Cpp
        } else {
            Language::C
        }),
        PathHint::Content(_) => shebang(head),
        PathHint::NotCode => None,
    }
}

/// A C header that uses C++ syntax.
fn looks_like_cpp(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(16 * 1024)]);
    [
        "class ",
        "namespace ",
        "template<",
        "template <",
        "public:",
        "private:",
        "std::",
    ]
    .iter()
    .any(|marker| text.contains(marker))
}

fn shebang(head: &[u8]) -> Option<Language> {
    let line = head.strip_prefix(b"#!")?;
    let line = &line[..line.iter().position(|&b| b == b'\n').unwrap_or(line.len())];
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let mut program = words.next()?.rsplit('/').next()?;
    if program == "env" {
        program = words.find(|w| !w.starts_with('-'))?;
    }
    let program = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    match program {
        "python" | "pypy" => Some(Language::Python),
        "node" | "nodejs" => Some(Language::JavaScript),
        "deno" | "ts-node" | "tsx" | "bun" => Some(Language::TypeScript),
        "ruby" | "jruby" => Some(Language::Ruby),
        "sh" | "bash" | "zsh" | "ksh" | "dash" | "ash" | "mksh" | "bats" => Some(Language::Bash),
        "lua" | "luajit" => Some(Language::Lua),
        "php" => Some(Language::Php),
        "elixir" => Some(Language::Elixir),
        "escript" => Some(Language::Erlang),
        "runhaskell" | "runghc" => Some(Language::Haskell),
        "Rscript" => Some(Language::R),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_extension_name_and_shebang() {
        let cases: &[(&str, &[u8], Option<Language>)] = &[
            ("src/main.rs", b"", Some(Language::Rust)),
            ("a/b.PY", b"", Some(Language::Python)),
            ("web/app.mjs", b"", Some(Language::JavaScript)),
            ("x.d.ts", b"", Some(Language::TypeScript)),
            ("ui/App.tsx", b"", Some(Language::Tsx)),
            ("inc/calc.h", b"int add(int);", Some(Language::C)),
            (
                "inc/calc.h",
                b"namespace calc { class A; }",
                Some(Language::Cpp),
            ),
            ("Rakefile", b"", Some(Language::Ruby)),
            (
                "bin/tool",
                b"#!/usr/bin/env python3\nprint(1)",
                Some(Language::Python),
            ),
            ("bin/tool", b"#!/usr/bin/node", Some(Language::JavaScript)),
            (
                "bin/tool",
                b"#!/usr/bin/env -S ruby -w",
                Some(Language::Ruby),
            ),
            ("bin/tool", b"#!/bin/sh", Some(Language::Bash)),
            (
                "bin/tool",
                b"#!/usr/bin/env bash\nset -e",
                Some(Language::Bash),
            ),
            ("install", b"#!/usr/bin/env zsh", Some(Language::Bash)),
            ("bin/tool", b"#!/usr/bin/env perl", None),
            ("scripts/run.sh", b"", Some(Language::Bash)),
            (".bashrc", b"", Some(Language::Bash)),
            ("app/src/Main.kt", b"", Some(Language::Kotlin)),
            ("build.gradle.kts", b"", Some(Language::Kotlin)),
            ("Sources/App/App.swift", b"", Some(Language::Swift)),
            ("src/App.php", b"", Some(Language::Php)),
            ("os/src/Path.scala", b"", Some(Language::Scala)),
            ("busted/core.lua", b"", Some(Language::Lua)),
            ("bin/busted", b"#!/usr/bin/env lua", Some(Language::Lua)),
            ("lib/app/repo.ex", b"", Some(Language::Elixir)),
            ("src/app_sup.erl", b"", Some(Language::Erlang)),
            (
                "bin/migrate",
                b"#!/usr/bin/env escript",
                Some(Language::Erlang),
            ),
            ("src/Main.hs", b"", Some(Language::Haskell)),
            ("src/main.zig", b"", Some(Language::Zig)),
            ("lib/main.dart", b"", Some(Language::Dart)),
            ("R/plot.R", b"", Some(Language::R)),
            ("bin/report", b"#!/usr/bin/env Rscript", Some(Language::R)),
            ("src/Main.elm", b"", Some(Language::Elm)),
            ("flake.nix", b"", Some(Language::Nix)),
            ("infra/main.tf", b"", Some(Language::Hcl)),
            ("contracts/Token.sol", b"", Some(Language::Solidity)),
            ("src/app.gleam", b"", Some(Language::Gleam)),
            (".eslintrc", b"{}", None),
            ("README.md", b"# x", None),
            ("Makefile", b"all:", None),
        ];
        for (path, head, expected) in cases {
            assert_eq!(detect(path, head), *expected, "{path}");
            let hint = path_hint(path);
            if let Some(name) = hint.name() {
                assert_eq!(PathHint::from_name(name), hint, "{path}");
            }
        }
    }
}
