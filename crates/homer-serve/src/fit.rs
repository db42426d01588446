//! What every answer stands on ([`Stamp`]), and answers cut to the
//! caller's `max_tokens`.

use std::collections::BTreeSet;
use std::fmt::Write;

use homer_read::{Freshness, Index};
use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde_json::{Value, json};

use crate::state::UpdateNote;

/// At most this many mentioned files are checked against the working tree.
const MAX_CHECKED: usize = 64;

/// The fewest tokens an answer may be asked to fit in.
pub(crate) const MIN_TOKENS: usize = 100;

/// What an answer was computed from, and how that differs from what the
/// caller has in front of them now.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stamp {
    /// The commit the index describes.
    pub indexed_commit: Option<String>,
    /// The commit HEAD points to now.
    pub head: Option<String>,
    /// How far the index is from HEAD (`state`: `up_to_date`, `behind` with
    /// `commits`, `diverged`, `partial` with `to` and `running` while an
    /// update is part way, …).
    pub freshness: Freshness,
    /// Files the answer mentions whose working-tree copy differs from the
    /// indexed one (or is gone).
    pub changed_in_worktree: Vec<String>,
    /// The update before this answer: `ran`, `running` (the answer is from
    /// the index as it stood: before it, or part way when `freshness` says
    /// `partial`) or `failed: …`; absent when none was needed.
    pub update: Option<String>,
}

impl Stamp {
    pub(crate) fn of(index: &Index, note: &UpdateNote, mentioned: &[String]) -> Stamp {
        let mut seen = BTreeSet::new();
        let changed_in_worktree = mentioned
            .iter()
            .filter(|p| seen.insert(p.as_str()))
            .take(MAX_CHECKED)
            .filter(|p| index.changed_in_worktree(p).unwrap_or(false))
            .cloned()
            .collect();
        Stamp {
            indexed_commit: index.indexed_head().ok().flatten(),
            head: index.head().ok().flatten(),
            // An unreadable HEAD is no reason to refuse the answer; the
            // stamp then cannot vouch for it.
            freshness: index.freshness().unwrap_or(Freshness::IndexedCommitMissing),
            changed_in_worktree,
            update: match note {
                UpdateNote::None => None,
                UpdateNote::Ran => Some("ran".to_owned()),
                UpdateNote::Running => Some("running".to_owned()),
                UpdateNote::Failed(why) => Some(format!("failed: {why}")),
            },
        }
    }

    /// The stamp as the first line of a text answer.
    #[must_use]
    pub fn line(&self) -> String {
        let short = |id: &Option<String>| {
            id.as_deref()
                .map_or("nothing".to_owned(), |c| c[..c.len().min(7)].to_owned())
        };
        let mut s = format!("[index at {}", short(&self.indexed_commit));
        match &self.freshness {
            Freshness::UpToDate => s.push_str(" = HEAD"),
            Freshness::Behind { commits, at_least } => {
                let _ = write!(
                    s,
                    ", {}{commits} commit{} behind HEAD {}",
                    if *at_least { "at least " } else { "" },
                    if *commits == 1 { "" } else { "s" },
                    short(&self.head)
                );
            }
            Freshness::Partial { to, running } => {
                let _ = write!(
                    s,
                    ", part way through an update to {}{}: this answer may mix the two",
                    &to[..to.len().min(7)],
                    if *running { "" } else { " that was stopped" }
                );
            }
            other => {
                let _ = write!(s, "; HEAD {}: {}", short(&self.head), other.describe());
            }
        }
        match self.update.as_deref() {
            Some("ran") => s.push_str("; updated before this answer"),
            // A partial index has said what it mixes.
            Some("running") if matches!(self.freshness, Freshness::Partial { .. }) => {}
            Some("running") => {
                s.push_str("; an update is running, this answer is from the index before it");
            }
            Some(failed) => {
                let _ = write!(s, "; the update {failed}");
            }
            None => {}
        }
        if !self.changed_in_worktree.is_empty() {
            let _ = write!(
                s,
                "; changed in the working tree since: {}",
                self.changed_in_worktree.join(", ")
            );
        }
        s.push(']');
        s
    }
}

/// One computed answer: its structured form, its text, and the repository
/// paths it mentions (checked against the working tree).
pub(crate) struct Answer<T> {
    pub value: T,
    pub text: String,
    pub paths: Vec<String>,
}

/// Tokens of `text` as `render --task` counts them, or its length in
/// bytes when that is no more than `max` (a token is at least a byte, so
/// such a text fits without counting).
fn tokens(text: &str, max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    homer_render::count_tokens(text)
}

/// What the limit an answer is made with counts.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Limit {
    /// Entries per list: an answer cut shorter than asked says so.
    Entries(usize),
    /// A token budget the answer fits itself to, saying itself what it
    /// left out (a task context's last line).
    Tokens(usize),
}

/// Computes an answer with `make(limit)`, lowering `limit` until both its
/// text and its structured form fit in `max_tokens`; a text that does not
/// fit even at limit 1 is cut by lines, saying so.
pub(crate) fn fit<T: Serialize>(
    index: &Index,
    note: &UpdateNote,
    max_tokens: usize,
    limit: Limit,
    mut make: impl FnMut(usize) -> Result<Answer<T>, String>,
) -> CallToolResult {
    let (limit, entries) = match limit {
        Limit::Entries(n) => (n, true),
        Limit::Tokens(n) => (n, false),
    };
    let mut limit = limit.max(1);
    let asked = limit;
    // The first (largest) answer mentions every path a shorter one can:
    // the working tree is read once, then filtered to what is shown.
    let mut first: Option<Stamp> = None;
    loop {
        let answer = match make(limit) {
            Ok(a) => a,
            Err(message) => return tool_error(&message),
        };
        let full = first.get_or_insert_with(|| Stamp::of(index, note, &answer.paths));
        let mut stamp = full.clone();
        stamp
            .changed_in_worktree
            .retain(|p| answer.paths.contains(p));
        let mut text = format!("{}\n{}", stamp.line(), answer.text);
        if entries && limit < asked {
            let _ = writeln!(
                text,
                "… lists cut to {limit} entries (of up to {asked} asked) to fit max_tokens={max_tokens}"
            );
        }
        let structured = json!({
            "stands_on": stamp,
            "result": answer.value,
            "limit": limit,
        });
        // The two counts are independent: counted side by side, an answer
        // waits for the longer one only.
        let json = structured.to_string();
        let (t, j) = std::thread::scope(|scope| {
            let j = scope.spawn(|| tokens(&json, max_tokens));
            let t = tokens(&text, max_tokens);
            (t, j.join().unwrap_or(usize::MAX))
        });
        if t <= max_tokens && j <= max_tokens {
            return success(text, structured);
        }
        if limit == 1 {
            return cut(&stamp, &text, max_tokens);
        }
        limit = next_limit(limit, max_tokens, t.max(j));
    }
}

/// The limit to try after an answer of `over` tokens at `limit` did not
/// fit `max_tokens`: scaled by the overshoot, and at least 2% smaller. An
/// answer a few tokens over does not change until the limit crosses an
/// entry (a task context's next definition); stepping by the overshoot
/// alone took 38 attempts for one context of javapoet.
fn next_limit(limit: usize, max_tokens: usize, over: usize) -> usize {
    let step = (limit / 50).max(1);
    (limit * max_tokens / over.max(1))
        .min(limit.saturating_sub(step))
        .max(1)
}

/// The last resort: the text cut by lines, the structured result left out.
fn cut(stamp: &Stamp, text: &str, max_tokens: usize) -> CallToolResult {
    let structured = json!({
        "stands_on": stamp,
        "result": Value::Null,
        "left_out": format!("the answer does not fit max_tokens={max_tokens} even with one entry per list; the text holds what fits"),
    });
    let lines: Vec<&str> = text.lines().collect();
    let room = max_tokens.saturating_sub(30);
    let mut kept = String::new();
    let mut used = 0;
    let mut n = 0;
    for line in &lines {
        let cost = tokens(line, 0) + 1;
        if used + cost > room {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
        used += cost;
        n += 1;
    }
    let _ = writeln!(
        kept,
        "… {} more lines left out to fit max_tokens={max_tokens}",
        lines.len() - n
    );
    success(kept, structured)
}

pub(crate) fn success(text: String, structured: Value) -> CallToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    result.structured_content = Some(structured);
    result
}

/// A tool error: the call was understood but cannot be answered.
pub(crate) fn tool_error(message: &str) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(message.to_owned())]);
    result.structured_content = Some(json!({ "error": message }));
    result
}

#[cfg(test)]
mod tests {
    use super::{Freshness, Stamp, next_limit};

    /// An answer read while an update is part way says it may mix two
    /// commits, and never that it comes from the index before the update.
    #[test]
    fn a_partial_index_is_stamped_as_mixing_two_commits() {
        let stamp = |running: bool, update: Option<&str>| {
            Stamp {
                indexed_commit: Some("1a2b3c4d5e".to_owned()),
                head: Some("5d6e7f8a9b".to_owned()),
                freshness: Freshness::Partial {
                    to: "5d6e7f8a9b".to_owned(),
                    running,
                },
                changed_in_worktree: Vec::new(),
                update: update.map(str::to_owned),
            }
            .line()
        };
        assert_eq!(
            stamp(true, Some("running")),
            "[index at 1a2b3c4, part way through an update to 5d6e7f8: this answer may mix the two]"
        );
        assert_eq!(
            stamp(false, None),
            "[index at 1a2b3c4, part way through an update to 5d6e7f8 that was stopped: \
             this answer may mix the two]"
        );
    }

    /// An answer whose size moves only when the limit crosses an entry
    /// of 110 tokens, 4 tokens over at first (javapoet's context), fits in
    /// a few attempts; stepping by the overshoot alone took 23.
    #[test]
    fn a_small_overshoot_fits_in_a_few_attempts() {
        let size = |limit: usize| (limit / 110) * 110 + 594;
        let (max, mut limit, mut attempts) = (4000, 3492, 1);
        assert_eq!(size(limit), 4004);
        while size(limit) > max {
            limit = next_limit(limit, max, size(limit));
            attempts += 1;
        }
        assert!(attempts <= 4, "{attempts} attempts");
        assert!(limit > 3300, "cut too far: {limit}");
        // Small limits (entries of a list) step by one.
        assert_eq!(next_limit(3, 100, 101), 2);
        assert_eq!(next_limit(1, 100, 500), 1);
    }
}
