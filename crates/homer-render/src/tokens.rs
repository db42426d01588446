//! Token counts as `OpenAI`'s current models count them (`o200k_base`),
//! without a tokenizer to build: the vocabulary is a table written by the
//! build script (`build.rs`) and read in place. Only counts are needed, so
//! nothing maps tokens back to text.
//!
//! A text is cut into pieces by the vocabulary's pattern (special markers
//! like `<|endoftext|>` first, each one token); a piece that is a token is
//! one; any other piece is merged from its bytes, always merging the
//! adjacent pair whose joined bytes have the lowest rank, the leftmost
//! first among equals, until no pair joins into a token. Tests hold the
//! counts equal to tiktoken-rs's.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::LazyLock;

use crate::o200k_slot::first_slot;
use fancy_regex::Regex;

static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k.bin"));
const PATTERN: &str = include_str!(concat!(env!("OUT_DIR"), "/o200k_pattern.txt"));
const SPECIAL: [&str; 2] = ["<|endoftext|>", "<|endofprompt|>"];

static PIECES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(PATTERN).expect("the o200k_base pattern compiles"));

/// The number of `o200k_base` tokens in `text`, special markers included
/// as one token each.
#[must_use]
pub fn count_tokens(text: &str) -> usize {
    let mut count = 0;
    let mut rest = text;
    while let Some((at, marker)) = next_special(rest) {
        count += ordinary(&rest[..at]) + 1;
        rest = &rest[at + marker.len()..];
    }
    count + ordinary(rest)
}

/// The first special marker in `text`: where, and which.
fn next_special(text: &str) -> Option<(usize, &'static str)> {
    SPECIAL
        .iter()
        .filter_map(|m| text.find(m).map(|at| (at, *m)))
        .min_by_key(|&(at, _)| at)
}

fn ordinary(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    let mut count = 0;
    let mut from = 0;
    for found in PIECES.find_iter(text) {
        // The pattern's one look-ahead backtracks a bounded amount, so an
        // error does not happen; if it did, the rest is merged as one piece
        // rather than lost.
        let Ok(m) = found else {
            count += piece_tokens(&text.as_bytes()[from..]);
            break;
        };
        count += piece_tokens(m.as_str().as_bytes());
        from = m.end();
    }
    count
}

fn word(at: usize) -> usize {
    let b = &TABLE[at * 4..at * 4 + 4];
    u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
}

/// The rank of the token whose bytes are `bytes`, if there is one.
fn rank(bytes: &[u8]) -> Option<u32> {
    let tokens = word(0);
    let slots = word(1);
    let offsets = 2;
    let table = offsets + tokens + 1;
    let data = (table + slots) * 4;
    // The table is at most half full: a probe ends soon.
    let mut slot = first_slot(bytes, slots);
    loop {
        let entry = word(table + slot);
        if entry == 0 {
            return None;
        }
        let r = entry - 1;
        let (start, end) = (word(offsets + r), word(offsets + r + 1));
        if &TABLE[data + start..data + end] == bytes {
            return u32::try_from(r).ok();
        }
        slot = (slot + 1) & (slots - 1);
    }
}

/// Tokens of one piece of the pattern's cut.
fn piece_tokens(piece: &[u8]) -> usize {
    let n = piece.len();
    if n <= 1 || rank(piece).is_some() {
        return usize::from(n > 0);
    }
    // Parts are named by the byte they start at; `next[i]` is where the
    // part after part `i` starts (`n` past the last), `prev[i]` the start
    // of the one before, `None` past the first. A queued pair names its
    // left part and the end of its right part: it is stale once either
    // part has been merged with another.
    let mut next: Vec<usize> = (1..=n).collect();
    let mut prev: Vec<Option<usize>> = (0..n).map(|i| i.checked_sub(1)).collect();
    let mut alive = vec![true; n];
    let mut queue = BinaryHeap::new();
    let push = |queue: &mut BinaryHeap<_>, left: usize, end: usize| {
        if let Some(r) = rank(&piece[left..end]) {
            queue.push(Reverse((r, left, end)));
        }
    };
    for i in 0..n - 1 {
        push(&mut queue, i, i + 2);
    }
    let mut parts = n;
    while let Some(Reverse((_, left, end))) = queue.pop() {
        let right = next[left];
        if !alive[left] || right >= n || next[right] != end {
            continue;
        }
        // Merge `right` into `left`.
        alive[right] = false;
        next[left] = end;
        if end < n {
            prev[end] = Some(left);
        }
        parts -= 1;
        if let Some(before) = prev[left] {
            push(&mut queue, before, end);
        }
        if end < n {
            push(&mut queue, left, next[end]);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(text: &str) -> usize {
        static BPE: LazyLock<tiktoken_rs::CoreBPE> =
            LazyLock::new(|| tiktoken_rs::o200k_base().expect("o200k_base"));
        BPE.encode_with_special_tokens(text).len()
    }

    /// Texts a budget is spent on: code, prose, markdown, every script
    /// of Unicode the pattern treats apart, long runs, markers.
    fn samples() -> Vec<String> {
        let mut out: Vec<String> = [
            "",
            " ",
            "a",
            "hello world",
            "fn main() {\n    println!(\"hi\");\n}\n",
            "  \n\n\t  x  \r\n  ",
            "I'm sure they'll've DON'T We'RE",
            "1234567 3.14159 0x7fff_ffff 1e-9",
            "éclair naïve Ünïcödé 日本語のテキスト 한국어 русский текст עברית العربية",
            "emoji 😀🎉👍🏽 and ZWJ 👨‍👩‍👧 and flags 🇫🇷",
            "<|endoftext|>",
            "before<|endoftext|>after<|endofprompt|><|endoftext|>",
            "<|endoftext",
            "## Heading\n\n- item `code` **bold** [link](http://x.y/z?q=1#f)\n",
            "src/requests/adapters.py::HTTPAdapter::send",
            "getSigningSerializer get_signing_serializer HTTPAdapter XMLHttpRequest",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for ch in [" ", "a", "=", "\n", "😀", "ab", "1", "aé", "\t "] {
            for n in [99, 100, 101, 257, 1000] {
                out.push(ch.repeat(n));
            }
        }
        // Random texts from a fixed generator, over an alphabet that
        // mixes the pattern's classes.
        let alphabet: Vec<char> = "aZ_09 \n\t'.,;:(){}[]<>|!?-+*/\\\"éÉßñ日本😀\u{301}\r"
            .chars()
            .collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in [5, 20, 80, 300, 2000] {
            for _ in 0..40 {
                let mut s = String::new();
                for _ in 0..len {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    #[allow(clippy::cast_possible_truncation)]
                    let i = ((state >> 33) as usize) % alphabet.len();
                    s.push(alphabet[i]);
                }
                out.push(s);
            }
        }
        out
    }

    #[test]
    fn counts_equal_tiktoken() {
        for text in samples() {
            assert_eq!(count_tokens(&text), reference(&text), "{text:?}");
        }
    }

    #[test]
    fn counts_of_real_source_equal_tiktoken() {
        // This crate's own sources and the workspace's docs: real code and
        // prose of several kinds, whole and cut into lines.
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let mut files = Vec::new();
        for dir in ["crates/homer-render/src", "docs", "fixtures/synthetic"] {
            let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
                continue;
            };
            for e in entries.flatten() {
                files.push(e.path());
            }
        }
        files.sort();
        let mut seen = 0;
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            assert_eq!(count_tokens(&text), reference(&text), "{}", path.display());
            seen += 1;
        }
        assert!(seen >= 10, "read {seen} files");
    }
}
