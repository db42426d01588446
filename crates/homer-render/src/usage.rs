//! Where a definition is called, as a task context shows it under the
//! definitions most likely edited: the caller and the lines around the
//! call, quoted from the caller's file as the index holds it. An edit to a
//! definition's contract has to be carried to these lines; an agent sees
//! them without asking again.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use homer_read::Index;
use homer_vocab::outside_production;
use homer_vocab::quote::KeptFile;

use crate::RenderError;
use crate::context::TaskSource;

/// Calls shown for one definition.
pub(crate) const USAGES: usize = 2;
/// Characters of a quoted line kept.
const LINE_CHARS: usize = 160;
/// Guessed calls below this confidence are not shown (several candidates
/// of one name, a library's name): a usage shown should be one.
const LEAST_CONFIDENCE: f64 = 0.5;

/// One call of a definition: who calls it, where, and the lines around.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Usage {
    /// The caller's qualified name; `None` for a file's top level.
    pub caller: Option<String>,
    /// Whether the call edge is a guess (resolved by name).
    pub guessed: bool,
    pub path: String,
    /// (line, text), the call's line among them, indentation shared by
    /// all of them removed.
    pub lines: Vec<(u32, String)>,
}

/// The names a call of the definition `qualified` is written with, most
/// telling first: with its parent (`Foo::new`, `req.accepts`: another
/// `new` in the caller is not it), its own last segment, then for a
/// constructor (`__init__`, `__construct`) its class's name alone.
fn called_as(qualified: &str) -> Vec<String> {
    let bare = match qualified.rsplit_once('#') {
        Some((name, n)) if n.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => qualified,
    };
    let segments: Vec<&str> = bare
        .split("::")
        .flat_map(|part| part.split('.'))
        .filter(|s| !s.is_empty())
        .collect();
    match segments[..] {
        [] => Vec::new(),
        [short] => vec![short.to_owned()],
        [.., parent, short] => {
            let mut names = vec![
                format!("{parent}::{short}"),
                format!("{parent}.{short}"),
                short.to_owned(),
            ];
            if CONSTRUCTORS.contains(&short) {
                names.push(parent.to_owned());
            }
            names
        }
    }
}

/// Names of constructors, which a call writes as their class's name
/// (`Environment(...)`, `new Environment(...)`, `Environment.new`).
const CONSTRUCTORS: [&str; 7] = [
    "__init__",
    "__new__",
    "__construct",
    "constructor",
    "initialize",
    "init",
    "new",
];

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// How `line` uses `name`: 2 for a whole word followed by `(`, 1 for a
/// whole word, 0 for none.
fn use_in(line: &str, name: &str) -> u8 {
    let bytes = line.as_bytes();
    let mut best = 0;
    for (at, _) in line.match_indices(name) {
        let end = at + name.len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        if before.is_some_and(is_word_byte) || bytes.get(end).copied().is_some_and(is_word_byte) {
            continue;
        }
        let called = line[end..].trim_start().starts_with('(');
        best = best.max(if called { 2 } else { 1 });
    }
    best
}

/// The 1-based line of `lines[first..=last]` that calls `names` (the first
/// name that any line uses; a line using it with `(` before one that only
/// names it), past the caller's own first line when it has more.
fn call_line(lines: &[&str], first: u32, last: u32, names: &[String]) -> Option<u32> {
    let last = last.min(u32::try_from(lines.len()).unwrap_or(u32::MAX));
    let first = if last > first { first + 1 } else { first };
    for name in names {
        let mut found: Option<(u8, u32)> = None;
        for n in first.max(1)..=last {
            let how = use_in(lines[n as usize - 1], name);
            if how > found.map_or(0, |f| f.0) {
                found = Some((how, n));
                if how == 2 {
                    break;
                }
            }
        }
        if let Some((_, n)) = found {
            return Some(n);
        }
    }
    None
}

/// The lines around `at` within `first..=last`: the one before and the one
/// after when they hold code, without the indentation they share.
fn around(lines: &[&str], at: u32, first: u32, last: u32) -> Vec<(u32, String)> {
    let from = at.saturating_sub(1).max(first).max(1);
    let to = (at + 1).min(last);
    let picked: Vec<(u32, &str)> = (from..=to)
        .filter_map(|n| lines.get(n as usize - 1).map(|l| (n, l.trim_end())))
        .filter(|(n, l)| *n == at || !l.trim().is_empty())
        .collect();
    quoted(picked)
}

/// Lines as a context quotes them: without the indentation they share,
/// each cut at [`LINE_CHARS`].
fn quoted(mut picked: Vec<(u32, &str)>) -> Vec<(u32, String)> {
    let indent = picked
        .iter()
        .map(|(_, l)| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    picked
        .iter_mut()
        .map(|(n, l)| {
            let mut text = l.get(indent..).unwrap_or(l.trim_start()).to_owned();
            if text.len() > LINE_CHARS {
                let mut cut = LINE_CHARS;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push_str(" …");
            }
            (*n, text)
        })
        .collect()
}

/// Lines of a search hit outside any definition (a Ruby class's
/// settings, a module's top level): what the task names there, where no
/// definition's line would show it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Region {
    pub first: u32,
    pub last: u32,
    /// (line, text), indentation shared by all of them removed.
    pub lines: Vec<(u32, String)>,
}

/// Whether two naming words are one word (`session`, `sessions`): equal,
/// or one starts with the other, which has four letters or more.
fn same_word(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short == long || (short.len() >= 4 && long.starts_with(short))
}

/// Whether a line only says where names come from or what the file is
/// part of: an import, an include, a `require`, a package or namespace
/// line, a module declaration. Such lines name a file's subject in every
/// file that uses it (slim's `use Slim\Handlers\ErrorHandler;` answered
/// "make the error middleware log the exception"), and say nothing of
/// what the task will change there, unless nothing else in the file names
/// the word (busted's `require 'cjson'`, for "replace cjson with dkjson").
fn only_names_a_source(line: &str) -> bool {
    const STARTS: [&str; 10] = [
        "use ",
        "import ",
        "#include",
        "#import",
        "namespace ",
        "package ",
        "extern crate ",
        "require ",
        "require(",
        "require_relative",
    ];
    let mut t = line.trim_start();
    for visibility in ["pub(crate) ", "pub ", "export "] {
        if let Some(rest) = t.strip_prefix(visibility) {
            t = rest.trim_start();
        }
    }
    STARTS.iter().any(|s| t.starts_with(s))
        // C#'s `using System.IO;`, not its `using (var f = ...)` block.
        || t.strip_prefix("using ").is_some_and(|rest| !rest.starts_with('('))
        || (t.starts_with("from ") && t.contains(" import "))
        || (t.starts_with("mod ") && t.trim_end().ends_with(';'))
        || (line.trim_start().starts_with("export ") && t.contains(" from "))
        || ["= require(", "= require '", "= require \"", "=require("]
            .iter()
            .any(|r| t.contains(r))
}

/// Which of a file's lines only name a source: those
/// [`only_names_a_source`] says so of, and the lines of a group such a
/// import line opens and leaves open (`from x import (`, Go's
/// `import (`, `use a::{`, `import {`) down to the one that closes it.
fn source_lines(lines: &[&str]) -> Vec<bool> {
    let mut out = Vec::with_capacity(lines.len());
    let mut open: Option<char> = None;
    for line in lines {
        if let Some(close) = open {
            out.push(true);
            if line.contains(close) {
                open = None;
            }
            continue;
        }
        let source = only_names_a_source(line);
        out.push(source);
        // Not a namespace's or a package's block (C#'s `namespace X {`):
        // what it opens is the file's code.
        let t = line.trim();
        let import = ["use ", "pub use ", "import ", "from ", "export "]
            .iter()
            .any(|s| t.starts_with(s));
        if source && import {
            open = if t.ends_with('(') {
                Some(')')
            } else if t.ends_with('{') {
                Some('}')
            } else {
                None
            };
        }
    }
    out
}

/// Up to `at_most` lines of `lines[first..=last]` (1-based) that name the
/// most of `words` (naming words, lowercase), in file order; none when no
/// line names one. A line that only names a source (an import, an
/// include) counts only the words no other line of the file names.
pub(crate) fn region(
    lines: &[&str],
    first: u32,
    last: u32,
    words: &[String],
    at_most: usize,
) -> Option<Region> {
    let named_in = |line: &str| {
        let mut named: Vec<&str> = Vec::new();
        homer_vocab::text::for_each_naming_word(line, |w| {
            let lower = w.to_lowercase();
            if let Some(t) = words.iter().find(|t| same_word(t, &lower))
                && !named.contains(&t.as_str())
            {
                named.push(t.as_str());
            }
        });
        named
    };
    let sources = source_lines(lines);
    let last = last.min(u32::try_from(lines.len()).unwrap_or(u32::MAX));
    let mut scored: Vec<(usize, u32)> = Vec::new();
    // Source lines of the range with the words they name, weighed once
    // every line has been read.
    let mut imports: Vec<(Vec<&str>, u32)> = Vec::new();
    for n in first.max(1)..=last {
        let named = named_in(lines[n as usize - 1]);
        if named.is_empty() {
            continue;
        }
        if sources[n as usize - 1] {
            imports.push((named, n));
        } else {
            scored.push((named.len(), n));
        }
    }
    if !imports.is_empty() {
        // The words no line but a source line names: an import naming only
        // others says nothing the file does not say better. Read until
        // each word asked about is found elsewhere.
        let mut unfound: Vec<&str> = imports
            .iter()
            .flat_map(|(w, _)| w.iter().copied())
            .collect();
        unfound.sort_unstable();
        unfound.dedup();
        for (line, _) in lines.iter().zip(&sources).filter(|(_, s)| !**s) {
            if unfound.is_empty() {
                break;
            }
            let named = named_in(line);
            unfound.retain(|w| !named.contains(w));
        }
        for (named, n) in imports {
            let only_here = named.iter().filter(|w| unfound.contains(w)).count();
            if only_here > 0 {
                scored.push((only_here, n));
            }
        }
    }
    if scored.is_empty() {
        return None;
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.truncate(at_most);
    scored.sort_by_key(|&(_, n)| n);
    let picked = scored
        .into_iter()
        .map(|(_, n)| (n, lines[n as usize - 1].trim_end()))
        .collect();
    Some(Region {
        first,
        last,
        lines: quoted(picked),
    })
}

/// A region as a context shows it, under its file's heading.
pub(crate) fn render_region(s: &mut String, r: &Region) {
    let what = "code between definitions that the task's words match";
    if r.first == r.last {
        let _ = writeln!(s, "{}: {what}:", r.first);
    } else {
        let _ = writeln!(s, "{}-{}: {what}:", r.first, r.last);
    }
    for (n, text) in &r.lines {
        let _ = writeln!(s, "      {n}: {text}");
    }
    s.push('\n');
}

/// Up to [`USAGES`] calls of the symbol `name` (`path::qualified`), from
/// production code first, certain calls before guesses, then by caller;
/// a caller calling itself is not one, nor a guess of less than
/// [`LEAST_CONFIDENCE`]. Files are read from the index's blobs and split
/// into lines, each once (`texts`).
pub(crate) fn usages_of(
    opened: &Index,
    source: &mut impl TaskSource,
    name: &str,
    texts: &mut BTreeMap<String, Option<KeptFile>>,
) -> Result<Vec<Usage>, RenderError> {
    let qualified = name.split_once("::").map_or(name, |(_, q)| q);
    let names = called_as(qualified);
    let mut callers = source.callers(name)?;
    callers.sort_by(|a, b| {
        let key = |c: &(String, f64)| (outside_production(&c.0), c.1 < 1.0);
        key(a).cmp(&key(b)).then(a.0.cmp(&b.0))
    });
    callers.dedup_by(|a, b| a.0 == b.0);
    let mut found = Vec::new();
    for (caller, confidence) in callers {
        if found.len() == USAGES {
            break;
        }
        if caller == name || confidence < LEAST_CONFIDENCE {
            continue;
        }
        let (path, range) = match caller.split_once("::") {
            Some((path, _)) => match source.symbol(&caller)? {
                Some(i) => {
                    let row = source.row(i);
                    (path.to_owned(), (row.line, row.end.max(row.line)))
                }
                None => continue,
            },
            None => (caller.clone(), (1, u32::MAX)),
        };
        if !texts.contains_key(&path) {
            texts.insert(path.clone(), opened.indexed_text(&path)?.map(KeptFile::new));
        }
        let Some(file) = &texts[&path] else {
            continue;
        };
        let lines = file.lines();
        let Some(at) = call_line(&lines, range.0, range.1, &names) else {
            continue;
        };
        let last = range.1.min(u32::try_from(lines.len()).unwrap_or(u32::MAX));
        found.push(Usage {
            caller: caller.split_once("::").map(|(_, q)| q.to_owned()),
            guessed: confidence < 1.0,
            path,
            lines: around(&lines, at, range.0, last),
        });
    }
    Ok(found)
}

/// A definition's calls as the context shows them, under its lines.
pub(crate) fn render_usages(s: &mut String, usages: &[Usage]) {
    for u in usages {
        let how = if u.guessed {
            "probably called (resolved by name)"
        } else {
            "called"
        };
        match &u.caller {
            Some(caller) => {
                let _ = writeln!(s, "    {how} by `{caller}` in {}:", u.path);
            }
            None => {
                let _ = writeln!(s, "    {how} at the top level of {}:", u.path);
            }
        }
        for (n, text) in &u.lines {
            let _ = writeln!(s, "      {n}: {text}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_known_by_its_name_or_its_class_name() {
        assert_eq!(
            called_as("req.acceptsLanguages"),
            [
                "req::acceptsLanguages",
                "req.acceptsLanguages",
                "acceptsLanguages"
            ]
        );
        assert_eq!(
            called_as("App::Environment::__construct")[2..],
            ["__construct", "Environment"]
        );
        assert_eq!(called_as("Builder.add#2")[2..], ["add"]);
        assert_eq!(called_as("main"), ["main"]);
    }

    fn names(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|&x| x.to_owned()).collect()
    }

    #[test]
    fn the_call_line_is_a_whole_word_called_past_the_callers_head() {
        let lines = [
            "function outer(a) {",
            "  // acceptsLanguagesX is another",
            "  var x = acceptsLanguages;",
            "  return req.acceptsLanguages (a)",
            "}",
        ];
        // A call with `(` wins over a mention; the head is skipped.
        assert_eq!(
            call_line(&lines, 1, 5, &names(&["acceptsLanguages"])),
            Some(4)
        );
        // The class's name when the method's is not written.
        let lines = ["def f():", "    env = Environment(x)", "    return env"];
        assert_eq!(
            call_line(&lines, 1, 3, &names(&["__init__", "Environment"])),
            Some(2)
        );
        assert_eq!(call_line(&lines, 1, 3, &names(&["absent"])), None);
        // A one-line caller is its own call line; a range past the end
        // stops at the end.
        assert_eq!(call_line(&["f(g(1))"], 1, 1, &names(&["g"])), Some(1));
        assert_eq!(call_line(&lines, 1, 99, &names(&["env"])), Some(2));
        // Another `new` in the caller is not the one called.
        let lines = [
            "fn f() {",
            "    let v = Vec::new();",
            "    let g = Graph::new();",
            "}",
        ];
        assert_eq!(call_line(&lines, 1, 4, &called_as("Graph::new")), Some(3));
    }

    #[test]
    fn a_guessed_call_says_so() {
        let usage = |guessed| Usage {
            caller: Some("Report.total".to_owned()),
            guessed,
            path: "report.py".to_owned(),
            lines: vec![(7, "total += area(w, h)".to_owned())],
        };
        let mut s = String::new();
        render_usages(&mut s, &[usage(false), usage(true)]);
        assert_eq!(
            s,
            "    called by `Report.total` in report.py:\n      7: total += area(w, h)\n    \
             probably called (resolved by name) by `Report.total` in report.py:\n      7: total += area(w, h)\n"
        );
        let top = Usage {
            caller: None,
            ..usage(false)
        };
        let mut s = String::new();
        render_usages(&mut s, &[top]);
        assert!(s.starts_with("    called at the top level of report.py:\n"));
    }

    /// The lines naming the most of the words, at most as many as asked,
    /// in file order; a plural names its singular; none without a match.
    #[test]
    fn a_region_quotes_the_lines_naming_the_most_words() {
        let lines = [
            "  set :logging, false",
            "  set :sessions, false",
            "  set :session_store, CookieStore",
            "  set :views, 'views'",
        ];
        let words = ["cookie".to_owned(), "session".to_owned()];
        let r = region(&lines, 1, 4, &words, 1).expect("a match");
        assert_eq!((r.first, r.last), (1, 4));
        assert_eq!(r.lines, [(3, "set :session_store, CookieStore".to_owned())]);
        let r = region(&lines, 1, 9, &words, 5).expect("a match");
        assert_eq!(
            r.lines,
            [
                (2, "set :sessions, false".to_owned()),
                (3, "set :session_store, CookieStore".to_owned())
            ]
        );
        assert_eq!(
            region(&lines, 1, 4, &["view".to_owned()], 5).map(|r| r.lines.len()),
            Some(1)
        );
        assert_eq!(region(&lines, 1, 4, &["route".to_owned()], 5), None);
    }

    /// Imports, includes and package lines name the task's words in every
    /// file that uses its subject: quoted only for a word that nothing else
    /// in the file names.
    #[test]
    fn a_region_quotes_an_import_only_for_a_word_nothing_else_names() {
        let lines = [
            "namespace Slim\\Middleware;",
            "use Slim\\Handlers\\ErrorHandler;",
            "from .errors import ErrorHandler",
            "#include \"error_handler.h\"",
            "using Error.Handlers;",
            "const errorHandler = require('./error-handler')",
            "local handler = require 'error.handler'",
            "pub use crate::error::Handler;",
            "export { ErrorHandler } from './error'",
            "mod error;",
            "ERROR_HANDLER = ErrorHandler(log=True)",
            "using (var handler = new ErrorHandler())",
        ];
        let words = ["error".to_owned(), "handler".to_owned()];
        let r = region(&lines, 1, 12, &words, 6).expect("a match");
        assert_eq!(
            r.lines,
            [
                (11, "ERROR_HANDLER = ErrorHandler(log=True)".to_owned()),
                (12, "using (var handler = new ErrorHandler())".to_owned())
            ]
        );
        assert_eq!(region(&lines, 1, 10, &words, 6), None);
        let dependency = [
            "local json = require 'cjson'",
            "local say = require 'say'",
            "local function encode(value)",
            "  return json.encode(value)",
            "end",
        ];
        let grouped = [
            "from urllib3.exceptions import (",
            "    MaxRetryError,",
            "    ProxyError,",
            ")",
            "DEFAULT_RETRIES = 0",
            "def send(retries=DEFAULT_RETRIES):",
            "    raise MaxRetryError(retries)",
        ];
        let words = ["retry".to_owned(), "retries".to_owned()];
        let r = region(&grouped, 1, 5, &words, 6).expect("a match");
        assert_eq!(r.lines, [(5, "DEFAULT_RETRIES = 0".to_owned())]);
        // A namespace's block is the file's code, not a group of imports.
        let block = [
            "namespace Retry {",
            "    class RetryPolicy {",
            "        int retries;",
            "    }",
            "}",
        ];
        let r = region(&block, 1, 5, &words, 6).expect("a match");
        assert_eq!(
            r.lines,
            [
                (2, "class RetryPolicy {".to_owned()),
                (3, "    int retries;".to_owned())
            ]
        );
        let words = ["cjson".to_owned(), "dkjson".to_owned(), "encode".to_owned()];
        let r = region(&dependency, 1, 5, &words, 6).expect("a match");
        assert_eq!(
            r.lines,
            [
                (1, "local json = require 'cjson'".to_owned()),
                (3, "local function encode(value)".to_owned()),
                (4, "  return json.encode(value)".to_owned())
            ]
        );
    }

    #[test]
    fn lines_around_a_call_keep_their_relative_indentation() {
        let lines = ["fn a() {", "    if x {", "        b(1);", "    }", "}"];
        assert_eq!(
            around(&lines, 3, 1, 5),
            [
                (2, "if x {".to_owned()),
                (3, "    b(1);".to_owned()),
                (4, "}".to_owned())
            ]
        );
        // Within the caller, blank neighbours left out.
        let lines = ["", "b(1);", ""];
        assert_eq!(around(&lines, 2, 2, 3), [(2, "b(1);".to_owned())]);
    }
}
