//! What a change touches: the risk of the files it changes, the files that
//! usually change with them but are not in it (likely forgotten), the
//! files that depend on them, and the people who know them. The `review`
//! tool of `homer serve` answers with this.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use homer_read::{Index, QueryOptions, QueryOutcome, View};
use serde::Serialize;

use crate::RenderError;
use crate::risk::RiskMap;

/// Which change to review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewTarget {
    /// These paths (relative to the repository root).
    Files(Vec<String>),
    /// `A..B` (the commits reachable from B and not from A), or one
    /// revision (that commit against its first parent).
    Range(String),
    /// The working tree and the staged changes against HEAD.
    Worktree,
}

/// One changed file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangedFile {
    pub path: String,
    /// The risk of the risk map (0..1); `None` for a file the index does not
    /// rank (new, deleted, or not production code).
    pub risk: Option<f64>,
    pub class: Option<String>,
    pub reasons: Vec<String>,
    /// Whether the indexed commit has this file.
    pub indexed: bool,
}

/// A file that usually changes with a changed file but is not in the change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Forgotten {
    pub path: String,
    /// The changed file it is coupled with most strongly.
    pub partner_of: String,
    /// Shared commits / mean commits of the two, in percent.
    pub degree: f64,
    pub shared: u64,
    /// Whether an import or a call between the two explains the coupling.
    pub explained: bool,
}

/// A file outside the change that depends on a changed file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dependent {
    pub path: String,
    pub depends_on: String,
    /// `calls` or `imports`.
    pub via: &'static str,
    pub weight: f64,
}

/// Someone who knows the changed code.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Person {
    pub author: String,
    /// Lines they added to the changed files, over their history.
    pub lines_added: u64,
    /// How many of the changed files they are among the owners of.
    pub files: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Review {
    /// The commit the index describes (what the review stands on).
    pub commit: String,
    /// The highest risk among the changed files.
    pub risk: f64,
    pub changed: Vec<ChangedFile>,
    pub likely_forgotten: Vec<Forgotten>,
    pub impact: Vec<Dependent>,
    pub people: Vec<Person>,
    /// Entries left out of each list by `limit`.
    pub left_out: BTreeMap<&'static str, usize>,
}

/// The changed paths a target names, sorted.
pub fn changed_paths(index: &Index, target: &ReviewTarget) -> Result<Vec<String>, RenderError> {
    let repo = index.workspace().repository();
    let mut paths = match target {
        ReviewTarget::Files(files) => files
            .iter()
            .map(|f| f.trim_start_matches("./").to_owned())
            .collect(),
        ReviewTarget::Worktree => {
            let head = repo.resolve_commit("HEAD")?;
            repo.changed_paths(head, None)?
        }
        ReviewTarget::Range(range) => {
            let (from, to) = if let Some((a, b)) = range.split_once("..") {
                (
                    repo.resolve_commit(if a.is_empty() { "HEAD" } else { a })?,
                    repo.resolve_commit(if b.is_empty() { "HEAD" } else { b })?,
                )
            } else {
                let to = repo.resolve_commit(range)?;
                (repo.resolve_commit(&format!("{range}^"))?, to)
            };
            repo.changed_paths(from, Some(to))?
        }
    };
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// Reviews the change to `paths` from the index, with at most `limit`
/// entries per list. `risk` is the index's risk map (a caller that answers
/// many reviews keeps it).
#[allow(
    clippy::too_many_lines,
    reason = "one pass over the changed files, then each list sorted and cut"
)]
pub fn review(
    index: &Index,
    risk: &RiskMap,
    paths: &[String],
    limit: usize,
) -> Result<Review, RenderError> {
    let limit = limit.max(1);
    let changed_set: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
    let by_path: BTreeMap<&str, &crate::FileRisk> =
        risk.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let options = QueryOptions {
        depth: 1,
        limit: 50,
    };
    let mut changed = Vec::new();
    let mut forgotten: BTreeMap<String, Forgotten> = BTreeMap::new();
    let mut impact: BTreeMap<(String, &'static str), Dependent> = BTreeMap::new();
    let mut people: BTreeMap<String, Person> = BTreeMap::new();
    for path in paths {
        let ranked = by_path.get(path.as_str());
        let view = match homer_read::query(index, index.root(), path, &options)? {
            QueryOutcome::Found {
                view: View::File(f),
                ..
            } => Some(f),
            _ => None,
        };
        changed.push(ChangedFile {
            path: path.clone(),
            risk: ranked.map(|r| r.risk),
            class: ranked.map(|r| r.class.clone()).or_else(|| {
                view.as_ref()
                    .and_then(|v| v.salience.as_ref().map(|s| s.class.clone()))
            }),
            reasons: ranked.map(|r| r.reasons.clone()).unwrap_or_default(),
            indexed: view.is_some(),
        });
        let Some(view) = view else { continue };
        for c in &view.co_changes {
            if changed_set.contains(c.path.as_str()) {
                continue;
            }
            let candidate = Forgotten {
                path: c.path.clone(),
                partner_of: path.clone(),
                degree: c.degree,
                shared: c.shared,
                explained: !c.hidden,
            };
            let stronger = forgotten
                .get(&c.path)
                .is_none_or(|old| (c.degree, c.shared) > (old.degree, old.shared));
            if stronger {
                forgotten.insert(c.path.clone(), candidate);
            }
        }
        for (via, links) in [("calls", &view.called_from), ("imports", &view.imported_by)] {
            for l in links {
                if changed_set.contains(l.path.as_str()) {
                    continue;
                }
                let key = (l.path.clone(), via);
                let stronger = impact.get(&key).is_none_or(|old| l.weight > old.weight);
                if stronger {
                    impact.insert(
                        key,
                        Dependent {
                            path: l.path.clone(),
                            depends_on: path.clone(),
                            via,
                            weight: l.weight,
                        },
                    );
                }
            }
        }
        for o in view.history.iter().flat_map(|h| &h.owners) {
            let p = people.entry(o.author.clone()).or_insert_with(|| Person {
                author: o.author.clone(),
                lines_added: 0,
                files: 0,
            });
            p.lines_added += o.lines_added;
            p.files += 1;
        }
    }
    changed.sort_by(|a, b| {
        b.risk
            .unwrap_or(-1.0)
            .total_cmp(&a.risk.unwrap_or(-1.0))
            .then(a.path.cmp(&b.path))
    });
    let mut likely_forgotten: Vec<Forgotten> = forgotten.into_values().collect();
    likely_forgotten.sort_by(|a, b| {
        b.degree
            .total_cmp(&a.degree)
            .then(b.shared.cmp(&a.shared))
            .then(a.path.cmp(&b.path))
    });
    let mut impact: Vec<Dependent> = impact.into_values().collect();
    impact.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then(a.path.cmp(&b.path))
            .then(a.via.cmp(b.via))
    });
    let mut people: Vec<Person> = people.into_values().collect();
    people.sort_by(|a, b| {
        b.files
            .cmp(&a.files)
            .then(b.lines_added.cmp(&a.lines_added))
            .then(a.author.cmp(&b.author))
    });
    let mut left_out = BTreeMap::new();
    let mut cut = |name: &'static str, len: usize| {
        if len > limit {
            left_out.insert(name, len - limit);
        }
    };
    cut("changed", changed.len());
    cut("likely_forgotten", likely_forgotten.len());
    cut("impact", impact.len());
    cut("people", people.len());
    let risk_max = changed
        .iter()
        .filter_map(|c| c.risk)
        .fold(0.0_f64, f64::max);
    changed.truncate(limit);
    likely_forgotten.truncate(limit);
    impact.truncate(limit);
    people.truncate(limit);
    Ok(Review {
        commit: risk.commit.clone(),
        risk: risk_max,
        changed,
        likely_forgotten,
        impact,
        people,
        left_out,
    })
}

/// The review as text, at most 100 columns wide.
#[must_use]
pub fn review_text(review: &Review) -> String {
    let mut s = String::new();
    let short = &review.commit[..review.commit.len().min(7)];
    if review.changed.is_empty() {
        let _ = writeln!(s, "nothing changed (index at {short})");
        return s;
    }
    let _ = writeln!(
        s,
        "review against the index at {short}: risk {:.2}",
        review.risk
    );
    let more = |s: &mut String, list: &str| {
        if let Some(n) = review.left_out.get(list) {
            let _ = writeln!(s, "  … {n} more left out");
        }
    };
    let _ = writeln!(s, "\nchanged (risk, class)");
    for c in &review.changed {
        let risk = c.risk.map_or("   -".to_owned(), |r| format!("{r:.2}"));
        let class = c
            .class
            .as_deref()
            .unwrap_or(if c.indexed { "-" } else { "not in the index" });
        let _ = writeln!(s, "  {risk}  {}  ({class})", c.path);
        for r in &c.reasons {
            let _ = writeln!(s, "        - {r}");
        }
    }
    more(&mut s, "changed");
    if !review.likely_forgotten.is_empty() {
        let _ = writeln!(
            s,
            "\nlikely forgotten (changes with, degree %, shared commits)"
        );
        for f in &review.likely_forgotten {
            let why = if f.explained {
                ""
            } else {
                "  no import or call explains it"
            };
            let _ = writeln!(
                s,
                "  {}  with {} ({:.0}%, {}){why}",
                f.path, f.partner_of, f.degree, f.shared
            );
        }
        more(&mut s, "likely_forgotten");
    }
    if !review.impact.is_empty() {
        let _ = writeln!(s, "\nimpact (depends on the change)");
        for d in &review.impact {
            let _ = writeln!(s, "  {}  {} {}", d.path, d.via, d.depends_on);
        }
        more(&mut s, "impact");
    }
    if !review.people.is_empty() {
        let _ = writeln!(s, "\npeople to ask (owner of N changed files, lines added)");
        for p in &review.people {
            let _ = writeln!(s, "  {}  ({}, {})", p.author, p.files, p.lines_added);
        }
        more(&mut s, "people");
    }
    s
}
