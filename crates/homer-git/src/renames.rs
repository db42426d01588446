//! Rename detection that pairs deleted and added files the way
//! `git log -M` does, so Homer's file changes are the ones git reports.
//! libgit2's own `find_similar` scores similarity differently and disagrees
//! with git on real histories (measured on the corpus: 1 to 48 records per
//! repository), which is why this module exists.
//!
//! git's rules, in the order it applies them:
//! 1. Exact renames: an added file takes a deleted file with the same blob
//!    id, preferring one with the same file name; non-regular files must
//!    keep their mode.
//! 2. File names: when a file name occurs once among the remaining deleted
//!    files and once among the remaining added ones, the two are paired if
//!    they are at least 75% similar.
//! 3. Everything else, unless there are more than `limit`² candidate pairs:
//!    each added file keeps its four best candidates, all candidates are
//!    sorted by similarity (then same file name first, then order of
//!    discovery), and pairs of at least 50% are taken greedily.
//!
//! Similarity is git's estimate: the bytes of the added file found in the
//! deleted one (by span signature), over the larger of the two sizes.

use std::collections::HashMap;
use std::sync::Arc;

use crate::blobs::{Signature, copied_bytes};
use crate::{ObjectId, RepoPath};

/// git's full score; a similarity is a fraction of it.
pub(crate) const MAX_SCORE: f64 = 60000.0;
/// [`MAX_SCORE`] as the integer scores are kept in.
const FULL_SCORE: i32 = 60000;
/// `-M` without a number: 50%.
const RENAME_SCORE: i32 = 30000;
/// Step 2 wants more: halfway between 50% and 100%.
const BASENAME_SCORE: i32 = 45000;
/// Candidates kept per added file in step 3.
const CANDIDATES_PER_DESTINATION: usize = 4;
/// Identical sources considered per destination in step 1.
const IDENTICAL_ALTERNATIVES: usize = 100;

/// One side of a candidate pair: a deleted file (a source) or an added one
/// (a destination).
#[derive(Clone, Debug)]
pub(crate) struct Side {
    pub(crate) path: RepoPath,
    pub(crate) id: ObjectId,
    /// git's file mode (0o100644, 0o100755, 0o120000).
    pub(crate) mode: u32,
}

impl Side {
    fn is_regular(&self) -> bool {
        self.mode & 0o170_000 == 0o100_000
    }
}

/// Pairs destinations with sources. Returns, for each destination (by
/// index), its source index and score when it is a rename.
pub(crate) fn pair(
    sources: &[Side],
    destinations: &[Side],
    limit: usize,
    mut blob: impl FnMut(ObjectId) -> Option<Arc<Signature>>,
) -> Vec<Option<(usize, i32)>> {
    let mut matched: Vec<Option<(usize, i32)>> = vec![None; destinations.len()];
    let mut used = vec![false; sources.len()];
    if sources.is_empty() || destinations.is_empty() {
        return matched;
    }
    exact(sources, destinations, &mut matched, &mut used);
    by_basename(sources, destinations, &mut matched, &mut used, &mut blob);
    by_similarity(
        sources,
        destinations,
        limit,
        &mut matched,
        &mut used,
        &mut blob,
    );
    matched
}

fn exact(
    sources: &[Side],
    destinations: &[Side],
    matched: &mut [Option<(usize, i32)>],
    used: &mut [bool],
) {
    let mut by_id: HashMap<ObjectId, Vec<usize>> = HashMap::new();
    for (i, s) in sources.iter().enumerate() {
        by_id.entry(s.id).or_default().push(i);
    }
    for (d, dst) in destinations.iter().enumerate() {
        let Some(candidates) = by_id.get(&dst.id) else {
            continue;
        };
        let mut best: Option<usize> = None;
        let mut best_score = -1;
        let mut budget = IDENTICAL_ALTERNATIVES;
        for &s in candidates {
            let src = &sources[s];
            if (!src.is_regular() || !dst.is_regular()) && src.mode != dst.mode {
                continue;
            }
            if used[s] {
                continue;
            }
            let score = 1 + i32::from(same_basename(&src.path, &dst.path));
            if score > best_score {
                best = Some(s);
                best_score = score;
                if score == 2 {
                    break;
                }
            }
            budget -= 1;
            if budget == 0 {
                break;
            }
        }
        if let Some(s) = best {
            used[s] = true;
            matched[d] = Some((s, FULL_SCORE));
        }
    }
}

fn by_basename(
    sources: &[Side],
    destinations: &[Side],
    matched: &mut [Option<(usize, i32)>],
    used: &mut [bool],
    blob: &mut impl FnMut(ObjectId) -> Option<Arc<Signature>>,
) {
    // A file name maps to its index when it occurs once, to None otherwise.
    let mut source_names: HashMap<&[u8], Option<usize>> = HashMap::new();
    for (i, s) in sources.iter().enumerate().filter(|(i, _)| !used[*i]) {
        source_names
            .entry(basename(&s.path))
            .and_modify(|v| *v = None)
            .or_insert(Some(i));
    }
    let mut destination_names: HashMap<&[u8], Option<usize>> = HashMap::new();
    for (i, d) in destinations
        .iter()
        .enumerate()
        .filter(|(i, _)| matched[*i].is_none())
    {
        destination_names
            .entry(basename(&d.path))
            .and_modify(|v| *v = None)
            .or_insert(Some(i));
    }
    for (s, src) in sources.iter().enumerate() {
        if used[s] {
            continue;
        }
        let name = basename(&src.path);
        let (Some(Some(_)), Some(&Some(d))) = (source_names.get(name), destination_names.get(name))
        else {
            continue;
        };
        if matched[d].is_some() {
            continue;
        }
        let score = similarity(src, &destinations[d], BASENAME_SCORE, blob);
        if score < BASENAME_SCORE {
            continue;
        }
        used[s] = true;
        matched[d] = Some((s, score));
    }
}

/// One candidate pair of step 3.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    /// `None` for an empty slot.
    destination: Option<usize>,
    source: usize,
    score: i32,
    same_name: bool,
}

const EMPTY: Candidate = Candidate {
    destination: None,
    source: 0,
    score: 0,
    same_name: false,
};

/// git's candidate order: used slots first, higher score first, then a
/// same-name pair first. `Greater` means `a` is the worse candidate.
fn rank(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a.destination, b.destination) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        _ if a.score == b.score => b.same_name.cmp(&a.same_name),
        _ => b.score.cmp(&a.score),
    }
}

fn by_similarity(
    sources: &[Side],
    destinations: &[Side],
    limit: usize,
    matched: &mut [Option<(usize, i32)>],
    used: &mut [bool],
    blob: &mut impl FnMut(ObjectId) -> Option<Arc<Signature>>,
) {
    let remaining_sources: Vec<usize> = (0..sources.len()).filter(|&s| !used[s]).collect();
    let remaining_destinations: Vec<usize> = (0..destinations.len())
        .filter(|&d| matched[d].is_none())
        .collect();
    if remaining_sources.is_empty() || remaining_destinations.is_empty() {
        return;
    }
    if remaining_sources
        .len()
        .saturating_mul(remaining_destinations.len())
        > limit.saturating_mul(limit)
    {
        return;
    }
    let mut table = Vec::with_capacity(remaining_destinations.len() * CANDIDATES_PER_DESTINATION);
    for &d in &remaining_destinations {
        let mut best = [EMPTY; CANDIDATES_PER_DESTINATION];
        for &s in &remaining_sources {
            let candidate = Candidate {
                destination: Some(d),
                source: s,
                score: similarity(&sources[s], &destinations[d], RENAME_SCORE, blob),
                same_name: same_basename(&sources[s].path, &destinations[d].path),
            };
            // Replace the worst slot (the first of equally bad ones) when
            // the candidate is strictly better than it.
            let mut worst = 0;
            for i in 1..CANDIDATES_PER_DESTINATION {
                if rank(&best[i], &best[worst]).is_gt() {
                    worst = i;
                }
            }
            if rank(&best[worst], &candidate).is_gt() {
                best[worst] = candidate;
            }
        }
        table.extend_from_slice(&best);
    }
    table.sort_by(rank);
    for c in table {
        let Some(d) = c.destination else { break };
        if c.score < RENAME_SCORE {
            break;
        }
        if matched[d].is_some() || used[c.source] {
            continue;
        }
        used[c.source] = true;
        matched[d] = Some((c.source, c.score));
    }
}

/// git's similarity estimate between a deleted and an added file, or 0
/// when it cannot reach `minimum` (sizes too far apart, not regular files,
/// content unreadable).
fn similarity(
    src: &Side,
    dst: &Side,
    minimum: i32,
    blob: &mut impl FnMut(ObjectId) -> Option<Arc<Signature>>,
) -> i32 {
    if !src.is_regular() || !dst.is_regular() {
        return 0;
    }
    let (Some(a), Some(b)) = (blob(src.id), blob(dst.id)) else {
        return 0;
    };
    let (la, lb) = (a.len as f64, b.len as f64);
    let max = la.max(lb);
    let delta = max - la.min(lb);
    if max * (MAX_SCORE - f64::from(minimum)) < delta * MAX_SCORE {
        return 0;
    }
    if b.len == 0 {
        return 0;
    }
    let copied = copied_bytes(&a.spans, &b.spans) as f64;
    // git truncates the same way; copied <= max, so the result fits.
    #[allow(clippy::cast_possible_truncation, reason = "0 <= copied / max <= 1")]
    let score = (copied * MAX_SCORE / max) as i32;
    score
}

fn basename(path: &RepoPath) -> &[u8] {
    let bytes = path.as_bytes();
    bytes.rsplit(|&b| b == b'/').next().unwrap_or(bytes)
}

fn same_basename(a: &RepoPath, b: &RepoPath) -> bool {
    basename(a) == basename(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(path: &str, content: &str) -> (Side, Vec<u8>) {
        let id = git2::Oid::hash_object(git2::ObjectType::Blob, content.as_bytes()).expect("hash");
        (
            Side {
                path: RepoPath::from_bytes(path.as_bytes().to_vec()),
                id: crate::oid(id),
                mode: 0o100_644,
            },
            content.as_bytes().to_vec(),
        )
    }

    fn run(sources: &[(&str, &str)], destinations: &[(&str, &str)]) -> Vec<Option<(usize, i32)>> {
        let src: Vec<(Side, Vec<u8>)> = sources.iter().map(|(p, c)| side(p, c)).collect();
        let dst: Vec<(Side, Vec<u8>)> = destinations.iter().map(|(p, c)| side(p, c)).collect();
        let contents: HashMap<ObjectId, Vec<u8>> = src
            .iter()
            .chain(&dst)
            .map(|(s, c)| (s.id, c.clone()))
            .collect();
        let s: Vec<Side> = src.into_iter().map(|(s, _)| s).collect();
        let d: Vec<Side> = dst.into_iter().map(|(s, _)| s).collect();
        pair(&s, &d, 1000, |id| {
            contents.get(&id).map(|c| Arc::new(Signature::of(c)))
        })
    }

    const BODY: &str = "line one\nline two\nline three\nline four\nline five\nline six\n";

    #[test]
    fn identical_content_prefers_the_same_file_name() {
        let m = run(&[("a/x.rs", BODY), ("b/y.rs", BODY)], &[("c/y.rs", BODY)]);
        assert_eq!(m, vec![Some((1, 60000))]);
    }

    #[test]
    fn a_unique_file_name_pairs_at_75_percent() {
        // 5 of 6 lines kept: above 75%.
        let edited = BODY.replace("line six", "line 6!!");
        let m = run(&[("old/lib.rs", BODY)], &[("new/lib.rs", &edited)]);
        assert!(matches!(m[0], Some((0, s)) if s >= BASENAME_SCORE), "{m:?}");
    }

    #[test]
    fn different_names_pair_at_50_percent_and_not_below() {
        let half = "line one\nline two\nline three\nnew four\nnew five\nnew six\n";
        let m = run(&[("a.rs", BODY)], &[("b.rs", half)]);
        assert!(matches!(m[0], Some((0, s)) if s >= RENAME_SCORE), "{m:?}");
        let little = "line one\nnew two\nnew three\nnew four\nnew five\nnew six\n";
        assert_eq!(run(&[("a.rs", BODY)], &[("b.rs", little)]), vec![None]);
    }

    #[test]
    fn a_source_is_used_once() {
        let m = run(&[("a.rs", BODY)], &[("b.rs", BODY), ("c.rs", BODY)]);
        assert_eq!(m, vec![Some((0, 60000)), None]);
    }
}
