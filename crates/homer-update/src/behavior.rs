//! Behavioral metrics from history, as pure functions: the order of
//! commits, each current file's lineage through renames, per-file and
//! per-directory metrics, the truck factor, and change coupling. The stage
//! that stores them is `stages::behavior`; nothing here touches the store.

use std::collections::{BTreeMap, BinaryHeap};

use rustc_hash::FxHashMap;

use serde::Serialize;

use crate::config::CouplingConfig;
pub(crate) use homer_vocab::history::{ChangeRecord, CommitRecord};

/// The mined history, in a fixed order.
#[derive(Debug)]
pub(crate) struct History<S = String> {
    pub ids: Vec<S>,
    pub commits: Vec<CommitRecord<S>>,
}

/// A change of one commit: (commit index, change index).
pub(crate) type Touch = (usize, usize);

impl<S: AsRef<str>> History<S> {
    /// Puts the commits in a topological order, oldest first (every commit
    /// after its parents), breaking ties by committer time and then id, so
    /// the order depends only on the set of commits.
    pub(crate) fn new(records: Vec<(S, CommitRecord<S>)>) -> History<S> {
        let index: FxHashMap<&str, usize> = records
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.as_ref(), i))
            .collect();
        let mut waiting = vec![0usize; records.len()];
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); records.len()];
        for (i, (_, record)) in records.iter().enumerate() {
            for parent in &record.parents {
                if let Some(&p) = index.get(parent.as_ref()) {
                    waiting[i] += 1;
                    children[p].push(i);
                }
            }
        }
        // A min-heap on (time, id) of the commits whose parents are all out.
        let key = |i: usize| std::cmp::Reverse((records[i].1.committed, records[i].0.as_ref(), i));
        let mut ready: BinaryHeap<_> = (0..records.len())
            .filter(|&i| waiting[i] == 0)
            .map(key)
            .collect();
        let mut order = Vec::with_capacity(records.len());
        while let Some(std::cmp::Reverse((_, _, i))) = ready.pop() {
            order.push(i);
            for &c in &children[i] {
                waiting[c] -= 1;
                if waiting[c] == 0 {
                    ready.push(key(c));
                }
            }
        }
        drop(ready);
        let mut slots: Vec<Option<(S, CommitRecord<S>)>> = records.into_iter().map(Some).collect();
        let (ids, commits) = order
            .into_iter()
            .map(|i| slots[i].take().expect("each commit is ordered once"))
            .unzip();
        History { ids, commits }
    }

    /// Each current file's touches through its renames: walking from the
    /// newest commit back, a path belongs to the current files it will
    /// become. A rename hands the new name's files to the old name for the
    /// commits before it (so the old name's earlier records are theirs,
    /// not those of a file that takes the name later); an add or a delete
    /// ends nothing, so a path deleted and created again, or added on two
    /// branches that were merged, keeps every record, as a sum of
    /// `git log --numstat` records over the lineage does. A commit's
    /// changes are attributed before its renames apply, and its renames
    /// are read from the names as they were before any of them, so a
    /// commit that swaps two names is read correctly.
    pub(crate) fn lineages(&self, current: &[String]) -> BTreeMap<String, Vec<Touch>> {
        let mut claims: FxHashMap<&str, Vec<usize>> = current
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), vec![i]))
            .collect();
        let mut touches: Vec<Vec<Touch>> = vec![Vec::new(); current.len()];
        for c in (0..self.commits.len()).rev() {
            let changes = &self.commits[c].changes;
            for (k, ch) in changes.iter().enumerate() {
                for &f in claims.get(ch.path.as_ref()).into_iter().flatten() {
                    touches[f].push((c, k));
                }
            }
            let handed: Vec<(&str, Vec<usize>)> = changes
                .iter()
                .filter_map(|ch| {
                    let from = ch.from.as_ref()?.as_ref();
                    // A new name no current file claims hands nothing on.
                    Some((
                        from,
                        claims.get(ch.path.as_ref()).cloned().unwrap_or_default(),
                    ))
                })
                .collect();
            for (from, files) in handed {
                claims.insert(from, files);
            }
        }
        current
            .iter()
            .cloned()
            .zip(touches.into_iter().map(|mut t| {
                t.reverse();
                t
            }))
            .collect()
    }

    /// What the metrics read of each touch.
    pub(crate) fn facts(&self, touches: &[Touch]) -> Vec<TouchFact<'_>> {
        touches
            .iter()
            .map(|&(c, k)| {
                let commit = &self.commits[c];
                let change = &commit.changes[k];
                TouchFact {
                    index: u32::try_from(c).unwrap_or(u32::MAX),
                    commit: self.ids[c].as_ref(),
                    author: commit.author.as_ref(),
                    authored: commit.authored,
                    committed: commit.committed,
                    added: change.added,
                    deleted: change.deleted,
                }
            })
            .collect()
    }

    #[cfg(test)]
    pub(crate) fn change(&self, (c, k): Touch) -> &ChangeRecord<S> {
        &self.commits[c].changes[k]
    }
}

/// Metrics of a file or a directory over its touches: the figures the
/// `history` value stores (main author: most added lines, then commits;
/// owners: at most `OWNERS_KEPT`; recent commits: the last
/// [`homer_vocab::RECENT_KEPT`], newest first by commit time, ties by id).
pub(crate) type Metrics = homer_vocab::values::HistoryFigures;

/// How many owners and recent commits a file or directory keeps.
pub(crate) const OWNERS_KEPT: usize = 5;

/// What a metric reads of one change of a file: the commit, its author
/// and times, and numstat's counts (`None` for binary or unreadable).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct TouchFact<'h> {
    /// The commit's place in the history: which touches are one commit,
    /// without comparing ids. Not part of what is hashed (a commit's place
    /// moves when history is added before it; its facts do not).
    #[serde(skip)]
    pub index: u32,
    pub commit: &'h str,
    pub author: &'h str,
    pub authored: i64,
    pub committed: i64,
    pub added: Option<u32>,
    pub deleted: Option<u32>,
}

/// Computes metrics over touches (of one file, or of every file of a
/// directory); a commit touching several of them counts once. The result
/// does not depend on the order of the touches.
pub(crate) fn metrics<'a, 'h: 'a>(
    touches: impl IntoIterator<Item = &'a TouchFact<'h>>,
) -> Option<Metrics> {
    let Tally {
        commits,
        added_by,
        commits_by,
        added,
        deleted,
        first,
        last,
    } = Tally::of(touches)?;
    let total = commits.len() as f64;
    let (main, share) = main_of(&added_by, &commits_by, added, total);
    let fragmentation = 1.0
        - commits_by
            .values()
            .map(|&n| (n as f64 / total).powi(2))
            .sum::<f64>();
    let mut owners: Vec<(String, u64, u32)> = commits_by
        .iter()
        .map(|(author, &n)| {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            (
                (*author).to_owned(),
                added_by.get(author).copied().unwrap_or(0),
                n,
            )
        })
        .collect();
    owners.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    owners.truncate(OWNERS_KEPT);
    // Newest first by commit time, ties by id.
    let mut by_time: Vec<(i64, &str)> = commits.iter().map(|&(_, id, _, t)| (t, id)).collect();
    by_time.sort_unstable_by(|a, b| b.cmp(a));
    let recent = by_time
        .into_iter()
        .take(homer_vocab::RECENT_KEPT)
        .map(|(_, id)| id.to_owned())
        .collect();
    let int = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    Some(Metrics {
        commits: int(commits.len() as u64),
        lines_added: int(added),
        lines_deleted: int(deleted),
        authors: int(commits_by.len() as u64),
        first_change: first,
        last_change: last,
        main_author: main.to_owned(),
        main_author_share: share,
        fragmentation,
        owners,
        recent_commits: recent,
    })
}

/// The main author and their share: most added lines, then most commits,
/// then the smallest key; by commits when no line was ever added.
fn main_of<'a>(
    added_by: &BTreeMap<&'a str, u64>,
    commits_by: &BTreeMap<&'a str, usize>,
    added: u64,
    total: f64,
) -> (&'a str, f64) {
    let by_commits = |a: &str| commits_by.get(a).copied().unwrap_or(0);
    if added > 0 {
        let (main, main_added) = added_by
            .iter()
            .max_by(|x, y| {
                x.1.cmp(y.1)
                    .then(by_commits(x.0).cmp(&by_commits(y.0)))
                    .then(y.0.cmp(x.0))
            })
            .expect("at least one author");
        (*main, *main_added as f64 / added as f64)
    } else {
        let (main, n) = commits_by
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            .expect("at least one author");
        (*main, *n as f64 / total)
    }
}

/// What every metric of a file or directory counts from its touches.
struct Tally<'h> {
    /// Each commit once (by its place in the history), with its id, author
    /// and commit time.
    commits: Vec<(u32, &'h str, &'h str, i64)>,
    added_by: BTreeMap<&'h str, u64>,
    /// A commit has one author: its commits per author.
    commits_by: BTreeMap<&'h str, usize>,
    added: u64,
    deleted: u64,
    /// First and last author time.
    first: i64,
    last: i64,
}

impl<'h> Tally<'h> {
    /// `None` without touches.
    fn of<'a>(touches: impl IntoIterator<Item = &'a TouchFact<'h>>) -> Option<Tally<'h>>
    where
        'h: 'a,
    {
        let mut commits = Vec::new();
        let mut added_by: BTreeMap<&str, u64> = BTreeMap::new();
        let (mut added, mut deleted) = (0u64, 0u64);
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for t in touches {
            let a = u64::from(t.added.unwrap_or(0));
            added += a;
            deleted += u64::from(t.deleted.unwrap_or(0));
            *added_by.entry(t.author).or_default() += a;
            commits.push((t.index, t.commit, t.author, t.committed));
            first = first.min(t.authored);
            last = last.max(t.authored);
        }
        if commits.is_empty() {
            return None;
        }
        commits.sort_unstable_by_key(|c| c.0);
        commits.dedup_by_key(|c| c.0);
        let mut commits_by: BTreeMap<&str, usize> = BTreeMap::new();
        for &(_, _, author, _) in &commits {
            *commits_by.entry(author).or_default() += 1;
        }
        Some(Tally {
            commits,
            added_by,
            commits_by,
            added,
            deleted,
            first,
            last,
        })
    }
}

/// The main author of [`metrics`] alone, without the rest of them: the
/// truck factor of a directory reads it for every file below (all of them
/// for the root), and computing every metric (owners, recent commits) of
/// 10,000 files for it was a twentieth of an update of the synthetic
/// repository.
pub(crate) fn main_author<'h>(touches: &[TouchFact<'h>]) -> Option<&'h str> {
    let t = Tally::of(touches)?;
    Some(main_of(&t.added_by, &t.commits_by, t.added, t.commits.len() as f64).0)
}

/// The representative of `x`'s set in a union-find forest.
fn root<'a>(parent: &mut BTreeMap<&'a str, &'a str>, mut x: &'a str) -> &'a str {
    while let Some(&p) = parent.get(x) {
        if p == x {
            break;
        }
        // Halve the path as it is walked.
        let grand = parent.get(p).copied().unwrap_or(p);
        parent.insert(x, grand);
        x = p;
    }
    x
}

/// Who is who: author identities (canonical e-mails) that share an
/// e-mail or a full name are one person, known by the identity with the
/// most commits (then the smallest). `authors` gives each commit's
/// identity and name. A name joins identities only when it is a person's
/// full name: two words or more with letters, no bot, none of the names
/// tools put in an unset configuration (`Your Name`, `root`, `unknown`).
/// Returns each identity with the one its person is known by.
pub(crate) fn people<'a>(
    authors: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<&'a str, &'a str> {
    let mut commits: BTreeMap<&str, u64> = BTreeMap::new();
    let mut named: BTreeMap<String, &str> = BTreeMap::new();
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, name) in authors {
        *commits.entry(key).or_default() += 1;
        parent.entry(key).or_insert(key);
        let Some(name) = full_name(name) else {
            continue;
        };
        let first = *named.entry(name).or_insert(key);
        let (a, b) = (root(&mut parent, first), root(&mut parent, key));
        if a != b {
            let (low, high) = if a < b { (a, b) } else { (b, a) };
            parent.insert(high, low);
        }
    }
    // Each person's best-known identity.
    let keys: Vec<&str> = commits.keys().copied().collect();
    let mut best: BTreeMap<&str, &str> = BTreeMap::new();
    for &key in &keys {
        let r = root(&mut parent, key);
        let known = best.entry(r).or_insert(key);
        if commits[key] > commits[*known] {
            *known = key;
        }
    }
    keys.into_iter()
        .map(|key| {
            let r = root(&mut parent, key);
            (key, best[r])
        })
        .collect()
}

/// A name that says who someone is, normalized (lower case, single
/// spaces); `None` for a nickname, a bot or a placeholder.
fn full_name(name: &str) -> Option<String> {
    const PLACEHOLDERS: [&str; 8] = [
        "your name",
        "unknown",
        "root",
        "administrator",
        "github action",
        "github actions",
        "no name",
        "anonymous",
    ];
    let words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
    let person = words.len() >= 2
        && words.iter().all(|w| w.chars().any(char::is_alphabetic))
        && !words
            .iter()
            .any(|w| w == "bot" || homer_vocab::People::is_app(w));
    let name = words.join(" ");
    (person && !PLACEHOLDERS.contains(&name.as_str())).then_some(name)
}

/// The fewest authors whose departure leaves more than half of the files
/// without their main author. Removing the authors with the most files
/// first is optimal, since every file has exactly one main author.
pub(crate) fn truck_factor<'a>(main_authors: impl IntoIterator<Item = &'a str>) -> u32 {
    let mut files_by: BTreeMap<&str, u32> = BTreeMap::new();
    let mut total = 0u32;
    for author in main_authors {
        *files_by.entry(author).or_default() += 1;
        total += 1;
    }
    let mut counts: Vec<u32> = files_by.into_values().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let mut orphaned = 0u32;
    for (k, n) in counts.into_iter().enumerate() {
        orphaned += n;
        if orphaned * 2 > total {
            return u32::try_from(k + 1).unwrap_or(u32::MAX);
        }
    }
    0
}

/// How two current files change together. The other file's path is
/// borrowed from the lineages: at kernel size a copy of it for every pair
/// was a fifth of the coupling's time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Pair<'a> {
    pub other: &'a str,
    pub shared: u32,
    pub revisions: u32,
    pub other_revisions: u32,
    /// `shared / mean(revisions, other_revisions) × 100`.
    pub degree: f64,
}

/// Whether a pair is reported: the mean of the two files' commit counts,
/// the shared commits and the degree all reach their thresholds.
pub(crate) fn passes(pair: &Pair<'_>, config: &CouplingConfig) -> bool {
    let mean = f64::from(pair.revisions + pair.other_revisions) / 2.0;
    mean >= f64::from(config.min_revisions)
        && pair.shared >= config.min_shared
        && pair.degree >= config.min_degree
}

/// Change coupling the code-maat way, over the commits that touch at most
/// `max_files_per_commit` files. For each current file `a`, its commits
/// among those, and every file `b` after it (by path) that shares at least
/// one such commit, with the numbers (the input of `a`'s coupling task;
/// [`passes`] says which are reported).
pub(crate) fn coupling<'l, S>(
    history: &History<S>,
    lineages: &'l BTreeMap<String, Vec<Touch>>,
    config: &CouplingConfig,
) -> BTreeMap<&'l str, (u32, Vec<Pair<'l>>)> {
    let files: Vec<&str> = lineages.keys().map(String::as_str).collect();
    // The current files each commit counted here touched (by their place
    // in path order), and the commits of each file: plain vectors, so
    // counting a file's partners below hashes nothing.
    let small = |c: usize| history.commits[c].changes.len() <= config.max_files_per_commit as usize;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); history.commits.len()];
    for (f, touches) in lineages.values().enumerate() {
        for &(c, _) in touches {
            if small(c) {
                members[c].push(f);
            }
        }
    }
    let mut commits_of: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    for (c, m) in members.iter_mut().enumerate() {
        m.sort_unstable();
        m.dedup();
        for &f in m.iter() {
            commits_of[f].push(c);
        }
    }
    let revisions: Vec<u32> = commits_of
        .iter()
        .map(|c| u32::try_from(c.len()).unwrap_or(u32::MAX))
        .collect();
    let mut out: BTreeMap<&str, (u32, Vec<Pair<'_>>)> = BTreeMap::new();
    // Per file, how many of its commits each later file shares, counted in
    // one array and cleared through the list of those it touched.
    let mut count = vec![0u32; files.len()];
    let mut touched: Vec<usize> = Vec::new();
    for (a, name) in files.iter().enumerate() {
        for &c in &commits_of[a] {
            let m = &members[c];
            let later = m.partition_point(|&b| b <= a);
            for &b in &m[later..] {
                if count[b] == 0 {
                    touched.push(b);
                }
                count[b] += 1;
            }
        }
        touched.sort_unstable();
        let pairs = touched
            .drain(..)
            .map(|b| {
                let n = std::mem::take(&mut count[b]);
                let mean = f64::from(revisions[a] + revisions[b]) / 2.0;
                Pair {
                    other: files[b],
                    shared: n,
                    revisions: revisions[a],
                    other_revisions: revisions[b],
                    degree: f64::from(n) / mean * 100.0,
                }
            })
            .collect();
        out.insert(*name, (revisions[a], pairs));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use homer_vocab::history::StoredRecord;

    /// Identities joined by a shared full name, never by a nickname, a bot
    /// or a placeholder; each person known by the identity with the most
    /// commits (then the smallest); joins are transitive.
    #[test]
    fn people_by_shared_full_names() {
        let commits = [
            ("josh@gmail.com", "Josh Lockhart"),
            ("josh@gmail.com", "Josh Lockhart"),
            ("josh@gmail.com", "Josh Lockhart"),
            ("info@josh.com", "Josh Lockhart"),
            ("info@josh.com", "="),
            ("hello@josh.com", "josh  lockhart"),
            // A nickname, a bot and a placeholder join nothing.
            ("pierre@lgse.com", "l0gicgate"),
            ("other@lgse.com", "l0gicgate"),
            ("bot@github.com", "dependabot[bot]"),
            ("bot2@github.com", "dependabot[bot]"),
            ("a@x.org", "Your Name"),
            ("b@x.org", "Your Name"),
            // A chain: Sam Burns joins s1 and s2, Sam B. Burns s2 and s3.
            ("s1@x.org", "Sam Burns"),
            ("s2@x.org", "Sam Burns"),
            ("s2@x.org", "Sam B. Burns"),
            ("s3@x.org", "Sam B. Burns"),
            // A tie in commits: the smaller identity.
            ("zed@b.org", "Zed Zee"),
            ("zed@a.org", "Zed Zee"),
        ];
        let known = people(commits.iter().copied());
        let expected: BTreeMap<&str, &str> = [
            ("josh@gmail.com", "josh@gmail.com"),
            ("info@josh.com", "josh@gmail.com"),
            ("hello@josh.com", "josh@gmail.com"),
            ("pierre@lgse.com", "pierre@lgse.com"),
            ("other@lgse.com", "other@lgse.com"),
            ("bot@github.com", "bot@github.com"),
            ("bot2@github.com", "bot2@github.com"),
            ("a@x.org", "a@x.org"),
            ("b@x.org", "b@x.org"),
            ("s1@x.org", "s2@x.org"),
            ("s2@x.org", "s2@x.org"),
            ("s3@x.org", "s2@x.org"),
            ("zed@a.org", "zed@a.org"),
            ("zed@b.org", "zed@a.org"),
        ]
        .into_iter()
        .collect();
        assert_eq!(known, expected);
        // The same commits in another order: the same people.
        let mut reversed = commits.to_vec();
        reversed.reverse();
        assert_eq!(people(reversed.iter().copied()), expected);
    }

    fn change(path: &str, status: char, added: u32, from: Option<&str>) -> ChangeRecord {
        ChangeRecord {
            path: path.to_owned(),
            status,
            added: Some(added),
            deleted: Some(0),
            from: from.map(str::to_owned),
        }
    }

    #[test]
    fn a_stored_record_reads_back_whatever_is_missing() {
        let binary = ChangeRecord {
            path: "logo.png".to_owned(),
            status: 'A',
            added: None,
            deleted: None,
            from: None,
        };
        let (_, mut record) = commit(
            "c1",
            7,
            "ann",
            &[],
            vec![change("src/a.rs", 'R', 3, Some("a.rs")), binary],
        );
        let texts_of = |record: &CommitRecord| -> std::collections::HashMap<i64, String> {
            record
                .texts()
                .into_iter()
                .map(|(id, text)| (id, text.to_owned()))
                .collect()
        };
        let texts = texts_of(&record);
        let bytes = record.encode();
        let back = CommitRecord::decode("c1", &bytes, &texts).expect("reads");
        assert_eq!(back.to_owned_record(), record);
        record.missing = vec!["ab".repeat(20)];
        record.parents = vec!["p".to_owned()];
        let bytes = record.encode();
        let back = CommitRecord::decode("c1", &bytes, &texts).expect("reads");
        assert_eq!(back.to_owned_record(), record);
        // Paths and people are named by the id of their text, each kept
        // once beside the records: the record holds none of them.
        for (_, text) in record.texts() {
            assert!(
                !bytes.windows(text.len()).any(|w| w == text.as_bytes()),
                "{text} is in the record"
            );
        }
        // A text the index lacks is an error that names the commit, as is
        // a damaged value.
        let error = CommitRecord::decode("c1", &bytes, &std::collections::HashMap::new())
            .expect_err("no texts");
        assert!(error.to_string().contains("c1"), "{error}");
        let error = StoredRecord::decode("c1", &[0xff; 3]).expect_err("damaged");
        assert!(error.to_string().contains("c1"), "{error}");
    }

    fn commit(
        id: &str,
        t: i64,
        author: &str,
        parents: &[&str],
        changes: Vec<ChangeRecord>,
    ) -> (String, CommitRecord) {
        (
            id.to_owned(),
            CommitRecord {
                committed: t,
                authored: t,
                author: author.to_owned(),
                parents: parents.iter().map(|p| (*p).to_owned()).collect(),
                changes,
                missing: Vec::new(),
                name: author.to_owned(),
            },
        )
    }

    #[test]
    fn order_is_topological_then_by_time_then_id() {
        // c2 is older than c1 by time but is c1's child.
        let h = History::new(vec![
            commit("c2", 1, "x", &["c1"], vec![]),
            commit("c1", 5, "x", &[], vec![]),
            commit("b", 3, "x", &[], vec![]),
            commit("a", 3, "x", &[], vec![]),
        ]);
        assert_eq!(h.ids, ["a", "b", "c1", "c2"]);
    }

    #[test]
    fn lineage_follows_renames_and_survives_deletes_and_adds() {
        let h = History::new(vec![
            commit(
                "1",
                1,
                "x",
                &[],
                vec![
                    change("old.rs", 'A', 10, None),
                    change("gone.rs", 'A', 1, None),
                ],
            ),
            commit(
                "2",
                2,
                "x",
                &["1"],
                vec![
                    change("old.rs", 'M', 2, None),
                    change("gone.rs", 'D', 0, None),
                ],
            ),
            commit(
                "3",
                3,
                "x",
                &["2"],
                vec![change("new.rs", 'R', 1, Some("old.rs"))],
            ),
            // old.rs is created again: a different file, whose history
            // starts there; the records before the rename are new.rs's.
            commit("4", 4, "x", &["3"], vec![change("old.rs", 'A', 7, None)]),
            commit("5", 5, "x", &["4"], vec![change("new.rs", 'M', 3, None)]),
            // gone.rs comes back: a delete and a re-add are both its records.
            commit("6", 6, "x", &["5"], vec![change("gone.rs", 'A', 4, None)]),
        ]);
        let l = h.lineages(&[
            "gone.rs".to_owned(),
            "new.rs".to_owned(),
            "old.rs".to_owned(),
        ]);
        let ids = |path: &str| {
            l[path]
                .iter()
                .map(|&(c, _)| h.ids[c].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("new.rs"), ["1", "2", "3", "5"]);
        assert_eq!(ids("old.rs"), ["4"]);
        assert_eq!(ids("gone.rs"), ["1", "2", "6"]);
    }

    #[test]
    fn a_file_added_on_two_merged_branches_keeps_both_adds() {
        let h = History::new(vec![
            commit("root", 1, "x", &[], vec![change("a", 'A', 1, None)]),
            commit("left", 2, "x", &["root"], vec![change("f", 'A', 3, None)]),
            commit("right", 3, "y", &["root"], vec![change("f", 'A', 5, None)]),
            commit("merge", 4, "x", &["left", "right"], vec![]),
            commit("after", 5, "x", &["merge"], vec![change("f", 'M', 1, None)]),
        ]);
        let l = h.lineages(&["f".to_owned()]);
        let facts = h.facts(&l["f"]);
        let m = metrics(&facts).expect("metrics");
        assert_eq!((m.commits, m.lines_added), (3, 9));
    }

    #[test]
    fn a_commit_that_swaps_two_names_keeps_both_lineages() {
        let h = History::new(vec![
            commit(
                "1",
                1,
                "x",
                &[],
                vec![change("a", 'A', 1, None), change("b", 'A', 2, None)],
            ),
            commit(
                "2",
                2,
                "x",
                &["1"],
                vec![
                    change("a", 'R', 0, Some("b")),
                    change("b", 'R', 0, Some("a")),
                ],
            ),
        ]);
        let l = h.lineages(&["a".to_owned(), "b".to_owned()]);
        // Today's a was b: its history holds the add of b (2 lines).
        let added = |path: &str| {
            l[path]
                .iter()
                .map(|&t| h.change(t).added.unwrap_or(0))
                .sum::<u32>()
        };
        assert_eq!(added("a"), 2);
        assert_eq!(added("b"), 1);
    }

    #[test]
    fn metrics_by_hand() {
        // alice adds 8 lines in 1 commit, bob 2 lines in 3 commits.
        let h = History::new(vec![
            commit("1", 10, "alice", &[], vec![change("f", 'A', 8, None)]),
            commit("2", 20, "bob", &["1"], vec![change("f", 'M', 1, None)]),
            commit("3", 30, "bob", &["2"], vec![change("f", 'M', 1, None)]),
            commit("4", 40, "bob", &["3"], vec![change("f", 'M', 0, None)]),
        ]);
        let l = h.lineages(&["f".to_owned()]);
        let m = metrics(&h.facts(&l["f"])).expect("metrics");
        assert_eq!(m.commits, 4);
        assert_eq!(m.lines_added, 10);
        assert_eq!(m.authors, 2);
        assert_eq!((m.first_change, m.last_change), (10, 40));
        assert_eq!(m.main_author, "alice");
        assert!((m.main_author_share - 0.8).abs() < 1e-12);
        // 1 - (1/4)² - (3/4)² = 6/16
        assert!((m.fragmentation - 0.375).abs() < 1e-12);
    }

    /// `main_author` alone gives the main author `metrics` gives, through
    /// each of its ties.
    #[test]
    fn main_author_by_hand() {
        let main = |records: Vec<(String, CommitRecord)>| {
            let h = History::new(records);
            let l = h.lineages(&["f".to_owned()]);
            let facts = h.facts(&l["f"]);
            let alone = main_author(&facts).map(str::to_owned);
            assert_eq!(alone, metrics(&facts).map(|m| m.main_author));
            alone
        };
        let c = |id: &str, t: i64, who: &str, parent: &[&str], added: u32| {
            commit(id, t, who, parent, vec![change("f", 'M', added, None)])
        };
        // Most added lines.
        let by_lines = vec![
            c("1", 1, "ann", &[], 9),
            c("2", 2, "bob", &["1"], 2),
            c("3", 3, "bob", &["2"], 2),
        ];
        assert_eq!(main(by_lines).as_deref(), Some("ann"));
        // Equal lines: most commits.
        let by_commits = vec![
            c("1", 1, "ann", &[], 4),
            c("2", 2, "bob", &["1"], 2),
            c("3", 3, "bob", &["2"], 2),
        ];
        assert_eq!(main(by_commits).as_deref(), Some("bob"));
        // Equal lines and commits: the smallest key.
        let by_key = vec![c("1", 1, "bob", &[], 3), c("2", 2, "ann", &["1"], 3)];
        assert_eq!(main(by_key).as_deref(), Some("ann"));
        // No line ever added (binary): most commits, then the smallest key.
        let binary = vec![
            c("1", 1, "cy", &[], 0),
            c("2", 2, "bob", &["1"], 0),
            c("3", 3, "bob", &["2"], 0),
        ];
        assert_eq!(main(binary).as_deref(), Some("bob"));
        assert_eq!(main_author(&[]), None);
    }

    #[test]
    fn truck_factor_by_hand() {
        assert_eq!(truck_factor([]), 0);
        assert_eq!(truck_factor(["a", "a", "b"]), 1);
        // 2 of 4 is not more than half: both a and b must go.
        assert_eq!(truck_factor(["a", "a", "b", "b"]), 2);
        assert_eq!(truck_factor(["a", "b", "c", "d", "e"]), 3);
    }

    #[test]
    fn coupling_by_hand() {
        // x and y change together 5 times; x alone twice more; z joins a
        // commit of 4 files that is over the limit of 3.
        let mut records = Vec::new();
        let mut parent: Vec<String> = Vec::new();
        for i in 0..5 {
            let id = format!("{i}");
            let p: Vec<&str> = parent.iter().map(String::as_str).collect();
            records.push(commit(
                &id,
                i,
                "a",
                &p,
                vec![change("x", 'M', 1, None), change("y", 'M', 1, None)],
            ));
            parent = vec![id];
        }
        for i in 5..7 {
            let id = format!("{i}");
            let p: Vec<&str> = parent.iter().map(String::as_str).collect();
            records.push(commit(&id, i, "a", &p, vec![change("x", 'M', 1, None)]));
            parent = vec![id];
        }
        let p: Vec<&str> = parent.iter().map(String::as_str).collect();
        records.push(commit(
            "big",
            9,
            "a",
            &p,
            ["x", "y", "z", "w"]
                .iter()
                .map(|f| change(f, 'M', 1, None))
                .collect(),
        ));
        let h = History::new(records);
        let files: Vec<String> = ["w", "x", "y", "z"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let l = h.lineages(&files);
        let config = CouplingConfig {
            max_files_per_commit: 3,
            ..CouplingConfig::default()
        };
        let c = coupling(&h, &l, &config);
        let (revs_x, pairs) = &c["x"];
        assert_eq!(*revs_x, 7);
        assert_eq!(pairs.len(), 1);
        let pair = &pairs[0];
        let keep = passes(pair, &config);
        assert_eq!((pair.other, pair.shared, pair.other_revisions), ("y", 5, 5));
        // 5 / mean(7, 5) × 100 = 83.33…
        assert!((pair.degree - 500.0 / 6.0).abs() < 1e-9);
        assert!(keep);
        assert!(c["z"].1.is_empty());
        assert_eq!(c["z"].0, 0);
    }
}
