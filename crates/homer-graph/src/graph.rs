//! A weighted directed graph in compressed sparse rows (petgraph's `Csr`).

use petgraph::csr::Csr;

/// A weighted directed graph on nodes `0..len()`. Parallel edges are
/// merged (weights summed); edges with a weight that is not a positive
/// finite number are left out, as are edges naming a node out of range.
#[derive(Clone, Debug)]
pub struct Graph {
    csr: Csr<(), f64, petgraph::Directed, u32>,
    /// Sum of each node's outgoing weights.
    out_weight: Vec<f64>,
}

impl Graph {
    /// A graph on `nodes` nodes with these `(from, to, weight)` edges.
    #[must_use]
    pub fn new(nodes: usize, edges: impl IntoIterator<Item = (u32, u32, f64)>) -> Self {
        let limit = u32::try_from(nodes).unwrap_or(u32::MAX);
        let mut list: Vec<(u32, u32, f64)> = edges
            .into_iter()
            .filter(|&(a, b, w)| a < limit && b < limit && w.is_finite() && w > 0.0)
            .collect();
        list.sort_by_key(|x| (x.0, x.1));
        let mut merged: Vec<(u32, u32, f64)> = Vec::with_capacity(list.len());
        for (a, b, w) in list {
            match merged.last_mut() {
                Some(previous) if previous.0 == a && previous.1 == b => previous.2 += w,
                _ => merged.push((a, b, w)),
            }
        }
        let mut csr: Csr<(), f64, petgraph::Directed, u32> =
            Csr::from_sorted_edges(&merged).expect("edges are sorted and merged above");
        while csr.node_count() < nodes {
            csr.add_node(());
        }
        let out_weight = (0..nodes)
            .map(|i| csr.edges_slice(index(i)).iter().sum())
            .collect();
        Graph { csr, out_weight }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.csr.node_count()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many edges there are (after merging).
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.csr.edge_count()
    }

    /// The targets of `node`'s edges with their weights, by target.
    pub(crate) fn out_edges(&self, node: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let i = index(node);
        self.csr
            .neighbors_slice(i)
            .iter()
            .zip(self.csr.edges_slice(i))
            .map(|(&t, &w)| (t as usize, w))
    }

    /// The sum of `node`'s outgoing weights.
    #[must_use]
    pub(crate) fn out_weight(&self, node: usize) -> f64 {
        self.out_weight[node]
    }

    /// Edges leaving each node.
    #[must_use]
    pub fn out_degrees(&self) -> Vec<usize> {
        (0..self.len())
            .map(|i| self.csr.out_degree(index(i)))
            .collect()
    }

    /// Edges arriving at each node.
    #[must_use]
    pub fn in_degrees(&self) -> Vec<usize> {
        let mut degrees = vec![0; self.len()];
        for i in 0..self.len() {
            for &t in self.csr.neighbors_slice(index(i)) {
                degrees[t as usize] += 1;
            }
        }
        degrees
    }

    /// The same nodes with every edge in both directions (weights of
    /// opposite edges summed): the view community detection works on.
    #[must_use]
    pub(crate) fn undirected(&self) -> Graph {
        let edges = (0..self.len()).flat_map(|a| {
            self.out_edges(a).flat_map(move |(b, w)| {
                let (a, b) = (index(a), index(b));
                [(a, b, w), (b, a, w)]
            })
        });
        Graph::new(self.len(), edges.collect::<Vec<_>>())
    }
}

pub(crate) fn index(i: usize) -> u32 {
    u32::try_from(i).expect("node indices fit in u32 (Graph::new caps them)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_edges_merge_and_bad_weights_go() {
        let g = Graph::new(
            3,
            [
                (0, 1, 1.0),
                (0, 1, 2.0),
                (1, 2, 0.0),
                (1, 2, f64::NAN),
                (2, 5, 1.0),
                (2, 0, 0.5),
            ],
        );
        assert_eq!(g.len(), 3);
        assert_eq!(g.edge_count(), 2);
        assert_eq!(g.out_edges(0).collect::<Vec<_>>(), vec![(1, 3.0)]);
        assert!(g.out_weight(1).abs() < f64::EPSILON);
        assert_eq!(g.in_degrees(), vec![1, 1, 0]);
        assert_eq!(g.out_degrees(), vec![1, 0, 1]);
    }

    #[test]
    fn isolated_nodes_at_the_end_exist() {
        let g = Graph::new(5, [(0, 1, 1.0)]);
        assert_eq!(g.len(), 5);
        assert_eq!(g.out_edges(4).count(), 0);
    }

    #[test]
    fn undirected_sums_both_directions() {
        let g = Graph::new(2, [(0, 1, 1.0), (1, 0, 2.0)]).undirected();
        assert_eq!(g.out_edges(0).collect::<Vec<_>>(), vec![(1, 3.0)]);
        assert_eq!(g.out_edges(1).collect::<Vec<_>>(), vec![(0, 3.0)]);
    }
}
