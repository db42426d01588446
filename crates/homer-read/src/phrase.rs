//! Pasted text finds its source: how much of a question a string literal of
//! the code spells, word for word.
//!
//! A user pastes an error message or a log line (`Can't create socket: Too
//! many open files`) and wants the place that emits it, whose literal says
//! `"Can't create socket: %s"`. Shared words are not enough (many files
//! say "socket"); the words must follow each other as the literal has them.
//! A literal's placeholders (`%s`, `{}`, `{name}`, `${x}`, `#{x}`, `\(x)`,
//! `$x`) stand for a few words of the question, and a literal that ends
//! where the code concatenates a value (`"unknown tag: " + tag`) or a
//! question that stops early (a message cut off) still match by the part
//! they share.

/// Question words a placeholder may stand for.
const HOLE_WORDS: usize = 4;
/// A match of fewer words is chance, whatever it covers (help texts say
/// "regex engine" and "file type" too).
const MIN_WORDS: usize = 3;
/// A match must cover this share of the literal's words, unless it is the
/// whole literal or nearly the whole question (a message cut short)...
const LITERAL_SHARE: f64 = 0.6;
const NEARLY_ALL: f64 = 0.8;
/// ...and this share of the question's: pasted text is mostly the
/// message, while a question in words shares a phrase with help texts
/// ("convert a glob pattern into a regular expression" and `"a glob
/// pattern"`).
const QUESTION_SHARE: f64 = 0.4;

/// A question, cut into the lowercase words a literal is compared with.
pub(crate) struct Phrase {
    words: Vec<String>,
}

impl Phrase {
    /// `None` for a question too short to be pasted text.
    pub(crate) fn new(question: &str) -> Option<Phrase> {
        let words = words(question);
        (words.len() >= MIN_WORDS).then_some(Phrase { words })
    }

    /// The share of the question's words that the best qualifying string
    /// literal of `code` matches in order; `None` when no literal
    /// qualifies.
    pub(crate) fn best_in(&self, code: &str) -> Option<f64> {
        self.best_words(code)
            .map(|words| words as f64 / self.words.len() as f64)
    }

    /// Question words the best qualifying literal matches in order.
    fn best_words(&self, code: &str) -> Option<usize> {
        let mut best: Option<usize> = None;
        for literal in literals(code) {
            let items = literal_items(literal);
            let literal_words = items.iter().filter(|i| matches!(i, Item::Word(_))).count();
            let matched = self.longest_run(&items);
            if matched < MIN_WORDS {
                continue;
            }
            let whole = matched == literal_words;
            let literal_share = matched as f64 / literal_words as f64;
            let question_share = matched as f64 / self.words.len() as f64;
            let qualifies =
                (whole || literal_share >= LITERAL_SHARE || question_share >= NEARLY_ALL)
                    && question_share >= QUESTION_SHARE;
            if qualifies && best.is_none_or(|b| matched > b) {
                best = Some(matched);
            }
        }
        best
    }

    /// The most literal words matched in order from one start: a word must
    /// equal the next question word, except right after a placeholder,
    /// which may swallow up to `HOLE_WORDS` question words first.
    fn longest_run(&self, items: &[Item]) -> usize {
        let mut best = 0;
        for start in 0..items.len() {
            let Item::Word(first) = &items[start] else {
                continue;
            };
            for (j, word) in self.words.iter().enumerate() {
                if word == first {
                    best = best.max(self.run_from(items, start, j));
                }
            }
        }
        best
    }

    fn run_from(&self, items: &[Item], mut i: usize, mut j: usize) -> usize {
        let mut matched = 0;
        let mut hole = false;
        while i < items.len() && j < self.words.len() {
            match &items[i] {
                Item::Hole => {
                    hole = true;
                    i += 1;
                }
                Item::Word(w) => {
                    let reach = if hole { HOLE_WORDS } else { 0 };
                    let Some(skip) = (0..=reach)
                        .take_while(|s| j + s < self.words.len())
                        .find(|s| &self.words[j + s] == w)
                    else {
                        break;
                    };
                    matched += 1;
                    j += skip + 1;
                    i += 1;
                    hole = false;
                }
            }
        }
        matched
    }
}

/// Lowercase runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The string literals of code: text between a quote and the same quote
/// on one line (`"`, `'`, or a backtick), backslash escapes skipped.
fn literals(code: &str) -> impl Iterator<Item = &str> {
    code.lines().flat_map(|line| {
        let mut out = Vec::new();
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let quote = bytes[i];
            if matches!(quote, b'"' | b'\'' | b'`') {
                let start = i + 1;
                let mut k = start;
                while k < bytes.len() && bytes[k] != quote {
                    k += if bytes[k] == b'\\' { 2 } else { 1 };
                }
                if k < bytes.len() {
                    // Quotes are ASCII, so both ends are char boundaries.
                    out.push(&line[start..k]);
                    i = k + 1;
                    continue;
                }
            }
            i += 1;
        }
        out
    })
}

#[derive(Debug, PartialEq)]
enum Item {
    Word(String),
    Hole,
}

/// A literal as words and placeholders.
fn literal_items(literal: &str) -> Vec<Item> {
    let chars: Vec<char> = literal.chars().collect();
    let mut items = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, items: &mut Vec<Item>| {
        if !word.is_empty() {
            items.push(Item::Word(std::mem::take(word).to_lowercase()));
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(end) = hole_end(&chars, i) {
            flush(&mut word, &mut items);
            items.push(Item::Hole);
            i = end;
        } else if c.is_alphanumeric() {
            word.push(c);
            i += 1;
        } else {
            flush(&mut word, &mut items);
            i += 1;
        }
    }
    flush(&mut word, &mut items);
    items
}

/// Where a placeholder starting at `i` ends (exclusive), if one does:
/// printf's `%-8.3f`, `{}`/`{0}`/`{name:?}`, `${x}`, `#{x}`, Swift's
/// `\(x)`, and `$name`.
fn hole_end(chars: &[char], i: usize) -> Option<usize> {
    let at = |k: usize| chars.get(k).copied();
    let closing = |open: usize, close: char| {
        (open + 1..chars.len().min(open + 40))
            .find(|&k| chars[k] == close)
            .map(|k| k + 1)
    };
    match chars[i] {
        '%' => {
            let mut k = i + 1;
            while at(k).is_some_and(|c| "-+#0123456789.*lhqjzt".contains(c)) {
                k += 1;
            }
            at(k)
                .filter(|c| c.is_ascii_alphabetic() || *c == '@')
                .map(|_| k + 1)
        }
        '{' => closing(i, '}'),
        '$' | '#' if at(i + 1) == Some('{') => closing(i + 1, '}'),
        '\\' if at(i + 1) == Some('(') => closing(i + 1, ')'),
        '$' if at(i + 1).is_some_and(|c| c.is_alphabetic() || c == '_') => {
            let mut k = i + 1;
            while at(k).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                k += 1;
            }
            Some(k)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(question: &str, code: &str) -> Option<usize> {
        Phrase::new(question)?.best_words(code)
    }

    #[test]
    fn a_placeholder_stands_for_the_words_it_printed() {
        let code = r#"snprintf(buf,sizeof(buf),"Can't create socket: %s",strerror(errno));"#;
        assert_eq!(
            best("Can't create socket: Too many open files", code),
            Some(4)
        );
        let go = r#"return fmt.Errorf("accepts %d arg(s), received %d", n, len(args))"#;
        assert_eq!(best("Error: accepts 1 arg(s), received 3", go), Some(4));
        let swift = r#"return "Response status code was unacceptable: \(code).""#;
        assert_eq!(
            best("Response status code was unacceptable: 404.", swift),
            Some(5)
        );
        let ruby = r#"raise "Template engine not found: #{engine}""#;
        assert_eq!(
            best("RuntimeError: Template engine not found: slim", ruby),
            Some(4)
        );
        let php = r#"throw new RuntimeException("Invalid style `{$style}`. Must be `append` or `prepend`");"#;
        assert_eq!(
            best("Invalid style `before`. Must be `append` or `prepend`", php),
            Some(7)
        );
    }

    #[test]
    fn a_literal_cut_by_concatenation_matches_by_what_it_has() {
        let java = r#"throw new IllegalArgumentException("no such key in the map: " + key);"#;
        assert_eq!(
            best(
                "IllegalArgumentException: no such key in the map: foo",
                java
            ),
            Some(6)
        );
        // Two words are too few to tell a message from chance.
        let short = r#"throw new IllegalArgumentException("unknown tag: " + tag);"#;
        assert_eq!(
            best(
                "java.lang.IllegalArgumentException: unknown tag: foo",
                short
            ),
            None
        );
    }

    #[test]
    fn a_question_cut_short_matches_the_start_of_a_longer_literal() {
        let code =
            r#"msg = "Response could not be serialized, input data was nil or zero length.""#;
        assert_eq!(
            best("Response could not be serialized, input data", code),
            Some(7)
        );
    }

    #[test]
    fn shared_words_out_of_order_or_too_few_do_not_count() {
        let code = r#"log("socket create failed: can't");"#;
        assert_eq!(best("Can't create socket: Too many open files", code), None);
        // Two words in order, but a small share of a long literal and of
        // the question.
        let long = r#"x = "the create socket call of this library takes a flag for blocking mode""#;
        assert_eq!(
            best("Can't create socket: Too many open files today", long),
            None
        );
        // A question in words that shares a short phrase with a help text.
        let help = r#"formatter.write_str("a glob pattern")"#;
        assert_eq!(
            best("convert a glob pattern into a regular expression", help),
            None
        );
        // Words outside quotes are code, not a message.
        assert_eq!(
            best("create socket failed", "fn create_socket() { failed() }"),
            None
        );
        assert_eq!(Phrase::new("socket").map(|_| ()), None);
    }

    #[test]
    fn literals_end_at_their_own_quote_and_skip_escapes() {
        let found: Vec<&str> = literals(r#"a("x \"y\" z", 'b c') + `d`"#).collect();
        assert_eq!(found, vec![r#"x \"y\" z"#, "b c", "d"]);
        // An unclosed quote is no literal.
        assert_eq!(literals("it's here").count(), 0);
    }

    #[test]
    fn placeholders_of_every_kind_are_holes() {
        let items = literal_items("%-8.3f {} {0} {name:?} ${x} #{y} \\(z) $w %% done");
        let holes = items.iter().filter(|i| **i == Item::Hole).count();
        assert_eq!(holes, 8);
        assert_eq!(items.last(), Some(&Item::Word("done".into())));
    }
}
