//! What a task context reads, read from the database as the plan asks for
//! it: the symbols the search names and those their calls reach, the
//! couplings of the few files heading the context. A [`Snapshot`] holds the
//! whole index in memory, which `homer serve` keeps; a process that renders
//! one context would spend most of its time loading it (on a 30,000-symbol
//! repository, two thirds of `homer render --task`), and the call graph a
//! task walks is a small part of it.
//!
//! [`Snapshot`]: crate::Snapshot

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use homer_read::Index;
use homer_store::{EdgeKind, NodeKind, Store};
use homer_vocab::{keys, outside_production};

use crate::RenderError;
use crate::context::{PathCounter, PathWords, TaskSource, walk_from};
use crate::snapshot::{Coupling, SymbolRow, couplings_of};

/// The part of the index one task reads, loaded as it is asked for.
pub(crate) struct Around<'a> {
    store: &'a Store,
    commit: String,
    /// The symbols read so far, in the order they were read.
    rows: Vec<SymbolRow>,
    /// Where each name read is in `rows`; `None` for a name that is not a
    /// current symbol.
    by_name: BTreeMap<String, Option<usize>>,
}

/// The first string after every string that starts with `prefix`, for a
/// prefix that ends in an ASCII character other than DEL (`::`, `/`): the
/// end of its range in the name index.
fn past(prefix: &str) -> String {
    let mut end = prefix.to_owned();
    match end.pop() {
        Some(last) if last.is_ascii() && last != '\u{7f}' => {
            end.push(char::from(last as u8 + 1));
        }
        // Not a prefix this module builds: the range of `prefix` itself and
        // every longer name, which the caller filters.
        Some(last) => {
            end.push(last);
            end.push(char::MAX);
        }
        None => end.push(char::MAX),
    }
    end
}

impl<'a> Around<'a> {
    /// The commit and the files' path words (a file is code when it has a
    /// language), nothing else yet.
    pub fn new(index: &'a Index) -> Result<Self, RenderError> {
        let store = index.store();
        let commit = index.indexed_head()?.ok_or(RenderError::NoCommit)?;
        Ok(Around {
            store,
            commit,
            rows: Vec::new(),
            by_name: BTreeMap::new(),
        })
    }

    /// Reads the current symbols with names `from <= name < to` into
    /// `rows` (those not read before), returning their places in name
    /// order.
    fn read_range(&mut self, from: &str, to: &str) -> Result<Vec<usize>, RenderError> {
        let mut places = Vec::new();
        for (node, value) in self.store.current_nodes_valued_between(
            NodeKind::Symbol,
            keys::CALL_PAGERANK.name().name(),
            from,
            to,
        )? {
            places.push(self.keep(node, value.as_ref())?);
        }
        Ok(places)
    }

    /// The place of a symbol read from the database, added to `rows` the
    /// first time.
    fn keep(
        &mut self,
        node: homer_store::CurrentNode,
        pagerank: Option<&homer_store::Value>,
    ) -> Result<usize, RenderError> {
        if let Some(Some(i)) = self.by_name.get(&node.name) {
            return Ok(*i);
        }
        let row = SymbolRow::read(node, pagerank)?;
        let i = self.rows.len();
        self.by_name.insert(row.name.clone(), Some(i));
        self.rows.push(row);
        Ok(i)
    }
}

impl TaskSource for Around<'_> {
    fn commit(&self) -> &str {
        &self.commit
    }

    /// The production code files' paths, each with its stored count of
    /// words: only a path whose letters may hold a wanted word is split
    /// (a kernel-sized repository's 75,000 paths, each split and its role
    /// found, were 0.06 s of a 0.19 s task context). An index written
    /// before the counts has its code files (those with a language) read,
    /// and each production path split.
    fn path_words(
        &self,
        wanted: &BTreeSet<String>,
        spelled: &[String],
    ) -> Result<PathWords, RenderError> {
        let mut counter = PathCounter::new(wanted, spelled);
        let stored = self
            .store
            .names_with_ints(NodeKind::File, keys::PATH_WORDS.name().name())?;
        if stored.is_empty() {
            let paths = self
                .store
                .names_holding(NodeKind::File, keys::LANGUAGE.name().name())?;
            for path in paths.iter().filter(|p| !outside_production(p)) {
                counter.path(path, |f| homer_vocab::text::for_each_naming_word(path, f));
            }
            return Ok(counter.finish());
        }
        let mut lower = String::new();
        for (path, words) in &stored {
            if counter.may_name(path, &mut lower) {
                counter.path(path, |f| homer_vocab::text::for_each_naming_word(path, f));
            } else {
                counter.counted(usize::try_from(*words).unwrap_or(0));
            }
        }
        Ok(counter.finish())
    }

    fn is_code(&self, path: &str) -> Result<bool, RenderError> {
        Ok(self
            .store
            .value_of(NodeKind::File, path, keys::LANGUAGE.name().name())?
            .is_some())
    }

    fn symbol(&mut self, name: &str) -> Result<Option<usize>, RenderError> {
        if let Some(known) = self.by_name.get(name) {
            return Ok(*known);
        }
        // The range holding `name` alone: no name has a NUL in it.
        let found = self
            .read_range(name, &format!("{name}\0"))?
            .first()
            .copied();
        self.by_name.insert(name.to_owned(), found);
        Ok(found)
    }

    fn symbols_under(&mut self, prefix: &str) -> Result<Vec<usize>, RenderError> {
        let places = self.read_range(prefix, &past(prefix))?;
        Ok(places
            .into_iter()
            .filter(|&i| self.rows[i].name.starts_with(prefix))
            .collect())
    }

    fn row(&self, i: usize) -> &SymbolRow {
        &self.rows[i]
    }

    /// The symbols the seeds reach along the calls, read one caller at a
    /// time, then PageRank over that part of the graph: the same scores as
    /// over the whole graph (the walk starts from the seeds, and what it
    /// does not reach stays zero), since the part keeps the whole's order
    /// of symbols (by name) and of edges (by id).
    fn walk(&mut self, seeds: &[(usize, f64)]) -> Result<Vec<(usize, f64)>, RenderError> {
        let mut reached: BTreeSet<usize> = seeds.iter().map(|&(i, _)| i).collect();
        let mut queue: VecDeque<usize> = reached.iter().copied().collect();
        // (edge id, caller, callee, weight), places in `rows`.
        let mut edges: Vec<(i64, usize, usize, f64)> = Vec::new();
        while let Some(i) = queue.pop_front() {
            let caller = self.rows[i].name.clone();
            for (id, edge) in
                self.store
                    .pair_edges_from(EdgeKind::Calls, NodeKind::Symbol, &caller)?
            {
                let Some(j) = self.symbol(&edge.target.1)? else {
                    continue;
                };
                edges.push((id, i, j, edge.weight.unwrap_or(1.0)));
                if reached.insert(j) {
                    queue.push_back(j);
                }
            }
        }
        // The part's nodes by name and its edges by id, as the whole graph
        // orders them.
        let mut order: Vec<usize> = reached.into_iter().collect();
        order.sort_by(|&a, &b| self.rows[a].name.cmp(&self.rows[b].name));
        edges.sort_by_key(|e| e.0);
        let edges: Vec<(usize, usize, f64)> =
            edges.into_iter().map(|(_, a, b, w)| (a, b, w)).collect();
        Ok(walk_from(&order, &edges, seeds))
    }

    /// Read down the PageRank index as far as the `n`th symbol, not every
    /// symbol (a kernel-sized index has 225,000: reading them all was 0.6
    /// of a task of no known word's 0.9 s).
    fn ranked_overall(&mut self, n: usize) -> Result<Vec<(usize, f64)>, RenderError> {
        let mut ranked = Vec::new();
        for (node, score) in
            self.store
                .top_valued_nodes(NodeKind::Symbol, keys::CALL_PAGERANK.name().name(), n)?
        {
            let i = self.keep(node, Some(&homer_store::Value::Real(score)))?;
            if self.rows[i].pagerank > 0.0 {
                ranked.push((i, self.rows[i].pagerank));
            }
        }
        Ok(ranked)
    }

    fn callers(&mut self, name: &str) -> Result<Vec<(String, f64)>, RenderError> {
        Ok(self
            .store
            .pair_edges_to(EdgeKind::Calls, NodeKind::Symbol, name)?
            .into_iter()
            .map(|(_, e)| (e.source.1, e.confidence.unwrap_or(1.0)))
            .collect())
    }

    /// The co-change edges of each file, and its dependency edges to tell
    /// which pairs are hidden (no dependency either way).
    fn couplings_of(&mut self, files: &BTreeSet<&str>) -> Result<Vec<Coupling>, RenderError> {
        let mut cochange = BTreeMap::new();
        let mut depends: Vec<(String, String)> = Vec::new();
        for &file in files {
            for edge in self
                .store
                .edges_of(EdgeKind::CoChange, NodeKind::File, file)?
            {
                cochange.insert(edge.id, edge);
            }
            for edge in self
                .store
                .edges_of(EdgeKind::Depends, NodeKind::File, file)?
            {
                let source = edge.member_name(homer_store::Role::Source);
                let target = edge.member_name(homer_store::Role::Target);
                if let (Some(a), Some(b)) = (source, target) {
                    depends.push((a.to_owned(), b.to_owned()));
                }
            }
        }
        let linked: BTreeSet<(&str, &str)> = depends
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        couplings_of(cochange.into_values(), &linked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_range_ends_past_every_name_it_starts() {
        assert_eq!(past("src/a.rs::"), "src/a.rs:;");
        assert_eq!(past("src/"), "src0");
        for name in ["src/a.rs::f", "src/a.rs::", "src/a.rs::\u{10ffff}"] {
            assert!(name >= "src/a.rs::" && name < past("src/a.rs::").as_str());
        }
        for name in ["src/a.rs:;", "src/a.rs;", "src/a.rsx::f"] {
            assert!(!(name >= "src/a.rs::" && name < past("src/a.rs::").as_str()));
        }
        assert!("src/\u{10ffff}" < past("src/").as_str());
    }
}
