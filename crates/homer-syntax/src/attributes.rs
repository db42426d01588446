//! What a repository's `.gitattributes` says about its files' languages,
//! in the attributes GitHub's linguist reads: `linguist-language=NAME`
//! names a file's language, `linguist-generated`, `linguist-vendored` and
//! `linguist-documentation` say that it is not the repository's own code.
//!
//! Patterns follow gitattributes: one without a slash matches a file name
//! in any directory, one with a slash matches the path from the root;
//! `*` and `?` stay within a path segment, `**` crosses them; a pattern
//! ending in a slash matches no file, as in git. The last line that sets
//! an attribute wins.

use crate::{Language, PathHint};

/// The rules of one `.gitattributes` file (the repository root's).
#[derive(Clone, Debug, Default)]
pub struct Attributes {
    rules: Vec<Rule>,
}

#[derive(Clone, Debug)]
struct Rule {
    pattern: String,
    /// The pattern names a file name in any directory.
    basename: bool,
    /// `Some(name)` for `linguist-language=name`.
    language: Option<String>,
    /// `Some(true)` when the rule marks files as not the repository's own
    /// code, `Some(false)` when it unmarks them (`-linguist-vendored`).
    foreign: Option<bool>,
}

impl Attributes {
    /// The rules in `text`; lines that set none of linguist's attributes
    /// are ignored, as are macros (`[attr]`) and malformed lines.
    #[must_use]
    pub fn parse(text: &str) -> Attributes {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("[attr]") {
                continue;
            }
            let mut words = line.split_whitespace();
            let Some(pattern) = words.next() else {
                continue;
            };
            let mut rule = Rule {
                pattern: String::new(),
                basename: false,
                language: None,
                foreign: None,
            };
            for word in words {
                let (set, name, value) = match word.split_once('=') {
                    Some((name, value)) => (true, name, Some(value)),
                    None => match word.strip_prefix(['-', '!']) {
                        Some(name) => (false, name, None),
                        None => (true, word, None),
                    },
                };
                match name {
                    "linguist-language" => {
                        rule.language = value.filter(|_| set).map(str::to_owned);
                    }
                    "linguist-generated" | "linguist-vendored" | "linguist-documentation" => {
                        let on = set && !matches!(value, Some("false" | "0"));
                        rule.foreign = Some(on);
                    }
                    _ => {}
                }
            }
            if rule.language.is_none() && rule.foreign.is_none() {
                continue;
            }
            // A directory pattern (`docs/`) matches no file in git's
            // attributes (`docs/**` does): as git reads it, it is inert.
            if pattern.ends_with('/') {
                continue;
            }
            rule.basename = !pattern.contains('/');
            pattern
                .trim_start_matches('/')
                .clone_into(&mut rule.pattern);
            rules.push(rule);
        }
        Attributes { rules }
    }

    /// Whether there are no rules.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// What the attributes make of `path`, whose path alone gives `hint`.
    #[must_use]
    pub fn hint(&self, path: &str, hint: PathHint) -> PathHint {
        let mut language: Option<&str> = None;
        let mut foreign = false;
        let name = path.rsplit('/').next().unwrap_or(path);
        for rule in &self.rules {
            let against = if rule.basename { name } else { path };
            if !glob(rule.pattern.as_bytes(), against.as_bytes()) {
                continue;
            }
            if let Some(name) = &rule.language {
                language = Some(name);
            }
            if let Some(on) = rule.foreign {
                foreign = on;
            }
        }
        if foreign {
            return PathHint::NotCode;
        }
        match language {
            Some(name) => linguist_language(name).map_or(PathHint::NotCode, PathHint::Language),
            None => hint,
        }
    }
}

/// The language linguist calls `name` (`Shell`, `C++`, `Terraform`...),
/// if Homer reads it.
fn linguist_language(name: &str) -> Option<Language> {
    let name = name.to_ascii_lowercase().replace('_', " ");
    let alias = match name.as_str() {
        "shell" | "sh" | "zsh" | "shellscript" => Some(Language::Bash),
        "c++" => Some(Language::Cpp),
        "c#" => Some(Language::CSharp),
        "terraform" | "hcl" => Some(Language::Hcl),
        "js" | "node" => Some(Language::JavaScript),
        "ts" => Some(Language::TypeScript),
        _ => None,
    };
    alias.or_else(|| {
        Language::ALL
            .iter()
            .copied()
            .find(|l| l.name() == name || l.label().eq_ignore_ascii_case(&name))
    })
}

/// A gitattributes glob against a path: `*` and `?` within a segment,
/// `**` across segments, `[...]` a set of bytes. Iterative, with one
/// backtrack point per kind of star, so no input makes it slow.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where to resume after a `*` (within a segment) or `**` (across).
    let mut star: Option<(usize, usize)> = None;
    let mut globstar: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' if pattern.get(p + 1) == Some(&b'*') => {
                    // `**/` also matches no directory at all.
                    let mut next = p + 2;
                    if pattern.get(next) == Some(&b'/') {
                        next += 1;
                    }
                    globstar = Some((next, t));
                    star = None;
                    p = next;
                    continue;
                }
                b'*' => {
                    star = Some((p + 1, t));
                    p += 1;
                    continue;
                }
                b'?' if text[t] != b'/' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, len)) = class(&pattern[p..], text[t])
                        && matched
                    {
                        p += len;
                        t += 1;
                        continue;
                    }
                }
                c if c == text[t] => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
        }
        // A mismatch: let the last star take one more byte.
        if let Some((sp, st)) = star
            && text[st] != b'/'
        {
            star = Some((sp, st + 1));
            p = sp;
            t = st + 1;
            continue;
        }
        if let Some((gp, gt)) = globstar {
            // `**/`: resume after the next slash; a bare `**`: any byte.
            let next = if gp > 0 && pattern.get(gp - 1) == Some(&b'/') {
                text[gt..]
                    .iter()
                    .position(|&b| b == b'/')
                    .map(|i| gt + i + 1)
            } else {
                Some(gt + 1)
            };
            if let Some(next) = next.filter(|&n| n <= text.len()) {
                globstar = Some((gp, next));
                star = None;
                p = gp;
                t = next;
                continue;
            }
        }
        return false;
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// `[abc]`, `[a-z]`, `[!x]` at the start of `pattern` against `byte`:
/// whether it matches and the set's length, or `None` for a `[` that
/// opens no set.
fn class(pattern: &[u8], byte: u8) -> Option<(bool, usize)> {
    let end = pattern.iter().skip(2).position(|&c| c == b']')? + 2;
    let mut set = &pattern[1..end];
    let negated = matches!(set.first(), Some(b'!' | b'^'));
    if negated {
        set = &set[1..];
    }
    let mut found = false;
    let mut i = 0;
    while i < set.len() {
        if i + 2 < set.len() && set[i + 1] == b'-' {
            found |= (set[i]..=set[i + 2]).contains(&byte);
            i += 3;
        } else {
            found |= set[i] == byte;
            i += 1;
        }
    }
    Some((found != negated, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_gitattributes() {
        let cases: &[(&str, &str, bool)] = &[
            ("*.js", "app.js", true),
            ("*.js", "web/app.js", false),
            ("docs/**", "docs/js/jquery.min.js", true),
            ("docs/**", "src/docs/a.js", false),
            ("**/vendor/**", "a/b/vendor/c/d.go", true),
            ("**/vendor/**", "vendor/d.go", true),
            ("src/*.c", "src/a.c", true),
            ("src/*.c", "src/x/a.c", false),
            ("*.min.[jc]s", "a.min.js", true),
            ("*.min.[jc]s", "a.min.ts", false),
            ("*.[ch]pp", "x.opp", false),
            ("*.[ch]pp", "x.hpp", true),
            ("file?.txt", "file1.txt", true),
            ("**/*.pb.go", "api/v1/x.pb.go", true),
            ("**/*.pb.go", "x.pb.go", true),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(
                glob(pattern.as_bytes(), path.as_bytes()),
                *expected,
                "{pattern} {path}"
            );
        }
        // Pathological stars end quickly.
        let long = "a".repeat(10_000);
        assert!(!glob(b"*a*a*a*a*a*a*b", long.as_bytes()));
    }

    #[test]
    fn linguist_attributes_set_and_unset_languages() {
        let attributes = Attributes::parse(
            "# comment\n\
             *.inc linguist-language=PHP\n\
             scripts/* linguist-language=Shell\n\
             docs/** linguist-documentation\n\
             build/ linguist-generated\n\
             vendor/** linguist-vendored\n\
             vendor/ours/** -linguist-vendored\n\
             gen/*.go linguist-generated=true\n\
             gen/keep.go linguist-generated=false\n\
             *.m linguist-language=Objective-C\n\
             *.txt text eol=lf\n",
        );
        let hint = |path: &str| attributes.hint(path, crate::path_hint(path));
        assert_eq!(hint("lib/a.inc"), PathHint::Language(Language::Php));
        assert_eq!(hint("scripts/build"), PathHint::Language(Language::Bash));
        assert_eq!(hint("docs/js/jquery.js"), PathHint::NotCode);
        // `build/` names a directory, which git's attributes never match.
        assert_eq!(hint("build/x.js"), PathHint::Language(Language::JavaScript));
        assert_eq!(hint("vendor/lib/x.c"), PathHint::NotCode);
        assert_eq!(hint("vendor/ours/x.c"), PathHint::Language(Language::C));
        assert_eq!(hint("gen/api.go"), PathHint::NotCode);
        assert_eq!(hint("gen/keep.go"), PathHint::Language(Language::Go));
        // A language Homer does not read: not parsed as anything else.
        assert_eq!(hint("src/view.m"), PathHint::NotCode);
        assert_eq!(hint("src/main.rs"), PathHint::Language(Language::Rust));
        assert!(Attributes::parse("*.txt text\n").is_empty());
    }
}
